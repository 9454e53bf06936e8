"""The wheel carries every package, the templates, the bundled example and the schema."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# What a fresh clone does not have: setuptools reuses a build/ it finds, which can keep files a
# broken package no longer has, so the wheel is built from a copy without any of these.
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    ".tfdrift",
    ".terraform",
)


def test_every_python_package_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(path.parent.relative_to(REPO).parts)
        for path in (REPO / "tfdrift_gitops").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages"
    assert {"tfdrift_gitops.templates", "tfdrift_gitops.examples"} <= listed


@pytest.mark.slow
def test_wheel_contents(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE, symlinks=True)
    wheels = tmp_path / "wheels"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(done.stderr[-2000:])
    [wheel] = wheels.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "tfdrift_gitops/templates/issue.md.j2",
        "tfdrift_gitops/templates/slack.json.j2",
        "tfdrift_gitops/examples/state/terraform.tfstate",
        "tfdrift_gitops/examples/terraform/main.tf",
        "tfdrift_gitops/schemas/drift-v1.json",
        "tfdrift_gitops/py.typed",
    ):
        assert required in names
    assert any(n.startswith("tfdrift_gitops/examples/cloudtrail/") for n in names)
    # The Terraform oracle's verification list (read by `tfdrift-gitops catalog`) ships once
    # written; every data file the package holds must reach the wheel.
    for data in (REPO / "tfdrift_gitops" / "data").glob("*.json"):
        assert f"tfdrift_gitops/data/{data.name}" in names
    # Every module of the source tree, and nothing else: no stale file from an old build.
    modules = {
        path.relative_to(source).as_posix()
        for path in (source / "tfdrift_gitops").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert {n for n in names if n.startswith("tfdrift_gitops/") and n.endswith(".py")} == modules
