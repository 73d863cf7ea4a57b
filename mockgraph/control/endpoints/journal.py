"""`/_mockgraph/requests`: read or clear the request journal."""

from __future__ import annotations

from flask import Blueprint, Response, request

from mockgraph.graph.errors import BadRequest
from mockgraph.graph.pipeline import CONTROL_PREFIX
from mockgraph.graph.responses import json_response
from mockgraph.graph.routes import context as ctx


def blueprint() -> Blueprint:
    bp = Blueprint("control_journal", __name__, url_prefix=CONTROL_PREFIX)

    @bp.get("/requests")
    def list_requests():
        # Optional filters, as MockGraph.requests.find takes them: method, path (a glob), status; and for
        # pollers (the inspector): after (an entry id, a cursor) and last (the newest N).
        status = _whole_number("status", "an HTTP status code")
        after = _whole_number("after", "an entry id")
        # A poll (the inspector's, twice a second) would drown the server's request log.
        ctx.current().unlogged = after is not None
        entries = ctx.state().journal.entries(method=request.args.get("method"), path=request.args.get("path"),
                                              status=status, after=after,
                                              last=_whole_number("last", "a number of entries"))
        return json_response({"value": entries})

    @bp.delete("/requests")
    def clear_requests():
        ctx.state().journal.clear()
        return Response(status=204)

    return bp


def _whole_number(name: str, what: str) -> int | None:
    value = request.args.get(name)
    if value is None:
        return None
    # ASCII digits only (int() refuses the superscripts isdigit accepts), and few enough for int() to read.
    if not (value.isascii() and value.isdecimal() and len(value) <= 18):
        raise BadRequest(f"{name} must be {what}, not '{value}'.")
    return int(value)
