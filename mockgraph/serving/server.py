"""Serving the app over HTTP with waitress, a production WSGI server (pure Python, every platform), and
over HTTPS with cheroot (waitress has no TLS)."""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import WSGITask
from waitress.trigger import trigger

THREADS = 8
ADDRESS_IN_USE = (errno.EADDRINUSE, 48, 10048)  # Linux, macOS, Windows
# cheroot waits up to this long (its select timeout) before it notices a stop; its default is 0.5 s.
TLS_STOP_LATENCY = 0.02


class PortInUse(OSError):
    pass


def make_server(app, host: str = "127.0.0.1", port: int = 8765, *, max_body: int | None = None,
                certificate: tuple[str, str] | None = None):
    """A bound, listening server; `.effective_port` is the port (useful with port 0), `.run()` serves
    until `.close()` (or `stop(server)` from another thread). With `certificate=(cert file, key file)`,
    HTTPS on cheroot; else HTTP on waitress."""
    # The server buffers the whole body before the app runs; cap what it accepts well above our own
    # limit so that the app (not the server) answers the Graph-shaped 413 for ordinary oversizes.
    body_cap = max(64 * 1024 * 1024, 4 * (max_body or 0))
    if certificate is not None:
        return TLSServer(app, host, port, certificate, body_cap)
    try:
        server = create_server(app, host=host, port=port, threads=THREADS, ident="mockgraph",
                               max_request_body_size=body_cap, clear_untrusted_proxy_headers=True,
                               channel_timeout=120)
    except OSError as error:
        if error.errno in ADDRESS_IN_USE:
            raise PortInUse(f"port {port} on {host} is already in use") from None
        raise
    loop_map = server._map if hasattr(server, "_map") else server.map  # one socket, or several
    for listener in loop_map.values():
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = KeepAliveChannel
    return server


class BodilessKeepAliveTask(WSGITask):
    """waitress closes the connection after every 204 and 304 under HTTP/1.1: it finds no Content-Length
    (which such answers must not carry) and takes that for a body of unknown length. An answer that
    cannot have a body ends with its headers, so the connection stays open unless the client asked to
    close it: a client deleting many items keeps one connection."""

    _keep_open = False

    def build_response_header(self):
        self._keep_open = (self.version == "1.1" and not self.has_body and not self.close_on_finish
                           and self.request.headers.get("CONNECTION", "").lower() != "close")
        try:
            return super().build_response_header()
        finally:
            self._keep_open = False

    def set_close_on_finish(self) -> None:
        if not self._keep_open:
            super().set_close_on_finish()


class KeepAliveChannel(HTTPChannel):
    task_class = BodilessKeepAliveTask


class TLSServer:
    """cheroot's WSGI server with Python's TLS, behind the same few names as a waitress server."""

    def __init__(self, app, host: str, port: int, certificate: tuple[str, str], body_cap: int):
        from cheroot import wsgi
        from cheroot.ssl.builtin import BuiltinSSLAdapter

        server = wsgi.Server((host, port), app, numthreads=THREADS, server_name="mockgraph", request_queue_size=128,
                             timeout=120, shutdown_timeout=5)
        server.max_request_body_size = body_cap
        server.expiration_interval = TLS_STOP_LATENCY
        try:
            server.ssl_adapter = BuiltinSSLAdapter(*certificate)
        except (OSError, ValueError) as error:
            raise ValueError(f"cannot use the certificate {certificate[0]} with the key {certificate[1]}: "
                             f"{getattr(error, 'strerror', None) or error}") from None
        try:
            server.prepare()  # binds and listens
        except OSError as error:
            cause = error.__cause__ if isinstance(error.__cause__, OSError) else error
            if cause.errno in ADDRESS_IN_USE:
                raise PortInUse(f"port {port} on {host} is already in use") from None
            raise
        self._server = server
        self.effective_port = server.bind_addr[1]

    def run(self) -> None:
        self._server.serve()

    def close(self) -> None:
        self._server.stop()


def stop(server, thread: threading.Thread, timeout: float = 10) -> None:
    """Stop a server whose `run()` goes on in `thread`, without waiting out a poll interval (waitress
    polls once a second), and return once that thread has ended."""
    if isinstance(server, TLSServer):
        server.close()
        thread.join(timeout)
        return
    # Sockets are closed from waitress's own loop thread (closing them from here could break a poll in
    # progress): its trigger wakes the loop, which then finds an empty map and returns. The triggers'
    # pipes stay open until the loop has ended: a worker thread may still pull one meanwhile, and the
    # loop may run our thunk before our own pull has written to the pipe.
    loop_map = server._map if hasattr(server, "_map") else server.map  # one socket, or several
    triggers = [obj for obj in loop_map.values() if isinstance(obj, trigger)]

    def close_all_but_triggers():
        for obj in list(loop_map.values()):
            if isinstance(obj, trigger):
                obj.del_channel()
            else:
                # Not the server's own close(), which would close its trigger now.
                wasyncore.dispatcher.close(obj)

    triggers[0].pull_trigger(close_all_but_triggers)
    thread.join(timeout)
    server.task_dispatcher.shutdown()
    for obj in triggers:
        obj.close()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
        except OSError:
            return False
