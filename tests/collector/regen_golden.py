"""Rewrite the golden files of the collector and notification tests.

Run from the repository root after an intended change to a template or to the rules layout:
``python tests/collector/regen_golden.py``; review the diff before committing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.collector.rules_golden import FIXTURES as RULES_FIXTURES  # noqa: E402
from tests.collector.rules_golden import GOLDEN as RULES_GOLDEN  # noqa: E402
from tests.notify.golden import FIXTURES as NOTIFY_FIXTURES  # noqa: E402
from tests.notify.golden import GOLDEN as NOTIFY_GOLDEN  # noqa: E402


def main() -> None:
    for directory, golden in ((RULES_FIXTURES, RULES_GOLDEN), (NOTIFY_FIXTURES, NOTIFY_GOLDEN)):
        directory.mkdir(parents=True, exist_ok=True)
        for name, render in golden.items():
            (directory / name).write_text(render(), encoding="utf-8")
            print(f"wrote {(directory / name).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
