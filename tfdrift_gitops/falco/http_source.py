"""The HTTP intake: ``POST``/``PUT /falco`` (Falco http_output, falcosidekick), health, metrics.

Served by uvicorn on h11 (see docs/collector.md for why) on an event loop of its own thread:
h11 does the HTTP/1.1 parsing and rejects malformed framing (answered 400, connection closed);
:mod:`~tfdrift_gitops.falco.http_protocol` adds the connection cap, the header deadline and
lingering closes (:class:`HttpLimits`); :mod:`~tfdrift_gitops.falco.http_app` is the
application (routes, token, body deadline and size). This module binds the socket, checks who
may reach it, runs the server and turns bodies into queued events.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import uvicorn

from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.falco.http_app import IntakeApp
from tfdrift_gitops.falco.http_protocol import HttpLimits, guarded_protocol
from tfdrift_gitops.falco.intake import BodyError, Verdicts, parse_body
from tfdrift_gitops.falco.metrics import CollectorMetrics
from tfdrift_gitops.falco.pipeline import Item, Pipeline

log = logging.getLogger(__name__)

INTAKE = "http"

Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ServerTLS:
    cert: Path
    key: Path
    client_ca: Path | None = None
    """When set, clients must present a certificate signed by this CA (mutual TLS)."""

    def context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            context.load_cert_chain(str(self.cert), str(self.key))
            if self.client_ca is not None:
                context.load_verify_locations(cafile=str(self.client_ca))
                context.verify_mode = ssl.CERT_REQUIRED
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"TLS for --listen: {exc}") from exc
        return context


def parse_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"--listen {value!r}: expected HOST:PORT")
    return host.strip("[]") or "0.0.0.0", int(port)  # noqa: S104 - the user chose no host


def is_loopback(host: str) -> bool:
    """True when every address ``host`` names is a loopback address."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    addresses = {str(info[4][0]).split("%", 1)[0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)


