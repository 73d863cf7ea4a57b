"""The mock's `/_mockgraph/openapi.json` against Microsoft's OpenAPI for the whole profile API
(tests/reference/microsoft-graph/openapi-profile.json): every profile path and method under `/users/{id}`
and `/me`, and every property of the 19 item types and their complex types, type by type (Edm type,
format, enum members, nullability). Each difference is listed below with its reason; a listed difference
that no longer exists fails too, so the lists stay true.

Also: the check `conftest.py` runs on every profile answer of the suite is live and catches what it should.
"""

from __future__ import annotations

import json
import re

import conftest
import microsoft_openapi as ms
import pytest
import requests
from conftest import ADELE, GraphTestClient

from mockgraph import MockGraph, create_app
from mockgraph.graph.facets import FACETS

SDK = "declared by msgraph-beta-sdk 1.66, newer than Microsoft's OpenAPI copy"
# Operations Microsoft's document has and the mock does not serve (path with {} for parameters, method).
MICROSOFTS_ONLY_OPERATIONS = {
    ("/users/{}/profile", "patch"): "no docs page and no permission entry: CONTRACT §11 answers 405 with Allow",
    ("/me/profile", "patch"): "as above",
}
# Query options Microsoft's document offers that the mock answers with 400.
UNSUPPORTED_OPTIONS = {
    "$search": "CONTRACT §5: the docs do not document it for the profile; Graph answers 400 for most entities",
    "$expand": "an item has no navigation property to expand (the profile itself serves $expand)",
}
# (component, property) -> why only the mock's document lists it.
OURS_ONLY_PROPERTIES = {
    ("microsoft.graph.positionDetail", "employeeId"): SDK,
    ("microsoft.graph.positionDetail", "employeeType"): SDK,
    ("microsoft.graph.companyDetail", "costCenter"): SDK,
    ("microsoft.graph.companyDetail", "division"): SDK,
    ("microsoft.graph.relatedPerson", "relationshipLabel"): SDK,
    ("microsoft.graph.userAccountInformation", "originTenantInfo"): SDK,
    ("microsoft.graph.userAccountInformation", "userPersona"): SDK,
    ("microsoft.graph.ODataErrors.InnerError", "date"): SDK,
    ("microsoft.graph.ODataErrors.InnerError", "request-id"): SDK,
    ("microsoft.graph.ODataErrors.InnerError", "client-request-id"): SDK,
    ("microsoft.graph.ODataErrors.InnerError", "code"): ms.READING_RULES["innerError throttling"],
    ("microsoft.graph.ODataErrors.InnerError", "message"): ms.READING_RULES["innerError throttling"],
    ("microsoft.graph.ODataErrors.InnerError", "status"): ms.READING_RULES["innerError throttling"],
}
for _facet in FACETS:
    OURS_ONLY_PROPERTIES[(f"microsoft.graph.{_facet.type_name}CollectionResponse", "@odata.count")] = SDK
    OURS_ONLY_PROPERTIES[(f"microsoft.graph.{_facet.type_name}CollectionResponse", "@odata.context")] = \
        ms.READING_RULES["@odata.context"]
# (component, property) -> why only Microsoft's document lists it.
MICROSOFTS_ONLY_PROPERTIES = {
    ("microsoft.graph.ODataErrors.MainError", "target"): "the mock never sends it",
    ("microsoft.graph.ODataErrors.MainError", "details"): "the mock never sends it",
}
# Microsoft's components the mock's document has no counterpart for.
MICROSOFTS_ONLY_SCHEMAS = {
    "microsoft.graph.entity": "an abstract base: the mock lists its properties in each type (no allOf)",
    "microsoft.graph.itemFacet": "as above",
    "microsoft.graph.ODataErrors.ErrorDetails": "the mock never sends error details",
}
# The mock's components Microsoft's copy lacks.
OURS_ONLY_SCHEMAS = {"microsoft.graph.originTenantInfo": SDK}
# (component or "*" for every item type, property) -> how the description differs, and why.
DIFFERENT = {
    ("microsoft.graph.positionDetail", "layer"):
        "integer, not number: Edm.Int32 admits no fraction, and the mock rejects 1.5",
    ("*", "id"): "KNOWN DEFECT of the mock's document: marked nullable (the schema's field allows none); every "
                 "answer carries an id",
    ("*", "createdDateTime"): "KNOWN DEFECT of the mock's document, as id: the server always sets it",
    ("*", "lastModifiedDateTime"): "as createdDateTime",
    ("microsoft.graph.profileSourceAnnotation", "sourceId"):
        "KNOWN DEFECT of the mock's schema: non-nullable in Microsoft's, a plain nullable String in "
        "schemas/complex/provenance.py (only fixtures can set it: `sources` is read-only in requests)",
    ("*", "@odata.nextLink"): "Microsoft allows null; the mock leaves the property out on the last page instead",
}


