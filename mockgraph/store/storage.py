"""`LogStorage`: a durable TinyDB storage whose writes cost the size of the table that changed.

TinyDB's `JSONStorage` rewrites the whole file in place on every write: the cost of a write grows with
everything stored, and a kill mid-write leaves a file that will not load. `LogStorage` keeps the
database in memory (reads never touch the disk) and appends each write to a log (the format, and how a
file is recognised as ours, is in `logfile.py`):

- `write()` appends one line with `os.write` on an `O_APPEND` descriptor (no user-space buffer to flush;
  nothing can land in the middle of the file) and `os.fsync`s it before returning: an acknowledged write
  is on disk.
- `transaction()` makes several writes one line: after a crash the file holds all of them or none.
- A kill during an append can leave only an unfinished last line, which was never acknowledged: loading
  drops it and truncates the file back to the last complete line. A bad line anywhere else is real
  corruption and raises `StorageCorrupted`; a file that is not a log at all raises `NotAStore` and is
  never written to.
- One storage per file, across processes: an OS lock on `<file>.lock` (`filelock.py`), else
  `StorageLocked`.
- When the log grows past `max(compact_min_bytes, compact_ratio * live bytes)` (live bytes: the size
  of a snapshot of the current state), it is compacted: a snapshot (one `"t"` line per table) is written
  to a temporary file in the same directory, fsynced, and `os.replace`d over the log, then the directory
  is fsynced. The file is never rewritten in place, so it always loads. A symbolic link given as the
  path stays a link: its target is what gets replaced.

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
- The storage serialises its own `write()` calls, but TinyDB's read-modify-write of the tables dict is
  not atomic: the caller must serialise TinyDB operations (and hold that serialisation for a whole
  `transaction()`).
"""

from __future__ import annotations

import errno
import glob
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tinydb.storages import Storage

from mockgraph.store.filelock import AlreadyLocked, FileLock, lock_path
from mockgraph.store.fileops import data_file, read_file, refuse_foreign
from mockgraph.store.logfile import (
    DatabaseFileError,
    NotAStore,
    StorageCorrupted,
    StorageLocked,
    Tables,
    dumps,
    repair_text,
    replay,
)

__all__ = ["DatabaseFileError", "LogStorage", "NotAStore", "StorageBroken", "StorageCorrupted", "StorageLocked",
           "read_log"]

log = logging.getLogger(__name__)

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_TMP_SUFFIX = ".compact-tmp"
_CHUNK = 1 << 20


class StorageBroken(OSError):
    """A write failed and the storage could not get back to the state on disk: it refuses further use.

    The file itself is still loadable; restart to reopen it.
    """


