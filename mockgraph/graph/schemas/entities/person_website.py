"""personWebsite (`websites`): a website of or about the person."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class PersonWebsiteSchema(ItemFacetSchema):
    graph_type = "personWebsite"

    categories = f.StringCollection()
    description = f.String()
    displayName = f.String(required=True, allow_none=False)
    thumbnailUrl = f.String()
    webUrl = f.String(required=True, allow_none=False)
