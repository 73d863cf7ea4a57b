"""The control API under `/_mockgraph` (CONTRACT §8): not Graph, no token, never journaled.

Each module here serves one group of endpoints through `blueprint()`; `MODULES` is the one place a
new group is added. With `control=False` none is registered, and `/_mockgraph/...` answers like any
unknown Graph path.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, request

from mockgraph.control import endpoints, inspector
from mockgraph.graph.errors import BadRequest, MethodNotAllowed
from mockgraph.graph.pipeline import CONTROL_PREFIX

# Imported as `endpoints.x`: a bare `journal` here would hide the `control.journal` module.
MODULES = (endpoints.data, endpoints.journal, endpoints.clock, endpoints.faults, endpoints.openapi, inspector)


def register(app: Flask, state) -> None:
    if not state.options.control:
        return
    for module in MODULES:
        app.register_blueprint(module.blueprint())
    app.register_blueprint(_unknown_endpoints())


def _unknown_endpoints() -> Blueprint:
    """A typo in a control path gets the list of endpoints, not Graph's "Invalid version"."""
    bp = Blueprint("control_unknown", __name__, url_prefix=CONTROL_PREFIX)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    @bp.route("/", defaults={"rest": ""}, methods=methods, strict_slashes=False)
    @bp.route("/<path:rest>", methods=methods)
    def unknown(rest: str):
        endpoints: dict[str, set[str]] = {}
        for rule in current_app.url_map.iter_rules():
            if rule.rule.startswith(CONTROL_PREFIX + "/") and not rule.endpoint.startswith(bp.name + "."):
                endpoints.setdefault(rule.rule, set()).update(rule.methods - {"HEAD", "OPTIONS"})
        if request.path in endpoints:
            raise MethodNotAllowed(sorted(endpoints[request.path]))
        listing = ", ".join(f"{'|'.join(sorted(endpoints[path]))} {path}" for path in sorted(endpoints))
        raise BadRequest(f"There is no control endpoint '{request.path}'. The control API has: {listing}.")

    return bp
