"""`mockgraph serve` and `mockgraph check-fixtures` (CONTRACT §9)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from mockgraph.options import DEFAULT_MAX_BODY, check_certificate, check_port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockgraph", description="A local mock of Microsoft Graph's "
                                     "beta profile positions API.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the mock over HTTP (or HTTPS)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8765, help="port (0 takes a free one; default 8765)")
    serve.add_argument("--fixtures", action="append", metavar="PATH",
                       help="fixture file to seed from (repeatable; default: the bundled fixtures)")
    serve.add_argument("--db", metavar="FILE", help="keep state in FILE, durably (default: in memory)")
    serve.add_argument("--reseed", action="store_true", help="replace the --db file's data with the fixtures")
    serve.add_argument("--me", metavar="USER", help="the default user, id or UPN (default: first fixture user)")
    serve.add_argument("--page-size", type=int, default=100, help="server page size (1-999; default 100)")
    serve.add_argument("--max-body", type=int, default=DEFAULT_MAX_BODY, metavar="BYTES",
                       help=f"largest request body accepted (default {DEFAULT_MAX_BODY})")
    serve.add_argument("--seed", type=int, help="make generated ids reproducible")
    serve.add_argument("--faults", metavar="FILE", help="fault rules to start with (a JSON array of rules)")
    serve.add_argument("--journal-size", type=int, default=10_000, metavar="N",
                       help="requests the journal keeps, newest last (0: none; default 10000)")
    serve.add_argument("--no-control", dest="control", action="store_false",
                       help="no /_mockgraph control API (health, reset, seed, state, journal, faults)")
    serve.add_argument("--tls", action="store_true", help="serve HTTPS with a self-signed certificate made at start")
    serve.add_argument("--cert", metavar="FILE", help="serve HTTPS with this PEM certificate (with --key)")
    serve.add_argument("--key", metavar="FILE", help="the PEM private key of --cert")
    serve.add_argument("--quiet", action="store_true", help="no per-request log lines")

    check = commands.add_parser("check-fixtures", help="validate fixture files")
    check.add_argument("paths", nargs="+", metavar="PATH")
    return parser


def app_options(args: argparse.Namespace) -> dict:
    return {
        "fixtures": args.fixtures, "db": args.db, "reseed": args.reseed, "me": args.me,
        "page_size": args.page_size, "max_body": args.max_body, "seed": args.seed, "faults": args.faults,
        "journal_size": args.journal_size, "control": args.control,
    }


def serve(args: argparse.Namespace) -> int:
    from mockgraph.app import create_app
    from mockgraph.control.faults.injection import FaultFileError
    from mockgraph.fixtures.files import FixtureError
    from mockgraph.serving.server import PortInUse, is_loopback, make_server
    from mockgraph.serving.tls import CertificateFiles, self_signed

    try:
        check_certificate(args.tls, args.cert, args.key)
    except ValueError as error:
        print(f"mockgraph: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        requests_log = logging.getLogger("mockgraph.requests")
        requests_log.addHandler(handler)
        requests_log.setLevel(logging.INFO)
    certificate = None
    try:
        app = create_app(**app_options(args))
        if args.cert:
            certificate = CertificateFiles(Path(args.cert), Path(args.key))
        elif args.tls:
            certificate = self_signed(args.host)
        try:
            server = make_server(app, args.host, args.port, max_body=args.max_body,
                                 certificate=(str(certificate.cert), str(certificate.key)) if certificate else None)
        except BaseException:
            if certificate:
                certificate.remove()
            raise
    except FixtureError as error:
        print(f"mockgraph: bad fixture: {error}", file=sys.stderr)
        return 1
    except FaultFileError as error:
        print(f"mockgraph: bad fault rules: {error}", file=sys.stderr)
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
        print(f"mockgraph certificate: {certificate.cert}")
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
    from mockgraph.fixtures.files import FixtureError, read_fixture_files
    from mockgraph.graph.facets import FACETS

    for path in args.paths:
        try:
            users = read_fixture_files([path], FACETS, IdGenerator(), Clock())
        except FixtureError as error:
            print(f"mockgraph: bad fixture: {error}", file=sys.stderr)
            return 1
        items = sum(len(user[facet.segment]) for user in users for facet in FACETS)
        print(f"{path}: ok ({len(users)} users, {items} items)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return check_fixtures(args)
