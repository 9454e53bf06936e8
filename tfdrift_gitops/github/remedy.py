"""The boundary between reconcile and the remediation module.

Reconcile needs, per drift, a decision (import, revert, or leave it to a person) and, for
import/revert, the edited files and their diff. ``tfdrift_gitops.remediation`` computes those;
this module adapts its result to the small ``Decision``/``Patch`` shape reconcile works with, so
tests and other callers can plug in any ``Remediator`` (a callable ``Drift -> Decision``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from tfdrift_gitops.errors import TfdriftError
from tfdrift_gitops.models import Drift


class Strategy(StrEnum):
    IMPORT = "import"
    REVERT = "revert"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class Patch:
    """Edited files (repo-relative POSIX path -> full new text) and their unified diff."""

    strategy: Strategy
    files: Mapping[str, str]
    diff: str
    notes: tuple[str, ...] = ()
    cleanup: tuple[str, ...] = ()

    @property
    def hash(self) -> str:
        """Identity of the change itself: re-runs push a new commit only when this differs."""
        digest = hashlib.sha256(self.strategy.value.encode())
        for path in sorted(self.files):
            digest.update(b"\0" + path.encode() + b"\0" + self.files[path].encode())
        return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Decision:
    strategy: Strategy
    reason: str
    patch: Patch | None = None
    problems: tuple[str, ...] = field(default=())
    """Why no patch could be made although the policy asked for one (shown in the issue)."""


Remediator = Callable[[Drift], Decision]


def manual_only(reason: str = "no remediation configured") -> Remediator:
    """A remediator that never proposes code (``reconcile`` without ``--workdir``)."""

    def decide(drift: Drift) -> Decision:
        return Decision(Strategy.MANUAL, reason)

    return decide


def module_remediator(workdir: str | Path, config: Any) -> Remediator:
    """Bind ``tfdrift_gitops.remediation`` (configured default strategy + ``remediate``) to a
    working tree. One ``Workspace`` is shared by all drifts of a run, so each file is parsed
    once. A result with file changes becomes a patch (its refusals shown as things to check);
    one without becomes the reasons no PR could be prepared."""
    from tfdrift_gitops.remediation.api import default_strategy, remediate
    from tfdrift_gitops.remediation.locate import Workspace

    root = Path(workdir)
    workspace = Workspace(root, root)

    def decide(drift: Drift) -> Decision:
        chosen = default_strategy(drift, config)
        if chosen.strategy not in (Strategy.IMPORT.value, Strategy.REVERT.value):
            return Decision(Strategy.MANUAL, f"{chosen.strategy}: {chosen.reason}")
        strategy = Strategy(chosen.strategy)
        try:
            result = remediate(
                drift, root, strategy.value, repo_root=root, config=config, workspace=workspace
            )
        except TfdriftError as exc:
            return Decision(strategy, chosen.reason, None, (str(exc),))
        return decision_from_result(strategy, chosen.reason, result)

    return decide


def decision_from_result(strategy: Strategy, reason: str, result: Any) -> Decision:
    """Adapt a ``remediation.RemediationResult`` (files, diff, refusals, notes, cleanup)."""
    refusals = tuple(str(r) for r in result.refusals)
    notes = tuple(str(n) for n in result.notes)
    cleanup = tuple(str(c) for c in result.cleanup_commands)
    files = {str(path): str(text) for path, text in dict(result.files).items()}
    if not files:
        problems = refusals + notes + tuple(f"Run by hand: {c}" for c in cleanup)
        return Decision(strategy, reason, None, problems or ("the remediation changed no file",))
    return Decision(
        strategy, reason, Patch(strategy, files, str(result.diff), refusals + notes, cleanup)
    )
