"""Fixtures for the remediation tests: a fresh fixture repository and terraform (or a skip)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.remediation.remediation_cases import WORKDIR, copy_repo
from tfdrift_gitops.remediation.fmt import terraform_binary


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/remediation/repo with a .git marker: the repository root."""
    return copy_repo(tmp_path / "repo")


@pytest.fixture
def workdir(repo: Path) -> Path:
    return repo / WORKDIR


@pytest.fixture(scope="session")
def terraform() -> str:
    binary = terraform_binary()
    if binary is None:
        pytest.skip("terraform is not installed: cannot check against terraform fmt/console")
    return binary
