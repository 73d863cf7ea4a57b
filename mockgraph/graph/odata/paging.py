"""Opaque, signed keyset `$skiptoken`s.

A token carries the raw sort key of the last item a page returned (see `orderby.raw_sort_key`); the
next page starts at the first item whose key is strictly greater. Because the position is a key, not
an offset, items inserted or deleted between pages never make the client see an item twice or miss
one that existed throughout.

Format: `base64url(JSON payload) "." base64url(HMAC-SHA256 truncated to 16 bytes)`, no padding, so
it is safe in a URL as it is. The MAC covers the payload and a fingerprint of the query options
(`fingerprint(...)`), so a token is valid only for the options it was issued with; a forged,
truncated or edited token, or one from a server with another secret, is a 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from mockgraph.graph.errors import BadRequest

_VERSION = 1
_MAC_BYTES = 16
_MAX_TOKEN_CHARS = 16384
_DOMAIN = b"mockgraph/skiptoken/v1\x00"
_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def fingerprint(
    filter_text: str | None,
    orderby: str | None,
    select: Sequence[str] | None,
    top: int | None,
    skip: int | None,
) -> str:
    """A short digest of the options a token is bound to."""
    material = json.dumps(
        [filter_text, orderby, list(select) if select is not None else None, top, skip],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Strict: only the canonical unpadded encoding of some bytes is accepted."""
    if not text or not _B64_CHARS.issuperset(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64encode(data) != text:
        raise ValueError("not canonical base64url")
    return data


def invalid_token(token: str) -> BadRequest:
    shown = token if len(token) <= 80 else token[:77] + "..."
    return BadRequest(
        f"The $skiptoken '{shown}' is not valid: it was not issued by this server for this request's "
        "query options. Follow @odata.nextLink exactly as returned."
    )


class SkipTokenCodec:
    """Encodes and checks `$skiptoken`s with an HMAC secret (keep one per server process or store)."""

    def __init__(self, secret: bytes):
        if not isinstance(secret, bytes | bytearray) or not secret:
            raise ValueError("SkipTokenCodec needs a non-empty bytes secret")
        self._secret = bytes(secret)

    def _mac(self, payload: bytes, fingerprint: str) -> bytes:
        message = _DOMAIN + fingerprint.encode("utf-8") + b"\x00" + payload
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, last_key: Sequence[Any], fingerprint: str) -> str:
        """A token for the page that ended at the item with raw sort key `last_key`."""
        payload = json.dumps(
            {"v": _VERSION, "k": list(last_key)}, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode("utf-8")
        return _b64encode(payload) + "." + _b64encode(self._mac(payload, fingerprint))

    def decode(self, token: str, fingerprint: str) -> list[Any]:
        """The raw sort key a token carries; `BadRequest` unless this codec issued it for `fingerprint`."""
        if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS or token.count(".") != 1:
            raise invalid_token(str(token))
        body, mac = token.split(".")
        try:
            payload = _b64decode(body)
            given = _b64decode(mac)
        except (ValueError, binascii.Error):
            raise invalid_token(token) from None
        if not hmac.compare_digest(given, self._mac(payload, fingerprint)):
            raise invalid_token(token)
        try:
            data = json.loads(payload)
        except ValueError:  # cannot happen for a token we signed; kept for safety
            raise invalid_token(token) from None
        if not isinstance(data, dict) or data.get("v") != _VERSION or not isinstance(data.get("k"), list):
            raise invalid_token(token)
        return data["k"]
