"""LogStorage and the file it is given: one writer per file, appends that cannot tear, a symbolic link
that stays one, odd paths refused in one line, strings that are not text repaired, transactions."""

from __future__ import annotations

import json
import logging
import os

import pytest
from tinydb import TinyDB

import mockgraph.store.storage as storage_mod
from mockgraph.store.storage import DatabaseFileError, LogStorage, StorageLocked, read_log

fcntl = pytest.importorskip("fcntl")  # the O_APPEND check reads descriptor flags (POSIX)


def open_db(path, **kwargs) -> TinyDB:
    return TinyDB(path, storage=LogStorage, **kwargs)


def assert_one_line_naming(error: Exception, path) -> None:
    message = str(error)
    assert str(path) in message and "\n" not in message, message


# One writer per file

def test_a_second_storage_on_the_same_file_is_refused_until_the_first_closes(tmp_path):
    path = tmp_path / "db.log"
    first = open_db(path)
    first.table("a").insert({"n": 1})
    with pytest.raises(StorageLocked) as caught:
        LogStorage(path)
    assert_one_line_naming(caught.value, path)
    assert "in use by another mockgraph server" in str(caught.value)
    first.close()
    again = LogStorage(path)  # the lock went with the first
    assert again.read() == {"a": {"1": {"n": 1}}}
    again.close()


def test_two_names_for_one_file_share_its_lock(tmp_path):
    target = tmp_path / "real.db"
    target.touch()
    link = tmp_path / "link.db"
    link.symlink_to(target)
    first = LogStorage(target)
    with pytest.raises(StorageLocked):
        LogStorage(link)
    first.close()


def test_a_refused_file_leaves_the_lock_free(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello\n")
    for _ in range(2):  # a second attempt is refused for what the file is, not for a lock left behind
        with pytest.raises(DatabaseFileError, match="not a mockgraph database"):
            LogStorage(path)


def test_the_lock_is_released_when_the_storage_is_dropped(tmp_path):
    path = tmp_path / "db.log"
    storage = LogStorage(path)
    del storage  # never closed: the lock's file object goes with it
    LogStorage(path).close()


def _has_append_flag(fd: int) -> bool:
    return bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND)


def test_every_descriptor_that_writes_the_log_appends(tmp_path):
    # O_APPEND: each write lands at the end of the file, whatever the descriptor's offset, so nothing
    # written can ever overwrite or interleave into a record already there.
    path = tmp_path / "db.log"
    db = open_db(path, compact_min_bytes=2048, compact_ratio=2)
    db.table("a").insert({"n": 0})  # creates the file
    assert _has_append_flag(db.storage._fd)
    db.close()
    db = open_db(path, compact_min_bytes=2048, compact_ratio=2)  # opens an existing file
    assert _has_append_flag(db.storage._fd)
    for i in range(100):
        db.table("a").update({"n": i, "pad": "x" * 40}, doc_ids=[1])
    assert db.storage.compactions >= 1
    assert _has_append_flag(db.storage._fd)  # the snapshot's descriptor too
    os.lseek(db.storage._fd, 0, os.SEEK_SET)  # even a descriptor moved back cannot overwrite a record
    db.table("a").insert({"n": "last"})
    db.close()
    assert read_log(path)["a"]["2"] == {"n": "last"}


# Odd paths: one line naming the file, nothing created or changed

def test_a_directory_is_refused(tmp_path):
    with pytest.raises(DatabaseFileError, match="a directory, not a database file") as caught:
        LogStorage(tmp_path)
    assert_one_line_naming(caught.value, tmp_path)


def test_a_dangling_symlink_is_refused(tmp_path):
    link = tmp_path / "db.log"
    link.symlink_to(tmp_path / "missing" / "db.log")
    with pytest.raises(DatabaseFileError, match="symbolic link to .*missing.*which does not exist") as caught:
        LogStorage(link)
    assert_one_line_naming(caught.value, link)
    assert link.is_symlink() and not (tmp_path / "missing").exists()


def test_a_missing_directory_is_refused(tmp_path):
    with pytest.raises(DatabaseFileError, match="directory of the database file does not exist") as caught:
        LogStorage(tmp_path / "absent" / "db.log")
    assert_one_line_naming(caught.value, tmp_path / "absent" / "db.log")


def test_an_unreadable_file_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "db.log"
    path.write_bytes(b'{"t":"a","docs":{}}\n')
    real_open = open  # (chmod 0 would not stop root, who runs some CI jobs)

    def denied(file, *args, **kwargs):
        if os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", denied)
    with pytest.raises(DatabaseFileError, match=r"cannot read the database file \(Permission denied\)") as caught:
        LogStorage(path)
    assert_one_line_naming(caught.value, path)


