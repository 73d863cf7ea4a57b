"""CONTRACT §8 (control API, request journal) and §10 (reset brings time and ids back), in process."""

from __future__ import annotations

import json

import pytest
from conftest import ADELE, ADELE_UPN, NESTOR, SEED_PAGE_ID, GraphTestClient, assert_graph_error
from flask import request

from mockgraph import create_app, make_token

NEW = {"detail": {"jobTitle": "Written", "company": {"displayName": "Fabrikam"}}}
SEEDED_USER = "5d7e9f10-2b3c-4d5e-8f60-718293a4b5c6"
SEEDED_POSITION = "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
SEED = {"users": [{"id": SEEDED_USER, "userPrincipalName": "seeded@contoso.com", "displayName": "Seeded",
                   "positions": [{"id": SEEDED_POSITION, "detail": {"jobTitle": "Seeded",
                                                                     "company": {"displayName": "Contoso"}}}]}]}


def positions(user: str = ADELE) -> str:
    return f"/users/{user}/profile/positions"


def journal(client: GraphTestClient, **filters) -> list[dict]:
    response = client.raw.get("/_mockgraph/requests", query_string=filters)
    assert response.status_code == 200
    return response.get_json()["value"]


# Health, reset, state


def test_health_needs_no_token_and_is_not_journaled(client):
    response = client.raw.get("/_mockgraph/health")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"
    assert journal(client) == []


def test_reset_brings_back_the_seeded_data_and_empties_the_journal(client):
    before = client.state()
    created = client.post(positions(), json=NEW).get_json()["id"]
    assert client.delete(f"{positions()}/{SEED_PAGE_ID}").status_code == 204
    assert client.state() != before and journal(client)
    response = client.raw.post("/_mockgraph/reset")
    assert response.status_code == 204 and response.get_data() == b""
    assert client.state() == before
    assert client.get(f"{positions()}/{created}").status_code == 404
    assert client.get(f"{positions()}/{SEED_PAGE_ID}").status_code == 200
    paths = [e["path"] for e in journal(client)]
    assert paths == [f"/beta{positions()}/{created}", f"/beta{positions()}/{SEED_PAGE_ID}"]


def test_reset_clears_fault_rules():
    app = create_app(faults=[{"methods": ["GET"], "path": "/me", "effect": "fail", "status": 503}])
    client = GraphTestClient(app)
    assert client.get("/me").status_code == 503
    client.raw.post("/_mockgraph/reset")
    assert client.get("/me").status_code == 200


def test_reset_rewinds_generated_ids_and_the_clock():
    app = create_app(seed=7, clock="2024-03-01T09:00:00Z")
    client = GraphTestClient(app)
    first = client.post(positions(), json=NEW).get_json()
    client.raw.post("/_mockgraph/clock", json={"advance": 3600})
    client.raw.post("/_mockgraph/reset")
    again = client.post(positions(), json=NEW).get_json()
    assert again["id"] == first["id"]
    assert again["createdDateTime"] == first["createdDateTime"] == "2024-03-01T09:00:00.0000000Z"


def test_state_is_the_fixture_format_and_loads_back_as_a_fixture(client, tmp_path):
    client.post(positions(NESTOR), json=NEW)
    state = client.raw.get("/_mockgraph/state").get_json()
    assert set(state) == {"users"} and state["users"][0]["id"] == ADELE
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(state))
    assert GraphTestClient(create_app(fixtures=[str(saved)])).state() == client.state()


# Seed


def nonzero(counts: dict) -> dict:
    """Seed answers a count for every collection; most tests seed only positions."""
    return {k: v for k, v in counts.items() if v}


def test_seed_adds_users_and_answers_counts(client):
    response = client.raw.post("/_mockgraph/seed", json=SEED)
    assert response.status_code == 200 and nonzero(response.get_json()) == {"users": 1, "positions": 1}
    listed = client.get(positions("seeded@contoso.com")).get_json()["value"]
    assert [p["id"] for p in listed] == [SEEDED_POSITION]
    assert client.get(f"{positions()}/{SEED_PAGE_ID}").status_code == 200  # others stay


def test_seed_replaces_a_stored_user_with_their_positions(client):
    adele = {"id": ADELE, "userPrincipalName": ADELE_UPN, "displayName": "Adele V.",
             "positions": [{"detail": {"jobTitle": "Only one", "company": {"displayName": "Contoso"}}}]}
    assert nonzero(client.raw.post("/_mockgraph/seed", json={"users": [adele]}).get_json()) == {"users": 1,
                                                                                                "positions": 1}
    assert client.get("/me").get_json()["displayName"] == "Adele V."
    assert [p["detail"]["jobTitle"] for p in client.get(positions()).get_json()["value"]] == ["Only one"]


