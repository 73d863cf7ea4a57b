"""The HTTP load driver, run in its own process (`python -m bench.load SPEC`) so that its work never
competes with the server for the benchmark process's GIL.

SPEC is JSON: {"port", "clients", "warmup", "duration", "operation", "user", "items", "list_user"}.
Each client is a thread with one keep-alive `http.client` connection doing operations back to back;
operations that end within the measured window (after the warm-up) count. Prints JSON:
{"ops", "seconds", "throughput", "p50_ms", "p99_ms", "ops_total"}; `ops_total` counts every operation
done, warm-up included (the server's CPU time per operation divides by it). Any unexpected status is
an error (exit 1).
"""

from __future__ import annotations

import http.client
import json
import statistics
import sys
import threading
import time

HEADERS = {"Authorization": "Bearer bench", "Content-Type": "application/json", "Accept": "application/json"}
PATCH_BODY = json.dumps({"detail": {"jobTitle": "Staff Engineer"}, "isCurrent": True})
POST_BODY = json.dumps({"detail": {"jobTitle": "Bench", "company": {"displayName": "Contoso"}}})
OPERATIONS = ("get", "list", "patch", "post_delete", "profile")


def _call(conn: http.client.HTTPConnection, method: str, path: str, body: str | None, expected: int) -> bytes:
    conn.request(method, path, body=body, headers=HEADERS)
    response = conn.getresponse()
    data = response.read()
    if response.status != expected:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
    return data


def operation(spec: dict, client: int):
    """A function doing one operation on `conn` for this client."""
    base = f"/beta/users/{spec['user']}/profile/positions"
    item = f"{base}/{spec['items'][client % len(spec['items'])]}"
    name = spec["operation"]
    if name == "get":
        return lambda conn: _call(conn, "GET", item, None, 200)
    if name == "list":
        listed = f"/beta/users/{spec['list_user']}/profile/positions"
        return lambda conn: _call(conn, "GET", listed, None, 200)
    if name == "profile":
        profile = f"/beta/users/{spec['list_user']}/profile"
        return lambda conn: _call(conn, "GET", profile, None, 200)
    if name == "patch":
        return lambda conn: _call(conn, "PATCH", item, PATCH_BODY, 200)
    if name == "post_delete":
        def post_delete(conn):
            created = json.loads(_call(conn, "POST", base, POST_BODY, 201))
            _call(conn, "DELETE", f"{base}/{created['id']}", None, 204)
        return post_delete
    raise ValueError(f"unknown operation {name!r}; one of {OPERATIONS}")


def run(spec: dict) -> dict:
    stop = threading.Event()
    finished: list[list[tuple[float, float]]] = [[] for _ in range(spec["clients"])]
    failures: list[BaseException] = []

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", spec["port"], timeout=60)
        do = operation(spec, index)
        mine = finished[index]
        try:
            while not stop.is_set():
                start = time.perf_counter()
                do(conn)
                end = time.perf_counter()
                mine.append((end, end - start))
        except BaseException as error:  # reported by the parent; stop everyone
            failures.append(error)
            stop.set()
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(spec["clients"])]
    for thread in threads:
        thread.start()
    time.sleep(spec["warmup"])
    window_start = time.perf_counter()
    time.sleep(spec["duration"])
    window_end = time.perf_counter()
    stop.set()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    latencies = sorted(lat for mine in finished for end, lat in mine if window_start <= end <= window_end)
    seconds = window_end - window_start
    if not latencies:
        raise RuntimeError("no operation finished within the measured window")
    return {
        "ops": len(latencies),
        "seconds": seconds,
        "throughput": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "ops_total": sum(len(mine) for mine in finished),
    }


def main(argv: list[str]) -> int:
    try:
        result = run(json.loads(argv[0]))
    except Exception as error:
        print(f"bench.load: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
