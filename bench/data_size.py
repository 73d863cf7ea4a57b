"""Cost against the amount of stored data: 100, 10,000 and 100,000 positions (100 per user: 1, 100 and
1,000 users), in memory and with `--db`, through the Flask test client.

Each store lives in its own process (its own heap, so one store's garbage collection never lands on
another's figures), and the parent asks them in turn for short blocks of calls, round after round:
a shared machine's drift then hits every size alike, and the ratios between sizes hold still.

The stores are filled with `Repository.load` and generated valid positions: validating 100,000 positions
would take most of the run and is not what this section measures (seeding through the validating path
is measured on its own, on 10,000 positions, in the start-up section).
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time

from bench import data, report
from bench.timing import expect, summarise

SIZES = (1, 100, 1000)  # users, 100 positions each
PER_USER = 100
OPERATIONS = ("get", "patch", "list")
HEADERS = {"Authorization": "Bearer bench"}
PATCHES = ({"detail": {"jobTitle": "Staff Engineer"}}, {"detail": {"jobTitle": "Principal Engineer"}})


def _calls(app, generated: list[dict]) -> dict:
    """One GET by id, one PATCH and one list of the 100 positions of a user in the middle of the store."""
    client = app.test_client()
    target = generated[len(generated) // 2]
    base = f"/beta/users/{target['id']}/profile/positions"
    items = [f"{base}/{doc['id']}" for doc in target[data.KIND][:10]]
    count = [0]

    def get():
        count[0] += 1
        expect(client.get(items[count[0] % len(items)], headers=HEADERS), 200)

    def patch():
        count[0] += 1
        expect(client.patch(items[count[0] % len(items)], headers=HEADERS, json=PATCHES[count[0] % 2]), 200)

    def list_all():
        expect(client.get(base, headers=HEADERS), 200)

    return {"get": get, "patch": patch, "list": list_all}


def _store(conn, n_users: int, db: str | None) -> None:
    """A worker process: build one store, then time blocks of calls on request until told to stop."""
    from mockgraph import create_app

    generated = data.users(n_users, PER_USER)
    started = time.perf_counter()
    app = create_app(db=db) if db else create_app()
    app.extensions["mockgraph"].repository.load(generated)
    built = time.perf_counter() - started
    calls = _calls(app, generated)
    for call in calls.values():
        for _ in range(5):
            call()
    conn.send(built)
    clock = time.perf_counter
    while (order := conn.recv()) is not None:
        operation, count = order
        times = []
        for _ in range(count):
            started = clock()
            calls[operation]()
            times.append(clock() - started)
        conn.send(times)
    app.extensions["mockgraph"].repository.close()


def _measure(backend: str, config: dict, folder: str) -> dict:
    context = multiprocessing.get_context("spawn")
    stores = []
    for n_users in SIZES:  # one at a time: builds would compete for the CPUs
        parent, child = context.Pipe()
        db = os.path.join(folder, f"store-{n_users}.db") if backend == "db" else None
        process = context.Process(target=_store, args=(child, n_users, db), daemon=True)
        process.start()
        stores.append((n_users, parent, process, parent.recv()))
    repetitions = config["db_repetitions"] if backend == "db" else config["repetitions"]
    rounds = config["size_rounds"]
    times: dict = {(n, op): [] for n in SIZES for op in OPERATIONS}
    try:
        for round_ in range(rounds):
            for operation in OPERATIONS:
                block = max(1, repetitions[operation] // rounds)
                for n_users, conn, _, _ in stores if round_ % 2 == 0 else stores[::-1]:
                    conn.send((operation, block))
                    times[(n_users, operation)] += conn.recv()
    finally:
        for _, conn, process, _ in stores:
            conn.send(None)
            process.join(60)
    return {str(n * PER_USER): {"build_s": built, **{op: summarise(times[(n, op)]) for op in OPERATIONS}}
            for n, _, _, built in stores}


def run(config: dict) -> dict:
    data.check_valid(data.users(2, 20))
    results = {}
    for backend in ("memory", "db"):
        with tempfile.TemporaryDirectory(prefix="mockgraph-bench-") as folder:
            results[backend] = _measure(backend, config, folder)
    _print(results)
    return results


def _print(results: dict) -> None:
    rows = []
    smallest = str(SIZES[0] * PER_USER)
    for backend, by_size in results.items():
        base = by_size[smallest]
        for size, figures in by_size.items():
            row = [backend, f"{int(size):,}"]
            for operation in OPERATIONS:
                row += [figures[operation]["median_ms"],
                        report.ratio(figures[operation]["median_ms"], base[operation]["median_ms"])]
            rows.append([*row, figures["build_s"]])
    report.table(
        "Stored data: cost per call as the store grows (Flask test client; median ms)",
        ["store", "positions", "GET by id", "ratio", "PATCH", "ratio", "list 100", "ratio", "build s"],
        rows,
        note="ratio = cost / cost with 100 positions, same store kind. 100 positions per user; each store in its "
             "own process, sizes measured in turn, round after round. Built with Repository.load (no validation).",
    )
