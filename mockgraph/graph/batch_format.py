"""JSON batching (CONTRACT §6), the part that needs no Flask: the batch body checked as a whole, and
the bodies of its requests and responses converted to and from HTTP bodies.

A malformed batch is one `BadRequest` before anything runs. Properties a request item does not
define are ignored, as Graph ignores them (the Python SDK sends `depends_on` and Graph does not
honour it; PR microsoftgraph/msgraph-sdk-python-core#996).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from mockgraph.graph.errors import BadRequest, GraphError
from mockgraph.graph.hosts import split_host

MAX_REQUESTS = 20
VERSIONS = ("beta", "v1.0")
# The WSGI environ key that ties an inner request to its batch, for the journal: {"entry", "requestId"}.
BATCH_KEY = "mockgraph.batch"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Framing and identity headers of an inner request come from the batch, not from the item.
REPLACED_REQUEST_HEADERS = frozenset({"authorization", "content-length", "host", "transfer-encoding", "connection"})


class FailedDependency(GraphError):
    """The answer of a request whose `dependsOn` names a failed request: it was not run."""

    status = 424
    code = "failedDependency"

    def __init__(self, request_id: str, dependency: str):
        super().__init__(
            f"The request '{request_id}' depends on the request '{dependency}', which failed, so it was not run."
        )


@dataclass(frozen=True)
class BatchRequest:
    """One checked request of a batch. `path` is under the version, decoded and normalised
    (`/me/profile/positions`, WSGI text); `query` as written (`$top=1`). `refusal`: the error the
    request answers instead of running (a nested batch)."""

    id: str
    method: str
    path: str
    query: str
    refusal: GraphError | None
    headers: tuple[tuple[str, str], ...]
    body: Any
    has_body: bool
    depends_on: tuple[str, ...]

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


def parse_batch(payload: Any, base_url: str) -> list[BatchRequest]:
    """The batch's requests in order; `BadRequest` for anything that makes the batch malformed.

    `base_url` is the base the batch came in on (`http://127.0.0.1:8765/beta`): an absolute `url` must
    be on it.
    """
    if not isinstance(payload, dict):
        raise BadRequest("The batch request body must be a JSON object with a 'requests' array.")
    items = payload.get("requests")
    if not isinstance(items, list):
        raise BadRequest("The batch request body must have a 'requests' array.")
    if not items:
        raise BadRequest("The batch request contains no requests.")
    if len(items) > MAX_REQUESTS:
        raise BadRequest(
            f"The batch request contains {len(items)} requests; at most {MAX_REQUESTS} are allowed in one batch."
        )
    ids = [_request_id(item, position) for position, item in enumerate(items, 1)]
    index: dict[str, int] = {}
    for position, request_id in enumerate(ids):
        if request_id.lower() in index:
            raise BadRequest(
                f"The batch request contains more than one request with the id '{request_id}' "
                "(ids are compared ignoring case)."
            )
        index[request_id.lower()] = position
    requests = [_request(item, request_id, base_url) for item, request_id in zip(items, ids, strict=True)]
    _check_dependencies(requests, index)
    return requests


def _request_id(item: Any, position: int) -> str:
    if not isinstance(item, dict):
        raise BadRequest(f"Request {position} of the batch is not a JSON object.")
    request_id = item.get("id")
    if not isinstance(request_id, str) or not request_id.strip():
        raise BadRequest(f"Request {position} of the batch has no 'id': every request needs a non-empty string id.")
    return request_id


def _request(item: dict, request_id: str, base_url: str) -> BatchRequest:
    method = item.get("method")
    if not isinstance(method, str) or not method:
        raise BadRequest(f"The request '{request_id}' of the batch has no 'method'.")
    if method.upper() not in METHODS:
        raise BadRequest(
            f"The request '{request_id}' of the batch has the method '{method}'; use one of {', '.join(METHODS)}."
        )
    headers = item.get("headers")
    if headers is None:
        headers = {}
    if not isinstance(headers, dict) or not all(_is_header(k, v) for k, v in headers.items()):
        raise BadRequest(
            f"The request '{request_id}' of the batch has 'headers' that are not an object of single-line strings."
        )
    depends_on = item.get("dependsOn")
    if depends_on is None:
        depends_on = []
    if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
        raise BadRequest(f"The 'dependsOn' of the request '{request_id}' must be an array of request ids.")
    path, query = target(item.get("url"), request_id, base_url)
    return BatchRequest(
        id=request_id,
        method=method.upper(),
        path=path,
        query=query,
        refusal=NestedBatch(request_id) if is_batch_path(path) else None,
        headers=tuple(headers.items()),
        body=item.get("body"),
        has_body=item.get("body") is not None,
        depends_on=tuple(depends_on),
    )


def _is_header(name: Any, value: Any) -> bool:
    return (isinstance(name, str) and isinstance(value, str) and bool(name.strip())
            and not any(c in name for c in ":\r\n") and "\r" not in value and "\n" not in value)


def target(url: Any, request_id: str, base_url: str) -> tuple[str, str]:
    """`url` as the router will see it: `(path under the version, raw query)`.

    The one place an item's URL is read: relative (leading `/` optional) or absolute on the batch's
    own base; its path percent-decoded once (as a server decodes a request line, `%2F` included),
    with repeated slashes merged and `.`/`..` segments resolved, so that every later check, and the
    router, see the same path. The path is WSGI text (decoded bytes as latin-1, PEP 3333).
    """
    if not isinstance(url, str) or not url.strip():
        raise BadRequest(f"The request '{request_id}' of the batch has no 'url'.")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise BadRequest(f"The 'url' of the request '{request_id}' contains control characters.")
    raw_path, _, query = url.partition("#")[0].partition("?")
    parts = urlsplit(raw_path)
    if parts.scheme or (raw_path.startswith("//") and split_host(parts.netloc) is not None):
        base = urlsplit(base_url)
        same_origin = (parts.scheme.lower(), parts.netloc.lower()) == (base.scheme.lower(), base.netloc.lower())
        prefix = base.path.rstrip("/")
        path = _normalised(parts.path)
        if not same_origin or not (path == prefix or path.startswith(prefix + "/")):
            raise BadRequest(
                f"The 'url' of the request '{request_id}' must be relative to {base_url} (such as "
                f"'/me/profile/positions'), but it is '{url}'."
            )
        return path[len(prefix):] or "/", query
    return _normalised(raw_path), query


def _normalised(raw_path: str) -> str:
    decoded = unquote_to_bytes(raw_path).decode("latin-1")
    segments: list[str] = []
    for segment in decoded.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    return "/" + "/".join(segments) + ("/" if decoded.endswith("/") and segments else "")


def is_batch_path(path: str) -> bool:
    """Does a normalised item path name `$batch` (any case, with or without a version, `;params`)?"""
    segments = [s.split(";", 1)[0].lower() for s in path.split("/") if s]
    if segments and segments[0] in VERSIONS:
        segments = segments[1:]
    return bool(segments) and segments[0] == "$batch"


class NestedBatch(BadRequest):
    def __init__(self, request_id: str):
        super().__init__(f"The request '{request_id}' of the batch is itself a batch; batches cannot be nested.")


def _check_dependencies(requests: list[BatchRequest], index: Mapping[str, int]) -> None:
    """Every `dependsOn` names a request of the batch that comes before it (so no cycles either)."""
    for position, request in enumerate(requests):
        for dependency in request.depends_on:
            target = index.get(dependency.lower())
            if target is None:
                raise BadRequest(
                    f"The request '{request.id}' depends on '{dependency}', which is not a request of this batch."
                )
            if target >= position:
                cycle = _cycle_through(requests, index, position)
                if cycle:
                    raise BadRequest(f"The dependsOn of the batch's requests form a cycle: {' -> '.join(cycle)}.")
                raise BadRequest(
                    f"Invalid dependency for request Id '{request.id}': it depends on '{dependency}', which comes "
                    "later in the batch; a request may only depend on requests before it."
                )


def _cycle_through(requests: list[BatchRequest], index: Mapping[str, int], start: int) -> list[str] | None:
    """The ids of a dependency cycle that starts at `requests[start]`, if there is one."""

    def walk(position: int, path: list[int]) -> list[int] | None:
        for dependency in requests[position].depends_on:
            target = index[dependency.lower()]
            if target == start:
                return path
            if target not in path:
                found = walk(target, [*path, target])
                if found:
                    return found
        return None

    found = walk(start, [start])
    return [requests[p].id for p in [*found, start]] if found else None


def encode_body(request: BatchRequest) -> bytes:
    """A request item's `body` as HTTP bytes (the OData JSON batch format's rules): a JSON value as JSON;
    a string as text for `text/*`, else as base64 (Graph's docs allow "a base64 URL-encoded value",
    and the Python SDK sends any body but a non-empty object that way, even for JSON)."""
    content_type = request.header("Content-Type") or ""
    mimetype = content_type.split(";", 1)[0].strip().lower()
    body = request.body
    if not isinstance(body, str):
        return _json_bytes(body)
    if mimetype.startswith("text/"):
        return body.encode("utf-8")
    try:
        return base64.b64decode(body.replace("-", "+").replace("_", "/") + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        if _is_json(mimetype):
            return _json_bytes(body)
        raise BadRequest(
            f"The body of the request '{request.id}' is not valid base64, as a body of type '{mimetype}' must be."
        ) from None


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_body(content_type: str | None, data: bytes) -> tuple[bool, Any]:
    """A response's body for the batch answer: `(False, None)` when empty, JSON as JSON, anything else
    (the `$count` text too) base64, as Graph's docs describe batch bodies ("a JSON object or a base64
    URL-encoded value") and as the SDK reads them (it base64-decodes every string body)."""
    if not data:
        return False, None
    mimetype = (content_type or "").split(";", 1)[0].strip().lower()
    if _is_json(mimetype):
        try:
            return True, json.loads(data)
        except ValueError:
            pass
    return True, base64.b64encode(data).decode("ascii")


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or mimetype.endswith("+json")
