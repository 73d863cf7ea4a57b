"""What happens to every Graph request before and after its view, in CONTRACT §2's order:
body size -> token -> guards (fault rules) -> route and method -> (the view: query options ->
user -> permission -> item -> body)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from email.utils import format_datetime
from http import HTTPStatus

from flask import Flask, Response, has_request_context, request
from werkzeug.exceptions import BadHost, HTTPException
from werkzeug.exceptions import MethodNotAllowed as WerkzeugMethodNotAllowed

from mockgraph.graph.auth import authenticate
from mockgraph.graph.errors import BadRequest, GeneralException, GraphError, RequestEntityTooLarge, ResourceModified
from mockgraph.graph.hosts import HostPolicy
from mockgraph.graph.request_text import check_request_text
from mockgraph.graph.responses import EXPOSED_HEADERS, error_response, new_request_id
from mockgraph.graph.routes.context import CONTROL_PREFIX, current  # noqa: F401 (CONTROL_PREFIX: re-exported)
from mockgraph.graph.routes.segments import routing_error
from mockgraph.state import GENERATION_KEY, MockState

# Characters of a request's path, decoded: the same bound whether it came alone (where the HTTP
# server's header limit would allow far more) or inside a $batch (where only the body limit would).
MAX_PATH_CHARS = 16384
log = logging.getLogger("mockgraph")
request_log = logging.getLogger("mockgraph.requests")
STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


def install(app: Flask, state: MockState) -> None:
    facet_segments = list(state.facet_by_segment)
    state.hosts = HostPolicy(state.options.host)
    http_date = HttpDate()

    def refuse_stale_write():
        # Under the store's lock, as a reset bumps the generation: a request held up (by a delay rule
        # whose client gave up, say) must not write into the state of the next test.
        if has_request_context() and current().environ.get(GENERATION_KEY, state.generation) != state.generation:
            raise ResourceModified()

    state.repository.write_check = refuse_stale_write

    @app.before_request
    def start():
        req = current()
        environ = req.environ
        environ.setdefault(GENERATION_KEY, state.generation)
        req.request_id = request_id = new_request_id()
        req.client_request_id = environ.get("HTTP_CLIENT_REQUEST_ID") or request_id
        if not req.is_graph:
            return None
        if req.method == "OPTIONS":
            return Response(status=204)
        if environ.get("CONTENT_LENGTH") and (req.content_length or 0) > state.options.max_body:
            raise RequestEntityTooLarge(
                f"The request body is larger than the limit of {state.options.max_body} bytes."
            )
        check_request_text(environ, req.header_items)
        req.caller = authenticate(environ.get("HTTP_AUTHORIZATION"), state.clock)
        for guard in state.guards:
            guard(req)
        if isinstance(req.routing_exception, BadHost):  # not a path Graph lacks: a Host no name can be
            raise BadRequest("The request's Host header is not a valid host name.")
        if req.routing_exception is not None:
            raise routing_error(req.path, facet_segments, _allowed_methods(req.routing_exception))
        if len(req.path) > MAX_PATH_CHARS:
            raise BadRequest(f"The request path is {len(req.path)} characters long; the limit is {MAX_PATH_CHARS}.")
        return None

    @app.after_request
    def finish(response: Response) -> Response:
        req = current()
        headers = response.headers
        # Added, not set: only this hook writes them, so there is nothing to look for and replace first.
        request_id = req.request_id or new_request_id()
        headers.add("request-id", request_id)
        headers.add("client-request-id", req.client_request_id or request_id)
        headers.add("Date", http_date(state.clock.now()))
        # CORS for Graph only: the control API is for this machine's own tools, never for web pages.
        if req.environ.get("HTTP_ORIGIN") and req.is_graph:
            headers["Access-Control-Allow-Origin"] = "*"
            headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            if req.method == "OPTIONS":
                headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, DELETE, OPTIONS"
                headers["Access-Control-Allow-Headers"] = (
                    req.headers.get("Access-Control-Request-Headers") or "Authorization, Content-Type"
                )
                headers["Access-Control-Max-Age"] = "600"
        # werkzeug's reason phrases are in capitals ("201 CREATED"); HTTP's are "201 Created".
        response.status = STATUS_LINES.get(response.status_code, response.status)
        if response.status_code == 204:
            response.headers.pop("Content-Type", None)
        # A view sets `unlogged` on requests that would drown the log (a page polling the journal).
        if request_log.isEnabledFor(logging.INFO) and not req.unlogged:
            elapsed = (time.perf_counter() - req.started) * 1000
            code = req.error_code  # a failed request's line names Graph's error code
            line = (f"{req.method} {req.full_path.rstrip('?')} {response.status_code} "
                    f"{code + ' ' if code else ''}{elapsed:.1f}ms")
            if request_log.isEnabledFor(logging.DEBUG):  # serve --verbose: the bodies under the line
                from mockgraph.control.journal import exchange_text  # imported here: journal imports this module

                line += "\n" + exchange_text(req, response, state.options.max_body)
            request_log.info(line)
        return response

    @app.errorhandler(GraphError)
    def graph_error(error: GraphError):
        return render_error(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Only reached for failures outside our views (e.g. werkzeug's own body-size check).
        if error.code == 413:
            return render_error(RequestEntityTooLarge())
        if error.code == 405:
            return render_error(routing_error(request.path, facet_segments, _allowed_methods(error) or []))
        if error.code == 404:
            return render_error(routing_error(request.path, facet_segments))
        return render_error(BadRequest(error.description or "Bad request."))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error answering %s %s", request.method, request.path)
        return render_error(GeneralException("An unexpected error occurred while processing the request."))

    def render_error(error: GraphError) -> Response:
        req = current()
        req.error_code = error.code
        request_id = req.request_id or new_request_id()
        return error_response(error, request_id, req.client_request_id or request_id, state.clock.now())


class HttpDate:
    """The `Date` header for a time, formatted once per second rather than once per response."""

    def __init__(self):
        self._last: tuple[dt.datetime | None, str] = (None, "")

    def __call__(self, when: dt.datetime) -> str:
        second = when.replace(microsecond=0)
        last, text = self._last
        if second != last:
            text = format_datetime(second, usegmt=True)
            self._last = (second, text)  # one tuple: threads see an old pair or a new one, never a mix
        return text


def _allowed_methods(error: Exception) -> list[str] | None:
    if not isinstance(error, WerkzeugMethodNotAllowed):
        return None
    return sorted({m for m in error.valid_methods or () if m != "HEAD"} | {"OPTIONS"})
