"""itemPatent (`patents`): a patent the person holds or filed."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class ItemPatentSchema(ItemFacetSchema):
    graph_type = "itemPatent"

    description = f.String()
    displayName = f.String(required=True, allow_none=False)
    isPending = f.Boolean()
    issuedDate = f.Date()
    issuingAuthority = f.String()
    number = f.String()
    webUrl = f.String()
