"""A small app on the official msgraph-beta-sdk: the kind of code mockgraph lets you test.

It knows nothing of mockgraph: it takes a `GraphServiceClient` built however the caller likes (with
azure-identity in production; `mockgraph.graph_client` in tests or against `make run`).

    make run                                 # in one terminal
    .venv/bin/python examples/positions_app.py "Staff Engineer" Fabrikam
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta import GraphServiceClient
from msgraph_beta.generated.models.company_detail import CompanyDetail
from msgraph_beta.generated.models.position_detail import PositionDetail
from msgraph_beta.generated.models.work_position import WorkPosition
from msgraph_beta.generated.users.item.profile.positions.positions_request_builder import PositionsRequestBuilder

Query = PositionsRequestBuilder.PositionsRequestBuilderGetQueryParameters


async def start_position(client: GraphServiceClient, job_title: str, company: str,
                         start: dt.date | None = None) -> WorkPosition:
    """Add the signed-in user's new current position; the ones that were current end where it starts."""
    start = start or dt.date.today().replace(day=1)
    positions = client.me().profile.positions
    current = await positions.get(RequestConfiguration(query_parameters=Query(filter="isCurrent eq true")))
    created = await positions.post(WorkPosition(
        detail=PositionDetail(job_title=job_title, start_month_year=start,
                              company=CompanyDetail(display_name=company)),
        is_current=True,
    ))
    for old in current.value:
        await positions.by_work_position_id(old.id).patch(
            WorkPosition(is_current=False, detail=PositionDetail(end_month_year=start)))
    return created


async def job_titles(client: GraphServiceClient, user: str | None = None) -> list[str]:
    """A user's job titles (the signed-in user's by default), latest start first, every page."""
    positions = client.users.by_user_id(user).profile.positions if user else client.me().profile.positions
    page = await positions.get(RequestConfiguration(
        query_parameters=Query(orderby=["detail/startMonthYear desc"], select=["detail"])))
    titles: list[str] = []
    while page is not None:
        titles += [position.detail.job_title for position in page.value]
        page = await positions.with_url(page.odata_next_link).get() if page.odata_next_link else None
    return titles


async def main(job_title: str, company: str, base_url: str = "http://127.0.0.1:8765/beta") -> None:
    from mockgraph import graph_client

    client = graph_client(base_url)
    await start_position(client, job_title, company)
    print("\n".join(await job_titles(client)))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
