"""Catalog rows for this service (to be filled)."""

from __future__ import annotations

from tfdrift_gitops.core.catalog.model import Rule

RULES: tuple[Rule, ...] = ()
