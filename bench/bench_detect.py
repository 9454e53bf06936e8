"""Benchmark: state indexing and ``detect`` throughput (issue 2 targets).

    python bench/bench_detect.py            # generates bench/out/ first if missing

Targets (one core): detect >= 20,000 records/s end to end from JSON Lines and >= 0.3x the rate
of merely json.loads-ing the same lines. Each measurement runs in a fresh subprocess so peak RSS
is its own. The state line here is load + index inside an interpreter that has imported the
loader only; issue 14's state targets (< 2 s whole process, peak RSS < 3x the file) are
measured by bench_state.py, which times the whole `detect` process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
REPO = Path(__file__).resolve().parent.parent

STATE_PROBE = """
import resource, sys, time
from tfdrift_gitops.adapters.state_source import StateSource
t = time.perf_counter()
index = StateSource([sys.argv[1]]).index()
elapsed = time.perf_counter() - t
print(len(index), elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""

BASELINE_PROBE = """
import json, sys, time
t = time.perf_counter()
n = 0
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        json.loads(line)
        n += 1
print(n, time.perf_counter() - t)
"""

DETECT_PROBE = """
import gc, sys, time
from tfdrift_gitops.adapters.events import iter_events
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.prefilter import make_prefilter
index = StateSource([sys.argv[1]]).index()
engine = Engine(index)
gc.freeze()  # as `tfdrift-gitops detect` does once the index is built
detector = Detector(engine)
t = time.perf_counter()
# The same path as `tfdrift-gitops detect`: reader with the catalog prefilter, engine, fold.
prefilter = make_prefilter(engine.catalog, known=detector.knows)
detector.feed(iter_events(sys.argv[2], prefilter=prefilter))
elapsed = time.perf_counter() - t
print(detector.tally.records, elapsed, len(detector.drifts), len(detector.tally.errors))
print(detector.tally.summary_line(detector.drifts), file=sys.stderr)
"""


def probe(code: str, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    if done.stderr.strip():
        print("   ", done.stderr.strip().splitlines()[-1])
    return done.stdout.split()


def main() -> None:
    state = OUT / "state.tfstate"
    mixes = {
        "realistic": OUT / "events.jsonl",
        "drift-heavy": OUT / "events-drift-heavy.jsonl",
        "terraform-heavy": OUT / "events-terraform-heavy.jsonl",
    }
    generator = str(Path(__file__).parent / "gen_data.py")
    for mix, path in mixes.items():
        if not state.exists() or not path.exists():
            subprocess.run([sys.executable, generator, "--mix", mix], check=True)
    size = state.stat().st_size
    count, seconds, rss = probe(STATE_PROBE, str(state))
    ratio = int(rss) / size
    print(
        f"state: {int(count):,} resources, {size / 1e6:.1f} MB file: in-process "
        f"load+index {float(seconds):.2f} s, peak RSS {int(rss) / 1e6:.0f} MB "
        f"({ratio:.2f}x file)"
    )
    figures: dict[str, float] = {"state_seconds": float(seconds), "state_rss_ratio": ratio}
    for mix, events in mixes.items():
        lines, base_seconds = probe(BASELINE_PROBE, str(events))
        base_rate = int(lines) / float(base_seconds)
        records, det_seconds, drifts, errors = probe(DETECT_PROBE, str(state), str(events))
        rate = int(records) / float(det_seconds)
        print(
            f"detect ({mix} mix): {int(records):,} records in {float(det_seconds):.2f} s = "
            f"{rate:,.0f} records/s; json.loads alone {base_rate:,.0f} lines/s -> "
            f"{rate / base_rate:.2f}x; {int(drifts):,} open drifts, {errors} errors"
        )
        figures[f"{mix}_rate"] = rate
        figures[f"{mix}_ratio"] = rate / base_rate
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
