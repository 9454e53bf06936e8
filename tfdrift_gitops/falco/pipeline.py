"""Intake -> bounded queue -> one worker: engine, ledger (or memory), notifications.

Backpressure: with the default ``block`` policy an intake that finds the queue full waits, which
slows Falco's http_output or the gRPC stream down instead of losing alerts. ``drop-newest``
refuses the alert instead (the HTTP intake answers 503 so a retrying sender can retry) and
counts it. One worker processes alerts in arrival order; folding is per resource, so order
matters and a single writer keeps the ledger's conditional writes uncontended.

A ledger write that fails (S3 unreachable) is retried with backoff, holding the queue: the
ledger is the source of truth, and notifications are only sent for what it recorded. Event ids
already processed are remembered in a bounded set, so a Falco reconnect that re-sends alerts
costs no ledger requests; memory stays flat however long the collector runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tfdrift_gitops.core.detector import QuietEvents
from tfdrift_gitops.core.engine import Engine, Finding, Skip
from tfdrift_gitops.core.fold import Folded, FoldResult, is_quiet
from tfdrift_gitops.errors import CorruptRecordError, LedgerConflictError, TfdriftError
from tfdrift_gitops.falco.metrics import CollectorMetrics
from tfdrift_gitops.models import CloudEvent, Drift

log = logging.getLogger(__name__)

CURSOR_SOURCE = "collector"
NOTIFY_ON = frozenset({FoldResult.OPENED, FoldResult.ESCALATED})
BATCH = 256


_NOT_RECORDED = Folded(FoldResult.NOT_DRIFT, None, None)
"""What ``_record`` returns for a finding the store refused for good (corrupt, contended)."""


class DropPolicy(StrEnum):
    BLOCK = "block"
    DROP_NEWEST = "drop-newest"


class Store(Protocol):
    def record(
        self, engine: Engine, finding: Finding, *, quiet: Sequence[CloudEvent] = ()
    ) -> Folded: ...


class Cursor(Protocol):
    def put_cursor(self, source: str, time: datetime) -> datetime: ...


class Ticket(Protocol):
    """Told when an item has been handled: ``recorded`` is False when its findings did not
    reach the store (SQS mode then leaves the message on the queue)."""

    def settle(self, recorded: bool) -> None: ...


class Notifier(Protocol):
    def submit(self, drift: Drift, result: str, *, received: float | None = None) -> int: ...


@dataclass(frozen=True, slots=True)
class Item:
    event: CloudEvent
    received: float
    """``time.perf_counter()`` when the alert arrived: for the latency histogram."""
    source: str
    """Which intake: grpc, http, backfill, sqs."""
    ticket: Ticket | None = None


class BoundedQueue:
    """A bounded FIFO for one consumer that takes items in batches.

    ``queue.Queue`` wakes a blocked producer on every ``get``: with a full queue that is two
    thread switches per alert, which halves throughput. Here a blocked producer is woken only
    once the queue has drained to half its capacity, and the consumer takes up to a batch of
    items per lock round trip.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self._low_water = self.capacity // 2
        self._items: deque[Item] = deque()
        self._lock = threading.Lock()
        self._not_empty = threading.Condition(self._lock)
        self._not_full = threading.Condition(self._lock)
        self._producers_waiting = 0
        self._consumer_waiting = False

    def qsize(self) -> int:
        return len(self._items)

    def put(self, item: Item, timeout: float | None = None) -> bool:
        """False when the queue stayed full for ``timeout`` seconds (0: do not wait)."""
        with self._lock:
            if len(self._items) >= self.capacity:
                if timeout == 0:
                    return False
                self._producers_waiting += 1
                try:
                    waited = self._not_full.wait_for(
                        lambda: len(self._items) < self.capacity, timeout
                    )
                finally:
                    self._producers_waiting -= 1
                if not waited:
                    return False
            self._items.append(item)
            if self._consumer_waiting:
                self._not_empty.notify()
            return True

    def get_batch(self, limit: int, timeout: float) -> list[Item]:
        """Up to ``limit`` items; an empty list when none arrived within ``timeout``."""
        with self._lock:
            if not self._items:
                self._consumer_waiting = True
                try:
                    self._not_empty.wait(timeout)
                finally:
                    self._consumer_waiting = False
            items = self._items
            batch = [items.popleft() for _ in range(min(limit, len(items)))]
            if self._producers_waiting and len(items) <= self._low_water:
                self._not_full.notify_all()
            return batch