def read_log(path: str | os.PathLike[str]) -> Tables:
    """What a new storage would load from the file, without opening it for writing (no lock, no
    truncation, repairs in memory only): for tools and tests."""
    path = os.path.abspath(os.fspath(path))
    content = read_file(path, path) or b""
    tables = replay(path, content).tables
    tables.update(repair_text(path, content, tables))
    return tables


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _set_append(fd: int) -> None:
    """Put an open descriptor in append mode, where the platform can (POSIX)."""
    try:
        import fcntl
    except ImportError:
        return
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)


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
      directory must exist); an empty file starts empty; a file that is not a log is refused
      (`NotAStore`), as is one another storage holds (`StorageLocked`). Strings that are not text (lone
      surrogates, stored by earlier versions) are repaired on opening, and the repair written back.
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
        self._file = data_file(self.path)  # through a symbolic link: the link itself is never replaced
        self._dir = os.path.dirname(self._file)
        self._lock = threading.Lock()
        self._fd: int | None = None  # None until the file exists
        self._closed = False
        self._broken: BaseException | None = None
        self._retry_compaction_at = 0
        self._deferring = 0  # depth of open transactions: writes wait in memory until the outermost ends
        refuse_foreign(self._file, self.path)  # before the lock file is made beside it
        try:
            self._file_lock = FileLock(lock_path(self._file))
        except AlreadyLocked:
            raise StorageLocked(self.path) from None
        except OSError as error:
            raise DatabaseFileError(self.path, f"cannot create its lock file {lock_path(self._file)} "
                                               f"({error.strerror})") from None
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        self._remove_stale_temp_files()
        content = read_file(self._file, self.path)
        self._set_state(content)
        if content is None:
            return
        try:
            self._fd = os.open(self._file, os.O_WRONLY | os.O_APPEND | _O_BINARY)
            if self._size < len(content):
                self.discarded_bytes = len(content) - self._size
                os.ftruncate(self._fd, self._size)
                os.fsync(self._fd)
            fixed = repair_text(self.path, content, self._memory)
            if fixed:
                # A snapshot replaces the file: the bad strings leave the disk, not only memory.
                self._memory.update(fixed)
                self._compact()
                self._seen = dict(self._memory)
        except OSError as error:
            raise DatabaseFileError(self.path, f"cannot write the database file ({error.strerror})") from None

    # TinyDB's Storage interface

    def read(self) -> Tables:
        """The live tables dict itself (no copy): TinyDB's writes replace a table's dict, never edit it."""
        if self._broken is not None:
            raise StorageBroken(f"{self.path}: storage disabled after a failed write: {self._broken!r}")
        return self._memory

    def write(self, data: Tables) -> None:
        """Append the tables that changed since the last write; return once they are fsynced. Inside a
        transaction, only remember them: the transaction's end writes them."""
        with self._lock:
            self._check_usable()
            if self._deferring:
                self._memory = data
                return
            self._write_and_compact(data)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes inside the block reach the file as one line when the outermost block ends, fsynced
        before it returns: after a crash the file holds all of them or none. If the block raises,
        memory goes back to what the file holds."""
        with self._lock:
            self._check_usable()
            self._deferring += 1
        try:
            yield
        except BaseException:
            with self._lock:
                self._deferring -= 1
                if not self._deferring:
                    self._recover()
            raise
        with self._lock:
            self._deferring -= 1
            if not self._deferring:
                self._check_usable()
                self._write_and_compact(self._memory)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            fd, self._fd = self._fd, None
            if fd is not None:
                os.close(fd)
            file_lock = getattr(self, "_file_lock", None)
            if file_lock is not None:
                file_lock.release()

    @property
    def size(self) -> int:
        return self._size

    # Internals (all under self._lock except during __init__)

    def _check_usable(self) -> None:
        if self._closed:
            raise ValueError(f"{self.path}: write to a closed LogStorage")
        if self._broken is not None:
            raise StorageBroken(f"{self.path}: storage disabled after a failed write: {self._broken!r}")

    def _write_and_compact(self, data: Tables) -> None:
        try:
            self._write(data)
        except BaseException:
            # Not acknowledged: put memory (which TinyDB already changed) back to what is on disk.
            self._recover()
            raise
        self._maybe_compact()

    def _set_state(self, content: bytes | None) -> None:
        replayed = replay(self.path, content or b"")
        self._memory: Tables = replayed.tables
        self._seen: dict[str, dict] = dict(replayed.tables)  # table name -> the dict object last written
        self._live = replayed.live
        self._live_total = sum(replayed.live.values())
        self._size = replayed.size

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
        records = [(name, dumps({"t": name, "docs": table})) for name, table in changed]
        drops = [dumps({"drop": name}) for name in dropped]

        parts = [record for _, record in records] + drops
        line = parts[0] + b"\n" if len(parts) == 1 else b'{"ops":[' + b",".join(parts) + b"]}\n"
        if self._fd is None:
            self._fd = os.open(self._file, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
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
            content = read_file(self._file, self.path)
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
        fd, tmp = tempfile.mkstemp(prefix=os.path.basename(self._file) + ".", suffix=_TMP_SUFFIX,
                                   dir=self._dir)
        try:
            live = {}
            buffer: list[bytes] = []
            buffered = 0
            for name, table in self._memory.items():
                record = dumps({"t": name, "docs": table}) + b"\n"
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
            _set_append(fd)
            os.replace(tmp, self._file)
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
        self._retry_compaction_at = 0
        self.compactions += 1
        if old is not None:
            os.close(old)
        _fsync_dir(self._dir)

    def _remove_stale_temp_files(self) -> None:
        """Snapshots left by a crash during compaction (never the live file: it is only ever replaced)."""
        pattern = glob.escape(self._file) + ".*" + _TMP_SUFFIX
        for stale in glob.glob(pattern):
            try:
                os.unlink(stale)
            except OSError:
                pass
