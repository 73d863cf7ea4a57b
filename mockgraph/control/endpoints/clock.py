"""`/_mockgraph/clock`: read, freeze, move or release the mock's clock, for clients outside Python."""

from __future__ import annotations

import math

from flask import Blueprint

from mockgraph.clock import format_timestamp
from mockgraph.graph.errors import BadRequest
from mockgraph.graph.pipeline import CONTROL_PREFIX
from mockgraph.graph.responses import json_response
from mockgraph.graph.routes import context as ctx

ACTIONS = ("set", "advance", "release")


def blueprint() -> Blueprint:
    bp = Blueprint("control_clock", __name__, url_prefix=CONTROL_PREFIX)

    @bp.get("/clock")
    def read():
        return json_response(view())

    @bp.post("/clock")
    def change():
        body = ctx.json_body()
        if not isinstance(body, dict) or len(body) != 1 or next(iter(body)) not in ACTIONS:
            raise BadRequest('Send one of {"set": "2024-01-01T00:00:00Z"}, {"advance": seconds}, {"release": true}.')
        clock = ctx.state().clock
        (action, value), = body.items()
        if action == "set":
            if not isinstance(value, str):
                raise BadRequest("set: expected an ISO 8601 timestamp string.")
            try:
                clock.set(value)
            except (ValueError, OverflowError):
                raise BadRequest(f"set: '{value}' is not an ISO 8601 timestamp.") from None
        elif action == "advance":
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise BadRequest("advance: expected a number of seconds.")
            try:
                clock.advance(value)
            except OverflowError:
                raise BadRequest(f"advance: {value} seconds goes beyond the calendar.") from None
        elif value is not True:
            raise BadRequest("release: expected true.")
        else:
            clock.release()
        return json_response(view())

    return bp


def view() -> dict:
    clock = ctx.state().clock
    return {"now": format_timestamp(clock.now()), "frozen": clock.frozen}
