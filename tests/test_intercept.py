"""`intercept()`: requests and httpx (sync and async) reach the mock in process; other hosts do not."""

from __future__ import annotations

import asyncio
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import requests
from conftest import ADELE, ADELE_UPN, NESTOR, SEED_PAGE_ID

import mockgraph
from mockgraph.harness import intercept as intercept_module
from mockgraph.harness.intercept import BASE_URL, intercept

AUTH = {"Authorization": "Bearer x"}
NEW_POSITION = {"detail": {"jobTitle": "Intercepted", "company": {"displayName": "Fabrikam"}}, "isCurrent": True}
PATCHED = [
    ("requests.adapters", "HTTPAdapter", "send"),
    ("httpx", "HTTPTransport", "handle_request"),
    ("httpx", "AsyncHTTPTransport", "handle_async_request"),
]


def originals() -> list:
    import importlib

    return [getattr(getattr(importlib.import_module(module), owner), name) for module, owner, name in PATCHED]


def stored_titles(graph, user_id=ADELE) -> list[str]:
    items = graph.mock_state.repository.list_items("positions", user_id)
    return [item["detail"]["jobTitle"] for item in items]


@pytest.fixture
def real_server():
    """A plain HTTP server on 127.0.0.1: the kind of host interception must leave alone."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b"real"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_exported_from_the_package():
    assert mockgraph.intercept is intercept


def test_requests_is_served_in_process_even_by_a_session_made_before():
    session = requests.Session()
    with intercept() as graph:
        assert graph.base_url == BASE_URL == "https://graph.microsoft.com/beta"
        response = session.get(f"{graph.base_url}/users/{ADELE_UPN}/profile/positions", headers=AUTH,
                               params={"$top": "1"})
        assert response.status_code == 200
        body = response.json()
        assert body["@odata.context"] == f"{BASE_URL}/$metadata#users('{ADELE}')/profile/positions"
        assert body["@odata.nextLink"].startswith(f"{BASE_URL}/users/")
        assert response.headers["request-id"]
        created = session.post(f"{graph.base_url}/me/profile/positions", headers=AUTH, json=NEW_POSITION)
        assert created.status_code == 201
        assert "Intercepted" in stored_titles(graph)


def test_requests_bodies_of_every_shape_reach_the_app():
    with intercept() as graph:
        url = f"{graph.base_url}/me/profile/positions"
        headers = {**AUTH, "Content-Type": "application/json"}
        chunks = (part.encode() for part in ('{"detail": {"jobTitle": "Chunked", ', '"layer": 2}}'))
        assert requests.post(url, headers=headers, data=chunks).status_code == 201
        assert requests.post(url, headers=headers, data='{"detail": {"jobTitle": "Text"}}').status_code == 201
        assert "Chunked" in stored_titles(graph) and "Text" in stored_titles(graph)


def test_errors_are_graphs_envelope_and_store_nothing():
    with intercept() as graph:
        before = graph.mock_state.repository.export()
        response = requests.post(f"{graph.base_url}/me/profile/positions", json=NEW_POSITION)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "InvalidAuthenticationToken"
        assert response.headers["WWW-Authenticate"] == 'Bearer realm=""'
        bad = requests.post(f"{graph.base_url}/me/profile/positions", headers=AUTH, json={"detail": {"layer": "x"}})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "BadRequest"
        assert graph.mock_state.repository.export() == before


def test_httpx_sync_client_is_served_in_process():
    client = httpx.Client()
    with intercept() as graph:
        # The SDK sends the UPN percent-encoded; the mock decodes it as a server would.
        response = client.get(f"{graph.base_url}/users/adele.vance%40contoso.com/profile/positions/{SEED_PAGE_ID}",
                              headers=AUTH)
        assert response.status_code == 200
        assert response.json()["id"] == SEED_PAGE_ID
        assert response.headers["content-type"].startswith("application/json")
        patched = client.patch(f"{graph.base_url}/me/profile/positions/{SEED_PAGE_ID}", headers=AUTH,
                               json={"detail": {"jobTitle": "Renamed"}})
        assert patched.status_code == 200
        assert "Renamed" in stored_titles(graph)
    client.close()


def test_httpx_async_client_is_served_in_process():
    async def scenario(base: str) -> tuple[int, int, int]:
        async with httpx.AsyncClient(http2=True) as client:  # as the official SDK builds its client
            created = await client.post(f"{base}/me/profile/positions", headers=AUTH, json=NEW_POSITION)
            listed = await client.get(f"{base}/me/profile/positions", headers=AUTH)
            deleted = await client.delete(f"{base}/me/profile/positions/{created.json()['id']}", headers=AUTH)
            return created.status_code, len(listed.json()["value"]), deleted.status_code

    with intercept() as graph:
        seeded = len(stored_titles(graph))
        created, listed, deleted = asyncio.run(scenario(graph.base_url))
        assert (created, listed, deleted) == (201, seeded + 1, 204)
        assert len(stored_titles(graph)) == seeded


def test_an_async_delay_does_not_stall_the_event_loop():
    """With a delay rule the app runs off the event loop: another task runs while the request waits."""
    with intercept() as graph:
        other_task_ran = threading.Event()
        waited: list[bool] = []
        graph.faults.sleep = lambda seconds: waited.append(other_task_ran.wait(30))
        graph.faults.add({"effect": "delay", "delayMs": 5, "path": "/me/*"})

        async def scenario():
            async def other():
                other_task_ran.set()

            async with httpx.AsyncClient() as client:
                request = asyncio.create_task(client.get(f"{graph.base_url}/me/profile/positions", headers=AUTH))
                await asyncio.sleep(0)
                await other()
                return (await request).status_code

        assert asyncio.run(scenario()) == 200
        assert waited == [True]


def test_other_hosts_are_left_alone(real_server):
    url, hits = real_server
    with intercept():
        assert requests.get(f"{url}/plain").text == "real"
        assert httpx.get(f"{url}/httpx").text == "real"

        async def fetch():
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{url}/async")).text

        assert asyncio.run(fetch()) == "real"
    assert hits == ["/plain", "/httpx", "/async"]


def test_patches_are_restored_on_exit_even_after_an_error():
    before = originals()
    with pytest.raises(RuntimeError), intercept():
        assert originals() != before
        raise RuntimeError("the code under test failed")
    assert originals() == before


def test_state_journal_and_faults_are_the_yielded_objects():
    with intercept() as graph:
        counts = graph.seed({"users": [{"id": "0c7a3c9e-0000-4000-8000-000000000001", "displayName": "Seeded",
                                        "userPrincipalName": "seeded@contoso.com", "positions": []}]})
        assert counts["users"] == 1
        created = requests.post(f"{graph.base_url}/users/seeded@contoso.com/profile/positions", headers=AUTH,
                                json=NEW_POSITION)
        assert created.status_code == 201
        exported = {user["userPrincipalName"]: user for user in graph.state()["users"]}
        assert [p["id"] for p in exported["seeded@contoso.com"]["positions"]] == [created.json()["id"]]

        entry = graph.requests.find_one(method="POST", path="/users/*/profile/positions")
        assert entry["status"] == 201 and entry["path"] == "/beta/users/seeded@contoso.com/profile/positions"
        assert entry["headers"]["Authorization"] == "Bearer <redacted>"
        assert entry["body"] == NEW_POSITION

        graph.faults.add({"effect": "fail", "status": 503, "path": "/users/*", "times": 1})
        failed = requests.get(f"{graph.base_url}/users/{NESTOR}/profile/positions", headers=AUTH)
        assert failed.status_code == 503 and failed.json()["error"]["code"] == "serviceNotAvailable"
        assert graph.requests.last["fault"]["effect"] == "fail"

        graph.reset()
        assert "seeded@contoso.com" not in {user["userPrincipalName"] for user in graph.state()["users"]}
        assert len(graph.requests) == 0 and len(graph.faults) == 0


def test_an_app_of_ones_own_is_served():
    app = mockgraph.create_app(page_size=1)
    with intercept(app) as graph:
        assert graph.app is app
        body = requests.get(f"{graph.base_url}/me/profile/positions", headers=AUTH).json()
        assert len(body["value"]) == 1
    with pytest.raises(TypeError):
        intercept(app, page_size=2)


def test_decorator_form_sync_and_async_each_call_from_the_seeded_state():
    graph = intercept()
    seeded = len(stored_titles(graph))

    @graph
    def add_one() -> int:
        requests.post(f"{BASE_URL}/me/profile/positions", headers=AUTH, json=NEW_POSITION)
        return len(requests.get(f"{BASE_URL}/me/profile/positions", headers=AUTH).json()["value"])

    @graph
    async def add_one_async() -> int:
        async with httpx.AsyncClient() as client:
            await client.post(f"{BASE_URL}/me/profile/positions", headers=AUTH, json=NEW_POSITION)
            return len((await client.get(f"{BASE_URL}/me/profile/positions", headers=AUTH)).json()["value"])

    assert add_one() == seeded + 1
    assert add_one() == seeded + 1  # the second call does not see the first one's write
    assert asyncio.run(add_one_async()) == seeded + 1
    assert add_one.__name__ == "add_one"
    assert asyncio.iscoroutinefunction(add_one_async)


def test_nested_interceptions_answer_innermost_first_and_restore_in_any_order():
    before = originals()
    outer, inner = intercept(page_size=1), intercept(page_size=2)

    def page() -> int:
        return len(requests.get(f"{BASE_URL}/me/profile/positions", headers=AUTH).json()["value"])

    with outer:
        with inner:
            assert page() == 2
        assert page() == 1
    assert originals() == before

    # Ended out of order (as fixtures of different scopes may): the other one still answers.
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)
    assert page() == 2
    inner.__exit__(None, None, None)
    assert originals() == before


def test_threads_and_tasks_see_their_own_interception():
    first, second = intercept(page_size=1), intercept(page_size=2)
    results: dict[str, int] = {}
    both_in = threading.Barrier(2)

    def worker(name: str, graph):
        with graph:
            both_in.wait(30)  # both interceptions are active at once
            response = requests.get(f"{BASE_URL}/me/profile/positions", headers=AUTH)
            results[name] = len(response.json()["value"])
            both_in.wait(30)

    threads = [threading.Thread(target=worker, args=("first", first)),
               threading.Thread(target=worker, args=("second", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == {"first": 1, "second": 2}


def test_threads_started_by_the_code_under_test_are_served():
    statuses: list[int] = []
    with intercept():
        thread = threading.Thread(
            target=lambda: statuses.append(requests.get(f"{BASE_URL}/me", headers=AUTH).status_code))
        thread.start()
        thread.join(30)
    assert statuses == [200]


SEEDED = {"users": [{"id": "0c7a3c9e-0000-4000-8000-000000000002", "displayName": "Marked",
                     "userPrincipalName": "marked@contoso.com",
                     "positions": [{"detail": {"jobTitle": "Seeded by a marker"}}]}]}


@pytest.mark.mockgraph_seed(SEEDED)
@pytest.mark.mockgraph_faults({"effect": "fail", "status": 503, "path": "/users/*", "times": 1})
def test_the_pytest_fixture_intercepts_with_the_tests_markers(mockgraph_intercept):
    graph = mockgraph_intercept
    assert graph.base_url == BASE_URL
    url = f"{BASE_URL}/users/marked@contoso.com/profile/positions"
    assert requests.get(url, headers=AUTH).status_code == 503
    titles = [p["detail"]["jobTitle"] for p in requests.get(url, headers=AUTH).json()["value"]]
    assert titles == ["Seeded by a marker"]
    assert [entry["status"] for entry in graph.requests] == [503, 200]


# -- The client's own timeout, as over HTTP -----------------------------------------------------------

SLOW = {"effect": "delay", "delayMs": 30_000, "path": "/me/*"}
PATIENCE = 15  # the client gave up well before the delay ended: not a speed requirement


def requests_call(base: str):
    return requests.get(f"{base}/me/profile/positions", headers=AUTH, timeout=0.3)


def requests_tuple_call(base: str):
    return requests.get(f"{base}/me/profile/positions", headers=AUTH, timeout=(5, 0.3))


def httpx_call(base: str):
    with httpx.Client(timeout=0.3) as client:
        return client.get(f"{base}/me/profile/positions", headers=AUTH)


def httpx_async_call(base: str):
    async def call():
        async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=0.3)) as client:
            return await client.get(f"{base}/me/profile/positions", headers=AUTH)
    return asyncio.run(call())


CLIENTS = [(requests_call, requests.exceptions.ReadTimeout), (requests_tuple_call, requests.exceptions.ReadTimeout),
           (httpx_call, httpx.ReadTimeout), (httpx_async_call, httpx.ReadTimeout)]


@pytest.mark.parametrize("served", ["intercept", "live"])
@pytest.mark.parametrize("call, timeout_error", CLIENTS, ids=["requests", "requests-tuple", "httpx", "httpx-async"])
def test_a_delay_longer_than_the_clients_timeout_raises_its_own_timeout_error(served, call, timeout_error):
    mock = intercept() if served == "intercept" else mockgraph.MockGraph()
    with mock:
        mock.faults.add(SLOW)
        started = time.monotonic()
        with pytest.raises(timeout_error):
            call(mock.base_url)
        assert time.monotonic() - started < PATIENCE
        mock.reset()  # ends the delay the client gave up on
        assert call(mock.base_url).status_code == 200  # no rule now: answered within the timeout


def test_a_delay_within_the_clients_timeout_is_answered():
    with intercept() as graph:
        graph.faults.add({**SLOW, "delayMs": 50})
        url = f"{graph.base_url}/me/profile/positions"
        assert requests.get(url, headers=AUTH, timeout=30).status_code == 200
        with httpx.Client(timeout=30) as client:
            assert client.get(url, headers=AUTH).status_code == 200


# -- Decorating generators (pytest yield fixtures, say) -----------------------------------------------

def intercepted_by(graph) -> bool:
    """Checked before any call: were the interception not active, the call would go to the network."""
    return intercept_module._router.target() is graph


def test_decorated_generator_is_intercepted_while_it_runs_and_passes_values_through():
    graph, before = intercept(), originals()

    @graph
    def steps(first_title: str):
        assert intercepted_by(graph)
        requests.post(f"{BASE_URL}/me/profile/positions", headers=AUTH,
                      json={**NEW_POSITION, "detail": {**NEW_POSITION["detail"], "jobTitle": first_title}})
        second_title = yield stored_titles(graph)
        assert intercepted_by(graph)  # still, after resuming
        with httpx.Client() as client:
            client.post(f"{BASE_URL}/me/profile/positions", headers=AUTH,
                        json={**NEW_POSITION, "detail": {**NEW_POSITION["detail"], "jobTitle": second_title}})
        return stored_titles(graph)

    run = steps("One")
    assert originals() == before  # nothing happens until the generator runs
    assert "One" in next(run)
    with pytest.raises(StopIteration) as done:
        run.send("Two")
    assert {"One", "Two"} <= set(done.value.value)
    assert originals() == before and not intercepted_by(graph)
    assert "One" not in next(steps("Three"))  # each run starts from the seeded state


def test_decorated_async_generator_is_intercepted_while_it_runs():
    graph, before = intercept(), originals()

    @graph
    async def steps():
        assert intercepted_by(graph)
        async with httpx.AsyncClient() as client:
            received = yield (await client.get(f"{BASE_URL}/me/profile/positions", headers=AUTH)).status_code
            assert intercepted_by(graph)
            yield received, (await client.get(f"{BASE_URL}/me", headers=AUTH)).status_code

    async def scenario():
        run = steps()
        first = await run.__anext__()
        second = await run.asend("sent")
        with pytest.raises(StopAsyncIteration):
            await run.__anext__()
        return first, second

    assert asyncio.run(scenario()) == (200, ("sent", 200))
    assert originals() == before and not intercepted_by(graph)


def test_closing_a_decorated_generator_early_ends_the_interception():
    graph, before = intercept(), originals()

    @graph
    def endless():
        while True:
            yield intercepted_by(graph)

    run = endless()
    assert next(run) is True
    run.close()
    assert originals() == before and not intercepted_by(graph)


def test_decorating_something_not_callable_is_refused_at_once():
    with pytest.raises(TypeError, match="decorates a function"):
        intercept()("not a function")


@pytest.fixture
@intercept()
def intercepted_graph():
    """A yield fixture under the decorator: Graph is intercepted for the whole test."""
    yield BASE_URL


def test_a_decorated_yield_fixture_intercepts_for_the_test(intercepted_graph):
    assert intercept_module._router.target() is not None
    assert requests.get(f"{intercepted_graph}/me", headers=AUTH, timeout=10).json()["id"] == ADELE
