"""Remediation in code: import a manual change into the HCL, or mark the block for revert.

``remediate(drift, workdir, strategy, repo_root=..., config=...)`` returns a
:class:`RemediationResult` (new file contents, unified diff, refusals with what a person should
change, cleanup commands) without writing anything; ``write(result)`` writes it.
"""

from tfdrift_gitops.remediation.api import default_strategy, remediate, write
from tfdrift_gitops.remediation.locate import Workspace
from tfdrift_gitops.remediation.policy import (
    RemediationSettings,
    StrategyDecision,
    choose_strategy,
    parse_remediation_section,
)
from tfdrift_gitops.remediation.result import FileChange, Refusal, RemediationResult

__all__ = [
    "FileChange",
    "Refusal",
    "RemediationResult",
    "RemediationSettings",
    "StrategyDecision",
    "Workspace",
    "choose_strategy",
    "default_strategy",
    "parse_remediation_section",
    "remediate",
    "write",
]
