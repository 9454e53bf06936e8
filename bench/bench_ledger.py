"""Benchmark the drift ledger against a moto S3 server started here (and the local adapter).

    python bench/bench_ledger.py [--drifts 1000] [--archived 100000] [--threads 8]

Prints:
1. writes of new drifts per second with N threads sharing one ledger (S3 and local);
2. the full-size concurrency check: 8 writer processes x 500 events on 20 resources, verified
   (every event in exactly one drift, no update lost);
3. listing the open drifts among many archived ones (the archived objects are written directly
   with parallel put_object; how long that setup took is printed too);
4. S3 requests per ledger operation, counted with botocore ``before-send`` hooks (every HTTP
   attempt, retries included: what S3 bills), so that cost on real S3 can be computed;
5. ``detect`` against the S3 ledger on the first --records lines of bench_detect.py's
   Terraform-heavy write calls (generated when missing): requests per record, with the listing
   of open drifts answering for Terraform's calls, and without it (every call read).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ledger"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger_support import (  # type: ignore[import-not-found]  # the tests' world
    T0,
    add,
    all_event_ids,
    cidr_for,
    event,
    make_engine,
    remove,
    thing_id,
)

from tfdrift_gitops.adapters.aws import make_s3_client
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.ledger import StoredLedger, layout, open_ledger
from tfdrift_gitops.ledger.s3 import S3Storage
from tfdrift_gitops.models import Status

WORKER = Path(__file__).resolve().parents[1] / "tests" / "ledger" / "ledger_worker.py"


class RequestCounter:
    """Counts S3 HTTP requests by operation (``before-send`` fires once per attempt)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def __call__(self, event_name: str = "", **_: Any) -> None:
        self.counts[event_name.rsplit(".", 1)[-1]] += 1

    def take(self) -> Counter[str]:
        counts, self.counts = self.counts, Counter()
        return counts


def s3_ledger(endpoint: str, bucket: str, prefix: str) -> tuple[StoredLedger, RequestCounter]:
    client = make_s3_client(endpoint_url=endpoint)
    counter = RequestCounter()
    client.meta.events.register("before-send.s3", counter)
    return StoredLedger(S3Storage(client, bucket, prefix)), counter


