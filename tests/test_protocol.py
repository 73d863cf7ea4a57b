"""CONTRACT §1–§2: paths Graph does not serve, methods, CORS, headers and the error envelope."""

from __future__ import annotations

import re
import uuid

import pytest
from conftest import ADELE, SEED_PAGE_ID, assert_graph_error

POSITIONS = f"/users/{ADELE}/profile/positions"


def test_v1_has_no_profile(client):
    assert_graph_error(client.get(f"/v1.0/users/{ADELE}/profile/positions"), 400, "BadRequest",
                       "Resource not found for the segment 'profile'.")


@pytest.mark.parametrize("path, segment", [
    ("/beta/nothing", "nothing"),
    (f"/beta/users/{ADELE}/photos", "photos"),
    # The docs list a 20th profile relationship that neither the OpenAPI nor the SDK has (CONTRACT §11).
    (f"/beta/users/{ADELE}/profile/responsibilities", "responsibilities"),
    (f"/beta/users/{ADELE}/profile/positions/{SEED_PAGE_ID}/extra", "extra"),
    ("/beta/me/profile/accounts", "accounts"),  # the docs' old name; the segment is `account`
])
def test_unknown_segment(client, path, segment):
    assert_graph_error(client.get(path), 400, "BadRequest", f"Resource not found for the segment '{segment}'.")


@pytest.mark.parametrize("method, path", [
    ("PUT", f"{POSITIONS}/{SEED_PAGE_ID}"), ("DELETE", POSITIONS), ("PATCH", POSITIONS),
    ("POST", f"{POSITIONS}/{SEED_PAGE_ID}"), ("POST", f"{POSITIONS}/$count"), ("DELETE", f"/users/{ADELE}"),
])
def test_method_not_allowed(client, method, path):
    assert_graph_error(client.request(method, path), 405, "Request_BadRequest",
                       "Specified HTTP method is not allowed for the request target.")


def test_preflight_needs_no_token(client):
    response = client.request("OPTIONS", POSITIONS, token=None, headers={
        "Origin": "http://app.local", "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]


def test_cors_headers_on_answers_to_browsers(client):
    response = client.get(POSITIONS, headers={"Origin": "http://app.local"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"request-id", "client-request-id", "Location", "Retry-After"} <= exposed
    assert "Access-Control-Allow-Origin" not in client.get(POSITIONS).headers


def test_every_response_has_request_ids_date_and_json_type(client):
    for response in (client.get(POSITIONS), client.get("/beta/nothing"), client.get(POSITIONS, token=None)):
        assert uuid.UUID(response.headers["request-id"])
        assert response.headers["client-request-id"] == response.headers["request-id"]
        assert response.headers["Date"].endswith("GMT")
        assert response.mimetype == "application/json"


def test_client_request_id_is_echoed(client):
    response = client.get("/beta/nothing", headers={"client-request-id": "abc-123"})
    error = assert_graph_error(response, 400, "BadRequest")
    assert response.headers["client-request-id"] == "abc-123" == error["innerError"]["client-request-id"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", error["innerError"]["date"])


def test_unexpected_exception_is_a_graph_500_without_traceback(app, client, monkeypatch, caplog):
    service = app.extensions["mockgraph"].service

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(service, "create", explode)
    response = client.post(POSITIONS, json={"detail": {}})
    error = assert_graph_error(response, 500, "generalException")
    assert "secret" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)
    assert "secret internal detail" in caplog.text  # logged on the server side
    assert error["message"]


def test_order_of_checks(client):
    # token before route, route before user, user before permission, item before body.
    assert_graph_error(client.get("/beta/nothing", token=None), 401, "InvalidAuthenticationToken")
    assert_graph_error(client.request("PUT", "/beta/users/nobody@x.com/profile/positions"), 405,
                       "Request_BadRequest")
    assert_graph_error(client.get("/users/nobody@x.com/profile/positions?$expand=x"), 400, "BadRequest")
    assert_graph_error(client.patch(f"{POSITIONS}/nope", data="not json", content_type="application/json"),
                       404, "itemNotFound")


def test_bad_query_option_is_answered_before_the_user_lookup(client):
    for query in ("$filter=nope eq 1", "$orderby=nope", "$skiptoken=forged", "$top=0"):
        assert_graph_error(client.get(f"/users/nobody@x.com/profile/positions?{query}"), 400, "BadRequest")
    assert_graph_error(client.get("/users/nobody@x.com/profile/positions/$count?$filter=("), 400, "BadRequest")


def test_method_not_allowed_lists_the_allowed_methods(client):
    assert client.request("PUT", f"{POSITIONS}/{SEED_PAGE_ID}").headers["Allow"] == "DELETE, GET, OPTIONS, PATCH"
    assert client.request("DELETE", POSITIONS).headers["Allow"] == "GET, OPTIONS, POST"
    assert client.request("PATCH", f"{POSITIONS}/$count").headers["Allow"] == "GET, OPTIONS"
