"""uvicorn's h11 protocol, guarded for a door open to the network.

What uvicorn lacks and the intake needs (see docs/collector.md): a cap on open connections
(the next one is answered 503 at once), a total deadline for a request's line and headers
(uvicorn times only idle keep-alive connections, so a client trickling a byte a second was held
forever), and closes that linger so that a client still sending reads the answer. uvicorn takes
the protocol class through its ``http`` setting; the version is pinned in pyproject.toml because
this subclasses its h11 implementation.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from tfdrift_gitops.falco.intake import MAX_BODY_BYTES


@dataclass(frozen=True, slots=True)
class HttpLimits:
    max_connections: int = 256
    """Open connections; one more is answered 503 and closed at once."""
    header_timeout: float = 10.0
    """Total seconds for a request's line and headers, from the connection (or the previous
    answer) on, however the bytes trickle in."""
    body_timeout: float = 30.0
    """Total seconds for a request's body once its headers are in."""
    keep_alive: int = 5
    """Seconds an idle keep-alive connection is kept."""
    max_body: int = MAX_BODY_BYTES
    max_header_bytes: int = 16 * 1024
    """Request line and headers; more is answered 400 (h11, while they are incomplete) or 431
    (the application, when they came in one read)."""
    drain_timeout: float = 10.0
    """On stop, seconds for requests in flight to finish."""


def _busy_response() -> bytes:
    body = json.dumps({"error": "too many connections"}).encode() + b"\n"
    return (
        b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\nretry-after: 1\r\n"
        b"connection: close\r\n\r\n" + body
    )


_BUSY = _busy_response()
LINGER = 2.0
"""Seconds a connection closed before its request was read drops what still arrives."""
LINGER_BUDGET = 16 * MAX_BODY_BYTES
"""Bytes it drops at most meanwhile (a client's socket buffers hold a few MiB)."""
_HEADER_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class _LingeringClose(asyncio.Transport):
    """A transport whose ``close`` lingers, as RFC 9112 section 9.6 asks of a server that
    answers before it has read the whole request (413, 400, 503, ...).

    Closing a socket with unread bytes makes the kernel send a reset, and a reset can destroy
    the answer in the client's buffers before the client reads it: it sees "connection reset"
    instead of the 413. So ``close`` sends what is queued, shuts down the sending side (FIN),
    and drops whatever the client still sends, for up to ``linger`` seconds and ``budget``
    bytes, before closing for good (at once when the client closes its side). TLS transports
    cannot half-close: they close at once.

    It also sends each answer in one piece (see ``write``). Everything else is the wrapped
    transport's.
    """

    def __init__(
        self, inner: asyncio.Transport, loop: asyncio.AbstractEventLoop, linger: float, budget: int
    ) -> None:
        super().__init__()
        self.inner = inner
        self.lingering = False
        self._loop = loop
        self._linger = linger
        self._budget = budget
        self._timer: asyncio.TimerHandle | None = None
        self._pending: list[bytes] = []

    def drop(self, data: bytes) -> None:
        """Bytes that arrived while lingering: dropped, and past the budget the end."""
        self._budget -= len(data)
        if self._budget < 0:
            self.forget()
            self.inner.close()

    def close(self) -> None:
        inner = self.inner
        if self.lingering or inner.is_closing():
            return
        self.flush()
        if not inner.can_write_eof():
            inner.close()
            return
        self.lingering = True
        inner.write_eof()
        inner.resume_reading()  # keep draining: unread bytes are what turns a close into a reset
        self._timer = self._loop.call_later(self._linger, inner.close)

    def forget(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def is_closing(self) -> bool:
        return self.lingering or self.inner.is_closing()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Queued until the end of this turn of the event loop, then sent in one piece: uvicorn
        writes an answer's head, body and end apart, and each send lets the busy pipeline
        worker take the GIL from the loop (half the throughput on a large state)."""
        if self.lingering:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self.inner.is_closing():
                self.inner.write(data)

    def resume_reading(self) -> None:
        self.inner.resume_reading()

    def pause_reading(self) -> None:
        if not self.lingering:
            self.inner.pause_reading()

    def is_reading(self) -> bool:
        return self.inner.is_reading()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.inner.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.inner.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.inner.get_protocol()

    def can_write_eof(self) -> bool:
        return self.inner.can_write_eof()

    def write_eof(self) -> None:
        self.flush()
        self.inner.write_eof()

    def get_write_buffer_size(self) -> int:
        return self.inner.get_write_buffer_size() + sum(len(p) for p in self._pending)

    def abort(self) -> None:
        self.forget()
        self._pending.clear()
        self.inner.abort()


def guarded_protocol(limits: HttpLimits, refused: Callable[[str], None]) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a connection cap and a total deadline for headers."""

    class Guarded(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None
        _served = False
        _closer: _LingeringClose

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            # Every close from here on (uvicorn's and ours) lingers; FlowControl keeps the
            # real transport, which is what pausing and resuming reading must reach.
            self.transport = self._closer = _LingeringClose(
                transport, self.loop, LINGER, LINGER_BUDGET
            )
            if len(self.connections) > limits.max_connections:
                refused("too_many_connections")
                self.transport.write(_BUSY)
                self.transport.close()
                return
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            self._closer.forget()
            super().connection_lost(exc)
            self._closer.inner.close()

        def data_received(self, data: bytes) -> None:
            if self._closer.lingering:
                self._closer.drop(data)  # the rest of a request already answered: unread
                return
            super().data_received(data)

        def handle_events(self) -> None:
            cycle = self.cycle
            super().handle_events()
            if self.cycle is not cycle:
                self._disarm()  # a request's headers are in: its body has its own deadline

        def on_response_complete(self) -> None:
            self._served = True
            if not self.transport.is_closing():
                self._arm()  # the next request's headers, on a keep-alive connection
            super().on_response_complete()

        def send_400_response(self, msg: str) -> None:
            refused("bad_request")
            super().send_400_response(msg)

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(limits.header_timeout, self._headers_overdue)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _headers_overdue(self) -> None:
            self._deadline = None
            if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
                return
            started = bool(self.conn.trailing_data[0])  # part of a request line or headers
            if started or not self._served:  # not merely an idle keep-alive connection
                refused("header_timeout")
            if started:  # say why it ends
                self.transport.write(_HEADER_TIMEOUT)
            self.transport.close()

    return Guarded


HANDSHAKE_TIMEOUT = 10.0
"""Seconds for a TLS handshake (asyncio's default is 60): the header deadline starts after it."""


class _EventLoop(asyncio.SelectorEventLoop):
    """The intake's event loop: TLS listeners get ``HANDSHAKE_TIMEOUT`` (uvicorn creates the
    server without one, and a client that stalls its handshake is not yet a connection the
    cap or the header deadline can see)."""

    async def create_server(self, *args: Any, **kwargs: Any) -> asyncio.Server:
        if kwargs.get("ssl") is not None:
            kwargs.setdefault("ssl_handshake_timeout", HANDSHAKE_TIMEOUT)
        return await super().create_server(*args, **kwargs)


def event_loop() -> asyncio.AbstractEventLoop:
    """uvicorn's ``loop`` setting names this factory (``module:attribute``)."""
    return _EventLoop()