def serve_moto(port: int, ready: Any) -> None:
    """The S3 server in its own process: the benchmark's client threads and the server do
    not share one interpreter lock (as with real S3, the server is elsewhere)."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no log line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    ready.set()
    threading.Event().wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def new_bucket(endpoint: str) -> str:
    name = f"bench-{uuid.uuid4().hex[:16]}"
    make_s3_client(endpoint_url=endpoint).create_bucket(Bucket=name)
    return name


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


# --------------------------------------------------------------------------- 1. new drifts


def write_new_drifts(ledger: StoredLedger, engine: Engine, count: int, threads: int) -> float:
    events = [add(i, "203.0.113.7/32", seconds=i, eid=f"new-{i:07d}") for i in range(count)]
    findings = [f for e in events for f in engine.evaluate(e).findings]
    assert len(findings) == count

    def one(finding: Any) -> str:
        return ledger.record(engine, finding).result.value

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results, seconds = timed(lambda: Counter(pool.map(one, findings)))
    assert results == {"opened": count}, results
    return seconds


# --------------------------------------------------------------------------- 2. processes


def concurrency(url: str, endpoint: str | None, writers: int, events: int, resources: int) -> float:
    command = [sys.executable, str(WORKER), "--ledger", url, "--writers", str(writers)]
    command += ["--events", str(events), "--resources", str(resources)]
    if endpoint:
        command += ["--endpoint", endpoint]
    start = time.perf_counter()
    processes = [
        subprocess.Popen([*command, "--writer", str(w)], stdout=subprocess.PIPE, text=True)
        for w in range(writers)
    ]
    for process in processes:
        process.communicate(timeout=1800)
        if process.returncode != 0:
            raise SystemExit(f"writer failed with exit code {process.returncode}")
    seconds = time.perf_counter() - start
    ledger = open_ledger(url, s3_endpoint_url=endpoint)
    listing = ledger.list()
    total = writers * events
    counts = all_event_ids(listing.drifts)
    assert not listing.corrupt
    assert len(listing.drifts) == resources
    assert set(counts) == {f"ev-{k:07d}" for k in range(total)}
    assert set(counts.values()) == {1}
    for drift in listing.drifts:
        index = int(drift.resource.id.removeprefix("t-"))
        expected = {cidr_for(k) for k in range(total) if k % resources == index}
        assert set(drift.changes[0].after) == expected | {"10.0.0.0/8"}
    return seconds


# --------------------------------------------------------------------------- 3. listing


def fill_archive(endpoint: str, bucket: str, prefix: str, count: int, threads: int) -> float:
    """``count`` archived drift objects, written straight to S3 (the ledger's own code path
    would also write event markers and references, which listing never reads)."""
    engine = make_engine()
    ledger = open_ledger(f"s3://{bucket}/scratch-{uuid.uuid4().hex[:8]}", s3_endpoint_url=endpoint)
    folded = ledger.record(engine, engine.evaluate(add(1, "198.51.100.1/32")).findings[0])
    assert folded.drift is not None
    template = replace(folded.drift, status=Status.RESOLVED)
    client = make_s3_client(endpoint_url=endpoint)

    def put(n: int) -> None:
        drift = replace(template, id="d-" + hashlib.sha256(b"%d" % n).hexdigest()[:16])
        client.put_object(
            Bucket=bucket,
            Key=f"{prefix}/{layout.archive_key(drift.id)}",
            Body=layout.encode_drift(drift),
            ServerSideEncryption="AES256",
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(put, range(count)))
    return time.perf_counter() - start


# --------------------------------------------------------------------------- 4. request costs


def request_costs(endpoint: str) -> list[tuple[str, Counter[str]]]:
    bucket = new_bucket(endpoint)
    ledger, counter = s3_ledger(endpoint, bucket, "costs")
    engine = make_engine()

    def record(ev: Any) -> None:
        for finding in engine.evaluate(ev).findings:
            ledger.record(engine, finding)

    rows: list[tuple[str, Counter[str]]] = []

    def measure(label: str, fn: Callable[[], Any]) -> None:
        counter.take()
        fn()
        rows.append((label, counter.take()))

    record(add(19, "192.0.2.1/32", eid="warm-up"))  # the layout marker, once per process
    measure("record: new drift", lambda: record(add(1, "192.0.2.1/32", seconds=1)))
    measure("record: event joins open drift", lambda: record(add(1, "192.0.2.2/32", seconds=2)))
    measure("record: redelivery (drift open)", lambda: record(add(1, "192.0.2.2/32", seconds=2)))
    measure(
        "record: Terraform revert closes 3-event drift",
        lambda: record(
            event(
                "RemoveCidr",
                {"thingId": thing_id(1), "cidr": ["192.0.2.1/32", "192.0.2.2/32"]},
                seconds=3,
                terraform=True,
            )
        ),
    )
    measure(
        "record: redelivery (drift archived)",
        lambda: record(add(1, "192.0.2.1/32", seconds=1)),
    )
    measure(
        "record: trusted call, no drift (lists open/)",
        lambda: record(remove(2, "192.0.2.9/32", seconds=4, terraform=True)),
    )
    measure(
        "record: trusted call, no drift (listed)",
        lambda: record(remove(3, "192.0.2.9/32", seconds=4, terraform=True)),
    )
    record(add(2, "192.0.2.3/32", seconds=5))
    drift_id = ledger.list_open().drifts[0].id
    fresh, fresh_counter = s3_ledger(endpoint, bucket, "costs")
    counter.take()
    fresh.get(drift_id)
    rows.append(("get(id), open drift (new process)", fresh_counter.take()))
    measure("ack(id)", lambda: ledger.ack(drift_id, by="bench", reason="cost"))
    measure(
        "set_github(id, issue, status)",
        lambda: ledger.set_github(drift_id, issue_number=1, status=Status.ISSUE_OPENED),
    )
    measure("list_open() with 2 open drifts", ledger.list_open)
    measure(
        "put_cursor (moves forward)", lambda: ledger.put_cursor("falco", T0 + timedelta(minutes=10))
    )
    measure("put_cursor (older time: read only)", lambda: ledger.put_cursor("falco", T0))
    return rows


# --------------------------------------------------------------------------- sections


def section_new_drifts(endpoint: str, args: argparse.Namespace) -> None:
    print(f"\n== 1. new drifts, one ledger shared by {args.threads} threads")
    engine = make_engine(resources=args.drifts)
    s3, counter = s3_ledger(endpoint, new_bucket(endpoint), "ledger")
    seconds = write_new_drifts(s3, engine, args.drifts, args.threads)
    requests = sum(counter.take().values())
    print(
        f"S3    {args.drifts} new drifts: {seconds:.2f} s = {args.drifts / seconds:.0f} drifts/s "
        f"({requests} requests, {requests / seconds:.0f} requests/s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        local_seconds = write_new_drifts(
            open_ledger(str(Path(tmp) / "ledger")), engine, args.drifts, args.threads
        )
    print(
        f"local {args.drifts} new drifts: {local_seconds:.2f} s = "
        f"{args.drifts / local_seconds:.0f} drifts/s"
    )


def section_processes(endpoint: str, args: argparse.Namespace) -> None:
    total = args.writers * args.events
    print(
        f"\n== 2. {args.writers} writer processes x {args.events} events on {args.resources} "
        f"resources (+ a redelivery of 1 in 5 of a neighbour's events), then verified"
    )
    url = f"s3://{new_bucket(endpoint)}/ledger"
    seconds = concurrency(url, endpoint, args.writers, args.events, args.resources)
    print(f"S3    {total} events in {seconds:.1f} s ({total / seconds:.0f} events/s): verified")
    with tempfile.TemporaryDirectory() as tmp:
        seconds = concurrency(
            str(Path(tmp) / "ledger"), None, args.writers, args.events, args.resources
        )
    print(f"local {total} events in {seconds:.1f} s ({total / seconds:.0f} events/s): verified")


def section_listing(endpoint: str, args: argparse.Namespace) -> None:
    print(f"\n== 3. listing {args.drifts} open drifts among {args.archived} archived ones")
    bucket = new_bucket(endpoint)
    writer, _ = s3_ledger(endpoint, bucket, "ledger")
    write_new_drifts(writer, make_engine(resources=args.drifts), args.drifts, args.threads)
    fill_seconds = fill_archive(endpoint, bucket, "ledger", args.archived, 32)
    print(
        f"setup: {args.archived} archived objects written in {fill_seconds:.1f} s "
        f"({args.archived / fill_seconds:.0f} puts/s, 32 threads)"
    )
    reader, counter = s3_ledger(endpoint, bucket, "ledger")
    listing, seconds = timed(reader.list_open)
    assert len(listing.drifts) == args.drifts
    assert not listing.corrupt
    print(
        f"list_open(): {len(listing.drifts)} open drifts in {seconds:.2f} s; "
        f"requests: {dict(counter.take())}"
    )


def section_costs(endpoint: str, args: argparse.Namespace) -> None:
    print("\n== 4. S3 requests per operation (HTTP attempts, as billed)")
    for label, counts in request_costs(endpoint):
        detail = ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))
        print(f"{label:<48} {sum(counts.values()):>3}  ({detail})")


def section_detect(endpoint: str, args: argparse.Namespace) -> None:
    from bench_detect import OUT, _write_calls

    from tfdrift_gitops.adapters.events import iter_many
    from tfdrift_gitops.adapters.state_source import StateSource
    from tfdrift_gitops.core.detector import Detector
    from tfdrift_gitops.core.prefilter import make_prefilter

    state, mix = OUT / "state.tfstate", OUT / "events-terraform-heavy.jsonl"
    if not state.exists() or not mix.exists():
        generator = Path(__file__).parent / "gen_data.py"
        subprocess.run([sys.executable, str(generator), "--mix", "terraform-heavy"], check=True)
    writes = OUT / "events-terraform-heavy-writes.jsonl"
    if not writes.exists() or writes.stat().st_mtime < mix.stat().st_mtime:
        _write_calls(mix, writes)
    engine = Engine(StateSource([str(state)]).index())
    with tempfile.TemporaryDirectory() as tmp:
        head = Path(tmp) / "head.jsonl"
        with writes.open("rb") as source, head.open("wb") as sink:
            for _, line in zip(range(args.records), source, strict=False):
                sink.write(line)
        print(
            f"\n== 5. detect --ledger s3://... on the first {args.records:,} Terraform-heavy "
            f"write calls (state: 50,000 resources)"
        )
        for label, max_age in (("open drifts listed", 30.0), ("every call read", 0.0)):
            client = make_s3_client(endpoint_url=endpoint)
            counter = RequestCounter()
            client.meta.events.register("before-send.s3", counter)
            storage = S3Storage(client, new_bucket(endpoint), "ledger")
            ledger = StoredLedger(storage, open_listing_max_age=max_age)
            ledger.reassess_open(engine)  # as detect does first
            detector = Detector(engine, ledger)
            prefilter = make_prefilter(engine.catalog, known=detector.knows)
            start = time.perf_counter()
            detector.feed(iter_many([str(head)], prefilter=prefilter))
            seconds = time.perf_counter() - start
            counts = counter.take()
            total = sum(counts.values())
            detail = ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))
            print(
                f"{label:<20} {total:>6} requests = {total / args.records:.2f} a record "
                f"({detail}); {seconds:.1f} s on moto; "
                f"{detector.tally.summary_line(detector.drifts)}"
            )


def count_fsyncs(fn: Callable[[], Any]) -> tuple[Any, int]:
    """``fn()`` with ``os.fsync`` and ``os.fdatasync`` counted (this process's calls)."""
    calls = [0]
    real = {name: getattr(os, name) for name in ("fsync", "fdatasync") if hasattr(os, name)}

    def counting(call: Callable[[int], None]) -> Callable[[int], None]:
        def wrapped(fd: int) -> None:
            calls[0] += 1
            call(fd)

        return wrapped

    for name, call in real.items():
        setattr(os, name, counting(call))
    try:
        return fn(), calls[0]
    finally:
        for name, call in real.items():
            setattr(os, name, call)


def detect_local(state: Path, events: Path, jobs: int, *, strace: bool) -> tuple[float, int, int]:
    """``detect --ledger DIR`` in a fresh process: seconds, open drifts, fsync+fdatasync
    calls (-1 when not counted)."""
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent / "out") as tmp:
        ledger = Path(tmp) / "ledger"
        base = [sys.executable, "-m", "tfdrift_gitops", "detect", "--state", str(state)]
        base += ["--events", str(events), "--ledger", str(ledger), "--format", "json"]
        base += ["--jobs", str(jobs)]
        trace = Path(tmp) / "strace.txt"
        command = base
        if strace:
            command = ["strace", "-f", "-c", "-o", str(trace), "-e", "trace=fsync,fdatasync"]
            command += base
        start = time.perf_counter()
        done = subprocess.run(
            command, check=False, capture_output=True, text=True, cwd=Path(__file__).parents[1]
        )
        seconds = time.perf_counter() - start
        if done.returncode not in (0, 2):
            raise SystemExit(f"detect failed ({done.returncode}): {done.stderr[-2000:]}")
        drifts = sum(1 for line in done.stdout.splitlines() if line.strip())
        calls = -1
        if strace:
            calls = 0
            for line in trace.read_text().splitlines():
                fields = line.split()
                if fields and fields[-1] in ("fsync", "fdatasync"):
                    calls += int(fields[3])
        return seconds, drifts, calls


