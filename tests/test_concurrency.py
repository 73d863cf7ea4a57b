"""8 client threads, 2,000 mixed creates, patches and deletes against a live server, in memory and with
`--db`: no 5xx, every acknowledged create is there unless acknowledged deleted, every position holds its
last acknowledged PATCH, and the `--db` file loads, on its own and in a new server."""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from live import ServedMock
from tinydb import TinyDB

from mockgraph.store.storage import LogStorage

THREADS = 8
OPERATIONS = 2_000
AUTH = {"Authorization": "Bearer x"}
FIXTURES = Path(__file__).resolve().parent.parent / "mockgraph" / "fixtures" / "default.json"
# Each thread writes to one user; users are shared, so threads contend for the same tables.
USERS = [user["id"] for user in json.loads(FIXTURES.read_text())["users"]]


@dataclass
class Acknowledged:
    """What the server acknowledged to one thread. Ids are owned by the thread that created them, so
    the order of a thread's acknowledgements is the order its writes took effect."""

    titles: dict[str, str] = field(default_factory=dict)  # id -> jobTitle of the last acknowledged write
    deleted: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"create": 0, "patch": 0, "delete": 0})


def workload(base_url: str, thread: int, operations: int) -> Acknowledged:
    out = Acknowledged()
    rng = random.Random(thread)
    user = USERS[thread % len(USERS)]
    collection = f"{base_url}/users/{user}/profile/positions"
    alive: list[str] = []
    with requests.Session() as session:
        for n in range(operations):
            roll = rng.random()
            title = f"t{thread}-{n}"
            try:
                if not alive or roll < 0.4:
                    body = {"detail": {"jobTitle": title, "company": {"displayName": "Fabrikam"}},
                            "categories": [f"load-{thread}"]}
                    response = session.post(collection, json=body, headers=AUTH, timeout=60)
                    if response.status_code == 201:
                        alive.append(response.json()["id"])
                        out.titles[alive[-1]] = title
                        out.counts["create"] += 1
                elif roll < 0.8:
                    item = rng.choice(alive)
                    body = {"detail": {"jobTitle": title}, "isCurrent": n % 2 == 0}
                    response = session.patch(f"{collection}/{item}", json=body, headers=AUTH, timeout=60)
                    if response.status_code == 200:
                        out.titles[item] = title
                        out.counts["patch"] += 1
                else:
                    item = alive.pop(rng.randrange(len(alive)))
                    response = session.delete(f"{collection}/{item}", headers=AUTH, timeout=60)
                    if response.status_code == 204:
                        out.deleted.add(item)
                        out.counts["delete"] += 1
                if response.status_code >= 300:
                    out.failures.append(f"{response.request.method} {response.status_code} {response.text[:200]}")
            except requests.RequestException as error:
                out.failures.append(repr(error))
    return out


def run_threads(base_url: str) -> list[Acknowledged]:
    results: list[Acknowledged | None] = [None] * THREADS

    def run(thread: int) -> None:
        results[thread] = workload(base_url, thread, OPERATIONS // THREADS)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def listed(base_url: str, user: str) -> list[dict]:
    """Every position of a user, following @odata.nextLink."""
    items, url = [], f"{base_url}/users/{user}/profile/positions?$top=999"
    while url:
        page = requests.get(url, headers=AUTH, timeout=60).json()
        items += page["value"]
        url = page.get("@odata.nextLink")
    return items


def check(results: list[Acknowledged], stored: dict[str, dict]) -> None:
    """`stored`: every position by id. Each thread's acknowledgements must hold in it."""
    for thread, result in enumerate(results):
        assert not result.failures, result.failures[:5]
        assert sum(result.counts.values()) == OPERATIONS // THREADS
        for item in result.deleted:
            assert item not in stored, f"acknowledged delete of {item} lost"
        for item, title in result.titles.items():
            if item not in result.deleted:
                assert item in stored, f"acknowledged create of {item} lost"
                assert stored[item]["detail"]["jobTitle"] == title, f"{item} lost its last acknowledged PATCH"
        ours = {i for i, doc in stored.items() if doc.get("categories") == [f"load-{thread}"]}
        assert ours == set(result.titles) - result.deleted  # nothing unacknowledged appeared either
    totals = {kind: sum(r.counts[kind] for r in results) for kind in ("create", "patch", "delete")}
    assert min(totals.values()) >= OPERATIONS // 10, totals  # a real mix of writes


def served_positions(base_url: str) -> dict[str, dict]:
    return {doc["id"]: doc for user in USERS for doc in listed(base_url, user)}


def test_memory_holds_concurrent_writes():
    with ServedMock() as mock:
        results = run_threads(mock.base_url)
        check(results, served_positions(mock.base_url))
        log = mock.stop()
    assert "Traceback" not in log


def test_db_holds_concurrent_writes_and_the_file_loads(tmp_path):
    db = str(tmp_path / "load.db")
    with ServedMock("--db", db) as mock:
        results = run_threads(mock.base_url)
        served = served_positions(mock.base_url)
        check(results, served)
        log = mock.stop()
    assert "Traceback" not in log

    # The file, read with the storage alone: the same positions.
    database = TinyDB(db, storage=LogStorage)
    try:
        on_disk = {doc["id"]: dict(doc) for user in USERS for doc in database.table(f"positions/{user}").all()}
    finally:
        database.close()
    check(results, on_disk)
    assert set(on_disk) == set(served)

    # A new server on the file answers with exactly what the first one served.
    with ServedMock("--db", db) as again:
        assert served_positions(again.base_url) == served



ROUNDS = 10


def test_concurrent_patches_of_different_properties_both_land():
    """Two PATCHes of one position at once, each of another property: both answered 200, so both must
    be in the result. The slow one carries a body that takes a while to validate (after the route read
    the position): the quick one lands meanwhile, and a merge into the earlier read would revert it."""
    slow_body = {"categories": ["c0"],
                 "colleagues": [{"displayName": f"c{i}", "relationship": "colleague"} for i in range(5_000)]}
    with ServedMock() as mock, requests.Session() as slow_session, requests.Session() as quick_session:
        item = f"{mock.base_url}/users/{USERS[0]}/profile/positions"
        created = requests.post(item, json={"detail": {"jobTitle": "t0", "company": {"displayName": "F"}}},
                                headers=AUTH, timeout=60).json()
        item = f"{item}/{created['id']}"
        for n in range(ROUNDS):
            title = f"title-{n}"
            slow_body["categories"][0] = f"round-{n}"
            barrier = threading.Barrier(2, timeout=60)
            answers: dict[str, int] = {}

            def patch(name, session, body, wait, barrier=barrier, answers=answers):
                barrier.wait()
                time.sleep(wait)
                answers[name] = session.patch(item, json=body, headers=AUTH, timeout=60).status_code

            threads = [
                threading.Thread(target=patch, args=("slow", slow_session, slow_body, 0)),
                threading.Thread(target=patch, args=("quick", quick_session, {"detail": {"jobTitle": title}},
                                                     0.004 * n)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            assert answers == {"slow": 200, "quick": 200}
            stored = requests.get(item, headers=AUTH, timeout=60).json()
            assert stored["categories"][0] == f"round-{n}", f"round {n}: the slow PATCH was lost"
            assert stored["detail"]["jobTitle"] == title, f"round {n}: the quick PATCH was lost"
