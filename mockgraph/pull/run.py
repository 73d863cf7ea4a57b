"""One pull: read, shape, (anonymize), check as `check-fixtures` would, write. Progress on stderr."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from mockgraph.clock import Clock, IdGenerator
from mockgraph.fixtures.files import FixtureError, parse_fixture
from mockgraph.graph.facets import FACETS
from mockgraph.pull.anonymize import Anonymizer
from mockgraph.pull.client import GraphReader, PullError
from mockgraph.pull.snapshot import take_snapshot


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def pull(*, token: str, graph_url: str, users: Sequence[str] = (), max_users: int | None = None,
         anonymize: bool = False, output: Path | None = None) -> int:
    """Exit status: 0 written, 1 stopped by Graph, the network or the file (nothing written)."""
    try:
        with GraphReader(graph_url, token, say=say, user_agent=_user_agent()) as reader:
            snapshot = take_snapshot(reader, FACETS, users=users, max_users=max_users, say=say)
        data = snapshot.fixture()
        if anonymize:
            data = {"users": Anonymizer().users(data["users"], FACETS)}
        name = str(output) if output else "<stdout>"
        # What check-fixtures and serve --fixtures will say of the file, before it exists.
        parse_fixture(data, name, FACETS, IdGenerator(), Clock())
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if output is None:
            sys.stdout.write(text)
        else:
            _write_atomically(output, text)
    except PullError as error:
        say(f"mockgraph pull: {error}")
        return 1
    except FixtureError as error:
        say(f"mockgraph pull: the data would not load, nothing written: {error}")
        return 1
    except OSError as error:
        say(f"mockgraph pull: cannot write {output}: {error.strerror or error}")
        return 1
    for line in snapshot.skipped:
        say(f"left out (the mock would refuse it): {line}")
    if snapshot.dropped:
        say(f"properties the mock does not declare, not written: {', '.join(sorted(snapshot.dropped))}")
    say(f"mockgraph pull: wrote {name}: {len(snapshot.users)} users, {snapshot.items} profile items"
        + (", anonymized" if anonymize else ""))
    return 0


def _write_atomically(path: Path, text: str) -> None:
    # An interrupted pull leaves the previous file as it was, never half a new one.
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _user_agent() -> str:
    from importlib import metadata

    try:
        return f"mockgraph-pull/{metadata.version('mockgraph')}"
    except metadata.PackageNotFoundError:
        return "mockgraph-pull"
