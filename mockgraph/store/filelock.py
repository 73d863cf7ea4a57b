"""One writer per database file: an exclusive OS lock on a sidecar file (`<database>.lock`).

The lock is on a file of its own because the database file itself is replaced by compaction, and a lock
on a replaced file protects nothing. The OS drops the lock when its holder exits, however it exits
(SIGKILL included), so a lock file left behind is harmless; it is never deleted, since deleting it
would let two processes lock two different files of the same name.
"""

from __future__ import annotations

import errno
import os

try:  # POSIX
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt


class AlreadyLocked(Exception):
    pass


class FileLock:
    """Held from construction until `release()`. The file object closes (and unlocks) when collected too."""

    def __init__(self, path: str):
        self.path = path
        handle = open(path, "a+b")  # noqa: SIM115 - held open for the lock's whole life
        try:
            if fcntl is not None:
                # flock locks belong to the open file: a second opening in this process conflicts too.
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError as error:
            handle.close()
            if error.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
                raise AlreadyLocked(path) from None
            raise
        self._handle = handle

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()  # closing the file releases its lock


def lock_path(database_file: str) -> str:
    return os.fspath(database_file) + ".lock"
