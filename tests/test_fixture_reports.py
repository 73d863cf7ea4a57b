"""Fixture files beyond the first error: every problem reported (check-fixtures), and the bundled files
named from anywhere (`--fixtures example-people`)."""

from __future__ import annotations

import json

import pytest
from conftest import ADELE, GraphTestClient

from mockgraph import FixtureError, MockGraph, create_app
from mockgraph.clock import Clock, IdGenerator
from mockgraph.fixtures.files import bundled_fixture_names, fixture_path, parse_fixture, read_fixture_files
from mockgraph.graph.facets import FACETS
from mockgraph.harness.pytest_plugin import _file_or_bundled

KIM = {"id": "11111111-2222-4333-8444-555555555555", "userPrincipalName": "kim@contoso.com", "displayName": "Kim"}
LEE = {"id": "22222222-2222-4333-8444-555555555555", "userPrincipalName": "lee@contoso.com"}


def parse(data, report=None):
    return parse_fixture(data, "test", FACETS, IdGenerator(seed=1), Clock(), report)


def test_reporting_collects_every_problem_and_keeps_the_valid_users():
    data = {"users": [
        {**KIM, "positions": [{"id": "p1", "detail": {"layer": 1.5, "jobTitle": 3}}]},
        {**LEE, "positions": [{"id": "P1", "detail": {}}]},
        {**LEE, "id": "33333333-2222-4333-8444-555555555555", "userPrincipalName": "lee.again@contoso.com"},
        {**KIM, "positions": {}},
    ]}
    problems: list[FixtureError] = []
    users = parse(data, problems.append)
    assert [(p.path, p.reason) for p in problems] == [
        ("$.users[0].positions[0].detail.jobTitle", "expected a string"),
        ("$.users[0].positions[0].detail.layer", "expected an integer (Edm.Int32)"),
        ("$.users[3].id", f"user id '{KIM['id']}' appears twice"),
        ("$.users[3].positions", "expected a JSON array"),
    ]
    assert [user["id"] for user in users] == [LEE["id"], "33333333-2222-4333-8444-555555555555"]


def test_duplicate_item_ids_are_found_across_users_by_their_own_paths():
    data = {"users": [{**KIM, "id": "bad"}, {**KIM, "positions": [{"id": "x", "detail": {}}]},
                      {**LEE, "positions": [{"id": "X", "detail": {}}]}]}
    problems: list[FixtureError] = []
    parse(data, problems.append)
    assert [p.path for p in problems] == ["$.users[0].id", "$.users[2].positions[0].id"]
    with pytest.raises(FixtureError) as first:
        parse(data)
    assert first.value.path == "$.users[0].id"  # without a report, the first problem alone


def test_a_userprincipalname_names_one_user():
    with pytest.raises(FixtureError) as caught:
        parse({"users": [KIM, {**LEE, "userPrincipalName": "KIM@contoso.com"}]})
    assert caught.value.path == "$.users[1].userPrincipalName"
    assert caught.value.reason == "userPrincipalName 'KIM@contoso.com' appears twice"


def test_start_up_still_stops_at_the_first_problem(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"users": [{**KIM, "id": "a"}, {**LEE, "id": "b"}]}))
    with pytest.raises(FixtureError) as caught:
        create_app(fixtures=[str(bad)])
    assert caught.value.path == "$.users[0].id"


def test_reading_files_reports_unreadable_ones_and_goes_on(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"users": [KIM]}))
    problems: list[FixtureError] = []
    users = read_fixture_files([tmp_path / "absent.json", good], FACETS, IdGenerator(), Clock(), problems.append)
    assert [(p.source, p.path) for p in problems] == [(str(tmp_path / "absent.json"), "$")]
    assert [user["id"] for user in users] == [KIM["id"]]


def test_the_example_people_ship_in_the_package_and_add_to_the_default_people():
    assert {"default", "example-people"} <= set(bundled_fixture_names())
    client = GraphTestClient(create_app(fixtures=["default", "example-people"], strict=True))
    assert client.get("/me").get_json()["id"] == ADELE  # the first file's first user
    kenji = client.get("/users/kenji.watanabe@contoso.com/profile/positions").get_json()["value"]
    assert [p["detail"]["jobTitle"] for p in kenji] == ["Systems Engineer", "Site Reliability Engineer"]
    assert kenji[0]["id"] and kenji[0]["createdBy"]["user"]["displayName"] == "Kenji Watanabe"  # filled
    assert client.get("/users/amara.diallo@contoso.com/profile/positions").get_json()["value"] == []


def test_seeding_the_example_people_onto_the_default_ones_adds_them():
    with MockGraph() as mock:
        counts = mock.seed("example-people")
        assert counts == {**dict.fromkeys(counts, 0), "users": 4, "positions": 6}
        assert len(mock.state()["users"]) == 10


def test_a_file_of_that_name_wins_over_the_bundled_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert fixture_path("example-people").name == "example-people.json"
    (tmp_path / "example-people").write_text(json.dumps({"users": [KIM]}))
    assert fixture_path("example-people") == tmp_path.joinpath("example-people").relative_to(tmp_path)
    assert fixture_path("elsewhere.json").name == "elsewhere.json"  # not a bundled name: as given


def test_the_plugin_resolves_beside_the_test_file_unless_only_the_bundled_name_exists(tmp_path):
    assert _file_or_bundled(tmp_path / "example-people", "example-people") == "example-people"
    assert _file_or_bundled(tmp_path / "people.json", "people.json") == str(tmp_path / "people.json")
    (tmp_path / "example-people").write_text("{}")
    assert _file_or_bundled(tmp_path / "example-people", "example-people") == str(tmp_path / "example-people")


class IniConfig:
    """What `server_options` reads of pytest's config: an ini file's folder and its values."""

    def __init__(self, folder, fixtures: list[str]):
        self.inipath = folder / "pytest.ini"
        self.values = {"mockgraph_fixtures": [folder / name for name in fixtures], "mockgraph_page_size": "",
                       "mockgraph_seed": ""}

    def getini(self, name):
        return self.values[name]


def test_the_ini_option_takes_a_bundled_name_only_as_a_bare_name(tmp_path):
    from mockgraph.harness.pytest_plugin import server_options

    assert server_options(IniConfig(tmp_path, ["example-people"]))["fixtures"] == ["example-people"]
    (tmp_path / "mine.json").write_text(json.dumps({"users": [KIM]}))
    assert server_options(IniConfig(tmp_path, ["mine.json", "sub/default"]))["fixtures"] == [
        str(tmp_path / "mine.json"), str(tmp_path / "sub" / "default")]  # a missing path stays an error
