"""Keyset paging: tokens, following nextLinks over 1,000 items, changes between pages, $skip/$top/$count,
$select projection, /$count and nextLink building."""

from __future__ import annotations

import base64
import datetime as dt
import random
from urllib.parse import parse_qsl, urlsplit

import pytest
from odata_samples import PROPERTIES, TOP_LEVEL, positions

from mockgraph.graph.errors import BadRequest
from mockgraph.graph.odata import paging
from mockgraph.graph.odata.options import LIST_OPTIONS, parse_query_options
from mockgraph.graph.odata.paging import SkipTokenCodec, fingerprint
from mockgraph.graph.odata.query import count_matching, next_link, run_list_query

CODEC = SkipTokenCodec(b"test secret")
TITLES = ["Engineer", "engineer", "Manager", "Designer", "Analyst", None, "ANALYST", "Architect"]


def make_items(n: int, seed: int = 1, prefix: str = "i") -> list[dict]:
    """Items with many ties (few distinct timestamps and titles) and nulls."""
    rng = random.Random(seed)
    items = []
    for k in range(n):
        second = rng.randrange(40)
        fraction = rng.choice(["", ".5", ".1234567"])
        items.append(
            {
                "id": f"{prefix}{rng.randrange(10**6):06d}-{k:04d}",
                "createdDateTime": f"2024-01-01T00:00:{second:02d}{fraction}Z",
                "isCurrent": rng.choice([True, False, None]),
                "categories": rng.choice([None, [], ["a"], ["B", "c"]]),
                "detail": rng.choice([None, {"jobTitle": rng.choice(TITLES), "layer": rng.choice([None, 1, 2, 3, 7])}]),
            }
        )
    return items


# Independent reference orders (not using the package's key code).
def _instant(item):
    text = item["createdDateTime"]
    base, _, frac = text.rstrip("Z").partition(".")
    return (dt.datetime.fromisoformat(base), int(frac.ljust(7, "0")))


def _detail(item, name):
    return (item.get("detail") or {}).get(name)


def default_order(items):
    return sorted(items, key=lambda i: (_instant(i), i["id"]))


def layer_desc_order(items):
    def key(i):
        layer = _detail(i, "layer")
        return (0 if layer is not None else 1, -(layer or 0), _instant(i), i["id"])

    return sorted(items, key=key)


def title_order(items):
    def key(i):
        title = _detail(i, "jobTitle")
        return (title is not None, (title or "").lower(), _instant(i), i["id"])

    return sorted(items, key=key)


def options_for(query):
    return parse_query_options(query, allowed=LIST_OPTIONS, top_level=TOP_LEVEL, properties=PROPERTIES, codec=CODEC)


def follow(items_source, query, page_size=100, between_pages=None):
    """Follow nextLinks to the end; `items_source()` gives the current items for every request."""
    seen, pages, token = [], 0, None
    while True:
        pairs = list(query) + ([("$skiptoken", token)] if token else [])
        page = run_list_query(
            items_source(), options_for(pairs), properties=PROPERTIES, page_size=page_size, codec=CODEC
        )
        seen.extend(item["id"] for item in page.items)
        pages += 1
        assert pages < 1000
        token = page.next_skiptoken
        if token is None:
            return seen, pages
        if between_pages:
            between_pages(pages)


