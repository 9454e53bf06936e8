"""Benchmark: loading and indexing a 50,000-resource state, whole process (issue 14 targets).

    python bench/bench_state.py            # writes bench/out/state-*.tfstate first if missing

Targets: 50,000 resources indexed in < 2 s whole process (the peer: 0.6 s), peak RSS < 3x the
state file. "Whole process" is what a user waits for: `tfdrift-gitops detect --state S --events
EMPTY` in a fresh interpreter (start-up, imports, reading, indexing, the engine, exit), timed
from outside; peak RSS is the child's ``ru_maxrss``, as /usr/bin/time reports it.

Shapes of 50,000 resource instances, a third in modules, indented as Terraform writes state
(UTF-8, non-ASCII characters as they are):
- ``40mb``: issue 14's state (40 MB, 50,000 resources): one instance per resource block, lean
  attributes;
- ``100mb``: bench_detect's state (101.6 MB): blocks of 10 instances (count and for_each),
  ~2 KB of attributes per instance;
- ``40mb-utf8``: the 40 MB shape with one emoji in one tag (a text held as decoded Python
  ``str`` would take 4 bytes a character).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_data  # a sibling script, not a package

OUT = Path(__file__).resolve().parent / "out"
REPO = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "tfdrift-gitops"
RESOURCES = 50_000
SHAPES = ["40mb", "100mb", "40mb-utf8"]

# The filler attributes the 40 MB shape keeps: small values, as most resource types have.
LEAN_FILLER = ("timeouts", "region")


def make_shape(shape: str) -> dict[str, Any]:
    """``100mb``: gen_data's state. ``40mb``: the same resources with lean attributes, each
    instance its own resource block (as most real resources are: no count, no for_each)."""
    state = gen_data.make_state(RESOURCES)
    if shape == "100mb":
        return state
    if shape == "40mb-utf8":
        state = make_shape("40mb")
        state["resources"][0]["instances"][0]["attributes"]["tags"]["Team"] = "bench 🚀"
        return state
    blocks = []
    for res in state["resources"]:
        for position, inst in enumerate(res["instances"]):
            attrs = inst["attributes"]
            lean = {k: v for k, v in attrs.items() if k not in gen_data.FILLER or k in LEAN_FILLER}
            block = {k: v for k, v in res.items() if k != "instances"}
            block["name"] = f"{res['name']}_{position}"
            block["instances"] = [{"schema_version": 0, "attributes": lean}]
            blocks.append(block)
    state["resources"] = blocks
    return state


def state_file(shape: str) -> Path:
    # The 100 MB shape is gen_data.py's state.tfstate, the one bench_detect.py replays against.
    path = OUT / ("state.tfstate" if shape == "100mb" else f"state-{shape}.tfstate")
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        # Terraform writes state indented by two spaces.
        path.write_text(json.dumps(make_shape(shape), indent=2, ensure_ascii=False), "utf-8")
    return path


def whole_process(state: Path, events: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS bytes) of one `detect` run in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [str(CLI), "detect", "--state", str(state), "--events", str(events)],
        check=False,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or "records: 0 read" not in done.stderr:
        raise SystemExit(f"detect failed ({done.returncode}): {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of RUSAGE_CHILDREN is the largest any child reached: `measure` calls this in
    # a fresh process each time, so that is this run's own peak.
    return wall, cpu, after.ru_maxrss * 1024


def measure(state: Path, events: Path) -> tuple[float, float, int]:
    """One run in a fresh measuring process, so RUSAGE_CHILDREN holds this run alone."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import bench_state as b; "
        "from pathlib import Path; "
        "print(*b.whole_process(Path(sys.argv[2]), Path(sys.argv[3])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), str(state), str(events)],
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu, rss = done.stdout.split()
    return float(wall), float(cpu), int(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shape", choices=SHAPES, action="append")
    args = parser.parse_args()
    events = OUT / "empty.jsonl"
    OUT.mkdir(parents=True, exist_ok=True)
    events.write_bytes(b"")
    figures: dict[str, float] = {}
    for shape in args.shape or SHAPES:
        state = state_file(shape)
        size = state.stat().st_size
        runs = [measure(state, events) for _ in range(args.runs)]
        walls = sorted(r[0] for r in runs)
        cpus = sorted(r[1] for r in runs)
        rss = max(r[2] for r in runs)
        median = walls[len(walls) // 2]
        print(
            f"state {shape}: {RESOURCES:,} resources, {size / 1e6:.1f} MB: whole process "
            f"median {median:.2f} s (best {walls[0]:.2f}, worst {walls[-1]:.2f}; CPU median "
            f"{cpus[len(cpus) // 2]:.2f} s), peak RSS {rss / 1e6:.0f} MB = {rss / size:.2f}x "
            f"the file; load average {os.getloadavg()[0]:.2f}"
        )
        figures[f"{shape}_seconds"] = median
        figures[f"{shape}_rss_ratio"] = rss / size
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
