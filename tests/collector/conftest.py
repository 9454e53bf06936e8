"""Fixtures for the collector tests: a test PKI, a writable copy of a real state, receivers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.collector.pki import Pki, make_pki
from tests.collector.receivers import receivers  # noqa: F401 - fixture

STATE = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "states" / "aws-lab.tfstate"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    """A copy of a real Terraform 1.13 state (16 resources) that tests may rewrite."""
    target = tmp_path / "terraform.tfstate"
    shutil.copyfile(STATE, target)
    return target
