"""`GET /users`, `GET /users/{user}` and `GET /me`: the few user properties a profile client needs.

The list pages like every collection here (`$top`, `@odata.nextLink` with a signed `$skiptoken`), in
object id order, and takes `$select` and `$filter` on those properties: enough for a client that
walks a tenant's people (`mockgraph pull` does).
"""

from __future__ import annotations

from flask import Blueprint

from mockgraph.graph import schemas
from mockgraph.graph.auth import authorize
from mockgraph.graph.odata.options import parse_query_options
from mockgraph.graph.odata.paging import SkipTokenCodec
from mockgraph.graph.odata.query import next_link, run_list_query
from mockgraph.graph.responses import json_response
from mockgraph.graph.routes import context as ctx
from mockgraph.graph.schemas import dump
from mockgraph.graph.schemas.entities.user import UserSchema

USER_PROPERTIES = tuple(UserSchema().fields)
LIST_OPTIONS = {"filter", "select", "top", "skiptoken"}


def blueprint(version: str, secret: bytes) -> Blueprint:
    bp = Blueprint(f"users_{version.replace('.', '_')}", __name__, url_prefix=f"/{version}")
    codec = SkipTokenCodec(secret)
    properties = schemas.property_types(UserSchema)

    @bp.get("/users", endpoint="users")
    def list_users():
        req = ctx.current()
        query = parse_query_options(req.args.items(multi=True), allowed=LIST_OPTIONS, top_level=USER_PROPERTIES,
                                    type_name="user", properties=properties, codec=codec)
        # Reading other people's directory entries: what reading another user's profile needs.
        authorize(req.caller, own=False, write=False)
        state = req.state
        page = run_list_query(state.repository.users(), query, properties=properties,
                              page_size=state.options.page_size, codec=codec, top_level=USER_PROPERTIES,
                              type_name="user")
        body = {"@odata.context": f"{req.base_url}/$metadata#users"}
        if page.next_skiptoken is not None:
            body["@odata.nextLink"] = next_link(req.base_url, "users", query.pairs, page.next_skiptoken)
        body["value"] = [dump(UserSchema, user, query.select) for user in page.items]
        return json_response(body)

    @bp.get("/users/<user_ref>", endpoint="user")
    @bp.get("/me", endpoint="me")
    def get_user(user_ref: str | None = None):
        req = ctx.current()
        options = parse_query_options(req.args.items(multi=True), allowed={"select"},
                                      top_level=USER_PROPERTIES, type_name="user")
        user = req.target_user(user_ref)
        authorize(req.caller, own=req.is_own(user), write=False)
        body = dump(UserSchema, user, options.select)
        return json_response({"@odata.context": f"{req.base_url}/$metadata#users/$entity", **body})

    return bp
