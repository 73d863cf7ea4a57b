"""The store: users and their profile items, in TinyDB, behind a small interface.

Routes never touch TinyDB. Each user's items of one kind live in their own table
(`positions/<user id>`), because TinyDB rebuilds a whole table on every write: small tables keep a
write's cost independent of how much else is stored. Indexes map ids to TinyDB doc ids, so a
lookup never scans. One lock serialises access (the server is threaded); `atomic()` makes several
changes one step, on disk too (a crash leaves all of them or none).

Documents handed out are shallow copies: callers must not mutate nested values in place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext

from tinydb import TinyDB
from tinydb.storages import MemoryStorage

USERS = "users"
USER_FIELDS = ("id", "userPrincipalName", "displayName")


class Repository:
    def __init__(self, db: TinyDB, kinds: Iterable[str]):
        self._db = db
        self.kinds = tuple(kinds)
        self._lock = threading.RLock()
        self._user_keys: dict[str, int] = {}  # lower-cased id or UPN -> doc id in USERS
        self._items: dict[tuple[str, str], tuple[str, int]] = {}  # (kind, lower id) -> (user id, doc id)
        # Called under the lock before an item is added, replaced or removed: it may refuse the write by
        # raising (a request that started before a reset, say). Bulk loads and clears are not checked.
        self.write_check: Callable[[], None] | None = None
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

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Hold the lock, and write everything changed inside the block as one step: with `--db`, one
        line of the log, so that a crash leaves the file wholly before or wholly after it."""
        with self._lock:
            transaction = getattr(self._db.storage, "transaction", None)
            try:
                with transaction() if transaction is not None else nullcontext():
                    yield
            except BaseException:
                self._reindex()  # the storage went back to what its file holds
                raise

    @property
    def storage(self):
        """The TinyDB storage underneath (for its counters: tests and benchmarks)."""
        return self._db.storage

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

    def item_owner(self, kind: str, item_id: str) -> str | None:
        """The id of the user who holds the item with this id (ignoring case), from the index."""
        with self._lock:
            found = self._items.get((kind, item_id.lower()))
            return None if found is None else found[0]

    def add_item(self, kind: str, user_id: str, doc: Mapping) -> dict:
        with self._lock:
            self._check_write()
            doc_id = self._items_table(kind, user_id).insert(dict(doc))
            self._items[(kind, doc["id"].lower())] = (user_id, doc_id)
            return dict(doc)

    def replace_item(self, kind: str, user_id: str, doc: Mapping) -> dict:
        with self._lock:
            self._check_write()
            _, doc_id = self._items[(kind, doc["id"].lower())]
            # The write TinyDB's upsert makes (a new dict for this one table, then one storage write),
            # without its conversion of every doc id in the table to int and back: ~10x cheaper.
            name = self._items_table(kind, user_id).name
            tables = self._db.storage.read()
            tables[name] = {**tables[name], str(doc_id): dict(doc)}
            self._db.storage.write(tables)
            self._db.table(name).clear_cache()
            return dict(doc)

    def remove_item(self, kind: str, user_id: str, item_id: str) -> bool:
        with self._lock:
            found = self._items.get((kind, item_id.lower()))
            if found is None or found[0] != user_id:
                return False
            self._check_write()
            self._items_table(kind, user_id).remove(doc_ids=[found[1]])
            del self._items[(kind, item_id.lower())]
            return True

    def clear_items(self, user_id: str) -> int:
        """Remove every item of every kind the user holds (the user stays), in one storage write: on
        disk, a crash keeps all of them or none. Returns how many were removed."""
        with self._lock:
            removed = 0
            for kind in self.kinds:
                for item in self._items_table(kind, user_id).all():
                    del self._items[(kind, item["id"].lower())]
                    removed += 1
            names = [self._items_table(kind, user_id).name for kind in self.kinds]
            tables = self._db.storage.read() or {}
            if any(name in tables for name in names):
                for name in names:  # as TinyDB's drop_table does, but for all of them at once
                    tables.pop(name, None)
                self._db.storage.write(tables)
            for name in names:
                self._db.table(name).clear_cache()
            return removed

    # Bulk: fixtures, seeding, reset, export

    def load(self, users: Iterable[Mapping]) -> tuple[int, int]:
        """Add users with their items ({"id", ..., kind: [docs]}); a stored user with the same id is
        replaced, items and all. Returns (users, items) loaded.

        One write for the users table and one per user and kind, whatever is already stored: a load
        (or a reset) costs the size of what it loads, not of the store.
        """
        batch: dict[str, Mapping] = {}
        for user in users:  # a user given twice: the later one wins, in its place
            batch.pop(user["id"].lower(), None)
            batch[user["id"].lower()] = user
        n_items = 0
        with self.atomic():
            self._drop_users(batch)
            rows = [{k: user.get(k) for k in USER_FIELDS} for user in batch.values()]
            doc_ids = self._db.table(USERS).insert_multiple(rows) if rows else []
            for row, doc_id in zip(rows, doc_ids, strict=True):
                self._index_user(row, doc_id)
            for user in batch.values():
                for kind in self.kinds:
                    docs = [dict(d) for d in user.get(kind) or ()]
                    if docs:
                        item_ids = self._items_table(kind, user["id"]).insert_multiple(docs)
                        for doc, item_doc_id in zip(docs, item_ids, strict=True):
                            self._items[(kind, doc["id"].lower())] = (user["id"], item_doc_id)
                    n_items += len(docs)
        return len(batch), n_items

    def clear(self) -> None:
        with self.atomic():
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

    def _check_write(self) -> None:
        if self.write_check is not None:
            self.write_check()

    def _items_table(self, kind: str, user_id: str):
        return self._db.table(f"{kind}/{user_id}")

    def _drop_users(self, keys: Iterable[str]) -> None:
        """Remove the stored users with these lower-cased ids, their items and their index entries."""
        table = self._db.table(USERS)
        stored = []
        for key in keys:
            doc_id = self._user_keys.get(key)
            doc = None if doc_id is None else table.get(doc_id=doc_id)
            if doc is not None and doc["id"].lower() == key:
                stored.append(doc)
        if not stored:
            return
        table.remove(doc_ids=[doc.doc_id for doc in stored])
        for doc in stored:
            for ref in (doc["id"], doc.get("userPrincipalName")):
                if ref and self._user_keys.get(ref.lower()) == doc.doc_id:
                    del self._user_keys[ref.lower()]
            for kind in self.kinds:
                for item in self._items_table(kind, doc["id"]).all():
                    if self._items.get((kind, item["id"].lower()), (None,))[0] == doc["id"]:
                        del self._items[(kind, item["id"].lower())]
                self._db.drop_table(self._items_table(kind, doc["id"]).name)

    def _index_user(self, row: Mapping, doc_id: int) -> None:
        self._user_keys[row["id"].lower()] = doc_id
        if row.get("userPrincipalName"):
            self._user_keys[row["userPrincipalName"].lower()] = doc_id

    def _reindex(self) -> None:
        self._user_keys.clear()
        self._items.clear()
        for doc in self._db.table(USERS).all():
            self._index_user(doc, doc.doc_id)
            for kind in self.kinds:
                for item in self._items_table(kind, doc["id"]).all():
                    self._items[(kind, item["id"].lower())] = (doc["id"], item.doc_id)
