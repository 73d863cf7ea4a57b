"""Helpers for tests over real HTTP: raw requests (repeated headers, chunked bodies, any bytes, any
method), the stored state for before/after comparisons, and what an answer must never reveal."""

from __future__ import annotations

import http.client
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

REPO = str(Path(__file__).resolve().parent.parent)
# Text that only a leaked traceback or server path would put in an answer.
INTERNALS = ("Traceback", 'File "', REPO, sys.prefix, sys.base_prefix, "site-packages")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self):
        return json.loads(self.body)


def send(base_url: str, method: str, target: str, headers=(), body: bytes | None = None,
         chunks: list[bytes] | None = None, timeout: float = 60) -> Answer:
    """`target` is sent as given (already percent-encoded), under the base URL's path unless it starts
    with `/_`. Headers are (name, value) pairs, repeats allowed. `chunks` sends a chunked body."""
    url = urlsplit(base_url)
    path = target if target.startswith("/_") else url.path + target
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if chunks is not None:
            connection.putheader("Transfer-Encoding", "chunked")
            connection.endheaders()
            for chunk in chunks:
                connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            connection.send(b"0\r\n\r\n")
        else:
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
        response = connection.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def root_url(base_url: str) -> str:
    """`http://127.0.0.1:PORT` from `http://127.0.0.1:PORT/beta`."""
    return base_url.rsplit("/", 1)[0]


def stored_state(base_url: str, session: requests.Session | None = None) -> bytes:
    """Everything the mock stores, as the control API exports it: compare bytes before and after."""
    response = (session or requests).get(root_url(base_url) + "/_mockgraph/state", timeout=60)
    assert response.status_code == 200, response.text
    return response.content


def assert_reveals_nothing(text: str) -> None:
    for marker in INTERNALS:
        assert marker not in text, f"the answer contains {marker!r}: {text[:500]}"


def assert_graph_error(answer: Answer, status: int) -> dict:
    """A Graph error envelope with this status, whose innerError ids match the headers."""
    assert answer.status == status, (answer.status, answer.body[:300])
    error = answer.json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    inner = error["innerError"]
    assert inner["request-id"] == answer.header("request-id")
    assert inner["client-request-id"] == answer.header("client-request-id")
    assert (answer.header("Content-Type") or "").startswith("application/json")
    return error
