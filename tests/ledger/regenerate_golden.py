"""Rewrite the ``ledger`` CLI golden files: ``python tests/ledger/regenerate_golden.py``.

Builds the demo ledger (``ledger_support.build_demo_ledger``) in a temporary directory, runs
each command of ``golden_commands`` and stores its stdout under ``tests/fixtures/ledger/``.
Review the diff before committing: the golden files are the contract.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from click.testing import CliRunner

from tests.ledger.ledger_support import build_demo_ledger, golden_commands
from tfdrift_gitops.cli import cli
from tfdrift_gitops.ledger import open_ledger

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "ledger"


def run(location: str, args: list[str]) -> str:
    result = CliRunner().invoke(cli, ["ledger", *args, "--ledger", location])
    if result.exit_code != 0:
        raise SystemExit(f"ledger {' '.join(args)} failed: {result.output}")
    return result.stdout


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        location = str(Path(tmp) / "ledger")
        ids = build_demo_ledger(open_ledger(location))
        for name, args in golden_commands(ids).items():
            (GOLDEN / name).write_text(run(location, args), encoding="utf-8")
            print(f"wrote {GOLDEN / name}")


if __name__ == "__main__":
    main()
