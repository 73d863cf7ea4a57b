"""The floor: a bare Flask app with the mock's routes, answering the very bodies the mock answers, and
nothing else.

No token, no validation, no schema: rendered positions live in a dict of dicts and are turned into
JSON at each request, as any Flask app returning a dict does. Whatever the mock costs on top of this
app, on the same server in the same run, is the mock's own overhead.

Same bodies, not only the same data: the mock answers every declared property (nulls included), about
40% more JSON than the stored documents, and JSON is much of a request's cost. So the reference's store
is what the mock itself renders for the same users (`rendered`: each position, each /profile, one POST
and one PATCH, asked of a throwaway mock app in process). The reference then only puts its own host
in `@odata.context`; a PATCH merges the body into the stored rendered position and stamps
lastModifiedDateTime and lastModifiedBy as the mock does; a POST fills the mock's rendered creation
with the request's values and a new id. `tests/test_bench_reference.py` checks that both apps answer the
same bytes (the same size and keys for writes), so the comparison cannot drift.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider

from bench import wsgi
from bench.load import PATCH_BODY, POST_BODY

KIND = "positions"
PREFIX = f"/beta/users/<user_ref>/profile/{KIND}"
CONTEXT = "@odata.context"


def _answer(app, method: str, path: str, body: str | None = None, expected: int = 200) -> dict:
    """The mock's JSON answer without its @odata.context (the reference puts its own host there)."""
    answer = json.loads(wsgi.call(app, method, path, (body or "").encode(), expected))
    answer.pop(CONTEXT)
    return answer


def rendered(users: list[dict]) -> dict:
    """What the mock answers for `users` (the shape `bench.data.users` builds), asked of a fresh mock app:
    {"users": {id: {"positions": {id: doc}, "profile": {...}}}, "created": doc, "editor": identity}."""
    from mockgraph import create_app  # only to render the bodies: the reference app never calls the mock

    app = create_app()
    app.extensions["mockgraph"].repository.load(json.loads(json.dumps(users)))  # its own copy
    bodies: dict = {"users": {}}
    for user in users:
        base = f"/beta/users/{user['id']}/profile"
        bodies["users"][user["id"]] = {
            KIND: {doc["id"]: _answer(app, "GET", f"{base}/{KIND}/{doc['id']}") for doc in user[KIND]},
            "profile": _answer(app, "GET", base)}
    # Writes last, on the throwaway app: what a creation looks like, and who the mock says modified an item.
    first = users[0]
    created = _answer(app, "POST", f"/beta/users/{first['id']}/profile/{KIND}", POST_BODY, 201)
    patched = _answer(app, "PATCH", f"/beta/users/{first['id']}/profile/{KIND}/{first[KIND][0]['id']}", PATCH_BODY)
    bodies["created"], bodies["editor"] = created, patched["lastModifiedBy"]
    app.extensions["mockgraph"].repository.close()
    return bodies


def _now() -> str:
    """A timestamp as the mock writes them (mockgraph.clock.format_timestamp): 7 fractional digits, Z."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _merge(doc: dict, changes: dict) -> dict:
    """`changes` over `doc`; complex values merge, as the mock's PATCH does (and as a POST fills the
    rendered shape of a creation)."""
    merged = dict(doc)
    for key, value in changes.items():
        old = merged.get(key)
        merged[key] = _merge(old, value) if isinstance(value, dict) and isinstance(old, dict) else value
    return merged


class _JSON(DefaultJSONProvider):
    """Flask's own JSON, with the keys in the mock's order (sorting would only slow the floor) and without
    the newline Flask adds after the body: the mock adds none."""

    sort_keys = False

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps(obj, separators=(",", ":")), mimetype=self.mimetype)


def create_reference_app(users: list[dict]) -> Flask:
    """The app, answering what the mock answers for `users` (the shape `bench.data.users` builds)."""
    return reference_app(rendered(users))


def reference_app(bodies: dict) -> Flask:
    """The app over bodies `rendered` returned."""
    store = {uid: dict(user[KIND]) for uid, user in bodies["users"].items()}
    profiles = {uid: user["profile"] for uid, user in bodies["users"].items()}
    created, editor = bodies["created"], bodies["editor"]
    app = Flask("reference")
    app.json = _JSON(app)

    def context(user_ref: str) -> str:
        return f"{request.host_url}beta/$metadata#users('{user_ref}')/profile/{KIND}"

    @app.get(PREFIX)
    def list_positions(user_ref):
        return {CONTEXT: context(user_ref), "value": list(store[user_ref].values())}

    @app.get("/beta/users/<user_ref>/profile")
    def get_profile(user_ref):
        # The rendered profile (every collection, in the mock's order), with the positions as they are now.
        return {CONTEXT: f"{request.host_url}beta/$metadata#users('{user_ref}')/profile/$entity",
                **profiles[user_ref], KIND: list(store[user_ref].values())}

    @app.post(PREFIX)
    def create_position(user_ref):
        stamp = _now()
        doc = {**_merge(created, request.get_json()), "id": str(uuid.uuid4()), "createdDateTime": stamp,
               "lastModifiedDateTime": stamp}
        store[user_ref][doc["id"]] = doc
        return {CONTEXT: context(user_ref) + "/$entity", **doc}, 201

    @app.get(PREFIX + "/<item_id>")
    def get_position(user_ref, item_id):
        return {CONTEXT: context(user_ref) + "/$entity", **store[user_ref][item_id]}

    @app.patch(PREFIX + "/<item_id>")
    def update_position(user_ref, item_id):
        doc = _merge(store[user_ref][item_id], request.get_json())
        doc["lastModifiedDateTime"], doc["lastModifiedBy"] = _now(), editor
        store[user_ref][item_id] = doc
        return {CONTEXT: context(user_ref) + "/$entity", **doc}

    @app.delete(PREFIX + "/<item_id>")
    def delete_position(user_ref, item_id):
        del store[user_ref][item_id]
        return "", 204

    return app
