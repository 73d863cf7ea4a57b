"""Options that cannot work are refused at start, in the same words from the command line
(`mockgraph serve`: one line, exit status 2 as argparse does, or 1) and from Python (`ValueError` from
`create_app`, `MockGraph`, `make_server`); and a refused start leaves nothing open."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ADELE_UPN

from mockgraph import MockGraph, create_app
from mockgraph.serving.server import make_server
from mockgraph.serving.tls import self_signed

PERSON = "5d7e9f10-2b3c-4d5e-8f60-718293a4b5c6"
SEED = {"users": [{"id": PERSON, "userPrincipalName": "seeded@contoso.com", "displayName": "Seeded",
                   "positions": []}]}


def refused(argv: list[str]) -> tuple[int, str]:
    """Exit status and the error line of `mockgraph serve ...` (argparse's usage lines aside). A
    subprocess: were the option accepted, it would serve, and the timeout would fail the test."""
    result = subprocess.run([sys.executable, "-m", "mockgraph", "serve", "--quiet", *argv],
                            capture_output=True, text=True, timeout=60)
    usage = ("usage:", " ")  # argparse's usage, and its continuation lines
    lines = [line for line in result.stderr.splitlines() if line and not line.startswith(usage)]
    assert len(lines) == 1, lines
    return result.returncode, lines[0]


@pytest.mark.parametrize("port", ["65536", "70000", "-1", "http", "1.5"])
def test_a_port_outside_0_to_65535_is_refused(port):
    status, line = refused(["--port", port])
    assert status == 2 and "argument --port: port must be a whole number from 0 to 65535" in line
    if port.lstrip("-").isdigit():
        with pytest.raises(ValueError, match="port must be a whole number from 0 to 65535") as raised:
            MockGraph(port=int(port))
        assert str(raised.value) in line  # the same words
        with pytest.raises(ValueError, match="port must be"):
            make_server(create_app(), port=int(port))


def test_me_naming_nobody_is_refused(tmp_path):
    status, line = refused(["--port", "0", "--me", "nobody@contoso.com"])
    assert status == 1 and line.startswith("mockgraph: me names nobody in the data") and "nobody@contoso.com" in line
    with pytest.raises(ValueError) as raised:
        create_app(me="nobody@contoso.com")
    assert line == f"mockgraph: {raised.value}"
    db = str(tmp_path / "state.db")
    with pytest.raises(ValueError, match="me names nobody"):
        MockGraph(me="nobody@contoso.com", db=db)
    with MockGraph(db=db) as mock:  # the file was closed: a new mock opens it
        mock.seed(SEED)
    # Someone stored in the --db file (not in the fixtures) is somebody.
    with MockGraph(db=db, me="seeded@contoso.com") as mock:
        assert mock.mock_state.default_user()["id"] == PERSON
    assert create_app(me=ADELE_UPN.upper())  # matched as stored, ignoring case


def test_tls_with_a_certificate_of_ones_own_is_refused():
    files = self_signed()
    try:
        status, line = refused(["--port", "0", "--tls", "--cert", str(files.cert), "--key", str(files.key)])
        assert status == 1 and "tls makes its own certificate" in line
        with pytest.raises(ValueError) as raised:
            MockGraph(tls=True, cert=str(files.cert), key=str(files.key))
        assert line == f"mockgraph: {raised.value}"
    finally:
        files.remove()


def test_cert_without_key_is_refused_in_the_same_words():
    status, line = refused(["--port", "0", "--cert", "c.pem"])
    with pytest.raises(ValueError) as raised:
        MockGraph(cert="c.pem")
    assert status == 1 and line == f"mockgraph: {raised.value}" and "cert and key go together" in line
