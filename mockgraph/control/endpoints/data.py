"""`/_mockgraph/health`, `reset`, `seed` and `state`: is it up, and what data it holds."""

from __future__ import annotations

from flask import Blueprint, Response

from mockgraph.fixtures import seeding
from mockgraph.fixtures.files import FixtureError
from mockgraph.graph.errors import BadRequest
from mockgraph.graph.pipeline import CONTROL_PREFIX
from mockgraph.graph.responses import json_response
from mockgraph.graph.routes import context as ctx


def blueprint() -> Blueprint:
    bp = Blueprint("control_data", __name__, url_prefix=CONTROL_PREFIX)

    @bp.get("/health")
    def health():
        return json_response({"status": "ok", "service": "mockgraph"})

    @bp.post("/reset")
    def reset():
        ctx.state().reset()
        return Response(status=204)

    @bp.post("/seed")
    def seed():
        try:
            counts = seeding.seed(ctx.state(), ctx.json_body(), source="body")
        except FixtureError as error:
            raise BadRequest(f"{error.path}: {error.reason}") from None
        return json_response(counts)

    @bp.get("/state")
    def export():
        return json_response({"users": ctx.state().repository.export()})

    return bp
