"""Who is calling (CONTRACT §4): bearer tokens, their claims, and the permission table."""

from __future__ import annotations

from dataclasses import dataclass, field

from mockgraph.clock import Clock
from mockgraph.graph.errors import AuthorizationRequestDenied, InvalidAuthenticationToken
from mockgraph.graph.jsonio import loads_strict
from mockgraph.graph.tokens import b64url_decode

READ_OWN = frozenset({"User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"})
READ_ANY = frozenset({"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"})
WRITE_OWN = frozenset({"User.ReadWrite", "User.ReadWrite.All"})
WRITE_ANY = frozenset({"User.ReadWrite.All"})


@dataclass(frozen=True)
class Caller:
    """What the mock resolved from the token. `user_id`/`upn` None: the default user (opaque tokens)."""

    user_id: str | None = None
    upn: str | None = None
    name: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    app_id: str | None = None
    app_name: str | None = None

    @property
    def enforced(self) -> bool:
        """Permissions apply only to tokens that state some."""
        return bool(self.scopes or self.roles)

    @property
    def app_only(self) -> bool:
        return bool(self.roles) and not self.scopes

    def journal_view(self) -> dict:
        return {"userId": self.user_id, "scopes": sorted(self.scopes), "roles": sorted(self.roles),
                "appId": self.app_id}


def authenticate(header: str | None, clock: Clock) -> Caller:
    if not header or not header.strip():
        raise InvalidAuthenticationToken("Access token is empty.")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        # Never quote the header: without a scheme, or with an odd separator, its first word is the token.
        raise InvalidAuthenticationToken("The authorization scheme is not supported; use 'Bearer <token>'.")
    token = token.strip()
    if not token:
        raise InvalidAuthenticationToken("Access token is empty.")
    if token.count(".") != 2:
        return Caller()
    claims = _claims(token)
    exp = claims.get("exp")
    if exp is not None and (not isinstance(exp, int | float) or exp <= clock.now().timestamp()):
        raise InvalidAuthenticationToken("Lifetime validation failed, the token is expired.")
    scp, roles = claims.get("scp"), claims.get("roles")
    return Caller(
        user_id=_text(claims.get("oid")),
        upn=_text(claims.get("upn")) or _text(claims.get("preferred_username")),
        name=_text(claims.get("name")),
        scopes=frozenset(scp.split()) if isinstance(scp, str) else frozenset(),
        roles=frozenset(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else frozenset(),
        app_id=_text(claims.get("appid")) or _text(claims.get("azp")),
        app_name=_text(claims.get("app_displayname")),
    )


def _claims(token: str) -> dict:
    try:
        # Strict, as a body is read: a claim that is not text (a lone surrogate escape) would reach the
        # journal and stored identity sets.
        claims = loads_strict(b64url_decode(token.split(".")[1]))
    except ValueError:  # UnicodeDecodeError is a ValueError
        claims = None
    if not isinstance(claims, dict):
        raise InvalidAuthenticationToken("CompactToken parsing failed with error code: 80049217")
    return claims


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def authorize(caller: Caller, *, own: bool, write: bool) -> None:
    """403 unless the token's scopes or roles allow this operation on this (own or other) profile."""
    if not caller.enforced:
        return
    if caller.scopes:
        needed = (WRITE_OWN if own else WRITE_ANY) if write else (READ_OWN if own else READ_ANY)
        granted = caller.scopes
    else:
        needed, granted = (WRITE_ANY if write else READ_ANY), caller.roles
    if not needed & granted:
        raise AuthorizationRequestDenied()
