"""Fixture files: people and their profile items, validated by the same schemas as requests.

Format: {"users": [{"id", "userPrincipalName", "displayName", "positions": [workPosition, ...]}]}.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from marshmallow import ValidationError

from mockgraph import schemas
from mockgraph.clock import Clock, IdGenerator
from mockgraph.facets import Facet
from mockgraph.jsonio import loads_strict
from mockgraph.schemas.base import first_error, format_path
from mockgraph.schemas.user import UserSchema
from mockgraph.service import fill_server_managed, identity_set


class FixtureError(ValueError):
    """A fixture that cannot be loaded: names the source, the JSON path and the reason."""

    def __init__(self, source: str, path: str, reason: str):
        self.source, self.path, self.reason = source, path, reason
        super().__init__(f"{source}: {path}: {reason}")


def default_fixture_path() -> Path:
    return Path(str(resources.files("mockgraph") / "data" / "default.json"))


def read_fixture_files(paths: Iterable[str | Path], facets: Sequence[Facet], ids: IdGenerator,
                       clock: Clock) -> list[dict]:
    users: list[dict] = []
    for path in paths:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise FixtureError(source, "$", f"cannot read the file ({error.strerror})") from None
        try:
            data = loads_strict(text)
        except ValueError as error:
            raise FixtureError(source, "$", f"not valid JSON ({error})") from None
        users.extend(parse_fixture(data, source, facets, ids, clock))
    return users


def parse_fixture(data, source: str, facets: Sequence[Facet], ids: IdGenerator, clock: Clock) -> list[dict]:
    """Validate fixture-format data; users ready for `Repository.load`."""
    if not isinstance(data, dict) or set(data) != {"users"} or not isinstance(data["users"], list):
        raise FixtureError(source, "$", 'expected an object {"users": [...]} and nothing else')
    by_segment = {facet.segment: facet for facet in facets}
    users, seen = [], set()
    for i, raw in enumerate(data["users"]):
        where = f"$.users[{i}]"
        if not isinstance(raw, dict):
            raise FixtureError(source, where, "expected a user object")
        person = {k: v for k, v in raw.items() if k not in by_segment}
        user = _load(UserSchema, person, source, where, mode="stored")
        if user["id"].lower() in seen:
            raise FixtureError(source, f"{where}.id", f"user id '{user['id']}' appears twice")
        seen.add(user["id"].lower())
        user.setdefault("displayName", None)
        owner = identity_set(user)
        for segment, facet in by_segment.items():
            items = raw.get(segment)
            items = [] if items is None else items
            if not isinstance(items, list):
                raise FixtureError(source, f"{where}.{segment}", "expected a JSON array")
            loaded = []
            for j, item in enumerate(items):
                doc = _load(facet.schema, item, source, f"{where}.{segment}[{j}]", mode="stored")
                for key, value in facet.defaults.items():
                    doc.setdefault(key, value)
                loaded.append(fill_server_managed(doc, owner, ids, clock))
            user[segment] = loaded
        users.append(user)
    _check_unique_item_ids(users, facets, source)
    return users


def _load(schema_cls, data, source: str, where: str, mode: str) -> dict:
    try:
        return schemas.instance(schema_cls, mode).load(data)
    except ValidationError as error:
        path, message = first_error(error.messages)
        at = format_path(path)
        raise FixtureError(source, f"{where}.{at}" if at else where, str(message)) from None


def _check_unique_item_ids(users: list[dict], facets: Sequence[Facet], source: str) -> None:
    for facet in facets:
        seen: set[str] = set()
        for i, user in enumerate(users):
            for j, item in enumerate(user[facet.segment]):
                if item["id"].lower() in seen:
                    raise FixtureError(source, f"$.users[{i}].{facet.segment}[{j}].id",
                                       f"id '{item['id']}' appears twice")
                seen.add(item["id"].lower())
