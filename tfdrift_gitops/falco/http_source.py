"""The HTTP intake: ``POST /falco`` (Falco >= 0.44 http_output, falcosidekick), health, metrics.

Falco's http_output POSTs one JSON alert per request; falcosidekick's webhook output forwards
the same shape. A body may also be a JSON array or JSON Lines. Answers:

- 200 with counts (accepted / ignored / invalid) when the body was read;
- 400 for a body that is not JSON (nothing of it is used), 422 when no alert in it was usable;
- 401 without the bearer token (when one is configured), 404/405 for other paths and methods;
- 411 without a length, 413 over 1 MiB (the connection is closed without reading the body);
- 503 when the queue refused an alert (``--drop-policy drop-newest``) or during shutdown.

TLS and mutual TLS come from an ``ssl.SSLContext``. The handshake runs on the connection's own
thread, not in ``accept()``, so a client that stalls mid-handshake cannot block the others, and
every connection has a socket timeout against slow senders.
"""

from __future__ import annotations

import hmac
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.falco.intake import MAX_BODY_BYTES, BodyError, Verdicts, parse_body
from tfdrift_gitops.falco.metrics import CONTENT_TYPE, CollectorMetrics
from tfdrift_gitops.falco.pipeline import Item, Pipeline

log = logging.getLogger(__name__)

INTAKE = "http"
SOCKET_TIMEOUT = 30.0


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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], intake: HttpIntake) -> None:
        self.intake = intake
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The stdlib prints a traceback to stderr; a hostile client is not worth one.
        log.debug("error on connection from %s", client_address[0], exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: Falco and falcosidekick reuse connections
    server_version = "tfdrift-gitops"
    sys_version = ""
    timeout = SOCKET_TIMEOUT
    server: _Server

    def handle(self) -> None:
        try:
            # Headers and body go out in two writes; without NODELAY, Nagle's algorithm holds
            # the second until the client's delayed ACK (40 ms per keep-alive request).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if isinstance(self.connection, ssl.SSLSocket):
                self.connection.do_handshake()  # here, on this connection's own thread
            super().handle()
        except (ssl.SSLError, ConnectionError, TimeoutError, OSError) as exc:
            log.debug("connection from %s ended: %s", self.client_address[0], exc)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.client_address[0], format % args)

    # ------------------------------------------------------------------ responses

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status == HTTPStatus.UNAUTHORIZED:
            self.send_header("WWW-Authenticate", 'Bearer realm="tfdrift-gitops"')
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload).encode() + b"\n")

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message})

    # ------------------------------------------------------------------ routes

    def do_GET(self) -> None:
        intake = self.server.intake
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            self._send(200, b"ok\n", "text/plain; charset=utf-8")
        elif path == "/readyz":
            ready, why = intake.readiness()
            body = b"ready\n" if ready else f"not ready: {why}\n".encode()
            self._send(200 if ready else 503, body, "text/plain; charset=utf-8")
        elif path == "/metrics":
            self._send(200, intake.metrics.render().encode(), CONTENT_TYPE)
        elif path == "/falco":
            self._error(405, "use POST")
        else:
            self._error(404, "not found")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        intake = self.server.intake
        received = time.perf_counter()
        if self.path.split("?", 1)[0] != "/falco":
            self._discard_body_or_close()
            self._error(404, "not found (POST alerts to /falco)")
            return
        if not intake.authorised(self.headers.get("Authorization")):
            self._discard_body_or_close()
            self._error(401, "missing or wrong bearer token")
            return
        body = self._read_body()
        if body is None:
            return
        origin = f"http {self.client_address[0]}"
        try:
            verdicts = parse_body(body, origin)
        except BodyError as exc:
            intake.metrics.alerts.inc(INTAKE, "malformed")
            intake.pipeline.handled_elsewhere()
            log.warning("%s", exc)
            self._error(400, str(exc))
            return
        status, payload = intake.accept(verdicts, received)
        self._json(status, payload)

    def do_PUT(self) -> None:
        self._discard_body_or_close()
        self._error(405, "use POST")

    do_DELETE = do_PATCH = do_PUT

    # ------------------------------------------------------------------ bodies

    def _discard_body_or_close(self) -> None:
        """Read a small unwanted body so keep-alive stays in sync; close on a big one."""
        length = self.headers.get("Content-Length")
        if length and length.isdigit() and int(length) <= MAX_BODY_BYTES:
            self.rfile.read(int(length))
        elif length or self.headers.get("Transfer-Encoding"):
            self.close_connection = True

    def _read_body(self) -> bytes | None:
        limit = self.server.intake.max_body
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            self.close_connection = True
            self._error(411, "Content-Length required")
            return None
        if not length_text.strip().isdigit():
            self.close_connection = True
            self._error(400, "bad Content-Length")
            return None
        length = int(length_text)
        if length > limit:
            self._too_large(length)
            return None
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            return None
        return body

    def _read_chunked(self, limit: int) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                self._error(400, "bad chunked encoding")
                return None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > limit:
                self._too_large(total)
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _too_large(self, size: int) -> None:
        intake = self.server.intake
        intake.metrics.alerts.inc(INTAKE, "too_large")
        intake.pipeline.handled_elsewhere()
        log.warning("http %s: body of %d bytes refused", self.client_address[0], size)
        self.close_connection = True  # the rest of the body is never read
        self._error(413, f"body larger than {intake.max_body} bytes")


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
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.pipeline = pipeline
        self.metrics = metrics
        self.max_body = max_body
        self._ready = ready
        self._token = token.encode() if token else None
        host, port = parse_listen(listen)
        try:
            self._server = _Server((host, port), self)
        except OSError as exc:
            raise ConfigError(f"--listen {listen}: cannot listen: {exc}") from exc
        if tls is not None:
            self._server.socket = tls.context().wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self.address = self._server.server_address
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.address[1])

    def authorised(self, header: str | None) -> bool:
        if self._token is None:
            return True
        if not header or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header[len("Bearer ") :].strip().encode(), self._token)

    def readiness(self) -> tuple[bool, str]:
        return self._ready()

    def accept(self, verdicts: Verdicts, received: float) -> tuple[int, dict[str, Any]]:
        metrics, pipeline = self.metrics, self.pipeline
        dropped = 0
        for reason in verdicts.ignored:
            metrics.alerts.inc(INTAKE, "ignored")
            log.debug("%s", reason)
        for reason in verdicts.invalid:
            metrics.alerts.inc(INTAKE, "invalid")
            log.warning("%s", reason)
        pipeline.handled_elsewhere(len(verdicts.ignored) + len(verdicts.invalid))
        for event in verdicts.events:
            if pipeline.offer(Item(event, received, INTAKE)):
                metrics.alerts.inc(INTAKE, "accepted")
            else:
                dropped += 1
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

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="http-intake",
            daemon=True,
        )
        self._thread.start()
        log.info("listening on %s:%d", self.address[0], self.port)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
