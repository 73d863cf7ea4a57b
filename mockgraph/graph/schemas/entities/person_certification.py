"""personCertification (`certifications`): a certificate the person holds."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema


class PersonCertificationSchema(ItemFacetSchema):
    graph_type = "personCertification"

    certificationId = f.String()
    description = f.String()
    displayName = f.String(required=True, allow_none=False)
    endDate = f.Date()
    issuedDate = f.Date()
    issuingAuthority = f.String()
    issuingCompany = f.String()
    startDate = f.Date()
    thumbnailUrl = f.String()
    webUrl = f.String()
