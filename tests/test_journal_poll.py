"""`GET /_mockgraph/requests?after=ID&last=N`: what a poller (the inspector) reads of the journal."""

from __future__ import annotations

import logging
import threading

import pytest
from conftest import ADELE, GraphTestClient, assert_graph_error

from mockgraph import create_app


def journal(client: GraphTestClient, **query) -> list[dict]:
    response = client.raw.get("/_mockgraph/requests", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["value"]


def test_after_answers_only_what_was_recorded_since_the_cursor(client):
    for _ in range(3):
        client.get("/me")
    first = journal(client)
    assert [e["id"] for e in first] == [1, 2, 3]
    assert journal(client, after=3) == []
    client.get(f"/users/{ADELE}")
    client.get("/nowhere")
    newer = journal(client, after=3)
    assert [(e["id"], e["status"]) for e in newer] == [(4, 200), (5, 400)]
    assert [e["id"] for e in journal(client, after=4)] == [5]


def test_after_is_a_position_in_the_journal_not_an_id_to_compare(client):
    # A batch is recorded after its inner requests (they finish first), so its id is the smallest of the
    # three but it comes last: a cursor on the last inner request must still see the batch.
    batch = {"requests": [{"id": "a", "method": "GET", "url": "/me"}, {"id": "b", "method": "GET", "url": "/me"}]}
    client.post("/$batch", json=batch)
    entries = journal(client)
    assert [e["id"] for e in entries] == [2, 3, 1]
    assert [e["batch"]["entry"] for e in entries[:2]] == [1, 1]
    assert [e["id"] for e in journal(client, after=3)] == [1]
    assert journal(client, after=1) == []


def test_after_an_entry_no_longer_held_answers_everything_held(client):
    client.get("/me")
    client.raw.delete("/_mockgraph/requests")
    client.get("/me")
    assert [e["id"] for e in journal(client, after=1)] == [2]
    small = GraphTestClient(create_app(journal_size=2))
    for _ in range(4):
        small.get("/me")
    assert [e["id"] for e in journal(small, after=1)] == [3, 4]  # 1 and 2 dropped: all held is newer


def test_last_keeps_the_newest_and_combines_with_the_other_filters(client):
    for path in ("/me", "/nowhere", "/me", "/elsewhere", "/me"):
        client.get(path)
    assert [e["id"] for e in journal(client, last=2)] == [4, 5]
    assert [e["id"] for e in journal(client, last=2, status=400)] == [2, 4]
    assert [e["id"] for e in journal(client, last=1, after=2)] == [5]
    assert journal(client, last=0) == []
    assert len(journal(client, last=100)) == 5


@pytest.mark.parametrize("name", ["after", "last", "status"])
@pytest.mark.parametrize("value", ["x", "-1", "1.5", "²", "٣", "9" * 19, ""])
def test_a_bad_number_is_a_400_naming_the_parameter(client, name, value):
    response = client.raw.get("/_mockgraph/requests", query_string={name: value})
    error = assert_graph_error(response, 400, "BadRequest")
    assert error["message"].startswith(f"{name} must be ")


def test_a_poller_sees_every_entry_once_while_requests_run_concurrently():
    client = GraphTestClient(create_app())
    done = threading.Event()
    seen: list[int] = []

    def poll():
        cursor = None
        while True:
            finished = done.is_set()  # read before polling: a last poll after the writers stop
            entries = journal(client) if cursor is None else journal(client, after=cursor)
            seen.extend(e["id"] for e in entries)
            if entries:
                cursor = entries[-1]["id"]
            if finished:
                return

    def send(n):
        for _ in range(n):
            client.get("/me")

    poller = threading.Thread(target=poll)
    poller.start()
    writers = [threading.Thread(target=send, args=(50,)) for _ in range(4)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    done.set()
    poller.join(60)
    assert sorted(seen) == list(range(1, 201))


def test_a_poll_stays_out_of_the_request_log(client, caplog):
    caplog.set_level(logging.INFO, logger="mockgraph.requests")
    client.get("/me")
    client.raw.get("/_mockgraph/requests", query_string={"after": 1})
    client.raw.get("/_mockgraph/requests", query_string={"after": 0})
    client.raw.get("/_mockgraph/requests")
    lines = [record.getMessage() for record in caplog.records if record.name == "mockgraph.requests"]
    assert [line.rsplit(" ", 2)[0] for line in lines] == ["GET /beta/me", "GET /_mockgraph/requests"]
