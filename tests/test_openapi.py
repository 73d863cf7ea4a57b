"""The mock's own OpenAPI document: valid, served, complete, and in agreement with Microsoft's own
description of these routes (every difference is listed below with its reason, and in docs/openapi.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from mockgraph import create_app
from mockgraph.control.endpoints import openapi as control_openapi
from mockgraph.control.openapi import build_document
from mockgraph.graph import schemas
from mockgraph.graph.facets import FACETS

# Microsoft's description of the positions routes (a slice of the Graph beta OpenAPI), kept in the repository
# so that a clone alone runs the suite; SOURCE.md beside it names its origin and licence.
MICROSOFT = Path(__file__).resolve().parent / "reference" / "microsoft-graph" / "openapi-positions.json"

ADDED_AFTER_MICROSOFTS_COPY = "declared by msgraph-beta-sdk 1.66 models, newer than Microsoft's OpenAPI copy"
# (schema, property) -> why ours has a property Microsoft's does not.
OURS_ONLY_PROPERTIES = {
    ("microsoft.graph.positionDetail", "employeeId"): ADDED_AFTER_MICROSOFTS_COPY,
    ("microsoft.graph.positionDetail", "employeeType"): ADDED_AFTER_MICROSOFTS_COPY,
    ("microsoft.graph.companyDetail", "costCenter"): ADDED_AFTER_MICROSOFTS_COPY,
    ("microsoft.graph.companyDetail", "division"): ADDED_AFTER_MICROSOFTS_COPY,
    ("microsoft.graph.relatedPerson", "relationshipLabel"): ADDED_AFTER_MICROSOFTS_COPY,
    ("microsoft.graph.workPositionCollectionResponse", "@odata.context"):
        "Graph sends it; Microsoft's copy leaves it to additionalProperties",
    ("microsoft.graph.workPositionCollectionResponse", "@odata.count"):
        "sent with $count=true; Microsoft's copy leaves it to additionalProperties",
    ("microsoft.graph.ODataErrors.InnerError", "date"): "Microsoft leaves innerError open; ours lists what is sent",
    ("microsoft.graph.ODataErrors.InnerError", "request-id"): "as above",
    ("microsoft.graph.ODataErrors.InnerError", "client-request-id"): "as above",
    ("microsoft.graph.ODataErrors.InnerError", "code"): "as above (429 only)",
    ("microsoft.graph.ODataErrors.InnerError", "message"): "as above (429 only)",
    ("microsoft.graph.ODataErrors.InnerError", "status"): "as above (429 only)",
}
# (schema, property) -> why Microsoft's has a property ours does not.
MICROSOFTS_ONLY_PROPERTIES = {
    ("microsoft.graph.ODataErrors.MainError", "target"): "the mock never sends it",
    ("microsoft.graph.ODataErrors.MainError", "details"): "the mock never sends it",
}
# (schema, property) -> why the type or format differs.
DIFFERENT_TYPES = {
    ("microsoft.graph.positionDetail", "layer"):
        "integer, not number: Edm.Int32 admits no fraction, and the mock rejects 1.5",
}
# Microsoft's schemas that ours has no component for.
MICROSOFTS_ONLY_SCHEMAS = {
    "microsoft.graph.entity": "an abstract base: ours lists its properties in each type (no allOf inheritance)",
    "microsoft.graph.itemFacet": "as above",
    "microsoft.graph.allowedAudiences": "enums are written inline on their properties",
    "microsoft.graph.personRelationship": "as above",
    "microsoft.graph.physicalAddressType": "as above",
    "ODataCountResponse": "written inline on the $count responses",
    "microsoft.graph.ODataErrors.ErrorDetails": "the mock never sends error details",
}
# Query options Microsoft's document offers that the mock answers with 400 (CONTRACT §5).
UNSUPPORTED_OPTIONS = {"$search", "$expand"}


@pytest.fixture(scope="module")
def ours() -> dict:
    return build_document(FACETS)


@pytest.fixture(scope="module")
def microsoft() -> dict:
    return json.loads(MICROSOFT.read_text(encoding="utf-8"))


def test_document_is_valid_openapi(ours):
    assert ours["openapi"].startswith("3.0")
    validate(ours)


def test_served_once_per_app_at_control_path(monkeypatch):
    builds = []

    def counting(*args, **kwargs):
        builds.append(1)
        return build_document(*args, **kwargs)

    monkeypatch.setattr(control_openapi, "build_document", counting)
    client = create_app().test_client()
    first = client.get("/_mockgraph/openapi.json")  # no token: the control API needs none
    second = client.get("/_mockgraph/openapi.json")
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert first.get_data() == second.get_data() and len(builds) == 1
    served = first.get_json()
    assert served["info"]["version"] != "0"  # the installed package's version
    assert served == build_document(FACETS, version=served["info"]["version"])  # what the fuzzer is given


def test_not_served_without_control_api():
    client = create_app(control=False).test_client()
    for headers in ({}, {"Authorization": "Bearer x"}):
        response = client.get("/_mockgraph/openapi.json", headers=headers)
        assert 400 <= response.status_code < 500 and "error" in response.get_json()


def test_describes_every_graph_route_the_app_serves(ours):
    app = create_app()
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/_mockgraph"):
            continue
        version, path = re.match(r"^/(beta|v1\.0)(/.*)$", rule.rule).groups()
        path = re.sub(r"<(?:\w+:)?(\w+)>", "{}", path)
        served |= {(version, path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    described = set()
    for path, item in ours["paths"].items():
        versions = [server["url"].strip("/") for server in item.get("servers", ours["servers"])]
        for method in set(item) - {"parameters", "servers"}:
            described |= {(version, re.sub(r"\{[^}]+\}", "{}", path), method) for version in versions}
    assert served == described


def test_every_operation_lists_its_errors_and_success(ours):
    for path, item in ours["paths"].items():
        for method, operation in item.items():
            if method in ("parameters", "servers"):
                continue
            codes = set(operation["responses"])
            assert {"400", "401", "429", "default"} <= codes, (path, method)
            if path != "/$batch":  # the batch as a whole is never forbidden or missing
                assert {"403", "404"} <= codes, (path, method)
            assert codes & {"200", "201", "204"}, (path, method)
            if method in ("post", "patch"):
                assert "413" in codes and operation["requestBody"]["required"]
    assert ours["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert set(ours["components"]["responses"]) >= {"BadRequest", "Unauthorized", "Forbidden", "NotFound",
                                                    "MethodNotAllowed", "PayloadTooLarge", "TooManyRequests"}


def test_create_and_update_bodies_differ(ours):
    item = ours["paths"]["/users/{user}/profile/positions"]
    create = item["post"]["requestBody"]["content"]["application/json"]["schema"]
    update = ours["paths"]["/users/{user}/profile/positions/{workPosition-id}"]["patch"]["requestBody"]
    assert create["allOf"][1] == {"required": ["detail"]}
    assert update["content"]["application/json"]["schema"] == create["allOf"][0]  # nothing required
    position = ours["components"]["schemas"]["microsoft.graph.workPosition"]["properties"]
    read_only = {name for name, prop in position.items() if prop.get("readOnly")}
    assert read_only == set(schemas.SERVER_MANAGED) | {"isSearchable", "sources"}


def test_types_formats_enums_and_nullability_come_from_the_fields(ours):
    components = ours["components"]["schemas"]
    detail = components["microsoft.graph.positionDetail"]["properties"]
    assert detail["layer"] == {"nullable": True, "type": "integer", "format": "int32",
                               "minimum": -(2**31), "maximum": 2**31 - 1}
    assert detail["startMonthYear"]["format"] == "date" and re.match(detail["startMonthYear"]["pattern"], "2020-01-01")
    confidence = components["microsoft.graph.inferenceData"]["properties"]["confidenceScore"]
    assert (confidence["type"], confidence["format"]) == ("number", "double")
    position = components["microsoft.graph.workPosition"]["properties"]
    assert position["createdDateTime"]["format"] == "date-time"
    audiences = re.compile(position["allowedAudiences"]["pattern"])
    assert audiences.match("me,organization") and not audiences.match("me,,everyone")
    relationship = components["microsoft.graph.relatedPerson"]["properties"]["relationship"]
    assert relationship["nullable"] and relationship["enum"][-1] is None and "manager" in relationship["enum"]
    # Not nullable: detail (a plain reference) and company.displayName (required, no nullable).
    assert position["detail"] == {"$ref": "#/components/schemas/microsoft.graph.positionDetail"}
    company = components["microsoft.graph.companyDetail"]
    assert company["required"] == ["displayName"] and "nullable" not in company["properties"]["displayName"]
    # A nullable reference holds exactly the type or null.
    assert position["manager"]["anyOf"][1] == {"type": "object", "nullable": True, "enum": [None]}


# Agreement with Microsoft's document


def normalized_paths(document: dict) -> dict[str, set[str]]:
    return {re.sub(r"\{[^}]+\}", "{}", path): {m for m in item if m not in ("parameters", "servers")}
            for path, item in document["paths"].items()}


def resolve(document: dict, ref: str) -> tuple[str, dict]:
    name = ref.rsplit("/", 1)[1]
    return name, document["components"]["schemas"][name]


def flat_properties(document: dict, schema: dict) -> dict[str, dict]:
    """Properties of a schema, through allOf inheritance and references."""
    out: dict[str, dict] = {}
    for part in schema.get("allOf", ()):
        out.update(flat_properties(document, resolve(document, part["$ref"])[1] if "$ref" in part else part))
    out.update(schema.get("properties", {}))
    return out


def signature(document: dict, prop: dict):
    """What a property holds, comparable across documents: (type, format), the named object type, or
    ("array", item signature). Enums (inline or referenced) are strings."""
    branches = prop.get("anyOf") or prop.get("oneOf") or prop.get("allOf")
    if branches:
        real = [b for b in branches if b.get("enum") != [None] and b != {"type": "object", "nullable": True}]
        assert len(real) == 1, prop
        return signature(document, real[0])
    if "$ref" in prop:
        name, target = resolve(document, prop["$ref"])
        return ("string", None) if "enum" in target else ("object", name)
    if prop.get("type") == "array":
        return ("array", signature(document, prop["items"]))
    return (prop.get("type"), prop.get("format"))


def enum_members(document: dict, prop: dict) -> list | None:
    if "$ref" in prop:
        prop = resolve(document, prop["$ref"])[1]
    if "enum" not in prop or prop.get("x-ms-enum-flags"):
        return None
    return [member for member in prop["enum"] if member is not None]


def test_paths_and_methods_agree_with_microsoft(ours, microsoft):
    theirs, mine = normalized_paths(microsoft), normalized_paths(ours)
    for path, methods in theirs.items():
        assert mine.get(path) == methods, path


def test_query_options_agree_with_microsoft(ours, microsoft):
    def options(document, path, method):
        out = set()
        for parameter in document["paths"][path][method].get("parameters", []):
            if "$ref" in parameter:
                parameter = document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
            if parameter["in"] == "query":
                out.add(parameter["name"])
        return out

    for path, methods in normalized_paths(microsoft).items():
        their_path = next(p for p in microsoft["paths"] if re.sub(r"\{[^}]+\}", "{}", p) == path)
        my_path = next(p for p in ours["paths"] if re.sub(r"\{[^}]+\}", "{}", p) == path)
        for method in methods:
            theirs, mine = options(microsoft, their_path, method), options(ours, my_path, method)
            assert theirs - UNSUPPORTED_OPTIONS <= mine, (path, method)
            assert mine - theirs <= {"$skiptoken"}, (path, method)  # from @odata.nextLink


def test_schemas_agree_with_microsoft_on_names_types_formats_and_members(ours, microsoft):
    their_schemas = microsoft["components"]["schemas"]
    my_schemas = ours["components"]["schemas"]
    assert set(their_schemas) - set(my_schemas) == set(MICROSOFTS_ONLY_SCHEMAS)
    compared = 0
    for name in sorted(set(their_schemas) & set(my_schemas)):
        theirs = flat_properties(microsoft, their_schemas[name])
        mine = flat_properties(ours, my_schemas[name])
        assert {p for p in set(mine) - set(theirs)} == {p for (s, p) in OURS_ONLY_PROPERTIES if s == name}, name
        assert {p for p in set(theirs) - set(mine)} == {p for (s, p) in MICROSOFTS_ONLY_PROPERTIES if s == name}, name
        for prop in set(theirs) & set(mine):
            their_signature, my_signature = signature(microsoft, theirs[prop]), signature(ours, mine[prop])
            if (name, prop) in DIFFERENT_TYPES:
                assert their_signature != my_signature, f"{name}.{prop} now agrees: drop it from DIFFERENT_TYPES"
                continue
            assert my_signature == their_signature, f"{name}.{prop}"
            assert enum_members(ours, mine[prop]) == enum_members(microsoft, theirs[prop]), f"{name}.{prop}"
            compared += 1
    assert compared >= 60  # every type of workPosition, with its nested types and the error envelope


def test_count_is_text_plain_int32_in_both(ours, microsoft):
    their_response = microsoft["components"]["responses"]["ODataCountResponse"]["content"]["text/plain"]
    their_schema = microsoft["components"]["schemas"][their_response["schema"]["$ref"].rsplit("/", 1)[1]]
    for path, item in ours["paths"].items():
        if path.endswith("/$count"):
            schema = item["get"]["responses"]["200"]["content"]["text/plain"]["schema"]
            assert (schema["type"], schema["format"]) == (their_schema["type"], their_schema["format"])
