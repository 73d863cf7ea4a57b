"""`GET /users`: the stored users, paged as Graph pages (`$top`, `@odata.nextLink`), with `$select` and
`$filter` on the user's properties; the way `mockgraph pull` walks a tenant."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from conftest import ADELE, ADELE_UPN, GraphTestClient, assert_graph_error

from mockgraph import create_app, make_token
from mockgraph.fixtures.files import default_fixture_path


def fixture_users() -> list[dict]:
    data = json.loads(default_fixture_path().read_text(encoding="utf-8"))
    return [{k: user.get(k) for k in ("id", "userPrincipalName", "displayName")} for user in data["users"]]


def follow(client: GraphTestClient, path: str) -> list[dict]:
    """Every page from `path` on, by its nextLinks; the users in the order the pages gave them."""
    seen = []
    while path:
        response = client.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        seen += body["value"]
        link = body.get("@odata.nextLink")
        path = None
        if link:
            parts = urlsplit(link)
            path = f"{parts.path}?{parts.query}"
    return seen


def test_lists_every_user_once_in_id_order_across_pages():
    client = GraphTestClient(create_app(strict=True, page_size=2))
    first = client.get("/users").get_json()
    assert first["@odata.context"] == "http://localhost/beta/$metadata#users"
    assert len(first["value"]) == 2 and first["@odata.nextLink"].startswith("http://localhost/beta/users?$skiptoken=")
    users = follow(client, "/beta/users")
    assert users == sorted(fixture_users(), key=lambda u: u["id"])


def test_top_sets_the_page_size_and_select_the_properties(client):
    users = follow(client, "/beta/users?$top=4&$select=displayName")
    assert len(users) == len(fixture_users())
    assert all(set(user) == {"id", "displayName"} for user in users)
    page = client.get("/users?$top=4").get_json()
    assert len(page["value"]) == 4 and "$top=4" in page["@odata.nextLink"]


def test_filter_on_user_properties(client):
    body = client.get(f"/users?$filter=userPrincipalName eq '{ADELE_UPN.upper()}'").get_json()
    assert [user["id"] for user in body["value"]] == [ADELE]
    assert client.get("/users?$filter=startswith(displayName,'zzz')").get_json()["value"] == []


def test_served_on_v1_too(client):
    assert client.get("/v1.0/users?$top=1").get_json()["value"][0]["id"] == min(u["id"] for u in fixture_users())


@pytest.mark.parametrize("query, message", [
    ("$top=0", "Invalid page size specified: '0'. Must be between 1 and 999 inclusive."),
    ("$select=jobTitle", "Could not find a property named 'jobTitle' on type 'microsoft.graph.user'."),
    ("$orderby=displayName", "The query parameter '$orderby' is not supported."),
    ("$count=true", "The query parameter '$count' is not supported."),
    ("$skiptoken=forged.token", None),
    ("$filter=jobTitle eq 'x'", None),
])
def test_bad_options_are_400(client, query, message):
    before = client.state()
    error = assert_graph_error(client.get(f"/users?{query}"), 400, "BadRequest", message)
    assert error["message"]
    assert client.state() == before


def test_a_skiptoken_is_bound_to_its_options():
    client = GraphTestClient(create_app(page_size=2))
    link = client.get("/users?$select=displayName").get_json()["@odata.nextLink"]
    token = link.split("$skiptoken=")[1]
    assert_graph_error(client.get(f"/users?$skiptoken={token}"), 400, "BadRequest")


def test_other_methods_are_405(client):
    response = client.post("/users", json={})
    assert_graph_error(response, 405, "Request_BadRequest")
    assert response.headers["Allow"] == "GET, OPTIONS"


@pytest.mark.parametrize("claims, status", [
    ({"oid": ADELE, "scp": "User.Read"}, 403),  # one's own profile only
    ({"oid": ADELE, "scp": "User.ReadBasic.All"}, 200),
    ({"roles": ["User.Read.All"]}, 200),  # a daemon app
    ({"roles": ["Mail.Read"]}, 403),
])
def test_permissions_are_those_of_reading_other_users(client, claims, status):
    response = client.get("/users", token=make_token(**claims))
    assert response.status_code == status, response.get_data(as_text=True)


def test_needs_a_token(client):
    assert_graph_error(client.get("/users", token=None), 401, "InvalidAuthenticationToken")
