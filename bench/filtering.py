"""`$filter` over the 10,000 positions of one user, against the plain first page of the same list."""

from __future__ import annotations

from urllib.parse import quote

from bench import data, report
from bench.timing import expect, per_call
from mockgraph import create_app

HEADERS = {"Authorization": "Bearer bench"}
POSITIONS = 10_000
FILTERS = (
    None,
    "isCurrent eq true",
    "detail/jobTitle eq 'Engineer'",
    "startswith(detail/company/displayName,'North')",
    "detail/company/address/city eq 'Seattle' and detail/layer gt 3",
    "detail/startMonthYear ge 2015-01-01 or contains(detail/company/department,'sales')",
)


def run(config: dict) -> dict:
    generated = data.users(1, POSITIONS)
    app = create_app()
    app.extensions["mockgraph"].repository.load(generated)
    client = app.test_client()
    base = f"/beta/users/{generated[0]['id']}/profile/positions?$count=true"
    results = []
    for text in FILTERS:
        url = base if text is None else f"{base}&$filter={quote(text)}"
        matched = expect(client.get(url, headers=HEADERS), 200).get_json()["@odata.count"]
        figures = per_call(lambda url=url: expect(client.get(url, headers=HEADERS), 200),
                           config["filter_repetitions"])
        results.append({"filter": text, "matched": matched, **figures})
    plain = results[0]["median_ms"]
    report.table(
        f"$filter over {POSITIONS:,} positions of one user (first page of 100, $count=true; median ms)",
        ["$filter", "matched", "ms", "µs per position", "vs no filter"],
        [[r["filter"] or "(none)", r["matched"], r["median_ms"], r["median_ms"] * 1000 / POSITIONS,
          report.ratio(r["median_ms"], plain)] for r in results],
    )
    return {"positions": POSITIONS, "filters": results}
