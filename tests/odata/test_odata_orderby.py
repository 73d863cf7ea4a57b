"""`$orderby`: parsing, the effective order, nulls, case, ties, and the keys paging stores."""

from __future__ import annotations

import json
import random

import pytest
from odata_samples import PROPERTIES, positions

from mockgraph.graph.errors import BadRequest
from mockgraph.graph.odata.orderby import (
    comparable_key,
    compile_orderby,
    keyed_sort,
    raw_sort_key,
    sort_items,
    sort_key,
)


def order(text: str | None) -> list[str]:
    clauses = compile_orderby(text, PROPERTIES)
    return [item["id"] for item in sort_items(positions(), clauses, PROPERTIES)]


def p(*numbers: int) -> list[str]:
    return [f"p{n:02d}" for n in numbers]


def test_default_order_is_created_then_id():
    assert compile_orderby(None, PROPERTIES) == [("createdDateTime", False), ("id", False)]
    # p04 (23:30 at -02:00 = 01:30Z) comes after p03 (00:00Z) although its text sorts first;
    # p01 and p12 share an instant and fall to id.
    assert order(None) == p(11, 8, 7, 1, 12, 2, 3, 4, 9, 5, 10, 6)


def test_ascending_puts_nulls_first_and_breaks_ties_by_created_then_id():
    assert order("detail/layer") == p(3, 6, 10, 5, 4, 2, 9, 1, 12, 11, 7, 8)
    assert order("detail/layer asc") == order("detail/layer")


def test_descending_puts_nulls_last_and_ties_still_ascend():
    assert order("detail/layer desc") == p(8, 7, 11, 1, 12, 2, 9, 4, 5, 10, 3, 6)


def test_strings_ignore_case():
    # 'Software Engineer' (p01) and 'software engineer' (p02) tie and fall to createdDateTime.
    assert order("detail/jobTitle") == p(6, 8, 11, 10, 9, 12, 5, 4, 3, 7, 1, 2)
    assert order("detail/jobTitle desc") == p(1, 2, 7, 3, 4, 5, 12, 9, 10, 11, 8, 6)


def test_several_clauses():
    assert order("detail/level asc, detail/layer desc") == p(4, 5, 10, 3, 6, 8, 9, 2, 7, 11, 1, 12)


def test_created_descending_keeps_id_ascending_for_ties():
    clauses = compile_orderby("createdDateTime desc", PROPERTIES)
    assert clauses == [("createdDateTime", True), ("id", False)]
    assert order("createdDateTime desc") == p(6, 10, 5, 9, 4, 3, 2, 1, 12, 7, 8, 11)


def test_booleans_sort_null_false_true():
    assert order("isCurrent") == p(3, 6, 11, 7, 2, 4, 9, 8, 1, 12, 5, 10)


def test_dates_and_doubles_sort_by_value():
    assert order("detail/endMonthYear desc,id desc")[:5] == p(7, 9, 4, 2, 11)
    assert order("inference/confidenceScore desc")[:3] == p(1, 10, 7)


def test_direction_words_ignore_case_and_extra_spaces():
    assert compile_orderby("  detail/layer   DESC ,isCurrent Asc", PROPERTIES) == [
        ("detail/layer", True),
        ("isCurrent", False),
        ("createdDateTime", False),
        ("id", False),
    ]


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("nosuch", "'nosuch'"),
        ("detail/nosuch desc", "'detail/nosuch'"),
        ("Detail/layer", "'Detail/layer'"),
        ("categories", "collection"),
        ("detail", "complex"),
        ("detail/layer down", "'down'"),
        ("detail/layer asc desc", "'detail/layer asc desc'"),
        ("detail/layer,", "empty clause"),
        (",detail/layer", "empty clause"),
        ("detail/layer, detail/layer desc", "more than once"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_bad_orderby_is_a_bad_request(text, mentions):
    with pytest.raises(BadRequest) as caught:
        compile_orderby(text, PROPERTIES)
    assert caught.value.message.startswith("Invalid $orderby: ")
    assert mentions in caught.value.message


def test_raw_keys_survive_json_and_rebuild_the_same_order():
    clauses = compile_orderby("detail/jobTitle desc, detail/startMonthYear, inference/confidenceScore", PROPERTIES)
    for item in positions():
        raw = raw_sort_key(item, clauses, PROPERTIES)
        again = json.loads(json.dumps(raw))
        assert again == raw
        assert comparable_key(again, clauses) == sort_key(item, clauses, PROPERTIES)


def test_keys_are_totally_ordered_across_nulls_and_types():
    rng = random.Random(7)
    titles = ["alpha", "Alpha", "beta", None, "Gamma"]
    items = [
        {
            "id": f"id{n:03d}",
            "createdDateTime": rng.choice(["2020-01-01T00:00:00Z", None, "2021-05-05T05:05:05.5Z"]),
            "isCurrent": rng.choice([True, False, None]),
            "detail": rng.choice([None, {"jobTitle": rng.choice(titles), "layer": rng.choice([1, 2.5, None])}]),
        }
        for n in range(300)
    ]
    for text in ["detail/jobTitle", "detail/layer desc,isCurrent", "isCurrent desc,detail/jobTitle desc", None]:
        clauses = compile_orderby(text, PROPERTIES)
        rows = keyed_sort(items, clauses, PROPERTIES)
        keys = [key for key, _, _ in rows]
        for a, b in zip(keys, keys[1:], strict=False):
            assert a < b and not b < a and a != b  # strictly increasing: every key distinct


def test_ids_differing_only_in_case_still_have_distinct_keys():
    items = [{"id": "AB", "createdDateTime": "2020-01-01T00:00:00Z"}, {"id": "ab", "createdDateTime": None}]
    items[1]["createdDateTime"] = items[0]["createdDateTime"]
    clauses = compile_orderby(None, PROPERTIES)
    a, b = (sort_key(item, clauses, PROPERTIES) for item in items)
    assert a != b and a < b
