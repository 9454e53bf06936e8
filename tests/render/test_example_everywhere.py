"""The bundled example's security-group drift reads the same in every output: the added rule,
in one line (issue 15's acceptance check), with plain headings, the actor's kind and a state
name without the machine's path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfdrift_gitops.cli import cli
from tfdrift_gitops.core.record import drift_from_record
from tfdrift_gitops.github.remedy import Decision, Patch, Strategy
from tfdrift_gitops.github.render import Renderer
from tfdrift_gitops.github.settings import GitHubSettings
from tfdrift_gitops.github.summary import summary_markdown
from tfdrift_gitops.models import Drift
from tfdrift_gitops.notify.channel import Secret
from tfdrift_gitops.notify.discord import DiscordChannel
from tfdrift_gitops.notify.slack import SlackChannel
from tfdrift_gitops.render.text import render_drift
from tfdrift_gitops.templating import Templates

RULE = '+ 22/tcp from 0.0.0.0/0 "temp debug"'


@pytest.fixture(scope="module")
def example_sg() -> Drift:
    result = CliRunner().invoke(cli, ["detect", "--example", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    (record,) = [r for r in records if r["resource"]["address"] == "aws_security_group.web"]
    return drift_from_record(record)


def _outputs(drift: Drift) -> dict[str, str]:
    renderer = Renderer(GitHubSettings())
    patch = Patch(Strategy.REVERT, {"main.tf": "x\n"}, "--- a\n+++ b\n", (), ())
    slack = SlackChannel(Secret("https://hooks.slack.invalid/x"), Templates())
    discord = DiscordChannel(Secret("https://discord.invalid/api/webhooks/1/x"), Templates())
    return {
        "terminal": render_drift(drift),
        "issue": renderer.issue(drift, Decision(Strategy.REVERT, "revert", patch)).body,
        "pr": renderer.pull(drift, patch, "#1").body,
        "comment": renderer.pr_comment([drift], 3, ["aws_security_group.web"]).body,
        "summary": summary_markdown("drift", {"open": 1}, [drift]),
        "slack": json.dumps(slack.payload(drift, "opened"), ensure_ascii=False),
        "discord": json.dumps(discord.payload(drift, "opened"), ensure_ascii=False),
    }


@pytest.mark.parametrize(
    "medium", ["terminal", "issue", "pr", "comment", "summary", "slack", "discord"]
)
def test_the_added_rule_in_one_line(example_sg: Drift, medium: str) -> None:
    text = _outputs(example_sg)[medium]
    # JSON payloads escape the quotes; the rule is still one line of the message.
    rule = RULE.replace('"', '\\"') if medium in ("slack", "discord") else RULE
    lines = [line for line in text.splitlines() if rule in line]
    assert lines, text
    assert "HTTPS" not in lines[0]  # the unchanged rule is not repeated on the line
    assert "Manual modif" not in text and "Manual Modif" not in text
    assert str(Path.cwd()) not in text
    assert "person" in text


def test_the_github_issue_keeps_the_full_values_folded(example_sg: Drift) -> None:
    body = _outputs(example_sg)["issue"]
    details = body.index("<details><summary>Full values of ingress")
    assert body.index(RULE) < details
    assert '"description": "HTTPS"' in body[details:]
    assert "## Changed by hand: `aws_security_group.web`" in body
