"""``detect --jobs`` routing (see shards.py and shard_worker.py): the keys of a raw call
(``Router``), the components they join into (``Components``), and the pipes through which
the workers swap, in two rounds, what joins their components and the owners of the lines
they were dealt (``Exchange``)."""

from __future__ import annotations

import logging
import os
import threading
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, Final
from urllib.parse import unquote

import orjson

from tfdrift_gitops.core.actor import falco_text
from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.names import strip_version_suffix
from tfdrift_gitops.core.prefilter import READ_ONLY, Prefilter, make_prefilter

log = logging.getLogger(__name__)

MAX_DEALT: Final = 8
"""Most workers the routing pass deals lines round (pipes between every two of them)."""
MEMO_SIZE: Final = 4096
"""Most call names, and most document shapes, the router remembers what it worked out for."""
_UNSEEN: Final = object()
_NONE: Final = frozenset[str]()
_ALERT_DOCUMENTS: Final = (("ct.request", "requestParameters"), ("ct.response", "responseElements"))
PEER_ENDED: Final = "another worker ended before sending what it routed"


class _Probe:
    """What a row's id extractors read of a call (request and response): building a
    ``CloudEvent`` per record to route it would cost more than the rest of routing. A new one
    for each record whose extractors run: an extractor that remembers its last call by
    identity (``catalog.support.once_per_call``) must not take one record for the one before.
    An extractor reading anything else fails, and adds no key (the check guards what that
    misses)."""

    __slots__ = ("name", "request", "response", "source")

    def __init__(self) -> None:
        self.name = self.source = ""
        self.request: Any = None
        self.response: Any = None


