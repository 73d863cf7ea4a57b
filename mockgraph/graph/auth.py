"""Who is calling (CONTRACT §4): bearer tokens, their claims, and the permission table."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mockgraph.clock import Clock
from mockgraph.graph.errors import AuthorizationRequestDenied, InvalidAuthenticationToken
from mockgraph.graph.jsonio import loads_strict
from mockgraph.graph.tokens import b64url_decode
from mockgraph.memo import remember_short

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
    # Whether the token has the claim at all. A claim that names nothing usable (empty, or of an odd
    # shape) still means "enforce what it grants": nothing. Never "no claim: every permission".
    scp_claim: bool = False
    roles_claim: bool = False

    @property
    def enforced(self) -> bool:
        """Permissions apply only to tokens that state some."""
        return self.scp_claim or self.roles_claim

    @property
    def app_only(self) -> bool:
        return self.roles_claim and not self.scp_claim

    def journal_view(self) -> dict:
        return {"userId": self.user_id, "scopes": sorted(self.scopes), "roles": sorted(self.roles),
                "appId": self.app_id}


MAX_KEPT_TOKEN = 8192  # characters; real tokens are 1-3 thousand
ANONYMOUS = Caller()  # an opaque token: the default user, every permission


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
        return ANONYMOUS
    caller, exp = _read_token(token)
    if exp is not None and exp <= clock.now().timestamp():
        raise InvalidAuthenticationToken("Lifetime validation failed, the token is expired.")
    return caller


# Kept parsed: a suite sends the same few tokens on every request. One that fails to read raises, and
# is not kept; nor is a very long one.
@remember_short(maxsize=256, longest=MAX_KEPT_TOKEN)
def _read_token(token: str) -> tuple[Caller, float | None]:
    """The caller a JWT names, and its expiry (checked on every use, against the mock's clock)."""
    claims = _claims(token)
    exp = None
    if "exp" in claims:
        exp = claims["exp"]
        # A time is a finite number of seconds: not a string, a bool, null, NaN or infinity (1e999).
        if isinstance(exp, bool) or not isinstance(exp, int | float) or not math.isfinite(exp):
            raise InvalidAuthenticationToken("Lifetime validation failed, the token's 'exp' claim is not a time.")
    caller = Caller(
        user_id=_text(claims.get("oid")),
        upn=_text(claims.get("upn")) or _text(claims.get("preferred_username")),
        name=_text(claims.get("name")),
        scopes=permission_names(claims.get("scp")),
        roles=permission_names(claims.get("roles")),
        app_id=_text(claims.get("appid")) or _text(claims.get("azp")),
        app_name=_text(claims.get("app_displayname")),
        scp_claim="scp" in claims,
        roles_claim="roles" in claims,
    )
    return caller, exp


def permission_names(claim) -> frozenset[str]:
    """`scp` or `roles` as names: a space-separated string, or a list of them (Azure AD sends `scp` as
    the one and `roles` as the other). Anything else in the claim names nothing."""
    if isinstance(claim, str):
        return frozenset(claim.split())
    if isinstance(claim, list):
        return frozenset(name for item in claim if isinstance(item, str) for name in item.split())
    return frozenset()


def _claims(token: str) -> dict:
    try:
        # Strict: NaN and Infinity are not JSON, and a claim given twice has no one meaning.
        claims = loads_strict(b64url_decode(token.split(".")[1]))
    except ValueError:  # UnicodeDecodeError is one, and loads_strict turns RecursionError into one
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
    if caller.scp_claim:  # a delegated token: its scopes alone count, even with roles beside them
        needed = (WRITE_OWN if own else WRITE_ANY) if write else (READ_OWN if own else READ_ANY)
        granted = caller.scopes
    else:
        needed, granted = (WRITE_ANY if write else READ_ANY), caller.roles
    if not needed & granted:
        raise AuthorizationRequestDenied()
