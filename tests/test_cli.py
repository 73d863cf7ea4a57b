"""CONTRACT §7, §9 over real HTTP: the command line, persistence with --db, crash safety."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import time
import tomllib
from importlib import metadata
from pathlib import Path

import requests
from conftest import ADELE, SEED_PAGE_ID
from live import ServedMock

from mockgraph import make_token

REPO = Path(__file__).resolve().parent.parent
AUTH = {"Authorization": "Bearer x"}
NEW = {"detail": {"jobTitle": "Written", "company": {"displayName": "Fabrikam"}}}


def positions(base: str, user: str = ADELE) -> str:
    return f"{base}/users/{user}/profile/positions"


def test_serve_answers_over_http_and_logs_each_request():
    with ServedMock(quiet=False) as mock:
        assert mock.base_url.startswith("http://127.0.0.1:")
        response = requests.get(f"{positions(mock.base_url)}/{SEED_PAGE_ID}", headers=AUTH, timeout=10)
        assert response.status_code == 200 and response.json()["id"] == SEED_PAGE_ID
        assert response.headers["request-id"] and response.headers["Content-Type"].startswith("application/json")
        log = mock.stop()
    assert f"GET /beta/users/{ADELE}/profile/positions/{SEED_PAGE_ID} 200" in log


def test_a_failed_request_s_line_names_graph_s_error_code():
    with ServedMock(quiet=False) as mock:
        requests.post(positions(mock.base_url), json={"detail": {"layer": "x"}}, headers=AUTH, timeout=10)
        requests.get(f"{positions(mock.base_url)}/nope", headers=AUTH, timeout=10)
        requests.get(positions(mock.base_url), timeout=10)
        log = mock.stop()
    assert f"POST /beta/users/{ADELE}/profile/positions 400 BadRequest " in log
    assert f"GET /beta/users/{ADELE}/profile/positions/nope 404 itemNotFound " in log
    assert f"GET /beta/users/{ADELE}/profile/positions 401 InvalidAuthenticationToken " in log


def test_verbose_logs_bodies_with_the_token_redacted():
    token = make_token(oid=ADELE, scp="User.ReadWrite")
    with ServedMock("--verbose", quiet=False) as mock:
        created = requests.post(positions(mock.base_url), json=NEW, timeout=10,
                                headers={"Authorization": f"Bearer {token}"})
        log = mock.stop()
    assert created.status_code == 201
    assert f"POST /beta/users/{ADELE}/profile/positions 201 " in log
    assert "  > Authorization: Bearer <redacted>" in log
    assert '  > {"detail": {"jobTitle": "Written"' in log
    assert '  < {"@odata.context"' in log and created.json()["id"] in log
    assert token not in log and token.split(".")[1] not in log


def test_verbose_and_quiet_do_not_go_together():
    result = subprocess.run([sys.executable, "-m", "mockgraph", "serve", "--quiet", "--verbose"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "not allowed with" in result.stderr


def test_quiet_serves_without_request_lines():
    with ServedMock() as mock:
        assert requests.get(positions(mock.base_url), headers=AUTH, timeout=10).status_code == 200
        log = mock.stop()
    assert "GET /beta" not in log


def test_busy_port_is_a_one_line_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "mockgraph", "serve", "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "already in use" in result.stderr


def test_bad_fixture_stops_start_up_naming_file_path_and_reason(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"users": [{"id": ADELE, "userPrincipalName": "a@b.c", "positions": [
        {"detail": {"startMonthYear": "May 2020"}}]}]}))
    result = subprocess.run([sys.executable, "-m", "mockgraph", "serve", "--port", "0", "--fixtures", str(bad)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert str(bad) in result.stderr and "$.users[0].positions[0].detail.startMonthYear" in result.stderr
    assert "YYYY-MM-DD" in result.stderr


DEFAULT_COUNTS = ("fixtures/default.json: ok (6 users, 6 account, 12 addresses, 14 anniversaries, 7 awards, "
                  "8 certifications, 9 educationalActivities, 12 emails, 12 interests, 15 languages, 6 names, "
                  "6 notes, 6 patents, 13 phones, 16 positions, 6 projects, 6 publications, 18 skills, "
                  "7 webAccounts, 6 websites)")


def test_check_fixtures_counts_each_collection(tmp_path):
    ok = run_cli("check-fixtures", "fixtures/default.json", "example-people")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == [DEFAULT_COUNTS,
                                      "example-people: ok (4 users, 6 positions)"]
    empty = tmp_path / "empty.json"
    empty.write_text('{"users": [{"id": "11111111-2222-4333-8444-555555555555", "userPrincipalName": "a@b.c"}]}')
    assert run_cli("check-fixtures", str(empty)).stdout == f"{empty}: ok (1 user, no profile items)\n"


def test_check_fixtures_reports_every_error_in_every_file(tmp_path):
    first = tmp_path / "first.json"
    first.write_text(json.dumps({"users": [
        {"id": "not-a-guid", "userPrincipalName": "no-at-sign", "positions": [
            {"detail": {"layer": "x", "startMonthYear": "May 2020"}},
            {"id": "twice", "detail": {}}]},
        "not a user",
        {"id": ADELE, "userPrincipalName": "a@contoso.com", "positions": [{"id": "TWICE", "detail": {}}, {}]},
    ]}))
    second = tmp_path / "second.json"
    second.write_text("{not json")
    result = run_cli("check-fixtures", str(first), "fixtures/default.json", str(second))
    assert result.returncode == 1
    assert result.stdout == DEFAULT_COUNTS + "\n"
    reported = [line.removeprefix("mockgraph: bad fixture: ") for line in result.stderr.splitlines()]
    assert reported == [
        f"{first}: $.users[0].id: expected a GUID such as 7c1e4b92-3a5d-4f08-b6e1-9d2a0c4f7e13",
        f"{first}: $.users[0].userPrincipalName: expected a userPrincipalName such as adele.vance@contoso.com",
        f"{first}: $.users[0].positions[0].detail.layer: expected an integer (Edm.Int32)",
        f"{first}: $.users[0].positions[0].detail.startMonthYear: expected a date in the form YYYY-MM-DD",
        f"{first}: $.users[1]: expected a user object",
        f"{first}: $.users[2].positions[1].detail: is required",
        f"{first}: $.users[2].positions[0].id: id 'TWICE' appears twice",
        f"{first}: 7 errors",
        f"{second}: $: not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        f"{second}: 1 error",
    ]


def test_warns_when_bound_beyond_loopback():
    with ServedMock("--host", "0.0.0.0") as mock:
        log = mock.stop()
    assert "warning" in log and "0.0.0.0" in log


def test_db_keeps_state_across_restarts_and_reseed_restores(tmp_path):
    db = str(tmp_path / "state.db")
    with ServedMock("--db", db) as mock:
        created = requests.post(positions(mock.base_url), json=NEW, headers=AUTH, timeout=10).json()
        assert requests.delete(f"{positions(mock.base_url)}/{SEED_PAGE_ID}", headers=AUTH,
                               timeout=10).status_code == 204
    with ServedMock("--db", db) as mock:
        ids = {p["id"] for p in requests.get(positions(mock.base_url), headers=AUTH, timeout=10).json()["value"]}
        assert created["id"] in ids and SEED_PAGE_ID not in ids  # the file wins over the fixtures
        again = requests.get(f"{positions(mock.base_url)}/{created['id']}", headers=AUTH, timeout=10).json()
        assert again.pop("@odata.context") != created.pop("@odata.context")  # another port
        assert again == created
    with ServedMock("--db", db, "--reseed") as mock:
        ids = {p["id"] for p in requests.get(positions(mock.base_url), headers=AUTH, timeout=10).json()["value"]}
        assert created["id"] not in ids and SEED_PAGE_ID in ids


def test_sigkill_while_writing_loses_no_acknowledged_write(tmp_path):
    db = str(tmp_path / "state.db")
    acknowledged: list[str] = []
    mock = ServedMock("--db", db)
    stop = threading.Event()

    def write():
        session = requests.Session()
        while not stop.is_set():
            try:
                response = session.post(positions(mock.base_url), json=NEW, headers=AUTH, timeout=10)
            except requests.RequestException:
                return
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])

    writers = [threading.Thread(target=write) for _ in range(2)]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    mock.kill()
    stop.set()
    for writer in writers:
        writer.join(15)
    assert len(acknowledged) >= 60
    with ServedMock("--db", db) as again:
        listed = requests.get(positions(again.base_url) + "?$top=999", headers=AUTH, timeout=10).json()["value"]
    assert set(acknowledged) <= {p["id"] for p in listed}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mockgraph", *args], capture_output=True, text=True, timeout=60)


def test_version_is_the_package_s():
    import mockgraph

    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"mockgraph {mockgraph.__version__}"
    assert mockgraph.__version__ == metadata.version("mockgraph")


def test_version_in_a_source_tree_that_was_never_installed(monkeypatch, tmp_path):
    from mockgraph import version

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    with open(REPO / "pyproject.toml", "rb") as file:
        declared = tomllib.load(file)["project"]["version"]
    assert version.package_version() == declared
    other = tmp_path / "pyproject.toml"
    other.write_text('[project]\nname = "something-else"\nversion = "9.9"\n')
    assert version.source_tree_version(other) == version.UNKNOWN
    assert version.source_tree_version(tmp_path / "absent.toml") == version.UNKNOWN


def test_no_command_prints_the_help_as_a_usage_error():
    result = run_cli()
    assert result.returncode == 2
    assert "serve" in result.stderr and "check-fixtures" in result.stderr and "--version" in result.stderr


def test_serve_help_ends_with_the_address_tokens_control_api_and_examples():
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    epilog = result.stdout[result.stdout.index("--verbose"):]
    assert "http://127.0.0.1:8765/beta" in epilog
    assert "Authorization: Bearer" in epilog and "JWT" in epilog
    assert "/_mockgraph" in epilog
    examples = result.stdout.rstrip().split("examples:\n")[1].splitlines()
    assert len(examples) == 2 and all(line.startswith("  ") for line in examples)


def test_verbose_cuts_long_bodies(caplog):
    from conftest import GraphTestClient

    from mockgraph import create_app
    from mockgraph.control.journal import VERBOSE_BODY_LIMIT

    client = GraphTestClient(create_app())
    body = json.dumps({"detail": {"description": "x" * 20_000}})
    with caplog.at_level(logging.DEBUG, logger="mockgraph.requests"):
        response = client.post("/me/profile/positions", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 201
    (record,) = [r for r in caplog.records if r.name == "mockgraph.requests"]
    logged = next(line for line in record.getMessage().splitlines() if line.startswith("  > {"))
    assert logged == f"  > {body[:VERBOSE_BODY_LIMIT]}... [{len(body)} characters in all]"
