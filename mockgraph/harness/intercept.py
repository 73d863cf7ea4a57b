"""`intercept()`: serve `https://graph.microsoft.com` from a mock in this process, like moto's `mock_aws`.

`requests` and `httpx` (sync and async clients, the official SDK's included) reach the mock's WSGI app
directly, with no socket and no change to the code under test; every other host is left alone.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import inspect
import io
import threading
from contextvars import ContextVar
from urllib.parse import urlsplit

import httpx

from mockgraph.control.surface import MockControls
from mockgraph.graph.routes.context import STATE_KEY
from mockgraph.inprocess import WsgiResponse, call_wsgi
from mockgraph.state import MockState

GRAPH_HOST = "graph.microsoft.com"
BASE_URL = f"https://{GRAPH_HOST}/beta"


class Interception(MockControls):
    """What `intercept()` yields: the mock that answers for graph.microsoft.com, as a context manager
    and a decorator.

    Its surface is a live `MockGraph`'s: `app`, `mock_state`, `base_url`, `reset()`, `seed()`, `state()`,
    `requests` (the journal), `clock` and `faults`, all on the very state the intercepted calls reach.
    """

    url = f"https://{GRAPH_HOST}"
    base_url = BASE_URL

    def __init__(self, app):
        self.app = app
        self.mock_state: MockState = app.extensions[STATE_KEY]

    # Serving

    def handle(self, method: str, url: str, headers, body: bytes, timeout: float | None = None) -> WsgiResponse:
        """The app's answer. While fault rules exist (a delay may be among them), the call runs in a
        thread and `TimedOut` is raised once the client's read `timeout` has passed; the call goes on
        meanwhile, as a server's would after its client gave up."""
        if timeout is None or not len(self.mock_state.faults):
            return call_wsgi(self.app, method, url, headers, body)
        try:
            return _in_thread(call_wsgi, self.app, method, url, headers, body).result(timeout)
        except TimeoutError:  # concurrent.futures.TimeoutError is this since Python 3.11
            raise TimedOut(timeout) from None

    async def handle_async(self, method: str, url: str, headers, body: bytes,
                           timeout: float | None = None) -> WsgiResponse:
        if not len(self.mock_state.faults):
            # Inline: a thread hop per call would add a good share of the mock's own time.
            return call_wsgi(self.app, method, url, headers, body)
        # A delay rule waits: in a thread it cannot stall the event loop, so other tasks and the caller's
        # own timeouts run on, as they would against a server.
        call = asyncio.wrap_future(_in_thread(call_wsgi, self.app, method, url, headers, body))
        try:
            return await asyncio.wait_for(call, timeout)
        except TimeoutError:
            raise TimedOut(timeout) from None

    def __enter__(self) -> Interception:
        _router.push(self)
        return self

    def __exit__(self, *exc) -> None:
        _router.pop(self)

    def __call__(self, func):
        """As a decorator: intercept while the function (sync or async, a generator too: a pytest yield
        fixture, say) runs. Each call starts from the seeded state, as moto's decorator does, so
        parametrized tests do not see each other's writes."""
        if not callable(func):
            raise TypeError(f"@intercept() decorates a function, not {type(func).__name__}")
        if inspect.isasyncgenfunction(func):
            @functools.wraps(func)
            async def run_async_generator(*args, **kwargs):
                with self:
                    self.reset()
                    generator = func(*args, **kwargs)
                    try:  # what `yield from` does for a sync generator: pass values and errors through
                        value = await generator.__anext__()
                        while True:
                            try:
                                sent = yield value
                            except GeneratorExit:
                                raise
                            except BaseException as error:
                                value = await generator.athrow(error)
                            else:
                                value = await generator.asend(sent)
                    except StopAsyncIteration:
                        return
                    finally:
                        await generator.aclose()
            return run_async_generator
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def run_generator(*args, **kwargs):
                with self:
                    self.reset()
                    return (yield from func(*args, **kwargs))
            return run_generator
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def run_async(*args, **kwargs):
                with self:
                    self.reset()
                    return await func(*args, **kwargs)
            return run_async

        @functools.wraps(func)
        def run(*args, **kwargs):
            with self:
                self.reset()
                return func(*args, **kwargs)
        return run

    def __repr__(self) -> str:
        return f"<Interception of {self.base_url}>"


