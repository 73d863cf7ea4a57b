"""What the document's paths refer to: the field-to-property conversion (Edm types), the error
responses, the query parameters and each entity's components."""

from __future__ import annotations

import copy

from apispec import APISpec
from apispec.ext.marshmallow.common import resolve_schema_cls

from mockgraph.graph import schemas
from mockgraph.graph.odata.options import MAX_TOP
from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema

ERROR = "microsoft.graph.ODataErrors.ODataError"
JSON = "application/json"

# Edm type -> OpenAPI type and format (`enum` and the collection are handled on their own).
EDM_TYPES = {
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "int32": {"type": "integer", "format": "int32", "minimum": f.INT32_MIN, "maximum": f.INT32_MAX},
    "double": {"type": "number", "format": "double"},
    "date": {"type": "string", "format": "date"},
    "dateTimeOffset": {"type": "string", "format": "date-time"},
}

# The error answers every operation may give, by status: (response component, description).
ERRORS = {
    400: ("BadRequest", "`BadRequest`: an invalid body, query option or path segment."),
    401: ("Unauthorized", "`InvalidAuthenticationToken`: no bearer token, another scheme, an expired or "
                          "unreadable JWT."),
    403: ("Forbidden", "`Authorization_RequestDenied`: the token's scopes or roles do not allow the operation."),
    404: ("NotFound", "`Request_ResourceNotFound` for an unknown user, `itemNotFound` for an unknown item."),
    405: ("MethodNotAllowed", "`Request_BadRequest`: a method the path does not list."),
    413: ("PayloadTooLarge", "`RequestEntityTooLarge`: the body is over the server's limit (`--max-body`)."),
    429: ("TooManyRequests", "`TooManyRequests`: a fault rule is throttling; retry after `Retry-After` seconds."),
}
READ_ERRORS = (400, 401, 403, 404, 429)
WRITE_ERRORS = (400, 401, 403, 404, 413, 429)


# Field -> property: attribute functions for apispec's marshmallow plugin (run after its own).


def type_name(schema) -> str:
    """Components are named as Graph names the types: `microsoft.graph.workPosition`."""
    return f"microsoft.graph.{resolve_schema_cls(schema).graph_type}"


def edm2properties(self, field, ret: dict) -> dict:
    """A Graph field's OpenAPI type, format, pattern or members, read from its Edm type."""
    if isinstance(field, f.Nested) and field.allow_none and "anyOf" in ret:
        # apispec writes a nullable reference as "the reference, or any object": keep the reference
        # exact, and let the other branch hold null only.
        ref = next(branch for branch in ret.pop("anyOf") if "$ref" in branch)
        return {"anyOf": [ref, {"type": "object", "nullable": True, "enum": [None]}]}
    if not isinstance(field, f.GraphField):
        return {}
    if isinstance(field, f.FlagsEnum):
        member = "|".join(field.members)
        prop = {"type": "string", "pattern": f"^({member})(,({member}))*$",
                "description": f"microsoft.graph.{field.type_name}, a flags enum: one or more of "
                               f"{', '.join(field.members)}, comma-separated, written back in that order.",
                "x-ms-enum-flags": {"isFlags": True}}
    elif isinstance(field, f.Enum):
        prop = {"type": "string", "enum": list(field.members), "description": f"microsoft.graph.{field.type_name}"}
    elif isinstance(field, f.StringCollection):
        prop = {"type": "array", "items": {"type": "string", "nullable": True}}
    else:
        prop = dict(EDM_TYPES[field.edm_type])
        if getattr(field, "pattern", None):
            prop["pattern"] = field.pattern
    if field.allow_none:
        prop["nullable"] = True
        if "enum" in prop:
            prop["enum"].append(None)  # OpenAPI 3.0: a nullable enum lists null among its values
    return prop


def read_only2properties(self, field, ret: dict) -> dict:
    """What the server owns on an item facet: ignored in request bodies, so `readOnly`."""
    if isinstance(field.parent, ItemFacetSchema) and field.name in field.parent.read_only:
        return {"readOnly": True}
    return {}


# Components


def add_error_components(spec: APISpec) -> None:
    spec.components.schema("microsoft.graph.ODataErrors.InnerError", {
        "type": "object",
        "description": "The request's ids and the time (UTC, no zone); a 429 adds code, message and status.",
        "required": ["date", "request-id", "client-request-id"],
        "properties": {
            "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"},
            "request-id": {"type": "string"},
            "client-request-id": {"type": "string"},
            "code": {"type": "string"},
            "message": {"type": "string"},
            "status": {"type": "string"},
        },
        "additionalProperties": False,
    })
    spec.components.schema("microsoft.graph.ODataErrors.MainError", {
        "type": "object",
        "required": ["code", "message", "innerError"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "innerError": {"$ref": "#/components/schemas/microsoft.graph.ODataErrors.InnerError"},
        },
        "additionalProperties": False,
    })
    spec.components.schema(ERROR, {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"$ref": "#/components/schemas/microsoft.graph.ODataErrors.MainError"}},
        "additionalProperties": False,
    })
    content = {JSON: {"schema": {"$ref": f"#/components/schemas/{ERROR}"}}}
    for status, (name, description) in ERRORS.items():
        response = {"description": description, "content": content}
        if status == 401:
            response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        if status == 429:
            response["headers"] = {"Retry-After": {"description": "seconds", "schema": {"type": "string"}}}
        spec.components.response(name, response)
    spec.components.response("error", {"description": "Any other error, in Graph's envelope (fault rules may "
                                                       "answer 5xx).", "content": content})


def add_query_parameters(spec: APISpec) -> None:
    def option(name: str, description: str, schema: dict) -> None:
        spec.components.parameter(name, "query", {"name": f"${name}", "description": description,
                                                  "schema": schema, "style": "form", "explode": False})

    option("filter", "Items matching an OData expression (`detail/jobTitle eq 'x'`).", {"type": "string"})
    option("orderby", "Property paths, each optionally `asc` or `desc`.",
           {"type": "array", "items": {"type": "string"}, "uniqueItems": True})
    option("top", "The page size.", {"type": "integer", "minimum": 1, "maximum": MAX_TOP})
    option("skip", "Items to skip before the first page.", {"type": "integer", "minimum": 0})
    option("count", "Add `@odata.count`: how many items match `$filter`.", {"type": "boolean"})
    option("skiptoken", "Where the next page starts: copied from `@odata.nextLink`, never made up.",
           {"type": "string"})


def ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def add_entity(spec: APISpec, schema_cls) -> tuple[str, str]:
    """The type itself (every property optional: `$select` answers only those named) and, for single-
    entity answers, the type with `@odata.context`. Returns both component names."""
    name = type_name(schema_cls)
    spec.components.schema(name, schema=schemas.instance(schema_cls, "stored", partial=True))
    entity = copy.deepcopy(spec.components.schemas[name])
    entity["properties"] = {"@odata.context": {"type": "string"}, **entity["properties"]}
    entity["required"] = ["@odata.context"]
    spec.components.schema(f"{name}EntityResponse", entity)
    return name, f"{name}EntityResponse"
