"""The mock's own OpenAPI 3.0 document, generated from the facet registry and the marshmallow schemas
that validate requests, so what it describes is what the server checks.

Every Graph route is described: each facet's list, create, get, update, delete and `$count` under
`/users/{user}`, `/user/{user}` and `/me`, the profile itself (GET with every collection, DELETE) under
the same three, plus `GET /users`, `GET /users/{user}`, `GET /me` and `POST /$batch`.
Property types come from each field's Edm type (`edm_type`), through an attribute function of
apispec's marshmallow plugin.
Where the document departs from Microsoft's own description of these routes, docs/openapi.md
says why.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls

from mockgraph.graph import schemas
from mockgraph.graph.batch_format import MAX_REQUESTS, METHODS
from mockgraph.graph.facets import Facet
from mockgraph.graph.odata.options import MAX_TOP
from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import CREATE_ONLY, ItemFacetSchema
from mockgraph.graph.schemas.entities.user import UserSchema

OPENAPI_VERSION = "3.0.3"
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
PATH_FORMS = (
    ("users", "/users/{user}", "the user's object id or userPrincipalName"),
    ("user", "/user/{user}", "the user's object id or userPrincipalName (the early draft's singular path)"),
    ("me", "/me", None),
)
DESCRIPTION = """A local mock of Microsoft Graph's beta profile API. Every request needs
`Authorization: Bearer <token>`: any non-empty token acts as the default user with every permission; an
unsigned JWT supplies `oid`, `upn`, `scp` and `roles`. Errors are Graph's envelope (`ODataError`).
Request bodies may carry instance annotations (`@odata.type`, `name@odata.x`): they are ignored.
A method a path does not list answers 405 (`MethodNotAllowed`); fault rules may answer 429 or 5xx."""


def build_document(facets: Iterable[Facet], *, title: str = "mockgraph", version: str = "0.1.0") -> dict:
    """The whole document, as a JSON-ready dict. Pure: build it once per app and keep it."""
    plugin = MarshmallowPlugin(schema_name_resolver=type_name)
    spec = APISpec(title=title, version=version, openapi_version=OPENAPI_VERSION, plugins=[plugin],
                   info={"description": DESCRIPTION}, servers=[{"url": "/beta"}], security=[{"bearerAuth": []}])
    plugin.converter.add_attribute_function(edm2properties)
    plugin.converter.add_attribute_function(read_only2properties)
    spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "Any non-empty token; a JWT's signature is not checked.",
    })
    _add_error_components(spec)
    _add_query_parameters(spec)
    both_versions = [*_add_users(spec), _add_batch(spec)]
    facets = tuple(facets)
    for facet in facets:
        _add_facet(spec, facet)
    _add_profile(spec, facets)
    document = spec.to_dict()
    for path in both_versions:  # apispec has no path-level servers
        document["paths"][path]["servers"] = [{"url": "/beta"}, {"url": "/v1.0"}]
    return document


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


def _add_error_components(spec: APISpec) -> None:
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


def _add_query_parameters(spec: APISpec) -> None:
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


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _add_entity(spec: APISpec, schema_cls) -> tuple[str, str]:
    """The type itself (every property optional: `$select` answers only those named) and, for single-
    entity answers, the type with `@odata.context`. Returns both component names."""
    name = type_name(schema_cls)
    spec.components.schema(name, schema=schemas.instance(schema_cls, "stored", partial=True))
    entity = copy.deepcopy(spec.components.schemas[name])
    entity["properties"] = {"@odata.context": {"type": "string"}, **entity["properties"]}
    entity["required"] = ["@odata.context"]
    spec.components.schema(f"{name}EntityResponse", entity)
    return name, f"{name}EntityResponse"


def _select(schema_cls) -> dict:
    names = list(schemas.instance(schema_cls).fields)
    return {"name": "$select", "in": "query", "style": "form", "explode": False,
            "description": "Only these top-level properties (and `id`).",
            "schema": {"type": "array", "items": {"type": "string", "enum": names}, "uniqueItems": True}}


def _responses(success: dict, statuses: Iterable[int]) -> dict:
    out = dict(success)
    for status in statuses:
        out[str(status)] = ERRORS[status][0]  # apispec turns component names into references
    out["default"] = "error"
    return out


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _user_parameter(description: str | None) -> list[dict]:
    if description is None:
        return []
    return [{"name": "user", "in": "path", "required": True, "description": description,
             "schema": {"type": "string"}}]


# Routes


def _add_users(spec: APISpec) -> list[str]:
    """`GET /users`, `GET /users/{user}` and `GET /me`, served on v1.0 too. Returns their paths."""
    type_, entity = _add_entity(spec, UserSchema)
    collection = f"{type_}CollectionResponse"
    spec.components.schema(collection, {
        "type": "object",
        "required": ["@odata.context", "value"],
        "properties": {
            "@odata.context": {"type": "string"},
            "@odata.nextLink": {"type": "string", "description": "The next page, when more users remain."},
            "value": {"type": "array", "items": _ref("schemas", type_)},
        },
        "additionalProperties": False,
    })
    spec.path(path="/users", operations={"get": {
        "operationId": "users.list", "tags": ["users"], "summary": "List users, in object id order",
        "parameters": ["filter", "top", "skiptoken", _select(UserSchema)],
        "responses": _responses({"200": _json(_ref("schemas", collection), "One page of users.")}, READ_ERRORS),
    }})
    paths = ["/users"]
    for form, prefix, user_description in PATH_FORMS:
        if form == "user":
            continue  # the singular form exists for profile routes only
        paths.append(prefix)
        spec.path(
            path=prefix,
            parameters=_user_parameter(user_description),
            operations={"get": {
                "operationId": f"{form}.get", "tags": ["users"],
                "summary": "The user's id, userPrincipalName and displayName" + (" (the token's user)" if
                                                                                   form == "me" else ""),
                "parameters": [_select(UserSchema)],
                "responses": _responses({"200": _json(_ref("schemas", entity), "The user.")}, READ_ERRORS),
            }},
        )
    return paths


def _add_batch(spec: APISpec) -> str:
    """`POST /$batch` (JSON batching), served on v1.0 too. Returns its path."""
    headers = {"type": "object", "additionalProperties": {"type": "string"}}
    spec.components.schema("BatchRequest", {
        "type": "object",
        "required": ["requests"],
        "properties": {"requests": {"type": "array", "minItems": 1, "maxItems": MAX_REQUESTS, "items": {
            "type": "object",
            "required": ["id", "method", "url"],
            "properties": {
                "id": {"type": "string", "minLength": 1, "description": "Unique in the batch, ignoring case."},
                "method": {"type": "string", "enum": list(METHODS)},
                "url": {"type": "string", "description": "Relative to the version: `/me/profile/positions`."},
                "headers": headers,
                "body": {"description": "JSON, or a base64 string; needs a Content-Type header."},
                "dependsOn": {"type": "array", "items": {"type": "string"},
                              "description": "Ids of earlier requests; a failed one makes this answer 424."},
            },
        }}},
    })
    spec.components.schema("BatchResponse", {
        "type": "object",
        "required": ["responses"],
        "properties": {"responses": {"type": "array", "items": {
            "type": "object",
            "required": ["id", "status", "headers"],
            "properties": {
                "id": {"type": "string"},
                "status": {"type": "integer"},
                "headers": headers,
                "body": {"description": "The answer's body: JSON, text, or base64."},
            },
            "additionalProperties": False,
        }}},
        "additionalProperties": False,
    })
    spec.path(path="/$batch", operations={"post": {
        "operationId": "batch", "tags": ["batch"],
        "summary": "Run up to 20 requests, one after another, each as if sent alone",
        "requestBody": {"required": True, "content": {JSON: {"schema": _ref("schemas", "BatchRequest")}}},
        "responses": _responses({"200": _json(_ref("schemas", "BatchResponse"), "Each request's answer, in order.")},
                                (400, 401, 413, 429)),
    }})
    return "/$batch"


def _add_facet(spec: APISpec, facet: Facet) -> None:
    type_, entity = _add_entity(spec, facet.schema)
    collection = f"{type_}CollectionResponse"
    spec.components.schema(collection, {
        "type": "object",
        "required": ["@odata.context", "value"],
        "properties": {
            "@odata.context": {"type": "string"},
            "@odata.count": {"type": "integer", "minimum": 0},
            "@odata.nextLink": {"type": "string", "description": "The next page, when more items remain."},
            "value": {"type": "array", "items": _ref("schemas", type_)},
        },
        "additionalProperties": False,
    })
    required = sorted(name for name, field in schemas.instance(facet.schema).fields.items() if field.required)
    create_body = {"allOf": [_ref("schemas", type_), {"required": required}]} if required else _ref("schemas", type_)
    item_id = f"{facet.type_name}-id"
    tag = f"profile.{facet.segment}"
    one = _json(_ref("schemas", entity), f"The {facet.type_name}.")
    for form, prefix, user_description in PATH_FORMS:
        base = f"{prefix}/profile/{facet.segment}"
        op = f"{form}.{facet.segment}"
        users = _user_parameter(user_description)
        item = users + [{"name": item_id, "in": "path", "required": True, "schema": {"type": "string"}}]
        spec.path(path=base, parameters=users, operations={
            "get": {
                "operationId": f"{op}.list", "tags": [tag], "summary": f"List {facet.segment}, oldest first",
                # apispec turns component names into references
                "parameters": ["filter", "orderby", "top", "skip", "count", "skiptoken", _select(facet.schema)],
                "responses": _responses({"200": _json(_ref("schemas", collection), "One page of items.")},
                                        READ_ERRORS),
            },
            "post": {
                "operationId": f"{op}.create", "tags": [tag], "summary": f"Create a {facet.type_name}",
                "requestBody": {"required": True, "content": {JSON: {"schema": create_body}},
                                "description": "Read-only properties are ignored, not rejected."},
                "responses": _responses({"201": {**one, "headers": {"Location": {"schema": {"type": "string"}}}}},
                                        WRITE_ERRORS),
            },
        })
        spec.path(path=f"{base}/$count", parameters=users, operations={"get": {
            "operationId": f"{op}.count", "tags": [tag], "summary": f"How many {facet.segment} match `$filter`",
            "parameters": ["filter"],
            "responses": _responses({"200": {"description": "The count, as text.", "content": {"text/plain": {
                "schema": {"type": "integer", "format": "int32", "minimum": 0}}}}}, READ_ERRORS),
        }})
        spec.path(path=f"{base}/{{{item_id}}}", parameters=item, operations={
            "get": {
                "operationId": f"{op}.get", "tags": [tag], "summary": f"Get a {facet.type_name}",
                "parameters": [_select(facet.schema)],
                "responses": _responses({"200": one}, READ_ERRORS),
            },
            "patch": {
                "operationId": f"{op}.update", "tags": [tag], "summary": f"Update a {facet.type_name}",
                "requestBody": {"required": True, "content": {JSON: {"schema": _ref("schemas", type_)}},
                                "description": "Absent properties keep their values; complex values merge, "
                                               "collections replace. Read-only properties and the create-only "
                                               f"{', '.join(CREATE_ONLY)} are ignored."},
                "responses": _responses({"200": one}, WRITE_ERRORS),
            },
            "delete": {
                "operationId": f"{op}.delete", "tags": [tag], "summary": f"Delete a {facet.type_name}",
                "responses": _responses({"204": {"description": "Deleted."}}, READ_ERRORS),
            },
        })


def _add_profile(spec: APISpec, facets: tuple[Facet, ...]) -> None:
    """The profile itself: `id` plus every collection inline; GET and DELETE (PATCH answers 405)."""
    properties = {"id": {"type": "string", "description": "Stable per user."}}
    for facet in facets:
        properties[facet.segment] = {"type": "array", "items": _ref("schemas", type_name(facet.schema))}
    spec.components.schema("microsoft.graph.profile", {
        "type": "object", "properties": properties, "additionalProperties": False,
        "description": "Every collection inline; `$select` and `$expand` answer only the ones they name.",
    })
    spec.components.schema("microsoft.graph.profileEntityResponse", {
        "type": "object", "required": ["@odata.context", "id"],
        "properties": {"@odata.context": {"type": "string"}, **properties}, "additionalProperties": False,
    })
    select = {"name": "$select", "in": "query", "style": "form", "explode": False,
              "description": "Only these collections (and `id`).",
              "schema": {"type": "array", "items": {"type": "string", "enum": list(properties)}, "uniqueItems": True}}
    expand = {"name": "$expand", "in": "query", "schema": {"type": "string"},
              "description": "Only these collections (and `id`), each optionally with its own `$select`: "
                             "`names($select=first,last),skills($select=displayName)`."}
    for form, prefix, user_description in PATH_FORMS:
        spec.path(path=f"{prefix}/profile", parameters=_user_parameter(user_description), operations={
            "get": {
                "operationId": f"{form}.profile.get", "tags": ["profile"],
                "summary": "The profile with every collection inline, each item as its own GET answers it",
                "parameters": [select, expand],
                "responses": _responses({"200": _json(_ref("schemas", "microsoft.graph.profileEntityResponse"),
                                                      "The profile.")}, READ_ERRORS),
            },
            "delete": {
                "operationId": f"{form}.profile.delete", "tags": ["profile"],
                "summary": "Remove every item of every collection (the user stays)",
                "responses": _responses({"204": {"description": "Emptied."}}, READ_ERRORS),
            },
        })
