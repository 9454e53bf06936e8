"""Secrets that Terraform keeps in state never reach a drift record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tfdrift_gitops.core.redact import redact_change
from tfdrift_gitops.core.state import sensitive_paths
from tfdrift_gitops.core.state_text import parse_state_text
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
            [{"variables": {"K": "(hidden by CloudTrail)"}}],
            id="env-block-cloudtrail-marker-shown-hidden",
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
        pytest.param(
            "user_data",
            "DB_PASSWORD=hunter2",
            "<sensitiveDataRemoved>",
            "(hidden)",
            "(hidden by CloudTrail)",
            id="cloudtrail-placeholder-is-not-the-new-value",
        ),
        pytest.param(
            "description",
            "hunter2",
            "HIDDEN_DUE_TO_SECURITY_REASONS",
            "(hidden)",
            "(hidden by CloudTrail)",
            id="cloudtrail-hidden-due-to-security-reasons",
        ),
    ],
)
def test_redaction(path: str, before: Any, after: Any, want_before: Any, want_after: Any) -> None:
    redacted = redact_change(Change(path, before, after))
    assert (redacted.before, redacted.after) == (want_before, want_after)
    assert "hunter2" not in repr(redacted)


V1_STATE_FORM = [
    [{"type": "get_attr", "value": "user_data"}],
    [
        {"type": "get_attr", "value": "tags"},
        {"type": "index", "value": {"value": "DbPass", "type": "string"}},
    ],
    [
        {"type": "get_attr", "value": "ebs_block_device"},
        {"type": "index", "value": {"value": 0, "type": "number"}},
        {"type": "get_attr", "value": "kms_key_id"},
    ],
]
MARKER_FORM = {
    "user_data": True,
    "tags": {"DbPass": True},
    "ebs_block_device": [{"kms_key_id": True}],
}


@pytest.mark.parametrize(
    "raw", [pytest.param(V1_STATE_FORM, id="paths"), pytest.param(MARKER_FORM, id="markers")]
)
@pytest.mark.parametrize(
    ("path", "before", "after", "want_before", "want_after"),
    [
        pytest.param(
            "user_data",
            "DB_PASSWORD=hunter2",
            "DB_PASSWORD=hunter3",
            "(hidden)",
            "(hidden, changed)",
            id="whole-attribute",
        ),
        pytest.param(
            "tags",
            {"DbPass": "hunter2", "Name": "api"},
            {"DbPass": "hunter2", "Name": "web"},
            {"DbPass": "(hidden)", "Name": "api"},
            {"DbPass": "(hidden)", "Name": "web"},
            id="one-map-key-only",
        ),
        pytest.param(
            "ebs_block_device[0].kms_key_id",
            "hunter2",
            "hunter2",
            "(hidden)",
            "(hidden)",
            id="under-a-block-unchanged",
        ),
        pytest.param(
            "ebs_block_device",
            [{"kms_key_id": "hunter2", "size": 8}],
            [{"kms_key_id": "other", "size": 8}],
            [{"kms_key_id": "(hidden)", "size": 8}],
            [{"kms_key_id": "(hidden, changed)", "size": 8}],
            id="inside-a-block-list",
        ),
    ],
)
def test_state_sensitive_attributes(
    raw: Any, path: str, before: Any, after: Any, want_before: Any, want_after: Any
) -> None:
    sensitive = sensitive_paths(raw)
    redacted = redact_change(Change(path, before, after), sensitive=sensitive)
    assert (redacted.before, redacted.after) == (want_before, want_after)
    assert "hunter2" not in repr(redacted)


def test_unreadable_sensitive_path_fails_closed() -> None:
    sensitive = sensitive_paths([[{"type": "future_step", "value": 1}]])
    redacted = redact_change(Change("timeout", "hunter2", "x"), sensitive=sensitive)
    assert (redacted.before, redacted.after) == ("(hidden)", "(hidden, changed)")


@pytest.mark.parametrize(
    ("rtype", "path", "before"),
    [
        pytest.param("aws_iam_access_key", "secret", "hunter2", id="top-level"),
        pytest.param(
            "aws_lb_listener",
            "default_action",
            [{"authenticate_oidc": [{"client_secret": "hunter2", "issuer": "i"}]}],
            id="nested-block",
        ),
    ],
)
def test_provider_sensitive_arguments(rtype: str, path: str, before: Any) -> None:
    redacted = redact_change(Change(path, before, None), rtype=rtype)
    assert "hunter2" not in repr(redacted)


STATES = Path(__file__).resolve().parents[1] / "fixtures" / "states"


@pytest.mark.parametrize(
    ("name", "rtype", "expected"),
    [
        # Written by terraform 1.11.4 applying the real AWS provider 5.100.0.
        pytest.param("real-secrets.tfstate", "aws_ssm_parameter", {("value",)}, id="ssm"),
        pytest.param("real-rds.tfstate", "aws_db_instance", {("password",)}, id="rds"),
        # Written by terraform 1.11.4 for: resource "terraform_data" "x" { input = {
        # user_data = sensitive("..."), plain = "p", nested = [{ k = sensitive("v") }] } }
        pytest.param(
            "terraform-1.11-sensitive.tfstate",
            "terraform_data",
            {("input", "user_data"), ("input", "nested", 0, "k")},
            id="nested-index-steps",
        ),
    ],
)
def test_sensitive_attributes_of_real_states(
    name: str, rtype: str, expected: set[tuple[object, ...]]
) -> None:
    text = (STATES / name).read_text()
    parsed = parse_state_text(text, source=name)
    (found,) = [r for r in parsed.resources if r.type == rtype]
    assert set(found.sensitive) == expected
