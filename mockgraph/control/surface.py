"""The control surface a test holds, whether the mock is served live (`MockGraph`) or in process
(`intercept()`): the same calls on the same state as the `/_mockgraph` API, without an HTTP round trip."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from mockgraph.clock import Clock
from mockgraph.control.faults.injection import FaultRules
from mockgraph.control.journal import Journal
from mockgraph.state import MockState


class MockControls:
    """Mixed into a holder of `mock_state` (CONTRACT §8)."""

    mock_state: MockState

    def reset(self) -> None:
        """Back to the seeded data; the journal and fault rules cleared; the clock and id sequence back
        to where they started."""
        self.mock_state.reset()

    def seed(self, data: Mapping | str) -> dict[str, int]:
        """Add fixture-format data (or a fixture file's path); a user already stored is replaced.
        Answers `{"users": n, "<collection>": m, ...}` for every collection; a bad fixture raises
        `FixtureError` and loads nothing."""
        from mockgraph.fixtures import seeding

        if isinstance(data, Mapping):
            return seeding.seed(self.mock_state, data)
        return seeding.seed_file(self.mock_state, data)

    def state(self) -> dict:
        """Everything stored, in the fixture format: `{"users": [...]}`."""
        return {"users": self.mock_state.repository.export()}

    @property
    def requests(self) -> RequestLog:
        """The request journal: a live, read-only sequence of entries (dicts), oldest first."""
        return RequestLog(self.mock_state.journal)

    @property
    def clock(self) -> Clock:
        """`set(when)`, `advance(seconds)`, `release()`, `now()`."""
        return self.mock_state.clock

    @property
    def faults(self) -> FaultRules:
        """The fault rules (CONTRACT §8): `add({...})` or `add(**fields)`, `extend([...])`, `list()`,
        `remove(id)`, `clear()`, `counts(id)`."""
        return self.mock_state.faults


class RequestLog:
    """What the mock was asked, as journal entries (CONTRACT §8): `log[-1]`, `len(log)`, `log.find(...)`."""

    def __init__(self, journal: Journal):
        self._journal = journal

    def find(self, method: str | None = None, path: str | None = None, status: int | None = None) -> list[dict]:
        """Entries by method, path glob (`*` spans `/`; with or without the `/beta` prefix) and status."""
        return self._journal.entries(method=method, path=path, status=status)

    def find_one(self, method: str | None = None, path: str | None = None, status: int | None = None) -> dict:
        """The one matching entry; AssertionError (with what was seen) unless exactly one matches."""
        found = self.find(method, path, status)
        if len(found) != 1:
            seen = [f"{e['method']} {e['path']} {e['status']}" for e in self._journal.entries()]
            raise AssertionError(f"expected one request matching method={method} path={path} status={status}, "
                                 f"found {len(found)}; the journal holds: {seen}")
        return found[0]

    @property
    def last(self) -> dict | None:
        try:
            return self._journal.at(-1)
        except IndexError:
            return None

    def clear(self) -> None:
        self._journal.clear()

    def __len__(self) -> int:
        return len(self._journal)

    def __iter__(self) -> Iterator[dict]:
        return iter(self._journal.entries())

    def __getitem__(self, index: int | slice):
        return self._journal.entries()[index] if isinstance(index, slice) else self._journal.at(index)

    def __bool__(self) -> bool:
        return len(self._journal) > 0
