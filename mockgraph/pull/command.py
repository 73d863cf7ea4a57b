"""`mockgraph pull`: the command line. Only argparse is imported until the command runs."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

TOKEN_VARIABLE = "MOCKGRAPH_PULL_TOKEN"
DEFAULT_GRAPH_URL = "https://graph.microsoft.com/beta"

EPILOG = f"""\
The token is a Graph access token (delegated: User.Read.All or User.ReadBasic.All for other people's
profiles; application: User.Read.All). Give it in ${TOKEN_VARIABLE} rather than --token to keep it out of
your shell history, e.g.:
  export {TOKEN_VARIABLE}=$(az account get-access-token --resource https://graph.microsoft.com \\
      --query accessToken -o tsv)
  mockgraph pull --max-users 20 --anonymize -o people.json
  mockgraph serve --fixtures people.json
"""


def add_parser(commands) -> argparse.ArgumentParser:
    pull = commands.add_parser(
        "pull", help="snapshot users and their profiles from Graph into a fixture file",
        description="Read users and every profile collection the mock serves from Microsoft Graph (or any\n"
                    "Graph-shaped service) and write them as a fixture file for `mockgraph serve --fixtures`.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    pull.add_argument("--token", help=f"bearer token (default: ${TOKEN_VARIABLE})")
    pull.add_argument("--graph-url", default=DEFAULT_GRAPH_URL, metavar="URL",
                      help=f"the Graph base URL, version included (default {DEFAULT_GRAPH_URL})")
    pull.add_argument("--user", dest="users", action="extend", nargs="+", default=[], metavar="UPN",
                      help="these users (UPN or id; repeatable); default: list /users")
    pull.add_argument("--max-users", type=_positive, metavar="N", help="at most N users")
    pull.add_argument("--anonymize", action="store_true",
                      help="replace names, emails, phone numbers and free text with consistent stand-ins; "
                           "keep ids, dates, enums, structure and counts")
    pull.add_argument("-o", "--output", required=True, metavar="FILE", help="the fixture file to write (- for stdout)")
    return pull


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run(args: argparse.Namespace) -> int:
    from mockgraph.pull.run import pull

    token = args.token or os.environ.get(TOKEN_VARIABLE)
    if not token:
        print(f"mockgraph pull: no token: set ${TOKEN_VARIABLE} (or give --token)", file=sys.stderr)
        return 2
    return pull(token=token, graph_url=args.graph_url, users=args.users, max_users=args.max_users,
                anonymize=args.anonymize, output=None if args.output == "-" else Path(args.output))
