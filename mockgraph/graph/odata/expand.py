"""`$expand` on a single entity whose navigation properties are collections (the profile):
`names($select=first,last),skills($select=displayName)` -> {"names": ("first", "last"), "skills": (...)}.

Nested options are separated by `;` (OData's syntax); only `$select` is served inside, checked by the
same parser as a top-level one, so its errors read the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from mockgraph.graph.errors import BadRequest
from mockgraph.graph.odata.options import parse_query_options

_ITEM = re.compile(r"\s*([^\s(),]+)\s*(?:\((.*)\))?\s*\Z", re.DOTALL)


def parse_expand(text: str, navigation: Mapping[str, tuple[Sequence[str], str]],
                 type_name: str) -> dict[str, tuple[str, ...] | None]:
    """`navigation` maps each navigation property to its target's top-level properties and type name.
    Returns each expanded property with its nested `$select` (None: every property), in the order of
    `navigation`."""
    expanded: dict[str, tuple[str, ...] | None] = {}
    for part in _split_top_level(text):
        match = _ITEM.match(part)
        if match is None:
            raise BadRequest(f"Invalid $expand clause: '{part.strip()}'.")
        name, nested = match.group(1), match.group(2)
        if name == "*" and nested is None:
            expanded.update((key, None) for key in navigation)
            continue
        if name not in navigation:
            raise BadRequest(f"Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'.")
        properties, target = navigation[name]
        expanded[name] = _nested_select(nested, properties, target) if nested is not None else None
    return {key: expanded[key] for key in navigation if key in expanded}


def _nested_select(text: str, properties: Sequence[str], type_name: str) -> tuple[str, ...] | None:
    pairs = []
    for option in text.split(";"):
        key, sep, value = option.strip().partition("=")
        if not sep or not key:
            raise BadRequest(f"Invalid $expand clause: '({text})' expects options such as ($select=name).")
        pairs.append((key, value))
    return parse_query_options(pairs, allowed={"select"}, top_level=properties, type_name=type_name).select


def _split_top_level(text: str) -> list[str]:
    """Split at the commas outside parentheses; unbalanced parentheses or an empty item are a 400."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                break
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    if depth != 0:
        raise BadRequest(f"Invalid $expand clause: unbalanced parentheses in '{text}'.")
    if any(not part.strip() for part in parts):
        raise BadRequest(f"Invalid $expand clause: '{text}' has an empty item.")
    return parts
