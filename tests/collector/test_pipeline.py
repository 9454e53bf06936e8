"""The pipeline: backpressure, drop policy, dedupe, notifications on open/escalate only, state
reload, ledger failures retried (against a real S3 API)."""

from __future__ import annotations

import gc
import json
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.collector.falco_alerts import SG_ADDRESS, cloudtrail_record, falco_alert
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.core.detector import MemoryStore
from tfdrift_gitops.core.engine import Engine, Finding
from tfdrift_gitops.core.fold import Folded
from tfdrift_gitops.core.normalize import normalize_falco_alert
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.falco.collector import Collector, CollectorOptions
from tfdrift_gitops.falco.metrics import CollectorMetrics
from tfdrift_gitops.falco.pipeline import DropPolicy, Item, Pipeline
from tfdrift_gitops.falco.statewatch import StateWatcher
from tfdrift_gitops.gcpolicy import GC_YOUNG_OBJECTS
from tfdrift_gitops.ledger import open_ledger
from tfdrift_gitops.models import CloudEvent, Drift


def _event(event_id: str, **kwargs: Any) -> CloudEvent:
    return normalize_falco_alert(falco_alert(cloudtrail_record(event_id, **kwargs)), "test")


def _engine(state_file: Path) -> Engine:
    return Engine(StateSource([str(state_file)]).index())


def _item(event_id: str, **kwargs: Any) -> Item:
    return Item(_event(event_id, **kwargs), time.perf_counter(), "test")


class GatedStore:
    """A real in-memory store behind a gate the test opens: a slow ledger, on demand."""

    def __init__(self) -> None:
        self.inner = MemoryStore()
        self.gate = threading.Event()

    def record(
        self, engine: Engine, finding: Finding, *, quiet: Sequence[CloudEvent] = ()
    ) -> Folded:
        self.gate.wait(10)
        return self.inner.record(engine, finding, quiet=quiet)


class Notes:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def submit(self, drift: Drift, result: str, *, received: float | None = None) -> int:
        self.sent.append((drift.id, result))
        return 1


