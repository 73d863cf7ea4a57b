"""The file a `--db` path names, and reading it before it is opened for writing."""

from __future__ import annotations

import os
import stat

from mockgraph.store.logfile import DatabaseFileError, refuse_foreign_start

_DESCRIBE_LIMIT = 16 << 20  # a foreign file up to this size is read to say what it looks like


def data_file(path: str) -> str:
    """The file a path names, through symbolic links; DatabaseFileError for what cannot be one."""
    real = os.path.realpath(path)
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            raise DatabaseFileError(path, f"a symbolic link to {os.readlink(path)}, which does not exist") from None
        if not os.path.isdir(os.path.dirname(real)):
            raise DatabaseFileError(path, "the directory of the database file does not exist") from None
        return real  # a new database
    except OSError as error:
        raise DatabaseFileError(path, f"cannot use the database file ({error.strerror})") from None
    if stat.S_ISDIR(mode):
        raise DatabaseFileError(path, "a directory, not a database file")
    if not stat.S_ISREG(mode):
        raise DatabaseFileError(path, "not a regular file")
    return real


def refuse_foreign(path: str, shown: str) -> None:
    """NotAStore for a file whose first bytes are not those of a log, read without writing anything."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
            if head and not head.startswith(b"{"):
                content = None
            else:
                content = head + handle.read(_DESCRIBE_LIMIT)
    except FileNotFoundError:
        return
    except OSError as error:
        raise DatabaseFileError(shown, f"cannot read the database file ({error.strerror})") from None
    refuse_foreign_start(shown, head, content if content is not None and len(content) <= _DESCRIBE_LIMIT else None)


def read_file(path: str, shown: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DatabaseFileError(shown, f"cannot read the database file ({error.strerror})") from None
