"""projectParticipation (`projects`): a project the person worked on, for a client."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.complex import CompanyDetailSchema, PositionDetailSchema, RelatedPersonSchema
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class ProjectParticipationSchema(ItemFacetSchema):
    graph_type = "projectParticipation"

    categories = f.StringCollection()
    client = f.Nested(CompanyDetailSchema)
    collaborationTags = f.StringCollection()
    colleagues = f.NestedCollection(RelatedPersonSchema)
    detail = f.Nested(PositionDetailSchema)
    displayName = f.String(required=True, allow_none=False)
    sponsors = f.NestedCollection(RelatedPersonSchema)
    thumbnailUrl = f.String()
