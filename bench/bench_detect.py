"""Benchmark: state indexing and ``detect`` throughput (issue 2 and issue 14 targets).

    python bench/bench_detect.py            # generates bench/out/ first if missing

Targets: detect >= 20,000 records/s end to end from JSON Lines on one core and >= 0.3x the
rate of merely json.loads-ing the same lines (the Terraform-heavy mix of issue 14: >= 0.3x, aim
0.5x). The ratio is given against stdlib json.loads and against orjson.loads, the decoder
detect uses. The *write-only* run feeds the Terraform-heavy mix's write calls alone (what the
Falco rules forward: no read-only calls): >= 25,000 records/s on one core, and ``--jobs 2``
(two worker processes) >= 1.7x that on two cores. Each measurement runs in a fresh subprocess
so peak RSS is its own. The state line here is load + index inside an interpreter that has
imported the loader only; issue 14's state targets (< 2 s whole process, peak RSS < 3x the
file) are measured by bench_state.py, which times the whole `detect` process.
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
import orjson
loads = {"json": json.loads, "orjson": orjson.loads}[sys.argv[2]]
t, cpu = time.perf_counter(), time.process_time()
n = 0
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        loads(line)
        n += 1
print(n, time.perf_counter() - t, time.process_time() - cpu)
"""

DETECT_PROBE = """
import sys, time
from tfdrift_gitops.adapters.events import iter_events
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.cli.detect import settle_for_replay
from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.prefilter import make_prefilter
index = StateSource([sys.argv[1]]).index()
engine = Engine(index)
settle_for_replay()  # as `tfdrift-gitops detect` does once the index is built
detector = Detector(engine)
jobs = int(sys.argv[3])
t, cpu = time.perf_counter(), time.process_time()
# The same path as `tfdrift-gitops detect [--jobs N]`: reader with the catalog prefilter
# (JSON Lines handed to N worker processes when N > 1, starting them counted), engine, fold.
prefilter = make_prefilter(engine.catalog, known=detector.knows)
if jobs > 1:
    from tfdrift_gitops.adapters.parallel import LineWorkers
    with LineWorkers(engine, jobs, detector.knows) as workers:
        detector.feed(iter_events(sys.argv[2], prefilter=prefilter, lines=workers.handler))
else:
    detector.feed(iter_events(sys.argv[2], prefilter=prefilter))
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
print(detector.tally.records, elapsed, len(detector.drifts), len(detector.tally.errors), cpu)
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


def _write_calls(mix: Path, out: Path) -> None:
    """The mix's write calls alone: what the Falco rules forward (no read-only calls)."""
    with mix.open("rb") as source, out.open("wb") as sink:
        for line in source:
            if json.loads(line).get("readOnly") is False:
                sink.write(line)


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


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
    writes = OUT / "events-terraform-heavy-writes.jsonl"
    if not writes.exists() or writes.stat().st_mtime < mixes["terraform-heavy"].stat().st_mtime:
        _write_calls(mixes["terraform-heavy"], writes)
    size = state.stat().st_size
    count, seconds, rss = probe(STATE_PROBE, str(state))
    ratio = int(rss) / size
    print(
        f"state: {int(count):,} resources, {size / 1e6:.1f} MB file: "
        f"load+index {float(seconds):.2f} s, peak RSS {int(rss) / 1e6:.0f} MB "
        f"({ratio:.2f}x file)"
    )
    figures: dict[str, float] = {"state_seconds": float(seconds), "state_rss_ratio": ratio}
    runs = [(mix, path, 1) for mix, path in mixes.items()]
    runs += [("terraform-heavy writes", writes, 1), ("terraform-heavy writes", writes, 2)]
    for mix, events, jobs in runs:
        lines, base_seconds, base_cpu = probe(BASELINE_PROBE, str(events), "json")
        base_rate = int(lines) / float(base_seconds)
        _, fast_seconds, fast_cpu = probe(BASELINE_PROBE, str(events), "orjson")
        fast_rate = int(lines) / float(fast_seconds)
        records, det_seconds, drifts, errors, det_cpu = probe(
            DETECT_PROBE, str(state), str(events), str(jobs)
        )
        rate = int(records) / float(det_seconds)
        where = "one process" if jobs == 1 else f"--jobs {jobs}"
        print(
            f"detect ({mix} mix, {where}): {int(records):,} records in {float(det_seconds):.2f} s"
            f" = {rate:,.0f} records/s; json.loads alone {base_rate:,.0f} lines/s -> "
            f"{rate / base_rate:.2f}x, orjson.loads alone {fast_rate:,.0f} lines/s -> "
            f"{rate / fast_rate:.2f}x; {int(drifts):,} open drifts, {errors} errors "
            f"(load average {_load()})"
        )
        if jobs == 1:
            # CPU time moves less than wall time on a busy machine: the same figures by it.
            cpu_rate = int(records) / float(det_cpu)
            print(
                f"    by CPU time: {cpu_rate:,.0f} records/s; "
                f"{cpu_rate / (int(lines) / float(base_cpu)):.2f}x json.loads, "
                f"{cpu_rate / (int(lines) / float(fast_cpu)):.2f}x orjson.loads"
            )
        key = mix.replace(" ", "_") + ("" if jobs == 1 else f"_jobs{jobs}")
        figures[f"{key}_rate"] = rate
        figures[f"{key}_ratio"] = rate / base_rate
        figures[f"{key}_ratio_orjson"] = rate / fast_rate
    one, two = figures["terraform-heavy_writes_rate"], figures["terraform-heavy_writes_jobs2_rate"]
    print(f"write calls: --jobs 2 / one process = {two / one:.2f}x (target >= 1.7x)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