def _wait(predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_full_queue_blocks_the_intake_and_loses_nothing(state_file: Path) -> None:
    engine = _engine(state_file)
    store = GatedStore()
    metrics = CollectorMetrics()
    pipeline = Pipeline(lambda: engine, store, metrics, queue_size=2)
    pipeline.start()
    items = [_item(f"bp-{n}", cidr=f"10.0.{n}.0/24") for n in range(5)]
    offered: list[bool] = []

    def produce() -> None:
        for item in items:
            offered.append(pipeline.offer(item))

    producer = threading.Thread(target=produce)
    producer.start()
    # The worker holds its first batch (one or two items) at the gate and the queue fills up:
    # at most four of the five items are placed, so the producer cannot have finished.
    assert _wait(lambda: pipeline.queue.qsize() == 2)
    assert producer.is_alive(), "the producer must be held back by the full queue"
    assert len(offered) <= 4
    store.gate.set()
    producer.join(5)
    assert offered == [True] * 5
    assert _wait(lambda: pipeline.handled == 5)
    drift = next(iter(store.inner.open.values()))
    assert len(drift.events) == 5
    assert metrics.alerts.value("test", "dropped") == 0
    assert pipeline.close(5)


def test_drop_newest_refuses_and_counts(state_file: Path) -> None:
    engine = _engine(state_file)
    store = GatedStore()
    metrics = CollectorMetrics()
    pipeline = Pipeline(
        lambda: engine, store, metrics, queue_size=1, drop_policy=DropPolicy.DROP_NEWEST
    )
    pipeline.start()
    assert pipeline.offer(_item("d-1"))
    assert _wait(lambda: pipeline.queue.qsize() == 0)  # the worker holds d-1 at the gate
    assert pipeline.offer(_item("d-2"))
    assert not pipeline.offer(_item("d-3"))
    assert metrics.alerts.value("test", "dropped") == 1
    store.gate.set()
    assert pipeline.close(5)


def test_drop_newest_answers_503_over_http(state_file: Path) -> None:
    options = CollectorOptions(
        states=(str(state_file),),
        listen="127.0.0.1:0",
        state_refresh=0,
        queue_size=1,
        drop_policy=DropPolicy.DROP_NEWEST,
    )
    collector = Collector(options, channels=[])
    collector.start()
    assert collector.pipeline is not None
    gate = GatedStore()
    collector.pipeline.store = gate
    try:
        url = f"http://127.0.0.1:{collector.http.port}/falco"  # type: ignore[union-attr]
        statuses = [
            httpx.post(url, json=falco_alert(cloudtrail_record(f"h-{n}"))).status_code
            for n in range(4)
        ]
        assert 503 in statuses
        assert statuses[0] == 200
        assert collector.metrics.alerts.value("http", "dropped") >= 1
    finally:
        gate.gate.set()
        collector.shutdown()


def test_notifies_on_open_and_escalation_only(state_file: Path) -> None:
    engine = _engine(state_file)
    notes = Notes()
    metrics = CollectorMetrics()
    pipeline = Pipeline(lambda: engine, MemoryStore(), metrics, notifier=notes)
    pipeline.start()
    steps = [("203.0.113.0/24", 22), ("198.51.100.0/24", 443), ("0.0.0.0/0", 3389)]
    for n, (cidr, port) in enumerate(steps):
        pipeline.offer(_item(f"n-{n}", cidr=cidr, port=port, when=f"2026-11-20T09:1{n}:00Z"))
    pipeline.offer(_item("n-0"))  # a redelivery
    assert _wait(lambda: pipeline.handled == 4)
    assert [result for _, result in notes.sent] == ["opened", "escalated"]
    assert metrics.drifts.value("modified", "medium", "opened") == 1
    assert metrics.drifts.value("modified", "medium", "updated") == 1
    assert metrics.drifts.value("modified", "critical", "escalated") == 1
    assert metrics.skips.value("duplicate_event") == 1
    assert pipeline.close(5)


def test_max_events_counts_every_alert(state_file: Path) -> None:
    engine = _engine(state_file)
    pipeline = Pipeline(lambda: engine, MemoryStore(), CollectorMetrics(), max_events=3)
    pipeline.start()
    pipeline.offer(_item("m-1"))
    pipeline.handled_elsewhere()  # an ignored alert settled by the intake
    assert not pipeline.done.wait(0.2)
    pipeline.offer(_item("m-2", error="AccessDenied"))
    assert pipeline.done.wait(5)
    assert pipeline.close(5)


def test_memory_of_seen_ids_is_bounded(state_file: Path) -> None:
    engine = _engine(state_file)
    metrics = CollectorMetrics()
    pipeline = Pipeline(lambda: engine, MemoryStore(), metrics, dedupe_size=10)
    pipeline.start()
    for n in range(50):
        pipeline.offer(_item(f"r-{n}", error="AccessDenied"))
    assert _wait(lambda: pipeline.handled == 50)
    assert len(pipeline._recent) == 10
    assert pipeline.close(5)


def _rewrite_state(path: Path, drop_type: str) -> None:
    doc = json.loads(path.read_text())
    doc["resources"] = [r for r in doc["resources"] if r["type"] != drop_type]
    doc["serial"] += 1
    path.write_text(json.dumps(doc))


def test_state_is_reloaded_and_swapped(state_file: Path) -> None:
    reloads: list[str] = []
    watcher = StateWatcher(StateSource([str(state_file)]), Engine, on_reload=reloads.append)
    first = watcher.load()
    assert watcher.check() is False  # unchanged: no reload
    event = _event("s-1")
    assert [f.resource.address for f in first.evaluate(event).findings] == [SG_ADDRESS]
    _rewrite_state(state_file, "aws_security_group")
    assert watcher.check() is True
    second = watcher.engine
    assert second is not first
    # the group left the state: the call no longer lands on a managed resource
    assert [f.resource.address for f in second.evaluate(event).findings] == [""]
    state_file.write_text("{ not json")
    assert watcher.check() is False
    assert watcher.engine is second  # a broken state keeps the previous one serving
    assert reloads == ["loaded", "reloaded", "failed"]


def test_state_refresh_thread(state_file: Path) -> None:
    watcher = StateWatcher(StateSource([str(state_file)]), Engine, refresh=0.05)
    watcher.load()
    watcher.start()
    try:
        _rewrite_state(state_file, "aws_security_group")
        assert _wait(lambda: watcher.generation == 2)
        index: StateIndex = watcher.engine.index
        assert all(r.type != "aws_security_group" for r in index)
    finally:
        watcher.stop()


def _scanned(obj: object) -> bool:
    """Is ``obj`` in a generation the cyclic GC scans (not frozen)?"""
    return any(found is obj for found in gc.get_objects())


def test_state_reload_thaws_collects_and_freezes_the_new_index(state_file: Path) -> None:
    """collect freezes the index; a reload frees the old one (a cycle through it too: frozen
    and never thawed, it would live for ever) and freezes the new one, which detects."""
    original = state_file.read_text()
    _rewrite_state(state_file, "aws_security_group")
    saved = gc.get_threshold()
    options = CollectorOptions(
        states=(str(state_file),), listen="127.0.0.1:0", state_refresh=0, settle_gc=True
    )
    collector = Collector(options, channels=[])
    try:
        collector.start()
        assert gc.get_threshold()[0] == GC_YOUNG_OBJECTS
        old = collector.state.engine
        assert not _scanned(old.index)
        vars(old)["cycle"] = [old]  # only the cyclic GC can free it now
        gone = weakref.ref(old)
        del old
        state_file.write_text(original)  # the group is back in state
        assert collector.state.check()
        assert collector.pipeline is not None
        assert collector.pipeline.offer(_item("r-1"))
        assert _wait(lambda: collector.pipeline is not None and collector.pipeline.handled == 1)
        assert gone() is None
        assert not _scanned(collector.state.engine.index)
        store = collector.store
        assert isinstance(store, MemoryStore)
        assert [d.resource.address for d in store.open.values()] == [SG_ADDRESS]
    finally:
        collector.shutdown()
        gc.unfreeze()
        gc.set_threshold(*saved)


def test_ledger_outage_is_retried_not_lost(
    state_file: Path, moto_endpoint: str, s3_client: Any
) -> None:
    bucket = f"late-ledger-{time.time_ns()}"
    ledger = open_ledger(f"s3://{bucket}/drift", s3_client=s3_client)
    engine = _engine(state_file)
    metrics = CollectorMetrics()
    pipeline = Pipeline(lambda: engine, ledger, metrics, retry_base=0.05, retry_cap=0.1)
    pipeline.start()
    pipeline.offer(_item("outage-1"))
    assert _wait(lambda: metrics.errors.value("ledger") >= 2)  # the bucket does not exist yet
    assert pipeline.handled == 0
    s3_client.create_bucket(Bucket=bucket)
    assert _wait(lambda: pipeline.handled == 1)
    drifts = ledger.list_open().drifts
    assert [d.resource.address for d in drifts] == [SG_ADDRESS]
    assert drifts[0].event.id == "outage-1"
    assert pipeline.close(5)


def test_shutdown_gives_up_on_a_dead_ledger_without_hanging(
    state_file: Path, s3_client: Any
) -> None:
    ledger = open_ledger(f"s3://never-{time.time_ns()}/x", s3_client=s3_client)
    engine = _engine(state_file)
    pipeline = Pipeline(lambda: engine, ledger, CollectorMetrics(), retry_base=0.05)
    pipeline.start()
    pipeline.offer(_item("dead-1"))
    started = time.monotonic()
    assert pipeline.close(0.3) is False
    assert time.monotonic() - started < 5


def test_new_state_resolves_open_drifts_in_the_ledger(state_file: Path, tmp_path: Path) -> None:
    ledger_dir = tmp_path / "ledger"
    options = CollectorOptions(
        states=(str(state_file),), ledger=str(ledger_dir), listen="127.0.0.1:0", state_refresh=0.05
    )
    collector = Collector(options, channels=[])
    collector.start()
    try:
        # Falco's alerts may be spread over replicas: no listing of open drifts is trusted.
        assert collector.ledger.open_listing_max_age == 0
        url = f"http://127.0.0.1:{collector.http.port}/falco"  # type: ignore[union-attr]
        assert httpx.post(url, json=falco_alert(cloudtrail_record("r-1"))).status_code == 200
        ledger = open_ledger(str(ledger_dir))
        assert _wait(lambda: len(ledger.list_open().drifts) == 1)
        _rewrite_state(state_file, "aws_security_group")  # the group left Terraform's state
        assert _wait(lambda: ledger.list_open().drifts == ())
        assert _wait(lambda: collector.metrics.state_reloads.value("reloaded") >= 1)
    finally:
        collector.shutdown()


@pytest.mark.parametrize(
    ("chosen", "trusted"),
    [
        pytest.param(None, 0.0, id="falco-default-reads"),
        pytest.param(45.0, 45.0, id="one-collector-alone"),
    ],
)
def test_the_ledger_listing_age_of_a_collector_fed_by_falco(
    state_file: Path, tmp_path: Path, chosen: float | None, trusted: float
) -> None:
    """Fed by Falco, a collector trusts no listing of the open drifts unless told that it
    writes the ledger alone (``collect --ledger-listing-seconds``)."""
    options = CollectorOptions(
        states=(str(state_file),),
        ledger=str(tmp_path / "ledger"),
        listen="127.0.0.1:0",
        state_refresh=0,
        ledger_listing_seconds=chosen,
    )
    collector = Collector(options, channels=[])
    collector.start()
    try:
        assert collector.ledger.open_listing_max_age == trusted
    finally:
        collector.shutdown()


def test_s3_state_is_reloaded_when_its_etag_changes(
    state_file: Path, s3_client: Any, s3_bucket: str
) -> None:
    s3_client.put_object(
        Bucket=s3_bucket, Key="prod/terraform.tfstate", Body=state_file.read_bytes()
    )
    source = StateSource(
        [f"s3://{s3_bucket}/prod/terraform.tfstate"], s3_client_factory=lambda: s3_client
    )
    watcher = StateWatcher(source, Engine, refresh=0.05)
    watcher.load()
    watcher.start()
    try:
        assert watcher.check() is False
        _rewrite_state(state_file, "aws_security_group")
        s3_client.put_object(
            Bucket=s3_bucket, Key="prod/terraform.tfstate", Body=state_file.read_bytes()
        )
        assert _wait(lambda: watcher.generation == 2)
        assert all(r.type != "aws_security_group" for r in watcher.engine.index)
    finally:
        watcher.stop()


class CorruptStore:
    """A store whose stored drift for one resource cannot be decoded."""

    def __init__(self) -> None:
        self.inner = MemoryStore()
        self.calls = 0

    def record(
        self, engine: Engine, finding: Finding, *, quiet: Sequence[CloudEvent] = ()
    ) -> Folded:
        from tfdrift_gitops.errors import CorruptRecordError

        self.calls += 1
        raise CorruptRecordError("s3://ledger/open/ab.json: not a valid drift record")


def test_a_corrupt_stored_drift_is_counted_not_retried_forever(state_file: Path) -> None:
    """The collector logs the unusable object and goes on with the next alert."""
    store = CorruptStore()
    engine = _engine(state_file)
    pipeline = Pipeline(lambda: engine, store, CollectorMetrics(), retry_base=5, retry_cap=5)
    pipeline.process(_item("corrupt-1"))
    pipeline.process(_item("corrupt-2"))
    assert store.calls == 2  # one attempt per alert: no retry loop on an unusable object
