"""Microsoft's own examples, one per collection (tests/data/microsoft_examples.json, with the docs page
and commit of each): the create example is a 201 whose answer carries every property of the docs'
example response, and the update example is a 200."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import assert_graph_error

from mockgraph.graph.facets import FACETS

DATA = json.loads((Path(__file__).parent / "data" / "microsoft_examples.json").read_text(encoding="utf-8"))
EXAMPLES = DATA["examples"]
each_example = pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["segment"])


def keys_missing(expected, actual, where: str = "") -> list[str]:
    """Paths of the docs' response that the answer lacks (nested objects compared key by key)."""
    missing = []
    for key, value in expected.items():
        path = f"{where}.{key}" if where else key
        if key not in actual:
            missing.append(path)
        elif isinstance(value, dict) and isinstance(actual[key], dict):
            missing += keys_missing(value, actual[key], path)
    return missing


def test_there_is_one_example_per_collection():
    assert [e["segment"] for e in EXAMPLES] == [facet.segment for facet in FACETS]
    for example in EXAMPLES:
        for page in ("create_page", "update_page"):
            assert example[page]["path"].startswith("api-reference/beta/api/") and example[page]["commit"]


@each_example
def test_create_example_is_accepted_and_answers_every_property_of_the_docs_response(client, example):
    response = client.post(f"/me/profile/{example['segment']}", json=example["create"])
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert keys_missing(example["create_response"], body) == []
    # What the request sent comes back (enums canonical, as sent here).
    for key, value in example["create"].items():
        assert body[key] == value or isinstance(value, dict), key


@each_example
def test_update_example_is_accepted(client, example):
    created = client.post(f"/me/profile/{example['segment']}", json=example["create"]).get_json()
    response = client.patch(f"/me/profile/{example['segment']}/{created['id']}", json=example["update"])
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    for key, value in example["update"].items():
        if not isinstance(value, dict):
            assert body[key] == value, key
        else:  # merged: what the update sent, over what the create set
            assert {k: body[key][k] for k in value} == value, key


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e["placeholders"]], ids=lambda e: e["segment"])
def test_the_docs_date_placeholders_are_not_dates(client, example):
    """Where a published example sends the placeholder "Date" for an Edm.Date, the mock answers as it
    answers any other invalid date: a 400 naming the property."""
    for prop, published in example["placeholders"].items():
        body = {**example["create"], prop: published}
        response = client.post(f"/me/profile/{example['segment']}", json=body)
        error = assert_graph_error(response, 400, "BadRequest")
        assert error["message"].startswith(f"Invalid value for property '{prop}': expected a date")


def test_web_account_example_answers_the_docs_web_url(client):
    example = next(e for e in EXAMPLES if e["segment"] == "webAccounts")
    body = client.post("/me/profile/webAccounts", json=example["create"]).get_json()
    assert body["webUrl"] == example["create_response"]["webUrl"] == "https://github.com/innocenty.popov"
