"""Microsoft's OpenAPI description of the profile API (tests/reference/microsoft-graph/openapi-profile.json),
read as JSON Schema: the yardstick every profile response of the test suite is checked against.

Microsoft's document, extended only by what msgraph-beta-sdk declares (properties newer than the copy:
`positionDetail.employeeId`, `innerError.request-id`...; their types are read from the SDK's own
deserialisers), and read with the explicit rules of READING_RULES, each with its reason.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

REFERENCE = Path(__file__).resolve().parent / "reference" / "microsoft-graph" / "openapi-profile.json"
SCHEMAS = "#/components/schemas/"

# How Microsoft's document is read where OpenAPI 3.0 or Microsoft's converter cannot say what Graph answers.
READING_RULES = {
    "allOf": "a derived type is allOf its base and its own part; JSON Schema would check each part's "
             "additionalProperties alone, so the parts are merged into one object, as OpenAPI means them",
    "x-ms-enum-flags": "a flags enum (allowedAudiences) holds one member or several, comma-separated: that is what "
                       "the extension means, and Graph's answers send 'contacts,organization'",
    "null complex or enum": "a complex or enum property is a bare $ref, which OpenAPI 3.0 cannot mark nullable; CSDL "
                            "properties are Nullable by default and Microsoft's example responses answer "
                            "\"inference\": null, \"source\": null",
    "null collection": "Microsoft's converter never marks an array nullable, yet its example responses answer "
                       "\"colleagues\": null, \"sponsors\": null (profile-post-projects)",
    "@odata.context": "OData JSON control information at the top of every Graph answer; no type declares it (the "
                      "SDK keeps it in additional_data)",
    "innerError throttling": "innerError is 'service-specific' (its description); Microsoft's throttling page shows "
                             "code, message and status inside it on a 429",
}
THROTTLING_INNER_ERROR = ("code", "message", "status")
_AGREED: set[tuple[str, bytes]] = set()  # (component, digest of an answer) found to agree
PROFILE_PATH = re.compile(r"^/beta/(?:users/[^/]+|user/[^/]+|me)/profile(?:/|$)")


@cache
def microsoft() -> dict:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


# The SDK's declarations


def sdk_model(schema_name: str):
    """msgraph-beta-sdk's model class for a component (`microsoft.graph.ODataErrors.InnerError`), or None."""
    parts = schema_name.split(".")[2:]
    module_name = "msgraph_beta.generated.models." + ".".join(_snake(part) for part in parts)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    return getattr(module, parts[-1][0].upper() + parts[-1][1:], None)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class _Probe:
    """A stand-in ParseNode that records which reader a deserialiser calls: the SDK's type for a property."""

    def __init__(self):
        self.call: tuple[str, tuple] | None = None

    def __getattr__(self, name):
        def record(*args):
            self.call = (name, args)

        return record


@cache
def sdk_properties(model) -> dict[str, dict]:
    """Every property the SDK model declares, as a JSON Schema read from the reader its deserialiser calls."""
    instance = model()
    out = {}
    for name, deserialise in instance.get_field_deserializers().items():
        probe = _Probe()
        deserialise(probe)
        out[name] = _sdk_type(*probe.call)
    return out


def _sdk_type(reader: str, args: tuple) -> dict:
    primitives = {"get_str_value": "string", "get_bool_value": "boolean", "get_int_value": "integer",
                  "get_float_value": "number", "get_date_value": "string", "get_datetime_value": "string",
                  "get_uuid_value": "string"}
    if reader in primitives:
        return {"type": [primitives[reader], "null"]}
    if reader == "get_enum_value":
        return {"enum": [member.value for member in args[0]] + [None]}
    if reader == "get_object_value":
        return {"anyOf": [_sdk_object(args[0]), {"type": "null"}]}
    if reader == "get_collection_of_primitive_values":
        return {"type": ["array", "null"], "items": {"type": [primitives[f"get_{args[0].__name__}_value"], "null"]}}
    if reader == "get_collection_of_enum_values":  # a flags enum: members joined by commas on the wire
        member = "|".join(re.escape(m.value) for m in args[0])
        return {"type": ["string", "null"], "pattern": f"^({member})(,({member}))*$"}
    if reader == "get_collection_of_object_values":
        return {"type": ["array", "null"], "items": _sdk_object(args[0])}
    raise AssertionError(f"an SDK reader this module does not know: {reader}")


def _sdk_object(model) -> dict:
    name = f"microsoft.graph.{model.__name__[0].lower()}{model.__name__[1:]}"
    if name in microsoft()["components"]["schemas"]:
        return {"$ref": SCHEMAS + name}
    return {"type": "object", "properties": sdk_properties(model)}


def sdk_only_properties(schema_name: str) -> dict[str, dict]:
    """The properties the SDK declares for a component that Microsoft's copy does not list."""
    model = sdk_model(schema_name)
    if model is None:
        return {}
    listed = set(flat_properties(microsoft(), microsoft()["components"]["schemas"][schema_name]))
    return {name: schema for name, schema in sdk_properties(model).items() if name not in listed}


def flat_properties(document: dict, schema: dict) -> dict[str, dict]:
    """A component's properties, through allOf inheritance."""
    out: dict[str, dict] = {}
    for part in schema.get("allOf", ()):
        target = document["components"]["schemas"][part["$ref"].rsplit("/", 1)[1]] if "$ref" in part else part
        out.update(flat_properties(document, target))
    out.update(schema.get("properties", {}))
    return out


# Microsoft's components as JSON Schema


