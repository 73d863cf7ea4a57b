"""userAccountInformation (`account`): the country, language and UPN of the user's account."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.complex import LocaleInfoSchema, OriginTenantInfoSchema
from mockgraph.graph.schemas.entities.item_facet import READ_ONLY, ItemFacetSchema
from mockgraph.graph.schemas.enums import USER_PERSONA


class UserAccountInformationSchema(ItemFacetSchema):
    graph_type = "userAccountInformation"
    # The directory owns these: ageGroup "can't be changed" (docs), userPrincipalName is the user's own
    # (the server fills it), and the SDK-only originTenantInfo and userPersona describe the directory.
    read_only = READ_ONLY + ("ageGroup", "originTenantInfo", "userPersona", "userPrincipalName")

    ageGroup = f.String()
    countryCode = f.String(required=True, allow_none=False)
    originTenantInfo = f.Nested(OriginTenantInfoSchema)  # SDK 1.66.0 only
    preferredLanguageTag = f.Nested(LocaleInfoSchema)
    userPersona = f.Enum("userPersona", USER_PERSONA)  # SDK 1.66.0 only
    userPrincipalName = f.String(allow_none=False)
