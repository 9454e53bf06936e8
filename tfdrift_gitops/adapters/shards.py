"""``detect --jobs N`` on local files: each worker runs the whole pipeline (decode, prefilter,
normalise, evaluate, fold, render) for its own share of the resources; nothing is handed over
per record.

This process is worker 0; the others are forked once the state index is built (they share it,
copy-on-write). Every worker reads every input twice. The routing pass decodes each record
only for its keys (``Router``: every resource id its catalog rows read, or its event id) and
joins the keys of each record into components (union-find); a record belongs to its
component, a component to the worker its least key hashes to (crc32), a record without a key
to a worker by position. So a call naming two resources, the calls on each, and the
redeliveries of any of them all fall to one worker, however they are spread over the input;
as a component can grow with any later record, ownership is decided only after the whole
input is routed. The JSON lines are dealt round the workers for routing: each decodes every
``jobs``-th and sends the others their keys (``Exchange``: pipes made before forking; a
worker that ends early leaves the others a short read, and the run is done again). The
second pass decodes and processes only this worker's records. This
process then merges the counts, the errors and log lines (in input order) and the drifts (in
the order one process sorts them), the drifts as the text to print when given a renderer
(text is cheaper to send).

The keys are read off the raw call, not the detector's: a guess (a resource named two ways,
an extractor that fails on a raw call). So each worker also reports everything through
which records of one run influence each other: the resource keys it folded findings on, the
event ids it checked for redelivery, the ids of unmanaged drifts it opened and the unknown
ids its prefilter asked about, and how many resources its quiet-event memory holds. When two
workers share any of those (or a worker failed, or the inputs read differently), the run is
done again in this process: the result is always the one process's.
"""

from __future__ import annotations

import logging
import marshal
import os
import pickle
import resource
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from tfdrift_gitops.adapters.events import _DIGITS_AS_ZERO, _TWENTY_DIGITS, iter_many
from tfdrift_gitops.adapters.shard_routing import (
    PEER_ENDED,
    Components,
    Exchange,
    Router,
    bucket,
    root_of,
)
from tfdrift_gitops.core.detector import Detector, Tally
from tfdrift_gitops.core.engine import Engine, Finding, Skip
from tfdrift_gitops.core.normalize import MAX_RECORD_BYTES, normalize_any
from tfdrift_gitops.core.prefilter import Prefilter, make_prefilter
from tfdrift_gitops.errors import RecordError
from tfdrift_gitops.models import CloudEvent, Drift, SkippedRecord

log = logging.getLogger(__name__)

FOREIGN: Final = "\0foreign"
"""The prefilter's verdict on a record another worker owns (never counted)."""


def shardable(specs: Sequence[str]) -> bool:
    """Inputs every worker can read again by itself: local files and directories."""
    return bool(specs) and all(s != "-" and not s.startswith("s3://") for s in specs)


class _ShardDetector(Detector):
    """A detector that notes the resource keys it folds findings on."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.keys: set[str] = set()

    def _record(self, finding: Finding) -> Skip | None:
        self.keys.add(finding.resource.key)
        return super()._record(finding)


@dataclass(slots=True)
class ShardResult:
    """What one worker sends back (and what this process merges)."""

    records: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    results: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[tuple[int, int], int, str]] = field(default_factory=list)
    logs: list[tuple[tuple[int, int], int, int, logging.LogRecord]] = field(default_factory=list)
    drifts: list[Drift] = field(default_factory=list)
    rendered: list[tuple[Any, str, str]] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    keys: set[str] = field(default_factory=set)
    seen_ids: set[str] = field(default_factory=set)
    unmanaged_ids: set[str] = field(default_factory=set)
    asked: set[str] = field(default_factory=set)
    quiet: int = 0
    quiet_bound: int = 0
    items: int = 0
    cpu: float = 0.0
    routing_cpu: float = 0.0


class _Capture(logging.Handler):
    """Holds a worker's log records, to be emitted by the main process in input order."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.held: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg = record.getMessage()
        record.args = None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.held.append(record)


