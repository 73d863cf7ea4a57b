"""The pytest plugin (registered through the `pytest11` entry point: installing mockgraph is enough).

- `mockgraph_server` (session): one `MockGraph` per test session, so one per pytest-xdist worker.
- `mockgraph` (function): that server, reset *before* the test (state a test leaves behind never reaches
  the next one, even one that failed), then seeded by the test's `mockgraph_seed` markers and given the
  fault rules of its `mockgraph_faults` markers.
- `mockgraph_intercept` (function): a new mock serving `https://graph.microsoft.com` in process
  (`intercept()`), with the same ini options and markers.
- ini options: `mockgraph_fixtures` (fixture files, relative to the ini file), `mockgraph_page_size`,
  `mockgraph_seed` (reproducible generated ids).

Nothing heavy is imported until a test asks for a fixture.
"""

from __future__ import annotations

from pathlib import Path

import pytest

MARKER = "mockgraph_seed"
FAULTS_MARKER = "mockgraph_faults"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("mockgraph_fixtures", type="paths", default=[],
                  help="mockgraph: fixture files to seed the server from (default: the bundled people)")
    parser.addini("mockgraph_page_size", default="", help="mockgraph: the server's page size (1-999)")
    parser.addini("mockgraph_seed", default="", help="mockgraph: an integer that makes generated ids reproducible")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(data_or_path): mockgraph: add fixture-format data (a dict, or a JSON file relative to the "
        "test file) for this test only; class and module markers apply first",
    )
    config.addinivalue_line(
        "markers",
        f"{FAULTS_MARKER}(rules): mockgraph: fault rules (a rule dict or a list of them) for this test only; "
        "class and module markers' rules come first",
    )


def server_options(config: pytest.Config) -> dict:
    options: dict = {}
    fixtures = config.getini("mockgraph_fixtures")
    if fixtures:
        # The ini gives paths resolved beside it; only a bare name there may mean a bundled file.
        beside_ini = Path(config.inipath).parent if config.inipath else None
        options["fixtures"] = [_file_or_bundled(path, path.name if path.parent == beside_ini else str(path))
                               for path in fixtures]
    for name, key in (("mockgraph_page_size", "page_size"), ("mockgraph_seed", "seed")):
        value = config.getini(name).strip()
        if value:
            try:
                options[key] = int(value)
            except ValueError:
                raise pytest.UsageError(f"{name} must be an integer, not '{value}'") from None
    return options


@pytest.fixture(scope="session")
def mockgraph_server(pytestconfig: pytest.Config):
    """A live mock for the whole session (each xdist worker has its own). Tests want `mockgraph`."""
    from mockgraph.harness.live import MockGraph

    try:
        server = MockGraph(**server_options(pytestconfig))
    except ValueError as error:  # a bad fixture file (it names the file and the JSON path) or option
        raise pytest.UsageError(f"mockgraph: {error}") from None
    yield server
    server.stop()


@pytest.fixture
def mockgraph(mockgraph_server, request: pytest.FixtureRequest):
    """The session's mock, back to its seeded state, plus this test's `mockgraph_seed` data."""
    mockgraph_server.reset()
    return apply_markers(mockgraph_server, request)


@pytest.fixture
def mockgraph_intercept(pytestconfig: pytest.Config, request: pytest.FixtureRequest):
    """A new mock answering `https://graph.microsoft.com` in this process for the test's duration."""
    from mockgraph.harness.intercept import intercept

    try:
        interception = intercept(**server_options(pytestconfig))
    except ValueError as error:
        raise pytest.UsageError(f"mockgraph: {error}") from None
    with interception:
        yield apply_markers(interception, request)


def _file_or_bundled(path: Path, given: str) -> str:
    """A relative path is resolved beside the ini or test file; a bundled fixture's name
    (`example-people`) that names no file there stays a name."""
    from mockgraph.fixtures.files import bundled_fixture_names

    return given if not path.exists() and given in bundled_fixture_names() else str(path)


def apply_markers(mock, request: pytest.FixtureRequest):
    """This test's `mockgraph_seed` data and `mockgraph_faults` rules, on a `MockGraph` or an interception."""
    # iter_markers gives the closest first (function, class, module); apply the widest first.
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if len(marker.args) != 1 or marker.kwargs:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes one argument: a dict or a fixture file path")
        data = marker.args[0]
        if isinstance(data, str | Path) and not Path(data).is_absolute():
            data = _file_or_bundled(request.path.parent / data, str(data))
        mock.seed(data)
    for marker in reversed(list(request.node.iter_markers(FAULTS_MARKER))):
        if len(marker.args) != 1 or marker.kwargs:
            raise pytest.UsageError(f"@pytest.mark.{FAULTS_MARKER} takes one argument: a rule or a list of rules")
        try:
            mock.faults.extend(marker.args[0])
        except ValueError as error:  # a bad rule: it names the rule's index and field
            raise pytest.UsageError(f"@pytest.mark.{FAULTS_MARKER}: {error}") from None
    return mock
