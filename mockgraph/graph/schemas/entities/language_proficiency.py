"""languageProficiency (`languages`): a language and how well the person uses it."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema
from mockgraph.graph.schemas.enums import LANGUAGE_PROFICIENCY_LEVEL


def _level():
    return f.Enum("languageProficiencyLevel", LANGUAGE_PROFICIENCY_LEVEL)


class LanguageProficiencySchema(ItemFacetSchema):
    graph_type = "languageProficiency"

    displayName = f.String(required=True, allow_none=False)
    proficiency = _level()
    reading = _level()
    spoken = _level()
    tag = f.String()
    thumbnailUrl = f.String()
    written = _level()
