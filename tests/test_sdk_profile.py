"""The official msgraph-beta-sdk, unchanged, on every profile collection and on the profile itself: through
`client.users.by_user_id(u).profile.<collection>` and `client.me().profile.<collection>`, against a live
server and in process under `intercept()` (the `graph_mock` fixture of conftest.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from conftest import ADELE, ADELE_UPN, NESTOR, SEED_PAGE_ID
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.serialization import Parsable
from msgraph_beta.generated.models.allowed_audiences import AllowedAudiences
from msgraph_beta.generated.models.body_type import BodyType
from msgraph_beta.generated.models.company_detail import CompanyDetail
from msgraph_beta.generated.models.educational_activity import EducationalActivity
from msgraph_beta.generated.models.educational_activity_detail import EducationalActivityDetail
from msgraph_beta.generated.models.email_type import EmailType
from msgraph_beta.generated.models.institution_data import InstitutionData
from msgraph_beta.generated.models.item_address import ItemAddress
from msgraph_beta.generated.models.item_body import ItemBody
from msgraph_beta.generated.models.item_email import ItemEmail
from msgraph_beta.generated.models.item_patent import ItemPatent
from msgraph_beta.generated.models.item_phone import ItemPhone
from msgraph_beta.generated.models.item_publication import ItemPublication
from msgraph_beta.generated.models.language_proficiency import LanguageProficiency
from msgraph_beta.generated.models.language_proficiency_level import LanguageProficiencyLevel
from msgraph_beta.generated.models.locale_info import LocaleInfo
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_beta.generated.models.person_annotation import PersonAnnotation
from msgraph_beta.generated.models.person_annual_event import PersonAnnualEvent
from msgraph_beta.generated.models.person_annual_event_type import PersonAnnualEventType
from msgraph_beta.generated.models.person_award import PersonAward
from msgraph_beta.generated.models.person_certification import PersonCertification
from msgraph_beta.generated.models.person_interest import PersonInterest
from msgraph_beta.generated.models.person_name import PersonName
from msgraph_beta.generated.models.person_name_pronounciation import PersonNamePronounciation
from msgraph_beta.generated.models.person_website import PersonWebsite
from msgraph_beta.generated.models.phone_type import PhoneType
from msgraph_beta.generated.models.physical_address import PhysicalAddress
from msgraph_beta.generated.models.physical_address_type import PhysicalAddressType
from msgraph_beta.generated.models.position_detail import PositionDetail
from msgraph_beta.generated.models.profile import Profile
from msgraph_beta.generated.models.project_participation import ProjectParticipation
from msgraph_beta.generated.models.service_information import ServiceInformation
from msgraph_beta.generated.models.skill_proficiency import SkillProficiency
from msgraph_beta.generated.models.skill_proficiency_level import SkillProficiencyLevel
from msgraph_beta.generated.models.user_account_information import UserAccountInformation
from msgraph_beta.generated.models.web_account import WebAccount
from msgraph_beta.generated.models.work_position import WorkPosition
from msgraph_beta.generated.users.item.profile.profile_request_builder import ProfileRequestBuilder

from mockgraph import graph_client
from mockgraph.graph.facets import FACETS

OWNER_UPN = object()  # stands for the userPrincipalName of the user whose profile it is


@dataclass(frozen=True)
class SdkCollection:
    segment: str  # the URL segment (the facet's)
    attr: str  # the SDK's request builder on `profile`
    by_id: str  # the SDK's item request builder method on it
    model: type[Parsable]
    create: Callable[[], Parsable]
    created: tuple[str, object]  # (attribute path, value) the created item answers
    patch: Callable[[], Parsable]  # a partial body, inside a complex value where the type has one
    patched: tuple[str, object]  # (attribute path, value) after the patch
    kept: tuple[str, object]  # what the patch leaves as it was (beside it, in the same complex value if any)

    def __str__(self) -> str:
        return self.segment


TABLE: tuple[SdkCollection, ...] = (
    SdkCollection("account", "account", "by_user_account_information_id", UserAccountInformation,
                  lambda: UserAccountInformation(country_code="NO", preferred_language_tag=LocaleInfo(
                      locale="nb-NO", display_name="Norwegian")),
                  ("user_principal_name", OWNER_UPN),
                  lambda: UserAccountInformation(preferred_language_tag=LocaleInfo(display_name="Norsk bokmål")),
                  ("preferred_language_tag.display_name", "Norsk bokmål"), ("preferred_language_tag.locale", "nb-NO")),
    SdkCollection("addresses", "addresses", "by_item_address_id", ItemAddress,
                  lambda: ItemAddress(display_name="Home", detail=PhysicalAddress(
                      type=PhysicalAddressType.Home, street="221B Baker Street", city="London")),
                  ("detail.type", PhysicalAddressType.Home),
                  lambda: ItemAddress(detail=PhysicalAddress(city="Leeds")),
                  ("detail.city", "Leeds"), ("detail.street", "221B Baker Street")),
    SdkCollection("anniversaries", "anniversaries", "by_person_annual_event_id", PersonAnnualEvent,
                  lambda: PersonAnnualEvent(type=PersonAnnualEventType.Birthday, date=dt.date(1980, 1, 8)),
                  ("date", dt.date(1980, 1, 8)),
                  lambda: PersonAnnualEvent(type=PersonAnnualEventType.Wedding),
                  ("type", PersonAnnualEventType.Wedding), ("date", dt.date(1980, 1, 8))),
    SdkCollection("awards", "awards", "by_person_award_id", PersonAward,
                  lambda: PersonAward(display_name="Lifetime Achievement", issued_date=dt.date(2019, 6, 1)),
                  ("issued_date", dt.date(2019, 6, 1)),
                  lambda: PersonAward(issuing_authority="IABM"),
                  ("issuing_authority", "IABM"), ("display_name", "Lifetime Achievement")),
    SdkCollection("certifications", "certifications", "by_person_certification_id", PersonCertification,
                  lambda: PersonCertification(display_name="Marketing Blackbelt", start_date=dt.date(2018, 1, 1)),
                  ("start_date", dt.date(2018, 1, 1)),
                  lambda: PersonCertification(issuing_company="IAME"),
                  ("issuing_company", "IAME"), ("display_name", "Marketing Blackbelt")),
    SdkCollection("educationalActivities", "educational_activities", "by_educational_activity_id",
                  EducationalActivity,
                  lambda: EducationalActivity(
                      start_month_year=dt.date(2014, 9, 1),
                      institution=InstitutionData(display_name="Colorado State University"),
                      program=EducationalActivityDetail(display_name="MBA", fields_of_study=["Finance"])),
                  ("program.fields_of_study", ["Finance"]),
                  lambda: EducationalActivity(institution=InstitutionData(web_url="https://www.colostate.edu")),
                  ("institution.web_url", "https://www.colostate.edu"),
                  ("institution.display_name", "Colorado State University")),
    SdkCollection("emails", "emails", "by_item_email_id", ItemEmail,
                  lambda: ItemEmail(address="adele@fabrikam.com", type=EmailType.Work),
                  ("type", EmailType.Work),
                  lambda: ItemEmail(type=EmailType.Personal),
                  ("type", EmailType.Personal), ("address", "adele@fabrikam.com")),
    SdkCollection("interests", "interests", "by_person_interest_id", PersonInterest,
                  lambda: PersonInterest(display_name="Chelsea FC", categories=["Sports"]),
                  ("categories", ["Sports"]),
                  lambda: PersonInterest(description="World's greatest football club"),
                  ("description", "World's greatest football club"), ("display_name", "Chelsea FC")),
    SdkCollection("languages", "languages", "by_language_proficiency_id", LanguageProficiency,
                  lambda: LanguageProficiency(display_name="Norwegian", tag="nb-NO",
                                              spoken=LanguageProficiencyLevel.NativeOrBilingual),
                  ("spoken", LanguageProficiencyLevel.NativeOrBilingual),
                  lambda: LanguageProficiency(written=LanguageProficiencyLevel.FullProfessional),
                  ("written", LanguageProficiencyLevel.FullProfessional),
                  ("spoken", LanguageProficiencyLevel.NativeOrBilingual)),
    SdkCollection("names", "names", "by_person_name_id", PersonName,
                  lambda: PersonName(display_name="Ada Vance", first="Ada", last="Vance",
                                     pronunciation=PersonNamePronounciation(first="AY-da", last="VANCE")),
                  ("pronunciation.first", "AY-da"),
                  lambda: PersonName(pronunciation=PersonNamePronounciation(first="AH-da")),
                  ("pronunciation.first", "AH-da"), ("pronunciation.last", "VANCE")),
    SdkCollection("notes", "notes", "by_person_annotation_id", PersonAnnotation,
                  lambda: PersonAnnotation(display_name="About me", detail=ItemBody(
                      content="From Oslo.", content_type=BodyType.Text)),
                  ("detail.content_type", BodyType.Text),
                  lambda: PersonAnnotation(detail=ItemBody(content="From Bergen.")),
                  ("detail.content", "From Bergen."), ("detail.content_type", BodyType.Text)),
    SdkCollection("patents", "patents", "by_item_patent_id", ItemPatent,
                  lambda: ItemPatent(display_name="Inferring intent", is_pending=True, number="USPTO-1"),
                  ("is_pending", True),
                  lambda: ItemPatent(is_pending=False, issued_date=dt.date(2024, 5, 7)),
                  ("issued_date", dt.date(2024, 5, 7)), ("number", "USPTO-1")),
    SdkCollection("phones", "phones", "by_item_phone_id", ItemPhone,
                  lambda: ItemPhone(display_name="Car phone", number="+47 22 00 00 00", type=PhoneType.Mobile),
                  ("type", PhoneType.Mobile),
                  lambda: ItemPhone(type=PhoneType.Home),
                  ("type", PhoneType.Home), ("number", "+47 22 00 00 00")),
    SdkCollection("positions", "positions", "by_work_position_id", WorkPosition,
                  lambda: WorkPosition(is_current=True, detail=PositionDetail(
                      job_title="Tester", company=CompanyDetail(display_name="Fabrikam", department="QA"))),
                  ("detail.company.department", "QA"),
                  lambda: WorkPosition(detail=PositionDetail(job_title="Lead tester")),
                  ("detail.job_title", "Lead tester"), ("detail.company.display_name", "Fabrikam")),
    SdkCollection("projects", "projects", "by_project_participation_id", ProjectParticipation,
                  lambda: ProjectParticipation(display_name="Contoso re-branding", categories=["Branding"],
                                               client=CompanyDetail(display_name="Contoso Ltd.")),
                  ("client.display_name", "Contoso Ltd."),
                  lambda: ProjectParticipation(client=CompanyDetail(web_url="https://www.contoso.com")),
                  ("client.web_url", "https://www.contoso.com"), ("client.display_name", "Contoso Ltd.")),
    SdkCollection("publications", "publications", "by_item_publication_id", ItemPublication,
                  lambda: ItemPublication(display_name="Got Brands?", published_date=dt.date(2020, 3, 1)),
                  ("published_date", dt.date(2020, 3, 1)),
                  lambda: ItemPublication(publisher="IABM"),
                  ("publisher", "IABM"), ("display_name", "Got Brands?")),
    SdkCollection("skills", "skills", "by_skill_proficiency_id", SkillProficiency,
                  lambda: SkillProficiency(display_name="API Design",
                                           proficiency=SkillProficiencyLevel.GeneralProfessional),
                  ("proficiency", SkillProficiencyLevel.GeneralProfessional),
                  lambda: SkillProficiency(proficiency=SkillProficiencyLevel.Expert),
                  ("proficiency", SkillProficiencyLevel.Expert), ("display_name", "API Design")),
    SdkCollection("webAccounts", "web_accounts", "by_web_account_id", WebAccount,
                  lambda: WebAccount(user_id="adele", service=ServiceInformation(
                      name="GitHub", web_url="https://github.com")),
                  ("web_url", "https://github.com/adele"),  # derived by the server, as Microsoft's example
                  lambda: WebAccount(service=ServiceInformation(name="GitHub Enterprise")),
                  ("service.name", "GitHub Enterprise"), ("service.web_url", "https://github.com")),
    SdkCollection("websites", "websites", "by_person_website_id", PersonWebsite,
                  lambda: PersonWebsite(display_name="Lyn Damer", web_url="https://www.lyndamer.no"),
                  ("web_url", "https://www.lyndamer.no"),
                  lambda: PersonWebsite(description="Football"),
                  ("description", "Football"), ("web_url", "https://www.lyndamer.no")),
)
FORMS = {"me": (ADELE, ADELE_UPN), "users": (NESTOR, "nestor.wilke@contoso.com")}


def test_the_table_holds_every_collection_once():
    assert [row.segment for row in TABLE] == [facet.segment for facet in FACETS]
    assert [row.attr for row in TABLE] == [attr for attr in vars(ProfileRequestBuilder)
                                           if not attr.startswith(("_", "to_", "with_")) and attr not in
                                           ("get", "patch", "delete") and not attr[0].isupper()]


def attribute(model, path: str):
    for name in path.split("."):
        model = getattr(model, name)
    return model


def expected(value, owner_upn: str):
    return owner_upn if value is OWNER_UPN else value


def profile_of(client, form: str):
    return client.me().profile if form == "me" else client.users.by_user_id(FORMS[form][0]).profile


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("row", TABLE, ids=str)
def test_create_get_patch_list_delete(graph_mock, row, form):
    owner, owner_upn = FORMS[form]

    async def scenario():
        collection = getattr(profile_of(graph_client(graph_mock.base_url), form), row.attr)

        created = await collection.post(row.create())
        assert isinstance(created, row.model) and created.id
        assert attribute(created, row.created[0]) == expected(row.created[1], owner_upn)
        assert created.allowed_audiences == [AllowedAudiences.Organization]
        assert created.created_by.user.id == ADELE  # who called (the default token's user), on any profile
        assert created.created_date_time.tzinfo is not None

        item = getattr(collection, row.by_id)(created.id)
        fetched = await item.get()
        assert isinstance(fetched, row.model) and fetched.id == created.id
        assert attribute(fetched, row.created[0]) == expected(row.created[1], owner_upn)

        patched = await item.patch(row.patch())
        assert attribute(patched, row.patched[0]) == row.patched[1]
        assert attribute(patched, row.kept[0]) == row.kept[1]
        assert patched.last_modified_date_time >= fetched.last_modified_date_time
        # The fetched object sent back whole, read-only properties and all, as SDK users do: accepted.
        resent = await item.patch(fetched)
        assert resent.id == created.id and attribute(resent, row.kept[0]) == row.kept[1]

        listed = await collection.get()
        assert all(isinstance(each, row.model) for each in listed.value)
        assert created.id in [each.id for each in listed.value]
        assert await collection.count.get() == len(listed.value)
        stored = next(user for user in graph_mock.state()["users"] if user["id"] == owner)
        assert stored[row.segment][-1]["id"] == created.id  # on the owner's profile, last in stored order

        assert await item.delete() is None
        with pytest.raises(ODataError) as missing:
            await item.get()
        assert missing.value.response_status_code == 404
        assert missing.value.error.code == "itemNotFound" and created.id in missing.value.error.message

    asyncio.run(scenario())


def test_the_profile_with_every_collection_deserialised(graph_mock):
    async def scenario():
        client = graph_client(graph_mock.base_url)
        profile = await client.me().profile.get()
        assert isinstance(profile, Profile) and profile.id
        for row in TABLE:
            items = getattr(profile, row.attr)
            assert items and all(isinstance(item, row.model) and item.id for item in items), row.segment
            own = await getattr(client.me().profile, row.attr).get()
            assert [item.id for item in items] == [item.id for item in own.value], row.segment
        assert profile.names[0].display_name == "Adele Vance" and profile.names[0].first == "Adele"
        assert profile.account[0].user_principal_name == ADELE_UPN
        assert profile.emails[0].type == EmailType.Work and profile.emails[0].address == ADELE_UPN
        assert {skill.proficiency for skill in profile.skills} <= set(SkillProficiencyLevel)
        assert profile.languages[0].spoken == LanguageProficiencyLevel.NativeOrBilingual
        assert profile.anniversaries[0].date == dt.date(1992, 3, 14)
        assert profile.educational_activities[0].program.fields_of_study == ["Marketing", "Communications"]
        seed_page = next(p for p in profile.positions if p.id == SEED_PAGE_ID)
        assert seed_page.allowed_audiences == [AllowedAudiences.Contacts, AllowedAudiences.Organization]
        assert seed_page.manager.user_id == NESTOR

        nestor = await client.users.by_user_id(NESTOR).profile.get()
        assert nestor.id != profile.id and nestor.names[0].display_name == "Nestor Wilke"

    asyncio.run(scenario())


def test_the_profile_with_select_and_expand(graph_mock):
    Query = ProfileRequestBuilder.ProfileRequestBuilderGetQueryParameters

    async def scenario():
        profile = graph_client(graph_mock.base_url).me().profile
        expanded = await profile.get(RequestConfiguration(query_parameters=Query(
            expand=["names($select=first,last)", "skills($select=displayName)"])))
        assert [(n.first, n.last, n.display_name) for n in expanded.names] == [("Adele", "Vance", None)]
        assert expanded.skills and all(s.display_name and s.proficiency is None for s in expanded.skills)
        assert expanded.positions is None and expanded.account is None
        selected = await profile.get(RequestConfiguration(query_parameters=Query(select=["languages"])))
        assert selected.languages and selected.names is None

    asyncio.run(scenario())


def test_delete_the_profile_then_patch_is_refused(graph_mock):
    async def scenario():
        client = graph_client(graph_mock.base_url)
        assert await client.users.by_user_id(NESTOR).profile.delete() is None
        emptied = await client.users.by_user_id(NESTOR).profile.get()
        assert all(getattr(emptied, row.attr) == [] for row in TABLE)
        assert (await client.me().profile.get()).skills  # another user's profile keeps its items
        with pytest.raises(ODataError) as refused:
            await client.me().profile.patch(Profile())
        assert refused.value.response_status_code == 405

    asyncio.run(scenario())
