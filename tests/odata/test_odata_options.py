"""Query option parsing: names, the optional `$`, duplicates, and every value check."""

from __future__ import annotations

import pytest
from odata_samples import PROPERTIES, TOP_LEVEL

from mockgraph.graph.errors import BadRequest
from mockgraph.graph.odata.options import GET_OPTIONS, LIST_OPTIONS, QueryOptions, parse_query_options
from mockgraph.graph.odata.paging import SkipTokenCodec


def parse(query: list[tuple[str, str]], allowed=LIST_OPTIONS, **kwargs) -> QueryOptions:
    return parse_query_options(query, allowed=allowed, top_level=TOP_LEVEL, **kwargs)


def message(query, allowed=LIST_OPTIONS, **kwargs) -> str:
    with pytest.raises(BadRequest) as caught:
        parse(query, allowed, **kwargs)
    assert caught.value.status == 400
    return caught.value.message


def test_no_options():
    options = parse([])
    assert options == QueryOptions()
    assert (options.filter, options.orderby, options.select, options.top, options.skip) == (None,) * 5
    assert options.count is False and options.skiptoken is None and options.pairs == ()


def test_every_list_option_with_dollar():
    query = [
        ("$filter", "isCurrent eq true"),
        ("$orderby", "detail/layer desc"),
        ("$select", "detail,isCurrent,categories"),
        ("$top", "5"),
        ("$skip", "10"),
        ("$count", "true"),
        ("$skiptoken", "abc"),
    ]
    options = parse(query)
    assert options.filter == "isCurrent eq true"
    assert options.orderby == "detail/layer desc"
    assert options.select == ("categories", "detail", "isCurrent")  # the type's order
    assert (options.top, options.skip, options.count, options.skiptoken) == (5, 10, True, "abc")
    assert options.pairs == tuple(query)


def test_dollar_is_optional_and_app_parameters_are_ignored_but_kept():
    query = [("top", "5"), ("filter", "isCurrent"), ("myParam", "1"), ("Top", "x"), ("count", "false")]
    options = parse(query)
    assert options.top == 5 and options.filter == "isCurrent" and options.count is False
    assert options.pairs == tuple(query)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ([("$expand", "manager")], "$expand"),
        ([("$search", "x")], "$search"),
        ([("search", "x")], "$search"),
        ([("expand", "x")], "$expand"),
        ([("$format", "json")], "$format"),
        ([("$Top", "5")], "$Top"),
        ([("$foo", "1")], "$foo"),
        ([("$", "1")], "$"),
        ([("$top", "0"), ("$search", "x")], "$search"),  # names are checked before values
    ],
)
def test_unsupported_parameters(query, name):
    assert message(query) == f"The query parameter '{name}' is not supported."


def test_get_allows_only_select():
    assert parse([("$select", "detail")], GET_OPTIONS).select == ("detail",)
    assert message([("$filter", "isCurrent")], GET_OPTIONS) == "The query parameter '$filter' is not supported."
    assert message([("top", "1")], GET_OPTIONS) == "The query parameter '$top' is not supported."


def test_allowed_names_may_carry_the_dollar():
    assert parse([("top", "3")], {"$top"}).top == 3


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ([("$filter", "isCurrent"), ("$filter", "isCurrent")], "$filter"),
        ([("$top", "5"), ("top", "6")], "$top"),
        ([("skip", "1"), ("$skip", "1")], "$skip"),
        ([("$top", "abc"), ("$top", "abc")], "$top"),  # duplicates win over bad values
    ],
)
def test_option_given_twice(query, name):
    assert message(query) == (
        f"Query option '{name}' was specified more than once, but it must be specified at most once."
    )


@pytest.mark.parametrize("value", ["0", "1000", "-1", "abc", "", "5.0", " 5", "+5", "99999999999999999999"])
def test_bad_top(value):
    assert message([("$top", value)]) == (
        f"Invalid page size specified: '{value}'. Must be between 1 and 999 inclusive."
    )


@pytest.mark.parametrize("value", ["1", "999", "050"])
def test_good_top(value):
    assert parse([("$top", value)]).top == int(value)


@pytest.mark.parametrize("value", ["-1", "abc", "", "1.5"])
def test_bad_skip(value):
    assert message([("$skip", value)]) == (
        f"Invalid value '{value}' for query option '$skip': expected a non-negative integer."
    )


