"""itemEmail (`emails`): an email address of the person."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema
from mockgraph.graph.schemas.enums import EMAIL_TYPE


class ItemEmailSchema(ItemFacetSchema):
    graph_type = "itemEmail"

    address = f.String(required=True, allow_none=False)
    displayName = f.String()
    type = f.Enum("emailType", EMAIL_TYPE)
