"""Replaying events against state in memory: the ``detect`` job without a ledger.

Counts everything: records read, skips by reason, bad records, drifts by kind.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from tfdrift_gitops.core.engine import Engine, Finding, Skip
from tfdrift_gitops.core.fold import FoldResult, fold
from tfdrift_gitops.errors import RecordError
from tfdrift_gitops.models import CloudEvent, Drift, Status

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Tally:
    records: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    results: Counter[str] = field(default_factory=Counter)

    def summary_line(self, drifts: Iterable[Drift]) -> str:
        kinds = Counter(d.kind.value for d in drifts if d.status.is_open)
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items())) or "none"
        drift_text = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"
        return (
            f"records: {self.records} read; skipped: {skipped}; errors: {len(self.errors)}; "
            f"drifts: {drift_text}"
        )


class Detector:
    """Folds findings into one drift per resource, in memory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.tally = Tally()
        self._open: dict[str, Drift] = {}
        self._closed: list[Drift] = []
        self._seen_ids: set[str] = set()

    def feed(self, items: Iterable[CloudEvent | RecordError]) -> None:
        for item in items:
            if isinstance(item, RecordError):
                self.tally.records += 1
                self.tally.errors.append(str(item))
                log.warning("%s", item)
                continue
            self.process(item)

    def process(self, event: CloudEvent) -> None:
        self.tally.records += 1
        if event.id in self._seen_ids:
            self.tally.skipped[Skip.DUPLICATE.value] += 1
            return
        self._seen_ids.add(event.id)
        evaluation = self.engine.evaluate(event)
        if evaluation.skipped is not None:
            self.tally.skipped[evaluation.skipped.value] += 1
            return
        skips = [self._fold(finding) for finding in evaluation.findings]
        first_skip = skips[0] if skips else None
        if first_skip is not None and all(s is not None for s in skips):
            self.tally.skipped[first_skip.value] += 1

    def _fold(self, finding: Finding) -> Skip | None:
        """Fold one finding; returns the skip reason when it made no drift."""
        key = finding.resource.key
        folded = fold(self.engine, self._open.get(key), finding)
        self.tally.results[folded.result.value] += 1
        if folded.result is FoldResult.NOT_DRIFT:
            return folded.skip
        if folded.drift is None:
            return None
        if folded.drift.status is Status.RESOLVED:
            self._open.pop(key, None)
            self._closed.append(folded.drift)
        else:
            self._open[key] = folded.drift
        return None

    @property
    def drifts(self) -> list[Drift]:
        """Open drifts, oldest first."""
        return sorted(self._open.values(), key=lambda d: (d.events[0].time, d.id))

    @property
    def resolved(self) -> list[Drift]:
        return list(self._closed)