def test_skip_zero_and_large():
    assert parse([("$skip", "0")]).skip == 0
    assert parse([("skip", "123456")]).skip == 123456


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False), ("TRUE", True)])
def test_count(value, expected):
    assert parse([("$count", value)]).count is expected


@pytest.mark.parametrize("value", ["yes", "1", ""])
def test_bad_count(value):
    assert (
        message([("$count", value)])
        == f"Invalid value '{value}' for query option '$count': expected 'true' or 'false'."
    )


def test_select():
    assert parse([("$select", " isCurrent , detail ,isCurrent")]).select == ("detail", "isCurrent")
    assert parse([("$select", "id")]).select == ("id",)
    assert parse([("$select", "*")]).select is None


@pytest.mark.parametrize("name", ["nosuch", "Detail", "detail/jobTitle"])
def test_select_unknown_property(name):
    assert message([("$select", f"id,{name}")], type_name="workPosition") == (
        f"Could not find a property named '{name}' on type 'microsoft.graph.workPosition'."
    )


def test_select_unknown_property_names_the_given_type():
    assert message([("$select", "nosuch")], GET_OPTIONS, type_name="user") == (
        "Could not find a property named 'nosuch' on type 'microsoft.graph.user'."
    )


def test_select_empty_item():
    assert "'$select'" in message([("$select", "detail,,id")])


def test_filter_and_orderby_are_compiled_at_parse_time_with_properties():
    assert parse([("$filter", "nosuch eq 1")]).filter == "nosuch eq 1"  # no properties: not compiled
    assert message([("$filter", "nosuch eq 1")], properties=PROPERTIES).startswith("Invalid filter clause: ")
    assert message([("$orderby", "nosuch")], properties=PROPERTIES).startswith("Invalid $orderby: ")
    options = parse([("$filter", "isCurrent"), ("$orderby", "detail/layer desc")], properties=PROPERTIES)
    assert options.predicate is not None and options.predicate({"isCurrent": True})
    assert options.order == (("detail/layer", True), ("createdDateTime", False), ("id", False))


def test_empty_filter_and_orderby():
    assert message([("$filter", "")]) == "Invalid filter clause: the filter expression is empty."
    assert message([("$orderby", " ")]).startswith("Invalid $orderby: the option is empty")


def test_values_are_checked_in_the_order_given():
    assert message([("$top", "0"), ("$filter", "nosuch eq 1")], properties=PROPERTIES).startswith("Invalid page")
    assert message([("$filter", "nosuch eq 1"), ("$top", "0")], properties=PROPERTIES).startswith(
        "Invalid filter clause"
    )


def test_skiptoken_is_verified_at_parse_time_with_a_codec():
    codec = SkipTokenCodec(b"secret")
    assert parse([("$skiptoken", "forged")]).skiptoken == "forged"  # no codec: checked later
    assert message([("$skiptoken", "forged")], properties=PROPERTIES, codec=codec).startswith(
        "The $skiptoken 'forged' is not valid"
    )
    assert message([("$skiptoken", "")]).startswith("The $skiptoken '' is not valid")
    options = parse([("$top", "2")])
    token = codec.encode(["x"], options.fingerprint)
    assert parse([("$top", "2"), ("$skiptoken", token)], properties=PROPERTIES, codec=codec).skiptoken == token
    assert message([("$top", "3"), ("$skiptoken", token)], properties=PROPERTIES, codec=codec).startswith(
        "The $skiptoken"
    )


def test_fingerprint_depends_on_the_bound_options_only():
    base = parse([("$filter", "isCurrent"), ("$top", "5")])
    assert base.fingerprint == parse([("filter", "isCurrent"), ("top", "5"), ("$count", "true")]).fingerprint
    for other in (
        [("$filter", "not isCurrent"), ("$top", "5")],
        [("$filter", "isCurrent"), ("$top", "6")],
        [("$filter", "isCurrent"), ("$top", "5"), ("$skip", "1")],
        [("$filter", "isCurrent"), ("$top", "5"), ("$select", "id")],
        [("$filter", "isCurrent"), ("$top", "5"), ("$orderby", "id")],
    ):
        assert parse(other).fingerprint != base.fingerprint


def test_options_are_frozen():
    options = parse([("$top", "5")])
    with pytest.raises(AttributeError):
        options.top = 6  # type: ignore[misc]
