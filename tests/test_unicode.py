"""Invalid Unicode never gets in (issue 10): a string that cannot be encoded as UTF-8 (a lone surrogate,
`"\\ud800"` in JSON) is refused wherever it comes from, with a Graph error and nothing stored; whatever
is stored or journaled can always be sent; a `--db` file that already holds such a string (written by
an earlier version) is repaired when it is opened, not served as a 500 forever."""

from __future__ import annotations

import base64
import json
import logging

import pytest
import requests
from conftest import ADELE, SEED_PAGE_ID, GraphTestClient, assert_graph_error
from live import ServedMock
from rawhttp import send

from mockgraph import FixtureError, create_app
from mockgraph.graph.tokens import b64url, make_token
from mockgraph.harness.live import MockGraph
from mockgraph.store.storage import LogStorage

POSITIONS = f"/users/{ADELE}/profile/positions"
ITEM = f"{POSITIONS}/{SEED_PAGE_ID}"
UNREADABLE = ("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is "
              "of valid JSON format.")
JSON = {"Content-Type": "application/json"}
DETAIL = '{"jobTitle": "a", "company": {"displayName": "C"}}'

# JSON texts (as sent: the escape is six ASCII characters) with a lone surrogate at some depth.
SURROGATE_BODIES = {
    "value": '{"detail": {"jobTitle": "\\ud800", "company": {"displayName": "C"}}}',
    "low surrogate": '{"detail": {"jobTitle": "x\\udfff", "company": {"displayName": "C"}}}',
    "reversed pair": '{"detail": {"jobTitle": "\\ude00\\ud83d", "company": {"displayName": "C"}}}',
    "upper-case escape": '{"detail": {"jobTitle": "\\uD800", "company": {"displayName": "C"}}}',
    "deep value": '{"detail": {"company": {"displayName": "C", "address": {"city": "\\udbff"}}}}',
    "in an array": f'{{"detail": {DETAIL}, "categories": ["ok", "\\ud800"]}}',
    "in an object in an array": f'{{"detail": {DETAIL}, "colleagues": [{{"displayName": "\\ud800"}}]}}',
    "known key": f'{{"detail": {DETAIL}, "isCurrent\\ud800": true}}',
    "unknown key": f'{{"detail": {DETAIL}, "\\ud800": 1}}',
    "key of an ignored annotation": f'{{"detail": {DETAIL}, "@odata.\\ud800": 1}}',
    "top-level string": '"\\ud800"',
}
# The same, as raw bytes that are not UTF-8 (a surrogate encoded as UTF-8 would be: ED A0 80).
RAW_BODIES = {
    "encoded surrogate": b'{"detail": {"jobTitle": "\xed\xa0\x80", "company": {"displayName": "C"}}}',
    "encoded surrogate in a key": b'{"detail": {"jobTitle": "a"}, "\xed\xbf\xbf": 1}',
    "UTF-16 with a lone surrogate": '{"detail": {"jobTitle": "\ud800"}}'.encode("utf-16-le", "surrogatepass"),
}


@pytest.fixture
def client():
    return GraphTestClient(create_app(strict=True))


def assert_everything_readable(client: GraphTestClient) -> None:
    """Every list, the state and the journal answer 200 with JSON that is UTF-8."""
    for path in (POSITIONS, "/me/profile/positions", "/_mockgraph/state", "/_mockgraph/requests"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data()[:300])
        json.loads(response.get_data().decode("utf-8"))


@pytest.mark.parametrize("text", SURROGATE_BODIES.values(), ids=SURROGATE_BODIES.keys())
@pytest.mark.parametrize("method, path", [("POST", POSITIONS), ("PATCH", ITEM)])
def test_a_body_with_a_lone_surrogate_escape_is_unreadable_and_stores_nothing(client, method, path, text):
    before = client.state()
    response = client.request(method, path, data=text.encode("ascii"), headers=JSON)
    assert_graph_error(response, 400, "BadRequest", UNREADABLE)
    assert client.state() == before
    assert_everything_readable(client)


@pytest.mark.parametrize("data", RAW_BODIES.values(), ids=RAW_BODIES.keys())
def test_a_body_of_bytes_that_are_not_utf8_is_unreadable(client, data):
    before = client.state()
    assert_graph_error(client.post(POSITIONS, data=data, headers=JSON), 400, "BadRequest", UNREADABLE)
    assert client.state() == before
    assert_everything_readable(client)


