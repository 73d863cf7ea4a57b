"""`$filter`: a table of valid expressions with the exact ids each selects, and invalid ones."""

from __future__ import annotations

import pytest
from odata_samples import PROPERTIES, all_but, ids, positions

from mockgraph.graph.errors import BadRequest
from mockgraph.graph.odata import filter_parser
from mockgraph.graph.odata.filter import compile_filter, parse_filter
from mockgraph.graph.odata.filter_parser import MAX_NESTING, MAX_NODES, NODE_COUNT_EXCEEDED, Compare, Logical, Not

NOBODY: set[str] = set()

VALID = [
    # booleans and three-valued logic
    ("isCurrent eq true", ids(1, 5, 8, 10, 12)),
    ("isCurrent eq false", ids(2, 4, 7, 9, 11)),
    ("isCurrent eq null", ids(3, 6)),
    ("isCurrent ne true", ids(2, 3, 4, 6, 7, 9, 11)),
    ("isCurrent", ids(1, 5, 8, 10, 12)),
    ("not isCurrent", ids(2, 4, 7, 9, 11)),  # a null isCurrent is unknown, so not matched
    ("not (isCurrent eq true)", ids(2, 3, 4, 6, 7, 9, 11)),
    ("not not isCurrent", ids(1, 5, 8, 10, 12)),
    ("isCurrent or not isCurrent", all_but(3, 6)),
    ("isCurrent ne false and isCurrent ne null", ids(1, 5, 8, 10, 12)),
    ("not isCurrent eq false", ids(1, 5, 8, 10, 12)),  # not binds tighter: (not isCurrent) eq false
    ("true", all_but()),
    ("false", NOBODY),
    # strings: case-insensitive, quotes, null
    ("detail/jobTitle eq 'software engineer'", ids(1, 2)),
    ("detail/jobTitle eq 'SOFTWARE ENGINEER'", ids(1, 2)),
    ("detail/jobTitle ne 'software engineer'", all_but(1, 2)),
    ("detail/jobTitle eq null", ids(6)),
    ("null eq detail/jobTitle", ids(6)),
    ("detail/jobTitle ne null", all_but(6)),
    ("detail/jobTitle eq 'O''Brien''s Assistant'", ids(4)),
    ("startswith(detail/jobTitle,'o''b')", ids(4)),
    ("contains(detail/company/displayName,'''quoted''')", ids(11)),
    ("startswith(detail/jobTitle,'SOFT')", ids(1, 2)),
    ("endswith(detail/jobTitle,'engineer')", ids(1, 2, 7, 12)),
    ("contains(detail/jobTitle,'ENGINEER')", ids(1, 2, 7, 12)),
    ("contains(detail/jobTitle,'e')", all_but(6, 11)),
    ("not contains(detail/jobTitle,'e')", ids(6, 11)),  # a function of null is false
    ("contains(detail/jobTitle, '')", all_but(6)),
    ("detail/jobTitle eq 'Engineer '", NOBODY),
    ("detail/level gt 'm'", ids(1, 2, 7, 11, 12)),
    ("detail/jobTitle lt 'd'", ids(8, 11)),
    ("id eq 'p07'", ids(7)),
    ("id eq 'P07'", ids(7)),
    # numbers
    ("detail/layer eq 3", ids(1, 12)),
    ("detail/layer gt 3", ids(7, 8, 11)),
    ("detail/layer ge 3", ids(1, 7, 8, 11, 12)),
    ("detail/layer lt 2", ids(4, 5, 10)),
    ("detail/layer le -1", ids(10)),
    ("detail/layer eq -1", ids(10)),
    ("detail/layer ne 2", all_but(2, 9)),
    ("detail/layer gt 2.5", ids(1, 7, 8, 11, 12)),
    ("detail/layer ge 1e1", ids(8)),
    ("detail/layer eq null", ids(3, 6)),
    ("detail/layer gt null", NOBODY),
    ("2 eq detail/layer", ids(2, 9)),
    ("detail/layer ge 0 and detail/layer le 2", ids(2, 4, 5, 9)),
    ("inference/confidenceScore gt 0.6", ids(1, 10)),
    ("inference/confidenceScore le 0.5", ids(7)),
    ("(((detail/layer eq 10)))", ids(8)),
    ("detail/layer eq 3 or detail/layer eq 5 or detail/layer eq 10 or detail/layer eq 0", ids(1, 5, 7, 8, 12)),
    # dates
    ("detail/startMonthYear ge 2020-01-01", ids(3, 4, 5, 9, 10)),
    ("detail/startMonthYear gt 2020-01-01", ids(3, 5, 9, 10)),
    ("detail/startMonthYear eq 2021-06-15", ids(3, 9)),
    ("detail/startMonthYear eq '2021-06-15'", ids(3, 9)),  # a quoted date is accepted
    ("detail/startMonthYear lt 2016-03-01", ids(2, 8, 12)),
    ("detail/endMonthYear eq null", ids(1, 3, 5, 6, 8, 10, 12)),
    ("detail/endMonthYear ne null and detail/endMonthYear lt 2020-01-01", ids(2, 11)),
    ("detail/endMonthYear gt detail/startMonthYear", ids(2, 4, 7, 9, 11)),
    ("detail/startMonthYear ge 2020-01-01 and not (detail/endMonthYear ne null)", ids(3, 5, 10)),
    # timestamps: instants, fractional seconds, offsets
    ("createdDateTime eq 2020-07-06T06:34:12.2294868Z", ids(1, 12)),
    ("createdDateTime gt 2020-07-06T06:34:12.2294868Z", ids(2, 3, 4, 5, 6, 9, 10)),
    ("createdDateTime lt 2020-07-06T06:34:12.23Z", ids(1, 7, 8, 11, 12)),
    ("createdDateTime ge 2021-01-01T00:00:00Z and createdDateTime lt 2021-01-01T01:30:00Z", ids(3)),
    ("createdDateTime eq 2021-01-01T03:30:00+02:00", ids(4)),
    ("createdDateTime eq 2018-06-01T11:00Z", ids(8)),
    ("createdDateTime lt 2021-01-01", ids(1, 2, 7, 8, 11, 12)),  # a date means midnight UTC
    ("createdDateTime ge '2023-01-01T00:00:00Z'", ids(6, 10)),
    ("createdDateTime ge '2023-01-01'", ids(6, 10)),
    ("createdDateTime gt 2022-09-01T08:00:00Z", ids(5, 6, 10)),  # the 7th fractional digit counts
    # collections
    ("categories/any(c: c eq 'engineering')", ids(1, 2, 6, 7, 10, 12)),
    ("categories/any(x: startswith(x,'remote'))", ids(1, 5, 9)),
    ("categories/any(c: c eq 'remote')", ids(1, 5)),
    ("categories/any()", all_but(3, 4)),
    ("not categories/any()", ids(3, 4)),
    ("categories/any(c: c eq 'engineering' or c eq 'design')", ids(1, 2, 6, 7, 9, 10, 12)),
    ("categories/any(c: c eq 'engineering') and categories/any(c: c eq 'data')", ids(10)),
    ("categories/any(c: not (c eq 'engineering'))", ids(1, 5, 7, 8, 9, 10, 11)),
    ("categories/any(c: c ne 'engineering')", ids(1, 5, 7, 8, 9, 10, 11)),
    ("categories/any(c: contains(c,'o') and endswith(c,'k'))", ids(9)),
    ("categories/any(c: c eq 'engineering' and isCurrent eq true)", ids(1, 10, 12)),
    ("categories/any(isCurrent: isCurrent eq 'executive')", ids(8)),  # the variable shadows a property
    # enums (strings, case-insensitive)
    ("allowedAudiences eq 'organization'", ids(1, 6, 7, 9, 11, 12)),
    ("allowedAudiences eq 'ORGANIZATION'", ids(1, 6, 7, 9, 11, 12)),
    ("allowedAudiences ne 'organization'", ids(2, 3, 4, 5, 8, 10)),
    ("allowedAudiences eq 'me,family'", ids(10)),
    ("contains(allowedAudiences,'family')", ids(5, 10)),
    ("detail/company/address/type eq 'business'", ids(1, 2, 7, 8)),
    # nested paths and nulls along the path
    ("detail/company/address/city eq 'OSLO'", ids(1, 2, 10)),
    ("detail/company/address/city eq null", ids(3, 5, 6)),
    ("detail/company/displayName eq 'contoso'", ids(1, 7, 10)),
    ("startswith(detail/company/displayName,'contoso')", ids(1, 3, 7, 10)),
    ("detail/company/address/countryOrRegion eq 'United States' and detail/layer gt 4", ids(7)),
    ("manager/displayName eq 'adele vance'", ids(3, 7)),
    ("manager/displayName eq null", all_but(1, 3, 7)),
    # precedence and grouping
    ("isCurrent eq true or detail/layer eq 5 and detail/level eq 'senior'", ids(1, 5, 7, 8, 10, 12)),
    ("(isCurrent eq true or detail/layer eq 5) and detail/level eq 'senior'", ids(1, 7, 12)),
    (
        "isCurrent eq true and (contains(detail/jobTitle,'engineer') or categories/any(c: c eq 'data'))",
        ids(1, 10, 12),
    ),
    ("  isCurrent   eq\ttrue  ", ids(1, 5, 8, 10, 12)),
    ("not(isCurrent eq true)", ids(2, 3, 4, 6, 7, 9, 11)),
]


