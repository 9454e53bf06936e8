"""The core imports no adapter library: it must run wherever Python runs, and stay testable."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "tfdrift_gitops" / "core"
FORBIDDEN = ("boto3", "botocore", "grpc", "httpx", "github", "click", "jinja2", "urllib3")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
            if node.module.startswith("tfdrift_gitops.") and not node.module.startswith(
                ("tfdrift_gitops.core", "tfdrift_gitops.models", "tfdrift_gitops.errors")
            ):
                found.add(node.module)
    return found


@pytest.mark.parametrize(
    "module", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(CORE))
)
def test_core_module_imports_no_adapter(module: Path) -> None:
    imported = _imports(module)
    assert not imported & set(FORBIDDEN), f"{module} imports {imported & set(FORBIDDEN)}"
    outside = {m for m in imported if m.startswith("tfdrift_gitops.")}
    assert not outside, f"{module} reaches outside the core: {outside}"


def test_importing_the_engine_loads_no_adapter_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tfdrift_gitops.core.engine, tfdrift_gitops.core.fold, "
        "tfdrift_gitops.core.detector;"
        f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]; print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=CORE.parents[1],
    )
    assert out.stdout.strip() == ""
