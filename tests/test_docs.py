"""Docs that cannot rot: every fenced ```sh, ```bash and ```python block of README.md and docs/*.md runs
as written, and a snippet that fails to paste fails the suite.

- A page's shell blocks run in document order as one `bash -e -o pipefail` script, from the repository's
  root with this interpreter's bin folder first on PATH (`mockgraph`, `python3`), against a `mockgraph
  serve` started for the page on a free port: the page's `8765` becomes that port, and a variable or an
  id set in one block is there in the next.
- Each Python block runs alone (a snippet must paste alone) with this interpreter, in an empty folder; a
  block that defines `test_` functions runs under pytest, as a user's test file would.
- ```json blocks must parse.
- `<!-- no-run: REASON -->` on the line just above a block leaves it out (a block that starts its own
  server, installs packages, or runs this very suite); the reason is required.
- Relative links point at files that exist, and `#anchors` at headings of the page they name.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from live import ServedMock

REPO = Path(__file__).resolve().parent.parent
RUN_LANGUAGES = {"sh": "shell", "bash": "shell", "python": "python", "json": "json"}
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*no-run\b(?P<rest>.*?)-->\s*$")
DOC_PORT = "8765"
SHELL_FAILED = "__docs_block_failed_at__"
TIMEOUT = 600  # seconds: only catches a hang
# Plugins of this environment that a snippet's pytest run does not need and that take seconds to import.
UNNEEDED_PLUGINS = ("cacheprovider", "schemathesis", "hypothesispytest", "anyio", "xdist")
# Linked before its page exists: docs/other-languages.md comes from the pull-js branch (issue 12).
PENDING_PAGES: set[str] = set()  # pages linked before they are written


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # the line of the block's first code line, counted from 1
    kind: str  # shell, python or json
    code: str
    skip_reason: str | None

    def where(self, offset: int = 0) -> str:
        return f"{_name(self.page)}:{self.line + offset}"


@dataclass(frozen=True)
class Failure:
    page: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message}"


def pages() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _name(page: Path) -> str:
    return str(page.relative_to(REPO)) if page.is_relative_to(REPO) else str(page)


def extract(page: Path) -> tuple[list[Block], list[Failure]]:
    """The page's blocks of the languages run here, and the misuse of markers (a marker without a reason,
    or one that no block follows)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    problems: list[Failure] = []
    pending_marker: tuple[int, str] | None = None
    i = 0
    while i < len(lines):
        marker = MARKER.match(lines[i])
        if marker:
            reason = marker.group("rest").strip()
            if not reason.startswith(":") or not reason[1:].strip():
                problems.append(Failure(_name(page), i + 1, "a no-run marker needs a reason: <!-- no-run: why -->"))
            pending_marker = (i + 1, reason[1:].strip())
            i += 1
            continue
        fence = FENCE.match(lines[i])
        if not fence:
            if lines[i].strip() and pending_marker:
                problems.append(Failure(_name(page), pending_marker[0], "a no-run marker must be just above a block"))
                pending_marker = None
            i += 1
            continue
        indent, lang = len(fence.group("indent")), fence.group("lang")
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        code = "\n".join(line[indent:] for line in lines[i + 1:end]) + "\n"
        marker_line, skip = pending_marker if pending_marker else (None, None)
        pending_marker = None
        if lang in RUN_LANGUAGES:
            blocks.append(Block(page, i + 2, RUN_LANGUAGES[lang], code, skip))
        elif marker_line is not None:
            problems.append(Failure(_name(page), marker_line,
                                    f"a no-run marker above a ```{lang} block, which is never run"))
        i = end + 1
    if pending_marker:
        problems.append(Failure(_name(page), pending_marker[0], "a no-run marker must be just above a block"))
    return blocks, problems


def run_page(page: Path) -> list[Failure]:
    """Run every block of a page; the failures, each naming the page and line."""
    blocks, failures = extract(page)
    runnable = [block for block in blocks if block.skip_reason is None]
    for block in runnable:
        if block.kind == "json":
            try:
                json.loads(block.code)
            except ValueError as error:
                failures.append(Failure(_name(page), block.line + getattr(error, "lineno", 1) - 1,
                                        f"json block does not parse: {error}"))
    shell = [block for block in runnable if block.kind == "shell"]
    if shell:
        with ServedMock() as server:
            port = server.base_url.rsplit(":", 1)[1].split("/")[0]
            failures += run_shell(shell, port)
            log = server.stop()
        if "Traceback" in log or "unexpected error" in log:  # a 500 no fault rule asked for: a bug
            failures.append(Failure(_name(page), shell[0].line, f"the server failed serving the page:\n{_tail(log)}"))
    for block in runnable:
        if block.kind == "python":
            failures += run_python(block)
    return failures


def run_shell(blocks: list[Block], port: str) -> list[Failure]:
    """The blocks as one script; a failing command is reported at its own line of the page."""
    script = [f"trap 'echo \"{SHELL_FAILED} $LINENO\" >&2' ERR"]
    origin: dict[int, tuple[Block, int]] = {}  # script line -> (block, offset in the block)
    for block in blocks:
        for offset, line in enumerate(block.code.splitlines()):
            script.append(line.replace(DOC_PORT, port))
            origin[len(script)] = (block, offset)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", "\n".join(script) + "\n"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=TIMEOUT)
    if result.returncode == 0:
        return []
    failed_at = re.findall(rf"{SHELL_FAILED} (\d+)", result.stderr)
    block, offset = origin.get(int(failed_at[-1]), (blocks[0], 0)) if failed_at else (blocks[-1], 0)
    stderr = re.sub(rf"{SHELL_FAILED} \d+\n?", "", result.stderr)
    command = block.code.splitlines()[offset].strip() if failed_at else "?"
    return [Failure(_name(block.page), block.line + offset,
                    f"shell command `{command}` failed (exit {result.returncode}):\n{_tail(result.stdout + stderr)}")]


