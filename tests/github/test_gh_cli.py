"""The reconcile and comment commands end to end: config file, real ledger, fake GitHub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.github.fake_github import TOKEN, FakeGitHub, FakeGitHubServer
from tests.github.gh_support import write_tree
from tfdrift_gitops.cli import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "terraform"


def example_files() -> dict[str, str]:
    return {p.relative_to(EXAMPLE).as_posix(): p.read_text() for p in EXAMPLE.rglob("*.tf")}


def real_ledger(path: Path) -> Path:
    """A real ledger directory, filled the way users fill it: ``detect --ledger`` on the
    bundled example (real CloudTrail records against a real state)."""
    result = CliRunner().invoke(cli, ["detect", "--example", "--ledger", str(path)])
    assert result.exit_code == 0, result.output
    return path


CONFIG = """
github:
  users:
    "*alan@acme.example": alan-acme
  seconds_between_writes: 0
  max_retries: 1
  max_rate_limit_wait: 5
"""


@pytest.fixture
def setup(
    fake: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[FakeGitHub, Path, Path]:
    fake.reset(example_files())
    config = tmp_path / "tfdrift.yml"
    config.write_text(CONFIG)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    return fake, tmp_path, config


def outputs(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    found = {}
    i = 0
    while i < len(lines):
        name, _, delimiter = lines[i].partition("<<")
        end = lines.index(delimiter, i + 1)
        found[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return found


def test_dry_run_prints_json_lines_and_calls_nothing(
    setup: tuple[FakeGitHub, Path, Path], github_server: FakeGitHubServer
) -> None:
    fake, tmp_path, config = setup
    real_ledger(tmp_path / "ledger")
    fake.clear_log()
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "reconcile",
            "--ledger",
            str(tmp_path / "ledger"),
            "--repo",
            "acme/infra",
            "--github-url",
            github_server.url,
            "--dry-run",
        ],
    )
    assert result.exit_code == 0, result.output
    actions = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["action"] for a in actions] == ["open_issue"] * 6
    by_address = {a["title"].split()[1]: a for a in actions}
    web = by_address["aws_security_group.web"]
    assert web["labels"] == ["tfdrift", "severity:critical", "kind:modified"]
    assert web["assignees"] == ["alan-acme"]
    assert "`alan@acme.example`" in web["body"]
    assert "<!-- tfdrift-gitops:drift=" in actions[0]["body"]
    assert fake.requests == []


def test_reconcile_writes_summary_outputs_and_annotations(
    setup: tuple[FakeGitHub, Path, Path],
    github_server: FakeGitHubServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, tmp_path, config = setup
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    real_ledger(tmp_path / "ledger")
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "reconcile",
            "--ledger",
            str(tmp_path / "ledger"),
            "--repo",
            "acme/infra",
            "--github-url",
            github_server.url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(fake.issues()) == 6
    out = outputs(tmp_path / "output")
    assert out["drift-count"] == "6"
    assert out["issues-opened"] == "6"
    assert out["prs-opened"] == "0"
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    # Two critical drifts as errors, then two high ones as warnings; medium ones not at all.
    assert [line.split(" ", 1)[0] for line in annotations] == ["::error"] * 2 + ["::warning"] * 2
    # The real ledger now records the issue numbers: a second run writes nothing.
    fake.clear_log()
    again = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "reconcile",
            "--ledger",
            str(tmp_path / "ledger"),
            "--repo",
            "acme/infra",
            "--github-url",
            github_server.url,
        ],
    )
    assert again.exit_code == 0, again.output
    assert fake.writes() == 0
    assert fake.reads() == 1
    listing = CliRunner().invoke(
        cli, ["ledger", "list", "--ledger", str(tmp_path / "ledger"), "--format", "json"]
    )
    records = [json.loads(line) for line in listing.stdout.splitlines()]
    assert sorted(r["issue_number"] for r in records) == [1, 2, 3, 4, 5, 6]
    assert {r["status"] for r in records} == {"issue_opened"}
    summary = (tmp_path / "summary.md").read_text()
    assert "tfdrift-gitops reconcile" in summary


def test_reconcile_failure_exits_nonzero_after_trying_all(
    setup: tuple[FakeGitHub, Path, Path],
    github_server: FakeGitHubServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, tmp_path, config = setup
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    real_ledger(tmp_path / "ledger")
    fake.inject("POST", r"/issues$", 500, times=1)
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "reconcile",
            "--ledger",
            str(tmp_path / "ledger"),
            "--repo",
            "acme/infra",
            "--github-url",
            github_server.url,
        ],
    )
    assert result.exit_code == 9
    assert "500" in result.stderr
    assert len(fake.issues()) == 5  # the other drifts went on


def test_reconcile_needs_a_token(
    setup: tuple[FakeGitHub, Path, Path], github_server: FakeGitHubServer
) -> None:
    _, tmp_path, config = setup
    real_ledger(tmp_path / "ledger")
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "reconcile",
            "--ledger",
            str(tmp_path / "ledger"),
            "--repo",
            "acme/infra",
            "--github-url",
            github_server.url,
        ],
    )
    assert result.exit_code == 3
    assert "GITHUB_TOKEN" in result.stderr


def test_comment_command_sets_comment_url(
    setup: tuple[FakeGitHub, Path, Path],
    github_server: FakeGitHubServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, tmp_path, config = setup
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    work = write_tree(tmp_path / "work", example_files())
    main_tf = example_files()["main.tf"].replace('description = "HTTPS"', 'description = "TLS"')
    number = fake.open_human_pull("carol/x", {"main.tf": main_tf})
    real_ledger(tmp_path / "ledger")
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "comment",
            "--ledger",
            str(tmp_path / "ledger"),
            "--repo",
            "acme/infra",
            "--github-url",
            github_server.url,
            "--pr",
            str(number),
            "--workdir",
            str(work),
        ],
    )
    assert result.exit_code == 0, result.output
    url = outputs(tmp_path / "output")["comment-url"]
    assert url.startswith("https://github.test/acme/infra/issues/")
    comments = fake.comments_on(number)
    assert len(comments) == 1
    assert "aws_security_group.web" in comments[0]["body"]
    assert "`AuthorizeSecurityGroupIngress`" in comments[0]["body"]
    assert "aws_db_instance.main" not in comments[0]["body"]


def test_summary_module_after_detect(
    setup: tuple[FakeGitHub, Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tfdrift_gitops.github import summary

    _, tmp_path, _ = setup
    real_ledger(tmp_path / "ledger")
    assert summary.main(["--ledger", str(tmp_path / "ledger")]) == 0
    assert outputs(tmp_path / "output")["drift-count"] == "6"
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 4
    assert "open drift" in (tmp_path / "summary.md").read_text()
