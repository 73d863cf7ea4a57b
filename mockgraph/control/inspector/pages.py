"""The inspector's pages (GET only) and the landing page. Every page is rendered on the server with
Jinja's autoescaping; the scripts they load build their DOM with textContent, never HTML from data."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, request, send_from_directory
from werkzeug.exceptions import NotFound

from mockgraph.control.endpoints.clock import view as clock_view
from mockgraph.control.inspector import guard, views
from mockgraph.graph.errors import ItemNotFound, ResourceNotFound
from mockgraph.graph.pipeline import CONTROL_PREFIX
from mockgraph.graph.routes import context as ctx
from mockgraph.graph.routes.context import GraphRequest

INSPECTOR = CONTROL_PREFIX + "/inspector"
STATIC = Path(__file__).parent / "static"
# Scripts and styles from the package's static files only: nothing inline, nothing from elsewhere, and
# no page may frame these (clickjacking the control buttons).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
EXAMPLE_RULE = """{
  "methods": ["GET"],
  "path": "/users/*/profile/positions*",
  "effect": "fail",
  "status": 503,
  "times": 1
}"""


def before_request(req: GraphRequest) -> Response | None:
    """Run before every request that is not Graph's (the control package's hook calls it): refuse a
    browser's unmarked change, answer a browser's `/` and `/favicon.ico`."""
    guard.refuse_unmarked_browser_changes(req)
    return browser_root(req)


def browser_root(req: GraphRequest) -> Response | None:
    # Not a route: `/` stays unrouted, so API clients get Graph's own answer for it.
    if not req.is_browser_root:
        return None
    if req.path == "/favicon.ico":
        response = send_from_directory(STATIC, "icon.svg", mimetype="image/svg+xml")
    else:
        response = page("landing.html")
        response.vary.add("Accept")
    response.headers.update(SECURITY_HEADERS)
    return response


def blueprint() -> Blueprint:
    bp = Blueprint("control_inspector", __name__, template_folder="templates")

    @bp.get(INSPECTOR)
    @bp.get(CONTROL_PREFIX + "/")  # registered first: the address url_for gives
    def requests_page():
        return page("requests.html", users=views.user_names(ctx.state()))

    @bp.get(INSPECTOR + "/state")
    def state_page():
        return page("state.html", users=views.user_summaries(ctx.state()), facets=ctx.state().facets)

    @bp.get(INSPECTOR + "/users/<user_ref>")
    def user_page(user_ref: str):
        user = ctx.state().repository.find_user(user_ref)
        if user is None:
            raise ResourceNotFound(user_ref)
        return page("user.html", user=user, collections=views.collections(ctx.state(), user))

    @bp.get(INSPECTOR + "/control")
    def control_page():
        return page("control.html", rules=views.fault_rules(ctx.state()), clock=clock_view(),
                    example_rule=EXAMPLE_RULE)

    @bp.get(INSPECTOR + "/static/<path:filename>")
    def static(filename: str):
        try:
            return send_from_directory(STATIC, filename)
        except NotFound:  # a Graph-shaped 404, as everywhere else
            raise ItemNotFound(filename, "inspector file") from None

    @bp.after_request
    def secure(response: Response) -> Response:  # the static files too
        response.headers.update(SECURITY_HEADERS)
        return response

    return bp


def page(template: str, **context) -> Response:
    root = request.host_url.rstrip("/")
    html = render_template(f"inspector/{template}", root=root, base_url=root + "/beta", control=CONTROL_PREFIX,
                           **context)
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store"  # a page shows the state at one moment
    return response
