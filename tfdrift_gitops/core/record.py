"""Drift <-> JSON record (schema ``tfdrift-gitops/drift/v1``; see schemas/drift-v1.json)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.redact import redact_payload
from tfdrift_gitops.errors import CorruptRecordError
from tfdrift_gitops.models import (
    DRIFT_SCHEMA,
    Actor,
    Change,
    CloudEvent,
    Drift,
    Kind,
    ResourceRef,
    Severity,
    Status,
    Transition,
    format_time,
    parse_time,
)

MAX_PAYLOAD_DEPTH = 64
"""Request and response documents nest no deeper than this in a record; deeper parts (only
ever seen in hostile input) are replaced by TOO_DEEP, so that no writer or reader of a record
recurses without bound."""
TOO_DEEP = "<nested too deep; dropped by tfdrift-gitops>"


def cap_depth(value: Any, limit: int = MAX_PAYLOAD_DEPTH) -> Any:
    """``value`` with everything nested deeper than ``limit`` replaced by TOO_DEEP."""
    if type(value) is dict or isinstance(value, Mapping):  # decoded JSON: no ABC check
        if limit <= 0:
            return TOO_DEEP
        return {k: cap_depth(v, limit - 1) for k, v in value.items()}
    if isinstance(value, list):
        if limit <= 0:
            return TOO_DEEP
        return [cap_depth(v, limit - 1) for v in value]
    return value


def _event_record(event: CloudEvent) -> dict[str, Any]:
    data = event.to_dict()
    for key in ("request", "response"):
        if isinstance(data.get(key), Mapping | list):
            data[key] = cap_depth(redact_payload(event.source, data[key]))
    return data


def drift_to_record(drift: Drift) -> dict[str, Any]:
    """The contract record. ``events`` entries carry the summary fields first, then the whole
    normalised event (actor, request, response) so that a stored drift can be replayed.
    ``replayed`` (present only when there are any) holds, in the same shape, the calls that
    changed nothing but must be replayed with the evidence (see ``Drift.replayed``)."""
    record: dict[str, Any] = {
        "schema": DRIFT_SCHEMA,
        "id": drift.id,
        "kind": drift.kind.value,
        "status": drift.status.value,
        "severity": drift.severity.value,
        "severity_reasons": list(drift.severity_reasons),
        "resource": drift.resource.to_dict(),
        "changes": [c.to_dict() for c in drift.changes],
        "actor": drift.actor.to_dict(),
        "event": drift.event.summary(),
        "events": [_event_record(e) for e in drift.events],
        "history": [t.to_dict() for t in drift.history],
        "issue_number": drift.issue_number,
        "pr_number": drift.pr_number,
        "state_serial": drift.state_serial,
        "detected_at": format_time(drift.detected_at) if drift.detected_at else None,
        "unverifiable_events": list(drift.unverifiable),
    }
    if drift.replayed:
        record["replayed"] = [_event_record(e) for e in drift.replayed]
    return record


def drift_from_record(record: Mapping[str, Any], *, origin: str = "") -> Drift:
    """Inverse of drift_to_record; raises CorruptRecordError naming ``origin``."""
    where = origin or str(record.get("id", "?")) if isinstance(record, Mapping) else origin
    try:
        if record.get("schema") != DRIFT_SCHEMA:
            raise ValueError(f"unknown schema {record.get('schema')!r}")
        events = tuple(CloudEvent.from_dict(e) for e in record["events"])
        event_id = record["event"]["id"]
        current = next((e for e in events if e.id == event_id), None)
        if current is None:
            raise ValueError(f"event {event_id!r} is not among the drift's events")
        detected = record.get("detected_at")
        return Drift(
            id=str(record["id"]),
            kind=Kind(record["kind"]),
            severity=Severity(record["severity"]),
            resource=ResourceRef.from_dict(record["resource"]),
            changes=tuple(Change.from_dict(c) for c in record.get("changes") or []),
            actor=Actor.from_dict(record["actor"]),
            event=current,
            events=events,
            status=Status(record["status"]),
            severity_reasons=tuple(str(r) for r in record.get("severity_reasons") or []),
            history=tuple(Transition.from_dict(t) for t in record.get("history") or []),
            issue_number=_opt_int(record.get("issue_number")),
            pr_number=_opt_int(record.get("pr_number")),
            state_serial=_opt_int(record.get("state_serial")),
            detected_at=parse_time(detected) if isinstance(detected, str) else None,
            unverifiable=tuple(str(e) for e in record.get("unverifiable_events") or []),
            replayed=tuple(CloudEvent.from_dict(e) for e in record.get("replayed") or []),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CorruptRecordError(f"{where}: not a valid drift record: {exc}") from exc


def _opt_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer or null, got {value!r}")
    return value
