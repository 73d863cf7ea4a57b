"""Crash safety with `--db`: SIGKILL in the middle of a stream of creates, patches and deletes, ten
times at different moments, on one file. After each kill the file loads on its own, and the restarted
server holds every acknowledged write; a write in flight at the kill may have happened or not."""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests
from conftest import ADELE, NESTOR
from live import ServedMock
from rawhttp import root_url
from tinydb import TinyDB

from mockgraph.store.storage import LogStorage, read_log

KILLS = 10
WRITERS = ((0, ADELE), (1, NESTOR))  # (writer, the user it writes to)
AUTH = {"Authorization": "Bearer x"}


@dataclass
class Model:
    """What the server acknowledged, per position id, and what was in flight when it died."""

    titles: dict[str, str] = field(default_factory=dict)  # alive id -> jobTitle of its last acknowledged write
    owner: dict[str, int] = field(default_factory=dict)  # id -> the writer that created it (and alone writes it)
    in_flight: dict[int, tuple] = field(default_factory=dict)  # writer -> (kind, id, title) not acknowledged
    acknowledged: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def owned(self, writer: int) -> list[str]:
        return [i for i, w in self.owner.items() if w == writer and i in self.titles]


def marker(writer: int) -> list[str]:
    return [f"crash-writer-{writer}"]


def write_until_killed(base_url: str, writer: int, user: str, model: Model, rng: random.Random) -> None:
    collection = f"{base_url}/users/{user}/profile/positions"
    session = requests.Session()
    n = 0
    while True:
        n += 1
        title = f"w{writer}-{rng.random():.12f}"
        owned = model.owned(writer)
        roll = rng.random()
        kind = "create" if not owned or roll < 0.45 else ("patch" if roll < 0.85 else "delete")
        item = None if kind == "create" else rng.choice(owned)
        model.in_flight[writer] = (kind, item, title)
        try:
            if kind == "create":
                body = {"detail": {"jobTitle": title, "company": {"displayName": "Fabrikam"}},
                        "categories": marker(writer)}
                response = session.post(collection, json=body, headers=AUTH, timeout=30)
            elif kind == "patch":
                response = session.patch(f"{collection}/{item}", json={"detail": {"jobTitle": title}},
                                         headers=AUTH, timeout=30)
            else:
                response = session.delete(f"{collection}/{item}", headers=AUTH, timeout=30)
        except requests.RequestException:
            return  # killed: the write in flight stays recorded as such
        if response.status_code not in (200, 201, 204):
            model.failures.append(f"{kind} {response.status_code} {response.text[:300]}")
            return
        with model.lock:
            if kind == "create":
                item = response.json()["id"]
                model.owner[item] = writer
            if kind == "delete":
                del model.titles[item]
            else:
                model.titles[item] = title
            model.in_flight.pop(writer, None)
            model.acknowledged += 1


def stored_positions(db: str) -> dict[str, dict]:
    """The positions of the writers' users, read from the file by the storage alone."""
    database = TinyDB(db, storage=LogStorage)
    try:
        return {doc["id"]: dict(doc) for _, user in WRITERS for doc in database.table(f"positions/{user}").all()}
    finally:
        database.close()


def served_positions(base_url: str) -> dict[str, dict]:
    out = {}
    for _, user in WRITERS:
        page = requests.get(f"{base_url}/users/{user}/profile/positions?$top=999", headers=AUTH, timeout=30).json()
        assert "@odata.nextLink" not in page
        out.update({doc["id"]: doc for doc in page["value"]})
    return out


def reconcile(model: Model, stored: dict[str, dict]) -> None:
    """Every acknowledged write is in `stored`; a write in flight went either way. Then the model takes
    what `stored` says about those writes, so the next round starts from the truth."""
    ours = {i: doc for i, doc in stored.items() if (doc.get("categories") or [""])[0].startswith("crash-writer-")}
    uncertain = {entry[1]: entry for entry in model.in_flight.values() if entry[1] is not None}
    for item, title in model.titles.items():
        kind, _, new_title = uncertain.get(item, (None, None, None))
        if kind == "delete" and item not in stored:
            continue
        assert item in stored, f"acknowledged write of {item} lost"
        allowed = {title, new_title} if kind == "patch" else {title}
        assert stored[item]["detail"]["jobTitle"] in allowed, f"{item} lost its last acknowledged write"
    for item in set(ours) - set(model.titles):
        # Only a create in flight may leave an item nobody was told about, one per writer at most.
        writer = int(ours[item]["categories"][0].rsplit("-", 1)[1])
        kind, _, title = model.in_flight.get(writer, (None, None, None))
        assert kind == "create" and ours[item]["detail"]["jobTitle"] == title, f"{item} appeared from nowhere"
        model.owner[item] = writer
    # Adopt the outcome of the writes in flight.
    model.titles = {i: doc["detail"]["jobTitle"] for i, doc in ours.items()}
    model.in_flight.clear()


