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
        # Optional filters, as MockGraph.requests.find takes them: method, path (a glob), status.
        status = request.args.get("status")
        if status is not None and not status.isdigit():
            raise BadRequest(f"status must be an HTTP status code, not '{status}'.")
        entries = ctx.state().journal.entries(method=request.args.get("method"), path=request.args.get("path"),
                                              status=int(status) if status is not None else None)
        return json_response({"value": entries})

    @bp.delete("/requests")
    def clear_requests():
        ctx.state().journal.clear()
        return Response(status=204)

    return bp
