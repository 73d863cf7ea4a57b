"""`python -m bench.profile [get|list|patch|post_delete] [-n N] [--reference]`: where one operation's time
goes, with pyinstrument, calling the WSGI app directly (no server, no test client: only the app's own work).

Profile before optimising: this is how the hot paths of issue 7 were found.
"""

from __future__ import annotations

import argparse
import io
import json
import sys

from pyinstrument import Profiler

from bench import data
from bench.load import PATCH_BODY, POST_BODY
from bench.reference_app import create_reference_app
from mockgraph import create_app


def environ(method: str, path: str, body: bytes = b"") -> dict:
    return {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8765", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8765", "HTTP_AUTHORIZATION": "Bearer bench", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)), "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
        "wsgi.multiprocess": False, "wsgi.run_once": False,
    }


def call(app, method: str, path: str, body: bytes = b"", expected: int = 200) -> bytes:
    status = []
    answer = b"".join(app(environ(method, path, body), lambda code, headers, exc_info=None: status.append(code)))
    if not status[0].startswith(str(expected)):
        raise RuntimeError(f"{method} {path}: {status[0]} {answer[:300]!r}")
    return answer


def operation(app, name: str, users: list[dict]):
    base = f"/beta/users/{users[0]['id']}/profile/positions"
    item = f"{base}/{users[0][data.KIND][0]['id']}"
    if name == "get":
        return lambda: call(app, "GET", item)
    if name == "list":
        return lambda: call(app, "GET", base)
    if name == "patch":
        return lambda: call(app, "PATCH", item, PATCH_BODY.encode())

    def post_delete():
        created = json.loads(call(app, "POST", base, POST_BODY.encode(), 201))
        call(app, "DELETE", f"{base}/{created['id']}", expected=204)

    return post_delete


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("operation", choices=("get", "list", "patch", "post_delete"))
    parser.add_argument("-n", type=int, default=2000, help="calls to profile (default 2000)")
    parser.add_argument("--reference", action="store_true", help="profile the bare Flask reference app instead")
    args = parser.parse_args(argv)
    users = data.users(1, 50)
    if args.reference:
        app = create_reference_app(users)
    else:
        app = create_app()
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
