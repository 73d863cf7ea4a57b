"""itemAddress (`addresses`): a postal address of the person."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.complex import GeoCoordinatesSchema, PhysicalAddressSchema
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class ItemAddressSchema(ItemFacetSchema):
    graph_type = "itemAddress"

    detail = f.Nested(PhysicalAddressSchema)
    displayName = f.String()
    geoCoordinates = f.Nested(GeoCoordinatesSchema)
