"""The options of `create_app(**options)`, and the checks of where to serve (`MockGraph`, `mockgraph
serve`); the command line mirrors them, with the same words in its errors (CONTRACT §9, §10)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_MAX_BODY = 4 * 1024 * 1024
DEFAULT_JOURNAL_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Options:
    fixtures: Sequence[str] | None = None  # None: the bundled fixtures/default.json
    db: str | None = None  # None: in memory
    reseed: bool = False  # replace a --db file's data with the fixtures
    me: str | None = None  # the default user (id or UPN); else the first fixture user
    page_size: int = 100
    max_body: int = DEFAULT_MAX_BODY
    journal_size: int = 10_000  # entries the journal keeps
    journal_bytes: int = DEFAULT_JOURNAL_BYTES  # and the bytes they may hold (bodies, headers)
    faults: str | Sequence[dict] | None = None  # a rules file, or the rules themselves
    control: bool = True  # the /_mockgraph API
    strict: bool = False  # validate every response against the schemas (the test suite turns it on)
    seed: int | None = None  # reproducible generated ids
    clock: str | None = None  # a fixed start time (ISO 8601) instead of real time
    host: str | None = None  # the host the server is bound to (--host): the control API accepts it too

    def __post_init__(self):
        if isinstance(self.fixtures, str):
            object.__setattr__(self, "fixtures", (self.fixtures,))
        if not 1 <= self.page_size <= 999:
            raise ValueError("page_size must be between 1 and 999")
        if self.max_body < 1:
            raise ValueError("max_body must be positive")
        if self.journal_size < 0:
            raise ValueError("journal_size must not be negative")
        if self.journal_bytes < 1:
            raise ValueError("journal_bytes must be positive")


def check_port(port) -> int:
    """The port, or ValueError: 0 (a free one) to 65535."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be a whole number from 0 to 65535, not {port!r}")
    return port


def check_certificate(tls: bool, cert: str | None, key: str | None) -> None:
    """tls=True makes a certificate; cert and key name one of your own: one or the other, whole."""
    if (cert is None) != (key is None):
        raise ValueError("cert and key go together: give both files or neither")
    if tls and cert is not None:
        raise ValueError("tls makes its own certificate: give either tls or cert and key, not both")
