"""comment --pr N: the sticky comment, through PyGithub against the fake server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.github.fake_github import FakeGitHub
from tests.github.gh_support import (
    SETTINGS,
    MakeClient,
    MemoryLedger,
    drift,
    estate,
    event,
    fold_in,
    new_ledger,
    resolve,
    write_tree,
)
from tfdrift_gitops.github.client import GitHubClient
from tfdrift_gitops.github.comment import CommentResult, comment_on_pull
from tfdrift_gitops.github.marker import parse_marker
from tfdrift_gitops.github.render import Renderer
from tfdrift_gitops.models import Kind, Severity

MODULE_CALL = 'module "storage" {\n  source = "./modules/storage"\n  name   = "logs"\n}\n'
MODULE_BODY = 'resource "aws_s3_bucket" "logs" {\n  bucket = var.name\n}\n\nvariable "name" {}\n'


@pytest.fixture
def repo(fake: FakeGitHub, tmp_path: Path) -> tuple[FakeGitHub, Path]:
    files = {**estate(2), "main.tf": MODULE_CALL, "modules/storage/main.tf": MODULE_BODY}
    fake.reset(files)
    return fake, write_tree(tmp_path / "work", files)


def comment(
    make_client: MakeClient, store: MemoryLedger, number: int, workdir: Path, **kw: bool
) -> tuple[CommentResult, GitHubClient]:
    client = make_client()
    result = comment_on_pull(client, store, Renderer(SETTINGS), number, workdir=workdir, **kw)
    client.close()
    return result, client


def test_sticky_comment_created_updated_in_place_then_cleared(
    repo: tuple[FakeGitHub, Path], make_client: MakeClient, tmp_path: Path
) -> None:
    fake, workdir = repo
    edited = estate(2)["sg/web1.tf"].replace("443", "8443")
    number = fake.open_human_pull("carol/ports", {"sg/web1.tf": edited})
    d1 = drift(1)
    store = new_ledger(tmp_path / "ledger", [d1, drift(2)])

    result, _ = comment(make_client, store, number, workdir)
    assert result.action == "created"
    assert [d.id for d in result.drifts] == [d1.id]  # web2 is not touched by the PR
    comments = fake.comments_on(number)
    assert len(comments) == 1
    body = comments[0]["body"]
    assert (parse_marker(body) or {})["comment"] == "pr"
    assert "`alan@acme.example`" in body
    assert "AWS Console" in body and "`203.0.113.42`" in body
    assert "`AuthorizeSecurityGroupIngress`" in body
    assert "Applying this PR will revert the manual change unless the code is updated" in body
    assert result.url.endswith(f"#issuecomment-{comments[0]['id']}")

    # Nothing changed: nothing written.
    fake.clear_log()
    result, _ = comment(make_client, store, number, workdir)
    assert result.action == "unchanged"
    assert fake.writes() == 0

    # A new event folds in: the same comment is edited.
    fold_in(store, d1.id, event("e0c1a2b3-0000-4000-8000-0000000000aa", minutes=5))
    result, _ = comment(make_client, store, number, workdir)
    assert result.action == "updated"
    comments = fake.comments_on(number)
    assert len(comments) == 1
    assert "2 event(s)" in comments[0]["body"]

    # Resolved: the comment says no drift remains.
    resolve(store, d1.id)
    result, _ = comment(make_client, store, number, workdir)
    assert result.action == "updated"
    comments = fake.comments_on(number)
    assert len(comments) == 1
    assert "No drift remains" in comments[0]["body"]


def test_no_drift_no_comment(
    repo: tuple[FakeGitHub, Path], make_client: MakeClient, tmp_path: Path
) -> None:
    fake, workdir = repo
    number = fake.open_human_pull("carol/docs", {"README.md": "more docs\n"})
    store = new_ledger(tmp_path / "ledger", [drift(1)])
    result, _ = comment(make_client, store, number, workdir)
    assert result.action == "none"
    assert fake.comments_on(number) == []
    assert fake.writes() == 0


def test_module_change_reaches_resources_inside_the_module(
    repo: tuple[FakeGitHub, Path], make_client: MakeClient, tmp_path: Path
) -> None:
    fake, workdir = repo
    number = fake.open_human_pull(
        "carol/bucket", {"modules/storage/main.tf": MODULE_BODY.replace("var.name", '"x"')}
    )
    in_module = drift(
        7, address="module.storage.aws_s3_bucket.logs", severity=Severity.HIGH, kind=Kind.MODIFIED
    )
    store = new_ledger(tmp_path / "ledger", [in_module, drift(1)])
    result, _ = comment(make_client, store, number, workdir)
    assert result.action == "created"
    assert result.touched == ["module.storage.aws_s3_bucket.logs"]
    assert [d.id for d in result.drifts] == [in_module.id]


def test_dry_run_reads_only(
    repo: tuple[FakeGitHub, Path], make_client: MakeClient, tmp_path: Path
) -> None:
    fake, workdir = repo
    edited = estate(2)["sg/web1.tf"].replace("443", "8443")
    number = fake.open_human_pull("carol/ports", {"sg/web1.tf": edited})
    store = new_ledger(tmp_path / "ledger", [drift(1)])
    fake.clear_log()
    result, client = comment(make_client, store, number, workdir, dry_run=True)
    assert result.action == "created"
    assert "Applying this PR" in result.body
    assert fake.writes() == 0
    assert client.stats.reads == fake.reads()


def test_unknown_pull_is_an_error(
    repo: tuple[FakeGitHub, Path], make_client: MakeClient, tmp_path: Path
) -> None:
    from tfdrift_gitops.errors import GitHubError

    _, workdir = repo
    store = new_ledger(tmp_path / "ledger", [])
    with pytest.raises(GitHubError, match="#404 not found"):
        comment(make_client, store, 404, workdir)
