"""`python -m bench.profile [get|list|profile|patch|post_delete] [-n N] [--reference] [--no-journal]`: where one
operation's time goes, with pyinstrument, calling the WSGI app directly (no server, no test client: only
the app's own work).

The operations are `make bench`'s: get and patch one of 50 positions, list the 20 positions of the other
user, GET that user's /profile (20 positions, 18 empty collections), a POST and its DELETE. --reference
profiles the bare Flask app answering the same bodies instead.

Profile before optimising: this is how the hot paths of issue 7 were found.
"""

from __future__ import annotations

import argparse
import json
import sys

from pyinstrument import Profiler

from bench import data
from bench.load import PATCH_BODY, POST_BODY
from bench.reference_app import create_reference_app
from bench.wsgi import call, paths
from mockgraph import create_app

OPERATIONS = ("get", "list", "profile", "patch", "post_delete")


def operation(app, name: str, users: list[dict]):
    """A function doing the operation `name` once on `app` (which holds `data.served_users()`)."""
    path = paths(users)
    if name in ("get", "list", "profile"):
        where = path["item" if name == "get" else name]
        return lambda: call(app, "GET", where)
    if name == "patch":
        return lambda: call(app, "PATCH", path["item"], PATCH_BODY.encode())
    if name != "post_delete":
        raise ValueError(f"unknown operation {name!r}; one of {OPERATIONS}")

    def post_delete():
        created = json.loads(call(app, "POST", path["collection"], POST_BODY.encode(), 201))
        call(app, "DELETE", f"{path['collection']}/{created['id']}", expected=204)

    return post_delete


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("operation", choices=OPERATIONS)
    parser.add_argument("-n", type=int, default=2000, help="calls to profile (default 2000)")
    parser.add_argument("--reference", action="store_true", help="profile the bare Flask reference app instead")
    parser.add_argument("--no-journal", action="store_true", help="the mock with its journal off (journal_size=0)")
    args = parser.parse_args(argv)
    users = data.served_users()
    if args.reference:
        app = create_reference_app(users)
    else:
        app = create_app(journal_size=0) if args.no_journal else create_app()
        app.extensions["mockgraph"].repository.load(users)
    do = operation(app, args.operation, users)
    for _ in range(50):
        do()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.n):
        do()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=sys.stdout.isatty()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
