"""Start-up (import to first answer), per-test reset with the default fixtures, and seeding 10,000
positions through the validating path."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from bench import data, report
from bench.timing import expect, per_call
from mockgraph import create_app
from mockgraph.fixtures import seeding
from mockgraph.fixtures.files import parse_fixture

# Run in a fresh interpreter: import, create the app, serve on port 0, answer one request.
STARTUP_SCRIPT = """
import time
started = time.perf_counter()
import http.client, json, os, threading
from mockgraph.app import create_app
from mockgraph.serving.server import make_server
imported = time.perf_counter()
server = make_server(create_app(), "127.0.0.1", 0)
threading.Thread(target=server.run, daemon=True).start()
conn = http.client.HTTPConnection("127.0.0.1", server.effective_port)
conn.request("GET", "/beta/me/profile/positions", headers={"Authorization": "Bearer x"})
response = conn.getresponse()
response.read()
answered = time.perf_counter()
assert response.status == 200, response.status
print(json.dumps({"import_s": imported - started, "after_import_s": answered - imported}))
os._exit(0)
"""


def startup(runs: int) -> dict:
    """Best and median of `runs` fresh processes (the best: the cost itself, without other processes' noise)."""
    figures = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", STARTUP_SCRIPT], capture_output=True, text=True, timeout=120)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"start-up script failed: {done.stderr.strip()}")
        figures.append({**json.loads(done.stdout), "process_s": wall})
    return {**{key: min(f[key] for f in figures) for key in figures[0]},
            "median": {key: statistics.median(f[key] for f in figures) for key in figures[0]}, "runs": runs}


def reset(repetitions: int) -> dict:
    app = create_app()
    state = app.extensions["mockgraph"]
    client = app.test_client()
    return {"state_reset": per_call(state.reset, repetitions),
            "control_reset": per_call(lambda: expect(client.post("/_mockgraph/reset"), 204), repetitions)}


def seed(n_users: int, per_user: int, runs: int, server_managed: bool = False) -> dict:
    """Seed fixture-format data (every position validated once) into a fresh mock: best and median seconds."""
    fixture = data.as_fixture(data.users(n_users, per_user), server_managed)
    seeded, parsed = [], []
    for _ in range(runs):
        state = create_app().extensions["mockgraph"]
        started = time.perf_counter()
        counts = seeding.seed(state, fixture)
        seeded.append(time.perf_counter() - started)
        if counts[data.KIND] != n_users * per_user:
            raise RuntimeError(f"seeded {counts}, expected {n_users * per_user} positions")
        started = time.perf_counter()
        parse_fixture(fixture, "bench", state.facets, state.ids, state.clock)
        parsed.append(time.perf_counter() - started)
    return {"positions": n_users * per_user, "seed_s": min(seeded), "validate_s": min(parsed),
            "median": {"seed_s": statistics.median(seeded), "validate_s": statistics.median(parsed)}, "runs": runs}


def run(config: dict) -> dict:
    results = {"startup": startup(config["startup_runs"]), "reset": reset(config["reset_repetitions"]),
               "seed": seed(100, 100, config["seed_runs"]),
               "seed_server_managed": seed(100, 100, config["seed_runs"], server_managed=True)}
    s, r, d, full = results["startup"], results["reset"], results["seed"], results["seed_server_managed"]
    report.table(
        "Start-up, reset and seeding",
        ["what", "best", "median", "unit"],
        [["start-up: import mockgraph (Flask, marshmallow, ...)", s["import_s"] * 1000,
          s["median"]["import_s"] * 1000, "ms"],
         ["start-up: after imports, to the first answer", s["after_import_s"] * 1000,
          s["median"]["after_import_s"] * 1000, "ms"],
         ["start-up: whole process (interpreter included)", s["process_s"] * 1000, s["median"]["process_s"] * 1000,
          "ms"],
         ["reset, default fixtures: state.reset()", None, r["state_reset"]["median_ms"], "ms"],
         ["reset, default fixtures: POST /_mockgraph/reset", None, r["control_reset"]["median_ms"], "ms"],
         [f"seed {d['positions']:,} positions (100 users): seeding.seed()", d["seed_s"], d["median"]["seed_s"], "s"],
         ["  validating them alone (parse_fixture)", d["validate_s"], d["median"]["validate_s"], "s"],
         [f"seed {full['positions']:,} positions with every server-managed property given", full["seed_s"],
          full["median"]["seed_s"], "s"]],
        note=f"start-up: {s['runs']} fresh processes; seeding: {d['runs']} runs of positions as a fixture file holds "
             "them (the server fills id, timestamps, createdBy...). best = the fastest run, the cost without other "
             "processes' interference (as timeit reports); reset: median of repeated calls.",
    )
    return results
