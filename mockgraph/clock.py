"""Time and ids the mock hands out, controllable so that tests can snapshot responses."""

from __future__ import annotations

import datetime as dt
import random
import threading
import uuid


class Clock:
    """Real UTC time, unless set: then it stands still until set or advanced again."""

    def __init__(self, start: dt.datetime | str | None = None):
        self._lock = threading.Lock()
        self._fixed: dt.datetime | None = None
        self._start = start
        if start is not None:
            self.set(start)

    @property
    def frozen(self) -> bool:
        return self._fixed is not None

    def now(self) -> dt.datetime:
        with self._lock:
            return self._fixed if self._fixed is not None else dt.datetime.now(dt.UTC)

    def set(self, when: dt.datetime | str) -> None:
        if isinstance(when, str):
            when = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        with self._lock:
            self._fixed = when.astimezone(dt.UTC)

    def advance(self, seconds: float = 0, **delta) -> None:
        with self._lock:
            base = self._fixed if self._fixed is not None else dt.datetime.now(dt.UTC)
            self._fixed = base + dt.timedelta(seconds=seconds, **delta)

    def release(self) -> None:
        """Back to real time."""
        with self._lock:
            self._fixed = None

    def restart(self) -> None:
        """Back to how it was made: the fixed start time, or real time."""
        if self._start is None:
            self.release()
        else:
            self.set(self._start)

    def timestamp(self) -> str:
        """Graph's DateTimeOffset form: UTC, 7 fractional digits, Z."""
        return format_timestamp(self.now())


def format_timestamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}0Z"


class IdGenerator:
    """Lower-case hyphenated GUIDs; a seed makes the sequence reproducible."""

    def __init__(self, seed: int | None = None):
        self._lock = threading.Lock()
        self._random = random.Random(seed) if seed is not None else None
        self._mark = self._random.getstate() if self._random is not None else None

    def mark(self) -> None:
        """Remember where the sequence is; `rewind()` comes back here."""
        if self._random is not None:
            with self._lock:
                self._mark = self._random.getstate()

    def rewind(self) -> None:
        if self._random is not None:
            with self._lock:
                self._random.setstate(self._mark)

    def new_id(self) -> str:
        if self._random is None:
            return str(uuid.uuid4())
        with self._lock:
            return str(uuid.UUID(int=self._random.getrandbits(128), version=4))
