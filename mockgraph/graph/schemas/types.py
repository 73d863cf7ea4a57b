"""One schema per Graph complex type used by profile facets (names as in microsoft.graph)."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphSchema

PHYSICAL_ADDRESS_TYPES = ("unknown", "home", "business", "other")
PERSON_RELATIONSHIPS = (
    "manager", "colleague", "directReport", "dotLineReport", "assistant", "dotLineManager",
    "alternateContact", "friend", "spouse", "sibling", "child", "parent", "sponsor", "emergencyContact",
    "other", "unknownFutureValue",
)
ALLOWED_AUDIENCES = (
    "me", "family", "contacts", "groupMembers", "organization", "federatedOrganizations", "everyone",
    "unknownFutureValue",
)


class IdentitySchema(GraphSchema):
    graph_type = "identity"
    displayName = f.String()
    id = f.String()


class IdentitySetSchema(GraphSchema):
    graph_type = "identitySet"
    application = f.Nested(IdentitySchema)
    device = f.Nested(IdentitySchema)
    user = f.Nested(IdentitySchema)


class InferenceDataSchema(GraphSchema):
    graph_type = "inferenceData"
    confidenceScore = f.Double()
    userHasVerifiedAccuracy = f.Boolean()


class PersonDataSourcesSchema(GraphSchema):
    graph_type = "personDataSources"
    # The docs type it as one string, the OpenAPI as a list: accept both, store the list.
    type = f.StringCollection(accept_single=True)


class ProfileSourceAnnotationSchema(GraphSchema):
    graph_type = "profileSourceAnnotation"
    isDefaultSource = f.Boolean()
    properties = f.StringCollection()
    sourceId = f.String()


class PhysicalAddressSchema(GraphSchema):
    graph_type = "physicalAddress"
    city = f.String()
    countryOrRegion = f.String()
    postOfficeBox = f.String()
    postalCode = f.String()
    state = f.String()
    street = f.String()
    type = f.Enum("physicalAddressType", PHYSICAL_ADDRESS_TYPES)


class RelatedPersonSchema(GraphSchema):
    graph_type = "relatedPerson"
    displayName = f.String()
    relationship = f.Enum("personRelationship", PERSON_RELATIONSHIPS)
    relationshipLabel = f.String()
    userId = f.String()
    userPrincipalName = f.String()


class CompanyDetailSchema(GraphSchema):
    graph_type = "companyDetail"
    address = f.Nested(PhysicalAddressSchema)
    companyCode = f.String()
    costCenter = f.String()
    department = f.String()
    displayName = f.String(required=True, allow_none=False)
    division = f.String()
    officeLocation = f.String()
    pronunciation = f.String()
    secondaryDepartment = f.String()
    webUrl = f.String()


class PositionDetailSchema(GraphSchema):
    graph_type = "positionDetail"
    company = f.Nested(CompanyDetailSchema)
    description = f.String()
    employeeId = f.String()
    employeeType = f.String()
    endMonthYear = f.Date()
    jobTitle = f.String()
    layer = f.Int32()
    level = f.String()
    role = f.String()
    secondaryJobTitle = f.String()
    secondaryRole = f.String()
    startMonthYear = f.Date()
    summary = f.String()
