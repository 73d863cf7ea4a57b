"""HTTPS on cheroot (waitress has no TLS), set up so that no client can hold the others up.

cheroot does the TLS handshake on its accept loop, so one TCP connection that never sends a ClientHello
blocks every new client until its socket times out. Here the handshake waits in cheroot's selector for
the client's first bytes (free), then runs in a worker thread with its own deadline; half-sent requests
each hold one of many workers for at most `READ_TIMEOUT` of silence.
"""

from __future__ import annotations

import selectors
import ssl
import sys

from cheroot import wsgi
from cheroot.server import HTTPConnection
from cheroot.ssl.builtin import BuiltinSSLAdapter

# Workers read requests with blocking sockets: each half-sent request holds one until it goes quiet
# for READ_TIMEOUT, so there are enough for a few of those and the real clients beside them.
THREADS = 32
READ_TIMEOUT = 10  # seconds of silence mid-request (and idle keep-alive) before the connection is dropped
HANDSHAKE_TIMEOUT = 10
# cheroot waits up to this long (its select timeout) before it notices a stop; its default is 0.5 s.
STOP_LATENCY = 0.02
# How long stop() waits for busy workers before shutting their sockets' reading side: one reading a
# half-sent request would otherwise hold it up for READ_TIMEOUT. Requests being answered still finish.
SHUTDOWN_GRACE = 0.1


class DeferredHandshakeAdapter(BuiltinSSLAdapter):
    """Python's TLS, without the handshake on the accept path (`TLSConnection` does it)."""

    def wrap(self, sock):
        return self.context.wrap_socket(sock, do_handshake_on_connect=False, server_side=True), {}


class TLSConnection(HTTPConnection):
    """A connection that completes its handshake in the worker thread, once the client has sent bytes."""

    handshaken = False

    def communicate(self) -> bool:
        if not self.handshaken:
            if not _readable(self.socket):
                return True  # nothing sent yet: back to the selector, which waits at no cost (and expires it)
            if not self._handshake():
                return False
        return super().communicate()

    def _handshake(self) -> bool:
        try:
            self.socket.settimeout(HANDSHAKE_TIMEOUT)
            self.socket.do_handshake()
            self.socket.settimeout(self.server.timeout)
            self.ssl_env = self.server.ssl_adapter.get_environ(self.socket)
        except (OSError, ValueError):  # a silent, slow, plain-HTTP or broken client: drop it quietly
            return False
        self.handshaken = True
        return True


def _readable(sock) -> bool:
    # A selector, not select(): it works for any descriptor number.
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        return bool(selector.select(0))


class Server(wsgi.Server):
    bind_error: OSError | None = None  # why the last bind failed: cheroot's own error drops the errno

    def error_log(self, msg="", level=20, traceback=False):
        # A client that hung up mid-request or mid-TLS is the client's business: cheroot's line, without
        # the tracebacks it adds for each one (a few per slow or vanished client).
        if isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError):
            traceback = False
        super().error_log(msg, level, traceback)

    def bind(self, family, type, proto=0):
        """cheroot's, but a socket that cannot bind is closed now (not when its traceback is freed)."""
        sock = self.prepare_socket(self.bind_addr, family, type, proto, self.nodelay, self.ssl_adapter,
                                   self.reuse_port)
        try:
            sock = self.socket = self.bind_socket(sock, self.bind_addr)
        except OSError as error:
            sock.close()
            self.bind_error = error
            raise
        self.bind_addr = self.resolve_real_bind_addr(sock)
        return sock


def tls_server(app, host: str, port: int, certificate: tuple[str, str], body_cap: int) -> Server:
    """A cheroot WSGI server for `app`, not yet bound. ValueError for a certificate it cannot use."""
    server = Server((host, port), app, numthreads=THREADS, server_name="mockgraph", request_queue_size=128,
                    timeout=READ_TIMEOUT, shutdown_timeout=SHUTDOWN_GRACE)
    server.max_request_body_size = body_cap
    server.expiration_interval = STOP_LATENCY
    server.ConnectionClass = TLSConnection
    try:
        server.ssl_adapter = DeferredHandshakeAdapter(*certificate)
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot use the certificate {certificate[0]} with the key {certificate[1]}: "
                         f"{getattr(error, 'strerror', None) or error}") from None
    return server
