"""`serve --db FILE` and the file it is given, as a user meets it: one server per file (two real
processes), another program's file refused and left byte-identical (with `--reseed` too), odd paths
refused in one line naming the file with a non-zero exit, never a traceback or a word about the port."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests
from live import ServedMock
from tinydb import TinyDB
from tinydb.storages import JSONStorage

AUTH = {"Authorization": "Bearer x"}


def serve(*args: str) -> subprocess.CompletedProcess:
    """`mockgraph serve` that is expected to refuse to start (a hang is a failure, not a wait)."""
    return subprocess.run([sys.executable, "-m", "mockgraph", "serve", "--port", "0", "--quiet", *args],
                          capture_output=True, text=True, timeout=60)


def assert_refused_in_one_line(result: subprocess.CompletedProcess, path, *words: str) -> str:
    assert result.returncode != 0
    assert result.stdout == ""  # never got as far as listening
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("mockgraph: ") and str(path) in line, line
    assert "Traceback" not in result.stderr and "port" not in line.lower(), line
    for word in words:
        assert word in line, line
    return line


def test_a_second_server_on_the_same_file_refuses_to_start(tmp_path):
    db = tmp_path / "shared.db"
    with ServedMock("--db", str(db)) as first:
        created = requests.post(f"{first.base_url}/me/profile/positions", headers=AUTH, timeout=30,
                                json={"detail": {"jobTitle": "first", "company": {"displayName": "C"}}})
        assert created.status_code == 201
        before = db.read_bytes()
        second = serve("--db", str(db))
        assert_refused_in_one_line(second, db, "in use by another mockgraph server")
        assert db.read_bytes() == before
        # The first one goes on serving, and writing.
        assert requests.get(f"{first.base_url}/me/profile/positions/{created.json()['id']}", headers=AUTH,
                            timeout=30).status_code == 200
    # Once the first has stopped, the file is free again.
    with ServedMock("--db", str(db)) as again:
        assert requests.get(f"{again.base_url}/me/profile/positions/{created.json()['id']}", headers=AUTH,
                            timeout=30).status_code == 200


def test_a_server_killed_with_sigkill_leaves_the_file_free(tmp_path):
    db = tmp_path / "killed.db"
    first = ServedMock("--db", str(db))
    first.kill()  # the OS drops the lock with the process
    with ServedMock("--db", str(db)) as again:
        assert requests.get(f"{again.base_url}/me/profile/positions", headers=AUTH, timeout=30).ok


def another_programs_tinydb_file(path) -> bytes:
    theirs = TinyDB(path, storage=JSONStorage)
    theirs.insert({"invoice": 1, "total": 99.5})
    theirs.table("customers").insert({"name": "Contoso"})
    theirs.close()
    return path.read_bytes()


@pytest.mark.parametrize("reseed", [(), ("--reseed",)], ids=["", "--reseed"])
def test_another_programs_tinydb_file_is_refused_and_left_byte_identical(tmp_path, reseed):
    db = tmp_path / "invoices.json"
    original = another_programs_tinydb_file(db)
    result = serve("--db", str(db), *reseed)
    assert_refused_in_one_line(result, db, "not a mockgraph database", "TinyDB")
    assert db.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["invoices.json"]  # nothing made beside it


@pytest.mark.parametrize("content", [b"# my notes\nbuy milk\n", b"{}", b'{"t": 1}\n', b"\n", b"\x89PNG\r\n\x1a\n"],
                         ids=["text", "empty JSON object", "JSON of another shape", "a newline", "binary"])
def test_any_file_that_is_not_a_mockgraph_database_is_refused(tmp_path, content):
    db = tmp_path / "some.file"
    db.write_bytes(content)
    assert_refused_in_one_line(serve("--db", str(db), "--reseed"), db, "not a mockgraph database")
    assert db.read_bytes() == content


def test_an_empty_file_is_a_new_database(tmp_path):
    # (What `mktemp` makes: nothing to lose.)
    db = tmp_path / "fresh.db"
    db.touch()
    with ServedMock("--db", str(db)) as mock:
        assert requests.get(f"{mock.base_url}/me/profile/positions", headers=AUTH, timeout=30).json()["value"]
    assert db.stat().st_size > 0


def test_reseed_help_says_it_alone_replaces_data():
    result = subprocess.run([sys.executable, "-m", "mockgraph", "serve", "--help"], capture_output=True, text=True,
                            timeout=60)
    text = " ".join(result.stdout.split())
    assert "--reseed replace the data of the --db file" in text
    assert "nothing else ever replaces stored data" in text
    assert "a file that is not a mockgraph database is never touched" in text


def odd_path(tmp_path, kind: str):
    if kind == "directory":
        return tmp_path
    if kind == "dangling symlink":
        link = tmp_path / "link.db"
        link.symlink_to(tmp_path / "gone.db")
        return link
    if kind == "missing directory":
        return tmp_path / "no" / "such" / "dir.db"
    if kind == "log line of the wrong shape":
        path = tmp_path / "wrong.db"
        path.write_bytes(b'{"t":"users","docs":{}}\n{"users":[]}\n{"t":"users","docs":{}}\n')
        return path
    if kind == "bad line in the middle":
        path = tmp_path / "torn.db"
        path.write_bytes(b'{"t":"users","docs":{}}\n{"t":"us\n{"t":"users","docs":{}}\n')
        return path
    if kind == "fifo":
        path = tmp_path / "pipe.db"
        os.mkfifo(path)
        return path
    raise AssertionError(kind)


ODD = {
    "directory": "a directory, not a database file",
    "dangling symlink": "a symbolic link to",
    "missing directory": "the directory of the database file does not exist",
    "log line of the wrong shape": "line 2: valid JSON but not a log record",
    "bad line in the middle": "line 2: not valid JSON",
    "fifo": "not a regular file",
}


@pytest.mark.parametrize("kind", ODD)
def test_odd_db_paths_get_one_clear_line_and_a_non_zero_exit(tmp_path, kind):
    path = odd_path(tmp_path, kind)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and not p.is_fifo()}
    assert_refused_in_one_line(serve("--db", str(path)), path, ODD[kind])
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and not p.is_fifo()}
    # Nothing changed; only a file that is a log of ours (if corrupted) gets its lock file beside it.
    assert {name: data for name, data in after.items() if name not in before} in ({}, {path.name + ".lock": b""})
    assert {name: after[name] for name in before} == before
