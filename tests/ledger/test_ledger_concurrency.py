"""Several writer PROCESSES fold events into the same drifts at once, on both adapters.

Afterwards every event is in exactly one drift and no update is lost: each drift's observed
value holds every change made to its resource. (The full 8 x 500 size runs in
``bench/bench_ledger.py``; the suite keeps to a size that finishes in seconds.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ledger.ledger_support import all_event_ids, cidr_for, lifecycle_events, thing_id
from tfdrift_gitops.ledger import StoredLedger
from tfdrift_gitops.models import Status

WORKER = Path(__file__).with_name("ledger_worker.py")
WRITERS, EVENTS, RESOURCES = 4, 100, 20


def writer_command(url: str, endpoint: str | None, writer: int, *extra: str) -> list[str]:
    command = [sys.executable, str(WORKER), "--ledger", url, "--writer", str(writer)]
    if endpoint:
        command += ["--endpoint", endpoint]
    return command + list(extra)


def run_writers(url: str, endpoint: str | None, writers: int, *extra: str) -> list[dict[str, Any]]:
    processes = [
        subprocess.Popen(
            writer_command(url, endpoint, w, "--writers", str(writers), *extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(writers)
    ]
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def assert_load_converged(ledger: StoredLedger, writers: int, events: int, resources: int) -> None:
    listing = ledger.list()
    assert listing.corrupt == ()
    drifts = listing.drifts
    assert len(drifts) == resources
    assert all(d.status is Status.OPEN for d in drifts)
    total = writers * events
    counts = all_event_ids(drifts)
    assert set(counts) == {f"ev-{k:07d}" for k in range(total)}
    assert set(counts.values()) == {1}, "an event was folded twice"
    for drift in drifts:
        index = int(drift.resource.id.removeprefix("t-"))
        assert drift.resource.id == thing_id(index)
        expected = {cidr_for(k) for k in range(total) if k % resources == index}
        [change] = drift.changes
        assert set(change.after) == expected | {"10.0.0.0/8"}, "an update was lost"
        assert len(change.after) == len(expected) + 1
        assert [e.time for e in drift.events] == sorted(e.time for e in drift.events)


@pytest.mark.slow
def test_concurrent_writer_processes_lose_no_update(
    ledger: StoredLedger, ledger_url: str, endpoint: str | None
) -> None:
    reports = run_writers(
        ledger_url,
        endpoint,
        WRITERS,
        "--events",
        str(EVENTS),
        "--resources",
        str(RESOURCES),
    )
    results = sum((_counter(r["results"]) for r in reports), start=_counter({}))
    assert results["opened"] == RESOURCES  # one writer won each resource's creation
    assert results["opened"] + results["updated"] + results["escalated"] == WRITERS * EVENTS
    assert results["unchanged"] == WRITERS * EVENTS // 5  # every redelivery was a no-op
    assert_load_converged(ledger, WRITERS, EVENTS, RESOURCES)


def _counter(data: dict[str, int]) -> Any:
    from collections import Counter

    return Counter(data)


def assert_lifecycle_converged(ledger: StoredLedger, resources: int) -> None:
    listing = ledger.list()
    assert listing.corrupt == ()
    assert listing.pending_archive == 0
    by_status = {s: [d for d in listing.drifts if d.status is s] for s in Status}
    assert len(by_status[Status.RESOLVED]) == resources
    assert len(by_status[Status.OPEN]) == resources
    counts = all_event_ids(listing.drifts)
    expected = {e.id for r in range(resources) for e in lifecycle_events(r)}
    assert set(counts) == expected
    assert set(counts.values()) == {1}
    for drift in by_status[Status.RESOLVED]:
        assert [e.id.split("-")[0] for e in drift.events] == ["a", "b", "rv"]
    for drift in by_status[Status.OPEN]:
        assert [e.id.split("-")[0] for e in drift.events] == ["c"]
    assert list(ledger.storage.list_keys("open/")) == sorted(
        ledger.storage.list_keys("open/")
    )  # and nothing but open drifts remain there
    assert len(list(ledger.storage.list_keys("open/"))) == resources


# Every gap between two writes of the lifecycle scenario's first resource. The local backend
# runs them all; S3 (slower per process start) the three that leave a half-made drift.
CRASH_POINTS = [
    ("index/:4", "after-reference-before-open", True),
    ("open/:2", "after-an-update", False),
    ("open/:3", "after-close-step-1", True),
    ("index/:2", "amid-index-entries", False),
    ("archive/:1", "after-archive-before-delete", True),
    ("open/:4", "after-open-delete", False),
]


def lifecycle_writer(url: str, endpoint: str | None, resources: int, *extra: str) -> list[str]:
    """One writer running the lifecycle scenario (opens, closes, redeliveries) on ``resources``."""
    return writer_command(
        url,
        endpoint,
        0,
        "--writers",
        "1",
        "--events",
        "0",
        "--resources",
        str(resources),
        "--scenario",
        "lifecycle",
        *extra,
    )


def crash_then_rerun(
    command: list[str], crash_after: str, ledger: StoredLedger, resources: int
) -> None:
    """``command`` killed (SIGKILL) right after the write ``crash_after`` names leaves a
    readable ledger (no corrupt object, nothing half-written), and a rerun converges."""
    crashed = subprocess.run(
        [*command, "--crash-after", crash_after],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert crashed.returncode == 137, crashed.stderr
    assert ledger.list().corrupt == ()
    rerun = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert_lifecycle_converged(ledger, resources)


@pytest.mark.parametrize(
    ("crash_after", "backend"),
    [
        pytest.param(point, backend, id=f"{backend}-{name}")
        for point, name, on_s3 in CRASH_POINTS
        for backend in ("local", "s3")
        if backend == "local" or on_s3
    ],
)
def test_a_writer_killed_between_writes_converges_on_rerun(
    ledger: StoredLedger, ledger_url: str, endpoint: str | None, crash_after: str
) -> None:
    command = lifecycle_writer(ledger_url, endpoint, resources=3)
    crash_then_rerun(command, crash_after, ledger, resources=3)
    # A second full redelivery changes nothing at all.
    before = {k: ledger.storage.get(k) for k in ledger.storage.list_keys("")}
    again = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert {k: ledger.storage.get(k) for k in ledger.storage.list_keys("")} == before


def sigkill_writer_mid_run(
    url: str, endpoint: str | None, writers: int, events: int, resources: int, *extra: str
) -> list[str]:
    """``writers`` writers at once, each of ``events`` events on ``resources`` resources;
    writer 0 is killed (SIGKILL) after a third of its events, the others run to their end.
    Returns writer 0's command, to run again."""
    args = ["--events", str(events), "--resources", str(resources), "--writers", str(writers)]
    command = writer_command(url, endpoint, 0, *args, *extra)
    victim = subprocess.Popen(  # it waits after a third of its events until it is killed
        [*command, "--hold-at", str(events // 3)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    others = [
        subprocess.Popen(
            writer_command(url, endpoint, w, *args, *extra),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for w in range(1, writers)
    ]
    assert victim.stdout is not None
    held = victim.stdout.readline()
    assert held == f"holding {events // 3}\n", victim.communicate(timeout=30)
    os.kill(victim.pid, signal.SIGKILL)
    victim.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    for process in others:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    return command


def rerun_converges(
    command: list[str], ledger: StoredLedger, writers: int, events: int, resources: int
) -> None:
    rerun = subprocess.run(command, check=False, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert_load_converged(ledger, writers, events, resources)


@pytest.mark.slow
def test_a_writer_sigkilled_mid_run_converges_when_rerun(
    ledger: StoredLedger, ledger_url: str, endpoint: str | None
) -> None:
    writers, events, resources = 3, 90, 10
    command = sigkill_writer_mid_run(ledger_url, endpoint, writers, events, resources)
    rerun_converges(command, ledger, writers, events, resources)