@pytest.fixture(scope="module")
def ours() -> dict:
    return create_app().test_client().get("/_mockgraph/openapi.json").get_json()


@pytest.fixture(scope="module")
def microsoft() -> dict:
    return ms.microsoft()


def template(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def operations(document: dict) -> dict[tuple[str, str], dict]:
    """The profile operations under /users/{id} and /me, keyed by (path with {} parameters, method)."""
    out = {}
    for path, item in document["paths"].items():
        if re.match(r"^/(users/\{[^}]+\}|me)/profile(/|$)", path):
            for method, operation in item.items():
                if method not in ("parameters", "servers"):
                    out[(template(path), method)] = operation
    return out


def component(document: dict, ref: str) -> tuple[str, dict]:
    name = ref.rsplit("/", 1)[1]
    return name, document["components"]["schemas"][name]


def success_type(document: dict, operation: dict) -> tuple[str, str | None]:
    """(media type, component name without the mock's EntityResponse wrapper) of the success answer."""
    responses = operation["responses"]
    code = next(c for c in responses if c.startswith("2"))
    response = responses[code]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    if "content" not in response:
        return "none", None
    media, content = next(iter(response["content"].items()))
    schema = content["schema"]
    if "$ref" not in schema:  # the mock writes $count's integer inline
        return media, f"{schema['type']}/{schema['format']}"
    name, target = component(document, schema["$ref"])
    if name == "ODataCountResponse":
        return media, f"{target['type']}/{target['format']}"
    return media, name.removesuffix("EntityResponse")


def body_type(document: dict, operation: dict) -> str | None:
    body = operation.get("requestBody")
    if body is None:
        return None
    schema = body["content"]["application/json"]["schema"]
    ref = schema["$ref"] if "$ref" in schema else schema["allOf"][0]["$ref"]  # the mock adds `required` on create
    return ref.rsplit("/", 1)[1]


def query_options(document: dict, operation: dict) -> set[str]:
    out = set()
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            parameter = document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        if parameter["in"] == "query":
            out.add(parameter["name"])
    return out


# Paths and methods


def test_every_profile_operation_of_microsoft_is_served_with_the_same_types(ours, microsoft):
    theirs, mine = operations(microsoft), operations(ours)
    assert len(theirs) == 2 * (3 + 19 * 6)  # /users/{id} and /me: the profile (GET PATCH DELETE), 19 x 6
    assert set(theirs) - set(mine) == set(MICROSOFTS_ONLY_OPERATIONS)
    assert set(mine) <= set(theirs)  # nothing under /users/{id} or /me that Microsoft's document lacks
    for key in sorted(set(theirs) & set(mine)):
        their_op, my_op = theirs[key], mine[key]
        assert success_type(ours, my_op) == success_type(microsoft, their_op), key
        assert body_type(ours, my_op) == body_type(microsoft, their_op), key
        their_options, my_options = query_options(microsoft, their_op), query_options(ours, my_op)
        assert their_options - set(UNSUPPORTED_OPTIONS) <= my_options, key
        assert my_options - their_options <= {"$skiptoken"}, key  # only what @odata.nextLink carries
        if key[0].endswith("/profile") and key[1] == "get":
            assert my_options == their_options  # the profile itself serves $select and $expand


def test_unsupported_options_are_answered_400(client):
    assert client.get("/me/profile/skills?$search=x").status_code == 400
    listed = client.get("/me/profile/skills").get_json()["value"][0]["id"]
    assert client.get(f"/me/profile/skills/{listed}?$expand=x").status_code == 400


# Types


def describe(document: dict, prop: dict) -> dict:
    """What a property holds, comparable across both documents. `nullable` is None where the document
    does not say (Microsoft's bare $ref and arrays)."""
    branches = prop.get("anyOf")
    if branches:
        real = [b for b in branches if b.get("enum") != [None]]
        assert len(real) == 1 and len(branches) == 2, prop
        return {**describe(document, real[0]), "nullable": True}
    if "$ref" in prop:
        name, target = component(document, prop["$ref"])
        if "enum" in target:
            return {**describe(document, target), "nullable": None}
        return {"kind": "object", "type": name, "nullable": None if document is ms.microsoft() else False}
    if prop.get("type") == "array":
        items = describe(document, prop["items"])
        return {**items, "collection": True, "items_nullable": items["nullable"],
                "nullable": prop.get("nullable", None if document is ms.microsoft() else False)}
    nullable = bool(prop.get("nullable"))
    if prop.get("x-ms-enum-flags"):
        members = prop["enum"] if "enum" in prop else prop["pattern"].split(")(")[0].lstrip("^(").split("|")
        return {"kind": "flags enum", "members": [m for m in members if m is not None],
                "type": (prop.get("title") or prop["description"].split(",")[0].removeprefix("microsoft.graph.")),
                "nullable": nullable}
    if "enum" in prop:
        return {"kind": "enum", "members": [m for m in prop["enum"] if m is not None],
                "type": prop.get("title") or prop["description"].removeprefix("microsoft.graph."), "nullable": nullable}
    return {"kind": "primitive", "type": prop["type"], "format": prop.get("format"), "nullable": nullable}


def reachable(document: dict, names: set[str]) -> set[str]:
    """The components these name, and every component their properties refer to."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen or name not in document["components"]["schemas"]:
            continue
        seen.add(name)
        todo += re.findall(r'"#/components/schemas/([^"]+)"', str(document["components"]["schemas"][name])
                           .replace("'", '"'))
    return seen


ITEM_TYPES = {f"microsoft.graph.{facet.type_name}" for facet in FACETS}


def compared_components(microsoft: dict) -> set[str]:
    roots = ITEM_TYPES | {f"{name}CollectionResponse" for name in ITEM_TYPES} | {
        "microsoft.graph.profile", "microsoft.graph.ODataErrors.ODataError"}
    return {name for name in reachable(microsoft, roots) if "enum" not in microsoft["components"]["schemas"][name]}


def difference_reason(name: str, prop: str) -> str | None:
    return DIFFERENT.get((name, prop)) or (DIFFERENT.get(("*", prop)) if name in ITEM_TYPES or prop.startswith("@")
                                           else None)


def test_every_item_type_and_complex_type_agrees_property_by_property(ours, microsoft):
    names = compared_components(microsoft)
    assert ITEM_TYPES <= names and len(ITEM_TYPES) == 19
    assert "microsoft.graph.educationalActivityDetail" in names and "microsoft.graph.serviceInformation" in names
    assert names - set(ours["components"]["schemas"]) == set(MICROSOFTS_ONLY_SCHEMAS)
    mine_reachable = {n for n in reachable(ours, {f"{n}EntityResponse" for n in ITEM_TYPES})
                      if "EntityResponse" not in n}
    assert mine_reachable - names == set(OURS_ONLY_SCHEMAS)
    used_differences, compared = set(), 0
    for name in sorted(names - set(MICROSOFTS_ONLY_SCHEMAS)):
        theirs = ms.flat_properties(microsoft, microsoft["components"]["schemas"][name])
        mine = ms.flat_properties(ours, ours["components"]["schemas"][name])
        assert set(mine) - set(theirs) == {p for (s, p) in OURS_ONLY_PROPERTIES if s == name}, name
        assert set(theirs) - set(mine) == {p for (s, p) in MICROSOFTS_ONLY_PROPERTIES if s == name}, name
        for prop in sorted(set(theirs) & set(mine)):
            their_view, my_view = describe(microsoft, theirs[prop]), describe(ours, mine[prop])
            if their_view["nullable"] is None:  # READING_RULES: Microsoft's document does not say
                my_view = {**my_view, "nullable": None}
            if their_view.get("items_nullable") is None and "items_nullable" in my_view:
                my_view["items_nullable"] = None
            reason = difference_reason(name, prop)
            if reason is not None:
                assert their_view != my_view, f"{name}.{prop} now agrees: drop it from DIFFERENT"
                used_differences.add((name, prop) if (name, prop) in DIFFERENT else ("*", prop))
                continue
            assert my_view == their_view, f"{name}.{prop}: {my_view} vs Microsoft's {their_view}"
            compared += 1
    assert used_differences == set(DIFFERENT)
    assert compared >= 340, compared


def test_what_only_the_mock_lists_is_what_the_sdk_declares():
    """The reasons "declared by msgraph-beta-sdk" are checked against the SDK, not just stated."""
    for (name, prop), reason in OURS_ONLY_PROPERTIES.items():
        if reason == SDK:
            assert prop in ms.sdk_only_properties(name), (name, prop)
    for name in OURS_ONLY_SCHEMAS:
        assert ms.sdk_model(name) is not None and name not in ms.microsoft()["components"]["schemas"]


def test_flags_enum_and_enums_keep_microsofts_members_in_order(ours, microsoft):
    position = ours["components"]["schemas"]["microsoft.graph.workPosition"]["properties"]
    audiences = describe(ours, position["allowedAudiences"])
    theirs = microsoft["components"]["schemas"]["microsoft.graph.allowedAudiences"]
    assert audiences["kind"] == "flags enum" and audiences["members"] == theirs["enum"]
    assert re.match(position["allowedAudiences"]["pattern"], "contacts,organization")


# The check every profile answer goes through (conftest.py)


def test_the_copy_names_its_source():
    info = ms.microsoft()["info"]
    assert "People.yml @ 042c9483f5eccc46c0f5b0623414a643001a13a5" in info["description"]
    assert len(ms.microsoft()["paths"]) == 116


@pytest.mark.parametrize("body, found", [
    ({"value": [{"id": "1", "displayName": "x", "proficiency": "guru"}]}, "'guru' is not one of"),
    ({"value": [{"id": "1", "displayName": None}]}, "None is not of type 'string'"),
    ({"value": [{"id": "1", "allowedAudiences": "me,,everyone"}]}, "does not match"),
    ({"value": [{"id": "1", "employeeId": "only on positionDetail"}]}, "is not of type 'object'"),
    ({"value": {}}, "is not of type 'array'"),
], ids=["enum", "non-nullable", "flags enum", "unknown property", "not a collection"])
def test_the_check_catches_an_answer_that_departs(body, found):
    problems = ms.problems("GET", f"/beta/users/{ADELE}/profile/skills", 200, "application/json",
                           json.dumps(body).encode())
    assert problems and found in problems[0], problems


def test_the_check_reads_microsofts_document_as_graph_answers():
    ok = {"@odata.context": "x", "value": [{
        "id": "1", "displayName": "x", "allowedAudiences": "contacts,organization", "inference": None,
        "proficiency": None, "categories": None, "@odata.type": "#microsoft.graph.skillProficiency"}]}
    assert ms.problems("GET", f"/beta/users/{ADELE}/profile/skills", 200, "application/json",
                       json.dumps(ok).encode()) == []
    throttled = {"error": {"code": "TooManyRequests", "message": "x", "innerError": {
        "date": "2024-01-01T00:00:00", "request-id": "r", "client-request-id": "c", "code": "429",
        "message": "m", "status": "429"}}}
    assert ms.problems("GET", "/beta/me/profile/skills", 429, "application/json", json.dumps(throttled).encode()) == []
    assert ms.problems("DELETE", "/beta/me/profile/skills/1", 204, None, b"") == []
    assert ms.problems("GET", "/beta/me/profile/skills/$count", 200, "text/plain", b"7") == []
    assert ms.problems("GET", "/beta/me/profile/skills/$count", 200, "text/plain", b"seven")


@pytest.mark.parametrize("via", ["test client", "$batch", "live server"])
def test_every_profile_answer_of_a_test_is_checked(via):
    """An answer the schemas could not produce (stored behind their back) is caught by conftest's check,
    whichever way the test received it."""
    # Not strict: the app itself would refuse to answer it.
    mock = MockGraph() if via == "live server" else None
    app = mock.app if mock else create_app()
    repository = app.extensions["mockgraph"].repository
    skill = repository.list_items("skills", ADELE)[0]
    repository.replace_item("skills", ADELE, {**skill, "proficiency": "guru"})
    path = f"/users/{ADELE}/profile/skills/{skill['id']}"
    try:
        if via == "test client":
            assert GraphTestClient(app).get(path).status_code == 200
        elif via == "$batch":
            batch = GraphTestClient(app).post("/$batch", json={"requests": [{"id": "1", "method": "GET", "url": path}]})
            assert batch.get_json()["responses"][0]["status"] == 200
        else:
            assert requests.get(mock.base_url + path, headers={"Authorization": "Bearer x"}, timeout=30).ok
    finally:
        if mock:
            mock.stop()
    caught = list(conftest._OFF_SPEC)
    conftest._OFF_SPEC.clear()  # this test's own off-spec answer, caught: the teardown check passes
    assert len(caught) == 1 and "'guru' is not one of" in caught[0], caught
