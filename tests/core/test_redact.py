"""Secrets that Terraform keeps in state never reach a drift record."""

from __future__ import annotations

from typing import Any

import pytest

from tfdrift_gitops.core.redact import redact_change
from tfdrift_gitops.models import Change


@pytest.mark.parametrize(
    ("path", "before", "after", "want_before", "want_after"),
    [
        pytest.param(
            "environment[0].variables",
            {"DB_PASS": "hunter2", "A": "1"},
            {"DB_PASS": "hunter2", "A": "2", "B": "x"},
            {"DB_PASS": "(hidden)", "A": "(hidden)"},
            {"DB_PASS": "(hidden)", "A": "(hidden, changed)", "B": "(hidden, changed)"},
            id="env-map-keys-kept-values-masked",
        ),
        pytest.param(
            "environment",
            [{"variables": {"K": "secret"}}],
            [{"variables": {"K": "<sensitiveDataRemoved>"}}],
            [{"variables": {"K": "(hidden)"}}],
            [{"variables": {"K": "<sensitiveDataRemoved>"}}],
            id="env-block-cloudtrail-marker-kept",
        ),
        pytest.param(
            "password", "old-secret", "new-secret", "(hidden)", "(hidden, changed)", id="password"
        ),
        pytest.param(
            "master_password",
            None,
            "s3cr3t",
            None,
            "(hidden, changed)",
            id="password-set-first-time",
        ),
        pytest.param("timeout", 30, 300, 30, 300, id="ordinary-attribute-untouched"),
    ],
)
def test_redaction(path: str, before: Any, after: Any, want_before: Any, want_after: Any) -> None:
    redacted = redact_change(Change(path, before, after))
    assert (redacted.before, redacted.after) == (want_before, want_after)
    assert "hunter2" not in repr(redacted)
