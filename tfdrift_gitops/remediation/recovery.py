"""Deletions AWS only schedules (a KMS key's waiting period): recovered in AWS, never applied.

Terraform already treats such a resource as gone, so an apply would create a new one (a new
KMS key cannot decrypt what the old one encrypted). The catalog row that scheduled the delete
names the commands that undo it.
"""

from __future__ import annotations

import logging
import shlex

from tfdrift_gitops.models import Drift, Kind

log = logging.getLogger(__name__)


def recovery_commands(drift: Drift) -> list[str]:
    """The commands that cancel ``drift``'s scheduled deletion; empty when it is not one."""
    if drift.kind is not Kind.DELETED or not drift.resource.id:
        return []
    try:
        from tfdrift_gitops.core.catalog import Catalog

        catalog = Catalog.default()
    except (ImportError, ValueError) as exc:  # remediation works without the catalog
        log.debug("catalog unavailable for recovery commands: %s", exc)
        return []
    for event in reversed((*drift.events, drift.event)):
        rule = catalog.get(event.name, event.source)
        if rule is not None and rule.recovery:
            key = shlex.quote(drift.resource.id)
            return [template.replace("{id}", key) for template in rule.recovery]
    return []
