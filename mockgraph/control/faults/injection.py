"""Fault injection (CONTRACT §8): rules that throttle, fail or slow Graph requests, on top of real state.

Rules are tried in the order added, right after authentication (CONTRACT §2), so a failed request never
reaches its view and stores nothing. Everything a rule decides comes from its own seeded generator and
counters, so the same rules meet the same requests with the same answers.
"""

from __future__ import annotations

import copy
import fnmatch
import math
import random
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mockgraph.control.faults.rules import RETRY_AFTER_STATUSES, FaultRuleError, parse_rules
from mockgraph.graph import errors
from mockgraph.graph.jsonio import loads_strict
from mockgraph.graph.routes.context import GraphRequest

# Graph's code for each status a `fail` rule can answer; any other status is a generalException.
MAX_WINDOW_KEYS = 4096  # users one perUser rateLimit rule keeps a window for

FAIL_ERRORS = {
    429: errors.TooManyRequests,
    503: errors.ServiceNotAvailable,
    500: errors.GeneralException,
    502: errors.BadGateway,
    504: errors.GatewayTimeout,
    507: errors.QuotaLimitReached,
}
DEFAULT_RETRY_AFTER = 1
USER_SEGMENTS = ("users", "user")


class FaultFileError(ValueError):
    """A `--faults` file that cannot be used: names the file, the rule's index and field, the reason."""


@dataclass(frozen=True)
class Target:
    """What rules match a request on: its method, its path under the version (as sent and canonical,
    lower-cased) and the user it acts on (a lower-cased id, or the unresolved reference)."""

    method: str
    paths: tuple[str, ...]
    user: str | None


@dataclass(frozen=True)
class Firing:
    rule: str
    effect: str
    error: errors.GraphError | None = None  # fail, rateLimit: the answer
    delay: float = 0.0  # delay: seconds to wait before going on


class SlidingWindow:
    """At most `limit` admissions in any `window` seconds, per key."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self._admitted: dict[str | None, deque[float]] = {}

    def admit(self, key: str | None, now: float) -> float | None:
        """None if admitted now; else the seconds until the oldest admission leaves the window."""
        if key not in self._admitted and len(self._admitted) >= MAX_WINDOW_KEYS:
            self._forget_idle(now)
        admitted = self._admitted.setdefault(key, deque())
        while admitted and admitted[0] <= now - self.window:
            admitted.popleft()
        if len(admitted) < self.limit:
            admitted.append(now)
            return None
        return admitted[0] + self.window - now

    def _forget_idle(self, now: float) -> None:
        """Keys are users a client names (any string, for users not stored): drop those whose window is
        empty, and if that is not enough the oldest quarter, so the table stays small (and this scan
        runs once per many new keys, not for each)."""
        for key in [k for k, times in self._admitted.items() if not times or times[-1] <= now - self.window]:
            del self._admitted[key]
        if len(self._admitted) >= MAX_WINDOW_KEYS:
            for key in list(self._admitted)[: MAX_WINDOW_KEYS // 4]:
                del self._admitted[key]


class FaultRule:
    """One validated rule and what it remembers: matches, fires, `times` left, its generator, its window."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.id: str = spec["id"]
        self.effect: str = spec["effect"]
        self.methods = frozenset(spec["methods"]) if "methods" in spec else None
        self.pattern = spec["path"].lower()
        # Compiled here, once: fnmatch's own cache would keep every pattern ever added (up to 32,768).
        self._matches = re.compile(fnmatch.translate(self.pattern)).match
        self.user: str | None = spec.get("user")
        self.remaining: int | None = spec.get("times")
        self.probability: float | None = spec.get("probability")
        self.random = random.Random(spec.get("seed"))
        self.window = SlidingWindow(spec["limit"], spec["windowSeconds"]) if self.effect == "rateLimit" else None
        self.matched = 0
        self.fired = 0

    def matches(self, target: Target, user_key) -> bool:
        if self.methods is not None and target.method not in self.methods:
            return False
        if not any(self._matches(path) for path in target.paths):
            return False
        return self.user is None or (target.user is not None and user_key(self.user) == target.user)

    def decide(self, target: Target, now: float) -> Firing | None:
        """Whether this matching request meets the rule's effect; counts and draws as it goes."""
        self.matched += 1
        wait = None
        if self.window is not None:
            wait = self.window.admit(target.user if self.spec.get("perUser") else None, now)
            if wait is None:
                return None
        if self.remaining == 0 or (self.probability is not None and self.random.random() >= self.probability):
            return None
        if self.remaining is not None:
            self.remaining -= 1
        self.fired += 1
        if self.effect == "delay":
            return Firing(self.id, self.effect, delay=self._delay_ms() / 1000)
        if self.effect == "rateLimit":
            # Retry-After in whole seconds (what clients parse), never less than the window needs.
            return Firing(self.id, self.effect, errors.TooManyRequests(max(1, math.ceil(round(wait, 3)))))
        return Firing(self.id, self.effect, self._failure())

    def _delay_ms(self) -> int:
        delay = self.spec["delayMs"]
        return self.random.randint(delay[0], delay[1]) if isinstance(delay, list) else delay

    def _failure(self) -> errors.GraphError:
        status = self.spec["status"]
        if status in RETRY_AFTER_STATUSES:
            return FAIL_ERRORS[status](self.spec.get("retryAfter", DEFAULT_RETRY_AFTER))
        if status in FAIL_ERRORS:
            return FAIL_ERRORS[status]()
        return errors.GeneralFailure(status)


