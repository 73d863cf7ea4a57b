"""Who did something, and where an account comes from."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphSchema


class IdentitySchema(GraphSchema):
    graph_type = "identity"
    displayName = f.String()
    id = f.String()


class IdentitySetSchema(GraphSchema):
    graph_type = "identitySet"
    application = f.Nested(IdentitySchema)
    device = f.Nested(IdentitySchema)
    user = f.Nested(IdentitySchema)


class OriginTenantInfoSchema(GraphSchema):
    """userAccountInformation.originTenantInfo: declared by the SDK 1.66.0, not by the OpenAPI copy."""

    graph_type = "originTenantInfo"
    originTenantId = f.String()
    originUserId = f.String()
