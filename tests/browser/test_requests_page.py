"""The live request list in Chromium: arrival without reload, error rows, filters, batches, escaping."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .calls import BEARER, NESTOR, NESTOR_TOKEN, POSITION, control, graph

LIVE_WITHIN_MS = 2_000  # the promise: a request shows in the list within two seconds, without a reload


def rows(page):
    return page.locator("#requests .group")


def visible_rows(page):
    return page.locator("#requests .group:visible")


def open_inspector(page, mock):
    page.goto(mock.url + "/_mockgraph/")
    expect(page.locator("#live")).to_contain_text("live")
    # Set now, gone after a reload: proves the list updates in place.
    page.evaluate("window.__sameDocument = true")


def test_a_request_appears_within_two_seconds_without_a_reload(page, mock):
    open_inspector(page, mock)
    expect(page.locator("#no-requests")).to_be_visible()
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    assert graph(mock, "GET", "/me/profile/positions").status_code == 200
    row = rows(page).filter(has_text="/beta/me/profile/positions")
    expect(row).to_have_count(1, timeout=LIVE_WITHIN_MS)
    expect(row.locator(".status")).to_have_text("200")
    expect(row.locator(".method")).to_have_text("GET")
    expect(row.locator(".caller")).to_have_text("default user")
    expect(page.locator("#no-requests")).to_be_hidden()
    # Newest on top.
    graph(mock, "GET", f"/users/{NESTOR}", headers=NESTOR_TOKEN)
    expect(rows(page).first.locator(".path")).to_have_text(f"/beta/users/{NESTOR}", timeout=LIVE_WITHIN_MS)
    expect(rows(page).first.locator(".caller")).to_have_text("Nestor Wilke")
    assert page.evaluate("window.__sameDocument") is True and navigations == []


def test_a_4xx_row_shows_its_error_code_and_opens_to_its_body(page, mock):
    open_inspector(page, mock)
    answer = graph(mock, "GET", "/users/nobody@contoso.com/profile/positions?$top=2")
    assert answer.status_code == 404
    row = rows(page).filter(has_text="nobody@contoso.com")
    expect(row.locator(".status")).to_have_text("404")
    expect(row.locator(".code")).to_have_text("Request_ResourceNotFound")
    expect(row.locator(".path")).to_have_text("/beta/users/nobody@contoso.com/profile/positions?$top=2")
    row.locator("summary").click()
    detail = row.locator(".detail")
    expect(detail).to_contain_text("Resource 'nobody@contoso.com' does not exist")
    expect(detail).to_contain_text('"code": "Request_ResourceNotFound"')  # pretty-printed
    expect(detail).to_contain_text(f"request-id: {answer.headers['request-id']}")
    expect(detail).to_contain_text("Authorization: Bearer <redacted>")
    assert "Bearer x" not in detail.inner_text()


def test_filters_narrow_the_list(page, mock):
    open_inspector(page, mock)
    graph(mock, "GET", "/me/profile/positions")
    graph(mock, "POST", "/me/profile/positions", json=POSITION)
    graph(mock, "GET", "/users/nobody@contoso.com")
    graph(mock, "GET", f"/users/{NESTOR}/profile/positions", headers=NESTOR_TOKEN)
    graph(mock, "DELETE", f"/users/{NESTOR}/profile/positions/00000000-0000-0000-0000-000000000000",
          headers=NESTOR_TOKEN)
    expect(rows(page)).to_have_count(5)

    page.select_option("#filter-status", "4")
    expect(visible_rows(page)).to_have_count(2)
    expect(visible_rows(page).locator(".status")).to_have_text(["404", "404"])
    page.select_option("#filter-status", "")

    page.select_option("#filter-method", "POST")
    expect(visible_rows(page)).to_have_count(1)
    expect(visible_rows(page).locator(".status")).to_have_text("201")
    page.select_option("#filter-method", "")

    page.fill("#filter-path", "nobody")
    expect(visible_rows(page)).to_have_count(1)
    page.fill("#filter-path", "")

    page.fill("#filter-user", "nestor")  # the caller's name (from the token's oid)
    expect(visible_rows(page)).to_have_count(2)
    page.fill("#filter-user", "NOBODY@")  # the user in the path, ignoring case
    expect(visible_rows(page)).to_have_count(1)
    page.fill("#filter-user", "")
    expect(visible_rows(page)).to_have_count(5)

    # New arrivals are filtered too.
    page.select_option("#filter-status", "2")
    graph(mock, "GET", "/users/ghost@contoso.com")
    graph(mock, "GET", "/me")
    expect(rows(page)).to_have_count(7)
    expect(visible_rows(page)).to_have_count(4)


def test_batch_inner_requests_are_shown_under_their_batch(page, mock):
    open_inspector(page, mock)
    batch = {"requests": [{"id": "first", "method": "GET", "url": "/me"},
                          {"id": "second", "method": "GET", "url": "/users/nobody@contoso.com"}]}
    assert graph(mock, "POST", "/$batch", json=batch).status_code == 200
    outer = rows(page).filter(has=page.locator(":scope > details .path", has_text="/beta/$batch"))
    expect(outer).to_have_count(1)
    inner = outer.locator(".inner .group")
    expect(inner).to_have_count(2)
    expect(inner.locator(".path")).to_have_text(["first ↳ /beta/me", "second ↳ /beta/users/nobody@contoso.com"])
    expect(inner.nth(1).locator(".code")).to_have_text("Request_ResourceNotFound")
    # A filter that only an inner request matches keeps its batch in view.
    page.select_option("#filter-status", "4")
    expect(visible_rows(page).locator(":scope > details .path")).to_have_text(
        ["/beta/$batch", "second ↳ /beta/users/nobody@contoso.com"])


def test_markup_in_requests_and_answers_shows_as_text(watched, mock):
    page = watched.page
    open_inspector(page, mock)
    payload = "<img src=x onerror=alert(document.domain)>"  # no quotes: JSON shows it as it is
    body = {"detail": {"jobTitle": payload, "company": {"displayName": "<script>window.__xss=2</script>"}}}
    assert graph(mock, "POST", "/me/profile/positions", json=body).status_code == 201
    graph(mock, "GET", "/users/%3Cimg%20src=x%20onerror=alert(1)%3E/profile/positions")
    graph(mock, "GET", "/me", headers={**BEARER, "X-Note": "<svg onload=alert(1)>"})
    expect(rows(page)).to_have_count(3)
    for row in rows(page).all():
        row.locator("summary").click()
    expect(page.locator("#requests")).to_contain_text(payload)
    expect(page.locator("#requests")).to_contain_text("/beta/users/<img src=x onerror=alert(1)>/profile/positions")
    expect(page.locator("#requests")).to_contain_text("X-Note: <svg onload=alert(1)>")
    assert page.locator("#requests img, #requests svg, #requests script").count() == 0
    assert page.evaluate("window.__xss") is None
    # The page's own policy would also have refused an inline script: checked by watched at the end.


def test_clear_journal_empties_the_list_and_new_requests_still_arrive(page, mock):
    open_inspector(page, mock)
    graph(mock, "GET", "/me")
    expect(rows(page)).to_have_count(1)
    page.click("#clear-journal")
    expect(rows(page)).to_have_count(0)
    assert control(mock, "GET", "/requests").json()["value"] == []
    graph(mock, "GET", "/me/profile/positions")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).locator(".path")).to_have_text("/beta/me/profile/positions")


def test_a_fault_shows_on_its_row(page, mock):
    control(mock, "POST", "/faults", json={"id": "throttle-me", "path": "/me", "effect": "fail", "status": 429})
    open_inspector(page, mock)
    graph(mock, "GET", "/me")
    row = rows(page).first
    expect(row.locator(".fault")).to_have_text("throttle-me fail")
    expect(row.locator(".code")).to_have_text("TooManyRequests")
    expect(row.locator(".status")).to_have_text(re.compile("^429$"))