def section_local_fsync(endpoint: str, args: argparse.Namespace) -> None:
    from bench_detect import OUT, _write_calls

    print(f"\n== 6. local ledger fsyncs; detect --ledger DIR on {args.records:,} write calls")
    engine = make_engine(resources=args.drifts)
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent / "out") as tmp:
        ledger = open_ledger(str(Path(tmp) / "ledger"))
        ledger.record(engine, engine.evaluate(add(0, "198.51.100.1/32", eid="warm")).findings[0])
        count = args.drifts - 1
        events = [
            add(i, "203.0.113.7/32", seconds=i, eid=f"n-{i:07d}") for i in range(1, count + 1)
        ]
        findings = [f for e in events for f in engine.evaluate(e).findings]

        def write() -> None:
            batch = getattr(ledger, "batch", None)
            if batch is None:
                for finding in findings:
                    ledger.record(engine, finding)
                return
            with batch():
                for finding in findings:
                    ledger.record(engine, finding)

        (_, seconds), calls = count_fsyncs(lambda: timed(write))
        mode = "batched" if hasattr(ledger, "batch") else "one by one"
        print(
            f"local, one thread, {mode}: {count} new drifts in {seconds:.2f} s = "
            f"{count / seconds:.0f} drifts/s; {calls} fsync+fdatasync = "
            f"{calls / count:.2f} per new drift"
        )
    state, mix = OUT / "state.tfstate", OUT / "events-terraform-heavy.jsonl"
    writes = OUT / "events-terraform-heavy-writes.jsonl"
    if not writes.exists():
        _write_calls(mix, writes)
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent / "out") as tmp:
        head = Path(tmp) / "head.jsonl"
        with writes.open("rb") as source, head.open("wb") as sink:
            for _, line in zip(range(args.records), source, strict=False):
                sink.write(line)
        strace = shutil.which("strace") is not None
        for jobs in (1, 2):
            seconds, drifts, _ = detect_local(state, head, jobs, strace=False)
            _, _, calls = detect_local(state, head, jobs, strace=strace) if strace else (0, 0, -1)
            counted = f"{calls} fsync+fdatasync (strace -f)" if calls >= 0 else "not counted"
            print(
                f"detect --ledger DIR --jobs {jobs}: {seconds:.2f} s (whole process, state load "
                f"included), {drifts} open drifts = {drifts / seconds:.0f} drifts/s; {counted}"
                f"{'' if calls < 0 or not drifts else f' = {calls / drifts:.2f} per drift'} "
                f"(load {os.getloadavg()[0]:.1f})"
            )


