"""What another web page can do to the mock through the developer's browser: nothing. And with
--no-control there is nothing to see."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from mockgraph import MockGraph

from .calls import POSITION, control, graph


class Attacker:
    """A page on another origin (another port of this machine) that serves whatever HTML it is given."""

    def __init__(self):
        self.html = ""
        attacker = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = attacker.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(30)


@pytest.fixture
def attacker():
    served = Attacker()
    yield served
    served.close()


def test_a_form_on_another_page_cannot_reset_the_mock(page, mock, attacker):
    created = graph(mock, "POST", "/me/profile/positions", json=POSITION).json()["id"]
    attacker.html = (f'<form id=f method=post action="{mock.url}/_mockgraph/reset">'
                     '<input name=x value=1></form><script>document.getElementById("f").submit()</script>')
    with page.expect_response(f"{mock.url}/_mockgraph/reset") as refused:
        page.goto(attacker.url)
    assert refused.value.status == 403
    assert refused.value.json()["error"]["code"] == "Authorization_RequestDenied"
    assert graph(mock, "GET", f"/me/profile/positions/{created}").status_code == 200


def test_a_no_cors_fetch_from_another_page_cannot_add_a_fault_rule(page, mock, attacker):
    attacker.html = (
        "<script>fetch(" + repr(f"{mock.url}/_mockgraph/faults") + ", {method: 'POST', mode: 'no-cors', "
        "headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({path: '/me', effect: 'fail', status: 500})})"
        "</script>")
    with page.expect_response(f"{mock.url}/_mockgraph/faults") as sent:
        page.goto(attacker.url)
    assert sent.value.status in (400, 403)  # refused for its Origin (and its Content-Type)
    assert control(mock, "GET", "/faults").json() == []
    assert graph(mock, "GET", "/me").status_code == 200


def test_another_page_cannot_frame_the_inspector(watched, mock, attacker):
    page = watched.page
    attacker.html = f'<iframe id=i src="{mock.url}/_mockgraph/inspector/control" width=800 height=600></iframe>'
    with page.expect_response(f"{mock.url}/_mockgraph/inspector/control") as framed:
        page.goto(attacker.url)
    assert framed.value.headers["x-frame-options"] == "DENY"
    page.wait_for_load_state("load")
    inner = page.frame_locator("#i")
    expect(inner.locator("#reset")).to_have_count(0)
    assert all(frame.query_selector("#reset") is None for frame in page.frames)
    # The browser says why: the page's frame-ancestors 'none'. Expected here, so not a failure of the page.
    blocked = [e for e in watched.errors if "frame-ancestors 'none'" in e]
    assert blocked
    watched.errors[:] = [e for e in watched.errors if e not in blocked]


def test_without_control_the_browser_finds_no_inspector_and_no_landing_page(page):
    with MockGraph(control=False) as mock:
        for path in ("/_mockgraph/", "/_mockgraph/inspector/control", "/_mockgraph/inspector/static/requests.js"):
            answer = page.goto(mock.url + path)
            assert answer.status == 401 and answer.json()["error"]["code"] == "InvalidAuthenticationToken", path
            assert page.locator("#requests, #reset, h1").count() == 0
        answer = page.goto(mock.url + "/")
        assert answer.status == 401 and answer.json()["error"]["code"] == "InvalidAuthenticationToken"
        assert "text/html" not in answer.headers["content-type"]
