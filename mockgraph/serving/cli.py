"""`mockgraph serve` and `mockgraph check-fixtures` (CONTRACT §9)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from mockgraph.options import DEFAULT_JOURNAL_BYTES, DEFAULT_MAX_BODY, check_certificate, check_port

SERVE_EPILOG = """\
once it answers, it prints: mockgraph listening on http://127.0.0.1:8765/beta

base URL:     http://HOST:PORT/beta (https with --tls); with the defaults http://127.0.0.1:8765/beta
tokens:       every Graph request needs "Authorization: Bearer <token>" (none: 401). Any token that
              is not a JWT acts as the default user (--me, else the first fixture user) with every
              permission; an unsigned JWT acts as its oid or upn, with its scp (delegated) or roles
              (application) as permissions. mockgraph.make_token() mints such tokens.
control API:  http://HOST:PORT/_mockgraph (health, reset, seed, state, requests, faults, clock,
              openapi.json): no token, for tools on this machine; off with --no-control

examples:
  mockgraph serve --port 9000 --fixtures default --fixtures example-people --seed 1
  curl -H 'Authorization: Bearer x' http://127.0.0.1:8765/beta/me/profile/positions
"""


def build_parser() -> argparse.ArgumentParser:
    from mockgraph.version import package_version

    parser = argparse.ArgumentParser(
        prog="mockgraph", description="A local, stateful mock of Microsoft Graph's beta profile API.",
        epilog="Start with: mockgraph serve (then see mockgraph serve --help)")
    parser.add_argument("--version", action="version", version=f"mockgraph {package_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the mock over HTTP (or HTTPS)",
                                description="Serve the mock over HTTP (or HTTPS) until Ctrl-C or SIGTERM.",
                                epilog=SERVE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8765, help="port (0 takes a free one; default 8765)")
    serve.add_argument("--fixtures", action="append", metavar="PATH",
                       help="fixture file to seed from, or a bundled one's name: default, example-people "
                            "(repeatable; default: default)")
    serve.add_argument("--db", metavar="FILE", help="keep state in FILE, durably (default: in memory); one server "
                                                   "per file")
    serve.add_argument("--reseed", action="store_true",
                       help="replace the data of the --db file (a mockgraph database) with the fixtures; nothing "
                            "else ever replaces stored data, and a file that is not a mockgraph database is "
                            "never touched")
    serve.add_argument("--me", metavar="USER", help="the default user, id or UPN (default: first fixture user)")
    serve.add_argument("--page-size", type=int, default=100, metavar="N", help="server page size (1-999; default 100)")
    serve.add_argument("--max-body", type=int, default=DEFAULT_MAX_BODY, metavar="BYTES",
                       help=f"largest request body accepted (default {DEFAULT_MAX_BODY})")
    serve.add_argument("--seed", type=int, metavar="N", help="make generated ids reproducible")
    serve.add_argument("--faults", metavar="FILE", help="fault rules to start with (a JSON array of rules)")
    serve.add_argument("--journal-size", type=int, default=10_000, metavar="N",
                       help="requests the journal keeps, newest last (0: none; default 10000)")
    serve.add_argument("--journal-bytes", type=int, default=DEFAULT_JOURNAL_BYTES, metavar="BYTES",
                       help="bytes the journal may hold; the oldest entries go first, large bodies are "
                       f"truncated (default {DEFAULT_JOURNAL_BYTES})")
    serve.add_argument("--no-control", dest="control", action="store_false",
                       help="no /_mockgraph control API (health, reset, seed, state, journal, faults)")
    serve.add_argument("--tls", action="store_true", help="serve HTTPS with a self-signed certificate made at start")
    serve.add_argument("--cert", metavar="FILE", help="serve HTTPS with this PEM certificate (with --key)")
    serve.add_argument("--key", metavar="FILE", help="the PEM private key of --cert")
    serve.add_argument("--cert-out", metavar="FILE",
                       help="with --tls or --cert: write the certificate served to FILE, for clients to trust")
    logging_level = serve.add_mutually_exclusive_group()
    logging_level.add_argument("--quiet", action="store_true", help="no per-request log lines")
    logging_level.add_argument("--verbose", action="store_true",
                               help="log each request's headers and body and the response's body too "
                                    "(tokens redacted)")

    check = commands.add_parser("check-fixtures", help="validate fixture files, reporting every error",
                                description="Validate fixture files as serve would, reporting every error "
                                            "in every file; exit status 1 if any.")
    check.add_argument("paths", nargs="+", metavar="PATH", help="a fixture file, or a bundled one's name")

    from mockgraph.pull.command import add_parser as add_pull

    add_pull(commands)
    return parser


def app_options(args: argparse.Namespace) -> dict:
    return {
        "fixtures": args.fixtures, "db": args.db, "reseed": args.reseed, "me": args.me,
        "page_size": args.page_size, "max_body": args.max_body, "seed": args.seed, "faults": args.faults,
        "journal_size": args.journal_size, "journal_bytes": args.journal_bytes, "control": args.control,
        "host": args.host,  # the control API accepts requests addressed to it
    }


def serve(args: argparse.Namespace) -> int:
    from mockgraph.app import create_app
    from mockgraph.control.faults.injection import FaultFileError
    from mockgraph.fixtures.files import FixtureError
    from mockgraph.serving.server import PortInUse, is_loopback, make_server
    from mockgraph.serving.tls import CertificateFiles, self_signed
    from mockgraph.store.storage import DatabaseFileError

    try:
        check_certificate(args.tls, args.cert, args.key)
    except ValueError as error:
        print(f"mockgraph: {error}", file=sys.stderr)
        return 1
    if args.cert_out and not (args.tls or args.cert):
        print("mockgraph: --cert-out writes the HTTPS certificate: add --tls (or --cert and --key)", file=sys.stderr)
        return 1
    if not args.quiet:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        requests_log = logging.getLogger("mockgraph.requests")
        requests_log.addHandler(handler)
        # DEBUG adds the bodies to each request's line (graph/pipeline.py).
        requests_log.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    certificate = None
    try:
        app = create_app(**app_options(args))
        if args.cert:
            certificate = CertificateFiles(Path(args.cert), Path(args.key))
        elif args.tls:
            certificate = self_signed(args.host)
        shown = certificate.cert if certificate else None
        try:
            if certificate and args.cert_out:
                shown = _export_certificate(certificate, args.cert_out)
            server = make_server(app, args.host, args.port, max_body=args.max_body,
                                 certificate=(str(certificate.cert), str(certificate.key)) if certificate else None)
        except BaseException:
            if certificate:
                certificate.remove()
            raise
    except FixtureError as error:
        print(f"mockgraph: bad fixture: {error}", file=sys.stderr)
        return 1
    except CertificateOutError as error:
        print(f"mockgraph: {error}", file=sys.stderr)
        return 1
    except FaultFileError as error:
        print(f"mockgraph: bad fault rules: {error}", file=sys.stderr)
        return 1
    except DatabaseFileError as error:
        print(f"mockgraph: cannot use --db {error}", file=sys.stderr)
        return 1
    except (PortInUse, ValueError) as error:
        print(f"mockgraph: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"mockgraph: cannot serve on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    if not is_loopback(args.host):
        print(f"mockgraph: warning: bound to {args.host}, reachable beyond this machine; the mock has no "
              "real authentication", file=sys.stderr)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"mockgraph listening on {'https' if certificate else 'http'}://{host}:{server.effective_port}/beta")
    if certificate:
        print(f"mockgraph certificate: {shown}")
    sys.stdout.flush()
    # A polite kill (docker stop, CI teardown) stops like Ctrl-C: the finally below cleans up.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if certificate:
            certificate.remove()
    return 0


class CertificateOutError(Exception):
    """`--cert-out` names a file that cannot be written."""


def _export_certificate(certificate, path: str) -> Path:
    try:
        return certificate.export(path).resolve()
    except OSError as error:
        raise CertificateOutError(f"cannot write --cert-out {path}: {error.strerror or error}") from None


def _port(text: str) -> int:
    try:
        port: int | str = int(text)
    except ValueError:
        port = text
    try:
        return check_port(port)
    except ValueError as error:  # argparse's own words for a type error would not say the range
        raise argparse.ArgumentTypeError(str(error)) from None


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def check_fixtures(args: argparse.Namespace) -> int:
    from mockgraph.clock import Clock, IdGenerator
    from mockgraph.fixtures.files import read_fixture_files
    from mockgraph.graph.facets import FACETS

    failed = False
    for path in args.paths:
        problems: list = []
        users = read_fixture_files([path], FACETS, IdGenerator(), Clock(), report=problems.append)
        for problem in problems:
            print(f"mockgraph: bad fixture: {problem}", file=sys.stderr)
        if problems:
            failed = True
            noun = "error" if len(problems) == 1 else "errors"
            print(f"{path}: {len(problems)} {noun}", file=sys.stderr)
        else:
            print(f"{path}: ok ({fixture_counts(users, FACETS)})")
    return 1 if failed else 0


def fixture_counts(users: list[dict], facets) -> str:
    """`6 users, 16 positions`: every collection that has items, by its name in the fixture format."""
    parts = [f"{len(users)} {'user' if len(users) == 1 else 'users'}"]
    for facet in facets:
        count = sum(len(user[facet.segment]) for user in users)
        if count:
            parts.append(f"{count} {facet.segment}")
    if len(parts) == 1:
        parts.append("no profile items")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        # No command is a usage error (status 2, as argparse gives any other), but the help says more
        # than a one-line complaint would.
        parser.print_help(sys.stderr)
        return 2
    if args.command == "serve":
        return serve(args)
    if args.command == "pull":
        from mockgraph.pull.command import run

        return run(args)
    return check_fixtures(args)
