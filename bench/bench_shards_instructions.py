"""Benchmark: ``detect --jobs 2`` against one process on the write calls, in instructions.

    python bench/bench_shards_instructions.py     # about 10 minutes; needs valgrind

bench_detect.py --writes times the same runs, and on a shared machine its CPU figures move by
tens of percent from run to run. Callgrind counts the instructions each process executes:
the same count for the same code and input whatever else the machine does. Three runs, each
in a fresh interpreter: the state loaded and indexed only (``base``), then one process's
replay up to the JSON records (``one``), then ``--jobs 2`` (``two``: this process, worker 0,
and the forked worker, each in its own callgrind file). Each run's own work is its count less
``base``. The ratio is one process's work over the busier of the two workers' (this process's
count includes its own serial part: forking, reading the other worker's result, merging).
Instructions leave out what the forked workers pay in page faults and in sharing the cores,
so the CPU-time ratio a quiet machine gives runs a few hundredths below this one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"

PROBE = """
import sys
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.cli.detect import settle_for_replay
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.render.text import json_text
engine = Engine(StateSource([sys.argv[1]]).index())
settle_for_replay()
def to_json(drift):
    return json_text(drift_to_record(drift))
if sys.argv[3] == "one":
    from tfdrift_gitops.adapters.events import iter_events
    from tfdrift_gitops.core.detector import Detector
    from tfdrift_gitops.core.prefilter import make_prefilter
    detector = Detector(engine)
    prefilter = make_prefilter(engine.catalog, known=detector.knows)
    detector.feed(iter_events(sys.argv[2], prefilter=prefilter))
    print(len([to_json(d) for d in detector.drifts]))
elif sys.argv[3] == "two":
    from tfdrift_gitops.adapters.shards import run_sharded
    run = run_sharded(engine, [sys.argv[2]], 2, render=to_json)
    assert run.sharded, run.why
    print(len(run.rendered))
"""

_TOTAL = re.compile(rb"^(?:summary|totals): (\d+)", re.MULTILINE)


def _instructions(where: Path, mode: str, state: Path, events: Path) -> list[int]:
    """Each process's instruction count in a callgrind run of ``mode`` (the first is this
    process, the others its forked workers)."""
    run = subprocess.Popen(  # valgrind runs the program as itself: its pid is the program's
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={where}/{mode}.%p",
            sys.executable,
            "-c",
            PROBE,
            str(state),
            str(events),
            mode,
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if run.wait() != 0:
        raise SystemExit(f"the {mode} run failed (exit status {run.returncode})")
    # This process first (pids wrap round: a worker's may be the lower one).
    files = sorted(where.glob(f"{mode}.*"), key=lambda p: int(p.suffix[1:]) != run.pid)
    counts = []
    for file in files:
        found = _TOTAL.search(file.read_bytes())
        if found is None:
            raise SystemExit(f"no instruction total in {file}")
        counts.append(int(found.group(1)))
    return counts


def main() -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    state, events = OUT / "state.tfstate", OUT / "events-terraform-heavy-writes.jsonl"
    if not state.exists() or not events.exists():
        raise SystemExit("run bench/bench_detect.py --writes first (it writes bench/out/)")
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        (base,) = _instructions(where, "base", state, events)
        (one,) = _instructions(where, "one", state, events)
        two = _instructions(where, "two", state, events)
    single = one - base
    # A forked worker's count starts with what this process ran before forking: each is
    # taken less the same base.
    workers = [count - base for count in two]
    print(f"state loaded and indexed: {base / 1e9:.2f} G instructions")
    print(f"one process, write calls up to the JSON records: {single / 1e9:.2f} G")
    print(
        "--jobs 2: "
        + ", ".join(f"{w / 1e9:.2f} G" for w in workers)
        + " (this process, with its own serial part; the forked worker)"
    )
    print(f"one process / the busier worker = {single / max(workers):.3f}x (target >= 1.7x)")


if __name__ == "__main__":
    main()
