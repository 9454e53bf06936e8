"""One ``detect --jobs`` worker (see shards.py): a routing pass over every record (its keys,
joined into components, and so every record's owner), then a pass that decodes and processes
only its own records, the whole pipeline (decode, prefilter, normalise, evaluate, fold,
render).

The routing pass decodes each record only for its keys (``Router``: every resource id its
catalog rows read, and its event id) and joins the keys of each record into components
(union-find); a record belongs to its component, a component to the worker its least key
hashes to (crc32). So a call naming two resources, the calls on each, and the redeliveries of
any of them all fall to one worker, however they are spread over the input; as a component
can grow with any later record, ownership is decided only after the whole input is routed.

The JSON lines are dealt round the workers for routing: each decodes every ``jobs``-th and
joins the keys of those alone; then two rounds through ``Exchange`` (pipes made before
forking; a worker that ends early leaves the others a short read, and the run is done
again). First, each worker sends the others what can join components across workers: its
forest's edges (each joined key's parent: few, as most records name one resource) and, for
each event id it saw, the key its first record with that id joined; it joins the edges it
gets, and the keys of the ids it shares with another (a redelivery, or one id on two calls,
dealt to two workers; found by set intersection). Every worker then holds the same
components, with the same roots (least keys, whatever order they were joined in). Second,
each worker sends the owner of each line it was dealt (a byte a line; of a line of several
records, a byte a record, apart), and each lays the others' into every line's owner by
slices (their lines are every ``jobs``-th). A record with no key belongs to the worker its
line is dealt to, by the line's number (one read by every worker, see below: by position).
Without an exchange (past ``MAX_DEALT`` workers, or no pipes), every worker decodes and
joins every line itself.

A line whose verdict nothing in the run can change (failed, read-only, not a management
call, not in the catalog) is counted by the worker it was dealt to and read by nobody
again. Lines of several records and lines orjson cannot read are read the usual way, by the
worker they were dealt to while routing and by every worker in the second pass; the records
of a file's first line and of other inputs (a JSON document) are routed by every worker.
Falco's JSON alerts are routed by their ``ct.*`` fields as CloudTrail records are.

The keys are read off the raw call, not the detector's: a guess. So a worker also reports
everything through which records of one run influence each other (``ShardResult``: the
resource keys it folded findings on, the event ids it checked for redelivery, the ids of
unmanaged drifts it opened and the unknown ids its prefilter asked about, how many
resources its quiet-event memory holds), for shards.py's check.
"""

from __future__ import annotations

import logging
import marshal
import resource
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from tfdrift_gitops.adapters.events import iter_many
from tfdrift_gitops.adapters.shard_routing import (
    Components,
    Exchange,
    Router,
    owner_of,
    root_of,
)
from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine, Finding, Skip
from tfdrift_gitops.core.jsontext import orjson_may_differ
from tfdrift_gitops.core.normalize import MAX_RECORD_BYTES, normalize_any, unwrap_envelope
from tfdrift_gitops.core.prefilter import Prefilter, make_prefilter
from tfdrift_gitops.errors import RecordError
from tfdrift_gitops.models import CloudEvent, Drift, SkippedRecord

FOREIGN: Final = "\0foreign"
"""The prefilter's verdict on a record another worker owns (never counted)."""
NOBODY: Final = 255
"""The owner of a line the routing pass counted (no worker reads it again; workers number
at most 255: ``shards.MAX_JOBS``)."""


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
    quiet_events: int = 0
    quiet_events_bound: int = 0
    quiet_forgotten: int = 0
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


