"""The `/_mockgraph` HTTP endpoints, one module per group (CONTRACT §8)."""

from mockgraph.control.endpoints import clock, data, faults, journal, openapi

__all__ = ["clock", "data", "faults", "journal", "openapi"]
