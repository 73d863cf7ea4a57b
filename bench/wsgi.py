"""Calling a WSGI app directly: an environ as waitress builds one, `app(environ, start_response)`, the body
joined. No server and no test client: only the app's own work (and building the environ, a few µs)."""

from __future__ import annotations

import io
import sys

HOST, PORT = "127.0.0.1", "8765"


def environ(method: str, path: str, body: bytes = b"") -> dict:
    return {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": HOST, "SERVER_PORT": PORT, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": HOST,
        "HTTP_HOST": f"{HOST}:{PORT}", "HTTP_AUTHORIZATION": "Bearer bench", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)), "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
        "wsgi.multiprocess": False, "wsgi.run_once": False,
    }


def call(app, method: str, path: str, body: bytes = b"", expected: int = 200) -> bytes:
    """The body `app` answers; RuntimeError unless its status is `expected`."""
    status = []
    answer = b"".join(app(environ(method, path, body), lambda code, headers, exc_info=None: status.append(code)))
    if not status[0].startswith(str(expected)):
        raise RuntimeError(f"{method} {path}: {status[0]} {answer[:300]!r}")
    return answer


def paths(users: list[dict], kind: str = "positions") -> dict:
    """The paths the sections call, for `data.served_users()`: item, collection (for POST), list, profile."""
    item_user, list_user = users[0]["id"], users[-1]["id"]
    base = f"/beta/users/{item_user}/profile/{kind}"
    return {"item": f"{base}/{users[0][kind][0]['id']}", "collection": base,
            "list": f"/beta/users/{list_user}/profile/{kind}", "profile": f"/beta/users/{list_user}/profile"}
