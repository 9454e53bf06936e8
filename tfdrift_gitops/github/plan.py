"""What reconcile should do on GitHub, decided from what we want and what exists. Pure.

For each open drift the inputs are its desired documents (issue, and PR when the policy asks
for one and no human PR already changes the resource) and the issue GitHub has for it (found by
marker). For each resolved or ignored drift whose issue is still open, the evidence comments.
The result is a list of ``Action`` values; ``reconcile`` carries them out, ``--dry-run`` prints
them as JSON Lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tfdrift_gitops.github.marker import parse_marker
from tfdrift_gitops.github.remedy import Patch
from tfdrift_gitops.github.render import Doc
from tfdrift_gitops.models import Drift, Status

TFDRIFT_LABEL = "tfdrift"
MANAGED_LABEL_PREFIXES = ("severity:", "kind:")


class ActionKind(StrEnum):
    OPEN_ISSUE = "open_issue"
    UPDATE_ISSUE = "update_issue"
    CLOSE_ISSUE = "close_issue"
    REOPEN_ISSUE = "reopen_issue"
    OPEN_PR = "open_pr"
    UPDATE_PR = "update_pr"
    CLOSE_PR = "close_pr"
    COMMENT = "comment"


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
    drift_id: str
    number: int | None = None
    title: str = ""
    body: str = ""
    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    comment: str = ""
    state_reason: str = ""
    branch: str = ""
    patch: Patch | None = None
    push: bool = False
    """update_pr: the patch changed, so a new commit goes on the branch."""
    verified: bool = True
    """False in --dry-run for actions planned without looking at GitHub."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"action": self.kind.value, "drift": self.drift_id}
        if self.number is not None:
            data["number"] = self.number
        for key in ("title", "body", "comment", "state_reason", "branch"):
            value = getattr(self, key)
            if value:
                data[key] = value
        for key in ("labels", "assignees", "reviewers"):
            value = getattr(self, key)
            if value:
                data[key] = list(value)
        if self.patch is not None and self.kind in (ActionKind.OPEN_PR, ActionKind.UPDATE_PR):
            data["strategy"] = self.patch.strategy.value
            data["files"] = sorted(self.patch.files)
            data["diff"] = self.patch.diff
            data["push"] = self.push or self.kind is ActionKind.OPEN_PR
        if not self.verified:
            data["verified"] = False
        return data


@dataclass(frozen=True, slots=True)
class RemoteIssue:
    """An issue as GitHub listed it (only the fields reconcile looks at)."""

    number: int
    state: str
    body: str
    labels: tuple[str, ...] = ()
    url: str = ""

    @property
    def marker(self) -> dict[str, str]:
        return parse_marker(self.body) or {}

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> RemoteIssue:
        return cls(
            number=int(data["number"]),
            state=str(data.get("state") or "open"),
            body=str(data.get("body") or ""),
            labels=tuple(str(x["name"]) for x in data.get("labels") or [] if isinstance(x, dict)),
            url=str(data.get("html_url") or ""),
        )


@dataclass(frozen=True, slots=True)
class Desired:
    drift: Drift
    issue: Doc
    labels: tuple[str, ...]
    assignees: tuple[str, ...] = ()
    patch: Patch | None = None
    pr: Doc | None = None
    """The PR body; for a new issue it holds ``render.ISSUE_PLACEHOLDER`` for "Closes #N"."""
    reviewers: tuple[str, ...] = ()
    branch: str = ""
    known_pr: int | None = None
    reopen_comment: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def issue_labels(drift: Drift) -> tuple[str, ...]:
    return (TFDRIFT_LABEL, f"severity:{drift.severity.value}", f"kind:{drift.kind.value}")


def merged_labels(remote: Sequence[str], wanted: Sequence[str]) -> tuple[str, ...]:
    """Keep labels people added; replace the ones we manage."""
    kept = [
        label
        for label in remote
        if label != TFDRIFT_LABEL and not label.startswith(MANAGED_LABEL_PREFIXES)
    ]
    return tuple(dict.fromkeys([*wanted, *kept]))


def plan_open(desired: Desired, remote: RemoteIssue | None) -> list[Action]:
    """Actions for one open drift."""
    drift = desired.drift
    actions: list[Action] = []
    doc = desired.issue
    patch_hash = desired.patch.hash if desired.patch is not None else ""
    if remote is None:
        actions.append(
            Action(
                ActionKind.OPEN_ISSUE,
                drift.id,
                title=doc.title,
                body=doc.body,
                labels=desired.labels,
                assignees=desired.assignees,
            )
        )
        changed = True
        previous_patch = ""
    else:
        marker = remote.marker
        previous_patch = marker.get("patch", "")
        labels = merged_labels(remote.labels, desired.labels)
        changed = marker.get("hash") != doc.hash or previous_patch != patch_hash
        labels_changed = set(labels) != set(remote.labels)
        if remote.state != "open":
            actions.append(
                Action(
                    ActionKind.REOPEN_ISSUE,
                    drift.id,
                    number=remote.number,
                    title=doc.title,
                    body=doc.body,
                    labels=labels,
                    comment=desired.reopen_comment,
                )
            )
        elif changed or labels_changed:
            actions.append(
                Action(
                    ActionKind.UPDATE_ISSUE,
                    drift.id,
                    number=remote.number,
                    title=doc.title,
                    body=doc.body if changed else "",
                    labels=labels,
                )
            )
    if desired.patch is not None and desired.pr is not None:
        if desired.known_pr is None:
            actions.append(
                Action(
                    ActionKind.OPEN_PR,
                    drift.id,
                    title=desired.pr.title,
                    body=desired.pr.body,
                    reviewers=desired.reviewers,
                    branch=desired.branch,
                    patch=desired.patch,
                )
            )
        elif changed:
            actions.append(
                Action(
                    ActionKind.UPDATE_PR,
                    drift.id,
                    number=desired.known_pr,
                    title=desired.pr.title,
                    body=desired.pr.body,
                    branch=desired.branch,
                    patch=desired.patch,
                    push=previous_patch != desired.patch.hash,
                )
            )
    return actions


def plan_retired(
    drift: Drift, remote: RemoteIssue, issue_comment: str, pr_comment: str
) -> list[Action]:
    """Actions for a resolved or ignored drift whose issue is still open."""
    if remote.state != "open" or drift.status.is_open:
        return []
    reason = "not_planned" if drift.status is Status.IGNORED else "completed"
    actions = [
        Action(
            ActionKind.CLOSE_ISSUE,
            drift.id,
            number=remote.number,
            comment=issue_comment,
            state_reason=reason,
        )
    ]
    if drift.pr_number is not None:
        actions.append(
            Action(ActionKind.CLOSE_PR, drift.id, number=drift.pr_number, comment=pr_comment)
        )
    return actions
