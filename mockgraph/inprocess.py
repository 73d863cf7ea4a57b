"""Calling the mock's WSGI app in this process, as a WSGI server would, with no socket: the one request
path that `intercept()` gives `requests` and `httpx` (sync and async)."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from mockgraph.graph.hosts import IN_PROCESS_KEY


@dataclass(frozen=True)
class WsgiResponse:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


def call_wsgi(app, method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes) -> WsgiResponse:
    """Run one request through `app` and collect the whole answer (the mock's answers are small)."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    environ = {
        "REQUEST_METHOD": method.upper(),
        "SCRIPT_NAME": "",
        # As waitress does: percent-decoded path bytes, as latin-1 text (PEP 3333).
        "PATH_INFO": unquote(parts.path or "/", encoding="latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": str(parts.port or (443 if https else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parts.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
        IN_PROCESS_KEY: True,  # its Host is the URL this process chose to route here, not a browser's
    }
    for name, value in headers:
        if "_" in name:
            continue  # as waitress: a header spelled with "_" could pose as one spelled with "-"
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
            continue  # as waitress, which de-chunks: the whole body is in hand and CONTENT_LENGTH says so
        if key != "CONTENT_TYPE":
            key = "HTTP_" + key
        environ[key] = f"{environ[key]}, {value}" if key in environ else value
    environ.setdefault("HTTP_HOST", parts.netloc)

    return run_wsgi(app, environ)


def run_wsgi(app, environ: dict) -> WsgiResponse:
    """Call a WSGI callable with a ready environ and collect the whole answer."""
    started: list = []
    chunks: list[bytes] = []

    def start_response(status, response_headers, exc_info=None):
        started[:] = [status, response_headers]
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, response_headers = started
    code, _, reason = status.partition(" ")
    return WsgiResponse(int(code), reason, list(response_headers), b"".join(chunks))
