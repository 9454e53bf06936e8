"""Severity checks shared by resource policies (SQS queues, SNS topics, Secrets Manager).

A policy that opens the resource to any principal without a condition is critical; one that
grants everything or a whole service on every resource is high. Reasons name the statement.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.catalog.model import Extractor, SeverityCheck
from tfdrift_gitops.core.catalog.policydoc import public_grant, service_wide_grant
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.models import CloudEvent, Severity


def policy_checks(document: Extractor, what: str) -> tuple[SeverityCheck, ...]:
    """Checks over the policy ``document`` extracts from the call (``what`` names it)."""

    def public(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
        doc = document(event)
        if doc is MISSING or doc is None:
            return None
        why = public_grant(doc)
        return (Severity.CRITICAL, f"the {what} {why}") if why else None

    def wide(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
        doc = document(event)
        if doc is MISSING or doc is None:
            return None
        why = service_wide_grant(doc)
        return (Severity.HIGH, f"the {what}: {why}") if why else None

    return (public, wide)
