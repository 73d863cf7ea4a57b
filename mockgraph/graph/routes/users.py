"""`GET /users/{user}` and `GET /me`: the few user properties a profile client needs."""

from __future__ import annotations

from flask import Blueprint, request

from mockgraph.graph.auth import authorize
from mockgraph.graph.odata.options import parse_query_options
from mockgraph.graph.responses import json_response
from mockgraph.graph.routes import context as ctx
from mockgraph.graph.schemas import dump
from mockgraph.graph.schemas.entities.user import UserSchema

USER_PROPERTIES = tuple(UserSchema().fields)


def blueprint(version: str) -> Blueprint:
    bp = Blueprint(f"users_{version.replace('.', '_')}", __name__, url_prefix=f"/{version}")

    @bp.get("/users/<user_ref>", endpoint="user")
    @bp.get("/me", endpoint="me")
    def get_user(user_ref: str | None = None):
        options = parse_query_options(request.args.items(multi=True), allowed={"select"},
                                      top_level=USER_PROPERTIES, type_name="user")
        user = ctx.target_user(user_ref)
        authorize(ctx.caller(), own=ctx.is_own(user), write=False)
        body = dump(UserSchema, user, options.select)
        return json_response({"@odata.context": f"{ctx.base_url()}/$metadata#users/$entity", **body})

    return bp
