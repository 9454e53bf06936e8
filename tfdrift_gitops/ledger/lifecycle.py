"""The ledger's lifecycle operations: steps taken from outside (a person, GitHub reconcile),
reading drifts by id and by status, the per-source cursors, and ``compact``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from tfdrift_gitops.core.fold import transition as core_transition
from tfdrift_gitops.errors import (
    LedgerError,
    NotFoundError,
)
from tfdrift_gitops.ledger import layout
from tfdrift_gitops.ledger.base import (
    Compacted,
    Listing,
)
from tfdrift_gitops.ledger.steps import LedgerSteps, utc_now
from tfdrift_gitops.ledger.stored import Stored
from tfdrift_gitops.models import DRIFT_ID, Drift, Status

log = logging.getLogger(__name__)

OPEN_STATUSES = frozenset(s for s in Status if s.is_open)
ALL_STATUSES = frozenset(Status)


def _order(drift: Drift) -> tuple[datetime, str]:
    return (drift.events[0].time, drift.id)


def _statuses(status: Status | Iterable[Status] | None) -> frozenset[Status]:
    if status is None:
        return ALL_STATUSES
    if isinstance(status, Status):
        return frozenset([status])
    return frozenset(status)


class LedgerLifecycle(LedgerSteps):
    """Lifecycle, reading, cursors and maintenance of ``service.StoredLedger``."""

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
        if not DRIFT_ID.fullmatch(drift_id):
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
            data = layout.encode_cursor(source, time, utc_now())
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


def _require_open(drift: Drift, wanted: str) -> None:
    if not drift.status.is_open:
        raise LedgerError(
            f"{drift.id} is already {drift.status.value} and cannot become {wanted}: "
            f"resolved and ignored drifts are final"
        )