class Shard:
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
        router: Router | None = None,
    ) -> None:
        self.engine = engine
        self.exchange = exchange
        self.specs = list(specs)
        self.me = me
        self.jobs = jobs
        self.render = render
        self.router = router if router is not None else Router(engine)
        self.detector = _ShardDetector(engine)
        self.asked: set[str] = set()
        self.routing = False
        self.components = Components()
        self.by_event: dict[str, str] = {}
        """A key of the first record routed with each event id."""
        self.blocks: list[list[str | None] | range] = []
        """In input order: the keys of a run of records every worker reads the usual way
        (None: a record with none, owned by position), or a range of JSON lines (numbers)."""
        self.mine: list[str | int] = []
        """Of each line dealt to this worker, in order: a key of its record, or its owner
        already (``NOBODY`` for one counted or of several records; for one with no key, the
        worker it is dealt to: its number modulo ``jobs``)."""
        self.local_keys: dict[int, list[str | None]] = {}
        """A key of each record of the lines of several records dealt here, by line number."""
        self.sending: list[str | None] | None = None
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
        self.counted: Counter[str] = Counter()
        """Those of the lines dealt to this worker, by reason."""

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
        worker decodes only the JSON lines it is dealt (every ``jobs``-th); the workers then
        swap what joins their components (``_share_components``), and each one's owners of
        the lines it was dealt (``_share_owners``)."""
        self.routing = True
        join, pending, blocks = self._join, self.pending, self.blocks
        items = iter_many(self.specs, prefilter=self._prefilter(self.prefilter), lines=self._lines)
        for item in items:  # those not read by _lines as one record per line
            routed = type(item) is SkippedRecord and item.reason == FOREIGN and pending
            key = join(pending.popleft() if routed else None)
            if self.sending is not None:  # of a line several records long, dealt to this one
                self.sending.append(key)
            elif blocks and type(blocks[-1]) is list:
                blocks[-1].append(key)
            else:
                blocks.append([key])
        if pending:
            raise RuntimeError("the routing pass lost count of the records")
        self._share_components()
        by_root: dict[str, int] = {}
        lines, local = self._share_owners(by_root)
        owners = bytearray(1)  # position 0: none
        at, several = 0, sorted(local)
        for block in blocks:
            if type(block) is not range:  # read by every worker: rare, each on its own
                for key in block:
                    owners.append(
                        len(owners) % self.jobs if key is None else self._owner_of(key, by_root)
                    )
                continue
            start = block.start
            while at < len(several) and several[at] < block.stop:  # lines of several records
                owners += lines[start - 1 : several[at] - 1]
                owners += local[several[at]]
                start, at = several[at] + 1, at + 1
            owners += lines[start - 1 : block.stop - 1]
        self.owners = owners
        self.local_lines = set(local)
        self.blocks, self.mine, self.local_keys, self.by_event = [], [], {}, {}
        self.routing = False
        self.position = self.line_no = 0

    def _share_components(self) -> None:
        """Makes this worker's components every worker's: sends the others its forest's
        edges (each joined key's parent) and the key its first record with each event id
        joined; joins theirs, and the components of an event id two workers saw."""
        if self.exchange is None:
            return
        components, by_event = self.components, self.by_event
        # marshal: plain containers of str between forks of one interpreter, at a third of
        # pickle's cost.
        got = self.exchange.swap(marshal.dumps((components.parent, by_event)))
        theirs = [marshal.loads(data) for data in got.values()]  # noqa: S302 - our own forks
        seen = by_event
        for n, (edges, events) in enumerate(theirs):
            for key, up in edges.items():
                components.union(key, up)
            # A redelivery, or one id on two calls, dealt to two workers: one component.
            for event_id in seen.keys() & events.keys():
                components.union(seen[event_id], events[event_id])
            if n + 1 < len(theirs):  # past two workers, an id may be in two others' alone
                seen.update(events)

    def _share_owners(self, by_root: dict[str, int]) -> tuple[bytearray, dict[int, bytes]]:
        """Every JSON line's owner (by line number less one; a placeholder for a line of
        several records), and those of each record of such lines (by line number): each
        worker works out the owners of the lines it was dealt and sends them to the others."""
        jobs, mine = self.jobs, self.mine
        dealers, dealt = (jobs, self.me) if self.exchange is not None else (1, 0)
        owner_of_key = self._owner_of
        owned = bytearray()
        append, parent, remembered = owned.append, self.components.parent, by_root.get
        for key in mine:  # one in ``jobs`` of the lines: every worker does its share
            if isinstance(key, int):
                append(key)
                continue
            # _owner_of, inlined (a call per line): most keys are roots, never joined.
            root = root_of(parent, key) if key in parent else key
            owner = remembered(root)
            if owner is None:
                owner = by_root[root] = owner_of(root, jobs)
            append(owner)
        local = {
            line: bytes(line % jobs if k is None else owner_of_key(k, by_root) for k in keys)
            for line, keys in self.local_keys.items()
        }
        shares = {dealt: (owned, local)}
        if self.exchange is not None:
            got = self.exchange.swap(marshal.dumps(shares[dealt]))
            shares.update((w, marshal.loads(data)) for w, data in got.items())  # noqa: S302
        lines = bytearray(self.line_no)
        for worker, (share, its_local) in shares.items():
            first = (worker - 1) % dealers
            if len(share) != len(range(first, len(lines), dealers)):
                raise RuntimeError("the workers read different inputs")
            lines[first::dealers] = share
            local.update(its_local)
        return lines, local

    def _owner_of(self, key: str, by_root: dict[str, int]) -> int:
        root = self.components.find(key)
        owner = by_root.get(root)
        if owner is None:
            owner = by_root[root] = owner_of(root, self.jobs)
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
            root = found[1]
            if root in parent:
                root = root_of(parent, root)
        elif event_id:
            root = root_of(parent, "\0" + event_id)
        else:
            return None
        if len(found) > 2:
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
        tally.records += sum(self.counted.values())
        tally.skipped.update(self.counted)
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
        out.quiet_events = detector.quiet.count
        out.quiet_events_bound = detector.quiet.events
        out.quiet_forgotten = detector.quiet.forgotten
        return out

    def _lines(
        self,
        numbered: Iterator[tuple[int, Any]],
        name: str,
        local: Callable[[Iterator[tuple[int, Any]]], Iterator[Any]],
    ) -> Iterator[Any]:
        """The lines of a JSON Lines file after its first. A line holding one record takes a
        position: the routing pass notes its keys; the second pass reads it, if this
        worker's, as ``event_stream.jsonl_items`` reads it, and does not even decode the others.
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
        route, join, loads = self.router.route, self._join, orjson.loads
        counted = self.counted
        me, jobs = self.me, self.jobs
        dealers, dealt = (jobs, me) if self.exchange is not None else (1, 0)
        mine, local_keys = self.mine, self.local_keys
        first = line_no = self.line_no
        self.blocks.append(range(0))
        block = len(self.blocks) - 1
        try:
            for number, line in numbered:
                line_no += 1
                if line_no % dealers != dealt:
                    continue  # its worker says what it holds
                try:
                    value = loads(line) if type(line) is bytes else None
                except orjson.JSONDecodeError:
                    value = None
                if type(value) is dict and "detail-type" in value:
                    value = unwrap_envelope(value)  # as jsonl_items reads it
                if type(value) is not dict or "Records" in value:
                    self.sending = []
                    yield from local(iter(((number, line),)))
                    local_keys[line_no] = self.sending
                    self.sending = None
                    mine.append(NOBODY)  # its records' owners go apart
                elif isinstance(verdict := route(value), str):
                    # Skipped whatever else the run holds: counted here, by the worker the
                    # line was dealt to, and read by nobody in the second pass.
                    if line_no % jobs == me:
                        counted[verdict] += 1
                    mine.append(NOBODY)
                else:
                    key = join(verdict)
                    mine.append(line_no % jobs if key is None else key)
        finally:
            self.line_no = line_no
            self.blocks[block] = range(first + 1, line_no + 1)

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
                if orjson_may_differ(line):
                    # An integer orjson would read as a float: the usual way reads it exactly.
                    yield from local(iter(((number, line),)))
                else:
                    value = loads(line)  # a dict without "Records": the routing pass read it
                    if "detail-type" in value:
                        value = unwrap_envelope(value)
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
