"""Library entry points: ``remediate`` (never writes) and ``write``."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from tfdrift_gitops.errors import RemediationError
from tfdrift_gitops.models import Drift
from tfdrift_gitops.remediation.locate import Workspace, read_exact
from tfdrift_gitops.remediation.policy import (
    StrategyDecision,
    choose_strategy,
    settings_from,
)
from tfdrift_gitops.remediation.result import FileChange, Refusal, RemediationResult
from tfdrift_gitops.remediation.splice import safe_target
from tfdrift_gitops.remediation.strategies import Strategies

log = logging.getLogger(__name__)

STRATEGY_CHOICES = ("import", "revert", "auto")


def default_strategy(drift: Drift, config: Any = None) -> StrategyDecision:
    """The configured default for ``drift`` (``import``, ``revert`` or ``ignore``) and why."""
    return choose_strategy(drift, settings_from(config))


def remediate(
    drift: Drift,
    workdir: Path | str,
    strategy: str = "auto",
    *,
    repo_root: Path | str | None = None,
    config: Any = None,
    workspace: Workspace | None = None,
    use_terraform: bool = True,
) -> RemediationResult:
    """Compute the code change for ``drift``; nothing is written.

    ``strategy`` is ``import``, ``revert`` or ``auto`` (the configured default, which may be
    ``ignore``). ``config`` is the ``remediation`` section (raw mapping or parsed settings) or a
    loaded ``Config``. Pass one ``workspace`` to many calls to parse each file once.
    Problems with the code are reported as refusals in the result; a ``RemediationError`` is
    raised only for unusable arguments (bad workdir, unknown strategy).
    """
    settings = settings_from(config)
    if strategy not in STRATEGY_CHOICES:
        raise RemediationError(f"unknown strategy {strategy!r} (choose import, revert or auto)")
    if strategy == "auto":
        decision = choose_strategy(drift, settings)
    else:
        decision = StrategyDecision(strategy, f"{strategy} was asked for explicitly")
    ws = workspace or Workspace(workdir, repo_root)
    if workspace is not None and Path(workdir).resolve() != ws.workdir:
        raise RemediationError(f"the workspace is for {ws.workdir}, not {workdir}")
    address = drift.resource.address or f"{drift.resource.type}.{drift.resource.id}"
    if decision.strategy == "ignore":
        return RemediationResult(
            drift_id=drift.id,
            strategy="ignore",
            address=address,
            reason=decision.reason,
            notes=(f"ignored by configuration: {decision.reason}",),
            repo_root=str(ws.root),
        )
    outcome = Strategies(ws, settings, use_terraform).run(drift, decision.strategy)
    refusals = list(outcome.refusals)
    if not outcome.changes and not refusals and not outcome.cleanup and not outcome.notes:
        refusals.append(Refusal("nothing to change was found", "inspect the drift by hand"))
    return RemediationResult(
        drift_id=drift.id,
        strategy=decision.strategy,
        address=address,
        changes=tuple(outcome.changes),
        refusals=tuple(refusals),
        notes=tuple(outcome.notes),
        cleanup_commands=tuple(outcome.cleanup),
        reason=decision.reason,
        repo_root=str(ws.root),
        expected_plan=outcome.expected_plan if outcome.changes else None,
    )


def write(
    result: RemediationResult,
    repo_root: Path | str | None = None,
    workspace: Workspace | None = None,
) -> list[Path]:
    """Write the result's files inside the repository root (atomically, one file at a time,
    after checking none changed since the result was computed). Returns the paths written."""
    root = Path(repo_root or result.repo_root)
    if not str(root):
        raise RemediationError("no repository root to write into")
    written = write_result(result, root.resolve())
    if workspace is not None:
        for path in written:
            workspace.forget(path)
    return written


def write_result(result: RemediationResult, root: Path) -> list[Path]:
    """Write the files of ``result`` under ``root``; refuses paths outside it and files that
    changed since the result was computed."""
    written: list[Path] = []
    planned: list[tuple[Path, FileChange]] = []
    for change in result.changes:
        relative = Path(change.path)
        if relative.is_absolute() or ".." in relative.parts:
            raise RemediationError(
                f"refusing to write {change.path}: not a path inside the repository"
            )
        target = safe_target(root / relative, root)
        if change.old is None:
            if target.exists():
                raise RemediationError(
                    f"{change.path} appeared since the patch was computed; run remediate again"
                )
        else:
            try:
                current = read_exact(target)
            except OSError as exc:
                raise RemediationError(f"cannot read {change.path}: {exc.strerror}") from None
            if current != change.old:
                raise RemediationError(
                    f"{change.path} changed since the patch was computed; run remediate again"
                )
        planned.append((target, change))
    for target, change in planned:
        handle, temporary = tempfile.mkstemp(prefix=".tfdrift-", dir=target.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(change.new)
            if target.exists():
                os.chmod(temporary, target.stat().st_mode & 0o7777)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(target)
    return written
