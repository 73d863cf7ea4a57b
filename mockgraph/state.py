"""Everything one app instance holds: store, seed data, clock, ids. One per `create_app`, no globals."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from mockgraph.clock import Clock, IdGenerator
from mockgraph.fixtures.files import default_fixture_path, read_fixture_files
from mockgraph.graph.facets import FACETS
from mockgraph.graph.service import ProfileService
from mockgraph.options import Options
from mockgraph.store import Repository

if TYPE_CHECKING:
    from mockgraph.control.faults.injection import FaultRules
    from mockgraph.control.journal import Journal
    from mockgraph.graph.hosts import HostPolicy


# WSGI environ: the state's generation (resets so far) when a request started; $batch passes its own on.
GENERATION_KEY = "mockgraph.generation"


class MockState:
    # Attached by the modules that own them, when the app is made (journal.install, faults.install).
    journal: Journal
    faults: FaultRules
    hosts: HostPolicy  # attached by pipeline.install

    def __init__(self, options: Options):
        self.options = options
        self.facets = FACETS
        self.facet_by_segment = {facet.segment: facet for facet in FACETS}
        self.clock = Clock(options.clock)
        self.ids = IdGenerator(options.seed)
        # Signs $skiptokens; a seed makes them reproducible too.
        self.secret = secrets.token_bytes(32) if options.seed is None else f"mockgraph-{options.seed}".encode()
        fixture_paths = options.fixtures if options.fixtures is not None else (default_fixture_path(),)
        self.seed_users = read_fixture_files(fixture_paths, self.facets, self.ids, self.clock)
        self.ids.mark()  # a reset rewinds to here: ids after the ones the fixtures took
        kinds = [facet.segment for facet in FACETS]
        if options.db:
            self.repository = Repository.on_disk(options.db, kinds)
        else:
            self.repository = Repository.in_memory(kinds)
        self.service = ProfileService(self.repository, self.ids, self.clock)
        self.generation = 0  # resets so far
        # Checks run on every Graph request after authentication (fault rules register here).
        self.guards: list[Callable] = []
        # Called on reset, after the data is back to its seeded state (journal, fault rules).
        self.on_reset: list[Callable[[], None]] = []
        if options.reseed or self.repository.is_empty():
            self.reset_data()
        users = self.repository.users()
        if options.me and self.repository.find_user(options.me) is None:
            self.repository.close()  # a mock that does not start keeps no --db file open
            raise ValueError(f"me names nobody in the data: no user has the id or userPrincipalName '{options.me}'")
        self._default_user_ref = options.me or (users[0]["id"] if users else None)

    def reset_data(self) -> None:
        with self.repository.atomic():  # on disk, one step: a crash never leaves half a reset
            self.repository.clear()
            self.repository.load(copy.deepcopy(self.seed_users))

    def reset(self) -> None:
        with self.repository.lock:
            # Requests that started before this reset must not write after it (the pipeline checks).
            self.generation += 1
            self.reset_data()
        # Time and generated ids start over too, so that each test after a reset sees the same ones.
        self.clock.restart()
        self.ids.rewind()
        for hook in self.on_reset:
            hook()

    def default_user(self) -> dict | None:
        """Who `/me` is for tokens that name nobody: `--me`, else the first user at start."""
        return self.repository.find_user(self._default_user_ref) if self._default_user_ref else None
