"""Timing in-process calls: many repetitions, medians (a shared machine's noise lives in the tail)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def per_call(call: Callable[[], object], repetitions: int, warmup: int = 5) -> dict:
    """Median and p99 milliseconds of `call()`."""
    for _ in range(warmup):
        call()
    times = []
    clock = time.perf_counter
    for _ in range(repetitions):
        start = clock()
        call()
        times.append(clock() - start)
    return summarise(times)


def summarise(times: list[float]) -> dict:
    """Median and p99 milliseconds of call times in seconds."""
    ordered = sorted(times)
    return {"median_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
            "n": len(ordered)}


def expect(response, status: int):
    """A test-client response, or an error naming what the mock answered instead."""
    if response.status_code != status:
        raise RuntimeError(f"expected {status}, got {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return response