def test_a_file_that_cannot_be_written_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "db.log"
    path.write_bytes(b'{"t":"a","docs":{}}\n')
    real_open = os.open

    def read_only(file, flags, *args):
        if os.fspath(file) == str(path) and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, flags, *args)

    monkeypatch.setattr(storage_mod.os, "open", read_only)
    with pytest.raises(DatabaseFileError, match=r"cannot write the database file \(Permission denied\)"):
        LogStorage(path)
    monkeypatch.undo()
    LogStorage(path).close()  # and nothing was left locked


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs mkfifo")
def test_a_special_file_is_refused_without_reading_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # reading it would block forever
    with pytest.raises(DatabaseFileError, match="not a regular file"):
        LogStorage(fifo)


# A symbolic link stays one

def test_compaction_replaces_the_links_target_not_the_link(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    target = data_dir / "real.db"
    target.touch()  # an empty file is a new database
    link = tmp_path / "db.log"
    link.symlink_to(target)
    db = open_db(link, compact_min_bytes=2048, compact_ratio=2)
    db.table("a").insert({"n": 0})
    for i in range(200):
        db.table("a").update({"n": i, "pad": "x" * 40}, doc_ids=[1])
    assert db.storage.compactions >= 2
    expected = json.loads(json.dumps(db.storage.read()))
    db.close()
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert read_log(target) == expected == read_log(link)
    assert sorted(p.name for p in data_dir.iterdir()) == ["real.db", "real.db.lock"]  # no snapshot left


# Strings that are not text, stored by an earlier version

def test_strings_that_are_not_text_are_repaired_on_opening_and_written_back(tmp_path, caplog):
    path = tmp_path / "db.log"
    path.write_bytes(b'{"t":"good","docs":{"1":{"s":"fine \\ud83d\\ude00"}}}\n'
                     b'{"t":"bad","docs":{"1":{"s":"a\\ud800b","k\\udfff":["\\udc00",1]},"2":{"s":"ok"}}}\n')
    with caplog.at_level(logging.WARNING, logger=storage_mod.__name__):
        storage = LogStorage(path)
    assert storage.read() == {"good": {"1": {"s": "fine \U0001F600"}},
                              "bad": {"1": {"s": "a\ufffdb", "k\ufffd": ["\ufffd", 1]}, "2": {"s": "ok"}}}
    assert "replaced invalid Unicode" in caplog.text and "3 string(s) of bad" in caplog.text
    storage.close()
    assert b"\\ud800" not in path.read_bytes()  # a snapshot replaced the file
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=storage_mod.__name__):
        LogStorage(path).close()
    assert "replaced" not in caplog.text


def test_a_file_of_valid_text_is_not_rewritten(tmp_path):
    path = tmp_path / "db.log"
    content = b'{"t":"a","docs":{"1":{"s":"\\ud83d\\ude00 \\u00e9"}}}\n'
    path.write_bytes(content)
    LogStorage(path).close()
    assert path.read_bytes() == content


# Transactions

def test_a_transaction_is_one_line_written_when_it_ends(tmp_path):
    path = tmp_path / "db.log"
    db = open_db(path)
    db.table("old").insert({"n": 1})
    size = path.stat().st_size
    with db.storage.transaction():
        db.drop_tables()
        db.table("a").insert({"n": 1})
        with db.storage.transaction():  # nested: still one line, at the outermost end
            db.table("b").insert({"n": 2})
        assert path.stat().st_size == size  # nothing on disk yet
        assert db.tables() == {"a", "b"}  # but memory has it all
    lines = path.read_bytes()[size:].splitlines()
    assert len(lines) == 1 and json.loads(lines[0]).keys() == {"ops"}
    assert read_log(path) == {"a": {"1": {"n": 1}}, "b": {"1": {"n": 2}}}
    db.close()


def test_a_transaction_that_raises_leaves_memory_as_the_file_is(tmp_path):
    path = tmp_path / "db.log"
    db = open_db(path)
    db.table("a").insert({"n": 1})
    with pytest.raises(RuntimeError), db.storage.transaction():
        db.table("a").insert({"n": 2})
        db.table("b").insert({"n": 3})
        raise RuntimeError("half way")
    assert db.storage.read() == read_log(path) == {"a": {"1": {"n": 1}}}
    db.table("c").insert({"n": 4})
    assert read_log(path) == {"a": {"1": {"n": 1}}, "c": {"1": {"n": 4}}}
    db.close()
