"""`mockgraph pull --anonymize`: personal data replaced by generated, consistent stand-ins.

What is replaced is decided by each property's declared type (the schemas), not by a list of
collections, so every collection the mock serves is covered:

- kept: every property that is not a string (dates, timestamps, numbers, booleans, enums and flags);
  `id` properties and any string that is a GUID (object ids: they tie items to users and managers);
  codes and vocabularies (`CODE_PROPERTIES`: language and locale tags, country codes, `ageGroup`) and
  the data-source annotations (`KEPT_TYPES`: `source`, `sources`), which say which system supplied
  an item, not who it is about;
- emails (a string of the form `x@y`): each word of the local part and of the domain is replaced,
  and the top-level domain becomes `example` (RFC 2606: no stand-in reaches a real mailbox);
- URLs (`scheme://...`): the scheme and port stay, the host is replaced as an email's domain is, and
  every word of the path, query and fragment is replaced;
- everything else is free text (names, job titles, descriptions, addresses, phone numbers, notes):
  each run of letters is replaced by a generated word of the same length and case, each run of
  digits by digits of the same length; spaces, punctuation and symbols stay, so `+1 (425) 555-0100`
  stays a phone number and `Adele Vance` stays two capitalised words.

Consistency: the stand-in of a word depends only on the word (ignoring case) and on a key drawn at
random for the run, so a name is replaced the same way in `displayName`, in a colleague's entry, in a
UPN and in an email, within one run. Different words get different stand-ins, and a stand-in of three
letters or more is never a word of the original data. A new run draws a new key: a saved file gives
nothing to test guesses of the original names against.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import secrets
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit, urlunsplit

from mockgraph.graph import schemas
from mockgraph.graph.facets import Facet
from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphSchema
from mockgraph.graph.schemas.entities.user import UserSchema
from mockgraph.graph.schemas.guid import is_guid

CODE_PROPERTIES = frozenset({"tag", "languageTag", "locale", "countryCode", "ageGroup"})
KEPT_TYPES = frozenset({"personDataSources", "profileSourceAnnotation"})
STAND_IN_TLD = "example"

_WORD = re.compile(r"[^\W\d_]+|\d+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_CONSONANTS = "bcdfghjklmnprstvz"
_VOWELS = "aeiou"
_AVOIDED_BELOW = 3  # shorter words (initials, "of") may coincide with original ones


class Anonymizer:
    """One run's mapping. `users(...)` returns anonymized copies of fixture-format users."""

    def __init__(self, key: bytes | None = None):
        self._key = key if key is not None else secrets.token_bytes(32)
        self._words: dict[str, str] = {}  # original (lower case) -> stand-in (lower case)
        self._taken: set[str] = set()  # stand-ins given out
        self._originals: set[str] = set()  # every original word, lower case
        self._emails: dict[str, str] = {}  # original address (lower case) -> stand-in
        self._emails_taken: set[str] = set()

    def users(self, users: Sequence[dict], facets: Sequence[Facet]) -> list[dict]:
        # Two passes: the stand-ins must avoid every original word, wherever it comes later.
        for user in users:
            _walk_user(user, facets, self._collect)
        return [_walk_user(user, facets, self._replace) for user in users]

    # What happens to one string property

    def _collect(self, value: str, name: str, owner: str) -> str:
        if _kind(value, name, owner) != "kept":
            self._originals.update(word.lower() for word in _WORD.findall(value))
        return value

    def _replace(self, value: str, name: str, owner: str) -> str:
        kind = _kind(value, name, owner)
        if kind == "email":
            return self.email(value)
        if kind == "url":
            try:
                parts = urlsplit(value)
                port = parts.port
            except ValueError:  # not a URL after all (a bad port): words are words
                return self.text(value)
            host = self._host(parts.hostname or "") + (f":{port}" if port else "")
            return urlunsplit((parts.scheme, host, self.text(parts.path), self.text(parts.query),
                               self.text(parts.fragment)))
        if kind == "text":
            return self.text(value)
        return value

    # Stand-ins

    def text(self, value: str) -> str:
        """Every word and number replaced; everything between them kept."""
        return _WORD.sub(lambda match: self.word(match.group()), value)

    def word(self, original: str) -> str:
        key = original.lower()
        stand_in = self._words.get(key)
        if stand_in is None:
            stand_in = self._new_stand_in(key)
            self._words[key] = stand_in
            self._taken.add(stand_in)
        return _same_case(original, stand_in)

    def email(self, value: str) -> str:
        """Local part and domain word by word, the top-level domain `example`; two addresses that would
        become one (they differ only in the top-level domain) are told apart by a number."""
        key = value.lower()
        stand_in = self._emails.get(key)
        if stand_in is None:
            local, _, domain = value.rpartition("@")
            local, domain = self.text(local), self._host(domain)
            stand_in, number = f"{local}@{domain}", 1
            while stand_in.lower() in self._emails_taken:
                number += 1
                stand_in = f"{local}{number}@{domain}"
            self._emails[key] = stand_in
            self._emails_taken.add(stand_in.lower())
        return stand_in

    def _host(self, host: str) -> str:
        labels = host.split(".")
        if len(labels) == 1:
            return self.text(host)
        return ".".join([self.text(label) for label in labels[:-1]] + [STAND_IN_TLD])

    def _new_stand_in(self, key: str) -> str:
        digest = hmac.new(self._key, key.encode("utf-8"), hashlib.sha256).digest()
        make = _digits(random.Random(digest)) if key.isdigit() else _pronounceable(random.Random(digest))
        length, tries = len(key), 0
        while True:
            candidate = make(length)
            if candidate != key and candidate not in self._taken and not (
                    len(candidate) >= _AVOIDED_BELOW and candidate in self._originals):
                return candidate
            tries += 1
            if tries % 50 == 0:
                length += 1  # (nearly) every word of this length is taken: a longer one


