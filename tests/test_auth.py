"""CONTRACT §4: tokens, /me, and the permission table."""

from __future__ import annotations

import pytest
from conftest import ADELE, ADELE_UPN, NESTOR, SEED_PAGE_ID, assert_graph_error

from mockgraph.graph.tokens import make_token

MINE = f"/users/{ADELE}/profile/positions"
THEIRS = f"/users/{NESTOR}/profile/positions"
BODY = {"detail": {"jobTitle": "x"}}


def test_no_token(client):
    response = client.get(MINE, token=None)
    assert_graph_error(response, 401, "InvalidAuthenticationToken", "Access token is empty.")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm=""'


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "", "Token abc"])
def test_bad_authorization_headers(client, header):
    response = client.get(MINE, token=None, headers={"Authorization": header})
    assert_graph_error(response, 401, "InvalidAuthenticationToken")


def test_expired_token(client):
    token = make_token(oid=ADELE, expires_in=-10)
    assert_graph_error(client.get(MINE, token=token), 401, "InvalidAuthenticationToken",
                       "Lifetime validation failed, the token is expired.")


@pytest.mark.parametrize("token", ["a.b.c", "!!!.@@@.###", "e30.W10.", "eyJhIjoxfQ.bm90IGpzb24.sig"])
def test_jwt_that_does_not_decode_to_an_object(client, token):
    assert_graph_error(client.get(MINE, token=token), 401, "InvalidAuthenticationToken")


def test_opaque_token_is_the_default_user_with_every_permission(client):
    assert client.get("/me").get_json()["id"] == ADELE
    assert client.post(THEIRS, json=BODY).status_code == 201


def test_jwt_oid_picks_the_me_user_and_the_audit_identity(client):
    token = make_token(oid=NESTOR, name="Token Name", appid="11111111-2222-3333-4444-555555555555",
                       app_displayname="My App")
    assert client.get("/me", token=token).get_json()["id"] == NESTOR
    created = client.post("/me/profile/positions", json=BODY, token=token).get_json()
    assert created["createdBy"] == {
        "user": {"id": NESTOR, "displayName": "Nestor Wilke"}, "device": None,
        "application": {"id": "11111111-2222-3333-4444-555555555555", "displayName": "My App"}}
    assert client.get(f"{THEIRS}/{created['id']}").status_code == 200


def test_jwt_upn_picks_the_me_user(client):
    assert client.get("/me", token=make_token(upn=ADELE_UPN.upper())).get_json()["id"] == ADELE
    assert client.get("/me", token=make_token(preferred_username=ADELE_UPN)).get_json()["id"] == ADELE


def test_me_needs_a_delegated_token(client):
    token = make_token(roles=["User.Read.All"], appid="app")
    assert_graph_error(client.get("/me/profile/positions", token=token), 400, "BadRequest",
                       "/me request is only valid with delegated authentication flow.")


def test_me_for_a_user_not_stored_is_unknown_user(client):
    token = make_token(oid="00000000-0000-0000-0000-000000000001", scp="User.Read")
    assert_graph_error(client.get("/me/profile/positions", token=token), 404, "Request_ResourceNotFound")


def test_caller_not_stored_can_use_users_routes(client):
    token = make_token(oid="00000000-0000-0000-0000-000000000001", name="Guest", scp="User.ReadWrite.All")
    created = client.post(MINE, json=BODY, token=token).get_json()
    assert created["createdBy"]["user"] == {"id": "00000000-0000-0000-0000-000000000001", "displayName": "Guest"}


def test_app_token_audit_identity_has_no_user(client):
    token = make_token(roles=["User.ReadWrite.All"], appid="app-1", app_displayname="Daemon")
    created = client.post(MINE, json=BODY, token=token).get_json()
    assert created["createdBy"] == {"user": None, "device": None,
                                    "application": {"id": "app-1", "displayName": "Daemon"}}


READ, WRITE = "read", "write"
# (kind, grant, own profile?, operation, allowed?): every cell of CONTRACT §4's table, and its complement.
TABLE = [
    *[("scp", s, True, READ, True) for s in ("User.Read", "User.ReadWrite", "User.ReadBasic.All",
                                             "User.Read.All", "User.ReadWrite.All")],
    *[("scp", s, False, READ, True) for s in ("User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All")],
    *[("scp", s, False, READ, False) for s in ("User.Read", "User.ReadWrite", "Mail.Read")],
    *[("scp", s, True, WRITE, True) for s in ("User.ReadWrite", "User.ReadWrite.All")],
    *[("scp", s, True, WRITE, False) for s in ("User.Read", "User.Read.All", "User.ReadBasic.All")],
    *[("scp", s, False, WRITE, True) for s in ("User.ReadWrite.All",)],
    *[("scp", s, False, WRITE, False) for s in ("User.ReadWrite", "User.Read.All")],
    *[("roles", s, False, READ, True) for s in ("User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All")],
    *[("roles", s, False, READ, False) for s in ("User.Read", "Mail.Read")],
    *[("roles", s, False, WRITE, True) for s in ("User.ReadWrite.All",)],
    *[("roles", s, False, WRITE, False) for s in ("User.Read.All", "User.ReadWrite")],
]


@pytest.mark.parametrize("kind, grant, own, operation, allowed", TABLE)
def test_permission_table(client, kind, grant, own, operation, allowed):
    token = (make_token(oid=ADELE, scp=grant) if kind == "scp" else make_token(roles=[grant], appid="a"))
    base = MINE if own else THEIRS
    before = client.state()
    if operation == READ:
        responses = [client.get(base, token=token), client.get(f"{MINE}/{SEED_PAGE_ID}", token=token)
                     if own else client.get(base + "/$count", token=token)]
    else:
        responses = [client.post(base, json=BODY, token=token)]
        if own:
            responses.append(client.patch(f"{MINE}/{SEED_PAGE_ID}", json={"isCurrent": False}, token=token))
    for response in responses:
        if allowed:
            assert response.status_code < 300, response.get_data(as_text=True)
        else:
            assert_graph_error(response, 403, "Authorization_RequestDenied",
                               "Insufficient privileges to complete the operation.")
    if not allowed:
        assert client.state() == before


def test_delete_needs_write(client):
    token = make_token(oid=ADELE, scp="User.Read")
    assert_graph_error(client.delete(f"{MINE}/{SEED_PAGE_ID}", token=token), 403, "Authorization_RequestDenied")
    token = make_token(oid=ADELE, scp="User.ReadWrite")
    assert client.delete(f"{MINE}/{SEED_PAGE_ID}", token=token).status_code == 204
