"""Reading Graph politely: bounded retries on throttling, `@odata.nextLink` followed, errors in one line.

Graph throttles with 429 (and sometimes 503/504) and says how long to wait in `Retry-After`; a reader
that hammers on gets throttled longer. So a throttled request waits what the answer asks (or backs off
exponentially when it does not say), a few times at most, and the wait is shown on stderr.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

RETRIED = frozenset({429, 503, 504})  # throttled or briefly unavailable: worth the wait
MAX_RETRIES = 5
MAX_WAIT = 300.0  # seconds: a longer Retry-After ends the pull rather than stalling it silently
TIMEOUT = 60.0  # seconds per request: only catches a hang


class PullError(Exception):
    """What stops a pull, in one line: the request and Graph's answer (or the network's)."""


class GraphReader:
    """GETs JSON from a Graph base URL (`https://graph.microsoft.com/beta`) with a bearer token."""

    def __init__(self, base_url: str, token: str, *, say: Callable[[str], None] = lambda line: None,
                 max_retries: int = MAX_RETRIES, sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None, user_agent: str = "mockgraph-pull"):
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PullError(f"--graph-url must be an http(s) URL such as https://graph.microsoft.com/beta, "
                            f"not {base_url!r}")
        self._origin = (parts.scheme, parts.netloc.lower())
        self._say, self._sleep, self._max_retries = say, sleep, max_retries
        self._client = httpx.Client(
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": user_agent},
            timeout=TIMEOUT, follow_redirects=False, transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> GraphReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, path: str, params: Mapping[str, str] | None = None) -> dict:
        """The JSON object at `path` (relative to the base URL, or an absolute link from the same host)."""
        url = path if "://" in path else f"{self.base_url}/{path.lstrip('/')}"
        attempt = 0
        while True:
            try:
                response = self._client.get(url, params=params)
            except httpx.HTTPError as error:
                raise PullError(f"GET {url}: {error.__class__.__name__}: {error}") from None
            if response.status_code in RETRIED and attempt < self._max_retries:
                attempt += 1
                wait = retry_after(response.headers.get("Retry-After"), attempt)
                if wait > MAX_WAIT:
                    raise PullError(f"GET {url}: {response.status_code}: Graph asks to wait {wait:.0f} s, "
                                    f"more than {MAX_WAIT:.0f}; try again later")
                self._say(f"  {response.status_code} from Graph: waiting {wait:g} s as asked "
                          f"(retry {attempt} of {self._max_retries})")
                self._sleep(wait)
                continue
            return _json_or_error(response, url)

    def pages(self, path: str, params: Mapping[str, str] | None = None) -> Iterator[list[dict]]:
        """Each page's `value`, following `@odata.nextLink` (sent back as it is, options included)."""
        body = self.get(path, params)
        while True:
            value = body.get("value")
            if not isinstance(value, list):
                raise PullError(f"GET {path}: the answer has no 'value' list")
            yield value
            link = body.get("@odata.nextLink")
            if not link:
                return
            self._check_same_origin(link)
            body = self.get(link)

    def _check_same_origin(self, link: str) -> None:
        # The token goes with every request: never to a host the user did not name.
        parts = urlsplit(link)
        if (parts.scheme, parts.netloc.lower()) != self._origin:
            raise PullError(f"refusing to follow @odata.nextLink to another host ({parts.scheme}://{parts.netloc}): "
                            "the token is only sent to --graph-url's host")


def retry_after(header: str | None, attempt: int) -> float:
    """Seconds to wait: `Retry-After` as seconds or an HTTP date; without one, 1, 2, 4... seconds."""
    if header:
        header = header.strip()
        if header.isdigit():
            return float(header)
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return float(min(2 ** (attempt - 1), 60))


def _json_or_error(response: httpx.Response, url: str) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_success and isinstance(body, dict):
        return body
    if response.is_success:
        raise PullError(f"GET {url}: {response.status_code}, but the body is not a JSON object")
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        raise PullError(f"GET {url}: {response.status_code} {error.get('code')}: {error.get('message')}")
    raise PullError(f"GET {url}: {response.status_code} {response.reason_phrase}")
