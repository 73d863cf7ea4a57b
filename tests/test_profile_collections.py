"""CONTRACT §11 for every one of the 19 collections, parametrised from the one table in
profile_collections.py: CRUD on the three path forms, required properties and enums, PATCH merge on a
nested complex type, query options, and each type's own rules (account, webAccount, @odata.type)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from conftest import ADELE, ADELE_UPN, NESTOR, assert_graph_error
from profile_collections import FACET_BY_SEGMENT, TABLE, deep_merge, each_collection, get_path, with_path

from mockgraph.graph import schemas
from mockgraph.graph.facets import FACETS

FORMS = {"users": f"/users/{ADELE}", "user": f"/user/{quote(ADELE_UPN)}", "me": "/me"}


def url(row, form: str = "users", item: str | None = None) -> str:
    base = f"{FORMS[form]}/profile/{row.segment}"
    return base if item is None else f"{base}/{item}"


def create(client, row, body=None, form="users") -> dict:
    response = client.post(url(row, form), json=row.body if body is None else body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def test_the_table_has_one_row_per_registered_collection():
    from profile_collections import BY_SEGMENT

    assert list(BY_SEGMENT) == [facet.segment for facet in FACETS] and len(FACETS) == 19


@each_collection
@pytest.mark.parametrize("form", FORMS)
def test_crud_on_every_path_form(client, row, form):
    facet = FACET_BY_SEGMENT[row.segment]
    declared = set(schemas.instance(facet.schema).fields)
    created = create(client, row, form=form)
    item_id = created["id"]
    assert created["@odata.context"] == (
        f"http://localhost/beta/$metadata#users('{ADELE}')/profile/{row.segment}/$entity")
    assert set(created) - {"@odata.context"} == declared  # every property, null when unset
    assert created["allowedAudiences"] == row.body.get("allowedAudiences", "organization")
    for key, value in row.body.items():
        if key != "allowedAudiences" and not isinstance(value, dict):
            assert created[key] == value, key
    got = client.get(url(row, form, item_id))
    assert got.status_code == 200 and got.get_json() == created
    listed = client.get(url(row, form)).get_json()
    assert listed["@odata.context"].endswith(f"/profile/{row.segment}")
    assert item_id in [i["id"] for i in listed["value"]]
    count = client.get(url(row, form) + "/$count")
    assert count.status_code == 200 and count.get_data(as_text=True) == str(len(listed["value"]))
    patched = client.patch(url(row, form, item_id), json={"allowedAudiences": "me"})
    assert patched.status_code == 200 and patched.get_json()["allowedAudiences"] == "me"
    assert patched.get_json()["createdDateTime"] == created["createdDateTime"]
    assert client.delete(url(row, form, item_id)).status_code == 204
    assert_graph_error(client.get(url(row, form, item_id)), 404, "itemNotFound")
    assert_graph_error(client.delete(url(row, form, item_id)), 404, "itemNotFound")


@each_collection
def test_another_users_item_is_not_found(client, row):
    item_id = create(client, row)["id"]
    assert_graph_error(client.get(f"/users/{NESTOR}/profile/{row.segment}/{item_id}"), 404, "itemNotFound")


@each_collection
def test_required_properties_missing_or_null_are_a_400_naming_the_path(client, row):
    if not row.required:  # the type requires nothing: an empty body is a valid create
        assert client.post(url(row), json={}).status_code == 201
        return
    before = client.state()
    for path in row.required:
        missing = client.post(url(row), json=with_path(row.body, path, None, remove=True))
        assert_graph_error(missing, 400, "BadRequest", f"The property '{path}' is required.")
        null = client.post(url(row), json=with_path(row.body, path, None))
        assert_graph_error(null, 400, "BadRequest", f"The property '{path}' may not be null.")
    assert client.state() == before


@each_collection
def test_a_create_without_the_required_properties_lists_exactly_the_tables_ones(row):
    """The table's required paths are the schema's: a type that requires nothing has an empty row."""
    schema = schemas.instance(FACET_BY_SEGMENT[row.segment].schema)
    top = {name for name, field in schema.fields.items() if field.required}
    assert top == {path for path in row.required if "." not in path}


@each_collection
def test_enum_takes_members_in_any_case_writes_them_canonically_and_refuses_others(client, row):
    path, written, canonical = row.enum
    created = create(client, row, with_path(row.body, path, written))
    assert get_path(created, path) == canonical
    before = client.state()
    bad = client.post(url(row), json=with_path(row.body, path, "notAMember"))
    error = assert_graph_error(bad, 400, "BadRequest")
    assert error["message"].startswith(f"Invalid value for property '{path}': expected ")
    assert client.state() == before


@each_collection
def test_patch_merges_a_nested_complex_value_and_keeps_the_rest(client, row):
    prop, key, value = row.merge
    body = row.body if prop in row.body else {**row.body, prop: {"confidenceScore": 0.5}}
    created = create(client, row, body)
    kept = {k: v for k, v in created[prop].items() if k != key}
    response = client.patch(url(row, item=created["id"]), json={prop: {key: value}})
    assert response.status_code == 200, response.get_data(as_text=True)
    merged = response.get_json()[prop]
    assert merged[key] == value and {k: v for k, v in merged.items() if k != key} == kept
    assert client.get(url(row, item=created["id"])).get_json()[prop] == merged


@each_collection
def test_query_options_on_a_property_of_the_collection(client, row):
    path, literal, _ = row.query
    # The bundled user's own items may match too: count them first.
    bundled = int(client.get(url(row) + f"/$count?$filter={path} eq {literal}").get_data(as_text=True))
    first = create(client, row, form="users")
    second = create(client, row, row.second_body())
    mine = {first["id"], second["id"]}

    def ids(query: str) -> list[str]:
        response = client.get(url(row) + query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [item["id"] for item in response.get_json()["value"] if item["id"] in mine]

    assert ids(f"?$filter={path} eq {literal}") == [first["id"]]
    assert ids(f"?$filter=not({path} eq {literal})") == [second["id"]]
    ascending, descending = ids(f"?$orderby={path}"), ids(f"?$orderby={path} desc")
    assert sorted(ascending) == sorted(mine) and descending == ascending[::-1]
    top = path.split("/")[0]
    selected = client.get(url(row) + f"?$select={top}").get_json()["value"]
    assert all(set(item) == {"id", top} for item in selected)
    counted = client.get(url(row) + f"?$count=true&$filter={path} eq {literal}").get_json()
    assert counted["@odata.count"] == bundled + 1
    assert client.get(url(row) + f"/$count?$filter={path} eq {literal}").get_data(as_text=True) == str(bundled + 1)
    page = client.get(url(row) + "?$top=1").get_json()
    seen = [item["id"] for item in page["value"]]
    while "@odata.nextLink" in page:
        page = client.get(page["@odata.nextLink"].replace("http://localhost", "")).get_json()
        seen += [item["id"] for item in page["value"]]
    assert mine <= set(seen) and len(seen) == len(set(seen))


@each_collection
def test_odata_type_is_checked_against_the_collections_type(client, row):
    facet = FACET_BY_SEGMENT[row.segment]
    accepted = client.post(url(row), json={"@odata.type": f"#microsoft.graph.{facet.type_name}", **row.body})
    assert accepted.status_code == 201
    other = "workPosition" if facet.type_name != "workPosition" else "skillProficiency"
    refused = client.post(url(row), json={"@odata.type": f"#microsoft.graph.{other}", **row.body})
    assert_graph_error(refused, 400, "BadRequest")


def test_anniversaries_accept_the_docs_older_type_name(client):
    row = TABLE[2]
    response = client.post(url(row), json={"@odata.type": "#microsoft.graph.personAnniversary", **row.body})
    assert response.status_code == 201 and response.get_json()["type"] == "birthday"


def test_account_user_principal_name_is_the_users_and_age_group_is_read_only(client):
    row = TABLE[0]
    created = create(client, row, {**row.body, "userPrincipalName": "someone@else.com", "ageGroup": "adult",
                                   "userPersona": "externalGuest"})
    assert created["userPrincipalName"] == ADELE_UPN and created["ageGroup"] is None
    assert created["userPersona"] is None
    patched = client.patch(url(row, item=created["id"]), json={"userPrincipalName": "x@y.com", "ageGroup": "minor"})
    assert patched.status_code == 200
    assert (patched.get_json()["userPrincipalName"], patched.get_json()["ageGroup"]) == (ADELE_UPN, None)
    nestor = client.post(f"/users/{NESTOR}/profile/account", json=row.body).get_json()
    assert nestor["userPrincipalName"] == client.get(f"/users/{NESTOR}").get_json()["userPrincipalName"]


@pytest.mark.parametrize(("service_url", "web_url", "expected"), [
    ("https://github.com", None, "https://github.com/adele"),
    ("https://github.com/", None, "https://github.com/adele"),
    ("https://github.com", "https://example.org/me", "https://example.org/me"),
])
def test_web_account_without_web_url_gets_the_services_joined_with_user_id(client, service_url, web_url, expected):
    body = {"userId": "adele", "service": {"name": "GitHub", "webUrl": service_url}}
    if web_url:
        body["webUrl"] = web_url
    assert create(client, TABLE[17], body)["webUrl"] == expected


def test_a_complex_value_added_by_patch_is_validated_in_full(client):
    row = TABLE[5]  # educationalActivities
    created = create(client, row, {k: v for k, v in row.body.items() if k != "institution"})
    response = client.patch(url(row, item=created["id"]), json={"institution": {"webUrl": "https://x.edu"}})
    assert_graph_error(response, 400, "BadRequest", "The property 'institution.displayName' is required.")
    response = client.patch(url(row, item=created["id"]), json={"program": {"displayName": None}})
    assert_graph_error(response, 400, "BadRequest", "The property 'program.displayName' may not be null.")


@pytest.mark.parametrize(("path", "value", "message"), [
    ("issuedDate", "2020-13-01", "Invalid value for property 'issuedDate': expected a valid calendar date"),
    ("displayName", 5, "Invalid value for property 'displayName': expected a string."),
    ("webUrl", ["x"], "Invalid value for property 'webUrl': expected a string."),
])
def test_edm_types_are_checked_with_the_path(client, path, value, message):
    response = client.post(url(TABLE[3]), json=deep_merge(TABLE[3].body, {path: value}))
    assert assert_graph_error(response, 400, "BadRequest")["message"].startswith(message)


def test_double_and_string_collections_inside_complex_types(client):
    addresses, education = TABLE[1], TABLE[5]
    bad = client.post(url(addresses), json={"geoCoordinates": {"latitude": "59.9"}})
    assert "geoCoordinates.latitude" in assert_graph_error(bad, 400, "BadRequest")["message"]
    ok = create(client, addresses, {"geoCoordinates": {"latitude": 59.9, "longitude": 10.7}})
    assert ok["geoCoordinates"] == {"altitude": None, "latitude": 59.9, "longitude": 10.7}
    bad = client.post(url(education), json=with_path(education.body, "program.awards", "Dean's list"))
    assert "program.awards" in assert_graph_error(bad, 400, "BadRequest")["message"]


def test_a_double_beyond_64_bit_integers_is_answered_as_sent(client):
    """orjson writes response bodies and refuses integers beyond 64 bits; the json module takes those."""
    created = create(client, TABLE[1], {"geoCoordinates": {"altitude": 2**70, "latitude": 1.5e20}})
    assert created["geoCoordinates"]["altitude"] == 2**70
    assert client.get(url(TABLE[1], item=created["id"])).get_json()["geoCoordinates"]["latitude"] == 1.5e20
