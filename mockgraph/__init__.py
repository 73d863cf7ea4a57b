"""mockgraph: a local, stateful mock of Microsoft Graph's beta profile positions API.

The public names are imported on first use: `import mockgraph` (which pytest does at every start,
for the plugin) stays cheap until the mock is actually used.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

# Public name -> the module that defines it.
_EXPORTS = {
    "create_app": "mockgraph.app",
    "MockGraph": "mockgraph.harness.live",
    "intercept": "mockgraph.harness.intercept",
    "make_token": "mockgraph.graph.tokens",
    "MockCredential": "mockgraph.harness.credentials",
    "AsyncMockCredential": "mockgraph.harness.credentials",
    "graph_client": "mockgraph.harness.credentials",
    "FixtureError": "mockgraph.fixtures.files",
}
__all__ = [
    "create_app", "MockGraph", "intercept", "make_token", "MockCredential", "AsyncMockCredential", "graph_client",
    "FixtureError",
]

if TYPE_CHECKING:
    from mockgraph.app import create_app
    from mockgraph.fixtures.files import FixtureError
    from mockgraph.graph.tokens import make_token
    from mockgraph.harness.credentials import AsyncMockCredential, MockCredential, graph_client
    from mockgraph.harness.intercept import intercept
    from mockgraph.harness.live import MockGraph


def __getattr__(name: str):
    if name == "__version__":
        from mockgraph.version import package_version

        globals()[name] = version = package_version()
        return version
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mockgraph' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, "__version__"})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value) -> None:
        # Importing a submodule binds it on its package (`mockgraph.intercept` the module), which would
        # hide the exported function of the same name; an exported name keeps what it exports.
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
