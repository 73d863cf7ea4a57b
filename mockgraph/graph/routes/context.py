"""What views need of the current request: the state, the caller's identity, the target user, the body."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app, g, request
from werkzeug.sansio.utils import get_current_url

from mockgraph.graph.auth import Caller
from mockgraph.graph.errors import BadRequest, ResourceNotFound, UnreadableBody
from mockgraph.graph.jsonio import loads_strict
from mockgraph.graph.service import identity_set
from mockgraph.state import MockState

STATE_KEY = "mockgraph"


def state() -> MockState:
    return current_app.extensions[STATE_KEY]


def caller() -> Caller:
    return g.caller


def base_url() -> str:
    """The base the request came in on (`http://127.0.0.1:8765/beta`), for @odata.context and links;
    on the server's own address when the request's Host is not one the mock accepts (`hosts.py`)."""
    version = request.path.lstrip("/").split("/", 1)[0]
    hosts = state().hosts
    if hosts.accepts_for_links(request.environ):
        return _host_url(request.scheme, request.host) + version
    return hosts.own_root(request.scheme, request.environ) + version


@lru_cache(maxsize=64)
def _host_url(scheme: str, host: str) -> str:
    # `request.host_url`, computed once per host: werkzeug rebuilds (and IRI-decodes) it per request.
    # Only well-formed hosts the mock accepts get here, so the keys are few and short.
    return get_current_url(scheme, host)


def caller_user() -> dict | None:
    """The stored user the token names (oid, then UPN); the default user for tokens that name nobody."""
    if "caller_user" not in g:
        who = caller()
        ref = who.user_id or who.upn
        g.caller_user = state().repository.find_user(ref) if ref else state().default_user()
    return g.caller_user


def target_user(user_ref: str | None) -> dict:
    """The user a route acts on: `{user}` in the path, or the caller for `/me`."""
    if user_ref is not None:
        user = state().repository.find_user(user_ref)
        if user is None:
            raise ResourceNotFound(user_ref)
        return user
    who = caller()
    if who.app_only:
        raise BadRequest("/me request is only valid with delegated authentication flow.")
    user = caller_user()
    if user is None:
        raise ResourceNotFound(who.user_id or who.upn or "me")
    return user


def is_own(user: dict) -> bool:
    me = caller_user()
    return me is not None and me["id"] == user["id"] and not caller().app_only


def caller_identity() -> dict:
    """The identity set written to createdBy/lastModifiedBy."""
    who = caller()
    application = {"id": who.app_id, "displayName": who.app_name} if who.app_id else None
    if who.app_only:
        return identity_set(None, application)
    user = caller_user()
    if user is None and who.user_id:
        user = {"id": who.user_id, "displayName": who.name}
    elif user is not None and not user.get("displayName"):
        user = {**user, "displayName": who.name}
    return identity_set(user, application)


def json_body():
    """The request's JSON body, read as strictly as Graph reads it."""
    mimetype = request.mimetype or ""
    if not (mimetype == "application/json" or mimetype.endswith("+json")):
        raise UnreadableBody()
    raw = request.get_data(cache=True)
    try:
        return loads_strict(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise UnreadableBody() from None
