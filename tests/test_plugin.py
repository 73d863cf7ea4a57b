"""The pytest plugin, as a user meets it: a separate pytest run (installed through the `pytest11` entry
point) over a small test suite of their own, in order and under pytest-xdist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

PERSON = "5d7e9f10-2b3c-4d5e-8f60-718293a4b5c6"
PEOPLE = {"users": [{"id": PERSON, "userPrincipalName": "pat@contoso.com", "displayName": "Pat",
                     "positions": [{"detail": {"jobTitle": f"Job {i}", "company": {"displayName": "Contoso"}}}
                                   for i in range(3)]}]}
EXTRA = {"users": [{"id": "6e8f0a21-3c4d-4e5f-9071-8293a4b5c6d7", "userPrincipalName": "extra@contoso.com"}]}

# Runs in the order written; each test relies on what the previous one did *not* leave behind.
SEQUENTIAL = '''
import pytest
import requests

AUTH = {"Authorization": "Bearer x"}
NEW = {"detail": {"jobTitle": "Left behind", "company": {"displayName": "Contoso"}}}


def titles(mock, user="pat@contoso.com"):
    url = f"{mock.base_url}/users/{user}/profile/positions?$top=999"
    return [p["detail"]["jobTitle"] for p in requests.get(url, headers=AUTH, timeout=10).json()["value"]]


def users(mock):
    return {u["userPrincipalName"] for u in mock.state()["users"]}


def test_serves_the_ini_fixtures_with_the_ini_page_size(mockgraph):
    assert users(mockgraph) == {"pat@contoso.com"}
    page = requests.get(f"{mockgraph.base_url}/me/profile/positions", headers=AUTH, timeout=10).json()
    assert len(page["value"]) == 2 and "@odata.nextLink" in page


def test_writes(mockgraph):
    assert requests.post(f"{mockgraph.base_url}/me/profile/positions", json=NEW, headers=AUTH,
                         timeout=10).status_code == 201
    assert "Left behind" in titles(mockgraph)


def test_the_write_is_gone_and_so_is_its_journal(mockgraph):
    assert titles(mockgraph) == ["Job 0", "Job 1", "Job 2"]
    assert len(mockgraph.requests) == 1  # this test's own request only


@pytest.mark.xfail(strict=True, reason="fails after writing")
def test_fails_after_writing(mockgraph):
    requests.post(f"{mockgraph.base_url}/me/profile/positions", json=NEW, headers=AUTH, timeout=10)
    assert False


def test_a_failed_test_leaves_nothing_either(mockgraph):
    assert "Left behind" not in titles(mockgraph)


@pytest.mark.mockgraph_seed({"users": [{"id": "7f9a1b32-4d5e-4f60-8182-93a4b5c6d7e8",
                                        "userPrincipalName": "marked@contoso.com"}]})
def test_seed_marker_with_data(mockgraph):
    assert users(mockgraph) == {"pat@contoso.com", "marked@contoso.com"}


@pytest.mark.mockgraph_seed("extra.json")
class TestMarkers:
    @pytest.mark.mockgraph_seed({"users": [{"id": "7f9a1b32-4d5e-4f60-8182-93a4b5c6d7e8",
                                            "userPrincipalName": "marked@contoso.com"}]})
    def test_class_and_function_markers_both_apply(self, mockgraph):
        assert users(mockgraph) == {"pat@contoso.com", "marked@contoso.com", "extra@contoso.com"}

    def test_a_file_relative_to_the_test(self, mockgraph):
        assert users(mockgraph) == {"pat@contoso.com", "extra@contoso.com"}


def test_marked_data_is_gone_in_the_next_test(mockgraph):
    assert users(mockgraph) == {"pat@contoso.com"}


def test_one_server_for_the_session(mockgraph, mockgraph_server):
    assert mockgraph is mockgraph_server and mockgraph.running
'''

# Under `--dist each`, this one test runs on both workers at once; they meet half-way through.
PARALLEL = '''
import os
import pathlib
import time

import requests

AUTH = {"Authorization": "Bearer x"}


def test_workers_do_not_see_each_other(mockgraph):
    me = os.environ["PYTEST_XDIST_WORKER"]
    meeting = pathlib.Path(os.environ["MEETING_POINT"])
    created = requests.post(f"{mockgraph.base_url}/me/profile/positions", headers=AUTH, timeout=10,
                            json={"detail": {"jobTitle": me, "company": {"displayName": "Contoso"}}})
    assert created.status_code == 201
    (meeting / me).write_text(mockgraph.base_url)
    deadline = time.monotonic() + 120  # a guard against a lost worker, not a speed requirement
    while len(list(meeting.iterdir())) < 2:
        assert time.monotonic() < deadline, "the other worker never wrote"
        time.sleep(0.01)
    (other,) = [p for p in meeting.iterdir() if p.name != me]
    assert other.read_text() != mockgraph.base_url  # a server of its own
    url = f"{mockgraph.base_url}/me/profile/positions?$top=999"
    listed = requests.get(url, headers=AUTH, timeout=10).json()["value"]
    titles = {p["detail"]["jobTitle"] for p in listed}
    assert me in titles and other.name not in titles
'''


# Plugins of this environment that the inner runs do not need and that take seconds to import.
UNNEEDED_PLUGINS = ("cacheprovider", "schemathesis", "hypothesispytest", "anyio")


def run_pytest(folder, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    # The outer run's pytest and xdist variables must not leak into the inner run.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    disabled = [arg for name in UNNEEDED_PLUGINS for arg in ("-p", f"no:{name}")]
    return subprocess.run([sys.executable, "-m", "pytest", *disabled, "-q", "-rA", *args],
                          cwd=folder, env={**clean, **(env or {})}, capture_output=True, text=True, timeout=300)


@pytest.fixture
def suite(tmp_path):
    (tmp_path / "people.json").write_text(json.dumps(PEOPLE))
    (tmp_path / "extra.json").write_text(json.dumps(EXTRA))
    (tmp_path / "pytest.ini").write_text(textwrap.dedent("""\
        [pytest]
        mockgraph_fixtures = people.json
        mockgraph_page_size = 2
    """))
    return tmp_path


def test_state_is_reset_before_each_test_and_markers_seed_one_test(suite):
    (suite / "test_sequence.py").write_text(SEQUENTIAL)
    result = run_pytest(suite, "-p", "no:xdist")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "9 passed, 1 xfailed" in result.stdout


def test_each_xdist_worker_has_its_own_server_and_state(suite):
    (suite / "test_parallel.py").write_text(PARALLEL)
    meeting = suite / "meeting"
    meeting.mkdir()
    result = run_pytest(suite, "-n", "2", "--dist", "each", env={"MEETING_POINT": str(meeting)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    assert sorted(p.name for p in meeting.iterdir()) == ["gw0", "gw1"]


def test_a_bad_ini_option_is_a_usage_error(suite):
    (suite / "pytest.ini").write_text("[pytest]\nmockgraph_page_size = many\n")
    (suite / "test_one.py").write_text("def test_one(mockgraph):\n    pass\n")
    result = run_pytest(suite, "-p", "no:xdist")
    assert result.returncode != 0 and "mockgraph_page_size must be an integer" in result.stdout + result.stderr