def _pronounceable(rng: random.Random) -> Callable[[int], str]:
    def make(length: int) -> str:
        vowel_first = rng.random() < 0.3
        return "".join(rng.choice(_VOWELS if (i % 2 == 0) == vowel_first else _CONSONANTS) for i in range(length))

    return make


def _digits(rng: random.Random) -> Callable[[int], str]:
    return lambda length: "".join(rng.choice("0123456789") for _ in range(length))


def _same_case(original: str, stand_in: str) -> str:
    if len(original) > 1 and original.isupper():
        return stand_in.upper()
    if original[:1].isupper():
        return stand_in.capitalize()
    return stand_in


def _kind(value: str, name: str, owner: str) -> str:
    """kept, email, url or text: the rule in this module's docstring."""
    if name == "id" or owner in KEPT_TYPES or name in CODE_PROPERTIES or is_guid(value):
        return "kept"
    if _URL.match(value):
        return "url"
    if _EMAIL.match(value):
        return "email"
    return "text"


# Walking fixture-format data by its schemas

Visit = Callable[[str, str, str], str]  # (value, property name, owner type) -> new value


def _walk_user(user: dict, facets: Sequence[Facet], visit: Visit) -> dict:
    by_segment = {facet.segment: facet for facet in facets}
    out = {}
    for key, value in user.items():
        facet = by_segment.get(key)
        if facet is None:
            out[key] = _walk_value(schemas.instance(UserSchema).fields.get(key), key, "user", value, visit)
        else:
            out[key] = [_walk(facet.schema, item, visit) for item in value]
    return out


def _walk(schema_cls: type[GraphSchema], data: dict, visit: Visit) -> dict:
    fields = schemas.instance(schema_cls).fields
    return {key: _walk_value(fields.get(key), key, schema_cls.graph_type, value, visit) for key, value in data.items()}


def _walk_value(declared, name: str, owner: str, value, visit: Visit):
    if value is None or declared is None:
        return value
    if isinstance(declared, f.Nested) and isinstance(value, dict):
        return _walk(type(declared.schema), value, visit)
    if isinstance(declared, f.NestedCollection) and isinstance(value, list):
        return [_walk(type(declared.inner.schema), item, visit) if isinstance(item, dict) else item
                for item in value]
    if isinstance(declared, f.StringCollection) and isinstance(value, list):
        return [visit(item, name, owner) if isinstance(item, str) else item for item in value]
    if isinstance(declared, f.String) and isinstance(value, str):
        return visit(value, name, owner)
    return value
