"""``detect --jobs N`` on local files: each worker runs the whole pipeline for its own share
of the resources (shard_worker.py); nothing is handed over per record.

This process is worker 0; the others are forked once the state index is built (they share it,
copy-on-write). Every worker reads every input twice: a routing pass that works out every
record's owner, then its own records. This process then merges the counts, the errors and
log lines (in input order) and the drifts (in the order one process sorts them), the drifts
as the text to print when given a renderer (text is cheaper to send).

Ownership rests on keys read off the raw calls, a guess (a resource named two ways, an
extractor that fails on a raw call). So before merging, the workers' reports are checked
for anything through which records of one run influence each other: when two workers share
any of it (or a worker failed, or the inputs read differently), the run is done again in
this process. The result is always the one process's.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from tfdrift_gitops.adapters.events import iter_many
from tfdrift_gitops.adapters.shard_routing import PEER_ENDED, Exchange, Router
from tfdrift_gitops.adapters.shard_worker import Shard, ShardResult
from tfdrift_gitops.core.detector import Detector, Tally
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.prefilter import Prefilter, make_prefilter
from tfdrift_gitops.core.state import without_cyclic_gc
from tfdrift_gitops.models import Drift

log = logging.getLogger(__name__)

MAX_JOBS: Final = 255
"""Most workers (a worker's number is a byte; more than the cores only costs anyway)."""


def shardable(specs: Sequence[str]) -> bool:
    """Inputs every worker can read again by itself: local files and directories."""
    return bool(specs) and all(s != "-" and not s.startswith("s3://") for s in specs)


def _fork(shard: Shard) -> tuple[int, int]:
    """Run ``shard`` in a forked child; its pickled outcome comes back through a pipe."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    # The child: never returns, never runs the parent's exit handlers or flushes its buffers.
    code = 0
    try:
        os.close(read_end)
        try:
            outcome: tuple[bool, Any] = (True, shard.run())
        except BaseException as exc:  # reported to the parent, which runs alone then
            outcome = (False, f"{type(exc).__name__}: {exc}")
        with os.fdopen(write_end, "wb") as sink:
            sink.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _collect(pid: int, read_end: int) -> ShardResult | str:
    """A child's result, or why there is none."""
    with os.fdopen(read_end, "rb") as source:
        data = source.read()
    _, status = os.waitpid(pid, 0)
    if not data or status != 0:
        return f"worker {pid} ended with status {status}"
    # Plain data, no cycles: with the collector on, the tens of thousands of objects it
    # makes set off young collections that walk this worker's own live run (half the time).
    with without_cyclic_gc():
        ok, value = pickle.loads(data)  # noqa: S301 - written by our own forked child
    return value if ok else str(value)


@dataclass(slots=True)
class ShardedRun:
    """What ``detect`` prints: the open drifts as ``Detector.drifts`` orders them (``drifts``;
    or, given ``render``, their texts in that order: ``rendered``), their count by kind, the
    tally; and how the run went (``sharded`` False: done again in one process, ``why``)."""

    drifts: list[Drift]
    rendered: list[str]
    kinds: Counter[str]
    tally: Tally
    sharded: bool
    why: str = ""
    cpu: list[float] = field(default_factory=list)
    """CPU seconds of each worker (user + system); the first is this process's own share."""
    routing_cpu: list[float] = field(default_factory=list)
    """Of which each worker's routing pass."""

    @property
    def summary_line(self) -> str:
        return self.tally.summary_of(self.kinds)


def run_sharded(
    engine: Engine,
    specs: Sequence[str],
    jobs: int,
    *,
    render: Callable[[Drift], str] | None = None,
) -> ShardedRun:
    """Replay ``specs`` (local files or directories, see ``shardable``) in ``jobs`` workers
    (this process and ``jobs - 1`` forked ones); the result is exactly one process's, done
    again here when the workers' shares touched each other. ``render`` turns a drift into
    the text to print (in the workers)."""
    if not 2 <= jobs <= MAX_JOBS:
        raise ValueError(f"jobs must be from 2 to {MAX_JOBS}")
    iter_many(specs)  # a spec that cannot be read fails here, as in one process
    # Forked once the index is built (shared copy-on-write); this process is worker 0.
    exchange = Exchange.make(jobs)
    router = Router(engine)  # one for all: built before forking
    try:
        children = [
            _fork(Shard(engine, specs, me, jobs, render, exchange, router)) for me in range(1, jobs)
        ]
    except BaseException:
        if exchange is not None:
            exchange.close()
        raise
    outcomes: list[ShardResult | str] = []
    try:
        try:
            outcomes.append(Shard(engine, specs, 0, jobs, render, exchange, router).run())
        except Exception as exc:  # one process says what, or does it
            outcomes.append(f"{type(exc).__name__}: {exc}")
    finally:
        outcomes.extend(_collect(pid, read_end) for pid, read_end in children)
    failures = [o for o in outcomes if isinstance(o, str)]
    # Said by the worker that failed, not by those it left waiting for its keys.
    failed = next((o for o in failures if PEER_ENDED not in o), failures[0] if failures else None)
    if failed is not None:
        return _again(engine, specs, render, f"a worker failed: {failed}")
    results = [o for o in outcomes if isinstance(o, ShardResult)]
    why = _overlap(results)
    if why:
        return _again(engine, specs, render, why)
    return _merge(results)


def replay_alone(engine: Engine, read: Callable[[Prefilter], Iterable[Any]]) -> Detector:
    """One process's replay of what ``read`` yields, given the prefilter to read with."""
    detector = Detector(engine)
    detector.feed(read(make_prefilter(engine.catalog, detector.knows)))
    return detector


def _again(
    engine: Engine, specs: Sequence[str], render: Callable[[Drift], str] | None, why: str
) -> ShardedRun:
    log.info("detect --jobs: run again in one process (%s)", why)
    detector = replay_alone(engine, lambda prefilter: iter_many(specs, prefilter=prefilter))
    drifts = detector.drifts
    return ShardedRun(
        drifts=[] if render else drifts,
        rendered=[render(d) for d in drifts] if render else [],
        kinds=Counter(d.kind.value for d in drifts),
        tally=detector.tally,
        sharded=False,
        why=why,
    )


def _overlap(results: list[ShardResult]) -> str:
    """Why the workers' shares were not independent (empty when they were)."""
    if len({r.items for r in results}) > 1:
        return "the workers read different inputs"
    # One process remembers what the workers do together (they hold disjoint resources):
    # had that reached a bound, it would have forgotten some that they did not.
    if (
        any(r.quiet_forgotten for r in results)
        or sum(r.quiet for r in results) >= min(r.quiet_bound for r in results)
        or sum(r.quiet_events for r in results) >= min(r.quiet_events_bound for r in results)
    ):
        return "the quiet-event memory would have forgotten some"
    seen: dict[str, set[str]] = {"keys": set(), "ids": set(), "unmanaged": set()}
    asked: set[str] = set()
    for r in results:
        if not seen["keys"].isdisjoint(r.keys):
            return "two workers folded findings on one resource"
        if not seen["ids"].isdisjoint(r.seen_ids):
            return "two workers saw one event id"
        if not (seen["unmanaged"].isdisjoint(r.asked) and asked.isdisjoint(r.unmanaged_ids)):
            return "an id one worker found unmanaged was asked about by another"
        seen["keys"] |= r.keys
        seen["ids"] |= r.seen_ids
        seen["unmanaged"] |= r.unmanaged_ids
        asked |= r.asked
    return ""


def _merge(results: list[ShardResult]) -> ShardedRun:
    tally = Tally()
    kinds: Counter[str] = Counter()
    for r in results:
        tally.records += r.records
        tally.skipped.update(r.skipped)
        tally.results.update(r.results)
        kinds.update(r.kinds)
    errors = sorted((e for r in results for e in r.errors), key=lambda e: (e[0], e[1]))
    tally.errors = [text for _, _, text in errors]
    logs = sorted((e for r in results for e in r.logs), key=lambda e: (e[0], e[1], e[2]))
    for *_, record in logs:
        logging.getLogger(record.name).handle(record)
    # Drift ids are unique (one per resource key and first event): no two sort equal.
    drifts = sorted((d for r in results for d in r.drifts), key=lambda d: (d.events[0].time, d.id))
    rendered = sorted((t for r in results for t in r.rendered), key=lambda t: (t[0], t[1]))
    return ShardedRun(
        drifts=drifts,
        rendered=[text for *_, text in rendered],
        kinds=kinds,
        tally=tally,
        sharded=True,
        cpu=[r.cpu for r in results],
        routing_cpu=[r.routing_cpu for r in results],
    )
