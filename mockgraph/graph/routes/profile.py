"""The profile facet routes (list, create, get, update, delete, $count), registered once per facet
and per path form: `/users/{user}`, the early draft's `/user/{user}`, and `/me`."""

from __future__ import annotations

from flask import Blueprint, Response

from mockgraph.graph import schemas
from mockgraph.graph.auth import authorize
from mockgraph.graph.errors import ItemNotFound, MethodNotAllowed
from mockgraph.graph.facets import Facet
from mockgraph.graph.odata.options import (
    COUNT_OPTIONS,
    GET_OPTIONS,
    LIST_OPTIONS,
    QueryOptions,
    parse_query_options,
)
from mockgraph.graph.odata.paging import SkipTokenCodec
from mockgraph.graph.odata.query import count_matching, next_link, run_list_query
from mockgraph.graph.responses import json_response
from mockgraph.graph.routes import context as ctx
from mockgraph.graph.routes.context import GraphRequest
from mockgraph.state import MockState

NO_OPTIONS = frozenset()  # writes take no query option
PATH_FORMS = (("users", "/users/<user_ref>"), ("user", "/user/<user_ref>"), ("me", "/me"))


def blueprint(state: MockState) -> Blueprint:
    bp = Blueprint("profile", __name__, url_prefix="/beta")
    codec = SkipTokenCodec(state.secret)
    for facet in state.facets:
        _register(bp, state, facet, codec)
    return bp


def render_items(schema, docs, select=None, *, strict: bool = False) -> list[dict]:
    """Items as their own GET answers them (with `strict`, checked against the schema)."""
    bodies = [schemas.dump(schema, doc, select) for doc in docs]
    if strict:
        for body in bodies:
            schemas.check_output(schema, body, select)
    return bodies


def _not_count(item_id: str) -> None:
    # `/$count` answers GET only; werkzeug hands PATCH and DELETE on it to the item routes.
    if item_id == "$count":
        raise MethodNotAllowed(["GET", "OPTIONS"])


def _register(bp: Blueprint, state: MockState, facet: Facet, codec: SkipTokenCodec) -> None:
    schema = facet.schema
    top_level = tuple(schemas.instance(schema).fields)
    properties = schemas.property_types(schema)
    kind = facet.segment

    no_options: dict[frozenset, QueryOptions] = {}  # what an empty query string parses to, per route kind

    repository = state.repository
    strict = state.options.strict

    def options(req: GraphRequest, allowed: frozenset):
        if not req.environ.get("QUERY_STRING"):  # most requests: nothing to parse, the answer is always the same
            if allowed not in no_options:
                no_options[allowed] = parse_query_options((), allowed=allowed, top_level=top_level,
                                                          type_name=facet.type_name, properties=properties)
            return no_options[allowed]
        # Compiling $filter/$orderby and checking $skiptoken here makes a bad option a 400 before the
        # user lookup, as CONTRACT §2's order of checks wants.
        return parse_query_options(req.args.items(multi=True), allowed=allowed, top_level=top_level,
                                   type_name=facet.type_name, properties=properties, codec=codec)

    def context_url(req: GraphRequest, user: dict, entity: bool) -> str:
        url = f"{req.base_url}/$metadata#users('{user['id']}')/profile/{kind}"
        return url + "/$entity" if entity else url

    def render_all(docs, select=None) -> list[dict]:
        return render_items(schema, docs, select, strict=strict)

    def render(doc, select=None) -> dict:
        return render_all((doc,), select)[0]

    def item_or_404(user: dict, item_id: str) -> dict:
        item = repository.get_item(kind, user["id"], item_id)
        if item is None:
            raise ItemNotFound(item_id, facet.type_name)
        return item

    def list_items(user_ref=None):
        req = ctx.current()
        query = options(req, LIST_OPTIONS)
        user = req.target_user(user_ref)
        authorize(req.caller, own=req.is_own(user), write=False)
        page = run_list_query(repository.list_items(kind, user["id"]), query, properties=properties,
                              page_size=state.options.page_size, codec=codec, top_level=top_level,
                              type_name=facet.type_name)
        body = {"@odata.context": context_url(req, user, entity=False)}
        if page.count is not None:
            body["@odata.count"] = page.count
        if page.next_skiptoken is not None:
            body["@odata.nextLink"] = next_link(req.base_url, req.path.split("/", 2)[2],
                                                query.pairs, page.next_skiptoken)
        body["value"] = render_all(page.items, query.select)
        return json_response(body)

    def count_items(user_ref=None):
        req = ctx.current()
        query = options(req, COUNT_OPTIONS)
        user = req.target_user(user_ref)
        authorize(req.caller, own=req.is_own(user), write=False)
        items = repository.list_items(kind, user["id"])
        count = count_matching(items, query.filter, properties, type_name=facet.type_name)
        return Response(str(count), content_type="text/plain; charset=utf-8")

    def create_item(user_ref=None):
        req = ctx.current()
        options(req, NO_OPTIONS)
        user = req.target_user(user_ref)
        authorize(req.caller, own=req.is_own(user), write=True)
        doc = state.service.create(facet, user["id"], req.json_body(), req.caller_identity())
        location = f"{req.base_url}/users/{user['id']}/profile/{kind}/{doc['id']}"
        return json_response({"@odata.context": context_url(req, user, entity=True), **render(doc)}, 201,
                             {"Location": location})

    def get_item(item_id: str, user_ref=None):
        req = ctx.current()
        query = options(req, GET_OPTIONS)
        user = req.target_user(user_ref)
        authorize(req.caller, own=req.is_own(user), write=False)
        doc = item_or_404(user, item_id)
        return json_response({"@odata.context": context_url(req, user, entity=True), **render(doc, query.select)})

    def update_item(item_id: str, user_ref=None):
        _not_count(item_id)
        req = ctx.current()
        options(req, NO_OPTIONS)
        user = req.target_user(user_ref)
        authorize(req.caller, own=req.is_own(user), write=True)
        stored = item_or_404(user, item_id)
        doc = state.service.update(facet, user["id"], stored, req.json_body(), req.caller_identity())
        return json_response({"@odata.context": context_url(req, user, entity=True), **render(doc)})

    def delete_item(item_id: str, user_ref=None):
        _not_count(item_id)
        req = ctx.current()
        options(req, NO_OPTIONS)
        user = req.target_user(user_ref)
        authorize(req.caller, own=req.is_own(user), write=True)
        if not state.service.delete(facet, user["id"], item_id):
            raise ItemNotFound(item_id, facet.type_name)
        return Response(status=204)

    for form, prefix in PATH_FORMS:
        base = f"{prefix}/profile/{kind}"
        name = f"{kind}_{form}"
        bp.add_url_rule(base, f"{name}_list", list_items, methods=["GET"])
        bp.add_url_rule(base, f"{name}_create", create_item, methods=["POST"])
        bp.add_url_rule(f"{base}/$count", f"{name}_count", count_items, methods=["GET"])
        bp.add_url_rule(f"{base}/<item_id>", f"{name}_get", get_item, methods=["GET"])
        bp.add_url_rule(f"{base}/<item_id>", f"{name}_update", update_item, methods=["PATCH"])
        bp.add_url_rule(f"{base}/<item_id>", f"{name}_delete", delete_item, methods=["DELETE"])
