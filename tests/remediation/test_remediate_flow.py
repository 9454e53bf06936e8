"""remediate() then write(): nothing written by default, nothing outside the repository, markers
replaced rather than stacked, imports appended with unique names, hostile values inert."""

from __future__ import annotations

import os
from pathlib import Path

import hcl2
import pytest

from tests.remediation.remediation_cases import HOSTILE_NAME, HOSTILE_TEMPLATE, make_drift
from tests.remediation.tf_console import evaluate
from tfdrift_gitops.errors import RemediationError
from tfdrift_gitops.models import Kind, Severity
from tfdrift_gitops.remediation import FileChange, RemediationResult, Workspace, remediate, write
from tfdrift_gitops.remediation.hcl_tree import parse, span, top_blocks
from tfdrift_gitops.remediation.markers import MARKER


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def _rds(value: bool = False):  # type: ignore[no-untyped-def]
    return make_drift(
        "aws_db_instance.main", "aws_db_instance", [("deletion_protection", True, value)]
    )


def test_remediate_never_writes(repo: Path, workdir: Path) -> None:
    before = _snapshot(repo)
    result = remediate(_rds(), workdir, "import")
    assert result.ok and result.files_changed == ("live/prod/database.tf",)
    assert "deletion_protection = false" in result.files["live/prod/database.tf"]
    assert _snapshot(repo) == before


def test_write_applies_exactly_the_result(repo: Path, workdir: Path) -> None:
    before = _snapshot(repo)
    result = remediate(_rds(), workdir, "import")
    written = write(result)
    assert written == [(workdir / "database.tf").resolve()]
    after = _snapshot(repo)
    assert {k for k in after if after[k] != before.get(k)} == {"live/prod/database.tf"}
    assert after["live/prod/database.tf"] == result.files["live/prod/database.tf"]


def test_write_refuses_a_file_changed_since(repo: Path, workdir: Path) -> None:
    result = remediate(_rds(), workdir, "import")
    (workdir / "database.tf").write_text("# edited meanwhile\n")
    with pytest.raises(RemediationError, match="changed since the patch was computed"):
        write(result)
    assert (workdir / "database.tf").read_text() == "# edited meanwhile\n"


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("../outside.tf", id="parent"),
        pytest.param("/etc/passwd", id="absolute"),
        pytest.param("live/../../outside.tf", id="dotdot-inside"),
    ],
)
def test_write_refuses_paths_outside_the_repository(repo: Path, path: str) -> None:
    result = RemediationResult(
        "d-1", "import", "x", changes=(FileChange(path, None, "x\n"),), repo_root=str(repo)
    )
    with pytest.raises(RemediationError, match="refusing to write"):
        write(result)
    assert not (repo.parent / "outside.tf").exists()


def test_write_refuses_a_symlink_leaving_the_repository(repo: Path, workdir: Path) -> None:
    target = repo.parent / "victim.tf"
    target.write_text("# victim\n")
    os.symlink(target, workdir / "victim.tf")
    change = FileChange("live/prod/victim.tf", "# victim\n", "# owned\n")
    result = RemediationResult("d-1", "import", "x", changes=(change,), repo_root=str(repo))
    with pytest.raises(RemediationError, match="outside the repository root"):
        write(result)
    assert target.read_text() == "# victim\n"


def _markers(text: str) -> list[str]:
    return [line for line in text.splitlines() if MARKER in line]


def test_revert_marker_is_replaced_not_stacked(repo: Path, workdir: Path) -> None:
    first = make_drift(
        "aws_db_instance.main",
        "aws_db_instance",
        drift_id="d-00000000000000a1",
        severity=Severity.HIGH,
    )
    write(remediate(first, workdir, "revert"))
    second = make_drift(
        "aws_db_instance.main",
        "aws_db_instance",
        drift_id="d-00000000000000b2",
        actor="bob",
        event_id="evt-2",
    )
    result = remediate(second, workdir, "revert")
    write(result)
    text = (workdir / "database.tf").read_text()
    markers = _markers(text)
    assert len(markers) == 1 and "d-00000000000000b2" in markers[0] and "bob" in markers[0]
    assert result.diff.count("\n-# tfdrift-gitops") == 1
    again = remediate(second, workdir, "revert")
    assert again.ok and not again.changes and "already marked" in again.notes[0]


