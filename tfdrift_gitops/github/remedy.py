"""The boundary between reconcile and the remediation module.

Reconcile needs, per drift, a decision (import, revert, or leave it to a person) and, for
import/revert, the edited files and their diff. ``tfdrift_gitops.remediation`` computes those;
this module adapts its result to the small ``Decision``/``Patch`` shape reconcile works with, so
tests and other callers can plug in any ``Remediator`` (a callable ``Drift -> Decision``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from tfdrift_gitops.errors import RemediationError, TfdriftError
from tfdrift_gitops.models import Drift

log = logging.getLogger(__name__)


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
    """Bind ``tfdrift_gitops.remediation`` (default policy + ``remediate``) to a working tree."""
    try:
        from tfdrift_gitops import remediation
    except ModuleNotFoundError as exc:
        if exc.name != "tfdrift_gitops.remediation":
            raise
        log.warning("tfdrift_gitops.remediation is not available: no remediation PRs")
        return manual_only("the remediation module is not installed")
    root = Path(workdir)
    policy = _find_policy(remediation)

    def decide(drift: Drift) -> Decision:
        raw_strategy, reason = policy(drift, config)
        strategy = Strategy(str(getattr(raw_strategy, "value", raw_strategy)))
        if strategy is Strategy.MANUAL:
            return Decision(strategy, reason)
        try:
            remediate: Any = getattr(remediation, "remediate", None)
            if remediate is None:
                return Decision(strategy, reason, None, ("remediation.remediate is missing",))
            result = remediate(drift, root, strategy.value, repo_root=root, config=config)
        except TfdriftError as exc:
            return Decision(strategy, reason, None, (str(exc),))
        return _decision_from_result(strategy, reason, result, root)

    return decide


def _find_policy(module: Any) -> Callable[[Drift, Any], tuple[Any, str]]:
    """The remediation module's default-strategy function, whatever its result shape."""
    for name in ("default_strategy", "choose_strategy", "policy_strategy"):
        function = getattr(module, name, None)
        if callable(function):
            break
    else:
        raise RemediationError(
            "tfdrift_gitops.remediation has no default strategy function "
            "(default_strategy / choose_strategy)"
        )

    def policy(drift: Drift, config: Any) -> tuple[Any, str]:
        try:
            answer = function(drift, config=config)
        except TypeError:
            answer = function(drift)
        if isinstance(answer, tuple):
            return answer[0], str(answer[1]) if len(answer) > 1 else ""
        reason = str(getattr(answer, "reason", "") or "")
        return getattr(answer, "strategy", answer), reason

    return policy


def _decision_from_result(strategy: Strategy, reason: str, result: Any, root: Path) -> Decision:
    files_raw = _first_attr(result, ("files", "new_contents", "contents"), {})
    files: dict[str, str] = {}
    for path, text in dict(files_raw).items():
        rel = Path(path)
        if rel.is_absolute():
            rel = rel.resolve().relative_to(root.resolve())
        files[rel.as_posix()] = str(text)
    diff = str(_first_attr(result, ("diff", "unified_diff"), "") or "")
    notes = tuple(str(n) for n in _first_attr(result, ("explanations", "notes"), ()) or ())
    refusals = tuple(str(r) for r in _first_attr(result, ("refusals", "refused"), ()) or ())
    cleanup = tuple(str(c) for c in _first_attr(result, ("cleanup", "cleanup_commands"), ()) or ())
    if not files:
        return Decision(strategy, reason, None, refusals or ("the remediation changed no file",))
    patch = Patch(strategy, files, diff, notes + refusals, cleanup)
    return Decision(strategy, reason, patch, ())


def _first_attr(obj: Any, names: tuple[str, ...], default: Any) -> Any:
    for name in names:
        if isinstance(obj, Mapping) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return default
