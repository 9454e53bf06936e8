"""The ledger's behaviour over any :class:`~tfdrift_gitops.ledger.base.Storage`.

Every change is read -> pure core function (``fold``, ``reassess``, ``transition``) ->
conditional write of the one object that holds the drift. A lost race (412) re-reads and
recomputes, a bounded number of times. Closing a drift is three steps, each idempotent, so a
writer killed between any two leaves a state every reader understands and the next writer (or
``compact``) finishes:

1. the open object is rewritten with the closed status (If-Match) - from here on the drift is
   closed for every reader, and no writer updates a closed open object;
2. the index entries of its events (its own reference too, when missing) and the archive
   object are created (If-None-Match);
3. the open object is deleted (If-Match on the ETag written in step 1).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from tfdrift_gitops.core.engine import Engine, Finding, Skip
from tfdrift_gitops.core.fold import Folded, FoldResult, fold, reassess
from tfdrift_gitops.errors import (
    OversizeRecordError,
)
from tfdrift_gitops.ledger import base, layout
from tfdrift_gitops.ledger.base import (
    Reassessed,
    Storage,
)
from tfdrift_gitops.ledger.lifecycle import LedgerLifecycle
from tfdrift_gitops.ledger.open_keys import DEFAULT_MAX_AGE
from tfdrift_gitops.ledger.renames import Renames
from tfdrift_gitops.ledger.steps import utc_now
from tfdrift_gitops.ledger.stored import Stored
from tfdrift_gitops.models import CloudEvent, Drift, Kind

log = logging.getLogger(__name__)


class StoredLedger(LedgerLifecycle):
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
        super().__init__(
            storage,
            max_attempts=max_attempts,
            workers=workers,
            backoff=backoff,
            backoff_cap=backoff_cap,
            open_listing_max_age=open_listing_max_age,
        )
        self._renames = Renames(self, self._marker)

    # ------------------------------------------------------------------ folding

    @property
    def open_listing_max_age(self) -> float:
        """Seconds a listing of the open drifts is trusted (``open_keys``; 0: never)."""
        return self._open_keys.max_age

    def refresh_open_listing(self) -> None:
        """List the open drifts now (see ``open_keys``): what other writers opened until now
        is seen by the findings that follow. Raises LedgerError when the listing fails (the
        next such finding then lists, or reads)."""
        self._open_keys.listing()

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
                    entry = layout.encode_index(claim, drift, finding.event.id, now or utc_now())
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
        entry = layout.encode_index(claim, drift, finding.event.id, now or utc_now())
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
