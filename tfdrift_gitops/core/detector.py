"""Replaying events against state: the ``detect`` job, with or without a ledger.

The detector evaluates each event, hands findings to a :class:`DriftStore` (in memory here, the
ledger when persisted) and counts everything: records read, skips by reason, bad records,
fold results.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict, deque
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Protocol

from tfdrift_gitops.core.engine import Engine, Evaluation, Finding, Skip
from tfdrift_gitops.core.fold import Folded, FoldResult, fold, is_quiet
from tfdrift_gitops.errors import (
    CorruptRecordError,
    LedgerConflictError,
    LedgerError,
    NotCloudTrailError,
    RecordError,
)
from tfdrift_gitops.models import CloudEvent, Drift, Kind, SkippedRecord

log = logging.getLogger(__name__)

NOT_CLOUDTRAIL = "not_cloudtrail"
"""Falco alerts from other sources (syscalls, k8s audit) reaching a CloudTrail input."""

# Counted per record: an enum's ``value`` is a property, a dict lookup is several times cheaper.
_SKIP_TEXT: dict[Skip, str] = {skip: skip.value for skip in Skip}
_RESULT_TEXT: dict[FoldResult, str] = {result: result.value for result in FoldResult}


class DriftStore(Protocol):
    """Where findings are folded: one open drift per resource key."""

    def record(
        self, engine: Engine, finding: Finding, *, quiet: Sequence[CloudEvent] = ()
    ) -> Folded: ...


@dataclass(frozen=True, slots=True)
class Evaluated:
    """An event ``Engine.evaluate`` has already looked at (in a worker process: ``detect
    --jobs``), to be folded here in input order; ``evaluation`` is None when evaluating it
    raised, ``failure`` then says what (as :func:`failure_text` puts it)."""

    event: CloudEvent
    evaluation: Evaluation | None
    failure: str = ""


def failure_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class MemoryStore:
    """The in-memory store used by ``detect`` without ``--ledger``."""

    def __init__(self) -> None:
        self.open: dict[str, Drift] = {}
        self.closed: list[Drift] = []

    def record(
        self, engine: Engine, finding: Finding, *, quiet: Sequence[CloudEvent] = ()
    ) -> Folded:
        key = finding.resource.key
        folded = fold(engine, self.open.get(key), finding, quiet=quiet)
        drift = folded.drift
        if folded.result is FoldResult.NOT_DRIFT or drift is None:
            return folded
        if drift.status.is_open:
            self.open[key] = drift
        else:
            self.open.pop(key, None)
            self.closed.append(drift)
        return folded


class QuietEvents:
    """Recent events per resource that made no drift on their own (they set what state says,
    or Terraform made them). Replayed with a late, older call they show it already undone.
    Bounded per resource, in resources and in events (a call is ~3 KB: a collector running
    for weeks next to Terraform would otherwise keep 16 calls for every resource it ever
    saw), the least recently touched resources forgotten first."""

    def __init__(
        self, per_resource: int = 16, resources: int = 100_000, events: int = 50_000
    ) -> None:
        self.per_resource = per_resource
        self.resources = resources
        self.events = max(events, per_resource)
        self._events: OrderedDict[str, deque[CloudEvent]] = OrderedDict()
        self._count = 0
        self.forgotten = 0
        """Resources forgotten to stay within the bounds (not counting calls pushed out of a
        resource's own ``per_resource``)."""

    def __len__(self) -> int:
        """Resources remembered now."""
        return len(self._events)

    @property
    def count(self) -> int:
        """Events remembered now."""
        return self._count

    def get(self, key: str) -> tuple[CloudEvent, ...]:
        found = self._events.get(key)
        return tuple(found) if found else ()

    def remember(self, key: str, event: CloudEvent) -> None:
        events = self._events
        found = events.get(key)
        if found is None:
            found = events[key] = deque(maxlen=self.per_resource)
        else:
            events.move_to_end(key)
        if len(found) == self.per_resource:
            self._count -= 1  # the append below pushes the oldest out
        found.append(event)
        self._count += 1
        while len(events) > self.resources or self._count > self.events:
            _, forgotten = events.popitem(last=False)  # never this key: it is the newest
            self._count -= len(forgotten)
            self.forgotten += 1


@dataclass(slots=True)
class Tally:
    records: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    results: Counter[str] = field(default_factory=Counter)

    def summary_line(self, drifts: Iterable[Drift]) -> str:
        return self.summary_of(Counter(d.kind.value for d in drifts if d.status.is_open))

    def summary_of(self, kinds: Mapping[str, int]) -> str:
        """``summary_line`` given the open drifts' count by kind."""
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items())) or "none"
        drift_text = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"
        return (
            f"records: {self.records} read; skipped: {skipped}; errors: {len(self.errors)}; "
            f"drifts: {drift_text}"
        )


