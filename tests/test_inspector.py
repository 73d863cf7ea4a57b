"""The inspector's pages and the landing page, without a browser: what they serve, the headers that keep
them safe, escaping, and the header a browser's change to the mock must carry (tests/browser drives them
in Chromium)."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from conftest import ADELE, ADELE_UPN, NESTOR, GraphTestClient, assert_graph_error

from mockgraph import create_app
from mockgraph.control.inspector.guard import CLIENT_HEADER
from mockgraph.graph.facets import FACETS

TOKEN = {"Authorization": "Bearer x"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
PAGES = ("/_mockgraph/", "/_mockgraph/inspector", "/_mockgraph/inspector/state", "/_mockgraph/inspector/control",
         f"/_mockgraph/inspector/users/{ADELE}")
XSS = '<img src=x onerror="alert(1)">'
XSS_USER = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
XSS_SEED = {"users": [{"id": XSS_USER, "userPrincipalName": "mallory@contoso.com", "displayName": "<b>Mallory</b>",
                       "positions": [{"detail": {"jobTitle": XSS, "company": {"displayName": "</pre><script>x()"}}}]}]}


class Page(HTMLParser):
    """The parts of a page the tests look at: scripts, styles, links, and the text of <pre> blocks."""

    def __init__(self, html: str):
        super().__init__()
        self.scripts: list[dict] = []
        self.script_text: list[str] = []
        self.links: list[str] = []
        self.pres: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self.scripts.append(attrs)
            self._in = "script"
            self.script_text.append("")
        elif tag == "pre":
            self._in = "pre"
            self.pres.append("")
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "pre"):
            self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.script_text[-1] += data
        elif self._in == "pre":
            self.pres[-1] += data


def get_page(client: GraphTestClient, path: str):
    response = client.raw.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    return response, Page(response.get_data(as_text=True))


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


# The pages


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_html_with_a_strict_policy_and_no_inline_script(client, path):
    response, page = get_page(client, path)
    policy = csp(response)
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and response.headers["X-Frame-Options"] == "DENY"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    for attrs, text in zip(page.scripts, page.script_text, strict=True):
        # A script either comes from the package's files or is inert JSON data.
        src = attrs.get("src", "")
        assert src.startswith("/_mockgraph/inspector/static/") or attrs.get("type") == "application/json"
        assert not attrs.get("src") or text == ""
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)  # no inline handlers
    assert not any("style" in attrs for _, attrs in page.tags)  # CSP has no 'unsafe-inline' for styles


@pytest.mark.parametrize("path", PAGES)
def test_every_asset_a_page_names_is_served_from_the_package(client, path):
    _, page = get_page(client, path)
    html = client.raw.get(path).get_data(as_text=True)
    assets = set(re.findall(r'(?:src|href)="(/_mockgraph/inspector/static/[^"]+)"', html))
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".svg") for a in assets)
    for asset in assets:
        answer = client.raw.get(asset)
        assert answer.status_code == 200, asset
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.mimetype in ("text/css", "image/svg+xml", "text/javascript", "application/javascript")
        if not asset.endswith(".svg"):  # (an SVG names its XML namespace by URL)
            # No CDN: nothing a page loads names another server.
            assert "://" not in answer.get_data(as_text=True), asset


def test_modules_import_only_their_neighbours(client):
    for name in ("requests.js", "control.js"):
        text = client.raw.get(f"/_mockgraph/inspector/static/{name}").get_data(as_text=True)
        for imported in re.findall(r'from "([^"]+)"', text):
            assert imported.startswith("./")
            assert client.raw.get(f"/_mockgraph/inspector/static/{imported[2:]}").status_code == 200


def test_an_unknown_asset_is_a_graph_shaped_404_and_files_outside_static_are_not_served(client):
    assert_graph_error(client.raw.get("/_mockgraph/inspector/static/nope.js"), 404, "itemNotFound")
    for path in ("/_mockgraph/inspector/static/../pages.py", "/_mockgraph/inspector/static/%2e%2e/guard.py"):
        response = client.raw.get(path)
        assert response.status_code in (400, 404) and "error" in response.get_json()


def test_the_pages_only_read():
    response = GraphTestClient(create_app()).raw.post("/_mockgraph/", json={})
    assert_graph_error(response, 405, "Request_BadRequest")
    assert response.headers["Allow"] == "GET"


def test_the_requests_page_names_every_user_for_the_caller_column(client):
    _, page = get_page(client, "/_mockgraph/")
    [users] = [json.loads(text) for attrs, text in zip(page.scripts, page.script_text, strict=True)
               if attrs.get("id") == "users-data"]
    assert users[ADELE] == {"displayName": "Adele Vance", "userPrincipalName": ADELE_UPN}
    assert NESTOR in users


def test_the_state_page_lists_users_with_counts_per_collection(client):
    client.post(f"/users/{NESTOR}/profile/positions", json={"detail": {"company": {"displayName": "F"}}})
    html = get_page(client, "/_mockgraph/inspector/state")[0].get_data(as_text=True)
    for user in client.raw.get("/_mockgraph/state").get_json()["users"]:
        row = html[html.index(f"/_mockgraph/inspector/users/{user['id']}"):]
        row = row[:row.index("</tr>")]
        for segment in (facet.segment for facet in FACETS):
            count = len(user[segment])
            if count:
                assert re.search(rf'data-collection="{segment}">{segment} <b>{count}</b>', row), user["id"]
            else:
                assert f'data-collection="{segment}"' not in row, (user["id"], segment)


def test_a_user_page_shows_what_the_graph_routes_answer(client):
    client.patch(f"/users/{ADELE}/profile/positions/2cb67137-7137-2cb6-3771-b62c3771b62c",
                 json={"detail": {"jobTitle": "Changed"}})
    for ref in (ADELE, ADELE_UPN.upper()):
        _, page = get_page(client, f"/_mockgraph/inspector/users/{ref}")
        shown = [json.loads(unescape(text)) for text in page.pres]
        served = [item for facet in FACETS
                  for item in client.get(f"/users/{ADELE}/profile/{facet.segment}?$top=999").get_json()["value"]]
        assert shown == served
    assert "Changed" in client.raw.get(f"/_mockgraph/inspector/users/{ADELE}").get_data(as_text=True)


def test_an_unknown_user_page_is_a_graph_404(client):
    response = client.raw.get("/_mockgraph/inspector/users/nobody@contoso.com")
    assert_graph_error(response, 404, "Request_ResourceNotFound")


def test_the_control_page_shows_rules_with_counts_and_the_clock(client):
    client.raw.post("/_mockgraph/faults", json={"id": "slow-me", "path": "/me", "effect": "delay", "delayMs": 1})
    client.raw.post("/_mockgraph/clock", json={"set": "2024-05-06T07:08:09Z"})
    client.get("/me")
    _, page = get_page(client, "/_mockgraph/inspector/control")
    html = client.raw.get("/_mockgraph/inspector/control").get_data(as_text=True)
    rules = [json.loads(unescape(text)) for text in page.pres]
    assert rules == client.raw.get("/_mockgraph/faults").get_json()
    assert "matched 1, fired 1" in html and 'data-rule="slow-me"' in html
    assert "2024-05-06T07:08:09.0000000Z" in html and "frozen" in html


def test_the_pages_are_never_journaled(client):
    for path in PAGES:
        get_page(client, path)
    client.raw.get("/_mockgraph/inspector/static/inspector.css")
    client.raw.get("/", headers={"Accept": BROWSER})
    assert client.raw.get("/_mockgraph/requests").get_json()["value"] == []


# Escaping


def test_stored_markup_is_escaped_on_every_page(client):
    assert client.raw.post("/_mockgraph/seed", json=XSS_SEED).status_code == 200
    client.raw.post("/_mockgraph/faults", json={"path": "/</pre><script>alert(1)</script>", "effect": "fail",
                                                "status": 500})
    for path in (*PAGES, f"/_mockgraph/inspector/users/{XSS_USER}"):
        html = client.raw.get(path).get_data(as_text=True)
        for raw in ("<img src=x", "<b>Mallory", "<script>x()", "<script>alert", "</pre><script>"):
            assert raw not in html, (path, raw)
    html = client.raw.get(f"/_mockgraph/inspector/users/{XSS_USER}").get_data(as_text=True)
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html  # shown, as text
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in html
    requests_page = client.raw.get("/_mockgraph/").get_data(as_text=True)
    assert "\\u003cb\\u003eMallory" in requests_page  # inside the JSON data block: inert


def test_the_scripts_never_write_html():
    from mockgraph.control.inspector.pages import STATIC

    for script in STATIC.glob("*.js"):
        text = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in text, (script.name, sink)


# The landing page


@pytest.mark.parametrize("accept", [BROWSER, "text/html", "text/*"])
def test_a_browser_at_the_root_gets_the_landing_page(accept):
    client = GraphTestClient(create_app())
    response = client.raw.get("/", headers={"Accept": accept}, base_url="http://127.0.0.1:8765")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    assert csp(response)["script-src"] == "'self'" and response.headers["X-Frame-Options"] == "DENY"
    page = Page(response.get_data(as_text=True))
    html = response.get_data(as_text=True)
    assert "http://127.0.0.1:8765/beta" in html
    assert "/_mockgraph/" in page.links and "/_mockgraph/openapi.json" in page.links
    assert "Authorization: Bearer &lt;token&gt;" in html and "default user" in html


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json, text/html",
                                    "application/json;q=1, text/html;q=0.5"])
def test_api_clients_keep_graph_answers_at_the_root(accept):
    client = GraphTestClient(create_app())
    headers = {"Accept": accept} if accept else {}
    assert_graph_error(client.raw.get("/", headers=headers), 401, "InvalidAuthenticationToken")
    assert_graph_error(client.raw.get("/", headers={**headers, **TOKEN}), 400, "BadRequest", "Invalid version: ")
    assert len(client.raw.get("/_mockgraph/requests").get_json()["value"]) == 2  # journaled as Graph requests


def test_other_methods_at_the_root_keep_graph_answers_even_from_a_browser():
    client = GraphTestClient(create_app())
    for method in ("POST", "DELETE", "PATCH"):
        response = client.raw.open("/", method=method, headers={"Accept": BROWSER, **TOKEN})
        assert_graph_error(response, 400, "BadRequest", "Invalid version: ")


def test_without_control_there_is_no_inspector_and_no_landing_page():
    client = GraphTestClient(create_app(control=False))
    assert_graph_error(client.raw.get("/", headers={"Accept": BROWSER}), 401, "InvalidAuthenticationToken")
    response = client.raw.get("/", headers={"Accept": BROWSER, **TOKEN})
    assert_graph_error(response, 400, "BadRequest", "Invalid version: ")
    for path in (*PAGES, "/_mockgraph/inspector/static/requests.js"):
        response = client.get(path, headers={"Accept": BROWSER})
        assert_graph_error(response, 400, "BadRequest")
        assert "Content-Security-Policy" not in response.headers


# What a browser must send to change anything


def _changes():
    return [
        ("POST", "/_mockgraph/reset", None),
        ("POST", "/_mockgraph/seed", XSS_SEED),
        ("POST", "/_mockgraph/faults", {"path": "/me", "effect": "fail", "status": 500}),
        ("DELETE", "/_mockgraph/faults", None),
        ("DELETE", "/_mockgraph/faults/kept", None),
        ("POST", "/_mockgraph/clock", {"advance": 3600}),
        ("DELETE", "/_mockgraph/requests", None),
    ]


def _snapshot(client: GraphTestClient) -> tuple:
    raw = client.raw
    return (client.state(), raw.get("/_mockgraph/faults").get_json(), raw.get("/_mockgraph/clock").get_json(),
            len(raw.get("/_mockgraph/requests").get_json()["value"]))


@pytest.mark.parametrize("browser_headers", [
    {"Origin": "http://localhost"},
    {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"},
    {"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"},
    {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin", CLIENT_HEADER: ""},
])
@pytest.mark.parametrize("method, path, body", _changes())
def test_a_browser_change_without_the_header_is_refused_and_changes_nothing(browser_headers, method, path, body):
    client = GraphTestClient(create_app(clock="2024-01-01T00:00:00Z"))
    client.raw.post("/_mockgraph/faults", json={"id": "kept", "path": "/nowhere", "effect": "fail", "status": 500})
    client.post(f"/users/{ADELE}/profile/positions", json={"detail": {"company": {"displayName": "F"}}})
    before = _snapshot(client)
    kwargs = {"json": body} if body is not None else {"content_type": "application/json"}
    response = client.raw.open(path, method=method, headers=browser_headers, **kwargs)
    error = assert_graph_error(response, 403, "Authorization_RequestDenied")
    assert CLIENT_HEADER in error["message"]
    assert _snapshot(client) == before


@pytest.mark.parametrize("method, path, body", _changes())
def test_the_inspector_header_or_a_tool_without_browser_headers_may_change(method, path, body):
    # Node's fetch, a tool like curl, sends Sec-Fetch-Mode but neither Origin nor Sec-Fetch-Site.
    for headers in ({"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin", CLIENT_HEADER: "inspector"}, {},
                    {"Sec-Fetch-Mode": "cors"}):
        client = GraphTestClient(create_app(clock="2024-01-01T00:00:00Z"))
        client.raw.post("/_mockgraph/faults", json={"id": "kept", "path": "/nowhere", "effect": "fail", "status": 500})
        client.get("/me")
        before = _snapshot(client)
        kwargs = {"json": body} if body is not None else {"content_type": "application/json"}
        response = client.raw.open(path, method=method, headers=headers, **kwargs)
        assert response.status_code < 300, response.get_data(as_text=True)
        assert _snapshot(client) != before


def test_a_cross_site_form_post_cannot_reset():
    client = GraphTestClient(create_app())
    created = client.post(f"/users/{ADELE}/profile/positions", json={"detail": {"company": {"displayName": "F"}}})
    response = client.raw.post("/_mockgraph/reset", data={"x": "1"}, headers={
        "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"})
    assert_graph_error(response, 403, "Authorization_RequestDenied")
    assert client.get(f"/users/{ADELE}/profile/positions/{created.get_json()['id']}").status_code == 200


def test_reading_needs_no_header_even_from_a_browser(client):
    headers = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    for path in ("/_mockgraph/requests", "/_mockgraph/faults", "/_mockgraph/clock", "/_mockgraph/state"):
        assert client.raw.get(path, headers=headers).status_code == 200


def test_graph_routes_are_not_asked_for_the_header(client):
    # Browser apps call Graph with CORS; the header is the control API's business only.
    response = client.post(f"/users/{ADELE}/profile/positions", headers={"Origin": "http://localhost:3000"},
                           json={"detail": {"company": {"displayName": "F"}}})
    assert response.status_code == 201


def test_the_browser_asks_for_an_icon_and_gets_one_without_a_journal_entry():
    client = GraphTestClient(create_app())
    response = client.raw.get("/favicon.ico", headers={"Accept": "image/avif,image/webp,image/*,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data().startswith(b"<svg")
    assert client.raw.get("/_mockgraph/requests").get_json()["value"] == []
    without = GraphTestClient(create_app(control=False))
    assert_graph_error(without.raw.get("/favicon.ico"), 401, "InvalidAuthenticationToken")
