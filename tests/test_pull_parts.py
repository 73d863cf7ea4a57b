"""The parts of `mockgraph pull` that a round trip against the mock cannot reach: Graph answers the mock
never gives (properties newer than the mock, items it would refuse, endless throttling, a nextLink to
another host), the anonymizer's rules one by one, and the command's errors."""

from __future__ import annotations

import email.utils
import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from mockgraph.graph.facets import FACETS
from mockgraph.pull.anonymize import Anonymizer
from mockgraph.pull.client import MAX_RETRIES, GraphReader, PullError, retry_after
from mockgraph.pull.snapshot import take_snapshot

BASE = "https://graph.example.test/beta"
USER = {"id": "3f1c4a3e-5a4b-4c6d-8e9f-0a1b2c3d4e5f", "userPrincipalName": "ana.lima@contoso.com",
        "displayName": "Ana Lima"}
FACET = FACETS[0]  # any collection: the shaping is generic


def reader(handler, **kwargs) -> GraphReader:
    return GraphReader(BASE, "secret-token", transport=httpx.MockTransport(handler), sleep=lambda s: None, **kwargs)


def an_item(**extra) -> dict:
    """A valid item of FACET: the first one the bundled fixtures hold."""
    from mockgraph.fixtures.files import default_fixture_path

    users = json.loads(default_fixture_path().read_text(encoding="utf-8"))["users"]
    item = next(item for user in users for item in user.get(FACET.segment) or [])
    return {**item, **extra}


# The client


def test_retry_after_reads_seconds_and_dates_and_backs_off_without_one():
    assert retry_after("7", 1) == 7
    later = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after(later, 1) <= 30
    assert [retry_after(None, n) for n in (1, 2, 3)] == [1, 2, 4]
    assert retry_after("soon", 2) == 2


def test_throttling_is_retried_a_bounded_number_of_times():
    calls, waits = [], []

    def always_throttled(request):
        calls.append(request)
        return httpx.Response(429, headers={"Retry-After": "2"},
                              json={"error": {"code": "TooManyRequests", "message": "Please retry again later."}})

    lines = []
    graph = GraphReader(BASE, "t", transport=httpx.MockTransport(always_throttled), sleep=waits.append,
                        say=lines.append)
    with pytest.raises(PullError, match="429 TooManyRequests: Please retry again later"):
        graph.get("users")
    assert len(calls) == MAX_RETRIES + 1 and waits == [2.0] * MAX_RETRIES and len(lines) == MAX_RETRIES


def test_a_wait_longer_than_the_limit_ends_the_pull():
    graph = reader(lambda request: httpx.Response(503, headers={"Retry-After": "3600"}))
    with pytest.raises(PullError, match="wait 3600 s"):
        graph.get("users")


def test_the_token_never_goes_to_another_host():
    hosts = []

    def handler(request):
        hosts.append(request.url.host)
        return httpx.Response(200, json={"value": [], "@odata.nextLink": "https://elsewhere.test/beta/users?x=1"})

    with pytest.raises(PullError, match="another host"):
        list(reader(handler).pages("users"))
    assert hosts == ["graph.example.test"]


@pytest.mark.parametrize("response, message", [
    (httpx.Response(403, json={"error": {"code": "Authorization_RequestDenied", "message": "Insufficient."}}),
     "403 Authorization_RequestDenied: Insufficient."),
    (httpx.Response(502, text="<html>bad gateway</html>"), "502 Bad Gateway"),
    (httpx.Response(200, text="not json"), "not a JSON object"),
])
def test_graph_errors_are_one_line(response, message):
    with pytest.raises(PullError, match=message):
        reader(lambda request: response).get("users")


def test_bad_graph_url():
    with pytest.raises(PullError, match="--graph-url"):
        GraphReader("graph.microsoft.com/beta", "t")


# Shaping what Graph answers into what the mock loads


def test_undeclared_properties_are_dropped_and_refused_items_left_out():
    newer = an_item(id="0a0a0a0a-0000-4000-8000-000000000001", futureProperty=1, **{"@odata.type": "#x"})
    refused = an_item(id="0a0a0a0a-0000-4000-8000-000000000002", allowedAudiences="nobody")

    def handler(request):
        if request.url.path.endswith(f"/profile/{FACET.segment}"):
            return httpx.Response(200, json={"value": [newer, refused]})
        if "/profile/" in request.url.path:
            return httpx.Response(200, json={"value": []})
        return httpx.Response(200, json={**USER, "@odata.context": "x", "mail": "ana.lima@contoso.com"})

    snapshot = take_snapshot(reader(handler), FACETS, users=["ana.lima@contoso.com"])
    (user,) = snapshot.users
    assert set(user) == {"id", "userPrincipalName", "displayName", FACET.segment}  # no `mail`, no annotation
    assert [item["id"] for item in user[FACET.segment]] == [newer["id"]]
    assert "futureProperty" not in user[FACET.segment][0] and "@odata.type" not in user[FACET.segment][0]
    assert snapshot.dropped == {f"{FACET.type_name}.futureProperty", "user.mail"}
    assert len(snapshot.skipped) == 1 and refused["id"] in snapshot.skipped[0]
    assert "allowedAudiences" in snapshot.skipped[0]


