"""CloudTrail log-file notifications from an SQS queue: what they name, and the queue's calls.

A trail announces each log file it writes in one of these shapes, all accepted here:

- CloudTrail's own SNS notification ``{"s3Bucket": "…", "s3ObjectKey": ["AWSLogs/…json.gz"]}``
  inside an SNS envelope (``{"Type": "Notification", "Message": "<that JSON as a string>"}``),
  or bare when the subscription uses raw message delivery;
- S3 event notifications (``{"Records": [{"eventSource": "aws:s3", "s3": {…}}]}``), sent to SQS
  directly or through SNS; their keys are URL-encoded (``+`` for a space);
- EventBridge's S3 ``Object Created`` events (keys not encoded).

An organisation trail's keys (``AWSLogs/o-…/ACCOUNT/CloudTrail/…``) are ordinary keys here.
Digest and Insights files are not management events and are left out; S3's ``s3:TestEvent``
names nothing.

A message may also carry one CloudTrail record itself: an EventBridge rule matching
``AWS API Call via CloudTrail`` (or another ``… via CloudTrail`` detail type) with the queue,
or an SNS topic subscribed to by it, as its target. Such a message is read as that record,
seconds after the call rather than when the trail's next log file lands.

Anything else is not a notification: the caller counts it and leaves the message to the
queue's redrive policy.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote_plus

from tfdrift_gitops.core.normalize import is_cloudtrail_envelope
from tfdrift_gitops.errors import InputError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

log = logging.getLogger(__name__)

MAX_BODY_CHARS: Final = 262_144
"""SQS's own message size limit: a larger body is not something a queue delivered."""
_LOG_SUFFIXES: Final = (".json.gz", ".json", ".jsonl", ".jsonl.gz", ".gz")
_NOT_EVENTS: Final = ("/CloudTrail-Digest/", "/CloudTrail-Insight/")
_SQS_BATCH: Final = 10


@dataclass(frozen=True, slots=True)
class LogObject:
    bucket: str
    key: str

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True, slots=True)
class Notice:
    """What one message brings: the log files it names, or the EventBridge event carrying a
    CloudTrail record it is (``event``: read as that record)."""

    objects: tuple[LogObject, ...] = ()
    event: dict[str, Any] | None = None


def parse_message(body: str) -> Notice:
    """What one message body brings (possibly nothing: a test event, digest files).

    Raises InputError when the body is neither a notification in any shape we know nor an
    EventBridge event carrying a CloudTrail record."""
    if len(body) > MAX_BODY_CHARS:
        raise InputError(f"message body of {len(body):,} characters is not a notification")
    value = _json(body, "message body")
    if _is_sns_envelope(value):
        value = _json(value["Message"], "SNS Message")
    if isinstance(value, dict) and is_cloudtrail_envelope(value):
        return Notice(event=value)  # whether its detail is usable, the reader says
    return Notice(objects=tuple(_log_files(value)))


def _log_files(value: Any) -> list[LogObject]:
    if not isinstance(value, dict):
        raise InputError(f"not a notification: a JSON {type(value).__name__}")
    if "s3Bucket" in value or "s3ObjectKey" in value:
        objects = _cloudtrail(value)
    elif value.get("Event") == "s3:TestEvent":
        objects = []
    elif "Records" in value:
        objects = _s3_event_records(value["Records"])
    elif value.get("source") == "aws.s3" and isinstance(value.get("detail"), dict):
        objects = _eventbridge(value)
    else:
        keys = ", ".join(sorted(str(k)[:40] for k in list(value)[:8]))
        raise InputError(f"not a CloudTrail or S3 notification (keys: {keys})")
    return [obj for obj in objects if _is_log_file(obj.key)]


def _json(text: Any, what: str) -> Any:
    if not isinstance(text, str):
        raise InputError(f"{what} is not a string")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{what} is not JSON: {exc}") from None


def _is_sns_envelope(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("Type") == "Notification"
        and isinstance(value.get("Message"), str)
    )


