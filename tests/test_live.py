"""`MockGraph` (CONTRACT §10): a live server on a free port, from this process, answering when built."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time

import pytest
import requests
from conftest import ADELE, SEED_PAGE_ID
from waitress.trigger import trigger

from mockgraph import MockGraph, make_token
from mockgraph.fixtures.files import FixtureError
from mockgraph.serving.server import PortInUse

AUTH = {"Authorization": "Bearer x"}
NEW = {"detail": {"jobTitle": "Written", "company": {"displayName": "Fabrikam"}}}
PERSON = "5d7e9f10-2b3c-4d5e-8f60-718293a4b5c6"
SEED = {"users": [{"id": PERSON, "userPrincipalName": "seeded@contoso.com", "displayName": "Seeded",
                   "positions": [NEW]}]}


def positions(mock: MockGraph, user: str = ADELE) -> str:
    return f"{mock.base_url}/users/{user}/profile/positions"


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.fixture
def mock():
    with MockGraph() as served:
        yield served


def test_answers_as_soon_as_it_is_built_on_a_free_local_port():
    mock = MockGraph()
    try:
        assert mock.running and mock.base_url == f"http://127.0.0.1:{mock.port}/beta" and mock.port > 0
        assert mock.url + "/beta" == mock.base_url
        # No retry: the constructor returned only once the server answered.
        response = requests.get(f"{positions(mock)}/{SEED_PAGE_ID}", headers=AUTH, timeout=10)
        assert response.status_code == 200 and response.json()["id"] == SEED_PAGE_ID
        assert requests.get(mock.url + "/_mockgraph/health", timeout=10).json()["status"] == "ok"
    finally:
        mock.stop()
    assert not mock.running and refuses_connections(mock.port)


def test_stop_with_a_client_connection_still_open():
    mock = MockGraph()
    session = requests.Session()  # keeps its connection alive after the answer
    assert session.get(f"{mock.base_url}/me", headers=AUTH, timeout=10).status_code == 200
    mock.stop()
    assert refuses_connections(mock.port)
    with pytest.raises(requests.ConnectionError):
        session.get(f"{mock.base_url}/me", headers=AUTH, timeout=10)
    mock.stop()  # again: nothing to do


def test_stop_survives_a_worker_waking_the_loop_at_the_same_moment():
    # Regression: a worker thread finishing a request pulls waitress's wake-up pipe too. When the loop
    # woke for that pull and ran the stop's closing step before the stop itself wrote to the pipe, the
    # pipe was already closed: EBADF (about one stop in 30). Here that timing is forced.
    mock = MockGraph()
    wake = next(obj for obj in mock._server._map.values() if isinstance(obj, trigger))
    real_pull = wake._physical_pull

    def worker_pulls_first():
        real_pull()  # the worker's pull: the loop wakes and runs the stop's thunk...
        deadline = time.monotonic() + 30  # a guard against a hang, not a speed requirement
        while wake.thunks and time.monotonic() < deadline:
            time.sleep(0.001)
        real_pull()  # ...before the stop's own pull

    wake._physical_pull = worker_pulls_first
    mock.stop()
    assert refuses_connections(mock.port)


def test_a_stopped_mock_cannot_start_again():
    mock = MockGraph()
    mock.stop()
    with pytest.raises(RuntimeError, match="stopped"):
        mock.start()


def test_two_mocks_do_not_share_state():
    with MockGraph() as one, MockGraph() as two:
        assert one.port != two.port
        created = requests.post(positions(one), json=NEW, headers=AUTH, timeout=10).json()["id"]
        assert requests.get(f"{positions(one)}/{created}", headers=AUTH, timeout=10).status_code == 200
        assert requests.get(f"{positions(two)}/{created}", headers=AUTH, timeout=10).status_code == 404
        assert len(one.requests) == 2 and len(two.requests) == 1


def test_reset_seed_and_state(mock, tmp_path):
    before = mock.state()
    requests.post(positions(mock), json=NEW, headers=AUTH, timeout=10)
    assert {k: v for k, v in mock.seed(SEED).items() if v} == {"users": 1, "positions": 1}
    listed = requests.get(positions(mock, "seeded@contoso.com"), headers=AUTH, timeout=10).json()["value"]
    assert [p["detail"]["jobTitle"] for p in listed] == ["Written"]
    assert mock.state() != before and len(mock.requests) == 2

    mock.reset()
    assert mock.state() == before and len(mock.requests) == 0

    fixture = tmp_path / "more.json"
    fixture.write_text(json.dumps(SEED))
    assert {k: v for k, v in mock.seed(str(fixture)).items() if v} == {"users": 1, "positions": 1}
    assert {u["id"] for u in mock.state()["users"]} == {u["id"] for u in before["users"]} | {PERSON}


def test_a_bad_seed_raises_and_loads_nothing(mock):
    before = mock.state()
    bad = {"users": [SEED["users"][0], {"id": "not-a-guid", "userPrincipalName": "x@contoso.com"}]}
    with pytest.raises(FixtureError, match=r"\$\.users\[1\]\.id"):
        mock.seed(bad)
    assert mock.state() == before


def test_requests_journal_helpers(mock):
    token = make_token(oid=ADELE, scp="User.ReadWrite")
    requests.get(f"{mock.base_url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    requests.post(positions(mock), json=NEW, headers=AUTH, timeout=10)
    requests.get(f"{positions(mock)}/{SEED_PAGE_ID}", timeout=10)  # no token: 401

    log = mock.requests
    assert len(log) == 3 and bool(log)
    assert [e["method"] for e in log] == ["GET", "POST", "GET"]
    assert log[0]["caller"]["userId"] == ADELE and log[0]["headers"]["Authorization"] == "Bearer <redacted>"
    assert log.last == log[-1] and log.last["status"] == 401
    assert [e["status"] for e in log.find(method="POST", path="/users/*/profile/positions")] == [201]
    assert log.find_one(path="/beta/me")["status"] == 200
    assert len(log.find(path="/users/*")) == 2 and log.find(status=404) == []
    with pytest.raises(AssertionError, match="found 2"):
        log.find_one(path="/users/*")
    log.clear()
    assert len(mock.requests) == 0 and mock.requests.last is None


def test_seeded_ids_and_a_set_clock_make_answers_reproducible():
    answers = []
    for _ in range(2):
        with MockGraph(seed=42) as mock:
            mock.clock.set("2031-01-02T03:04:05Z")
            created = requests.post(positions(mock), json=NEW, headers=AUTH, timeout=10).json()
            answers.append({k: v for k, v in created.items() if k != "@odata.context"})  # names the port
            mock.clock.advance(60)
            patched = requests.patch(f"{positions(mock)}/{answers[-1]['id']}", json={"isCurrent": True},
                                     headers=AUTH, timeout=10).json()
            assert patched["lastModifiedDateTime"] == "2031-01-02T03:05:05.0000000Z"
    assert answers[0] == answers[1]
    assert answers[0]["createdDateTime"] == "2031-01-02T03:04:05.0000000Z"


def test_without_control_it_still_waits_until_it_accepts_and_serves_graph():
    with MockGraph(control=False) as mock:
        assert requests.get(f"{mock.base_url}/me", headers=AUTH, timeout=10).status_code == 200
        assert requests.post(mock.url + "/_mockgraph/reset", timeout=10).status_code == 401


def test_db_state_survives_a_new_mock(tmp_path):
    db = str(tmp_path / "state.db")
    with MockGraph(db=db) as mock:
        created = requests.post(positions(mock), json=NEW, headers=AUTH, timeout=10).json()["id"]
    with MockGraph(db=db) as mock:
        assert requests.get(f"{positions(mock)}/{created}", headers=AUTH, timeout=10).status_code == 200


def test_a_port_in_use_is_a_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(PortInUse, match="already in use"):
            MockGraph(port=taken.getsockname()[1])


def test_options_reach_the_app(tmp_path):
    fixture = tmp_path / "people.json"
    fixture.write_text(json.dumps(SEED))
    with MockGraph(fixtures=[str(fixture)], page_size=1, journal_size=1) as mock:
        requests.post(positions(mock, PERSON), json=NEW, headers=AUTH, timeout=10)
        page = requests.get(positions(mock, PERSON), headers=AUTH, timeout=10).json()
        assert len(page["value"]) == 1 and "@odata.nextLink" in page
        assert len(mock.requests) == 1


def open_files() -> dict[str, str]:
    """This process's open descriptors and what they are (Linux's /proc, macOS's /dev/fd)."""
    folder = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    found = {}
    for name in os.listdir(folder):
        with contextlib.suppress(OSError):  # the listing's own descriptor is gone by now
            found[name] = os.readlink(os.path.join(folder, name)) if folder.startswith("/proc") else name
    return found


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_a_port_in_use_leaks_no_thread_socket_or_db_file(tmp_path, tls):
    db = str(tmp_path / "state.db")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        threads, files = set(threading.enumerate()), open_files()
        with pytest.raises(PortInUse, match="already in use"):
            MockGraph(port=taken.getsockname()[1], db=db, tls=tls)
        leaked_threads = [t.name for t in set(threading.enumerate()) - threads]
        leaked_files = {k: v for k, v in open_files().items() if k not in files}
    assert not leaked_threads and not leaked_files
    with MockGraph(db=db):  # the file is free for the next mock
        pass


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_stop_ends_requests_waiting_out_a_delay(tls):
    threads = set(threading.enumerate())
    mock = MockGraph(tls=tls)
    rule = mock.faults.add(path="/users/*/profile/positions", effect="delay", delayMs=120_000)
    answers: list = []

    def call():
        try:
            answers.append(requests.get(positions(mock), headers=AUTH, verify=mock.certificate, timeout=120))
        except requests.RequestException as error:
            answers.append(error)

    clients = [threading.Thread(target=call) for _ in range(3)]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 30  # a guard against a hang, not a speed requirement
    while mock.faults.counts(rule["id"])["fired"] < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert mock.faults.counts(rule["id"])["fired"] == 3
    started = time.monotonic()
    mock.stop()
    assert time.monotonic() - started < 30  # generous: what matters is not waiting out the two minutes
    # Nothing of the server's is left waiting out the delay: its workers ended with the stop.
    for thread in set(threading.enumerate()) - threads - set(clients):
        thread.join(10)
        assert not thread.is_alive(), f"{thread.name} still runs after stop()"
    for client in clients:
        client.join(10)
        assert not client.is_alive()
    assert len(answers) == 3


def test_a_reset_ends_requests_waiting_out_a_delay_and_they_change_nothing(mock):
    rule = mock.faults.add(path="/users/*/profile/positions", methods=["POST"], effect="delay", delayMs=60_000)
    answers: list = []
    writer = threading.Thread(target=lambda: answers.append(
        requests.post(positions(mock), json=NEW, headers=AUTH, timeout=120)))
    writer.start()
    deadline = time.monotonic() + 30  # a guard against a hang, not a speed requirement
    while mock.faults.counts(rule["id"])["fired"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    before = mock.state()
    mock.reset()
    writer.join(30)
    assert not writer.is_alive() and answers[0].status_code == 409
    assert answers[0].json()["error"]["code"] == "resourceModified"
    assert mock.state() == before  # the write from before the reset did not land after it
