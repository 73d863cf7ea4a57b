"""The structure that keeps the mock's cost flat as data grows (issue 7). Nothing here is timed: the
tests count what a request touches and writes, with a small store and a large one."""

from __future__ import annotations

import copy
import json

import pytest
from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from mockgraph import create_app
from mockgraph.fixtures import seeding
from mockgraph.graph import schemas
from mockgraph.graph.errors import BadRequest
from mockgraph.graph.schemas.fields import Nested
from mockgraph.store import Repository
from tests.conftest import GraphTestClient

KIND = "positions"
TARGET = "0d6f7a52-61c4-4f0e-9d1b-3c2a4b5e6f70"
PATCH_BODY = {"detail": {"jobTitle": "Staff Engineer"}}


def make_user(uid: str, n: int) -> dict:
    identity = {"application": None, "device": None, "user": {"displayName": uid[:8], "id": uid}}
    positions = [
        {"id": f"{uid[:24]}{i:012x}", "allowedAudiences": "organization",
         "createdDateTime": "2024-03-01T09:30:00.0000000Z", "createdBy": identity,
         "lastModifiedDateTime": "2024-03-01T09:30:00.0000000Z", "lastModifiedBy": identity,
         "detail": {"jobTitle": "Engineer", "company": {"displayName": "Contoso"}}, "isCurrent": i == 0}
        for i in range(n)
    ]
    return {"id": uid, "userPrincipalName": f"u{uid[:8]}@contoso.com", "displayName": uid[:8], KIND: positions}


def store_users(n_others: int, per_other: int) -> list[dict]:
    """The target user (100 positions) and `n_others` other users."""
    others = [make_user(f"{i:08x}-1111-4111-8111-111111111111", per_other) for i in range(n_others)]
    return [make_user(TARGET, 100), *others]


class CountingTable(dict):
    """A stored table that counts the documents anyone reads out of it."""

    def __init__(self, counter: CountingStorage, docs: dict):
        super().__init__(docs)
        self.counter = counter

    def items(self):
        for pair in super().items():
            self.counter.touched += 1
            yield pair

    def values(self):
        return (value for _, value in self.items())

    def __iter__(self):
        return (key for key, _ in self.items())

    def get(self, key, default=None):
        self.counter.touched += 1
        return super().get(key, default)

    def __getitem__(self, key):
        self.counter.touched += 1
        return super().__getitem__(key)


class CountingStorage(MemoryStorage):
    """TinyDB's memory storage, counting documents read and recording which tables each write changed.

    TinyDB replaces a table's dict when it writes it, so a table that is not a `CountingTable` at
    write time is one that this write changed."""

    def __init__(self):
        super().__init__()
        self.touched = 0
        self.changed: list[list[str]] = []

    def write(self, data):
        changed = sorted(name for name, table in data.items() if not isinstance(table, CountingTable))
        self.changed.append(changed)
        for name in changed:
            data[name] = CountingTable(self, data[name])
        super().write(data)


@pytest.fixture
def counted(monkeypatch):
    """`make(users)`: a strict app on a counting storage, holding the default fixtures and `users`."""

    def make(users: list[dict]):
        storage = {}

        def in_memory(cls, kinds):
            db = TinyDB(storage=CountingStorage)
            storage["it"] = db.storage
            return cls(db, kinds)

        monkeypatch.setattr(Repository, "in_memory", classmethod(in_memory))
        app = create_app(strict=True)
        app.extensions["mockgraph"].repository.load(users)
        return GraphTestClient(app), storage["it"]

    return make


def touched_by(storage: CountingStorage, call) -> tuple[int, list[list[str]]]:
    storage.touched = 0
    storage.changed = []
    call()
    return storage.touched, storage.changed


def item_url(n: int = 7) -> str:
    return f"/users/{TARGET}/profile/{KIND}/{TARGET[:24]}{n:012x}"