class FaultRules:
    """The rules of one mock, ordered and thread-safe. `timer` and `sleep` are real time by default."""

    def __init__(self, repository, default_seed: int | None = None):
        self.repository = repository
        self.default_seed = default_seed
        self.timer = time.monotonic
        self.sleep = self.wait  # replaceable (tests fake time): a true result means "cut short"
        self._released = threading.Event()
        self.stopped = False  # released for good: the server is stopping
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1

    def __len__(self) -> int:
        return len(self._rules)

    def add(self, rule: dict | None = None, /, **fields) -> dict:
        """Add one rule (a dict, or its fields as keywords); the stored rule, with its id."""
        return self.extend([{**(rule or {}), **fields}])[0]

    def extend(self, rules: dict | Sequence[dict]) -> list[dict]:
        """Add one rule or several, all or none (FaultRuleError naming the field); the stored rules."""
        specs = parse_rules(copy.deepcopy(list(rules) if isinstance(rules, tuple) else rules))
        with self._lock:
            taken = {rule.id for rule in self._rules}
            for i, spec in enumerate(specs):
                if "id" not in spec:
                    continue
                if spec["id"] in taken:
                    where = "id" if isinstance(rules, dict) else f"[{i}].id"
                    raise FaultRuleError(where, f"a rule with id '{spec['id']}' already exists")
                taken.add(spec["id"])
            specs = [self._complete(spec, taken) for spec in specs]
            self._rules.extend(FaultRule(spec) for spec in specs)
        return [copy.deepcopy(spec) for spec in specs]

    def _complete(self, spec: dict, taken: set) -> dict:
        """The rule with its id (and, if it draws, its seed) filled in."""
        if "id" not in spec:
            while f"fault-{self._next_id}" in taken:
                self._next_id += 1
            spec = {"id": f"fault-{self._next_id}", **spec}
            taken.add(spec["id"])
        draws = "probability" in spec or isinstance(spec.get("delayMs"), list)
        if draws and "seed" not in spec:
            # Recorded on the rule, so that a sequence seen once can be replayed by adding it again.
            spec["seed"] = self.default_seed if self.default_seed is not None else secrets.randbits(32)
        return spec

    def list(self) -> list[dict]:
        with self._lock:
            return [copy.deepcopy(rule.spec) for rule in self._rules]

    def counts(self, rule_id: str) -> dict | None:
        """How many requests a rule matched and how many it fired on (None for an unknown id)."""
        with self._lock:
            rule = self._find(rule_id)
            return None if rule is None else {"matched": rule.matched, "fired": rule.fired}

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            rule = self._find(rule_id)
            if rule is not None:
                self._rules.remove(rule)
            return rule is not None

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def wait(self, seconds: float) -> bool:
        """Wait out a delay; True when `release()` cut it short."""
        with self._lock:
            released = self._released
        return released.wait(seconds)

    def release(self, *, for_good: bool = False) -> None:
        """End the delays being waited out now (on reset); `for_good`, every later one too (on stop)."""
        with self._lock:
            released = self._released
            if for_good:
                self.stopped = True
            else:
                self._released = threading.Event()
        released.set()

    def _find(self, rule_id: str) -> FaultRule | None:
        return next((rule for rule in self._rules if rule.id == rule_id), None)

    def user_key(self, ref: str) -> str:
        user = self.repository.find_user(ref)
        return (user["id"] if user else ref).lower()

    def firings(self, target: Target) -> Iterator[Firing]:
        """The rules that fire on this request, in order, decided one at a time (a delay waits between)."""
        with self._lock:
            rules = list(self._rules)
        for rule in rules:
            with self._lock:
                if rule not in self._rules or not rule.matches(target, self.user_key):
                    continue
                firing = rule.decide(target, self.timer())
            if firing is not None:
                yield firing


