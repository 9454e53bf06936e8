"""Golden tests: drifts applied to the fixture repository.

Each case's full output (strategy, refusals, notes, cleanup commands, diff) must match
``tests/fixtures/remediation/expected/<case>.txt`` (``regenerate.py`` rewrites them). Every file
a case writes must re-parse with python-hcl2, be ``terraform fmt`` clean, and come out the same
without terraform (the built-in alignment is the fallback).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import hcl2
import pytest

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
