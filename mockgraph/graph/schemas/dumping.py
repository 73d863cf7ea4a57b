"""Stored documents as Graph answers them, without marshmallow's per-field machinery.

`Schema.dump` costs about 80 µs per position (several hundred on a busy machine), most of a GET's
time and almost all of a list's. `compile_dumper` walks the same declared fields once per schema
and returns a plain function that answers the same thing: every declared property in declared
order, null when unset, complex values dumped by their own type, collections copied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from marshmallow import Schema, fields

from mockgraph.graph.schemas import fields as f

Dumper = Callable[[Mapping], dict]


def compile_dumper(schema: Schema) -> Dumper:
    """One function per schema, written out as a dict display: `{"id": get("id"), "detail": None if
    (v := get("detail")) is None else c3(v), ...}`. A profile answers dozens of items, each with nested
    identity sets: a loop over a plan costs twice as much as the display it spells out."""
    namespace: dict[str, object] = {}
    entries = []
    for i, (name, field) in enumerate(schema.dump_fields.items()):
        key, attribute, convert = field.data_key or name, field.attribute or name, _converter(name, field)
        if convert is None:
            entries.append(f"{key!r}: get({attribute!r})")
        else:
            namespace[f"c{i}"] = convert
            entries.append(f"{key!r}: None if (v := get({attribute!r})) is None else c{i}(v)")
    source = "def dump(doc):\n    get = doc.get\n    return {" + ", ".join(entries) + "}\n"
    exec(compile(source, f"<dumper {type(schema).__name__}>", "exec"), namespace)  # noqa: S102 (our own text)
    return namespace["dump"]


def _converter(name: str, field: fields.Field) -> Callable | None:
    """How one field's non-null stored value becomes its answer (None: as it is)."""
    if field.dump_default is not None:
        raise TypeError(f"{name}: only null dump defaults are supported")
    if isinstance(field, fields.Nested):
        return compile_dumper(field.schema)
    if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
        inner = compile_dumper(field.inner.schema)
        return lambda items: [None if item is None else inner(item) for item in items]
    if isinstance(field, f.StringCollection):
        return list
    if type(field)._serialize is f.GraphField._serialize:
        return None
    raise TypeError(f"{name}: no fast dump for {type(field).__name__}")
