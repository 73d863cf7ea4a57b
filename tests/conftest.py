"""Shared test helpers: a strict app per test, a test client that sends a token, fixture ids."""

from __future__ import annotations

import json

import flask
import microsoft_openapi
import pytest

from mockgraph import MockGraph, create_app, intercept

# From the bundled fixtures (mockgraph/fixtures/default.json).
ADELE = "7c1e4b92-3a5d-4f08-b6e1-9d2a0c4f7e13"
ADELE_UPN = "adele.vance@contoso.com"
NESTOR = "b4f09a6e-2d7c-4e51-8a3f-61c5e0d9b287"
TOMASZ = "9d47c1b3-e85a-4f90-b2c6-37a1f5e08d6b"  # has no positions
SEED_PAGE_ID = "2cb67137-7137-2cb6-3771-b62c3771b62c"  # Adele's current position


class GraphTestClient:
    """Flask's test client, with `/beta` prefixed and `Authorization: Bearer x` sent unless told."""

    def __init__(self, app, token: str | None = "x"):
        self.app = app
        self.raw = app.test_client()
        self.token = token

    def request(self, method: str, path: str, *, token: str | None | bool = True, headers=None, **kwargs):
        headers = dict(headers or {})
        token = self.token if token is True else token
        if token is not None and token is not False:
            headers.setdefault("Authorization", f"Bearer {token}")
        url = path if path.startswith("/_") or path.startswith("/v1.0") or path.startswith("/beta") else "/beta" + path
        return self.raw.open(url, method=method, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def state(self) -> str:
        """Everything stored, as canonical JSON: compare before and after to prove nothing changed."""
        repository = self.app.extensions["mockgraph"].repository
        return json.dumps(repository.export(), sort_keys=True)


@pytest.fixture
def app():
    return create_app(strict=True)


@pytest.fixture
def client(app):
    return GraphTestClient(app)


@pytest.fixture(scope="module")
def live_mock():
    """One live MockGraph per test module (starting one costs more than most tests)."""
    with MockGraph(strict=True) as mock:
        yield mock


@pytest.fixture(params=["live", "in-process"])
def graph_mock(request):
    """Where the official SDK points (`graph_mock.base_url`): a live mock over HTTP, reset to the bundled
    data, or graph.microsoft.com served in process under `intercept()`."""
    if request.param == "live":
        mock = request.getfixturevalue("live_mock")
        mock.reset()
        yield mock
    else:
        with intercept(strict=True) as mock:
            yield mock


def assert_graph_error(response, status: int, code: str, message: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    error = body["error"]
    assert error["code"] == code
    if message is not None:
        assert error["message"] == message
    inner = error["innerError"]
    assert inner["request-id"] == response.headers["request-id"]
    assert inner["client-request-id"] == response.headers["client-request-id"]
    return error


# Every answer a profile route gives, in any app of this process (test clients, MockGraph, intercept(),
# $batch's inner requests), is checked against Microsoft's OpenAPI (tests/microsoft_openapi.py).
_OFF_SPEC: list[str] = []


def _check_profile_answer(sender, response, **extra) -> None:
    request = flask.request
    if not microsoft_openapi.is_profile_route(request.path) or response.is_streamed:
        return
    if request.method == "OPTIONS" and response.status_code < 400:
        return  # a CORS preflight: no body, no operation
    method = "GET" if request.method == "HEAD" else request.method
    try:
        _OFF_SPEC.extend(microsoft_openapi.problems(method, request.path, response.status_code,
                                                    response.content_type, response.get_data()))
    except Exception as error:  # a body the check cannot read is a finding too
        _OFF_SPEC.append(f"{request.method} {request.path}: cannot be checked: {error!r}")


@pytest.fixture(scope="session", autouse=True)
def _profile_answers_are_watched():
    flask.request_finished.connect(_check_profile_answer, weak=False)
    yield
    flask.request_finished.disconnect(_check_profile_answer)


@pytest.fixture(autouse=True)
def profile_answers_match_microsoft(_profile_answers_are_watched):
    """Fails the test (at teardown) if any profile answer it received departs from Microsoft's OpenAPI."""
    _OFF_SPEC.clear()
    yield
    found = list(_OFF_SPEC)
    _OFF_SPEC.clear()
    assert not found, "answers that depart from Microsoft's OpenAPI:\n" + "\n".join(found[:10])
