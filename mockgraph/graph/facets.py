"""The profile facets the mock serves. Another facet (skills, languages, ...) is one schema plus one
entry here; routes, store, fixtures, queries and the OpenAPI document are generic over this list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mockgraph.graph.schemas import ItemFacetSchema, WorkPositionSchema


@dataclass(frozen=True)
class Facet:
    segment: str  # URL segment under /profile, and the key in fixture files
    schema: type[ItemFacetSchema]
    defaults: Mapping[str, object] = field(default_factory=dict)  # applied on create

    @property
    def type_name(self) -> str:
        return self.schema.graph_type


FACETS: tuple[Facet, ...] = (
    # Graph's create example answers "organization" for a body without allowedAudiences.
    Facet("positions", WorkPositionSchema, MappingProxyType({"allowedAudiences": "organization"})),
)
