"""Strict JSON reading, as Graph's reader is: no NaN/Infinity, no duplicate keys."""

from __future__ import annotations

import json


def loads_strict(text: str | bytes):
    """Parse JSON; ValueError for anything Graph would not read (RecursionError is one too)."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _no_duplicate_keys(pairs):
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"duplicate key {duplicate!r}")
    return out


def _no_constants(name):
    raise ValueError(f"{name} is not valid JSON")
