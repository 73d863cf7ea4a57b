"""CONTRACT §8 fault rules (and §2's 429 innerError): effects, times, seeded probability, the rate limiter,
matching, order, the control API, the Options and the `--faults` file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests
from conftest import ADELE, ADELE_UPN, NESTOR, SEED_PAGE_ID, GraphTestClient, assert_graph_error
from live import ServedMock

from mockgraph import create_app
from mockgraph.control.faults.injection import FaultFileError
from mockgraph.control.faults.rules import FaultRuleError
from mockgraph.graph.tokens import make_token

POSITIONS = f"/users/{ADELE}/profile/positions"
ANY_POSITIONS = "/users/*/profile/positions*"
NEW = {"detail": {"jobTitle": "Tester", "company": {"displayName": "Fabrikam"}}}
THROTTLE = {"methods": ["GET"], "path": ANY_POSITIONS, "effect": "fail", "status": 429}


class FakeTime:
    """Stands in for the rules' monotonic timer and sleep: time moves only when told or slept."""

    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def timer(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def rules(app):
    return app.extensions["mockgraph"].faults


@pytest.fixture
def fake_time(rules):
    fake = FakeTime()
    rules.timer, rules.sleep = fake.timer, fake.sleep
    return fake


def journaled_faults(client) -> list:
    """The `fault` of every journal entry, oldest first."""
    return [entry["fault"] for entry in client.get("/_mockgraph/requests").get_json()["value"]]


def add(client, rule, status=201):
    response = client.post("/_mockgraph/faults", json=rule)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def statuses(client, n, path=POSITIONS, method="GET"):
    return [client.request(method, path).status_code for _ in range(n)]


# Effects


def test_throttled_get_is_graphs_429_with_retry_after_and_the_throttling_inner_error(client):
    rule = add(client, THROTTLE)
    response = client.get(POSITIONS)
    error = assert_graph_error(response, 429, "TooManyRequests")
    assert response.headers["Retry-After"] == "1"
    assert {k: error["innerError"][k] for k in ("code", "message", "status")} == {
        "code": "429", "message": "Please retry after", "status": "429"}
    assert journaled_faults(client) == [{"rule": rule["id"], "effect": "fail"}]


@pytest.mark.parametrize(("status", "code", "retry_after"), [
    (503, "serviceNotAvailable", "1"), (500, "generalException", None), (502, "BadGateway", None),
    (504, "GatewayTimeout", None), (507, "quotaLimitReached", None), (418, "generalException", None)])
def test_fail_answers_graphs_code_for_each_status(client, status, code, retry_after):
    add(client, {"path": ANY_POSITIONS, "effect": "fail", "status": status})
    response = client.get(POSITIONS)
    error = assert_graph_error(response, status, code)
    assert response.headers.get("Retry-After") == retry_after
    assert "status" not in error["innerError"]


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_configurable(client, status):
    add(client, {"path": ANY_POSITIONS, "effect": "fail", "status": status, "retryAfter": 7})
    assert client.get(POSITIONS).headers["Retry-After"] == "7"


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("POST", POSITIONS, {"json": NEW}),
    ("PATCH", f"{POSITIONS}/{SEED_PAGE_ID}", {"json": {"isCurrent": False}}),
    ("DELETE", f"{POSITIONS}/{SEED_PAGE_ID}", {})])
def test_a_failed_write_stores_nothing_and_the_same_write_succeeds_once_the_rule_is_gone(client, method, path,
                                                                                         kwargs):
    rule = add(client, {"methods": [method], "path": ANY_POSITIONS, "effect": "fail", "status": 503})
    before = client.state()
    assert_graph_error(client.request(method, path, **kwargs), 503, "serviceNotAvailable")
    assert client.state() == before
    assert client.delete(f"/_mockgraph/faults/{rule['id']}").status_code == 204
    assert client.request(method, path, **kwargs).status_code < 300
    assert client.state() != before


