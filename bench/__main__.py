"""`python -m bench [--quick] [--only SECTION,...] [--check] [--out FILE] [--compare FILE]`: run the sections,
print the targets, write the figures as JSON; with --compare, each beside an earlier run's."""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from pathlib import Path

from bench import compare, data_size, filtering, in_process, lifecycle, over_http, targets

SECTIONS = {"http": over_http.run, "size": data_size.run, "inprocess": in_process.run,
            "lifecycle": lifecycle.run, "filter": filtering.run}
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "latest.json"

FULL = {
    "rounds": 5, "warmup": 0.3, "duration": 1.0,
    "repetitions": {"get": 400, "patch": 300, "list": 100},
    "db_repetitions": {"get": 400, "patch": 150, "list": 100}, "size_rounds": 20,
    "in_process_repetitions": 500, "wsgi_rounds": 7, "wsgi_repetitions": 1000,
    "startup_runs": 3, "reset_repetitions": 100, "seed_runs": 3,
    "filter_repetitions": 15,
}
QUICK = {
    "rounds": 2, "warmup": 0.2, "duration": 0.6,
    "repetitions": {"get": 150, "patch": 100, "list": 40},
    "db_repetitions": {"get": 150, "patch": 50, "list": 40}, "size_rounds": 6,
    "in_process_repetitions": 200, "wsgi_rounds": 3, "wsgi_repetitions": 300,
    "startup_runs": 1, "reset_repetitions": 40, "seed_runs": 1,
    "filter_repetitions": 5,
}


def machine() -> dict:
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), model)
    except OSError:
        model = platform.processor() or model
    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "platform": platform.platform(), "load_average": _load()}


def _load():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def _shown(load) -> str:
    return "unknown" if load is None else " ".join(f"{value:.2f}" for value in load)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer and shorter runs (noisier)")
    parser.add_argument("--only", help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON output (default {DEFAULT_OUT})")
    parser.add_argument("--compare", type=Path, metavar="FILE",
                        help="an earlier run's JSON (--out): print each target and figure beside it, with the change")
    args = parser.parse_args(argv)
    chosen = args.only.split(",") if args.only else list(SECTIONS)
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    try:
        before = compare.load(args.compare) if args.compare else None
    except (OSError, ValueError) as error:
        parser.error(f"--compare: {error}")
    logging.getLogger("waitress").setLevel(logging.ERROR)  # "Task queue depth" under 8 clients is expected

    config = QUICK if args.quick else FULL
    info = machine()
    print(f"mockgraph bench ({'quick' if args.quick else 'full'}): {info['cpus']} CPUs, {info['cpu_model']}, "
          f"Python {info['python']}, load average {_shown(info['load_average'])}")
    started = time.perf_counter()
    results = {}
    for name in chosen:
        results[name] = SECTIONS[name](config)
        sys.stdout.flush()
    checked = targets.evaluate(results)
    targets.show(checked)
    if before is not None:
        compare.show(before, results, checked, args.compare)
    elapsed = time.perf_counter() - started
    info["load_average_end"] = _load()
    print(f"\nfinished in {elapsed:.0f}s (load average {_shown(info['load_average_end'])}); figures written to "
          f"{args.out}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    document = {"machine": info, "mode": "quick" if args.quick else "full", "config": config,
                "seconds": elapsed, "results": results, "targets": checked,
                "compared_with": str(args.compare) if args.compare else None,
                "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    args.out.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    missed = [t for t in checked if t["met"] is False]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
