"""Security defaults: loopback unless told, the control API can be turned off, the body limit comes
before anything reads the body, answers never reveal tracebacks or paths, requests never name files."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ADELE, GraphTestClient, assert_graph_error
from live import ServedMock
from rawhttp import assert_graph_error as assert_http_graph_error
from rawhttp import assert_reveals_nothing, send

from mockgraph import create_app
from mockgraph.serving.cli import build_parser

BEARER = ("Authorization", "Bearer x")


def test_binds_loopback_unless_told():
    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"
    with ServedMock() as mock:
        assert mock.base_url.startswith("http://127.0.0.1:")
        log = mock.stop()
    assert "warning" not in log


def test_an_unexpected_exception_is_a_plain_500_without_trace_or_path():
    app = create_app()
    secret = f"{__file__} leaked"

    def broken_guard(req):
        raise RuntimeError(secret)

    app.extensions["mockgraph"].guards.append(broken_guard)
    response = GraphTestClient(app).get(f"/users/{ADELE}/profile/positions")
    error = assert_graph_error(response, 500, "generalException")
    body = response.get_data(as_text=True)
    assert secret not in body and "RuntimeError" not in body
    assert_reveals_nothing(body)
    assert error["message"] == "An unexpected error occurred while processing the request."


def test_no_control_turns_the_control_api_off():
    with ServedMock("--no-control") as mock:
        for method, path in (("GET", "/_mockgraph/health"), ("GET", "/_mockgraph/state"),
                             ("POST", "/_mockgraph/reset"), ("GET", "/_mockgraph/openapi.json")):
            answer = send(mock.base_url, method, path, (BEARER,))
            assert 400 <= answer.status < 500 and "error" in answer.json(), (path, answer.status)
        # Graph routes are untouched.
        assert send(mock.base_url, "GET", f"/users/{ADELE}", (BEARER,)).status == 200
    with ServedMock() as mock:  # and on by default
        assert send(mock.base_url, "GET", "/_mockgraph/health").status == 200


def test_body_limit_comes_before_token_and_parsing():
    with ServedMock("--max-body", "100") as mock:
        garbage = b"{" * 101  # not JSON, no token: the size alone decides
        assert_http_graph_error(send(mock.base_url, "POST", "/me/profile/positions",
                                     (("Content-Type", "application/json"),), garbage), 413)
        chunked = send(mock.base_url, "POST", "/me/profile/positions", (("Content-Type", "application/json"),),
                       chunks=[b"{" * 60, b"{" * 60])
        assert_http_graph_error(chunked, 413)
        within = send(mock.base_url, "POST", "/me/profile/positions", (("Content-Type", "application/json"),),
                      b"{" * 100)
        assert_http_graph_error(within, 401)  # at the limit: on to the token check


def test_requests_never_decide_a_file_path(tmp_path):
    db = tmp_path / "state.db"
    names = ["..%2F..%2Fescaped", "%2Ftmp%2Fescaped", "escaped.db", "..", "CON", "%00"]
    with ServedMock("--db", str(db)) as mock:
        for name in names:
            send(mock.base_url, "GET", f"/users/{name}/profile/positions", (BEARER,))
            send(mock.base_url, "POST", f"/users/{name}/profile/positions",
                 (BEARER, ("Content-Type", "application/json")), json.dumps({"detail": {}}).encode())
            send(mock.base_url, "DELETE", f"/users/{ADELE}/profile/positions/{name}", (BEARER,))
        seed = {"users": [{"id": "../../escaped", "userPrincipalName": "x@contoso.com", "positions": []}]}
        refused = send(mock.base_url, "POST", "/_mockgraph/seed", (("Content-Type", "application/json"),),
                       json.dumps(seed).encode())
        assert refused.status == 400
        assert send(mock.base_url, "GET", f"/users/{ADELE}", (BEARER,)).status == 200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.db", "state.db.lock"]  # the lock: one server per file
    assert not list(Path.cwd().glob("*escaped*")) and not list(tmp_path.parent.glob("*escaped*"))


def test_control_seed_never_reads_a_file_the_body_names():
    client = GraphTestClient(create_app(strict=True))
    before = client.state()
    bundled = str(Path("mockgraph/fixtures/default.json").resolve())
    for body in (bundled, "mockgraph/fixtures/default.json", ["/etc/hostname"]):
        response = client.post("/_mockgraph/seed", json=body)
        assert_graph_error(response, 400, "BadRequest")
        assert "expected an object" in response.get_json()["error"]["message"]
    assert client.state() == before
