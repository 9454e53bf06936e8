"""The gRPC receiver in a child process, so that receiving does not compete for the GIL.

grpcio's synchronous streaming client spends some 40 µs of interpreter time per message
(a polling thread hands each message to the reading thread). In the collector's process that
time is taken from normalising and matching, which also need the interpreter lock: measured,
the collector processes about twice as many alerts per second when the stream is read by a
child process that forwards the raw message bytes in batches.

The child (``python -m tfdrift_gitops.falco.grpc_process``) runs :class:`GrpcSource` with
``raw=True`` and writes length-prefixed pickled frames to its stdout: ``("alerts", [bytes])``,
``("connected", bool)``, ``("reconnect", None)``, ``("version", str)``, ``("log", (name, level,
message))``. It stops when its stdin closes (the parent went away or asked it to). Backpressure
holds end to end: a parent that stops reading stops the child's writes, which stops its gRPC
reads, which lets gRPC flow control hold Falco back. If the child dies, the parent starts a new
one after a backoff.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.falco._pb import falco_outputs_pb2
from tfdrift_gitops.falco.grpc_source import Backoff, ClientTLS, GrpcSource, OnAlert, is_unix

log = logging.getLogger(__name__)
source_log = logging.getLogger("tfdrift_gitops.falco.grpc_source")

_HEADER = struct.Struct(">I")
MAX_FRAME = 64 << 20
BATCH_ITEMS = 512
BATCH_SECONDS = 0.002
MAX_PENDING = 10_000


# --------------------------------------------------------------------------- framing


def write_frame(stream: IO[bytes], kind: str, data: Any) -> None:
    payload = pickle.dumps((kind, data), protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def read_frame(stream: IO[bytes]) -> tuple[str, Any] | None:
    """The next frame, or None at end of stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes from the gRPC receiver")
    payload = stream.read(size)
    if len(payload) < size:
        return None
    # Our own child wrote it, over a pipe nobody else holds.
    kind, data = pickle.loads(payload)  # noqa: S301
    return str(kind), data


# --------------------------------------------------------------------------- parent side