def test_valid_surrogate_pairs_and_non_bmp_text_are_stored(client):
    # An escaped pair is one character (U+1F600): it is text, and round-trips.
    body = '{"detail": {"jobTitle": "\\ud83d\\ude00 \U0001F600 \\u00e9", "company": {"displayName": "C"}}}'
    created = client.post(POSITIONS, data=body.encode("utf-8"), headers=JSON)
    assert created.status_code == 201, created.get_data()
    assert created.get_json()["detail"]["jobTitle"] == "\U0001F600 \U0001F600 \u00e9"
    assert_everything_readable(client)


@pytest.mark.parametrize("claims", [
    {"oid": ADELE, "name": "\ud800"},
    {"oid": "\udc00", "scp": "User.ReadWrite"},
    {"oid": ADELE, "scp": "User.Read \ud800"},
    {"oid": ADELE, "roles": ["\ud800"]},
    {"appid": "\ud800", "scp": "User.ReadWrite"},
    {"oid": ADELE, "\ud800": 1},
])
def test_a_token_with_a_claim_that_is_not_text_is_refused(client, claims):
    # As a token whose payload is not UTF-8: a 401 (CONTRACT §4: a payload that does not decode to a JSON
    # object), before anything else; the journal stays readable.
    before = client.state()
    token = make_token(**claims)  # json.dumps escapes the surrogate: the token itself is ASCII
    response = client.post(POSITIONS, json=json.loads(f'{{"detail": {DETAIL}}}'), token=token)
    assert_graph_error(response, 401, "InvalidAuthenticationToken")
    assert client.state() == before
    assert_everything_readable(client)
    assert client.get("/_mockgraph/requests").get_json()["value"][0]["status"] == 401


def test_a_token_whose_payload_is_an_encoded_surrogate_is_refused(client):
    payload = b'{"oid": "\xed\xa0\x80"}'
    token = f"{b64url(b'{}')}.{base64.urlsafe_b64encode(payload).rstrip(b'=').decode()}."
    assert_graph_error(client.get(POSITIONS, token=token), 401, "InvalidAuthenticationToken")
    assert_everything_readable(client)


@pytest.mark.parametrize("name, value", [
    ("X-Anything", "\ud800"),
    ("client-request-id", "id-\udfff"),
    ("Content-Type", "application/json; charset=\ud800"),
])
def test_a_header_that_is_not_text_is_refused(client, name, value):
    # Over HTTP a header is bytes read as ISO-8859-1, always text; an in-process caller (or a batch item)
    # can hand over any string.
    before = client.state()
    response = client.post(POSITIONS, data=f'{{"detail": {DETAIL}}}', headers={"Content-Type": "application/json",
                                                                              name: value})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "BadRequest"
    assert client.state() == before
    assert_everything_readable(client)


@pytest.mark.parametrize("query", ["$top=%FF", "$filter=detail/jobTitle%20eq%20%27%ED%A0%80%27",
                                   "$orderby=detail/jobTitle%C0", "x=%F0%9F%98"])
def test_a_query_string_that_is_not_utf8_is_refused(client, query):
    response = client.get(f"{POSITIONS}?{query}")
    assert_graph_error(response, 400, "BadRequest",
                       "The request URL's query string is not valid UTF-8 once percent-decoded.")
    assert_everything_readable(client)


def test_a_query_string_of_valid_utf8_still_works(client):
    response = client.get(f"{POSITIONS}?$filter=detail/jobTitle%20eq%20%27%C3%A9%F0%9F%98%80%27")
    assert response.status_code == 200
    assert response.get_json()["value"] == []


BATCH_ITEMS = {
    "inner header": {"id": "1", "method": "GET", "url": "/me/profile/positions", "headers": {"x-a": "\\ud800"}},
    "inner header name": {"id": "1", "method": "GET", "url": "/me/profile/positions", "headers": {"\\ud800": "a"}},
    "inner body": {"id": "1", "method": "POST", "url": "/me/profile/positions",
                   "headers": {"Content-Type": "application/json"},
                   "body": {"detail": {"jobTitle": "\\ud800", "company": {"displayName": "C"}}}},
    "inner url": {"id": "1", "method": "GET", "url": "/users/\\ud800/profile/positions"},
    "request id": {"id": "\\ud800", "method": "GET", "url": "/me/profile/positions"},
}


