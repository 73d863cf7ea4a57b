"""Validating fault rules (CONTRACT §8): the JSON a client posts, or a `--faults` file holds.

A rule is checked strictly, like a Graph body: no coercion, no unknown or misplaced fields, so that a
typo in a test's rule is a 400 naming the field rather than a rule that silently never fires.
"""

from __future__ import annotations

import re

from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema

from mockgraph.graph.errors import BadRequest
from mockgraph.graph.schemas.base import first_error, format_path

EFFECTS = ("fail", "delay", "rateLimit")
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
MAX_DELAY_MS = 120_000  # a delayed request holds a worker thread; two minutes outlasts any client timeout
MAX_RETRY_AFTER = 86_400
RULE_ID = re.compile(r"^[A-Za-z0-9._~-]{1,100}$")
# Fields that belong to one effect; anywhere else they are a mistake worth a 400.
EFFECT_FIELDS = {
    "fail": {"status", "retryAfter"},
    "delay": {"delayMs"},
    "rateLimit": {"limit", "windowSeconds", "perUser"},
}
REQUIRED_FIELDS = {"fail": ("status",), "delay": ("delayMs",), "rateLimit": ("limit", "windowSeconds")}
RETRY_AFTER_STATUSES = (429, 503)


class FaultRuleError(ValueError):
    """A rule that cannot be used: `where` is its JSON path (`[1].delayMs`), `reason` what is wrong."""

    def __init__(self, where: str, reason: str):
        self.where, self.reason = where, reason
        super().__init__(f"{where}: {reason}" if where else reason)

    def as_bad_request(self) -> BadRequest:
        if not self.where:
            return BadRequest(f"Invalid fault rule: {self.reason}.")
        return BadRequest(f"Invalid fault rule field '{self.where}': {self.reason}.")


class _Strict(fields.Field):
    """A JSON value of exactly one type; null is never accepted."""

    default_error_messages = {"required": "is required", "null": "may not be null"}
    kind: tuple[type, ...] = ()
    expected = ""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) != (bool in self.kind) or not isinstance(value, self.kind):
            raise ValidationError(f"expected {self.expected}")
        return value


class Text(_Strict):
    kind, expected = (str,), "a string"


class Flag(_Strict):
    kind, expected = (bool,), "true or false"


class Integer(_Strict):
    kind, expected = (int,), "an integer"


class Number(_Strict):
    kind, expected = (int, float), "a number"


class Methods(fields.Field):
    default_error_messages = _Strict.default_error_messages

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or not value:
            raise ValidationError(f"expected a non-empty array of HTTP methods ({', '.join(METHODS)})")
        methods = []
        for item in value:
            method = item.upper() if isinstance(item, str) else None
            if method not in METHODS:
                raise ValidationError(f"expected HTTP methods among {', '.join(METHODS)}; got {item!r}")
            methods.append(method)
        return list(dict.fromkeys(methods))


class DelayMs(fields.Field):
    """Milliseconds: a fixed number, or `[min, max]` for a draw from the rule's generator."""

    default_error_messages = _Strict.default_error_messages

    def _deserialize(self, value, attr, data, **kwargs):
        bounds = value if isinstance(value, list) else [value, value]
        if len(bounds) != 2 or any(isinstance(b, bool) or not isinstance(b, int) for b in bounds):
            raise ValidationError("expected milliseconds as an integer or an array [min, max] of two integers")
        low, high = bounds
        if not 0 <= low <= high <= MAX_DELAY_MS:
            raise ValidationError(f"expected 0 <= min <= max <= {MAX_DELAY_MS}")
        return value


class FaultRuleSchema(Schema):
    class Meta:
        unknown = RAISE

    id = Text()
    methods = Methods()
    path = Text(required=True)
    user = Text()
    effect = Text(required=True)
    status = Integer()
    # The contract's JSON names.
    retryAfter = Integer()
    delayMs = DelayMs()
    limit = Integer()
    windowSeconds = Number()
    perUser = Flag()
    times = Integer()
    probability = Number()
    seed = Integer()

    @validates_schema
    def _check(self, rule, **kwargs):
        _check_values(rule)
        effect = rule["effect"]
        for other, names in EFFECT_FIELDS.items():
            for name in names:
                if other != effect and name in rule:
                    raise ValidationError(f"not used by effect '{effect}'", name)
        for name in REQUIRED_FIELDS[effect]:
            if name not in rule:
                raise ValidationError(f"is required for effect '{effect}'", name)
        if "retryAfter" in rule and rule["status"] not in RETRY_AFTER_STATUSES:
            raise ValidationError("only a 429 or 503 answer carries Retry-After", "retryAfter")


def _check_values(rule: dict) -> None:
    checks = (
        ("id", lambda v: RULE_ID.match(v), "expected 1 to 100 letters, digits or -._~"),
        ("path", lambda v: v.startswith("/"), "expected a glob on the path under /beta, starting with '/'"),
        ("user", lambda v: v != "", "expected a user id or userPrincipalName"),
        ("effect", lambda v: v in EFFECTS, f"expected one of {', '.join(EFFECTS)}"),
        ("status", lambda v: 400 <= v <= 599, "expected an HTTP error status from 400 to 599"),
        ("retryAfter", lambda v: 0 <= v <= MAX_RETRY_AFTER, f"expected seconds from 0 to {MAX_RETRY_AFTER}"),
        ("limit", lambda v: v >= 1, "expected a positive integer"),
        ("windowSeconds", lambda v: 0 < v <= MAX_RETRY_AFTER, f"expected seconds above 0, at most {MAX_RETRY_AFTER}"),
        ("times", lambda v: v >= 1, "expected a positive integer"),
        ("probability", lambda v: 0 <= v <= 1, "expected a number from 0 to 1"),
    )
    for name, ok, reason in checks:
        if name in rule and not ok(rule[name]):
            raise ValidationError(reason, name)


def parse_rule(data, where: str = "") -> dict:
    """One rule, validated; FaultRuleError naming the field otherwise."""
    if not isinstance(data, dict):
        raise FaultRuleError(where, "expected a rule object")
    try:
        return FaultRuleSchema().load(data)
    except ValidationError as error:
        path, message = first_error(error.messages)
        field = format_path(path)
        raise FaultRuleError(f"{where}.{field}" if where and field else where or field,
                             str(message).rstrip(".")) from None


def parse_rules(data) -> list[dict]:
    """One rule object, or an array of them (a POST body, a `--faults` file)."""
    if isinstance(data, dict):
        return [parse_rule(data)]
    if not isinstance(data, list):
        raise FaultRuleError("", "expected a rule object or an array of rule objects")
    return [parse_rule(item, f"[{i}]") for i, item in enumerate(data)]
