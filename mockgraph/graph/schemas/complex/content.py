"""Small value types: a text body, a locale, an online service."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphSchema
from mockgraph.graph.schemas.enums import BODY_TYPE


class ItemBodySchema(GraphSchema):
    graph_type = "itemBody"
    content = f.String()
    contentType = f.Enum("bodyType", BODY_TYPE)


class LocaleInfoSchema(GraphSchema):
    graph_type = "localeInfo"
    displayName = f.String()
    locale = f.String()


class ServiceInformationSchema(GraphSchema):
    graph_type = "serviceInformation"
    # Both non-nullable in the OpenAPI: a service sent without them is a 400.
    name = f.String(required=True, allow_none=False)
    webUrl = f.String(required=True, allow_none=False)
