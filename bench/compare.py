"""`python -m bench --compare FILE`: this run's figures beside an earlier run's (a results JSON written by
`--out`, e.g. one run on the unchanged code), with the change in percent, so that "nothing gets
slower" is one table to read.

Two tables: the targets (matched by name), then every figure, section by section (HTTP, in process,
data size, start-up/reset/seeding, `$filter`). A change is called out
only past NOISE percent in the worse direction (or the better one): runs on a shared machine differ by
that much with nothing changed.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench import report

NOISE = 10.0  # percent
LOWER, HIGHER = "lower", "higher"  # which way is better


def load(path: Path) -> dict:
    document = json.loads(path.read_text(encoding="utf-8"))
    if "results" not in document:
        raise ValueError(f"{path} is not a bench results file (no 'results')")
    return document


def _dig(value, *keys):
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def figures(results: dict) -> dict[tuple[str, str], tuple[float | None, str, str]]:
    """{(section, figure): (value, unit, better)} of one run's results; a figure the run lacks is None."""
    out: dict = {}

    def add(section: str, name: str, value, unit: str, better: str = LOWER) -> None:
        out[(section, name)] = (value, unit, better)

    http = results.get("http") or {}
    for operation, by_clients in http.items():
        if operation == "body_bytes":
            continue
        for clients, r in by_clients.items():
            what = f"{operation}, {clients} client{'s' if clients != '1' else ''}"
            add("http", f"{what}: mock / bare Flask throughput", r.get("ratio"), "x", HIGHER)
            add("http", f"{what}: mock ops/s", _dig(r, "mock", "throughput"), "ops/s", HIGHER)
            add("http", f"{what}: bare Flask ops/s", _dig(r, "reference", "throughput"), "ops/s", HIGHER)
            add("http", f"{what}: mock server CPU per operation", _dig(r, "mock", "server_cpu_us"), "µs")
            add("http", f"{what}: CPU ratio mock / bare Flask", r.get("cpu_ratio"), "x")
    inproc = results.get("inprocess") or {}
    for operation, apps in ((inproc.get("wsgi") or {}).items()):
        if isinstance(apps, dict) and operation in ("get", "patch"):
            for app, r in apps.items():
                best = _dig(r, "best_ms")
                add("inprocess", f"direct WSGI {operation.upper()}, {app.replace('_', ' ')} (best round)",
                    None if best is None else best * 1000, "µs")
    for operation, cost in (_dig(inproc, "wsgi", "journal_us") or {}).items():
        add("inprocess", f"journal cost per request, {operation.upper()}", cost, "µs")
    for name in ("test_client", "intercept_requests", "intercept_httpx", "http_requests", "http_httpx"):
        add("inprocess", f"GET through {name.replace('_', ' ')} (median)", _dig(inproc, name, "median_ms"), "ms")
    for store, by_size in (results.get("size") or {}).items():
        for size, r in by_size.items():
            for operation in ("get", "patch", "list"):
                add("size", f"{store}, {int(size):,} positions: {operation} (median)",
                    _dig(r, operation, "median_ms"), "ms")
    life = results.get("lifecycle") or {}
    for key, label in (("import_s", "import mockgraph"), ("after_import_s", "after imports, to the first answer"),
                       ("process_s", "whole process")):
        add("lifecycle", f"start-up: {label} (best)", _dig(life, "startup", key), "s")
    for key, label in (("state_reset", "state.reset()"), ("control_reset", "POST /_mockgraph/reset")):
        add("lifecycle", f"reset: {label} (median)", _dig(life, "reset", key, "median_ms"), "ms")
    add("lifecycle", "seed 10,000 positions (best)", _dig(life, "seed", "seed_s"), "s")
    add("lifecycle", "  validating them alone (best)", _dig(life, "seed", "validate_s"), "s")
    add("lifecycle", "seed 10,000 with server-managed properties (best)", _dig(life, "seed_server_managed", "seed_s"),
        "s")
    for r in _dig(results, "filter", "filters") or ():
        add("filter", f"$filter {r['filter'] or '(none)'} (median)", r.get("median_ms"), "ms")
    return out


def change(before, now) -> float | None:
    """Percent change from `before` to `now`, or None when either is missing."""
    if before is None or now is None or before == 0:
        return None
    return (now - before) / before * 100


def verdict(percent: float | None, better: str) -> str:
    if percent is None:
        return "-"
    worse = percent > NOISE if better == LOWER else percent < -NOISE
    improved = percent < -NOISE if better == LOWER else percent > NOISE
    return "WORSE" if worse else "better" if improved else "same"


def _percent(value: float | None) -> str | None:
    return None if value is None else f"{value:+.1f}%"


def show(before: dict, results: dict, checked: list[dict], source: Path) -> None:
    """Print the comparison of this run (`results`, `checked` targets) with the earlier `before` document."""
    earlier = {t["target"]: t for t in before.get("targets", ())}
    rows = []
    for t in checked:
        then = earlier.get(t["target"], {})
        better = HIGHER if t["limit"].startswith("≥") else LOWER
        percent = change(then.get("measured"), t["measured"])
        rows.append([t["target"], t["limit"], then.get("measured"), t["measured"], _percent(percent),
                     verdict(percent, better), {True: "yes", False: "NO", None: "-"}[then.get("met")],
                     {True: "yes", False: "NO", None: "not run"}[t["met"]]])
    when = before.get("finished", "an earlier run")
    report.table(f"Targets against {source} ({when})",
                 ["target", "limit", "before", "now", "change", "verdict", "met before", "met now"], rows,
                 note=f"verdict: WORSE or better past {NOISE:g}% in that direction, else same.")
    then = figures(before.get("results", {}))
    rows = []
    for (section, name), (value, unit, better) in figures(results).items():
        if section in results:
            earlier_value = then.get((section, name), (None,))[0]
            percent = change(earlier_value, value)
            rows.append([f"{section}: {name}", unit, earlier_value, value, _percent(percent), verdict(percent, better)])
    report.table(f"Every figure against {source}", ["section: figure", "unit", "before", "now", "change", "verdict"],
                 rows, note=f"lower is better except ops/s and mock / bare Flask throughput; verdict past {NOISE:g}% "
                            "as above.")
