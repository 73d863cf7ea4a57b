"""personAnnualEvent (`anniversaries`): a birthday, wedding or work anniversary."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema
from mockgraph.graph.schemas.enums import PERSON_ANNUAL_EVENT_TYPE


class PersonAnnualEventSchema(ItemFacetSchema):
    graph_type = "personAnnualEvent"
    type_aliases = ("personAnniversary",)  # every docs page's name for this type

    date = f.Date()
    displayName = f.String()
    type = f.Enum("personAnnualEventType", PERSON_ANNUAL_EVENT_TYPE)
