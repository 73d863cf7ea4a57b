"""CONTRACT §8 (and §1 for links): the control API is for this machine's own tools. No CORS on it, no
answer to a Host that is not this machine (DNS rebinding), none to another origin's page (forms,
`no-cors` fetches), no body that is not JSON; Graph answers never build links on a Host they would
not accept. Browsers' headers are simulated; tools (the test client, requests) send none of them."""

from __future__ import annotations

import json

import pytest
import requests
from conftest import ADELE, SEED_PAGE_ID, GraphTestClient, assert_graph_error
from live import ServedMock
from rawhttp import root_url

from mockgraph import create_app
from mockgraph.graph.hosts import HostPolicy, is_same_origin, split_host

POSITIONS = f"/users/{ADELE}/profile/positions"
RULE = {"methods": ["GET"], "path": "/me", "effect": "fail", "status": 503}
SEED = {"users": [{"id": "5d7e9f10-2b3c-4d5e-8f60-718293a4b5c6", "userPrincipalName": "s@contoso.com",
                   "displayName": "Seeded", "positions": []}]}
# Every control endpoint, with a request that would change something where the method does.
CONTROL = [
    ("GET", "/_mockgraph/health", None), ("GET", "/_mockgraph/state", None), ("GET", "/_mockgraph/requests", None),
    ("GET", "/_mockgraph/faults", None), ("GET", "/_mockgraph/clock", None), ("GET", "/_mockgraph/openapi.json", None),
    ("POST", "/_mockgraph/reset", None), ("POST", "/_mockgraph/seed", SEED), ("POST", "/_mockgraph/faults", RULE),
    ("DELETE", "/_mockgraph/faults", None), ("DELETE", "/_mockgraph/requests", None),
    ("POST", "/_mockgraph/clock", {"advance": 60}),
]
FOREIGN_HOSTS = [
    "evil.example", "evil.example:8765", "127.0.0.1.evil.example", "localhost.evil.example:80", "127.1",
    "2130706433", "0x7f.0.0.1", "[::2]:8765", "10.0.0.1", "0.0.0.0:8765", "localhost@evil.example",
    "evil.example/localhost", "local host", "", "[::1", "127.0.0.1:99999",
]
LOCAL_HOSTS = ["localhost", "LOCALHOST:1234", "localhost.", "127.0.0.1", "127.5.6.7:80", "[::1]:8765",
               "[::ffff:127.0.0.1]"]


@pytest.fixture
def changed():
    """A client whose mock differs from its seeded state (so a reset would show) and has a fault rule;
    its clock stands still, so that a request that moved it would show too."""
    client = GraphTestClient(create_app(strict=True, clock="2024-05-01T12:00:00Z"))
    assert client.post(POSITIONS, json={"detail": {"jobTitle": "Mine"}}).status_code == 201
    assert client.raw.post("/_mockgraph/faults", json=RULE).status_code == 201
    return client


def snapshot(client: GraphTestClient) -> tuple:
    state = client.app.extensions["mockgraph"]
    return client.state(), state.faults.list(), state.clock.now(), len(state.journal)


def send(client: GraphTestClient, method: str, path: str, body=None, host: str | None = None, **headers):
    environ = {"HTTP_HOST": host} if host is not None else {}
    data = json.dumps(body) if body is not None else None
    if data is not None:
        headers.setdefault("Content-Type", "application/json")
    return client.raw.open(path, method=method, data=data, headers=headers, environ_overrides=environ)


# ------------------------------------------------------------------------------------------- no CORS


@pytest.mark.parametrize("method, path, body", CONTROL, ids=[f"{m} {p}" for m, p, _ in CONTROL])
def test_no_control_answer_carries_cors_headers(changed, method, path, body):
    # A same-origin page's change carries the inspector's header (the inspector's own rule, see test_inspector).
    same_origin = send(changed, method, path, body, Origin="http://localhost", **{"X-Mockgraph-Client": "inspector"})
    assert same_origin.status_code < 400, same_origin.get_data(as_text=True)
    foreign = send(changed, method, path, body, Origin="http://evil.example")
    for answer in (same_origin, foreign):
        assert not [h for h in answer.headers.keys() if h.lower().startswith("access-control-")]


