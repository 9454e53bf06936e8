"""Rewrite the golden files of rendered GitHub documents: python tests/github/regenerate_golden.py

Review the diff before committing: a changed golden file is a changed issue/PR body for users.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from tests.github.gh_golden import GOLDEN_DIR, documents


def main() -> None:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    docs = documents()
    for old in GOLDEN_DIR.glob("*"):
        if old.suffix in (".md", ".txt") and old.name not in docs:
            old.unlink()
    for name, text in sorted(docs.items()):
        (GOLDEN_DIR / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(docs)} files to {GOLDEN_DIR}")


if __name__ == "__main__":
    main()