@pytest.mark.parametrize(
    ("query", "reference", "keep"),
    [
        ([], default_order, lambda i: True),
        ([("$orderby", "detail/layer desc")], layer_desc_order, lambda i: True),
        ([("$orderby", "detail/jobTitle")], title_order, lambda i: True),
        ([("$filter", "isCurrent eq true")], default_order, lambda i: i["isCurrent"] is True),
        (
            [("$filter", "categories/any()"), ("$orderby", "detail/layer desc")],
            layer_desc_order,
            lambda i: bool(i["categories"]),
        ),
    ],
    ids=["default", "layer-desc", "title", "filter", "filter-orderby"],
)
def test_following_tokens_yields_every_match_once_in_order(query, reference, keep):
    items = make_items(1000)
    seen, pages = follow(lambda: items, query)
    expected = [i["id"] for i in reference(items) if keep(i)]
    assert seen == expected
    assert len(set(seen)) == len(seen)
    assert pages == -(-len(expected) // 100)


def test_top_sets_the_page_size():
    items = make_items(1000)
    seen, pages = follow(lambda: items, [("$top", "7"), ("$orderby", "detail/jobTitle")])
    assert seen == [i["id"] for i in title_order(items)]
    assert pages == 143  # 1000 / 7 rounded up


def test_skip_applies_before_paging_on_the_first_page_only():
    items = make_items(1000)
    seen, pages = follow(lambda: items, [("$skip", "15")])
    assert seen == [i["id"] for i in default_order(items)][15:]
    assert pages == 10


def test_count_on_the_first_page_only():
    items = make_items(1000)
    matching = sum(1 for i in items if i["isCurrent"] is True)
    query = [("$filter", "isCurrent eq true"), ("$count", "true"), ("$skip", "5"), ("$top", "10")]
    first = run_list_query(items, options_for(query), properties=PROPERTIES, page_size=100, codec=CODEC)
    assert first.count == matching
    assert len(first.items) == 10
    second = run_list_query(
        items,
        options_for([*query, ("$skiptoken", first.next_skiptoken)]),
        properties=PROPERTIES,
        page_size=100,
        codec=CODEC,
    )
    assert second.count is None
    without = run_list_query(items, options_for(query[:1]), properties=PROPERTIES, page_size=100, codec=CODEC)
    assert without.count is None


def test_last_page_has_no_token_and_exact_fit_needs_no_empty_page():
    items = make_items(200)
    seen, pages = follow(lambda: items, [])
    assert pages == 2 and len(seen) == 200
    empty = run_list_query([], options_for([]), properties=PROPERTIES, page_size=100, codec=CODEC)
    assert empty.items == [] and empty.next_skiptoken is None


@pytest.mark.parametrize(
    "query", [[], [("$orderby", "detail/layer desc")], [("$orderby", "detail/jobTitle"), ("$top", "37")]]
)
def test_inserts_and_deletes_between_pages_never_repeat_or_drop_survivors(query):
    store = make_items(1000, seed=3)
    original = {i["id"] for i in store}
    ever = {i["id"]: i for i in store}
    removed: set[str] = set()
    added: set[str] = set()
    rng = random.Random(11)

    def mutate(page_number):
        # Add items anywhere in the order (their timestamps and titles collide with existing ones).
        for extra in make_items(8, seed=page_number * 101, prefix=f"new{page_number}-"):
            store.append(extra)
            ever[extra["id"]] = extra
            added.add(extra["id"])
        # Delete some items, seen or not yet seen.
        for _ in range(6):
            victim = store.pop(rng.randrange(len(store)))
            removed.add(victim["id"])

    seen, _ = follow(lambda: list(store), query, between_pages=mutate)
    assert len(seen) == len(set(seen)), "an item was returned twice"
    survivors = original - removed
    missing = survivors - set(seen)
    assert not missing, f"{len(missing)} items that existed throughout were skipped"
    assert set(seen) <= original | added
    # What was returned is in the order of everything that ever existed.
    final_ids = {i["id"] for i in store}
    reference = {"detail/layer desc": layer_desc_order, "detail/jobTitle": title_order}.get(
        dict(query).get("$orderby"), default_order
    )
    everything = reference(list(ever.values()))
    rank = {item["id"]: n for n, item in enumerate(everything)}
    assert [rank[i] for i in seen] == sorted(rank[i] for i in seen)
    assert final_ids - set(seen) <= added  # only items added behind the cursor can be missed


def test_select_projects_in_the_type_order_with_id():
    query = [("$select", "isCurrent,detail"), ("$orderby", "id")]
    page = run_list_query(
        positions(), options_for(query), properties=PROPERTIES, page_size=3, codec=CODEC, top_level=TOP_LEVEL
    )
    assert [list(item) for item in page.items] == [["id", "detail", "isCurrent"]] * 3
    assert page.items[0] == {
        "id": "p01",
        "detail": positions()[0]["detail"],
        "isCurrent": True,
    }
    # Without top_level: id first, then the selection (already in the type's order); absent is null.
    page = run_list_query(positions(), options_for(query), properties=PROPERTIES, page_size=3, codec=CODEC)
    assert page.items[2] == {"id": "p03", "detail": positions()[2]["detail"], "isCurrent": None}


def test_no_select_returns_the_items_themselves():
    items = positions()
    page = run_list_query(items, options_for([]), properties=PROPERTIES, page_size=100, codec=CODEC)
    assert all(any(item is original for original in items) for item in page.items)


def test_options_parsed_without_properties_are_compiled_when_run():
    plain = parse_query_options([("$filter", "nosuch eq 1")], allowed=LIST_OPTIONS, top_level=TOP_LEVEL)
    with pytest.raises(BadRequest) as caught:
        run_list_query(positions(), plain, properties=PROPERTIES, page_size=10, codec=CODEC)
    assert caught.value.message.startswith("Invalid filter clause: ")
    plain = parse_query_options([("$filter", "isCurrent")], allowed=LIST_OPTIONS, top_level=TOP_LEVEL)
    page = run_list_query(positions(), plain, properties=PROPERTIES, page_size=10, codec=CODEC)
    assert [i["id"] for i in page.items] == ["p08", "p01", "p12", "p05", "p10"]


# ------------------------------------------------------------------------------------------ bad tokens


def first_token(query=()):
    page = run_list_query(make_items(50), options_for(list(query)), properties=PROPERTIES, page_size=10, codec=CODEC)
    assert page.next_skiptoken
    return page.next_skiptoken


def run_with_token(token, query=(), codec=CODEC):
    options = parse_query_options(
        [*query, ("$skiptoken", token)], allowed=LIST_OPTIONS, top_level=TOP_LEVEL, properties=PROPERTIES
    )
    return run_list_query(make_items(50), options, properties=PROPERTIES, page_size=10, codec=codec)


def _flip(token: str, index: int) -> str:
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1 :]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1],
        lambda t: t[:10],
        lambda t: t.split(".")[0],
        lambda t: _flip(t, 3),
        lambda t: _flip(t, len(t) - 1),
        lambda t: t + "A",
        lambda t: t + ".x",
        lambda t: "garbage",
        lambda t: "%%%.%%%",
        lambda t: "x" * 20000,
    ],
    ids=["drop-last", "truncated", "no-mac", "payload-edit", "mac-edit", "extra", "extra-dot", "garbage",
         "not-base64", "huge"],
)  # fmt: skip
def test_forged_or_truncated_token_is_a_bad_request(mangle):
    token = mangle(first_token())
    with pytest.raises(BadRequest) as caught:
        run_with_token(token)
    assert caught.value.message.startswith("The $skiptoken '")
    assert "is not valid" in caught.value.message