def run_python(block: Block) -> list[Failure]:
    with tempfile.TemporaryDirectory(prefix="docs-snippet-") as folder:
        # A test module's name, so that pytest collects it whatever it holds.
        snippet = Path(folder) / f"test_snippet_line_{block.line}.py"
        snippet.write_text(block.code, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}  # not the outer run's
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        if re.search(r"^(async )?def test_", block.code, re.MULTILINE):
            disabled = [arg for name in UNNEEDED_PLUGINS for arg in ("-p", f"no:{name}")]
            argv = [sys.executable, "-m", "pytest", *disabled, "-q", "--tb=short", snippet.name]
        else:
            argv = [sys.executable, snippet.name]
        result = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    if result.returncode == 0:
        return []
    output = result.stdout + result.stderr
    lines = re.findall(rf'{re.escape(snippet.name)}", line (\d+)', output) or re.findall(
        rf"{re.escape(snippet.name)}:(\d+)", output)
    offset = int(lines[-1]) - 1 if lines else 0
    return [Failure(_name(block.page), block.line + offset,
                    f"python block failed (exit {result.returncode}):\n{_tail(output)}")]


def _tail(text: str, lines: int = 25, chars: int = 4000) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])[-chars:]


# The documentation itself


@pytest.mark.parametrize("page", pages(), ids=_name)
def test_every_snippet_runs_as_written(page):
    failures = run_page(page)
    assert not failures, "\n\n".join(map(str, failures))


def test_the_pages_have_snippets_and_the_front_page_runs_its_own():
    blocks = {page: extract(page)[0] for page in pages()}
    readme = blocks[REPO / "README.md"]
    assert any(b.kind == "shell" and b.skip_reason is None and "8765" in b.code for b in readme)
    assert any(b.kind == "python" and b.skip_reason is None and "def test_" in b.code for b in readme)
    assert sum(b.skip_reason is None for found in blocks.values() for b in found) >= 25


def heading_anchors(page: Path) -> set[str]:
    anchors = set()
    in_code = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))  # GitHub's rule
    return anchors


@pytest.mark.parametrize("page", pages(), ids=_name)
def test_relative_links_reach_a_file_and_a_heading(page):
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if path and not linked.exists():
            if _name(linked) not in PENDING_PAGES:
                broken.append(f"{target}: no such file")
            continue
        if anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked):
            broken.append(f"{target}: no such heading")
    assert not broken, f"{_name(page)}: " + "; ".join(broken)


# The runner itself: it must be able to fail, and say where


BROKEN_PAGE = """\
# A page

```sh
B=http://127.0.0.1:8765/beta
curl -s -o /dev/null "$B/me" -H 'Authorization: Bearer x'
```

<!-- no-run: shows how it fails -->
```sh
exit 7
```

```sh
ID=$(curl -s "$B/me" -H 'Authorization: Bearer x' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
test -n "$ID"
curl -s --fail "$B/me/profile/positions/not-there" \\
  -H 'Authorization: Bearer x'
echo never reached
```

```python
import mockgraph

print(mockgraph.__version__)
```

```python
import json

values = json.loads("[1, 2]")
assert values == [1, 2, 3], values
```

```python
def test_sees_the_plugin(mockgraph):
    assert mockgraph.base_url.endswith("/beta")


def test_fails(mockgraph):
    assert mockgraph.state()["users"] == []
```

```json
{"users": [],}
```
"""


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_the_runner_reports_the_page_and_line_of_each_broken_block(tmp_path):
    page = tmp_path / "broken.md"
    page.write_text(BROKEN_PAGE)
    failures = run_page(page)
    assert [(f.page, f.line) for f in failures] == [
        (str(page), line_of(BROKEN_PAGE, '{"users": [],}')),
        (str(page), line_of(BROKEN_PAGE, "curl -s --fail")),
        (str(page), line_of(BROKEN_PAGE, "assert values ==")),
        (str(page), line_of(BROKEN_PAGE, 'assert mockgraph.state()["users"] == []')),
    ], "\n".join(map(str, failures))
    shell = failures[1].message
    assert "`curl -s --fail" in shell and "exit 22" in shell and "never reached" not in shell
    assert "AssertionError: [1, 2]" in failures[2].message
    assert "1 failed, 1 passed" in failures[3].message


def test_markers_need_a_reason_and_a_block_below(tmp_path):
    page = tmp_path / "markers.md"
    page.write_text("<!-- no-run -->\n```sh\nexit 1\n```\n\n<!-- no-run: fine -->\nSome text.\n\n"
                    "<!-- no-run:   -->\n```python\nraise SystemExit(1)\n```\n\n<!-- no-run: a fence of its own -->\n"
                    "```ini\n[pytest]\n```\n")
    blocks, problems = extract(page)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (1, "a no-run marker needs a reason"),
        (6, "a no-run marker must be just above a block"),
        (9, "a no-run marker needs a reason"),
        (14, "a no-run marker above a ```ini block, which is never run"),
    ]
    assert all(block.skip_reason is not None for block in blocks)
