"""``detect --jobs N`` on local files: each worker runs the whole pipeline (decode, prefilter,
normalise, evaluate, fold, render) for its own share of the resources; nothing is handed over
per record.

This process is worker 0; the others are forked once the state index is built (they share it,
copy-on-write). Every worker reads every input itself, but goes on only with the records it
owns: those whose resource key (``Router``: read off the decoded raw call) hashes to it, and,
by position, those with no key (bad lines, reads, calls the catalog does not know). A JSON
line of another worker's is only decoded for its key. This process then merges the counts,
the errors and log lines (in input order) and the drifts (in the order one process sorts
them), the drifts as the text to print when given a renderer (text is cheaper to send).

Owning a record by a key read off the raw call is a guess: a call may name two resources, or
a resource by two names. So each worker also reports everything through which records of
one run influence each other: the resource keys it folded findings on, the event ids it
checked for redelivery, the ids of unmanaged drifts it opened and the unknown ids its
prefilter asked about, and how many resources its quiet-event memory holds. When two workers
share any of those (or a worker failed, or the inputs read differently), the run is done
again in this process: the result is always the one process's.
"""

from __future__ import annotations

import logging
import os
import pickle
import resource
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from tfdrift_gitops.adapters.events import _DIGITS_AS_ZERO, _TWENTY_DIGITS, iter_many
from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.detector import Detector, Tally
from tfdrift_gitops.core.engine import Engine, Finding, Skip
from tfdrift_gitops.core.names import strip_version_suffix
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


class _Probe:
    """What a row's id extractors read of a call (request and response), reused record after
    record: building a ``CloudEvent`` per record to route it would cost more than the rest
    of routing. An extractor reading anything else fails, and the record is routed by
    position."""

    __slots__ = ("name", "request", "response", "source")

    def __init__(self) -> None:
        self.name = self.source = ""
        self.request: Any = None
        self.response: Any = None


class Router:
    """The resource a raw CloudTrail call is about, read cheaply off the raw record: the first
    string at a top-level request (then response) key that the row's id extractors read
    (``known_ids`` first: the group a rule call names, which the call that created the group
    by hand names too), its last ARN or path segment, casefolded (a function named by name in
    one call and by ARN in the next). Rows whose extractors do not say which keys they read
    run them. Only a guess, for speed: see the module."""

    def __init__(self, engine: Engine) -> None:
        self.plans: dict[tuple[str, str], _Plan] = {}
        for rule in engine.catalog:
            key = (rule.event, rule.source)
            if key not in self.plans:
                found = [] if rule.known_ids is None else [rule.known_ids]
                self.plans[key] = _Plan.of((*found, *(t.id for t in rule.targets)))
        self.probe = _Probe()

    def key(self, raw: Mapping[str, Any]) -> str | None:
        """The resource key; without one, the event id (a redelivery, in another file or
        the same, goes where the first went); None when the record has neither."""
        found = self.resource(raw)
        if found is not None:
            return found
        event_id = raw.get("eventID")
        return "\0" + event_id if type(event_id) is str else None

    def resource(self, raw: Mapping[str, Any]) -> str | None:
        name, source = raw.get("eventName"), raw.get("eventSource")
        if type(name) is not str or type(source) is not str:
            return None
        plan = self.plans.get((strip_version_suffix(name), source))
        if plan is None:
            return None
        request, response = raw.get("requestParameters"), raw.get("responseElements")
        if (request is not None and type(request) is not dict) or (
            response is not None and type(response) is not dict
        ):
            return None
        for wanted, in_response in plan.keys:
            document = response if in_response else request
            if document:
                for field_name, value in document.items():
                    if type(value) is str and value and field_name.casefold() in wanted:
                        return _canonical(value)
        return self._extracted(plan, name, source, request, response)

    def _extracted(
        self, plan: _Plan, name: str, source: str, request: Any, response: Any
    ) -> str | None:
        probe = self.probe
        probe.name, probe.source, probe.request, probe.response = name, source, request, response
        try:
            for extract in plan.extractors:
                value = extract(probe)
                if type(value) is list:
                    value = value[0] if value else None
                if type(value) is str and value:
                    return _canonical(value)
        except Exception:  # a guess only: a record it cannot read is owned by position
            return None
        return None


@dataclass(frozen=True, slots=True)
class _Plan:
    """One row's routing: in the order of its id extractors, the top-level keys each says it
    reads (in the request, then in the response); and the extractors themselves."""

    keys: tuple[tuple[frozenset[str], bool], ...]
    extractors: tuple[Callable[[Any], Any], ...]

    @staticmethod
    def of(extractors: tuple[Callable[[Any], Any], ...]) -> _Plan:
        steps: list[tuple[frozenset[str], bool]] = []
        for extract in extractors:
            needs = keys.needs_of(extract)
            if needs is None:
                continue
            for wanted, in_response in ((needs[0], False), (needs[1], True)):
                if wanted and (wanted, in_response) not in steps:
                    steps.append((wanted, in_response))
        return _Plan(tuple(steps), extractors)


