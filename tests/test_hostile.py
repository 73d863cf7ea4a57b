"""Hostile input over real HTTP: every case gets a clear 4xx in Graph's envelope (or the WSGI server's
own 431 for headers over its limit), never a 5xx or a trace, and the stored state is byte-identical
before and after."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

import pytest
from conftest import ADELE, ADELE_UPN, SEED_PAGE_ID
from live import ServedMock
from rawhttp import assert_graph_error, assert_reveals_nothing, send, stored_state

from mockgraph.graph.tokens import b64url, make_token

POSITIONS = f"/users/{ADELE}/profile/positions"
ITEM = f"{POSITIONS}/{SEED_PAGE_ID}"
BEARER = ("Authorization", "Bearer x")
JSON = ("Content-Type", "application/json")
DETAIL = {"jobTitle": "Hostile", "company": {"displayName": "Fabrikam"}}
MAX_HEADER = 262_144  # waitress's default max_request_header_size


@dataclass(frozen=True)
class Case:
    name: str
    status: int
    method: str = "POST"
    target: str = POSITIONS
    body: bytes | None = None
    headers: tuple = (BEARER, JSON)
    chunks: list | None = field(default=None, hash=False)


def body(value) -> bytes:
    return json.dumps(value).encode()


def position(**properties) -> bytes:
    """A create body: a valid detail unless given, plus the properties."""
    return body({"detail": DETAIL, **properties})


def with_detail(**properties) -> bytes:
    return body({"detail": {**DETAIL, **properties}})


def with_company(**properties) -> bytes:
    return with_detail(company={"displayName": "Fabrikam", **properties})


def with_score(raw: bytes) -> bytes:
    """A create body whose inference.confidenceScore is the raw JSON text given."""
    return b'{"detail": {"jobTitle": "a"}, "inference": {"confidenceScore": ' + raw + b"}}"


def jwt(payload: bytes) -> str:
    return f"Bearer {b64url(b'{}')}.{b64url(payload)}."


def nested(depth: int, leaf: str = "1") -> bytes:
    return ('{"detail":' + '{"a":' * depth + leaf + "}" * depth + "}").encode()


CASES = [
    # Bodies that are not JSON, or not JSON Graph reads
    Case("not JSON", 400, body=b"hello, graph"),
    Case("empty body", 400, body=b""),
    Case("invalid UTF-8", 400, body=b'{"detail": {"jobTitle": "\xff\xfe\xfd"}}'),
    Case("UTF-16 body", 400, body='{"detail": {"jobTitle": "x"}}'.encode("utf-16"),
         headers=(BEARER, ("Content-Type", "application/json; charset=utf-16"))),
    Case("duplicate keys", 400, body=b'{"detail": {"jobTitle": "a"}, "detail": {"jobTitle": "b"}}'),
    Case("duplicate keys, nested", 400, body=b'{"detail": {"jobTitle": "a", "jobTitle": "b"}}'),
    Case("10,000-deep arrays", 400, body=b"[" * 10_000 + b"]" * 10_000),
    Case("10,000-deep objects", 400, body=nested(10_000)),
    Case("10 MB string", 413, body=with_detail(jobTitle="x" * 10_000_000)),
    Case("NaN literal", 400, body=with_score(b"NaN")),
    Case("-Infinity literal", 400, body=with_score(b"-Infinity")),
    Case("1e400 (not a finite double)", 400, body=with_score(b"1e400")),
    Case("400-digit double", 400, body=with_score(b"9" * 400)),
    Case("int32 + 1", 400, body=with_detail(layer=2**31)),
    Case("int32 - 1", 400, body=with_detail(layer=-(2**31) - 1)),
    Case("5,000-digit integer", 400, body=b'{"detail": {"layer": ' + b"9" * 5000 + b"}}"),
    Case("fraction for int32", 400, body=with_detail(layer=1.5)),
    # Wrong types at every level; arrays where objects belong and back
    Case("body is an array", 400, body=body([{"detail": DETAIL}])),
    Case("body is a string", 400, body=body("position")),
    Case("body is null", 400, body=b"null"),
    Case("detail is an array", 400, body=body({"detail": [DETAIL]})),
    Case("detail is a string", 400, body=body({"detail": "Engineer"})),
    Case("company is an array", 400, body=with_detail(company=[{"displayName": "Fabrikam"}])),
    Case("address is a number", 400, body=with_company(address=5)),
    Case("address.city is an object", 400, body=with_company(address={"city": {"name": "Oslo"}})),
    Case("colleagues is an object", 400, body=position(colleagues={"displayName": "Nestor"})),
    Case("colleagues[0] is a string", 400, body=position(colleagues=["Nestor"])),
    Case("categories is a string", 400, body=position(categories="engineering")),
    Case("categories[0] is an object", 400, body=position(categories=[{"name": "x"}])),
    Case("manager is an array", 400, body=position(manager=[{"displayName": "Nestor"}])),
    Case("isCurrent is a string", 400, body=position(isCurrent="true")),
    Case("confidenceScore is a string", 400, body=position(inference={"confidenceScore": "high"})),
    Case("allowedAudiences is an array", 400, body=position(allowedAudiences=["me"])),
    Case("invalid date", 400, body=with_detail(startMonthYear="2020-02-30")),
    Case("@odata.type is a number", 400, body=position(**{"@odata.type": 5})),
    Case("@odata.type of another type", 400, body=position(**{"@odata.type": "#microsoft.graph.user"})),
    Case("unknown property", 400, body=position(salary=1)),
    # Unknown enum values
    Case("unknown allowedAudiences", 400, body=position(allowedAudiences="everyone,world")),
    Case("empty allowedAudiences member", 400, body=position(allowedAudiences="me,,family")),
    Case("unknown relationship", 400, body=position(manager={"displayName": "N", "relationship": "boss"})),
    Case("unknown address type", 400, body=with_company(address={"type": "castle"})),
    # Nulls where Graph forbids them
    Case("detail missing", 400, body=body({"isCurrent": True})),
    Case("detail null", 400, body=body({"detail": None})),
    Case("company.displayName null", 400, body=with_detail(company={"displayName": None})),
    Case("company without displayName", 400, body=with_detail(company={"department": "R&D"})),
    Case("null colleague", 400, body=position(colleagues=[None])),
    Case("PATCH detail to null", 400, method="PATCH", target=ITEM, body=body({"detail": None})),
    Case("PATCH company name to null", 400, method="PATCH", target=ITEM,
         body=body({"detail": {"company": {"displayName": None}}})),
    Case("PATCH with an array body", 400, method="PATCH", target=ITEM, body=body([{"isCurrent": False}])),
    # Ids and UPNs: traversal, NUL, quotes, 10,000 characters
    Case("user ../ encoded", 400, method="GET", target="/users/..%2F..%2Fetc%2Fpasswd/profile/positions"),
    Case("user ../ raw", 400, method="GET", target="/users/../../etc/passwd/profile/positions"),
    Case("UPN with traversal", 404, method="GET", target=f"/users/..%5C..%5C{ADELE_UPN}/profile/positions"),
    Case("user %00", 404, method="GET", target="/users/%00/profile/positions"),
    Case("user with quotes", 404, method="GET", target="/users/%27%22%3B--/profile/positions"),
    Case("user of 10,000 characters", 404, method="GET", target=f"/users/{'a' * 10_000}/profile/positions"),
    Case("user of invalid UTF-8", 400, method="GET", target="/users/%FF%FE/profile/positions"),
    Case("item %00", 404, method="PATCH", target=f"{POSITIONS}/%00", body=body({"isCurrent": False})),
    Case("item with quotes", 404, method="DELETE", target=f"{POSITIONS}/%27)%20or%201%20eq%201--"),
    Case("item of 10,000 characters", 404, method="DELETE", target=f"{POSITIONS}/{'9' * 10_000}"),
    Case("item ../ of another user", 400, method="DELETE", target=f"{POSITIONS}/..%2F..%2F{ADELE}"),
    # Query options: unknown, duplicated, out of range, too deep
    Case("unknown $ option", 400, method="GET", target=f"{POSITIONS}?$foo=1"),
    Case("$expand", 400, method="GET", target=f"{POSITIONS}?$expand=manager"),
    Case("$top twice", 400, method="GET", target=f"{POSITIONS}?$top=1&$top=2"),
    Case("$top and top", 400, method="GET", target=f"{POSITIONS}?$top=1&top=2"),
    Case("$top of 5,000 digits", 400, method="GET", target=f"{POSITIONS}?$top={'9' * 5000}"),
    Case("$skip negative", 400, method="GET", target=f"{POSITIONS}?$skip=-1"),
    Case("$filter 10,000 deep", 400, method="GET",
         target=f"{POSITIONS}?$filter={'(' * 10_000}isCurrent{')' * 10_000}"),
    Case("$filter number of 5,000 digits", 400, method="GET",
         target=f"{POSITIONS}?$filter=detail/layer%20eq%20{'9' * 5000}"),
    Case("$orderby unknown", 400, method="GET", target=f"{POSITIONS}?$orderby=salary"),
    Case("$skiptoken forged", 400, method="GET", target=f"{POSITIONS}?$skiptoken={'A' * 1000}"),
    Case("option on a create", 400, target=f"{POSITIONS}?$select=id", body=position()),
    # Content-Type: wrong, missing, conflicting
    Case("no Content-Type", 400, body=position(), headers=(BEARER,)),
    Case("text/plain", 400, body=position(), headers=(BEARER, ("Content-Type", "text/plain"))),
    Case("XML", 400, body=b"<workPosition/>", headers=(BEARER, ("Content-Type", "application/xml"))),
    Case("form data", 400, body=b"detail=x", headers=(BEARER, ("Content-Type", "application/x-www-form-urlencoded"))),
    Case("two Content-Types", 400, body=position(), headers=(BEARER, JSON, ("Content-Type", "text/plain"))),
    # Methods the route lacks
    Case("PUT an item", 405, method="PUT", target=ITEM, body=position()),
    Case("POST to an item", 405, method="POST", target=ITEM, body=position()),
    Case("DELETE the collection", 405, method="DELETE", target=POSITIONS),
    Case("PATCH $count", 405, method="PATCH", target=f"{POSITIONS}/$count", body=position()),
    Case("DELETE $count", 405, method="DELETE", target=f"{POSITIONS}/$count"),
    Case("POST to a user", 405, method="POST", target=f"/users/{ADELE}", body=position()),
    Case("made-up method", 405, method="BREW", target=POSITIONS),
    # Authorization: missing, not Bearer, garbage JWTs, huge
    Case("no token", 401, method="GET", target=POSITIONS, headers=()),
    Case("Basic", 401, method="GET", target=POSITIONS, headers=(("Authorization", "Basic dXNlcjpwYXNz"),)),
    Case("Bearer and nothing", 401, method="GET", target=POSITIONS, headers=(("Authorization", "Bearer "),)),
    Case("JWT of garbage", 401, method="GET", target=POSITIONS, headers=(("Authorization", "Bearer a.b.c"),)),
    Case("JWT of symbols", 401, method="GET", target=POSITIONS, headers=(("Authorization", "Bearer !!.@@.##"),)),
    Case("JWT claims an array", 401, method="GET", target=POSITIONS,
         headers=(("Authorization", jwt(b'["oid"]')),)),
    Case("JWT claims 10,000 deep", 401, method="GET", target=POSITIONS,
         headers=(("Authorization", jwt(b"[" * 10_000 + b"]" * 10_000)),)),
    Case("JWT expired", 401, method="POST", body=position(),
         headers=(("Authorization", f"Bearer {make_token(expires_in=-60)}"), JSON)),
    Case("huge, not Bearer", 401, method="GET", target=POSITIONS,
         headers=(("Authorization", "Basic " + "A" * 100_000),)),
    Case("huge JWT of garbage", 401, method="GET", target=POSITIONS,
         headers=(("Authorization", "Bearer a." + base64.urlsafe_b64encode(b"\xff" * 75_000).decode() + ".c"),)),
    Case("over the server's header limit", 431, method="GET", target=POSITIONS,
         headers=(("Authorization", "Bearer " + "x" * MAX_HEADER),)),
    # The body limit applies before anything is parsed, however the body comes
    Case("chunked body over the limit", 413, body=None, chunks=[b"x" * 1_000_000] * 5),
    Case("GET with a body over the limit", 413, method="GET", target=POSITIONS, body=b"[" * 5_000_000),
]


@pytest.fixture(scope="module")
def mock():
    with ServedMock() as served:
        yield served
        log = served.stop()
    assert "Traceback" not in log  # no unexpected exception was logged either


def test_catalog_is_large_enough():
    assert len(CASES) >= 40 and len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input_gets_a_clean_4xx_and_changes_nothing(mock, case):
    before = stored_state(mock.base_url)
    answer = send(mock.base_url, case.method, case.target, case.headers, case.body, case.chunks)
    assert_reveals_nothing(answer.body.decode("utf-8", "replace"))
    if case.status == 431:
        assert answer.status == 431  # waitress's own answer, before the app
    else:
        assert_graph_error(answer, case.status)
    assert stored_state(mock.base_url) == before

