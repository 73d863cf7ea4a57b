"""The control page and the state pages in Chromium: each action works and the Graph routes see it."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from .calls import ADELE, POSITION, control, graph

SEEDED = "5d7e9f10-2b3c-4d5e-8f60-718293a4b5c6"
FIXTURE = {"users": [{"id": SEEDED, "userPrincipalName": "seeded@contoso.com", "displayName": "Seeded Person",
                      "positions": [{"detail": {"jobTitle": "Seeded", "company": {"displayName": "Contoso"}}}]}]}


def open_control(page, mock):
    page.goto(mock.url + "/_mockgraph/inspector/control")
    expect(page.locator("h1")).to_have_text("Control")


def test_reset_brings_back_the_seeded_data(page, mock):
    created = graph(mock, "POST", "/me/profile/positions", json=POSITION).json()["id"]
    open_control(page, mock)
    page.click("#reset")
    expect(page.locator("#flash")).to_contain_text("Reset")
    assert control(mock, "GET", "/requests").json()["value"] == []
    assert graph(mock, "GET", f"/me/profile/positions/{created}").status_code == 404


def test_a_fixture_file_upload_seeds_and_the_graph_routes_serve_it(page, mock, tmp_path):
    fixture = tmp_path / "more-people.json"
    fixture.write_text(json.dumps(FIXTURE))
    open_control(page, mock)
    page.set_input_files("#seed-file", str(fixture))
    page.click("#seed-form button[type=submit]")
    expect(page.locator("#flash")).to_have_text("Seeded from more-people.json: 1 users, 1 positions.")
    answer = graph(mock, "GET", "/users/seeded@contoso.com/profile/positions")
    assert answer.status_code == 200 and answer.json()["value"][0]["detail"]["jobTitle"] == "Seeded"
    # The state pages show it too.
    page.click("nav >> text=State")
    row = page.locator("tr", has_text="seeded@contoso.com")
    expect(row.locator("[data-collection=positions]")).to_have_text("positions 1")
    row.locator("a").click()
    expect(page.locator("h1")).to_have_text("Seeded Person")
    item = page.locator("[data-collection=positions] details.item")
    expect(item.locator("summary .title")).to_have_text("Seeded")
    item.locator("summary").click()
    shown = json.loads(item.locator("pre").inner_text())
    assert shown == answer.json()["value"][0]


def test_a_bad_fixture_file_is_refused_with_its_error_in_the_page_and_loads_nothing(page, mock, tmp_path):
    before = control(mock, "GET", "/state").json()
    bad = json.loads(json.dumps(FIXTURE))
    bad["users"][0]["positions"][0]["detail"]["layer"] = "x"
    cases = {
        "wrong-layer.json": (json.dumps(bad), "$.users[0].positions[0].detail.layer"),
        "broken.json": ('{"users": [', "broken.json is not valid JSON"),
        "twice.json": ('{"users": [], "users": []}', "BadRequest"),  # duplicate keys: read as strictly as files
    }
    open_control(page, mock)
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        page.set_input_files("#seed-file", str(path))
        page.click("#seed-form button[type=submit]")
        expect(page.locator("#data-message")).to_contain_text(expected)
        expect(page.locator("#data-message")).to_contain_text("Not seeded")
    assert control(mock, "GET", "/state").json() == before


def test_add_and_remove_a_fault_rule_and_the_graph_routes_follow(page, mock):
    open_control(page, mock)
    expect(page.locator("#no-rules")).to_be_visible()
    rule = {"id": "me-down", "methods": ["GET"], "path": "/me", "effect": "fail", "status": 503}
    page.fill("#rule-text", json.dumps(rule))
    page.click("#rule-form button[type=submit]")
    expect(page.locator("#flash")).to_have_text("Added fault rule me-down.")
    listed = page.locator("li.rule[data-rule=me-down]")
    expect(listed).to_contain_text('"status": 503')
    answer = graph(mock, "GET", "/me")
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "serviceNotAvailable"
    page.reload()
    expect(listed.locator(".counts")).to_have_text("matched 1, fired 1")

    listed.locator("button.remove-rule").click()
    expect(page.locator("#flash")).to_have_text("Removed fault rule me-down.")
    expect(page.locator("li.rule")).to_have_count(0)
    assert graph(mock, "GET", "/me").status_code == 200
    assert control(mock, "GET", "/faults").json() == []


def test_a_bad_fault_rule_shows_the_field_and_adds_nothing(page, mock):
    open_control(page, mock)
    page.fill("#rule-text", json.dumps({"path": "/me", "effect": "fail"}))
    page.click("#rule-form button[type=submit]")
    expect(page.locator("#rule-message")).to_contain_text("Invalid fault rule field 'status'")
    page.fill("#rule-text", "{not json")
    page.click("#rule-form button[type=submit]")
    expect(page.locator("#rule-message")).to_contain_text("400 BadRequest")
    assert control(mock, "GET", "/faults").json() == []


def test_the_clock_can_be_set_advanced_and_released(page, mock):
    open_control(page, mock)
    page.fill("#clock-set", "2024-01-02T03:04:05Z")
    page.click("#clock-set-form button")
    expect(page.locator("#clock-now")).to_have_text("2024-01-02T03:04:05.0000000Z")
    expect(page.locator("#clock-mode")).to_have_text("frozen")
    created = graph(mock, "POST", "/me/profile/positions", json=POSITION).json()
    assert created["createdDateTime"] == "2024-01-02T03:04:05.0000000Z"
    page.fill("#clock-advance", "60")
    page.click("#clock-advance-form button")
    expect(page.locator("#clock-now")).to_have_text("2024-01-02T03:05:05.0000000Z")
    page.fill("#clock-set", "not a time")
    page.click("#clock-set-form button")
    expect(page.locator("#clock-message")).to_contain_text("is not an ISO 8601 timestamp")
    page.click("#clock-release")
    expect(page.locator("#clock-mode")).to_have_text("real time")
    assert control(mock, "GET", "/clock").json()["frozen"] is False


def test_clear_journal_from_the_control_page(page, mock):
    graph(mock, "GET", "/me")
    open_control(page, mock)
    page.click("#clear-journal")
    expect(page.locator("#flash")).to_have_text("Journal cleared.")
    assert control(mock, "GET", "/requests").json()["value"] == []


def test_stored_markup_shows_as_text_on_the_state_pages(watched, mock):
    page = watched.page
    payload = "<img src=x onerror=alert(document.domain)>"
    created = graph(mock, "POST", "/me/profile/positions",
                    json={"detail": {"jobTitle": payload, "company": {"displayName": "<b>bold</b>"}}}).json()
    control(mock, "POST", "/faults", json={"path": "/<img src=x onerror=alert(2)>", "effect": "fail", "status": 500})
    page.goto(f"{mock.url}/_mockgraph/inspector/users/{ADELE}")
    item = page.locator(f"details.item[data-id='{created['id']}']")
    expect(item.locator(".title")).to_have_text(payload)
    item.locator("summary").click()
    expect(item.locator("pre")).to_contain_text('"displayName": "<b>bold</b>"')
    open_control(page, mock)
    expect(page.locator("li.rule pre")).to_contain_text('"/<img src=x onerror=alert(2)>"')
    assert page.locator("main img, main b").count() == 0
