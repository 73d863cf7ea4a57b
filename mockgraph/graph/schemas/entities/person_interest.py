"""personInterest (`interests`): something the person cares about."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class PersonInterestSchema(ItemFacetSchema):
    graph_type = "personInterest"

    categories = f.StringCollection()
    collaborationTags = f.StringCollection()
    description = f.String()
    displayName = f.String(required=True, allow_none=False)
    thumbnailUrl = f.String()
    webUrl = f.String()
