"""workPosition (`positions`): a job a person holds or held."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.complex import PositionDetailSchema, RelatedPersonSchema
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class WorkPositionSchema(ItemFacetSchema):
    graph_type = "workPosition"

    categories = f.StringCollection()
    colleagues = f.NestedCollection(RelatedPersonSchema)
    # The seed page marks detail Required; the published docs agree it always exists (CONTRACT §3).
    detail = f.Nested(PositionDetailSchema, required=True, allow_none=False)
    isCurrent = f.Boolean()
    manager = f.Nested(RelatedPersonSchema)