def test_delay_waits_then_answers_normally(client, fake_time):
    rule = add(client, {"path": ANY_POSITIONS, "effect": "delay", "delayMs": 250})
    response = client.get(POSITIONS)
    assert response.status_code == 200 and len(response.get_json()["value"]) == 3
    assert fake_time.slept == [0.25]
    assert journaled_faults(client) == [{"rule": rule["id"], "effect": "delay"}]


def test_delay_range_draws_from_the_rules_seed(app, client, fake_time):
    add(client, {"path": ANY_POSITIONS, "effect": "delay", "delayMs": [100, 900], "seed": 5})
    statuses(client, 8)
    first = list(fake_time.slept)
    assert all(0.1 <= s <= 0.9 for s in first) and len(set(first)) > 1
    other = create_app(strict=True)
    other_time = FakeTime()
    faults = other.extensions["mockgraph"].faults
    faults.timer, faults.sleep = other_time.timer, other_time.sleep
    faults.add(path=ANY_POSITIONS, effect="delay", delayMs=[100, 900], seed=5)
    statuses(GraphTestClient(other), 8)
    assert other_time.slept == first


def test_delay_really_sleeps(client):
    import time

    add(client, {"path": ANY_POSITIONS, "effect": "delay", "delayMs": 60})
    started = time.monotonic()
    assert client.get(POSITIONS).status_code == 200
    assert time.monotonic() - started >= 0.06  # a lower bound only: sleeping never takes less


# times and probability


def test_times_fires_on_the_next_n_matches_only(client):
    add(client, {**THROTTLE, "times": 2})
    assert statuses(client, 4) == [429, 429, 200, 200]


def sequence(rule: dict, n: int = 40) -> list[int]:
    app = create_app(strict=True)
    client = GraphTestClient(app)
    add(client, rule)
    return statuses(client, n)


def test_probability_with_a_seed_gives_the_same_sequence_every_time():
    rule = {**THROTTLE, "probability": 0.3, "seed": 42}
    first = sequence(rule)
    assert first == sequence(rule)
    assert set(first) == {200, 429}
    assert sequence({**rule, "seed": 43}) != first


def test_probability_without_a_seed_records_the_one_it_used_for_replay(client):
    stored = add(client, {**THROTTLE, "probability": 0.5})
    first = statuses(client, 30)
    assert isinstance(stored["seed"], int)
    assert sequence({k: v for k, v in stored.items() if k != "id"}, 30) == first


def test_probability_and_times_together(client):
    add(client, {**THROTTLE, "probability": 0.5, "seed": 1, "times": 3})
    answers = statuses(client, 40)
    assert answers.count(429) == 3 and answers != [429] * 3 + [200] * 37  # not simply the first three


def test_times_holds_under_concurrent_requests(app):
    from concurrent.futures import ThreadPoolExecutor

    app.extensions["mockgraph"].faults.add(THROTTLE, times=25)

    def run(_):
        return statuses(GraphTestClient(app), 10)

    with ThreadPoolExecutor(8) as pool:
        answers = [status for batch in pool.map(run, range(8)) for status in batch]
    assert answers.count(429) == 25 and answers.count(200) == 55


# The rate limiter


def test_rate_limit_window_and_the_retry_after_it_really_needs(client, fake_time):
    rule = add(client, {"path": ANY_POSITIONS, "effect": "rateLimit", "limit": 2, "windowSeconds": 10})
    assert statuses(client, 1) == [200]
    fake_time.now += 4
    assert statuses(client, 1) == [200]  # the window holds t=0 and t=4
    fake_time.now += 1
    response = client.get(POSITIONS)
    assert_graph_error(response, 429, "TooManyRequests")
    assert response.headers["Retry-After"] == "5"  # t=0 leaves at t=10
    assert journaled_faults(client)[-1] == {"rule": rule["id"], "effect": "rateLimit"}
    fake_time.now += 5
    assert statuses(client, 1) == [200]  # t=10: the first slot is free again
    fake_time.now += 0.5
    assert client.get(POSITIONS).headers["Retry-After"] == "4"  # t=4 leaves at t=14: 3.5 s, rounded up
    fake_time.now += 3.25
    assert client.get(POSITIONS).headers["Retry-After"] == "1"  # 0.25 s: never less than one second
    fake_time.now += 0.25
    assert statuses(client, 1) == [200]