def test_a_preflight_to_the_control_api_gets_no_cors(changed):
    before = snapshot(changed)
    answer = send(changed, "OPTIONS", "/_mockgraph/reset", **{
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert not [h for h in answer.headers.keys() if h.lower().startswith("access-control-")]
    assert snapshot(changed) == before
    # Graph routes keep theirs.
    graph = changed.request("OPTIONS", POSITIONS, token=None, headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
    assert graph.status_code == 204 and graph.headers["Access-Control-Allow-Origin"] == "*"


# ---------------------------------------------------------------------------------------------- Host


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_the_control_api_refuses_a_host_that_is_not_this_machine(changed, host):
    before = snapshot(changed)
    for method, path, body in CONTROL:
        answer = send(changed, method, path, body, host=host)
        assert_graph_error(answer, 403, "Authorization_RequestDenied")
        assert "addressed to this machine" in answer.get_json()["error"]["message"]
    assert snapshot(changed) == before


@pytest.mark.parametrize("host", LOCAL_HOSTS)
def test_the_control_api_answers_loopback_names_and_addresses(changed, host):
    assert send(changed, "GET", "/_mockgraph/health", host=host).status_code == 200
    assert send(changed, "POST", "/_mockgraph/reset", host=host).status_code == 204


def test_the_bound_host_is_accepted_too_but_not_a_wildcard():
    bound = GraphTestClient(create_app(host="mock.internal"))
    assert send(bound, "GET", "/_mockgraph/health", host="mock.internal:8765").status_code == 200
    assert send(bound, "GET", "/_mockgraph/health", host="MOCK.internal").status_code == 200
    assert send(bound, "GET", "/_mockgraph/health", host="evil.example").status_code == 403
    everywhere = GraphTestClient(create_app(host="0.0.0.0"))
    assert send(everywhere, "GET", "/_mockgraph/health", host="127.0.0.1:8765").status_code == 200
    for host in ("0.0.0.0:8765", "evil.example", "192.168.1.20:8765"):
        assert send(everywhere, "GET", "/_mockgraph/health", host=host).status_code == 403


def test_graph_links_are_never_built_on_a_foreign_host():
    client = GraphTestClient(create_app(strict=True))
    kw = {"base_url": "http://localhost:8765", "environ_overrides": {"HTTP_HOST": "evil.example:9999"},
          "headers": {"Authorization": "Bearer x"}}
    listed = client.raw.get(f"/beta{POSITIONS}?$top=1", **kw).get_json()
    assert listed["@odata.nextLink"].startswith(f"http://127.0.0.1:8765/beta{POSITIONS}?")
    assert listed["@odata.context"].startswith("http://127.0.0.1:8765/beta/$metadata")
    created = client.raw.post(f"/beta{POSITIONS}", json={"detail": {"jobTitle": "x"}}, **kw)
    assert created.status_code == 201 and created.headers["Location"].startswith("http://127.0.0.1:8765/beta/")
    # A Host the mock accepts is kept as sent, port and all.
    kw["environ_overrides"] = {"HTTP_HOST": "localhost:9999"}
    listed = client.raw.get(f"/beta{POSITIONS}?$top=1", **kw).get_json()
    assert listed["@odata.nextLink"].startswith(f"http://localhost:9999/beta{POSITIONS}?")
    # The Graph routes themselves still answer any Host.
    assert client.raw.get(f"/beta/users/{ADELE}", base_url="http://evil.example",
                          headers={"Authorization": "Bearer x"}).status_code == 200


def test_bound_to_every_interface_graph_links_follow_the_host_as_sent():
    client = GraphTestClient(create_app(strict=True, host="0.0.0.0"))
    answer = client.raw.get(f"/beta{POSITIONS}?$top=1", base_url="http://build-box.lan:8765",
                            headers={"Authorization": "Bearer x"}).get_json()
    assert answer["@odata.nextLink"].startswith("http://build-box.lan:8765/beta/")
    malformed = client.raw.get(f"/beta{POSITIONS}?$top=1", base_url="http://localhost:8765",
                               environ_overrides={"HTTP_HOST": "a b@c"}, headers={"Authorization": "Bearer x"})
    assert malformed.get_json()["@odata.nextLink"].startswith("http://127.0.0.1:8765/beta/")


def test_host_parsing_is_strict_and_never_resolves_names():
    assert split_host("LocalHost.:80") == ("localhost", 80)
    assert split_host("[::1]") == ("::1", None)
    for bad in ("", "a b", "[evil]", "x:", "x:1:2", "h" * 300, "[::1]x", "x:65536"):
        assert split_host(bad) is None, bad
    policy = HostPolicy(None)
    assert policy.is_local({"HTTP_HOST": "127.0.0.1:1"}) and not policy.is_local({"HTTP_HOST": "localtest.me"})


def test_same_origin_is_scheme_host_and_port():
    assert is_same_origin("http://127.0.0.1:8765", "http", "127.0.0.1:8765")
    assert is_same_origin("http://LOCALHOST", "http", "localhost:80")
    assert is_same_origin("https://[::1]:9443", "https", "[::1]:9443")
    for origin in ("http://127.0.0.1:9999", "https://127.0.0.1:8765", "http://localhost:8765", "null",
                   "http://127.0.0.1:8765/page", "http://user@127.0.0.1:8765", "", "http://127.0.0.1:notaport"):
        assert not is_same_origin(origin, "http", "127.0.0.1:8765"), origin


# ------------------------------------------------------------------------------------ cross-site


# What browsers send for a page on another local port: an HTML form POST, and fetch(..., {mode: "no-cors"}).
FORM_POST = {"Origin": "http://127.0.0.1:9999", "Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate",
             "Sec-Fetch-Dest": "document", "Content-Type": "application/x-www-form-urlencoded"}
NO_CORS_FETCH = {"Origin": "http://localhost:9999", "Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors",
                 "Sec-Fetch-Dest": "empty", "Content-Type": "text/plain;charset=UTF-8"}


def test_a_page_on_another_port_cannot_drive_the_control_api_over_http():
    with ServedMock() as mock:
        root = root_url(mock.base_url)
        auth = {"Authorization": "Bearer x"}
        created = requests.post(f"{mock.base_url}{POSITIONS}", json={"detail": {"jobTitle": "Mine"}},
                                headers=auth, timeout=30)
        assert created.status_code == 201
        assert requests.post(f"{root}/_mockgraph/faults", json=RULE, timeout=30).status_code == 201
        state = requests.get(f"{root}/_mockgraph/state", timeout=30).content
        rules = requests.get(f"{root}/_mockgraph/faults", timeout=30).json()
        attacks = [
            ("/_mockgraph/reset", FORM_POST, b"x=1"),
            ("/_mockgraph/reset", FORM_POST, b""),
            ("/_mockgraph/reset", NO_CORS_FETCH, b""),
            ("/_mockgraph/seed", NO_CORS_FETCH, json.dumps(SEED).encode()),
            ("/_mockgraph/faults", NO_CORS_FETCH, json.dumps({**RULE, "path": "/*"}).encode()),
            ("/_mockgraph/clock", NO_CORS_FETCH, b'{"advance": 3600}'),
            # Browsers name the other port's origin even where Sec-Fetch-Site is not sent (older ones).
            ("/_mockgraph/reset", {"Origin": "http://127.0.0.1:9999"}, b""),
            ("/_mockgraph/reset", {"Origin": "null", "Content-Type": "text/plain"}, b"{}"),
            # And newer ones say cross-site even where Origin is left out (a GET from <img> or <script>).
            ("/_mockgraph/state", {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}, None),
        ]
        for path, headers, body in attacks:
            method = "GET" if body is None else "POST"
            answer = requests.request(method, root + path, data=body, headers=headers, timeout=30)
            assert answer.status_code == 403, (path, headers, answer.status_code, answer.text)
            assert answer.json()["error"]["code"] == "Authorization_RequestDenied"
            assert not [h for h in answer.headers if h.lower().startswith("access-control-")]
        # DNS rebinding: the page's own name resolving to 127.0.0.1.
        rebound = requests.post(f"{root}/_mockgraph/reset", headers={"Host": "evil.example"}, timeout=30)
        assert rebound.status_code == 403
        assert requests.get(f"{root}/_mockgraph/state", timeout=30).content == state
        assert requests.get(f"{root}/_mockgraph/faults", timeout=30).json() == rules
        # A Graph link in an answer to a rebound request points at the server itself.
        link = requests.get(f"{mock.base_url}{POSITIONS}?$top=1", headers={**auth, "Host": "evil.example"},
                            timeout=30).json()["@odata.nextLink"]
        assert link.startswith(f"{mock.base_url}{POSITIONS}?")
        # The mock's own page (same origin, JSON, its own header) and plain tools keep working.
        own = {"Origin": root, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors",
               "X-Mockgraph-Client": "inspector"}
        assert requests.post(f"{root}/_mockgraph/faults", json={**RULE, "path": "/x"}, headers=own,
                             timeout=30).status_code == 201
        assert requests.get(f"{root}/_mockgraph/requests", headers=own, timeout=30).status_code == 200
        typed = {"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"}  # the address bar
        assert requests.get(f"{root}/_mockgraph/state", headers=typed, timeout=30).status_code == 200
        assert requests.post(f"{root}/_mockgraph/reset", headers=own, timeout=30).status_code == 204
        assert requests.get(f"{root}/_mockgraph/faults", timeout=30).json() == []
        assert requests.post(f"{root}/_mockgraph/reset", timeout=30).status_code == 204


@pytest.mark.parametrize("site", ["cross-site", "same-site", "CROSS-SITE", "something-new", ""])
def test_sec_fetch_site_other_than_same_origin_or_none_is_refused(changed, site):
    before = snapshot(changed)
    answer = send(changed, "POST", "/_mockgraph/reset", **{"Sec-Fetch-Site": site})
    assert_graph_error(answer, 403, "Authorization_RequestDenied")
    assert snapshot(changed) == before


@pytest.mark.parametrize("content_type, body", [
    ("text/plain", b'{"advance": 60}'), ("application/x-www-form-urlencoded", b"advance=60"),
    ("multipart/form-data; boundary=x", b"--x--"), ("application/x-www-form-urlencoded", b""), (None, b"{}"),
])
def test_a_body_that_is_not_json_is_never_acted_on(changed, content_type, body):
    before = snapshot(changed)
    headers = {"Content-Type": content_type} if content_type else {}
    for path in ("/_mockgraph/reset", "/_mockgraph/clock", "/_mockgraph/faults", "/_mockgraph/seed"):
        answer = changed.raw.post(path, data=body, headers=headers)
        assert_graph_error(answer, 400, "BadRequest")
        assert "JSON" in answer.get_json()["error"]["message"]
    assert changed.raw.delete("/_mockgraph/faults", data=body, headers=headers).status_code == 400
    assert snapshot(changed) == before


def test_tools_that_send_no_browser_headers_keep_working(changed):
    assert changed.raw.post("/_mockgraph/faults", json=RULE).status_code == 201
    assert changed.raw.post("/_mockgraph/clock", json={"advance": 1}).status_code == 200
    assert changed.raw.delete("/_mockgraph/faults").status_code == 204
    assert changed.raw.post("/_mockgraph/reset").status_code == 204
    assert changed.get(f"{POSITIONS}/{SEED_PAGE_ID}").status_code == 200


def test_with_the_control_api_off_its_paths_are_graph_paths_with_cors():
    client = GraphTestClient(create_app(control=False))
    answer = client.raw.get("/_mockgraph/state", headers={"Origin": "http://evil.example",
                                                           "Authorization": "Bearer x"})
    assert answer.status_code == 400 and answer.headers["Access-Control-Allow-Origin"] == "*"
