"""CONTRACT §1–§3 through the app: routes, bodies, headers, PATCH semantics."""

from __future__ import annotations

import re
import uuid

import pytest
from conftest import ADELE, ADELE_UPN, NESTOR, SEED_PAGE_ID, TOMASZ, assert_graph_error

from mockgraph.graph.schemas import WorkPositionSchema

POSITIONS = f"/users/{ADELE}/profile/positions"
ALL_PROPERTIES = set(WorkPositionSchema().fields)
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")
NEW = {"detail": {"jobTitle": "Tester", "company": {"displayName": "Fabrikam", "department": "QA"}},
       "isCurrent": True}


def test_list_returns_the_users_positions_oldest_first(client):
    response = client.get(POSITIONS)
    assert response.status_code == 200
    body = response.get_json()
    assert body["@odata.context"] == f"http://localhost/beta/$metadata#users('{ADELE}')/profile/positions"
    created = [p["createdDateTime"] for p in body["value"]]
    assert created == sorted(created) and len(created) == 3
    assert SEED_PAGE_ID in {p["id"] for p in body["value"]}
    assert all(set(p) == ALL_PROPERTIES for p in body["value"])


def test_user_without_positions_lists_empty(client):
    assert client.get(f"/users/{TOMASZ}/profile/positions").get_json()["value"] == []


@pytest.mark.parametrize("ref", [ADELE, ADELE.upper(), ADELE_UPN, ADELE_UPN.upper(), "adele.vance%40contoso.com"])
def test_user_is_found_by_id_or_upn_ignoring_case(client, ref):
    response = client.get(f"/users/{ref}/profile/positions/{SEED_PAGE_ID}")
    assert response.status_code == 200
    # The context names the user by id, however the request named them.
    assert f"users('{ADELE}')" in response.get_json()["@odata.context"]


def test_create_fills_server_managed_properties_and_defaults(client):
    response = client.post(POSITIONS, json=NEW)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) - {"@odata.context"} == ALL_PROPERTIES
    assert body["@odata.context"].endswith(f"users('{ADELE}')/profile/positions/$entity")
    assert str(uuid.UUID(body["id"])) == body["id"]
    assert TIMESTAMP.match(body["createdDateTime"]) and body["createdDateTime"] == body["lastModifiedDateTime"]
    assert body["createdBy"] == {"application": None, "device": None,
                                 "user": {"id": ADELE, "displayName": "Adele Vance"}}
    assert body["allowedAudiences"] == "organization"
    assert body["detail"]["company"]["address"] is None and body["manager"] is None
    assert response.headers["Location"].endswith(f"/users/{ADELE}/profile/positions/{body['id']}")
    fetched = client.get(f"{POSITIONS}/{body['id']}").get_json()
    assert fetched == body


def test_create_ignores_read_only_properties_and_annotations(client):
    body = {**NEW, "id": "not-a-guid", "createdDateTime": "1999-01-01T00:00:00Z", "createdBy": None,
            "lastModifiedBy": {"user": {"id": "x"}}, "isSearchable": True, "sources": [{"sourceId": "s"}],
            "@odata.type": "#microsoft.graph.workPosition", "detail@odata.type": "x",
            "manager": {"@odata.type": "microsoft.graph.relatedPerson", "displayName": "Boss"}}
    created = client.post(POSITIONS, json=body).get_json()
    assert created["id"] != "not-a-guid" and created["createdDateTime"] != "1999-01-01T00:00:00Z"
    assert created["createdBy"]["user"]["id"] == ADELE and created["isSearchable"] is None
    assert created["sources"] is None and created["manager"]["displayName"] == "Boss"


def test_create_keeps_flags_in_declaration_order_and_source_as_list(client):
    body = {**NEW, "allowedAudiences": "everyone, me", "source": {"type": "User"}}
    created = client.post(POSITIONS, json=body).get_json()
    assert created["allowedAudiences"] == "me,everyone"
    assert created["source"] == {"type": ["User"]}


def test_me_and_draft_singular_paths_act_like_users(client):
    mine = client.get("/me/profile/positions").get_json()["value"]
    theirs = client.get(f"/user/{ADELE}/profile/positions").get_json()["value"]
    assert mine == theirs == client.get(POSITIONS).get_json()["value"]
    created = client.post(f"/user/{ADELE}/profile/positions", json=NEW).get_json()
    assert client.delete(f"/me/profile/positions/{created['id']}").status_code == 204


def test_patch_merges_complex_values_and_replaces_collections(client):
    before = client.get(f"{POSITIONS}/{SEED_PAGE_ID}").get_json()
    patch = {"detail": {"company": {"department": "New Dept"}}, "categories": ["x"], "isCurrent": False,
             "manager": None}
    response = client.patch(f"{POSITIONS}/{SEED_PAGE_ID}", json=patch)
    assert response.status_code == 200
    after = response.get_json()
    assert after["detail"]["company"]["department"] == "New Dept"
    assert after["detail"]["company"]["displayName"] == before["detail"]["company"]["displayName"]
    assert after["detail"]["company"]["address"] == before["detail"]["company"]["address"]
    assert after["detail"]["jobTitle"] == before["detail"]["jobTitle"]
    assert after["categories"] == ["x"] and after["isCurrent"] is False and after["manager"] is None
    assert after["colleagues"] == before["colleagues"]
    assert after["createdDateTime"] == before["createdDateTime"] and after["createdBy"] == before["createdBy"]
    assert after["lastModifiedDateTime"] > before["lastModifiedDateTime"]
    assert client.get(f"{POSITIONS}/{SEED_PAGE_ID}").get_json() == after


