"""`LogStorage`: a durable TinyDB storage whose writes cost the size of the table that changed.

TinyDB's `JSONStorage` rewrites the whole file in place on every write: the cost of a write grows with
everything stored, and a kill mid-write leaves a file that will not load. `LogStorage` keeps the
database in memory (reads never touch the disk) and appends each write to a log:

- The file holds one JSON object per line. `{"t": name, "docs": {...}}` sets a table's whole content;
  `{"drop": name}` removes a table; `{"ops": [record, ...]}` applies several of those at once (used
  only when one `write()` changes more than one table, so that every write is a single line and a
  crash can never leave half of it). Loading replays the lines in order.
- `write()` appends one line with `os.write` (no user-space buffer to flush) and `os.fsync`s it before
  returning: an acknowledged write is on disk.
- A kill during an append can leave only an unfinished last line, which was never acknowledged: loading
  drops it and truncates the file back to the last complete line. A bad line anywhere else is real
  corruption and raises `StorageCorrupted`.
- When the log grows past `max(compact_min_bytes, compact_ratio * live bytes)` (live bytes: the size
  of a snapshot of the current state), it is compacted: a snapshot (one `"t"` line per table) is written
  to a temporary file in the same directory, fsynced, and `os.replace`d over the log, then the directory
  is fsynced. The file is never rewritten in place, so it always loads.

How `write()` finds what changed without comparing contents: TinyDB never edits a stored table dict in
place. `Table._update_table` builds a new dict for the table it changes and assigns it into the tables
dict it read from the storage; `TinyDB.drop_table` deletes a key from that dict; `TinyDB.drop_tables`
writes a new, empty dict. So a table whose dict is not the object seen at the last write has changed,
and a name that disappeared was dropped. (The storage keeps references to those objects, not `id()`s,
so a freed table's id can never be recycled into a false "unchanged".)

Caveats for callers:
- Documents are stored by reference. TinyDB hands out shallow copies (`Document(dict)`), and `insert`
  keeps a shallow copy of what it is given: never mutate nested values of a document you got from or
  gave to TinyDB. An in-place change is invisible to `write()`; it reaches the disk only with the next
  write of the same table (or a compaction), and is lost on a restart otherwise.
- Store JSON values only (str keys, lists rather than tuples): memory is the truth while the process
  lives, the JSON text after a restart.
- One process per file. The storage serialises its own `write()` calls, but TinyDB's read-modify-write
  of the tables dict is not atomic: the caller must serialise TinyDB operations.
"""

from __future__ import annotations

import errno
import glob
import json
import logging
import os
import tempfile
import threading
from typing import Any

from tinydb.storages import Storage

__all__ = ["LogStorage", "StorageBroken", "StorageCorrupted"]

log = logging.getLogger(__name__)

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_TMP_SUFFIX = ".compact-tmp"
_RECORD_STARTS = (b'{"t":', b'{"drop":', b'{"ops":')
_CHUNK = 1 << 20

Tables = dict[str, dict[str, Any]]


class StorageCorrupted(ValueError):
    """The file is neither a valid log (apart from an unfinished last line) nor a TinyDB JSON file."""

    def __init__(self, path: str, line: int, reason: str):
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(
            f"{path}: line {line}: {reason}. The database file is corrupted "
            "(only an unfinished last line, left by a crash, is discarded automatically)."
        )


class StorageBroken(OSError):
    """A write failed and the storage could not get back to the state on disk: it refuses further use.

    The file itself is still loadable; restart to reopen it.
    """


def _dumps(obj: Any) -> bytes:
    # ensure_ascii (the default) keeps lines pure ASCII: no raw newline can appear inside a line, and a
    # lone surrogate in a string (valid in Python, not in UTF-8) still round-trips.
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


def _parse_line(line: bytes) -> list[tuple[str, dict | None, int]]:
    """The operations of one log line, each with the bytes it would take in a snapshot (live size).

    Raises `_NotARecord`, or another `ValueError` for bad JSON or bad UTF-8.
    """
    record = json.loads(line)
    if isinstance(record, dict) and record.keys() == {"ops"} and isinstance(record["ops"], list):
        ops = []
        for sub in record["ops"]:
            name, docs = _op(sub)
            ops.append((name, docs, 0 if docs is None else len(_dumps(sub)) + 1))
        return ops
    name, docs = _op(record)
    return [(name, docs, len(line) + 1)]


def _looks_like_record(fragment: bytes) -> bool:
    """Could this bad last line be a torn append of ours (and not some unrelated file)?"""
    head = fragment.strip(b"\0")[:8]  # a power loss can also leave a zero-filled tail
    return not head or any(start.startswith(head) or head.startswith(start) for start in _RECORD_STARTS)


