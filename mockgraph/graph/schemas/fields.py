"""Field types for Graph's primitive (Edm) types.

marshmallow's stock fields coerce ("1" -> 1, "yes" -> True); Graph's JSON reader does not, so these
accept only the JSON type Graph declares. Each field knows its Edm type name, which the OData layer
and the OpenAPI generator read instead of keeping their own lists.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from marshmallow import ValidationError, fields

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# OData's DateTimeOffset lexical form: seconds optional fraction (up to 12 digits), Z or an offset.
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,12})?(Z|[+-]\d{2}:\d{2})$")


# "The property 'detail' is required." / "... may not be null." (see base.to_bad_request)
PRESENCE_MESSAGES = {"required": "is required", "null": "may not be null"}


class GraphField(fields.Field):
    edm_type = "string"
    default_error_messages = PRESENCE_MESSAGES

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)
        kwargs.setdefault("dump_default", None)
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class String(GraphField):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("expected a string")
        return value


class Boolean(GraphField):
    edm_type = "boolean"

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("expected true or false")
        return value


class Int32(GraphField):
    edm_type = "int32"

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("expected an integer (Edm.Int32)")
        if not INT32_MIN <= value <= INT32_MAX:
            raise ValidationError(f"expected an integer between {INT32_MIN} and {INT32_MAX}")
        return value


class Double(GraphField):
    edm_type = "double"

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("expected a number (Edm.Double)")
        # JSON's 1e400 reads as inf (and a 400-digit integer overflows a double): JSON cannot write either back.
        try:
            finite = math.isfinite(value)
        except OverflowError:
            finite = False
        if not finite:
            raise ValidationError("expected a finite number within the range of Edm.Double")
        return value


class Date(GraphField):
    """Edm.Date, kept as its `YYYY-MM-DD` text."""

    edm_type = "date"
    pattern = _DATE.pattern

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _DATE.match(value):
            raise ValidationError("expected a date in the form YYYY-MM-DD")
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError("expected a valid calendar date in the form YYYY-MM-DD") from None
        return value


class DateTimeOffset(GraphField):
    """Edm.DateTimeOffset, kept as given (fixtures keep their own timestamps)."""

    edm_type = "dateTimeOffset"
    pattern = _TIMESTAMP.pattern

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _TIMESTAMP.match(value):
            raise ValidationError("expected an ISO 8601 timestamp such as 2020-07-06T06:34:12.2294868Z")
        try:
            dt.datetime.fromisoformat(_seconds_precision(value))
        except ValueError:
            raise ValidationError("expected a valid ISO 8601 timestamp") from None
        return value


def _seconds_precision(value: str) -> str:
    # fromisoformat takes at most 6 fractional digits; Graph writes 7.
    return re.sub(r"\.\d+", "", value).replace("Z", "+00:00")


class Enum(GraphField):
    """A Graph enum, written as its member name. Input is matched ignoring case."""

    edm_type = "enum"

    def __init__(self, type_name: str, members: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.type_name = type_name
        self.members = members
        self._by_folded = {m.lower(): m for m in members}

    def _canonical(self, value) -> str:
        member = self._by_folded.get(value.strip().lower()) if isinstance(value, str) else None
        if member is None:
            raise ValidationError(
                f"expected one of the microsoft.graph.{self.type_name} values: {', '.join(self.members)}"
            )
        return member

    def _deserialize(self, value, attr, data, **kwargs):
        return self._canonical(value)


class FlagsEnum(Enum):
    """A flags enum: one member or several, comma-separated, written back in declaration order."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(
                f"expected one or more comma-separated microsoft.graph.{self.type_name} values: "
                f"{', '.join(self.members)}"
            )
        chosen = {self._canonical(part) for part in value.split(",")}
        return ",".join(m for m in self.members if m in chosen)


class StringCollection(GraphField):
    edm_type = "collection(string)"

    def __init__(self, *, accept_single: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.accept_single = accept_single

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and self.accept_single:
            return [value]
        if not isinstance(value, list):
            raise ValidationError("expected a collection of strings (a JSON array)")
        for item in value:
            if item is not None and not isinstance(item, str):
                raise ValidationError("expected a collection of strings; an item is not a string")
        return list(value)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else list(value)


class Nested(fields.Nested):
    default_error_messages = PRESENCE_MESSAGES
    def __init__(self, schema, **kwargs):
        kwargs.setdefault("allow_none", True)
        kwargs.setdefault("dump_default", None)
        super().__init__(schema, **kwargs)

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError(f"expected an object of type microsoft.graph.{self.schema.graph_type}")
        return super()._deserialize(value, attr, data, partial=partial, **kwargs)


class NestedCollection(fields.List):
    default_error_messages = PRESENCE_MESSAGES
    def __init__(self, schema, **kwargs):
        kwargs.setdefault("allow_none", True)
        kwargs.setdefault("dump_default", None)
        super().__init__(Nested(schema, allow_none=False), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise ValidationError(
                f"expected a collection (a JSON array) of microsoft.graph.{self.inner.schema.graph_type}"
            )
        return super()._deserialize(value, attr, data, **kwargs)
