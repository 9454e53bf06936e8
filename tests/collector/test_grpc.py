"""The gRPC intake against a real grpcio server speaking Falco's proto (unix socket, mTLS)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest

from tests.collector.fake_falco import FakeFalco, response
from tests.collector.falco_alerts import SG_ADDRESS, cloudtrail_record, grpc_fields
from tests.collector.pki import Pki
from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.falco.collector import Collector, CollectorOptions
from tfdrift_gitops.falco.grpc_source import Backoff, ClientTLS, GrpcSource
from tfdrift_gitops.models import Drift


def _alerts(count: int, prefix: str = "ev") -> list[Any]:
    return [
        response(
            grpc_fields(
                cloudtrail_record(
                    f"{prefix}-{n:04d}",
                    cidr=f"10.{n // 250}.{n % 250}.0/24",
                    when=f"2026-11-20T09:{n // 60:02d}:{n % 60:02d}Z",
                )
            )
        )
        for n in range(count)
    ]


def _collector(
    state_file: Path, address: str, tls: ClientTLS | None = None, *, in_process: bool = False
) -> Collector:
    options = CollectorOptions(
        states=(str(state_file),),
        falco_grpc=address,
        grpc_tls=tls,
        grpc_poll_interval=0.01,
        grpc_backoff_base=0.05,
        state_refresh=0,
        grpc_in_process=in_process,
    )
    return Collector(options, channels=[])


def _drift(collector: Collector) -> Drift | None:
    store: Any = collector.store
    for drift in store.open.values():
        if drift.resource.address == SG_ADDRESS:
            return drift  # type: ignore[no-any-return]
    return None


def _wait_for_ids(collector: Collector, ids: set[str], timeout: float = 30.0) -> set[str]:
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        drift = _drift(collector)
        seen = set(drift.event_ids) if drift is not None else set()
        if ids <= seen:
            return seen
        time.sleep(0.02)
    return seen


@pytest.fixture
def running() -> Iterator[list[Any]]:
    """Things to stop at the end of a test, whatever happened."""
    things: list[Any] = []
    yield things
    for thing in reversed(things):
        if isinstance(thing, FakeFalco):
            thing.kill()
        elif isinstance(thing, Collector):
            thing.shutdown()


@pytest.mark.parametrize(
    ("attempt", "low", "high"),
    [
        pytest.param(0, 0.25, 0.5, id="first"),
        pytest.param(3, 2.0, 4.0, id="fourth"),
        pytest.param(6, 15.0, 30.0, id="reaches-cap"),
        pytest.param(20, 15.0, 30.0, id="stays-capped"),
    ],
)
def test_backoff_is_exponential_jittered_and_capped(attempt: int, low: float, high: float) -> None:
    backoff = Backoff(base=0.5, cap=30.0, rng=random.Random(attempt))
    delays = [backoff.next_delay() for _ in range(attempt + 1)]
    assert low <= delays[-1] <= high
    backoff.reset()
    assert backoff.next_delay() <= 0.5


@pytest.mark.parametrize(
    "in_process", [pytest.param(False, id="child-process"), pytest.param(True, id="in-process")]
)
def test_unix_socket_killed_mid_stream_loses_nothing(
    tmp_path: Path,
    state_file: Path,
    running: list[Any],
    caplog: pytest.LogCaptureFixture,
    in_process: bool,
) -> None:
    caplog.set_level(logging.INFO, logger="tfdrift_gitops.falco.grpc_source")
    address = f"unix://{tmp_path}/falco.sock"
    alerts = _alerts(80)
    first = FakeFalco(address, alerts, batch=5, kill_after=30).start()
    running.append(first)
    collector = _collector(state_file, address, in_process=in_process)
    running.append(collector)
    collector.start()
    assert first.kill_point.wait(30), "the collector never subscribed"
    written = first.written_ids()
    assert 30 <= len(written) < len(alerts), "the server must die mid-stream"
    # gRPC may still hold written alerts in its buffers; a crash would lose those (backfill's
    # job, not the stream's), so the server dies once the collector has them all.
    assert _wait_for_ids(collector, set(written)) >= set(written)
    first.kill()
    # Falco comes back and sends what it had not written yet (plus the in-flight one again).
    resume = len(written) - 1
    second = FakeFalco(address, alerts[resume:], batch=5).start()
    running.append(second)
    all_ids = {a.output_fields["ct.id"] for a in alerts}
    seen = _wait_for_ids(collector, all_ids)
    assert seen == all_ids
    drift = _drift(collector)
    assert drift is not None
    assert len(drift.events) == len(alerts)  # the re-sent alert was not folded twice
    assert collector.metrics.reconnects.value("grpc") >= 1
    assert collector.metrics.alerts.value("grpc", "accepted") >= len(alerts)
    assert "connected to Falco 0.41.3" in caplog.text


def _mtls_server_credentials(pki: Pki) -> grpc.ServerCredentials:
    return grpc.ssl_server_credentials(
        [(pki.server.key.read_bytes(), pki.server.cert.read_bytes())],
        root_certificates=pki.ca.read_bytes(),
        require_client_auth=True,
    )


def test_tcp_mutual_tls_survives_a_restart(pki: Pki, state_file: Path, running: list[Any]) -> None:
    alerts = _alerts(60, prefix="tls")
    first = FakeFalco(
        "127.0.0.1:0", alerts, credentials=_mtls_server_credentials(pki), batch=5, kill_after=20
    ).start()
    running.append(first)
    address = f"127.0.0.1:{first.port}"
    tls = ClientTLS(pki.client.cert, pki.client.key, pki.ca, server_name="localhost")
    collector = _collector(state_file, address, tls)
    running.append(collector)
    collector.start()
    assert first.kill_point.wait(30)
    written = first.written_ids()
    # As in the unix socket test: the server dies once the collector has what it wrote.
    assert _wait_for_ids(collector, set(written)) >= set(written)
    first.kill()
    resume = len(written) - 1
    second = FakeFalco(
        address, alerts[resume:], credentials=_mtls_server_credentials(pki), batch=5
    ).start()
    running.append(second)
    all_ids = {a.output_fields["ct.id"] for a in alerts}
    assert _wait_for_ids(collector, all_ids) == all_ids
    assert collector.grpc is not None
    assert collector.grpc.falco_version == "0.41.3"
    assert collector.readiness() == (True, "")


def test_mutual_tls_refuses_a_client_of_another_ca(pki: Pki, running: list[Any]) -> None:
    server = FakeFalco("127.0.0.1:0", _alerts(3), credentials=_mtls_server_credentials(pki)).start()
    running.append(server)
    got: list[Any] = []
    source = GrpcSource(
        f"127.0.0.1:{server.port}",
        got.append,
        tls=ClientTLS(pki.rogue_client.cert, pki.rogue_client.key, pki.ca, "localhost"),
        backoff=Backoff(base=0.05, cap=0.1),
        version_timeout=0.5,
    )
    source.start()
    try:
        assert not source.wait_connected(1.5)
        assert got == []
        assert not server.subscribed.is_set()
    finally:
        source.stop()


def test_network_address_without_tls_is_refused() -> None:
    with pytest.raises(ConfigError, match="mutual TLS"):
        GrpcSource("falco.example:5060", lambda _r: None)


def test_other_sources_and_broken_alerts_are_counted(
    tmp_path: Path, state_file: Path, running: list[Any]
) -> None:
    address = f"unix://{tmp_path}/falco.sock"
    broken = grpc_fields(cloudtrail_record("broken-1"))
    del broken["ct.name"]
    alerts = [
        response({"proc.name": "bash"}, source="syscall", rule="Terminal shell in container"),
        response(broken),
        response(grpc_fields(cloudtrail_record("fine-1"))),
    ]
    server = FakeFalco(address, alerts).start()
    running.append(server)
    collector = _collector(state_file, address)
    running.append(collector)
    collector.start()
    assert _wait_for_ids(collector, {"fine-1"}, timeout=10) == {"fine-1"}
    metrics = collector.metrics
    assert metrics.alerts.value("grpc", "ignored") == 1
    assert metrics.alerts.value("grpc", "invalid") == 1
    assert metrics.alerts.value("grpc", "accepted") == 1


def test_time_of_day_evt_time_falls_back_to_the_alert_time(
    tmp_path: Path, state_file: Path, running: list[Any]
) -> None:
    """gRPC's evt.time is only the time of day: without ct.time the event takes the response's
    own timestamp, never a time of day read as a date."""
    address = f"unix://{tmp_path}/falco.sock"
    record = cloudtrail_record("tod-1", when="2026-11-20T09:15:42Z")
    fields = grpc_fields(record)
    assert fields["evt.time"] == "09:15:42.000000000"
    fields["ct.time"] = "<NA>"
    when = datetime(2026, 11, 20, 9, 15, 42, 123456, tzinfo=UTC)
    server = FakeFalco(address, [response(fields, when=when)]).start()
    running.append(server)
    collector = _collector(state_file, address)
    running.append(collector)
    collector.start()
    assert _wait_for_ids(collector, {"tod-1"}, timeout=10) == {"tod-1"}
    drift = _drift(collector)
    assert drift is not None
    assert drift.event.time == when


def test_a_dead_receiver_process_is_replaced(
    tmp_path: Path, state_file: Path, running: list[Any]
) -> None:
    address = f"unix://{tmp_path}/falco.sock"
    alerts = _alerts(40, prefix="rp")
    server = FakeFalco(address, alerts[:20]).start()
    running.append(server)
    collector = _collector(state_file, address)
    running.append(collector)
    collector.start()
    first_ids = {a.output_fields["ct.id"] for a in alerts[:20]}
    assert _wait_for_ids(collector, first_ids) == first_ids
    source: Any = collector.grpc
    child = source._child
    child.kill()  # the receiver dies, Falco does not
    deadline = time.monotonic() + 30
    while (source._child is child or not source.connected) and time.monotonic() < deadline:
        time.sleep(0.01)
    server.add(alerts[20:])
    all_ids = {a.output_fields["ct.id"] for a in alerts}
    assert _wait_for_ids(collector, all_ids) == all_ids
    assert source._child is not child
    assert collector.metrics.reconnects.value("grpc") >= 1
