"""`MockGraph`: the mock served for real on a free port, from a background thread of this process
(CONTRACT §10). For test suites (the pytest plugin is built on it) and scripts; no pytest needed."""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from pathlib import Path

from mockgraph.app import create_app
from mockgraph.control.surface import MockControls
from mockgraph.graph.routes.context import STATE_KEY
from mockgraph.options import check_certificate, check_port
from mockgraph.serving.server import make_server, stop
from mockgraph.serving.tls import CertificateFiles, self_signed
from mockgraph.state import MockState

READY_TIMEOUT = 30  # seconds for the first answer before start() gives up (a loaded CI machine, not a goal)
WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


class MockGraph(MockControls):
    """A running mock: `MockGraph(**options)` returns once the server answers; `stop()` (or leaving a
    `with` block) ends it.

    Options are `create_app`'s (fixtures, db, reseed, me, page_size, max_body, journal_size, faults,
    control, strict, seed, clock) plus where to serve: `host`, `port` (0: a free one), and `tls=True`
    for HTTPS with a self-signed certificate (`.certificate` is its file), or `cert`/`key` files.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, tls: bool = False, cert: str | None = None,
                 key: str | None = None, **options):
        # Checked before the app exists: a mock that cannot start opens no --db file.
        check_port(port)
        check_certificate(tls, cert, key)
        self.app = create_app(host=host, **options)  # the control API accepts requests addressed to it
        self.mock_state: MockState = self.app.extensions[STATE_KEY]
        self.host = host
        self._port = port
        self._given_certificate = CertificateFiles(Path(cert), Path(key)) if cert is not None else None
        self._tls = tls or cert is not None
        self._certificate: CertificateFiles | None = None
        self._server = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.port: int | None = None
        self.start()

    # Life cycle

    def start(self) -> MockGraph:
        """Serve, and return once a real request is answered. A no-op while running; a stopped mock
        stays stopped (its store is closed): make a new one."""
        if self._server is not None:
            return self
        if self._stopped:
            raise RuntimeError("this MockGraph was stopped; make a new one")
        try:
            if self._tls:
                self._certificate = self._given_certificate or self_signed(self.host)
            certificate = (str(self._certificate.cert), str(self._certificate.key)) if self._certificate else None
            server = make_server(self.app, self.host, self._port, max_body=self.mock_state.options.max_body,
                                 certificate=certificate)
        except BaseException:
            self.stop()  # a port in use, a bad certificate: nothing is left open
            raise
        self._server, self.port = server, int(server.effective_port)
        self._thread = threading.Thread(target=server.run, name=f"mockgraph-{self.port}", daemon=True)
        self._thread.start()
        try:
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop serving at once, close the store, and delete a certificate made for this mock."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        # Requests waiting out a delay rule go on (and end) now, so that no worker holds the stop up.
        self.mock_state.faults.release(for_good=True)
        if server is not None:
            stop(server, thread)
        if not self._stopped:
            self._stopped = True
            self.mock_state.repository.close()
            self._remove_certificate()

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> MockGraph:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<MockGraph {self.base_url if self.running else 'stopped'}>"

    # Where it is

    @property
    def url(self) -> str:
        """The root, e.g. `http://127.0.0.1:53211` (the control API is under `/_mockgraph`)."""
        host = WILDCARDS.get(self.host, self.host)
        host = f"[{host}]" if ":" in host else host
        return f"{'https' if self._tls else 'http'}://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What a Graph client calls, e.g. `http://127.0.0.1:53211/beta`."""
        return self.url + "/beta"

    @property
    def certificate(self) -> str | None:
        """The certificate file clients verify HTTPS against (`verify=mock.certificate`); None over HTTP."""
        return str(self._certificate.cert) if self._certificate else None

    # Internals

    def _wait_until_answering(self) -> None:
        host = WILDCARDS.get(self.host, self.host)
        if not self.mock_state.options.control:
            # No endpoint that answers without being journaled: a connection must do.
            socket.create_connection((host, self.port), timeout=READY_TIMEOUT).close()
            return
        if self._tls:
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # only asking: are you up?
            connection = http.client.HTTPSConnection(host, self.port, timeout=READY_TIMEOUT, context=context)
        else:
            connection = http.client.HTTPConnection(host, self.port, timeout=READY_TIMEOUT)
        try:
            connection.request("GET", "/_mockgraph/health")
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"mockgraph did not start: its health check answered {response.status}")

    def _remove_certificate(self) -> None:
        if self._certificate is not None and self._certificate is not self._given_certificate:
            self._certificate.remove()
