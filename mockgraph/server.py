"""Serving the app over HTTP with waitress, a production WSGI server (pure Python, every platform)."""

from __future__ import annotations

import ipaddress
import socket

from waitress.server import create_server

THREADS = 8


class PortInUse(OSError):
    pass


def make_server(app, host: str = "127.0.0.1", port: int = 8765, *, max_body: int | None = None):
    """A bound, listening waitress server; `.effective_port` is the port (useful with port 0)."""
    # waitress buffers the whole body before the app runs; cap what it accepts well above our own
    # limit so that the app (not waitress) answers the Graph-shaped 413 for ordinary oversizes.
    body_cap = max(64 * 1024 * 1024, 4 * (max_body or 0))
    try:
        return create_server(app, host=host, port=port, threads=THREADS, ident="mockgraph",
                             max_request_body_size=body_cap, clear_untrusted_proxy_headers=True,
                             channel_timeout=120)
    except OSError as error:
        if error.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise PortInUse(f"port {port} on {host} is already in use") from None
        raise


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