def select(expression: str) -> set[str]:
    predicate = compile_filter(expression, PROPERTIES)
    return {item["id"] for item in positions() if predicate(item)}


def test_the_table_is_large_enough():
    assert len(VALID) >= 60
    assert len({expression for expression, _ in VALID}) == len(VALID)


@pytest.mark.parametrize(("expression", "expected"), VALID, ids=[e for e, _ in VALID])
def test_valid_filter_selects_exactly(expression, expected):
    assert select(expression) == expected


INVALID = [
    ("isCurrent eq 'yes'", "isCurrent"),
    ("detail/layer gt 'a'", "detail/layer"),
    ("startswith(isCurrent,'x')", "isCurrent"),
    ("detail/startMonthYear ge 5", "detail/startMonthYear"),
    ("detail/startMonthYear ge 'soon'", "'soon'"),
    ("detail/startMonthYear gt 2020-01-01T00:00:00Z", "detail/startMonthYear"),
    ("createdDateTime gt 'yesterday'", "'yesterday'"),
    ("detail/startMonthYear eq '2021-06-15T00:00:00Z'", "not a valid date"),  # quoted or not, a timestamp
    ("detail/jobTitle eq 2021-06-15", "type mismatch"),
    ("nosuch eq 1", "'nosuch'"),
    ("detail/nosuch eq 'x'", "'detail/nosuch'"),
    ("detail eq null", "'detail'"),
    ("categories eq 'x'", "collection"),
    ("isCurrent eq true extra", "'extra'"),
    ("(isCurrent eq true", "')'"),
    ("isCurrent eq true)", "')'"),
    ("tolower(detail/jobTitle) eq 'x'", "'tolower'"),
    ("", "empty"),
    ("   ", "empty"),
    ("detail/jobTitle eq 'unterminated", "unterminated"),
    ("detail/jobTitle eq", "position 18"),
    ("eq 'x'", "'eq'"),
    ("detail/jobTitle 'x'", "''x''"),
    ("isCurrent gt false", "gt"),
    ("detail/jobTitle", "boolean"),
    ("categories/all(c: c eq 'x')", "'all'"),
    ("categories/any(c: c eq 1)", "type mismatch"),
    ("categories/any(c c eq 'x')", "':'"),
    ("detail/jobTitle/any(c: c eq 'x')", "not a collection"),
    ("categories/any(c: categories/any(d: d eq c))", "nested"),
    ("categories/any(c: d eq 'x')", "'d'"),
    ("categories/any(c: c/length eq 1)", "'c'"),
    ("startswith(detail/jobTitle)", "2 arguments"),
    ("detail/layer eq 2020-02-30", "'2020-02-30'"),
    ("createdDateTime gt 2020-13-01T00:00:00Z", "2020-13-01T00:00:00Z"),
    ("createdDateTime eq 2020-01-01T10:00:00", "zone"),
    ("isCurrent eq true and", "position 21"),
    ("isCurrent EQ true", "'EQ'"),
    ('detail/jobTitle eq "x"', "'\"'"),
    ("not 'x'", "'not'"),
    ("detail/jobTitle eq 'x' and 5", "'and'"),
    ("detail/ eq 'x'", "'/'"),
    ("isCurrent eq true,", "','"),
    ("null", "boolean"),
    ("detail/layer eq 1 eq 2", "type mismatch"),
]


