"""What the journal keeps of a credential: nothing (CONTRACT §8, "headers never holds a token").

A credential can come in any form: `Authorization` with or without a scheme, in any case, with tabs
or odd spacing; `Proxy-Authorization`, cookies, API-key headers; a JWT or bearer value under any
header name; the headers of `$batch` items inside a batch's body; a token in a query parameter. The
journal records none of it: a header that carries a credential is kept as `Bearer <redacted>` (the
scheme written by us, from a fixed list, never copied from the request) or `<redacted>`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import unquote

from mockgraph.memo import remember_short

REDACTED = "<redacted>"
MAX_DEPTH = 64
# Header (and query parameter) names that always carry a secret, and words that mark one.
CREDENTIAL_NAMES = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key", "x-auth-token",
    "x-access-token", "x-csrf-token", "x-xsrf-token", "ocp-apim-subscription-key", "x-functions-key",
    "access_token", "id_token", "refresh_token", "client_secret", "code", "password", "sig",
})  # fmt: skip
CREDENTIAL_WORDS = ("auth", "token", "secret", "passw", "cookie", "session", "key", "credential", "signature")
# Schemes we name ourselves (the request's own spelling is never copied).
SCHEMES = {s.lower(): s for s in ("Bearer", "Basic", "Digest", "Negotiate", "NTLM", "HOBA", "Mutual")}
_SCHEME_RE = re.compile(r"\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)[\s]+\S", re.ASCII)
# A value that is a credential whatever header carries it: a scheme and a token, or a JWT.
_CREDENTIAL_VALUE_RE = re.compile(r"(?i)(?:^|\s)(?:bearer|basic|digest|negotiate|ntlm)\s|eyJ[\w-]*\.")
# OData's own tokens name positions in a collection, not callers: kept.
PAGING_PARAMETERS = frozenset({"skiptoken", "deltatoken"})
# In text (a body that is not JSON, or was cut short): a JWT, and a JSON member whose name is a
# credential (its string value, closed or cut off at the end).
_TEXT_JWT_RE = re.compile(r"eyJ[\w-]*\.[\w.-]*")
_TEXT_MEMBER_RE = re.compile(r'"([^"\\]{1,64})"(\s*:\s*)"((?:[^"\\]|\\.)*)("|\Z)', re.DOTALL)


_CREDENTIAL_WORD_RE = re.compile("|".join(CREDENTIAL_WORDS), re.IGNORECASE)


@remember_short(maxsize=1024, longest=128)  # every request's headers are checked; a client sends a few names
def is_credential_name(name: str) -> bool:
    """Header names in any spelling (`Proxy-Authorization`, environ's `PROXY_AUTHORIZATION`)."""
    if _CREDENTIAL_WORD_RE.search(name):
        return True
    lowered = name.lower()
    return lowered in CREDENTIAL_NAMES or lowered.replace("_", "-") in CREDENTIAL_NAMES


def is_credential_parameter(name: str) -> bool:
    return name.lstrip("$").lower() not in PAGING_PARAMETERS and is_credential_name(name)


def redact_value(value: str) -> str:
    """A credential as the journal shows it: its scheme, if one we know, and never the rest."""
    m = _SCHEME_RE.match(value)
    scheme = SCHEMES.get(m.group(1).lower()) if m else None
    return f"{scheme} {REDACTED}" if scheme else REDACTED


def redact_header(name: str, value: str) -> str:
    if is_credential_name(name) or _CREDENTIAL_VALUE_RE.search(value):
        return redact_value(value)
    return value


def redact_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, redact_header(name, value) if isinstance(value, str) else value) for name, value in pairs]


def redact_json(value, depth: int = 0):
    """A parsed JSON body with every credential-named member's value, and every `headers` object's
    credentials (a `$batch` item's), redacted. Other strings are data, kept as sent."""
    if depth > MAX_DEPTH and isinstance(value, dict | list):
        return redact_text(json.dumps(value, ensure_ascii=False))  # deeper than any request shape: as text
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key.lower() == "headers" and isinstance(item, dict):
                result[key] = {k: redact_header(k, v) if isinstance(v, str) else redact_json(v, depth + 2)
                               for k, v in item.items()}
            elif key.lower() in CREDENTIAL_NAMES and item is not None:
                result[key] = redact_value(item) if isinstance(item, str) else REDACTED
            elif key.lower() == "url" and isinstance(item, str):  # a $batch item's: its query may hold a token
                result[key] = redact_url(item)
            else:
                result[key] = redact_json(item, depth + 1)
        return result
    if isinstance(value, list):
        return [redact_json(item, depth + 1) for item in value]
    return value


def redact_url(url: str) -> str:
    """A URL with the values of credential query parameters redacted (the rest kept as written)."""
    path, mark, query = url.partition("?")
    if not mark:
        return url
    pairs = []
    for pair in query.split("&"):
        name, eq, _ = pair.partition("=")
        pairs.append(f"{name}={REDACTED}" if eq and is_credential_parameter(unquote(name)) else pair)
    return f"{path}?{'&'.join(pairs)}"


def redact_text(text: str) -> str:
    """Text that may hold credentials (a body that is not JSON, or was truncated)."""

    def member(m: re.Match) -> str:
        name, colon, value, close = m.groups()
        if is_credential_name(name) or _CREDENTIAL_VALUE_RE.search(value):
            return f'"{name}"{colon}"{redact_value(value)}{close}'
        return m.group(0)

    return _TEXT_JWT_RE.sub(REDACTED, _TEXT_MEMBER_RE.sub(member, text))
