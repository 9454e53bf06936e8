"""Regenerate docs/coverage.md and the README's catalog sentence from the catalog.

Run from anywhere after changing the catalog, the verification list or the peer data:
``.venv/bin/python scripts/regen_coverage.py``; ``--check`` exits 1 when either file is stale
(tests/cli/test_catalog.py runs the same comparison).
"""

from __future__ import annotations

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


def main(argv: list[str]) -> int:
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
