"""Falco's gRPC output API as a source of alerts (Falco <= 0.43).

``/falco.outputs.service/sub`` is a bidirectional stream: Falco answers each ``request`` the
client sends with the outputs queued since the last one, so the client keeps sending empty
requests (every ``poll_interval``) for as long as it wants alerts, the way Falco's own Go
client does. ``/falco.version.service/version`` is called once per connection and logged.

Addresses: ``unix:///run/falco/falco.sock`` (Falco's default; no authentication, the socket's
file permissions guard it) or ``host:port``, which Falco serves only with mutual TLS, so the
client needs its certificate, key and the CA that signed Falco's certificate.

Reconnects use exponential backoff with jitter, capped at 30 s, reset once a connection has
delivered. Alerts that Falco re-sends after a reconnect are deduplicated downstream by event id.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.falco._pb import (
    falco_outputs_pb2,
    falco_outputs_pb2_grpc,
    falco_version_pb2,
    falco_version_pb2_grpc,
)

log = logging.getLogger(__name__)

DEFAULT_ADDRESS = "unix:///run/falco/falco.sock"
SUB_METHOD = "/falco.outputs.service/sub"

OnAlert = Callable[[Any], None]
"""Receives one ``falco.outputs.response`` message."""


@dataclass(frozen=True, slots=True)
class ClientTLS:
    """PEM files for mutual TLS: our certificate and key, and the CA that signed Falco's."""

    cert: Path
    key: Path
    ca: Path
    server_name: str = ""

    def credentials(self) -> grpc.ChannelCredentials:
        def read(path: Path, what: str) -> bytes:
            try:
                return path.read_bytes()
            except OSError as exc:
                raise ConfigError(f"gRPC {what} {path}: cannot read: {exc}") from exc

        return grpc.ssl_channel_credentials(
            root_certificates=read(self.ca, "CA certificate"),
            private_key=read(self.key, "client key"),
            certificate_chain=read(self.cert, "client certificate"),
        )


@dataclass(slots=True)
class Backoff:
    """Exponential backoff with "equal jitter": a delay in [d/2, d], d = base * 2^n <= cap."""

    base: float = 0.5
    cap: float = 30.0
    attempts: int = 0
    rng: random.Random | None = None

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * (2**self.attempts))
        self.attempts += 1
        draw = self.rng.random() if self.rng is not None else random.random()  # noqa: S311 - jitter
        return float(ceiling / 2 + draw * ceiling / 2)

    def reset(self) -> None:
        self.attempts = 0


def is_unix(address: str) -> bool:
    return address.startswith("unix:")


