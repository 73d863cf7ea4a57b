"""`/_mockgraph/faults` (CONTRACT §8): list, add, remove and clear the fault rules of a running mock."""

from __future__ import annotations

from flask import Blueprint, Response

from mockgraph.control.faults.rules import FaultRuleError
from mockgraph.graph.errors import ItemNotFound
from mockgraph.graph.responses import json_response
from mockgraph.graph.routes import context as ctx


def blueprint() -> Blueprint:
    bp = Blueprint("control_faults", __name__, url_prefix="/_mockgraph/faults")

    @bp.get("")
    def list_rules():
        # A bare array: the same form a `--faults` file takes, so a rule set can be saved and replayed.
        return json_response(ctx.state().faults.list())

    @bp.post("")
    def add_rules():
        body = ctx.json_body()
        try:
            stored = ctx.state().faults.extend(body)
        except FaultRuleError as error:
            raise error.as_bad_request() from None
        return json_response(stored[0] if isinstance(body, dict) else stored, 201)

    @bp.delete("")
    def clear_rules():
        ctx.state().faults.clear()
        return Response(status=204)

    @bp.delete("/<rule_id>")
    def remove_rule(rule_id: str):
        if not ctx.state().faults.remove(rule_id):
            raise ItemNotFound(rule_id, "fault rule")
        return Response(status=204)

    return bp
