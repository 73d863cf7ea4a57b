"""Reading and normalising property values for `$filter` and `$orderby`.

A property is named by its path with `/` (`detail/company/address/city`) and typed by one of
`TYPES`. Items are plain nested dicts; a missing key or `None` anywhere on the path is null.
Values are normalised so that one comparison serves every OData rule we need:

- `string`, `enum`: `str.casefold()` (comparisons ignore case);
- `int32`, `double`: the number (`bool` is not a number);
- `boolean`: the bool;
- `date`: the proleptic Gregorian ordinal (an int);
- `dateTimeOffset`: 100-nanosecond ticks since 1970-01-01T00:00:00Z (an int, exact for the 7
  fractional digits Graph writes, which `datetime` cannot hold);
- `collection(string)`: a list of casefolded strings.

A stored value of the wrong shape (a number where a string belongs, an unparsable date) reads as null.
Every normalised value is JSON-serialisable, so sort keys can travel in a `$skiptoken`.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

STRING = "string"
BOOLEAN = "boolean"
INT32 = "int32"
DOUBLE = "double"
DATE = "date"
DATETIME = "dateTimeOffset"
ENUM = "enum"
STRING_COLLECTION = "collection(string)"

TYPES = frozenset({STRING, BOOLEAN, INT32, DOUBLE, DATE, DATETIME, ENUM, STRING_COLLECTION})

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
_INSTANT_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))?\Z"
)
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
TICKS_PER_SECOND = 10_000_000


def check_properties(properties: Mapping[str, str]) -> None:
    """Reject a property model the caller built wrongly (a programming error, not a 400)."""
    for path, type_name in properties.items():
        if type_name not in TYPES:
            raise ValueError(f"property {path!r} has unknown type {type_name!r}; use one of {sorted(TYPES)}")


# Parsed values are cached: stored dates are read again by every query. The keys are strings a client
# chose (stored values, filter literals), so only text short enough to be a date or timestamp is
# looked up or kept, and the caches hold a few thousand of them at most.
_CACHE_SIZE = 4096
_MAX_DATE_CHARS = 10
_MAX_INSTANT_CHARS = 40  # 2024-01-01T00:00:00.123456789012+00:00


def date_ordinal(text: str) -> int | None:
    """`YYYY-MM-DD` as an ordinal, or None when it is not a valid date."""
    return _date_ordinal(text) if isinstance(text, str) and len(text) <= _MAX_DATE_CHARS else None


@lru_cache(maxsize=_CACHE_SIZE)
def _date_ordinal(text: str) -> int | None:
    m = _DATE_RE.match(text)
    if not m:
        return None
    try:
        return _dt.date(int(m[1]), int(m[2]), int(m[3])).toordinal()
    except ValueError:
        return None


def instant_ticks(text: str, *, require_zone: bool = False) -> int | None:
    """An ISO 8601 timestamp as UTC ticks, or None when it is not one.

    Fractional seconds keep 7 digits (more are truncated). Without a zone the time is taken as UTC,
    unless `require_zone` (literals in a filter must say which instant they mean).
    """
    if not isinstance(text, str) or len(text) > _MAX_INSTANT_CHARS:
        return None
    return _instant_ticks(text, require_zone)


@lru_cache(maxsize=_CACHE_SIZE)
def _instant_ticks(text: str, require_zone: bool) -> int | None:
    m = _INSTANT_RE.match(text)
    if not m:
        return None
    if require_zone and not (m[8] or m[9]):
        return None
    try:
        day = _dt.date(int(m[1]), int(m[2]), int(m[3])).toordinal()
        hour, minute, second = int(m[4]), int(m[5]), int(m[6] or 0)
        if hour > 23 or minute > 59 or second > 59:
            return None
    except ValueError:
        return None
    offset = 0
    if m[9]:
        off_h, off_m = int(m[10]), int(m[11])
        if off_h > 23 or off_m > 59:
            return None
        offset = (off_h * 60 + off_m) * 60 * (1 if m[9] == "+" else -1)
    seconds = (day - _EPOCH_ORDINAL) * 86400 + hour * 3600 + minute * 60 + second - offset
    fraction = int((m[7] or "").ljust(7, "0")[:7])
    return seconds * TICKS_PER_SECOND + fraction


def date_to_ticks(ordinal: int) -> int:
    """Midnight UTC of a date, as ticks."""
    return (ordinal - _EPOCH_ORDINAL) * 86400 * TICKS_PER_SECOND


def _norm_string(value: Any) -> str | None:
    return value.casefold() if isinstance(value, str) else None


def _norm_exact_string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _norm_number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _norm_boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _norm_collection(value: Any) -> list[str] | None:
    if not isinstance(value, list | tuple):
        return None
    return [v.casefold() for v in value if isinstance(v, str)]


NORMALISERS: dict[str, Callable[[Any], Any]] = {
    STRING: _norm_string,
    ENUM: _norm_string,
    INT32: _norm_number,
    DOUBLE: _norm_number,
    BOOLEAN: _norm_boolean,
    DATE: date_ordinal,
    DATETIME: instant_ticks,
    STRING_COLLECTION: _norm_collection,
}


def getter(path: str, type_name: str, *, exact: bool = False) -> Callable[[Mapping], Any]:
    """A function reading the normalised value at `path` from an item (None when null).

    `exact` keeps strings as they are (used for `id`, the final tie-breaker of every sort, which must
    tell apart ids that differ only in case).
    """
    norm = _norm_exact_string if exact and type_name == STRING else NORMALISERS[type_name]
    keys = tuple(path.split("/"))
    if len(keys) == 1:
        (key,) = keys

        def get_top(item: Mapping) -> Any:
            value = item.get(key)
            return None if value is None else norm(value)

        return get_top

    def get_nested(item: Mapping) -> Any:
        value: Any = item
        for k in keys:
            if not isinstance(value, Mapping):
                return None
            value = value.get(k)
            if value is None:
                return None
        return norm(value)

    return get_nested


def unknown_property_message(path: str, properties: Mapping[str, str], type_name: str) -> str:
    """Why `path` cannot be used: a complex property, or no such property at all."""
    prefix = path + "/"
    example = next((p for p in properties if p.startswith(prefix)), None)
    if example is not None:
        return f"'{path}' is a complex property; name one of its primitive properties, such as '{example}'"
    return f"could not find a property named '{path}' on type 'microsoft.graph.{type_name}'"