def test_rate_limit_is_shared_unless_per_user(client, fake_time):
    add(client, {"path": ANY_POSITIONS, "effect": "rateLimit", "limit": 1, "windowSeconds": 60})
    assert [client.get(f"/users/{user}/profile/positions").status_code for user in (ADELE, NESTOR)] == [200, 429]


def test_rate_limit_per_user_counts_the_user_however_the_request_names_them(client, fake_time):
    add(client, {"path": ANY_POSITIONS, "effect": "rateLimit", "limit": 2, "windowSeconds": 60, "perUser": True})
    paths = [POSITIONS, f"/users/{NESTOR}/profile/positions", f"/users/{ADELE_UPN.upper()}/profile/positions",
             f"/users/{NESTOR}/profile/positions", "/me/profile/positions"]
    assert [client.get(path).status_code for path in paths] == [200, 200, 200, 200, 429]


# Matching, order, precedence


def test_methods_limit_a_rule(client):
    add(client, THROTTLE)
    assert client.post(POSITIONS, json=NEW).status_code == 201
    assert client.get(POSITIONS).status_code == 429


def test_a_users_glob_also_catches_me_and_upn_paths(client):
    add(client, THROTTLE)
    for path in ("/me/profile/positions", f"/users/{ADELE_UPN}/profile/positions/{SEED_PAGE_ID}",
                 f"/user/{NESTOR}/profile/positions"):
        assert client.get(path).status_code == 429, path
    assert client.get(f"/users/{ADELE}").status_code == 200


def test_a_path_naming_a_user_by_id_catches_the_same_user_by_upn_and_me(client):
    add(client, {"path": f"/users/{ADELE}/profile/positions", "effect": "fail", "status": 500})
    assert client.get(f"/users/{ADELE_UPN}/profile/positions").status_code == 500
    assert client.get("/me/profile/positions").status_code == 500
    assert client.get(f"/users/{NESTOR}/profile/positions").status_code == 200
    assert client.get(f"{POSITIONS}/{SEED_PAGE_ID}").status_code == 200  # a glob, not a prefix


@pytest.mark.parametrize("rule_user", [ADELE_UPN, ADELE.upper()])
def test_user_matches_the_user_the_request_acts_on(client, rule_user):
    add(client, {**THROTTLE, "user": rule_user})
    assert client.get(POSITIONS).status_code == 429
    assert client.get(f"/users/{ADELE_UPN}/profile/positions").status_code == 429
    assert client.get("/me/profile/positions").status_code == 429  # the default user is Adele
    assert client.get(f"/users/{NESTOR}/profile/positions").status_code == 200
    nestor = make_token(oid=NESTOR, scp="User.Read")
    assert client.get("/me/profile/positions", token=nestor).status_code == 200


def test_rules_are_tried_in_order_and_the_first_failure_answers(client, fake_time):
    delay = add(client, {"path": "/*", "effect": "delay", "delayMs": 100})
    first = add(client, {**THROTTLE, "times": 1})
    second = add(client, {"path": ANY_POSITIONS, "effect": "fail", "status": 500, "times": 1})
    assert statuses(client, 3) == [429, 500, 200]
    assert fake_time.slept == [0.1, 0.1, 0.1]
    assert journaled_faults(client) == [{"rule": first["id"], "effect": "fail"},
                                        {"rule": second["id"], "effect": "fail"},
                                        {"rule": delay["id"], "effect": "delay"}]


def test_faults_come_after_authentication_and_before_routing(client):
    add(client, {"path": "/*", "effect": "fail", "status": 503})
    assert_graph_error(client.get(POSITIONS, token=None), 401, "InvalidAuthenticationToken")
    assert_graph_error(client.get("/nothing/here"), 503, "serviceNotAvailable")
    assert_graph_error(client.get("/users/nobody@contoso.com/profile/positions"), 503, "serviceNotAvailable")


