"""The inspector's picture (docs/inspector.png): the live list after a little traffic, one error opened.
`make screenshot` runs this with `--screenshot docs/inspector.png`; by default it goes to a temporary file."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from mockgraph import MockGraph

from .calls import NESTOR, NESTOR_TOKEN, POSITION, control, graph
from .chromium import watch

PNG = b"\x89PNG\r\n\x1a\n"


def make_traffic(mock) -> None:
    steps = [
        lambda: graph(mock, "GET", "/me/profile/positions?$filter=isCurrent eq true&$select=id,detail"),
        lambda: graph(mock, "POST", "/me/profile/positions", json=POSITION),
        lambda: graph(mock, "GET", f"/users/{NESTOR}/profile/positions", headers=NESTOR_TOKEN),
        lambda: graph(mock, "POST", "/$batch", json={"requests": [
            {"id": "1", "method": "GET", "url": "/me"},
            {"id": "2", "method": "GET", "url": "/me/profile/positions/$count"}]}),
        lambda: control(mock, "POST", "/faults", json={"id": "flaky-reads", "methods": ["GET"], "times": 1,
                                                       "path": "/users/*/profile/positions", "effect": "fail",
                                                       "status": 503}),
        lambda: graph(mock, "GET", f"/users/{NESTOR}/profile/positions", headers=NESTOR_TOKEN),
        lambda: graph(mock, "GET", "/me/profile/positions", headers={}),
        lambda: graph(mock, "GET", "/users/megan.bowen@contoso.com/profile/positions"),
    ]
    for step in steps:
        step()
        mock.clock.advance(1.37)


def test_screenshot_of_the_inspector_with_traffic(browser, request, tmp_path):
    target = Path(request.config.getoption("--screenshot") or tmp_path / "inspector.png")
    target.parent.mkdir(parents=True, exist_ok=True)
    watched, context = watch(browser, viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = watched.page
    with MockGraph(clock="2025-03-14T09:26:53Z", seed=7) as mock:
        page.goto(mock.url + "/_mockgraph/")
        make_traffic(mock)
        rows = page.locator("#requests > .group")
        expect(rows).to_have_count(7)
        faulted = rows.filter(has_text="flaky-reads")
        faulted.locator("summary").click()  # the fault rule's 503: its code and body
        expect(faulted.locator(".detail")).to_contain_text("serviceNotAvailable")
        page.screenshot(path=str(target), full_page=True)
    context.close()
    watched.check()
    assert target.read_bytes()[:8] == PNG and target.stat().st_size > 10_000
