"""CONTRACT §8: the journal never holds a credential, in any form, and error messages never quote one.
Property-tested over generated header values (seeded, bounded), alone and inside `$batch` items."""

from __future__ import annotations

import json
import string

import pytest
from conftest import ADELE, GraphTestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockgraph import create_app
from mockgraph.control.redaction import redact_header, redact_json, redact_text

SETTINGS = settings(derandomize=True, max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
POSITIONS = f"/users/{ADELE}/profile/positions"

# A secret that cannot occur in a journal by chance: a marker, then token characters.
secrets = st.builds(lambda body: "Zq" + body, st.text(string.ascii_letters + string.digits + "-._~+/=",
                                                      min_size=8, max_size=40))
schemes = st.sampled_from(["Bearer", "bearer", "BEARER", "BeArEr", "Basic", "Token", "Digest", "Negotiate",
                           "Bearer:", "Bearer=", "", "x"])
separators = st.sampled_from([" ", "\t", "  ", " \t ", "", ",", ":", " : "])
noise = st.text(string.ascii_letters + string.digits + " \t.,;=:", max_size=12)


@st.composite
def credential_values(draw) -> tuple[str, str]:
    """(header value, the secret in it): schemes in any case or none, tabs, odd spacing, noise around."""
    secret = draw(secrets)
    form = draw(st.sampled_from(["scheme", "bare", "jwt", "cookie", "noise"]))
    if form == "jwt":
        secret = "eyJ" + secret
        value = f"{draw(schemes)}{draw(separators)}{secret}.{draw(secrets)}.sig"
    elif form == "cookie":
        value = f"session={secret}; theme=dark"
    elif form == "noise":
        value = f"{draw(noise)}{draw(separators)}{secret}{draw(separators)}{draw(noise)}"
    elif form == "bare":
        value = secret
    else:
        value = f"{draw(schemes)}{draw(separators)}{secret}{draw(st.sampled_from(['', ' ', ' x', chr(9) + 'y']))}"
    return value.strip() or secret, secret


CREDENTIAL_HEADERS = ["Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "X-Auth-Token",
                      "Ocp-Apim-Subscription-Key", "X-Refresh-Token"]


@pytest.fixture(scope="module")
def client():
    client = GraphTestClient(create_app())
    client.raw = client.app.test_client(use_cookies=False)  # else it drops the Cookie header sent
    return client


def as_environ(headers: dict) -> dict:
    """Headers as the WSGI server passes them (the test client would drop a Cookie header of its own)."""
    return {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}


def journal_text(client: GraphTestClient) -> str:
    answer = client.raw.get("/_mockgraph/requests")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


@SETTINGS
@given(name=st.sampled_from(CREDENTIAL_HEADERS), credential=credential_values())
def test_a_credential_header_is_never_journaled_nor_quoted(client, name, credential):
    value, secret = credential
    client.raw.delete("/_mockgraph/requests")
    headers = {name: value}
    if name != "Authorization":
        headers["Authorization"] = "Bearer x"
    answer = client.raw.get(f"/beta{POSITIONS}", environ_overrides=as_environ(headers))
    assert secret not in answer.get_data(as_text=True)
    text = journal_text(client)
    assert secret not in text and json.loads(text)["value"], text[:2000]


@SETTINGS
@given(credential=credential_values(), name=st.sampled_from(CREDENTIAL_HEADERS + ["X-Custom"]))
def test_a_credential_in_a_batch_item_is_never_journaled(client, credential, name):
    value, secret = credential
    if name == "X-Custom":  # a header of no credential's name: its value alone gives it away
        value = f"Bearer {secret}" if not secret.startswith("eyJ") else value
    client.raw.delete("/_mockgraph/requests")
    body = {"requests": [{"id": "1", "method": "GET", "url": POSITIONS, "headers": {name: value}},
                         {"id": "2", "method": "GET", "url": f"/me?access_token={secret}"}]}
    answer = client.post("/$batch", json=body)
    assert answer.status_code == 200 and secret not in answer.get_data(as_text=True)
    text = journal_text(client)
    assert secret not in text and len(json.loads(text)["value"]) == 3


@SETTINGS
@given(credential=credential_values())
def test_the_batch_authorization_and_a_wrong_scheme_are_never_quoted(client, credential):
    value, secret = credential
    client.raw.delete("/_mockgraph/requests")
    for answer in (client.get("/me", token=None, headers={"Authorization": value}),
                   client.post("/$batch", token=None, headers={"Authorization": value},
                               json={"requests": [{"id": "1", "method": "GET", "url": "/me"}]})):
        assert secret not in answer.get_data(as_text=True)
    assert secret not in journal_text(client)


def test_a_bearer_token_is_kept_as_bearer_redacted_and_nothing_else(client):
    client.raw.delete("/_mockgraph/requests")
    client.raw.get("/beta/me", environ_overrides=as_environ({
        "Authorization": "bearer\tsecret-one", "Cookie": "a=secret-two", "Proxy-Authorization": "Basic c2VjcmV0"}))
    headers = json.loads(journal_text(client))["value"][-1]["headers"]
    assert headers["Authorization"] == "Bearer <redacted>"
    assert headers["Cookie"] == "<redacted>"
    assert headers["Proxy-Authorization"] == "Basic <redacted>"


def test_the_401_for_another_scheme_quotes_nothing(client):
    for value in ("SuperSecretToken", "Token SuperSecretToken", "Bearer\tSuperSecretToken"):
        answer = client.get("/me", token=None, headers={"Authorization": value})
        assert answer.status_code == 401
        message = answer.get_json()["error"]["message"]
        assert "SuperSecret" not in message and "Token" not in message.replace("'Bearer <token>'", "")


def test_query_credentials_are_redacted_but_paging_tokens_kept(client):
    client.raw.delete("/_mockgraph/requests")
    client.get("/me?access_token=hidden-1&code=hidden-2&$skiptoken=kept&api_key=hidden-3")
    query = json.loads(journal_text(client))["value"][-1]["query"]
    assert query == {"access_token": "<redacted>", "code": "<redacted>", "$skiptoken": "kept",
                     "api_key": "<redacted>"}


def test_redaction_of_json_and_of_text_cut_short():
    body = {"requests": [{"id": "1", "headers": {"Authorization": "Bearer a", "X-Other": "Basic b",
                                                 "Accept": "application/json"}}],
            "password": "c", "jobTitle": "Basic Engineer"}
    assert redact_json(body) == {
        "requests": [{"id": "1", "headers": {"Authorization": "Bearer <redacted>", "X-Other": "Basic <redacted>",
                                             "Accept": "application/json"}}],
        "password": "<redacted>", "jobTitle": "Basic Engineer"}
    cut = '{"requests": [{"headers": {"Accept": "x", "Authorization": "Bearer abcdef'
    assert redact_text(cut).endswith('"Authorization": "Bearer <redacted>')
    assert "abcdef" not in redact_text('... "token": "eyJabc.def.ghi" ...')
    assert redact_header("User-Agent", "python-requests/2.32") == "python-requests/2.32"
    deep = {"a": [{"b": [{"c": {"headers": {"Authorization": "Bearer deep-one"}}}]}]}
    for _ in range(100):
        deep = {"x": deep}
    assert "deep-one" not in json.dumps(redact_json(deep))
