"""``detect --jobs N``: JSON Lines decoded, prefiltered, normalised and evaluated in N worker
processes; folding stays in this process, in input order, so the result is the one process's.

The workers are forked once the state index is built (they share it, copy-on-write) and get
batches of raw lines. What they may decide alone is static: the prefilter's verdicts against
the state, normalisation, ``Engine.evaluate`` (state, catalog and policy only). The one verdict
that depends on what the run has seen so far, "these ids are unknown" (an unmanaged drift
opened earlier in the run makes an id known), comes back with the ids and the line: checked
here in order, and read here the usual way when one of them is known by then.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Final

from tfdrift_gitops.adapters.event_stream import LineHandler
from tfdrift_gitops.core.detector import Evaluated, failure_text
from tfdrift_gitops.core.engine import Engine, Evaluation, Finding
from tfdrift_gitops.core.normalize import MAX_RECORD_BYTES
from tfdrift_gitops.core.prefilter import NOT_IN_STATE, make_prefilter
from tfdrift_gitops.errors import NotCloudTrailError, RecordError
from tfdrift_gitops.models import CloudEvent, Kind, SkippedRecord

BATCH_LINES: Final = 1000
"""Lines per task: large enough that a task's overhead (two pickles, a queue hop) is small
per record, small enough that the workers and this process stay busy together."""
IN_FLIGHT_PER_WORKER: Final = 3

# Results of one line, as a worker sends them (small and cheap to pickle):
#   str                                      a skip reason
#   ("e", event, rule position, findings)    an evaluated event; findings are
#                                            (kind, resource, target position, trusted, serial)
#   ("f", event, failure text)               evaluate raised
#   ("r", not cloudtrail?, reason, origin)   a RecordError
#   ("u", ids, number, line)                 unknown ids: decided here (see module doc)
#   ("l", number, line)                      read the whole line here
Result = Any


class _Worker:
    """Per worker process: the engine (inherited by fork) and a prefilter that notes the ids
    it asks about."""

    def __init__(self, engine: Engine) -> None:
        from tfdrift_gitops.adapters.event_stream import Reading, jsonl_items

        self.engine = engine
        self.asked: list[str] = []
        self.positions = {id(rule): n for n, rule in enumerate(engine.catalog)}
        prefilter = make_prefilter(engine.catalog, known=self._known)
        self.reading = Reading(max_bytes=MAX_RECORD_BYTES, prefilter=prefilter)
        self.items = jsonl_items

    def _known(self, value: str) -> bool:
        self.asked.append(value)
        return self.engine.index.knows(value)

    def lines(self, name: str, batch: list[tuple[int, bytes]]) -> list[list[Result]]:
        out: list[list[Result]] = []
        for number, line in batch:
            self.asked.clear()
            items = list(self.items(iter(((number, line),)), name, self.reading))
            if any(type(i) is SkippedRecord and i.reason == NOT_IN_STATE for i in items):
                # Unknown ids decide it only for a plain one-record line; a Records document
                # holding such a call is read again there, whole.
                if len(items) == 1 and self.asked:
                    out.append([("u", tuple(self.asked), number, line)])
                else:
                    out.append([("l", number, line)])
                continue
            out.append([self._result(item) for item in items])
        return out

    def _result(self, item: Any) -> Result:
        if type(item) is SkippedRecord:
            return item.reason
        if isinstance(item, RecordError):
            return ("r", isinstance(item, NotCloudTrailError), item.reason, item.origin)
        event: CloudEvent = item
        try:
            evaluation = self.engine.evaluate(event)
        except MemoryError:
            raise
        except Exception as exc:  # reported against the record there, as Detector does
            return ("f", event, failure_text(exc))
        if evaluation.skipped is not None:
            return evaluation.skipped.value
        findings = evaluation.findings
        rule = findings[0].rule
        evaluated = findings[0].event
        return (
            "e",
            evaluated,
            self.positions[id(rule)],
            tuple(
                (
                    None if f.kind is None else f.kind.value,
                    f.resource,
                    next(n for n, t in enumerate(rule.targets) if t is f.target),
                    f.trusted,
                    f.state_serial,
                )
                for f in findings
            ),
        )


_FORKED: dict[str, _Worker] = {}
"""The worker of this process (set in each forked worker by ``_start``)."""


def _start(worker: _Worker) -> None:
    _FORKED["worker"] = worker


def _work(task: tuple[str, list[tuple[int, bytes]]]) -> list[list[Result]]:
    return _FORKED["worker"].lines(*task)


class LineWorkers:
    """A pool of forked workers that takes over JSON Lines reading (``LineHandler``).

    ``known`` is this process's view of which ids are known (``Detector.knows``; settable
    once the detector exists), asked in input order for the lines whose ids the workers found
    unknown."""

    def __init__(
        self, engine: Engine, jobs: int, known: Callable[[str], bool] | None = None
    ) -> None:
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.engine = engine
        self.known: Callable[[str], bool] = known or engine.index.knows
        self.jobs = jobs
        self.rules = list(engine.catalog)
        # Forked: the workers share the index built here instead of each building one (the
        # worker object is inherited, not pickled).
        context = multiprocessing.get_context("fork")
        self.pool: multiprocessing.pool.Pool | None = context.Pool(
            jobs, initializer=_start, initargs=(_Worker(engine),)
        )
        self._skips: dict[str, SkippedRecord] = {}

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def __enter__(self) -> LineWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def handler(self) -> LineHandler:
        return self.items

    def items(
        self,
        numbered: Iterator[tuple[int, Any]],
        name: str,
        local: Callable[[Iterator[tuple[int, Any]]], Iterator[Any]],
    ) -> Iterator[Any]:
        pool = self.pool
        if pool is None:
            raise RuntimeError("LineWorkers used after close()")
        pending: deque[multiprocessing.pool.AsyncResult[list[list[Result]]]] = deque()
        limit = self.jobs * IN_FLIGHT_PER_WORKER
        batch: list[tuple[int, bytes]] = []
        for number, line in numbered:
            if type(line) is not bytes:
                # A line too big for one read (streamed where it is): everything before it
                # first, then it, here.
                if batch:
                    pending.append(pool.apply_async(_work, ((name, batch),)))
                    batch = []
                while pending:
                    yield from self._results(pending.popleft().get(), name, local)
                yield from local(iter(((number, line),)))
                continue
            batch.append((number, line))
            if len(batch) >= BATCH_LINES:
                pending.append(pool.apply_async(_work, ((name, batch),)))
                batch = []
                while len(pending) >= limit:
                    yield from self._results(pending.popleft().get(), name, local)
        if batch:
            pending.append(pool.apply_async(_work, ((name, batch),)))
        while pending:
            yield from self._results(pending.popleft().get(), name, local)

    def _results(
        self,
        lines: list[list[Result]],
        name: str,
        local: Callable[[Iterator[tuple[int, Any]]], Iterator[Any]],
    ) -> Iterator[Any]:
        skips = self._skips
        for results in lines:
            for result in results:
                if type(result) is str:
                    yield skips.get(result) or self._skip(result)
                    continue
                tag = result[0]
                if tag == "e":
                    yield self._evaluated(result[1], result[2], result[3])
                elif tag == "u":
                    _, ids, number, line = result
                    if any(self.known(i) for i in ids):
                        yield from local(iter(((number, line),)))
                    else:
                        yield self._skip(NOT_IN_STATE)
                elif tag == "l":
                    yield from local(iter(((result[1], result[2]),)))
                elif tag == "f":
                    yield Evaluated(event=result[1], evaluation=None, failure=result[2])
                else:
                    _, not_cloudtrail, reason, origin = result
                    kind = NotCloudTrailError if not_cloudtrail else RecordError
                    yield kind(reason, origin=origin)

    def _skip(self, reason: str) -> SkippedRecord:
        shared = self._skips.get(reason)
        if shared is None:
            shared = self._skips[reason] = SkippedRecord(reason=reason)
        return shared

    def _evaluated(
        self,
        event: CloudEvent,
        rule_position: int,
        findings: tuple[tuple[str | None, Any, int, bool, int | None], ...],
    ) -> Evaluated:
        rule = self.rules[rule_position]
        return Evaluated(
            event=event,
            evaluation=Evaluation(
                findings=[
                    Finding(
                        kind=None if kind is None else Kind(kind),
                        resource=resource,
                        event=event,
                        rule=rule,
                        target=rule.targets[target],
                        trusted=trusted,
                        state_serial=serial,
                    )
                    for kind, resource, target, trusted, serial in findings
                ]
            ),
        )