class TimedOut(Exception):
    """The app did not answer within the client's read timeout: raised as the client's own timeout error."""

    def __init__(self, timeout: float):
        super().__init__(f"Read timed out. (read timeout={timeout})")
        self.timeout = timeout


def _in_thread(func, *args) -> concurrent.futures.Future:
    """Run `func` in a daemon thread of its own: a call the client gave up on holds up no exit
    (an executor's threads are joined at exit, and asyncio.run waits for its default executor)."""
    future: concurrent.futures.Future = concurrent.futures.Future()

    def run():
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(func(*args))
            except BaseException as error:
                future.set_exception(error)

    threading.Thread(target=run, name="mockgraph-intercept-call", daemon=True).start()
    return future


def intercept(app=None, **app_options) -> Interception:
    """Serve graph.microsoft.com from `app`, or from `create_app(**app_options)`.

    `with intercept() as graph:`, `@intercept()`, or the `mockgraph_intercept` pytest fixture.
    """
    if app is None:
        from mockgraph.app import create_app

        app = create_app(**app_options)
    elif app_options:
        raise TypeError("pass either an app or options for a new one, not both")
    return Interception(app)


def is_graph_url(scheme: str, host: str | None, port: int | None) -> bool:
    return scheme == "https" and (host or "").lower() == GRAPH_HOST and port in (None, 443)


class _Router:
    """Which interception answers, and the library patches while any is active.

    The patches are process-wide by nature, so this is the one module-level object: installed when
    the first interception starts, restored when the last one ends, whatever the order. The answer
    comes from the innermost interception started in the caller's context (thread or asyncio task),
    else the one started last anywhere (so threads the code under test starts are served too).
    """

    def __init__(self):
        self.lock = threading.Lock()
        # Replaced, never changed in place: a call reads it without the lock and sees one whole state.
        self.active: tuple[Interception, ...] = ()
        self.in_context: ContextVar[tuple[Interception, ...]] = ContextVar("mockgraph_intercept", default=())
        self.patches: list[tuple[object, str, object, object]] = []  # (owner, name, original, wrapper)

    def push(self, interception: Interception) -> None:
        with self.lock:
            if not self.active:
                self._patch()
            self.active = (*self.active, interception)
        self.in_context.set((*self.in_context.get(), interception))

    def pop(self, interception: Interception) -> None:
        with self.lock:
            self.active = _without_last(self.active, interception)
            if not self.active:
                self._unpatch()
        stack = self.in_context.get()
        if interception in stack:
            self.in_context.set(_without_last(stack, interception))

    def target(self) -> Interception | None:
        active = self.active
        for interception in reversed(self.in_context.get()):
            if interception in active:
                return interception
        return active[-1] if active else None

    def _patch(self) -> None:
        wrappers = [(httpx.HTTPTransport, "handle_request", _httpx_sync),
                    (httpx.AsyncHTTPTransport, "handle_async_request", _httpx_async)]
        try:
            from requests.adapters import HTTPAdapter
        except ImportError:  # requests is optional: patch it only where it is installed
            pass
        else:
            wrappers.append((HTTPAdapter, "send", _requests_send))
        for owner, name, make_wrapper in wrappers:
            original = owner.__dict__[name]
            wrapper = make_wrapper(original)
            setattr(owner, name, wrapper)
            self.patches.append((owner, name, original, wrapper))

    def _unpatch(self) -> None:
        for owner, name, original, wrapper in reversed(self.patches):
            # If another library (say `responses`) patched over us meanwhile, leave its patch in place:
            # our wrapper stays under it and passes everything through while nothing is intercepted.
            if owner.__dict__.get(name) is wrapper:
                setattr(owner, name, original)
        self.patches.clear()


