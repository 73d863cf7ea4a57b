"""Graph's complex types used by the profile, grouped by what they describe."""

from mockgraph.graph.schemas.complex.addresses import GeoCoordinatesSchema, PhysicalAddressSchema
from mockgraph.graph.schemas.complex.content import ItemBodySchema, LocaleInfoSchema, ServiceInformationSchema
from mockgraph.graph.schemas.complex.education import EducationalActivityDetailSchema, InstitutionDataSchema
from mockgraph.graph.schemas.complex.identity import IdentitySchema, IdentitySetSchema, OriginTenantInfoSchema
from mockgraph.graph.schemas.complex.people import PersonNamePronounciationSchema, RelatedPersonSchema
from mockgraph.graph.schemas.complex.positions import CompanyDetailSchema, PositionDetailSchema
from mockgraph.graph.schemas.complex.provenance import (
    InferenceDataSchema,
    PersonDataSourcesSchema,
    ProfileSourceAnnotationSchema,
)

__all__ = [
    "CompanyDetailSchema",
    "EducationalActivityDetailSchema",
    "GeoCoordinatesSchema",
    "IdentitySchema",
    "IdentitySetSchema",
    "InferenceDataSchema",
    "InstitutionDataSchema",
    "ItemBodySchema",
    "LocaleInfoSchema",
    "OriginTenantInfoSchema",
    "PersonDataSourcesSchema",
    "PersonNamePronounciationSchema",
    "PhysicalAddressSchema",
    "PositionDetailSchema",
    "ProfileSourceAnnotationSchema",
    "RelatedPersonSchema",
    "ServiceInformationSchema",
]