def _legacy_document(content: bytes) -> Tables | None:
    """The tables of a TinyDB `JSONStorage` file (`{"_default": {"1": {...}}}`), else None."""
    try:
        document = json.loads(content)
    except ValueError:
        return None
    if isinstance(document, dict) and all(isinstance(table, dict) for table in document.values()):
        return document
    return None


def _replay(path: str, content: bytes) -> tuple[Tables, dict[str, int], int, bool]:
    """Load a file's content: (tables, live size per table, length of the good prefix, is legacy)."""
    tables: Tables = {}
    live: dict[str, int] = {}
    if not content:
        return tables, live, 0, False
    first_end = content.find(b"\n")
    try:
        _parse_line(content if first_end < 0 else content[:first_end])
    except ValueError:
        legacy = _legacy_document(content)
        if legacy is not None:
            return legacy, {}, len(content), True
    pos = 0
    number = 0
    while pos < len(content):
        number += 1
        end = content.find(b"\n", pos)
        line = content[pos:] if end < 0 else content[pos:end]
        try:
            ops = _parse_line(line)
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
                return tables, live, pos, False
            raise StorageCorrupted(path, number, problem)
        for name, docs, size in ops:
            if docs is None:
                tables.pop(name, None)
                live.pop(name, None)
            else:
                tables[name] = docs
                live[name] = size
        pos = end + 1
    return tables, live, pos, False


