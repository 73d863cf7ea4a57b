"""itemPublication (`publications`): a book, paper or article the person published."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class ItemPublicationSchema(ItemFacetSchema):
    graph_type = "itemPublication"

    description = f.String()
    displayName = f.String(required=True, allow_none=False)
    publishedDate = f.Date()
    publisher = f.String()
    thumbnailUrl = f.String()
    webUrl = f.String()
