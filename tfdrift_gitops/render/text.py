"""The terminal alert layout. CloudTrail values are hostile: control characters (ANSI escapes,
carriage returns) and characters that hide or reorder text (zero-width, bidi: core.invisible)
are made visible so a crafted session name cannot repaint the terminal or disguise a name.

The same text is a GitHub Actions step's log when the Action runs ``detect``, ``reconcile`` or
``comment``, and the runner executes the workflow commands it finds there: ``::name::data`` at
the start of a line (leading blanks trimmed) and the older ``##[name]data`` anywhere in a line
(actions/runner ``ActionCommand.TryParseV2`` / ``TryParse``). ``no_workflow_commands`` (applied
by everything the command line prints, ``cli.output``) writes the ``#`` that starts ``##[`` as
``\\x23`` and the ``:`` that starts a line's ``::`` as ``\\x3a``; ``json_text`` writes that
``[`` as ``\\u005b`` (it can only be inside a string) and its lines start with ``{``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tfdrift_gitops.core.invisible import INVISIBLE_CLASS, escape_code
from tfdrift_gitops.models import Change, Drift, Kind, Severity, format_time
from tfdrift_gitops.render.changes import describe
from tfdrift_gitops.render.labels import ACTOR_KIND_LABEL, KIND_LABEL, VIA_LABEL, state_label

__all__ = ["KIND_LABEL", "VIA_LABEL", "render_drift", "safe", "value_text"]

# Control characters, line and paragraph separators, bidi overrides, and lone surrogates
# (valid JSON escapes with no UTF-8 form: printed raw they become a byte that is not UTF-8).
_OTHER_CONTROLS = r"\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROL = re.compile(rf"[\x00-\x0a{_OTHER_CONTROLS}]")
# Shown escaped on the terminal besides: every character that hides text (core.invisible).
_SHOWN = re.compile(rf"[\x00-\x0a{_OTHER_CONTROLS}{INVISIBLE_CLASS}]")
_SHOWN_IN_LINES = re.compile(rf"[\x00-\x08{_OTHER_CONTROLS}{INVISIBLE_CLASS}]")
# Workflow commands (module docstring): the "#" of "##[", the ":" of a line's leading "::".
_LEGACY_COMMAND = re.compile(r"#(?=#\[)")
_LINE_COMMAND = re.compile(r"(?m)^([^\S\n]*):(?=:)")

_COLOURS = {
    Severity.CRITICAL: "\x1b[1;31m",
    Severity.HIGH: "\x1b[31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
}
_RESET = "\x1b[0m"
MAX_VALUE_CHARS = 300


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else escape_code(match.group())


def safe(text: str) -> str:
    """Printable form of an untrusted string: control and hidden characters become \\xNN or
    \\uXXXX escapes."""
    return _SHOWN.sub(_escape, text)


def safe_lines(text: str) -> str:
    """Like ``safe`` for text of several lines: newlines and tabs are kept."""
    return _SHOWN_IN_LINES.sub(_escape, text)


def no_workflow_commands(text: str, *, line_starts: bool = True) -> str:
    """``text`` as printed in a GitHub Actions log: no ``##[`` anywhere, and (unless
    ``line_starts`` is False, for a command we built ourselves) no line starting ``::``."""
    text = _LEGACY_COMMAND.sub(r"\\x23", text)
    return _LINE_COMMAND.sub(r"\1\\x3a", text) if line_starts else text


def json_text(document: Any) -> str:
    """One JSON line, safe for a terminal and valid UTF-8: what ``json.dumps`` leaves raw among
    the characters ``safe`` escapes (C1 controls, line separators, bidi overrides, lone
    surrogates) is written as its ``\\uXXXX`` escape, which reads back as the same string.
    They can only occur inside JSON strings, where the escape is valid."""
    text = json.dumps(document, ensure_ascii=False)
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text.replace("##[", "##\\u005b")  # "#" is no JSON token: "##[" is in a string


def value_text(value: Any) -> str:
    if value is None:
        return "(none)"
    rendered = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(rendered) > MAX_VALUE_CHARS:
        rendered = rendered[: MAX_VALUE_CHARS - 1] + "…"
    return safe(rendered)


def change_lines(path: str, before: Any, after: Any) -> list[str]:
    """``path: line`` for each line of the change model (``+ 22/tcp from 0.0.0.0/0``)."""
    view = describe(Change(path, before, after))
    lines = [f"{safe(path)}: {safe(line.render())}" for line in view.lines]
    if view.more:
        lines.append(f"{safe(path)}: …and {view.more} more")
    return lines


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
        label = "Changed:"
        for change in drift.changes:
            for line in change_lines(change.path, change.before, change.after):
                lines.append(f"{label:<10} {line}")
                label = ""
    elif drift.kind is Kind.MODIFIED:
        lines.append("Changed:   (resource modified; this call has no attribute model)")
    lines.append(
        f"User: {safe(actor.name) or '(unknown)'}  Source: {VIA_LABEL[actor.via]}  "
        f"IP: {safe(actor.source_ip) or '-'}  Region: {safe(event.region) or '-'}"
    )
    lines.append(f"Actor:     {ACTOR_KIND_LABEL[actor.kind]} ({safe(actor.kind_evidence) or '-'})")
    if resource.state:
        where = f"{safe(state_label(resource.state))} (workspace {safe(resource.workspace)})"
        lines.append(f"State:     {where}")
    if actor.arn:
        lines.append(f"ARN:  {safe(actor.arn)}")
    lines.append(
        f"CloudTrail: EventName {safe(event.name)}  EventID {safe(event.id)}  "
        f"Time {format_time(event.time)}"
    )
    if len(drift.events) > 1:
        lines.append(f"Events:    {len(drift.events)} folded into this drift")
    return "\n".join(lines)
