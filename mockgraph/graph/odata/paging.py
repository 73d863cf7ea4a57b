"""Opaque, signed keyset `$skiptoken`s whose size does not depend on the stored values.

A token stands for the raw sort key of the last item a page returned (see `orderby.raw_sort_key`);
the next page starts at the first item whose key is strictly greater. Because the position is a key,
not an offset, items inserted or deleted between pages never make the client see an item twice or
miss one that existed throughout.

A string value longer than `CUT_CHARS` travels cut: its first characters and a digest of the whole
(`Cut`), so `$orderby` on a 10 KB property still makes a short token. The whole key is found again
(`full_key`) from the codec's memory of the keys it cut (bounded), else from the current item whose
key cuts to the same (the last item, unless it was deleted or changed since). Failing both, the
cut key still orders every item whose value differs from the cut one within its first `CUT_CHARS`
characters (`is_after`), and any other is shown again rather than skipped.

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
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mockgraph.graph.errors import BadRequest

_VERSION = 2
_VERSIONS = (1, 2)  # 1: every value whole (still read, so that links issued before an upgrade work)
_MAC_BYTES = 16
_MAX_TOKEN_CHARS = 16384
CUT_CHARS = 32  # characters of a string sort value a token carries whole
REMEMBERED_KEYS = 1024  # whole keys of cut tokens the codec keeps, newest first
REMEMBERED_CHARS = 8 * 1024 * 1024  # and the characters they may hold, in all
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


@dataclass(frozen=True)
class Cut:
    """A long string sort value as a token carries it: its first `CUT_CHARS` characters, and a digest
    of the whole value."""

    prefix: str
    digest: str


def _digest(value: str) -> str:
    data = json.dumps(value, ensure_ascii=True).encode("ascii")  # lone surrogates too
    return _b64encode(hashlib.sha256(data).digest()[:16])


def cut_key(key: Sequence[Any]) -> list[Any]:
    """A raw sort key with each long string cut."""
    return [Cut(v[:CUT_CHARS], _digest(v)) if isinstance(v, str) and len(v) > CUT_CHARS else v for v in key]


def _compare(value: Any, last: Any) -> int | None:
    """-1, 0 or 1 as `value` sorts before, with or after `last` (ascending, nulls first), or None when
    a cut `last` cannot tell. TypeError for values of different types (a token of other options)."""
    if value is None or last is None:
        return (value is not None) - (last is not None)
    if isinstance(last, Cut):
        if not isinstance(value, str):
            raise TypeError("a cut value is a string")
        if value == last.prefix:
            return -1  # a proper prefix of the whole value
        if value.startswith(last.prefix):
            return 0 if _digest(value) == last.digest else None
        return -1 if value < last.prefix else 1
    return (value > last) - (value < last)


def is_after(key: Sequence[Any], last: Sequence[Any], clauses: Sequence[tuple[str, bool]]) -> bool:
    """Does an item with raw sort `key` come after a token's (maybe cut) key in `clauses`' order?
    When a cut value cannot tell, yes: an item is shown again rather than skipped."""
    for value, bound, (_, descending) in zip(key, last, clauses, strict=True):
        order = _compare(value, bound)
        if order is None:
            return True
        if order:
            return (order < 0) if descending else (order > 0)
    return False


class SkipTokenCodec:
    """Encodes and checks `$skiptoken`s with an HMAC secret (keep one per server process or store)."""

    def __init__(self, secret: bytes):
        if not isinstance(secret, bytes | bytearray) or not secret:
            raise ValueError("SkipTokenCodec needs a non-empty bytes secret")
        self._secret = bytes(secret)
        self._remembered: OrderedDict[tuple, tuple[list, int]] = OrderedDict()  # cut key -> (whole key, size)
        self._remembered_chars = 0
        self._lock = threading.Lock()

    def _mac(self, payload: bytes, fingerprint: str) -> bytes:
        message = _DOMAIN + fingerprint.encode("utf-8") + b"\x00" + payload
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, last_key: Sequence[Any], fingerprint: str) -> str:
        """A token for the page that ended at the item with raw sort key `last_key`."""
        cut = cut_key(last_key)
        if cut != list(last_key):
            self._remember(cut, list(last_key))
        values = [{"p": v.prefix, "h": v.digest} if isinstance(v, Cut) else v for v in cut]
        payload = json.dumps(
            {"v": _VERSION, "k": values}, separators=(",", ":"), ensure_ascii=True, allow_nan=False
        ).encode("ascii")
        return _b64encode(payload) + "." + _b64encode(self._mac(payload, fingerprint))

    def full_key(self, last: Sequence[Any], keys: Iterable[Sequence[Any]]) -> list[Any] | None:
        """The whole sort key a decoded token stands for: itself when nothing was cut; else the one this
        codec remembers, or that of the item among `keys` whose key cuts to it; None if neither."""
        if not any(isinstance(v, Cut) for v in last):
            return list(last)
        wanted = list(last)
        with self._lock:
            found = self._remembered.get(_hashable(wanted))
        if found is not None:
            return found[0]
        return next((list(key) for key in keys if cut_key(key) == wanted), None)

    def _remember(self, cut: list, whole: list) -> None:
        size = sum(len(v) for v in whole if isinstance(v, str))
        if size > REMEMBERED_CHARS // 4:
            return
        key = _hashable(cut)
        with self._lock:
            if key in self._remembered:
                self._remembered.move_to_end(key)
                return
            self._remembered[key] = (whole, size)
            self._remembered_chars += size
            while len(self._remembered) > REMEMBERED_KEYS or self._remembered_chars > REMEMBERED_CHARS:
                _, (_, dropped) = self._remembered.popitem(last=False)
                self._remembered_chars -= dropped

    def decode(self, token: str, fingerprint: str) -> list[Any]:
        """The raw sort key a token carries, long strings as `Cut`s; `BadRequest` unless this codec
        issued it for `fingerprint`."""
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
        if not isinstance(data, dict) or data.get("v") not in _VERSIONS or not isinstance(data.get("k"), list):
            raise invalid_token(token)
        return [Cut(v["p"], v["h"]) if isinstance(v, dict) else v for v in data["k"]]


def _hashable(key: list) -> tuple:
    return tuple(key)
