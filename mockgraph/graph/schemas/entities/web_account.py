"""webAccount (`webAccounts`): the person's account on an online service (GitHub, ...)."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.complex import ServiceInformationSchema
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class WebAccountSchema(ItemFacetSchema):
    graph_type = "webAccount"

    description = f.String()
    service = f.Nested(ServiceInformationSchema)
    statusMessage = f.String()
    thumbnailUrl = f.String()
    userId = f.String(required=True, allow_none=False)
    webUrl = f.String()