def test_reset_clears_the_rules(app, client):
    add(client, THROTTLE)
    app.extensions["mockgraph"].reset()
    assert client.get("/_mockgraph/faults").get_json() == []
    assert client.get(POSITIONS).status_code == 200


# The control API


def test_control_api_lists_adds_and_removes_rules_in_order(client):
    one = add(client, {**THROTTLE, "id": "slow-reads"})
    assert one == {"id": "slow-reads", **THROTTLE}
    many = add(client, [{"path": "/a", "effect": "delay", "delayMs": 1}, {"path": "/b", "effect": "delay",
                                                                          "delayMs": 2}])
    assert [rule["id"] for rule in many] == ["fault-1", "fault-2"]
    listed = client.get("/_mockgraph/faults").get_json()
    assert [rule["id"] for rule in listed] == ["slow-reads", "fault-1", "fault-2"]
    assert client.delete("/_mockgraph/faults/fault-1").status_code == 204
    assert [rule["id"] for rule in client.get("/_mockgraph/faults").get_json()] == ["slow-reads", "fault-2"]
    assert_graph_error(client.delete("/_mockgraph/faults/fault-1"), 404, "itemNotFound")
    assert client.delete("/_mockgraph/faults").status_code == 204
    assert client.get("/_mockgraph/faults").get_json() == []


@pytest.mark.parametrize(("rule", "field"), [
    ({"effect": "fail", "status": 429}, "path"),
    ({"path": "users/*", "effect": "fail", "status": 429}, "path"),
    ({"path": "/*", "effect": "explode"}, "effect"),
    ({"path": "/*", "effect": "fail"}, "status"),
    ({"path": "/*", "effect": "fail", "status": 200}, "status"),
    ({"path": "/*", "effect": "fail", "status": "429"}, "status"),
    ({"path": "/*", "effect": "fail", "status": 500, "retryAfter": 2}, "retryAfter"),
    ({"path": "/*", "effect": "fail", "status": 429, "delayMs": 5}, "delayMs"),
    ({"path": "/*", "effect": "delay"}, "delayMs"),
    ({"path": "/*", "effect": "delay", "delayMs": [9, 1]}, "delayMs"),
    ({"path": "/*", "effect": "delay", "delayMs": 1.5}, "delayMs"),
    ({"path": "/*", "effect": "rateLimit", "limit": 0, "windowSeconds": 1}, "limit"),
    ({"path": "/*", "effect": "rateLimit", "limit": 1}, "windowSeconds"),
    ({"path": "/*", "effect": "rateLimit", "limit": 1, "windowSeconds": 1, "perUser": 1}, "perUser"),
    ({"path": "/*", "effect": "delay", "delayMs": 1, "methods": ["FETCH"]}, "methods"),
    ({"path": "/*", "effect": "delay", "delayMs": 1, "methods": []}, "methods"),
    ({"path": "/*", "effect": "delay", "delayMs": 1, "times": 0}, "times"),
    ({"path": "/*", "effect": "delay", "delayMs": 1, "probability": 1.5}, "probability"),
    ({"path": "/*", "effect": "delay", "delayMs": 1, "seed": None}, "seed"),
    ({"path": "/*", "effect": "delay", "delayMs": 1, "id": "a/b"}, "id"),
    ({"path": "/*", "effect": "delay", "delayMs": 1, "retry": 3}, "retry"),
])
def test_a_bad_rule_is_a_400_naming_the_field_and_adds_nothing(client, rule, field):
    error = assert_graph_error(client.post("/_mockgraph/faults", json=rule), 400, "BadRequest")
    assert f"'{field}'" in error["message"]
    error = assert_graph_error(client.post("/_mockgraph/faults", json=[THROTTLE, rule]), 400, "BadRequest")
    assert f"'[1].{field}'" in error["message"]
    assert client.get("/_mockgraph/faults").get_json() == []