@pytest.mark.parametrize("item", BATCH_ITEMS.values(), ids=BATCH_ITEMS.keys())
def test_a_batch_with_a_lone_surrogate_anywhere_runs_nothing(client, item):
    before = client.state()
    good = {"id": "2", "method": "POST", "url": "/me/profile/positions",
            "headers": {"Content-Type": "application/json"},
            "body": {"detail": {"jobTitle": "ran", "company": {"displayName": "C"}}}}
    # Written by hand: the escape must reach the server as six characters.
    text = json.dumps({"requests": [good, item]}).replace("\\\\ud800", "\\ud800")
    assert "\\ud800" in text and "\\\\ud800" not in text
    response = client.post("/$batch", data=text.encode("ascii"), headers=JSON)
    assert_graph_error(response, 400, "BadRequest", UNREADABLE)
    assert client.state() == before
    assert_everything_readable(client)


def test_a_batch_item_with_a_query_that_is_not_utf8_gets_its_own_400(client):
    response = client.post("/$batch", json={"requests": [
        {"id": "1", "method": "GET", "url": f"{POSITIONS}?$top=%FF"},
        {"id": "2", "method": "GET", "url": f"{POSITIONS}?$top=1"},
    ]})
    assert response.status_code == 200
    answers = {r["id"]: r for r in response.get_json()["responses"]}
    assert answers["1"]["status"] == 400 and answers["2"]["status"] == 200
    assert_everything_readable(client)


@pytest.mark.parametrize("path, text", [
    ("/_mockgraph/seed", '{"users": [{"id": "u-1", "userPrincipalName": "\\ud800@contoso.com", "positions": []}]}'),
    ("/_mockgraph/seed", '{"users": [{"id": "u-1", "positions": [{"detail": {"jobTitle": "\\udc00"}}]}]}'),
    ("/_mockgraph/faults", '{"path": "/me/\\ud800", "effect": "fail", "status": 500}'),
    ("/_mockgraph/faults", '{"id": "\\ud800", "path": "/me/*", "effect": "fail", "status": 500}'),
    ("/_mockgraph/clock", '{"set": "2024-01-01T00:00:00\\ud800"}'),
])
def test_control_api_bodies_with_a_lone_surrogate_are_refused(client, path, text):
    before = client.state()
    response = client.post(path, data=text.encode("ascii"), headers=JSON)
    assert_graph_error(response, 400, "BadRequest")
    assert client.state() == before
    assert client.get("/_mockgraph/faults").get_json() == []
    assert_everything_readable(client)


@pytest.mark.parametrize("data, where", [
    ({"users": [{"id": "u-1", "displayName": "\ud800", "positions": []}]}, "$.users[0].displayName"),
    ({"users": [{"id": "u-1", "positions": [{"detail": {"jobTitle": "a\udfff"}}]}]},
     "$.users[0].positions[0].detail.jobTitle"),
    ({"users": [{"id": "u-1", "positions": [{"detail": {}, "\ud800": 1}]}]}, "$.users[0].positions[0].<key>"),
])
def test_python_seed_data_that_is_not_text_is_a_fixture_error(data, where):
    with MockGraph() as mock:
        before = mock.state()
        with pytest.raises(FixtureError) as caught:
            mock.seed(data)
        assert caught.value.path == where
        assert "not valid Unicode" in caught.value.reason
        assert mock.state() == before


def test_a_fixture_file_with_a_lone_surrogate_escape_is_refused(tmp_path):
    path = tmp_path / "people.json"
    path.write_text('{"users": [{"id": "u-1", "displayName": "\\ud800"}]}', encoding="ascii")
    with pytest.raises(FixtureError, match=r"not valid JSON \(a string that is not valid Unicode"):
        create_app(fixtures=[str(path)])


