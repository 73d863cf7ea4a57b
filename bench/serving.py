"""Serve the reference app as `MockGraph` serves the mock: `mockgraph.server.make_server` (waitress) in a
background thread of this process, on a free port."""

from __future__ import annotations

import threading

from mockgraph.serving.server import make_server, stop


class Served:
    """`with Served(app) as served:` ... `served.port`."""

    def __init__(self, app):
        self._server = make_server(app, "127.0.0.1", 0)
        self.port = int(self._server.effective_port)
        self._thread = threading.Thread(target=self._server.run, name=f"bench-server-{self.port}", daemon=True)

    def __enter__(self) -> Served:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        stop(self._server, self._thread)
