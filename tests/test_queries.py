"""CONTRACT §5 over HTTP: the query options wired into the list, get and $count routes, paging by
@odata.nextLink, and docs/queries.md's list of filterable paths."""

from __future__ import annotations

import json
import random
import re
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from conftest import GraphTestClient, assert_graph_error
from live import ServedMock

from mockgraph import create_app
from mockgraph.graph.schemas import WorkPositionSchema, property_types

DATA = Path(__file__).parent / "data" / "queries.json"
QUERIES_PAGE = Path(__file__).parent.parent / "docs" / "queries.md"
QUINN = "0000000a-0000-4000-8000-0000000000aa"
POSITIONS = f"/users/{QUINN}/profile/positions"


def pid(n: int) -> str:
    """The id of position n in tests/data/queries.json."""
    return f"0000000a-0000-4000-8000-{n:012d}"


# Quinn's positions in the default order (createdDateTime, then id): 7 was created first.
DEFAULT_ORDER = [pid(n) for n in (7, 1, 2, 3, 4, 5, 6, 8)]


@pytest.fixture
def app():
    return create_app(strict=True, fixtures=[str(DATA)])


def ids(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [p["id"] for p in response.get_json()["value"]]


def follow(client: GraphTestClient, first_url: str, **kw) -> list[dict]:
    """Every page from `first_url` on, following @odata.nextLink through the test client."""
    pages = [client.get(first_url, **kw)]
    while "@odata.nextLink" in pages[-1].get_json():
        link = urlsplit(pages[-1].get_json()["@odata.nextLink"])
        assert link.scheme == "http" and link.netloc == "localhost"
        pages.append(client.get(f"{link.path}?{link.query}", **kw))
    for page in pages:
        assert page.status_code == 200, page.get_data(as_text=True)
    return [page.get_json() for page in pages]


# ------------------------------------------------------------------------------------ $filter

FILTERS = [
    ("isCurrent eq true", {3, 6}),
    ("isCurrent eq false", {1, 2, 4, 7, 8}),
    ("isCurrent ne true", {1, 2, 4, 5, 7, 8}),
    ("not isCurrent", {1, 2, 4, 7, 8}),
    ("isCurrent eq null", {5}),
    ("detail/company/displayName eq 'contoso'", {1, 2, 6, 8}),
    ("detail/company/department eq 'ENGINEERING'", {1, 2, 6, 8}),
    ("startswith(detail/jobTitle,'senior')", {2}),
    ("endswith(detail/jobTitle,'Engineer')", {1, 2, 6, 8}),
    ("contains(detail/jobTitle,'engineer')", {1, 2, 3, 6, 8}),
    ("detail/jobTitle eq null", {7}),
    ("detail/layer ge 4", {3, 6, 8}),
    ("detail/layer lt 2", {5, 7}),
    ("detail/startMonthYear ge 2020-01-01", {3, 6, 8}),
    ("detail/startMonthYear lt '2013-06-01'", {5, 7}),
    ("detail/endMonthYear eq null", {3, 6, 8}),
    ("detail/company/address/city eq 'Seattle'", {1, 6, 8}),
    ("detail/company/address/city eq null", {4}),
    ("detail/company/displayName eq 'O''Neil Partners'", {5}),
    ("categories/any(c: c eq 'backend')", {1, 6, 8}),
    ("categories/any()", {1, 2, 3, 6, 8}),
    ("not categories/any()", {4, 5, 7}),
    ("allowedAudiences eq 'me'", {2}),
    ("allowedAudiences ne 'organization'", {2, 6, 7}),
    ("manager/displayName eq 'Megan Bowen' and detail/layer gt 2", {2, 8}),
    ("detail/company/address/countryOrRegion eq 'United Kingdom' or detail/company/address/type eq 'home'", {3, 7}),
    ("createdDateTime ge 2021-01-01T00:00:00Z", {6, 8}),
    ("createdDateTime lt 2020-01-01", {7}),
    ("inference/confidenceScore gt 0.8", {1, 8}),
    ("(isCurrent eq true or detail/layer eq 0) and detail/company/address/city ne 'London'", {6, 7}),
    ("manager/relationship eq 'manager'", {1, 2, 3, 8}),
    (f"id eq '{pid(5)}'", {5}),
    ("detail/company/displayName eq 'Contoso' and isCurrent eq true", {6}),
]


@pytest.mark.parametrize("expression, expected", FILTERS, ids=[f for f, _ in FILTERS])
def test_filter_selects_exactly(client, expression, expected):
    # Riley's own "Software Engineer at Contoso" must never show up in Quinn's list.
    got = ids(client.get(POSITIONS, query_string={"$filter": expression}))
    assert got == [p for p in DEFAULT_ORDER if p in {pid(n) for n in expected}]


@pytest.mark.parametrize("expression", [
    "bogus eq 1",
    "isCurrent eq",
    "detail/layer eq 'x'",
    "detail eq null",
    "categories eq 'x'",
    "isCurrent gt true",
    "startswith(detail/jobTitle, 1)",
    "detail/startMonthYear ge 2020-13-01",
    "(isCurrent eq true",
    "detail/jobTitle eq 'unterminated",
    "categories/any(c: c eq 1)",
    "isCurrent eq true and",
])
def test_bad_filter_answers_400(client, expression):
    error = assert_graph_error(client.get(POSITIONS, query_string={"$filter": expression}), 400, "BadRequest")
    assert error["message"].startswith("Invalid filter clause")


def test_bad_filter_wins_over_unknown_user(client):
    # CONTRACT §2: query options are checked before the user is looked up.
    response = client.get("/users/nobody@queries.test/profile/positions", query_string={"$filter": "bogus eq 1"})
    assert_graph_error(response, 400, "BadRequest")


# ----------------------------------------------------------------------------------- $orderby

@pytest.mark.parametrize("orderby, expected", [
    ("detail/layer desc", [8, 6, 3, 2, 1, 5, 7, 4]),  # null layer last when descending
    ("detail/layer", [4, 7, 5, 1, 2, 3, 6, 8]),  # ... and first ascending
    ("detail/company/displayName", [1, 2, 6, 8, 3, 7, 5, 4]),  # case ignored, ties by createdDateTime
    ("isCurrent desc,detail/startMonthYear", [3, 6, 7, 4, 1, 2, 8, 5]),
    ("createdDateTime desc", [8, 6, 5, 4, 3, 2, 1, 7]),
])
def test_orderby(client, orderby, expected):
    assert ids(client.get(POSITIONS, query_string={"$orderby": orderby})) == [pid(n) for n in expected]


@pytest.mark.parametrize("orderby", ["bogus", "detail", "categories", "detail/layer sideways", "isCurrent,isCurrent"])
def test_bad_orderby_answers_400(client, orderby):
    error = assert_graph_error(client.get(POSITIONS, query_string={"$orderby": orderby}), 400, "BadRequest")
    assert error["message"].startswith("Invalid $orderby")


# ---------------------------------------------------------------------------- $select, $top, $skip

def test_select_on_list(client):
    body = client.get(POSITIONS, query_string={"$select": "isCurrent,detail"}).get_json()
    assert [p["id"] for p in body["value"]] == DEFAULT_ORDER
    assert all(set(p) == {"id", "isCurrent", "detail"} for p in body["value"])
    assert body["value"][-1]["detail"]["jobTitle"] == "Principal Engineer"


def test_select_on_get(client):
    response = client.get(f"{POSITIONS}/{pid(3)}", query_string={"$select": "categories"})
    assert response.status_code == 200
    body = response.get_json()
    assert {k for k in body if not k.startswith("@")} == {"id", "categories"}
    assert body["categories"] == ["management", "engineering"]
    assert body["@odata.context"].endswith("/profile/positions/$entity")


@pytest.mark.parametrize("path", [POSITIONS, f"{POSITIONS}/{pid(1)}"])
def test_select_unknown_property_answers_400(client, path):
    assert_graph_error(client.get(path, query_string={"$select": "id,salary"}), 400, "BadRequest",
                       "Could not find a property named 'salary' on type 'microsoft.graph.workPosition'.")


def test_get_accepts_only_select(client):
    assert_graph_error(client.get(f"{POSITIONS}/{pid(1)}", query_string={"$top": "1"}), 400, "BadRequest",
                       "The query parameter '$top' is not supported.")


def test_top_and_skip(client):
    assert ids(client.get(POSITIONS, query_string={"$top": "3"})) == DEFAULT_ORDER[:3]
    assert ids(client.get(POSITIONS, query_string={"$skip": "2"})) == DEFAULT_ORDER[2:]
    assert ids(client.get(POSITIONS, query_string={"$skip": "2", "$top": "2"})) == DEFAULT_ORDER[2:4]
    assert ids(client.get(POSITIONS, query_string={"$top": "999"})) == DEFAULT_ORDER
    assert ids(client.get(POSITIONS, query_string={"$skip": "50"})) == []


@pytest.mark.parametrize("value", ["0", "1000", "-1", "abc", "", "1.5"])
def test_top_out_of_range_answers_400(client, value):
    assert_graph_error(client.get(POSITIONS, query_string={"$top": value}), 400, "BadRequest",
                       f"Invalid page size specified: '{value}'. Must be between 1 and 999 inclusive.")


@pytest.mark.parametrize("value", ["-1", "x", ""])
def test_bad_skip_answers_400(client, value):
    error = assert_graph_error(client.get(POSITIONS, query_string={"$skip": value}), 400, "BadRequest")
    assert "$skip" in error["message"] and f"'{value}'" in error["message"]


# ------------------------------------------------------------------------------------ $count

def test_count_option_counts_matches_before_paging(client):
    body = client.get(POSITIONS, query_string={"$count": "true", "$filter": "isCurrent eq false",
                                                "$top": "2", "$skip": "1"}).get_json()
    assert body["@odata.count"] == 5
    assert [p["id"] for p in body["value"]] == [pid(1), pid(2)]
    assert "@odata.count" not in client.get(POSITIONS, query_string={"$count": "false"}).get_json()
    assert "@odata.count" not in client.get(POSITIONS).get_json()


def test_count_segment_honours_filter(client):
    response = client.get(f"{POSITIONS}/$count", query_string={"$filter": "isCurrent eq true"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "2"
    assert client.get(f"{POSITIONS}/$count").get_data(as_text=True) == "8"
    assert client.get(f"{POSITIONS}/$count", query_string={"filter": "detail/layer ge 4"}).get_data(as_text=True) == "3"


@pytest.mark.parametrize("query", [{"$top": "1"}, {"$filter": "bogus eq 1"}, {"$orderby": "id"}, {"$count": "true"}])
def test_count_segment_rejects_other_options(client, query):
    assert_graph_error(client.get(f"{POSITIONS}/$count", query_string=query), 400, "BadRequest")


@pytest.mark.parametrize("value", ["yes", "1", ""])
def test_bad_count_value_answers_400(client, value):
    assert_graph_error(client.get(POSITIONS, query_string={"$count": value}), 400, "BadRequest")


# ------------------------------------------------------- $-less forms, duplicates, unsupported options

def test_dollarless_forms_mean_the_options(client):
    plain = client.get(POSITIONS, query_string={
        "filter": "contains(detail/jobTitle,'engineer')", "orderby": "detail/layer desc",
        "select": "detail", "top": "2", "skip": "1", "count": "true"}).get_json()
    dollar = client.get(POSITIONS, query_string={
        "$filter": "contains(detail/jobTitle,'engineer')", "$orderby": "detail/layer desc",
        "$select": "detail", "$top": "2", "$skip": "1", "$count": "true"}).get_json()
    assert [p["id"] for p in plain["value"]] == [pid(6), pid(3)]
    assert plain["value"] == dollar["value"]
    assert plain["@odata.count"] == dollar["@odata.count"] == 5
    assert set(plain["value"][0]) == {"id", "detail"}


@pytest.mark.parametrize("query, name", [
    ("$top=1&$top=2", "$top"),
    ("$top=1&top=2", "$top"),
    ("filter=isCurrent eq true&$filter=isCurrent eq false", "$filter"),
    ("$select=id&select=id", "$select"),
    ("$count=true&$count=true", "$count"),
])
def test_option_given_twice_answers_400(client, query, name):
    assert_graph_error(client.get(f"{POSITIONS}?{query}"), 400, "BadRequest",
                       f"Query option '{name}' was specified more than once, but it must be specified at most once.")


@pytest.mark.parametrize("query, name", [
    ("$expand=manager", "$expand"), ("$search=engineer", "$search"), ("search=engineer", "$search"),
    ("expand=detail", "$expand"), ("$foo=1", "$foo"), ("$format=json", "$format"), ("$Top=1", "$Top"),
])
def test_unsupported_option_answers_400(client, query, name):
    assert_graph_error(client.get(f"{POSITIONS}?{query}"), 400, "BadRequest",
                       f"The query parameter '{name}' is not supported.")


def test_app_parameters_without_dollar_are_ignored(client):
    assert ids(client.get(f"{POSITIONS}?trace=on&Top=1&myFilter=x")) == DEFAULT_ORDER


def test_bad_option_wins_over_unknown_user_and_permission(client):
    from mockgraph.graph.tokens import make_token

    # A token allowed to read only its own profile, asking for someone else's with a bad option: 400 first.
    token = make_token(oid=QUINN, scp="User.Read")
    assert_graph_error(client.get("/users/0000000a-0000-4000-8000-0000000000bb/profile/positions?$top=0",
                                  token=token), 400, "BadRequest")
    assert_graph_error(client.get("/users/0000000a-0000-4000-8000-0000000000bb/profile/positions?$top=1",
                                  token=token), 403, "Authorization_RequestDenied")


# ------------------------------------------------------------------------------------- paging

def test_page_size_from_create_app():
    client = GraphTestClient(create_app(strict=True, fixtures=[str(DATA)], page_size=3))
    pages = follow(client, POSITIONS)
    assert [len(p["value"]) for p in pages] == [3, 3, 2]
    assert [p["id"] for page in pages for p in page["value"]] == DEFAULT_ORDER
    # $top overrides the server's page size.
    assert len(client.get(POSITIONS, query_string={"$top": "5"}).get_json()["value"]) == 5


def test_next_link_is_absolute_on_the_request_base_and_keeps_the_options(client):
    url = f"{POSITIONS}?$filter=detail/layer ge 1&$orderby=detail/layer desc&$select=detail&$top=2&$count=true"
    response = client.raw.get(f"/beta{url}", base_url="https://localhost:8443",
                              headers={"Authorization": "Bearer x"})
    link = response.get_json()["@odata.nextLink"]
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "localhost:8443", f"/beta{POSITIONS}")
    query = dict(parse_qsl(parts.query))
    assert query.pop("$skiptoken")
    assert query == {"$filter": "detail/layer ge 1", "$orderby": "detail/layer desc", "$select": "detail",
                     "$top": "2", "$count": "true"}
    second = client.raw.get(f"{parts.path}?{parts.query}", base_url="https://localhost:8443",
                            headers={"Authorization": "Bearer x"}).get_json()
    assert [p["id"] for p in second["value"]] == [pid(3), pid(2)]
    assert "@odata.count" not in second
    assert second["@odata.nextLink"].startswith("https://localhost:8443/beta/")


def test_next_link_through_me_stays_on_me(client):
    body = client.get("/me/profile/positions?top=3", token="x").get_json()
    assert urlsplit(body["@odata.nextLink"]).path == "/beta/me/profile/positions"


def test_no_next_link_on_the_last_page(client):
    assert "@odata.nextLink" not in client.get(POSITIONS, query_string={"$top": "8"}).get_json()
    assert "@odata.nextLink" not in client.get(POSITIONS).get_json()


def _first_link(client, query="$top=2") -> str:
    link = urlsplit(client.get(f"{POSITIONS}?{query}").get_json()["@odata.nextLink"])
    return f"{link.path}?{link.query}"


def _replace_token(url: str, token: str) -> str:
    return re.sub(r"\$skiptoken=[^&]*", lambda _: f"$skiptoken={token}", url)


def _token(url: str) -> str:
    return dict(parse_qsl(urlsplit(url).query))["$skiptoken"]


@pytest.mark.parametrize("forge", [
    lambda t: t[:-3],  # truncated
    lambda t: t + "A",
    lambda t: ("B" if t[0] != "B" else "C") + t[1:],  # payload edited
    lambda t: t.replace(".", ""),
    lambda t: "",
    lambda t: "garbage",
])
def test_forged_skiptoken_answers_400(client, forge):
    url = _first_link(client)
    response = client.get(_replace_token(url, forge(_token(url))))
    assert_graph_error(response, 400, "BadRequest")


def test_skiptoken_is_bound_to_its_options_and_server(client):
    url = _first_link(client)
    assert client.get(url).status_code == 200
    # The same token with other options...
    assert_graph_error(client.get(url.replace("$top=2", "$top=3")), 400, "BadRequest")
    assert_graph_error(client.get(url + "&$filter=isCurrent eq true"), 400, "BadRequest")
    # ... or on another server instance (another secret).
    other = GraphTestClient(create_app(strict=True, fixtures=[str(DATA)]))
    assert_graph_error(other.get(url), 400, "BadRequest")


# 1,000 positions of one user, page size 100 -----------------------------------------------------

BIG_USER = "0000000b-0000-4000-8000-000000000001"
BIG_POSITIONS = f"/users/{BIG_USER}/profile/positions"


@pytest.fixture(scope="module")
def big_fixture(tmp_path_factory) -> tuple[str, list[dict]]:
    rng = random.Random(4)
    positions = []
    for i in range(1000):
        layer = rng.choice([None, *range(10)])
        positions.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            # 20 distinct timestamps: the id must break the many ties.
            "createdDateTime": f"2021-03-{1 + i % 20:02d}T{10 + i % 2:02d}:00:00.0000000Z",
            "detail": {"jobTitle": f"Role {rng.randrange(300):03d}", "layer": layer,
                       "company": {"displayName": rng.choice(["Contoso", "Fabrikam", "Northwind"])}},
            "isCurrent": rng.choice([True, False, None]),
        })
    path = tmp_path_factory.mktemp("big") / "big.json"
    path.write_text(json.dumps({"users": [
        {"id": BIG_USER, "userPrincipalName": "big@queries.test", "displayName": "Big", "positions": positions}]}))
    return str(path), positions


