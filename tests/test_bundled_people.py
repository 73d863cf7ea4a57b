"""CONTRACT §7 and §11: the bundled people have realistic, mutually consistent data in every collection,
served as it is stored (fixed ids and timestamps), and small enough to reset per test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TOMASZ, GraphTestClient

from mockgraph import create_app
from mockgraph.fixtures.files import default_fixture_path
from mockgraph.graph.facets import FACETS
from mockgraph.graph.schemas.guid import is_guid

SEGMENTS = [facet.segment for facet in FACETS]
# Tomasz joined in October 2025 and has no position on his profile yet: tests rely on one such user.
EMPTY_ON_PURPOSE = {(TOMASZ, "positions")}


def bundled_users() -> list[dict]:
    return json.loads(default_fixture_path().read_text(encoding="utf-8"))["users"]


@pytest.fixture(scope="module")
def profiles() -> dict[str, tuple[dict, dict]]:
    """Each bundled user and their whole profile, as `GET /profile` answers it (strict: schema-checked)."""
    client = GraphTestClient(create_app(strict=True))
    out = {}
    for user in client.get("/_mockgraph/state").get_json()["users"]:
        response = client.get(f"/users/{user['id']}/profile")
        assert response.status_code == 200
        out[user["id"]] = (user, response.get_json())
    return out


def test_the_repository_copy_is_the_packaged_file():
    link = Path(__file__).resolve().parents[1] / "fixtures" / "default.json"
    assert link.is_symlink() and link.resolve() == default_fixture_path().resolve()


def test_every_user_has_items_in_every_collection(profiles):
    assert len(profiles) == 6
    for user_id, (_, profile) in profiles.items():
        for segment in SEGMENTS:
            if (user_id, segment) in EMPTY_ON_PURPOSE:
                assert profile[segment] == []
            else:
                assert profile[segment], (user_id, segment)


def test_ids_are_guids_and_timestamps_are_fixed_in_the_file():
    for user in bundled_users():
        for segment in SEGMENTS:
            for item in user.get(segment, []):
                assert is_guid(item["id"]), item["id"]
                assert item["createdDateTime"] <= item["lastModifiedDateTime"], item["id"]


def test_two_starts_answer_the_same_data():
    """Nothing in the bundled data is generated: a different id seed and clock change no answer."""
    first = GraphTestClient(create_app(seed=1, clock="2020-01-01T00:00:00Z")).get("/_mockgraph/state").get_json()
    second = GraphTestClient(create_app(seed=2)).get("/_mockgraph/state").get_json()
    assert first == second


def test_names_emails_and_account_match_the_user(profiles):
    for user, profile in profiles.values():
        names = profile["names"]
        assert any(name["displayName"] == user["displayName"] == f"{name['first']} {name['last']}"
                   for name in names), user["displayName"]
        assert all(name["initials"] == name["first"][0] + name["last"][0] for name in names)
        work = [email["address"] for email in profile["emails"] if email["type"] == "work"]
        assert work == [user["userPrincipalName"]]
        assert [account["userPrincipalName"] for account in profile["account"]] == [user["userPrincipalName"]]
        assert all(account["countryCode"] and account["preferredLanguageTag"]["locale"]
                   for account in profile["account"])
        # Anyone may read these items: every item's creator is the user themself.
        items = [item for segment in SEGMENTS for item in profile[segment]]
        assert {item["createdBy"]["user"]["id"] for item in items} == {user["id"]}
        assert {item["createdBy"]["user"]["displayName"] for item in items} == {user["displayName"]}


def test_a_plausible_career_education_before_positions(profiles):
    for user, profile in profiles.values():
        education = profile["educationalActivities"]
        birthday = next(a["date"] for a in profile["anniversaries"] if a["type"] == "birthday")
        assert all(birthday[:4] < e["startMonthYear"][:4] for e in education)
        for activity in education:
            assert activity["startMonthYear"] < activity["endMonthYear"] <= activity["completionMonthYear"]
        graduated = max(e["completionMonthYear"] for e in education)
        starts = sorted(p["detail"]["startMonthYear"] for p in profile["positions"])
        assert all(graduated <= start for start in starts), user["displayName"]
        # Positions follow one another, and exactly one is current (for those who have any).
        for earlier, later in zip(starts, starts[1:], strict=False):
            assert earlier < later
        if profile["positions"]:
            assert sum(p["isCurrent"] is True for p in profile["positions"]) == 1
        # The work anniversary is the first day at Contoso (for those with a Contoso position).
        joined = [a["date"] for a in profile["anniversaries"] if a["type"] == "work"]
        contoso = [p["detail"]["startMonthYear"] for p in profile["positions"]
                   if p["detail"]["company"]["displayName"] == "Contoso, Ltd."]
        if contoso:
            assert joined == [min(contoso)]


def test_skills_and_languages_have_proficiencies(profiles):
    for _, profile in profiles.values():
        assert all(skill["proficiency"] and skill["categories"] for skill in profile["skills"])
        for language in profile["languages"]:
            assert language["tag"] and all(language[k] for k in ("proficiency", "spoken", "written", "reading"))
        assert any(language["spoken"] == "nativeOrBilingual" for language in profile["languages"])


def test_addresses_phones_and_web_accounts(profiles):
    for _, profile in profiles.values():
        assert {a["detail"]["type"] for a in profile["addresses"]} == {"home", "business"}
        home = next(a for a in profile["addresses"] if a["detail"]["type"] == "home")
        assert home["allowedAudiences"] == "me"  # a home address is private
        assert {"business", "mobile"} <= {phone["type"] for phone in profile["phones"]}
        for account in profile["webAccounts"]:
            # GitHub accounts give no webUrl: the server derives it from the service and the user id.
            assert account["webUrl"] and account["webUrl"].startswith(account["service"]["webUrl"])
            assert account["webUrl"].endswith(account["userId"])


def test_people_named_by_id_are_bundled_users_under_their_own_names(profiles):
    users = {user["id"]: user for user, _ in profiles.values()}
    named = 0
    for _, profile in profiles.values():
        for item in profile["positions"] + profile["projects"]:
            for person in [item.get("manager")] + (item.get("colleagues") or []) + (item.get("sponsors") or []):
                if person and person.get("userId"):
                    user = users[person["userId"]]
                    assert (person["displayName"], person["userPrincipalName"]) == (
                        user["displayName"], user["userPrincipalName"])
                    named += 1
    assert named >= 10
