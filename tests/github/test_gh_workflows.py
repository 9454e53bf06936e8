"""action.yml and the workflow files: SchemaStore schemas (vendored), pinning, permissions,
and the action's run script executed with bash."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "fixtures" / "schemas"
WORKFLOWS = [
    ROOT / ".github" / "workflows" / "ci.yml",
    ROOT / "examples" / "workflows" / "drift-reconcile.yml",
    ROOT / "examples" / "workflows" / "drift-pr-comment.yml",
]
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(path: Path) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text())
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return loaded


def uses_of(data: dict[str, Any]) -> list[str]:
    steps = [s for job in data.get("jobs", {}).values() for s in job.get("steps", [])]
    steps += data.get("runs", {}).get("steps", [])
    return [s["uses"] for s in steps if "uses" in s]


def test_action_matches_schema() -> None:
    jsonschema.validate(load(ROOT / "action.yml"), schema("github-action.json"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_matches_schema(path: Path) -> None:
    jsonschema.validate(load(path), schema("github-workflow.json"))


def test_schema_rejects_a_broken_workflow() -> None:
    broken = load(WORKFLOWS[0])
    broken["jobs"]["test"]["permissions"] = {"contents": "sometimes"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema("github-workflow.json"))


def test_action_interface() -> None:
    action = load(ROOT / "action.yml")
    assert action["runs"]["using"] == "composite"
    assert {"command", "ledger", "config", "working-directory", "github-token", "dry-run"} <= set(
        action["inputs"]
    )
    assert set(action["outputs"]) == {"drift-count", "issues-opened", "prs-opened", "comment-url"}
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), "inputs must reach scripts via env only"


@pytest.mark.parametrize("path", [*WORKFLOWS, ROOT / "action.yml"], ids=lambda p: p.name)
def test_third_party_actions_pinned_by_sha(path: Path) -> None:
    for uses in uses_of(load(path)):
        if uses.startswith("./") or uses.startswith("acme/tfdrift-gitops@"):
            continue  # local, or this action itself in the examples
        assert SHA_PIN.match(uses), uses


def test_ci_permissions() -> None:
    ci = load(WORKFLOWS[0])
    assert ci["permissions"] == {}
    assert ci["jobs"]["test"]["permissions"] == {"contents": "read"}
    assert any(s.get("run") == "bash .ci/run" for s in ci["jobs"]["test"]["steps"])


def test_reconcile_example() -> None:
    flow = load(WORKFLOWS[1])
    assert flow["on"]["schedule"] == [{"cron": "*/15 * * * *"}]
    assert "workflow_dispatch" in flow["on"]
    assert flow["permissions"] == {}
    perms = flow["jobs"]["reconcile"]["permissions"]
    assert {k: perms[k] for k in ("issues", "pull-requests", "contents")} == {
        "issues": "write",
        "pull-requests": "write",
        "contents": "write",
    }


def test_comment_example_never_uses_pull_request_target() -> None:
    flow = load(WORKFLOWS[2])
    assert "pull_request" in flow["on"]
    assert "pull_request_target" not in flow["on"]
    assert flow["jobs"]["comment"]["permissions"]["pull-requests"] == "write"


def _action_script() -> str:
    steps = load(ROOT / "action.yml")["runs"]["steps"]
    return str(next(s["run"] for s in steps if s.get("id") == "run"))


def _run_action(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    python = bindir / "python"
    if not python.exists():
        # A wrapper, not a symlink: a symlinked interpreter outside the venv does not find
        # pyvenv.cfg and runs as the system Python, without the project's dependencies.
        python.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
        python.chmod(0o755)
    base = {
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "GITHUB_REPOSITORY": "acme/infra",
        "GITHUB_TOKEN": "",
        "TFDRIFT_INPUT_COMMAND": "reconcile",
        "TFDRIFT_INPUT_LEDGER": str(tmp_path / "ledger"),
        "TFDRIFT_INPUT_CONFIG": "",
        "TFDRIFT_INPUT_DRY_RUN": "true",
        "TFDRIFT_PR_NUMBER": "",
        "TFDRIFT_INPUT_STATES": "",
        "TFDRIFT_INPUT_EVENTS": "",
    }
    base.update(env)
    return subprocess.run(
        ["bash", "-c", _action_script()],
        cwd=tmp_path,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_action_script_runs_reconcile_dry_run(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tfdrift_gitops.cli import cli

    assert (
        CliRunner()
        .invoke(cli, ["detect", "--example", "--ledger", str(tmp_path / "ledger")])
        .exit_code
        == 0
    )
    result = _run_action(tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["action"] == "open_issue"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({"TFDRIFT_INPUT_COMMAND": "rm -rf"}, "unknown command", id="unknown"),
        pytest.param({"TFDRIFT_INPUT_COMMAND": "comment"}, "needs a pull_request", id="no-pr"),
    ],
)
def test_action_script_rejects_bad_input(tmp_path: Path, env: dict[str, str], message: str) -> None:
    result = _run_action(tmp_path, **env)
    assert result.returncode == 1
    assert message in result.stdout


def test_action_script_runs_detect_with_states_and_events(tmp_path: Path) -> None:
    example = ROOT / "examples"
    result = _run_action(
        tmp_path,
        TFDRIFT_INPUT_COMMAND="detect",
        TFDRIFT_INPUT_STATES=f"{example / 'state' / 'terraform.tfstate'}\n",
        TFDRIFT_INPUT_EVENTS=f"\n{example / 'cloudtrail'}\n",
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
        GITHUB_OUTPUT=str(tmp_path / "output.txt"),
    )
    assert result.returncode == 0, result.stderr
    assert "aws_security_group.web" in result.stdout
    output = (tmp_path / "output.txt").read_text().splitlines()
    assert output[output.index(next(x for x in output if x.startswith("drift-count<<"))) + 1] == "6"
