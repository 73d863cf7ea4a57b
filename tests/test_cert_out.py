"""`mockgraph serve --tls --cert-out FILE`: the served certificate where a client can find it (Node's
NODE_EXTRA_CA_CERTS, curl's --cacert, PowerShell), named by the line after the listening line."""

from __future__ import annotations

import subprocess
import sys

import requests
from conftest import ADELE
from live import ServedMock

from mockgraph.serving.tls import self_signed

AUTH = {"Authorization": "Bearer x"}


def certificate_line(mock: ServedMock) -> str:
    line = mock.process.stdout.readline().strip()
    prefix = "mockgraph certificate: "
    assert line.startswith(prefix), line
    return line[len(prefix):]


def test_cert_out_writes_the_served_certificate_and_names_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with ServedMock("--tls", "--cert-out", "mock.pem") as mock:
        named = certificate_line(mock)
        assert named == str(tmp_path / "mock.pem")  # absolute, whatever the option said
        response = requests.get(f"{mock.base_url}/users/{ADELE}", headers=AUTH, verify=named, timeout=10)
        assert response.status_code == 200
        assert (tmp_path / "mock.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")
        assert "PRIVATE KEY" not in (tmp_path / "mock.pem").read_text()
    assert (tmp_path / "mock.pem").exists()  # the user's file stays; the key's folder goes
    assert [p.name for p in tmp_path.iterdir()] == ["mock.pem"]  # no partial file left beside it


def test_cert_out_with_own_certificate_copies_it(tmp_path):
    files = self_signed()
    try:
        out = tmp_path / "copy.pem"
        with ServedMock("--cert", str(files.cert), "--key", str(files.key), "--cert-out", str(out)) as mock:
            assert certificate_line(mock) == str(out)
            assert out.read_bytes() == files.cert.read_bytes()
    finally:
        files.remove()


def serve_fails(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "mockgraph", "serve", "--port", "0", "--quiet", *args],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result
    assert result.stderr.strip().count("\n") == 0, result.stderr
    return result.stderr


def test_cert_out_without_tls_is_a_one_line_error(tmp_path):
    assert "--cert-out" in serve_fails("--cert-out", str(tmp_path / "c.pem"))
    assert not (tmp_path / "c.pem").exists()


def test_cert_out_that_cannot_be_written_is_a_one_line_error(tmp_path):
    stderr = serve_fails("--tls", "--cert-out", str(tmp_path / "missing" / "c.pem"))
    assert "cannot write --cert-out" in stderr and "missing" in stderr
