"""The profile collections the mock serves: one registration each. Another collection is one schema in
`schemas/entities/` plus one entry here; routes, store, fixtures, queries, the profile itself and the
OpenAPI document are generic over this list and never name a collection."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mockgraph.graph import schemas as s

# Every create example of Microsoft's answers "organization" for a body without allowedAudiences.
ORGANIZATION: Mapping[str, object] = MappingProxyType({"allowedAudiences": "organization"})

# Fills, in a stored or about-to-be-stored item, what the user's own data decides (CONTRACT §11).
Derive = Callable[[dict, Mapping], None]


@dataclass(frozen=True)
class Facet:
    segment: str  # URL segment under /profile, the name in the profile's body, the key in fixture files
    schema: type[s.ItemFacetSchema]
    defaults: Mapping[str, object] = field(default_factory=lambda: ORGANIZATION)  # on create and fixture items
    derive: Derive | None = None  # run on every create, update and fixture item

    @property
    def type_name(self) -> str:
        return self.schema.graph_type


def account_user_principal_name(doc: dict, user: Mapping) -> None:
    """`account.userPrincipalName` is the user's own UPN: read-only, never null."""
    if not doc.get("userPrincipalName"):
        doc["userPrincipalName"] = user["userPrincipalName"]


def web_account_url(doc: dict, user: Mapping) -> None:
    """A webAccount without `webUrl`: the service's address joined with `userId`, as Microsoft's
    create example answers (`https://github.com` + `innocenty.popov`)."""
    service = doc.get("service")
    if not doc.get("webUrl") and service and service.get("webUrl") and doc.get("userId"):
        doc["webUrl"] = f"{service['webUrl'].rstrip('/')}/{doc['userId']}"


# In the OpenAPI's order of profile's navigation properties (the order `GET /profile` answers them in).
FACETS: tuple[Facet, ...] = (
    Facet("account", s.UserAccountInformationSchema, derive=account_user_principal_name),
    Facet("addresses", s.ItemAddressSchema),
    Facet("anniversaries", s.PersonAnnualEventSchema),
    Facet("awards", s.PersonAwardSchema),
    Facet("certifications", s.PersonCertificationSchema),
    Facet("educationalActivities", s.EducationalActivitySchema),
    Facet("emails", s.ItemEmailSchema),
    Facet("interests", s.PersonInterestSchema),
    Facet("languages", s.LanguageProficiencySchema),
    Facet("names", s.PersonNameSchema),
    Facet("notes", s.PersonAnnotationSchema),
    Facet("patents", s.ItemPatentSchema),
    Facet("phones", s.ItemPhoneSchema),
    Facet("positions", s.WorkPositionSchema),
    Facet("projects", s.ProjectParticipationSchema),
    Facet("publications", s.ItemPublicationSchema),
    Facet("skills", s.SkillProficiencySchema),
    Facet("webAccounts", s.WebAccountSchema, derive=web_account_url),
    Facet("websites", s.PersonWebsiteSchema),
)
