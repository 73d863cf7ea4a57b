"""CONTRACT §7: fixture files are validated like requests, keep what they give, and fill the rest."""

from __future__ import annotations

import json

import pytest
from conftest import ADELE, SEED_PAGE_ID, GraphTestClient

from mockgraph import create_app
from mockgraph.fixtures.files import FixtureError, default_fixture_path

USER = {"id": "11111111-2222-4333-8444-555555555555", "userPrincipalName": "kim@contoso.com", "displayName": "Kim"}


def write(tmp_path, data, name="people.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def test_bundled_fixtures_ship_in_the_package_and_hold_the_seed_page_id():
    data = json.loads(default_fixture_path().read_text())
    assert len(data["users"]) >= 5
    assert any(p["id"] == SEED_PAGE_ID for u in data["users"] for p in u.get("positions", []))


def test_given_server_properties_are_kept_and_missing_ones_filled(tmp_path):
    kept = {"id": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "createdDateTime": "2021-01-02T03:04:05.1234567Z",
            "lastModifiedDateTime": "2022-01-02T03:04:05.1234567Z",
            "createdBy": {"user": {"id": "x", "displayName": "Someone"}}, "detail": {"jobTitle": "Kept"}}
    filled = {"detail": {"jobTitle": "Filled"}}
    path = write(tmp_path, {"users": [{**USER, "positions": [kept, filled]}]})
    client = GraphTestClient(create_app(fixtures=[path], strict=True))
    listed = client.get(f"/users/{USER['id']}/profile/positions").get_json()["value"]
    by_title = {p["detail"]["jobTitle"]: p for p in listed}
    assert by_title["Kept"]["id"] == kept["id"]
    assert by_title["Kept"]["createdDateTime"] == kept["createdDateTime"]
    assert by_title["Kept"]["createdBy"]["user"] == {"id": "x", "displayName": "Someone"}
    assert by_title["Kept"]["lastModifiedBy"]["user"] == {"id": USER["id"], "displayName": "Kim"}
    assert by_title["Filled"]["id"] and by_title["Filled"]["allowedAudiences"] == "organization"
    assert by_title["Filled"]["createdBy"]["user"] == {"id": USER["id"], "displayName": "Kim"}


def test_several_fixture_files_add_up_and_first_user_is_me(tmp_path):
    other = {**USER, "id": "22222222-2222-4333-8444-555555555555", "userPrincipalName": "lee@contoso.com"}
    client = GraphTestClient(create_app(fixtures=[write(tmp_path, {"users": [USER]}, "a.json"),
                                                  write(tmp_path, {"users": [other]}, "b.json")]))
    assert client.get("/me").get_json()["id"] == USER["id"]
    assert client.get("/users/lee@contoso.com").status_code == 200
    assert client.get(f"/users/{ADELE}").status_code == 404


def test_me_option_picks_the_default_user(tmp_path):
    client = GraphTestClient(create_app(me="nestor.wilke@contoso.com"))
    assert client.get("/me").get_json()["userPrincipalName"] == "nestor.wilke@contoso.com"


@pytest.mark.parametrize("data, path, reason", [
    ("{not json", "$", "not valid JSON"),
    ('{"users": [], "users": []}', "$", "duplicate key"),
    ([], "$", "expected an object"),
    ({"users": {}}, "$", "expected an object"),
    ({"people": []}, "$", "expected an object"),
    ({"users": ["x"]}, "$.users[0]", "expected a user object"),
    ({"users": [{"userPrincipalName": "a@b.c"}]}, "$.users[0].id", "is required"),
    ({"users": [{**USER, "id": "nope"}]}, "$.users[0].id", "GUID"),
    ({"users": [{**USER, "userPrincipalName": "no-at-sign"}]}, "$.users[0].userPrincipalName", "userPrincipalName"),
    ({"users": [USER, USER]}, "$.users[1].id", "appears twice"),
    ({"users": [{**USER, "positions": {}}]}, "$.users[0].positions", "JSON array"),
    ({"users": [{**USER, "positions": [{}]}]}, "$.users[0].positions[0].detail", "is required"),
    ({"users": [{**USER, "positions": [{"detail": {"layer": "x"}}]}]}, "$.users[0].positions[0].detail.layer",
     "integer"),
    ({"users": [{**USER, "positions": [{"detail": {}, "createdDateTime": "yesterday"}]}]},
     "$.users[0].positions[0].createdDateTime", "ISO 8601"),
    ({"users": [{**USER, "positions": [{"detail": {}, "colleagues": [{"x": 1}]}]}]},
     "$.users[0].positions[0].colleagues[0].x", "does not exist"),
    ({"users": [{**USER, "positions": [{"id": "a", "detail": {}}, {"id": "A", "detail": {}}]}]},
     "$.users[0].positions[1].id", "appears twice"),
])
def test_bad_fixture_names_file_path_and_reason(tmp_path, data, path, reason):
    file = write(tmp_path, data)
    with pytest.raises(FixtureError) as caught:
        create_app(fixtures=[file])
    assert caught.value.source == file and caught.value.path == path
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{file}: {path}: ")


def test_missing_fixture_file(tmp_path):
    with pytest.raises(FixtureError, match="cannot read the file"):
        create_app(fixtures=[str(tmp_path / "absent.json")])