def _without_last(items: tuple, item) -> tuple:
    for index in range(len(items) - 1, -1, -1):
        if items[index] is item:
            return items[:index] + items[index + 1:]
    return items


_router = _Router()


# -- httpx --------------------------------------------------------------------------------------------

def _httpx_target(request: httpx.Request) -> Interception | None:
    target = _router.target()
    if target is None:
        return None
    url = request.url
    return target if is_graph_url(url.scheme, url.host, url.port) else None


def _httpx_read_timeout(request: httpx.Request) -> float | None:
    return _seconds(request.extensions.get("timeout", {}).get("read"))


def _seconds(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _httpx_response(answer: WsgiResponse) -> httpx.Response:
    return httpx.Response(answer.status, headers=answer.headers, stream=httpx.ByteStream(answer.body),
                          extensions={"http_version": b"HTTP/1.1", "reason_phrase": answer.reason.encode()})


def _httpx_sync(original):
    @functools.wraps(original)
    def handle_request(transport, request: httpx.Request) -> httpx.Response:
        target = _httpx_target(request)
        if target is None:
            return original(transport, request)
        body = request.read()
        try:
            answer = target.handle(request.method, str(request.url), request.headers.multi_items(), body,
                                   _httpx_read_timeout(request))
        except TimedOut as error:
            raise httpx.ReadTimeout(str(error), request=request) from None
        return _httpx_response(answer)
    return handle_request


def _httpx_async(original):
    @functools.wraps(original)
    async def handle_async_request(transport, request: httpx.Request) -> httpx.Response:
        target = _httpx_target(request)
        if target is None:
            return await original(transport, request)
        body = await request.aread()
        try:
            answer = await target.handle_async(request.method, str(request.url), request.headers.multi_items(),
                                               body, _httpx_read_timeout(request))
        except TimedOut as error:
            raise httpx.ReadTimeout(str(error), request=request) from None
        return _httpx_response(answer)
    return handle_async_request


# -- requests -----------------------------------------------------------------------------------------

def _requests_body(body) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in body)


def _requests_target(url: str) -> Interception | None:
    target = _router.target()
    if target is None:
        return None
    try:
        parts = urlsplit(url)
        graph = is_graph_url(parts.scheme, parts.hostname, parts.port)
    except ValueError:  # a malformed URL is requests' to report, not ours
        return None
    return target if graph else None


def _requests_read_timeout(timeout) -> float | None:
    """The read part of what `requests` takes: seconds, (connect, read), or urllib3's Timeout."""
    if isinstance(timeout, tuple) and len(timeout) == 2:
        timeout = timeout[1]
    return _seconds(getattr(timeout, "read_timeout", timeout))


def _requests_send(original):
    from urllib3 import HTTPResponse
    from urllib3._collections import HTTPHeaderDict

    @functools.wraps(original)
    def send(adapter, request, *args, **kwargs):
        target = _requests_target(request.url)
        if target is None:
            return original(adapter, request, *args, **kwargs)
        timeout = kwargs["timeout"] if "timeout" in kwargs else (args[1] if len(args) > 1 else None)
        try:
            answer = target.handle(request.method, request.url, request.headers.items(),
                                   _requests_body(request.body), _requests_read_timeout(timeout))
        except TimedOut as error:
            from requests.exceptions import ReadTimeout

            raise ReadTimeout(f"HTTPSConnectionPool(host='{GRAPH_HOST}', port=443): {error}",
                              request=request) from None
        raw = HTTPResponse(body=io.BytesIO(answer.body), headers=HTTPHeaderDict(answer.headers),
                           status=answer.status, reason=answer.reason, preload_content=False,
                           decode_content=False)
        return adapter.build_response(request, raw)
    return send
