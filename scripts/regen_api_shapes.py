"""Regenerate tests/fixtures/api_shapes/observed.json: per catalog row, the key paths of the
requests and responses the catalog tests feed it and the key paths the row looks up in them.

    python scripts/regen_api_shapes.py

Runs the catalog tests once (one process, about a minute) with the recording plugin
``tests/catalog/record_shapes.py``. Left out: the fuzz modules and Hypothesis examples
(generated hostile requests), test_shape_unrecognised.py (renamed keys on purpose) and
test_api_shapes.py (the check itself).
tests/catalog/test_api_shapes.py judges the file against botocore's service models;
scripts/regen_evidence.py reads it to mark rows checked against the API model. Run it after
changing a row or its tests, then scripts/regen_evidence.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "api_shapes" / "observed.json"
LEFT_OUT = (
    "tests/catalog/test_ec2_fuzz.py",
    "tests/catalog/test_compute_fuzz.py",
    "tests/catalog/test_shape_unrecognised.py",
    "tests/catalog/test_api_shapes.py",
)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        written = Path(tmp) / "observed.json"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.catalog.record_shapes",
            "-q",
            "-x",
            "tests/catalog",
            *(f"--ignore={path}" for path in LEFT_OUT),
        ]
        env = {**os.environ, "TFDRIFT_API_SHAPES_OUT": str(written)}
        done = subprocess.run(command, cwd=ROOT, env=env, check=False)
        if done.returncode != 0:
            print("the catalog tests failed: observed.json left as it was", file=sys.stderr)
            return done.returncode
        rows = json.loads(written.read_text(encoding="utf-8"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(rows)} rows fed by the catalog tests)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
