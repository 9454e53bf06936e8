"""The ledger's behaviour over any :class:`~tfdrift_gitops.ledger.base.Storage`.

Every change is read -> pure core function (``fold``, ``reassess``, ``transition``) ->
conditional write of the one object that holds the drift. A lost race (412) re-reads and
recomputes, a bounded number of times. Closing a drift is three steps, each idempotent, so a
writer killed between any two leaves a state every reader understands and the next writer (or
``compact``) finishes:

1. the open object is rewritten with the closed status (If-Match) - from here on the drift is
   closed for every reader, and no writer updates a closed open object;
2. the index entries of its events and the archive object are created (If-None-Match);
3. the open object is deleted (If-Match on the ETag written in step 1).
"""

from __future__ import annotations

import builtins
import logging
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from time import sleep
from typing import Any, TypeVar

from tfdrift_gitops.core.engine import Engine, Finding, Skip
from tfdrift_gitops.core.fold import Folded, FoldResult, fold, reassess
from tfdrift_gitops.core.fold import transition as core_transition
from tfdrift_gitops.errors import (
    CorruptRecordError,
    LedgerConflictError,
    LedgerError,
    NotFoundError,
    OversizeRecordError,
)
from tfdrift_gitops.ledger import base, layout
from tfdrift_gitops.ledger.base import (
    Compacted,
    CorruptObject,
    Listing,
    Reassessed,
    Storage,
)
from tfdrift_gitops.ledger.marker import LayoutMarker
from tfdrift_gitops.ledger.open_keys import DEFAULT_MAX_AGE, OpenKeys
from tfdrift_gitops.ledger.renames import Renames
from tfdrift_gitops.ledger.stored import Stored, read_drift
from tfdrift_gitops.models import CloudEvent, Drift, Kind, Status

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

OPEN_STATUSES = frozenset(s for s in Status if s.is_open)
ALL_STATUSES = frozenset(Status)


def _now() -> datetime:
    return datetime.now(UTC)


def _order(drift: Drift) -> tuple[datetime, str]:
    return (drift.events[0].time, drift.id)


def _statuses(status: Status | Iterable[Status] | None) -> frozenset[Status]:
    if status is None:
        return ALL_STATUSES
    if isinstance(status, Status):
        return frozenset([status])
    return frozenset(status)


