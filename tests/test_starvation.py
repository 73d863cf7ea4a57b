"""No client can hold the others up (issue 10, "No starvation"), over HTTP (waitress) and HTTPS (cheroot).

Raw sockets on loopback, bounded counts. Each check is progress within a generous limit: a new client
must be answered before its own 10 s timeout (waiting out the server's old two-minute timeouts is a
fail), never a measure of speed.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time

import pytest
import requests
from live import ServedMock

from mockgraph import MockGraph
from mockgraph.serving import https, server

PATIENCE = 10  # seconds a new client waits before the test calls it starved
# A TLS 1.2 record header and the start of a ClientHello: a handshake that never finishes.
PARTIAL_CLIENT_HELLO = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
HALF_SENT_REQUEST = b"GET /_mockgraph/health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"


@pytest.fixture(params=["http", "https"])
def mock(request):
    with MockGraph(tls=request.param == "https") as served:
        yield served


def answered(mock: MockGraph, times: int = 3) -> None:
    """New clients, each on its own connection, are served before they give up."""
    for _ in range(times):
        response = requests.get(f"{mock.url}/_mockgraph/health", timeout=PATIENCE, verify=mock.certificate,
                                headers={"Connection": "close"})
        assert response.status_code == 200


def connect(mock: MockGraph, *, handshake: bool = True) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", mock.port), timeout=PATIENCE)
    if mock.certificate and handshake:
        sock = ssl.create_default_context(cafile=mock.certificate).wrap_socket(sock, server_hostname="127.0.0.1")
    return sock


@contextlib.contextmanager
def held_open(sockets: list[socket.socket]):
    try:
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def read_one_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data or not data.endswith(b"}"):
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    return data


def test_many_idle_keep_alive_connections_leave_room_for_new_clients(mock):
    # waitress's default was 100 connections: one client's keep-alive pool could fill it for 2 minutes.
    with held_open([]) as idle:
        for _ in range(150):
            sock = connect(mock)
            idle.append(sock)
            sock.sendall(b"GET /_mockgraph/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert read_one_response(sock).startswith(b"HTTP/1.1 200")
        answered(mock)


def test_half_sent_requests_do_not_hold_up_new_clients(mock):
    # More than the 8 workers cheroot had: each blocked on its half-sent request.
    with held_open([connect(mock) for _ in range(12)]) as slow:
        for sock in slow:
            sock.sendall(HALF_SENT_REQUEST)
        answered(mock)


def test_silent_connections_and_unfinished_handshakes_do_not_block_the_accept_loop(mock):
    # Over HTTPS one connection that never finished its handshake blocked every new client.
    with held_open([connect(mock, handshake=False) for _ in range(12)]) as pending:
        for sock in pending[::2]:
            sock.sendall(PARTIAL_CLIENT_HELLO)
        answered(mock)


def test_serve_tls_is_not_blocked_by_a_connection_that_never_handshakes():
    with ServedMock("--tls") as served:
        cert = served.process.stdout.readline().strip().removeprefix("mockgraph certificate: ")
        port = int(served.base_url.rsplit(":", 1)[1].split("/")[0])
        with held_open([socket.create_connection(("127.0.0.1", port), timeout=PATIENCE)]):
            response = requests.get(served.base_url.replace("/beta", "/_mockgraph/health"), verify=cert,
                                    timeout=PATIENCE)
            assert response.status_code == 200


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_a_stalled_request_is_dropped_after_the_timeout(monkeypatch, tls):
    # The timeouts are real: shortened here so that the test need not wait out the defaults.
    monkeypatch.setattr(server, "IDLE_TIMEOUT", 1)
    monkeypatch.setattr(server, "CLEANUP_INTERVAL", 0.5)
    monkeypatch.setattr(https, "READ_TIMEOUT", 1)
    with MockGraph(tls=tls) as mock, held_open([connect(mock)]) as (sock,):
        sock.sendall(HALF_SENT_REQUEST)
        started = time.monotonic()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            while sock.recv(65536):  # cheroot answers 408 first; waitress just closes
                pass
        assert time.monotonic() - started < PATIENCE  # closed by the server, not by the socket's timeout

