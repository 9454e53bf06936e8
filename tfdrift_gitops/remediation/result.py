"""What a remediation produced: new file contents, their diff, and what a person must do.

The GitHub PR builder commits ``files`` (repo-relative path -> full new text) through the API
and shows ``refusals``, ``notes`` and ``cleanup_commands`` in the PR or issue; the CLI prints
``diff`` and writes the files with :func:`tfdrift_gitops.remediation.write`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from tfdrift_gitops.remediation.difftext import unified_diff


@dataclass(frozen=True, slots=True)
class Refusal:
    """Something the remediation would not do, why, and what a person should change."""

    reason: str
    action: str = ""
    path: str = ""
    """The attribute path of the change concerned ("" for the whole resource)."""
    where: str = ""
    """``file:line`` the person should look at, when known."""

    def __str__(self) -> str:
        subject = f"`{self.path}`: " if self.path else ""
        text = f"{subject}{self.reason}"
        if self.where and self.where not in text:
            text += f" ({self.where})"
        if self.action:
            text = text.rstrip() + ("" if text.rstrip().endswith((".", "!", "?")) else ".")
            text += f" What to do: {self.action}"
        return text

    def to_dict(self) -> dict[str, str]:
        return {
            "path": self.path,
            "reason": self.reason,
            "action": self.action,
            "where": self.where,
        }


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    """Relative to the repository root, POSIX separators."""
    old: str | None
    """``None`` for a file the remediation creates."""
    new: str
    origin: tuple[int | None, ...] | None = field(default=None, compare=False, repr=False)
    """For each line of ``new``, the line of ``old`` it still is (anchors the diff)."""

    @property
    def diff(self) -> str:
        return unified_diff(self.path, self.old, self.new, self.origin)


@dataclass(slots=True)
class Outcome:
    """What one strategy produced, before ``api`` makes it a :class:`RemediationResult`."""

    changes: list[FileChange] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cleanup: list[str] = field(default_factory=list)
    expected_plan: dict[str, Any] | None = None
    """What ``terraform plan`` should show for the resource once the change is merged."""


@dataclass(frozen=True, slots=True)
class RemediationResult:
    drift_id: str
    strategy: str
    """``import``, ``revert`` or ``ignore``."""
    address: str
    changes: tuple[FileChange, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    notes: tuple[str, ...] = ()
    cleanup_commands: tuple[str, ...] = ()
    """Shell commands (every argument quoted) for a person to remove unmanaged resources."""
    reason: str = ""
    """Why this strategy was chosen (policy rule or the caller's explicit choice)."""
    repo_root: str = ""
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    expected_plan: Mapping[str, Any] | None = None
    """What ``terraform plan`` should show for the resource once the change is merged:
    ``address``, ``action`` (``no-op``, ``update``, ``replace``, ``create``, ``import``,
    ``forget``) and, by action, ``arguments`` (set back), ``replaced_because`` (arguments that
    force a new resource), ``import_id``."""

    @property
    def files(self) -> Mapping[str, str]:
        """Repo-relative path -> full new text, for committing through an API."""
        return MappingProxyType({c.path: c.new for c in self.changes})

    @property
    def files_changed(self) -> tuple[str, ...]:
        return tuple(c.path for c in self.changes)

    @property
    def diff(self) -> str:
        return "".join(c.diff for c in self.changes)

    @property
    def ok(self) -> bool:
        """Nothing was refused: the patch (possibly empty) is the whole remediation."""
        return not self.refusals

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def cleanup(self) -> tuple[str, ...]:
        return self.cleanup_commands

    def explanation(self) -> str:
        """Plain text for a PR or issue body: refusals, notes and cleanup commands."""
        parts: list[str] = []
        if self.refusals:
            parts.append("Needs a person:")
            parts.extend(f"- {r}" for r in self.refusals)
        if self.notes:
            parts.append("Notes:")
            parts.extend(f"- {n}" for n in self.notes)
        if self.cleanup_commands:
            parts.append("Run by hand to remove the unmanaged resource:")
            parts.extend(f"    {c}" for c in self.cleanup_commands)
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "drift_id": self.drift_id,
            "strategy": self.strategy,
            "address": self.address,
            "reason": self.reason,
            "files": dict(self.files),
            "diff": self.diff,
            "refusals": [r.to_dict() for r in self.refusals],
            "notes": list(self.notes),
            "cleanup_commands": list(self.cleanup_commands),
            "expected_plan": dict(self.expected_plan) if self.expected_plan else None,
        }