class StoredLedger:
    """The one implementation of the ``Ledger`` port; adapters differ only in storage.

    Thread-safe: one instance may be shared by the threads of a collector.
    """

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
        self._renames = Renames(self, self._marker)

    @property
    def location(self) -> str:
        return self.storage.location

    def __repr__(self) -> str:
        return f"StoredLedger({self.location!r})"

    # ------------------------------------------------------------------ layout marker

    def initialised(self) -> bool:
        """True once anything was ever written here (the layout marker exists)."""
        return self._marker.initialised()

    def require(self) -> None:
        """Raise LedgerError unless a ledger is here (see ``marker``)."""
        self._marker.require()

    # ------------------------------------------------------------------ folding

    @property
    def open_listing_max_age(self) -> float:
        """Seconds a listing of the open drifts is trusted (``open_keys``; 0: never)."""
        return self._open_keys.max_age

    def refresh_open_listing(self) -> None:
        """List the open drifts now (see ``open_keys``): what other writers opened until now
        is seen by the findings that follow. Raises LedgerError when the listing fails (the
        next such finding then lists, or reads)."""
        self._open_keys.listing(lambda: self.storage.list_keys(layout.OPEN_PREFIX))

    def record(
        self,
        engine: Engine,
        finding: Finding,
        *,
        now: datetime | None = None,
        quiet: Sequence[CloudEvent] = (),
    ) -> Folded:
        """Fold one finding into the stored open drift of its resource.

        Returns what ``core.fold.fold`` decided, after it was stored. A redelivered event whose
        drift is already archived gives ``Folded(UNCHANGED, None, Skip.DUPLICATE)``. Raises
        ``CorruptRecordError`` when the resource's open object cannot be decoded (naming it)
        and ``LedgerConflictError`` when other writers win every attempt.
        """
        self._marker.check(writing=True)
        rk = layout.resource_hash(finding.resource.key)
        key = layout.open_key(rk)
        claim = layout.claim_of(finding.resource.key, finding.event.id)
        moved = self._renames.record(engine, finding, claim, now, quiet)
        if moved is not None:
            return moved
        asked: list[bool] = []  # Renames.closed_under_older_name, asked once at most

        def closed_before() -> bool:
            if not asked:
                asked.append(self._renames.closed_under_older_name(engine, finding))
            return asked[0]

        if key not in self._seen_open:
            fresh = fold(engine, None, finding, now=now, quiet=quiet)
            if fresh.result is FoldResult.OPENED and fresh.drift is not None:
                created = self._create(fresh, finding, key, claim, now, closed_before)
                if created is not None:
                    return created
            elif (fresh.drift is None or fresh.result is FoldResult.NOT_DRIFT) and (
                self._open_keys.absent(key)
            ):
                return fresh  # what reading nothing there and folding gives (see the loop)
        claimed = False  # this call wrote index/<claim>: finding it later is not a redelivery
        for _ in self._retrying():
            current = self._read_drift(key)
            if current is not None and not current.drift.status.is_open:
                self._finish_close(current, now)  # an interrupted close: finish it first
                continue
            existing = current.drift if current else None
            folded = fold(engine, existing, finding, now=now, quiet=quiet)
            drift = folded.drift
            if drift is None or folded.result is FoldResult.NOT_DRIFT or drift is existing:
                # An unchanged fold that hands back a new drift (a no-op call now replayed
                # with it, see core.fold) is still written.
                return folded
            if closed_before():
                return _duplicate(finding)
            # Encoded before anything is written: a drift that cannot be stored leaves no
            # index entry behind it.
            data = layout.encode_drift(drift)
            _check_size(drift, data, len(current.data) if current else 0, self.storage.url_for(key))
            if current is None:
                # Opening: the new drift's reference doubles as this event's claim, so a
                # redelivery of an event whose drift was archived costs no extra request.
                if not claimed:
                    entry = layout.encode_index(claim, drift, finding.event.id, now or _now())
                    taken = self.storage.put_if_absent(layout.index_key(claim), entry) is None
                    if taken and self._recorded(claim):
                        return _duplicate(finding)
                    claimed = True
                if self._store(key, drift, None, now, data):
                    return folded
            elif not claimed and self._recorded(claim):
                return _duplicate(finding)
            elif self._store(key, drift, current, now, data):
                return folded
        raise self._gave_up(key)

    def _create(
        self,
        folded: Folded,
        finding: Finding,
        key: str,
        claim: str,
        now: datetime | None,
        closed_before: Callable[[], bool],
    ) -> Folded | None:
        """Open a drift in two requests: create the open object (``If-None-Match``: an open
        drift already there is the collision, and the caller reads and folds into it), then its
        reference ``index/<claim>`` (``If-None-Match``). None sends the caller the long way.

        The reference follows the create, not the other way round: a drift is archived only
        after its index entries exist and before its open object is deleted, so a create that
        succeeds finds every entry of any drift archived before it. An entry already there
        names a closed drift holding this event (a redelivery): the object just made is taken
        back. A reference already there whose drift was never archived is a writer's that
        stopped between the two steps (older versions wrote the reference first): it names
        this very drift, so it stands.
        """
        drift = folded.drift
        if drift is None or folded.result is not FoldResult.OPENED:
            return None
        if closed_before():
            return _duplicate(finding)
        data = layout.encode_drift(drift)
        entry = layout.encode_index(claim, drift, finding.event.id, now or _now())
        self._note_open(key)
        etag = self.storage.put_if_absent(key, data)
        if etag is None:
            return None
        if self.storage.put_if_absent(layout.index_key(claim), entry) is None and (
            self._archived_event(claim)
        ):
            if not self.storage.delete_if_match(key, etag):
                log.warning("%s: could not take back a redelivery", self.storage.url_for(key))
            return _duplicate(finding)
        return folded

    def _archived_event(self, claim: str) -> bool:
        """Does ``index/<claim>`` (which exists) say its event is in a closed drift?"""
        key = layout.index_key(claim)
        blob = self.storage.get(key)
        if blob is None:
            return False
        if not layout.decode_index(blob.data, self.storage.url_for(key)).is_reference:
            return True
        return self.storage.get(layout.archive_key(claim)) is not None

    def _note_open(self, key: str) -> None:
        """Before an open object is created at ``key`` (by this object: see ``open_keys``)."""
        self._open_keys.noted(key)
        if len(self._seen_open) > 100_000:
            self._seen_open.clear()
        self._seen_open.add(key)

    def _recorded(self, claim: str) -> bool:
        """Is the event of ``index/<claim>`` already in a stored drift?

        An entry naming another drift is a closed drift's event: yes. An entry naming its own
        claim is a drift's reference; it may dangle (its writer lost the race to open the drift
        or stopped before the open write), so the drift itself is looked for.
        """
        key = layout.index_key(claim)
        blob = self.storage.get(key)
        if blob is None:
            return False
        entry = layout.decode_index(blob.data, self.storage.url_for(key))
        if not entry.is_reference:
            return True
        current = self._read_drift(layout.open_key(entry.rk))
        if current is not None and current.drift.id == claim:
            return True
        return self.storage.get(layout.archive_key(claim)) is not None

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
        drift = stored.drift
        when = now or _now()
        claims = [
            (layout.claim_of(drift.resource.key, e.id), e.id)
            for e in drift.events
            if layout.claim_of(drift.resource.key, e.id) != drift.id  # the reference exists
        ]
        self._parallel(lambda item: self._mark(item[0], item[1], drift, when), claims)
        archived = layout.archive_key(drift.id)
        if self.storage.put_if_absent(archived, stored.data) is None:
            log.debug("%s already archived as %s", drift.id, archived)
        if not self.storage.delete_if_match(stored.key, stored.etag):
            log.debug("%s: open object already moved by another writer", drift.id)

    def _mark(self, claim: str, event_id: str, drift: Drift, now: datetime) -> None:
        """``index/<claim>`` -> ``drift``. An existing entry naming anything else is a reference
        that dangles (an event is in one drift only, and it is in this one): replace it."""
        key = layout.index_key(claim)
        data = layout.encode_index(claim, drift, event_id, now)
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

    def reassess_open(self, engine: Engine, *, now: datetime | None = None) -> Reassessed:
        """Check every open drift against the engine's (newer) state: imported, removed or
        matching state resolves it. Drifts on states the engine did not load are left alone;
        one stored under an older name of a loaded state is judged as that state's."""
        self._marker.check(writing=True)
        loaded = {(s.source, s.workspace) for s in engine.index.states}
        found, corrupt = self._scan(layout.OPEN_PREFIX)
        renamed_to = self._renames.scan(engine, found)
        changed: list[Folded] = []
        unchanged = other = 0
        unmanaged: list[str] = []
        for stored in found:
            resource = stored.drift.resource
            if not stored.drift.status.is_open:
                self._finish_close(stored, now)
                continue
            still_open = True
            renamed = renamed_to.get(stored.key)
            if renamed is not None:
                folded = self._renames.reassess(engine, stored, renamed, now)
                if folded is None:
                    unchanged += 1
                else:
                    changed.append(folded)
                    still_open = folded.drift is not None and folded.drift.status.is_open
            elif resource.address and (resource.state, resource.workspace) not in loaded:
                other += 1
            elif (folded := self._reassess_one(engine, stored, now)) is not None:
                changed.append(folded)
                still_open = folded.drift is not None and folded.drift.status.is_open
            else:
                unchanged += 1
            if still_open and stored.drift.kind is Kind.UNMANAGED:
                unmanaged.append(resource.id)
        return Reassessed(
            tuple(changed), unchanged, other, tuple(c for _, c in corrupt), tuple(unmanaged)
        )

    def _reassess_one(self, engine: Engine, stored: Stored, now: datetime | None) -> Folded | None:
        drift_id = stored.drift.id
        current: Stored | None = stored
        for _ in self._retrying():
            if current is None or current.drift.id != drift_id:
                return None  # closed and archived by someone else meanwhile
            if not current.drift.status.is_open:
                self._finish_close(current, now)
                return None
            folded = reassess(engine, current.drift, now=now)
            if folded.result is FoldResult.UNCHANGED or folded.drift is None:
                return None
            data = layout.encode_drift(folded.drift)
            if self._store(current.key, folded.drift, current, now, data):
                return folded
            current = self._read_drift(current.key)
        raise self._gave_up(stored.key)

    # ------------------------------------------------------------------ lifecycle

    def transition(
        self,
        drift_id: str,
        status: Status,
        *,
        by: str,
        reason: str = "",
        evidence: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Drift:
        """A lifecycle step from outside (a person, GitHub reconcile). Closed drifts are
        final: moving one raises LedgerError."""

        def change(drift: Drift) -> Drift:
            _require_open(drift, status.value)
            return core_transition(
                drift, status, by=by, reason=reason, evidence=dict(evidence or {}), now=now
            )

        return self._update(drift_id, change, now)

    def ack(
        self, drift_id: str, *, by: str, reason: str = "", now: datetime | None = None
    ) -> Drift:
        """A person has seen the drift: a history entry, the status stays what it is."""

        def change(drift: Drift) -> Drift:
            _require_open(drift, "acknowledged")
            return core_transition(
                drift, drift.status, by=by, reason=reason, evidence={"acknowledged": True}, now=now
            )

        return self._update(drift_id, change, now)

    def set_github(
        self,
        drift_id: str,
        *,
        issue_number: int | None = None,
        pr_number: int | None = None,
        status: Status | None = None,
        by: str = "github",
        reason: str = "",
        evidence: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Drift:
        """Record the issue / PR opened for a drift (allowed on archived drifts too, so the
        reconciler can note what it closed), optionally with a status step."""

        def change(drift: Drift) -> Drift:
            new = replace(
                drift,
                issue_number=drift.issue_number if issue_number is None else issue_number,
                pr_number=drift.pr_number if pr_number is None else pr_number,
            )
            if status is not None and status is not drift.status:
                _require_open(drift, status.value)
                new = core_transition(
                    new, status, by=by, reason=reason, evidence=dict(evidence or {}), now=now
                )
            return new

        return self._update(drift_id, change, now)

    def _update(
        self, drift_id: str, change: Callable[[Drift], Drift], now: datetime | None
    ) -> Drift:
        self._marker.check(writing=True)
        for _ in self._retrying():
            stored = self._locate(drift_id)
            in_open = stored.key.startswith(layout.OPEN_PREFIX)
            if in_open and not stored.drift.status.is_open:
                self._finish_close(stored, now)
                continue
            new = change(stored.drift)
            if new == stored.drift:
                return new
            if in_open:
                if self._store(stored.key, new, stored, now, layout.encode_drift(new)):
                    return new
            elif self.storage.put_if_match(stored.key, layout.encode_drift(new), stored.etag):
                return new
        raise self._gave_up(layout.index_key(drift_id))

    # ------------------------------------------------------------------ reading

    def get(self, drift_id: str) -> Drift:
        return self._locate(drift_id).drift

    def _locate(self, drift_id: str) -> Stored:
        if not layout.DRIFT_ID.fullmatch(drift_id):
            raise NotFoundError(f"{drift_id!r} is not a drift id (d- and 16 hex digits)")
        self._marker.check(writing=False)
        key = layout.index_key(drift_id)
        blob = self.storage.get(key)
        if blob is None:
            raise NotFoundError(f"no drift {drift_id} in {self.location}")
        entry = layout.decode_index(blob.data, self.storage.url_for(key))
        if not entry.is_reference:
            raise NotFoundError(f"no drift {drift_id} in {self.location}")
        # Open first, archive second: a close writes the archive before it removes the open
        # object, so a drift moving between the two reads is still found.
        current = self._read_drift(layout.open_key(entry.rk))
        if current is not None and current.drift.id == drift_id:
            return current
        archived = self._read_drift(layout.archive_key(drift_id))
        if archived is not None and archived.drift.id == drift_id:
            return archived
        raise NotFoundError(
            f"no drift {drift_id} in {self.location} (its reference exists but the drift was "
            f"never stored: a writer lost a race or stopped before its first write)"
        )

    def list_open(self) -> Listing:
        return self.list(OPEN_STATUSES)

    def list(self, status: Status | Iterable[Status] | None = None) -> Listing:
        """Drifts with the given status(es), all when None, oldest first. Open statuses read
        only ``open/``; closed ones also read the archive. Corrupt objects are returned in
        ``corrupt``, never dropped."""
        wanted = _statuses(status)
        found, corrupt = self._scan(layout.OPEN_PREFIX)
        by_id: dict[str, Drift] = {}
        pending = 0
        for stored in found:
            pending += not stored.drift.status.is_open
            by_id[stored.drift.id] = stored.drift
        if wanted - OPEN_STATUSES:
            archived, bad = self._scan(layout.ARCHIVE_PREFIX)
            corrupt += bad
            by_id.update((s.drift.id, s.drift) for s in archived)  # the archive copy wins
        drifts = sorted((d for d in by_id.values() if d.status in wanted), key=_order)
        return Listing(tuple(drifts), tuple(c for _, c in corrupt), pending)

    def _read_drift(self, key: str) -> Stored | None:
        return read_drift(self.storage, key)

    def _scan(
        self, prefix: str
    ) -> tuple[builtins.list[Stored], builtins.list[tuple[str, CorruptObject]]]:
        self._marker.check(writing=False)
        if prefix == layout.OPEN_PREFIX:  # a listing of the open drifts: kept (open_keys)
            keys = self._open_keys.listing(lambda: self.storage.list_keys(prefix))
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

    # ------------------------------------------------------------------ cursors

    def get_cursor(self, source: str) -> datetime | None:
        key = layout.cursor_key(source)
        blob = self.storage.get(key)
        return None if blob is None else layout.decode_cursor(blob.data, self.storage.url_for(key))

    def put_cursor(self, source: str, time: datetime) -> datetime:
        """Move the cursor of ``source`` forward to ``time``; never back. Returns the cursor."""
        self._marker.check(writing=True)
        key = layout.cursor_key(source)
        for _ in self._retrying():
            data = layout.encode_cursor(source, time, _now())
            blob = self.storage.get(key)
            if blob is None:
                if self.storage.put_if_absent(key, data) is not None:
                    return time
                continue
            current = layout.decode_cursor(blob.data, self.storage.url_for(key))
            if current >= time:
                return current
            if self.storage.put_if_match(key, data, blob.etag) is not None:
                return time
        raise self._gave_up(key)

    # ------------------------------------------------------------------ maintenance

    def compact(self, *, quarantine_corrupt: bool = False) -> Compacted:
        """Finish interrupted closes; optionally move corrupt open objects to ``quarantine/``
        so that their resources can take new drifts (the bytes are kept, not deleted)."""
        self._marker.check(writing=True)
        found, corrupt = self._scan(layout.OPEN_PREFIX)
        archived = []
        for stored in found:
            if not stored.drift.status.is_open:
                self._finish_close(stored, None)
                archived.append(stored.drift.id)
        quarantined = []
        remaining = []
        for key, problem in corrupt:
            if quarantine_corrupt and self._quarantine(key):
                quarantined.append(problem.key)
            else:
                remaining.append(problem)
        return Compacted(tuple(archived), tuple(quarantined), tuple(remaining))

    def _quarantine(self, key: str) -> bool:
        blob = self.storage.get(key)
        if blob is None:
            return False
        target = layout.quarantine_key(key)
        if self.storage.put_if_absent(target, blob.data) is None:
            existing = self.storage.get(target)
            if existing is None or existing.data != blob.data:
                target = f"{target}.{blob.etag.strip(chr(34))[:16]}"
                self.storage.put_if_absent(target, blob.data)
        log.warning("moved corrupt %s to %s", key, self.storage.url_for(target))
        return self.storage.delete_if_match(key, blob.etag)

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


def _check_size(drift: Drift, data: bytes, stored: int, where: str) -> None:
    """An open drift may grow to half the size a ledger object may have: past that, a call
    that would make it bigger than ``stored`` bytes is refused (and reported) instead of
    leaving an object no reader takes. The other half is room for what still comes: closing
    it, transitions, a state reassessment."""
    limit = base.MAX_OBJECT_BYTES // 2
    if drift.status.is_open and len(data) > limit and len(data) > stored:
        raise OversizeRecordError(
            f"{where}: drift {drift.id} would be {len(data):,} bytes with "
            f"{len(drift.events)} events, over the {limit:,}-byte limit for an open drift: "
            "this call is not folded in (resolve or ignore the drift)"
        )


def _duplicate(finding: Finding) -> Folded:
    log.debug("event %s already recorded in a closed drift", finding.event.id)
    return Folded(FoldResult.UNCHANGED, None, Skip.DUPLICATE)


def _require_open(drift: Drift, wanted: str) -> None:
    if not drift.status.is_open:
        raise LedgerError(
            f"{drift.id} is already {drift.status.value} and cannot become {wanted}: "
            f"resolved and ignored drifts are final"
        )
