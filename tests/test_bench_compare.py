"""`python -m bench --compare FILE` (bench/compare.py): which way is worse, and figures missing from an older
results file. Nothing here is timed."""

from __future__ import annotations

from pathlib import Path

from bench import compare

WSGI = "one GET by a direct WSGI call, mock (median of the best round)"
HTTP = "GET one position over HTTP, 1 client: mock / bare Flask throughput"


def results(get_ms: float, ratio: float, seed_s: float) -> dict:
    return {"http": {"get": {"1": {"ratio": ratio, "cpu_ratio": 1.5, "mock": {"throughput": 1000 * ratio,
                                                                              "server_cpu_us": 500},
                                   "reference": {"throughput": 1000, "server_cpu_us": 330}}}},
            "inprocess": {"wsgi": {"get": {"mock": {"best_ms": get_ms}, "reference": {"best_ms": 0.08}},
                                   "get_ratio": get_ms / 0.08, "journal_us": {"get": 40.0}}},
            "lifecycle": {"seed": {"seed_s": seed_s}}}


def test_the_verdict_knows_which_way_is_worse():
    assert compare.verdict(compare.change(1.0, 1.2), compare.LOWER) == "WORSE"
    assert compare.verdict(compare.change(1.0, 1.2), compare.HIGHER) == "better"
    assert compare.verdict(compare.change(1.0, 0.95), compare.LOWER) == "same"
    assert compare.verdict(compare.change(None, 1.0), compare.LOWER) == "-"


def test_figures_name_each_value_with_its_unit_and_direction():
    found = compare.figures(results(0.2, 0.7, 1.3))
    assert found[("http", "get, 1 client: mock / bare Flask throughput")] == (0.7, "x", compare.HIGHER)
    assert found[("inprocess", "direct WSGI GET, mock (best round)")] == (200.0, "µs", compare.LOWER)
    assert found[("lifecycle", "seed 10,000 positions (best)")] == (1.3, "s", compare.LOWER)
    assert found[("lifecycle", "start-up: import mockgraph (best)")][0] is None  # not in these results


def checked(get_ms: float, ratio: float) -> list[dict]:
    """Targets as `targets.evaluate` returns them (two of them)."""
    return [{"target": WSGI, "limit": "≤ 0.25 ms", "unit": "ms", "measured": get_ms, "met": get_ms <= 0.25},
            {"target": HTTP, "limit": "≥ 0.75 x", "unit": "x", "measured": ratio, "met": ratio >= 0.75}]


def test_show_prints_before_now_and_change(capsys):
    earlier = {"results": results(0.2, 0.7, 1.3), "targets": checked(0.2, 0.7), "finished": "then"}
    compare.show(earlier, results(0.3, 0.8, 1.3), checked(0.3, 0.8), Path("baseline.json"))
    lines = capsys.readouterr().out.splitlines()
    wsgi_target = next(line for line in lines if line.startswith(WSGI))
    assert "+50.0%" in wsgi_target and "WORSE" in wsgi_target and "NO" in wsgi_target  # met now: no
    http_target = next(line for line in lines if line.startswith(HTTP))
    assert "+14.3%" in http_target and "better" in http_target
    seed = next(line for line in lines if line.startswith("lifecycle: seed 10,000 positions"))
    assert "+0.0%" in seed and "same" in seed