def test_reset_discards_seeded_data(client):
    client.raw.post("/_mockgraph/seed", json=SEED)
    client.raw.post("/_mockgraph/reset")
    assert_graph_error(client.get(positions(SEEDED_USER)), 404, "Request_ResourceNotFound")


@pytest.mark.parametrize(("body", "where"), [
    ({"users": [{"id": SEEDED_USER}]}, "$.users[0].userPrincipalName"),
    ({"users": [SEED["users"][0], {"id": NESTOR, "userPrincipalName": "n@contoso.com",
                                   "positions": [{"detail": {"layer": "x"}}]}]},
     "$.users[1].positions[0].detail.layer"),
    ({"people": []}, "$"),
    # An item id or UPN that another stored user keeps would leave two owners.
    ({"users": [{**SEED["users"][0], "positions": [{"id": SEED_PAGE_ID, **NEW}]}]}, "$.users[0].positions[0].id"),
    ({"users": [{**SEED["users"][0], "userPrincipalName": ADELE_UPN.upper()}]}, "$.users[0].userPrincipalName"),
])
def test_a_bad_seed_is_a_400_naming_the_path_and_loads_nothing(client, body, where):
    before = client.state()
    error = assert_graph_error(client.raw.post("/_mockgraph/seed", json=body), 400, "BadRequest")
    assert error["message"].startswith(where + ":")
    assert client.state() == before


def test_seed_body_must_be_json(client):
    before = client.state()
    response = client.raw.post("/_mockgraph/seed", data="{nope", content_type="application/json")
    assert_graph_error(response, 400, "BadRequest")
    assert client.state() == before


# Clock


def test_clock_can_be_set_advanced_and_released(client):
    set_ = client.raw.post("/_mockgraph/clock", json={"set": "2030-05-06T07:08:09Z"}).get_json()
    assert set_ == {"now": "2030-05-06T07:08:09.0000000Z", "frozen": True}
    assert client.post(positions(), json=NEW).get_json()["createdDateTime"] == "2030-05-06T07:08:09.0000000Z"
    moved = client.raw.post("/_mockgraph/clock", json={"advance": 90.5}).get_json()
    assert moved["now"] == "2030-05-06T07:09:39.5000000Z"
    assert client.raw.get("/_mockgraph/clock").get_json() == moved
    released = client.raw.post("/_mockgraph/clock", json={"release": True}).get_json()
    assert released["frozen"] is False and not released["now"].startswith("2030")


@pytest.mark.parametrize("body", [{}, {"set": 5}, {"set": "yesterday"}, {"advance": "1"}, {"advance": True},
                                  {"advance": 1e300}, {"release": False}, {"set": "2030-01-01", "advance": 1}, []])
def test_bad_clock_requests_are_400_and_change_nothing(client, body):
    before = client.raw.get("/_mockgraph/clock").get_json()
    assert_graph_error(client.raw.post("/_mockgraph/clock", json=body), 400, "BadRequest")
    assert client.raw.get("/_mockgraph/clock").get_json()["frozen"] is before["frozen"] is False


# Unknown control paths, and the control API switched off


def test_an_unknown_control_path_lists_the_endpoints(client):
    error = assert_graph_error(client.raw.get("/_mockgraph/heath"), 400, "BadRequest")
    assert "GET /_mockgraph/health" in error["message"] and "POST /_mockgraph/reset" in error["message"]
    assert_graph_error(client.raw.get("/_mockgraph/reset"), 405, "Request_BadRequest")


def test_without_control_the_paths_answer_like_any_unknown_path():
    app = create_app(control=False)
    client = GraphTestClient(app)
    client.post(positions(), json=NEW)
    before = client.state()
    for method, path in (("GET", "/_mockgraph/health"), ("POST", "/_mockgraph/reset"), ("GET", "/_mockgraph/state")):
        assert_graph_error(client.raw.open(path, method=method), 401, "InvalidAuthenticationToken")
        like_unknown = client.raw.open("/_elsewhere", method=method, headers={"Authorization": "Bearer x"})
        answer = client.raw.open(path, method=method, headers={"Authorization": "Bearer x"})
        assert answer.status_code == like_unknown.status_code == 400
        unknown_message = like_unknown.get_json()["error"]["message"]
        assert answer.get_json()["error"]["message"] == unknown_message.replace("_elsewhere", "_mockgraph")
    assert client.state() == before


# The journal


