"""Regenerate docs/coverage.md and the README's catalog sentence from the catalog.

Run from anywhere after changing the catalog, the verification list, the real-record fixtures
or the peer data: ``.venv/bin/python scripts/regen_coverage.py``. It regenerates
tfdrift_gitops/data/evidence.json first (scripts/regen_evidence.py), since both documents show
it. ``--check`` exits 1 when any of the three is stale (tests/cli/test_catalog.py runs the same
comparisons).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tfdrift_gitops.render.catalog import (  # noqa: E402
    catalog_rows,
    coverage_page,
    readme_sentence,
    replace_region,
)

COVERAGE = ROOT / "docs" / "coverage.md"
README = ROOT / "README.md"
PEER = ROOT / "docs" / "data" / "tfdrift-falco-coverage.json"


def expected() -> dict[Path, str]:
    rows = catalog_rows()
    peer = json.loads(PEER.read_text(encoding="utf-8"))
    readme = replace_region(README.read_text(encoding="utf-8"), readme_sentence(rows))
    return {COVERAGE: coverage_page(rows, peer), README: readme}


def _regen_evidence(argv: list[str]) -> int:
    spec = importlib.util.spec_from_file_location(
        "regen_evidence", Path(__file__).with_name("regen_evidence.py")
    )
    if spec is None or spec.loader is None:
        raise SystemExit("cannot load scripts/regen_evidence.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return int(module.main(argv))


def main(argv: list[str]) -> int:
    if _regen_evidence(argv) != 0:
        return 1
    stale = []
    for path, text in expected().items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        if "--check" in argv:
            stale.append(path)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    for path in stale:
        print(f"stale: {path.relative_to(ROOT)} (run scripts/regen_coverage.py)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
