"""personAward (`awards`): an award the person received."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class PersonAwardSchema(ItemFacetSchema):
    graph_type = "personAward"

    description = f.String()
    displayName = f.String(required=True, allow_none=False)
    issuedDate = f.Date()
    issuingAuthority = f.String()
    thumbnailUrl = f.String()
    webUrl = f.String()
