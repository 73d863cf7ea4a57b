"""Parse and validate a request's OData system query options (contract §5).

- On beta the `$` is optional: `top=5` is `$top=5`. Names are compared case-sensitively, as OData does
  for system options: only lower-case names are options (`$Top` is an unsupported `$`-name, `Top` an
  app's own parameter).
- A `$`-name that is not allowed here (`$expand`, `$search`, `$foo`), or a `$`-less system option name
  that is not allowed (`search=x`), is a 400; other `$`-less names are ignored.
- An option given twice (`$top` and `top` included) is a 400.
- Names are checked first, so an unsupported or repeated option wins over a bad value; then values,
  in the order the options appear (`$skiptoken` last: it is bound to the other options' values).

Give `properties` (and `codec`) and `$filter`/`$orderby` are compiled (and `$skiptoken` verified)
here, so a bad option is a 400 before anything else happens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mockgraph.graph.errors import BadRequest
from mockgraph.graph.odata.filter import compile_filter
from mockgraph.graph.odata.orderby import EMPTY_ORDERBY, compile_orderby
from mockgraph.graph.odata.paging import SkipTokenCodec, fingerprint, invalid_token

# Every OData system query option name (without `$`): `$`-less, these mean the option on beta.
SYSTEM_OPTIONS = frozenset(
    {
        "apply", "compute", "count", "deltatoken", "expand", "filter", "format", "index", "levels",
        "orderby", "schemaversion", "search", "select", "skip", "skiptoken", "top",
    }
)  # fmt: skip
LIST_OPTIONS = frozenset({"filter", "orderby", "select", "skip", "top", "count", "skiptoken"})
GET_OPTIONS = frozenset({"select"})
COUNT_OPTIONS = frozenset({"filter"})
MAX_TOP = 999
# Characters of a query, decoded, `$skiptoken` aside (its size is bounded on its own): a nextLink
# re-encodes the same pairs, so the server always accepts its own links. The same for a request sent
# alone or inside a $batch, whose URLs no HTTP server's header limit bounds.
MAX_QUERY_CHARS = 16384
PAGING_TOKENS = ("$skiptoken", "skiptoken")
_DIGITS = re.compile(r"[0-9]+\Z")
_SKIP_DIGITS = 18


@dataclass(frozen=True)
class QueryOptions:
    """Validated options. `pairs` holds every query pair as received, to rebuild `@odata.nextLink`.

    `select` is None when absent (or `*`), else the requested names in the type's declared order,
    without duplicates (`id` is added by the projection, not here). `skip` and `top` are None when
    absent. The compiled forms are set only when `parse_query_options` was given `properties`.
    """

    filter: str | None = None
    orderby: str | None = None
    select: tuple[str, ...] | None = None
    top: int | None = None
    skip: int | None = None
    count: bool = False
    skiptoken: str | None = None
    pairs: tuple[tuple[str, str], ...] = ()
    predicate: Callable[[Mapping], bool] | None = field(default=None, compare=False, repr=False)
    order: tuple[tuple[str, bool], ...] | None = field(default=None, compare=False, repr=False)

    @property
    def fingerprint(self) -> str:
        """What a `$skiptoken` is bound to: filter, orderby, select, top and skip."""
        return fingerprint(self.filter, self.orderby, self.select, self.top, self.skip)


def _unsupported(name: str) -> BadRequest:
    return BadRequest(f"The query parameter '{name}' is not supported.")


def _invalid_value(name: str, value: str, expected: str) -> BadRequest:
    return BadRequest(f"Invalid value '{value}' for query option '${name}': {expected}.")


def parse_query_options(
    args: Iterable[tuple[str, str]],
    *,
    allowed: Iterable[str],
    top_level: Sequence[str],
    type_name: str = "itemFacet",
    properties: Mapping[str, str] | None = None,
    codec: SkipTokenCodec | None = None,
) -> QueryOptions:
    """Validate the query pairs of one request.

    `allowed` names the options this route accepts, with or without `$` (`{"filter", "$top"}`).
    `top_level` is the type's top-level property names, for `$select`. With `properties`, `$filter`
    and `$orderby` are compiled now (their errors are raised here); with `codec` too, `$skiptoken` is
    verified now.
    """
    permitted = {name.removeprefix("$") for name in allowed}
    pairs = tuple((str(k), str(v)) for k, v in args)
    size = sum(len(k) + len(v) + 2 for k, v in pairs if k not in PAGING_TOKENS)
    if size > MAX_QUERY_CHARS:
        raise BadRequest(
            f"The query specified in the URI is not valid. It is {size} characters long; the limit is "
            f"{MAX_QUERY_CHARS}."
        )
    found: dict[str, str] = {}
    order: list[str] = []
    for key, value in pairs:
        if key.startswith("$"):
            name = key[1:]
            if name not in permitted:
                raise _unsupported(key)
        elif key in SYSTEM_OPTIONS:
            name = key
            if name not in permitted:
                raise _unsupported("$" + key)
        else:
            continue  # the app's own parameter
        if name in found:
            raise BadRequest(
                f"Query option '${name}' was specified more than once, but it must be specified at most once."
            )
        found[name] = value
        order.append(name)

    values: dict[str, Any] = {}
    predicate = None
    for name in order:
        values[name] = _PARSERS.get(name, _parse_text)(found[name], top_level, type_name)
        if properties is not None and name == "filter":
            predicate = compile_filter(values[name], properties, type_name=type_name)
        elif properties is not None and name == "orderby":
            compile_orderby(values[name], properties, type_name=type_name)
    options = QueryOptions(
        filter=values.get("filter"),
        orderby=values.get("orderby"),
        select=values.get("select"),
        top=values.get("top"),
        skip=values.get("skip"),
        count=values.get("count", False),
        skiptoken=values.get("skiptoken"),
        pairs=pairs,
    )
    if properties is None:
        return options
    if codec is not None and options.skiptoken is not None:
        codec.decode(options.skiptoken, options.fingerprint)  # needs every other value: checked last
    object.__setattr__(options, "predicate", predicate)
    object.__setattr__(options, "order", tuple(compile_orderby(options.orderby, properties, type_name=type_name)))
    return options


def _parse_top(value: str, top_level: Sequence[str], type_name: str) -> int:
    # Length first: int() refuses strings over 4,300 digits (a ValueError that would escape as a 500).
    if not _DIGITS.match(value) or len(value.lstrip("0")) > len(str(MAX_TOP)) or not 1 <= int(value) <= MAX_TOP:
        raise BadRequest(f"Invalid page size specified: '{value}'. Must be between 1 and {MAX_TOP} inclusive.")
    return int(value)


def _parse_skip(value: str, top_level: Sequence[str], type_name: str) -> int:
    if not _DIGITS.match(value):
        raise _invalid_value("skip", value, "expected a non-negative integer")
    digits = value.lstrip("0")
    # int() refuses strings over 4,300 digits; a skip this long is past every collection anyway.
    return int(digits or "0") if len(digits) <= _SKIP_DIGITS else 10**_SKIP_DIGITS


def _parse_count(value: str, top_level: Sequence[str], type_name: str) -> bool:
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise _invalid_value("count", value, "expected 'true' or 'false'")
    return lowered == "true"


def _parse_select(value: str, top_level: Sequence[str], type_name: str) -> tuple[str, ...] | None:
    names = [name.strip() for name in value.split(",")]
    if any(not name for name in names):
        raise _invalid_value("select", value, "expected comma-separated property names")
    if "*" in names:
        return None
    declared = set(top_level)
    for name in names:
        if name not in declared:
            raise BadRequest(f"Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'.")
    wanted = set(names)
    return tuple(name for name in top_level if name in wanted)


def _parse_text(value: str, top_level: Sequence[str], type_name: str) -> str:
    return value


def _parse_skiptoken(value: str, top_level: Sequence[str], type_name: str) -> str:
    if not value:
        raise invalid_token(value)
    return value


def _parse_filter(value: str, top_level: Sequence[str], type_name: str) -> str:
    if not value.strip():
        raise BadRequest("Invalid filter clause: the filter expression is empty.")
    return value


def _parse_orderby(value: str, top_level: Sequence[str], type_name: str) -> str:
    if not value.strip():
        raise BadRequest(EMPTY_ORDERBY)
    return value


_PARSERS: dict[str, Callable[[str, Sequence[str], str], Any]] = {
    "top": _parse_top,
    "skip": _parse_skip,
    "count": _parse_count,
    "select": _parse_select,
    "filter": _parse_filter,
    "orderby": _parse_orderby,
    "skiptoken": _parse_skiptoken,
    # Allowed by a caller but with no meaning here: kept as text.
    **{name: _parse_text for name in SYSTEM_OPTIONS - LIST_OPTIONS},
}
