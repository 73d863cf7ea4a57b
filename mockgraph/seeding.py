"""Adding data to a running mock (control API `seed`, `MockGraph.seed`): validated like a fixture file,
and all or nothing."""

from __future__ import annotations

import os
from pathlib import Path

from mockgraph.fixtures import FixtureError, parse_fixture, read_fixture_files


def seed_file(state, path: str | os.PathLike) -> dict[str, int]:
    """`seed` with the data of a fixture file. For Python callers only: what a request sends must never
    decide a file path, so the control API seeds from the body's data alone."""
    return _load(state, read_fixture_files([Path(path)], state.facets, state.ids, state.clock), str(path))


def seed(state, data, source: str = "seed") -> dict[str, int]:
    """Load fixture-format data: users are added, a stored user with the same id is replaced with their
    items. Returns counts: `{"users": n, "<facet segment>": m, ...}`. FixtureError names the JSON path of
    the first problem; then nothing is loaded."""
    return _load(state, parse_fixture(data, source, state.facets, state.ids, state.clock), source)


def _load(state, users: list[dict], source: str) -> dict[str, int]:
    with state.repository.lock:
        _check_against_store(state, users, source)
        state.repository.load(users)
    counts = {"users": len(users)}
    for facet in state.facets:
        counts[facet.segment] = sum(len(user[facet.segment]) for user in users)
    return counts


def _check_against_store(state, users: list[dict], source: str) -> None:
    """What a fixture file alone cannot clash with: users and items already stored that stay."""
    replaced = {user["id"].lower() for user in users}
    for i, user in enumerate(users):
        upn = user.get("userPrincipalName")
        holder = state.repository.find_user(upn) if upn else None
        if holder is not None and holder["id"].lower() not in replaced:
            raise FixtureError(source, f"$.users[{i}].userPrincipalName",
                               f"'{upn}' already belongs to the stored user '{holder['id']}'")
    for facet in state.facets:  # through the store's index: the cost of what is seeded, not of the store
        for i, user in enumerate(users):
            for j, item in enumerate(user[facet.segment]):
                owner = state.repository.item_owner(facet.segment, item["id"])
                if owner is not None and owner.lower() not in replaced:
                    raise FixtureError(source, f"$.users[{i}].{facet.segment}[{j}].id",
                                       f"id '{item['id']}' already belongs to another stored user's {facet.segment}")
