"""user: only what the profile API needs of it (id, userPrincipalName, displayName)."""

from __future__ import annotations

from marshmallow import ValidationError, validates

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphSchema
from mockgraph.graph.schemas.guid import is_guid


class UserSchema(GraphSchema):
    graph_type = "user"
    id = f.String(required=True, allow_none=False)
    userPrincipalName = f.String(required=True, allow_none=False)
    displayName = f.String()

    @validates("id")
    def _id_is_guid(self, value, **kwargs):
        if not is_guid(value):
            raise ValidationError("expected a GUID such as 7c1e4b92-3a5d-4f08-b6e1-9d2a0c4f7e13")

    @validates("userPrincipalName")
    def _upn_shape(self, value, **kwargs):
        if "@" not in value or "/" in value:
            raise ValidationError("expected a userPrincipalName such as adele.vance@contoso.com")
