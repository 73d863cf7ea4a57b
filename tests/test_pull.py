"""`mockgraph pull` as a user runs it, against a second mockgraph standing in for Graph: instance A
(paging forced small, generated people, one 429 from a fault rule) -> the command -> a file ->
instance B serving it -> every user and profile item B answers equals A's. With `--anonymize`: the
same structure, counts, ids, dates and enums, and no original name or email anywhere in the file.

Generic over FACETS: the generated people copy every collection the bundled people have."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from mockgraph import MockGraph
from mockgraph.fixtures.files import default_fixture_path
from mockgraph.graph import schemas
from mockgraph.graph.facets import FACETS
from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.entities.item_facet import SERVER_MANAGED
from mockgraph.graph.schemas.entities.user import UserSchema

AUTH = {"Authorization": "Bearer x"}
PEOPLE = [("Marguerite", "Oyelaran"), ("Thaddeus", "Brightwater"), ("Ingrid", "Halvorsen"), ("Kofi", "Mensah"),
          ("Yukiko", "Tanabe"), ("Rosalind", "Achterberg"), ("Emeka", "Okonkwo")]
THROTTLED = "/users/*/profile/*"


def generated_people() -> dict:
    """Each person gets a copy of every collection of the bundled person who has the most items, new ids
    and their own identity in createdBy/lastModifiedBy (the loader fills what the copy leaves out)."""
    bundled = json.loads(default_fixture_path().read_text(encoding="utf-8"))["users"]
    template = max(bundled, key=lambda user: sum(len(user.get(facet.segment) or []) for facet in FACETS))
    users = []
    for first, last in PEOPLE:
        user = {"id": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{first}.{last}")),
                "userPrincipalName": f"{first}.{last}@fabrikam.com".lower(), "displayName": f"{first} {last}"}
        for facet in FACETS:
            user[facet.segment] = [{k: v for k, v in copy.deepcopy(item).items() if k not in SERVER_MANAGED}
                                   for item in template.get(facet.segment) or []]
        users.append(user)
    return {"users": users}


@pytest.fixture(scope="module")
def graph():
    """Instance A: the bundled and the generated people, two to a page."""
    with MockGraph(page_size=2) as mock:
        mock.seed(generated_people())
        yield mock


def read_all(client: httpx.Client, url: str) -> list[dict]:
    items = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["value"]
        url = body.get("@odata.nextLink")
    return items


def without_annotations(body: dict) -> dict:
    return {k: v for k, v in body.items() if not k.startswith("@")}


def everything(base_url: str) -> dict:
    """What a client reads: every user (by the paged list), each with every collection (paged)."""
    with httpx.Client(headers=AUTH, timeout=30) as client:
        users = read_all(client, f"{base_url}/users")
        out = {}
        for user in users:
            single = without_annotations(client.get(f"{base_url}/users/{user['id']}").json())
            collections = {facet.segment: read_all(client, f"{base_url}/users/{user['id']}/profile/{facet.segment}")
                           for facet in FACETS}
            out[user["id"]] = {"user": single, **collections}
    return out


def run_pull(graph: MockGraph, output: Path, *extra: str) -> subprocess.CompletedProcess:
    graph.requests.clear()
    graph.faults.clear()
    graph.faults.add({"methods": ["GET"], "path": THROTTLED, "effect": "fail", "status": 429, "retryAfter": 1,
                      "times": 1})
    env = {**os.environ, "MOCKGRAPH_PULL_TOKEN": "x"}  # the token stays out of the command line
    return subprocess.run([sys.executable, "-m", "mockgraph", "pull", "--graph-url", graph.base_url, "-o",
                           str(output), *extra], capture_output=True, text=True, env=env, timeout=300)


def check_fixtures(path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "mockgraph", "check-fixtures", str(path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_pull_round_trip_reads_back_equal(graph, tmp_path):
    out = tmp_path / "people.json"
    result = run_pull(graph, out)
    assert result.returncode == 0, result.stderr
    # It paged, was throttled once, waited as asked, and said so.
    assert graph.requests.find(path="/users", status=200) and len(graph.requests.find(path="/users*")) > 3
    throttled = graph.requests.find(status=429)
    assert len(throttled) == 1
    retried = [e for e in graph.requests.find(status=200) if (e["path"], e["query"]) == (throttled[0]["path"],
                                                                                          throttled[0]["query"])]
    assert retried and retried[0]["time"] > throttled[0]["time"]
    assert "429 from Graph: waiting 1 s" in result.stderr
    users = len(PEOPLE) + len(json.loads(default_fixture_path().read_text())["users"])
    assert f"[{users}/{users}] " in result.stderr and "wrote" in result.stderr
    check_fixtures(out)
    with MockGraph(fixtures=[str(out)]) as served:
        assert everything(served.base_url) == everything(graph.base_url)


def test_pull_anonymized_keeps_structure_and_leaves_no_name_or_email(graph, tmp_path):
    out = tmp_path / "people.json"
    result = run_pull(graph, out, "--anonymize")
    assert result.returncode == 0, result.stderr
    check_fixtures(out)
    original = everything(graph.base_url)
    with MockGraph(fixtures=[str(out)]) as served:
        pulled = everything(served.base_url)
    assert list(pulled) == list(original)  # the same users (ids), in the same order
    for user_id, collections in original.items():
        assert_same_shape(UserSchema, collections["user"], pulled[user_id]["user"])
        for facet in FACETS:
            theirs, ours = collections[facet.segment], pulled[user_id][facet.segment]
            assert len(theirs) == len(ours), facet.segment
            for before, after in zip(theirs, ours, strict=True):
                assert_same_shape(facet.schema, before, after)

    text = out.read_text(encoding="utf-8")
    words = {word.lower() for word in re.findall(r"[^\W\d_]+", text)}
    emails = {value for value in strings(original) if "@" in value}
    names = {user["user"]["displayName"] for user in original.values()}
    assert emails and names
    for value in emails | names:
        assert value.lower() not in text.lower(), value
    for name in names:
        for word in re.findall(r"[^\W\d_]{3,}", name):
            assert word.lower() not in words, word

    # Consistent: a person's stand-in name is the same in their user entry and in what they created.
    data = json.loads(text)["users"]
    created = 0
    for user in data:
        for facet in FACETS:
            for item in user.get(facet.segment, []):
                author = (item.get("createdBy") or {}).get("user") or {}
                if author.get("id") == user["id"]:
                    assert author["displayName"] == user["displayName"]
                    created += 1
    assert created


def assert_same_shape(schema_cls, before, after, where: str = "") -> None:
    """Ids, dates, numbers, booleans and enums equal; strings still strings; nulls where they were."""
    assert set(before) == set(after), where
    fields_ = schemas.instance(schema_cls).fields
    for key, value in before.items():
        declared, other, path = fields_.get(key), after[key], f"{where}.{key}"
        if value is None or other is None:
            assert value is other is None, path
        elif isinstance(declared, f.Nested):
            assert_same_shape(type(declared.schema), value, other, path)
        elif isinstance(declared, f.NestedCollection):
            assert len(value) == len(other), path
            for i, (a, b) in enumerate(zip(value, other, strict=True)):
                assert_same_shape(type(declared.inner.schema), a, b, f"{path}[{i}]")
        elif isinstance(declared, f.StringCollection):
            assert len(value) == len(other), path
        elif isinstance(declared, f.String) and key != "id":
            assert isinstance(other, str), path
        else:
            assert value == other, path


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_named_users_only(graph, tmp_path):
    out = tmp_path / "two.json"
    first, last = PEOPLE[0]
    upn = f"{first}.{last}@fabrikam.com".upper()  # matched ignoring case, as Graph does
    wanted = str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{PEOPLE[1][0]}.{PEOPLE[1][1]}"))
    result = run_pull(graph, out, "--user", upn, wanted, "--user", upn)
    assert result.returncode == 0, result.stderr
    users = json.loads(out.read_text())["users"]
    assert [user["displayName"] for user in users] == [f"{first} {last}", " ".join(PEOPLE[1])]
    assert not graph.requests.find(path="/users")  # no listing when users are named


def test_max_users(graph, tmp_path):
    out = tmp_path / "three.json"
    assert run_pull(graph, out, "--max-users", "3").returncode == 0
    assert len(json.loads(out.read_text())["users"]) == 3


def test_stdout(graph, tmp_path):
    result = run_pull(graph, Path("-"), "--max-users", "1")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["users"]) == 1
