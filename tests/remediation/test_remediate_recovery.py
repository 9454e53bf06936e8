"""A KMS key scheduled for deletion is a deletion in progress: recovered in AWS, never applied."""

from __future__ import annotations

from pathlib import Path

from tests.remediation.remediation_cases import make_drift
from tfdrift_gitops.models import Drift, Kind, Severity
from tfdrift_gitops.remediation import remediate
from tfdrift_gitops.remediation.recovery import recovery_commands

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


def _pending(key_id: str = KEY_ID, event: str = "ScheduleKeyDeletion") -> Drift:
    return make_drift(
        "aws_kms_key.logs",
        "aws_kms_key",
        kind=Kind.DELETED,
        severity=Severity.CRITICAL,
        resource_id=key_id,
        event_name=event,
        source="kms.amazonaws.com",
        request={"keyId": key_id, "pendingWindowInDays": 7},
    )


def test_revert_refuses_and_gives_the_recovery_commands(repo: Path, workdir: Path) -> None:
    result = remediate(_pending(), workdir, "revert")
    assert result.files_changed == ()
    assert result.cleanup_commands == (
        f"aws kms cancel-key-deletion --key-id {KEY_ID}",
        f"aws kms enable-key --key-id {KEY_ID}",
    )
    text = " ".join(str(r) for r in result.refusals)
    assert "scheduled for deletion" in text and "create a new resource" in text
    assert "applying it recreates" not in " ".join(result.notes)


def test_import_accepts_the_deletion_and_says_how_to_keep_the_key(
    repo: Path, workdir: Path
) -> None:
    result = remediate(_pending(), workdir, "import")
    assert result.files_changed == ("live/prod/audit.tf",)
    assert "removed {" in result.files["live/prod/audit.tf"]
    assert any("scheduled for deletion, not yet deleted" in n for n in result.notes)


def test_hostile_key_id_is_quoted_for_the_shell() -> None:
    commands = recovery_commands(_pending("k; rm -rf /"))
    assert commands[0] == "aws kms cancel-key-deletion --key-id 'k; rm -rf /'"


def test_an_ordinary_deletion_has_no_recovery_path() -> None:
    assert recovery_commands(_pending(event="DeleteAlias")) == []
    modified = make_drift("aws_kms_key.logs", "aws_kms_key", resource_id=KEY_ID)
    assert recovery_commands(modified) == []
