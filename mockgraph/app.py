"""`create_app(**options)`: one independent mock per call (CONTRACT §10)."""

from __future__ import annotations

from functools import cached_property

from flask import Flask

from mockgraph import control
from mockgraph.control import journal
from mockgraph.control.faults import injection as faults
from mockgraph.graph import pipeline, routes
from mockgraph.graph.routes.context import STATE_KEY, request_class_for
from mockgraph.graph.routes.segments import merge_slashes
from mockgraph.options import Options
from mockgraph.state import MockState


def create_app(**options) -> Flask:
    """The WSGI app, seeded with the bundled fixtures unless `fixtures=` names others.

    Options mirror the command line: fixtures, db, reseed, me, page_size, max_body, journal_size,
    journal_bytes, faults, control, host, strict, seed, clock.
    """
    opts = Options(**options)
    state = MockState(opts)
    app = MockgraphFlask("mockgraph")
    app.request_class = request_class_for(state)
    app.config.update(MAX_CONTENT_LENGTH=opts.max_body, JSON_SORT_KEYS=False)
    app.extensions[STATE_KEY] = state
    faults.install(state)
    # Before the pipeline: the journal's entry opens before any check and closes on the final response.
    journal.install(app, state)
    pipeline.install(app, state)
    routes.register(app, state)
    control.register(app, state)
    app.wsgi_app = merge_slashes(app.wsgi_app)
    return app


class MockgraphFlask(Flask):
    def ensure_sync(self, func):
        # Flask asks this of every hook, view and handler on every request, and inspects the function
        # each time; the functions are the registered ones, so the answer is kept per function.
        checked = self._sync_functions.get(func)
        if checked is None:
            checked = self._sync_functions[func] = super().ensure_sync(func)
        return checked

    @cached_property
    def _sync_functions(self) -> dict:
        return {}