def _name(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise InputError(f"{what} is not a usable name: {str(value)[:80]!r}")
    return value


def _cloudtrail(value: dict[str, Any]) -> list[LogObject]:
    bucket = _name(value.get("s3Bucket"), "s3Bucket", 63)
    keys = value.get("s3ObjectKey")
    if not isinstance(keys, list):
        raise InputError("s3ObjectKey is not a list")
    return [LogObject(bucket, _name(key, "s3ObjectKey", 1024)) for key in keys]


def _s3_event_records(records: Any) -> list[LogObject]:
    if not isinstance(records, list):
        raise InputError("Records is not a list")
    objects = []
    for record in records:
        if not isinstance(record, dict) or record.get("eventSource") != "aws:s3":
            raise InputError("a Records entry is not an S3 event notification")
        if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue  # removals, restores, lifecycle: no new log file
        s3 = record.get("s3")
        if not isinstance(s3, dict):
            raise InputError("an S3 event record without its s3 section")
        bucket = (s3.get("bucket") or {}).get("name") if isinstance(s3.get("bucket"), dict) else ""
        key = (s3.get("object") or {}).get("key") if isinstance(s3.get("object"), dict) else ""
        key = unquote_plus(_name(key, "s3.object.key", 3072))
        objects.append(LogObject(_name(bucket, "s3.bucket.name", 63), _name(key, "key", 1024)))
    return objects


def _eventbridge(value: dict[str, Any]) -> list[LogObject]:
    if value.get("detail-type") != "Object Created":
        return []
    detail = value["detail"]
    bucket = detail.get("bucket") if isinstance(detail.get("bucket"), dict) else {}
    obj = detail.get("object") if isinstance(detail.get("object"), dict) else {}
    return [LogObject(_name(bucket.get("name"), "bucket", 63), _name(obj.get("key"), "key", 1024))]


def _is_log_file(key: str) -> bool:
    if any(marker in f"/{key}" for marker in _NOT_EVENTS):
        log.debug("not an event log file: %r", key)
        return False
    return key.lower().endswith(_LOG_SUFFIXES)


# ------------------------------------------------------------------------------ the queue


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    receipt: str
    body: str
    receive_count: int


class SqsQueue:
    """The four calls SQS mode makes. boto3 clients are thread-safe, so the receiver, the
    heartbeat and the completer share one."""

    def __init__(
        self, client: SQSClient, url: str, *, wait_seconds: int = 20, visibility: int = 60
    ) -> None:
        self.client = client
        self.url = url
        self.wait_seconds = wait_seconds
        self.visibility = visibility

    def receive(self, limit: int = _SQS_BATCH) -> list[Message]:
        answer = self.client.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=max(1, min(limit, _SQS_BATCH)),
            WaitTimeSeconds=self.wait_seconds,
            VisibilityTimeout=self.visibility,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        messages = []
        for raw in answer.get("Messages", []):
            count = raw.get("Attributes", {}).get("ApproximateReceiveCount", "1")
            messages.append(
                Message(
                    id=raw.get("MessageId", ""),
                    receipt=raw.get("ReceiptHandle", ""),
                    body=raw.get("Body", ""),
                    receive_count=int(count) if count.isdigit() else 1,
                )
            )
        return messages

    def extend(self, messages: Iterable[Message]) -> int:
        """Push every message's visibility ``visibility`` seconds ahead; returns failures."""
        batch = list(messages)
        failed = 0
        for start in range(0, len(batch), _SQS_BATCH):
            entries = [
                {"Id": str(n), "ReceiptHandle": m.receipt, "VisibilityTimeout": self.visibility}
                for n, m in enumerate(batch[start : start + _SQS_BATCH])
            ]
            answer = self.client.change_message_visibility_batch(
                QueueUrl=self.url,
                Entries=entries,  # type: ignore[arg-type]
            )
            failed += len(answer.get("Failed", []))
        return failed

    def delete(self, message: Message) -> None:
        self.client.delete_message(QueueUrl=self.url, ReceiptHandle=message.receipt)

    def redrive_policy(self) -> str | None:
        answer = self.client.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["RedrivePolicy"]
        )
        return answer.get("Attributes", {}).get("RedrivePolicy")


class Heartbeat:
    """Keeps the messages being processed invisible: every third of the visibility timeout it
    pushes each one's timeout ahead again. A message whose process dies stops being extended
    and reappears for another replica within one timeout."""

    def __init__(self, queue: SqsQueue) -> None:
        self.queue = queue
        self._held: dict[str, Message] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0

    def hold(self, message: Message) -> None:
        with self._lock:
            self._held[message.receipt] = message

    def release(self, message: Message) -> None:
        with self._lock:
            self._held.pop(message.receipt, None)

    def held(self) -> int:
        with self._lock:
            return len(self._held)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sqs-heartbeat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        period = max(0.5, self.queue.visibility / 3)
        while not self._stop.wait(period):
            with self._lock:
                messages = list(self._held.values())
            if not messages:
                continue
            try:
                self.failures += self.queue.extend(messages)
            except (BotoCoreError, ClientError) as exc:
                self.failures += 1
                log.warning("cannot extend the visibility of %d messages: %s", len(messages), exc)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
