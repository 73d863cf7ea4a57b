"""CONTRACT §11's profile itself (GET with every collection inline, $select/$expand, DELETE, PATCH 405),
and the collections through everything else that is generic over them: permissions, $batch, fault
rules, journal, fixtures, seed and state; and proof that no generic module names a collection."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from conftest import ADELE, ADELE_UPN, NESTOR, GraphTestClient, assert_graph_error
from profile_collections import TABLE, each_collection
from test_performance_structure import TARGET, counted, store_users, touched_by  # noqa: F401 (fixture)

from mockgraph import create_app
from mockgraph.graph.facets import FACETS
from mockgraph.graph.tokens import make_token

SEGMENTS = [facet.segment for facet in FACETS]
PROFILE = f"/users/{ADELE}/profile"
CONTEXT = f"http://localhost/beta/$metadata#users('{ADELE}')/profile/$entity"


@pytest.fixture
def filled(client):
    """Adele with one more item in every collection (positions already has three)."""
    for row in TABLE:
        assert client.post(f"{PROFILE}/{row.segment}", json=row.body).status_code == 201
    return client


def own_get(client, segment: str) -> list[dict]:
    return client.get(f"{PROFILE}/{segment}").get_json()["value"]


# GET /profile


@pytest.mark.parametrize("prefix", [PROFILE, f"/user/{ADELE_UPN}/profile", "/me/profile"])
def test_profile_has_every_collection_inline_each_item_as_its_own_get_answers_it(filled, prefix):
    response = filled.get(prefix)
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["@odata.context", "id", *SEGMENTS]
    assert body["@odata.context"] == CONTEXT
    for segment in SEGMENTS:
        listed = own_get(filled, segment)  # in stored order, as the list's default order is here
        stored = {item["id"]: item for item in listed}
        assert [item["id"] for item in body[segment]] == list(stored)
        for item in body[segment]:
            own = filled.get(f"{PROFILE}/{segment}/{item['id']}").get_json()
            assert item == {k: v for k, v in own.items() if k != "@odata.context"}


def test_profile_id_is_stable_per_user_and_differs_between_users(client):
    first = client.get(PROFILE).get_json()["id"]
    assert client.get("/me/profile").get_json()["id"] == first
    client.raw.post("/_mockgraph/reset")
    assert GraphTestClient(create_app()).get(PROFILE).get_json()["id"] == first  # another app, same user
    assert client.get(f"/users/{NESTOR}/profile").get_json()["id"] != first


def test_select_limits_the_collections(filled):
    body = filled.get(f"{PROFILE}?$select=names,skills").get_json()
    assert list(body) == ["@odata.context", "id", "names", "skills"]
    assert body["skills"] == own_get(filled, "skills")
    assert list(filled.get(f"{PROFILE}?$select=id").get_json()) == ["@odata.context", "id"]


def test_expand_with_nested_select_is_the_docs_example_2(filled):
    body = filled.get(f"{PROFILE}?$expand=names($select=first,last),skills($select=displayName)").get_json()
    assert list(body) == ["@odata.context", "id", "names", "skills"]
    assert all(set(item) == {"id", "first", "last"} for item in body["names"]) and body["names"]
    assert body["skills"] == [{"id": s["id"], "displayName": s["displayName"]} for s in own_get(filled, "skills")]
    whole = filled.get(f"{PROFILE}?$expand=positions").get_json()
    assert list(whole) == ["@odata.context", "id", "positions"] and whole["positions"] == own_get(filled, "positions")
    both = filled.get(f"{PROFILE}?$select=names&$expand=skills($select=proficiency)").get_json()
    assert list(both) == ["@odata.context", "id", "names", "skills"]
    assert list(filled.get(f"{PROFILE}?$expand=*").get_json()) == ["@odata.context", "id", *SEGMENTS]


@pytest.mark.parametrize(("query", "message"), [
    ("$select=names,responsibilities", "Could not find a property named 'responsibilities' on type "
                                      "'microsoft.graph.profile'."),
    ("$expand=accounts", "Could not find a property named 'accounts' on type 'microsoft.graph.profile'."),
    ("$expand=names($select=nope)", "Could not find a property named 'nope' on type 'microsoft.graph.personName'."),
    ("$expand=names($top=1)", "The query parameter '$top' is not supported."),
    ("$expand=names($select=first", "Invalid $expand clause: unbalanced parentheses in 'names($select=first'."),
    ("$expand=names,,skills", "Invalid $expand clause: 'names,,skills' has an empty item."),
    ("$expand=names(first)", None),
    ("$top=1", "The query parameter '$top' is not supported."),
    ("$filter=id eq 'x'", "The query parameter '$filter' is not supported."),
    ("$select=names&select=skills", "Query option '$select' was specified more than once, but it must be "
                                    "specified at most once."),
])
def test_bad_options_on_the_profile_are_a_400(client, query, message):
    assert_graph_error(client.get(f"{PROFILE}?{query}"), 400, "BadRequest", message)


def test_unknown_user_and_v1_are_as_for_the_collections(client):
    assert_graph_error(client.get("/users/nobody@contoso.com/profile"), 404, "Request_ResourceNotFound")
    assert_graph_error(client.get(f"/v1.0/users/{ADELE}/profile"), 400, "BadRequest",
                       "Resource not found for the segment 'profile'.")


def test_responsibilities_is_not_served(client):
    for method in ("GET", "POST"):
        assert_graph_error(client.request(method, f"{PROFILE}/responsibilities", json={}), 400, "BadRequest",
                           "Resource not found for the segment 'responsibilities'.")


# DELETE and PATCH /profile


@pytest.mark.parametrize("prefix", [PROFILE, f"/user/{ADELE}/profile", "/me/profile"])
def test_delete_empties_every_collection_and_the_user_stays(filled, prefix):
    nestor_before = filled.get(f"/users/{NESTOR}/profile").get_json()
    response = filled.delete(prefix)
    assert response.status_code == 204 and response.get_data() == b""
    body = filled.get(PROFILE).get_json()
    assert all(body[segment] == [] for segment in SEGMENTS)
    assert filled.get(f"/users/{ADELE}").status_code == 200
    assert filled.get(f"/users/{NESTOR}/profile").get_json() == nestor_before  # others keep theirs
    assert filled.post(f"{PROFILE}/skills", json=TABLE[16].body).status_code == 201  # usable again
    assert filled.delete(prefix).status_code == 204  # an empty profile deletes as well


def test_delete_with_db_is_on_disk_in_one_write(tmp_path):
    db = tmp_path / "mock.db"
    client = GraphTestClient(create_app(db=str(db)))
    client.post(f"{PROFILE}/skills", json=TABLE[16].body)
    storage = client.app.extensions["mockgraph"].repository.storage
    before = storage.bytes_written
    assert client.delete(PROFILE).status_code == 204
    written = db.read_bytes()[-(storage.bytes_written - before):]
    assert written.count(b"\n") == 1 and written.startswith(b'{"ops":')  # every drop in one line
    client.app.extensions["mockgraph"].repository.close()
    reopened = GraphTestClient(create_app(db=str(db)))
    assert all(items == [] for key, items in reopened.get(PROFILE).get_json().items() if key in SEGMENTS)


def test_patch_profile_is_a_405_listing_what_is_allowed(client):
    response = client.patch(PROFILE, json={"id": "x"})
    assert_graph_error(response, 405, "Request_BadRequest")
    assert response.headers["Allow"] == "DELETE, GET, OPTIONS"
    assert_graph_error(client.post("/me/profile", json={}), 405, "Request_BadRequest")


# Permissions (§4), for the profile and each collection


def token(scp: str | None = None, roles: list[str] | None = None, oid: str = ADELE) -> str:
    return make_token(oid=oid if scp else None, scp=scp, roles=roles)


@pytest.mark.parametrize(("who", "target", "read", "write"), [
    ({"scp": "User.Read"}, ADELE, 200, 403),
    ({"scp": "User.ReadWrite"}, ADELE, 200, 204),
    ({"scp": "User.ReadWrite"}, NESTOR, 403, 403),
    ({"scp": "User.ReadBasic.All"}, NESTOR, 200, 403),
    ({"scp": "User.ReadWrite.All"}, NESTOR, 200, 204),
    ({"roles": ["User.Read.All"]}, NESTOR, 200, 403),
    ({"roles": ["User.ReadWrite.All"]}, NESTOR, 200, 204),
])
def test_profile_permissions(client, who, target, read, write):
    bearer = token(**who)
    assert client.get(f"/users/{target}/profile", token=bearer).status_code == read
    before = client.state()
    assert client.delete(f"/users/{target}/profile", token=bearer).status_code == write
    if write == 403:
        assert client.state() == before


@each_collection
def test_each_collection_needs_write_permission_to_create(client, row):
    reader = token(scp="User.Read")
    before = client.state()
    assert_graph_error(client.post(f"/me/profile/{row.segment}", json=row.body, token=reader), 403,
                       "Authorization_RequestDenied")
    assert client.state() == before
    assert client.get(f"/me/profile/{row.segment}", token=reader).status_code == 200


def test_me_profile_with_an_app_only_token_is_a_400(client):
    assert_graph_error(client.get("/me/profile", token=token(roles=["User.Read.All"])), 400, "BadRequest",
                       "/me request is only valid with delegated authentication flow.")


# $batch, fault rules, journal


def test_batch_reaches_the_profile_and_every_collection(client):
    requests = [{"id": str(i), "method": "POST", "url": f"/me/profile/{row.segment}", "body": row.body,
                 "headers": {"Content-Type": "application/json"}} for i, row in enumerate(TABLE)]
    requests.append({"id": "profile", "method": "GET", "url": "/me/profile?$select=skills,webAccounts",
                     "dependsOn": [str(len(TABLE) - 1)]})
    response = client.post("/$batch", json={"requests": requests})
    answers = {r["id"]: r for r in response.get_json()["responses"]}
    assert all(answers[str(i)]["status"] == 201 for i in range(len(TABLE)))
    profile = answers["profile"]["body"]
    # Stored order: after the bundled ones, the items the batch created.
    assert [s["displayName"] for s in profile["skills"]][-1] == "API Design"
    assert profile["webAccounts"][-1]["webUrl"] == "https://github.com/adele"


def test_fault_rule_globs_match_any_collection_and_the_profile(client):
    rule = {"methods": ["GET"], "path": "/users/*/profile*", "effect": "fail", "status": 503}
    assert client.raw.post("/_mockgraph/faults", json=rule).status_code == 201
    for segment in SEGMENTS:
        assert client.get(f"/me/profile/{segment}").status_code == 503, segment
    assert client.get("/me/profile").status_code == 503
    assert client.get(f"/users/{ADELE}").status_code == 200


def test_journal_records_profile_and_collection_requests(client):
    client.raw.delete("/_mockgraph/requests")
    client.get("/me/profile?$select=names")
    client.post("/me/profile/languages", json=TABLE[8].body)
    client.delete(f"/users/{NESTOR}/profile")
    entries = client.raw.get("/_mockgraph/requests").get_json()["value"]
    assert [(e["method"], e["status"]) for e in entries] == [("GET", 200), ("POST", 201), ("DELETE", 204)]
    assert entries[1]["path"].endswith("/profile/languages")


# Fixtures, seed, state


def one_of_each(uid: str, upn: str) -> dict:
    user = {"id": uid, "userPrincipalName": upn, "displayName": "Seeded"}
    for row in TABLE:
        user[row.segment] = [row.body]
    return user


SEEDED = "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"


def test_seed_answers_a_count_per_collection_and_state_exports_every_collection(client):
    response = client.raw.post("/_mockgraph/seed", json={"users": [one_of_each(SEEDED, "seeded@contoso.com")]})
    assert response.status_code == 200
    assert response.get_json() == {"users": 1, **{segment: 1 for segment in SEGMENTS}}
    state = client.raw.get("/_mockgraph/state").get_json()
    seeded = next(user for user in state["users"] if user["id"] == SEEDED)
    assert all(len(seeded[segment]) == 1 for segment in SEGMENTS)
    assert seeded["account"][0]["userPrincipalName"] == "seeded@contoso.com"  # derived as on create
    assert seeded["webAccounts"][0]["webUrl"] == "https://github.com/adele"
    assert all(seeded[segment][0]["allowedAudiences"] == "organization" for segment in SEGMENTS)
    profile = client.get(f"/users/{SEEDED}/profile").get_json()
    assert all(len(profile[segment]) == 1 for segment in SEGMENTS)


def test_state_loads_back_as_a_fixture_with_every_collection(filled, tmp_path):
    saved = tmp_path / "state.json"
    saved.write_text(json.dumps(filled.raw.get("/_mockgraph/state").get_json()))
    again = GraphTestClient(create_app(fixtures=[str(saved)]))
    assert again.get(PROFILE).get_json() == filled.get(PROFILE).get_json()


@each_collection
def test_a_bad_fixture_item_names_its_collection_and_path(row):
    from mockgraph.fixtures.files import FixtureError, parse_fixture
    from mockgraph.state import MockState

    state = MockState.__new__(MockState)  # only the clock and ids a parse needs
    app_state = create_app().extensions["mockgraph"]
    state.ids, state.clock = app_state.ids, app_state.clock
    user = {"id": SEEDED, "userPrincipalName": "s@contoso.com", row.segment: [{**row.body, "nope": 1}]}
    with pytest.raises(FixtureError) as raised:
        parse_fixture({"users": [user]}, "f.json", FACETS, state.ids, state.clock)
    assert raised.value.path == f"$.users[0].{row.segment}[0].nope"


def test_mock_graph_seed_from_python_counts_every_collection():
    from mockgraph.control.surface import MockControls

    class Holder(MockControls):
        def __init__(self):
            self.mock_state = create_app().extensions["mockgraph"]

    counts = Holder().seed({"users": [one_of_each(SEEDED, "seeded@contoso.com")]})
    assert counts == {"users": 1, **{segment: 1 for segment in SEGMENTS}}


# Cost: the profile reads the user's items only


def test_profile_get_reads_the_users_items_only_in_a_small_and_a_large_store(counted):  # noqa: F811
    small_client, small = counted(store_users(0, 0))
    large_client, large = counted(store_users(1000, 5))
    touched = []
    for client, storage in ((small_client, small), (large_client, large)):
        reads, writes = touched_by(storage, lambda c=client: c.get(f"/users/{TARGET}/profile"))
        touched.append(reads)
        assert writes == []
    assert touched[0] == touched[1] and touched[0] <= 100 + 5  # its 100 positions, the user, /me's


# Nothing generic names a collection


GENERIC = ["graph/routes", "graph/odata", "graph/service.py", "graph/pipeline.py", "graph/batch_format.py",
           "store", "fixtures", "control", "state.py", "harness"]


def test_no_generic_module_names_a_collection():
    """Routes, store, queries, fixtures, OpenAPI and journal get the collections from facets.py only: no
    string in their code is a collection's segment or type name, or a path through one. (Prose, such
    as an example URL in an error message, is not behaviour: strings with spaces are not checked.)"""
    package = Path(__file__).resolve().parents[1] / "mockgraph"
    names = set(SEGMENTS) | {facet.type_name for facet in FACETS}
    found = []
    for entry in GENERIC:
        path = package / entry
        for module in [path] if path.is_file() else sorted(path.rglob("*.py")):
            tree = ast.parse(module.read_text(encoding="utf-8"))
            docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                          if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and node.body
                          and isinstance(node.body[0], ast.Expr)}
            for node in ast.walk(tree):
                if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                        and " " not in node.value):
                    if node.value in names or any(f"/{n}" in node.value or f".{n}" in node.value for n in names):
                        found.append(f"{module.relative_to(package)}:{node.lineno}: {node.value!r}")
    assert found == []


# The generated OpenAPI document


def test_openapi_describes_every_collection_and_the_profile():
    from openapi_spec_validator import validate

    from mockgraph.control.openapi import build_document

    document = build_document(FACETS)
    validate(document)
    profile = document["components"]["schemas"]["microsoft.graph.profile"]["properties"]
    assert list(profile) == ["id", *SEGMENTS]
    for facet in FACETS:
        assert profile[facet.segment]["items"] == {"$ref": f"#/components/schemas/microsoft.graph.{facet.type_name}"}
        for prefix in ("/users/{user}", "/user/{user}", "/me"):
            assert set(document["paths"][f"{prefix}/profile/{facet.segment}"]) >= {"get", "post"}
            assert set(document["paths"][f"{prefix}/profile/{facet.segment}/{{{facet.type_name}-id}}"]) >= {
                "get", "patch", "delete"}
    for prefix in ("/users/{user}", "/user/{user}", "/me"):
        assert set(document["paths"][f"{prefix}/profile"]) - {"parameters"} == {"get", "delete"}
    webaccount = document["components"]["schemas"]["microsoft.graph.webAccount"]["properties"]
    account = document["components"]["schemas"]["microsoft.graph.userAccountInformation"]["properties"]
    assert account["ageGroup"]["readOnly"] and account["userPrincipalName"]["readOnly"]
    assert "readOnly" not in webaccount["webUrl"]
    assert document["components"]["schemas"]["microsoft.graph.serviceInformation"]["required"] == ["name", "webUrl"]
