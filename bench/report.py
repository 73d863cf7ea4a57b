"""Printing: one aligned table per section, and the targets table."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence], note: str | None = None) -> None:
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n== {title}")
    if note:
        print(f"   {note}")
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def skipped(title: str, reason: str) -> None:
    print(f"\n== {title}\n   skipped: {reason}")
