"""The HTTP intake's ASGI application: routes, the bearer token, body limits and answers.

uvicorn (h11) has parsed and validated the request line and headers before this runs; framing
it rejects (a bad chunk size, ``Transfer-Encoding`` other than ``chunked``, header blocks over
the size limit) never gets here. What HTTP allows but we refuse is refused here, before any of
the body is read: ``Content-Length`` together with ``Transfer-Encoding`` (request smuggling
behind a proxy that trusts the length), no length at all (411) and a declared length over the
limit (413). Every answer that leaves part of the request unread closes the connection, so
whatever follows on it is never taken for a request.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from tfdrift_gitops.falco.metrics import CollectorMetrics

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ALERT_PATH = "/falco"
ALERT_METHODS = ("POST", "PUT")  # falcosidekick's webhook output may be set to PUT
TEXT = b"text/plain; charset=utf-8"
INLINE_BODY = 64 * 1024
"""Bodies up to this size are parsed on the event loop (a CloudTrail alert is a few KiB)."""


class Intake(Protocol):
    """What the application needs from its owner (``HttpIntake``)."""

    metrics: CollectorMetrics
    max_body: int
    max_header: int
    body_timeout: float

    @property
    def stopping(self) -> bool: ...

    def authorised(self, header: str | None) -> bool: ...

    def readiness(self) -> tuple[bool, str]: ...

    def refused(self, reason: str) -> None: ...

    def too_large(self, client: str, size: int) -> None: ...

    def handle_body(
        self, body: bytes, client: str, received: float, *, wait: bool = True
    ) -> tuple[int, Message] | Callable[[], tuple[int, Message]]:
        """Parse and queue one body: (status, payload). ``wait=False`` never blocks and returns
        the rest as a callable when the queue is full."""
        ...


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _header(scope: Scope, name: bytes) -> str | None:
    values = [value for key, value in scope["headers"] if key == name]
    return b", ".join(values).decode("latin-1") if values else None


async def _answer(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes = b"application/json",
    *,
    close: bool = False,
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    head = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    if close:
        head.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


def _json(payload: Message) -> bytes:
    return json.dumps(payload).encode() + b"\n"


async def _error(send: Send, status: int, message: str, **kwargs: Any) -> None:
    await _answer(send, status, _json({"error": message}), **kwargs)


class IntakeApp:
    def __init__(self, intake: Intake) -> None:
        self.intake = intake

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan is off and websockets are not served: nothing else arrives
        method, path = scope["method"], scope["path"]
        if path == ALERT_PATH:
            if method in ALERT_METHODS:
                await self._alerts(scope, receive, send)
            else:
                allow = ((b"allow", ", ".join(ALERT_METHODS).encode()),)
                await _error(send, 405, "use POST or PUT", close=True, headers=allow)
        elif method in ("GET", "HEAD"):
            await self._probe(scope, path, send)
        else:
            await _error(send, 404, f"not found ({'/'.join(ALERT_METHODS)} alerts to /falco)",
                         close=True)  # fmt: skip

    async def _probe(self, scope: Scope, path: str, send: Send) -> None:
        intake = self.intake
        if path == "/healthz":
            await _answer(send, 200, b"ok\n", TEXT)
        elif path == "/readyz":
            ready, why = intake.readiness()
            body = b"ready\n" if ready else f"not ready: {why}\n".encode()
            await _answer(send, 200 if ready else 503, body, TEXT)
        elif path == "/metrics":
            body, content_type = intake.metrics.render(_header(scope, b"accept"))
            await _answer(send, 200, body, content_type.encode())
        else:
            await _error(send, 404, "not found")

    async def _alerts(self, scope: Scope, receive: Receive, send: Send) -> None:
        intake = self.intake
        received = time.perf_counter()
        client = scope["client"][0] if scope.get("client") else "?"
        try:
            body = await self._body(scope, receive, client)
        except _Refused as exc:
            extra: tuple[tuple[bytes, bytes], ...] = ()
            if exc.status == 401:
                extra = ((b"www-authenticate", b'Bearer realm="tfdrift-gitops"'),)
            await _error(send, exc.status, str(exc), close=True, headers=extra)
            return
        if body is None:
            return  # the client went away
        intake.metrics.http_body_bytes.observe(len(body))
        # Parsing a big body, or queueing while the queue is full (backpressure, by design),
        # must not stall the event loop that serves the other connections and the probes: they
        # go to a worker thread. A few-KiB alert with room in the queue is handled right here,
        # since each hop between threads waits for the GIL behind the busy pipeline worker.
        if len(body) > INLINE_BODY:
            answer = await asyncio.to_thread(intake.handle_body, body, client, received)
        else:
            answer = intake.handle_body(body, client, received, wait=False)
        if callable(answer):
            answer = await asyncio.to_thread(answer)
        status, payload = answer
        await _answer(send, status, _json(payload))
        intake.metrics.http_request_latency.observe(time.perf_counter() - received)

    async def _body(self, scope: Scope, receive: Receive, client: str) -> bytes | None:
        """The whole body, read within ``body_timeout`` and ``max_body``; _Refused otherwise."""
        intake = self.intake
        if intake.stopping:
            intake.refused("stopping")
            raise _Refused(503, "the collector is stopping")
        if not intake.authorised(_header(scope, b"authorization")):
            intake.refused("unauthorised")
            raise _Refused(401, "missing or wrong bearer token")
        if sum(len(key) + len(value) + 4 for key, value in scope["headers"]) > intake.max_header:
            intake.refused("bad_request")  # h11 bounds only header blocks still incomplete
            raise _Refused(431, f"request headers larger than {intake.max_header} bytes")
        length = _header(scope, b"content-length")
        chunked = _header(scope, b"transfer-encoding") is not None
        if chunked and length is not None:
            intake.refused("bad_request")
            raise _Refused(400, "Content-Length and Transfer-Encoding together")
        if not chunked and length is None:
            raise _Refused(411, "Content-Length required")
        if length is not None and int(length) > intake.max_body:  # h11 checked the digits
            intake.too_large(client, int(length))
            raise _Refused(413, f"body larger than {intake.max_body} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(intake.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > intake.max_body:
                        intake.too_large(client, size)
                        raise _Refused(413, f"body larger than {intake.max_body} bytes")
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks)
        except TimeoutError:
            intake.refused("body_timeout")
            raise _Refused(408, f"body not received within {intake.body_timeout:g} s") from None