def test_patch_replaces_colleagues_whole(client):
    response = client.patch(f"{POSITIONS}/{SEED_PAGE_ID}", json={"colleagues": [{"displayName": "Only"}]})
    colleagues = response.get_json()["colleagues"]
    assert [c["displayName"] for c in colleagues] == ["Only"] and colleagues[0]["relationship"] is None


def test_patch_ignores_source_and_read_only_properties(client):
    before = client.get(f"{POSITIONS}/{SEED_PAGE_ID}").get_json()
    after = client.patch(f"{POSITIONS}/{SEED_PAGE_ID}", json={
        **{k: v for k, v in before.items() if not k.startswith("@")}, "source": {"type": ["Other"]},
        "id": "changed"}).get_json()
    assert after["id"] == SEED_PAGE_ID and after["source"] == before["source"]


@pytest.mark.parametrize("patch, message", [
    ({"detail": None}, "The property 'detail' may not be null."),
    ({"detail": {"company": {"displayName": None}}}, "The property 'detail.company.displayName' may not be null."),
    ({"detail": {"layer": "a"}}, "Invalid value for property 'detail.layer': expected an integer (Edm.Int32)."),
])
def test_patch_rejects_invalid_values_and_changes_nothing(client, patch, message):
    before = client.state()
    assert_graph_error(client.patch(f"{POSITIONS}/{SEED_PAGE_ID}", json=patch), 400, "BadRequest", message)
    assert client.state() == before


def test_patch_that_would_leave_company_nameless_is_rejected(client):
    created = client.post(POSITIONS, json={"detail": {"jobTitle": "x"}}).get_json()
    before = client.state()
    response = client.patch(f"{POSITIONS}/{created['id']}", json={"detail": {"company": {"department": "d"}}})
    assert_graph_error(response, 400, "BadRequest", "The property 'detail.company.displayName' is required.")
    assert client.state() == before


def test_delete_then_gone(client):
    created = client.post(POSITIONS, json=NEW).get_json()
    response = client.delete(f"{POSITIONS}/{created['id']}")
    assert response.status_code == 204 and response.get_data() == b""
    assert "Content-Type" not in response.headers
    assert_graph_error(client.get(f"{POSITIONS}/{created['id']}"), 404, "itemNotFound")
    error = assert_graph_error(client.delete(f"{POSITIONS}/{created['id']}"), 404, "itemNotFound")
    assert created["id"] in error["message"]


def test_position_of_another_user_is_not_found(client):
    assert_graph_error(client.get(f"/users/{NESTOR}/profile/positions/{SEED_PAGE_ID}"), 404, "itemNotFound")
    assert_graph_error(client.delete(f"/users/{NESTOR}/profile/positions/{SEED_PAGE_ID}"), 404, "itemNotFound")


def test_unknown_user(client):
    message = ("Resource 'nobody@contoso.com' does not exist or one of its queried reference-property objects "
               "are not present.")
    assert_graph_error(client.get("/users/nobody@contoso.com/profile/positions"), 404,
                       "Request_ResourceNotFound", message)


def test_count_segment_is_plain_text(client):
    response = client.get(f"{POSITIONS}/$count")
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and response.get_data(as_text=True) == "3"


def test_get_user_and_me(client):
    body = client.get(f"/users/{ADELE_UPN}").get_json()
    assert body["id"] == ADELE and body["userPrincipalName"] == ADELE_UPN and body["displayName"] == "Adele Vance"
    assert "@odata.context" in body
    assert client.get("/me").get_json()["id"] == ADELE


def test_select_on_get(client):
    body = client.get(f"{POSITIONS}/{SEED_PAGE_ID}?$select=isCurrent,detail").get_json()
    assert set(body) == {"@odata.context", "id", "isCurrent", "detail"}


def test_patch_of_a_position_deleted_meanwhile_is_item_not_found(app, client, monkeypatch):
    repository = app.extensions["mockgraph"].repository
    real_get = repository.get_item
    calls = []

    def get_then_vanish(kind, user_id, item_id):
        calls.append(item_id)
        found = real_get(kind, user_id, item_id)
        if len(calls) == 1:  # the route's lookup sees it; another request deletes it right after
            repository.remove_item(kind, user_id, item_id)
        return found

    monkeypatch.setattr(repository, "get_item", get_then_vanish)
    response = client.patch(f"{POSITIONS}/{SEED_PAGE_ID}", json={"isCurrent": False})
    assert_graph_error(response, 404, "itemNotFound")
    assert real_get("positions", ADELE, SEED_PAGE_ID) is None
