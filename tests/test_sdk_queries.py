"""The official SDK's query parameters (`filter`, `orderby`, `select`, `top`, `count`) against a live
mock give the same results as the raw HTTP calls (CONTRACT §5)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import requests
from kiota_abstractions.base_request_configuration import RequestConfiguration
from live import ServedMock
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_beta.generated.users.item.profile.positions.count.count_request_builder import CountRequestBuilder
from msgraph_beta.generated.users.item.profile.positions.item.work_position_item_request_builder import (
    WorkPositionItemRequestBuilder,
)
from msgraph_beta.generated.users.item.profile.positions.positions_request_builder import PositionsRequestBuilder

from mockgraph.harness.credentials import graph_client

DATA = Path(__file__).parent / "data" / "queries.json"
QUINN_UPN = "quinn.query@queries.test"
POSITIONS = f"/users/{QUINN_UPN}/profile/positions"
ListQuery = PositionsRequestBuilder.PositionsRequestBuilderGetQueryParameters


@pytest.fixture(scope="module")
def served():
    with ServedMock("--fixtures", str(DATA), "--page-size", "3") as mock:
        yield mock


def raw_pages(base_url: str, params: dict) -> list[dict]:
    """Every page of a raw HTTP list, following @odata.nextLink."""
    auth = {"Authorization": "Bearer x"}
    pages = [requests.get(f"{base_url}{POSITIONS}", params=params, headers=auth, timeout=30).json()]
    while "@odata.nextLink" in pages[-1]:
        pages.append(requests.get(pages[-1]["@odata.nextLink"], headers=auth, timeout=30).json())
    return pages


async def sdk_pages(base_url: str, query: ListQuery) -> list:
    """Every page the SDK reads, following `odata_next_link` with `with_url`."""
    positions = graph_client(base_url).users.by_user_id(QUINN_UPN).profile.positions
    pages = [await positions.get(request_configuration=RequestConfiguration(query_parameters=query))]
    while pages[-1].odata_next_link:
        pages.append(await positions.with_url(pages[-1].odata_next_link).get())
    return pages


CASES = [
    (ListQuery(filter="isCurrent eq false"), {"$filter": "isCurrent eq false"}),
    (ListQuery(orderby=["detail/layer desc"]), {"$orderby": "detail/layer desc"}),
    (ListQuery(orderby=["isCurrent desc", "detail/startMonthYear"]),
     {"$orderby": "isCurrent desc,detail/startMonthYear"}),
    (ListQuery(select=["isCurrent", "detail"]), {"$select": "isCurrent,detail"}),
    (ListQuery(top=2, count=True), {"$top": "2", "$count": "true"}),
    (ListQuery(filter="contains(detail/jobTitle,'engineer')", orderby=["detail/company/displayName desc"],
               select=["detail", "categories"], top=4, count=True),
     {"$filter": "contains(detail/jobTitle,'engineer')", "$orderby": "detail/company/displayName desc",
      "$select": "detail,categories", "$top": "4", "$count": "true"}),
]


@pytest.mark.parametrize("query, params", CASES, ids=[str(p) for _, p in CASES])
def test_sdk_query_parameters_match_raw_http(served, query, params):
    raw = raw_pages(served.base_url, params)
    sdk = asyncio.run(sdk_pages(served.base_url, query))
    assert len(sdk) == len(raw)
    raw_items = [p for page in raw for p in page["value"]]
    sdk_items = [p for page in sdk for p in page.value]
    assert [p.id for p in sdk_items] == [p["id"] for p in raw_items]
    assert len(raw_items) > 1
    assert [p.is_current for p in sdk_items] == [p.get("isCurrent") for p in raw_items]
    assert [p.detail.job_title if p.detail else None for p in sdk_items] == [
        (p.get("detail") or {}).get("jobTitle") for p in raw_items]
    assert sdk[0].odata_count == raw[0].get("@odata.count")
    if "$select" in params:
        assert all(p.created_date_time is None for p in sdk_items)
        assert all(set(p) == {"id", *params["$select"].split(",")} for p in raw_items)


def test_sdk_count_segment_and_get_with_select(served):
    async def scenario():
        positions = graph_client(served.base_url).users.by_user_id(QUINN_UPN).profile.positions
        counted = await positions.count.get(request_configuration=RequestConfiguration(
            query_parameters=CountRequestBuilder.CountRequestBuilderGetQueryParameters(filter="isCurrent eq true")))
        item_id = (await positions.get()).value[0].id
        selected = await positions.by_work_position_id(item_id).get(request_configuration=RequestConfiguration(
            query_parameters=WorkPositionItemRequestBuilder.WorkPositionItemRequestBuilderGetQueryParameters(
                select=["categories"])))
        return counted, item_id, selected

    counted, item_id, selected = asyncio.run(scenario())
    auth = {"Authorization": "Bearer x"}
    raw_count = requests.get(f"{served.base_url}{POSITIONS}/$count", params={"$filter": "isCurrent eq true"},
                             headers=auth, timeout=30).text
    assert counted == int(raw_count) == 2
    raw_item = requests.get(f"{served.base_url}{POSITIONS}/{item_id}", params={"$select": "categories"},
                            headers=auth, timeout=30).json()
    assert selected.id == raw_item["id"] == item_id
    assert selected.categories == raw_item["categories"]
    assert selected.detail is None and "detail" not in raw_item


def test_sdk_sees_the_400_of_a_bad_filter(served):
    async def scenario():
        positions = graph_client(served.base_url).users.by_user_id(QUINN_UPN).profile.positions
        await positions.get(request_configuration=RequestConfiguration(query_parameters=ListQuery(filter="bogus eq 1")))

    with pytest.raises(ODataError) as raised:
        asyncio.run(scenario())
    assert raised.value.response_status_code == 400
    assert raised.value.error.code == "BadRequest"
    assert raised.value.error.message.startswith("Invalid filter clause")