def test_sigkill_at_ten_moments_loses_no_acknowledged_write(tmp_path):
    db = str(tmp_path / "crash.db")
    model = Model()
    rng = random.Random(6)
    for kill in range(KILLS + 1):
        mock = ServedMock("--db", db)
        try:
            served = served_positions(mock.base_url)
            if kill:
                reconcile(model, served)
            if kill == KILLS:
                break
            # Kill after a different number of acknowledged writes each time (and a moment more).
            target = model.acknowledged + 3 + (kill * 13) % 40
            writers = [threading.Thread(target=write_until_killed,
                                        args=(mock.base_url, w, user, model, random.Random(rng.random())))
                       for w, user in WRITERS]
            for writer in writers:
                writer.start()
            while model.acknowledged < target and any(w.is_alive() for w in writers):
                time.sleep(0.001)
            time.sleep(rng.random() * 0.005)
        finally:
            mock.kill()
        for writer in writers:
            writer.join(30)
        assert not any(w.is_alive() for w in writers) and not model.failures, model.failures
        on_disk = stored_positions(db)  # loads without the server, after a kill mid-write
        reconcile(Model(titles=dict(model.titles), owner=dict(model.owner), in_flight=dict(model.in_flight)), on_disk)
    assert len(model.titles) >= 20  # the stream really wrote


# Reset and seed are one step on disk: a SIGKILL at any moment leaves the file wholly before or wholly
# after. Enough users that, written one table at a time, the operation takes many fsyncs to finish.

BULK_USERS = 150
BULK_POSITIONS = 3
BULK_ROUNDS = 6  # per operation


def bulk_users(prefix: int) -> list[dict]:
    users = []
    for i in range(BULK_USERS):
        user_id = str(uuid.UUID(int=(prefix << 64) + i))
        users.append({"id": user_id, "userPrincipalName": f"u{prefix}-{i}@contoso.com", "displayName": f"U {i}",
                      "positions": [{"id": str(uuid.UUID(int=(prefix << 64) + (i << 16) + j + 1)),
                                     "detail": {"jobTitle": f"t{j}", "company": {"displayName": "Contoso"}}}
                                    for j in range(BULK_POSITIONS)]})
    return users


def signature(users: list[dict]) -> dict[str, list[str]]:
    return {user["id"]: sorted(p["id"] for p in user["positions"]) for user in users}


def on_disk_signature(db: str) -> dict[str, list[str]]:
    """Users and their positions' ids, from the file alone (it must load)."""
    tables = read_log(db)
    users = tables.get("users", {}).values()
    return {user["id"]: sorted(p["id"] for p in tables.get(f"positions/{user['id']}", {}).values())
            for user in users}


def post(base_url: str, path: str, body=None) -> None:
    try:
        requests.post(root_url(base_url) + path, json=body, timeout=60)
    except requests.RequestException:
        pass  # killed


def test_sigkill_during_reset_or_seed_leaves_all_of_it_or_none(tmp_path):
    db = str(tmp_path / "bulk.db")
    fixtures = tmp_path / "fixtures.json"
    seeded, extra = bulk_users(1), bulk_users(2)
    fixtures.write_text(json.dumps({"users": seeded}))
    only_fixtures = signature(seeded)
    with_extra = {**only_fixtures, **signature(extra)}

    # How long each operation takes unhurried, to spread the kills over it.
    with ServedMock("--db", db, "--fixtures", str(fixtures)) as mock:
        durations = {}
        for operation, path, body in (("seed", "/_mockgraph/seed", {"users": extra}),
                                      ("reset", "/_mockgraph/reset", None)):
            started = time.perf_counter()
            post(mock.base_url, path, body)
            durations[operation] = time.perf_counter() - started
    assert on_disk_signature(db) == only_fixtures

    for round_ in range(BULK_ROUNDS * 2):
        operation = ("seed", "reset")[round_ % 2]
        delay = durations[operation] * 1.2 * ((round_ // 2) + 0.5) / BULK_ROUNDS
        mock = ServedMock("--db", db, "--fixtures", str(fixtures))
        try:
            # Start from the state before: fixtures only for a seed, fixtures and more for a reset.
            post(mock.base_url, "/_mockgraph/reset")
            if operation == "reset":
                post(mock.base_url, "/_mockgraph/seed", {"users": extra})
            before, after = (only_fixtures, with_extra) if operation == "seed" else (with_extra, only_fixtures)
            assert on_disk_signature(db) == before
            path, body = ("/_mockgraph/seed", {"users": extra}) if operation == "seed" else ("/_mockgraph/reset", None)
            request = threading.Thread(target=post, args=(mock.base_url, path, body))
            request.start()
            time.sleep(delay)
        finally:
            mock.kill()
        request.join(60)
        found = on_disk_signature(db)
        assert found in (before, after), (
            f"{operation} killed after {delay:.3f}s left {len(found)} users and "
            f"{sum(map(len, found.values()))} positions: neither before nor after"
        )
    # The file also serves: a new server on it answers from the state it holds.
    with ServedMock("--db", db, "--fixtures", str(fixtures)) as mock:
        assert requests.get(f"{mock.base_url}/users/{seeded[0]['id']}/profile/positions", headers=AUTH,
                            timeout=30).status_code == 200
