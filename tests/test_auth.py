"""CONTRACT §4: tokens, /me, and the permission table."""

from __future__ import annotations

import base64
import json

import pytest
from conftest import ADELE, ADELE_UPN, NESTOR, SEED_PAGE_ID, GraphTestClient, assert_graph_error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockgraph import create_app
from mockgraph.graph.tokens import b64url, make_token

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


def raw_token(claims_json: str) -> str:
    """A JWT whose claims are this exact JSON text (make_token would refuse NaN, say)."""
    return ".".join((b64url(b'{"alg":"none"}'), b64url(claims_json.encode()), ""))


@pytest.mark.parametrize("exp", ["NaN", "Infinity", "-Infinity", "1e999", '"9999999999"', "true", "false", "null",
                                 "[9999999999]", '{"t": 9999999999}'])
def test_an_exp_that_is_not_a_finite_number_is_a_401_not_a_token_that_never_expires(client, exp):
    token = raw_token(f'{{"oid": "{ADELE}", "scp": "User.ReadWrite.All", "exp": {exp}}}')
    before = client.state()
    assert_graph_error(client.post(MINE, json=BODY, token=token), 401, "InvalidAuthenticationToken")
    assert_graph_error(client.get(MINE, token=token), 401, "InvalidAuthenticationToken")
    assert client.state() == before


def test_a_large_finite_exp_is_a_time_far_ahead(client):
    assert client.get(MINE, token=raw_token(f'{{"oid": "{ADELE}", "exp": 1e300}}')).status_code == 200


@pytest.mark.parametrize("claims", ['{"scp": NaN}', '{"scp": "User.Read", "scp": "User.ReadWrite.All"}'])
def test_claims_that_are_not_strict_json_are_a_401(client, claims):
    assert_graph_error(client.get(MINE, token=raw_token(claims)), 401, "InvalidAuthenticationToken")


def test_roles_as_a_string_are_roles_not_every_permission(client):
    reader = make_token(roles="User.Read.All", appid="a")
    assert client.get(THEIRS, token=reader).status_code == 200
    before = client.state()
    assert_graph_error(client.post(THEIRS, json=BODY, token=reader), 403, "Authorization_RequestDenied")
    # The same in a token minted elsewhere, whose roles claim is a space-separated string.
    minted = raw_token('{"roles": "Mail.Read User.Read.All", "appid": "a"}')
    assert client.get(THEIRS, token=minted).status_code == 200
    assert_graph_error(client.post(THEIRS, json=BODY, token=minted), 403, "Authorization_RequestDenied")
    assert_graph_error(client.get("/me", token=minted), 400, "BadRequest")  # still an app-only token
    assert client.state() == before


def test_make_token_writes_roles_as_a_list():
    claims = make_token(roles="User.Read.All User.ReadWrite.All").split(".")[1]
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert decoded["roles"] == ["User.Read.All", "User.ReadWrite.All"]


@pytest.mark.parametrize("claims", ['{"scp": ""}', '{"roles": []}', '{"scp": 5}', '{"roles": {"a": 1}}',
                                    '{"scp": null}', '{"roles": [1, 2]}', '{"scp": ["  "]}'])
def test_a_claim_that_names_nothing_grants_nothing(client, claims):
    token = raw_token(claims)
    before = client.state()
    for response in (client.get(THEIRS, token=token), client.post(THEIRS, json=BODY, token=token)):
        assert_graph_error(response, 403, "Authorization_RequestDenied")
    assert client.state() == before


def test_a_delegated_token_is_held_to_its_scopes_even_with_roles_beside_them(client):
    token = raw_token(f'{{"oid": "{ADELE}", "scp": {{"odd": "User.ReadWrite.All"}}, "roles": ["User.ReadWrite.All"]}}')
    assert_graph_error(client.post(THEIRS, json=BODY, token=token), 403, "Authorization_RequestDenied")


# -- Property: no shape of `scp` or `roles` grants more than a well-formed claim naming every word in it.

PERMISSIONS = ["User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Mail.Read"]
ABSENT = object()
_words = st.one_of(st.lists(st.sampled_from(PERMISSIONS), max_size=3).map(" ".join),
                   st.lists(st.sampled_from(PERMISSIONS), min_size=1, max_size=2).map("\t".join),
                   st.text(max_size=6))
_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), _words)
_claim = st.one_of(st.just(ABSENT), st.recursive(
    _leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_words, inner, max_size=2), max_leaves=6))


def words_anywhere(value) -> set[str]:
    """Every whitespace-separated word in any string inside the claim, keys too: a generous superset."""
    if isinstance(value, str):
        return set(value.split())
    if isinstance(value, list):
        return set().union(*map(words_anywhere, value))
    if isinstance(value, dict):
        return set().union(*(words_anywhere(k) | words_anywhere(v) for k, v in value.items()))
    return set()


def oracle_allows(scp, roles, *, own: bool, write: bool) -> bool:
    """CONTRACT §4's table, applied to a well-formed token carrying every word of each claim."""
    if scp is not ABSENT:
        needed = ({"User.ReadWrite", "User.ReadWrite.All"} if own else {"User.ReadWrite.All"}) if write else (
            {"User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"} if own
            else {"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"})
        return bool(needed & words_anywhere(scp))
    if roles is not ABSENT:
        needed = {"User.ReadWrite.All"} if write else {"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"}
        return bool(needed & words_anywhere(roles))
    return True  # no claim at all: the documented "every permission" of tokens that state none


@pytest.fixture(scope="module")
def shared_client():
    return GraphTestClient(create_app())


@settings(derandomize=True, database=None, deadline=None, max_examples=150,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scp=_claim, roles=_claim)
def test_odd_claim_shapes_never_grant_more_than_well_formed_ones(shared_client, scp, roles):
    claims = {"oid": ADELE}
    if scp is not ABSENT:
        claims["scp"] = scp
    if roles is not ABSENT:
        claims["roles"] = roles
    token = raw_token(json.dumps(claims))
    missing = "00000000-0000-0000-0000-000000000000"  # a delete that is allowed answers 404: nothing changes
    for own in (True, False):
        base = MINE if own else THEIRS
        for write, response in ((False, shared_client.get(f"{base}/{missing}", token=token)),
                                (True, shared_client.delete(f"{base}/{missing}", token=token))):
            assert response.status_code in (403, 404), response.get_data(as_text=True)
            if response.status_code == 404:
                assert oracle_allows(scp, roles, own=own, write=write), (claims, own, write)
