"""The steps every ledger operation is made of, over any ``base.Storage``: reading and listing
drift objects, a conditional write of one, the three steps of closing one (see ``service``),
retries with backoff, and what the ledger object knows of the open drifts (``open_keys``).
``lifecycle`` and ``service`` build on them; ``renames`` uses them too.
"""

from __future__ import annotations

import builtins
import contextlib
import logging
import random
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from time import sleep
from typing import TypeVar

from tfdrift_gitops.errors import (
    CorruptRecordError,
    LedgerConflictError,
)
from tfdrift_gitops.ledger import layout
from tfdrift_gitops.ledger.base import (
    CorruptObject,
    Storage,
)
from tfdrift_gitops.ledger.marker import LayoutMarker
from tfdrift_gitops.ledger.open_keys import DEFAULT_MAX_AGE, OpenKeys
from tfdrift_gitops.ledger.stored import Stored, read_drift
from tfdrift_gitops.models import Drift

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


def utc_now() -> datetime:
    return datetime.now(UTC)


class LedgerSteps:
    """What every operation of ``service.StoredLedger`` is made of (see the module doc)."""

    def __init__(
        self,
        storage: Storage,
        *,
        max_attempts: int = 50,
        workers: int = 16,
        backoff: float = 0.005,
        backoff_cap: float = 0.25,
        open_listing_max_age: float = DEFAULT_MAX_AGE,
    ) -> None:
        """``open_listing_max_age``: how long a listing of the open drifts answers "no drift is
        open there" for findings that cannot open one (see ``open_keys``; 0: read each time)."""
        self.storage = storage
        self._max_attempts = max_attempts
        self._workers = workers
        self._backoff = backoff
        self._backoff_cap = backoff_cap
        self._random = random.SystemRandom()
        self._marker = LayoutMarker(storage)
        # Open-object keys this instance has seen exist: folding there reads first instead of
        # trying a create that would fail. Only a hint, so a plain bounded set will do.
        self._seen_open: set[str] = set()
        self._open_keys = OpenKeys(
            lambda: storage.list_keys(layout.OPEN_PREFIX), max_age=open_listing_max_age
        )

    @property
    def location(self) -> str:
        return self.storage.location

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.location!r})"

    # ------------------------------------------------------------------ layout marker

    def initialised(self) -> bool:
        """True once anything was ever written here (the layout marker exists)."""
        return self._marker.initialised()

    def require(self) -> None:
        """Raise LedgerError unless a ledger is here (see ``marker``)."""
        self._marker.require()

    # ------------------------------------------------------------------ group commit

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group commit of the writes made inside, where the storage has it (the local
        directory: see ``local``; an S3 write is durable when it is answered). Everything
        written inside is durable when the block ends; before that a power cut may take back
        some of it, leaving only states a killed writer leaves too (docs/ledger.md)."""
        batch: Callable[[], contextlib.AbstractContextManager[None]] | None
        batch = getattr(self.storage, "batch", None)
        with batch() if batch is not None else contextlib.nullcontext():
            yield

    def _durable(self) -> None:
        """A barrier: every write made so far is durable before the next one (in a batch,
        where a later write must not outlive an earlier one it relies on)."""
        flush: Callable[[], None] | None = getattr(self.storage, "flush", None)
        if flush is not None:
            flush()

    # ------------------------------------------------------------------ writing and closing

    def _note_open(self, key: str) -> None:
        """Before an open object is created at ``key`` (by this object: see ``open_keys``)."""
        self._open_keys.noted(key)
        if len(self._seen_open) > 100_000:
            self._seen_open.clear()
        self._seen_open.add(key)

    def _store(
        self, key: str, drift: Drift, current: Stored | None, now: datetime | None, data: bytes
    ) -> bool:
        if current is None:
            self._note_open(key)
            etag = self.storage.put_if_absent(key, data)
        else:
            etag = self.storage.put_if_match(key, data, current.etag)
        if etag is None:
            return False
        if not drift.status.is_open:
            self._finish_close(Stored(key, drift, etag, data), now)
        return True

    def _finish_close(self, stored: Stored, now: datetime | None) -> None:
        """Steps 2 and 3 of closing (see the module doc). Idempotent; safe to race."""
        # Step 1 is durable before step 2 starts: index entries or an archive copy saying
        # "closed" that outlived a closing the power cut took back would be kept as the
        # archived drift while the open one goes on taking events. (Step 3, a delete, is
        # preceded by a barrier in the storage itself.)
        self._durable()
        drift = stored.drift
        when = now or utc_now()
        claims = [(layout.claim_of(drift.resource.key, e.id), e.id) for e in drift.events]
        self._parallel(lambda item: self._mark(item[0], item[1], drift, when), claims)
        archived = layout.archive_key(drift.id)
        if self.storage.put_if_absent(archived, stored.data) is None:
            log.debug("%s already archived as %s", drift.id, archived)
        if not self.storage.delete_if_match(stored.key, stored.etag):
            log.debug("%s: open object already moved by another writer", drift.id)

    def _mark(self, claim: str, event_id: str, drift: Drift, now: datetime) -> None:
        """``index/<claim>`` -> ``drift``. An existing entry naming anything else is a reference
        that dangles (an event is in one drift only, and it is in this one): replace it.

        The drift's own reference (its first event's claim) is created when it is missing, and
        otherwise left as it is (one request): a writer stopped between a new drift's two
        creates, or a power cut in a local batch, leaves a drift without it, and an archived
        drift without its reference would take its first event again when it is redelivered
        (folded into the resource's next drift, or reopened under the same id)."""
        key = layout.index_key(claim)
        data = layout.encode_index(claim, drift, event_id, now)
        if claim == drift.id:
            self.storage.put_if_absent(key, data)
            return
        for _ in self._retrying():
            if self.storage.put_if_absent(key, data) is not None:
                return
            blob = self.storage.get(key)
            if blob is None:
                continue
            try:
                if layout.decode_index(blob.data, key).drift_id == drift.id:
                    return
            except CorruptRecordError as exc:
                log.warning("%s: replacing a corrupt index entry: %s", self.location, exc)
            if self.storage.put_if_match(key, data, blob.etag) is not None:
                return
        raise self._gave_up(key)

    # ------------------------------------------------------------------ reading

    def _read_drift(self, key: str) -> Stored | None:
        return read_drift(self.storage, key)

    def _scan(
        self, prefix: str
    ) -> tuple[builtins.list[Stored], builtins.list[tuple[str, CorruptObject]]]:
        self._marker.check(writing=False)
        if prefix == layout.OPEN_PREFIX:  # a listing of the open drifts: kept (open_keys)
            keys = self._open_keys.listing()
        else:
            keys = builtins.list(self.storage.list_keys(prefix))
        results = self._parallel(self._read_or_report, keys)
        found = [r for r in results if isinstance(r, Stored)]
        corrupt = [r for r in results if isinstance(r, tuple)]
        for _, problem in corrupt:
            log.warning("corrupt ledger object: %s", problem)
        return found, corrupt

    def _read_or_report(self, key: str) -> Stored | tuple[str, CorruptObject] | None:
        where = self.storage.url_for(key)
        if not key.endswith(".json"):
            return key, CorruptObject(where, "not a ledger object (unexpected name)")
        try:
            return self._read_drift(key)  # None: moved to the archive since the listing
        except CorruptRecordError as exc:
            return key, CorruptObject(where, str(exc))

    # ------------------------------------------------------------------ plumbing

    def _retrying(self) -> Iterator[int]:
        """Attempt numbers with jittered exponential backoff between them."""
        for attempt in range(self._max_attempts):
            if attempt:
                ceiling = min(self._backoff_cap, self._backoff * 2 ** min(attempt, 16))
                sleep(self._random.uniform(0, ceiling))
            yield attempt

    def _gave_up(self, key: str) -> LedgerConflictError:
        return LedgerConflictError(
            f"{self.storage.url_for(key)}: gave up after {self._max_attempts} attempts; "
            f"other writers kept changing it"
        )

    def _parallel(self, fn: Callable[[T], R], items: Sequence[T]) -> builtins.list[R]:
        if len(items) <= 1 or self._workers <= 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self._workers, len(items))) as pool:
            return builtins.list(pool.map(fn, items))