def test_get_by_id_reads_the_same_few_documents_in_a_small_and_a_large_store(counted):
    small_client, small = counted(store_users(0, 0))
    large_client, large = counted(store_users(1000, 5))

    def get(client):
        return lambda: assert_status(client.get(item_url()), 200)

    small_touched, small_writes = touched_by(small, get(small_client))
    large_touched, large_writes = touched_by(large, get(large_client))
    assert small_touched == large_touched
    # The user and the position themselves (plus the default user for /me), not the user's 100 positions.
    assert small_touched <= 5
    assert small_writes == large_writes == []


def test_patch_and_create_write_only_the_target_users_table(counted):
    small_client, small = counted(store_users(0, 0))
    large_client, large = counted(store_users(1000, 5))
    body = {"detail": {"jobTitle": "New", "company": {"displayName": "Fabrikam"}}}
    for client, storage in ((small_client, small), (large_client, large)):
        _, writes = touched_by(storage, lambda c=client: assert_status(c.patch(item_url(), json=PATCH_BODY), 200))
        assert writes == [[f"{KIND}/{TARGET}"]]
        _, writes = touched_by(storage, lambda c=client: assert_status(
            c.post(f"/users/{TARGET}/profile/{KIND}", json=body), 201))
        assert writes == [[f"{KIND}/{TARGET}"]]
    # A write converts the user's own table (TinyDB rewrites a table whole), never anyone else's.
    small_patch, _ = touched_by(small, lambda: small_client.patch(item_url(3), json=PATCH_BODY))
    large_patch, _ = touched_by(large, lambda: large_client.patch(item_url(3), json=PATCH_BODY))
    assert small_patch == large_patch


def test_load_writes_the_users_table_once_and_each_new_users_table_once(counted):
    client, storage = counted(store_users(10, 3))
    loaded = store_users(20, 3)[1:]  # 10 stored users replaced, 10 new ones
    _, writes = touched_by(storage, lambda: client.app.extensions["mockgraph"].repository.load(loaded))
    user_table_writes = [w for w in writes if "users" in w]
    assert len(user_table_writes) == 2  # the replaced users removed at once, then all rows inserted at once
    assert sorted(name for w in writes for name in w if name != "users") == sorted(
        f"{KIND}/{u['id']}" for u in loaded)


def test_seeding_reads_no_stored_positions(counted):
    # (TinyDB rewrites the whole users table when one is added: that part grows with users, not positions.)
    newcomer = make_user("fedcba98-2222-4222-8222-222222222222", 10)
    touched = []
    for per_user in (1, 20):
        client, storage = counted(store_users(500, per_user))
        state = client.app.extensions["mockgraph"]
        count, _ = touched_by(storage, lambda s=state: seeding.seed(s, {"users": [copy.deepcopy(newcomer)]}))
        touched.append(count)
    assert touched[0] == touched[1]


def test_a_replaced_user_is_found_by_its_new_upn_only(counted):
    client, _ = counted(store_users(3, 2))
    repository = client.app.extensions["mockgraph"].repository
    user = store_users(1, 2)[1]
    old_upn = user["userPrincipalName"]
    repository.load([{**user, "userPrincipalName": "renamed@contoso.com", KIND: user[KIND][:1]}])
    assert repository.find_user(old_upn) is None
    assert repository.find_user("RENAMED@contoso.com")["id"] == user["id"]
    assert len(repository.list_items(KIND, user["id"])) == 1
    assert repository.get_item(KIND, user["id"], user[KIND][1]["id"]) is None
    assert repository.get_item(KIND, user["id"], user[KIND][0]["id"]) is not None
    assert_status(client.get(f"/users/{old_upn}/profile/{KIND}"), 404)


def test_log_storage_bytes_for_one_patch_do_not_grow_with_stored_data(tmp_path):
    written = []
    for n_others in (0, 99):  # 100 and 10,000 positions
        app = create_app(strict=True, db=str(tmp_path / f"store-{n_others}.db"))
        repository = app.extensions["mockgraph"].repository
        repository.load(store_users(n_others, 100))
        before = repository.storage.bytes_written
        assert_status(GraphTestClient(app).patch(item_url(), json=PATCH_BODY), 200)
        written.append(repository.storage.bytes_written - before)
        repository.close()
    assert written[0] == written[1]
    assert 0 < written[0] < 200_000  # about the user's own 100 positions


