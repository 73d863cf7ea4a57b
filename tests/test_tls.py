"""HTTPS on request (CONTRACT §9): `mockgraph serve --tls` / `--cert --key`, and `MockGraph(tls=True)`."""

from __future__ import annotations

import os
import socket
import ssl
import time
import urllib.request

import pytest
import requests
from conftest import ADELE, SEED_PAGE_ID
from live import ServedMock

from mockgraph import MockGraph
from mockgraph.serving.cli import main
from mockgraph.serving.tls import self_signed

AUTH = {"Authorization": "Bearer x"}


def position_url(base: str) -> str:
    return f"{base}/users/{ADELE}/profile/positions/{SEED_PAGE_ID}"


def certificate_line(mock: ServedMock) -> str:
    line = mock.process.stdout.readline().strip()
    prefix = "mockgraph certificate: "
    assert line.startswith(prefix), line
    return line[len(prefix):]


def test_serve_tls_makes_a_certificate_and_names_it():
    with ServedMock("--tls") as mock:
        assert mock.base_url.startswith("https://127.0.0.1:")
        cert = certificate_line(mock)
        response = requests.get(position_url(mock.base_url), headers=AUTH, verify=cert, timeout=10)
        assert response.status_code == 200 and response.json()["id"] == SEED_PAGE_ID
        assert response.json()["@odata.context"].startswith("https://")  # links keep the scheme
        # Not a certificate anyone else trusts: without it, verification fails.
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(position_url(mock.base_url), headers=AUTH, timeout=10)
        mock.stop()
    assert not os.path.exists(cert)  # removed at exit


def test_serve_with_own_certificate_and_key():
    files = self_signed()
    try:
        with ServedMock("--cert", str(files.cert), "--key", str(files.key)) as mock:
            assert certificate_line(mock) == str(files.cert)
            response = requests.get(position_url(mock.base_url), headers=AUTH, verify=str(files.cert), timeout=10)
            assert response.status_code == 200
            mock.stop()
        assert files.cert.exists()  # the user's own files stay
    finally:
        files.remove()


@pytest.mark.parametrize("args", [["--cert", "c.pem"], ["--key", "k.pem"], ["--cert", "missing.pem", "--key", "k"]])
def test_bad_certificate_options_are_a_one_line_error(args, capsys):
    assert main(["serve", "--port", "0", "--quiet", *args]) == 1
    stderr = capsys.readouterr().err
    assert stderr.strip().count("\n") == 0 and "cert" in stderr


def test_mockgraph_tls():
    with MockGraph(tls=True) as mock:
        assert mock.base_url == f"https://127.0.0.1:{mock.port}/beta"
        cert = mock.certificate
        response = requests.get(position_url(mock.base_url), headers=AUTH, verify=cert, timeout=10)
        assert response.status_code == 200
        # Strict X.509 checking (Python 3.13's default for new contexts) accepts it too.
        context = ssl.create_default_context(cafile=cert)
        context.verify_flags |= ssl.VERIFY_X509_STRICT
        request = urllib.request.Request(f"{mock.url}/_mockgraph/health")
        with urllib.request.urlopen(request, context=context, timeout=10) as answer:
            assert answer.status == 200
        # The name localhost is on the certificate as well as the address.
        localhost = position_url(mock.base_url).replace("127.0.0.1", "localhost")
        assert requests.get(localhost, headers=AUTH, verify=cert, timeout=10).status_code == 200
        assert mock.requests.last["status"] == 200
    assert not os.path.exists(cert)


def test_a_client_hanging_up_mid_request_is_one_log_line_not_tracebacks(capfd):
    with MockGraph(tls=True) as mock:
        context = ssl.create_default_context(cafile=mock.certificate)
        with context.wrap_socket(socket.create_connection(("127.0.0.1", mock.port), timeout=10),
                                 server_hostname="127.0.0.1") as sock:
            sock.sendall(b"GET /_mockgraph/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and hangs up
        logged = ""
        deadline = time.monotonic() + 10  # a guard against a hang, not a speed requirement
        while "socket.error" not in logged and time.monotonic() < deadline:
            time.sleep(0.05)
            logged += capfd.readouterr().err
    assert "socket.error" in logged and "Traceback" not in logged
