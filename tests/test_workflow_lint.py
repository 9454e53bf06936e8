"""The workflow files people copy pass the tool people run on them: zizmor (from PyPI, offline
audits only) on action.yml, .github/workflows/ and examples/workflows/, with the repository's
own settings (.github/zizmor.yml). A finding fails with zizmor's own explanation."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

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