def test_the_invalid_table_is_large_enough():
    assert len(INVALID) >= 20


@pytest.mark.parametrize(("expression", "mentions"), INVALID, ids=[e or "<empty>" for e, _ in INVALID])
def test_invalid_filter_is_a_bad_request(expression, mentions):
    with pytest.raises(BadRequest) as caught:
        compile_filter(expression, PROPERTIES)
    message = caught.value.message
    assert message.startswith("Invalid filter clause: ")
    assert mentions in message
    assert caught.value.status == 400 and caught.value.code == "BadRequest"


def test_unknown_property_names_the_type():
    with pytest.raises(BadRequest) as caught:
        compile_filter("nosuch eq 1", PROPERTIES, type_name="educationalActivity")
    assert "'microsoft.graph.educationalActivity'" in caught.value.message


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 10_000 + "isCurrent" + ")" * 10_000,
        "(" * 10_000,
        "not " * 10_000 + "isCurrent",
        "startswith(" * 10_000,
        "categories/any(c: " * 10_000,
        " eq ".join(["isCurrent"] * 10_000),
    ],
    ids=["parens", "open-parens", "nots", "calls", "lambdas", "eq-chain"],
)
def test_deep_nesting_is_a_bad_request_not_a_recursion_error(expression):
    with pytest.raises(BadRequest) as caught:
        compile_filter(expression, PROPERTIES)
    message = caught.value.message
    assert message.startswith("Invalid filter clause: ") or message == NODE_COUNT_EXCEEDED


