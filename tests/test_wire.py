"""What goes on the wire, read off a raw socket: status lines with HTTP's reason phrases, and a connection
that stays open after an answer without a body (over HTTP on waitress and HTTPS on cheroot)."""

from __future__ import annotations

import socket
import ssl

import pytest
from conftest import ADELE, SEED_PAGE_ID

from mockgraph import MockGraph

NEW = b'{"detail": {"jobTitle": "Wire", "company": {"displayName": "Contoso"}}}'


class RawConnection:
    """One TCP (or TLS) connection; requests written byte for byte, answers read as sent."""

    def __init__(self, mock: MockGraph):
        sock = socket.create_connection(("127.0.0.1", mock.port), timeout=30)
        if mock.certificate:
            context = ssl.create_default_context(cafile=str(mock.certificate))
            sock = context.wrap_socket(sock, server_hostname="localhost")
        self.sock = sock
        self.buffer = b""

    def send(self, method: str, path: str, body: bytes = b"", headers: tuple[str, ...] = ()) -> None:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Authorization: Bearer x", *headers]
        if body:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    def answer(self) -> tuple[str, dict[str, str], bytes]:
        """The status line, the headers (names in lower case) and the body; EOFError if the server closed."""
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status_line, headers, body

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("the server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module", params=["http", "https"])
def mock(request):
    with MockGraph(tls=request.param == "https") as served:
        yield served


@pytest.fixture
def connection(mock):
    mock.reset()
    raw = RawConnection(mock)
    yield raw
    raw.close()


POSITIONS = f"/beta/users/{ADELE}/profile/positions"


@pytest.mark.parametrize("method, path, body, status_line", [
    ("GET", f"{POSITIONS}/{SEED_PAGE_ID}", b"", "HTTP/1.1 200 OK"),
    ("POST", POSITIONS, NEW, "HTTP/1.1 201 Created"),
    ("DELETE", f"{POSITIONS}/{SEED_PAGE_ID}", b"", "HTTP/1.1 204 No Content"),
    ("GET", f"{POSITIONS}/unknown", b"", "HTTP/1.1 404 Not Found"),
    ("POST", POSITIONS, b"{}", "HTTP/1.1 400 Bad Request"),
    ("PUT", POSITIONS, b"", "HTTP/1.1 405 Method Not Allowed"),
    ("POST", "/_mockgraph/reset", b"", "HTTP/1.1 204 No Content"),
])
def test_status_lines_carry_the_standard_reason_phrase(connection, method, path, body, status_line):
    connection.send(method, path, body)
    assert connection.answer()[0] == status_line


def test_a_bodiless_answer_keeps_the_connection_open(connection):
    for path in (f"{POSITIONS}/{SEED_PAGE_ID}", "/_mockgraph/reset"):
        connection.send("DELETE" if path.startswith("/beta") else "POST", path)
        status_line, headers, body = connection.answer()
        assert status_line.endswith("204 No Content") and body == b""
        assert headers.get("connection", "").lower() != "close"
        assert "content-length" not in headers or headers["content-length"] == "0"
        connection.send("GET", "/beta/me")  # on the same connection
        assert connection.answer()[0] == "HTTP/1.1 200 OK"


def test_a_client_that_asks_to_close_still_gets_its_close(connection):
    connection.send("DELETE", f"{POSITIONS}/{SEED_PAGE_ID}", headers=("Connection: close",))
    status_line, headers, _ = connection.answer()
    assert status_line.endswith("204 No Content")
    with pytest.raises(EOFError):  # the server closes its end, with nothing more to read
        connection.answer()
