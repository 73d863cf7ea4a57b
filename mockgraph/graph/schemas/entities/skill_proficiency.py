"""skillProficiency (`skills`): a skill and how well the person has it."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema
from mockgraph.graph.schemas.enums import SKILL_PROFICIENCY_LEVEL


class SkillProficiencySchema(ItemFacetSchema):
    graph_type = "skillProficiency"

    categories = f.StringCollection()
    collaborationTags = f.StringCollection()
    displayName = f.String(required=True, allow_none=False)
    proficiency = f.Enum("skillProficiencyLevel", SKILL_PROFICIENCY_LEVEL)
    thumbnailUrl = f.String()
    webUrl = f.String()
