"""marshmallow schemas, one per Graph type, and the few operations the app needs of them.

The same schema validates request bodies and fixture files and serialises responses. `entities/` holds
one module per entity type (the user, the itemFacet base and each profile item type), `complex/` the
complex types they share, `enums.py` the enum types; `fields.py` maps Edm types to fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from marshmallow import ValidationError

from mockgraph.graph.errors import BadRequest
from mockgraph.graph.schemas import entities
from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphSchema, to_bad_request
from mockgraph.graph.schemas.dumping import Dumper, compile_dumper
from mockgraph.graph.schemas.entities import *  # noqa: F403 (the entity schemas, re-exported)
from mockgraph.graph.schemas.entities import ItemFacetSchema
from mockgraph.graph.schemas.entities.item_facet import SERVER_MANAGED

__all__ = [
    *entities.__all__,
    "SERVER_MANAGED",
    "GraphSchema",
    "check_output",
    "instance",
    "dump",
    "load",
    "merge",
    "property_types",
]


@cache
def instance(schema_cls: type[GraphSchema], mode: str = "stored", partial: bool = False) -> GraphSchema:
    # Building a schema costs ~70 µs: build each variant once. Instances hold no per-call state.
    return schema_cls(mode=mode, partial=partial)


def load(schema_cls: type[GraphSchema], data, *, mode: str, partial: bool = False, prefix: str = "") -> dict:
    """Validate `data` as `schema_cls`; a Graph 400 naming the property's path when invalid."""
    try:
        return instance(schema_cls, mode, partial).load(data)
    except ValidationError as error:
        raise to_bad_request(error, prefix) from None
    except RecursionError:
        raise BadRequest("The request body is nested too deeply.") from None


@cache
def dumper(schema_cls: type[GraphSchema]) -> Dumper:
    return compile_dumper(instance(schema_cls, "stored"))


def dump(schema_cls: type[GraphSchema], doc: Mapping, select: tuple[str, ...] | None = None) -> dict:
    """Every declared property, null when unset (as Graph answers); only `select` + id when given."""
    out = dumper(schema_cls)(doc)
    if select is not None:
        keep = set(select) | {"id"}
        out = {k: v for k, v in out.items() if k in keep}
    return out


def merge(schema: GraphSchema, stored: Mapping, patch: Mapping, where: str = "") -> dict:
    """OData update: complex values merge recursively, primitives and collections replace.

    `patch` comes from a partial load, which skips required properties. Merging into a valid stored
    object keeps it valid, so only a complex value put where there was none, and the objects of a
    replaced collection, are validated in full here: the 400 names the first missing property, as
    validating the whole result would, at a fraction of the cost. The result shares the subtrees the
    patch leaves alone with `stored` (stored documents are never changed in place).
    """
    merged = dict(stored)
    for key, value in patch.items():
        field = schema.fields[key]
        path = f"{where}.{key}" if where else key
        if isinstance(field, f.Nested) and isinstance(value, dict):
            if isinstance(merged.get(key), dict):
                value = merge(field.schema, merged[key], value, path)
            else:
                load(type(field.schema), value, mode="stored", prefix=path)
        elif isinstance(field, f.NestedCollection) and isinstance(value, list):
            for i, item in enumerate(value):
                if item is not None:
                    load(type(field.inner.schema), item, mode="stored", prefix=f"{path}[{i}]")
        merged[key] = value
    return merged


@cache
def property_types(schema_cls: type[GraphSchema]) -> dict[str, str]:
    """Every primitive property path (`detail/company/address/city`) and its Edm type name."""
    out: dict[str, str] = {}

    def walk(schema: GraphSchema, prefix: str) -> None:
        for name, field in schema.fields.items():
            if isinstance(field, f.Nested):
                walk(field.schema, f"{prefix}{name}/")
            elif isinstance(field, f.GraphField):
                out[prefix + name] = field.edm_type

    walk(instance(schema_cls), "")
    return out


def check_output(schema_cls: type[ItemFacetSchema], payload: Mapping, select: tuple[str, ...] | None = None) -> None:
    """Strict mode: a response body must hold every declared property and be valid as stored data."""
    body = {k: v for k, v in payload.items() if not k.startswith("@")}
    schema = instance(schema_cls, "stored")
    expected = set(schema.fields) if select is None else set(select) | {"id"}
    _check_complete(schema, body, expected, "")
    try:
        instance(schema_cls, "stored", partial=select is not None).load(body)
    except ValidationError as error:
        raise AssertionError(f"response is not a valid {schema_cls.graph_type}: {error.messages}") from None


def _check_complete(schema: GraphSchema, body: Mapping, expected: set[str], where: str) -> None:
    if set(body) != expected:
        raise AssertionError(f"response {where or 'body'} keys differ: {sorted(set(body) ^ expected)}")
    for name, value in body.items():
        field = schema.fields[name]
        if isinstance(field, f.Nested) and isinstance(value, dict):
            _check_complete(field.schema, value, set(field.schema.fields), f"{where}{name}.")
        elif isinstance(field, f.NestedCollection) and isinstance(value, list):
            for i, item in enumerate(value):
                inner = field.inner.schema
                _check_complete(inner, item, set(inner.fields), f"{where}{name}[{i}].")
