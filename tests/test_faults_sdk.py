"""The official msgraph-beta-sdk against fault rules: its RetryHandler honours Retry-After and recovers from
throttling; throttling that never ends surfaces as its ODataError with status 429."""

from __future__ import annotations

import asyncio
import threading

import pytest
import requests
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError

from mockgraph import create_app
from mockgraph.credentials import graph_client
from mockgraph.server import make_server

THROTTLE_GETS = {"methods": ["GET"], "path": "/users/*/profile/positions*", "effect": "fail", "status": 429,
                 "retryAfter": 1}


@pytest.fixture
def served():
    """The app on a free loopback port, in this process so the test can read its rules' counters."""
    app = create_app(strict=True)
    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.effective_port}/beta"
    server.close()
    thread.join(10)


def list_my_positions(base_url: str):
    # `Connection: close` leaves no idle keep-alive connection behind to hold the server open at teardown.
    config = RequestConfiguration()
    config.headers.add("Connection", "close")
    return asyncio.run(graph_client(base_url).me().profile.positions.get(request_configuration=config))


def journal(base_url: str) -> list[dict]:
    root = base_url.removesuffix("/beta")
    return requests.get(f"{root}/_mockgraph/requests", timeout=10).json()["value"]


def test_sdk_retries_a_throttled_get_and_succeeds(served):
    app, base_url = served
    rules = app.extensions["mockgraph"].faults
    rule = rules.add(THROTTLE_GETS, times=2)
    positions = list_my_positions(base_url)
    assert len(positions.value) == 3
    # Two throttled answers, then the one that succeeded: the journal shows three requests.
    assert [(entry["status"], entry["fault"]) for entry in journal(base_url)] == [
        (429, {"rule": rule["id"], "effect": "fail"}), (429, {"rule": rule["id"], "effect": "fail"}), (200, None)]
    assert rules.counts(rule["id"]) == {"matched": 3, "fired": 2}


def test_sdk_raises_odata_error_429_when_throttling_never_ends(served):
    app, base_url = served
    rules = app.extensions["mockgraph"].faults
    rule = rules.add(THROTTLE_GETS)
    with pytest.raises(ODataError) as raised:
        list_my_positions(base_url)
    assert raised.value.response_status_code == 429
    assert raised.value.error.code == "TooManyRequests"
    # The first attempt and the SDK's three retries, all throttled.
    assert [entry["status"] for entry in journal(base_url)] == [429] * 4
    assert rules.counts(rule["id"]) == {"matched": 4, "fired": 4}