def test_a_token_forged_with_a_valid_looking_payload_is_refused():
    body = base64.urlsafe_b64encode(b'{"v":1,"k":[null,"zzz"]}').rstrip(b"=").decode()
    with pytest.raises(BadRequest):
        run_with_token(body + "." + first_token().split(".")[1])


@pytest.mark.parametrize(
    "other",
    [
        [("$filter", "isCurrent eq true")],
        [("$orderby", "detail/layer")],
        [("$top", "10")],
        [("$skip", "1")],
        [("$select", "id")],
    ],
)
def test_token_for_other_options_is_a_bad_request(other):
    with pytest.raises(BadRequest):
        run_with_token(first_token(), other)


def test_token_from_another_secret_is_a_bad_request():
    with pytest.raises(BadRequest):
        run_with_token(first_token(), codec=SkipTokenCodec(b"another secret"))


def test_codec_roundtrip_and_bad_secret():
    fp = fingerprint("isCurrent", None, ("id",), 5, None)
    key = ["caf\u00e9", None, 3, 2.5, True, 16_000_000_000_000_000]
    token = CODEC.encode(key, fp)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert CODEC.decode(token, fp) == key
    with pytest.raises(BadRequest):
        CODEC.decode(token, fingerprint("isCurrent", None, ("id",), 6, None))
    with pytest.raises(ValueError):
        SkipTokenCodec(b"")


# -------------------------------------------------------------------------------------- count, links


def test_count_matching():
    assert count_matching(positions(), None, PROPERTIES) == 12
    assert count_matching(positions(), "isCurrent eq true", PROPERTIES) == 5
    assert count_matching(iter(positions()), "categories/any(c: c eq 'engineering')", PROPERTIES) == 6
    with pytest.raises(BadRequest):
        count_matching(positions(), "isCurrent eq 'yes'", PROPERTIES)


def test_next_link_keeps_the_options_and_replaces_the_token():
    pairs = [
        ("$filter", "startswith(detail/jobTitle,'O''B') and detail/layer ge -1"),
        ("top", "5"),
        ("$skiptoken", "old"),
        ("skiptoken", "older"),
        ("app", "a&b=c #d+e %f"),
    ]
    link = next_link("http://127.0.0.1:8765/beta/", "/users/adele@contoso.com/profile/positions", pairs, "tok.en")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("http", "127.0.0.1:8765")
    assert parts.path == "/beta/users/adele@contoso.com/profile/positions"
    assert parse_qsl(parts.query, keep_blank_values=True) == [
        ("$filter", "startswith(detail/jobTitle,'O''B') and detail/layer ge -1"),
        ("top", "5"),
        ("app", "a&b=c #d+e %f"),
        ("$skiptoken", "tok.en"),
    ]
    assert " " not in link and "+" not in link.split("?", 1)[1].replace("%2B", "")


def test_next_link_encodes_the_path():
    link = next_link("https://h/beta", "users/we ird%?#/profile/positions", [], "t")
    assert link == "https://h/beta/users/we%20ird%25%3F%23/profile/positions?$skiptoken=t"


# ------------------------------------------------------------------- long sort values, short tokens


