"""What the inspector's pages show, read from the state the way the Graph routes read it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from mockgraph.graph import schemas
from mockgraph.graph.schemas import SERVER_MANAGED

# Where an item's headline usually is, across the profile's types (workPosition's detail.jobTitle,
# skillProficiency's displayName, itemPhone's number, ...): tried at the top, then one level down.
TITLE_PROPERTIES = ("displayName", "jobTitle", "title", "address", "number", "userPrincipalName", "name")


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    json: str  # formatted for reading


@dataclass(frozen=True)
class Collection:
    segment: str
    type_name: str
    items: list[Item]


def user_summaries(state) -> list[dict]:
    """Every user in stored order, with the number of items in each profile collection."""
    repository = state.repository
    summaries = []
    for user in repository.users():
        counts = {facet.segment: len(repository.list_items(facet.segment, user["id"])) for facet in state.facets}
        summaries.append({**user, "counts": counts, "total": sum(counts.values())})
    return summaries


def collections(state, user: Mapping) -> list[Collection]:
    """A user's profile collections, each item as the Graph routes answer it (the same dump)."""
    out = []
    for facet in state.facets:
        bodies = [schemas.dump(facet.schema, doc) for doc in state.repository.list_items(facet.segment, user["id"])]
        items = [Item(body["id"], item_title(body), json.dumps(body, indent=2, ensure_ascii=False)) for body in bodies]
        out.append(Collection(facet.segment, facet.type_name, items))
    return out


def user_names(state) -> dict[str, dict]:
    """Who each user id is, for naming the callers in the request list."""
    return {user["id"]: {"displayName": user.get("displayName"), "userPrincipalName": user.get("userPrincipalName")}
            for user in state.repository.users()}


def fault_rules(state) -> list[dict]:
    """The rules in force, in order, with how often each matched and fired."""
    rules = []
    for rule in state.faults.list():
        counts = state.faults.counts(rule["id"]) or {"matched": 0, "fired": 0}  # removed since listed: none
        rules.append({"id": rule["id"], "json": json.dumps(rule, indent=2, ensure_ascii=False), **counts})
    return rules


def item_title(body: Mapping) -> str:
    for name in TITLE_PROPERTIES:
        if _text(body.get(name)):
            return body[name]
    for name in TITLE_PROPERTIES:
        for key, value in body.items():
            if key not in SERVER_MANAGED and isinstance(value, Mapping) and _text(value.get(name)):
                return value[name]
    return body["id"]


def _text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""