class GrpcSource:
    """Runs the subscribe loop on its own thread until :meth:`stop`."""

    def __init__(
        self,
        address: str,
        on_alert: OnAlert,
        *,
        tls: ClientTLS | None = None,
        poll_interval: float = 0.1,
        backoff: Backoff | None = None,
        keepalive_ms: int = 30_000,
        on_connected: Callable[[bool], None] | None = None,
        on_reconnect: Callable[[], None] | None = None,
        on_version: Callable[[str], None] | None = None,
        version_timeout: float = 5.0,
        raw: bool = False,
    ) -> None:
        """``raw``: hand ``on_alert`` the serialized message bytes instead of a parsed message
        (the subprocess receiver forwards bytes and lets the collector parse them)."""
        if not is_unix(address) and tls is None:
            raise ConfigError(
                f"--falco-grpc {address}: Falco serves gRPC over the network only with mutual "
                "TLS; give --grpc-cert, --grpc-key and --grpc-ca (or use the unix socket)"
            )
        self.address = address
        self.tls = tls
        self.poll_interval = poll_interval
        self.backoff = backoff or Backoff()
        self.keepalive_ms = keepalive_ms
        self.version_timeout = version_timeout
        self.falco_version = ""
        self.connected = False
        self.received = 0
        self._on_alert = on_alert
        self._on_connected = on_connected or (lambda _up: None)
        self._on_reconnect = on_reconnect or (lambda: None)
        self._on_version = on_version or (lambda _version: None)
        self.raw = raw
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._call: Any = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="falco-grpc", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._lock:
            call = self._call
        if call is not None:
            call.cancel()
        if self._thread is not None:
            self._thread.join(timeout)

    def _channel(self) -> grpc.Channel:
        options: list[tuple[str, Any]] = [
            ("grpc.keepalive_time_ms", self.keepalive_ms),
            ("grpc.keepalive_timeout_ms", 10_000),
            ("grpc.keepalive_permit_without_calls", 0),
            ("grpc.max_receive_message_length", 16 * 1024 * 1024),
            # Our own loop owns reconnecting (with logging and backoff); keep gRPC's short.
            ("grpc.initial_reconnect_backoff_ms", 200),
            ("grpc.max_reconnect_backoff_ms", 2_000),
        ]
        if self.tls is None:
            return grpc.insecure_channel(self.address, options=options)
        if self.tls.server_name:
            options.append(("grpc.ssl_target_name_override", self.tls.server_name))
        return grpc.secure_channel(self.address, self.tls.credentials(), options=options)

    # ------------------------------------------------------------------ the loop

    def run(self) -> None:
        first = True
        while not self._stop.is_set():
            if not first:
                self._on_reconnect()
            first = False
            delivered = self._session()
            if self._stop.is_set():
                break
            if delivered:
                self.backoff.reset()
            delay = self.backoff.next_delay()
            log.warning("Falco gRPC %s: reconnecting in %.1fs", self.address, delay)
            self._stop.wait(delay)

    def _session(self) -> bool:
        """One connection: version, then the subscribe stream until it ends. True when the
        connection worked (version answered or an alert arrived)."""
        delivered = False
        try:
            channel = self._channel()
        except Exception as exc:  # unreadable certificates may appear later (mounted secrets)
            log.error("Falco gRPC %s: cannot create channel: %s", self.address, exc)
            return False
        try:
            delivered = self._ask_version(channel)
            call = self._subscribe(channel)
            with self._lock:
                self._call = call
            if self._stop.is_set():
                call.cancel()
            self._set_connected(True)
            for response in call:
                delivered = True
                self.received += 1
                try:
                    self._on_alert(response)
                except Exception:  # one bad message must not end the stream
                    log.exception("Falco gRPC %s: cannot handle a message", self.address)
        except grpc.RpcError as exc:
            if not self._stop.is_set():
                code = exc.code() if hasattr(exc, "code") else None
                details = exc.details() if hasattr(exc, "details") else str(exc)
                log.warning("Falco gRPC %s: stream ended: %s %s", self.address, code, details)
        finally:
            with self._lock:
                self._call = None
            self._set_connected(False)
            channel.close()
        return delivered

    def _subscribe(self, channel: grpc.Channel) -> Any:
        if not self.raw:
            return falco_outputs_pb2_grpc.serviceStub(channel).sub(self._requests())
        method = channel.stream_stream(
            SUB_METHOD,
            request_serializer=falco_outputs_pb2.request.SerializeToString,
            response_deserializer=None,  # bytes as they came off the wire
        )
        return method(self._requests())

    def _ask_version(self, channel: grpc.Channel) -> bool:
        stub = falco_version_pb2_grpc.serviceStub(channel)
        try:
            answer = stub.version(
                falco_version_pb2.request(), timeout=self.version_timeout, wait_for_ready=True
            )
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.UNIMPLEMENTED:
                log.warning("Falco gRPC %s: version service not available", self.address)
                return False
            raise
        self.falco_version = str(answer.version)
        self._on_version(self.falco_version)
        log.info("connected to Falco %s at %s", answer.version or "(unknown)", self.address)
        if answer.major == 0 and answer.minor >= 44:
            log.warning(
                "Falco %s no longer has the gRPC output API; use http_output and --listen",
                answer.version,
            )
        return True

    def _requests(self) -> Iterator[Any]:
        """Empty requests, one per poll interval: each asks Falco for what it has queued."""
        request = falco_outputs_pb2.request()
        while not self._stop.is_set():
            yield request
            self._stop.wait(self.poll_interval)

    def _set_connected(self, up: bool) -> None:
        if self.connected != up:
            self.connected = up
            self._on_connected(up)

    def wait_connected(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.connected:
                return True
            time.sleep(0.01)
        return self.connected
