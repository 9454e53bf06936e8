"""The workflow files people copy pass the tools people run on them, on action.yml,
.github/workflows/ and examples/workflows/:

- zizmor (from PyPI, offline audits only), with the repository's settings (.github/zizmor.yml);
- actionlint (the maintained fork's PyPI wheel, pinned; README, Development) with shellcheck
  on the run: scripts. actionlint reads action.yml only through a workflow that uses it, so the
  examples are also checked in a scratch repository where they use the action as ``./``: their
  inputs must exist in action.yml, and action.yml must parse as action metadata;
- shellcheck on the composite action's own run: scripts, which actionlint does not read.

A finding fails with the tool's own explanation.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted(
    str(p.relative_to(REPO))
    for p in [
        REPO / "action.yml",
        *(REPO / ".github" / "workflows").glob("*.yml"),
        *(REPO / "examples" / "workflows").glob("*.yml"),
    ]
)


def _zizmor() -> str:
    found = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    assert found, "zizmor is a dev dependency (pyproject.toml): run scripts/bootstrap"
    return found


def test_every_workflow_file_is_audited() -> None:
    assert "action.yml" in WORKFLOWS
    assert "examples/workflows/drift-reconcile.yml" in WORKFLOWS
    assert any(w.startswith(".github/workflows/") for w in WORKFLOWS)


def test_zizmor_finds_nothing() -> None:
    result = subprocess.run(
        [_zizmor(), "--offline", "--format", "json", "--no-progress", *WORKFLOWS],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    if findings or result.returncode != 0:
        readable = subprocess.run(
            [_zizmor(), "--offline", "--no-progress", *WORKFLOWS],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        raise AssertionError(f"zizmor:\n{readable.stdout}\n{readable.stderr}")


def test_reconcile_app_token_asks_for_exactly_what_it_needs() -> None:
    text = (REPO / "examples" / "workflows" / "drift-reconcile.yml").read_text(encoding="utf-8")
    step = text[text.index("actions/create-github-app-token") :]
    step = step[: step.index("- uses:", 1)]
    asked = sorted(line.strip() for line in step.splitlines() if "permission-" in line)
    assert asked == [
        "permission-contents: write",
        "permission-issues: write",
        "permission-pull-requests: write",
    ]


# What the examples call the published action; in the scratch repository it becomes "./".
PUBLISHED_ACTION = "acme/tfdrift-gitops@v0"
WORKFLOW_DIRS = (REPO / ".github" / "workflows", REPO / "examples" / "workflows")


def _venv_tool(name: str) -> str | None:
    return shutil.which(name, path=str(Path(sys.executable).parent))


def _dev_tool(name: str) -> str:
    found = _venv_tool(name)
    if found is None:
        pytest.skip(f"{name} is a dev dependency (pyproject.toml): run scripts/bootstrap")
    return found


@pytest.fixture(scope="module")
def shellcheck() -> str:
    return _dev_tool("shellcheck")


@pytest.fixture(scope="module")
def actionlint(shellcheck: str) -> list[str]:
    """The pinned actionlint with the pinned shellcheck (never whatever is on PATH, so every
    machine checks alike); pyflakes is off: no run: step is Python."""
    binary = _dev_tool("actionlint")
    return [binary, "-no-color", "-oneline", f"-shellcheck={shellcheck}", "-pyflakes="]


def _lint(command: list[str], cwd: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *files], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def _scratch_repository(root: Path, workflows: dict[str, str]) -> Path:
    """A repository holding a copy of action.yml and the given workflows. actionlint resolves a
    local action ("uses: ./") only inside a project, which it recognises by its .git directory."""
    (root / ".git").mkdir()
    (root / "action.yml").write_text(
        (REPO / "action.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    target = root / ".github" / "workflows"
    target.mkdir(parents=True)
    for name, text in workflows.items():
        (target / name).write_text(text, encoding="utf-8")
    return root


def test_actionlint_finds_nothing(actionlint: list[str]) -> None:
    files = sorted(str(p.relative_to(REPO)) for d in WORKFLOW_DIRS for p in d.glob("*.yml"))
    assert len(files) >= 3, files
    result = _lint(actionlint, REPO, *files)
    assert (result.returncode, result.stdout) == (0, ""), (
        f"actionlint:\n{result.stdout}{result.stderr}"
    )


def test_actionlint_checks_the_examples_against_action_yml(
    actionlint: list[str], tmp_path: Path
) -> None:
    examples = {
        p.name: p.read_text(encoding="utf-8")
        for p in (REPO / "examples" / "workflows").glob("*.yml")
    }
    local = {}
    for name, text in examples.items():
        assert f"uses: {PUBLISHED_ACTION}" in text, f"{name} no longer uses {PUBLISHED_ACTION}"
        local[name] = text.replace(f"uses: {PUBLISHED_ACTION}", "uses: ./")
    result = _lint(actionlint, _scratch_repository(tmp_path, local))
    assert (result.returncode, result.stdout) == (0, ""), (
        f"actionlint:\n{result.stdout}{result.stderr}"
    )


BROKEN_STEPS = {
    "unquoted-variable": ("      - run: echo $HOME\n", "SC2086"),
    "undefined-matrix": ("      - run: echo '${{ matrix.os }}'\n", 'property "os" is not defined'),
    "untrusted-input": (
        '      - run: echo "${{ github.event.head_commit.message }}"\n',
        "potentially untrusted",
    ),
    "unknown-action-input": (
        "      - uses: ./\n        with:\n          ledgr: .tfdrift/ledger\n",
        'input "ledgr" is not defined in action "tfdrift-gitops"',
    ),
}


@pytest.mark.parametrize(("step", "expected"), list(BROKEN_STEPS.values()), ids=list(BROKEN_STEPS))
def test_actionlint_fails_on_a_broken_workflow(
    actionlint: list[str], tmp_path: Path, step: str, expected: str
) -> None:
    workflow = (
        "on: push\npermissions: {}\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        f"    timeout-minutes: 5\n    steps:\n{step}"
    )
    result = _lint(actionlint, _scratch_repository(tmp_path, {"broken.yml": workflow}))
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stdout, result.stdout
    assert len(result.stdout.splitlines()) == 1, result.stdout


def _shellcheck_composite_steps(shellcheck: str, action_text: str) -> list[str]:
    """shellcheck on each bash ``run:`` of a composite action, which actionlint does not read.
    As actionlint does for workflows, a ``${{ }}`` becomes underscores of the same length, so
    columns still point at the step's text."""
    findings = []
    for step in yaml.safe_load(action_text)["runs"]["steps"]:
        if "run" not in step:
            continue
        assert step.get("shell") == "bash", f"step {step.get('name')!r}: shell is not bash"
        script = re.sub(r"\$\{\{.*?\}\}", lambda m: "_" * len(m.group()), step["run"])
        result = subprocess.run(
            [shellcheck, "--norc", "--shell=bash", "--format=gcc", "-"],
            input=script,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        findings += [f"{step.get('name')}: {line}" for line in result.stdout.splitlines()]
        assert result.returncode == (1 if result.stdout else 0), result.stderr
    return findings


BROKEN_ACTION_STEP = """
    - name: Broken
      shell: bash
      run: echo ${{ inputs.ledger }} $TFDRIFT_INPUT_LEDGER
"""


@pytest.mark.parametrize("broken", [False, True], ids=["action.yml", "with-a-broken-step"])
def test_shellcheck_on_the_composite_action_steps(shellcheck: str, broken: bool) -> None:
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    if broken:
        text = text.rstrip("\n") + "\n" + BROKEN_ACTION_STEP
    findings = _shellcheck_composite_steps(shellcheck, text)
    if broken:
        assert len(findings) == 1 and "SC2086" in findings[0], findings
    else:
        assert findings == [], "\n".join(findings)
