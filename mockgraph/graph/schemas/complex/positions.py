"""Jobs and the organisations they are at (workPosition.detail, projectParticipation.client)."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphSchema
from mockgraph.graph.schemas.complex.addresses import PhysicalAddressSchema


class CompanyDetailSchema(GraphSchema):
    graph_type = "companyDetail"
    address = f.Nested(PhysicalAddressSchema)
    companyCode = f.String()
    costCenter = f.String()  # SDK 1.66.0 only
    department = f.String()
    displayName = f.String(required=True, allow_none=False)
    division = f.String()  # SDK 1.66.0 only
    officeLocation = f.String()
    pronunciation = f.String()
    secondaryDepartment = f.String()
    webUrl = f.String()


class PositionDetailSchema(GraphSchema):
    graph_type = "positionDetail"
    company = f.Nested(CompanyDetailSchema)
    description = f.String()
    employeeId = f.String()  # SDK 1.66.0 only
    employeeType = f.String()  # SDK 1.66.0 only
    endMonthYear = f.Date()
    jobTitle = f.String()
    layer = f.Int32()
    level = f.String()
    role = f.String()
    secondaryJobTitle = f.String()
    secondaryRole = f.String()
    startMonthYear = f.Date()
    summary = f.String()
