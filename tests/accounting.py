"""Per-record accounting, shared by the fuzz and corpus tests.

Every record the detector processes ends as exactly one of: a skip counted under one known
reason, or one or more drifts (of a known kind) holding the record's event. Never both, never
neither, never an error for a well-formed event. Every drift it touches survives its JSON
record: schema-valid, and read back equal.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema

from tfdrift_gitops.core.detector import NOT_CLOUDTRAIL, Detector
from tfdrift_gitops.core.engine import Skip
from tfdrift_gitops.core.record import drift_from_record, drift_to_record
from tfdrift_gitops.models import CloudEvent, Drift, Kind

SKIP_REASONS = frozenset({s.value for s in Skip} | {NOT_CLOUDTRAIL})
SCHEMA: dict[str, Any] = json.loads(
    (
        Path(__file__).resolve().parents[1] / "tfdrift_gitops" / "schemas" / "drift-v1.json"
    ).read_text()
)


def account(detector: Detector, event: CloudEvent) -> str:
    """Process one event: ``skip:<reason>`` or ``drift:<kind>[,<kind>]``, checked as above."""
    skipped = Counter(detector.tally.skipped)
    errors = len(detector.tally.errors)
    detector.process(event)
    added = Counter(detector.tally.skipped)
    added.subtract(skipped)
    counted = {reason: n for reason, n in added.items() if n}
    assert len(detector.tally.errors) == errors, detector.tally.errors[errors:]
    holding = [d for d in (*detector.drifts, *detector.resolved) if _holds(d, event)]
    if counted:
        assert list(counted.values()) == [1], (event.origin, counted)
        [reason] = counted
        assert reason in SKIP_REASONS, (event.origin, reason)
        assert holding == [], f"{event.origin}: skipped as {reason} but folded into a drift"
        return f"skip:{reason}"
    # A failed or read-only call is never drift, whatever else it looks like.
    assert not event.error_code, f"{event.origin}: failed call ({event.error_code}) made drift"
    assert not event.read_only, f"{event.origin}: read-only call made drift"
    assert holding, f"{event.origin or event.id}: neither a drift nor a counted skip"
    for drift in holding:
        assert isinstance(drift.kind, Kind)
        assert_round_trip(drift)
    return "drift:" + ",".join(sorted({d.kind.value for d in holding}))


def _holds(drift: Drift, event: CloudEvent) -> bool:
    return any(e.id == event.id for e in drift.events)


def assert_round_trip(drift: Drift) -> None:
    """The drift's record is schema-valid JSON that reads back as the same drift."""
    record = drift_to_record(drift)
    jsonschema.validate(record, SCHEMA)
    text = json.dumps(record, ensure_ascii=False, allow_nan=False)
    again = drift_from_record(json.loads(text))
    assert again == _unplaced(drift), drift.id
    assert drift_to_record(again) == record, drift.id


def _unplaced(drift: Drift) -> Drift:
    """The drift without where its events were read (``origin``: for messages, not stored)."""
    return replace(
        drift,
        event=replace(drift.event, origin=""),
        events=tuple(replace(e, origin="") for e in drift.events),
        replayed=tuple(replace(e, origin="") for e in drift.replayed),
    )