@pytest.fixture(scope="module")
def big_reader(big_fixture):
    """For tests that only read: one app for all of them."""
    return GraphTestClient(create_app(strict=True, fixtures=[big_fixture[0]], page_size=100))


@pytest.fixture
def big_client(big_fixture):
    return GraphTestClient(create_app(strict=True, fixtures=[big_fixture[0]], page_size=100))


def _default_key(p):
    return p["createdDateTime"], p["id"]


def _layer_desc_key(p):
    layer = p["detail"]["layer"]
    return layer is None, -(layer or 0), p["createdDateTime"], p["id"]


@pytest.mark.parametrize("query, keep, key, page", [
    ("", lambda p: True, _default_key, 100),
    ("$filter=isCurrent eq true", lambda p: p["isCurrent"] is True, _default_key, 100),
    ("$orderby=detail/layer desc", lambda p: True, _layer_desc_key, 100),
    ("$top=37", lambda p: True, _default_key, 37),
    ("$filter=detail/company/displayName eq 'contoso'&$orderby=detail/layer desc&$top=45",
     lambda p: p["detail"]["company"]["displayName"] == "Contoso", _layer_desc_key, 45),
])
def test_paging_yields_every_match_once_in_order(big_reader, big_fixture, query, keep, key, page):
    expected = [p["id"] for p in sorted(filter(keep, big_fixture[1]), key=key)]
    assert len(expected) > 2 * page
    pages = follow(big_reader, f"{BIG_POSITIONS}?{query}&$count=true&$select=id")
    got = [p["id"] for body in pages for p in body["value"]]
    assert got == expected
    assert [len(body["value"]) for body in pages[:-1]] == [page] * (len(pages) - 1)
    assert pages[0]["@odata.count"] == len(expected)
    assert all("@odata.count" not in body for body in pages[1:])


