"""The benchmark's bare Flask reference (bench/reference_app.py) answers what the mock answers, byte for
byte for reads and in size and keys for writes, so the speed ratios `make bench` reports compare like
with like and cannot drift as the mock's answers change. Nothing here is timed."""

from __future__ import annotations

import json

import pytest

from bench import data, wsgi
from bench.load import PATCH_BODY, POST_BODY
from bench.reference_app import create_reference_app
from mockgraph import create_app

# What differs between two answers to the same write: when it was made, and a new item's id.
STAMPS = {"createdDateTime", "lastModifiedDateTime"}


@pytest.fixture
def apps():
    users = data.served_users()
    mock = create_app()  # as the bench serves it: journal on, strict off
    mock.extensions["mockgraph"].repository.load(data.served_users())
    yield mock, create_reference_app(users), wsgi.paths(users)
    mock.extensions["mockgraph"].repository.close()


def shape(value):
    """The keys, in order, all the way down (list items by position)."""
    if isinstance(value, dict):
        return [(key, shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [shape(item) for item in value]
    return None


def without(doc: dict, keys) -> dict:
    return {key: value for key, value in doc.items() if key not in keys}


def test_the_served_users_hold_50_and_20_positions(apps):
    mock, _, paths = apps
    assert len(json.loads(wsgi.call(mock, "GET", paths["list"]))["value"]) == data.LIST_POSITIONS == 20
    profile = json.loads(wsgi.call(mock, "GET", paths["profile"]))
    collections = {key: value for key, value in profile.items() if isinstance(value, list)}
    assert len(collections["positions"]) == 20
    assert len(collections) == 19 and not any(v for k, v in collections.items() if k != "positions")
    listed = json.loads(wsgi.call(mock, "GET", paths["collection"]))["value"]
    assert len(listed) == data.ITEM_POSITIONS


@pytest.mark.parametrize("name", ["item", "list", "profile"])
def test_reads_answer_the_same_bytes(apps, name):
    mock, reference, paths = apps
    assert wsgi.call(reference, "GET", paths[name]) == wsgi.call(mock, "GET", paths[name])


def test_a_patch_answers_the_same_size_keys_and_values_but_the_time(apps):
    mock, reference, paths = apps
    ours, theirs = (wsgi.call(app, "PATCH", paths["item"], PATCH_BODY.encode()) for app in (mock, reference))
    assert len(theirs) == len(ours)
    ours, theirs = json.loads(ours), json.loads(theirs)
    assert shape(theirs) == shape(ours)
    assert without(theirs, STAMPS) == without(ours, STAMPS)
    # And what is read afterwards still matches, but for the modification time.
    for name in ("item", "list", "profile"):
        ours, theirs = (wsgi.call(app, "GET", paths[name]) for app in (mock, reference))
        assert len(theirs) == len(ours)
        if name == "item":
            assert without(json.loads(theirs), STAMPS) == without(json.loads(ours), STAMPS)


def test_a_post_answers_the_same_size_keys_and_values_but_the_time_and_id(apps):
    mock, reference, paths = apps
    body = POST_BODY.encode()
    ours, theirs = (wsgi.call(app, "POST", paths["collection"], body, 201) for app in (mock, reference))
    assert len(theirs) == len(ours)
    ours, theirs = json.loads(ours), json.loads(theirs)
    assert shape(theirs) == shape(ours)
    assert without(theirs, STAMPS | {"id"}) == without(ours, STAMPS | {"id"})
    for app, created in ((mock, ours), (reference, theirs)):
        wsgi.call(app, "DELETE", f"{paths['collection']}/{created['id']}", expected=204)