class Router:
    """The keys of a raw CloudTrail call, read cheaply off the raw record: the resource ids its
    rows' id extractors read (``known_ids`` and targets), each as its last ARN or path
    segment, casefolded (a function named by name in one call and by ARN in the next); and
    its event id. Only a guess, for speed: see shard_worker.py."""

    def __init__(self, engine: Engine) -> None:
        extractors: dict[tuple[str, str], dict[Callable[[Any], Any], None]] = {}
        for rule in engine.catalog:  # every row of a call: each may fold on its own ids
            found = extractors.setdefault((rule.event, rule.source), {})
            if rule.known_ids is not None:
                found[rule.known_ids] = None
            found.update(dict.fromkeys(t.id for t in rule.targets))
        self.plans = {key: _Plan.of(tuple(found)) for key, found in extractors.items()}
        self.named: dict[tuple[str, str], _Plan | None] = {}
        """Plans by the name as written (a version suffix stripped once a name)."""
        self.matching: dict[tuple[frozenset[str], tuple[str, ...]], tuple[str, ...]] = {}
        """The fields of a document's shape (its field names, in order) that are wanted:
        calls of one kind have one shape, so each field's name is casefolded once a shape."""
        self.static: Prefilter = make_prefilter(engine.catalog)
        self.plain: dict[tuple[str, str], tuple[str | None, _Plan | None]] = {}
        """For a plain call (see ``route``) by its name as written: the static prefilter's
        verdict, and its plan."""
        self.shaped: dict[tuple[str, ...], tuple[str | None, tuple[str, ...] | None]] = {}
        """For a plain call with a request and no response (most writes) by its name, source
        and request fields: the static prefilter's verdict, and the fields ``_read`` reads
        (None: the plan has extractors that do not say what they read)."""

    def route(self, raw: Mapping[str, Any]) -> str | list[str]:
        """The routing pass's verdict on a decoded record: why the static prefilter skips it
        (``make_prefilter`` without ``known``: nothing else in the run can change that), or
        else its ``keys``. The same as calling both; most calls are plain (succeeded,
        management, fields of the usual types): a plain read is skipped as read-only, and the
        prefilter's verdict on a plain write rests on its name alone (worked out once a name)."""
        get = raw.get
        name, source, event_id = get("eventName"), get("eventSource"), get("eventID")
        read_only, event_type = get("readOnly"), get("eventType")
        if not (
            type(name) is str
            and type(source) is str
            and type(event_id) is str
            and get("errorCode") is None
            and type(get("eventTime")) is str
            and (
                (read_only is False and (event_type is None or event_type == "AwsApiCall"))
                or (read_only is True and name)
            )
        ):
            reason = self.static(raw)
            return reason if reason is not None else self.keys(raw)
        if read_only:  # most of a real trail: the prefilter's second check, after errorCode
            return READ_ONLY
        request = get("requestParameters")
        if type(request) is dict and get("responseElements") is None:
            # The usual write: the verdict, and the request fields the plan reads, looked up
            # once by name and request shape (``_read`` and ``_resources`` are calls a record).
            shape = (name, source, *request)
            known_shape = self.shaped.get(shape)
            if known_shape is None:
                known_shape = self._shaped(shape, request)
            reason, fields = known_shape
            if reason is not None:
                return reason
            if fields is not None:
                found = [event_id]
                for field_name in fields:
                    value = request[field_name]
                    if type(value) is not str or ":" in value or "/" in value or "%" in value:
                        break  # an ARN, a path or a nested value: the general way below
                    if value:
                        found.append(value.casefold())
                else:
                    return found
        known = self.plain.get((name, source))
        if known is None:
            known = self._plain(name, source)
        reason, plan = known
        if reason is not None:
            return reason
        found = [event_id]
        if plan is not None:
            self._resources(plan, name, source, raw, found)
        return found

    def _shaped(
        self, shape: tuple[str, ...], request: dict[str, Any]
    ) -> tuple[str | None, tuple[str, ...] | None]:
        name, source = shape[0], shape[1]
        known = self.plain.get((name, source))
        reason, plan = known if known is not None else self._plain(name, source)
        fields: tuple[str, ...] | None = ()
        if plan is not None:  # those _read reads; None: extractors that do not say, run always
            wanted = plan.request
            fields = None if plan.unknown else _fields_read(request, wanted)
        if len(self.shaped) < MEMO_SIZE:  # bounded: shapes made up by hostile input
            self.shaped[shape] = (reason, fields)
        return reason, fields

    def _plain(self, name: str, source: str) -> tuple[str | None, _Plan | None]:
        # A plain call that names nothing else: the verdict of every plain call of this name.
        verdict = self.static(
            {
                "eventName": name,
                "eventSource": source,
                "eventTime": "",
                "eventID": "",
                "readOnly": False,
            }
        )
        known = (verdict, self._plan(name, source))
        if len(self.plain) < MEMO_SIZE:
            self.plain[name, source] = known
        return known

    def keys(self, raw: Mapping[str, Any]) -> list[str]:
        """Every key through which this record may meet another: first its event id ("" when
        it has none: a redelivery meets the first delivery), then each resource id its row
        reads, at any top-level key its extractors say they read, and what the extractors
        yield when those say nothing plain (a list of resources, a nested id) or do not say
        what they read. More keys than the detector folds on only join components; fewer
        are caught by the check."""
        event_id = raw.get("eventID")
        found: list[str] = [event_id if type(event_id) is str else ""]
        name, source = raw.get("eventName"), raw.get("eventSource")
        if type(name) is str and type(source) is str:
            plan = self._plan(name, source)
            if plan is not None:
                self._resources(plan, name, source, raw, found)
        elif "output_fields" in raw:
            self._alert(raw["output_fields"], found)
        return found

    def _alert(self, fields: Any, found: list[str]) -> None:
        """A Falco CloudTrail-plugin alert: the same keys, from its ``ct.*`` fields (the
        request and response as JSON text, missing values spelt Falco's ways)."""
        if type(fields) is not dict:
            return
        found[0] = falco_text(fields.get("ct.id")).strip()
        name = falco_text(fields.get("ct.name")).strip()
        source = falco_text(fields.get("ct.src"))
        if not source:
            short = falco_text(fields.get("ct.shortsrc"))
            source = f"{short}.amazonaws.com" if short else ""
        if not name or not source:
            return
        documents: dict[str, Any] = {}
        for field_name, key in _ALERT_DOCUMENTS:
            value = fields.get(field_name)
            if type(value) is str:
                try:
                    value = orjson.loads(falco_text(value) or "null")
                except orjson.JSONDecodeError:
                    value = None
            documents[key] = value if type(value) is dict else None
        plan = self._plan(name, source)
        if plan is not None:
            self._resources(plan, name, source, documents, found)

    def _plan(self, name: str, source: str) -> _Plan | None:
        named = self.named
        plan = named.get((name, source), _UNSEEN)
        if plan is _UNSEEN:
            plan = self.plans.get((strip_version_suffix(name), source))
            if len(named) < MEMO_SIZE:
                named[name, source] = plan
        return plan if type(plan) is _Plan else None

    def _resources(
        self, plan: _Plan, name: str, source: str, raw: Mapping[str, Any], found: list[str]
    ) -> None:
        request, response = raw.get("requestParameters"), raw.get("responseElements")
        if (request is not None and type(request) is not dict) or (
            response is not None and type(response) is not dict
        ):
            return
        reshaped_request, reshaped_response = plan.reshaped
        nested_request = (
            self._read(request, plan.request, found, reshaped_request) if request else None
        )
        nested_response = (
            self._read(response, plan.response, found, reshaped_response) if response else None
        )
        # An extractor that says what it reads yields a plain value found above as is, or
        # nothing; it is run only when one of the keys it reads holds more than a string.
        if nested_request is not None or nested_response is not None:
            wanted_request, wanted_response = nested_request or _NONE, nested_response or _NONE
            self._extracted(
                tuple(
                    extract
                    for extract, (needs_request, needs_response) in plan.known
                    if not (
                        needs_request.isdisjoint(wanted_request)
                        and needs_response.isdisjoint(wanted_response)
                    )
                ),
                name,
                source,
                request,
                response,
                found,
            )
        if plan.unknown:
            self._extracted(plan.unknown, name, source, request, response, found)

    def _read(
        self,
        document: dict[str, Any],
        wanted: frozenset[str],
        found: list[str],
        reshaped: frozenset[str],
    ) -> set[str] | None:
        """Adds the keys of ``document``'s wanted fields that hold a string; the names
        (casefolded) of those that hold more, or an ARN or path a reshaping extractor reads,
        if any."""
        if not wanted:
            return None
        shape = (wanted, tuple(document))
        fields = self.matching.get(shape)
        if fields is None:
            fields = _fields_read(document, wanted)
            if len(self.matching) < MEMO_SIZE:  # bounded: shapes made up by hostile input
                self.matching[shape] = fields
        nested = None
        for field_name in fields:
            value = document[field_name]
            if type(value) is str:
                if value:
                    if ":" in value or "/" in value or "%" in value:
                        found.append(_canonical(value))
                        if reshaped and field_name.casefold() in reshaped:
                            if nested is None:
                                nested = set()
                            nested.add(field_name.casefold())
                    else:  # a plain name or id, as most are
                        found.append(value.casefold())
            elif value:
                if nested is None:
                    nested = set()
                nested.add(field_name.casefold())
        return nested

    def _extracted(
        self,
        extractors: tuple[Callable[[Any], Any], ...],
        name: str,
        source: str,
        request: Any,
        response: Any,
        found: list[str],
    ) -> None:
        probe = _Probe()
        probe.name, probe.source, probe.request, probe.response = name, source, request, response
        for extract in extractors:
            try:
                value = extract(probe)
            except Exception:  # noqa: S112 - what it cannot read, the check still guards
                continue
            for one in value if type(value) is list else (value,):
                if type(one) is str and one:
                    found.append(_canonical(one))


