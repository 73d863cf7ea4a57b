"""The store: users and their profile items, in TinyDB, behind a small interface.

Routes never touch TinyDB. Each user's items of one kind live in their own table
(`positions/<user id>`), because TinyDB rebuilds a whole table on every write: small tables keep a
write's cost independent of how much else is stored. Indexes map ids to TinyDB doc ids, so a
lookup never scans. One lock serialises access (the server is threaded).

Documents handed out are shallow copies: callers must not mutate nested values in place.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Document

USERS = "users"
USER_FIELDS = ("id", "userPrincipalName", "displayName")


class Repository:
    def __init__(self, db: TinyDB, kinds: Iterable[str]):
        self._db = db
        self.kinds = tuple(kinds)
        self._lock = threading.RLock()
        self._user_keys: dict[str, int] = {}  # lower-cased id or UPN -> doc id in USERS
        self._items: dict[tuple[str, str], tuple[str, int]] = {}  # (kind, lower id) -> (user id, doc id)
        self._reindex()

    @classmethod
    def in_memory(cls, kinds: Iterable[str]) -> Repository:
        return cls(TinyDB(storage=MemoryStorage), kinds)

    @classmethod
    def on_disk(cls, path: str, kinds: Iterable[str]) -> Repository:
        from mockgraph.store.storage import LogStorage

        return cls(TinyDB(path, storage=LogStorage), kinds)

    @property
    def lock(self) -> threading.RLock:
        """Hold it to make several calls one atomic step (e.g. read, check, write)."""
        return self._lock

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # Users

    def find_user(self, ref: str) -> dict | None:
        """A user by object id or userPrincipalName, ignoring case."""
        with self._lock:
            doc_id = self._user_keys.get(ref.lower())
            return None if doc_id is None else dict(self._db.table(USERS).get(doc_id=doc_id))

    def users(self) -> list[dict]:
        with self._lock:
            return [dict(doc) for doc in self._db.table(USERS).all()]

    def is_empty(self) -> bool:
        with self._lock:
            return not self._user_keys

    # Items (workPosition and any other facet kind)

    def list_items(self, kind: str, user_id: str) -> list[dict]:
        with self._lock:
            return list(self._items_table(kind, user_id).all())

    def get_item(self, kind: str, user_id: str, item_id: str) -> dict | None:
        with self._lock:
            found = self._items.get((kind, item_id.lower()))
            if found is None or found[0] != user_id:
                return None
            return self._items_table(kind, user_id).get(doc_id=found[1])

    def add_item(self, kind: str, user_id: str, doc: Mapping) -> dict:
        with self._lock:
            doc_id = self._items_table(kind, user_id).insert(dict(doc))
            self._items[(kind, doc["id"].lower())] = (user_id, doc_id)
            return dict(doc)

    def replace_item(self, kind: str, user_id: str, doc: Mapping) -> dict:
        with self._lock:
            _, doc_id = self._items[(kind, doc["id"].lower())]
            self._items_table(kind, user_id).upsert(Document(dict(doc), doc_id=doc_id))
            return dict(doc)

    def remove_item(self, kind: str, user_id: str, item_id: str) -> bool:
        with self._lock:
            found = self._items.get((kind, item_id.lower()))
            if found is None or found[0] != user_id:
                return False
            self._items_table(kind, user_id).remove(doc_ids=[found[1]])
            del self._items[(kind, item_id.lower())]
            return True

    # Bulk: fixtures, seeding, reset, export

    def load(self, users: Iterable[Mapping]) -> tuple[int, int]:
        """Add users with their items ({"id", ..., kind: [docs]}); a stored user with the same id is
        replaced, items and all. Returns (users, items) loaded."""
        n_users = n_items = 0
        with self._lock:
            table = self._db.table(USERS)
            for user in users:
                self._drop_user(user["id"])
                table.insert({k: user.get(k) for k in USER_FIELDS})
                for kind in self.kinds:
                    docs = [dict(d) for d in user.get(kind) or ()]
                    if docs:
                        self._items_table(kind, user["id"]).insert_multiple(docs)
                    n_items += len(docs)
                n_users += 1
            self._reindex()
        return n_users, n_items

    def clear(self) -> None:
        with self._lock:
            self._db.drop_tables()
            self._reindex()

    def export(self) -> list[dict]:
        """Users in stored order, each with their items by kind: the fixture file format."""
        with self._lock:
            return [
                {**user, **{kind: self.list_items(kind, user["id"]) for kind in self.kinds}}
                for user in self.users()
            ]

    # Internals

    def _items_table(self, kind: str, user_id: str):
        return self._db.table(f"{kind}/{user_id}")

    def _drop_user(self, user_id: str) -> None:
        table = self._db.table(USERS)
        doc_id = self._user_keys.get(user_id.lower())
        if doc_id is None:
            return
        table.remove(doc_ids=[doc_id])
        for kind in self.kinds:
            self._db.drop_table(f"{kind}/{user_id}")

    def _reindex(self) -> None:
        self._user_keys.clear()
        self._items.clear()
        for doc in self._db.table(USERS).all():
            self._user_keys[doc["id"].lower()] = doc.doc_id
            if doc.get("userPrincipalName"):
                self._user_keys[doc["userPrincipalName"].lower()] = doc.doc_id
            for kind in self.kinds:
                for item in self._items_table(kind, doc["id"]).all():
                    self._items[(kind, item["id"].lower())] = (doc["id"], item.doc_id)
