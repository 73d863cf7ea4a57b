"""The landing page, light and dark, wide and narrow."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .calls import POSITION, control, graph
from .chromium import watch

PAGES = ("/", "/_mockgraph/", "/_mockgraph/inspector/state", "/_mockgraph/inspector/control",
         "/_mockgraph/inspector/users/adele.vance@contoso.com")


def test_the_landing_page_says_where_things_are_and_leads_to_the_inspector(page, mock):
    page.goto(mock.url + "/")
    expect(page.locator("h1")).to_have_text("mockgraph is running")
    expect(page.locator("#base-url")).to_have_text(mock.base_url)
    expect(page.locator("main")).to_contain_text("Authorization: Bearer <token>")
    page.click("#openapi-link")
    assert page.evaluate("document.contentType") == "application/json"
    page.go_back()
    page.click("#inspector-link")
    expect(page.locator("h1")).to_have_text("Requests")
    expect(page.locator("#live")).to_contain_text("live")
    assert control(mock, "GET", "/requests").json()["value"] == []  # nothing of this was a Graph request


@pytest.mark.parametrize("scheme, background, text", [("light", "rgb(255, 255, 255)", "rgb(31, 35, 40)"),
                                                      ("dark", "rgb(13, 17, 23)", "rgb(230, 237, 243)")])
def test_readable_in_light_and_dark(browser, mock, scheme, background, text):
    watched, context = watch(browser, color_scheme=scheme)
    graph(mock, "GET", "/users/nobody@contoso.com")
    for path in PAGES:
        watched.page.goto(mock.url + path)
        colors = watched.page.evaluate("[getComputedStyle(document.body).backgroundColor,"
                                       " getComputedStyle(document.body).color]")
        assert colors == [background, text], path
    context.close()
    watched.check()


@pytest.mark.parametrize("width", [1280, 390])
def test_usable_wide_and_narrow_without_sideways_scrolling(browser, mock, width):
    watched, context = watch(browser, viewport={"width": width, "height": 800})
    page = watched.page
    graph(mock, "POST", "/me/profile/positions", json=POSITION)
    graph(mock, "GET", "/users/someone.with.a.rather.long.name@contoso.example.com/profile/positions?$top=5&$skip=1")
    for path in PAGES:
        page.goto(mock.url + path)
        if path == "/_mockgraph/":
            expect(page.locator("#requests .group")).to_have_count(2)
            page.locator("#requests .group summary").first.click()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, overflow)
        # Every control stays on screen and reachable.
        for box in page.locator("button:visible, input:visible, select:visible").all():
            bounds = box.bounding_box()
            assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= width + 1, (path, bounds)
    context.close()
    watched.check()
