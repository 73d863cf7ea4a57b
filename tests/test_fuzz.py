"""schemathesis against the mock's own OpenAPI document and a live server, bounded and reproducible: a
fixed seed, derandomized Hypothesis, no example database, a fixed number of examples per operation.

Checks on every case: no 5xx, the response conforms to the document (status, content type, body
schema), and a 4xx answer left the stored state (`GET /_mockgraph/state`) byte-identical.
"""

from __future__ import annotations

import copy

import pytest
import requests
import schemathesis
from conftest import ADELE, ADELE_UPN, NESTOR, SEED_PAGE_ID, TOMASZ
from hypothesis import HealthCheck, settings
from live import ServedMock
from rawhttp import root_url, stored_state
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mockgraph.control.openapi import build_document
from mockgraph.graph.facets import FACETS

SEED = 20_261_127
EXAMPLES = 20  # per operation, both generation modes together: 20 operations, about 400 requests
AUTH = {"Authorization": "Bearer x"}
WRITES = {"POST", "PATCH", "DELETE", "PUT"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Random user and item ids would all be 404s: path parameters are narrowed to stored ids (of several
# users, so some pairs belong to another user) and a few that are not stored.
USERS = [ADELE, ADELE_UPN, ADELE_UPN.upper(), NESTOR, TOMASZ, "nobody@contoso.com"]
ITEMS = [SEED_PAGE_ID, "00000000-0000-0000-0000-000000000000", "not-a-guid"]


def narrowed(document: dict, items: list[str]) -> dict:
    document = copy.deepcopy(document)
    for path_item in document["paths"].values():
        for parameter in path_item.get("parameters", []):
            if parameter["in"] == "path":
                values = USERS if parameter["name"] == "user" else items
                parameter["schema"] = {"type": "string", "enum": values}
    return document


def seeded_items() -> list[str]:
    """Item ids of the users above, read from a throwaway app with the bundled fixtures."""
    from mockgraph import create_app

    repository = create_app().extensions["mockgraph"].repository
    kinds = [facet.segment for facet in FACETS]
    return [item["id"] for user in (ADELE, NESTOR) for kind in kinds for item in repository.list_items(kind, user)]


CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"max-examples": EXAMPLES, "database": "none"},
    # The coverage phase adds hundreds of boundary cases per operation: too many for every run.
    "phases": {"coverage": {"enabled": False}},
})
schema = schemathesis.openapi.from_dict(narrowed(build_document(FACETS), ITEMS + seeded_items()), config=CONFIG)


@pytest.fixture(scope="module")
def mock():
    with ServedMock() as served:
        yield served
        log = served.stop()
    assert "Traceback" not in log


@pytest.fixture
def watch(mock):
    """Each operation starts from the seeded state; `watch` tracks what the state must still be."""
    session = requests.Session()
    assert session.post(root_url(mock.base_url) + "/_mockgraph/reset", timeout=30).status_code == 204
    watcher = StateWatch(mock.base_url, session)
    yield watcher
    session.close()


class StateWatch:
    """Compares the stored state before and after each case that answers 4xx. The state before is
    known without asking when nothing could have changed it since the last look."""

    def __init__(self, base_url: str, session: requests.Session):
        self.base_url = base_url
        self.session = session
        self.known: bytes | None = None

    def before(self) -> None:
        if self.known is None:
            self.known = stored_state(self.base_url, self.session)

    def after(self, method: str, status: int) -> None:
        if 400 <= status < 500:
            now = stored_state(self.base_url, self.session)
            assert now == self.known, f"{method} answered {status} but changed the stored state"
        elif method.upper() in WRITES:
            self.known = None


@schema.parametrize()
@settings(derandomize=True, database=None, deadline=None, max_examples=EXAMPLES,
          suppress_health_check=list(HealthCheck))
def test_fuzz(case, mock, watch):
    watch.before()
    response = case.call(base_url=mock.base_url, headers=AUTH, timeout=60)
    case.validate_response(response, checks=CHECKS)
    watch.after(case.method, response.status_code)
