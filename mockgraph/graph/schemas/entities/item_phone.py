"""itemPhone (`phones`): a phone number of the person."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema
from mockgraph.graph.schemas.enums import PHONE_TYPE


class ItemPhoneSchema(ItemFacetSchema):
    graph_type = "itemPhone"

    displayName = f.String()
    number = f.String(required=True, allow_none=False)
    type = f.Enum("phoneType", PHONE_TYPE)
