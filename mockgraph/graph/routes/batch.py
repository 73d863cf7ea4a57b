"""`POST /$batch` (CONTRACT §6): the whole batch is checked first (a malformed one is a 400 and runs
nothing), then its requests run one after another through the app's own WSGI pipeline, so routing,
authentication, fault rules, the journal and errors are exactly those of a request sent alone."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, Flask, current_app, request
from werkzeug.test import EnvironBuilder

from mockgraph.graph.batch_format import (
    BATCH_KEY,
    REPLACED_REQUEST_HEADERS,
    VERSIONS,
    BatchRequest,
    FailedDependency,
    decode_body,
    encode_body,
    parse_batch,
)
from mockgraph.graph.errors import BadRequest, GraphError
from mockgraph.graph.hosts import IN_PROCESS_KEY
from mockgraph.graph.responses import JSON_CONTENT_TYPE, error_body, json_response, new_request_id
from mockgraph.graph.routes import context as ctx
from mockgraph.inprocess import WsgiResponse, run_wsgi
from mockgraph.state import GENERATION_KEY

# Where the batch itself came in: an item's request is made as if it came the same way (the server's
# own name and port, and whether it came from this process), so it is trusted no more than its batch.
INHERITED_ENVIRON = ("HTTP_HOST", "REMOTE_ADDR", "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme", IN_PROCESS_KEY)
# Framing headers of an inner response belong to the batch's own HTTP exchange.
DROPPED_RESPONSE_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})


@dataclass(frozen=True)
class Outer:
    """What each inner request takes from the batch request itself."""

    version: str
    authorization: str | None
    environ: dict
    journal_entry: object


def blueprint() -> Blueprint:
    bp = Blueprint("batch", __name__)
    for version in VERSIONS:
        bp.add_url_rule(f"/{version}/$batch", f"batch_{version.replace('.', '_')}", post_batch, methods=["POST"])
    return bp


def post_batch():
    req = ctx.current()
    requests = parse_batch(req.json_body(), req.base_url)
    outer = Outer(
        version=req.path.lstrip("/").split("/", 1)[0],
        authorization=req.headers.get("Authorization"),
        environ={key: req.environ[key] for key in INHERITED_ENVIRON if key in req.environ},
        journal_entry=req.journal_entry_id,
    )
    app = current_app._get_current_object()
    failed: set[str] = set()  # lower-cased ids of requests answered with a status of 400 or more
    responses = []
    for item in requests:
        dependency = next((d for d in item.depends_on if d.lower() in failed), None)
        if dependency is not None:
            answer = refusal(item, FailedDependency(item.id, dependency))
        elif item.refusal is not None:
            answer = refusal(item, item.refusal)
        else:
            answer = send(app, item, outer)
        if answer["status"] >= 400:
            failed.add(item.id.lower())
        responses.append(answer)
    return json_response({"responses": responses})


def send(app: Flask, item: BatchRequest, outer: Outer) -> dict:
    """Run one request through the app as if it came alone; its answer as a batch response item."""
    if item.has_body and not item.header("Content-Type"):
        return refusal(item, BadRequest(
            f"The request '{item.id}' has a body but no Content-Type header; a request with a body must say "
            "what it is."
        ))
    try:
        data = encode_body(item) if item.has_body else None
    except GraphError as error:
        return refusal(item, error)
    headers = [(k, v) for k, v in item.headers if k.lower() not in REPLACED_REQUEST_HEADERS]
    if outer.authorization is not None:
        headers.append(("Authorization", outer.authorization))
    environ = EnvironBuilder(
        path="/", query_string=item.query, method=item.method, headers=headers,
        data=data, environ_base=outer.environ,
    ).get_environ()
    # The path as parse_batch decoded it, once: the builder would decode it again.
    path = f"/{outer.version}{item.path}"
    environ["PATH_INFO"] = path
    environ["REQUEST_URI"] = environ["RAW_URI"] = quote(path.encode("latin-1")) + (
        f"?{item.query}" if item.query else "")
    environ.update(outer.environ)
    environ[BATCH_KEY] = {"entry": outer.journal_entry, "requestId": item.id}
    environ[GENERATION_KEY] = request.environ[GENERATION_KEY]  # a reset during the batch stops its writes too
    answer = call_wsgi(app, environ)
    return response_item(item.id, answer.status, answer.headers, answer.body)


def call_wsgi(app: Flask, environ: dict) -> WsgiResponse:
    """Call the app's WSGI pipeline (middleware included) and collect the answer.

    A fresh app context keeps `flask.g` per request: Flask would otherwise reuse the batch's own app
    context for a nested request, and a hook's `g` would leak between requests. (The pipeline keeps
    its own per-request data on the request object, which is the inner request's own.)
    """
    with app.app_context():
        return run_wsgi(app.wsgi_app, environ)


def response_item(request_id: str, status: int, headers: list[tuple[str, str]], body: bytes) -> dict:
    merged: dict[str, str] = {}
    for name, value in headers:
        if name.lower() not in DROPPED_RESPONSE_HEADERS:
            merged[name] = f"{merged[name]}, {value}" if name in merged else value
    content_type = next((v for k, v in merged.items() if k.lower() == "content-type"), None)
    has_body, value = decode_body(content_type, body)
    answer = {"id": request_id, "status": status, "headers": merged}
    if has_body:
        answer["body"] = value
    return answer


def refusal(item: BatchRequest, error: GraphError) -> dict:
    """The answer of a request the batch itself refuses to run (no Content-Type, failed dependency,
    a nested batch)."""
    request_id = new_request_id()
    client_request_id = item.header("client-request-id") or request_id
    body = error_body(error, request_id, client_request_id, ctx.state().clock.now())
    headers = {"Content-Type": JSON_CONTENT_TYPE, "request-id": request_id, "client-request-id": client_request_id}
    return {"id": item.id, "status": error.status, "headers": {**headers, **error.headers}, "body": body}
