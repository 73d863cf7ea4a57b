"""LogStorage: durable, crash-safe, and a write costs the size of the table it changes."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import stat
import subprocess
import sys
import threading

import pytest
from tinydb import Query, TinyDB
from tinydb.storages import JSONStorage

import mockgraph.store.storage as storage_mod
from mockgraph.store.storage import (
    DatabaseFileError,
    LogStorage,
    NotAStore,
    StorageBroken,
    StorageCorrupted,
    read_log,
)

Q = Query()


def open_db(path, **kwargs) -> TinyDB:
    return TinyDB(path, storage=LogStorage, **kwargs)


def on_disk(path) -> dict:
    """What a fresh process would load from the file (read while the writer still holds it)."""
    return json.loads(json.dumps(read_log(path)))


def in_memory(db: TinyDB) -> dict:
    return json.loads(json.dumps(db.storage.read()))


def records_since(path, offset: int) -> list[dict]:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return [json.loads(line) for line in handle.read().splitlines()]


# What each TinyDB write operation appends: exactly the table it changed, as one line.

def _seed(db: TinyDB) -> None:
    for name in ("a", "b", "c"):
        db.table(name).insert_multiple({"n": n} for n in (1, 2, 3))


OPERATIONS = {
    "insert": (lambda db: db.table("b").insert({"n": 9}), [("t", "b")]),
    "insert_multiple": (lambda db: db.table("b").insert_multiple([{"n": 10}, {"n": 11}]), [("t", "b")]),
    "update": (lambda db: db.table("b").update({"n": 20}, Q.n == 2), [("t", "b")]),
    "update_by_doc_ids": (lambda db: db.table("b").update({"x": 1}, doc_ids=[1, 3]), [("t", "b")]),
    "update_multiple": (
        lambda db: db.table("b").update_multiple([({"n": 7}, Q.n == 1), ({"n": 8}, Q.n == 3)]),
        [("t", "b")],
    ),
    "upsert_existing": (lambda db: db.table("b").upsert({"n": 2, "x": 1}, Q.n == 2), [("t", "b")]),
    # TinyDB's upsert tries update (a write, even when nothing matches), then inserts: two writes.
    "upsert_new": (lambda db: db.table("b").upsert({"n": 99}, Q.n == 99), [("t", "b"), ("t", "b")]),
    "remove": (lambda db: db.table("b").remove(Q.n == 1), [("t", "b")]),
    "remove_by_doc_ids": (lambda db: db.table("b").remove(doc_ids=[2]), [("t", "b")]),
    "truncate": (lambda db: db.table("b").truncate(), [("t", "b")]),
    "new_table": (lambda db: db.table("d").insert({"n": 1}), [("t", "d")]),
    "persist_empty": (lambda db: db.table("e", persist_empty=True), [("t", "e")]),
    "drop_table": (lambda db: db.drop_table("b"), [("drop", "b")]),
    "drop_tables": (lambda db: db.drop_tables(), [("drop", "a"), ("drop", "b"), ("drop", "c")]),
}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_tinydb_write_appends_only_the_table_it_changed(tmp_path, operation):
    path = tmp_path / "db.log"
    db = open_db(path)
    _seed(db)
    before = db.storage.size
    apply, expected = OPERATIONS[operation]

    apply(db)

    lines = records_since(path, before)
    records = [record for line in lines for record in (line["ops"] if "ops" in line else [line])]
    assert sorted((("t", r["t"]) if "t" in r else ("drop", r["drop"])) for r in records) == expected
    if operation == "drop_tables":
        assert len(lines) == 1, "one write, one line, even when it changes several tables"
    tables = in_memory(db)
    for record in lines[-1]["ops"] if "ops" in lines[-1] else lines[-1:]:
        if "t" in record:
            assert record["docs"] == tables[record["t"]]  # the table's whole new content
    assert on_disk(path) == tables
    db.close()


def test_a_write_with_no_change_appends_nothing(tmp_path):
    db = open_db(tmp_path / "db.log")
    _seed(db)
    before = db.storage.bytes_written
    db.storage.write(db.storage.read())
    db.drop_table("absent")
    assert db.storage.bytes_written == before


def test_a_new_top_level_dict_replaces_everything(tmp_path):
    path = tmp_path / "db.log"
    storage = LogStorage(path)
    storage.write({"a": {"1": {"n": 1}}, "b": {"1": {"n": 2}}})
    storage.write({"b": {"1": {"n": 3}}, "c": {}})
    assert storage.read() == {"b": {"1": {"n": 3}}, "c": {}}
    assert on_disk(path) == {"b": {"1": {"n": 3}}, "c": {}}
    storage.close()


def test_round_trip_through_tinydb(tmp_path):
    path = tmp_path / "db.log"
    db = open_db(path)
    users = db.table("users")
    users.insert_multiple({"id": f"u{i}", "name": f"User {i}"} for i in range(5))
    for i in range(5):
        db.table(f"positions/u{i}").insert_multiple(
            {"id": f"p{i}.{j}", "detail": {"jobTitle": "Engineer", "company": {"displayName": "Contoso"}}}
            for j in range(4)
        )
    users.update({"name": "Renamed"}, Q.id == "u1")
    users.remove(Q.id == "u4")
    db.drop_table("positions/u4")
    db.table("positions/u0").remove(Q.id == "p0.2")
    db.table("positions/u2").truncate()
    db.table("positions/u3").upsert({"id": "p3.9", "detail": {"jobTitle": "Manager ☕ \u2028"}}, Q.id == "p3.9")
    expected = in_memory(db)
    db.close()

    again = open_db(path)
    assert in_memory(again) == expected
    assert again.tables() == {"users", "positions/u0", "positions/u1", "positions/u2", "positions/u3"}
    assert again.table("users").get(Q.id == "u1")["name"] == "Renamed"
    assert len(again.table("positions/u2")) == 0
    # Doc ids continue after the highest stored one (u4, doc 5, was removed).
    assert again.table("users").insert({"id": "u9"}) == 5
    again.close()
    assert on_disk(path)["users"]["5"] == {"id": "u9"}


def test_write_cost_does_not_grow_with_other_tables(tmp_path):
    def cost_of_one_update(others: int) -> tuple[int, int]:
        db = open_db(tmp_path / f"{others}.log")
        for name in ["me"] + [f"positions/user{i}" for i in range(others)]:
            db.table(name).insert_multiple(
                {"id": f"{name}-{j}", "detail": {"jobTitle": "Software Engineer", "level": j}} for j in range(100)
            )
        before = db.storage.bytes_written
        db.table("me").update({"detail": {"jobTitle": "Principal Engineer"}}, doc_ids=[50])
        cost = db.storage.bytes_written - before
        size = db.storage.size
        db.close()
        return cost, size

    small, _ = cost_of_one_update(1)
    large, large_file = cost_of_one_update(500)
    assert small == large
    assert large_file > 100 * large  # the file holds far more than what one write appends


def test_missing_file_is_created_by_the_first_write(tmp_path):
    path = tmp_path / "new.log"
    db = open_db(path)
    assert db.tables() == set()
    assert not path.exists()
    db.table("a").insert({"n": 1})
    assert path.exists()
    db.close()
    assert on_disk(path) == {"a": {"1": {"n": 1}}}


def test_missing_directory_is_an_error(tmp_path):
    with pytest.raises(DatabaseFileError, match="directory of the database file does not exist"):
        LogStorage(tmp_path / "absent" / "db.log")


def test_empty_file_loads_empty_and_accepts_writes(tmp_path):
    path = tmp_path / "empty.log"
    path.touch()
    db = open_db(path)
    assert db.tables() == set()
    db.table("a").insert({"n": 1})
    db.close()
    assert on_disk(path) == {"a": {"1": {"n": 1}}}


def test_tinydb_forwards_keyword_arguments(tmp_path):
    db = TinyDB(storage=LogStorage, path=str(tmp_path / "kw.log"), compact_min_bytes=10, compact_ratio=2)
    assert isinstance(db.storage, LogStorage)
    assert (db.storage.compact_min_bytes, db.storage.compact_ratio) == (10, 2)
    with pytest.raises(ValueError):
        LogStorage(tmp_path / "x.log", compact_ratio=1)


def test_write_after_close_is_refused(tmp_path):
    db = open_db(tmp_path / "db.log")
    db.table("a").insert({"n": 1})
    db.close()
    with pytest.raises(ValueError):
        db.storage.write({})


# Crash recovery: an unfinished last line is dropped, anything else bad is corruption.

def _small_db(path) -> dict:
    db = open_db(path)
    db.table("a").insert_multiple({"n": n} for n in range(3))
    db.table("b").insert({"n": 1})
    db.table("a").update({"n": 10}, doc_ids=[1])
    content = in_memory(db)
    db.close()
    return content


@pytest.mark.parametrize("tail", [
    b'{"t":"a","docs":{"1":{"n"',             # killed mid-append
    b'{"t":"a","docs":{"1":{"n":1}}}',        # complete but never terminated: its write never returned
    b'{"t":"a","docs":{"1":\0\0\0\0}}\n',     # power loss: a hole in the last block
    b"\0" * 300,                              # power loss: size grown, data not written
    b'{"op',
])
def test_unfinished_last_line_is_discarded_then_overwritten(tmp_path, tail, caplog):
    path = tmp_path / "db.log"
    content = _small_db(path)
    good_size = path.stat().st_size
    with open(path, "ab") as handle:
        handle.write(tail)

    with caplog.at_level(logging.WARNING, logger=storage_mod.__name__):
        db = open_db(path)
    assert in_memory(db) == content
    assert db.storage.discarded_bytes == len(tail)
    assert path.stat().st_size == good_size  # truncated before appending again
    assert "unfinished last line" in caplog.text

    db.table("b").insert({"n": 2})
    expected = in_memory(db)
    db.close()
    assert on_disk(path) == expected


def test_bad_line_in_the_middle_raises_and_leaves_the_file_alone(tmp_path):
    path = tmp_path / "db.log"
    _small_db(path)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1][:10] + b"#" + lines[1][11:]
    path.write_bytes(b"".join(lines))

    with pytest.raises(StorageCorrupted) as caught:
        LogStorage(path)
    assert caught.value.line == 2
    assert str(path) in str(caught.value) and "line 2" in str(caught.value)
    assert path.read_bytes() == b"".join(lines)


@pytest.mark.parametrize("content", [
    b"hello world\n", b"[1, 2, 3]", b'{"users": 3}\n', b'{"t": "a"}\n', b"\n", b'{"t":"a","docs":{}}',
    b'{"_default": {"1": {"n": 1}}}', b'{"_default": {"1": {"n": 1}}}\n{"t":"a","docs":{}}\n',
])
def test_a_file_that_is_not_ours_is_refused_and_left_byte_identical(tmp_path, content):
    # (A single complete record without its newline is a torn first append only if it does not parse.)
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    if content == b'{"t":"a","docs":{}}':  # parses: a complete record whose write never returned
        LogStorage(path).close()
        return
    with pytest.raises(NotAStore, match="not a mockgraph database") as caught:
        LogStorage(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)
    assert path.read_bytes() == content


def test_another_programs_tinydb_file_is_refused_and_left_byte_identical(tmp_path):
    path = tmp_path / "theirs.json"
    theirs = TinyDB(path, storage=JSONStorage, indent=2)
    theirs.insert({"n": 1})
    theirs.table("positions/u1").insert_multiple([{"id": "p1"}, {"id": "p2"}])
    theirs.close()
    original = path.read_bytes()
    with pytest.raises(NotAStore, match="TinyDB JSON database of another program"):
        open_db(path)
    assert path.read_bytes() == original


# Compaction

def test_compaction_shrinks_the_log_and_keeps_the_content(tmp_path):
    path = tmp_path / "db.log"
    path.touch()
    os.chmod(path, 0o640)
    db = open_db(path, compact_min_bytes=8192, compact_ratio=4)
    db.table("other").insert_multiple({"n": n} for n in range(20))
    table = db.table("hot")
    table.insert_multiple({"n": n, "title": "x" * 20} for n in range(20))
    largest = 0
    for i in range(200):
        table.update({"title": f"t{i}"}, doc_ids=[i % 20 + 1])
        largest = max(largest, path.stat().st_size)
    storage = db.storage
    assert storage.compactions >= 5
    assert storage.bytes_written > 10 * largest  # the log never kept all of it
    assert path.stat().st_size == storage.size <= largest <= 8192 + 2000
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert on_disk(path) == in_memory(db)
    db.close()


def test_failed_compaction_keeps_the_log_intact(tmp_path, monkeypatch, caplog):
    path = tmp_path / "db.log"
    db = open_db(path, compact_min_bytes=4096)
    table = db.table("hot")
    table.insert_multiple({"n": n} for n in range(20))

    def refuse(src, dst):
        raise OSError(errno.EIO, "simulated failure", src)

    monkeypatch.setattr(storage_mod.os, "replace", refuse)
    with caplog.at_level(logging.WARNING, logger=storage_mod.__name__):
        for i in range(60):
            table.update({"n": i}, doc_ids=[1])  # acknowledged: the log append worked
            assert on_disk(path) == in_memory(db)
    assert "compaction failed" in caplog.text
    assert db.storage.compactions == 0
    assert db.storage.size > 4096
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.log", "db.log.lock"]  # no snapshot left behind

    monkeypatch.undo()
    for i in range(60):
        table.update({"n": i}, doc_ids=[2])
    assert db.storage.compactions >= 1
    assert on_disk(path) == in_memory(db)
    db.close()


def test_stale_snapshot_from_a_crash_is_removed(tmp_path):
    path = tmp_path / "db.log"
    _small_db(path)
    stale = tmp_path / "db.log.abc123.compact-tmp"
    stale.write_bytes(b'{"t":"a","docs":{}}\n')
    LogStorage(path).close()
    assert not stale.exists()


# A write that fails is not acknowledged: memory goes back to what is on disk.

def test_failed_fsync_rolls_back_memory_and_the_file(tmp_path, monkeypatch):
    path = tmp_path / "db.log"
    db = open_db(path)
    table = db.table("a")
    table.insert_multiple({"n": n} for n in range(3))
    before, size = in_memory(db), path.stat().st_size
    real_fsync = os.fsync
    failures = []

    def failing_fsync(fd):
        if not failures:
            failures.append(fd)
            raise OSError(errno.EIO, "simulated fsync failure")
        real_fsync(fd)

    monkeypatch.setattr(storage_mod.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="simulated"):
        table.update({"n": 100}, doc_ids=[1])  # TinyDB edits that doc in place before writing
    assert in_memory(db) == before
    assert table.get(doc_id=1) == {"n": 0}
    assert path.stat().st_size == size

    table.insert({"n": 3})
    assert on_disk(path) == in_memory(db)
    db.close()


def test_partial_append_is_cut_off(tmp_path, monkeypatch):
    path = tmp_path / "db.log"
    db = open_db(path)
    db.table("a").insert({"n": 1})
    before, size = in_memory(db), path.stat().st_size
    real_write = os.write

    def disk_full(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "simulated disk full")

    monkeypatch.setattr(storage_mod.os, "write", disk_full)
    with pytest.raises(OSError, match="disk full"):
        db.table("b").insert({"n": 2})
    monkeypatch.undo()
    assert in_memory(db) == before
    assert path.stat().st_size == size
    db.table("b").insert({"n": 3})
    assert on_disk(path) == in_memory(db)
    assert [doc["n"] for doc in db.table("b")] == [3]
    db.close()


def test_unserialisable_document_is_refused_and_rolled_back(tmp_path):
    path = tmp_path / "db.log"
    db = open_db(path)
    db.table("a").insert({"n": 1})
    with pytest.raises(TypeError):
        db.table("a").insert({"n": object()})
    assert in_memory(db) == on_disk(path) == {"a": {"1": {"n": 1}}}
    db.table("a").insert({"n": 2})
    assert on_disk(path) == in_memory(db)
    db.close()


def test_storage_that_cannot_recover_refuses_further_use(tmp_path, monkeypatch):
    path = tmp_path / "db.log"
    db = open_db(path)
    db.table("a").insert({"n": 1})

    def broken(*args):
        raise OSError(errno.EIO, "simulated I/O error")

    monkeypatch.setattr(storage_mod.os, "fsync", broken)
    monkeypatch.setattr(storage_mod.os, "ftruncate", broken)
    with pytest.raises(OSError):
        db.table("a").insert({"n": 2})
    monkeypatch.undo()
    with pytest.raises(StorageBroken):
        db.table("a").all()
    with pytest.raises(StorageBroken):
        db.storage.write({})
    db.close()
    # The failed write was never acknowledged: it may or may not be in the file, which still loads.
    assert on_disk(path)["a"]["1"] == {"n": 1}


def test_writes_from_several_threads_are_all_durable(tmp_path):
    path = tmp_path / "db.log"
    db = open_db(path, compact_min_bytes=4096)
    for t in range(8):
        db.table(f"t{t}").truncate()  # create the tables first: TinyDB itself is not thread-safe

    def work(t):
        for n in range(20):
            db.table(f"t{t}").insert({"n": n})

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = on_disk(path)
    assert {name: sorted(d["n"] for d in docs.values()) for name, docs in stored.items()} == {
        f"t{t}": list(range(20)) for t in range(8)
    }
    db.close()


# Crash at every file operation, deterministically. (A SIGKILL lands where timing puts it, rarely inside a
# compaction, and never tears an os.write in practice; this covers each point, torn appends included.)

class _Crash(BaseException):
    """The process dies here: nothing after this reaches the file (not even the storage's own recovery)."""


class _FaultyOs:
    """The `os` the storage module sees: its file operations work until call number `crash_at`.

    With `sync=False`, fsync calls are counted but not made: a process crash keeps the page cache, so they
    change nothing the reopened file shows, and skipping them keeps hundreds of runs fast on a busy disk.
    """

    OPERATIONS = ("write", "fsync", "ftruncate", "replace", "unlink")

    def __init__(self, crash_at: int | None = None, mode: str = "before", sync: bool = True):
        self.crash_at, self.mode, self.sync = crash_at, mode, sync
        self.calls: list[str] = []
        self.targets: list = []  # each call's first argument (the fd, for write and fsync)
        self.dead = False

    def __getattr__(self, name):
        real = getattr(os, name)
        if name not in self.OPERATIONS:
            return real

        def operation(*args):
            if self.dead:
                raise _Crash
            self.calls.append(name)
            self.targets.append(args[0])
            if len(self.calls) - 1 != self.crash_at:
                return real(*args) if self.sync or name != "fsync" else None
            self.dead = True
            if self.mode == "after" and (self.sync or name != "fsync"):
                real(*args)
            elif self.mode == "torn":
                real(args[0], bytes(args[1])[: len(args[1]) // 2])
            raise _Crash

        return operation


def _reset_in_one_transaction(db: TinyDB) -> None:
    """What a reset does: drop everything, then load tables one by one; all of it one step on disk."""
    with db.storage.transaction():
        db.drop_tables()
        for name in ("r1", "r2", "r3"):
            db.table(name).insert_multiple({"n": n, "pad": "y" * 30} for n in range(4))
        db.table("r2").update({"n": 40}, doc_ids=[1])


CRASH_WORKLOAD = [
    lambda db: db.table("a").insert_multiple({"n": n, "pad": "x" * 30} for n in range(8)),
    lambda db: db.table("b").insert({"n": 0}),
    *[lambda db, i=i: db.table("a").update({"n": 100 + i}, doc_ids=[i % 8 + 1]) for i in range(8)],
    lambda db: db.table("a").remove(doc_ids=[3]),
    lambda db: db.drop_table("b"),
    _reset_in_one_transaction,
    lambda db: db.drop_tables(),
    lambda db: db.table("c").insert({"n": 1}),
    _reset_in_one_transaction,
    *[lambda db, i=i: db.table("c").update({"n": i}, doc_ids=[1]) for i in range(6)],
]


def test_every_byte_is_fsynced_before_write_returns(tmp_path, monkeypatch):
    spy = _FaultyOs()
    monkeypatch.setattr(storage_mod, "os", spy)
    db = open_db(tmp_path / "db.log", compact_min_bytes=1500, compact_ratio=2)
    for operation in CRASH_WORKLOAD:
        start = len(spy.calls)
        operation(db)
        calls = list(zip(spy.calls[start:], spy.targets[start:], strict=True))
        unsynced = set()
        for name, target in calls:
            if name == "write":
                unsynced.add(target)
            elif name == "fsync":
                unsynced.discard(target)
        assert not unsynced
        assert calls[-1][0] == "fsync"  # after a replace too: the directory
    assert spy.calls.count("replace") >= 3
    db.close()


def test_a_crash_at_any_file_operation_loses_no_acknowledged_write(tmp_path, monkeypatch):
    """...and a transaction (a reset's many writes) is on disk wholly or not at all."""

    def run(path, faulty) -> int:
        """Apply the workload until the crash; return how many writes were acknowledged."""
        monkeypatch.setattr(storage_mod, "os", faulty)
        done = 0
        db = None
        try:
            db = open_db(path, compact_min_bytes=1500, compact_ratio=2)
            for operation in CRASH_WORKLOAD:
                operation(db)
                done += 1
        except _Crash:
            pass
        monkeypatch.setattr(storage_mod, "os", os)
        if db is not None:
            db.storage.close()  # as the kernel would
        return done

    # The state after each write, from a run without a crash.
    reference = tmp_path / "reference.log"
    db = open_db(reference)
    states = [in_memory(db)]
    for operation in CRASH_WORKLOAD:
        operation(db)
        states.append(in_memory(db))
    db.close()
    counting = _FaultyOs(sync=False)
    assert run(tmp_path / "count.log", counting) == len(CRASH_WORKLOAD)
    assert counting.calls.count("replace") >= 3, "the workload must compact several times"

    for crash_at, name in enumerate(counting.calls):
        for mode in ("before", "after", "torn") if name == "write" else ("before", "after"):
            path = tmp_path / f"{crash_at}-{mode}.log"
            done = run(path, _FaultyOs(crash_at, mode, sync=False))
            where = f"crash {mode} {name} #{crash_at}, after {done} acknowledged writes"
            db = open_db(path)  # loads: never corrupted
            # Exactly the acknowledged writes, plus possibly the one in flight.
            assert in_memory(db) in states[done: done + 2], where
            db.table("z").insert({"after": "restart"})  # and it takes writes again
            expected = in_memory(db)
            db.close()
            assert on_disk(path) == expected, where
            leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(path.name + ".")]
            assert leftovers == [path.name + ".lock"], where


# The real thing: SIGKILL a writer at arbitrary moments.

# The child loads storage.py by path, so it does not pay for importing the whole app.
CHILD = r"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("logstorage_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
from tinydb import Query, TinyDB
db = TinyDB(sys.argv[2], storage=module.LogStorage, compact_min_bytes=16384, compact_ratio=2.0)
i = sum(len(db.table(name)) for name in db.tables() if name != "meta")
meta = db.table("meta")
while True:
    db.table("t%d" % (i % 7)).insert({"i": i, "pad": "x" * 40})
    meta.upsert({"k": "last", "i": i}, Query().k == "last")
    sys.stdout.write("%d\n" % i)
    sys.stdout.flush()
    i += 1
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_never_loses_an_acknowledged_write(tmp_path):
    path = tmp_path / "killed.log"
    acked: set[int] = set()
    for round_acks in (1, 3, 20, 60, 150, 300):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, storage_mod.__file__, str(path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        seen = 0
        while seen < round_acks:
            line = child.stdout.readline()
            assert line.endswith(b"\n"), child.stderr.read().decode()
            acked.add(int(line))
            seen += 1
        child.send_signal(signal.SIGKILL)
        child.wait()
        for line in child.stdout.read().splitlines(keepends=True):  # acks printed before the kill landed
            if line.endswith(b"\n"):
                acked.add(int(line))
        child.stdout.close()
        child.stderr.close()

        db = open_db(path)
        stored = sorted(doc["i"] for name in db.tables() if name != "meta" for doc in db.table(name))
        last = db.table("meta").get(Q.k == "last")["i"]
        db.close()
        # Every acknowledged write is there, no gap, nothing invented, and at most the one write in
        # flight besides (a write may reach the disk and the kill land before its ack is printed).
        assert stored == list(range(len(stored)))
        assert acked <= set(stored)
        assert len(stored) - 1 <= max(acked) + 1
        assert max(acked) <= last <= len(stored) - 1
