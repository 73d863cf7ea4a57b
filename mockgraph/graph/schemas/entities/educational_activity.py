"""educationalActivity (`educationalActivities`): a school, degree or course the person took."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.complex import EducationalActivityDetailSchema, InstitutionDataSchema
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class EducationalActivitySchema(ItemFacetSchema):
    graph_type = "educationalActivity"

    completionMonthYear = f.Date()
    endMonthYear = f.Date()
    institution = f.Nested(InstitutionDataSchema)
    program = f.Nested(EducationalActivityDetailSchema)
    startMonthYear = f.Date()