def test_unmanaged_imports_append_with_unique_names(repo: Path, workdir: Path) -> None:
    def bucket(name: str, drift_id: str):  # type: ignore[no-untyped-def]
        return make_drift(
            "",
            "aws_s3_bucket",
            [("bucket", None, name)],
            kind=Kind.UNMANAGED,
            resource_id=name,
            drift_id=drift_id,
            event_name="CreateBucket",
            source="s3.amazonaws.com",
        )

    write(remediate(bucket("shadow.logs", "d-1"), workdir, "import"))
    second = remediate(bucket("shadow-logs", "d-2"), workdir, "import")
    assert second.ok and second.changes[0].old is not None
    write(second)
    text = (workdir / "drift_imports.tf").read_text()
    labels = [b.labels for b in top_blocks(parse(text, "t")) if b.type == "resource"]
    assert labels == [("aws_s3_bucket", "shadow_logs"), ("aws_s3_bucket", "shadow_logs_2")]
    assert text.count("import {") == 2
    third = remediate(bucket("shadow-logs", "d-3"), workdir, "import")
    assert not third.ok and "already has an import block" in str(third.refusals[0])


def test_imports_file_is_configurable(workdir: Path) -> None:
    drift = make_drift(
        "",
        "aws_iam_role",
        [("name", None, "adhoc")],
        kind=Kind.UNMANAGED,
        resource_id="adhoc",
        source="iam.amazonaws.com",
        event_name="CreateRole",
    )
    result = remediate(drift, workdir, "import", config={"imports_file": "adopted.tf"})
    assert result.files_changed == ("live/prod/adopted.tf",)


def test_hostile_values_stay_inert_after_writing(
    repo: Path, workdir: Path, terraform: str, tmp_path: Path
) -> None:
    tags = {"Name": HOSTILE_NAME, "Exfil": HOSTILE_TEMPLATE, "k\n}": "%{ if true }x%{ endif }"}
    drift = make_drift(
        "",
        "aws_s3_bucket",
        [("bucket", None, "evil-bucket"), ("tags", None, tags)],
        kind=Kind.UNMANAGED,
        resource_id="evil-bucket",
        event_name="CreateBucket",
        source="s3.amazonaws.com",
        actor='eve"\n}\nresource "x" "y" {',
    )
    write(remediate(drift, workdir, "import"))
    text = (workdir / "drift_imports.tf").read_text()
    loaded = hcl2.loads(text)
    assert set(loaded) - {"__comments__"} == {"resource", "import"}
    assert [[k.strip('"') for k in r] for r in loaded["resource"]] == [["aws_s3_bucket"]]
    tree = parse(text, "drift_imports.tf")
    block = next(b for b in top_blocks(tree) if b.type == "resource")
    attribute = block.attribute("tags")
    assert attribute is not None
    start, end = span(attribute.expr)
    assert evaluate(terraform, [text[start:end]], tmp_path) == [tags]


def test_one_workspace_parses_each_file_once(workdir: Path) -> None:
    ws = Workspace(workdir)
    remediate(_rds(), workdir, "import", workspace=ws)
    parsed = ws.parse_count
    for value in (True, False):
        remediate(_rds(value), workdir, "revert", workspace=ws)
    remediate(
        make_drift(
            "aws_security_group.web",
            "aws_security_group",
            [("tags", {"Name": "web-prod", "Tier": "web"}, {"Name": "x"})],
        ),
        workdir,
        "import",
        workspace=ws,
    )
    assert ws.parse_count == parsed


def test_partial_result_carries_patch_and_refusals(workdir: Path) -> None:
    drift = make_drift(
        "aws_db_instance.main",
        "aws_db_instance",
        [("deletion_protection", True, False), ("instance_class", "db.r6g.large", "db.r6g.xlarge")],
    )
    result = remediate(drift, workdir, "import")
    assert not result.ok
    assert result.files_changed == ("live/prod/database.tf",)
    assert [r.path for r in result.refusals] == ["instance_class"]
    assert "terraform.tfvars:2" in result.refusals[0].where


def test_unknown_strategy_is_an_error(workdir: Path) -> None:
    with pytest.raises(RemediationError, match="unknown strategy"):
        remediate(_rds(), workdir, "delete")
