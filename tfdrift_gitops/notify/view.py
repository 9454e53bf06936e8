"""What a chat template sees of a drift: plain values, unescaped (templates escape per sink).

The layout follows the terminal alert (``tfdrift_gitops.render.text``): Resource, Type,
Changed, User, Source, IP, Region and the CloudTrail event (name, id, time).
"""

from __future__ import annotations

import json
from typing import Any

from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.models import Drift, Severity, format_time
from tfdrift_gitops.render.changes import describe
from tfdrift_gitops.render.labels import ACTOR_KIND_LABEL, KIND_LABEL, VIA_LABEL, state_label
from tfdrift_gitops.render.text import MAX_VALUE_CHARS

MAX_CHANGES = 8
SEVERITY_COLOUR = {
    Severity.LOW: 0x2EB67D,
    Severity.MEDIUM: 0xECB22E,
    Severity.HIGH: 0xE8912D,
    Severity.CRITICAL: 0xE01E5A,
}
SEVERITY_EMOJI = {
    Severity.LOW: ":large_blue_circle:",
    Severity.MEDIUM: ":large_yellow_circle:",
    Severity.HIGH: ":large_orange_circle:",
    Severity.CRITICAL: ":red_circle:",
}


def value_text(value: Any) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    return text


def drift_view(drift: Drift, result: str) -> dict[str, Any]:
    """``result`` is the fold result that triggered the notification (opened, escalated)."""
    resource, actor, event = drift.resource, drift.actor, drift.event
    address = resource.address or f"{resource.type} {resource.id} (not in state)"
    kind_label = KIND_LABEL[drift.kind]
    verb = "Drift escalated" if result == "escalated" else "Drift detected"
    changes = []
    for change in drift.changes[:MAX_CHANGES]:
        described = describe(change)
        changes.append(
            {
                "path": change.path,
                "before": value_text(change.before),
                "after": value_text(change.after),
                "summary": described.summary,
                "lines": [line.render() for line in described.lines],
            }
        )
    return {
        "id": drift.id,
        "result": result,
        "kind": drift.kind.value,
        "kind_label": kind_label,
        "severity": drift.severity.value,
        "severity_upper": drift.severity.value.upper(),
        "colour": SEVERITY_COLOUR[drift.severity],
        "emoji": SEVERITY_EMOJI[drift.severity],
        "status": drift.status.value,
        "headline": f"{verb}: {kind_label} ({drift.severity.value.upper()})",
        "address": address,
        "resource_type": resource.type,
        "resource_id": resource.id,
        "state": state_label(resource.state),
        "workspace": resource.workspace,
        "changes": changes,
        "more_changes": max(0, len(drift.changes) - MAX_CHANGES),
        "modelled": bool(drift.changes),
        "user": actor.name or "(unknown)",
        "arn": actor.arn,
        "actor_kind": actor.kind.value,
        "actor_kind_label": ACTOR_KIND_LABEL[actor.kind],
        "actor_evidence": actor.kind_evidence,
        "via": VIA_LABEL[actor.via],
        "ip": actor.source_ip or "-",
        "region": event.region or "-",
        "user_agent": actor.user_agent,
        "event_name": event.name,
        "event_id": event.id,
        "event_time": format_time(event.time),
        "events": len(drift.events),
        "reasons": list(drift.severity_reasons),
    }


def template_context(drift: Drift, result: str) -> dict[str, Any]:
    return {"view": drift_view(drift, result), "record": drift_to_record(drift)}
