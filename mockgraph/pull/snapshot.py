"""Users and their profile collections, read from Graph into the fixture format.

Generic over the facets the mock serves: each collection is read at `/users/{id}/profile/{segment}`
and shaped by its schema, so a collection added to `FACETS` is pulled with no change here.

Shaping keeps what the mock declares, server-managed properties included (ids, timestamps, identity
sets), and drops what it does not (annotations, properties newer than the mock): the file must load.
An item the mock would refuse (a required property missing, a value outside an enum) is left out and
reported, rather than failing the whole pull.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from marshmallow import ValidationError

from mockgraph.graph import schemas
from mockgraph.graph.facets import Facet
from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphSchema, first_error, format_path, is_annotation
from mockgraph.graph.schemas.entities.user import UserSchema
from mockgraph.pull.client import GraphReader

USER_SELECT = ",".join(schemas.instance(UserSchema).fields)  # id,userPrincipalName,displayName


@dataclass
class Snapshot:
    users: list[dict] = field(default_factory=list)  # the fixture format's users, collections inline
    skipped: list[str] = field(default_factory=list)  # items left out, and why
    dropped: set[str] = field(default_factory=set)  # `type.property` names Graph sent and the mock lacks

    @property
    def items(self) -> int:
        return sum(len(value) for user in self.users for value in user.values() if isinstance(value, list))

    def fixture(self) -> dict:
        return {"users": self.users}


def take_snapshot(reader: GraphReader, facets: Sequence[Facet], *, users: Sequence[str] = (),
                  max_users: int | None = None, say: Callable[[str], None] = lambda line: None) -> Snapshot:
    """Read the named users (ids or UPNs), or the tenant's users (the first `max_users`), and every
    profile collection of each."""
    snapshot = Snapshot()
    people = _named_users(reader, users) if users else _listed_users(reader, max_users, say)
    if max_users is not None:
        people = people[:max_users]
    for number, raw in enumerate(people, 1):
        user = _shape_user(raw, snapshot)
        if user is None:
            continue
        counts = []
        for facet in facets:
            items = []
            for page in reader.pages(f"users/{quote(user['id'], safe='')}/profile/{facet.segment}"):
                items += [item for item in (_shape_item(facet, raw_item, user, snapshot) for raw_item in page)
                          if item is not None]
            if items:
                user[facet.segment] = items
                counts.append(f"{len(items)} {facet.segment}")
        snapshot.users.append(user)
        say(f"[{number}/{len(people)}] {user['userPrincipalName']}: {', '.join(counts) or 'no profile items'}")
    return snapshot


def _named_users(reader: GraphReader, refs: Iterable[str]) -> list[dict]:
    found: dict[str, dict] = {}
    for ref in refs:
        user = reader.get(f"users/{quote(ref, safe='')}", {"$select": USER_SELECT})
        found.setdefault(str(user.get("id", "")).lower(), user)  # one user named twice (id and UPN) counts once
    return list(found.values())


def _listed_users(reader: GraphReader, max_users: int | None, say: Callable[[str], None]) -> list[dict]:
    people: list[dict] = []
    # The server's page size: each user costs a request per profile collection anyway; bigger pages save little.
    for page in reader.pages("users", {"$select": USER_SELECT}):
        people += page
        say(f"listing users: {len(people)}")
        if max_users is not None and len(people) >= max_users:
            break
    return people


def _shape_user(raw: dict, snapshot: Snapshot) -> dict | None:
    user = prune(UserSchema, raw, snapshot.dropped)
    user.setdefault("displayName", None)
    problem = _problem(UserSchema, user)
    if problem:
        snapshot.skipped.append(f"user {raw.get('userPrincipalName') or raw.get('id')}: {problem}")
        return None
    return user


def _shape_item(facet: Facet, raw, user: dict, snapshot: Snapshot) -> dict | None:
    item = prune(facet.schema, raw, snapshot.dropped) if isinstance(raw, dict) else raw
    problem = _problem(facet.schema, item)
    if problem:
        what = raw.get("id") if isinstance(raw, dict) else raw
        snapshot.skipped.append(f"{user['userPrincipalName']} {facet.segment} {what}: {problem}")
        return None
    return item


def prune(schema_cls: type[GraphSchema], data: dict, dropped: set[str]) -> dict:
    """`data` with only the properties `schema_cls` declares, at every depth; annotations go silently,
    other unknown names are added to `dropped` as `type.property`."""
    schema = schemas.instance(schema_cls)
    out = {}
    for key, value in data.items():
        declared = schema.fields.get(key)
        if declared is None:
            if not is_annotation(key):
                dropped.add(f"{schema_cls.graph_type}.{key}")
            continue
        if isinstance(declared, f.Nested) and isinstance(value, dict):
            value = prune(type(declared.schema), value, dropped)
        elif isinstance(declared, f.NestedCollection) and isinstance(value, list):
            inner = type(declared.inner.schema)
            value = [prune(inner, item, dropped) if isinstance(item, dict) else item for item in value]
        out[key] = value
    return out


def _problem(schema_cls: type[GraphSchema], data) -> str | None:
    """Why the mock would refuse `data` in a fixture file, or None."""
    try:
        schemas.instance(schema_cls, "stored").load(data)
    except ValidationError as error:
        path, message = first_error(error.messages)
        return f"{format_path(path) or '$'}: {message}"
    return None
