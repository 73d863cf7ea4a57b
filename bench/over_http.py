"""Over HTTP: the mock (`MockGraph`, journal on and strict off, as a test suite runs it) and the bare Flask
reference app answering the same bodies (bench/reference_app.py), on the same server (waitress, in a
background thread), same run.

Both apps hold the same two generated users (`data.served_users`): GET, PATCH and POST+DELETE work on
the positions of one holding 50, the list and GET /profile on one holding 20. Each (operation, clients)
pair runs `rounds` times against each app, the two apps back to back in each round (in alternating
order), each run in a fresh load-driver process. The ratio is the median of the rounds' mock/reference
throughput ratios: pairing runs that are close in time cancels most of a shared machine's drift. The
server's CPU time per operation (this process's CPU time over the run, divided by the operations done)
is printed too: it is far less sensitive to other processes than throughput is.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench import data, report, wsgi
from bench.reference_app import create_reference_app
from bench.serving import Served
from mockgraph import MockGraph

OPERATIONS = (("get", "GET one position"), ("list", f"list {data.LIST_POSITIONS} positions"),
              ("patch", "PATCH one position"), ("post_delete", "POST+DELETE (a pair)"),
              ("profile", f"GET /profile ({data.LIST_POSITIONS} positions, 18 empty collections)"))
READS = {"get": "item", "list": "list", "profile": "profile"}  # operation: its path in wsgi.paths
CLIENTS = (1, 8)
ROOT = Path(__file__).resolve().parent.parent


def served_mock(users: list[dict]) -> MockGraph:
    """The mock as a test suite runs it (`MockGraph`: the same server, in a background thread)."""
    mock = MockGraph()
    mock.mock_state.repository.load(users)
    return mock


def drive(port: int, operation: str, clients: int, users: list[dict], config: dict) -> dict:
    spec = {"port": port, "clients": clients, "warmup": config["warmup"], "duration": config["duration"],
            "operation": operation, "user": users[0]["id"], "list_user": users[-1]["id"],
            "items": [doc["id"] for doc in users[0][data.KIND][:clients]]}
    cpu = time.process_time()
    done = subprocess.run([sys.executable, "-m", "bench.load", json.dumps(spec)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    cpu = time.process_time() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"load driver failed ({operation}, {clients} clients): {done.stderr.strip()}")
    result = json.loads(done.stdout)
    result["server_cpu_us"] = cpu / result["ops_total"] * 1e6
    return result


def compare(runs: dict[str, list[dict]]) -> dict:
    summary = {name: {key: report.median([run[key] for run in app_runs])
                      for key in ("throughput", "p50_ms", "p99_ms", "server_cpu_us")}
               for name, app_runs in runs.items()}
    paired = zip(runs["mock"], runs["reference"], strict=True)
    summary["ratio"] = report.median([report.ratio(m["throughput"], r["throughput"]) for m, r in paired])
    summary["cpu_ratio"] = report.ratio(summary["mock"]["server_cpu_us"], summary["reference"]["server_cpu_us"])
    return summary


def body_sizes(mock_app, reference_app, users: list[dict]) -> dict:
    """Bytes each app answers to each read, asked in process; RuntimeError unless they are the same."""
    paths = wsgi.paths(users)
    sizes = {op: {"mock": len(wsgi.call(mock_app, "GET", paths[name])),
                  "reference": len(wsgi.call(reference_app, "GET", paths[name]))} for op, name in READS.items()}
    differ = {op: size for op, size in sizes.items() if size["mock"] != size["reference"]}
    if differ:
        raise RuntimeError(f"the reference app no longer answers the mock's bodies: {differ}")
    return sizes


def run(config: dict) -> dict:
    users = data.served_users()
    data.check_valid(users)
    results: dict = {}
    reference_app = create_reference_app(users)
    with Served(reference_app) as reference, served_mock(users) as mock:
        results["body_bytes"] = body_sizes(mock.app, reference_app, users)
        apps = (("reference", reference), ("mock", mock))
        for operation, _ in OPERATIONS:
            for clients in CLIENTS:
                runs: dict[str, list[dict]] = {"reference": [], "mock": []}
                for round_ in range(config["rounds"]):
                    for name, served in apps if round_ % 2 == 0 else apps[::-1]:
                        runs[name].append(drive(served.port, operation, clients, users, config))
                results.setdefault(operation, {})[str(clients)] = compare(runs)
    rows = []
    for operation, label in OPERATIONS:
        for clients in CLIENTS:
            r = results[operation][str(clients)]
            ref, mock = r["reference"], r["mock"]
            rows.append([label, clients, ref["throughput"], mock["throughput"], r["ratio"], ref["p50_ms"],
                         mock["p50_ms"], ref["p99_ms"], mock["p99_ms"], ref["server_cpu_us"], mock["server_cpu_us"],
                         r["cpu_ratio"]])
    report.table(
        "Over HTTP: mock vs bare Flask, both on waitress (operations/s; latency ms; server CPU µs per operation)",
        ["operation", "clients", "flask ops/s", "mock ops/s", "ratio", "flask p50", "mock p50", "flask p99",
         "mock p99", "flask CPU", "mock CPU", "CPU ratio"],
        rows,
        note=f"{config['rounds']} rounds of {config['duration']}s per app after a {config['warmup']}s warm-up. "
             "ratio = median over rounds of mock / flask throughput; CPU ratio = mock / flask server CPU. Both "
             "answer the same bodies: " + ", ".join(f"{op} {size['mock']:,} bytes"
                                                   for op, size in results["body_bytes"].items()) + ".",
    )
    return results
