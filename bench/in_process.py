"""In process, two comparisons.

The app's own cost: one GET of one position by a direct WSGI call (an environ, `app(environ,
start_response)`, no server, no test client), the mock (journal on, strict off: the defaults) against
the bare Flask reference answering the same body; and the same GET and a PATCH with the journal off
(`journal_size=0`), whose difference is the journal's own cost. Each app is timed in rounds, the apps
in turn (in a rotating order) within each round; a round's figure is the median of its calls and the
figure reported is the best round's, as `timeit` does: other processes only ever add time.

The client's path: one call through the Flask test client and `requests` and `httpx` under
`intercept()`, against the same call over HTTP to the same mock served by `MockGraph` (waitress in a
background thread), with the same client library, in the same process.
"""

from __future__ import annotations

import statistics

import httpx
import requests

import mockgraph
from bench import data, report, wsgi
from bench.load import PATCH_BODY
from bench.reference_app import create_reference_app
from bench.timing import expect, per_call
from mockgraph import MockGraph, create_app

HEADERS = {"Authorization": "Bearer bench"}


def _ok(response, status: int = 200):
    if response.status_code != status:
        raise RuntimeError(f"expected {status}, got {response.status_code}: {response.text[:300]}")
    return response


def _mock(**options):
    app = create_app(**options)
    app.extensions["mockgraph"].repository.load(data.served_users())
    return app


def direct(config: dict) -> dict:
    """Direct WSGI calls: the mock's GET against the reference's, and the journal's cost (GET and PATCH)."""
    users = data.served_users()
    item = wsgi.paths(users)["item"]
    body = PATCH_BODY.encode()
    mock, quiet, reference = _mock(), _mock(journal_size=0), create_reference_app(users)
    calls = {
        ("get", "reference"): lambda: wsgi.call(reference, "GET", item),
        ("get", "mock"): lambda: wsgi.call(mock, "GET", item),
        ("get", "mock_no_journal"): lambda: wsgi.call(quiet, "GET", item),
        ("patch", "mock"): lambda: wsgi.call(mock, "PATCH", item, body),
        ("patch", "mock_no_journal"): lambda: wsgi.call(quiet, "PATCH", item, body),
    }
    keys = list(calls)
    rounds: dict = {key: [] for key in keys}
    for round_ in range(config["wsgi_rounds"]):
        for key in keys[round_ % len(keys):] + keys[:round_ % len(keys)]:
            rounds[key].append(per_call(calls[key], config["wsgi_repetitions"], warmup=20)["median_ms"])
    results: dict = {"rounds": config["wsgi_rounds"], "calls_per_round": config["wsgi_repetitions"]}
    for (operation, app), medians in rounds.items():
        results.setdefault(operation, {})[app] = {"best_ms": min(medians), "median_ms": statistics.median(medians),
                                                  "rounds_ms": medians}
    get, patch = results["get"], results["patch"]
    results["get_ratio"] = report.ratio(get["mock"]["best_ms"], get["reference"]["best_ms"])
    results["journal_us"] = {op: (results[op]["mock"]["best_ms"] - results[op]["mock_no_journal"]["best_ms"]) * 1000
                             for op in ("get", "patch")}
    reference_ms = get["reference"]["best_ms"]
    labelled = (("GET: bare Flask reference (the same body)", get["reference"]), ("GET: mock", get["mock"]),
                ("GET: mock, journal off", get["mock_no_journal"]), ("PATCH: mock", patch["mock"]),
                ("PATCH: mock, journal off", patch["mock_no_journal"]))
    rows = [[label, figures["best_ms"] * 1000, figures["median_ms"] * 1000,
             report.ratio(figures["best_ms"], reference_ms)] for label, figures in labelled]
    report.table(
        "In process, a direct WSGI call (no server, no test client): one position (µs per call)",
        ["call", "best round", "median round", "/ reference GET"], rows,
        note=f"{results['rounds']} rounds of {results['calls_per_round']} calls per app, apps in turn; a round's "
             "figure is the median of its calls. Journal on, strict off, unless said.")
    report.table("In process: mock / bare Flask, and the journal's own cost", ["figure", "value", "unit"],
                 [["GET: mock / bare Flask reference (best rounds)", results["get_ratio"], "x"],
                  ["journal cost per request, GET (on - off)", results["journal_us"]["get"], "µs"],
                  ["journal cost per request, PATCH (on - off)", results["journal_us"]["patch"], "µs"]])
    return results


def run(config: dict) -> dict:
    results: dict = {"wsgi": direct(config)}
    generated = data.served_users()
    mock = MockGraph()  # serves over HTTP; its app also answers in process
    mock.mock_state.repository.load(generated)
    app = mock.app
    path = wsgi.paths(generated)["item"]
    n = config["in_process_repetitions"]

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

    ms = {name: figures["median_ms"] for name, figures in results.items() if name != "wsgi"}
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
    report.table("In process, through a client: one GET of one position (median ms)", ["path", "ms", "HTTP / this"],
                 rows,
                 note="HTTP / this: how many times cheaper than over HTTP with the same client library "
                      "(requests for the test client).")
    return results
