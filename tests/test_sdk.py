"""The official msgraph-beta-sdk, unchanged, against a live server and in process under `intercept()`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo
from conftest import ADELE, ADELE_UPN, NESTOR, SEED_PAGE_ID
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta import GraphServiceClient
from msgraph_beta.generated.models.allowed_audiences import AllowedAudiences
from msgraph_beta.generated.models.company_detail import CompanyDetail
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_beta.generated.models.position_detail import PositionDetail
from msgraph_beta.generated.models.work_position import WorkPosition
from msgraph_beta.generated.users.item.profile.positions.positions_request_builder import PositionsRequestBuilder

from mockgraph import AsyncMockCredential, MockCredential, graph_client, intercept
from mockgraph.graph.tokens import b64url_decode

Query = PositionsRequestBuilder.PositionsRequestBuilderGetQueryParameters


@pytest.fixture
def base_url(graph_mock):
    """Where the SDK points: a live mock over HTTP, or graph.microsoft.com under `intercept()` (conftest)."""
    return graph_mock.base_url


def new_position(title: str) -> WorkPosition:
    return WorkPosition(
        detail=PositionDetail(job_title=title, start_month_year=dt.date(2024, 3, 1),
                              company=CompanyDetail(display_name="Fabrikam", department="Platform")),
        is_current=True,
        categories=["engineering"],
    )


def test_create_get_patch_list_delete_through_me(base_url):
    async def scenario():
        client = graph_client(base_url)
        positions = client.me().profile.positions

        created = await positions.post(new_position("SDK Engineer"))
        assert created.id and created.detail.job_title == "SDK Engineer"
        assert created.allowed_audiences == [AllowedAudiences.Organization]
        assert created.created_by.user.id == ADELE
        assert created.created_date_time.tzinfo is not None

        item = positions.by_work_position_id(created.id)
        fetched = await item.get()
        assert fetched.detail.start_month_year == dt.date(2024, 3, 1)
        assert fetched.detail.company.department == "Platform"

        # A partial body: what it omits inside detail keeps its value.
        patched = await item.patch(WorkPosition(detail=PositionDetail(job_title="Staff SDK Engineer")))
        assert patched.detail.job_title == "Staff SDK Engineer"
        assert patched.detail.company.display_name == "Fabrikam"
        # The fetched object sent back whole (read-only properties included), as SDK users do.
        fetched.is_current = False
        assert (await item.patch(fetched)).is_current is False

        listed = await positions.get()
        assert created.id in [position.id for position in listed.value]
        filtered = await positions.get(RequestConfiguration(
            query_parameters=Query(filter="detail/jobTitle eq 'SDK Engineer'", count=True, top=5)))
        assert [position.id for position in filtered.value] == [created.id]
        assert filtered.odata_count == 1
        assert await positions.count.get() == len(listed.value)

        assert await item.delete() is None
        with pytest.raises(ODataError) as missing:
            await item.get()
        assert missing.value.response_status_code == 404
        assert missing.value.error.code == "itemNotFound"
        assert created.id in missing.value.error.message

    asyncio.run(scenario())


def test_a_user_by_principal_name(base_url):
    async def scenario():
        client = graph_client(base_url)
        user = client.users.by_user_id(ADELE_UPN)
        assert (await user.get()).id == ADELE
        positions = await user.profile.positions.get()
        assert SEED_PAGE_ID in [position.id for position in positions.value]
        seed_page = await user.profile.positions.by_work_position_id(SEED_PAGE_ID).get()
        assert seed_page.is_current is True
        with pytest.raises(ODataError) as unknown:
            await client.users.by_user_id("nobody@contoso.com").profile.positions.get()
        assert unknown.value.response_status_code == 404
        assert unknown.value.error.code == "Request_ResourceNotFound"

    asyncio.run(scenario())


def test_the_credentials_claims_decide_who_calls_and_what_they_may_do(base_url):
    async def scenario():
        reader = graph_client(base_url, MockCredential(oid=NESTOR, scp="User.Read", name="Nestor"))
        mine = await reader.me().profile.positions.get()
        assert mine.value and all(position.created_by.user.id == NESTOR for position in mine.value)
        with pytest.raises(ODataError) as denied:
            await reader.me().profile.positions.post(new_position("Not allowed"))
        assert denied.value.response_status_code == 403
        assert denied.value.error.code == "Authorization_RequestDenied"

        writer = graph_client(base_url, AsyncMockCredential(oid=NESTOR, scp=["User.ReadWrite"]))
        created = await writer.me().profile.positions.post(new_position("Allowed"))
        assert created.created_by.user.id == NESTOR
        await writer.me().profile.positions.by_work_position_id(created.id).delete()

        expired = graph_client(base_url, MockCredential(expires_in=-60))
        with pytest.raises(ODataError) as rejected:
            await expired.me().get()
        assert rejected.value.response_status_code == 401
        assert rejected.value.error.code == "InvalidAuthenticationToken"

    asyncio.run(scenario())


def test_a_client_built_the_production_way_is_served_in_process():
    """Under intercept() the app's own client construction is unchanged: only the credential differs."""
    with intercept() as graph:
        client = GraphServiceClient(credentials=MockCredential(oid=ADELE, scp="User.Read"),
                                    scopes=["https://graph.microsoft.com/.default"])
        assert asyncio.run(client.me().get()).id == ADELE
        assert graph.requests.find_one(method="GET", path="/me")["caller"]["userId"] == ADELE


def claims_of(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[1]))


def test_mock_credential_mints_tokens_with_its_claims_and_no_network():
    credential = MockCredential(oid=ADELE, scp=["User.Read", "User.ReadWrite"], roles=["User.Read.All"], tid="t1")
    token = credential.get_token("https://graph.microsoft.com/.default", claims=None, enable_cae=True)
    assert isinstance(token, AccessToken)
    claims = claims_of(token.token)
    assert claims["oid"] == ADELE and claims["scp"] == "User.Read User.ReadWrite"
    assert claims["roles"] == ["User.Read.All"] and claims["tid"] == "t1"
    assert claims["exp"] == pytest.approx(token.expires_on, abs=1)
    info = credential.get_token_info("https://graph.microsoft.com/.default")
    assert isinstance(info, AccessTokenInfo) and claims_of(info.token)["oid"] == ADELE
    with credential as same:
        assert same is credential
    forever = MockCredential(expires_in=None).get_token("scope")
    assert "exp" not in claims_of(forever.token) and forever.expires_on > 2_000_000_000


def test_async_mock_credential_awaits():
    async def scenario():
        async with AsyncMockCredential(roles=["User.ReadWrite.All"]) as credential:
            token = await credential.get_token("https://graph.microsoft.com/.default")
            info = await credential.get_token_info("https://graph.microsoft.com/.default")
        return token, info

    token, info = asyncio.run(scenario())
    assert claims_of(token.token)["roles"] == ["User.ReadWrite.All"]
    assert isinstance(info, AccessTokenInfo)


def test_graph_client_points_at_the_base_without_a_trailing_slash():
    client = graph_client("http://127.0.0.1:9/beta/")
    assert client.request_adapter.base_url == "http://127.0.0.1:9/beta"
