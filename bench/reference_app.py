"""The floor: a bare Flask app with the mock's routes and answers, and nothing else.

No token, no validation, no store: positions live in a dict of dicts. Whatever the mock costs on
top of this app, on the same server in the same run, is the mock's own overhead.
"""

from __future__ import annotations

import uuid

from flask import Flask, request

from mockgraph.graph.facets import FACETS

PREFIX = "/beta/users/<user_ref>/profile/positions"


def create_reference_app(users: list[dict]) -> Flask:
    """The app, holding `users`' positions (the shape `bench.data.users` builds)."""
    store = {u["id"]: {doc["id"]: doc for doc in u["positions"]} for u in users}
    app = Flask("reference")

    def context(user_ref: str) -> str:
        return f"{request.host_url}beta/$metadata#users('{user_ref}')/profile/positions"

    @app.get(PREFIX)
    def list_positions(user_ref):
        return {"@odata.context": context(user_ref), "value": list(store[user_ref].values())}

    @app.get("/beta/users/<user_ref>/profile")
    def get_profile(user_ref):
        # The same body the mock answers for these users: every collection, only positions filled.
        collections = {facet.segment: [] for facet in FACETS}
        collections["positions"] = list(store[user_ref].values())
        return {"@odata.context": f"{request.host_url}beta/$metadata#users('{user_ref}')/profile/$entity",
                "id": user_ref, **collections}

    @app.post(PREFIX)
    def create_position(user_ref):
        doc = {**request.get_json(), "id": str(uuid.uuid4())}
        store[user_ref][doc["id"]] = doc
        return {"@odata.context": context(user_ref) + "/$entity", **doc}, 201

    @app.get(PREFIX + "/<item_id>")
    def get_position(user_ref, item_id):
        return {"@odata.context": context(user_ref) + "/$entity", **store[user_ref][item_id]}

    @app.patch(PREFIX + "/<item_id>")
    def update_position(user_ref, item_id):
        doc = dict(store[user_ref][item_id])
        for key, value in request.get_json().items():  # complex values merge, as the mock's PATCH does
            doc[key] = {**doc[key], **value} if isinstance(value, dict) and isinstance(doc.get(key), dict) else value
        store[user_ref][item_id] = doc
        return {"@odata.context": context(user_ref) + "/$entity", **doc}

    @app.delete(PREFIX + "/<item_id>")
    def delete_position(user_ref, item_id):
        del store[user_ref][item_id]
        return "", 204

    return app
