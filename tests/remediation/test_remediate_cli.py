"""``tfdrift-gitops remediate``: a drift from the ledger (local and S3) or a record file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.remediation.remediation_cases import (
    corpus_drift,
    corpus_record,
    make_drift,
    state_resource,
)
from tfdrift_gitops.cli import cli
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.core.state import StateIndex, parse_state
from tfdrift_gitops.ledger import open_ledger
from tfdrift_gitops.models import Drift, Kind

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
RDS_RECORD = ("ModifyDBInstance", "RDS Instance Deletion Protection Disabled")


def _run(args: list[str], cwd: Path) -> Any:
    """Invoke the CLI from a scratch directory under ``cwd`` (no .tfdrift.yml around)."""
    scratch = Path(tempfile.mkdtemp(dir=cwd))
    previous = Path.cwd()
    os.chdir(scratch)
    try:
        return CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(previous)


def _record_file(tmp_path: Path, *drifts: Drift) -> Path:
    path = tmp_path / "drifts.jsonl"
    path.write_text("".join(json.dumps(drift_to_record(d)) + "\n" for d in drifts))
    return path


def _rds_drift() -> Drift:
    return corpus_drift(corpus_record(*RDS_RECORD), [RDS_STATE])


def test_dry_run_prints_the_diff_and_writes_nothing(workdir: Path, tmp_path: Path) -> None:
    drift = _rds_drift()
    before = (workdir / "database.tf").read_text()
    result = _run(
        [
            "remediate",
            drift.id,
            "--record",
            str(_record_file(tmp_path, drift)),
            "--workdir",
            str(workdir),
            "--strategy",
            "import",
            "--dry-run",
        ],
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    assert "-  deletion_protection = true\n+  deletion_protection = false\n" in result.stdout
    assert "dry run, would change live/prod/database.tf" in result.stderr
    assert (workdir / "database.tf").read_text() == before


def test_write_is_the_default(workdir: Path, tmp_path: Path) -> None:
    drift = _rds_drift()
    result = _run(
        [
            "remediate",
            drift.id,
            "--record",
            str(_record_file(tmp_path, drift)),
            "--workdir",
            str(workdir),
            "--strategy",
            "import",
        ],
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    assert "deletion_protection = false" in (workdir / "database.tf").read_text()
    assert "wrote live/prod/database.tf" in result.stderr


def test_refusal_exits_8_and_writes_nothing_unless_partial(workdir: Path, tmp_path: Path) -> None:
    drift = make_drift(
        "aws_db_instance.main",
        "aws_db_instance",
        [("deletion_protection", True, False), ("instance_class", "db.r6g.large", "db.r6g.xlarge")],
        drift_id="d-00000000000000c3",
    )
    records = str(_record_file(tmp_path, drift))
    before = (workdir / "database.tf").read_text()
    args = [
        "remediate",
        drift.id,
        "--record",
        records,
        "--workdir",
        str(workdir),
        "--strategy",
        "import",
    ]
    result = _run(args, tmp_path)
    assert result.exit_code == 8
    assert "terraform.tfvars:2" in result.stderr
    assert "nothing written" in result.stderr
    assert (workdir / "database.tf").read_text() == before
    partial = _run([*args, "--partial"], tmp_path)
    assert partial.exit_code == 8
    assert "deletion_protection = false" in (workdir / "database.tf").read_text()


def test_unmanaged_revert_prints_the_cleanup_command(workdir: Path, tmp_path: Path) -> None:
    drift = make_drift(
        "",
        "aws_s3_bucket",
        [("bucket", None, "shadow-it")],
        kind=Kind.UNMANAGED,
        resource_id="shadow-it",
        event_name="CreateBucket",
        source="s3.amazonaws.com",
        drift_id="d-00000000000000d4",
    )
    result = _run(
        [
            "remediate",
            drift.id,
            "--record",
            str(_record_file(tmp_path, drift)),
            "--workdir",
            str(workdir),
            "--strategy",
            "revert",
        ],
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "aws s3api delete-bucket --bucket shadow-it --region eu-west-1" in result.stderr


def test_json_format(workdir: Path, tmp_path: Path) -> None:
    drift = _rds_drift()
    result = _run(
        [
            "remediate",
            drift.id,
            "--record",
            str(_record_file(tmp_path, drift)),
            "--workdir",
            str(workdir),
            "--strategy",
            "revert",
            "--dry-run",
            "--format",
            "json",
        ],
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["strategy"] == "revert"
    assert list(document["files"]) == ["live/prod/database.tf"]
    assert document["written"] == []
    assert document["diff"].startswith("--- a/live/prod/database.tf")


@pytest.mark.parametrize(
    ("wanted", "args", "code", "message"),
    [
        pytest.param("d-ffffffffffffffff", [], 7, "no drift d-ffffffffffffffff", id="unknown-id"),
        pytest.param(
            "d-00000000000000e5",
            ["--repo-root", "/nonexistent"],
            8,
            "outside the repository root",
            id="workdir-outside-root",
        ),
        pytest.param(
            "d-00000000000000e5", ["--strategy", "delete"], 2, "Invalid value", id="bad-strategy"
        ),
    ],
)
def test_errors_have_exit_codes(
    workdir: Path, tmp_path: Path, wanted: str, args: list[str], code: int, message: str
) -> None:
    drift = make_drift(
        "aws_db_instance.main",
        "aws_db_instance",
        [("deletion_protection", True, False)],
        drift_id="d-00000000000000e5",
    )
    records = _record_file(tmp_path, drift)
    result = _run(
        ["remediate", wanted, "--record", str(records), "--workdir", str(workdir), *args], tmp_path
    )
    assert result.exit_code == code, result.output
    assert message in result.stderr


def _record_into(ledger: Any) -> str:
    state = {
        "version": 4,
        "terraform_version": "1.9.8",
        "serial": 1,
        "lineage": "l",
        "outputs": {},
        "resources": [RDS_STATE],
    }
    engine = Engine(StateIndex([parse_state(state, source="prod.tfstate")]))
    event = normalize_record(corpus_record(*RDS_RECORD), "corpus")
    findings = engine.evaluate(event).findings
    assert len(findings) == 1
    folded = ledger.record(engine, findings[0])
    assert folded.drift is not None
    return str(folded.drift.id)


def test_drift_from_a_local_ledger(workdir: Path, tmp_path: Path) -> None:
    ledger_dir = tmp_path / "ledger"
    drift_id = _record_into(open_ledger(str(ledger_dir)))
    result = _run(
        [
            "remediate",
            drift_id,
            "--ledger",
            str(ledger_dir),
            "--workdir",
            str(workdir),
            "--dry-run",
        ],
        tmp_path,
    )
    # High severity: the default strategy is revert.
    assert result.exit_code == 0, result.output
    assert f"+# tfdrift-gitops: revert drift {drift_id}: ModifyDBInstance" in result.stdout


def test_drift_from_an_s3_ledger(
    workdir: Path, tmp_path: Path, s3_bucket: str, moto_endpoint: str
) -> None:
    url = f"s3://{s3_bucket}/ledger"
    drift_id = _record_into(open_ledger(url, s3_endpoint_url=moto_endpoint))
    result = _run(
        [
            "remediate",
            drift_id,
            "--ledger",
            url,
            "--s3-endpoint-url",
            moto_endpoint,
            "--workdir",
            str(workdir),
            "--strategy",
            "import",
            "--dry-run",
        ],
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    assert "+  deletion_protection = false" in result.stdout
