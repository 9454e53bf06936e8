"""A ledger writer process for the concurrency and crash tests.

Writer ``w`` of ``n`` folds events ``k`` with ``k % n == w`` (out of eventTime order), plus a
redelivery of every fifth event of the next writer, into the ledger at ``--ledger``. With
``--crash-after PREFIX:N`` the process kills itself (no cleanup, no flush: ``os._exit``)
right after its N-th successful write to a key under PREFIX, as a power cut would. With
``--hold-at N`` it prints ``holding N`` after its N-th event and waits there to be killed, so a
test can SIGKILL it mid-run however the machine schedules it. With ``--batch`` all its writes
are made in one ``ledger.batch()`` (group commit, as ``detect --ledger`` makes them).
``--scenario lifecycle`` instead walks each of the writer's resources through a whole
lifecycle (two hand-made changes, a Terraform revert that archives the drift, a new change).

Prints one JSON line with its counts when it finishes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.ledger.ledger_support import lifecycle_events, load_event, make_engine
from tfdrift_gitops.core.fold import FoldResult
from tfdrift_gitops.ledger import StoredLedger, open_ledger
from tfdrift_gitops.models import CloudEvent

# Long enough for any loaded machine; bounded so that an orphaned worker does not linger.
HOLD_SECONDS = 300


class CrashingStorage:
    """Real storage that dies (os._exit) right after the N-th write under a prefix."""

    def __init__(self, inner: Any, prefix: str, after: int) -> None:
        self.inner = inner
        self.prefix = prefix
        self.left = after

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @property
    def location(self) -> str:
        return str(self.inner.location)

    def _count(self, key: str, ok: object) -> None:
        if ok and key.startswith(self.prefix):
            self.left -= 1
            if self.left <= 0:
                os._exit(137)

    def put_if_absent(self, key: str, data: bytes) -> str | None:
        result = self.inner.put_if_absent(key, data)
        self._count(key, result)
        return result  # type: ignore[no-any-return]

    def put_if_match(self, key: str, data: bytes, etag: str) -> str | None:
        result = self.inner.put_if_match(key, data, etag)
        self._count(key, result)
        return result  # type: ignore[no-any-return]

    def delete_if_match(self, key: str, etag: str) -> bool:
        result = self.inner.delete_if_match(key, etag)
        self._count(key, result)
        return bool(result)


def scenario_events(args: argparse.Namespace) -> list[CloudEvent]:
    if args.scenario == "lifecycle":
        return [
            e
            for r in range(args.resources)
            if r % args.writers == args.writer
            for e in lifecycle_events(r)
        ]
    total = args.writers * args.events
    mine = [k for k in range(total) if k % args.writers == args.writer]
    following = (args.writer + 1) % args.writers
    redeliver = [k for k in range(total) if k % args.writers == following and k % 5 == 0]
    return [load_event(k, args.resources) for k in (*mine, *redeliver)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--endpoint", default=None)
    parser.add_argument("--writer", type=int, required=True)
    parser.add_argument("--writers", type=int, required=True)
    parser.add_argument("--events", type=int, required=True, help="events per writer")
    parser.add_argument("--resources", type=int, required=True)
    parser.add_argument("--scenario", choices=["load", "lifecycle"], default="load")
    parser.add_argument("--crash-after", default=None, metavar="PREFIX:N")
    parser.add_argument("--hold-at", type=int, default=None, metavar="N")
    parser.add_argument("--batch", action="store_true", help="write in one ledger.batch()")
    args = parser.parse_args()

    ledger = open_ledger(args.ledger, s3_endpoint_url=args.endpoint)
    if args.crash_after:
        prefix, _, count = args.crash_after.rpartition(":")
        ledger = StoredLedger(CrashingStorage(ledger.storage, prefix, int(count)))
    engine = make_engine(args.resources)
    results: Counter[str] = Counter()
    with ledger.batch() if args.batch else contextlib.nullcontext():
        fold_all(ledger, engine, args, results)
    print(json.dumps({"writer": args.writer, "results": dict(results)}), flush=True)


def fold_all(
    ledger: StoredLedger, engine: Any, args: argparse.Namespace, results: Counter[str]
) -> None:
    for number, event in enumerate(scenario_events(args), start=1):
        for finding in engine.evaluate(event).findings:
            folded = ledger.record(engine, finding)
            results[folded.result.value] += 1
            if folded.result is FoldResult.NOT_DRIFT and folded.skip is not None:
                results[f"skip:{folded.skip.value}"] += 1
        if number == args.hold_at:
            print(f"holding {number}", flush=True)
            time.sleep(HOLD_SECONDS)
            sys.exit(f"held at event {number} for {HOLD_SECONDS} s and nobody killed me")


if __name__ == "__main__":
    main()