def test_nesting_up_to_the_limit_is_fine():
    expression = "(" * MAX_NESTING + "isCurrent eq true" + ")" * MAX_NESTING
    assert select(expression) == ids(1, 5, 8, 10, 12)
    with pytest.raises(BadRequest):
        compile_filter("(" + expression + ")", PROPERTIES)


def test_long_flat_chains_need_no_recursion():
    # 25 terms of 3 nodes joined by 24 operators: 99 nodes, within Graph's limit of 100.
    expression = " or ".join(f"detail/layer eq {n}" for n in range(100, 124)) + " or detail/layer eq 4"
    assert select(expression) == ids(11)
    expression = " and ".join(["isCurrent eq true"] * 25)
    assert select(expression) == ids(1, 5, 8, 10, 12)
    for operator in ("and", "or"):
        with pytest.raises(BadRequest) as caught:
            compile_filter(f" {operator} ".join(["isCurrent eq true"] * 5000), PROPERTIES)
        assert caught.value.message == NODE_COUNT_EXCEEDED


@pytest.mark.parametrize("expression, nodes", [
    ("isCurrent", 1), ("isCurrent eq true", 3), ("not isCurrent", 2), ("contains(detail/jobTitle,'a')", 3),
    ("categories/any(c: c eq 'a')", 4), ("categories/any()", 1), ("isCurrent or isCurrent or isCurrent", 5),
    ("(isCurrent)", 1),
])
def test_every_node_counts_toward_graphs_limit(expression, nodes):
    assert filter_parser._Parser(expression).parse() and _count(expression) == nodes
    times = MAX_NODES // (nodes + 1)  # joined by `or`, each copy adds one node more
    compile_filter(" or ".join([f"({expression})"] * times), PROPERTIES)
    with pytest.raises(BadRequest) as caught:
        compile_filter(" or ".join([f"({expression})"] * (times + 2)), PROPERTIES)
    assert caught.value.message == NODE_COUNT_EXCEEDED


def _count(expression: str) -> int:
    parser = filter_parser._Parser(expression)
    parser.parse()
    return parser.nodes


class CountingText(str):
    """A stored string that counts how often it is casefolded."""

    folds = 0

    def casefold(self):
        CountingText.folds += 1
        return str(self).casefold()


def test_each_property_is_read_once_per_item_however_many_terms_name_it():
    item = {"id": "x", "detail": {"level": CountingText("word " * 10_000), "jobTitle": CountingText("t")}}
    terms = [f"contains(detail/level,'nope{n}')" for n in range(20)] + ["detail/jobTitle eq 'T'"]
    predicate = compile_filter(" or ".join(terms), PROPERTIES)
    CountingText.folds = 0
    assert predicate(item)
    assert CountingText.folds == 2  # level once, jobTitle once: not once per term


def test_precedence_in_the_tree():
    tree = parse_filter("not isCurrent eq false or isCurrent eq true and detail/layer gt 2")
    assert isinstance(tree, Logical) and tree.op == "or"
    left, right = tree.operands
    assert isinstance(left, Compare) and left.op == "eq" and isinstance(left.left, Not)
    assert isinstance(right, Logical) and right.op == "and"
    assert [type(o) for o in right.operands] == [Compare, Compare]


def test_and_or_chains_are_flat():
    tree = parse_filter("isCurrent or isCurrent or isCurrent")
    assert isinstance(tree, Logical) and len(tree.operands) == 3


def test_evaluation_does_not_parse_again(monkeypatch):
    predicate = compile_filter("contains(detail/jobTitle,'engineer') and detail/layer ge 3", PROPERTIES)

    def fail(*args, **kwargs):
        raise AssertionError("parsed during evaluation")

    monkeypatch.setattr(filter_parser, "tokenize", fail)
    monkeypatch.setattr(filter_parser._Parser, "parse", fail)
    assert {item["id"] for item in positions() if predicate(item)} == ids(1, 7, 12)


def test_wrong_shapes_in_stored_data_read_as_null():
    predicate = compile_filter("detail/layer eq null and detail/jobTitle eq null", PROPERTIES)
    assert predicate({"id": "x", "detail": {"layer": "3", "jobTitle": 7}})
    assert predicate({"id": "x", "detail": "not an object"})
    assert not compile_filter("isCurrent eq true", PROPERTIES)({"id": "x", "isCurrent": 1})
    assert compile_filter("categories/any(c: c eq 'a')", PROPERTIES)({"categories": ["a", 1, None]})
    assert not compile_filter("categories/any()", PROPERTIES)({"categories": "a"})


def test_unknown_type_in_the_model_is_a_programming_error():
    with pytest.raises(ValueError):
        compile_filter("x eq 1", {"x": "integer"})
