"""What a browser must send to change the mock through the control API: `X-Mockgraph-Client` (the
inspector sends `inspector`).

A web page can make a browser *send* a POST whose answer it cannot read (an HTML form, `fetch` in
`no-cors` mode). Neither can carry a custom header, and a page on another origin cannot add one without
a CORS preflight, which the control API never grants. So a browser's change that lacks the header did
not come from the inspector, and is refused before it does anything. Tools (curl, the Python harness,
SDKs) send none of the headers that mark a browser's request, and are not asked for it.
"""

from __future__ import annotations

from mockgraph.graph.errors import AuthorizationRequestDenied
from mockgraph.graph.routes.context import GraphRequest

CLIENT_HEADER = "X-Mockgraph-Client"
# Browsers add Origin to every POST and DELETE, forms included, and Sec-Fetch-Site to requests for
# loopback and HTTPS origins; scripts cannot remove them. Not Sec-Fetch-Mode alone: Node's fetch (a
# tool, like curl) sends it on every request.
BROWSER_HEADERS = ("Origin", "Sec-Fetch-Site")
CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def refuse_unmarked_browser_changes(req: GraphRequest) -> None:
    """Run before every request that is not Graph's: 403 for a browser's control API change without
    the header."""
    if req.method not in CHANGING_METHODS:
        return
    headers = req.headers
    if headers.get(CLIENT_HEADER) or not any(name in headers for name in BROWSER_HEADERS):
        return
    raise AuthorizationRequestDenied(
        f"A browser's change to the mock must carry the header '{CLIENT_HEADER}', as the inspector's do; "
        "a form or script on another page cannot send it. Nothing was changed."
    )
