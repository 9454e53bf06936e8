"""SQS mode: CloudTrail log files, announced on an SQS queue, read from S3 into the pipeline.

Any number of collectors share one queue (and one ledger; its conditional writes keep it
right). Per message: receive (long poll) -> the heartbeat keeps it invisible -> every record of
every file it names goes through the pipeline -> once the pipeline has recorded the last one the
message is deleted. A message whose file cannot be read (missing object, corrupt gzip), whose
records the ledger refused, or that is no notification at all is *not* deleted and no longer
extended: it reappears after its visibility timeout and the queue's redrive policy moves it to
the dead-letter queue after ``maxReceiveCount`` receives. Nothing here retries it in a loop.

A replica that dies mid-file stops extending; its message reappears for another replica, which
re-reads the whole file: the records already recorded change nothing (the ledger is keyed by
event id).

A message that is an EventBridge event carrying a CloudTrail record (``sqs_source``) goes
through the pipeline as that one record, and is deleted or left the same way.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from tfdrift_gitops.adapters.events import iter_s3_object
from tfdrift_gitops.adapters.sqs_source import Heartbeat, LogObject, Message, SqsQueue
from tfdrift_gitops.adapters.sqs_source import parse_message as parse
from tfdrift_gitops.core.normalize import normalize_any
from tfdrift_gitops.errors import InputError, NotCloudTrailError, RecordError
from tfdrift_gitops.falco.metrics import CollectorMetrics
from tfdrift_gitops.falco.pipeline import Item, Pipeline
from tfdrift_gitops.models import CloudEvent

log = logging.getLogger(__name__)

INTAKE = "sqs"
DONE, FAILED, INVALID = "done", "failed", "invalid"


class MessageTicket:
    """Counts a message's records through the pipeline; ``on_done`` fires once, when the
    message has been read to its end and every record has been handled."""

    def __init__(self, message: Message, on_done: Callable[[MessageTicket], None]) -> None:
        self.message = message
        self._on_done = on_done
        self._lock = threading.Lock()
        self._pending = 0
        self._closed = False
        self._fired = False
        self.records = 0
        self.problems: list[str] = []

    def add(self) -> None:
        with self._lock:
            self._pending += 1
            self.records += 1

    def fail(self, reason: str) -> None:
        with self._lock:
            self.problems.append(reason)

    def settle(self, recorded: bool) -> None:
        with self._lock:
            self._pending -= 1
            if not recorded:
                self.problems.append("the ledger did not record every finding")
        self._maybe_done()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._maybe_done()

    @property
    def ok(self) -> bool:
        with self._lock:
            return not self.problems

    def _maybe_done(self) -> None:
        with self._lock:
            if not self._closed or self._pending or self._fired:
                return
            self._fired = True
        self._on_done(self)


class _Batch:
    """What the messages of one receive share: whether the open drifts were listed for them."""

    __slots__ = ("listed",)

    def __init__(self) -> None:
        self.listed = False


def _carried(event: dict[str, Any], message: Message) -> CloudEvent | RecordError:
    """The CloudTrail record an EventBridge event in a message carries, or why it is no use
    (counted as an invalid record: the message is still done, as a log file's bad record)."""
    try:
        return normalize_any(event, f"sqs message {message.id}")
    except RecordError as exc:
        return exc


class SqsIntake:
    def __init__(
        self,
        sqs: SqsQueue,
        pipeline: Pipeline,
        metrics: CollectorMetrics,
        *,
        s3_client: Any,
        max_in_flight: int = 10,
        on_file: Callable[[], None] | None = None,
    ) -> None:
        """``on_file``: called before each log file is read (the ledger lists its open drifts:
        what other replicas recorded before the file came is seen)."""
        self.sqs = sqs
        self.on_file = on_file
        self.pipeline = pipeline
        self.metrics = metrics
        self.s3 = s3_client
        self.max_in_flight = max_in_flight
        self.heartbeat = Heartbeat(sqs)
        self._finished: queue.Queue[MessageTicket | None] = queue.Queue()
        self._stop = threading.Event()
        self._receiver: threading.Thread | None = None
        self._completer: threading.Thread | None = None
        self.counts: dict[str, int] = {DONE: 0, FAILED: 0, INVALID: 0}
        self._counts_lock = threading.Lock()

    def start(self) -> None:
        try:
            policy = self.sqs.redrive_policy()
        except Exception as exc:  # a missing permission must not stop the collector
            log.warning("cannot read %s's redrive policy: %s", self.sqs.url, exc)
        else:
            if not policy:
                log.warning(
                    "%s has no redrive policy: a message that keeps failing comes back every "
                    "visibility timeout forever (give it a dead-letter queue)",
                    self.sqs.url,
                )
        self.heartbeat.start()
        self._completer = threading.Thread(target=self._complete, name="sqs-done", daemon=True)
        self._completer.start()
        self._receiver = threading.Thread(target=self._receive, name="sqs-receive", daemon=True)
        self._receiver.start()

    # ------------------------------------------------------------------ receiving

    def _receive(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        delay = 0.5
        while not self._stop.is_set():
            room = self.max_in_flight - self.heartbeat.held()
            if room <= 0:
                self._stop.wait(0.05)
                continue
            try:
                messages = self.sqs.receive(room)
            except (BotoCoreError, ClientError) as exc:
                self.metrics.errors.inc(INTAKE)
                log.warning("cannot receive from %s (%s); again in %.1fs", self.sqs.url, exc, delay)
                self._stop.wait(delay)
                delay = min(30.0, delay * 2)
                continue
            delay = 0.5
            batch = _Batch()
            for message in messages:
                if self._stop.is_set():
                    break  # not held, not deleted: it reappears after its visibility timeout
                try:
                    self._handle(message, batch)
                except Exception:  # a bug on one message must not stop the intake
                    self.metrics.errors.inc(INTAKE)
                    log.exception("SQS message %s: unexpected error", message.id)

    def _handle(self, message: Message, batch: _Batch) -> None:
        try:
            notice = parse(message.body)
        except InputError as exc:
            self._count(INVALID)
            log.warning(
                "SQS message %s (received %d times) is not a log-file notification: %s; left to "
                "the queue's redrive policy",
                message.id,
                message.receive_count,
                exc,
            )
            return
        # A file is read long after its batch came: list before each. Records carried by the
        # messages themselves are read at once: one listing after their batch came serves all.
        if self.on_file is not None and (notice.event is None or not batch.listed):
            batch.listed = True
            try:
                self.on_file()
            except Exception as exc:  # the findings that need it list (or read) themselves
                log.warning("SQS message %s: cannot list the open drifts: %s", message.id, exc)
        self.heartbeat.hold(message)
        ticket = MessageTicket(message, self._finished.put)
        try:
            if notice.event is not None:
                self._offer(_carried(notice.event, message), ticket)
            for obj in notice.objects:
                self._read(obj, ticket)
        finally:
            ticket.close()

    def _read(self, obj: LogObject, ticket: MessageTicket) -> None:
        for item in iter_s3_object(self.s3, obj.bucket, obj.key):
            if isinstance(item, RecordError) and item.origin == obj.url:  # the file as a whole
                ticket.fail(str(item))
            elif not self._offer(item, ticket):
                return

    def _offer(self, item: CloudEvent | RecordError, ticket: MessageTicket) -> bool:
        """Hands one record to the pipeline (counts a record that is no use); False when the
        pipeline refused it (the message is then left to the redrive policy)."""
        if isinstance(item, NotCloudTrailError):
            self.metrics.alerts.inc(INTAKE, "ignored")
        elif isinstance(item, RecordError):
            self.metrics.alerts.inc(INTAKE, "invalid")
            log.warning("%s", item)
        else:
            ticket.add()
            if self.pipeline.offer(Item(item, time.perf_counter(), INTAKE, ticket)):
                self.metrics.alerts.inc(INTAKE, "accepted")
            else:
                ticket.settle(False)
                return False
        return True

    # ------------------------------------------------------------------ completing

    def _complete(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        while True:
            ticket = self._finished.get()
            if ticket is None:
                return
            message = ticket.message
            self.heartbeat.release(message)
            if not ticket.ok:
                self._count(FAILED)
                log.warning(
                    "SQS message %s (received %d times) failed: %s; left to the queue's "
                    "redrive policy",
                    message.id,
                    message.receive_count,
                    "; ".join(ticket.problems[:3]),
                )
                continue
            try:
                self.sqs.delete(message)
            except (BotoCoreError, ClientError) as exc:
                # Its visibility lapsed and another replica may have it: it is read again,
                # which the ledger makes harmless.
                self.metrics.errors.inc(INTAKE)
                log.warning("cannot delete SQS message %s: %s", message.id, exc)
                continue
            self._count(DONE)
            log.debug("SQS message %s done: %d records", message.id, ticket.records)

    def _count(self, outcome: str) -> None:
        with self._counts_lock:
            self.counts[outcome] += 1
        self.metrics.sqs_messages.inc(outcome)

    # ------------------------------------------------------------------ stopping

    def stop(self) -> None:
        """Stop receiving. Messages being read stay held until ``finish``."""
        self._stop.set()

    def finish(self, timeout: float = 10.0) -> None:
        """After the pipeline has drained: delete what it recorded, then stop the heartbeat.
        Messages not finished by then reappear after their visibility timeout."""
        if self._receiver is not None:
            self._receiver.join(timeout=1.0)  # it may sit in a long poll: a daemon thread
        self._finished.put(None)
        if self._completer is not None:
            self._completer.join(timeout)
        self.heartbeat.stop()

    def summary(self) -> str:
        with self._counts_lock:
            counts = dict(self.counts)
        return (
            f"SQS: {counts[DONE]} messages done, {counts[FAILED]} failed and "
            f"{counts[INVALID]} not notifications (left to the queue's redrive policy)"
        )
