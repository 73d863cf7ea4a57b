"""personName (`names`): a name the person goes by, with its parts."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.complex import PersonNamePronounciationSchema
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class PersonNameSchema(ItemFacetSchema):
    graph_type = "personName"

    displayName = f.String()
    first = f.String()
    initials = f.String()
    languageTag = f.String()
    last = f.String()
    maiden = f.String()
    middle = f.String()
    nickname = f.String()
    pronunciation = f.Nested(PersonNamePronounciationSchema)
    suffix = f.String()
    title = f.String()
