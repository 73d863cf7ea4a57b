"""CONTRACT §5: the server accepts its own `@odata.nextLink`, whatever the stored values: with `$orderby`
on long string properties the `$skiptoken` stays short, so the link fits the server's own limits."""

from __future__ import annotations

import requests
from conftest import ADELE
from live import ServedMock

POSITIONS = f"/users/{ADELE}/profile/positions"
AUTH = {"Authorization": "Bearer x"}


def test_following_next_links_over_10_kb_sort_values_over_http():
    with ServedMock("--page-size", "3") as mock:
        created = []
        for n in range(14):
            body = {"detail": {"jobTitle": "Principal " * 1000 + f"{n % 5}", "description": "d" * 10_000 + f"{n}",
                               "company": {"displayName": "Contoso"}}}
            answer = requests.post(f"{mock.base_url}{POSITIONS}", json=body, headers=AUTH, timeout=30)
            assert answer.status_code == 201
            created.append(answer.json()["id"])
        url = f"{mock.base_url}{POSITIONS}?$orderby=detail/jobTitle desc,detail/description&$select=id&$count=true"
        seen, links, count = [], [], None
        while url:
            answer = requests.get(url, headers=AUTH, timeout=30)
            assert answer.status_code == 200, (answer.status_code, answer.text[:300])
            body = answer.json()
            count = body["@odata.count"] if count is None else count
            seen.extend(p["id"] for p in body["value"])
            url = body.get("@odata.nextLink")
            if url:
                links.append(url)
        assert len(links) >= 5 and max(len(link) for link in links) < 1000
        assert len(seen) == len(set(seen)) == count
        # Title descending (its last digit decides), then description ascending (as strings: "10" < "2").
        expected = [created[n] for n in sorted(range(14), key=lambda n: (-(n % 5), str(n)))]
        assert [i for i in seen if i in set(created)] == expected