def test_every_graph_request_is_journaled_with_what_was_answered():
    app = create_app(faults=[{"methods": ["GET"], "path": "/users/*/profile/positions/$count", "effect": "fail",
                              "status": 500, "id": "boom"}])
    client = GraphTestClient(app)
    token = make_token(oid=ADELE, scp="User.ReadWrite", appid="app-1")
    client.post(positions(), json=NEW, token=token, headers={"client-request-id": "c-1"})
    client.get(positions(), token=None)  # 401
    client.get(positions("nobody@contoso.com"))  # 404
    client.post(positions(), data="not json", content_type="text/plain")  # 400
    client.get(f"{positions()}/$count")  # 500 by the fault rule
    client.request("OPTIONS", positions())  # 204 preflight
    client.raw.get("/_mockgraph/state")  # control: never journaled
    entries = journal(client)
    assert [(e["method"], e["status"]) for e in entries] == [
        ("POST", 201), ("GET", 401), ("GET", 404), ("POST", 400), ("GET", 500), ("OPTIONS", 204)]
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)

    created = entries[0]
    assert set(created) == {"id", "time", "method", "path", "query", "headers", "body", "status", "responseHeaders",
                            "responseBody", "durationMs", "caller", "fault", "batch"}
    assert created["path"] == f"/beta{positions()}" and created["query"] == {}
    assert created["body"] == NEW
    assert created["headers"]["Authorization"] == "Bearer <redacted>"
    assert created["headers"]["Client-Request-Id"] == "c-1"
    assert created["responseBody"]["detail"]["jobTitle"] == "Written"
    assert created["responseHeaders"]["client-request-id"] == "c-1" and created["responseHeaders"]["Location"]
    assert created["caller"] == {"userId": ADELE, "scopes": ["User.ReadWrite"], "roles": [], "appId": "app-1"}
    assert created["fault"] is None and created["batch"] is None and created["durationMs"] >= 0
    assert created["time"].endswith("Z")

    assert entries[1]["caller"] is None and entries[1]["responseBody"]["error"]["code"] == "InvalidAuthenticationToken"
    assert entries[3]["body"] == "not json"
    assert entries[4]["fault"] == {"rule": "boom", "effect": "fail"}
    assert token not in json.dumps(entries)


def test_journal_records_queries_and_non_json_answers(client):
    client.get(f"{positions()}/$count?$filter=isCurrent eq true&x=1&x=2")
    entry = journal(client)[-1]
    assert entry["query"] == {"$filter": "isCurrent eq true", "x": ["1", "2"]}
    assert isinstance(entry["responseBody"], str) and entry["responseBody"].isdigit()


def test_journal_is_bounded_and_keeps_the_newest():
    client = GraphTestClient(create_app(journal_size=3))
    for i in range(5):
        client.get(f"/me?n={i}")
    entries = journal(client)
    assert [e["query"]["n"] for e in entries] == ["2", "3", "4"]


def test_journal_size_zero_records_nothing():
    client = GraphTestClient(create_app(journal_size=0))
    client.get("/me")
    assert journal(client) == []


def test_journal_can_be_filtered_and_cleared(client):
    client.get("/me")
    client.post(positions(), json=NEW)
    client.get(f"{positions()}/{SEED_PAGE_ID}")
    assert [e["method"] for e in journal(client, method="post")] == ["POST"]
    assert len(journal(client, path="/users/*/profile/positions*")) == 2
    assert len(journal(client, path="/beta/me")) == 1
    assert [e["status"] for e in journal(client, status=201)] == [201]
    assert_graph_error(client.raw.get("/_mockgraph/requests?status=ok"), 400, "BadRequest")
    assert client.raw.delete("/_mockgraph/requests").status_code == 204
    assert journal(client) == []


def test_large_bodies_are_kept_truncated_and_oversized_ones_unread():
    client = GraphTestClient(create_app(max_body=2_000_000))
    big = {"detail": {"description": "x" * 400_000, "company": {"displayName": "C"}}}
    assert client.post(positions(), json=big).status_code == 201
    entry = journal(client)[-1]
    assert isinstance(entry["body"], str) and entry["body"].endswith("bytes in all]") and len(entry["body"]) < 300_000
    assert client.post(positions(), data=b"x" * 2_000_001, content_type="application/json").status_code == 413
    assert journal(client)[-1]["body"] == "[2000001 bytes, over the body limit: not read]"


def test_the_journal_entry_id_is_known_while_the_request_runs(app):
    # $batch ties its inner requests to its own entry through the request's journal_entry_id.
    @app.get("/beta/_probe")
    def probe():
        return {"entry": request.journal_entry_id}

    client = GraphTestClient(app)
    answered = client.get("/beta/_probe").get_json()["entry"]
    assert answered == journal(client)[-1]["id"]


def test_wrong_method_on_a_control_endpoint_lists_the_allowed_ones():
    from mockgraph import create_app

    response = create_app().test_client().delete("/_mockgraph/health")
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
