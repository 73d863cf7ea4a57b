"""A reset isolates requests already in flight (issue 10): a write that started before a reset (held by
a delay rule, say) does not land after it, whether its client waits (it gets 409 resourceModified) or
gave up; it is not journaled after the reset either. Over real HTTP, from a live server."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest
import requests
from conftest import ADELE, SEED_PAGE_ID

from mockgraph import MockGraph

POSITIONS = f"/users/{ADELE}/profile/positions"
AUTH = {"Authorization": "Bearer x"}
NEW = {"detail": {"jobTitle": "Stale write", "company": {"displayName": "Fabrikam"}}}
HELD = 1.0  # seconds a delay rule holds the request: ample time to reset meanwhile
WAIT = 30  # generous bound on waiting for something that must happen (a hang is a failure)

WRITES = {
    "POST": ("POST", POSITIONS, NEW),
    "PATCH": ("PATCH", f"{POSITIONS}/{SEED_PAGE_ID}", {"detail": {"jobTitle": "Stale write"}}),
    "DELETE": ("DELETE", f"{POSITIONS}/{SEED_PAGE_ID}", None),
}


@pytest.fixture
def mock():
    with MockGraph(seed=1) as served:
        yield served


def state(mock) -> str:
    return json.dumps(mock.state(), sort_keys=True)


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.005)


def hold(mock, methods: list[str], path: str = "/users/*/profile/positions*") -> str:
    return mock.faults.add(methods=methods, path=path, effect="delay", delayMs=int(HELD * 1000))["id"]


def held(mock, rule: str, count: int = 1):
    return lambda: (mock.faults.counts(rule) or {}).get("fired", 0) >= count


@pytest.mark.parametrize("method", WRITES)
def test_a_write_held_across_a_reset_is_refused_and_changes_nothing(mock, method):
    seeded = state(mock)
    verb, path, body = WRITES[method]
    rule = hold(mock, [verb])
    answers = []
    client = threading.Thread(target=lambda: answers.append(
        requests.request(verb, mock.base_url + path, json=body, headers=AUTH, timeout=WAIT)))
    client.start()
    wait_until(held(mock, rule), "the request is held by the delay rule")
    mock.reset()
    client.join(WAIT)
    assert answers, "the held request never answered"
    answer = answers[0]
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert error["code"] == "resourceModified" and "reset" in error["message"]
    assert error["innerError"]["request-id"] == answer.headers["request-id"]
    assert state(mock) == seeded
    assert len(mock.requests) == 0  # and the next test's journal does not hold it either


def test_a_write_whose_client_gave_up_does_not_land_after_the_reset(mock):
    seeded = state(mock)
    finished = []
    handler = logging.Handler()
    handler.emit = lambda record: finished.append(record.getMessage())
    request_log = logging.getLogger("mockgraph.requests")
    request_log.addHandler(handler)
    old_level = request_log.level
    request_log.setLevel(logging.INFO)
    try:
        hold(mock, ["POST"])
        with pytest.raises(requests.Timeout):
            requests.post(mock.base_url + POSITIONS, json=NEW, headers=AUTH, timeout=0.3)
        mock.reset()  # the next test starts here, while the request is still held
        wait_until(lambda: any(line.startswith("POST ") for line in finished), "the held request has finished")
    finally:
        request_log.removeHandler(handler)
        request_log.setLevel(old_level)
    assert any(line.startswith(f"POST /beta{POSITIONS} 409") for line in finished), finished
    assert state(mock) == seeded
    titles = [p["detail"]["jobTitle"] for p in requests.get(mock.base_url + POSITIONS, headers=AUTH,
                                                             timeout=WAIT).json()["value"]]
    assert "Stale write" not in titles


def test_a_reset_over_http_isolates_a_held_write_too(mock):
    seeded = state(mock)
    rule = hold(mock, ["POST"])
    answers = []
    client = threading.Thread(target=lambda: answers.append(
        requests.post(mock.base_url + POSITIONS, json=NEW, headers=AUTH, timeout=WAIT)))
    client.start()
    wait_until(held(mock, rule), "the request is held by the delay rule")
    assert requests.post(mock.url + "/_mockgraph/reset", timeout=WAIT).status_code == 204
    client.join(WAIT)
    assert answers[0].status_code == 409
    assert state(mock) == seeded


def test_a_batch_that_started_before_a_reset_writes_nothing_after_it(mock):
    seeded = state(mock)
    rule = hold(mock, ["POST"], path="/me/profile/positions")
    batch = {"requests": [
        {"id": "1", "method": "POST", "url": "/me/profile/positions", "body": NEW,
         "headers": {"Content-Type": "application/json"}},
        {"id": "2", "method": "PATCH", "url": f"/me/profile/positions/{SEED_PAGE_ID}",
         "body": {"detail": {"jobTitle": "Stale write"}}, "headers": {"Content-Type": "application/json"}},
    ]}
    answers = []
    client = threading.Thread(target=lambda: answers.append(
        requests.post(mock.base_url + "/$batch", json=batch, headers=AUTH, timeout=WAIT)))
    client.start()
    wait_until(held(mock, rule), "the batch's first request is held")
    mock.reset()
    client.join(WAIT)
    assert answers[0].status_code == 200
    statuses = {r["id"]: r["status"] for r in answers[0].json()["responses"]}
    # The second request runs after the reset, but as part of a batch that started before it.
    assert statuses == {"1": 409, "2": 409}
    assert state(mock) == seeded


def test_requests_after_a_reset_write_as_usual(mock):
    mock.reset()
    created = requests.post(mock.base_url + POSITIONS, json=NEW, headers=AUTH, timeout=WAIT)
    assert created.status_code == 201
    mock.reset()
    patched = requests.patch(f"{mock.base_url}{POSITIONS}/{SEED_PAGE_ID}", json={"isCurrent": False},
                             headers=AUTH, timeout=WAIT)
    assert patched.status_code == 200
