"""Which `Host` and `Origin` a request may name (CONTRACT §1, §8).

The control API answers only requests addressed to this machine: a loopback name or address, or the
host the server was explicitly bound to. A web page cannot make a browser send another Host for a
loopback server except by DNS rebinding (its own name resolving to 127.0.0.1), so this check is what
stops a page from driving the control API that way. Graph answers keep serving any Host, but build
`@odata.nextLink` and `Location` only from a Host the mock accepts, else from its own address, so a
forged Host cannot send a client (and its token) elsewhere. No name is ever resolved through DNS.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from werkzeug.sansio.utils import get_current_url

# WSGI environ flag: the request was made by code in this process (intercept()), not read from a
# socket, so no browser or rebinding could have chosen its Host. A $batch item inherits its batch's.
IN_PROCESS_KEY = "mockgraph.in_process"
WILDCARDS = frozenset({"0.0.0.0", "::", ""})  # bound to every interface: no one name of its own
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_LINK_ROOTS = 256  # link roots remembered: a client sends one Host or a few, a hostile one many
MAX_KEPT_HOST = 300  # characters of a Host whose link root is remembered (a longer one is worked out each time)
_HOST_RE = re.compile(
    r"(?:\[(?P<v6>[0-9A-Fa-f:.]{2,45})\]|(?P<name>[A-Za-z0-9_.-]{1,253}))(?::(?P<port>[0-9]{1,5}))?\Z"
)


def split_host(value: str | None) -> tuple[str, int | None] | None:
    """`(name, port)` of a well-formed Host value (name lower-cased, brackets dropped); None otherwise."""
    if not value:
        return None
    m = _HOST_RE.match(value)
    if m is None:
        return None
    name = m["v6"] or m["name"].lower().rstrip(".")
    if m["v6"] and not _is_address(name):
        return None
    port = int(m["port"]) if m["port"] else None
    if port is not None and port > 65535:
        return None
    return name, port


def is_loopback(name: str) -> bool:
    """`localhost`, 127.0.0.0/8 or ::1 (also as an IPv4-mapped address), written as such: never resolved."""
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class HostPolicy:
    """The hosts one app accepts, from the host it was bound to (`--host`; None: loopback only)."""

    def __init__(self, bound: str | None = None):
        bound = (bound or "").strip().strip("[]").lower().rstrip(".") if bound is not None else None
        self.bound = bound if bound not in WILDCARDS else None
        # Bound to every interface on purpose: clients on other machines name it in their own ways.
        self.serves_any_host = bound is not None and bound in WILDCARDS
        self._own_name = self.bound or "127.0.0.1"
        self._link_roots: dict[tuple, str] = {}

    def is_local(self, environ: dict) -> bool:
        """May this request use the control API: addressed to a loopback name, or to the bound host?"""
        if environ.get(IN_PROCESS_KEY):
            return True
        host = environ.get("HTTP_HOST")
        if host is None:
            return True  # HTTP/1.0 without Host: no browser sends that, so no page chose it
        parsed = split_host(host)
        if parsed is None:
            return False
        name = parsed[0]
        return is_loopback(name) or name == self.bound

    def accepts_for_links(self, environ: dict) -> bool:
        """May links in this request's answer be built on its Host?"""
        if self.serves_any_host and environ.get("HTTP_HOST") is not None:
            return split_host(environ["HTTP_HOST"]) is not None
        return environ.get("HTTP_HOST") is not None and self.is_local(environ)

    def link_root(self, scheme: str, environ: dict, host: Callable[[], str]) -> str:
        """`http://127.0.0.1:8765/`: where links in this request's answer start. On its Host (`host()`,
        werkzeug's reading of it) when `accepts_for_links`, else on `own_root`. Remembered per scheme,
        Host, port and origin: parsing and checking the Host on every request cost more than the view."""
        key = (scheme, environ.get("HTTP_HOST"), environ.get("SERVER_PORT"), bool(environ.get(IN_PROCESS_KEY)))
        root = self._link_roots.get(key)
        if root is None:
            accepted = self.accepts_for_links(environ)
            root = get_current_url(scheme, host()) if accepted else self.own_root(scheme, environ)
            if len(key[1] or "") <= MAX_KEPT_HOST:  # bounded in number and size, whatever Hosts a client makes up
                if len(self._link_roots) >= MAX_LINK_ROOTS:
                    self._link_roots.clear()
                self._link_roots[key] = root
        return root

    def own_root(self, scheme: str, environ: dict) -> str:
        """`http://127.0.0.1:8765/`: the server's own address (bound host and port), for links when the
        request's Host is not one it accepts."""
        name = f"[{self._own_name}]" if ":" in self._own_name else self._own_name
        port = str(environ.get("SERVER_PORT") or "")
        if port.isdigit() and int(port) != DEFAULT_PORTS.get(scheme):
            return f"{scheme}://{name}:{port}/"
        return f"{scheme}://{name}/"


def is_same_origin(origin: str, scheme: str, host: str | None) -> bool:
    """Does an `Origin` header name the origin the request was sent to (`scheme://Host`)? `null`
    (sandboxed frames, files) and anything that is not a bare origin never does."""
    if not origin or host is None:
        return False
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return False
    if parts.path or parts.query or parts.fragment or parts.username or parts.password or not parts.hostname:
        return False
    given = split_host(host)
    if given is None or parts.scheme.lower() != scheme:
        return False
    default = DEFAULT_PORTS.get(scheme)
    return (parts.hostname.lower().rstrip("."), port or default) == (given[0], given[1] or default)
