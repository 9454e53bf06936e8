"""Regenerate tests/fixtures/api_shapes/observed.json: per catalog row, the key paths of the
requests and responses the catalog tests feed it and the key paths the row looks up in them.

    python scripts/regen_api_shapes.py [--oracle]

Runs the catalog tests once (one process, about a minute) with the recording plugin
``tests/catalog/record_shapes.py``. Left out: the fuzz modules and Hypothesis examples
(generated hostile requests), test_shape_unrecognised.py (renamed keys on purpose) and
test_api_shapes.py (the check itself).
tests/catalog/test_api_shapes.py judges the file against botocore's service models;
scripts/regen_evidence.py reads it to mark rows checked against the API model. Run it after
changing a row or its tests, then scripts/regen_evidence.py.

``--oracle`` records the Terraform oracle instead (every tests/oracle module in turn, each with
Terraform and a moto server: tens of minutes) into tests/fixtures/api_shapes/oracle.json, which
the check reads next to observed.json: the oracle's hand-written records are judged too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "api_shapes" / "observed.json"
ORACLE_OUT = OUT.with_name("oracle.json")
ORACLE_TESTS = ROOT / "tests" / "oracle"
LEFT_OUT = (
    "tests/catalog/test_ec2_fuzz.py",
    "tests/catalog/test_compute_fuzz.py",
    "tests/catalog/test_shape_unrecognised.py",
    "tests/catalog/test_api_shapes.py",
)


def record(targets: list[str], written: Path) -> int:
    """Run pytest on ``targets`` with the recording plugin, writing to ``written``."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-p",
        "tests.catalog.record_shapes",
        "-q",
        *targets,
    ]
    env = {**os.environ, "TFDRIFT_API_SHAPES_OUT": str(written)}
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


def merged(files: list[Path]) -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    from tests.catalog.api_rows import observed_rows

    rows = observed_rows(*files)
    return [{**rows[key]} for key in sorted(rows)]


def main(argv: list[str]) -> int:
    oracle = "--oracle" in argv
    with tempfile.TemporaryDirectory() as tmp:
        if oracle:
            # One module per process, one after the other: each runs Terraform and a moto server.
            targets = [[str(p.relative_to(ROOT))] for p in sorted(ORACLE_TESTS.glob("test_*.py"))]
        else:
            targets = [["tests/catalog", *(f"--ignore={path}" for path in LEFT_OUT)]]
        files = []
        for number, target in enumerate(targets):
            written = Path(tmp) / f"{number}.json"
            code = record(target, written)
            if code != 0 and not oracle:
                print("the catalog tests failed: observed.json left as it was", file=sys.stderr)
                return code
            if code != 0:
                # An oracle disagreement fails its module; the records it wrote still count.
                print(f"{target[0]} failed (exit {code}): its records are kept", file=sys.stderr)
            if written.is_file():
                files.append(written)
        rows = merged(files)
    out = ORACLE_OUT if oracle else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)} ({len(rows)} rows fed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
