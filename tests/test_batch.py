"""CONTRACT §6: JSON batching through `POST /beta/$batch`, and the official SDK's batch content."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid

import pytest
from conftest import ADELE, ADELE_UPN, NESTOR, SEED_PAGE_ID, GraphTestClient, assert_graph_error
from flask import request
from live import ServedMock

from mockgraph import create_app
from mockgraph.graph.errors import TooManyRequests
from mockgraph.graph.tokens import make_token
from mockgraph.harness.credentials import graph_client

POSITIONS = f"/users/{ADELE}/profile/positions"
JSON = {"Content-Type": "application/json"}
NEW = {"detail": {"jobTitle": "Batch Tester", "company": {"displayName": "Fabrikam"}}}


def batch(client, requests, **kw):
    return client.post("/$batch", json={"requests": requests}, **kw)


def answers(response) -> dict[str, dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {r["id"]: r for r in response.get_json()["responses"]}


def count(client, user=ADELE) -> int:
    return int(client.get(f"/users/{user}/profile/positions/$count").get_data(as_text=True))


def get(id_, url, **extra):
    return {"id": id_, "method": "GET", "url": url, **extra}


def post(id_, url=POSITIONS, body=NEW, **extra):
    return {"id": id_, "method": "POST", "url": url, "headers": dict(JSON), "body": body, **extra}


# -------------------------------------------------------------------------------- the answer

def test_responses_in_request_order_with_status_headers_and_body(client):
    response = batch(client, [
        post("create"),
        get("list", f"{POSITIONS}?$select=detail&$orderby=createdDateTime desc&$top=1"),
        get("count", f"{POSITIONS}/$count"),
        {"id": "gone", "method": "DELETE", "url": f"{POSITIONS}/{SEED_PAGE_ID}"},
        get("user", "/me"),
    ])
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert list(body) == ["responses"]
    assert [r["id"] for r in body["responses"]] == ["create", "list", "count", "gone", "user"]
    r = answers(response)
    created = r["create"]
    assert created["status"] == 201
    assert created["headers"]["Content-Type"].startswith("application/json")
    assert created["headers"]["Location"].endswith(f"/profile/positions/{created['body']['id']}")
    assert created["body"]["detail"]["jobTitle"] == "Batch Tester"
    # Later requests see earlier writes: they run one after another.
    assert [p["id"] for p in r["list"]["body"]["value"]] == [created["body"]["id"]]
    assert set(r["list"]["body"]["value"][0]) == {"id", "detail"}
    # A non-JSON body (the $count text) is base64, as Graph's docs describe batch bodies.
    assert (r["count"]["status"], base64.b64decode(r["count"]["body"])) == (200, b"4")
    assert r["count"]["headers"]["Content-Type"].startswith("text/plain")
    assert r["gone"]["status"] == 204 and "body" not in r["gone"]
    assert "Content-Type" not in r["gone"]["headers"]
    assert r["user"]["body"]["id"] == ADELE
    assert count(client) == 3  # one created, one deleted


def test_each_request_has_its_own_ids_and_the_batch_keeps_its_own(client):
    response = batch(client, [get("1", "/me", headers={"client-request-id": "inner-1"}), get("2", "/me")],
                     headers={"client-request-id": "outer-1"})
    r = answers(response)
    inner = [r["1"]["headers"]["request-id"], r["2"]["headers"]["request-id"]]
    assert len({*inner, response.headers["request-id"]}) == 3
    assert r["1"]["headers"]["client-request-id"] == "inner-1"
    assert r["2"]["headers"]["client-request-id"] == r["2"]["headers"]["request-id"]
    assert response.headers["client-request-id"] == "outer-1"


@pytest.mark.parametrize("url", [
    "/me/profile/positions", "me/profile/positions",
    f"/users/{ADELE_UPN}/profile/positions", f"users/{ADELE_UPN.upper()}/profile/positions",
    "/users/adele.vance%40contoso.com/profile/positions", f"user/{ADELE}/profile/positions",
    f"http://localhost/beta/users/{ADELE}/profile/positions",
])
def test_urls_relative_with_or_without_slash_or_on_the_same_base(client, url):
    expected = [p["id"] for p in client.get(POSITIONS).get_json()["value"]]
    r = answers(batch(client, [get("1", url)]))["1"]
    assert r["status"] == 200
    assert [p["id"] for p in r["body"]["value"]] == expected


def test_next_link_inside_a_batch_is_on_the_batch_base():
    client = GraphTestClient(create_app(strict=True, host="graph.example"))  # the host it is bound to
    response = client.raw.post("/beta/$batch", base_url="https://graph.example:9443", headers={
        "Authorization": "Bearer x"}, json={"requests": [get("1", "/me/profile/positions?top=1")]})
    link = answers(response)["1"]["body"]["@odata.nextLink"]
    assert link.startswith("https://graph.example:9443/beta/me/profile/positions?top=1&$skiptoken=")


def test_errors_stay_in_place(client):
    r = answers(batch(client, [
        get("no-user", "/users/nobody@contoso.com/profile/positions"),
        get("no-item", f"{POSITIONS}/{uuid.uuid4()}"),
        {"id": "bad-method", "method": "PUT", "url": f"{POSITIONS}/{SEED_PAGE_ID}", "headers": JSON, "body": {}},
        post("bad-body", body={"detail": {"layer": "x"}}),
        get("bad-filter", f"{POSITIONS}?$filter=bogus eq 1"),
        get("no-segment", "/nothing"),
        get("fine", POSITIONS),
    ]))
    assert {k: v["status"] for k, v in r.items()} == {
        "no-user": 404, "no-item": 404, "bad-method": 405, "bad-body": 400, "bad-filter": 400, "no-segment": 400,
        "fine": 200}
    assert r["no-user"]["body"]["error"]["code"] == "Request_ResourceNotFound"
    assert r["bad-method"]["body"]["error"]["code"] == "Request_BadRequest"
    assert "detail.layer" in r["bad-body"]["body"]["error"]["message"]
    inner = r["no-item"]["body"]["error"]["innerError"]
    assert inner["request-id"] == r["no-item"]["headers"]["request-id"]


def test_v1_batch_reaches_v1_routes(client):
    r = answers(client.post("/v1.0/$batch", json={"requests": [
        get("1", f"/users/{ADELE}/profile/positions"), get("2", f"/users/{ADELE}")]}))
    assert r["1"]["status"] == 400
    assert r["1"]["body"]["error"]["message"] == "Resource not found for the segment 'profile'."
    assert r["2"]["status"] == 200


# ------------------------------------------------------------------------- bodies and headers

def test_body_without_content_type_answers_400_alone(client):
    before = count(client)
    r = answers(batch(client, [
        {"id": "1", "method": "POST", "url": POSITIONS, "body": NEW},
        {"id": "2", "method": "GET", "url": POSITIONS, "body": {"x": 1}},
        post("3"),
    ]))
    for item in ("1", "2"):
        assert r[item]["status"] == 400
        assert "Content-Type" in r[item]["body"]["error"]["message"]
        assert r[item]["body"]["error"]["innerError"]["request-id"] == r[item]["headers"]["request-id"]
    assert r["3"]["status"] == 201
    assert count(client) == before + 1


def test_base64_body_as_the_sdk_sends_it(client):
    encoded = base64.b64encode(json.dumps(NEW).encode()).decode()
    r = answers(batch(client, [post("1", body=encoded), post("2", body="not base64 at all!")]))
    assert r["1"]["status"] == 201 and r["1"]["body"]["detail"]["jobTitle"] == "Batch Tester"
    assert r["2"]["status"] == 400


def test_non_json_content_type_answers_like_a_lone_request(client):
    r = answers(batch(client, [{"id": "1", "method": "POST", "url": POSITIONS,
                                "headers": {"Content-Type": "text/plain"}, "body": "hello"}]))
    assert r["1"]["status"] == 400
    assert r["1"]["body"]["error"]["message"].startswith("Unable to read JSON request payload")


def test_the_batch_authorization_applies_to_every_request(client):
    reader = make_token(oid=ADELE, scp="User.Read")
    r = answers(batch(client, [
        get("own", "/me/profile/positions", headers={"Authorization": "Basic Zm9vOmJhcg=="}),
        get("other", f"/users/{NESTOR}/profile/positions"),
        post("write", url="/me/profile/positions"),
    ], token=reader))
    assert r["own"]["status"] == 200  # its own Authorization header is replaced by the batch's
    assert r["other"]["status"] == 403 and r["write"]["status"] == 403


def test_batch_needs_a_token(client):
    before = client.state()
    response = batch(client, [post("1")], token=None)
    assert_graph_error(response, 401, "InvalidAuthenticationToken", "Access token is empty.")
    assert_graph_error(batch(client, [post("1")], token=False, headers={"Authorization": "Basic eDp5"}),
                       401, "InvalidAuthenticationToken")
    assert client.state() == before


def test_batch_only_accepts_post(client):
    assert_graph_error(client.get("/$batch"), 405, "Request_BadRequest")


def test_every_request_meets_the_guards(client, app):
    # Guards are where fault rules hook in: a request in a batch meets them as if sent alone.
    def throttle_counts(req):
        if req.path.endswith("/$count"):
            raise TooManyRequests(retry_after=3)

    app.extensions["mockgraph"].guards.append(throttle_counts)
    r = answers(batch(client, [get("1", f"{POSITIONS}/$count"), get("2", POSITIONS)]))
    assert r["1"]["status"] == 429 and r["1"]["headers"]["Retry-After"] == "3"
    assert r["1"]["body"]["error"]["code"] == "TooManyRequests"
    assert r["2"]["status"] == 200


def test_each_request_is_marked_for_the_journal(client, app):
    seen = []

    @app.before_request
    def journal():
        request.journal_entry_id = f"entry-{len(seen)}"
        seen.append((request.path, request.environ.get("mockgraph.batch")))

    answers(batch(client, [get("a", "/me"), get("B", POSITIONS)]))
    assert seen == [
        ("/beta/$batch", None),
        ("/beta/me", {"entry": "entry-0", "requestId": "a"}),
        (f"/beta{POSITIONS}", {"entry": "entry-0", "requestId": "B"}),
    ]


# -------------------------------------------------------------------------------- dependsOn

def test_depends_on_chain_and_424_propagation(client):
    before = count(client)
    r = answers(batch(client, [
        post("1"),
        get("2", POSITIONS, dependsOn=["1"]),
        get("3", f"{POSITIONS}/{uuid.uuid4()}", dependsOn=["2"]),  # fails: 404
        post("4", dependsOn=["3"]),  # 424: not run
        post("5", dependsOn=["4"]),  # 424 because 4 is 424
        post("6", dependsOn=["1", "4"]),  # one failed dependency is enough
        post("7", dependsOn=["2"]),  # its chain succeeded: runs
        post("8"),
    ]))
    assert {k: v["status"] for k, v in r.items()} == {
        "1": 201, "2": 200, "3": 404, "4": 424, "5": 424, "6": 424, "7": 201, "8": 201}
    error = r["4"]["body"]["error"]
    assert error["code"] == "failedDependency" and "'3'" in error["message"]
    assert r["4"]["headers"]["Content-Type"].startswith("application/json")
    assert error["innerError"]["request-id"] == r["4"]["headers"]["request-id"]
    assert count(client) == before + 3


def test_depends_on_matches_ids_ignoring_case(client):
    r = answers(batch(client, [get("Fails", "/nothing"), post("2", dependsOn=["fAILS"])]))
    assert r["2"]["status"] == 424


def test_unknown_properties_of_a_request_are_ignored(client):
    # The Python SDK sends "depends_on"; Graph ignores it (the request runs).
    r = answers(batch(client, [get("1", "/nothing"), post("2", depends_on=["1"], atomicityGroup="g")]))
    assert (r["1"]["status"], r["2"]["status"]) == (400, 201)


# ------------------------------------------------------------------------ malformed batches

def test_twenty_requests_run_and_twenty_one_do_not(client):
    before = count(client)
    r = answers(batch(client, [post(str(i)) for i in range(20)]))
    assert all(v["status"] == 201 for v in r.values()) and len(r) == 20
    assert count(client) == before + 20
    state = client.state()
    response = batch(client, [post(str(i)) for i in range(21)])
    assert_graph_error(response, 400, "BadRequest")
    assert "20" in response.get_json()["error"]["message"]
    assert client.state() == state


MALFORMED = {
    "not an object": [post("1")],
    "no requests": {"value": [post("1")]},
    "requests not a list": {"requests": post("1")},
    "empty": {"requests": []},
    "item not an object": {"requests": [post("1"), "GET /me"]},
    "duplicate ids ignoring case": {"requests": [post("a"), get("A", "/me")]},
    "missing id": {"requests": [post("1"), {"method": "GET", "url": "/me"}]},
    "empty id": {"requests": [post("1"), get("", "/me")]},
    "numeric id": {"requests": [post("1"), {"id": 2, "method": "GET", "url": "/me"}]},
    "missing method": {"requests": [post("1"), {"id": "2", "url": "/me"}]},
    "bad method": {"requests": [post("1"), {"id": "2", "method": "FETCH", "url": "/me"}]},
    "method not a string": {"requests": [post("1"), {"id": "2", "method": 1, "url": "/me"}]},
    "missing url": {"requests": [post("1"), {"id": "2", "method": "GET"}]},
    "blank url": {"requests": [post("1"), get("2", " ")]},
    "another host": {"requests": [post("1"), get("2", "https://graph.microsoft.com/beta/me")]},
    "scheme-relative host": {"requests": [post("1"), get("2", "//evil.example/beta/me")]},
    "same host other version": {"requests": [post("1"), get("2", "http://localhost/v1.0/me")]},
    "headers not an object": {"requests": [post("1"), get("2", "/me", headers=["a"])]},
    "header value not a string": {"requests": [post("1"), get("2", "/me", headers={"x-n": 1})]},
    "header with a newline": {"requests": [post("1"), get("2", "/me", headers={"x-n": "a\r\nb: c"})]},
    "dependsOn unknown id": {"requests": [post("1"), get("2", "/me", dependsOn=["9"])]},
    "dependsOn itself": {"requests": [post("1"), get("2", "/me", dependsOn=["2"])]},
    "dependsOn cycle": {"requests": [post("1", dependsOn=["3"]), get("2", "/me", dependsOn=["1"]),
                                     get("3", "/me", dependsOn=["2"])]},
    "dependsOn a later request": {"requests": [post("1", dependsOn=["2"]), get("2", "/me")]},
    "dependsOn not a list": {"requests": [post("1"), get("2", "/me", dependsOn="1")]},
}


@pytest.mark.parametrize("payload", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_batch_answers_400_and_runs_nothing(client, payload):
    before = client.state()
    response = client.post("/$batch", json=payload)
    assert_graph_error(response, 400, "BadRequest")
    assert client.state() == before


NESTED = ["/$batch", "$batch", "/%24batch", "/$BATCH", "/%24BaTcH", "/beta/$batch", "/v1.0/%24batch", "//$batch",
          "/./$batch", "/me/../$batch", "/me/%2E%2E/$batch", "%2F%24batch", "/%2F$batch", "/$batch/", "/$batch;x=1",
          "/$batch?x=1", "/$batch#x", "http://localhost/beta/%24batch", "http://localhost/beta//./$batch"]


@pytest.mark.parametrize("url", NESTED)
def test_a_nested_batch_in_any_spelling_is_refused_as_its_own_400(client, url):
    before = count(client)
    inner = {"requests": [post(str(i)) for i in range(20)]}
    items = [post("1"), {"id": "2", "method": "POST", "url": url, "headers": JSON, "body": inner},
             post("3", dependsOn=["2"]), post("4")]
    r = answers(batch(client, items))
    assert {k: v["status"] for k, v in r.items()} == {"1": 201, "2": 400, "3": 424, "4": 201}
    error = r["2"]["body"]["error"]
    assert error["code"] == "BadRequest" and "cannot be nested" in error["message"]
    assert r["2"]["headers"]["Content-Type"].startswith("application/json")
    assert count(client) == before + 2  # the inner 20 never ran


@pytest.mark.parametrize("url, status", [
    ("/%6De/profile/positions", 200),  # decoded once: /me/...
    ("/me%2Fprofile%2Fpositions", 200),  # %2F is a slash, as a server decodes a request line
    ("/me/./profile//positions", 200),
    ("/users/nobody/../../me/profile/positions", 200),
    ("/%2524batch", 400),  # decoded once: the segment '%24batch', which is not $batch but unknown
])
def test_item_urls_are_decoded_and_normalised_once(client, url, status):
    r = answers(batch(client, [get("1", url)]))["1"]
    assert r["status"] == status, r
    if status == 400:
        assert r["body"]["error"]["message"] == "Resource not found for the segment '%24batch'."


def test_the_journal_shows_an_item_at_its_normalised_path(client):
    answers(batch(client, [get("1", "/me/%2E/profile%2Fpositions?$top=1")]))
    entries = client.raw.get("/_mockgraph/requests").get_json()["value"]
    assert [(e["path"], e["query"]) for e in entries if e["batch"]] == [("/beta/me/profile/positions", {"$top": "1"})]


def test_cycle_and_forward_reference_are_named(client):
    cycle = batch(client, [post("1", dependsOn=["2"]), get("2", "/me", dependsOn=["1"])]).get_json()
    assert "cycle" in cycle["error"]["message"] and "1 -> 2 -> 1" in cycle["error"]["message"]
    forward = batch(client, [post("1", dependsOn=["2"]), get("2", "/me")]).get_json()
    assert "later" in forward["error"]["message"]


@pytest.mark.parametrize("body, content_type", [
    ("{not json", "application/json"), ('{"requests": [], "requests": []}', "application/json"),
    (json.dumps({"requests": [post("1")]}), "text/plain"),
])
def test_unreadable_batch_body_answers_400(client, body, content_type):
    before = client.state()
    response = client.post("/$batch", data=body, headers={"Content-Type": content_type})
    assert_graph_error(response, 400, "BadRequest")
    assert client.state() == before


# ------------------------------------------------------------------------ the official SDK

def test_sdk_batch_request_content_against_a_live_server():
    from msgraph_beta.generated.models.position_detail import PositionDetail
    from msgraph_beta.generated.models.work_position import WorkPosition
    from msgraph_core.requests.batch_request_builder import BatchRequestBuilder
    from msgraph_core.requests.batch_request_content import BatchRequestContent
    from msgraph_core.requests.batch_request_item import BatchRequestItem

    async def scenario(base_url: str):
        client = graph_client(base_url)
        positions = client.users.by_user_id(ADELE_UPN).profile.positions
        new = WorkPosition(detail=PositionDetail(job_title="Made by a batch"))
        content = BatchRequestContent({
            "list": BatchRequestItem(positions.to_get_request_information(), id="list"),
            "create": BatchRequestItem(client.me().profile.positions.to_post_request_information(new), id="create"),
            "missing": BatchRequestItem(positions.by_work_position_id("nope").to_delete_request_information(),
                                        id="missing"),
            "count": BatchRequestItem(positions.count.to_get_request_information(), id="count"),
        })
        result = await BatchRequestBuilder(client.request_adapter).post(content)
        statuses = result.get_response_status_codes()
        location = result.get_response_by_id("create").headers["Location"]
        counted = result.get_response_stream_by_id("count").read()  # the SDK base64-decodes string bodies
        created = await client.users.by_user_id(ADELE).profile.positions.by_work_position_id(
            location.rsplit("/", 1)[1]).get()
        return statuses, location, counted, created

    with ServedMock() as mock:
        statuses, location, counted, created = asyncio.run(scenario(mock.base_url))
    assert statuses == {"list": 200, "create": 201, "missing": 404, "count": 200}
    assert counted == b"4"  # the batch ran in order: three seeded positions and the new one
    assert location.startswith(f"{mock.base_url}/users/{ADELE}/profile/positions/")
    assert created.detail.job_title == "Made by a batch"


def test_an_item_query_with_raw_spaces_and_non_ascii_text_is_read_as_sent(client):
    created = client.post(POSITIONS, json={"detail": {"jobTitle": "Réalisatrice 2", "company": {
        "displayName": "x"}}}).get_json()["id"]
    for url in (f"{POSITIONS}?$filter=detail/jobTitle eq 'Réalisatrice 2'&$select=id",
                f"{POSITIONS}?$filter=detail/jobTitle%20eq%20'R%C3%A9alisatrice%202'&$select=id"):
        r = answers(batch(client, [get("1", url)]))["1"]
        assert r["status"] == 200 and [p["id"] for p in r["body"]["value"]] == [created], url