class Detector:
    def __init__(
        self,
        engine: Engine,
        store: DriftStore | None = None,
        *,
        unmanaged_ids: Iterable[str] = (),
    ) -> None:
        """``unmanaged_ids``: ids of unmanaged drifts already open in ``store`` (see knows)."""
        self.engine = engine
        self.store: DriftStore = store if store is not None else MemoryStore()
        self._unmanaged_ids: set[str] = set(unmanaged_ids)
        self.tally = Tally()
        self.quiet = QuietEvents()
        self._touched: dict[str, Drift] = {}
        self._seen_ids: set[str] = set()

    def feed(self, items: Iterable[CloudEvent | RecordError | SkippedRecord | Evaluated]) -> None:
        skipped = self.tally.skipped
        for item in items:
            if type(item) is SkippedRecord:  # three records in four: keep this path short
                self.tally.records += 1
                skipped[item.reason] += 1
                continue
            if isinstance(item, CloudEvent):
                self._isolated(item)
                continue
            if type(item) is Evaluated:
                self._isolated(item.event, item)
                continue
            self.tally.records += 1
            if isinstance(item, SkippedRecord):
                skipped[item.reason] += 1
            elif isinstance(item, NotCloudTrailError):
                self.tally.skipped[NOT_CLOUDTRAIL] += 1
            else:
                self.tally.errors.append(str(item))
                log.warning("%s", item)

    def _isolated(self, event: CloudEvent, evaluated: Evaluated | None = None) -> None:
        """``process``, with whatever one record breaks reported against it (``file:line``)
        and counted; the rest of the input is still read. A ledger that cannot be reached
        at all is not one record's problem: that still ends the run."""
        try:
            if evaluated is None:
                self.process(event)
            elif evaluated.evaluation is None:
                self.tally.records += 1
                self._failed(event, evaluated.failure)
            else:
                self.tally.records += 1
                self._fold_evaluation(event, evaluated.evaluation)
        except MemoryError:
            raise
        except LedgerError as exc:
            if not isinstance(exc, CorruptRecordError | LedgerConflictError):
                raise
            self._failed(event, exc)
        except Exception as exc:  # an isolation boundary, on purpose
            self._failed(event, exc)

    def _failed(self, event: CloudEvent, exc: BaseException | str) -> None:
        where = event.origin or event.id
        what = exc if isinstance(exc, str) else failure_text(exc)
        self.tally.errors.append(f"{where}: {what}")
        log.error("%s: record failed: %s", where, what)
        if not isinstance(exc, str):
            log.debug("%s", where, exc_info=True)

    def process(self, event: CloudEvent) -> None:
        self.tally.records += 1
        self._fold_evaluation(event, self.engine.evaluate(event))

    def _fold_evaluation(self, event: CloudEvent, evaluation: Evaluation) -> None:
        if evaluation.skipped is not None:
            # Counted by reason even when redelivered: the prefilter, which never sees ids,
            # counts the same way.
            self.tally.skipped[_SKIP_TEXT[evaluation.skipped]] += 1
            return
        if event.id in self._seen_ids:
            self.tally.skipped[Skip.DUPLICATE.value] += 1
            return
        self._seen_ids.add(event.id)
        findings = evaluation.findings
        if len(findings) == 1:  # nearly every call: no list, no generator
            skip = self._record(findings[0])
            if skip is not None:
                self.tally.skipped[_SKIP_TEXT[skip]] += 1
            return
        skips = [self._record(finding) for finding in findings]
        first_skip = skips[0] if skips else None
        if first_skip is not None and all(s is not None for s in skips):
            self.tally.skipped[_SKIP_TEXT[first_skip]] += 1

    def _record(self, finding: Finding) -> Skip | None:
        """Fold one finding; the skip reason when it made or changed no drift."""
        key = finding.resource.key
        try:
            # Only a hand-made call replays the quiet ones (fold: Terraform's never opens).
            quiet = () if finding.trusted else self.quiet.get(key)
            folded = self.store.record(self.engine, finding, quiet=quiet)
        except (CorruptRecordError, LedgerConflictError) as exc:
            # One resource's stored drift is unusable or contended: say so, go on with the rest.
            self.tally.errors.append(f"{finding.event.origin or finding.event.id}: {exc}")
            log.error("%s", exc)
            return None
        if is_quiet(folded):
            self.quiet.remember(key, finding.event)
        if folded.drift is not None and folded.drift.kind is Kind.UNMANAGED:
            self._unmanaged_ids.add(folded.drift.resource.id)
        self.tally.results[_RESULT_TEXT[folded.result]] += 1
        if folded.drift is None or folded.result is FoldResult.NOT_DRIFT:
            return folded.skip or Skip.NO_CHANGE
        self._touched[folded.drift.resource.key] = folded.drift
        if folded.result is FoldResult.UNCHANGED and folded.skip is not None:
            return folded.skip
        return None

    def knows(self, value: str) -> bool:
        """An id in state or of an unmanaged drift: what a prefilter may not skip."""
        return self.engine.index.knows(value) or value in self._unmanaged_ids

    @property
    def seen_ids(self) -> AbstractSet[str]:
        """Ids of the events that reached folding (a redelivery of one is skipped)."""
        return self._seen_ids

    @property
    def unmanaged_ids(self) -> AbstractSet[str]:
        """Ids of unmanaged drifts known to this run (given, or opened by it)."""
        return self._unmanaged_ids

    @property
    def drifts(self) -> list[Drift]:
        """Drifts this run opened or changed that are still open, oldest first."""
        return sorted(
            (d for d in self._touched.values() if d.status.is_open),
            key=lambda d: (d.events[0].time, d.id),
        )

    @property
    def resolved(self) -> list[Drift]:
        return [d for d in self._touched.values() if not d.status.is_open]
