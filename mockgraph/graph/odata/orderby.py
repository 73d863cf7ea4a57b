"""`$orderby`: parse the option and sort items by it.

`compile_orderby` returns the *effective* order: the requested clauses, then the tie-breakers
`createdDateTime` ascending (unless already requested) and `id` ascending (always last). With no
`$orderby` the order is `createdDateTime` then `id`. Strings (and enums) compare ignoring case,
except the final `id` tie-breaker, which compares exactly so that every item has a distinct key.
Nulls sort first ascending, last descending.

A key has two forms:
- the *raw* key (`raw_sort_key`): a list of the normalised values, one per clause, JSON-serialisable,
  which is what a `$skiptoken` stores;
- the *comparable* key (`comparable_key(raw, clauses)`): a tuple that sorts correctly, nulls and
  `desc` included, and is totally ordered across null and non-null values. `sort_key` composes both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from mockgraph.graph.errors import BadRequest
from mockgraph.graph.odata import _values as v

ID = "id"
CREATED = "createdDateTime"
DEFAULT_ORDER: list[tuple[str, bool]] = [(CREATED, False), (ID, False)]
_DIRECTIONS = {"asc": False, "desc": True}
EMPTY_ORDERBY = "Invalid $orderby: the option is empty; name one or more properties, such as 'createdDateTime desc'."


def _error(detail: str) -> BadRequest:
    return BadRequest(f"Invalid $orderby: {detail}")


def compile_orderby(
    text: str | None, properties: Mapping[str, str], *, type_name: str = "itemFacet"
) -> list[tuple[str, bool]]:
    """The effective order as `(path, descending)` pairs, tie-breakers included.

    Raises `BadRequest` ("Invalid $orderby: ...") for an empty clause, an unknown or complex
    property, a collection, a repeated property or a direction other than `asc`/`desc`.
    """
    v.check_properties(properties)
    clauses: list[tuple[str, bool]] = []
    if text is not None:
        if not text.strip():
            raise BadRequest(EMPTY_ORDERBY)
        for raw in text.split(","):
            words = raw.split()
            if not words:
                raise _error(f"empty clause in '{text}'.")
            path = words[0]
            if len(words) > 2:
                raise _error(f"'{raw.strip()}' is not a clause: expected a property, then 'asc' or 'desc'.")
            descending = False
            if len(words) == 2:
                direction = words[1].lower()
                if direction not in _DIRECTIONS:
                    raise _error(f"'{words[1]}' is not a sort direction for '{path}': use 'asc' or 'desc'.")
                descending = _DIRECTIONS[direction]
            type_of = properties.get(path)
            if type_of is None:
                raise _error(v.unknown_property_message(path, properties, type_name) + ".")
            if type_of == v.STRING_COLLECTION:
                raise _error(f"the property '{path}' is a collection and cannot be used to sort.")
            if any(p == path for p, _ in clauses):
                raise _error(f"the property '{path}' appears more than once.")
            clauses.append((path, descending))
    if CREATED in properties and all(p != CREATED for p, _ in clauses):
        clauses.append((CREATED, False))
    if not clauses or clauses[-1] != (ID, False):
        clauses.append((ID, False))
    return clauses


class _Desc:
    """Reverses the order of the value it wraps (for `desc` clauses)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __lt__(self, other: _Desc) -> bool:
        return other.value < self.value

    def __gt__(self, other: _Desc) -> bool:
        return other.value > self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"desc({self.value!r})"


def _getters(clauses: Sequence[tuple[str, bool]], properties: Mapping[str, str]) -> list[Callable[[Mapping], Any]]:
    getters = []
    for index, (path, _) in enumerate(clauses):
        type_name = properties.get(path, v.STRING if path == ID else None)
        if type_name is None:
            raise ValueError(f"sort clause {path!r} is not in the property model")
        # The last clause is the id tie-breaker: exact, so distinct ids always differ.
        exact = path == ID and index == len(clauses) - 1
        getters.append(v.getter(path, type_name, exact=exact))
    return getters


def raw_sort_key(item: Mapping, clauses: Sequence[tuple[str, bool]], properties: Mapping[str, str]) -> list[Any]:
    """The item's normalised values for `clauses`: JSON-serialisable, stored in a `$skiptoken`."""
    return [get(item) for get in _getters(clauses, properties)]


def comparable_key(raw: Sequence[Any], clauses: Sequence[tuple[str, bool]]) -> tuple:
    """A totally ordered key from a raw key: nulls first ascending (last descending)."""
    parts = []
    for value, (_, descending) in zip(raw, clauses, strict=True):
        part = (0,) if value is None else (1, value)
        parts.append(_Desc(part) if descending else part)
    return tuple(parts)


def sort_key(item: Mapping, clauses: Sequence[tuple[str, bool]], properties: Mapping[str, str]) -> tuple:
    """The comparable key of one item (for `sorted(items, key=...)`)."""
    return comparable_key(raw_sort_key(item, clauses, properties), clauses)


def keyed_sort(
    items: Iterable[Mapping], clauses: Sequence[tuple[str, bool]], properties: Mapping[str, str]
) -> list[tuple[tuple, list[Any], Mapping]]:
    """`(comparable key, raw key, item)` triples in order; each key is computed once per item."""
    getters = _getters(clauses, properties)
    rows = []
    for item in items:
        raw = [get(item) for get in getters]
        rows.append((comparable_key(raw, clauses), raw, item))
    rows.sort(key=lambda row: row[0])
    return rows


def sort_items(
    items: Iterable[Mapping], clauses: Sequence[tuple[str, bool]], properties: Mapping[str, str]
) -> list[Mapping]:
    """The items sorted by `clauses` (as returned by `compile_orderby`)."""
    return [item for _, _, item in keyed_sort(items, clauses, properties)]
