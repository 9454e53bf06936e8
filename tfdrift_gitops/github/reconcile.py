"""Carry the plan out on GitHub: issues, remediation PRs, closures. One drift's failure is
recorded and the run goes on.

Call budget (counted by ``GitHubClient.stats``; see ``bench/bench_reconcile.py``):

* per run: one page per 100 open ``tfdrift`` issues; when something is written, the label list
  (once); when a PR is opened, the default branch, its commit and tree (once each); when a new
  PR is considered, the open pull requests and the ``.tf`` files they change;
* per new drift: 1 (issue) + for a remediation PR 4 (tree with inline contents, commit, branch,
  pull) + 1 review request when a login is mapped — at most 6;
* per unchanged drift: nothing. The issue marker carries a hash of the body and of the patch,
  so "did anything change?" is answered from the listing alone.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tfdrift_gitops.errors import GitHubError, NotFoundError, TfdriftError
from tfdrift_gitops.github import markdown as md
from tfdrift_gitops.github.client import ApiError, GitHubClient, RateLimitError
from tfdrift_gitops.github.plan import (
    Action,
    ActionKind,
    Desired,
    RemoteIssue,
    issue_labels,
    plan_open,
    plan_retired,
)
from tfdrift_gitops.github.prscan import is_human_pull, resources_in_pull
from tfdrift_gitops.github.remedy import Decision, Remediator, Strategy
from tfdrift_gitops.github.render import ISSUE_PLACEHOLDER, Renderer, branch_name
from tfdrift_gitops.github.settings import GitHubSettings
from tfdrift_gitops.github.tfblocks import ModuleMap, address_touched, build_module_map
from tfdrift_gitops.models import Drift, Status

log = logging.getLogger(__name__)

LABEL_COLORS = {
    "tfdrift": ("5319e7", "Terraform drift found by tfdrift-gitops"),
    "severity:critical": ("b60205", "Drift severity: critical"),
    "severity:high": ("d93f0b", "Drift severity: high"),
    "severity:medium": ("fbca04", "Drift severity: medium"),
    "severity:low": ("c2e0c6", "Drift severity: low"),
    "kind:modified": ("1d76db", "A managed resource was changed outside Terraform"),
    "kind:unmanaged": ("0e8a16", "A resource was created outside Terraform"),
    "kind:deleted": ("000000", "A managed resource was deleted outside Terraform"),
}
_ABORT_STATUSES = (401,)


class LedgerPort(Protocol):
    """What reconcile needs from the ledger (``tfdrift_gitops.ledger.Ledger`` provides it)."""

    def list_open(self) -> Any: ...

    def get(self, drift_id: str) -> Drift: ...

    def set_github(
        self,
        drift_id: str,
        *,
        issue_number: int | None = None,
        pr_number: int | None = None,
        status: Status | None = None,
    ) -> Drift: ...


@dataclass(slots=True)
class Report:
    drifts: int = 0
    actions: list[Action] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    open_drifts: list[Drift] = field(default_factory=list)
    issue_urls: dict[str, str] = field(default_factory=dict)

    def count(self, kind: ActionKind) -> int:
        return sum(1 for a in self.actions if a.kind is kind)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class _Base:
    branch: str
    sha: str
    tree: str
    blobs: dict[str, str]
    complete: bool


def drifts_of(listing: Any) -> tuple[list[Drift], list[str]]:
    """Drifts and problems of a ledger listing (``Listing`` or a plain iterable)."""
    drifts = list(getattr(listing, "drifts", listing))
    corrupt = [str(c) for c in getattr(listing, "corrupt", ())]
    return drifts, corrupt


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class Reconciler:
    def __init__(
        self,
        client: GitHubClient,
        ledger: LedgerPort,
        renderer: Renderer,
        remediator: Remediator,
        settings: GitHubSettings,
        *,
        workdir: str | Path | None = None,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.renderer = renderer
        self.remediator = remediator
        self.settings = settings
        self.workdir = Path(workdir) if workdir else None
        self._labels: set[str] | None = None
        self._base: _Base | None = None
        self._human_prs: dict[int, set[str]] | None = None
        self._modules: ModuleMap | None = None
        self._issue_number: int | None = None
        self.remediation_errors: list[tuple[str, str]] = []
        """The issue of the drift being worked on (known once it is opened)."""

    # -- the run -------------------------------------------------------------------------------

    def run(self) -> Report:
        report = Report()
        drifts, corrupt = drifts_of(self.ledger.list_open())
        report.errors += [("ledger", c) for c in corrupt]
        report.drifts = len(drifts)
        report.open_drifts = drifts
        remote = self._remote_issues(report)
        open_ids = {d.id for d in drifts}
        for drift in drifts:
            if not self._guard(
                report, drift.id, lambda d=drift: self._open_drift(d, remote, report)
            ):
                return report
        report.errors += self.remediation_errors
        for drift_id, issue in sorted(remote.items()):
            if drift_id in open_ids:
                continue
            if not self._guard(
                report, drift_id, lambda i=drift_id, r=issue: self._retired(i, r, report)
            ):
                return report
        return report

    def _guard(self, report: Report, drift_id: str, work: Any) -> bool:
        """Run one drift's work; record its error. False: stop the run (rate limit, auth)."""
        try:
            work()
        except RateLimitError as exc:
            report.errors.append((drift_id, str(exc)))
            report.errors.append(("run", "stopped early: GitHub rate limit; re-run later"))
            return False
        except ApiError as exc:
            report.errors.append((drift_id, str(exc)))
            if exc.status in _ABORT_STATUSES:
                report.errors.append(("run", "stopped early: GitHub rejected the token"))
                return False
        except TfdriftError as exc:
            report.errors.append((drift_id, str(exc)))
        except (OSError, ValueError, KeyError, TypeError) as exc:  # malformed API answers
            log.debug("drift %s failed", drift_id, exc_info=True)
            report.errors.append((drift_id, f"{type(exc).__name__}: {exc}"))
        return True

    def _remote_issues(self, report: Report) -> dict[str, RemoteIssue]:
        found: dict[str, RemoteIssue] = {}
        for item in self.client.list_issues(label="tfdrift", state="open"):
            if "pull_request" in item:
                continue
            issue = RemoteIssue.from_api(item)
            marker = issue.marker
            drift_id = marker.get("drift")
            if not drift_id or marker.get("kind") != "issue":
                continue
            if not self.client.is_ours(item):
                report.notes.append(
                    f"issue #{issue.number} carries the marker of drift {drift_id} but was not "
                    f"opened by {self.client.identity()}; ignored"
                )
                continue
            if drift_id in found:
                keep = min(found[drift_id].number, issue.number)
                report.notes.append(
                    f"drift {drift_id} has more than one open issue "
                    f"(#{found[drift_id].number}, #{issue.number}); using #{keep}"
                )
                if keep == found[drift_id].number:
                    continue
            found[drift_id] = issue
        return found

    # -- open drifts ---------------------------------------------------------------------------

    def _open_drift(self, drift: Drift, remote: dict[str, RemoteIssue], report: Report) -> None:
        issue = remote.get(drift.id)
        self._issue_number = issue.number if issue is not None else None
        if issue is None and drift.issue_number is not None:
            data = self.client.get_issue(drift.issue_number)
            if data is not None and "pull_request" not in data and self.client.is_ours(data):
                candidate = RemoteIssue.from_api(data)
                if candidate.marker.get("drift") == drift.id:
                    issue = candidate
                    self._issue_number = issue.number
        desired = self.desired(drift, issue)
        for action in plan_open(desired, issue):
            self._execute(action, drift, desired, report)
        if issue is not None:
            report.issue_urls[drift.id] = issue.url
            if drift.issue_number != issue.number:
                self.ledger.set_github(drift.id, issue_number=issue.number)

    def desired(self, drift: Drift, issue: RemoteIssue | None, *, offline: bool = False) -> Desired:
        decision = self._decide(drift)
        patch = decision.patch
        blocked: list[int] = []
        if patch is not None and drift.pr_number is None and not offline:
            blocked = self._blocking_pulls(drift)
        if blocked:
            patch = None
        login = self.settings.login_for(drift.actor)
        issue_ref = f"#{issue.number}" if issue is not None else ISSUE_PLACEHOLDER
        return Desired(
            drift=drift,
            issue=self.renderer.issue(drift, decision, blocked),
            labels=issue_labels(drift),
            assignees=(login,) if login else (),
            patch=patch,
            pr=self.renderer.pull(drift, patch, issue_ref) if patch is not None else None,
            reviewers=(login,) if login else (),
            branch=branch_name(drift.id),
            known_pr=drift.pr_number,
            reopen_comment=(
                f"Reopened by tfdrift-gitops: drift `{drift.id}` is still open "
                f"(latest event {drift.event.time:%Y-%m-%d %H:%M} UTC)."
            ),
        )

    def _decide(self, drift: Drift) -> Decision:
        """The remediator is a plug-in: whatever it raises costs this drift its PR, not the
        run; the error is reported and the issue still opened."""
        try:
            return self.remediator(drift)
        except Exception as exc:  # an isolation boundary, on purpose
            log.warning("remediation of %s failed", drift.id, exc_info=True)
            message = f"remediation failed: {type(exc).__name__}: {exc}"
            self.remediation_errors.append((drift.id, message))
            return Decision(Strategy.MANUAL, "remediation failed", None, (message,))

    def _blocking_pulls(self, drift: Drift) -> list[int]:
        if self._human_prs is None:
            modules = self._module_map()
            self._human_prs = {}
            for pull in self.client.list_open_pulls():
                if is_human_pull(pull):
                    number = int(pull["number"])
                    self._human_prs[number] = resources_in_pull(self.client, pull, modules)
        address = drift.resource.address
        if not address:
            return []
        return sorted(
            n for n, touched in self._human_prs.items() if address_touched(address, touched)
        )

    def _module_map(self) -> ModuleMap:
        if self._modules is None:
            self._modules = (
                build_module_map(self.workdir) if self.workdir else ModuleMap(prefixes={})
            )
        return self._modules

    # -- retired drifts ------------------------------------------------------------------------

    def _retired(self, drift_id: str, issue: RemoteIssue, report: Report) -> None:
        try:
            drift = self.ledger.get(drift_id)
        except NotFoundError:
            report.notes.append(
                f"issue #{issue.number}: drift {drift_id} is not in the ledger; left open"
            )
            return
        if drift.status.is_open:
            return
        actions = plan_retired(
            drift,
            issue,
            self.renderer.resolved(drift, "issue"),
            self.renderer.resolved(drift, "pr"),
        )
        for action in actions:
            self._execute(action, drift, None, report)

    # -- executing actions ---------------------------------------------------------------------

    def _execute(
        self, action: Action, drift: Drift, desired: Desired | None, report: Report
    ) -> None:
        kind = action.kind
        if kind is ActionKind.OPEN_ISSUE:
            self._ensure_labels(action.labels)
            try:
                data = self.client.create_issue(
                    action.title, action.body, list(action.labels), list(action.assignees)
                )
            except ApiError as exc:
                if exc.status != 422 or not action.assignees:
                    raise
                # The mapped login cannot be assigned (not a collaborator): open it anyway.
                report.notes.append(f"drift {drift.id}: could not assign {action.assignees[0]}")
                data = self.client.create_issue(action.title, action.body, list(action.labels), [])
            number = int(data["number"])
            report.issue_urls[drift.id] = str(data.get("html_url") or "")
            status = Status.ISSUE_OPENED if drift.status is Status.OPEN else None
            self.ledger.set_github(drift.id, issue_number=number, status=status)
            self._issue_number = number
        elif kind is ActionKind.UPDATE_ISSUE:
            self._ensure_labels(action.labels)
            fields: dict[str, Any] = {"labels": list(action.labels)}
            if action.body:
                fields.update(title=action.title, body=action.body)
            assert action.number is not None
            self.client.edit_issue(action.number, **fields)
            self._issue_number = action.number
        elif kind is ActionKind.REOPEN_ISSUE:
            assert action.number is not None
            self._ensure_labels(action.labels)
            self.client.edit_issue(
                action.number,
                state="open",
                title=action.title,
                body=action.body,
                labels=list(action.labels),
            )
            self.client.create_comment(action.number, action.comment)
            self._issue_number = action.number
        elif kind is ActionKind.CLOSE_ISSUE:
            assert action.number is not None
            self.client.create_comment(action.number, action.comment)
            self.client.edit_issue(action.number, state="closed", state_reason=action.state_reason)
        elif kind is ActionKind.OPEN_PR:
            self._open_pr(action, drift, report)
        elif kind is ActionKind.UPDATE_PR:
            self._update_pr(action, drift, report)
        elif kind is ActionKind.CLOSE_PR:
            self._close_pr(action, report)
        report.actions.append(action)

    def _ensure_labels(self, labels: Iterable[str]) -> None:
        wanted = [label for label in labels if label in LABEL_COLORS]
        if self._labels is not None and all(label in self._labels for label in wanted):
            return
        if self._labels is None:
            self._labels = self.client.list_labels()
        for label in wanted:
            if label not in self._labels:
                color, description = LABEL_COLORS[label]
                self.client.create_label(label, color, description)
                self._labels.add(label)

    def _base_commit(self) -> _Base:
        if self._base is None:
            branch = self.client.default_branch()
            sha = self.client.get_branch_sha(branch)
            if sha is None:
                raise GitHubError(f"default branch {branch!r} has no commit")
            tree = self.client.get_commit_tree(sha)
            blobs, truncated = self.client.get_tree_blobs(tree) if self.workdir else ({}, True)
            self._base = _Base(branch, sha, tree, blobs, not truncated)
        return self._base

    def _check_workdir(self, base: _Base, files: Iterable[str]) -> None:
        """The patch was computed from the working tree: it must be the default branch's
        version of each file, or the PR would silently undo someone else's commit."""
        if self.workdir is None or not base.complete:
            return
        for path in files:
            local = self.workdir / path
            local_sha = git_blob_sha(local.read_bytes()) if local.is_file() else None
            if local_sha != base.blobs.get(path):
                raise GitHubError(
                    f"{path}: the working tree differs from {base.branch} at {base.sha[:12]}; "
                    f"run reconcile on a checkout of the default branch"
                )

    def _commit_patch(self, action: Action, drift: Drift, base: _Base) -> str:
        assert action.patch is not None
        tree = self.client.create_tree(base.tree, action.patch.files)
        address = drift.resource.address or f"{drift.resource.type}.{drift.resource.id}"
        # The address is a value (an unmanaged resource's id comes from CloudTrail): one plain
        # line as in titles, so it cannot add paragraphs or trailers, or "fixes #1" an issue.
        message = (
            f"tfdrift: {action.patch.strategy.value} manual change to {md.title(address)}\n\n"
            f"Drift {drift.id}, patch {action.patch.hash}. Made by tfdrift-gitops."
        )
        return self.client.create_commit(message, tree, [base.sha])

    def _open_pr(self, action: Action, drift: Drift, report: Report) -> None:
        assert action.patch is not None
        issue_number = self._issue_number or drift.issue_number
        if issue_number is None:
            raise GitHubError(f"drift {drift.id}: no issue to link the pull request to")
        base = self._base_commit()
        self._check_workdir(base, action.patch.files)
        commit = self._commit_patch(action, drift, base)
        body = action.body.replace(ISSUE_PLACEHOLDER, f"#{issue_number}")
        try:
            self.client.create_branch(action.branch, commit)
        except ApiError as exc:
            if exc.status != 422:
                raise
            # The branch exists: an earlier run opened the PR but did not record it.
            existing = [
                p
                for p in self.client.find_pulls(action.branch)
                if p.get("state") == "open" and self.client.is_ours(p)
            ]
            self.client.move_branch(action.branch, commit)
            if existing:
                number = int(existing[0]["number"])
                self.client.edit_pull(number, title=action.title, body=body)
                self.ledger.set_github(drift.id, pr_number=number, status=Status.PR_OPENED)
                return
        pull = self.client.create_pull(action.title, body, action.branch, base.branch)
        number = int(pull["number"])
        if action.reviewers:
            try:
                self.client.request_review(number, list(action.reviewers))
            except ApiError as exc:
                if exc.status != 422:
                    raise
                report.notes.append(
                    f"PR #{number}: cannot request review from {action.reviewers[0]}"
                )
        self.ledger.set_github(drift.id, pr_number=number, status=Status.PR_OPENED)

    def _update_pr(self, action: Action, drift: Drift, report: Report) -> None:
        assert action.number is not None
        assert action.patch is not None
        pull = self.client.get_pull(action.number)
        if pull is None or pull.get("state") != "open":
            report.notes.append(f"PR #{action.number} for drift {drift.id} is closed; not updated")
            return
        if action.push:
            base = self._base_commit()
            self._check_workdir(base, action.patch.files)
            commit = self._commit_patch(action, drift, base)
            self.client.move_branch(action.branch, commit)
        issue_number = self._issue_number or drift.issue_number
        body = action.body.replace(ISSUE_PLACEHOLDER, f"#{issue_number}")
        self.client.edit_pull(action.number, title=action.title, body=body)

    def _close_pr(self, action: Action, report: Report) -> None:
        assert action.number is not None
        pull = self.client.get_pull(action.number)
        if pull is None or pull.get("state") != "open":
            return
        self.client.create_comment(action.number, action.comment)
        self.client.edit_pull(action.number, state="closed")
        head = pull.get("head") or {}
        ref = str(head.get("ref") or "")
        same_repo = str((head.get("repo") or {}).get("full_name") or "") == self.client.repo
        if ref.startswith("tfdrift/") and same_repo:
            self.client.delete_branch(ref)


