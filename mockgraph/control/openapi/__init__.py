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

from collections.abc import Iterable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from mockgraph.control.openapi.components import (
    EDM_TYPES,
    ERROR,
    ERRORS,
    JSON,
    READ_ERRORS,
    WRITE_ERRORS,
    add_error_components,
    add_query_parameters,
    edm2properties,
    read_only2properties,
    type_name,
)
from mockgraph.control.openapi.paths import PATH_FORMS, add_batch, add_facet, add_profile, add_users
from mockgraph.graph.facets import Facet

__all__ = [
    "DESCRIPTION", "EDM_TYPES", "ERROR", "ERRORS", "JSON", "OPENAPI_VERSION", "PATH_FORMS", "READ_ERRORS",
    "WRITE_ERRORS", "build_document", "edm2properties", "read_only2properties", "type_name",
]

OPENAPI_VERSION = "3.0.3"
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
    add_error_components(spec)
    add_query_parameters(spec)
    both_versions = [*add_users(spec), add_batch(spec)]
    facets = tuple(facets)
    for facet in facets:
        add_facet(spec, facet)
    add_profile(spec, facets)
    document = spec.to_dict()
    for path in both_versions:  # apispec has no path-level servers
        document["paths"][path]["servers"] = [{"url": "/beta"}, {"url": "/v1.0"}]
    return document
