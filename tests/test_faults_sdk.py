"""The official msgraph-beta-sdk against fault rules: its RetryHandler honours Retry-After and recovers from
throttling; throttling that never ends surfaces as its ODataError with status 429."""

from __future__ import annotations

import asyncio

import pytest
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError

from mockgraph import MockGraph
from mockgraph.harness.credentials import graph_client

THROTTLE_GETS = {"methods": ["GET"], "path": "/users/*/profile/positions*", "effect": "fail", "status": 429,
                 "retryAfter": 1}


@pytest.fixture
def mock():
    with MockGraph(strict=True) as served:
        yield served


def list_my_positions(base_url: str):
    return asyncio.run(graph_client(base_url).me().profile.positions.get())


def test_sdk_retries_a_throttled_get_and_succeeds(mock):
    rules = mock.faults
    rule = rules.add(THROTTLE_GETS, times=2)
    positions = list_my_positions(mock.base_url)
    assert len(positions.value) == 3
    # Two throttled answers, then the one that succeeded: the journal shows three requests.
    assert [(entry["status"], entry["fault"]) for entry in mock.requests] == [
        (429, {"rule": rule["id"], "effect": "fail"}), (429, {"rule": rule["id"], "effect": "fail"}), (200, None)]
    assert rules.counts(rule["id"]) == {"matched": 3, "fired": 2}


def test_sdk_raises_odata_error_429_when_throttling_never_ends(mock):
    rules = mock.faults
    rule = rules.add(THROTTLE_GETS)
    with pytest.raises(ODataError) as raised:
        list_my_positions(mock.base_url)
    assert raised.value.response_status_code == 429
    assert raised.value.error.code == "TooManyRequests"
    # The first attempt and the SDK's three retries, all throttled.
    assert [entry["status"] for entry in mock.requests] == [429] * 4
    assert rules.counts(rule["id"]) == {"matched": 4, "fired": 4}