@dataclass(frozen=True, slots=True)
class _Plan:
    """The routing of a call's rows: the top-level request and response keys (casefolded)
    their id extractors say they read, those extractors, and the ones that do not say."""

    request: frozenset[str]
    response: frozenset[str]
    known: tuple[tuple[Callable[[Any], Any], keys.Needs], ...]
    """Each extractor that says what it reads, with what it reads."""
    unknown: tuple[Callable[[Any], Any], ...]
    reshaped: keys.Needs = (frozenset(), frozenset())
    """The keys read by extractors that reshape a value holding ``:`` or ``/`` (see
    ``keys.reshapes``): such a value there runs them, as a nested one does."""

    @staticmethod
    def of(extractors: tuple[Callable[[Any], Any], ...]) -> _Plan:
        request: set[str] = set()
        response: set[str] = set()
        reshaped: tuple[set[str], set[str]] = (set(), set())
        known: list[tuple[Callable[[Any], Any], keys.Needs]] = []
        unknown: list[Callable[[Any], Any]] = []
        for extract in extractors:
            needs = keys.needs_of(extract)
            if needs is None:
                unknown.append(extract)
            else:
                known.append((extract, needs))
                request |= needs[0]
                response |= needs[1]
                if keys.reshaping(extract):
                    reshaped[0].update(needs[0])
                    reshaped[1].update(needs[1])
        return _Plan(
            frozenset(request),
            frozenset(response),
            tuple(known),
            tuple(unknown),
            (frozenset(reshaped[0]), frozenset(reshaped[1])),
        )


def _fields_read(document: Mapping[str, Any], wanted: frozenset[str]) -> tuple[str, ...]:
    """The fields of ``document`` whose names, casefolded, are among ``wanted``, in order."""
    return tuple(f for f in document if f.casefold() in wanted)


def owner_of(root: str, jobs: int) -> int:
    """The worker that owns the component whose least key is ``root``."""
    return bucket(root) % jobs


