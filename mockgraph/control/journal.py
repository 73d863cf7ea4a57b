"""The request journal (CONTRACT §8): every Graph request with what was answered, oldest first, bounded.

Recording is on every request's path, so an entry keeps the raw pieces (bytes, header pairs, the
caller object) and becomes JSON only when someone reads the journal.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from fnmatch import fnmatchcase
from urllib.parse import parse_qsl

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from mockgraph.clock import format_timestamp
from mockgraph.graph.batch_format import BATCH_KEY
from mockgraph.graph.pipeline import is_graph_request

DEFAULT_SIZE = 10_000
BODY_LIMIT = 256 * 1024  # bytes of a body an entry keeps; a longer one is kept as truncated text
OPENED_KEY = "mockgraph.journal"  # WSGI environ: (entry id, perf counter, time) of the request in progress


class Entry:
    __slots__ = ("id", "time", "method", "path", "query", "headers", "body", "status", "response_headers",
                 "response_body", "duration_ms", "caller", "fault", "batch")

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "time": format_timestamp(self.time),
            "method": self.method,
            "path": self.path,
            "query": _query(self.query),
            "headers": {_header_name(k): v for k, v in self.headers},
            "body": _body(*self.body),
            "status": self.status,
            "responseHeaders": dict(self.response_headers),
            "responseBody": _body(*self.response_body),
            "durationMs": round(self.duration_ms, 3),
            "caller": self.caller.journal_view() if self.caller is not None else None,
            "fault": self.fault,
            "batch": self.batch,
        }


class Journal:
    """Thread-safe and bounded: beyond `size` entries the oldest go. Size 0 records nothing."""

    def __init__(self, size: int = DEFAULT_SIZE):
        self.size = size
        self._entries: deque[Entry] = deque(maxlen=size or 1)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)  # never restarts, so an id names one request for the process's life

    @property
    def enabled(self) -> bool:
        return self.size > 0

    def next_id(self) -> int:
        return next(self._ids)

    def add(self, entry: Entry) -> None:
        with self._lock:
            self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def at(self, index: int) -> dict:
        """One entry as JSON (`-1`: the newest); IndexError as a list would."""
        with self._lock:
            entry = self._entries[index]
        return entry.to_json()

    def entries(self, method: str | None = None, path: str | None = None, status: int | None = None, *,
                after: int | None = None, last: int | None = None) -> list[dict]:
        """The entries as JSON, oldest first; `path` is a glob (`*` spans `/`), tried on the path as sent and
        on the path under its version (`/users/*/profile/positions` matches `/beta/users/.../positions`).

        `after`: only the entries recorded after the one with that id (a poller's cursor). Entries are
        recorded as requests finish, so ids are not in order (a slow request, a batch after its inner
        requests): the cursor is a position, not a number to compare. When the journal no longer holds
        that entry (cleared, or dropped past the size), all it holds came after it. `last`: only the
        newest N of what matches."""
        with self._lock:
            found = list(self._entries) if after is None else self._recorded_after(after)
        if method is not None:
            found = [e for e in found if e.method == method.upper()]
        if status is not None:
            found = [e for e in found if e.status == status]
        if path is not None:
            found = [e for e in found if _path_matches(e.path, path)]
        if last is not None:
            found = found[len(found) - last:] if last else []
        return [e.to_json() for e in found]

    def _recorded_after(self, entry_id: int) -> list[Entry]:
        # From the newest back: a poller's cursor is near the end, so this costs what is new.
        newer = []
        for entry in reversed(self._entries):
            if entry.id == entry_id:
                break
            newer.append(entry)
        newer.reverse()
        return newer


def install(app: Flask, state) -> Journal:
    """Give `state` its journal and record every Graph request. Call before the pipeline's install: the
    hook that opens an entry then runs first, and the one that closes it last (after the response
    headers are final)."""
    journal = Journal(state.options.journal_size)
    state.journal = journal
    state.on_reset.append(journal.clear)
    if not journal.enabled:
        return journal
    max_body = state.options.max_body
    clock = state.clock

    @app.before_request
    def open_entry():
        if not is_graph_request():
            return
        # $batch reads g.journal_entry_id to tie its inner requests to its own entry.
        g.journal_entry_id = entry_id = journal.next_id()
        request.environ[OPENED_KEY] = (entry_id, time.perf_counter(), clock.now())

    @app.after_request
    def close_entry(response: Response) -> Response:
        # Hot path: the proxy resolved once, and the environ read directly rather than through
        # werkzeug's parsed views (a third of the cost).
        req = request._get_current_object()
        environ = req.environ
        opened = environ.get(OPENED_KEY)
        if opened is None:
            return response
        entry = Entry()
        entry.id, started, entry.time = opened
        entry.method = environ.get("REQUEST_METHOD", "")
        entry.path = req.path
        entry.query = environ.get("QUERY_STRING", "")
        entry.headers = [(k, _redact(v) if k == "HTTP_AUTHORIZATION" else v) for k, v in environ.items()
                         if k.startswith("HTTP_") or k in ("CONTENT_TYPE", "CONTENT_LENGTH")]
        entry.body = (_request_body(req, environ, max_body), environ.get("CONTENT_TYPE"))
        entry.status = response.status_code
        entry.response_headers = list(response.headers)
        entry.response_body = (_response_body(response), response.headers.get("Content-Type"))
        entry.caller = g.get("caller")
        entry.fault = g.get("fault")
        entry.batch = environ.get(BATCH_KEY)
        entry.duration_ms = (time.perf_counter() - started) * 1000
        journal.add(entry)
        return response

    return journal


def _redact(value: str) -> str:
    scheme = value.strip().partition(" ")[0]
    return f"{scheme or 'Bearer'} <redacted>"


def _request_body(req, environ: dict, max_body: int) -> bytes | str:
    length = environ.get("CONTENT_LENGTH")
    if not length and "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return b""
    if length and length.isdigit() and int(length) > max_body:
        return f"[{length} bytes, over the body limit: not read]"
    try:
        return _kept(req.get_data(cache=True))
    except HTTPException:  # a body without Content-Length that turned out too large
        return "[over the body limit: not read]"


def _response_body(response: Response) -> bytes | str:
    if response.is_streamed or response.direct_passthrough:
        return "[streamed]"
    return _kept(response.get_data())


def _kept(data: bytes) -> bytes | str:
    if len(data) <= BODY_LIMIT:
        return data
    text = data[:BODY_LIMIT].decode("utf-8", "replace")
    return f"{text}... [truncated: {len(data)} bytes in all]"


def _body(data: bytes | str, content_type: str | None):
    """Parsed JSON when the body is JSON, else text; None when there is none."""
    if isinstance(data, str):
        return data
    if not data:
        return None
    text = data.decode("utf-8", "replace")
    mimetype = (content_type or "").partition(";")[0].strip().lower()
    if mimetype == "application/json" or mimetype.endswith("+json"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _header_name(key: str) -> str:
    """`HTTP_CLIENT_REQUEST_ID` -> `Client-Request-Id`, as werkzeug names environ headers."""
    return (key[5:] if key.startswith("HTTP_") else key).replace("_", "-").title()


def _query(raw: str) -> dict:
    """`{name: value}`; a name given more than once holds a list of its values."""
    query: dict = {}
    # WSGI gives the query string as latin-1 text of the raw bytes; percent-escapes are UTF-8.
    raw = raw.encode("latin-1", "replace").decode("utf-8", "replace")
    for name, value in parse_qsl(raw, keep_blank_values=True):
        if name in query:
            previous = query[name]
            query[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            query[name] = value
    return query


def _path_matches(path: str, pattern: str) -> bool:
    under_version = "/" + path.lstrip("/").partition("/")[2]
    return fnmatchcase(path, pattern) or fnmatchcase(under_version, pattern)
