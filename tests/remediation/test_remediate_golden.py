"""Golden tests: drifts applied to the fixture repository.

Each case's full output (strategy, refusals, notes, cleanup commands, diff) must match
``tests/fixtures/remediation/expected/<case>.txt`` (``regenerate.py`` rewrites them). Every file
a case writes must re-parse with python-hcl2, be ``terraform fmt`` clean, and come out the same
without terraform (the built-in alignment is the fallback), and mean what it should: each
attribute an import wrote reads back (``terraform console``, python-hcl2) as the drift's
observed value, and a revert or a refusal leaves the code's meaning untouched.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import hcl2
import pytest

from tests.remediation.meaning import check_meaning
from tests.remediation.remediation_cases import CASES, Case, expected_path, render, run_case
from tfdrift_gitops.remediation import RemediationResult

PARAMS = [pytest.param(case, id=case.id) for case in CASES]


def _fmt_check(terraform: str, text: str) -> str:
    done = subprocess.run(
        [terraform, "fmt", "-"],
        input=text,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull},
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("case", PARAMS)
def test_matches_golden_file(case: Case, repo: Path, terraform: str) -> None:
    result = run_case(case, repo)
    expected = expected_path(case)
    assert expected.exists(), f"missing {expected}: run tests/fixtures/remediation/regenerate.py"
    assert render(case, result) == expected.read_text(encoding="utf-8")
    _check_files(result, terraform)


def _check_files(result: RemediationResult, terraform: str) -> None:
    for change in result.changes:
        hcl2.loads(change.new)  # python-hcl2's whole pipeline accepts it
        assert _fmt_check(terraform, change.new) == change.new, f"{change.path} not fmt clean"
        if change.old is not None:
            old_lines = change.old.splitlines()
            new_lines = change.new.splitlines()
            # Comments survive: every comment line of the old file is still there, except
            # those a case removes together with the block they describe.
            kept = [line for line in old_lines if line.strip().startswith(("#", "//", "/*"))]
            missing = [line for line in kept if line not in new_lines]
            assert len(missing) <= 1, missing


@pytest.mark.parametrize("case", PARAMS)
def test_same_output_without_terraform(case: Case, repo: Path) -> None:
    """The alignment fallback produces exactly what terraform fmt would."""
    result = run_case(case, repo, use_terraform=False)
    assert render(case, result) == expected_path(case).read_text(encoding="utf-8")


@pytest.mark.parametrize("case", PARAMS)
def test_patched_code_means_the_observed_values(
    case: Case, repo: Path, terraform: str, tmp_path: Path
) -> None:
    check_meaning(case.build(), run_case(case, repo), terraform, tmp_path)


def _tampered(result: RemediationResult, old: str, new: str) -> RemediationResult:
    """The result with one edit of its own made wrong, as a buggy writer would."""
    [change] = [c for c in result.changes if old in c.new]
    changes = tuple(
        replace(c, new=c.new.replace(old, new, 1)) if c is change else c for c in result.changes
    )
    return replace(result, changes=changes)


@pytest.mark.parametrize(
    ("case_id", "old", "new", "message"),
    [
        pytest.param(
            "rds_storage_and_instance_class",
            "allocated_storage     = 22",
            "allocated_storage     = 23",
            "allocated_storage: Terraform reads 23",
            id="wrong-number",
        ),
        pytest.param(
            "rds_storage_and_instance_class",
            "backup_retention_period = local.backup_days",
            "backup_retention_period = 7",
            "backup_retention_period was refused but its code changed",
            id="refused-path-written",
        ),
        pytest.param(
            "unmanaged_bucket_hostile_values",
            'Exfil      = "$${file',
            'Exfil      = "$$${file',
            "tags: Terraform reads",
            id="escape-off-by-one",
        ),
        pytest.param(
            "sg_tags_changed",
            'CostCenter = "cc-42"',
            'CostCenter = "cc-43"',
            "tags: Terraform reads",
            id="wrong-tag",
        ),
        pytest.param(
            "corpus_rds_deletion_protection_revert",
            "deletion_protection = true",
            "deletion_protection = false",
            "live/prod/database.tf",
            id="revert-changes-a-value",
        ),
    ],
)
def test_a_patch_that_means_something_else_is_caught(
    case_id: str, old: str, new: str, message: str, repo: Path, terraform: str, tmp_path: Path
) -> None:
    """The meaning checks above fail for a wrong value: they are not vacuous."""
    [case] = [c for c in CASES if c.id == case_id]
    result = _tampered(run_case(case, repo), old, new)
    with pytest.raises(AssertionError, match=re.escape(message)):
        check_meaning(case.build(), result, terraform, tmp_path)
