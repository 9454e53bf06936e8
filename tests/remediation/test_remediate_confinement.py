"""remediate stays in the repository and prints nothing raw, whatever the paths look like."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.remediation.remediation_cases import (
    WORKDIR,
    copy_repo,
    corpus_drift,
    corpus_record,
    state_resource,
)
from tfdrift_gitops.cli import cli
from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.errors import CorruptRecordError, NotFoundError
from tfdrift_gitops.ledger import layout, open_ledger
from tfdrift_gitops.models import Drift

RDS_STATE = state_resource(
    "aws_db_instance",
    "main",
    {
        "id": "db-ABCDEFGHIJKLMNOP",
        "identifier": "production-mysql",
        "arn": "arn:aws:rds:us-east-1:123456789012:db:production-mysql",
        "deletion_protection": True,
    },
)


def _drift() -> Drift:
    record = corpus_record("ModifyDBInstance", "RDS Instance Deletion Protection Disabled")
    return corpus_drift(record, [RDS_STATE])


def _remediate(drift: Drift, workdir: Path, tmp_path: Path, *extra: str) -> Any:
    records = tmp_path / "drifts.jsonl"
    records.write_text(json.dumps(drift_to_record(drift)) + "\n")
    args = ["remediate", drift.id, "--record", str(records), "--workdir", str(workdir)]
    return CliRunner().invoke(cli, [*args, "--strategy", "import", *extra])


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in root.rglob("*.tf")}


def test_a_workdir_linked_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    outside = tmp_path / "outside"
    shutil.copytree(repo, outside)
    shutil.rmtree(outside / ".git")  # no repository there: it used to become its own root
    link = repo / "linked"
    link.symlink_to(outside / WORKDIR, target_is_directory=True)
    before = _tree(outside)

    result = _remediate(_drift(), link, tmp_path)
    assert result.exit_code != 0
    assert "outside the repository" in result.stderr
    assert _tree(outside) == before  # nothing written outside

    # The same workdir named by its own path inside the repository is fine.
    inside = _remediate(_drift(), repo / WORKDIR, tmp_path)
    assert inside.exit_code == 0, inside.stderr


def test_file_names_in_the_summary_are_escaped(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    workdir = repo / WORKDIR
    hostile = "data\x1b]0;owned\x07base.tf"
    (workdir / "database.tf").rename(workdir / hostile)
    result = _remediate(_drift(), workdir, tmp_path)
    assert result.exit_code == 0, result.stderr
    assert (workdir / hostile).exists()
    assert "\x1b" not in result.stdout + result.stderr
    assert "\\x1b]0;owned" in result.stdout + result.stderr


@pytest.mark.parametrize("suffix", ["\n", "\r\n", " ", "\x00"])
def test_drift_ids_are_matched_whole(tmp_path: Path, suffix: str) -> None:
    store = open_ledger(str(tmp_path / "ledger"))
    drift_id = "d-0123456789abcdef"
    with pytest.raises(NotFoundError, match="is not a drift id"):
        store.get(drift_id + suffix)
    entry = {
        "schema": layout.INDEX_SCHEMA,
        "claim": drift_id + suffix,
        "drift_id": drift_id,
        "rk": "0" * 32,
        "event_id": "e",
    }
    with pytest.raises(CorruptRecordError, match="bad claim"):
        layout.decode_index(json.dumps(entry).encode(), "index/x.json")