def plan_offline(
    ledger: Any, renderer: Renderer, remediator: Remediator, settings: GitHubSettings
) -> list[Action]:
    """``--dry-run``: the plan from the ledger alone, calling nothing. Issues the ledger knows are
    assumed to exist (their actions are marked ``verified: false``)."""
    reconciler = Reconciler(None, ledger, renderer, remediator, settings)  # type: ignore[arg-type]
    drifts, _ = drifts_of(ledger.list_open())
    actions: list[Action] = []
    for drift in drifts:
        remote = (
            RemoteIssue(drift.issue_number, "open", "") if drift.issue_number is not None else None
        )
        desired = reconciler.desired(drift, remote, offline=True)
        for action in plan_open(desired, remote):
            actions.append(_unverified(action) if remote is not None else action)
    if hasattr(ledger, "list"):
        retired, _ = drifts_of(ledger.list([Status.RESOLVED, Status.IGNORED]))
        for drift in retired:
            if drift.issue_number is None:
                continue
            remote = RemoteIssue(drift.issue_number, "open", "")
            for action in plan_retired(
                drift, remote, renderer.resolved(drift, "issue"), renderer.resolved(drift, "pr")
            ):
                actions.append(_unverified(action))
    return actions


def _unverified(action: Action) -> Action:
    from dataclasses import replace

    return replace(action, verified=False)


def severity_order(drifts: Iterable[Drift]) -> list[Drift]:
    return sorted(drifts, key=lambda d: (-d.severity.rank, d.id))


__all__ = ["Reconciler", "Report", "plan_offline", "severity_order"]
