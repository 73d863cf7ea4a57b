"""personAnnotation (`notes`): a free-text note on the profile, such as "About me"."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.complex import ItemBodySchema
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class PersonAnnotationSchema(ItemFacetSchema):
    graph_type = "personAnnotation"

    detail = f.Nested(ItemBodySchema)
    displayName = f.String()
    thumbnailUrl = f.String()
