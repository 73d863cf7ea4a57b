"""docs/other-languages.md cannot drift from what is tested: its JavaScript is the code `make test-js`
runs (examples/js), its `.http` collection is examples/http/mockgraph.http, whose requests are sent to
a live mock here, and what nothing here runs says so."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from mockgraph import MockGraph

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "other-languages.md"
HTTP_FILE = REPO / "examples" / "http" / "mockgraph.http"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[str]:
    return [code for lang, code in FENCE.findall(PAGE.read_text(encoding="utf-8")) if lang == language]


def stripped(text: str) -> list[str]:
    return [line.strip() for line in text.strip("\n").splitlines()]


def test_every_javascript_block_is_code_that_make_test_js_runs():
    sources = [stripped(path.read_text(encoding="utf-8")) for path in (REPO / "examples" / "js").rglob("*.js")
               if "node_modules" not in path.parts]
    found = blocks("js")
    assert len(found) >= 6
    for block in found:
        lines = stripped(block)
        assert any(lines == source[i:i + len(lines)] for source in sources for i in range(len(source))), block


def test_the_http_block_is_the_collection_file():
    assert blocks("http") == [HTTP_FILE.read_text(encoding="utf-8")]


def test_what_is_not_run_here_says_so():
    headings = re.findall(r"^## (.+)$", PAGE.read_text(encoding="utf-8"), re.MULTILINE)
    for name in (".NET", "Go", "PowerShell"):
        assert any(h.startswith(name) and "untested" in h for h in headings), name


# The .http collection, sent as REST Client sends it (the subset of its syntax the file uses)


def parse_http(text: str) -> tuple[dict[str, str], list[dict]]:
    variables = dict(re.findall(r"^@(\w+) = (.+)$", text, re.MULTILINE))
    requests = []
    for chunk in text.split("\n###")[1:]:
        lines = chunk.splitlines()[1:]  # the line after ### is the request's title
        name = next((m.group(1) for line in lines if (m := re.match(r"# @name (\w+)$", line))), None)
        lines = [line for line in lines if not line.startswith("#")]
        method, url = lines[0].split(" ", 1)
        blank = lines.index("") if "" in lines else len(lines)
        headers = dict(line.split(": ", 1) for line in lines[1:blank])
        body = "\n".join(lines[blank + 1:]).strip()
        requests.append({"name": name, "method": method, "url": url, "headers": headers, "body": body})
    return variables, requests


def fill(text: str, variables: dict[str, str], named: dict[str, dict]) -> str:
    def value(match: re.Match) -> str:
        key = match.group(1)
        if key in variables:
            return variables[key]
        request, path = re.fullmatch(r"(\w+)\.response\.body\.\$\.(\w+)", key).groups()
        return str(named[request][path])

    return re.sub(r"\{\{(.+?)\}\}", value, text)


def test_the_http_collection_runs_against_the_mock():
    variables, requests = parse_http(HTTP_FILE.read_text(encoding="utf-8"))
    assert [r["method"] for r in requests] == ["GET", "GET", "POST", "GET", "PATCH", "GET", "DELETE"]
    named: dict[str, dict] = {}
    with MockGraph() as graph, httpx.Client(timeout=30) as client:
        variables = {**variables, "base": graph.base_url}
        statuses = []
        for request in requests:
            response = client.request(request["method"], fill(request["url"], variables, named),
                                      headers={k: fill(v, variables, named) for k, v in request["headers"].items()},
                                      content=request["body"].encode() or None)
            statuses.append(response.status_code)
            if request["name"]:
                named[request["name"]] = response.json()
            if request["method"] == "PATCH":
                detail = response.json()["detail"]
                assert (detail["jobTitle"], detail["company"]["department"]) == ("Senior Engineer", "Research")
        assert statuses == [200, 200, 201, 200, 200, 200, 204]
        assert graph.requests.find(status=500) == []


@pytest.mark.parametrize("path", ["examples/js/package.json", "examples/js/package-lock.json"])
def test_the_javascript_dependencies_are_pinned(path):
    import json

    data = json.loads((REPO / path).read_text(encoding="utf-8"))
    pinned = data["dependencies"] if path.endswith("package.json") else data["packages"][""]["dependencies"]
    assert pinned and all(re.fullmatch(r"\d+\.\d+\.\d+(-[\w.]+)?", version) for version in pinned.values()), pinned