def test_paging_survives_inserts_and_deletes(big_client, big_fixture):
    by_title = sorted(big_fixture[1], key=lambda p: (p["detail"]["jobTitle"].casefold(), p["createdDateTime"], p["id"]))
    first = big_client.get(f"{BIG_POSITIONS}?$orderby=detail/jobTitle&$select=id")
    seen = [p["id"] for p in first.get_json()["value"]]
    assert seen == [p["id"] for p in by_title[:100]]
    # Between pages: delete some items already seen and some not yet seen; add some before and after the cursor.
    deleted_seen = seen[::4][:30]
    deleted_unseen = [p["id"] for p in by_title[150::20]]
    for item_id in deleted_seen + deleted_unseen:
        assert big_client.delete(f"{BIG_POSITIONS}/{item_id}").status_code == 204
    added = {}
    for title in ("Aardvark", "Role 000", "Role 150x", "Zebra"):
        body = {"detail": {"jobTitle": title, "company": {"displayName": "New"}}}
        added[title] = big_client.post(BIG_POSITIONS, json=body).get_json()["id"]
    link = urlsplit(first.get_json()["@odata.nextLink"])
    rest = follow(big_client, f"{link.path}?{link.query}")
    later = [p["id"] for body in rest for p in body["value"]]
    everything = seen + later
    assert len(everything) == len(set(everything)), "an item was repeated"
    unchanged = {p["id"] for p in big_fixture[1]} - set(deleted_seen) - set(deleted_unseen)
    assert unchanged <= set(everything), "an item that existed throughout was skipped"
    assert not set(deleted_unseen) & set(later)
    # Items added after the cursor are found; those before it are not (they belong to pages already read).
    assert {added["Role 150x"], added["Zebra"]} <= set(later)
    assert not {added["Aardvark"], added["Role 000"]} & set(later)


