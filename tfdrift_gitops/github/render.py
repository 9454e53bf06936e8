"""Issue, PR and comment bodies from ``templates/*.md.j2``.

Templates receive plain views of the drift (raw values) and escape them with filters:
``code`` (code span, the default for anything CloudTrail said), ``cell`` (table cell), ``text``
(prose) and ``block`` (fenced block). The marker and the body hash are added here, after
rendering, so a user's template cannot drop or forge them; bodies are cut to GitHub's limit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfdrift_gitops.errors import GitHubError
from tfdrift_gitops.github import markdown as md
from tfdrift_gitops.github.marker import with_marker
from tfdrift_gitops.github.remedy import Decision, Patch, Strategy
from tfdrift_gitops.github.settings import GitHubSettings
from tfdrift_gitops.models import DRIFT_ID, Change, CloudEvent, Drift, Status, Via, format_time
from tfdrift_gitops.render.changes import describe
from tfdrift_gitops.render.labels import ACTOR_KIND_LABEL, KIND_LABEL, state_label
from tfdrift_gitops.templating import Templates

ISSUE_TEMPLATE = "issue.md.j2"
PR_TEMPLATES = {Strategy.IMPORT: "pr_import.md.j2", Strategy.REVERT: "pr_revert.md.j2"}
COMMENT_TEMPLATE = "pr_comment.md.j2"
RESOLVED_TEMPLATE = "drift_resolved.md.j2"

# Placeholder for the issue number of an issue created in the same run; it contains "<" so no
# escaped value can ever produce it.
ISSUE_PLACEHOLDER = "<tfdrift-issue-number>"
MAX_EVENTS_SHOWN = 20
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
_EVENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,127}")
_VIA_LABEL = {
    Via.CONSOLE: "AWS Console",
    Via.CLI: "AWS CLI",
    Via.SDK: "AWS SDK",
    Via.TERRAFORM: "Terraform",
    Via.CLOUDFORMATION: "CloudFormation",
    Via.AWS_SERVICE: "an AWS service",
    Via.UNKNOWN: "unknown client",
}


@dataclass(frozen=True, slots=True)
class Doc:
    title: str
    body: str
    hash: str


def console_url(event: CloudEvent) -> str | None:
    """The CloudTrail console page of an event; None when region or id look wrong (both come
    from the record, and a URL is the one thing we never build from unchecked text)."""
    if not _REGION.fullmatch(event.region) or not _EVENT_ID.fullmatch(event.id):
        return None
    region = event.region
    return (
        f"https://{region}.console.aws.amazon.com/cloudtrailv2/home"
        f"?region={region}#/events/{event.id}"
    )


def _hash(*parts: str) -> str:
    digest = hashlib.sha256("\0".join(parts).encode("utf-8"))
    return digest.hexdigest()[:16]


def event_view(event: CloudEvent) -> dict[str, Any]:
    actor = event.actor
    return {
        "id": event.id,
        "name": event.name,
        "source": event.source,
        "time": format_time(event.time),
        "region": event.region,
        "console_url": console_url(event),
        "actor": actor.name,
        "actor_kind": ACTOR_KIND_LABEL[actor.kind],
        "via": actor.via.value,
        "via_label": _VIA_LABEL.get(actor.via, actor.via.value),
        "source_ip": actor.source_ip,
        "user_agent": actor.user_agent,
    }


VALUE_BUDGET = 24_000
"""Characters shared by every before/after value of one drift (each value shows up to twice:
in the table and in its full-values block). A body is cut as a last resort only, and then
its end goes, so values are cut first: never the Severity, Events or Remediation sections."""
MIN_VALUE_CHARS = 200
MAX_TEXT_CHARS = 1_000
"""Any other string from CloudTrail or state (names, user agents, reasons)."""


def cut_value(value: Any, limit: int) -> Any:
    """``value`` unchanged when its text fits ``limit``; else the start of its text and a note."""
    shown = md.stringify(value)
    if len(shown) <= limit:
        return value
    return f"{shown[:limit]}… (cut: {len(shown):,} characters in all)"


def _cut_strings(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return cut_value(value, MAX_TEXT_CHARS)
    if depth > 8:
        return value
    if isinstance(value, dict):
        return {k: _cut_strings(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut_strings(v, depth + 1) for v in value]
    return value


def drift_view(drift: Drift, settings: GitHubSettings) -> dict[str, Any]:
    return _cut_strings(_drift_view(drift, settings))  # type: ignore[no-any-return]


def _drift_view(drift: Drift, settings: GitHubSettings) -> dict[str, Any]:
    actor = drift.actor
    events = [event_view(e) for e in drift.events]
    per_value = max(MIN_VALUE_CHARS, VALUE_BUDGET // max(1, 4 * len(drift.changes)))
    resolved = next((t for t in reversed(drift.history) if t.status is Status.RESOLVED), None)
    return {
        "id": drift.id,
        "kind": drift.kind.value,
        "kind_label": KIND_LABEL[drift.kind],
        "severity": drift.severity.value,
        "severity_reasons": list(drift.severity_reasons),
        "address": drift.resource.address or f"{drift.resource.type}.{drift.resource.id}",
        "managed": bool(drift.resource.address),
        "resource": {
            **drift.resource.to_dict(),
            "state": state_label(drift.resource.state),
        },
        "actor": {
            **actor.to_dict(),
            "kind_label": ACTOR_KIND_LABEL[actor.kind],
            "via_label": _VIA_LABEL.get(actor.via, actor.via.value),
            "login": settings.login_for(actor),
        },
        "event": event_view(drift.event),
        "events": events[-MAX_EVENTS_SHOWN:],
        "events_total": len(events),
        "events_hidden": max(len(events) - MAX_EVENTS_SHOWN, 0),
        "changes": [_change_view(c, per_value) for c in drift.changes],
        "detected_at": format_time(drift.detected_at) if drift.detected_at else "",
        "resolution": None
        if resolved is None
        else {
            "time": format_time(resolved.time),
            "by": resolved.by,
            "reason": resolved.reason,
            "evidence": dict(resolved.evidence),
        },
    }


def _change_view(change: Change, per_value: int) -> dict[str, Any]:
    described = describe(change)
    return {
        "path": change.path,
        "shape": described.shape,
        "lines": [line.render() for line in described.lines],
        "more": described.more,
        "summary": described.summary,
        "before": cut_value(change.before, per_value),
        "after": cut_value(change.after, per_value),
        # Full values are folded away when they say more than the lines: every structured
        # value, and any long scalar.
        "long": described.structured
        or len(md.stringify(change.before)) > 120
        or len(md.stringify(change.after)) > 120,
    }


FILTERS = {
    "code": md.code_span,
    "cell": md.cell,
    "text": md.text,
    "block": md.code_block,
    "html": md.html_text,
}


class Renderer:
    """Renders every GitHub document of a run (one jinja2 environment, compiled once)."""

    def __init__(self, settings: GitHubSettings, template_dir: str | Path | None = None) -> None:
        self.settings = settings
        self.templates = Templates(template_dir or settings.templates or None, FILTERS)

    def _render(self, name: str, context: Mapping[str, Any]) -> str:
        return self.templates.render_text(name, context).strip("\n") + "\n"

    def issue(self, drift: Drift, decision: Decision, blocked_by: Sequence[int] = ()) -> Doc:
        view = drift_view(drift, self.settings)
        patch = decision.patch if not blocked_by else None
        context = {
            "drift": view,
            "remediation": _remediation_view(decision, patch, blocked_by),
        }
        what = view["kind_label"].lower()
        title = md.title(f"Drift: {view['address']} {what} ({view['severity']})")
        body = self._render(ISSUE_TEMPLATE, context)
        digest = _hash(title, body)
        fields = {"drift": drift.id, "kind": "issue", "hash": digest}
        if patch is not None:
            fields["patch"] = patch.hash
        return Doc(title, md.truncate(with_marker(fields, body)), digest)

    def pull(self, drift: Drift, patch: Patch, issue_ref: str) -> Doc:
        view = drift_view(drift, self.settings)
        verb = "Import" if patch.strategy is Strategy.IMPORT else "Revert"
        title = md.title(f"tfdrift: {verb} manual change to {view['address']}")
        context = {
            "drift": view,
            "patch": {
                "strategy": patch.strategy.value,
                "files": sorted(patch.files),
                "diff": patch.diff,
                "notes": list(patch.notes),
                "cleanup": list(patch.cleanup),
                "hash": patch.hash,
            },
            "issue_ref": issue_ref,
            "branch": branch_name(drift.id),
        }
        body = self._render(PR_TEMPLATES[patch.strategy], context)
        digest = _hash(title, body)
        fields = {"drift": drift.id, "kind": "pr", "hash": digest, "patch": patch.hash}
        return Doc(title, md.truncate(with_marker(fields, body)), digest)

    def pr_comment(self, drifts: Sequence[Drift], pr_number: int, touched: Sequence[str]) -> Doc:
        context = {
            "drifts": [drift_view(d, self.settings) for d in drifts],
            "pr_number": pr_number,
            "touched": sorted(touched),
        }
        body = self._render(COMMENT_TEMPLATE, context)
        digest = _hash(body)
        fields = {"comment": "pr", "hash": digest}
        return Doc("", md.truncate(with_marker(fields, body)), digest)

    def resolved(self, drift: Drift, what: str) -> str:
        """Evidence comment for closing an issue or PR (``what``: issue | pr)."""
        context = {
            "drift": drift_view(drift, self.settings),
            "what": what,
            "status": drift.status.value,
        }
        return md.truncate(self._render(RESOLVED_TEMPLATE, context))


def branch_name(drift_id: str) -> str:
    """``tfdrift/<id>``; only for a drift id (``d-`` and 16 hex digits), so that no stored
    value can name a ref outside ``tfdrift/`` (``..``), look like an option (``-``) or hold ref
    syntax (``~^:?*[``)."""
    if not DRIFT_ID.fullmatch(drift_id):
        raise GitHubError(f"not a drift id, no branch is named after it: {drift_id!r}")
    return f"tfdrift/{drift_id}"


def _remediation_view(
    decision: Decision, patch: Patch | None, blocked_by: Sequence[int]
) -> dict[str, Any]:
    return {
        "strategy": decision.strategy.value,
        "reason": decision.reason,
        "pr_planned": patch is not None,
        "blocked_by": [f"#{n}" for n in blocked_by],
        "problems": list(decision.problems),
        "notes": list(patch.notes) if patch else [],
        "files": sorted(patch.files) if patch else [],
    }