def bucket(key: str) -> int:
    """A stable hash (not ``hash``: the same worker for a key whatever the hash seed, so a
    run's sharding can be reproduced)."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass"))


def _canonical(value: str) -> str:
    if "%" in value:  # an ARN named in a call's path is logged URL-encoded (arn%3Aaws%3A...)
        value = unquote(value)
    if ":" in value or "/" in value:
        value = value.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return value.casefold()


def root_of(parent: dict[str, str], key: str) -> str:
    """``key``'s root in the forest ``parent``, halving the path on the way: chains stay
    short whatever order (hostile) input joins keys in."""
    up = parent.get(key)
    if up is None:
        return key
    while True:
        top = parent.get(up)
        if top is None:
            return up
        parent[key] = top
        key, up = top, parent.get(top)
        if up is None:
            return key


class Components:
    """Union-find over keys; a component's root is its least key (whatever order the keys
    were joined in), so every worker hashes the same root."""

    __slots__ = ("parent",)

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        """Each joined key's parent; a root has none."""

    def find(self, key: str) -> str:
        return root_of(self.parent, key)

    def union(self, one: str, other: str) -> str:
        """Joins the components of ``one`` and ``other``; their root."""
        a, b = root_of(self.parent, one), root_of(self.parent, other)
        if a < b:
            self.parent[b] = a
            return a
        if b < a:
            self.parent[a] = b
        return b


class Exchange:
    """A pipe from every worker to every other, made before forking, for the routing pass's
    rounds (see shard_worker.py): in each, every worker sends one message to all the others
    and reads one from each (its length in 8 bytes, then its bytes)."""

    def __init__(self, jobs: int) -> None:
        self.pipes: dict[tuple[int, int], tuple[int, int]] = {}
        self.open: set[int] = set()
        self.me = -1
        self.readers: dict[int, BinaryIO] = {}
        """From each other worker, by its number (once ``keep`` ran)."""
        self.writers: dict[int, BinaryIO] = {}
        """To each other worker, by its number."""
        try:
            for a in range(jobs):
                for b in range(jobs):
                    if a != b:
                        self.pipes[a, b] = pair = os.pipe()
                        self.open.update(pair)
        except BaseException:
            self.close()
            raise

    @staticmethod
    def make(jobs: int) -> Exchange | None:
        """None (every worker routes every line) past ``MAX_DEALT`` workers, or when the
        pipes cannot be made (jobs * (jobs - 1) of them)."""
        if jobs > MAX_DEALT:
            return None
        try:
            return Exchange(jobs)
        except OSError as exc:
            log.info("detect --jobs: every worker routes every line (%s)", exc)
            return None

    def keep(self, me: int) -> None:
        """In worker ``me``, once all are forked: only its own ends stay open."""
        self.me = me
        for (a, b), (read_end, write_end) in self.pipes.items():
            if b != me:
                self._close(read_end)
            if a != me:
                self._close(write_end)
        for (a, b), (read_end, write_end) in self.pipes.items():
            if b == me:
                self.open.discard(read_end)
                self.readers[a] = os.fdopen(read_end, "rb")
            elif a == me:
                self.open.discard(write_end)
                self.writers[b] = os.fdopen(write_end, "wb")

    def swap(self, data: bytes) -> dict[int, bytes]:
        """Sends ``data`` to every other worker (threads: the pipes are smaller than it);
        what each of them sent, by its number. Every other worker's message is read to its
        end (or its pipe's) before this returns or raises ``PEER_ENDED`` (one ended early):
        so no worker waits for ever on another that waits on it."""
        senders = [
            threading.Thread(target=self._send, args=(sink, data)) for sink in self.writers.values()
        ]
        for sender in senders:
            sender.start()
        got: dict[int, bytes] = {}
        for peer, source in self.readers.items():
            head = source.read(8)
            size = int.from_bytes(head, "little") if len(head) == 8 else -1
            body = source.read(size) if size > 0 else b""
            if len(body) == size:
                got[peer] = body
        for sender in senders:
            sender.join()
        if len(got) < len(self.readers):
            raise RuntimeError(PEER_ENDED)
        return got

    def _send(self, sink: BinaryIO, data: bytes) -> None:
        try:
            sink.write(len(data).to_bytes(8, "little"))
            sink.write(data)
            sink.flush()
        except OSError:  # the reader ended: it reports its failure itself
            return

    def _close(self, fd: int) -> None:
        if fd in self.open:
            self.open.discard(fd)
            os.close(fd)

    def close(self) -> None:
        for fd in list(self.open):
            self._close(fd)
        files = [*self.readers.values(), *self.writers.values()]
        self.readers, self.writers = {}, {}
        for one in files:
            try:
                one.close()
            except OSError:  # what was left unsent: its reader ended
                continue
