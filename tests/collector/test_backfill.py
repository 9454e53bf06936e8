"""Backfill from CloudTrail log files (a directory, and S3 through moto) from the cursor on."""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.collector.fake_falco import FakeFalco, response
from tests.collector.falco_alerts import ACCOUNT, SG_ADDRESS, cloudtrail_record, grpc_fields
from tfdrift_gitops.falco.collector import Collector, CollectorOptions
from tfdrift_gitops.falco.pipeline import CURSOR_SOURCE
from tfdrift_gitops.ledger import open_ledger

CURSOR = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LOG_DIR = f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/20"


def _records() -> dict[str, Any]:
    return {
        "Records": [
            cloudtrail_record("too-old", cidr="10.1.0.0/16", when="2026-11-20T08:00:00Z"),
            cloudtrail_record("inside-lookback", cidr="10.2.0.0/16", when="2026-11-20T08:55:00Z"),
            cloudtrail_record("after-cursor", cidr="10.3.0.0/16", when="2026-11-20T09:15:00Z"),
        ]
    }


def _wait_events(ledger: Any, expected: set[str], timeout: float = 15.0) -> set[str]:
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        drifts = [d for d in ledger.list_open().drifts if d.resource.address == SG_ADDRESS]
        seen = {e.id for d in drifts for e in d.events}
        if seen >= expected:
            return seen
        time.sleep(0.05)
    return seen


def _options(state_file: Path, ledger: Path, spec: str, **extra: Any) -> CollectorOptions:
    return CollectorOptions(
        states=(str(state_file),),
        ledger=str(ledger),
        backfill=spec,
        backfill_lookback=timedelta(minutes=10),
        state_refresh=0,
        **extra,
    )


def test_directory_backfill_from_the_cursor(state_file: Path, tmp_path: Path) -> None:
    logs = tmp_path / "logs" / LOG_DIR
    logs.mkdir(parents=True)
    (logs / f"{ACCOUNT}_CloudTrail_us-east-1_20261120T0915Z_x.json").write_text(
        json.dumps(_records())
    )
    ledger_dir = tmp_path / "ledger"
    open_ledger(str(ledger_dir)).put_cursor(CURSOR_SOURCE, CURSOR)
    collector = Collector(_options(state_file, ledger_dir, str(tmp_path / "logs")), channels=[])
    collector.start()
    try:
        ledger = open_ledger(str(ledger_dir))
        seen = _wait_events(ledger, {"inside-lookback", "after-cursor"})
        assert seen == {"inside-lookback", "after-cursor"}
        assert collector.backfill is not None
        assert collector.backfill.last_since == CURSOR - timedelta(minutes=10)
    finally:
        assert collector.shutdown()
    # the cursor moved to the newest event recorded
    assert open_ledger(str(ledger_dir)).get_cursor(CURSOR_SOURCE) == datetime(
        2026, 11, 20, 9, 15, tzinfo=UTC
    )


def test_s3_backfill_and_again_after_a_reconnect(
    state_file: Path, tmp_path: Path, s3_client: Any, s3_bucket: str
) -> None:
    body = gzip.compress(json.dumps(_records()).encode())
    s3_client.put_object(
        Bucket=s3_bucket, Key=f"{LOG_DIR}/{ACCOUNT}_CloudTrail_x.json.gz", Body=body
    )
    ledger_dir = tmp_path / "ledger"
    open_ledger(str(ledger_dir)).put_cursor(CURSOR_SOURCE, CURSOR)
    address = f"unix://{tmp_path}/falco.sock"
    live = [response(grpc_fields(cloudtrail_record("live-1", when="2026-11-20T09:20:00Z")))]
    server = FakeFalco(address, live).start()
    options = _options(
        state_file,
        ledger_dir,
        f"s3://{s3_bucket}/AWSLogs/",
        falco_grpc=address,
        grpc_poll_interval=0.01,
        grpc_backoff_base=0.05,
    )
    collector = Collector(options, channels=[], s3_client_factory=lambda: s3_client)
    collector.start()
    try:
        ledger = open_ledger(str(ledger_dir))
        expected = {"inside-lookback", "after-cursor", "live-1"}
        assert _wait_events(ledger, expected) == expected
        assert collector.backfill is not None
        assert collector.backfill.wait_idle(10)
        runs = collector.backfill.runs
        server.kill()
        server = FakeFalco(address, []).start()
        deadline = time.monotonic() + 10
        while collector.backfill.runs <= runs and time.monotonic() < deadline:
            time.sleep(0.05)
        assert collector.backfill.runs > runs, "a reconnect must trigger another backfill"
        assert collector.metrics.reconnects.value("grpc") >= 1
        # replayed events changed nothing: still one drift with the same three events
        assert _wait_events(ledger, expected) == expected
    finally:
        collector.shutdown()
        server.kill()
