"""Addresses -> files and blocks: local modules followed, everything else refused clearly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tfdrift_gitops.errors import RemediationError
from tfdrift_gitops.remediation.address import Address, ModuleStep, parse_address
from tfdrift_gitops.remediation.locate import Workspace, find_repo_root


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("aws_s3_bucket.logs", Address((), "aws_s3_bucket", "logs"), id="root"),
        pytest.param("aws_instance.api[0]", Address((), "aws_instance", "api", 0), id="count"),
        pytest.param('aws_iam_user.u["ci"]', Address((), "aws_iam_user", "u", "ci"), id="for-each"),
        pytest.param(
            'aws_iam_user.u["a.b\\"c"]', Address((), "aws_iam_user", "u", 'a.b"c'), id="escaped-key"
        ),
        pytest.param(
            'aws_iam_user.u["$${x}"]', Address((), "aws_iam_user", "u", "${x}"), id="template-key"
        ),
        pytest.param(
            'module.net["eu"].module.sg.aws_security_group.web',
            Address((ModuleStep("net", "eu"), ModuleStep("sg")), "aws_security_group", "web"),
            id="nested-modules",
        ),
        pytest.param("data.aws_ami.x", Address((), "aws_ami", "x", None, "data"), id="data"),
    ],
)
def test_parse_address(text: str, expected: Address) -> None:
    parsed = parse_address(text)
    assert parsed == expected
    assert parse_address(str(parsed)) == parsed


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("aws_s3_bucket", id="no-name"),
        pytest.param("aws_s3_bucket.logs.extra", id="trailing"),
        pytest.param('aws_x.y["open', id="unterminated-key"),
        pytest.param('aws_x.y["${x}"]', id="template-in-key"),
        pytest.param("module..aws_x.y", id="empty-module"),
        pytest.param("aws_x.y[-1]", id="negative-index"),
    ],
)
def test_bad_addresses_are_refused(text: str) -> None:
    with pytest.raises(RemediationError):
        parse_address(text)


@pytest.mark.parametrize(
    ("address", "file", "line"),
    [
        pytest.param("aws_security_group.web", "live/prod/network.tf", 6, id="root"),
        pytest.param("aws_instance.worker[2]", "live/prod/compute.tf", 1, id="count-instance"),
        pytest.param(
            "module.storage.aws_s3_bucket_versioning.logs",
            "modules/storage/main.tf",
            7,
            id="parent-relative-module",
        ),
        pytest.param(
            "module.storage.module.lifecycle.aws_s3_bucket_lifecycle_configuration.this",
            "modules/storage/modules/lifecycle/main.tf",
            9,
            id="nested-module",
        ),
    ],
)
def test_locate(workdir: Path, address: str, file: str, line: int) -> None:
    located = Workspace(workdir).locate(address)
    assert located.file.rel == file
    assert located.file.lines.line_of(located.block.start) == line


@pytest.mark.parametrize(
    ("address", "message"),
    [
        pytest.param("module.vpc.aws_vpc.this[0]", "remote source", id="remote-module"),
        pytest.param("module.nope.aws_s3_bucket.x", "no module 'nope'", id="unknown-module"),
        pytest.param("aws_s3_bucket.nope", "no resource 'aws_s3_bucket.nope'", id="unknown"),
        pytest.param("data.aws_ami.x", "data sources", id="data-source"),
    ],
)
def test_locate_refusals(workdir: Path, address: str, message: str) -> None:
    with pytest.raises(RemediationError, match=message):
        Workspace(workdir).locate(address)


def test_callers_of_a_shared_module(workdir: Path) -> None:
    ws = Workspace(workdir)
    located = ws.locate("module.uploads_b.aws_s3_bucket.this")
    assert located.callers_of_module == ("module.uploads_a", "module.uploads_b")


def test_source_leaving_the_repository_is_refused(workdir: Path, repo: Path) -> None:
    outside = repo.parent / "outside"
    outside.mkdir()
    (outside / "main.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = "x"\n}\n')
    (workdir / "escape.tf").write_text('module "escape" {\n  source = "../../../outside"\n}\n')
    with pytest.raises(RemediationError, match="outside the repository root"):
        Workspace(workdir).locate("module.escape.aws_s3_bucket.x")


def test_symlink_leaving_the_repository_is_refused(workdir: Path, repo: Path) -> None:
    outside = repo.parent / "elsewhere"
    outside.mkdir()
    (outside / "main.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = "x"\n}\n')
    os.symlink(outside, repo / "modules" / "linked")
    (workdir / "linked.tf").write_text('module "linked" {\n  source = "../../modules/linked"\n}\n')
    with pytest.raises(RemediationError, match=r"through the symlink .*linked"):
        Workspace(workdir).locate("module.linked.aws_s3_bucket.x")


def test_symlink_inside_the_repository_is_followed(workdir: Path, repo: Path) -> None:
    os.symlink(repo / "modules" / "bucket", repo / "modules" / "alias")
    (workdir / "alias.tf").write_text('module "alias" {\n  source = "../../modules/alias"\n}\n')
    located = Workspace(workdir).locate("module.alias.aws_s3_bucket.this")
    assert located.file.rel == "modules/bucket/main.tf"


def test_symlinked_file_outside_is_read_only(workdir: Path, repo: Path) -> None:
    outside = repo.parent / "shared.tf"
    outside.write_text('resource "aws_s3_bucket" "shared" {\n  bucket = "s"\n}\n')
    os.symlink(outside, workdir / "shared.tf")
    located = Workspace(workdir).locate("aws_s3_bucket.shared")
    assert not located.file.writable


def test_parse_errors_name_the_file_and_line(workdir: Path) -> None:
    (workdir / "broken.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = \n}\n')
    with pytest.raises(RemediationError, match=r"live/prod/broken\.tf:\d+:\d+: cannot parse"):
        Workspace(workdir).locate("aws_security_group.web")


def test_duplicate_declarations_are_refused(workdir: Path) -> None:
    (workdir / "dup.tf").write_text('resource "aws_security_group" "web" {\n}\n')
    with pytest.raises(RemediationError, match="declared twice"):
        Workspace(workdir).locate("aws_security_group.web")


def test_override_files_are_refused(workdir: Path) -> None:
    (workdir / "web_override.tf").write_text(
        'resource "aws_security_group" "web" {\n  description = "x"\n}\n'
    )
    with pytest.raises(RemediationError, match="override"):
        Workspace(workdir).locate("aws_security_group.web")


def test_json_configuration_is_mentioned(workdir: Path) -> None:
    (workdir / "extra.tf.json").write_text('{"resource": {"aws_s3_bucket": {"j": {}}}}')
    with pytest.raises(
        RemediationError,
        match=r"JSON configuration files are not read: "
        r"extra\.tf\.json",
    ):
        Workspace(workdir).locate("aws_s3_bucket.j")


def test_parses_are_cached_until_a_file_changes(workdir: Path) -> None:
    ws = Workspace(workdir)
    ws.locate("aws_security_group.web")
    ws.callers(ws.root_module())
    first = ws.parse_count
    ws.locate("aws_db_instance.main")
    ws.locate("module.storage.aws_s3_bucket.logs")
    assert ws.parse_count == first
    path = workdir / "network.tf"
    path.write_text(path.read_text() + "\n# touched\n")
    os.utime(path, ns=(1, 1))
    ws.locate("aws_security_group.web")
    assert ws.parse_count == first + 1


def test_repo_root_is_the_git_root(workdir: Path, repo: Path) -> None:
    assert find_repo_root(workdir) == repo.resolve()
    assert Workspace(workdir).root == repo.resolve()


def test_workdir_outside_repo_root_is_refused(workdir: Path, repo: Path) -> None:
    with pytest.raises(RemediationError, match="outside the repository root"):
        Workspace(workdir, repo_root=repo / "modules")
