"""`$filter`: compile an expression into a predicate made of closures.

`filter_parser` turns the text into a tree (our own recursive-descent parser: no well-kept OData
filter library exists for Python); `compile_filter` type-checks the tree against the property model
once and returns a predicate, so no parsing happens per item. Semantics:

- strings (and enum values, which are strings) compare ignoring case, functions too;
- `x eq null` is true when x is null; `x ne 'a'` is true when x is null; an ordering comparison with a
  null operand is false; a null boolean property used as a condition is unknown (OData's three-valued
  logic: `not isCurrent` does not match a null `isCurrent`), and only a true result matches;
- a `date` or `dateTimeOffset` accepts an unquoted date/timestamp literal, or a quoted string holding
  one; a date literal against a `dateTimeOffset` means midnight UTC of that day; a timestamp against
  a `date` is a type mismatch;
- `collection/any(c: ...)` is false for a null or empty collection; `collection/any()` means non-empty;
- booleans support `eq`/`ne` only; a collection can only be used through `any`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from mockgraph.graph.errors import BadRequest
from mockgraph.graph.odata import _values as v
from mockgraph.graph.odata.filter_parser import (
    FUNCTIONS,
    Any_,
    Call,
    Compare,
    Literal,
    Logical,
    Node,
    Not,
    Property,
    Variable,
    filter_error,
    parse_filter,
    shown,
)

__all__ = ["compile_filter", "parse_filter"]

# -------------------------------------------------------------------------------------------- compiler

# (row, lambda variable's value) -> normalised value. A row holds an item's normalised property values,
# one slot per property the filter names, read once per item: a property named by a hundred terms is
# still read (and casefolded) once, so evaluation is linear in the item's size.
Fn = Callable[[list, Any], Any]

# Filter types: a property's type maps onto the family it is compared in.
_FAMILY = {
    v.STRING: "string",
    v.ENUM: "string",
    v.INT32: "number",
    v.DOUBLE: "number",
    v.BOOLEAN: "boolean",
    v.DATE: "date",
    v.DATETIME: "datetime",
    v.STRING_COLLECTION: "collection",
}
_TYPE_WORD = {
    "string": "string",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "datetime": "dateTimeOffset",
    "null": "null",
    "collection": "collection",
}
_ORDERING = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


class _Compiler:
    def __init__(self, text: str, properties: Mapping[str, str], type_name: str):
        self.text = text
        self.properties = properties
        self.type_name = type_name
        self.slots: dict[str, int] = {}  # property path -> its place in a row
        self.getters: list[Callable[[Mapping], Any]] = []

    def slot(self, path: str, type_name: str) -> int:
        if path not in self.slots:
            self.slots[path] = len(self.getters)
            self.getters.append(v.getter(path, type_name))
        return self.slots[path]

    def src(self, node: Node) -> str:
        """The node's source text, quoted unless it is a string literal (which has its own quotes)."""
        text = shown(self.text[node.start : node.end])
        return text if isinstance(node, Literal) and node.kind == "string" else f"'{text}'"

    def type_of(self, node: Node, family: str) -> str:
        """A node's type for messages: the model's type name for a property, else the family's."""
        if isinstance(node, Property) and node.path in self.properties:
            return self.properties[node.path]
        return _TYPE_WORD[family]

    def boolean(self, node: Node, context: str) -> Fn:
        family, fn = self.compile(node)
        if family != "boolean":
            raise filter_error(
                f"{context} needs a boolean condition, but {self.src(node)} is of type {self.type_of(node, family)}."
            )
        return fn

    def compile(self, node: Node) -> tuple[str, Fn]:
        method = getattr(self, "c_" + type(node).__name__.rstrip("_").lower())
        return method(node)

    def c_literal(self, node: Literal) -> tuple[str, Fn]:
        value = node.value.casefold() if node.kind == "string" else node.value
        return node.kind, lambda row, var: value

    def c_variable(self, node: Variable) -> tuple[str, Fn]:
        return "string", lambda row, var: var

    def c_property(self, node: Property) -> tuple[str, Fn]:
        type_name = self.properties.get(node.path)
        if type_name is None:
            raise filter_error(v.unknown_property_message(node.path, self.properties, self.type_name) + ".")
        slot = self.slot(node.path, type_name)
        return _FAMILY[type_name], lambda row, var: row[slot]

    def c_not(self, node: Not) -> tuple[str, Fn]:
        fn = self.boolean(node.operand, "'not'")

        def negate(row: list, var: Any) -> bool | None:
            r = fn(row, var)
            return None if r is None else not r

        return "boolean", negate

    def c_logical(self, node: Logical) -> tuple[str, Fn]:
        fns = tuple(self.boolean(o, f"'{node.op}'") for o in node.operands)
        decisive = node.op == "or"  # the value that settles the result: True for or, False for and

        def combine(row: list, var: Any) -> bool | None:
            unknown = False
            for fn in fns:
                r = fn(row, var)
                if r is decisive:
                    return decisive
                if r is None:
                    unknown = True
            return None if unknown else not decisive

        return "boolean", combine

    def c_call(self, node: Call) -> tuple[str, Fn]:
        if len(node.args) != 2:
            raise filter_error(
                f"the function '{node.name}' takes 2 arguments, but {self.src(node)} has {len(node.args)}."
            )
        fns = []
        for index, arg in enumerate(node.args, 1):
            family, fn = self.compile(arg)
            if family != "string":
                raise filter_error(
                    f"the function '{node.name}' needs string arguments, but argument {index} "
                    f"{self.src(arg)} is of type {self.type_of(arg, family)}."
                )
            fns.append(fn)
        test = FUNCTIONS[node.name]
        first, second = fns

        def call(row: list, var: Any) -> bool:
            a, b = first(row, var), second(row, var)
            return a is not None and b is not None and test(a, b)

        return "boolean", call

    def c_any(self, node: Any_) -> tuple[str, Fn]:
        type_name = self.properties.get(node.path)
        if type_name is None:
            raise filter_error(v.unknown_property_message(node.path, self.properties, self.type_name) + ".")
        if type_name != v.STRING_COLLECTION:
            raise filter_error(f"'{node.path}' is not a collection, so 'any' cannot be applied to it.")
        slot = self.slot(node.path, type_name)
        if node.body is None:
            return "boolean", lambda row, var: bool(row[slot])
        body = self.boolean(node.body, "the body of 'any'")

        def any_(row: list, var: Any) -> bool:
            values = row[slot]
            if not values:
                return False
            return any(body(row, value) is True for value in values)

        return "boolean", any_

    def c_compare(self, node: Compare) -> tuple[str, Fn]:
        op = node.op
        lf, left = self.compile(node.left)
        rf, right = self.compile(node.right)
        for family, side in ((lf, node.left), (rf, node.right)):
            if family == "collection":
                raise filter_error(
                    f"{self.src(side)} is a collection and cannot be compared with '{op}'; "
                    f"use a lambda such as {self.src(side)[1:-1]}/any(x: x {op} ...)."
                )
        if lf != rf and "null" not in (lf, rf):
            family = self.unify(node, lf, rf)
            if lf != family:
                left = self.convert(node, node.left, family, lf, rf)
            else:
                right = self.convert(node, node.right, family, lf, rf)
            lf = rf = family
        if op in _ORDERING and "boolean" in (lf, rf):
            raise filter_error(f"booleans cannot be ordered: {self.src(node)} uses '{op}'.")
        if op == "eq":
            return "boolean", lambda row, var: left(row, var) == right(row, var)
        if op == "ne":
            return "boolean", lambda row, var: left(row, var) != right(row, var)
        compare = _ORDERING[op]

        def ordered(row: list, var: Any) -> bool:
            a, b = left(row, var), right(row, var)
            return a is not None and b is not None and compare(a, b)

        return "boolean", ordered

    def mismatch(self, node: Compare, lf: str, rf: str, detail: str = "") -> BadRequest:
        return filter_error(
            f"type mismatch at position {node.start}: cannot compare {self.src(node.left)} "
            f"({self.type_of(node.left, lf)}) with {self.src(node.right)} ({self.type_of(node.right, rf)}) "
            f"using '{node.op}'"
            f"{detail}."
        )

    def unify(self, node: Compare, lf: str, rf: str) -> str:
        """The family both sides of a comparison are compared in, when one literal can be converted."""
        pair = {lf, rf}
        if pair == {"date", "datetime"}:
            date_side = node.left if lf == "date" else node.right
            if isinstance(date_side, Literal):
                return "datetime"
        for family in ("date", "datetime"):
            if pair == {family, "string"}:
                string_side = node.left if lf == "string" else node.right
                if isinstance(string_side, Literal):
                    return family
        raise self.mismatch(node, lf, rf)

    def convert(self, node: Compare, literal: Node, family: str, lf: str, rf: str) -> Fn:
        """A literal (a quoted string, or a date against a dateTimeOffset) as a value of `family`."""
        assert isinstance(literal, Literal)
        value: int | None
        if literal.kind == "date":  # a date literal against a dateTimeOffset: midnight UTC
            value = v.date_to_ticks(literal.value)
        elif family == "date":
            value = v.date_ordinal(literal.value)
        else:
            value = v.instant_ticks(literal.value, require_zone=True)
            if value is None and (ordinal := v.date_ordinal(literal.value)) is not None:
                value = v.date_to_ticks(ordinal)
        if value is None:
            expected = "YYYY-MM-DD" if family == "date" else "a timestamp with a zone, or YYYY-MM-DD"
            word = _TYPE_WORD[family]
            raise self.mismatch(node, lf, rf, f": {self.src(literal)} is not a valid {word} (expected {expected})")
        return lambda row, var: value


def compile_filter(
    text: str, properties: Mapping[str, str], *, type_name: str = "itemFacet"
) -> Callable[[Mapping], bool]:
    """Compile a `$filter` expression into a predicate over items (nested dicts).

    Raises `BadRequest` ("Invalid filter clause: ...") for a syntax error, an unknown property or a
    type mismatch. `properties` maps every filterable path to its type name (see `_values.TYPES`).
    """
    v.check_properties(properties)
    node = parse_filter(text)
    compiler = _Compiler(text, properties, type_name)
    fn = compiler.boolean(node, "the filter")

    getters = compiler.getters

    def predicate(item: Mapping) -> bool:
        return fn([get(item) for get in getters], None) is True

    return predicate
