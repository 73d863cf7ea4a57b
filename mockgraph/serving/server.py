"""Serving the app over HTTP with waitress, a production WSGI server (pure Python, every platform), and
over HTTPS with cheroot (waitress has no TLS; see https.py).

No client may hold the others up. waitress reads requests on its event loop, so a half-sent request
costs a connection slot, never a worker; slots are many, and idle or stalled connections give theirs
back after `IDLE_TIMEOUT`.
"""

from __future__ import annotations

import errno
import ipaddress
import select
import socket
import threading

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ThreadedTaskDispatcher, WSGITask
from waitress.trigger import trigger

from mockgraph.options import check_port

THREADS = 8  # app workers (writes take the store's lock anyway)
ADDRESS_IN_USE = (errno.EADDRINUSE, 48, 10048)  # Linux, macOS, Windows
# Open connections served at once (waitress's default, 100, is reached by one keep-alive pool), fewer
# where the process may open fewer files. Past it waitress stops accepting until a slot frees.
CONNECTION_LIMIT = 1000
SPARE_FILES = 64  # descriptors left for the store, the journal, pipes and the app's own
SELECT_LIMIT = 500  # Windows' select() watches at most 512 sockets
# Seconds before an idle keep-alive connection, or one whose request stopped arriving, is closed (waitress's
# default is 120 s); the check runs every CLEANUP_INTERVAL. A request being answered is never cut.
IDLE_TIMEOUT = 30
CLEANUP_INTERVAL = 5


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
    check_port(port)
    if certificate is not None:
        return TLSServer(app, host, port, certificate, body_cap)
    use_poll = hasattr(select, "poll")  # poll() has no descriptor ceiling; select() stops at 1024
    # Our own socket map and worker pool: waitress makes its trigger pipe and listening socket before it
    # binds, and would start its workers too, leaking all three when the bind fails.
    socket_map: dict = {}
    workers = ThreadedTaskDispatcher()
    try:
        server = create_server(app, map=socket_map, _dispatcher=workers, host=host, port=port, ident="mockgraph",
                               max_request_body_size=body_cap, clear_untrusted_proxy_headers=True,
                               connection_limit=connection_limit(use_poll), channel_timeout=IDLE_TIMEOUT,
                               cleanup_interval=CLEANUP_INTERVAL, asyncore_use_poll=use_poll)
    except BaseException as error:
        for obj in list(socket_map.values()):
            obj.close()
        if isinstance(error, OSError) and error.errno in ADDRESS_IN_USE:
            raise PortInUse(f"port {port} on {host} is already in use") from None
        raise
    workers.set_thread_count(THREADS)
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
        from mockgraph.serving.https import tls_server

        server = tls_server(app, host, port, certificate, body_cap)
        try:
            server.prepare()  # binds and listens, then starts its workers
        except OSError:
            # cheroot's own error has no errno: the bind's does.
            if getattr(server.bind_error, "errno", None) in ADDRESS_IN_USE:
                raise PortInUse(f"port {port} on {host} is already in use") from None
            raise
        self._server = server
        self.effective_port = server.bind_addr[1]

    def run(self) -> None:
        self._server.serve()

    def close(self) -> None:
        self._server.stop()


def connection_limit(use_poll: bool = True) -> int:
    limit = CONNECTION_LIMIT if use_poll else SELECT_LIMIT
    try:
        import resource
    except ImportError:  # Windows: no descriptor limit to respect
        return limit
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return limit
    return max(SPARE_FILES, min(limit, soft - SPARE_FILES))


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