def test_whatever_a_python_caller_slips_in_is_still_answered(client, caplog):
    # Python callers can put any string in a fault rule, and in-process callers in a header: the rule
    # list and the journal still answer JSON that is UTF-8 (with U+FFFD in its place), never a 500.
    state = client.app.extensions["mockgraph"]
    state.faults.add(path="/users/*\ud800*", user="\udc00", effect="fail", status=503)
    with caplog.at_level(logging.WARNING, logger="mockgraph.graph.jsonio"):
        assert client.get(POSITIONS, headers={"X-Odd": "\ud800"}).status_code == 400
        listed = client.get("/_mockgraph/faults")
        journal = client.get("/_mockgraph/requests")
    assert listed.status_code == 200 and listed.get_json()[0]["path"] == "/users/*\ufffd*"
    assert journal.status_code == 200 and journal.get_json()["value"][0]["headers"]["X-Odd"] == "\ufffd"
    assert "replaced by U+FFFD" in caplog.text


# Over real HTTP, and across restarts with --db: the reproduction.

def test_over_http_a_lone_surrogate_never_reaches_the_db_file(tmp_path):
    db = str(tmp_path / "state.db")
    auth = ("Authorization", "Bearer x")
    with ServedMock("--db", db) as mock:
        answer = send(mock.base_url, "POST", POSITIONS, (auth, ("Content-Type", "application/json")),
                      SURROGATE_BODIES["value"].encode("ascii"))
        assert answer.status == 400
        token = make_token(oid=ADELE, name="\ud800")
        assert send(mock.base_url, "GET", POSITIONS, (("Authorization", f"Bearer {token}"),)).status == 401
        for target in (POSITIONS, "/_mockgraph/state", "/_mockgraph/requests"):
            assert send(mock.base_url, "GET", target, (auth,)).status == 200
    assert "\\ud800" not in open(db, encoding="ascii").read()
    with ServedMock("--db", db) as again:
        assert requests.get(again.base_url + POSITIONS, headers={"Authorization": "Bearer x"}, timeout=30).ok


def write_poisoned_db(path) -> None:
    """A --db file as the previous version wrote it after accepting `"\\ud800"` in a POST."""
    storage = LogStorage(path)
    storage.write({"users": {"1": {"id": ADELE, "userPrincipalName": "adele.vance@contoso.com",
                                   "displayName": "Adele \ud800"}},
                   f"positions/{ADELE}": {"1": {
                       "id": SEED_PAGE_ID, "allowedAudiences": "organization",
                       "createdDateTime": "2020-01-01T00:00:00.0000000Z",
                       "lastModifiedDateTime": "2020-01-01T00:00:00.0000000Z",
                       "createdBy": {"user": {"id": ADELE, "displayName": "A"}, "application": None, "device": None},
                       "lastModifiedBy": {"user": {"id": ADELE, "displayName": "A"}, "application": None,
                                          "device": None},
                       "detail": {"jobTitle": "\ud800 lead", "company": {"displayName": "x\udfff"}},
                       "categories": ["\udc00"],
                   }}})
    storage.close()


def test_a_db_file_already_holding_a_lone_surrogate_is_repaired_and_served(tmp_path):
    db = str(tmp_path / "old.db")
    write_poisoned_db(db)
    assert "\\ud800" in open(db, encoding="ascii").read()  # what an earlier version left
    with ServedMock("--db", db) as mock:
        base = mock.base_url
        auth = {"Authorization": "Bearer x"}
        listed = requests.get(f"{base}{POSITIONS}", headers=auth, timeout=30)
        assert listed.status_code == 200
        position = listed.json()["value"][0]
        assert position["detail"]["jobTitle"] == "\ufffd lead"
        assert position["detail"]["company"]["displayName"] == "x\ufffd"
        assert position["categories"] == ["\ufffd"]
        assert requests.get(base.rsplit("/", 1)[0] + "/_mockgraph/state", timeout=30).status_code == 200
        log = mock.stop()
    assert "replaced invalid Unicode" in log and "old.db" in log
    # The repaired state replaced the file (a compaction): the next start has nothing to repair.
    assert "\\ud800" not in open(db, encoding="ascii").read()
    from mockgraph.store.storage import read_log

    assert read_log(db)["users"]["1"]["displayName"] == "Adele \ufffd"
    with ServedMock("--db", db) as again:
        assert requests.get(f"{again.base_url}{POSITIONS}", headers=auth, timeout=30).ok
        log = again.stop()
    assert "replaced invalid Unicode" not in log
