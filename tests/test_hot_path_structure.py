"""What a request does not do any more (issue 14), pinned without timing anything: each test counts or
inspects the work one request performs, so a change that brings it back fails here, however fast
or slow the machine."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flask import g, request
from werkzeug.local import _ProxyLookup

import mockgraph
from mockgraph import create_app
from tests.conftest import ADELE, SEED_PAGE_ID, GraphTestClient

POSITIONS = f"/users/{ADELE}/profile/positions"


PACKAGE = str(Path(mockgraph.__file__).parent)


@pytest.fixture
def proxy_lookups(monkeypatch):
    """Counts the context-local proxy lookups (`request.x`, `g.x`, `current_app.x`) mockgraph's own code
    makes while `counted()` runs (Flask's and blinker's are the same for any app)."""
    original = _ProxyLookup.__get__
    counter = {"n": 0, "on": False}

    def counting(self, instance, owner=None):
        if counter["on"] and sys._getframe(1).f_code.co_filename.startswith(PACKAGE):
            counter["n"] += 1
        return original(self, instance, owner)

    monkeypatch.setattr(_ProxyLookup, "__get__", counting)

    def counted(call) -> int:
        counter["n"], counter["on"] = 0, True
        try:
            call()
        finally:
            counter["on"] = False
        return counter["n"]

    return counted


@pytest.mark.parametrize("method, path, body", [
    ("GET", POSITIONS, None),
    ("GET", f"{POSITIONS}/{SEED_PAGE_ID}", None),
    ("PATCH", f"{POSITIONS}/{SEED_PAGE_ID}", {"isCurrent": True}),
    ("GET", f"/users/{ADELE}/profile", None),
    ("GET", "/me/profile/skills", None),
])
def test_a_graph_request_makes_no_proxy_lookups_of_its_own(proxy_lookups, method, path, body):
    # Hooks and views take the request object once (`current()`) and read attributes: some fifty
    # lookups a request before, each about a microsecond.
    client = GraphTestClient(create_app())

    def call():
        assert client.request(method, path, json=body).status_code == 200

    call()
    assert proxy_lookups(call) == 0


def test_per_request_data_lives_on_the_request_not_in_g():
    # Ids, the caller and the fault that fired are attributes of the request object (a plain
    # attribute read), and nothing is left in `g` for the next request in a shared app context.
    app = create_app()
    seen = {}

    @app.teardown_request
    def look(_error):
        seen["g"] = dict(vars(g._get_current_object()))
        seen["request"] = request._get_current_object()

    response = GraphTestClient(app).get(POSITIONS)
    assert seen["g"] == {}
    assert seen["request"].request_id == response.headers["request-id"]
    assert seen["request"].caller is not None and seen["request"].is_graph


def test_the_app_state_is_bound_to_its_request_class():
    # One class per app: two apps in one process never see each other's state.
    one, two = create_app(), create_app()
    assert one.request_class is not two.request_class
    assert one.request_class.state is one.extensions["mockgraph"]
    assert two.request_class.state is two.extensions["mockgraph"]


def test_link_roots_are_remembered_per_host_and_bounded():
    from mockgraph.graph.hosts import MAX_LINK_ROOTS

    app = create_app()
    client = GraphTestClient(app)
    hosts = app.extensions["mockgraph"].hosts
    for n in range(MAX_LINK_ROOTS + 10):
        response = client.get(POSITIONS, headers={"Host": f"h{n}.example"})
        # Not a host the mock accepts for links: answered on its own address, whatever was sent.
        assert response.get_json()["@odata.context"].startswith("http://127.0.0.1/beta/")
    assert 0 < len(hosts._link_roots) <= MAX_LINK_ROOTS
    local = client.get(POSITIONS, headers={"Host": "localhost:8123"}).get_json()["@odata.context"]
    assert local.startswith("http://localhost:8123/beta/$metadata#users(")


def test_a_token_is_read_once_and_its_expiry_checked_on_every_request(monkeypatch):
    from mockgraph.graph import auth
    from mockgraph.graph.tokens import make_token

    reads = []
    original = auth._claims
    monkeypatch.setattr(auth, "_claims", lambda token: reads.append(token) or original(token))
    auth._read_token.cache_clear()
    app = create_app()
    token = make_token(oid=ADELE, scp="User.Read", expires_in=600)
    client = GraphTestClient(app, token=token)
    for _ in range(3):
        assert client.get(POSITIONS).status_code == 200
    assert len(reads) == 1
    # Kept parsed, still checked against the mock's clock each time.
    app.extensions["mockgraph"].clock.advance(seconds=601)
    assert client.get(POSITIONS).status_code == 401
    assert len(reads) == 1


def test_request_ids_are_random_version_4_guids_and_each_response_carries_one():
    import re

    from mockgraph.graph.responses import new_request_id

    ids = {new_request_id() for _ in range(2000)}
    assert len(ids) == 2000
    guid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")
    assert all(guid.match(i) for i in ids)
    assert {i[19] for i in ids} == set("89ab")
    client = GraphTestClient(create_app())
    for response in (client.get(POSITIONS), client.get("/users/nobody/profile/positions"),
                     client.request("OPTIONS", POSITIONS, headers={"Origin": "http://a.example"})):
        assert len(response.headers.getlist("request-id")) == 1
        assert len(response.headers.getlist("client-request-id")) == 1
        assert len(response.headers.getlist("Date")) == 1


def test_the_journal_judges_a_repeated_header_once_and_still_never_holds_a_token(monkeypatch):
    from mockgraph.control import journal

    judged = []
    original = journal.redact_header
    monkeypatch.setattr(journal, "redact_header", lambda name, value: judged.append(name) or original(name, value))
    journal._kept_header.cache_clear()
    app = create_app()
    client = GraphTestClient(app, token="opaque-secret-token")
    headers = {"X-Custom": "the same every time"}
    client.get(POSITIONS, headers=headers)
    first = len(judged)
    assert first >= 2  # Authorization and X-Custom at least
    for _ in range(3):
        client.get(POSITIONS, headers=headers)
    assert len(judged) == first
    entries = app.extensions["mockgraph"].journal.entries()
    assert len(entries) == 4
    assert all(e["headers"]["Authorization"] == "Bearer <redacted>" for e in entries)
    held = repr([(e.headers, e.response_headers) for e in app.extensions["mockgraph"].journal._entries])
    assert "opaque-secret-token" not in held


def test_a_long_header_value_is_judged_every_time_and_not_remembered(monkeypatch):
    from mockgraph.control import journal

    judged = []
    original = journal.redact_header
    monkeypatch.setattr(journal, "redact_header", lambda name, value: judged.append(name) or original(name, value))
    journal._kept_header.cache_clear()
    client = GraphTestClient(create_app())
    long_value = "v" * (journal.KEPT_HEADER + 1)
    client.get(POSITIONS, headers={"X-Long": long_value})
    for _ in range(3):
        before = len(judged)
        client.get(POSITIONS, headers={"X-Long": long_value})
        assert judged[before:] == ["X_LONG"]
    assert journal._kept_header.cache_info().currsize == len(set(judged) - {"X_LONG"})


@pytest.mark.parametrize("method, path, body", [
    ("GET", f"{POSITIONS}/{SEED_PAGE_ID}", None),
    ("GET", POSITIONS, None),
    ("GET", f"/users/{ADELE}/profile", None),
    ("PATCH", f"{POSITIONS}/{SEED_PAGE_ID}", {"detail": {"jobTitle": "Staff Engineer"}}),
])
def test_a_request_makes_no_deep_copy(monkeypatch, method, path, body):
    # Stored documents are never changed in place, so answering one shares it: a deep copy of a
    # profile on each GET was most of a list's cost once.
    import copy

    client = GraphTestClient(create_app())
    client.request(method, path, json=body)  # marshmallow builds nested schemas once, on first use
    copies = []
    original = copy.deepcopy
    monkeypatch.setattr(copy, "deepcopy", lambda *a, **k: copies.append(a[0]) or original(*a, **k))
    assert client.request(method, path, json=body).status_code == 200
    assert copies == []


def test_flask_is_asked_once_per_function_whether_it_is_async(monkeypatch):
    from flask import Flask

    asked = []
    original = Flask.ensure_sync
    monkeypatch.setattr(Flask, "ensure_sync", lambda self, func: asked.append(func) or original(self, func))
    client = GraphTestClient(create_app())
    client.get(POSITIONS)
    first = len(asked)
    assert first >= 3  # hooks and the view
    client.get(POSITIONS)
    client.get(f"{POSITIONS}/{SEED_PAGE_ID}")
    assert len(asked) == first + 1  # only the item view is new
