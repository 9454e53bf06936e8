"""The reconcile and comment commands end to end: config file, real ledger, fake GitHub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_github import TOKEN, FakeGitHub
from gh_support import drift, estate, hostile_drift, new_ledger, write_tree

from tfdrift_gitops.cli import cli
from tfdrift_gitops.models import Severity

CONFIG = """
github:
  users:
    "*alan@acme.example": alan-acme
  seconds_between_writes: 0
  max_retries: 1
  max_rate_limit_wait: 5
"""


@pytest.fixture
def setup(fake: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fake.reset(estate(2))
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


def test_dry_run_prints_json_lines_and_calls_nothing(setup, github_server):
    fake, tmp_path, config = setup
    new_ledger(tmp_path / "ledger", [drift(1), hostile_drift()])
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
    assert [a["action"] for a in actions] == ["open_issue", "open_issue"]
    assert actions[0]["labels"] == ["tfdrift", "severity:critical", "kind:modified"]
    assert actions[0]["assignees"] == ["alan-acme"]
    assert "<!-- tfdrift-gitops:drift=" in actions[0]["body"]
    assert fake.requests == []


def test_reconcile_writes_summary_outputs_and_annotations(setup, github_server, monkeypatch):
    fake, tmp_path, config = setup
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    new_ledger(tmp_path / "ledger", [drift(1), drift(2, severity=Severity.LOW), hostile_drift()])
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
    assert len(fake.issues()) == 3
    out = outputs(tmp_path / "output")
    assert out["drift-count"] == "3"
    assert out["issues-opened"] == "3"
    assert out["prs-opened"] == "0"
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 2  # two critical drifts; the low one is not annotated
    assert all(line.startswith("::error title=critical drift on ") for line in annotations)
    summary = (tmp_path / "summary.md").read_text()
    assert "tfdrift-gitops reconcile" in summary


def test_reconcile_failure_exits_nonzero_after_trying_all(setup, github_server, monkeypatch):
    fake, tmp_path, config = setup
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    new_ledger(tmp_path / "ledger", [drift(1), drift(2)])
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
    assert "error: d-0000000000000001" in result.stderr
    assert len(fake.issues()) == 1


def test_reconcile_needs_a_token(setup, github_server):
    _, tmp_path, config = setup
    new_ledger(tmp_path / "ledger", [drift(1)])
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


def test_comment_command_sets_comment_url(setup, github_server, monkeypatch):
    fake, tmp_path, config = setup
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    work = write_tree(tmp_path / "work", estate(2))
    number = fake.open_human_pull(
        "carol/x", {"sg/web2.tf": estate(2)["sg/web2.tf"].replace("443", "444")}
    )
    new_ledger(tmp_path / "ledger", [drift(2)])
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
    assert len(fake.comments_on(number)) == 1
