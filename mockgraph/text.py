"""What counts as text: strings that encode as UTF-8.

A Python string can hold a lone surrogate (`"\\ud800"`, from a JSON escape or a `surrogateescape`
decoding) that no UTF-8 encoder accepts: stored, it breaks every answer that holds it. Input is
checked with `invalid_path` where it enters (request bodies, tokens, headers, fixtures); `repaired`
fixes what an older version let into a `--db` file.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
# In JSON text, the only way to spell a surrogate: `\ud800`..`\udfff` (a valid pair decodes to one
# code point, so a match only says a walk is worth doing).
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_ESCAPED_SURROGATE_BYTES = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def is_text(value: str) -> bool:
    """True unless `value` holds a lone surrogate (the one thing UTF-8 cannot encode)."""
    return value.isascii() or _SURROGATE.search(value) is None


def may_hold_invalid(json_text: str | bytes) -> bool:
    """Could JSON parsed from this text hold a string that is not text? False is certain."""
    if isinstance(json_text, bytes):  # ASCII or UTF-8 JSON: only an escape can spell a surrogate
        return _ESCAPED_SURROGATE_BYTES.search(json_text) is not None
    return not is_text(json_text) or _ESCAPED_SURROGATE.search(json_text) is not None


def invalid_path(value: Any) -> str | None:
    """The JSON path (`$.detail.jobTitle`, `$.a[2]`, `$.<key>` for a bad key) of a string, key or
    value, that is not text; None when every string is. Iterative: any depth."""
    stack: list[tuple[Any, tuple | None]] = [(value, None)]  # (value, (parent link, step)) to rebuild a path
    while stack:
        current, link = stack.pop()
        if isinstance(current, str):
            if not is_text(current):
                return _path(link)
        elif isinstance(current, dict):
            for key, item in current.items():
                step = (link, f".{key}" if isinstance(key, str) else f"[{key!r}]")
                if isinstance(key, str) and not is_text(key):
                    return _path((link, ".<key>"))
                stack.append((item, step))
        elif isinstance(current, list | tuple):
            stack.extend((item, (link, f"[{i}]")) for i, item in enumerate(current))
    return None


def repaired(value: Any) -> tuple[Any, int]:
    """`value` with every lone surrogate replaced by U+FFFD, and how many strings changed. Containers
    are copied only where something changed; an unchanged value is returned as it is."""
    if isinstance(value, str):
        if is_text(value):
            return value, 0
        return _SURROGATE.sub(REPLACEMENT, value), 1
    if isinstance(value, dict):
        fixed, count = {}, 0
        for key, item in value.items():
            new_key, key_count = repaired(key) if isinstance(key, str) else (key, 0)
            new_item, item_count = repaired(item)
            fixed[new_key] = new_item
            count += key_count + item_count
        return (fixed, count) if count else (value, 0)
    if isinstance(value, list):
        results = [repaired(item) for item in value]
        count = sum(c for _, c in results)
        return ([item for item, _ in results], count) if count else (value, 0)
    return value, 0


def replace_invalid(text: str) -> str:
    return _SURROGATE.sub(REPLACEMENT, text)


def _path(link: tuple | None) -> str:
    steps = []
    while link is not None:
        link, step = link
        steps.append(step)
    return "$" + "".join(reversed(steps))
