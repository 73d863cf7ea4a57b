"""itemFacet: the abstract base of every profile facet (workPosition, skills, languages, ...)."""

from __future__ import annotations

from marshmallow import ValidationError, pre_load

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphMessage, GraphSchema
from mockgraph.graph.schemas.types import (
    ALLOWED_AUDIENCES,
    IdentitySetSchema,
    InferenceDataSchema,
    PersonDataSourcesSchema,
    ProfileSourceAnnotationSchema,
)

# What the server owns: kept from fixtures, ignored (not rejected) in requests, since the SDK
# re-sends them when it patches an object it fetched.
SERVER_MANAGED = ("id", "createdBy", "createdDateTime", "lastModifiedBy", "lastModifiedDateTime")
READ_ONLY = SERVER_MANAGED + ("isSearchable", "sources")
# Settable on create only: the update docs do not list it.
CREATE_ONLY = ("source",)


class ItemFacetSchema(GraphSchema):
    graph_type = "itemFacet"

    id = f.String()
    allowedAudiences = f.FlagsEnum("allowedAudiences", ALLOWED_AUDIENCES)
    inference = f.Nested(InferenceDataSchema)
    createdDateTime = f.DateTimeOffset()
    createdBy = f.Nested(IdentitySetSchema)
    lastModifiedDateTime = f.DateTimeOffset()
    lastModifiedBy = f.Nested(IdentitySetSchema)
    source = f.Nested(PersonDataSourcesSchema)
    sources = f.NestedCollection(ProfileSourceAnnotationSchema)
    isSearchable = f.Boolean()

    @pre_load
    def _check_type_and_drop_read_only(self, data, **kwargs):
        if not isinstance(data, dict):
            raise ValidationError(f"expected an object of type microsoft.graph.{self.graph_type}")
        odata_type = data.get("@odata.type")
        expected = f"microsoft.graph.{self.graph_type}"
        if odata_type is not None and (not isinstance(odata_type, str) or odata_type.lstrip("#") != expected):
            raise ValidationError(
                GraphMessage(
                    f"A type named '{odata_type}' could not be resolved by the model: the body must be a "
                    f"#microsoft.graph.{self.graph_type}."
                )
            )
        if self.mode == "stored":
            return data
        ignored = READ_ONLY + (CREATE_ONLY if self.mode == "update" else ())
        return {k: v for k, v in data.items() if k not in ignored}