def request_target(rules: FaultRules, req: GraphRequest) -> Target:
    """The request as rules see it: `/me/...` and `/users/{upn}/...` are also tried as
    `/users/{id}/...`, and the user is resolved through the store (for `/me`, the token's user)."""
    version, _, rest = req.path.lstrip("/").partition("/")
    sent = "/" + rest
    segments = rest.split("/")
    user = ref = None
    tail: list[str] = []
    if segments[0] == "me":
        user = None if req.caller.app_only else req.caller_user
        tail = segments[1:]
    elif segments[0] in USER_SEGMENTS and len(segments) > 1 and segments[1]:
        ref = segments[1]
        user = rules.repository.find_user(ref)
        tail = segments[2:]
    paths = [sent.lower()]
    if user is not None:
        paths.append("/".join(["", "users", user["id"], *tail]).lower())
    user_key = user["id"].lower() if user is not None else (ref.lower() if ref else None)
    method = "GET" if req.method == "HEAD" else req.method
    return Target(method, tuple(dict.fromkeys(paths)), user_key)


def guard(rules: FaultRules, req: GraphRequest) -> None:
    """Run on every Graph request after authentication: wait for delays, raise the first failure."""
    if not len(rules):
        return
    for firing in rules.firings(request_target(rules, req)):
        req.fault = {"rule": firing.rule, "effect": firing.effect}
        if firing.error is not None:
            raise firing.error
        if rules.sleep(firing.delay):
            # Reset or stopped meanwhile: a request from before must not go on to act on what came after.
            # After a reset, a 409 like any write that started before it: a 503 would be retried by the
            # SDK into the next test's state.
            if rules.stopped:
                raise errors.ServiceNotAvailable(message="The mock was stopped while this request waited.")
            raise errors.ResourceModified()


def read_rules_file(path: str | Path) -> list[dict]:
    try:
        data = loads_strict(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise FaultFileError(f"{path}: cannot read the file ({error.strerror})") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise FaultFileError(f"{path}: not valid JSON ({error})") from None
    try:
        return parse_rules(data)
    except FaultRuleError as error:
        raise FaultFileError(f"{path}: {error}") from None


def install(state) -> FaultRules:
    """Give `state` its rules (from `Options.faults`), the guard that applies them, and a reset hook."""
    rules = FaultRules(state.repository, default_seed=state.options.seed)
    source = state.options.faults
    if isinstance(source, str | Path):
        rules.extend(read_rules_file(source))
    elif source is not None:
        rules.extend(source)
    state.faults = rules
    state.guards.append(lambda req: guard(rules, req))
    state.on_reset.append(rules.clear)
    state.on_reset.append(rules.release)
    return rules
