"""The generative hostile-input suite (issue 10): hypothesis draws request bodies, headers, tokens, query
strings, `$batch` items and control API bodies from the whole Unicode range, lone surrogates included
(as JSON escapes and as raw bytes that are not UTF-8). Whatever comes in:

- no answer is a 5xx, and every JSON answer is UTF-8;
- a 4xx changed nothing stored;
- the state and the journal stay readable (`GET /_mockgraph/state` and `/requests` answer 200 JSON).

Seeded (`derandomize=True`, no example database) and bounded (`max_examples`): the same cases on every
run. In process for speed, where the transport does not matter; a few cases over real HTTP for what
only a socket carries (raw bytes in the URL and in headers).
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote_from_bytes

import pytest
from conftest import ADELE, ADELE_UPN, SEED_PAGE_ID, GraphTestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live import ServedMock
from rawhttp import send, stored_state

from mockgraph import create_app

SETTINGS = dict(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
EXAMPLES = 100  # per in-process test
HTTP_EXAMPLES = 25  # per test over real HTTP

POSITIONS = f"/users/{ADELE}/profile/positions"
ITEM = f"{POSITIONS}/{SEED_PAGE_ID}"
TARGETS = [POSITIONS, ITEM, "/me/profile/positions", f"/users/{ADELE_UPN}/profile/positions/$count"]

# Characters: anything Unicode has, lone surrogates often, and the ones parsers trip on.
# (Mapped from integers: hypothesis would merge a characters() strategy into the union of code points,
# where 2,048 surrogates out of 1.1 million would hardly ever be drawn.)
SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)
TRICKY = st.sampled_from('"\\/\x00\n\r\t\u2028\ufeff\ufffd%\'()$,')
CLEAN_TEXT = st.text(st.one_of(st.characters(), TRICKY), max_size=12)
# About half the bodies hold a lone surrogate somewhere; the rest get past the checks to the store.
TEXT = st.one_of(CLEAN_TEXT, CLEAN_TEXT, CLEAN_TEXT, CLEAN_TEXT,
                 st.text(st.one_of(st.characters(), SURROGATES, TRICKY), max_size=12))
PROPERTY_NAMES = st.sampled_from([
    "detail", "jobTitle", "company", "displayName", "address", "city", "categories", "colleagues", "manager",
    "isCurrent", "allowedAudiences", "inference", "confidenceScore", "startMonthYear", "layer", "@odata.type",
    "id", "users", "positions", "userPrincipalName", "path", "effect", "status", "delayMs", "set", "advance",
])
KEYS = st.one_of(PROPERTY_NAMES, TEXT)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40),
                    st.floats(allow_nan=False, allow_infinity=False), TEXT)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(KEYS, inner, max_size=5)),
                           max_leaves=20)


def position_like(text=TEXT) -> st.SearchStrategy[dict]:
    """A position that is valid in shape, with hostile strings where the strings go: gets past the
    schema to the store whenever its strings are text."""
    company = st.fixed_dictionaries({"displayName": text}, optional={"department": text,
                                                                      "address": st.fixed_dictionaries({"city": text})})
    return st.fixed_dictionaries(
        {"detail": st.fixed_dictionaries({"company": company}, optional={"jobTitle": text, "role": text})},
        optional={"categories": st.lists(text, max_size=3), "isCurrent": st.booleans(),
                  "colleagues": st.lists(st.fixed_dictionaries({"displayName": text}), max_size=2),
                  "manager": st.fixed_dictionaries({"displayName": text, "userPrincipalName": text})},
    )


BODIES = st.one_of(position_like(), JSON_VALUES, st.dictionaries(KEYS, JSON_VALUES, max_size=4))


def encodings(value) -> st.SearchStrategy[bytes]:
    """The ways a body reaches the server: JSON with escapes (a lone surrogate as `\\ud800`), raw UTF-8
    (a lone surrogate as the bytes ED A0 80, which are not UTF-8), or those bytes with a byte flipped."""
    escaped = json.dumps(value).encode("ascii")
    raw = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return st.one_of(st.just(escaped), st.just(raw),
                     st.tuples(st.integers(0, max(len(raw) - 1, 0)), st.integers(0, 255)).map(
                         lambda at: raw[:at[0]] + bytes([at[1]]) + raw[at[0] + 1:]))


ENCODED_BODIES = BODIES.flatmap(encodings)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


CLAIMS = st.dictionaries(st.one_of(st.sampled_from(["oid", "upn", "preferred_username", "name", "scp", "roles",
                                                    "appid", "azp", "exp", "app_displayname"]), TEXT),
                         JSON_VALUES, max_size=5)
TOKENS = st.one_of(
    CLAIMS.flatmap(encodings).map(lambda payload: f"{b64(b'{}')}.{b64(payload)}."),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0xFF), min_size=1, max_size=40),
)
# What a header value can be from an in-process caller (anything but line breaks, which the test client
# itself refuses) and over HTTP (ISO-8859-1 bytes).
HEADER_VALUES = st.text(st.one_of(st.characters(exclude_characters="\r\n\x00"), SURROGATES), max_size=20)
HEADER_NAMES = st.sampled_from(["X-Anything", "client-request-id", "Accept", "Prefer", "ConsistencyLevel",
                                "Content-Type", "If-Match", "Origin"])
QUERY_NAMES = st.sampled_from(["$filter", "$orderby", "$select", "$top", "$skip", "$count", "$skiptoken",
                               "$search", "x"])
# A query value's bytes: UTF-8 of any text (lone surrogates encoded as they would be), or any bytes.
QUERY_BYTES = st.one_of(TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=12))
QUERIES = st.lists(st.tuples(QUERY_NAMES, QUERY_BYTES), min_size=1, max_size=3).map(
    lambda pairs: "&".join(f"{name}={quote_from_bytes(value, safe='')}" for name, value in pairs))
BATCH_ITEMS = st.lists(st.fixed_dictionaries({
    "id": st.one_of(TEXT, st.integers(0, 30).map(str)),
    "method": st.sampled_from(["GET", "POST", "PATCH", "DELETE", "get", "PUT"]),
    "url": st.one_of(st.sampled_from(TARGETS), TEXT.map(lambda t: "/me/profile/positions/" + t),
                     QUERIES.map(lambda q: f"{POSITIONS}?{q}")),
}, optional={"headers": st.dictionaries(st.one_of(HEADER_NAMES, TEXT), HEADER_VALUES, max_size=3),
             "body": st.one_of(position_like(), JSON_VALUES), "dependsOn": st.lists(TEXT, max_size=2)}),
    min_size=1, max_size=4)
BATCH_BODIES = st.one_of(BATCH_ITEMS.map(lambda items: {"requests": items}), JSON_VALUES).flatmap(encodings)
SEED_BODIES = st.one_of(
    st.lists(st.fixed_dictionaries({"id": st.sampled_from([ADELE, "0b6d9a5e-0000-4000-8000-000000000001"]),
                                    "userPrincipalName": TEXT.map(lambda t: t + "@contoso.com")},
                                   optional={"displayName": TEXT, "positions": st.lists(position_like(),
                                                                                        max_size=2)}),
             max_size=2).map(lambda users: {"users": users}),
    JSON_VALUES,
).flatmap(encodings)
FAULT_BODIES = st.one_of(
    st.fixed_dictionaries({"path": TEXT.map(lambda t: "/" + t), "effect": st.sampled_from(["fail", "delay"])},
                          optional={"id": TEXT, "user": TEXT, "status": st.integers(100, 599), "methods":
                                    st.lists(TEXT, max_size=2)}),
    JSON_VALUES,
).flatmap(encodings)
CLOCK_BODIES = st.one_of(st.dictionaries(st.sampled_from(["set", "advance", "release"]), SCALARS, max_size=2),
                         JSON_VALUES).flatmap(encodings)


@pytest.fixture(scope="module")
def client():
    # A short journal: the suite reads the whole journal after every example.
    return GraphTestClient(create_app(strict=True, journal_size=10))


def fresh(client: GraphTestClient) -> str:
    """Start an example from the seeded state (what earlier examples created would slow every check,
    and control bodies can add fault rules, whose 5xx are on purpose, or move the clock); the state."""
    assert client.post("/_mockgraph/reset").status_code == 204
    return client.state()


def check(client: GraphTestClient, response, before: str) -> None:
    """The suite's invariants, after one hostile request."""
    assert response.status_code < 500, response.get_data()[:500]
    if (response.headers.get("Content-Type") or "").startswith("application/json"):
        json.loads(response.get_data().decode("utf-8"))  # strict UTF-8, then JSON
    if 400 <= response.status_code < 500:
        assert client.state() == before, f"a {response.status_code} changed the stored state"
    for path in ("/_mockgraph/state", "/_mockgraph/requests"):
        readable = client.get(path)
        assert readable.status_code == 200, (path, readable.get_data()[:300])
        json.loads(readable.get_data().decode("utf-8"))


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(method=st.sampled_from(["POST", "PATCH"]), body=ENCODED_BODIES,
       content_type=st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain"]))
def test_bodies(client, method, body, content_type):
    before = fresh(client)
    response = client.request(method, POSITIONS if method == "POST" else ITEM, data=body,
                              headers={"Content-Type": content_type})
    check(client, response, before)


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(headers=st.dictionaries(HEADER_NAMES, HEADER_VALUES, min_size=1, max_size=3), body=position_like())
def test_headers(client, headers, body):
    before = fresh(client)
    response = client.post(POSITIONS, data=json.dumps(body), headers={"Content-Type": "application/json", **headers})
    check(client, response, before)


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(token=TOKENS, method=st.sampled_from(["GET", "POST"]), body=position_like())
def test_tokens(client, token, method, body):
    before = fresh(client)
    response = client.request(method, "/me/profile/positions", token=token,
                              data=json.dumps(body) if method == "POST" else None,
                              headers={"Content-Type": "application/json"})
    check(client, response, before)


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(target=st.sampled_from(TARGETS), query=QUERIES)
def test_query_strings(client, target, query):
    before = fresh(client)
    check(client, client.get(f"{target}?{query}"), before)


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(body=BATCH_BODIES)
def test_batch_items(client, body):
    before = fresh(client)
    response = client.post("/$batch", data=body, headers={"Content-Type": "application/json"})
    check(client, response, before)
    if response.status_code == 200:
        for answer in response.get_json()["responses"]:
            assert answer["status"] < 500, answer


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(path=st.sampled_from(["/_mockgraph/seed", "/_mockgraph/faults", "/_mockgraph/clock"]), data=st.data())
def test_control_api_bodies(client, path, data):
    strategy = {"/_mockgraph/seed": SEED_BODIES, "/_mockgraph/faults": FAULT_BODIES,
                "/_mockgraph/clock": CLOCK_BODIES}[path]
    body = data.draw(strategy)
    before = fresh(client)
    check(client, client.post(path, data=body, headers={"Content-Type": "application/json"}), before)


# Over real HTTP: bytes only a socket carries, into a real server's parser.

@pytest.fixture(scope="module")
def served():
    with ServedMock("--journal-size", "20") as mock:
        yield mock
        log = mock.stop()
    assert "Traceback" not in log


def check_http(base_url: str, answer, before: bytes) -> None:
    assert answer.status < 500, answer.body[:500]
    if (answer.header("Content-Type") or "").startswith("application/json"):
        json.loads(answer.body.decode("utf-8"))
    if 400 <= answer.status < 500:
        assert stored_state(base_url) == before
    for path in ("/_mockgraph/state", "/_mockgraph/requests"):
        readable = send(base_url, "GET", path)
        assert readable.status == 200
        json.loads(readable.body.decode("utf-8"))


@settings(max_examples=HTTP_EXAMPLES, **SETTINGS)
@given(body=ENCODED_BODIES, path_bytes=st.one_of(st.just(b""), st.binary(min_size=1, max_size=6)),
       query=st.one_of(st.just(""), QUERIES),
       header=st.binary(max_size=16).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")))
def test_over_http(served, body, path_bytes, query, header):
    before = stored_state(served.base_url)
    target = POSITIONS + (("/" + quote_from_bytes(path_bytes, safe="")) if path_bytes else "")
    target += f"?{query}" if query else ""
    answer = send(served.base_url, "PATCH" if path_bytes else "POST", target,
                  (("Authorization", "Bearer x"), ("Content-Type", "application/json"),
                   ("client-request-id", header.decode("latin-1"))), body)
    check_http(served.base_url, answer, before)
