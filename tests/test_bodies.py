"""CONTRACT §3: every invalid body is a 400 with its exact message, and nothing stored changes."""

from __future__ import annotations

import pytest
from conftest import ADELE, SEED_PAGE_ID, assert_graph_error

POSITIONS = f"/users/{ADELE}/profile/positions"
UNREADABLE = ("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is "
              "of valid JSON format.")


def unknown(name, type_name):
    return (f"The property '{name}' does not exist on type 'microsoft.graph.{type_name}'. Make sure to only "
            "use property names that are defined by the type or mark the type as open type.")


RAW_BODIES = [
    ("not json", "application/json"),
    ('{"detail": {}', "application/json"),
    ('{"detail": {"layer": NaN}}', "application/json"),
    ('{"detail": {"layer": Infinity}}', "application/json"),
    ('{"detail": {}, "detail": {}}', "application/json"),
    ("[" * 100_000 + "]" * 100_000, "application/json"),
    (b'{"detail": {"jobTitle": "\xff\xfe"}}', "application/json"),
    ('{"detail": {}}', "text/plain"),
    ('{"detail": {}}', None),
    ("", "application/json"),
]


@pytest.mark.parametrize("data, content_type", RAW_BODIES)
@pytest.mark.parametrize("method, path", [("POST", POSITIONS), ("PATCH", f"{POSITIONS}/{SEED_PAGE_ID}")])
def test_unreadable_bodies(client, method, path, data, content_type):
    before = client.state()
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.request(method, path, data=data, headers=headers)
    assert_graph_error(response, 400, "BadRequest", UNREADABLE)
    assert client.state() == before


INVALID = [
    ([], "Invalid request body: expected an object of type microsoft.graph.workPosition."),
    ("text", "Invalid request body: expected an object of type microsoft.graph.workPosition."),
    ({}, "The property 'detail' is required."),
    ({"detail": None}, "The property 'detail' may not be null."),
    ({"detail": {}, "colour": "red"}, unknown("colour", "workPosition")),
    ({"detail": {"company": {"displayName": "C", "floor": 3}}}, unknown("floor", "companyDetail")),
    ({"detail": {"company": {"displayName": "C", "address": {"planet": "Mars"}}}},
     unknown("planet", "physicalAddress")),
    ({"detail": {}, "manager": {"email": "x"}}, unknown("email", "relatedPerson")),
    ({"detail": {"company": {}}}, "The property 'detail.company.displayName' is required."),
    ({"detail": {"company": {"displayName": None}}}, "The property 'detail.company.displayName' may not be null."),
    ({"detail": {"startMonthYear": "2020-13-01"}},
     "Invalid value for property 'detail.startMonthYear': expected a valid calendar date in the form YYYY-MM-DD."),
    ({"detail": {"endMonthYear": "2020-01"}},
     "Invalid value for property 'detail.endMonthYear': expected a date in the form YYYY-MM-DD."),
    ({"detail": {"layer": 2**31}},
     "Invalid value for property 'detail.layer': expected an integer between -2147483648 and 2147483647."),
    ({"detail": {"layer": 1.5}}, "Invalid value for property 'detail.layer': expected an integer (Edm.Int32)."),
    ({"detail": {"layer": "1"}}, "Invalid value for property 'detail.layer': expected an integer (Edm.Int32)."),
    ({"detail": {}, "isCurrent": "true"}, "Invalid value for property 'isCurrent': expected true or false."),
    ({"detail": {}, "isCurrent": 1}, "Invalid value for property 'isCurrent': expected true or false."),
    ({"detail": {"jobTitle": 7}}, "Invalid value for property 'detail.jobTitle': expected a string."),
    ({"detail": {}, "categories": "sales"},
     "Invalid value for property 'categories': expected a collection of strings (a JSON array)."),
    ({"detail": {}, "categories": [1]},
     "Invalid value for property 'categories': expected a collection of strings; an item is not a string."),
    ({"detail": {}, "colleagues": {"displayName": "x"}},
     "Invalid value for property 'colleagues': expected a collection (a JSON array) of "
     "microsoft.graph.relatedPerson."),
    ({"detail": {}, "colleagues": [{"relationship": "boss"}]},
     "Invalid value for property 'colleagues[0].relationship': expected one of the "
     "microsoft.graph.personRelationship values: manager, colleague, directReport, dotLineReport, assistant, "
     "dotLineManager, alternateContact, friend, spouse, sibling, child, parent, sponsor, emergencyContact, "
     "other, unknownFutureValue."),
    ({"detail": {}, "allowedAudiences": "world"},
     "Invalid value for property 'allowedAudiences': expected one of the microsoft.graph.allowedAudiences "
     "values: me, family, contacts, groupMembers, organization, federatedOrganizations, everyone, "
     "unknownFutureValue."),
    ({"detail": {"company": {"displayName": "C", "address": {"type": "moon"}}}},
     "Invalid value for property 'detail.company.address.type': expected one of the "
     "microsoft.graph.physicalAddressType values: unknown, home, business, other."),
    ({"detail": [], "isCurrent": True},
     "Invalid value for property 'detail': expected an object of type microsoft.graph.positionDetail."),
    ({"detail": {}, "inference": {"confidenceScore": "high"}},
     "Invalid value for property 'inference.confidenceScore': expected a number (Edm.Double)."),
    ({"@odata.type": "#microsoft.graph.skillProficiency", "detail": {}},
     "A type named '#microsoft.graph.skillProficiency' could not be resolved by the "
     "model: the body must be a #microsoft.graph.workPosition."),
]


@pytest.mark.parametrize("body, message", INVALID)
def test_invalid_create_bodies(client, body, message):
    before = client.state()
    assert_graph_error(client.post(POSITIONS, json=body), 400, "BadRequest", message)
    assert client.state() == before


def test_patch_validates_the_body_on_its_own(client):
    before = client.state()
    response = client.patch(f"{POSITIONS}/{SEED_PAGE_ID}", json={"detail": {"company": {"floor": 1}}})
    assert_graph_error(response, 400, "BadRequest", unknown("floor", "companyDetail"))
    assert client.state() == before


def test_json_content_type_parameters_are_accepted(client):
    response = client.post(POSITIONS, data='{"detail": {}}',
                           headers={"Content-Type": "application/json; charset=utf-8; odata.metadata=minimal"})
    assert response.status_code == 201


def test_body_over_the_limit_is_413_before_anything_else(app):
    from conftest import GraphTestClient

    from mockgraph import create_app

    small = GraphTestClient(create_app(max_body=100, strict=True))
    before = small.state()
    response = small.post(POSITIONS, data="x" * 101, headers={"Content-Type": "application/json"}, token=None)
    assert_graph_error(response, 413, "RequestEntityTooLarge")
    assert small.post(POSITIONS, json={"detail": {}}).status_code == 201
    assert small.state() != before
