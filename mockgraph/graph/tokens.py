"""Unsigned JWTs the mock understands (CONTRACT §4): tests mint them instead of calling a login service."""

from __future__ import annotations

import base64
import json
import time


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def make_token(*, oid: str | None = None, upn: str | None = None, name: str | None = None,
               scp: str | list[str] | None = None, roles: str | list[str] | None = None,
               appid: str | None = None, app_displayname: str | None = None,
               expires_in: float | None = 3600, **claims) -> str:
    """A JWT with the given claims and an empty signature. `scp` and `roles` may each be a list or a
    space-separated string; the token carries them as Azure AD does (`scp` a string, `roles` a list)."""
    body: dict = {"aud": "https://graph.microsoft.com", "iat": int(time.time())}
    if expires_in is not None:
        body["exp"] = int(time.time() + expires_in)
    if isinstance(roles, str):
        roles = roles.split()
    for key, value in (("oid", oid), ("upn", upn), ("name", name), ("roles", roles), ("appid", appid),
                       ("app_displayname", app_displayname)):
        if value is not None:
            body[key] = value
    if scp is not None:
        body["scp"] = " ".join(scp) if isinstance(scp, list | tuple) else scp
    body.update(claims)
    header = {"alg": "none", "typ": "JWT"}
    return ".".join((b64url(json.dumps(header).encode()), b64url(json.dumps(body).encode()), ""))
