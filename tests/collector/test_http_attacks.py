"""The intake under attack, with raw sockets: framing tricks, smuggling, slow clients, floods.

Each test sends the malicious bytes an attacker would and checks what the collector does with
them: answered 400/408/413/503, connection closed, nothing of the hostile request used, memory
and connections bounded. Deadlines are short here (``HttpLimits``) so that slow-client tests take
about a second; every wait is a poll with a generous bound, never a fixed sleep.
"""

from __future__ import annotations

import dataclasses
import json
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from tests.collector.falco_alerts import cloudtrail_record, falco_alert
from tests.collector.pki import Pki
from tests.collector.rawhttp import RawClient, chunked, request
from tfdrift_gitops.cli import cli
from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.falco import http_protocol
from tfdrift_gitops.falco.collector import Collector, CollectorOptions
from tfdrift_gitops.falco.http_protocol import HttpLimits
from tfdrift_gitops.falco.http_source import ServerTLS, check_exposure, is_loopback

LIMITS = HttpLimits(max_connections=4, header_timeout=1.0, body_timeout=1.0, keep_alive=30)


def _start(state_file: Path, limits: HttpLimits = LIMITS, **overrides: Any) -> Collector:
    options = CollectorOptions(
        states=(str(state_file),),
        listen="127.0.0.1:0",
        state_refresh=0,
        http_limits=limits,
        **overrides,
    )
    collector = Collector(options, channels=[])
    collector.start()
    return collector


@pytest.fixture
def collector(state_file: Path) -> Iterator[Collector]:
    running = _start(state_file)
    yield running
    running.shutdown()


def _port(collector: Collector) -> int:
    assert collector.http is not None
    return collector.http.port


def _alert_body(event_id: str) -> bytes:
    return json.dumps(falco_alert(cloudtrail_record(event_id))).encode()


def _refused(collector: Collector, reason: str) -> float:
    return collector.metrics.http_refused.value(reason)


