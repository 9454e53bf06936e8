"""Values CloudTrail hides (parameter values, secret strings, Lambda environment values).

A hidden value is never claimed equal to what state holds, so the change is reported, not
dropped; and no later call can prove it undone. A hidden value written by Terraform itself is
taken to be Terraform's own value (equal to whatever state holds), so a Terraform revert still
resolves the drift. Remediation never writes either marker into code (``REDACTED_VALUES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog.model import Extractor
from tfdrift_gitops.core.catalog.support import HIDDEN, made_by_iac
from tfdrift_gitops.core.paths import MISSING, set_path
from tfdrift_gitops.models import CloudEvent

TERRAFORM_HIDDEN = "<sensitiveDataRemoved; written by Terraform>"
"""A hidden value written by Terraform: taken to equal whatever Terraform holds."""

CLOUDTRAIL_MARKERS = frozenset({HIDDEN, "HIDDEN_DUE_TO_SECURITY_REASONS"})


class Unknowable:
    """A value CloudTrail hid: equal to nothing, not even another hidden value."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return id(self)


class AnyValue:
    """Terraform's own hidden value: equal to whatever state holds."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0


def hidden_marker(event: CloudEvent) -> str:
    """What a hidden value a call set becomes: Terraform's own value when Terraform made the
    call, else a value equal to nothing."""
    return TERRAFORM_HIDDEN if made_by_iac(event) else HIDDEN


def hidden_compare(value: Any) -> Any:
    """Comparer for a scalar CloudTrail may hide."""
    if value == TERRAFORM_HIDDEN:
        return AnyValue()
    if isinstance(value, str) and value in CLOUDTRAIL_MARKERS:
        return Unknowable()
    return None if value in (None, "") else value


def carries(extractor: Extractor) -> Any:
    """Predicate: the call names the field (hidden or not): for ``Target.hidden``."""

    def check(event: CloudEvent) -> bool:
        value = extractor(event)
        return value is not MISSING and value is not None

    return check


@dataclass(frozen=True, slots=True)
class HiddenValue:
    """``path`` became a value the call names but CloudTrail does not show."""

    path: str
    value: Extractor

    def compare(self, value: Any) -> Any:
        return hidden_compare(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        new = self.value(event)
        if new is MISSING or new is None:
            return False
        set_path(attrs, self.path, hidden_marker(event))
        return True
