"""The request journal (CONTRACT §8): every Graph request with what was answered, oldest first, bounded.

Recording is on every request's path, so an entry keeps the raw pieces (bytes, header pairs, the
caller object) and becomes JSON only when someone reads the journal.

Bounded twice: by entries (`journal_size`) and by bytes (`journal_bytes`, default 64 MiB). Each
entry is charged what it holds (bodies, headers, path, query, plus a fixed overhead); a body or
header value past its share is kept truncated, marked `... [truncated: N bytes in all]`; past
the budget the oldest entries go. Thousands of large rejected bodies cannot fill the memory.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
import threading
import time
from collections import deque
from urllib.parse import parse_qsl

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from mockgraph.clock import format_timestamp
from mockgraph.control.redaction import is_credential_parameter, redact_header, redact_json, redact_text
from mockgraph.graph.batch_format import BATCH_KEY
from mockgraph.graph.errors import BadRequest
from mockgraph.graph.jsonio import loads_strict
from mockgraph.graph.routes.context import current
from mockgraph.memo import remember_short
from mockgraph.options import DEFAULT_JOURNAL_BYTES

DEFAULT_SIZE = 10_000
BODY_LIMIT = 256 * 1024  # bytes of a body an entry keeps at most; a longer one is kept as truncated text
HEADER_LIMIT = 8 * 1024  # characters of one header value an entry keeps
KEPT_HEADER = 320  # characters of a header (name and value) whose journal form is remembered
ENTRY_OVERHEAD = 1024  # bytes charged per entry for what it holds besides bodies and headers
MAX_GLOB = 1024  # characters of a `path` filter: each is compiled, and `re` keeps 512 compiled patterns
# WSGI environ: (entry id, perf counter, time, journal epoch) of the request in progress
OPENED_KEY = "mockgraph.journal"


class Entry:
    __slots__ = ("id", "time", "method", "path", "query", "headers", "body", "status", "response_headers",
                 "response_body", "duration_ms", "caller", "fault", "batch", "size")

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "time": format_timestamp(self.time),
            "method": self.method,
            "path": self.path,
            "query": _query(self.query),
            "headers": {_header_name(k): v for k, v in self.headers},  # redacted as recorded
            "body": _body(*self.body),
            "status": self.status,
            "responseHeaders": dict(self.response_headers),
            "responseBody": _body(*self.response_body, redact=False),  # the mock's own words
            "durationMs": round(self.duration_ms, 3),
            "caller": self.caller.journal_view() if self.caller is not None else None,
            "fault": self.fault,
            "batch": self.batch,
        }


class Journal:
    """Thread-safe and bounded: beyond `size` entries, or `max_bytes` bytes, the oldest go. Size 0
    records nothing."""

    def __init__(self, size: int = DEFAULT_SIZE, max_bytes: int = DEFAULT_JOURNAL_BYTES):
        self.size = size
        self.max_bytes = max_bytes
        # A body's share of the budget: a small budget still holds a few entries.
        self.body_limit = min(BODY_LIMIT, max(1024, max_bytes // 16))
        self.bytes = 0  # what the entries held are charged, in all
        self._entries: deque[Entry] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)  # never restarts, so an id names one request for the process's life
        self.epoch = 0  # clears so far: a request that started before a clear is not recorded after it

    @property
    def enabled(self) -> bool:
        return self.size > 0

    def next_id(self) -> int:
        return next(self._ids)

    def add(self, entry: Entry, epoch: int | None = None) -> None:
        with self._lock:
            if epoch is not None and epoch != self.epoch:
                return  # a request from before the last clear: it belongs to the previous test
            self._entries.append(entry)
            self.bytes += entry.size
            while self._entries and (len(self._entries) > self.size or self.bytes > self.max_bytes):
                self.bytes -= self._entries.popleft().size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.epoch += 1
            self.bytes = 0

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
            matches = _glob(path)
            found = [e for e in found if _path_matches(e.path, matches)]
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
    journal = Journal(state.options.journal_size, state.options.journal_bytes)
    state.journal = journal
    state.on_reset.append(journal.clear)
    if not journal.enabled:
        return journal
    max_body = state.options.max_body
    body_limit = journal.body_limit
    clock = state.clock

    @app.before_request
    def open_entry():
        req = current()
        if not req.is_graph:
            return
        # $batch reads journal_entry_id to tie its inner requests to its own entry.
        req.journal_entry_id = entry_id = journal.next_id()
        req.environ[OPENED_KEY] = (entry_id, time.perf_counter(), clock.now(), journal.epoch)

    @app.after_request
    def close_entry(response: Response) -> Response:
        # Hot path: the environ read directly rather than through werkzeug's parsed views (a third of the cost).
        req = current()
        environ = req.environ
        opened = environ.get(OPENED_KEY)
        if opened is None:
            return response
        entry = Entry()
        entry.id, started, entry.time, epoch = opened
        entry.method = environ.get("REQUEST_METHOD", "")
        entry.path = req.path
        entry.query = environ.get("QUERY_STRING", "")
        # Credentials are dropped here, so the journal never holds one (CONTRACT §8).
        entry.headers = [_kept_header(k, v) for k, v in req.header_items]
        entry.body = (_request_body(req, environ, max_body, body_limit), environ.get("CONTENT_TYPE"))
        entry.status = response.status_code
        entry.response_headers = list(response.headers)
        entry.response_body = (_response_body(response, body_limit), response.headers.get("Content-Type"))
        entry.caller = req.caller
        entry.fault = req.fault
        entry.batch = environ.get(BATCH_KEY)
        entry.duration_ms = (time.perf_counter() - started) * 1000
        entry.size = (ENTRY_OVERHEAD + len(entry.body[0]) + len(entry.response_body[0]) + len(entry.path)
                      + len(entry.query) + sum(map(len, itertools.chain.from_iterable(entry.headers)))
                      + sum(map(len, itertools.chain.from_iterable(entry.response_headers))))
        journal.add(entry, epoch)
        return response

    return journal


def _journal_header(key: str, value: str) -> tuple[str, str]:
    """A header as an entry keeps it: a credential redacted, a long value cut."""
    return key, _cut(redact_header(key[5:], value) if key.startswith("HTTP_") else value)


# Clients send the same headers on every request (Host, Accept, User-Agent, their token): each short
# one is judged once. What is kept is what the journal would hold anyway, redacted.
_kept_header = remember_short(maxsize=512, longest=KEPT_HEADER)(_journal_header)


def _request_body(req, environ: dict, max_body: int, limit: int) -> bytes | str:
    length = environ.get("CONTENT_LENGTH")
    if (not length or length == "0") and "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return b""
    if length and length.isdigit() and int(length) > max_body:
        return f"[{length} bytes, over the body limit: not read]"
    try:
        return _kept(req.get_data(cache=True), limit)
    except HTTPException:  # a body without Content-Length that turned out too large
        return "[over the body limit: not read]"


def _response_body(response: Response, limit: int) -> bytes | str:
    if response.is_streamed or response.direct_passthrough:
        return "[streamed]"
    kept = _kept(response.get_data(), limit)
    # A copy of its own size: orjson's output keeps the buffer it grew (16 KiB for a 1.5 KiB position),
    # and 10,000 kept answers would hold ten times what the byte budget counts.
    return bytes(memoryview(kept)) if isinstance(kept, bytes) else kept


def _kept(data: bytes, limit: int) -> bytes | str:
    if len(data) <= limit:
        return data
    text = data[:limit].decode("utf-8", "replace")
    return f"{text}... [truncated: {len(data)} bytes in all]"


def _cut(value: str) -> str:
    if len(value) <= HEADER_LIMIT:
        return value
    return f"{value[:HEADER_LIMIT]}... [truncated: {len(value)} characters in all]"


def _body(data: bytes | str, content_type: str | None, redact: bool = True):
    """Parsed JSON when the body is JSON, else text; None when there is none. With `redact`,
    credentials in it (a `$batch` item's headers, a token in text) are redacted."""
    if isinstance(data, str):
        return redact_text(data) if redact else data
    if not data:
        return None
    text = data.decode("utf-8", "replace")
    mimetype = (content_type or "").partition(";")[0].strip().lower()
    if mimetype == "application/json" or mimetype.endswith("+json"):
        try:
            parsed = loads_strict(text)  # what the request's reader refused (a lone surrogate) stays text
        except (ValueError, RecursionError):
            pass
        else:
            return redact_json(parsed) if redact else parsed
    return redact_text(text) if redact else text


def _header_name(key: str) -> str:
    """`HTTP_CLIENT_REQUEST_ID` -> `Client-Request-Id`, as werkzeug names environ headers."""
    return (key[5:] if key.startswith("HTTP_") else key).replace("_", "-").title()


def _query(raw: str) -> dict:
    """`{name: value}`; a name given more than once holds a list of its values."""
    query: dict = {}
    # WSGI gives the query string as latin-1 text of the raw bytes; percent-escapes are UTF-8.
    raw = raw.encode("latin-1", "replace").decode("utf-8", "replace")
    for name, value in parse_qsl(raw, keep_blank_values=True):
        if is_credential_parameter(name):
            value = "<redacted>"
        if name in query:
            previous = query[name]
            query[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            query[name] = value
    return query


def _glob(pattern: str):
    """A glob (`*` spans `/`) as a matcher, compiled once per read. Not `fnmatchcase`, whose cache keeps
    up to 32,768 patterns a client chose; `re` keeps at most 512, each at most `MAX_GLOB` long."""
    if len(pattern) > MAX_GLOB:
        raise BadRequest(f"path must be a glob of at most {MAX_GLOB} characters, not {len(pattern)}.")
    return re.compile(fnmatch.translate(pattern)).match


def _path_matches(path: str, matches) -> bool:
    under_version = "/" + path.lstrip("/").partition("/")[2]
    return matches(path) is not None or matches(under_version) is not None


VERBOSE_BODY_LIMIT = 16 * 1024  # characters of a body `serve --verbose` logs


def exchange_text(req, response: Response, max_body: int) -> str:
    """For `mockgraph serve --verbose`: the request's headers and body and the response's body, one per
    line, credentials redacted as in entries."""
    environ = req.environ
    lines = [f"  > {_header_name(k)}: {redact_header(k[5:], v) if k.startswith('HTTP_') else v}"
             for k, v in req.header_items]
    for prefix, body in (("  > ", _request_body(req, environ, max_body, BODY_LIMIT)),
                         ("  < ", _response_body(response, BODY_LIMIT))):
        text = body if isinstance(body, str) else redact_text(body.decode("utf-8", "replace"))
        if len(text) > VERBOSE_BODY_LIMIT:
            text = f"{text[:VERBOSE_BODY_LIMIT]}... [{len(text)} characters in all]"
        if text:
            lines.append(prefix + text)
    return "\n".join(lines)