def _convert(schema: dict) -> dict:
    """OpenAPI 3.0's schema dialect as JSON Schema 2020-12: `nullable` becomes a null type, a flags enum a pattern."""
    if schema.get("x-ms-enum-flags", {}).get("isFlags"):  # READING_RULES["x-ms-enum-flags"]
        member = "|".join(re.escape(m) for m in schema["enum"])
        return {"type": "string", "pattern": f"^({member})(,({member}))*$"}
    out = {key: value for key, value in schema.items() if key != "nullable" and not key.startswith("x-")}
    if "properties" in out:
        out["properties"] = {name: _nullable_property(_convert(prop)) for name, prop in out["properties"].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = _convert(out[key])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in out:
            out[key] = [_convert(part) for part in out[key]]
    if schema.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def _nullable_property(prop: dict) -> dict:
    if set(prop) == {"$ref"} or (set(prop) - {"description"} == {"$ref"}):
        return {"anyOf": [{"$ref": prop["$ref"]}, {"type": "null"}]}  # READING_RULES["null complex or enum"]
    if prop.get("type") == "array":
        return {**prop, "type": ["array", "null"]}  # READING_RULES["null collection"]
    return prop


@cache
def json_schemas() -> dict[str, dict]:
    """Every component of Microsoft's document as JSON Schema, with the SDK's extra properties added."""
    document = microsoft()
    out = {}
    for name, schema in document["components"]["schemas"].items():
        if "allOf" in schema:  # READING_RULES["allOf"]
            schema = {"type": "object", "properties": flat_properties(document, schema),
                      "additionalProperties": schema["allOf"][-1].get("additionalProperties", {})}
        converted = _convert(schema)
        if converted.get("type") == "object":
            extra = sdk_only_properties(name)
            if name == "microsoft.graph.ODataErrors.InnerError":  # READING_RULES["innerError throttling"]
                extra = {**extra, **{key: {"type": "string"} for key in THROTTLING_INNER_ERROR}}
            converted["properties"] = {**converted.get("properties", {}), **extra}
        out[name] = converted
    return out


@cache
def validator(schema_name: str) -> Draft202012Validator:
    root = {"$ref": SCHEMAS + schema_name, "components": {"schemas": json_schemas()}}
    return Draft202012Validator(root)


# Operations


@cache
def _operations() -> list[tuple[re.Pattern, str]]:
    """Microsoft's path templates as patterns, literal segments ($count) before parameters."""
    templates = sorted(microsoft()["paths"], key=lambda path: path.count("{"))
    out = []
    for template in templates:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        out.append((re.compile(f"^{pattern}$"), template))
    return out


def operation(method: str, path: str) -> tuple[str, dict] | None:
    """Microsoft's operation for a mock path (`/beta/user/x/...` is the draft's alias of `/users/x/...`)."""
    path = re.sub(r"^/beta/user/", "/beta/users/", path)[len("/beta"):]
    for pattern, template in _operations():
        if pattern.match(path):
            found = microsoft()["paths"][template].get(method.lower())
            return (template, found) if found else None
    return None


def _response_schema(response: dict, content_type: str) -> str | None:
    if "$ref" in response:
        response = microsoft()["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    content = response.get("content", {}).get(content_type)
    return None if content is None else content["schema"]["$ref"].rsplit("/", 1)[1]


def problems(method: str, path: str, status: int, content_type: str | None, body: bytes) -> list[str]:
    """Where a profile route's answer departs from Microsoft's document (empty: it agrees)."""
    found = operation(method, path)
    media = (content_type or "").split(";")[0].strip()
    if status >= 400:
        schema_name = "microsoft.graph.ODataErrors.ODataError"
        if media != "application/json":
            return [f"an error answered as {content_type!r}, not JSON"]
    elif found is None:
        return [f"{method} {path} answered {status}: Microsoft's document has no such operation"]
    else:
        responses = found[1]["responses"]
        success = responses.get("2XX") or responses.get(str(status))
        if success is None:
            return [f"{method} {found[0]}: Microsoft's document lists no success answer"]
        if not body:
            expected = _response_schema(success, "application/json")
            return [] if expected is None and status == 204 else [f"no body, {status}; Microsoft's has {expected}"]
        schema_name = _response_schema(success, media)
        if schema_name is None:
            return [f"{method} {found[0]}: answered {content_type!r}, Microsoft's document does not"]
    if media == "text/plain":
        try:
            payload = int(body.decode())
        except ValueError:
            return [f"text/plain answer is not an integer: {body[:80]!r}"]
    else:
        payload = json.loads(body)
        if isinstance(payload, dict):
            payload = {k: v for k, v in payload.items() if k != "@odata.context"}  # READING_RULES["@odata.context"]
    key = (schema_name, hashlib.blake2b(body, digest_size=16).digest())
    if key in _AGREED:  # the same answer again (the bundled data, unchanged): it agreed before
        return []
    found = []
    for error in validator(schema_name).iter_errors(payload):
        error = best_match([error])  # inside "X or null": why it is not an X
        found.append(f"{method} {path} ({status}) vs {schema_name}: {error.message} at "
                     f"{'/'.join(map(str, error.absolute_path))}")
    if not found:
        _AGREED.add(key)
    return found


def is_profile_route(path: str) -> bool:
    return bool(PROFILE_PATH.match(path))


def check(method: str, path: str, status: int, content_type: str | None, body: bytes) -> None:
    found = problems(method, path, status, content_type, body)
    assert not found, "\n".join(found)
