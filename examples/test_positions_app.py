"""Testing `positions_app` with mockgraph, both ways: a live server the SDK reaches over HTTP, and
`intercept()`, which serves graph.microsoft.com in process (the app's client needs no base URL)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from positions_app import job_titles, start_position

from mockgraph import MockGraph, graph_client, intercept

ADELE_UPN = "adele.vance@contoso.com"  # the bundled fixtures' first user: `/me` for a token naming nobody


@pytest.fixture(params=["live", "in-process"])
def graph(request):
    """A mock with a small page size, so that the app has pages to follow."""
    if request.param == "live":
        with MockGraph(page_size=2) as mock:
            yield mock
    else:
        with intercept(page_size=2) as mock:
            yield mock


def positions_of(graph, upn: str) -> list[dict]:
    users = {user["userPrincipalName"]: user for user in graph.state()["users"]}
    return users[upn]["positions"]


def test_start_position_ends_the_current_ones(graph):
    previously_current = [p["id"] for p in positions_of(graph, ADELE_UPN) if p["isCurrent"]]
    assert previously_current

    created = asyncio.run(start_position(graph_client(graph.base_url), "Principal PM", "Fabrikam",
                                         start=dt.date(2025, 1, 1)))

    stored = {p["id"]: p for p in positions_of(graph, ADELE_UPN)}
    assert stored[created.id]["isCurrent"] is True
    assert stored[created.id]["detail"]["company"]["displayName"] == "Fabrikam"
    for old_id in previously_current:
        assert stored[old_id]["isCurrent"] is False
        assert stored[old_id]["detail"]["endMonthYear"] == "2025-01-01"
    assert len(graph.requests.find(method="PATCH")) == len(previously_current)


def test_job_titles_follow_every_page_latest_first(graph):
    stored = sorted(positions_of(graph, ADELE_UPN), key=lambda p: p["detail"]["startMonthYear"], reverse=True)

    titles = asyncio.run(job_titles(graph_client(graph.base_url)))

    assert titles == [p["detail"]["jobTitle"] for p in stored]
    assert len(stored) > 2 and len(graph.requests.find(method="GET")) == 2  # two pages of two


def test_job_titles_of_another_user(graph):
    nestor = "nestor.wilke@contoso.com"
    expected = {p["detail"]["jobTitle"] for p in positions_of(graph, nestor)}

    assert set(asyncio.run(job_titles(graph_client(graph.base_url), nestor))) == expected
