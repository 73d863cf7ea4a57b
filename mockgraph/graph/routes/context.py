"""What views need of the current request: the state, the caller's identity, the target user, the body.

`GraphRequest` is the app's request class, made once per app with the app's state bound to it
(`request_class_for`). Hooks and views take the request object once (`current()`) and read plain
attributes from then on: a `request`, `g` or `current_app` proxy lookup costs about a microsecond,
and a request used to make some fifty of them.
"""

from __future__ import annotations

from time import perf_counter

from flask import Request, current_app, request
from werkzeug.utils import cached_property

from mockgraph.graph.auth import Caller
from mockgraph.graph.errors import BadRequest, ResourceNotFound, UnreadableBody
from mockgraph.graph.jsonio import loads_strict
from mockgraph.graph.request_text import header_items
from mockgraph.graph.service import identity_set
from mockgraph.state import MockState

STATE_KEY = "mockgraph"
CONTROL_PREFIX = "/_mockgraph"
BROWSER_ROOT_PATHS = ("/", "/favicon.ico")
_UNSET = object()


class GraphRequest(Request):
    """A request, with what the pipeline learns about it on the way (set by the hooks that learn it)."""

    state: MockState  # bound per app by `request_class_for`
    request_id: str | None = None
    client_request_id: str | None = None
    caller: Caller | None = None  # None until the token is read (and for the control API)
    fault: dict | None = None  # the fault rule that fired, for the journal
    error_code: str | None = None  # Graph's error code of a failed request, for the log line
    journal_entry_id: int | None = None  # $batch ties its inner requests' entries to this one
    unlogged = False  # a view's wish to keep its request out of the request log (a polling page)
    _caller_user = _UNSET

    def __init__(self, environ: dict, populate_request: bool = True, shallow: bool = False):
        super().__init__(environ, populate_request, shallow)
        self.started = perf_counter()  # for the log line's duration

    @cached_property
    def is_graph(self) -> bool:
        """Everything but the control API and what a browser asks of the root (see `is_browser_root`);
        with the control API off, those are just unknown paths."""
        path = self.path
        if not (path.startswith(CONTROL_PREFIX) or path in BROWSER_ROOT_PATHS):
            return True
        return not (self.state.options.control and (path.startswith(CONTROL_PREFIX) or self.is_browser_root))

    @property
    def is_browser_root(self) -> bool:
        """A browser's `GET /` (its Accept prefers HTML to JSON; API clients that send JSON, `*/*` or no
        Accept get Graph's answer) or `GET /favicon.ico`: the inspector's landing page and icon answer
        them, so that opening the mock in a browser puts nothing in the journal."""
        if self.method not in ("GET", "HEAD") or self.path not in BROWSER_ROOT_PATHS:
            return False
        if self.path == "/favicon.ico":
            return True
        accept = self.accept_mimetypes
        return accept["text/html"] > accept["application/json"]

    @cached_property
    def base_url(self) -> str:
        """The base the request came in on (`http://127.0.0.1:8765/beta`), for @odata.context and links;
        on the server's own address when the request's Host is not one the mock accepts (`hosts.py`)."""
        version = self.path.lstrip("/").split("/", 1)[0]
        return self.state.hosts.link_root(self.scheme, self.environ, lambda: self.host) + version

    @cached_property
    def header_items(self) -> list[tuple[str, object]]:
        """Its headers as the environ names them, read once for the text check and the journal."""
        return header_items(self.environ)

    @property
    def caller_user(self) -> dict | None:
        """The stored user the token names (oid, then UPN); the default user for tokens that name nobody."""
        if self._caller_user is _UNSET:
            who = self.caller
            ref = who.user_id or who.upn
            self._caller_user = self.state.repository.find_user(ref) if ref else self.state.default_user()
        return self._caller_user

    def target_user(self, user_ref: str | None) -> dict:
        """The user a route acts on: `{user}` in the path, or the caller for `/me`."""
        if user_ref is not None:
            user = self.state.repository.find_user(user_ref)
            if user is None:
                raise ResourceNotFound(user_ref)
            return user
        who = self.caller
        if who.app_only:
            raise BadRequest("/me request is only valid with delegated authentication flow.")
        user = self.caller_user
        if user is None:
            raise ResourceNotFound(who.user_id or who.upn or "me")
        return user

    def is_own(self, user: dict) -> bool:
        me = self.caller_user
        return me is not None and me["id"] == user["id"] and not self.caller.app_only

    def caller_identity(self) -> dict:
        """The identity set written to createdBy/lastModifiedBy."""
        who = self.caller
        application = {"id": who.app_id, "displayName": who.app_name} if who.app_id else None
        if who.app_only:
            return identity_set(None, application)
        user = self.caller_user
        if user is None and who.user_id:
            user = {"id": who.user_id, "displayName": who.name}
        elif user is not None and not user.get("displayName"):
            user = {**user, "displayName": who.name}
        return identity_set(user, application)

    def json_body(self):
        """The request's JSON body, read as strictly as Graph reads it."""
        mimetype = self.mimetype or ""
        if not (mimetype == "application/json" or mimetype.endswith("+json")):
            raise UnreadableBody()
        raw = self.get_data(cache=True)
        try:
            return loads_strict(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise UnreadableBody() from None


def request_class_for(state: MockState) -> type[GraphRequest]:
    """The request class of one app: `GraphRequest` with that app's state bound, so that reaching the
    state costs an attribute read rather than a `current_app` lookup."""
    return type("GraphRequest", (GraphRequest,), {"state": state})


def current() -> GraphRequest:
    """The request being answered, as itself rather than the `request` proxy."""
    return request._get_current_object()


def state() -> MockState:
    return current_app.extensions[STATE_KEY]


def json_body():
    return current().json_body()