@pytest.mark.parametrize("body", ["[1, 2]", '"rule"', "{", '{"a": 1, "a": 2}'])
def test_a_bad_body_is_a_400(client, body):
    response = client.raw.post("/_mockgraph/faults", data=body, content_type="application/json")
    assert_graph_error(response, 400, "BadRequest")
    assert client.get("/_mockgraph/faults").get_json() == []


def test_a_duplicate_id_is_a_400(client):
    add(client, {**THROTTLE, "id": "x"})
    error = assert_graph_error(client.post("/_mockgraph/faults", json={**THROTTLE, "id": "x"}), 400, "BadRequest")
    assert "'id'" in error["message"]
    error = assert_graph_error(client.post("/_mockgraph/faults", json=[{**THROTTLE, "id": "y"},
                                                                       {**THROTTLE, "id": "y"}]), 400, "BadRequest")
    assert "'[1].id'" in error["message"]
    assert [rule["id"] for rule in client.get("/_mockgraph/faults").get_json()] == ["x"]


def test_control_api_is_off_with_control_false():
    client = GraphTestClient(create_app(strict=True, control=False))
    assert client.get("/_mockgraph/faults").status_code in (400, 404)


# The Python API and Options


def test_python_api_adds_by_keywords_and_counts(app, client, rules):
    stored = rules.add(path=ANY_POSITIONS, methods=["get"], effect="fail", status=429, times=1)
    assert stored["methods"] == ["GET"]
    assert statuses(client, 3) == [429, 200, 200]
    assert rules.counts(stored["id"]) == {"matched": 3, "fired": 1}
    with pytest.raises(FaultRuleError, match="probability"):
        rules.add(THROTTLE, probability=-1)
    assert rules.remove(stored["id"]) and not rules.remove(stored["id"])


def test_options_take_rules_or_a_rules_file(tmp_path):
    client = GraphTestClient(create_app(strict=True, faults=[THROTTLE]))
    assert client.get(POSITIONS).status_code == 429
    path = tmp_path / "faults.json"
    path.write_text(json.dumps([{**THROTTLE, "status": 503}]))
    client = GraphTestClient(create_app(strict=True, faults=str(path)))
    assert client.get(POSITIONS).status_code == 503


def test_a_bad_rules_file_names_the_file_the_rule_and_the_field(tmp_path):
    path = tmp_path / "faults.json"
    path.write_text(json.dumps([THROTTLE, {"path": "/*", "effect": "delay", "delayMs": -1}]))
    with pytest.raises(FaultFileError, match=r"faults\.json: \[1\]\.delayMs: expected"):
        create_app(faults=str(path))
    path.write_text("[")
    with pytest.raises(FaultFileError, match="not valid JSON"):
        create_app(faults=str(path))
    with pytest.raises(FaultFileError, match="cannot read"):
        create_app(faults=str(tmp_path / "missing.json"))


# The pytest marker


MARKED_SUITE = '''
import pytest
import requests

AUTH = {"Authorization": "Bearer x"}
THROTTLE = {"methods": ["GET"], "path": "/users/*/profile/positions*", "effect": "fail", "status": 429}
pytestmark = pytest.mark.mockgraph_faults({"path": "/*", "effect": "delay", "delayMs": 1, "id": "module"})


def answers(mock, n):
    url = f"{mock.base_url}/me/profile/positions"
    return [requests.get(url, headers=AUTH, timeout=10).status_code for _ in range(n)]


@pytest.mark.mockgraph_faults([{**THROTTLE, "times": 1, "id": "mine"}])
def test_marked(mockgraph):
    assert [rule["id"] for rule in mockgraph.faults.list()] == ["module", "mine"]
    assert answers(mockgraph, 2) == [429, 200]
    assert mockgraph.requests[0]["fault"] == {"rule": "mine", "effect": "fail"}


def test_the_next_test_has_only_the_module_rule(mockgraph):
    assert [rule["id"] for rule in mockgraph.faults.list()] == ["module"]
    assert answers(mockgraph, 1) == [200]


@pytest.mark.mockgraph_faults([THROTTLE, {"path": "/*", "effect": "delay"}])
def test_a_bad_rule(mockgraph):
    pass
'''