def long_items(n: int, length: int, seed: int = 7) -> list[dict]:
    """Items whose titles share a long common start (so a cut value alone cannot order them) and differ
    near the end; a few are equal, a few null."""
    rng = random.Random(seed)
    stem = "Ä" + "x" * (length - 10)
    items = []
    for k in range(n):
        title = None if k % 11 == 0 else f"{stem}{rng.randrange(40):04d}{'É' if k % 2 else 'e'}"
        items.append({"id": f"L{k:04d}", "createdDateTime": f"2024-01-01T00:00:{k % 60:02d}Z",
                      "detail": {"jobTitle": title, "level": f"{stem}{k % 3}" if k % 5 else None}})
    return items


def long_order(items, descending_title=False):
    def key(i):
        title = _detail(i, "jobTitle")
        level = _detail(i, "level")
        first = (title is not None, (title or "").casefold())
        return (first, (level is not None, (level or "").casefold()), _instant(i), i["id"])

    ordered = sorted(items, key=key)
    if descending_title:  # title desc (nulls last), the rest ascending
        groups: dict = {}
        for item in ordered:
            groups.setdefault(key(item)[0], []).append(item)
        ordered = [i for k in sorted(groups, reverse=True) for i in groups[k]]
    return ordered


@pytest.mark.parametrize("length", [10_000, 100_000])
@pytest.mark.parametrize("descending", [False, True])
def test_a_token_s_size_does_not_depend_on_the_sort_values(length, descending):
    items = long_items(60, length)
    query = [("$orderby", f"detail/jobTitle{' desc' if descending else ''},detail/level"), ("$top", "7")]
    tokens: list[str] = []
    seen, token = [], None
    while True:
        pairs = query + ([("$skiptoken", token)] if token else [])
        page = run_list_query(items, options_for(pairs), properties=PROPERTIES, page_size=100, codec=CODEC)
        seen.extend(i["id"] for i in page.items)
        token = page.next_skiptoken
        if token is None:
            break
        tokens.append(token)
    assert seen == [i["id"] for i in long_order(items, descending)]
    assert max(len(t) for t in tokens) < 600


@pytest.mark.parametrize("remembered", [True, False], ids=["remembered", "forgotten"])
def test_a_cut_token_keeps_the_keyset_promise_when_its_item_is_deleted(remembered):
    """The last item of each page is deleted before the next page is asked for: every item that existed
    throughout is still seen, in order; with the codec's memory (the usual case) none twice either."""
    items = long_items(60, 10_000)
    query = [("$orderby", "detail/jobTitle,detail/level"), ("$top", "6")]
    seen, token, deleted = [], None, set()
    while True:
        codec = CODEC if remembered else SkipTokenCodec(b"test secret")  # same secret, empty memory
        pairs = query + ([("$skiptoken", token)] if token else [])
        current = [i for i in items if i["id"] not in deleted]
        page = run_list_query(current, options_for(pairs), properties=PROPERTIES, page_size=100, codec=codec)
        seen.extend(i["id"] for i in page.items)
        token = page.next_skiptoken
        if token is None:
            break
        deleted.add(page.items[-1]["id"])
    survivors = [i["id"] for i in long_order(items) if i["id"] not in deleted]
    assert [i for i in dict.fromkeys(seen) if i in set(survivors)] == survivors  # none skipped, in order
    if remembered:
        assert len(seen) == len(set(seen))


def test_a_cut_token_finds_its_item_without_the_codec_s_memory():
    items = long_items(30, 10_000)
    query = [("$orderby", "detail/jobTitle,detail/level"), ("$top", "5")]
    first = run_list_query(items, options_for(query), properties=PROPERTIES, page_size=100, codec=CODEC)
    fresh = SkipTokenCodec(b"test secret")  # another process with the same secret (a --seed)
    options = options_for(query + [("$skiptoken", first.next_skiptoken)])
    second = run_list_query(items, options, properties=PROPERTIES, page_size=100, codec=fresh)
    expected = [i["id"] for i in long_order(items)]
    assert [i["id"] for i in first.items + second.items] == expected[:10]


def test_the_codec_remembers_a_bounded_number_of_cut_keys():
    codec = SkipTokenCodec(b"s")
    fp = fingerprint(None, "detail/jobTitle", None, None, None)
    for n in range(paging.REMEMBERED_KEYS + 50):
        codec.encode([f"{n:05d}" + "y" * 100, "id"], fp)
    assert len(codec._remembered) == paging.REMEMBERED_KEYS
    big = "z" * (paging.REMEMBERED_CHARS // 8)
    for n in range(10):
        codec.encode([f"{n}{big}", "id"], fp)
    assert codec._remembered_chars <= paging.REMEMBERED_CHARS
