"""Every GitHub document we render, for a plain drift and a hostile one: the golden files'
source (``regenerate_golden.py`` writes them, ``test_gh_templates.py`` compares)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.github.gh_support import HOSTILE, drift, hostile_drift, resolve_view_drift
from tfdrift_gitops.github.remedy import Decision, Patch, Strategy
from tfdrift_gitops.github.render import Renderer
from tfdrift_gitops.github.settings import GitHubSettings
from tfdrift_gitops.models import Change, Drift

RULE = {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}
SSH = {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}


def plain_drift() -> Drift:
    """A typical drift whose values are long enough to need the full-values block, so that
    it has the same structure as ``hostile_drift`` (the hostile test compares the two)."""
    return drift(1, changes=(Change("ingress", [RULE], [RULE, SSH]),))


GOLDEN_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "github"
SETTINGS = GitHubSettings(users=(("*alan@acme.example", "alan-acme"), ("@everyone*", "alan-acme")))


def _patch(strategy: Strategy, hostile: bool) -> Patch:
    text = HOSTILE if hostile else "SSH from the office"
    diff = (
        "--- a/sg/web1.tf\n+++ b/sg/web1.tf\n@@ -1,3 +1,4 @@\n"
        ' resource "aws_security_group" "web1" {\n'
        f'+  description = "{text}"\n'
        "```\n"
        "</details>\n"
    )
    notes = (HOSTILE,) if hostile else ("The port range comes from a variable: check it.",)
    cleanup = (HOSTILE,) if hostile else ("terraform plan -target=aws_security_group.web1",)
    return Patch(strategy, {"sg/web1.tf": "x\n"}, diff, notes, cleanup)


def documents() -> dict[str, str]:
    renderer = Renderer(SETTINGS)
    out: dict[str, str] = {}
    cases: dict[str, tuple[Drift, bool]] = {
        "plain": (plain_drift(), False),
        "hostile": (hostile_drift(), True),
    }
    for name, (d, hostile) in cases.items():
        imp = _patch(Strategy.IMPORT, hostile)
        rev = _patch(Strategy.REVERT, hostile)
        reason = HOSTILE if hostile else "security group rules: import what was added"
        problem = HOSTILE if hostile else "The ingress rule description is not known."
        decision = Decision(Strategy.IMPORT, reason, imp, (problem,))
        out[f"{name}.issue.md"] = renderer.issue(d, decision).body
        out[f"{name}.issue_blocked.md"] = renderer.issue(d, decision, blocked_by=(7,)).body
        out[f"{name}.issue_manual.md"] = renderer.issue(d, Decision(Strategy.MANUAL, reason)).body
        out[f"{name}.pr_import.md"] = renderer.pull(d, imp, "#12").body
        out[f"{name}.pr_revert.md"] = renderer.pull(d, rev, "#12").body
        out[f"{name}.pr_comment.md"] = renderer.pr_comment([d], 5, [d.resource.address]).body
        out[f"{name}.resolved.md"] = renderer.resolved(resolve_view_drift(d, hostile), "issue")
        out[f"{name}.resolved_pr.md"] = renderer.resolved(resolve_view_drift(d, hostile), "pr")
        out[f"{name}.title.txt"] = renderer.issue(d, decision).title + "\n"
    out["none.pr_comment.md"] = renderer.pr_comment([], 5, []).body
    long = replace(drift(1), events=tuple(drift(1).events) * 1, changes=drift(1).changes * 400)
    out["long.issue.md"] = renderer.issue(long, Decision(Strategy.MANUAL, "x")).body
    return out
