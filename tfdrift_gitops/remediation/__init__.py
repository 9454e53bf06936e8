"""Remediation in code: import a manual change into the HCL, or mark the block for revert.

``remediate(drift, workdir, strategy, repo_root=..., config=...)`` returns a
:class:`RemediationResult` (new file contents, unified diff, refusals with what a person should
change, cleanup commands) without writing anything; ``write(result)`` writes it.

Names are imported on first use, so that loading ``.tfdrift.yml`` (which validates the
``remediation`` section through ``policy``) does not pull in the HCL parser.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tfdrift_gitops.remediation.api import default_strategy as default_strategy
    from tfdrift_gitops.remediation.api import remediate as remediate
    from tfdrift_gitops.remediation.api import write as write
    from tfdrift_gitops.remediation.locate import Workspace as Workspace
    from tfdrift_gitops.remediation.policy import RemediationSettings as RemediationSettings
    from tfdrift_gitops.remediation.policy import StrategyDecision as StrategyDecision
    from tfdrift_gitops.remediation.policy import choose_strategy as choose_strategy
    from tfdrift_gitops.remediation.policy import (
        parse_remediation_section as parse_remediation_section,
    )
    from tfdrift_gitops.remediation.result import FileChange as FileChange
    from tfdrift_gitops.remediation.result import Refusal as Refusal
    from tfdrift_gitops.remediation.result import RemediationResult as RemediationResult

_EXPORTS = {
    "default_strategy": "api",
    "remediate": "api",
    "write": "api",
    "Workspace": "locate",
    "RemediationSettings": "policy",
    "StrategyDecision": "policy",
    "choose_strategy": "policy",
    "parse_remediation_section": "policy",
    "FileChange": "result",
    "Refusal": "result",
    "RemediationResult": "result",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
