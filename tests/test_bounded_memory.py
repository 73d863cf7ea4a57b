"""Bounded memory: the journal has a byte budget (`journal_bytes`, `--journal-bytes`) besides its entry
bound, and no cache keyed by what a client sends grows without bound."""

from __future__ import annotations

import fnmatch
import importlib
import inspect
import json
import pkgutil
from urllib.parse import quote

import pytest
import requests
from conftest import ADELE, SEED_PAGE_ID, GraphTestClient, assert_graph_error
from live import ServedMock
from rawhttp import root_url

import mockgraph
from mockgraph import create_app
from mockgraph.control.faults.injection import MAX_WINDOW_KEYS, SlidingWindow
from mockgraph.control.journal import ENTRY_OVERHEAD, MAX_GLOB
from mockgraph.graph.odata import _values
from mockgraph.options import DEFAULT_JOURNAL_BYTES

POSITIONS = f"/users/{ADELE}/profile/positions"
CACHE_BOUND = 4096
# Caches keyed by code, not by what a client sends: the schema classes (a handful) and their variants.
KEYED_BY_CODE = {"mockgraph.graph.schemas.instance", "mockgraph.graph.schemas.dumper",
                 "mockgraph.graph.schemas.property_types"}
DATE_CACHES = {"mockgraph.graph.odata._values._date_ordinal", "mockgraph.graph.odata._values._instant_ticks"}


