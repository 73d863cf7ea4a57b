"""One call in process (Flask test client; `requests` and `httpx` under `intercept()`) against the same
call over HTTP to the same mock served by `MockGraph` (waitress in a background thread), with the same
client library, in the same process."""

from __future__ import annotations

import httpx
import requests

import mockgraph
from bench import data, report
from bench.timing import expect, per_call
from mockgraph import MockGraph

HEADERS = {"Authorization": "Bearer bench"}


def _ok(response, status: int = 200):
    if response.status_code != status:
        raise RuntimeError(f"expected {status}, got {response.status_code}: {response.text[:300]}")
    return response


def run(config: dict) -> dict:
    generated = data.users(1, 50)
    mock = MockGraph()  # serves over HTTP; its app also answers in process
    mock.mock_state.repository.load(generated)
    app = mock.app
    path = f"/beta/users/{generated[0]['id']}/profile/positions/{generated[0][data.KIND][0]['id']}"
    n = config["in_process_repetitions"]
    results: dict = {}

    client = app.test_client()
    results["test_client"] = per_call(lambda: expect(client.get(path, headers=HEADERS), 200), n)
    with mockgraph.intercept(app), requests.Session() as session, httpx.Client() as hx:
        url = "https://graph.microsoft.com" + path
        results["intercept_requests"] = per_call(lambda: _ok(session.get(url, headers=HEADERS)), n)
        results["intercept_httpx"] = per_call(lambda: _ok(hx.get(url, headers=HEADERS)), n)
    with mock, requests.Session() as session, httpx.Client() as hx:
        url = f"http://127.0.0.1:{mock.port}{path}"
        results["http_requests"] = per_call(lambda: _ok(session.get(url, headers=HEADERS)), n)
        results["http_httpx"] = per_call(lambda: _ok(hx.get(url, headers=HEADERS)), n)

    ms = {name: figures["median_ms"] for name, figures in results.items()}
    results["requests_http_over_intercept"] = report.ratio(ms["http_requests"], ms["intercept_requests"])
    results["httpx_http_over_intercept"] = report.ratio(ms["http_httpx"], ms["intercept_httpx"])
    results["requests_http_over_test_client"] = report.ratio(ms["http_requests"], ms["test_client"])
    rows = [
        ["Flask test client", ms["test_client"], results["requests_http_over_test_client"]],
        ["requests under intercept()", ms["intercept_requests"], results["requests_http_over_intercept"]],
        ["httpx under intercept()", ms["intercept_httpx"], results["httpx_http_over_intercept"]],
        ["requests over HTTP (MockGraph)", ms["http_requests"], 1.0],
        ["httpx over HTTP (MockGraph)", ms["http_httpx"], 1.0],
    ]
    report.table("In process: one GET of one position (median ms)", ["path", "ms", "HTTP / this"], rows,
                 note="HTTP / this: how many times cheaper than over HTTP with the same client library "
                      "(requests for the test client).")
    return results