def test_marker_gives_one_test_its_rules(tmp_path):
    import os

    (tmp_path / "test_marked.py").write_text(MARKED_SUITE)
    # The outer run's pytest and xdist variables must not leak into the inner run.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
    # Plugins the inner run does not need, and that take seconds to import.
    disabled = [arg for name in ("xdist", "cacheprovider", "schemathesis", "hypothesispytest", "anyio")
                for arg in ("-p", f"no:{name}")]
    result = subprocess.run([sys.executable, "-m", "pytest", *disabled, "-q", "-rA", "test_marked.py"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert "2 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "@pytest.mark.mockgraph_faults: [1].delayMs" in result.stdout


# The command line


def test_serve_with_a_faults_file(tmp_path):
    path = tmp_path / "faults.json"
    path.write_text(json.dumps([{**THROTTLE, "times": 1, "retryAfter": 3}]))
    with ServedMock("--faults", str(path)) as mock:
        url = mock.base_url + POSITIONS
        first = requests.get(url, headers={"Authorization": "Bearer x"}, timeout=10)
        assert first.status_code == 429 and first.headers["Retry-After"] == "3"
        assert first.json()["error"]["code"] == "TooManyRequests"
        assert requests.get(url, headers={"Authorization": "Bearer x"}, timeout=10).status_code == 200
        listed = requests.get(mock.base_url.removesuffix("/beta") + "/_mockgraph/faults", timeout=10).json()
        assert [rule["retryAfter"] for rule in listed] == [3]


def test_serve_with_a_bad_faults_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "faults.json"
    path.write_text(json.dumps([{"path": "/*", "effect": "fail", "status": 429, "probabilty": 0.5}]))
    result = subprocess.run([sys.executable, "-m", "mockgraph", "serve", "--port", "0", "--faults", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert str(path) in result.stderr and "[0].probabilty" in result.stderr


# $batch


def test_each_request_in_a_batch_meets_the_rules_on_its_own(client):
    rule = add(client, {**THROTTLE, "times": 1, "retryAfter": 2})
    before = client.state()
    batch = {"requests": [
        {"id": "1", "method": "GET", "url": f"/users/{ADELE}/profile/positions"},
        {"id": "2", "method": "GET", "url": "/me/profile/positions"},
        {"id": "3", "method": "POST", "url": "/me/profile/positions", "headers": {"Content-Type": "application/json"},
         "body": NEW},
    ]}
    response = client.post("/$batch", json=batch)
    assert response.status_code == 200
    answers = {item["id"]: item for item in response.get_json()["responses"]}
    assert [answers[i]["status"] for i in "123"] == [429, 200, 201]
    throttled = answers["1"]
    assert throttled["body"]["error"]["code"] == "TooManyRequests"
    assert {k.lower(): v for k, v in throttled["headers"].items()}["retry-after"] == "2"
    entries = client.get("/_mockgraph/requests").get_json()["value"]
    assert [(entry["path"], entry["status"], entry["fault"]) for entry in entries] == [
        (f"/beta{POSITIONS}", 429, {"rule": rule["id"], "effect": "fail"}),
        ("/beta/me/profile/positions", 200, None), ("/beta/me/profile/positions", 201, None),
        ("/beta/$batch", 200, None)]
    assert client.state() != before


def test_a_failed_write_in_a_batch_stores_nothing(client):
    add(client, {"methods": ["POST"], "path": ANY_POSITIONS, "effect": "fail", "status": 507})
    before = client.state()
    batch = {"requests": [{"id": "a", "method": "POST", "url": "/me/profile/positions",
                           "headers": {"Content-Type": "application/json"}, "body": NEW}]}
    answer = client.post("/$batch", json=batch).get_json()["responses"][0]
    assert answer["status"] == 507 and answer["body"]["error"]["code"] == "quotaLimitReached"
    assert client.state() == before
