"""The `--db` file format, and how a file's content is recognised, replayed and repaired.

The file holds one JSON object per line. `{"t": name, "docs": {...}}` sets a table's whole content;
`{"drop": name}` removes a table; `{"ops": [record, ...]}` applies several of those at once (one
`write()` that changes several tables, or a whole transaction such as a reset), so that a crash can
never leave half of it. Loading replays the lines in order. Lines are pure ASCII (`ensure_ascii`): no
raw newline can appear inside one.

A file is recognised as ours by its first line, which is always a complete record (or, after a kill
during the very first append, an unfinished one and nothing else). Anything else, a TinyDB JSON file of
another program included, is refused as `NotAStore` and never written to.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from mockgraph.text import may_hold_invalid, repaired

log = logging.getLogger("mockgraph.store.storage")

RECORD_STARTS = (b'{"t":', b'{"drop":', b'{"ops":')

Tables = dict[str, dict[str, Any]]


class DatabaseFileError(Exception):
    """A database file that cannot be used; the message names the file and says why, in one line."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class StorageCorrupted(DatabaseFileError, ValueError):
    """A log with a bad line other than an unfinished last one."""

    def __init__(self, path: str, line: int, reason: str):
        self.line = line
        super().__init__(path, f"line {line}: {reason}. The database file is corrupted (only an unfinished last "
                               "line, left by a crash, is discarded automatically)")
        self.reason = reason


class NotAStore(DatabaseFileError):
    """A file that is not a mockgraph database: refused, and left byte for byte as it was."""

    def __init__(self, path: str, what: str):
        super().__init__(path, f"not a mockgraph database ({what}); it was left untouched. Use a new file name "
                               "or an existing mockgraph database")


class StorageLocked(DatabaseFileError):
    """Another storage (another server, in this process or another) has the file open."""

    def __init__(self, path: str):
        super().__init__(path, "in use by another mockgraph server (one server per database file)")


def dumps(obj: Any) -> bytes:
    # ensure_ascii (the default) keeps lines pure ASCII: no raw newline can appear inside a line.
    return json.dumps(obj, separators=(",", ":")).encode("ascii")


class _NotARecord(ValueError):
    """Valid JSON, but not a log record: no torn append looks like that."""


def _op(record: Any) -> tuple[str, dict | None]:
    """`(table name, docs)` for a `"t"` record, `(table name, None)` for a `"drop"` record."""
    if isinstance(record, dict):
        if record.keys() == {"t", "docs"} and isinstance(record["t"], str) and isinstance(record["docs"], dict):
            return record["t"], record["docs"]
        if record.keys() == {"drop"} and isinstance(record["drop"], str):
            return record["drop"], None
    raise _NotARecord("valid JSON but not a log record")


def parse_line(line: bytes) -> list[tuple[str, dict | None, int]]:
    """The operations of one log line, each with the bytes it would take in a snapshot (live size).

    Raises `_NotARecord`, or another `ValueError` for bad JSON or bad UTF-8.
    """
    record = json.loads(line)
    if isinstance(record, dict) and record.keys() == {"ops"} and isinstance(record["ops"], list):
        ops = []
        for sub in record["ops"]:
            name, docs = _op(sub)
            ops.append((name, docs, 0 if docs is None else len(dumps(sub)) + 1))
        return ops
    name, docs = _op(record)
    return [(name, docs, len(line) + 1)]


def _looks_like_record(fragment: bytes) -> bool:
    """Could this bad last line be a torn append of ours (and not some unrelated file)?"""
    head = fragment.strip(b"\0")[:8]  # a power loss can also leave a zero-filled tail
    return not head or any(start.startswith(head) or head.startswith(start) for start in RECORD_STARTS)


def refuse_foreign_start(path: str, head: bytes, content: bytes | None) -> None:
    """`NotAStore` unless a file starting with `head` (its first bytes) could be ours. Cheap, so that
    a foreign file is refused before anything (a lock file) is created beside it; `replay` has the
    last word. `content`: the file's content for the message, if it is small enough to read."""
    if head and not _looks_like_record(head):
        raise NotAStore(path, _describe_foreign(content) if content is not None else "it does not start with a "
                                                                                     "mockgraph log record")


def _describe_foreign(content: bytes) -> str:
    try:
        document = json.loads(content)
    except ValueError:
        return "it does not start with a mockgraph log record"
    if isinstance(document, dict) and document and all(isinstance(t, dict) for t in document.values()):
        return "it looks like a TinyDB JSON database of another program"
    return "it holds JSON that is not a mockgraph log"


@dataclass
class Replayed:
    tables: Tables
    live: dict[str, int]  # bytes each table would take in a snapshot
    size: int  # length of the good prefix: an unfinished last line after it is to be cut off


def replay(path: str, content: bytes) -> Replayed:
    """Load a file's content; `NotAStore` or `StorageCorrupted` for a file that is not a good log."""
    tables: Tables = {}
    live: dict[str, int] = {}
    if not content:
        return Replayed(tables, live, 0)
    first_end = content.find(b"\n")
    try:
        parse_line(content if first_end < 0 else content[:first_end])
    except _NotARecord:
        raise NotAStore(path, _describe_foreign(content)) from None
    except ValueError:
        if first_end >= 0 or not _looks_like_record(content):
            raise NotAStore(path, _describe_foreign(content)) from None
        # else: a kill during the very first append; the loop below discards it.
    pos = 0
    number = 0
    while pos < len(content):
        number += 1
        end = content.find(b"\n", pos)
        line = content[pos:] if end < 0 else content[pos:end]
        try:
            ops = parse_line(line)
            problem = None if end >= 0 else "unfinished line (no newline)"
        except _NotARecord as exc:
            raise StorageCorrupted(path, number, str(exc)) from None
        except ValueError as exc:
            ops, problem = [], f"not valid JSON ({exc})"
        if problem:
            is_last = end < 0 or end + 1 == len(content)
            if is_last and _looks_like_record(line):
                # A kill or power loss during an append: that write never returned, so it was never
                # acknowledged. Drop it; the caller truncates the file to `pos`.
                log.warning("%s: discarding an unfinished last line (%d bytes) at line %d: %s",
                            path, len(content) - pos, number, problem)
                return Replayed(tables, live, pos)
            raise StorageCorrupted(path, number, problem)
        for name, docs, size in ops:
            if docs is None:
                tables.pop(name, None)
                live.pop(name, None)
            else:
                tables[name] = docs
                live[name] = size
        pos = end + 1
    return Replayed(tables, live, pos)


def repair_text(path: str, content: bytes, tables: Tables) -> Tables:
    """The tables that hold a string that is not text (a lone surrogate, which earlier versions stored
    and which no answer can encode), with each such string's bad characters replaced by U+FFFD."""
    if not may_hold_invalid(content):
        return {}
    fixed: Tables = {}
    strings = 0
    for name, table in tables.items():
        new_table, count = repaired(table)
        if count:
            fixed[name] = new_table
            strings += count
    if fixed:
        log.warning("%s: replaced invalid Unicode (lone surrogates) with U+FFFD in %d string(s) of %s",
                    path, strings, ", ".join(sorted(fixed)))
    return fixed
