"""The control API under `/_mockgraph` (CONTRACT §8): not Graph, no token, never journaled.

Each module here serves one group of endpoints through `blueprint()`; `MODULES` is the one place a
new group is added. With `control=False` none is registered, and `/_mockgraph/...` answers like any
unknown Graph path.

It is for tools on this machine, so before any endpoint runs, `refuse_foreign_requests` turns away
what a web page could make a browser send: another Host (DNS rebinding), another Origin or a
`Sec-Fetch-Site` other than same-origin (forms, `no-cors` fetches), and bodies that are not JSON
(the only kinds a page can send without a CORS preflight, which gets no CORS headers here).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, request

from mockgraph.control import endpoints, inspector
from mockgraph.graph.errors import AuthorizationRequestDenied, BadRequest, MethodNotAllowed
from mockgraph.graph.hosts import is_same_origin
from mockgraph.graph.pipeline import CONTROL_PREFIX
from mockgraph.graph.routes import context as ctx
from mockgraph.graph.routes.context import GraphRequest

# Imported as `endpoints.x`: a bare `journal` here would hide the `control.journal` module.
MODULES = (endpoints.data, endpoints.journal, endpoints.clock, endpoints.faults, endpoints.openapi, inspector)


# What a browser sends on a request a page did not make (typed URL, bookmark) or made on our own origin.
TRUSTED_FETCH_SITES = frozenset({"same-origin", "none"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def register(app: Flask, state) -> None:
    if not state.options.control:
        return
    # After the pipeline's own before_request (ids, no CORS): runs before every control endpoint.
    app.before_request(before_control_request)
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


def before_control_request():
    """The control surface's one hook: a Graph request pays one attribute read for it."""
    req = ctx.current()
    if req.is_graph:
        return None
    refuse_foreign_requests(req)
    return inspector.before_request(req)


def refuse_foreign_requests(req: GraphRequest) -> None:
    """403 for a request another site could have made a browser send; 400 for a body that is not JSON.
    Headers a tool never sends (Origin, Sec-Fetch-Site) are only checked when present."""
    if not req.state.hosts.is_local(req.environ):
        raise AuthorizationRequestDenied(
            "The control API answers only requests addressed to this machine (a loopback name or address, "
            "or the host the server was bound to)."
        )
    origin = req.headers.get("Origin")
    if origin is not None and not is_same_origin(origin, req.scheme, req.headers.get("Host")):
        raise AuthorizationRequestDenied("The control API does not answer requests made by another origin's pages.")
    site = req.headers.get("Sec-Fetch-Site")
    if site is not None and site.strip().lower() not in TRUSTED_FETCH_SITES:
        raise AuthorizationRequestDenied("The control API does not answer requests made by another site's pages.")
    if req.method not in SAFE_METHODS and (req.content_type or _has_body()) and not _is_json(req.mimetype):
        raise BadRequest("The control API reads JSON only: send a body as 'Content-Type: application/json', or none.")


def _has_body() -> bool:
    environ = request.environ
    return (environ.get("CONTENT_LENGTH") or "0") not in ("", "0") or "HTTP_TRANSFER_ENCODING" in environ


def _is_json(mimetype: str | None) -> bool:
    return mimetype == "application/json" or (mimetype or "").endswith("+json")
