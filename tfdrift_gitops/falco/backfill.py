"""Backfill: CloudTrail log files read from the ledger's cursor onward.

Falco's CloudTrail plugin does not replay what happened while Falco or the collector was down.
At start, and whenever the gRPC stream reconnects, the collector reads the trail's own log files
(``--backfill s3://bucket/AWSLogs/...`` or a local directory) from ``cursor - lookback`` on and
feeds them through the same pipeline. CloudTrail delivers files minutes late and out of order,
hence the lookback; replays are harmless because the ledger is idempotent by event id (and the
pipeline skips ids it has just seen).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from tfdrift_gitops.adapters.events import iter_events
from tfdrift_gitops.errors import RecordError, TfdriftError
from tfdrift_gitops.falco.metrics import CollectorMetrics
from tfdrift_gitops.falco.pipeline import CURSOR_SOURCE, Item, Pipeline
from tfdrift_gitops.models import CloudEvent

log = logging.getLogger(__name__)

INTAKE = "backfill"
DEFAULT_LOOKBACK = timedelta(hours=1)


class CursorSource(Protocol):
    def get_cursor(self, source: str) -> datetime | None: ...


Reader = Callable[..., Iterator[CloudEvent | RecordError]]


class Backfill:
    """Runs backfills on a thread; a request made while one runs queues exactly one more."""

    def __init__(
        self,
        spec: str,
        pipeline: Pipeline,
        metrics: CollectorMetrics,
        *,
        cursor: CursorSource | None,
        lookback: timedelta = DEFAULT_LOOKBACK,
        s3_client_factory: Callable[[], Any] | None = None,
        reader: Reader = iter_events,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.spec = spec
        self.pipeline = pipeline
        self.metrics = metrics
        self.cursor = cursor
        self.lookback = lookback
        self._factory = s3_client_factory
        self._reader = reader
        self._clock = clock
        self._wanted = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self.runs = 0
        self.last_since: datetime | None = None

    def since(self) -> datetime:
        saved = None
        if self.cursor is not None:
            try:
                saved = self.cursor.get_cursor(CURSOR_SOURCE)
            except TfdriftError as exc:
                log.warning(
                    "cannot read the collector cursor (%s); backfilling %s", exc, self.lookback
                )
        start = saved if saved is not None else self._clock()
        return start - self.lookback

    def run_once(self) -> int:
        """Read everything from ``since()`` on into the pipeline; returns events queued."""
        since = self.since()
        self.last_since = since
        queued = 0
        started = time.monotonic()
        log.info("backfill from %s since %s", self.spec, since.isoformat())
        try:
            items = self._reader(self.spec, s3_client_factory=self._factory, since=since)
            for item in items:
                if self._stop.is_set():
                    break
                if isinstance(item, RecordError):
                    self.metrics.alerts.inc(INTAKE, "invalid")
                    log.warning("backfill: %s", item)
                    continue
                if self.pipeline.offer(Item(item, time.perf_counter(), INTAKE)):
                    self.metrics.alerts.inc(INTAKE, "accepted")
                    queued += 1
        except TfdriftError as exc:
            self.metrics.errors.inc("backfill")
            log.error("backfill from %s failed: %s", self.spec, exc)
        self.runs += 1
        log.info("backfill queued %d events in %.1fs", queued, time.monotonic() - started)
        return queued

    # ------------------------------------------------------------------ background

    def request(self) -> None:
        """Ask for a backfill (at start, after a reconnect)."""
        self._idle.clear()
        self._wanted.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="backfill", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._wanted.wait(0.2):
                continue
            self._wanted.clear()
            try:
                self.run_once()
            except Exception:
                self.metrics.errors.inc("backfill")
                log.exception("backfill from %s failed", self.spec)
            if not self._wanted.is_set():
                self._idle.set()

    def wait_idle(self, timeout: float) -> bool:
        return self._idle.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