# ------------------------------------------------------------------------- over real HTTP

@pytest.fixture(scope="module")
def served():
    with ServedMock("--fixtures", str(DATA), "--page-size", "3") as mock:
        yield mock


def test_live_next_link_is_on_the_servers_base(served):
    session = requests.Session()
    session.headers["Authorization"] = "Bearer x"
    url, got = f"{served.base_url}{POSITIONS}?$count=true", []
    while url:
        body = session.get(url, timeout=30).json()
        got += [p["id"] for p in body["value"]]
        url = body.get("@odata.nextLink")
        assert url is None or url.startswith(f"{served.base_url}/users/")
    assert got == DEFAULT_ORDER


def test_live_next_link_follows_the_host_header(served):
    # A Host the mock accepts (loopback, or the bound --host): links are built on it as sent.
    response = requests.get(f"{served.base_url}{POSITIONS}?filter=isCurrent ne true&top=2",
                            headers={"Authorization": "Bearer x", "Host": "localhost:4443"}, timeout=30)
    link = response.json()["@odata.nextLink"]
    assert link.startswith(f"http://localhost:4443/beta{POSITIONS}?")
    # The link works when sent back to the server (here, by its real address).
    parts = urlsplit(link)
    second = requests.get(f"{served.base_url.removesuffix('/beta')}{parts.path}?{parts.query}",
                          headers={"Authorization": "Bearer x"}, timeout=30).json()
    assert [p["id"] for p in second["value"]] == [pid(2), pid(4)]


def test_live_count_segment_and_bad_option(served):
    auth = {"Authorization": "Bearer x"}
    response = requests.get(f"{served.base_url}{POSITIONS}/$count?$filter=categories/any(c: c eq 'BACKEND')",
                            headers=auth, timeout=30)
    assert (response.status_code, response.text) == (200, "3")
    assert response.headers["Content-Type"].startswith("text/plain")
    error = requests.get(f"{served.base_url}{POSITIONS}?$expand=manager", headers=auth, timeout=30)
    assert error.status_code == 400 and error.json()["error"]["code"] == "BadRequest"


# ---------------------------------------------------------------------------- docs in sync

def test_docs_list_every_filterable_path():
    """docs/queries.md's table of filterable/sortable properties is exactly the schema's primitive paths."""
    text = QUERIES_PAGE.read_text(encoding="utf-8")
    table = text.split("## Filterable and sortable properties", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| ([^|]+?) \|", table, flags=re.MULTILINE)
    assert dict(rows) == property_types(WorkPositionSchema)
    assert len(rows) == len(dict(rows))
