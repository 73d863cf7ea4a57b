"""JSON in and out. Reading is strict, as Graph's reader is: no NaN/Infinity, no duplicate keys, no
string that is not text (a lone surrogate escape such as `"\\ud800"`). Writing never fails on text."""

from __future__ import annotations

import json
import logging

from mockgraph.text import invalid_path, may_hold_invalid, replace_invalid

log = logging.getLogger(__name__)


def loads_strict(text: str | bytes):
    """Parse JSON; ValueError for anything Graph would not read (RecursionError is one too)."""
    if isinstance(text, bytes | bytearray):
        # Strictly: json.loads would decode bytes with "surrogatepass", letting encoded surrogates in.
        text = bytes(text).decode(json.detect_encoding(text))
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if may_hold_invalid(text):
        where = invalid_path(value)
        if where is not None:
            raise ValueError(f"a string that is not valid Unicode (a lone surrogate) at {where}")
    return value


def dumps_utf8(value) -> bytes:
    """Compact JSON as UTF-8. A lone surrogate that got past the readers (from Python callers, say)
    becomes U+FFFD rather than an exception: an answer must always be sendable."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        log.warning("invalid Unicode (a lone surrogate) in an answer was replaced by U+FFFD")
        return replace_invalid(text).encode("utf-8")


def _no_duplicate_keys(pairs):
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"duplicate key {duplicate!r}")
    return out


def _no_constants(name):
    raise ValueError(f"{name} is not valid JSON")