def _read_file(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _fsync_dir(path: str) -> None:
    """Make a file's creation or replacement in `path` durable (where the platform allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # e.g. Windows, where directories cannot be opened (nor fsynced)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):  # file systems without directory fsync
            raise
    finally:
        os.close(fd)


class LogStorage(Storage):
    """A TinyDB storage: memory for reads, an fsynced append-only log on disk (see the module doc).

    Use it as `TinyDB(path, storage=LogStorage)`; TinyDB forwards its other keyword arguments.

    - `path`: the database file. A missing file starts empty and is created by the first write (its
      directory must exist); an empty file starts empty; a TinyDB `JSONStorage` file is loaded and
      rewritten as a log by the first write.
    - `compact_min_bytes`, `compact_ratio`: compact when the log exceeds
      `max(compact_min_bytes, compact_ratio * live bytes)`.

    Attributes for tests and benchmarks: `bytes_written` (bytes appended by writes, in total; compactions
    not counted), `compactions` (completed), `discarded_bytes` (unfinished tail dropped when opening),
    `size` (the file's current size).
    """

    def __init__(self, path: str | os.PathLike[str], *, compact_min_bytes: int = 1 << 20,
                 compact_ratio: float = 4.0):
        super().__init__()
        if compact_min_bytes < 0:
            raise ValueError("compact_min_bytes must be >= 0")
        if not compact_ratio > 1:
            raise ValueError("compact_ratio must be > 1 (else every write could compact)")
        self.path = os.path.abspath(os.fspath(path))
        self.compact_min_bytes = compact_min_bytes
        self.compact_ratio = compact_ratio
        self.bytes_written = 0
        self.compactions = 0
        self.discarded_bytes = 0
        self._dir = os.path.dirname(self.path)
        self._lock = threading.Lock()
        self._fd: int | None = None  # None until the file exists
        self._closed = False
        self._broken: BaseException | None = None
        self._retry_compaction_at = 0
        if not os.path.isdir(self._dir):
            raise FileNotFoundError(errno.ENOENT, "directory of the database file does not exist", self._dir)
        self._remove_stale_temp_files()
        content = _read_file(self.path)
        self._set_state(content)
        if content is not None:
            self._fd = os.open(self.path, os.O_WRONLY | _O_BINARY)
            if self._size < len(content):
                self.discarded_bytes = len(content) - self._size
                os.ftruncate(self._fd, self._size)
                os.fsync(self._fd)
            os.lseek(self._fd, self._size, os.SEEK_SET)

    # TinyDB's Storage interface

    def read(self) -> Tables:
        """The live tables dict itself (no copy): TinyDB's writes replace a table's dict, never edit it."""
        if self._broken is not None:
            raise StorageBroken(f"{self.path}: storage disabled after a failed write: {self._broken!r}")
        return self._memory

    def write(self, data: Tables) -> None:
        """Append the tables that changed since the last write; return once they are fsynced."""
        with self._lock:
            if self._closed:
                raise ValueError(f"{self.path}: write to a closed LogStorage")
            if self._broken is not None:
                raise StorageBroken(f"{self.path}: storage disabled after a failed write: {self._broken!r}")
            try:
                self._write(data)
            except BaseException:
                # Not acknowledged: put memory (which TinyDB already changed) back to what is on disk.
                self._recover()
                raise
            self._maybe_compact()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            fd, self._fd = self._fd, None
            if fd is not None:
                os.close(fd)

    @property
    def size(self) -> int:
        return self._size

    # Internals (all under self._lock except during __init__)

    def _set_state(self, content: bytes | None) -> None:
        tables, live, good, legacy = _replay(self.path, content or b"")
        self._memory: Tables = tables
        self._seen: dict[str, dict] = dict(tables)  # table name -> the dict object last written
        self._live = live
        self._live_total = sum(live.values())
        self._size = good
        self._legacy = legacy  # a JSONStorage document: the first write compacts it into a log

    def _write(self, data: Tables) -> None:
        seen = self._seen
        if data is self._memory:
            changed = [(name, table) for name, table in data.items() if seen.get(name) is not table]
        else:  # a new top-level dict (drop_tables, or a caller of our own): write all of it
            changed = list(data.items())
        dropped = [name for name in seen if name not in data]
        if not changed and not dropped:  # nothing to write (a new top-level dict here is empty)
            self._memory = data
            return
        records = [(name, _dumps({"t": name, "docs": table})) for name, table in changed]
        drops = [_dumps({"drop": name}) for name in dropped]

        if self._legacy:  # the file is not a log yet: replace it by a snapshot of the new state
            self._memory = data
            self._seen = dict(data)
            self._compact()
            return

        parts = [record for _, record in records] + drops
        line = parts[0] + b"\n" if len(parts) == 1 else b'{"ops":[' + b",".join(parts) + b"]}\n"
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
            _fsync_dir(self._dir)
        _write_all(self._fd, line)
        os.fsync(self._fd)
        self._size += len(line)
        self.bytes_written += len(line)

        if data is not self._memory:
            self._memory = data
            self._seen = seen = {}
        for name in dropped:
            seen.pop(name, None)
            self._live_total -= self._live.pop(name, 0)
        for (name, table), (_, record) in zip(changed, records, strict=True):
            seen[name] = table
            self._live_total += len(record) + 1 - self._live.get(name, 0)
            self._live[name] = len(record) + 1

    def _recover(self) -> None:
        """After a failed write: cut the file back to its acknowledged end and reload memory from it."""
        try:
            if self._fd is not None:
                os.ftruncate(self._fd, self._size)
                os.lseek(self._fd, self._size, os.SEEK_SET)
            content = _read_file(self.path)
            self._set_state(content)
            if content is not None and self._size != len(content):  # cannot happen after the truncate
                raise OSError(f"{self.path}: unexpected tail after truncation")
        except BaseException as exc:
            self._broken = exc
            log.error("%s: could not recover from a failed write; storage disabled", self.path, exc_info=True)

    def _maybe_compact(self) -> None:
        threshold = max(self.compact_min_bytes, self.compact_ratio * self._live_total)
        if self._size <= threshold or self._size < self._retry_compaction_at:
            return
        try:
            self._compact()
        except Exception:
            # The write itself is already durable in the log, which is still intact: report, carry on,
            # and retry only after the log has grown by another threshold (not on every write).
            log.warning("%s: compaction failed; the log stays as it is", self.path, exc_info=True)
            self._retry_compaction_at = self._size + int(threshold)

    def _compact(self) -> None:
        # Costs O(all data), unlike a write; amortised, since the log must grow by
        # (compact_ratio - 1) * live bytes between two compactions.
        fd, tmp = tempfile.mkstemp(prefix=os.path.basename(self.path) + ".", suffix=_TMP_SUFFIX,
                                   dir=self._dir)
        try:
            live = {}
            buffer: list[bytes] = []
            buffered = 0
            for name, table in self._memory.items():
                record = _dumps({"t": name, "docs": table}) + b"\n"
                live[name] = len(record)
                buffer.append(record)
                buffered += len(record)
                if buffered >= _CHUNK:
                    _write_all(fd, b"".join(buffer))
                    buffer, buffered = [], 0
            _write_all(fd, b"".join(buffer))
            if self._fd is not None and hasattr(os, "fchmod"):
                os.fchmod(fd, os.fstat(self._fd).st_mode & 0o7777)  # mkstemp creates it 0600
            os.fsync(fd)
            os.replace(tmp, self.path)
        except BaseException:
            os.close(fd)
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        # The snapshot is now the file: append to it from here on.
        old, self._fd = self._fd, fd
        self._size = self._live_total = sum(live.values())
        self._live = live
        self._legacy = False
        self._retry_compaction_at = 0
        self.compactions += 1
        if old is not None:
            os.close(old)
        _fsync_dir(self._dir)

    def _remove_stale_temp_files(self) -> None:
        """Snapshots left by a crash during compaction (never the live file: it is only ever replaced)."""
        pattern = glob.escape(self.path) + ".*" + _TMP_SUFFIX
        for stale in glob.glob(pattern):
            try:
                os.unlink(stale)
            except OSError:
                pass
