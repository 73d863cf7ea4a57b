"""The base every Graph schema shares: Graph's reading rules and Graph-worded validation errors."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, pre_load

from mockgraph.graph.errors import BadRequest


class GraphMessage(str):
    """A validation message already in Graph's words: reported as it is, not wrapped with a path."""


def is_annotation(key: str) -> bool:
    # Instance annotations ("@odata.type", "detail@odata.type", "@microsoft.graph.x") are metadata.
    return key.startswith("@") or "@odata." in key


class GraphSchema(Schema):
    """A Graph structured type. `graph_type` is its name in the microsoft.graph namespace."""

    graph_type = "entity"

    class Meta:
        unknown = RAISE

    def __init__(self, *, mode: str = "stored", **kwargs):
        # "create"/"update" read request bodies; "stored" reads fixtures and stored data.
        super().__init__(**kwargs)
        self.mode = mode

    @pre_load
    def _read_like_graph(self, data, **kwargs):
        if not isinstance(data, dict):
            raise ValidationError(f"expected an object of type microsoft.graph.{self.graph_type}")
        # Runs for every object of every body and fixture: copy only when there are annotations to drop.
        if any("@" in key for key in data):
            data = {k: v for k, v in data.items() if not is_annotation(k)}
        if not data.keys() <= self.load_fields.keys():
            unknown = next(k for k in data if k not in self.load_fields)
            raise ValidationError({unknown: [GraphMessage(unknown_property_message(unknown, self.graph_type))]})
        return data


def unknown_property_message(name: str, graph_type: str) -> str:
    return (
        f"The property '{name}' does not exist on type 'microsoft.graph.{graph_type}'. Make sure to only use "
        "property names that are defined by the type or mark the type as open type."
    )


def first_error(messages, path: tuple = ()) -> tuple[tuple, str]:
    """The first leaf of marshmallow's nested error dict, with its path."""
    if isinstance(messages, dict):
        key = next(iter(messages))
        return first_error(messages[key], path + (key,) if key != "_schema" else path)
    if isinstance(messages, list) and messages:
        return first_error(messages[0], path)
    return path, messages if isinstance(messages, str) else str(messages)


def format_path(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def to_bad_request(error: ValidationError, prefix: str = "") -> BadRequest:
    """One ValidationError as one Graph 400 that names the property's full path."""
    path, message = first_error(error.messages)
    if isinstance(message, GraphMessage):
        return BadRequest(str(message))
    where = format_path(((prefix,) if prefix else ()) + path)
    if not where:
        return BadRequest(f"Invalid request body: {message}.")
    if message in ("is required", "may not be null"):
        return BadRequest(f"The property '{where}' {message}.")
    return BadRequest(f"Invalid value for property '{where}': {message}.")