SECTIONS: dict[str, Callable[[str, argparse.Namespace], None]] = {
    "1": section_new_drifts,
    "2": section_processes,
    "3": section_listing,
    "4": section_costs,
    "5": section_detect,
    "6": section_local_fsync,
}
LOCAL_ONLY = {"6"}


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drifts", type=int, default=1000, help="new drifts to write")
    parser.add_argument("--archived", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--events", type=int, default=500, help="events per writer process")
    parser.add_argument("--resources", type=int, default=20)
    parser.add_argument("--records", type=int, default=8000, help="records for section 5")
    parser.add_argument(
        "--sections", default="12345", help="which sections to run, e.g. 14 (default: all)"
    )
    args = parser.parse_args()
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        os.environ.setdefault(name, value)  # moto accepts any; boto3 needs some

    if set(args.sections) <= LOCAL_ONLY:  # no S3 wanted: no moto server
        for section in args.sections:
            SECTIONS[section]("", args)
        return
    port = free_port()
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    server = context.Process(target=serve_moto, args=(port, ready), daemon=True)
    server.start()
    if not ready.wait(60):
        raise SystemExit("the moto server did not start")
    endpoint = f"http://127.0.0.1:{port}"
    print(
        f"moto server (ThreadedMotoServer in its own process) at {endpoint}; "
        f"python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}"
    )
    try:
        for section in args.sections:
            SECTIONS[section](endpoint, args)
    finally:
        server.kill()
        server.join()


if __name__ == "__main__":
    main()
