"""The document's paths: users, `$batch`, each facet's collection and items, and the profile itself."""

from __future__ import annotations

from collections.abc import Iterable

from apispec import APISpec

from mockgraph.control.openapi.components import ERRORS, JSON, READ_ERRORS, WRITE_ERRORS, add_entity, ref, type_name
from mockgraph.graph import schemas
from mockgraph.graph.batch_format import MAX_REQUESTS, METHODS
from mockgraph.graph.facets import Facet
from mockgraph.graph.schemas.entities.item_facet import CREATE_ONLY
from mockgraph.graph.schemas.entities.user import UserSchema

PATH_FORMS = (
    ("users", "/users/{user}", "the user's object id or userPrincipalName"),
    ("user", "/user/{user}", "the user's object id or userPrincipalName (the early draft's singular path)"),
    ("me", "/me", None),
)


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


def _add_collection(spec: APISpec, type_: str, noun: str, *, counted: bool) -> str:
    """The component of a page of `type_` (`{type}CollectionResponse`); `counted`: it may carry `@odata.count`."""
    properties: dict = {"@odata.context": {"type": "string"}}
    if counted:
        properties["@odata.count"] = {"type": "integer", "minimum": 0}
    properties["@odata.nextLink"] = {"type": "string", "description": f"The next page, when more {noun} remain."}
    properties["value"] = {"type": "array", "items": ref("schemas", type_)}
    collection = f"{type_}CollectionResponse"
    spec.components.schema(collection, {"type": "object", "required": ["@odata.context", "value"],
                                        "properties": properties, "additionalProperties": False})
    return collection


def add_users(spec: APISpec) -> list[str]:
    """`GET /users`, `GET /users/{user}` and `GET /me`, served on v1.0 too. Returns their paths."""
    type_, entity = add_entity(spec, UserSchema)
    collection = _add_collection(spec, type_, "users", counted=False)
    spec.path(path="/users", operations={"get": {
        "operationId": "users.list", "tags": ["users"], "summary": "List users, in object id order",
        "parameters": ["filter", "top", "skiptoken", _select(UserSchema)],
        "responses": _responses({"200": _json(ref("schemas", collection), "One page of users.")}, READ_ERRORS),
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
                "responses": _responses({"200": _json(ref("schemas", entity), "The user.")}, READ_ERRORS),
            }},
        )
    return paths


def add_batch(spec: APISpec) -> str:
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
        "requestBody": {"required": True, "content": {JSON: {"schema": ref("schemas", "BatchRequest")}}},
        "responses": _responses({"200": _json(ref("schemas", "BatchResponse"), "Each request's answer, in order.")},
                                (400, 401, 413, 429)),
    }})
    return "/$batch"


def add_facet(spec: APISpec, facet: Facet) -> None:
    type_, entity = add_entity(spec, facet.schema)
    collection = _add_collection(spec, type_, "items", counted=True)
    required = sorted(name for name, field in schemas.instance(facet.schema).fields.items() if field.required)
    create_body = {"allOf": [ref("schemas", type_), {"required": required}]} if required else ref("schemas", type_)
    item_id = f"{facet.type_name}-id"
    tag = f"profile.{facet.segment}"
    one = _json(ref("schemas", entity), f"The {facet.type_name}.")
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
                "responses": _responses({"200": _json(ref("schemas", collection), "One page of items.")},
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
                "requestBody": {"required": True, "content": {JSON: {"schema": ref("schemas", type_)}},
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


def add_profile(spec: APISpec, facets: tuple[Facet, ...]) -> None:
    """The profile itself: `id` plus every collection inline; GET and DELETE (PATCH answers 405)."""
    properties = {"id": {"type": "string", "description": "Stable per user."}}
    for facet in facets:
        properties[facet.segment] = {"type": "array", "items": ref("schemas", type_name(facet.schema))}
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
                "responses": _responses({"200": _json(ref("schemas", "microsoft.graph.profileEntityResponse"),
                                                      "The profile.")}, READ_ERRORS),
            },
            "delete": {
                "operationId": f"{form}.profile.delete", "tags": ["profile"],
                "summary": "Remove every item of every collection (the user stays)",
                "responses": _responses({"204": {"description": "Emptied."}}, READ_ERRORS),
            },
        })