def _bucket(key: str) -> int:
    """A stable hash (not ``hash``: the same worker for a key whatever the hash seed, so a
    run's sharding can be reproduced)."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass"))


def _canonical(value: str) -> str:
    if ":" in value or "/" in value:
        value = value.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return value.casefold()


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
    """One worker's run: every record read, those it owns processed."""

    def __init__(
        self,
        engine: Engine,
        specs: Sequence[str],
        me: int,
        jobs: int,
        render: Callable[[Drift], str] | None = None,
    ) -> None:
        self.engine = engine
        self.specs = list(specs)
        self.me = me
        self.jobs = jobs
        self.render = render
        self.router = Router(engine)
        self.detector = _ShardDetector(engine)
        self.asked: set[str] = set()
        self.hooked = False
        self.keyed: bool | None = False
        """What the prefilter found of the record read last: a key of this worker's (True),
        another's (None), no key (False)."""
        self.position = 0
        """Positions handed out: one per JSON line after a file's first (read by
        ``_lines``), one per record read otherwise (``_owned``)."""
        self.line = 0
        """The position of the line ``_lines`` is reading now (0: none)."""
        self.prefilter: Prefilter = make_prefilter(engine.catalog, known=self._known)

    def _known(self, value: str) -> bool:
        if self.engine.index.knows(value):
            return True
        self.asked.add(value)  # answered by what this run has seen: noted for the check
        return self.detector.knows(value)

    def _prefilter(self, real: Prefilter) -> Prefilter:
        route = self.router.key
        me, jobs = self.me, self.jobs

        def prefilter(raw: Mapping[str, Any]) -> str | None:
            if self.line:  # a line of this worker's (see _lines)
                return real(raw)
            self.hooked = True
            key = route(raw)
            if key is None:
                self.keyed = False
            elif _bucket(key) % jobs != me:
                self.keyed = None
                return FOREIGN
            else:
                self.keyed = True
            return real(raw)

        return prefilter

    def run(self) -> ShardResult:
        start = resource.getrusage(resource.RUSAGE_SELF)
        capture = _Capture()
        root = logging.getLogger()
        kept = root.handlers[:]
        root.handlers[:] = [capture]
        try:
            out = self._run(capture)
        finally:
            root.handlers[:] = kept
        end = resource.getrusage(resource.RUSAGE_SELF)
        out.cpu = (end.ru_utime - start.ru_utime) + (end.ru_stime - start.ru_stime)
        return out

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
        """The lines of a JSON Lines file after its first. A line holding one record is
        owned by its key (by position without one): this worker's are read as
        ``events._jsonl_items`` reads them, the others' only decoded for their key. Any
        other line (several records, not JSON to orjson) is read by every worker the usual
        way, and owned record by record."""
        route = self.router.key
        prefilter = self.prefilter
        loads = orjson.loads
        me, jobs = self.me, self.jobs
        for number, line in numbered:
            try:
                value = loads(line) if type(line) is bytes else None
            except orjson.JSONDecodeError:
                value = None
            if type(value) is not dict or "Records" in value:
                yield from local(iter(((number, line),)))
                continue
            self.position += 1
            key = route(value)
            owner = self.position % jobs if key is None else _bucket(key) % jobs
            if owner != me:
                continue
            self.line = self.position
            if _TWENTY_DIGITS in line.translate(_DIGITS_AS_ZERO):
                # orjson reads such integers as floats: the usual way reads it exactly.
                yield from local(iter(((number, line),)))
            else:
                reason = prefilter(value)
                if reason is not None:
                    yield SkippedRecord(reason=reason)
                else:
                    try:
                        yield normalize_any(
                            value, f"{name}:{number}", size=len(line), max_bytes=MAX_RECORD_BYTES
                        )
                    except RecordError as exc:
                        yield exc
            self.line = 0

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
        me, jobs = self.me, self.jobs
        last, sub = 0, 0
        for item in items:
            line = self.line
            if line:  # from a line of this worker's: its n-th record
                sub = sub + 1 if line == last else 0
                last = line
                where = (line, sub)
            else:
                self.position += 1
                hooked = self.hooked
                self.hooked = False
                if hooked and self.keyed is None:  # another worker's
                    held.clear()  # what reading it logged: its owner keeps that
                    continue
                if (not hooked or not self.keyed) and self.position % jobs != me:  # no key
                    held.clear()
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
    children = [_fork(_Shard(engine, specs, me, jobs, render)) for me in range(1, jobs)]
    outcomes: list[ShardResult | str] = []
    try:
        try:
            outcomes.append(_Shard(engine, specs, 0, jobs, render).run())
        except Exception as exc:  # one process says what, or does it
            outcomes.append(f"{type(exc).__name__}: {exc}")
    finally:
        outcomes.extend(_collect(pid, read_end) for pid, read_end in children)
    failed = next((o for o in outcomes if isinstance(o, str)), None)
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
    )
