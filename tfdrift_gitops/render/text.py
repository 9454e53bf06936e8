"""The terminal alert layout. CloudTrail values are hostile: control characters (ANSI escapes,
carriage returns) are made visible so a crafted session name cannot repaint the terminal."""

from __future__ import annotations

import json
import re
from typing import Any

from tfdrift_gitops.models import Drift, Kind, Severity, Via, format_time

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

KIND_LABEL = {
    Kind.MODIFIED: "Manual Modification",
    Kind.UNMANAGED: "Unmanaged Resource (created outside Terraform)",
    Kind.DELETED: "Deleted Outside Terraform",
}
VIA_LABEL = {
    Via.CONSOLE: "AWS Console",
    Via.CLI: "AWS CLI",
    Via.SDK: "AWS SDK",
    Via.TERRAFORM: "Terraform",
    Via.CLOUDFORMATION: "CloudFormation",
    Via.AWS_SERVICE: "AWS service",
    Via.UNKNOWN: "unknown",
}
_COLOURS = {
    Severity.CRITICAL: "\x1b[1;31m",
    Severity.HIGH: "\x1b[31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
}
_RESET = "\x1b[0m"
MAX_VALUE_CHARS = 300


def safe(text: str) -> str:
    """Printable form of an untrusted string: control characters become \\xNN escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def value_text(value: Any) -> str:
    if value is None:
        return "(none)"
    rendered = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(rendered) > MAX_VALUE_CHARS:
        rendered = rendered[: MAX_VALUE_CHARS - 1] + "…"
    return safe(rendered)


def render_drift(drift: Drift, *, colour: bool = False) -> str:
    actor, event = drift.actor, drift.event
    resource = drift.resource
    address = resource.address or f"{resource.type} {resource.id} (not in state)"
    severity = drift.severity.value.upper()
    if colour:
        severity = f"{_COLOURS[drift.severity]}{severity}{_RESET}"
    lines = [
        f"Resource:  {safe(address):<40} Type: {KIND_LABEL[drift.kind]}",
        f"Drift:     {drift.id}  Severity: {severity}  Status: {drift.status.value}",
    ]
    if drift.changes:
        for number, change in enumerate(drift.changes):
            label = "Changed:" if number == 0 else ""
            lines.append(
                f"{label:<10} {safe(change.path)}: "
                f"{value_text(change.before)} -> {value_text(change.after)}"
            )
    elif drift.kind is Kind.MODIFIED:
        lines.append("Changed:   (resource modified; this call has no attribute model)")
    lines.append(
        f"User: {safe(actor.name) or '(unknown)'}  Source: {VIA_LABEL[actor.via]}  "
        f"IP: {safe(actor.source_ip) or '-'}  Region: {safe(event.region) or '-'}"
    )
    if actor.arn:
        lines.append(f"ARN:  {safe(actor.arn)}")
    lines.append(
        f"CloudTrail: EventName {safe(event.name)}  EventID {safe(event.id)}  "
        f"Time {format_time(event.time)}"
    )
    if len(drift.events) > 1:
        lines.append(f"Events:    {len(drift.events)} folded into this drift")
    return "\n".join(lines)