class _RecentIds:
    """The last ``capacity`` event ids, oldest evicted first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        self._ids[event_id] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)

    def __len__(self) -> int:
        return len(self._ids)


class Pipeline:
    def __init__(
        self,
        engine: Callable[[], Engine],
        store: Store,
        metrics: CollectorMetrics,
        *,
        notifier: Notifier | None = None,
        queue_size: int = 10_000,
        drop_policy: DropPolicy = DropPolicy.BLOCK,
        max_events: int | None = None,
        dedupe_size: int = 200_000,
        cursor: Cursor | None = None,
        cursor_interval: float = 10.0,
        retry_base: float = 0.5,
        retry_cap: float = 30.0,
    ) -> None:
        self._engine = engine
        self.store = store
        self.metrics = metrics
        self.notifier = notifier
        self.drop_policy = drop_policy
        self.max_events = max_events
        self.queue = BoundedQueue(queue_size)
        self.done = threading.Event()
        """Set when ``max_events`` alerts have been handled."""
        self._recent = _RecentIds(dedupe_size)
        self._quiet = QuietEvents()
        self._cursor = cursor
        self._cursor_interval = cursor_interval
        self._cursor_time: datetime | None = None
        self._cursor_saved: datetime | None = None
        self._cursor_at = time.monotonic()
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        self._handled = 0
        self._handled_lock = threading.Lock()
        self._closing = threading.Event()
        self._abort = threading.Event()
        self._worker: threading.Thread | None = None
        metrics.queue_depth.bind(lambda: float(self.queue.qsize()))

    # ------------------------------------------------------------------ intake side

    def offer(self, item: Item) -> bool:
        """Queue one event; False when it was refused (drop policy, or shutting down)."""
        if self._closing.is_set():
            self.metrics.alerts.inc(item.source, "dropped")
            return False
        if self.drop_policy is DropPolicy.DROP_NEWEST:
            if self.queue.put(item, timeout=0):
                return True
            self.metrics.alerts.inc(item.source, "dropped")
            self.handled_elsewhere()
            return False
        while not self.queue.put(item, timeout=0.2):
            if self._closing.is_set():
                self.metrics.alerts.inc(item.source, "dropped")
                return False
        return True

    def offer_nowait(self, item: Item) -> bool | None:
        """``offer`` without waiting: None when a full queue would make ``block`` wait (the
        caller then offers from a thread that may wait); event loops call this."""
        if self.drop_policy is DropPolicy.BLOCK and not self._closing.is_set():
            return True if self.queue.put(item, timeout=0) else None
        return self.offer(item)

    def handled_elsewhere(self, count: int = 1) -> None:
        """An alert the intake settled itself (ignored, invalid, dropped): counts toward
        ``max_events``."""
        self._count_handled(count)

    def _count_handled(self, count: int) -> None:
        with self._handled_lock:
            self._handled += count
            handled = self._handled
        if self.max_events is not None and handled >= self.max_events:
            self.done.set()

    @property
    def handled(self) -> int:
        with self._handled_lock:
            return self._handled

    # ------------------------------------------------------------------ worker

    def start(self) -> None:
        self._worker = threading.Thread(target=self._run, name="pipeline", daemon=True)
        self._worker.start()

    def _run(self) -> None:
        while True:
            batch = self.queue.get_batch(BATCH, timeout=0.05)
            if not batch:
                if self._closing.is_set():
                    break
                self._maybe_save_cursor()
                continue
            for item in batch:
                recorded = False
                try:
                    recorded = self.process(item)
                except Exception:  # a bug on one alert must not stop the collector
                    self.metrics.errors.inc("process")
                    log.exception("%s: unexpected error while processing", item.event.origin)
                finally:
                    self._count_handled(1)
                    if item.ticket is not None:
                        item.ticket.settle(recorded)
            self._maybe_save_cursor()
        self._save_cursor()

    def process(self, item: Item) -> bool:
        """True when every finding reached the store (or there was none)."""
        event = item.event
        if event.id in self._recent:
            self.metrics.skips.inc(Skip.DUPLICATE.value)
            return True
        engine = self._engine()
        evaluation = engine.evaluate(event)
        recorded = True
        if evaluation.skipped is not None:
            self.metrics.skips.inc(evaluation.skipped.value)
        else:
            for finding in evaluation.findings:
                folded = self._record(engine, finding)
                if folded is None:
                    return False  # aborted while the store was failing: not marked as seen
                if folded is _NOT_RECORDED:
                    recorded = False
                    continue
                self._after_fold(folded, item)
        if not recorded:
            return False  # not marked as seen: a redelivery tries again
        self._recent.add(event.id)
        self._advance_cursor(event.time)
        self.metrics.latency.observe(time.perf_counter() - item.received)
        return True

    def _record(self, engine: Engine, finding: Finding) -> Folded | None:
        delay = self._retry_base
        key = finding.resource.key
        while True:
            try:
                folded = self.store.record(engine, finding, quiet=self._quiet.get(key))
            except (CorruptRecordError, LedgerConflictError) as exc:
                # This resource's stored drift is unusable or contended: retrying will not
                # help, and the other alerts must go on. The ledger error names the object.
                self.metrics.errors.inc("ledger")
                log.error("%s: not recorded: %s", finding.event.origin or finding.event.id, exc)
                return _NOT_RECORDED
            except TfdriftError as exc:
                self.metrics.errors.inc("ledger")
                if self._abort.is_set():
                    log.error(
                        "%s: not recorded (%s); backfill will find event %s again",
                        finding.event.origin,
                        exc,
                        finding.event.id,
                    )
                    return None
                log.warning("ledger write failed (%s); retrying in %.1fs", exc, delay)
                self._abort.wait(delay)
                delay = min(self._retry_cap, delay * 2)
                continue
            if is_quiet(folded):
                self._quiet.remember(key, finding.event)
            return folded

    def _after_fold(self, folded: Folded, item: Item) -> None:
        drift = folded.drift
        if folded.result is FoldResult.NOT_DRIFT or drift is None:
            if folded.skip is not None:
                self.metrics.skips.inc(folded.skip.value)
            return
        if folded.result is FoldResult.UNCHANGED:
            if folded.skip is not None:
                self.metrics.skips.inc(folded.skip.value)
            return
        self.metrics.drifts.inc(drift.kind.value, drift.severity.value, folded.result.value)
        if folded.result in NOTIFY_ON:
            log.info(
                "drift %s %s: %s %s (%s) by %s",
                drift.id,
                folded.result.value,
                drift.kind.value,
                drift.resource.address or drift.resource.id,
                drift.severity.value,
                drift.actor.name,
            )
            if self.notifier is not None:
                self.notifier.submit(drift, folded.result.value, received=item.received)

    # ------------------------------------------------------------------ cursor

    def _advance_cursor(self, when: datetime) -> None:
        if self._cursor_time is None or when > self._cursor_time:
            self._cursor_time = when

    def _maybe_save_cursor(self) -> None:
        if time.monotonic() - self._cursor_at >= self._cursor_interval:
            self._save_cursor()

    def _save_cursor(self) -> None:
        self._cursor_at = time.monotonic()
        if self._cursor is None or self._cursor_time is None:
            return
        if self._cursor_saved is not None and self._cursor_time <= self._cursor_saved:
            return
        try:
            self._cursor.put_cursor(CURSOR_SOURCE, self._cursor_time)
            self._cursor_saved = self._cursor_time
        except TfdriftError as exc:
            log.warning("cannot save the collector cursor: %s", exc)

    # ------------------------------------------------------------------ shutdown

    def close(self, timeout: float = 30.0) -> bool:
        """Refuse new alerts, process what is queued (up to ``timeout``), stop the worker.
        True when the queue was drained."""
        self._closing.set()
        deadline = time.monotonic() + timeout
        drained = True
        if self._worker is not None:
            self._worker.join(max(0.0, timeout))
            if self._worker.is_alive():
                drained = False
                self._abort.set()
                self._worker.join(max(0.0, deadline - time.monotonic()) + 5.0)
        left = self.queue.qsize()
        if left:
            log.error("stopped with %d alerts unprocessed (backfill will find them)", left)
        return drained and left == 0
