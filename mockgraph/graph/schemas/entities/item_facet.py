"""itemFacet: the abstract base of every profile item type (workPosition, skillProficiency, ...)."""

from __future__ import annotations

from marshmallow import ValidationError, pre_load

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphMessage, GraphSchema
from mockgraph.graph.schemas.complex import (
    IdentitySetSchema,
    InferenceDataSchema,
    PersonDataSourcesSchema,
    ProfileSourceAnnotationSchema,
)
from mockgraph.graph.schemas.enums import ALLOWED_AUDIENCES

# What the server owns: kept from fixtures, ignored (not rejected) in requests, since the SDK
# re-sends them when it patches an object it fetched.
SERVER_MANAGED = ("id", "createdBy", "createdDateTime", "lastModifiedBy", "lastModifiedDateTime")
READ_ONLY = SERVER_MANAGED + ("isSearchable", "sources")
# Settable on create only: the update docs do not list it.
CREATE_ONLY = ("source",)


class ItemFacetSchema(GraphSchema):
    graph_type = "itemFacet"
    # Older names of the same type that requests may give in `@odata.type` (the docs' names).
    type_aliases: tuple[str, ...] = ()
    # Ignored in request bodies; a type adds the ones the directory owns.
    read_only: tuple[str, ...] = READ_ONLY

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

    @classmethod
    def accepts_type(cls, odata_type) -> bool:
        """Whether `@odata.type` names this type (with or without `#`), or one of its older names."""
        if not isinstance(odata_type, str):
            return False
        name = odata_type.lstrip("#")
        return name in {f"microsoft.graph.{n}" for n in (cls.graph_type, *cls.type_aliases)}

    @pre_load
    def _check_type_and_drop_read_only(self, data, **kwargs):
        if not isinstance(data, dict):
            raise ValidationError(f"expected an object of type microsoft.graph.{self.graph_type}")
        odata_type = data.get("@odata.type")
        if odata_type is not None and not self.accepts_type(odata_type):
            raise ValidationError(
                GraphMessage(
                    f"A type named '{odata_type}' could not be resolved by the model: the body must be a "
                    f"#microsoft.graph.{self.graph_type}."
                )
            )
        if self.mode == "stored":
            return data
        ignored = self.read_only + (CREATE_ONLY if self.mode == "update" else ())
        return {k: v for k, v in data.items() if k not in ignored}
