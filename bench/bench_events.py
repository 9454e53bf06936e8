"""Reader + normaliser throughput against plain ``json.loads`` on the same JSON Lines.

    python bench/bench_events.py [events.jsonl] [--limit N]

Default input: ``bench/out/events.jsonl`` from ``bench/gen_data.py``. Prints records/s for
``json.loads`` alone, for ``normalize_any`` on already-parsed records, and for
``iter_events`` (read + split + parse + normalise) end to end, plus the ratio to json.loads.
The engine is not included: this measures the input side's share of the ``detect`` budget.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tfdrift_gitops.adapters.events import iter_events  # noqa: E402
from tfdrift_gitops.core.normalize import normalize_any  # noqa: E402
from tfdrift_gitops.models import CloudEvent  # noqa: E402


def best_of(runs: int, work: Callable[[], int]) -> tuple[float, int]:
    best = float("inf")
    count = 0
    for _ in range(runs):
        start = time.perf_counter()
        count = work()
        best = min(best, time.perf_counter() - start)
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(ROOT / "bench" / "out" / "events.jsonl"))
    parser.add_argument("--limit", type=int, default=200_000, help="lines to use")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    source = Path(args.path)
    if not source.is_file():
        sys.exit(f"{source}: not found (run bench/gen_data.py first)")
    with source.open("rb") as handle:
        raw = [line for _, line in zip(range(args.limit), handle, strict=False)]
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as sample:
        sample.write(b"".join(raw))
        sample.flush()

        def loads() -> int:
            for line in raw:
                json.loads(line)
            return len(raw)

        parsed = [json.loads(line) for line in raw]

        def normalise() -> int:
            for number, value in enumerate(parsed):
                normalize_any(value, f"x:{number}", size=len(raw[number]))
            return len(parsed)

        def read_all() -> int:
            return sum(isinstance(item, CloudEvent) for item in iter_events(sample.name))

        t_loads, n = best_of(args.runs, loads)
        t_norm, _ = best_of(args.runs, normalise)
        t_read, events = best_of(args.runs, read_all)

    size = sum(map(len, raw)) / max(len(raw), 1)
    print(f"lines: {n:,} (mean {size:,.0f} bytes), events: {events:,}")
    print(f"json.loads:           {n / t_loads:>10,.0f} records/s")
    print(f"normalize_any:        {n / t_norm:>10,.0f} records/s (parsed input)")
    print(f"iter_events:          {n / t_read:>10,.0f} records/s (read+parse+normalise)")
    print(f"iter_events / loads:  {t_loads / t_read:>10.2f}x")


if __name__ == "__main__":
    main()