def _wait_for(check: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition never held")
        time.sleep(0.01)


# ---------------------------------------------------------------------- framing


def test_negative_chunk_size_is_400_and_the_rest_is_never_read(collector: Collector) -> None:
    """Before: ``-1`` made the reader read until the client closed (300 MiB in 0.5 s)."""
    with RawClient(_port(collector)) as client:
        client.send(request("POST", headers=("Transfer-Encoding: chunked",)) + b"-1\r\n")
        answer = client.answer()
        assert answer.status == 400
        assert answer.headers["connection"] == "close"
        client.rest()
        # The server is gone: pushing more fails long before 64 MiB have been taken.
        with pytest.raises(OSError):  # noqa: PT012 - the loop is the attack
            for _ in range(1024):
                client.send(b"x" * 65536)
    assert _refused(collector, "bad_request") == 1
    assert collector.metrics.alerts.value("http", "accepted") == 0


def test_huge_chunk_size_stops_at_the_body_limit(collector: Collector) -> None:
    """A chunk that declares 16 TiB is read only up to the 1 MiB limit, then 413."""
    assert collector.http is not None
    limit = collector.http.max_body
    with RawClient(_port(collector)) as client:
        client.send(request("POST", headers=("Transfer-Encoding: chunked",)) + b"fffffffffff\r\n")
        client.send(b" " * (limit + 1))
        assert client.answer().status == 413
        client.rest()
    assert collector.metrics.alerts.value("http", "too_large") == 1


def test_content_length_with_transfer_encoding_smuggles_nothing(collector: Collector) -> None:
    """Before: chunked won, the connection stayed open and the hidden request was answered."""
    hidden_body = _alert_body("smuggled-1")
    hidden = request("POST", headers=(f"Content-Length: {len(hidden_body)}",)) + hidden_body
    body = b"0\r\n\r\n" + hidden  # a proxy trusting Content-Length forwards all of it as one
    head = request("POST", headers=(f"Content-Length: {len(body)}", "Transfer-Encoding: chunked"))
    with RawClient(_port(collector)) as client:
        client.send(head + body)
        answer = client.answer()
        assert answer.status == 400
        assert answer.headers["connection"] == "close"
        assert client.rest() == b""  # no second answer: the hidden request was never read
    assert collector.metrics.alerts.value("http", "accepted") == 0
    assert _refused(collector, "bad_request") == 1


@pytest.mark.parametrize(
    "encoding",
    [
        pytest.param("xchunked", id="xchunked"),
        pytest.param("chunked, identity", id="chunked-then-identity"),
        pytest.param("gzip, chunked", id="gzip-chunked"),
    ],
)
def test_transfer_encodings_other_than_chunked_are_400(collector: Collector, encoding: str) -> None:
    """Before: any value containing "chunked" was read as chunked."""
    head = request("POST", headers=(f"Transfer-Encoding: {encoding}",))
    with RawClient(_port(collector)) as client:
        client.send(head + chunked(_alert_body("xchunked-1")))
        answer = client.answer()
        assert answer.status == 400
        assert client.rest() == b""
    assert collector.metrics.alerts.value("http", "accepted") == 0


@pytest.mark.parametrize("pieces", [pytest.param(1, id="one-write"), pytest.param(64, id="pieces")])
def test_header_block_over_the_limit_is_refused(collector: Collector, pieces: int) -> None:
    """h11 refuses (400) a header block that grows past the limit while incomplete; one that
    arrives whole in one read is refused by the application (431). Which happens depends on
    how the kernel delivers the bytes."""
    padding = "a" * (LIMITS.max_header_bytes + 1)
    head = request("POST", headers=(f"X-Pad: {padding}", "Content-Length: 2")) + b"{}"
    step = -(-len(head) // pieces)
    with RawClient(_port(collector)) as client:
        for start in range(0, len(head), step):
            client.send(head[start : start + step])
        assert client.answer().status in (400, 431)
        assert client.rest() == b""
    assert collector.metrics.alerts.value("http", "ignored") == 0
    assert _refused(collector, "bad_request") == 1


# ---------------------------------------------------------------------- slow clients


def _trickle(client: RawClient, data: bytes, every: float = 0.05) -> int:
    """Send ``data`` a byte at a time until the server answers; the bytes sent."""
    for sent, byte in enumerate(data):
        readable, _, _ = select.select([client.sock], [], [], every)
        if readable:
            return sent
        client.send(bytes([byte]))
    return len(data)


def test_trickled_headers_are_cut_off_after_the_total_time(collector: Collector) -> None:
    """Slow-loris: a byte every 50 ms never lets a per-read timeout fire; the total one does.
    Before: the socket timeout (30 s) restarted with every byte, so this was held forever."""
    head = request("POST", headers=("Content-Length: 2", *(f"X-Slow-{n}: y" for n in range(200))))
    with RawClient(_port(collector)) as client:
        started = time.monotonic()
        sent = _trickle(client, head)
        elapsed = time.monotonic() - started
        assert sent < len(head)  # cut off long before the headers were done
        answer = client.answer()
        assert answer.status == 408
        assert answer.headers["connection"] == "close"
        assert client.rest() == b""
    assert LIMITS.header_timeout * 0.9 <= elapsed < 10 * LIMITS.header_timeout
    assert _refused(collector, "header_timeout") == 1


def test_a_connection_that_sends_nothing_is_closed(collector: Collector) -> None:
    with RawClient(_port(collector)) as client:
        assert client.rest() == b""  # closed by the header deadline, no answer to nothing
    assert _refused(collector, "header_timeout") == 1


def test_trickled_body_is_408_after_the_total_time(collector: Collector) -> None:
    body = _alert_body("slow-body-1")
    with RawClient(_port(collector)) as client:
        client.send(request("POST", headers=(f"Content-Length: {len(body)}",)))
        assert _trickle(client, body) < len(body)
        answer = client.answer()
        assert answer.status == 408
        assert answer.headers["connection"] == "close"
        assert client.rest() == b""
    assert _refused(collector, "body_timeout") == 1
    assert collector.metrics.alerts.value("http", "accepted") == 0


def test_a_stalled_tls_handshake_is_cut_off(
    state_file: Path, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TLS client that never finishes its handshake is not yet a connection the header
    deadline sees; the handshake has its own limit (asyncio's default was 60 s)."""
    monkeypatch.setattr(http_protocol, "HANDSHAKE_TIMEOUT", 1.0)
    collector = _start(state_file, server_tls=ServerTLS(pki.server.cert, pki.server.key))
    try:
        with RawClient(_port(collector)) as client:
            client.send(b"\x16\x03\x01")  # the first bytes of a ClientHello, then nothing
            assert client.closed_after() < 10
    finally:
        collector.shutdown()


# ---------------------------------------------------------------------- floods


@pytest.fixture
def patient(state_file: Path) -> Iterator[Collector]:
    """A collector whose header deadline outlasts the test: held connections stay open."""
    running = _start(state_file, dataclasses.replace(LIMITS, header_timeout=60.0))
    yield running
    running.shutdown()


def test_connections_over_the_cap_get_503_and_are_closed(patient: Collector) -> None:
    """Before: one thread per connection, no cap."""
    collector = patient
    port = _port(collector)
    held = [socket.create_connection(("127.0.0.1", port), timeout=15) for _ in range(4)]
    try:
        # the server has taken all four (each counted open) before the fifth comes
        _wait_for(lambda: _gauge(collector, "tfdrift_http_connections") >= 4)
        with RawClient(port) as client:
            body = _alert_body("over-cap-1")
            client.send(request("POST", headers=(f"Content-Length: {len(body)}",)) + body)
            answer = client.answer()  # answered at once; the request is dropped unread
            assert answer.status == 503
            assert answer.headers["connection"] == "close"
            assert client.rest() == b""
        assert _refused(collector, "too_many_connections") == 1
        assert collector.metrics.alerts.value("http", "accepted") == 0
        held.pop().close()
        _wait_for(lambda: _gauge(collector, "tfdrift_http_connections") <= 3)
        with RawClient(port) as client:
            body = _alert_body("after-cap-1")
            client.send(request("POST", headers=(f"Content-Length: {len(body)}",)) + body)
            assert client.answer().status == 200
    finally:
        for sock in held:
            sock.close()


def _gauge(collector: Collector, name: str) -> float:
    return collector.metrics.registry.get_sample_value(name) or 0.0


def test_stalled_clients_do_not_hold_the_probes(patient: Collector) -> None:
    """Three slow clients mid-headers (under the cap): health is still served."""
    port = _port(patient)
    slow = [socket.create_connection(("127.0.0.1", port), timeout=15) for _ in range(3)]
    try:
        for sock in slow:
            sock.sendall(b"POST /falco HTTP/1.1\r\nHost: x\r\n")
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=15).status_code == 200
    finally:
        for sock in slow:
            sock.close()


# ---------------------------------------------------------------------- methods and doors


def test_put_is_taken_like_post(collector: Collector) -> None:
    """falcosidekick's webhook output may be configured to PUT."""
    answer = httpx.put(f"http://127.0.0.1:{_port(collector)}/falco", content=_alert_body("put-1"))
    assert answer.status_code == 200
    assert answer.json()["accepted"] == 1


@pytest.mark.parametrize(
    ("listen", "token", "client_ca", "allowed"),
    [
        pytest.param("0.0.0.0:8080", None, False, False, id="any-address-open"),
        pytest.param("[::]:8080", None, False, False, id="any-v6-open"),
        pytest.param(":8080", None, False, False, id="no-host-open"),
        pytest.param("0.0.0.0:8080", "t0ken", False, True, id="any-address-token"),
        pytest.param("0.0.0.0:8080", None, True, True, id="any-address-client-certs"),
        pytest.param("127.0.0.1:8080", None, False, True, id="loopback"),
        pytest.param("[::1]:8080", None, False, True, id="loopback-v6"),
        pytest.param("localhost:8080", None, False, True, id="localhost"),
    ],
)
def test_exposure_check(listen: str, token: str | None, client_ca: bool, allowed: bool) -> None:
    tls = ServerTLS(Path("c.pem"), Path("k.pem"), Path("ca.pem") if client_ca else None)
    if allowed:
        check_exposure(listen, token=token, tls=tls, allow_unauthenticated=False)
    else:
        with pytest.raises(ConfigError, match="--allow-unauthenticated"):
            check_exposure(listen, token=token, tls=tls, allow_unauthenticated=False)
        check_exposure(listen, token=token, tls=tls, allow_unauthenticated=True)


def test_is_loopback_needs_every_address_to_be_loopback() -> None:
    assert is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("name.invalid")


def test_collect_refuses_an_open_non_loopback_listener(state_file: Path) -> None:
    result = CliRunner().invoke(
        cli, ["collect", "--state", str(state_file), "--no-ledger", "--listen", "0.0.0.0:0"]
    )
    assert result.exit_code == 3, result.output
    assert "--token-env" in result.output
    assert "--allow-unauthenticated" in result.output