# The anonymizer's rules


def one_string(value: str, name: str = "displayName", owner: str = "relatedPerson", key: bytes = b"k") -> str:
    return Anonymizer(key)._replace(value, name, owner)


def test_free_text_keeps_its_shape():
    assert re.fullmatch(r"\+\d \(\d{3}\) \d{3}-\d{4}", one_string("+1 (425) 555-0100"))
    stand_in = one_string("Adele Vance")
    assert re.fullmatch(r"[A-Z][a-z]{4} [A-Z][a-z]{4}", stand_in) and stand_in != "Adele Vance"
    assert one_string("IBM").isupper()


def test_ids_codes_enums_and_source_annotations_are_kept():
    guid = "7c1e4b92-3a5d-4f08-b6e1-9d2a0c4f7e13"
    assert one_string(guid, "userId") == guid
    assert one_string("not-a-guid-but-an-id", "id") == "not-a-guid-but-an-id"
    assert one_string("en-US", "tag", "languageProficiency") == "en-US"
    assert one_string("User", "type", "personDataSources") == "User"


def test_emails_and_urls():
    email_ = one_string("adele.vance@contoso.com", "userPrincipalName")
    assert re.fullmatch(r"[a-z]{5}\.[a-z]{5}@[a-z]{7}\.example", email_)
    url = one_string("https://www.linkedin.com:8443/in/adelev?x=1", "webUrl", "webAccount")
    assert re.fullmatch(r"https://[a-z]{3}\.[a-z]{8}\.example:8443/[a-z]{2}/[a-z]{6}\?[a-z]=\d", url)


def test_one_run_is_consistent_and_injective():
    run = Anonymizer(b"k")
    name = run._replace("Adele Vance", "displayName", "user")
    assert run._replace("adele vance", "displayName", "relatedPerson") == name.lower()
    assert run._replace("adele.vance@contoso.com", "userPrincipalName", "user").split("@")[0] == name.lower().replace(
        " ", ".")
    # Two addresses that differ only in the top-level domain stay two addresses.
    assert run.email("a.b@contoso.com") != run.email("a.b@contoso.net")
    words = {run.word(f"w{i:03d}x") for i in range(300)}
    assert len(words) == 300


def test_each_run_draws_its_own_key():
    assert one_string("Adele Vance", key=b"one") != one_string("Adele Vance", key=b"two")
    assert Anonymizer()._replace("Adele Vance", "displayName", "user") != "Adele Vance"


def test_a_stand_in_is_never_an_original_word():
    users = [{**USER, "displayName": "Ana Lima"}, {**USER, "id": "3f1c4a3e-5a4b-4c6d-8e9f-0a1b2c3d4e60",
                                                  "userPrincipalName": "b@contoso.com", "displayName": "Lima Ana"}]
    for key in range(200):
        out = Anonymizer(str(key).encode()).users(users, FACETS)
        stand_ins = {word.lower() for user in out for word in user["displayName"].split()}
        assert not stand_ins & {"ana", "lima"}


# The command


def pull_command(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mockgraph", "pull", *args], capture_output=True, text=True,
                          timeout=60, env=env)


def test_without_a_token_it_says_where_to_put_one(tmp_path, monkeypatch):
    monkeypatch.delenv("MOCKGRAPH_PULL_TOKEN", raising=False)
    result = pull_command("-o", str(tmp_path / "x.json"))
    assert result.returncode == 2 and "MOCKGRAPH_PULL_TOKEN" in result.stderr
    assert not (tmp_path / "x.json").exists()


def test_unreachable_graph_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "x.json"
    out.write_text("previous")
    result = pull_command("--token", "t", "--graph-url", "http://127.0.0.1:9/beta", "-o", str(out))
    assert result.returncode == 1 and result.stderr.strip().count("\n") == 0, result.stderr
    assert out.read_text() == "previous"


@pytest.mark.parametrize("args", [["--max-users", "0"], ["--max-users", "x"], []])
def test_bad_arguments(args):
    result = pull_command("--token", "t", *args)
    assert result.returncode == 2 and "usage: mockgraph pull" in result.stderr


def test_unknown_user_and_unwritable_file(tmp_path):
    from mockgraph import MockGraph

    with MockGraph() as graph:
        result = pull_command("--token", "t", "--graph-url", graph.base_url, "--user", "nobody@contoso.com", "-o",
                              str(tmp_path / "x.json"))
        assert result.returncode == 1 and "404 Request_ResourceNotFound" in result.stderr
        result = pull_command("--token", "t", "--graph-url", graph.base_url, "--max-users", "1", "-o",
                              str(tmp_path / "missing" / "x.json"))
        assert result.returncode == 1 and "cannot write" in result.stderr
    assert list(tmp_path.iterdir()) == []

