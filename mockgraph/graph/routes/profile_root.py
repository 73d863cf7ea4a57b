"""The profile itself (CONTRACT §11): `GET` answers every collection inline, `DELETE` empties them all;
under `/users/{user}`, `/user/{user}` and `/me`. Generic over the registered facets."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response

from mockgraph.graph import schemas
from mockgraph.graph.auth import authorize
from mockgraph.graph.facets import Facet
from mockgraph.graph.odata.expand import parse_expand
from mockgraph.graph.odata.options import parse_query_options
from mockgraph.graph.responses import json_response
from mockgraph.graph.routes import context as ctx
from mockgraph.graph.routes.context import GraphRequest
from mockgraph.graph.routes.profile import PATH_FORMS, render_items
from mockgraph.state import MockState

TYPE_NAME = "profile"
# Profile ids are derived from the user's id, so one user's profile keeps its id across resets and restarts.
_PROFILE_IDS = uuid.UUID("0b7d8f0e-55a4-4c3e-9a51-6d2f1c1e9b7a")


def profile_id(user_id: str) -> str:
    return str(uuid.uuid5(_PROFILE_IDS, user_id.lower()))


def blueprint(state: MockState) -> Blueprint:
    bp = Blueprint("profile_root", __name__, url_prefix="/beta")
    facets = state.facets
    repository = state.repository
    strict = state.options.strict
    top_level = ("id", *(facet.segment for facet in facets))
    navigation = {facet.segment: (tuple(schemas.instance(facet.schema).fields), facet.type_name)
                  for facet in facets}

    everything = [(facet, None) for facet in facets]

    def wanted(req: GraphRequest) -> list[tuple[Facet, tuple[str, ...] | None]]:
        """The collections to answer, each with the item properties to keep (None: all of them)."""
        if not req.environ.get("QUERY_STRING"):
            return everything
        args = req.args.items(multi=True)
        options = parse_query_options(args, allowed={"select", "expand"}, top_level=top_level, type_name=TYPE_NAME)
        expand_text = req.args.get("$expand", req.args.get("expand"))
        if options.select is None and expand_text is None:
            return everything
        chosen = set(options.select or ())
        # `$expand` names collections with their own `$select`; with `$select` too, both are answered.
        expanded = parse_expand(expand_text, navigation, TYPE_NAME) if expand_text is not None else {}
        return [(facet, expanded.get(facet.segment)) for facet in facets
                if facet.segment in chosen or facet.segment in expanded]

    def get_profile(user_ref=None):
        req = ctx.current()
        collections = wanted(req)
        user = req.target_user(user_ref)
        authorize(req.caller, own=req.is_own(user), write=False)
        body = {"@odata.context": f"{req.base_url}/$metadata#users('{user['id']}')/profile/$entity",
                "id": profile_id(user["id"])}
        for facet, select in collections:  # one lookup per collection: the user's items only
            items = repository.list_items(facet.segment, user["id"])
            body[facet.segment] = render_items(facet.schema, items, select, strict=strict)
        return json_response(body)

    def delete_profile(user_ref=None):
        req = ctx.current()
        parse_query_options(req.args.items(multi=True), allowed=(), top_level=top_level, type_name=TYPE_NAME)
        user = req.target_user(user_ref)
        authorize(req.caller, own=req.is_own(user), write=True)
        repository.clear_items(user["id"])
        return Response(status=204)

    for form, prefix in PATH_FORMS:
        # PATCH is not routed: werkzeug's 405 lists GET and DELETE in `Allow` (Graph documents no update).
        bp.add_url_rule(f"{prefix}/profile", f"profile_{form}_get", get_profile, methods=["GET"])
        bp.add_url_rule(f"{prefix}/profile", f"profile_{form}_delete", delete_profile, methods=["DELETE"])
    return bp