def check_exposure(
    listen: str, *, token: str | None, tls: ServerTLS | None, allow_unauthenticated: bool
) -> None:
    """Refuse to take alerts from the network that anybody could forge."""
    if token or (tls is not None and tls.client_ca is not None) or allow_unauthenticated:
        return
    host, _ = parse_listen(listen)
    if not is_loopback(host):
        raise ConfigError(
            f"--listen {listen}: anybody who reaches this address could post forged alerts; "
            "require a bearer token (--token-env VAR) or client certificates (--tls-client-ca), "
            "or pass --allow-unauthenticated when a network policy already restricts who "
            "connects"
        )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: accepted sockets inherit it, and asyncio sets TCP_NODELAY only on
    # sockets that say TCP. Without it, Nagle holds the answer's body behind its headers until
    # the client's delayed ACK: 40 ms per keep-alive request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(512)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class HttpIntake:
    """Owns the server thread; ``ready`` reports whether state and a source are up."""

    def __init__(
        self,
        listen: str,
        pipeline: Pipeline,
        metrics: CollectorMetrics,
        *,
        ready: Callable[[], tuple[bool, str]] = lambda: (True, ""),
        token: str | None = None,
        tls: ServerTLS | None = None,
        limits: HttpLimits | None = None,
        allow_unauthenticated: bool = False,
    ) -> None:
        check_exposure(listen, token=token, tls=tls, allow_unauthenticated=allow_unauthenticated)
        self.pipeline = pipeline
        self.metrics = metrics
        self.limits = limits = limits or HttpLimits()
        self.max_body = limits.max_body
        self.max_header = limits.max_header_bytes
        self.body_timeout = limits.body_timeout
        self._ready = ready
        self._token = token.encode() if token else None
        self._stopping = False
        context = tls.context() if tls is not None else None
        host, port = parse_listen(listen)
        try:
            self._socket = _bind(host, port)
        except OSError as exc:
            raise ConfigError(f"--listen {listen}: cannot listen: {exc}") from exc
        self.address: tuple[str, int] = self._socket.getsockname()[:2]
        config = uvicorn.Config(
            IntakeApp(self),
            http=guarded_protocol(limits, self.refused),
            ws="none",
            lifespan="off",
            loop=f"{guarded_protocol.__module__}:event_loop",
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_keep_alive=limits.keep_alive,
            timeout_graceful_shutdown=max(1, round(limits.drain_timeout)),
            h11_max_incomplete_event_size=limits.max_header_bytes,
            ssl_context_factory=(lambda _config, _default: context) if context else None,
        )
        self._server = uvicorn.Server(config)
        metrics.http_connections.bind(lambda: float(len(self._server.server_state.connections)))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.address[1])

    @property
    def stopping(self) -> bool:
        return self._stopping

    # ------------------------------------------------------------------ for the application

    def authorised(self, header: str | None) -> bool:
        if self._token is None:
            return True
        if not header or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header[len("Bearer ") :].strip().encode(), self._token)

    def readiness(self) -> tuple[bool, str]:
        return self._ready()

    def refused(self, reason: str) -> None:
        self.metrics.http_refused.inc(reason)

    def too_large(self, client: str, size: int) -> None:
        self.metrics.alerts.inc(INTAKE, "too_large")
        self.pipeline.handled_elsewhere()
        log.warning("http %s: body of %d bytes refused (limit %d)", client, size, self.max_body)

    def handle_body(
        self, body: bytes, client: str, received: float, *, wait: bool = True
    ) -> Answer | Callable[[], Answer]:
        """Parse one body, count its alerts and queue its events: (status, payload).

        With ``wait=False`` (on the event loop) nothing blocks: when the queue is full under
        ``--drop-policy block``, the rest is returned as a callable for a worker thread."""
        metrics, pipeline = self.metrics, self.pipeline
        try:
            verdicts = parse_body(body, f"http {client}")
        except BodyError as exc:
            metrics.alerts.inc(INTAKE, "malformed")
            pipeline.handled_elsewhere()
            log.warning("%s", exc)
            return 400, {"error": str(exc)}
        for reason in verdicts.ignored:
            metrics.alerts.inc(INTAKE, "ignored")
            log.debug("%s", reason)
        for reason in verdicts.invalid:
            metrics.alerts.inc(INTAKE, "invalid")
            log.warning("%s", reason)
        pipeline.handled_elsewhere(len(verdicts.ignored) + len(verdicts.invalid))
        items = [Item(event, received, INTAKE) for event in verdicts.events]
        if wait:
            return self._queue(verdicts, items)
        dropped = 0
        for position, item in enumerate(items):
            queued = pipeline.offer_nowait(item)
            if queued is None:  # the queue is full: wait for room on a worker thread
                return partial(self._queue, verdicts, items[position:], dropped)
            if queued:
                metrics.alerts.inc(INTAKE, "accepted")
            else:
                dropped += 1
        return self._answer(verdicts, dropped)

    def _queue(self, verdicts: Verdicts, items: list[Item], dropped: int = 0) -> Answer:
        for item in items:
            if self.pipeline.offer(item):
                self.metrics.alerts.inc(INTAKE, "accepted")
            else:
                dropped += 1
        return self._answer(verdicts, dropped)

    def _answer(self, verdicts: Verdicts, dropped: int) -> Answer:
        payload = {
            "accepted": len(verdicts.events) - dropped,
            "ignored": len(verdicts.ignored),
            "invalid": len(verdicts.invalid),
            "dropped": dropped,
            "errors": verdicts.invalid[:5],
        }
        if dropped:
            return 503, payload
        if verdicts.invalid and not verdicts.events and not verdicts.ignored:
            return 422, payload
        return 200, payload

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        # The socket listens already: connections made before the loop runs wait in the backlog.
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name="http-intake",
            daemon=True,
        )
        self._thread.start()
        log.info("listening on %s:%d", self.address[0], self.port)

    def stop(self) -> None:
        """Stop accepting, let requests in flight finish (``drain_timeout``), close."""
        self._stopping = True
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=self.limits.drain_timeout + 5)
        self._socket.close()