def test_a_patch_with_db_is_on_disk_with_the_stored_order(tmp_path):
    # PATCH writes the user's table itself (not through TinyDB's upsert): a new app reads it back.
    path = str(tmp_path / "store.db")
    app = create_app(strict=True, db=path)
    app.extensions["mockgraph"].repository.load(store_users(2, 3))
    assert_status(GraphTestClient(app).patch(item_url(), json=PATCH_BODY), 200)
    before = GraphTestClient(app).state()
    app.extensions["mockgraph"].repository.close()
    reopened = GraphTestClient(create_app(strict=True, db=path))
    assert reopened.state() == before
    assert reopened.get(item_url()).get_json()["detail"]["jobTitle"] == "Staff Engineer"


def test_the_fast_dump_answers_what_marshmallow_dumps():
    app = create_app()
    repository = app.extensions["mockgraph"].repository
    docs = [doc for user in repository.users() for doc in repository.list_items(KIND, user["id"])]
    docs += make_user(TARGET, 3)[KIND]
    docs.append({"id": "x", "sources": [{"isDefaultSource": True, "properties": ["a"], "sourceId": "s"}],
                 "categories": ["a", None], "colleagues": [{"displayName": "c"}, None], "detail": None,
                 "source": {"type": ["x"]}, "manager": {"userId": "m"}, "unknown": 1})
    marshmallow = schemas.instance(schemas.WorkPositionSchema, "stored")
    for doc in docs:
        expected = json.dumps(marshmallow.dump(doc))
        assert json.dumps(schemas.dump(schemas.WorkPositionSchema, doc)) == expected


def assert_status(response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def _merge_then_validate_whole(stored: dict, patch: dict) -> dict:
    """The update as it was before: deep copies, then the whole result validated again."""

    def merge(schema, into, changes):
        merged = copy.deepcopy(dict(into))
        for key, value in changes.items():
            field = schema.fields[key]
            if isinstance(field, Nested) and isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = merge(field.schema, merged[key], value)
            else:
                merged[key] = copy.deepcopy(value)
        return merged

    schema = schemas.WorkPositionSchema
    merged = merge(schemas.instance(schema), stored, patch)
    schemas.load(schema, {k: v for k, v in merged.items() if k not in schemas.SERVER_MANAGED}, mode="create")
    return merged


STORED_VARIANTS = (
    make_user(TARGET, 1)[KIND][0],  # a company without an address, no manager
    {**make_user(TARGET, 1)[KIND][0], "detail": {"jobTitle": "No company"}},
    {**make_user(TARGET, 1)[KIND][0], "manager": {"displayName": "M"}, "colleagues": [{"displayName": "C"}]},
)
PATCHES = (
    {"detail": {"jobTitle": "Staff Engineer"}, "isCurrent": True},
    {"detail": {"company": {"department": "Platform"}}},
    {"detail": {"company": {"address": {"city": "Oslo"}}}},
    {"detail": {"company": {"displayName": "Fabrikam", "address": {"city": "Oslo"}}}},
    {"detail": {"company": None}},
    {"detail": {"company": {"address": None}}},
    {"manager": {"userId": "u"}, "colleagues": [{"displayName": "A"}, {"relationship": "colleague"}]},
    {"colleagues": []},
    {"categories": ["a", "b"], "allowedAudiences": "me,everyone"},
    {"detail": {"startMonthYear": "2020-01-01", "layer": 3}, "inference": {"confidenceScore": 0.5}},
)


@pytest.mark.parametrize("patch", PATCHES)
@pytest.mark.parametrize("stored", STORED_VARIANTS)
def test_merge_validates_exactly_what_validating_the_whole_result_did(stored, patch):
    loaded = schemas.load(schemas.WorkPositionSchema, patch, mode="update", partial=True)
    outcomes = []
    for update in (_merge_then_validate_whole,
                   lambda s, p: schemas.merge(schemas.instance(schemas.WorkPositionSchema), s, p)):
        before = json.dumps(stored)
        try:
            outcomes.append(json.dumps(update(stored, loaded)))
        except BadRequest as error:
            outcomes.append(error.message)
        assert json.dumps(stored) == before  # the stored document is never changed
    assert outcomes[0] == outcomes[1]