class ProcessGrpcSource:
    """Same surface as :class:`GrpcSource` (start, stop, connected, falco_version)."""

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
        version_timeout: float = 5.0,
    ) -> None:
        if not is_unix(address) and tls is None:
            raise ConfigError(
                f"--falco-grpc {address}: Falco serves gRPC over the network only with mutual "
                "TLS; give --grpc-cert, --grpc-key and --grpc-ca (or use the unix socket)"
            )
        self.address = address
        self.backoff = backoff or Backoff()
        self.falco_version = ""
        self.connected = False
        self.received = 0
        self._on_alert = on_alert
        self._on_connected = on_connected or (lambda _up: None)
        self._on_reconnect = on_reconnect or (lambda: None)
        self._settings = {
            "address": address,
            "tls": None
            if tls is None
            else {
                "cert": str(tls.cert),
                "key": str(tls.key),
                "ca": str(tls.ca),
                "server_name": tls.server_name,
            },
            "poll_interval": poll_interval,
            "backoff_base": self.backoff.base,
            "backoff_cap": self.backoff.cap,
            "keepalive_ms": keepalive_ms,
            "version_timeout": version_timeout,
            "log_level": source_log.getEffectiveLevel(),
        }
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._parse = falco_outputs_pb2.response.FromString

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="falco-grpc-reader", daemon=True)
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        return subprocess.Popen(
            [sys.executable, "-m", "tfdrift_gitops.falco.grpc_process", json.dumps(self._settings)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            # Its own session: a terminal's Ctrl-C reaches the collector, which then stops the
            # child in order (after draining), instead of both at once.
            start_new_session=True,
        )

    def _run(self) -> None:
        restarts = Backoff(base=self.backoff.base, cap=self.backoff.cap)
        while not self._stop.is_set():
            child = self._spawn()
            with self._lock:
                self._child = child
            if self._stop.is_set():
                break
            assert child.stdout is not None
            try:
                self._pump(child.stdout, restarts)
            except (OSError, ValueError, pickle.UnpicklingError) as exc:
                log.error("gRPC receiver for %s: broken pipe (%s)", self.address, exc)
            self._set_connected(False)
            self._reap(child)
            if self._stop.is_set():
                break
            delay = restarts.next_delay()
            log.error(
                "gRPC receiver for %s exited (code %s); restarting in %.1fs",
                self.address,
                child.returncode,
                delay,
            )
            self._stop.wait(delay)
            self._on_reconnect()

    def _pump(self, stream: IO[bytes], restarts: Backoff) -> None:
        parse, on_alert = self._parse, self._on_alert
        while True:
            frame = read_frame(stream)
            if frame is None:
                return
            kind, data = frame
            if kind == "alerts":
                restarts.reset()
                self.received += len(data)
                for raw in data:
                    try:
                        on_alert(parse(raw))
                    except Exception:  # one bad message must not stop the stream
                        log.exception("gRPC receiver for %s: cannot handle a message", self.address)
            elif kind == "connected":
                self._set_connected(bool(data))
            elif kind == "reconnect":
                self._on_reconnect()
            elif kind == "version":
                self.falco_version = str(data)
            elif kind == "log":
                name, level, message = data
                logging.getLogger(str(name)).log(int(level), "%s", message)

    def _set_connected(self, up: bool) -> None:
        if self.connected != up:
            self.connected = up
            self._on_connected(up)

    def _reap(self, child: subprocess.Popen[bytes]) -> None:
        if child.stdin is not None and not child.stdin.closed:
            with contextlib.suppress(OSError):
                child.stdin.close()
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=5)
        if child.stdout is not None:
            child.stdout.close()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._lock:
            child = self._child
        if child is not None and child.stdin is not None:
            with contextlib.suppress(OSError):
                child.stdin.close()  # the child's signal to stop
        if self._thread is not None:
            self._thread.join(timeout)
        if child is not None and child.poll() is None:
            child.kill()
            child.wait(timeout=5)

    def wait_connected(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.connected:
            time.sleep(0.01)
        return self.connected


# --------------------------------------------------------------------------- child side


class _Writer:
    """Batches alert bytes for the parent; blocks the gRPC reader when the parent lags."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self._pending: list[bytes] = []
        self._closed = False

    def send(self, kind: str, data: Any) -> None:
        with self._lock:
            write_frame(self.stream, kind, data)

    def add(self, raw: bytes) -> None:
        with self._cond:
            while len(self._pending) >= MAX_PENDING and not self._closed:
                self._cond.wait(0.1)
            self._pending.append(raw)
            if len(self._pending) >= BATCH_ITEMS:
                self._cond.notify_all()

    def run(self) -> None:
        while True:
            with self._cond:
                if not self._pending:
                    self._cond.wait(BATCH_SECONDS)
                batch, self._pending = self._pending, []
                self._cond.notify_all()
                closed = self._closed
            if batch:
                self.send("alerts", batch)
            if closed:
                return

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class _ForwardLogs(logging.Handler):
    def __init__(self, writer: _Writer) -> None:
        super().__init__()
        self.writer = writer

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(OSError, ValueError):  # the parent is gone: nothing to tell
            self.writer.send("log", (record.name, record.levelno, record.getMessage()))


def child_main(settings_json: str) -> int:
    settings = json.loads(settings_json)
    out = sys.stdout.buffer
    writer = _Writer(out)
    root = logging.getLogger()
    root.handlers[:] = [_ForwardLogs(writer)]
    root.setLevel(int(settings.get("log_level", logging.WARNING)))
    tls_settings = settings.get("tls")
    tls = None
    if tls_settings:
        tls = ClientTLS(
            Path(tls_settings["cert"]),
            Path(tls_settings["key"]),
            Path(tls_settings["ca"]),
            tls_settings.get("server_name", ""),
        )
    source = GrpcSource(
        settings["address"],
        writer.add,
        tls=tls,
        poll_interval=float(settings["poll_interval"]),
        backoff=Backoff(float(settings["backoff_base"]), float(settings["backoff_cap"])),
        keepalive_ms=int(settings["keepalive_ms"]),
        on_connected=lambda up: writer.send("connected", up),
        on_reconnect=lambda: writer.send("reconnect", None),
        on_version=lambda version: writer.send("version", version),
        version_timeout=float(settings["version_timeout"]),
        raw=True,
    )
    sender = threading.Thread(target=writer.run, name="frames", daemon=True)
    sender.start()
    source.start()
    with contextlib.suppress(OSError, KeyboardInterrupt):
        sys.stdin.buffer.read()  # returns at EOF: the parent closed our stdin or exited
    source.stop()
    writer.close()
    sender.join(5)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(child_main(sys.argv[1]))
    except BrokenPipeError:
        sys.exit(0)
