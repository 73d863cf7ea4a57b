"""Schools and what was studied there (educationalActivity.institution and .program)."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphSchema
from mockgraph.graph.schemas.complex.addresses import PhysicalAddressSchema


class InstitutionDataSchema(GraphSchema):
    graph_type = "institutionData"
    description = f.String()
    displayName = f.String(required=True, allow_none=False)
    location = f.Nested(PhysicalAddressSchema)
    webUrl = f.String()


class EducationalActivityDetailSchema(GraphSchema):
    graph_type = "educationalActivityDetail"
    abbreviation = f.String()
    # String collections in the OpenAPI and the SDK (the docs' resource page says String).
    activities = f.StringCollection()
    awards = f.StringCollection()
    description = f.String()
    displayName = f.String(required=True, allow_none=False)
    fieldsOfStudy = f.StringCollection()
    grade = f.String()
    notes = f.String()
    webUrl = f.String()