def test_thousands_of_large_rejected_bodies_keep_the_journal_within_its_budget():
    budget = 1024 * 1024
    client = GraphTestClient(create_app(journal_bytes=budget))
    journal = client.app.extensions["mockgraph"].journal
    body = b'{"detail": "' + b"x" * 100_000  # 100 KB of JSON cut short: a 400, journaled
    for _ in range(2000):
        answer = client.post(POSITIONS, data=body, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400
        assert journal.bytes <= budget
    entries = client.raw.get("/_mockgraph/requests").get_json()["value"]
    assert 5 <= len(entries) < 2000 and entries[0]["id"] > 1  # the oldest went
    assert len(json.dumps(entries)) <= budget * 1.25  # what it holds is what it was charged, give or take JSON
    newest = entries[-1]["body"]
    assert newest.endswith("... [truncated: 100012 bytes in all]")
    assert len(newest) < 100_000
    assert entries[-1]["status"] == 400


def test_large_header_values_are_truncated_and_charged():
    client = GraphTestClient(create_app(journal_bytes=256 * 1024))
    client.get("/me", headers={"X-Big": "y" * 100_000})
    entry = client.raw.get("/_mockgraph/requests").get_json()["value"][-1]
    assert entry["headers"]["X-Big"].endswith("... [truncated: 100000 characters in all]")
    assert len(entry["headers"]["X-Big"]) < 10_000


def test_the_entry_bound_still_holds_and_the_budget_defaults_to_64_mib():
    client = GraphTestClient(create_app(journal_size=3))
    for _ in range(5):
        client.get("/me")
    journal = client.app.extensions["mockgraph"].journal
    assert len(journal) == 3 and journal.max_bytes == DEFAULT_JOURNAL_BYTES == 64 * 1024 * 1024
    with pytest.raises(ValueError):
        create_app(journal_bytes=0)


def test_journal_bytes_on_the_command_line():
    with ServedMock("--journal-bytes", "65536") as mock:
        for _ in range(50):
            requests.post(f"{mock.base_url}{POSITIONS}", data=b"[" + b"1," * 20_000,
                          headers={"Content-Type": "application/json", "Authorization": "Bearer x"}, timeout=30)
        entries = requests.get(f"{root_url(mock.base_url)}/_mockgraph/requests", timeout=30).json()["value"]
    # Each entry is charged its overhead and its body cut to the budget's share (65,536 / 16 = 4,096
    # bytes): at most 65,536 // (1,024 + 4,096) = 12 of the 50 fit, and they are the newest.
    assert 2 <= len(entries) <= 65536 // (ENTRY_OVERHEAD + 65536 // 16)
    ids = [entry["id"] for entry in entries]
    assert ids == list(range(ids[-1] - len(ids) + 1, ids[-1] + 1)) and ids[-1] >= 50
    assert all(entry["body"].endswith("bytes in all]") for entry in entries)
    assert len(json.dumps(entries)) <= 65536 * 1.25


# ------------------------------------------------------------------------------------------ caches


def test_every_cache_in_the_package_is_small_or_keyed_by_code():
    found = []
    for module_info in pkgutil.walk_packages(mockgraph.__path__, "mockgraph."):
        if module_info.name.endswith("__main__"):
            continue  # running it is `mockgraph serve`
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            # By type: touching Flask's context proxies (`request`, `g`) outside a request would raise.
            cache = type(value).__name__ == "_lru_cache_wrapper" or (
                inspect.isfunction(value) and hasattr(value, "cache_parameters"))
            if cache and value.__module__ == module.__name__:
                qualified = f"{module.__name__}.{name}"
                found.append(qualified)
                maxsize = value.cache_parameters()["maxsize"]
                assert qualified in KEYED_BY_CODE or (maxsize is not None and maxsize <= CACHE_BOUND), qualified
                # Keyed by what a client sends: a long key is never kept (the date caches check their own).
                assert qualified in KEYED_BY_CODE | DATE_CACHES or value.longest <= 8192, qualified
    assert "mockgraph.graph.odata._values._date_ordinal" in found  # the walk does see them
    assert "mockgraph.graph.auth._read_token" in found and "mockgraph.control.journal._kept_header" in found


def test_a_remembered_answer_is_never_kept_for_a_long_key():
    from mockgraph.memo import remember_short

    calls = []

    @remember_short(maxsize=4, longest=10)
    def shout(text):
        calls.append(text)
        return text.upper()

    assert shout("short") == shout("short") == "SHORT" and calls == ["short"]
    long_text = "x" * 11
    assert shout(long_text) == shout(long_text) == long_text.upper()
    assert calls == ["short", long_text, long_text] and shout.cache_info().currsize == 1
    for n in range(10):
        shout(f"k{n}")
    assert shout.cache_info().currsize == 4


def test_long_hosts_are_answered_and_not_remembered():
    from mockgraph.graph.hosts import MAX_KEPT_HOST

    app = create_app()
    client = GraphTestClient(app)
    long_host = "a." * (MAX_KEPT_HOST // 2) + "example"
    response = client.get(POSITIONS, headers={"Host": long_host})
    assert response.status_code == 200 and response.get_json()["@odata.context"].startswith("http://127.0.0.1/")
    assert all(len(key[1] or "") <= MAX_KEPT_HOST for key in app.extensions["mockgraph"].hosts._link_roots)


@pytest.mark.parametrize("host", ["a" * 64 + ".example", "b" * 300])
def test_a_host_no_name_can_be_is_a_400_that_says_so(host):
    # werkzeug refuses such a Host while routing; it is not a path Graph lacks.
    client = GraphTestClient(create_app())
    before = client.state()
    error = assert_graph_error(client.patch(f"{POSITIONS}/{SEED_PAGE_ID}", headers={"Host": host},
                                            json={"isCurrent": False}), 400, "BadRequest")
    assert error["message"] == "The request's Host header is not a valid host name."
    assert client.state() == before


def test_date_caches_never_keep_long_text_and_hold_a_few_thousand_values():
    _values._date_ordinal.cache_clear()
    _values._instant_ticks.cache_clear()
    assert _values.date_ordinal("2024-01-01" + " " * 10_000) is None
    assert _values.instant_ticks("2024-01-01T00:00:00Z" + "0" * 10_000) is None
    assert _values._date_ordinal.cache_info().currsize == _values._instant_ticks.cache_info().currsize == 0
    for day in range(10_000):
        _values.date_ordinal(f"{2000 + day // 365:04d}-01-{day % 28 + 1:02d}x"[:10])
        _values.instant_ticks(f"2024-01-01T00:00:{day % 60:02d}.{day:07d}Z")
    assert _values._date_ordinal.cache_info().currsize <= CACHE_BOUND
    assert _values._instant_ticks.cache_info().currsize <= CACHE_BOUND


def test_journal_path_globs_and_fault_rules_do_not_fill_fnmatchs_cache():
    client = GraphTestClient(create_app())
    client.get("/me")
    before = fnmatch._compile_pattern.cache_info().currsize
    for n in range(300):
        answer = client.raw.get(f"/_mockgraph/requests?path={quote(f'/me*{n}*')}")
        assert answer.status_code == 200
    assert client.raw.get("/_mockgraph/requests?path=/me*").get_json()["value"]
    assert client.raw.post("/_mockgraph/faults", json=[
        {"path": f"/users/{n}/*", "effect": "fail", "status": 500} for n in range(100)]).status_code == 201
    assert client.get(POSITIONS).status_code == 200
    assert fnmatch._compile_pattern.cache_info().currsize == before
    too_long = client.raw.get(f"/_mockgraph/requests?path={'*' * (MAX_GLOB + 1)}")
    assert_graph_error(too_long, 400, "BadRequest")


def test_a_per_user_rate_limit_keeps_windows_for_a_bounded_number_of_users():
    window = SlidingWindow(limit=1, window=60)
    for n in range(3 * MAX_WINDOW_KEYS):
        assert window.admit(f"user-{n}", now=float(n) / 1000) is None
    assert len(window._admitted) <= MAX_WINDOW_KEYS
    assert window.admit(f"user-{3 * MAX_WINDOW_KEYS - 1}", now=9.0) is not None  # recent ones are kept


def test_the_journal_holds_no_more_memory_than_its_budget_counts():
    # orjson hands back its grown buffer (16 KiB for a 1.5 KiB answer): kept as it came, 10,000 journaled
    # GETs held ten times what the byte budget charged them. Entries keep a copy of the answer's own size.
    import gc
    import tracemalloc

    app = create_app()
    client = GraphTestClient(app)
    item = client.get(POSITIONS).get_json()["value"][0]["id"]
    for _ in range(20):
        client.get(f"{POSITIONS}/{item}")
    journal = app.extensions["mockgraph"].journal
    gc.collect()
    tracemalloc.start()
    try:
        before, charged_before = tracemalloc.get_traced_memory()[0], journal.bytes
        for _ in range(300):
            client.get(f"{POSITIONS}/{item}")
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    charged = journal.bytes - charged_before
    assert len(journal) == 321
    assert held <= charged, f"{held / 300:.0f} bytes held per entry, {charged / 300:.0f} charged"
