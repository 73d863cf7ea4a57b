"""Bounded work per request (CONTRACT §5, §6): a `$filter` has Graph's node-count limit, a query and a
path have a length limit, the same for a request sent alone and inside a `$batch`, and a filter's
cost grows with the data, not with the data times its terms."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from conftest import ADELE, GraphTestClient, assert_graph_error

from mockgraph import create_app
from mockgraph.graph.odata.filter_parser import NODE_COUNT_EXCEEDED
from mockgraph.graph.odata.options import MAX_QUERY_CHARS
from mockgraph.graph.pipeline import MAX_PATH_CHARS

POSITIONS = f"/users/{ADELE}/profile/positions"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def client():
    return GraphTestClient(create_app(strict=True))


def contains_terms(n: int, path: str = "detail/description") -> str:
    return " or ".join(f"contains({path},'zz{i}')" for i in range(n))


def alone_and_batched(client: GraphTestClient, url: str) -> list[tuple[int, dict]]:
    """The answer to `GET url` sent alone, then as the only item of a batch."""
    alone = client.get(url)
    item = client.post("/$batch", json={"requests": [{"id": "1", "method": "GET", "url": url}]})
    assert item.status_code == 200
    inner = item.get_json()["responses"][0]
    return [(alone.status_code, alone.get_json()), (inner["status"], inner["body"])]


def test_a_filter_past_graphs_node_count_is_a_400_alone_and_batched(client):
    within = alone_and_batched(client, f"{POSITIONS}?$filter={quote(contains_terms(25))}")
    assert [status for status, _ in within] == [200, 200]
    for status, body in alone_and_batched(client, f"{POSITIONS}?$filter={quote(contains_terms(26))}"):
        assert status == 400 and body["error"]["code"] == "BadRequest"
        assert body["error"]["message"] == NODE_COUNT_EXCEEDED
    count = client.get(f"{POSITIONS}/$count?$filter={quote(contains_terms(26))}")
    assert_graph_error(count, 400, "BadRequest", NODE_COUNT_EXCEEDED)


def test_a_query_past_the_length_limit_is_a_400_alone_and_batched(client):
    filler = "x" * (MAX_QUERY_CHARS - len("appParam") - 2)
    for status, _ in alone_and_batched(client, f"{POSITIONS}?appParam={filler}"):
        assert status == 200
    for status, body in alone_and_batched(client, f"{POSITIONS}?appParam={filler}x"):
        assert status == 400
        assert body["error"]["message"].startswith("The query specified in the URI is not valid.")
        assert f"the limit is {MAX_QUERY_CHARS}" in body["error"]["message"]
    # Counted decoded, as the server reads it: a percent-encoded query is not three times as long.
    encoded = quote(filler[:-1] + "é", safe="")
    assert [s for s, _ in alone_and_batched(client, f"{POSITIONS}?appParam={encoded}")] == [200, 200]


def test_a_path_past_the_length_limit_is_a_400_alone_and_batched(client):
    long_user = "u" * MAX_PATH_CHARS
    for status, body in alone_and_batched(client, f"/users/{long_user}/profile/positions"):
        assert status == 400 and f"the limit is {MAX_PATH_CHARS}" in body["error"]["message"]
    for status, _ in alone_and_batched(client, f"/users/{long_user[:10_000]}/profile/positions"):
        assert status == 404  # within the limit: just an unknown user


def test_a_filter_over_a_large_stored_string_is_answered(client):
    large = "Ünïcödé wörds " * 70_000  # about 1 MB of text that casefolds the slow way
    created = client.post(POSITIONS, json={"detail": {"description": large, "company": {"displayName": "x"}}})
    assert created.status_code == 201
    expression = contains_terms(24) + " or contains(detail/description,'WÖRDS')"
    answer = client.get(f"{POSITIONS}?$select=id&$filter={quote(expression)}")
    assert answer.status_code == 200
    assert [p["id"] for p in answer.get_json()["value"]] == [created.get_json()["id"]]