class _Shard:
    """One worker's run: a routing pass over every record (its keys, joined into components),
    then a pass processing the records of the components it owns."""

    def __init__(
        self,
        engine: Engine,
        specs: Sequence[str],
        me: int,
        jobs: int,
        render: Callable[[Drift], str] | None = None,
        exchange: Exchange | None = None,
    ) -> None:
        self.engine = engine
        self.exchange = exchange
        self.specs = list(specs)
        self.me = me
        self.jobs = jobs
        self.render = render
        self.router = Router(engine)
        self.detector = _ShardDetector(engine)
        self.asked: set[str] = set()
        self.routing = False
        self.components = Components()
        self.by_event: dict[str, str] = {}
        """A key of the first record routed with each event id."""
        self.firsts: list[str | int | None] = [None]
        """By position: a key of the record there (None: it has none, owned by position); or
        the number of a line another worker was dealt (expanded once its keys are in)."""
        self.sent: dict[int, list[str] | tuple[list[str] | None, ...]] = {}
        """The keys of the lines dealt to this worker, by line number (a tuple for a line of
        several records), for the others."""
        self.sending: list[list[str] | None] | None = None
        self.pending: deque[list[str]] = deque()
        """Keys of records the prefilter routed, until ``_route`` hands them a position."""
        self.owners = bytearray()
        self.line_no = 0
        """JSON lines after a file's first seen by ``_lines``, over all inputs."""
        self.local_lines: set[int] = set()
        """Those read the usual way (not one record each): found by the routing pass."""
        self.position = 0
        """Positions handed out: one per JSON line after a file's first (read by
        ``_lines``), one per record read otherwise."""
        self.line = 0
        """The position of the line ``_lines`` is reading now (0: none)."""
        self.prefilter: Prefilter = make_prefilter(engine.catalog, known=self._known)

    def _known(self, value: str) -> bool:
        if self.engine.index.knows(value):
            return True
        self.asked.add(value)  # answered by what this run has seen: noted for the check
        return self.detector.knows(value)

    def _owner(self, position: int) -> int:
        owners = self.owners
        # Past the routed positions (an input read differently): the check sees it.
        return owners[position] if position < len(owners) else position % self.jobs

    def _prefilter(self, real: Prefilter) -> Prefilter:
        keys_of = self.router.keys
        me, pending = self.me, self.pending

        def prefilter(raw: Mapping[str, Any]) -> str | None:
            if self.line:  # a line of this worker's (see _lines)
                return real(raw)
            if self.routing:
                pending.append(keys_of(raw))
                return FOREIGN
            if self._owner(self.position + 1) != me:
                return FOREIGN
            return real(raw)

        return prefilter

    def run(self) -> ShardResult:
        start = resource.getrusage(resource.RUSAGE_SELF)
        capture = _Capture()
        root = logging.getLogger()
        kept = root.handlers[:]
        root.handlers[:] = [capture]
        try:
            if self.exchange is not None:
                self.exchange.keep(self.me)
            try:
                self._route()
            finally:
                if self.exchange is not None:  # a peer waiting for this one's keys sees the end
                    self.exchange.close()
            routed = resource.getrusage(resource.RUSAGE_SELF)
            capture.held.clear()  # logged again by the second pass
            out = self._run(capture)
        finally:
            root.handlers[:] = kept
        end = resource.getrusage(resource.RUSAGE_SELF)
        out.cpu = (end.ru_utime - start.ru_utime) + (end.ru_stime - start.ru_stime)
        out.routing_cpu = (routed.ru_utime - start.ru_utime) + (routed.ru_stime - start.ru_stime)
        return out

    def _route(self) -> None:
        """The routing pass: every record's keys, joined; then each position's owner (the
        component's least key, hashed), the same in every worker. Given an exchange, this
        worker decodes only the JSON lines it is dealt (every ``jobs``-th) and gets the
        others' keys from their workers."""
        self.routing = True
        join, firsts, pending = self._join, self.firsts, self.pending
        items = iter_many(self.specs, prefilter=self._prefilter(self.prefilter), lines=self._lines)
        for item in items:  # those not read by _lines as one record per line
            routed = type(item) is SkippedRecord and item.reason == FOREIGN and pending
            found = pending.popleft() if routed else None
            firsts.append(join(found))
            if self.sending is not None:  # of a line several records long, dealt to this one
                self.sending.append(found)
        if pending:
            raise RuntimeError("the routing pass lost count of the records")
        received: dict[int, Any] = {}
        if self.exchange is not None:
            # marshal: plain containers of str between forks of one interpreter, at a third
            # of pickle's cost.
            for data in self.exchange.swap(marshal.dumps(self.sent)):
                try:
                    received.update(marshal.loads(data))  # noqa: S302 - from our forked workers
                except (EOFError, ValueError, TypeError) as exc:
                    raise RuntimeError(PEER_ENDED) from exc
        self.sent = {}
        for line, got in received.items():  # each line's keys joined, one of them kept
            received[line] = tuple(join(f) for f in got) if type(got) is tuple else join(got)
        parent, jobs = self.components.parent, self.jobs
        owners = bytearray()
        by_root: dict[str, int] = {}
        for slot in firsts:
            if type(slot) is int:  # a line another worker was dealt
                got = received[slot]
                if type(got) is tuple:  # several records: rare, each on its own
                    self.local_lines.add(slot)
                    for first in got:
                        owners.append(self._owner_of(first, len(owners), by_root))
                    continue
                key = got
            else:
                key = slot
            if key is None:
                owners.append(len(owners) % jobs)
                continue
            root = root_of(parent, key)
            owner = by_root.get(root)
            if owner is None:
                owner = by_root[root] = bucket(root) % jobs
            owners.append(owner)
        self.owners = owners
        self.firsts = []
        self.by_event = {}
        self.routing = False
        self.position = self.line_no = 0

    def _owner_of(self, key: str | None, position: int, by_root: dict[str, int]) -> int:
        if key is None:
            return position % self.jobs
        root = self.components.find(key)
        owner = by_root.get(root)
        if owner is None:
            owner = by_root[root] = bucket(root) % self.jobs
        return owner

    def _join(self, found: list[str] | None) -> str | None:
        """Joins a record's keys (``Router.keys``: its event id, then its resource keys);
        returns one of them (None: there are none). A record that names no resource is keyed
        by its event id; every other is joined to the records sharing its event id through
        ``by_event`` (a dict lookup, not a key of its own: ids are nearly always unique)."""
        if not found:
            return None
        parent = self.components.parent
        event_id = found[0]
        if len(found) > 1:
            root = root_of(parent, found[1])
        elif event_id:
            root = root_of(parent, "\0" + event_id)
        else:
            return None
        for key in found[2:]:  # Components.union inlined: most records name one resource
            other = root_of(parent, key)
            if other < root:
                parent[root] = other
                root = other
            elif root < other:
                parent[other] = root
        if event_id:
            other = self.by_event.setdefault(event_id, root)
            if other is not root:  # a redelivery, or one id on two calls: one component
                root = self.components.union(other, root)
        return root

    def _run(self, capture: _Capture) -> ShardResult:
        out = ShardResult()
        detector = self.detector
        real = self.prefilter
        items = iter_many(self.specs, prefilter=self._prefilter(real), lines=self._lines)
        capture.held.clear()  # what opening the inputs logged: logged once, by the main process
        detector.feed(self._owned(items, out, capture))
        tally = detector.tally
        out.records = tally.records
        out.skipped = tally.skipped
        out.results = tally.results
        drifts = detector.drifts
        out.kinds = Counter(d.kind.value for d in drifts)
        if self.render is None:
            out.drifts = drifts
        else:  # text travels cheaper than drifts, and rendering is work shared out too
            out.rendered = [(d.events[0].time, d.id, self.render(d)) for d in drifts]
        out.keys = detector.keys
        out.seen_ids = set(detector.seen_ids)
        out.unmanaged_ids = set(detector.unmanaged_ids)
        out.asked = self.asked
        out.quiet = len(detector.quiet)
        out.quiet_bound = detector.quiet.resources
        return out

    def _lines(
        self,
        numbered: Iterator[tuple[int, Any]],
        name: str,
        local: Callable[[Iterator[tuple[int, Any]]], Iterator[Any]],
    ) -> Iterator[Any]:
        """The lines of a JSON Lines file after its first. A line holding one record takes a
        position: the routing pass notes its keys; the second pass reads it, if this
        worker's, as ``events._jsonl_items`` reads it, and does not even decode the others.
        Any other line (several records, not JSON to orjson) is read by every worker the
        usual way in both passes, and owned record by record."""
        if self.routing:
            return self._routing_lines(numbered, local)
        return self._owned_lines(numbered, name, local)

    def _routing_lines(
        self,
        numbered: Iterator[tuple[int, Any]],
        local: Callable[[Iterator[tuple[int, Any]]], Iterator[Any]],
    ) -> Iterator[Any]:
        keys_of, join, loads = self.router.keys, self._join, orjson.loads
        me, jobs, dealt = self.me, self.jobs, self.exchange is not None
        firsts, sent, local_lines = self.firsts, self.sent, self.local_lines
        line_no = self.line_no
        try:
            for number, line in numbered:
                line_no += 1
                if dealt and line_no % jobs != me:
                    firsts.append(line_no)  # its worker says what it holds
                    continue
                try:
                    value = loads(line) if type(line) is bytes else None
                except orjson.JSONDecodeError:
                    value = None
                if type(value) is not dict or "Records" in value:
                    local_lines.add(line_no)
                    self.sending = []
                    yield from local(iter(((number, line),)))
                    sent[line_no] = tuple(self.sending)
                    self.sending = None
                else:
                    found = keys_of(value)
                    firsts.append(join(found))
                    if dealt:
                        sent[line_no] = found
        finally:
            self.line_no = line_no

    def _owned_lines(
        self,
        numbered: Iterator[tuple[int, Any]],
        name: str,
        local: Callable[[Iterator[tuple[int, Any]]], Iterator[Any]],
    ) -> Iterator[Any]:
        # Counters kept in locals (every worker goes over every line): self.position is
        # written back before each yield, for _owned.
        prefilter, loads = self.prefilter, orjson.loads
        me, jobs, owners = self.me, self.jobs, self.owners
        routed, local_lines = len(owners), self.local_lines
        line_no, position = self.line_no, self.position
        try:
            for number, line in numbered:
                line_no += 1
                if local_lines and line_no in local_lines:
                    self.position = position
                    yield from local(iter(((number, line),)))
                    position = self.position
                    continue
                position += 1
                # Past the routed positions (an input read differently): the check sees it.
                if (owners[position] if position < routed else position % jobs) != me:
                    continue
                self.line = self.position = position
                if _TWENTY_DIGITS in line.translate(_DIGITS_AS_ZERO):
                    # orjson reads such integers as floats: the usual way reads it exactly.
                    yield from local(iter(((number, line),)))
                else:
                    value = loads(line)  # a dict without "Records": the routing pass read it
                    reason = prefilter(value)
                    if reason is not None:
                        yield SkippedRecord(reason=reason)
                    else:
                        try:
                            yield normalize_any(
                                value,
                                f"{name}:{number}",
                                size=len(line),
                                max_bytes=MAX_RECORD_BYTES,
                            )
                        except RecordError as exc:
                            yield exc
                self.line = 0
        finally:
            self.line_no, self.position = line_no, position

    def _owned(
        self,
        items: Iterator[CloudEvent | RecordError | SkippedRecord],
        out: ShardResult,
        capture: _Capture,
    ) -> Iterator[CloudEvent | RecordError | SkippedRecord]:
        """The items this worker owns, in order; notes each one's errors and log records
        with its position. Log records written while an item was read belong to it (every
        worker writes those of what all read; only the owner, those of what it went on
        with); those written while it was folded, to it too, after them."""
        errors = self.detector.tally.errors
        held = capture.held
        logs = out.logs
        me, owner = self.me, self._owner
        last, sub = 0, 0
        for item in items:
            line = self.line
            if line:  # from a line of this worker's: its n-th record
                sub = sub + 1 if line == last else 0
                last = line
                where = (line, sub)
            else:
                self.position += 1
                if owner(self.position) != me:
                    held.clear()  # what reading it logged: its owner keeps that
                    continue
                where = (self.position, 0)
            if held:
                logs.extend((where, 0, n, r) for n, r in enumerate(held))
                held.clear()
            before = len(errors)
            yield item
            if len(errors) != before:
                out.errors.extend((where, n, errors[n]) for n in range(before, len(errors)))
            if held:
                logs.extend((where, 1, n, r) for n, r in enumerate(held))
                held.clear()
        out.items = self.position
        if me == 0 and held:  # written after the last item (a file that could not be read whole)
            logs.extend(((self.position + 1, 0), 0, n, r) for n, r in enumerate(held))
        held.clear()


def _fork(shard: _Shard) -> tuple[int, int]:
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
    if jobs < 2:
        raise ValueError("jobs must be at least 2")
    iter_many(specs)  # a spec that cannot be read fails here, as in one process
    # Forked once the index is built (shared copy-on-write); this process is worker 0.
    exchange = Exchange.make(jobs)
    try:
        children = [
            _fork(_Shard(engine, specs, me, jobs, render, exchange)) for me in range(1, jobs)
        ]
    except BaseException:
        if exchange is not None:
            exchange.close()
        raise
    outcomes: list[ShardResult | str] = []
    try:
        try:
            outcomes.append(_Shard(engine, specs, 0, jobs, render, exchange).run())
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


def _again(
    engine: Engine, specs: Sequence[str], render: Callable[[Drift], str] | None, why: str
) -> ShardedRun:
    log.info("detect --jobs: run again in one process (%s)", why)
    detector = Detector(engine)
    detector.feed(iter_many(specs, prefilter=make_prefilter(engine.catalog, detector.knows)))
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
    if sum(r.quiet for r in results) >= min(r.quiet_bound for r in results):
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
