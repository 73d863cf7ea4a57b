"""Places: a postal address and a point on the globe."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphSchema
from mockgraph.graph.schemas.enums import PHYSICAL_ADDRESS_TYPE


class PhysicalAddressSchema(GraphSchema):
    graph_type = "physicalAddress"
    city = f.String()
    countryOrRegion = f.String()
    postOfficeBox = f.String()
    postalCode = f.String()
    state = f.String()
    street = f.String()
    type = f.Enum("physicalAddressType", PHYSICAL_ADDRESS_TYPE)


class GeoCoordinatesSchema(GraphSchema):
    graph_type = "geoCoordinates"
    altitude = f.Double()
    latitude = f.Double()
    longitude = f.Double()
