"""SQS mode: notifications in every shape, replicas sharing a queue, a replica killed mid-file,
poison messages left to the redrive policy. S3, SQS and the ledger are a moto server over HTTP;
the replicas are real ``python -m tfdrift_gitops collect`` processes."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.collector.falco_alerts import cloudtrail_record
from tests.collector.sqs_support import (
    FORMATS,
    LOG_PREFIX,
    TERRAFORM_UA,
    Trail,
    create_bucket,
    eventbridge,
    make_queue,
    make_trail,
    notification,
    queue_depth,
    sg_ingress,
)
from tfdrift_gitops.adapters.aws import make_sqs_client
from tfdrift_gitops.adapters.sqs_source import LogObject, Notice, parse_message
from tfdrift_gitops.errors import InputError
from tfdrift_gitops.falco.collector import Collector, CollectorOptions
from tfdrift_gitops.falco.sqs_intake import DONE, FAILED, INVALID
from tfdrift_gitops.ledger import open_ledger

REPO = Path(__file__).resolve().parents[2]
KEY = f"{LOG_PREFIX}123_CloudTrail_us-east-1_20261120T0900Z_a b.json.gz"


# ------------------------------------------------------------------ notification shapes


@pytest.mark.parametrize("shape", FORMATS)
def test_every_notification_shape_names_the_log_file(shape: str) -> None:
    assert parse_message(notification("trail", [KEY], shape)) == Notice((LogObject("trail", KEY),))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            json.dumps({"s3Bucket": "t", "s3ObjectKey": ["AWSLogs/1/CloudTrail/x.json.gz"] * 2}),
            [LogObject("t", "AWSLogs/1/CloudTrail/x.json.gz")] * 2,
            id="several-keys",
        ),
        pytest.param(
            json.dumps({"s3Bucket": "t", "s3ObjectKey": ["AWSLogs/1/CloudTrail-Digest/d.json.gz"]}),
            [],
            id="digest-left-out",
        ),
        pytest.param(
            json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "t"}),
            [],
            id="s3-test-event",
        ),
        pytest.param(
            json.dumps(
                {
                    "source": "aws.s3",
                    "detail-type": "Object Created",
                    "detail": {"bucket": {"name": "t"}, "object": {"key": "AWSLogs/k.json.gz"}},
                }
            ),
            [LogObject("t", "AWSLogs/k.json.gz")],
            id="eventbridge",
        ),
        pytest.param(
            json.dumps(
                {
                    "Records": [
                        {
                            "eventSource": "aws:s3",
                            "eventName": "ObjectRemoved:Delete",
                            "s3": {"bucket": {"name": "t"}, "object": {"key": "k.json.gz"}},
                        }
                    ]
                }
            ),
            [],
            id="s3-removal-ignored",
        ),
    ],
)
def test_notifications_that_name_other_things(body: str, expected: list[LogObject]) -> None:
    assert parse_message(body) == Notice(tuple(expected))


@pytest.mark.parametrize("sns", [pytest.param(False, id="raw"), pytest.param(True, id="sns")])
def test_an_eventbridge_event_carrying_a_record_is_that_record(sns: bool) -> None:
    record = sg_ingress("ev-1", 1, "2026-11-20T09:15:00Z")
    notice = parse_message(eventbridge(record, sns=sns))
    assert notice.objects == ()
    assert notice.event is not None
    assert notice.event["detail"] == record
    s3_call = create_bucket("ev-2", "b", "2026-11-20T09:15:00Z")  # source aws.s3, as S3's own
    assert parse_message(eventbridge(s3_call)).event is not None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("hello", id="not-json"),
        pytest.param("[1, 2]", id="array"),
        pytest.param(json.dumps({"foo": 1}), id="unknown-object"),
        pytest.param(json.dumps({"Type": "Notification", "Message": "{"}), id="sns-not-json"),
        pytest.param(json.dumps({"s3Bucket": "t", "s3ObjectKey": "k"}), id="keys-not-a-list"),
        pytest.param(json.dumps({"s3Bucket": "", "s3ObjectKey": ["k"]}), id="empty-bucket"),
        pytest.param(json.dumps({"Records": [{"eventSource": "aws:ec2"}]}), id="cloudtrail-log"),
        pytest.param("x" * 300_000, id="oversized"),
    ],
)
def test_what_is_not_a_notification_is_refused(body: str) -> None:
    with pytest.raises(InputError):
        parse_message(body)


# ------------------------------------------------------------------ helpers


def _wait(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _buckets(s3: Any) -> tuple[str, str]:
    """A new bucket for the trail's log files and one for the ledger."""
    trail, ledger = f"trail-{uuid.uuid4().hex[:12]}", f"ledger-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=trail)
    s3.create_bucket(Bucket=ledger)
    return trail, ledger


def _upload(s3: Any, bucket: str, trail: Trail) -> None:
    for key, data in trail.files.items():
        s3.put_object(Bucket=bucket, Key=key, Body=data)


def _drift_events(ledger_url: str, endpoint: str) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """How often each event id appears in the ledger's drifts, and drifts per resource."""
    ledger = open_ledger(ledger_url, s3_endpoint_url=endpoint)
    events: Counter[str] = Counter()
    resources: Counter[tuple[str, str]] = Counter()
    for drift in ledger.list().drifts:
        resources[(drift.kind.value, drift.resource.id)] += 1
        events.update({event.id for event in drift.events})
    return events, resources


def _assert_exactly_once(trail: Trail, ledger_url: str, endpoint: str) -> None:
    events, resources = _drift_events(ledger_url, endpoint)
    missing = trail.drift_events - set(events)
    assert not missing, f"drift-making events in no drift: {sorted(missing)}"
    assert {e: n for e, n in events.items() if n > 1} == {}
    assert {r: n for r, n in resources.items() if n > 1} == {}
    assert set(events) == trail.drift_events  # no read-only, failed or Terraform call as drift
    assert len(resources) == 1 + len(trail.drift_events) // 2  # the group, the hand-made buckets


def _messages_done(log: str) -> int:
    match = re.search(r"SQS: (\d+) messages done", log)
    assert match is not None, log
    return int(match.group(1))


class Replica:
    def __init__(self, endpoint: str, queue: str, ledger: str, state: Path, log: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TFDRIFT_"))}
        env.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        )
        self.log = log
        self._stderr = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "tfdrift_gitops", "collect",
                "--state", str(state), "--ledger", ledger, "--state-refresh", "0",
                "--sqs-queue-url", queue, "--s3-endpoint-url", endpoint,
                "--sqs-visibility-timeout", "4", "--sqs-wait", "1",
                "--listen", "127.0.0.1:0",
            ],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=self._stderr,
        )  # fmt: skip

    def port(self) -> int:
        found: list[int] = []

        def ready() -> bool:
            match = re.search(r"collector running on [\d.]+:(\d+)", self.log.read_text())
            if match:
                found.append(int(match.group(1)))
            assert self.process.poll() is None, self.log.read_text()
            return bool(found)

        _wait(ready, 120, "the replica to start")
        return found[0]

    def accepted(self, port: int) -> float:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            text = answer.read().decode()
        match = re.search(r'tfdrift_alerts_total\{outcome="accepted",source="sqs"\} (\S+)', text)
        return float(match.group(1)) if match else 0.0

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=90)
        self._stderr.close()
        return self.log.read_text()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self._stderr.close()


@pytest.fixture
def sqs_client(moto_endpoint: str) -> Any:
    return make_sqs_client("http://queue", endpoint_url=moto_endpoint)


@pytest.fixture
def replicas() -> Iterator[list[Replica]]:
    started: list[Replica] = []
    yield started
    for replica in started:
        if replica.process.poll() is None:
            replica.process.kill()
            replica.process.wait(timeout=30)


# ------------------------------------------------------------------ replicas on one queue


def test_three_replicas_share_one_queue(
    moto_endpoint: str,
    s3_client: Any,
    sqs_client: Any,
    tmp_path: Path,
    state_file: Path,
    replicas: list[Replica],
) -> None:
    trail = make_trail(files=50, per_file=100, drifts=40)
    bucket, ledger_bucket = _buckets(s3_client)
    _upload(s3_client, bucket, trail)
    queue, dlq = make_queue(sqs_client, f"q-{uuid.uuid4().hex[:8]}", visibility=4, max_receives=5)
    keys = list(trail.files)
    for n, key in enumerate(keys):
        shape = FORMATS[n % len(FORMATS)]
        sqs_client.send_message(QueueUrl=queue, MessageBody=notification(bucket, [key], shape))
        if n % 5 == 0:  # delivered twice, in the other family of shapes
            again = FORMATS[(n + 1) % len(FORMATS)]
            sqs_client.send_message(QueueUrl=queue, MessageBody=notification(bucket, [key], again))
    ledger = f"s3://{ledger_bucket}/ledger"
    for n in range(3):
        replicas.append(Replica(moto_endpoint, queue, ledger, state_file, tmp_path / f"r{n}.log"))
    _wait(lambda: queue_depth(sqs_client, queue) == (0, 0), 600, "the queue to empty")
    logs = [replica.stop() for replica in replicas]
    assert [replica.process.returncode for replica in replicas] == [0, 0, 0], logs
    done = sum(_messages_done(log) for log in logs)
    # SQS delivers at least once: a heartbeat late under load may let a second replica take a
    # message too, so a message may be done twice, never not at all; the ledger stays exact.
    assert done >= len(keys) + len(keys[::5])
    assert all("0 failed and 0 not notifications" in log for log in logs), logs
    assert queue_depth(sqs_client, dlq) == (0, 0)
    _assert_exactly_once(trail, ledger, moto_endpoint)


def test_a_replica_killed_mid_file_leaves_it_to_another(
    moto_endpoint: str,
    s3_client: Any,
    sqs_client: Any,
    tmp_path: Path,
    state_file: Path,
    replicas: list[Replica],
) -> None:
    trail = make_trail(files=1, per_file=30_000, drifts=40, seed=11)
    bucket, ledger_bucket = _buckets(s3_client)
    _upload(s3_client, bucket, trail)
    queue, dlq = make_queue(sqs_client, f"q-{uuid.uuid4().hex[:8]}", visibility=4, max_receives=5)
    sqs_client.send_message(
        QueueUrl=queue, MessageBody=notification(bucket, list(trail.files), "cloudtrail-sns")
    )
    ledger = f"s3://{ledger_bucket}/ledger"
    first = Replica(moto_endpoint, queue, ledger, state_file, tmp_path / "first.log")
    replicas.append(first)
    port = first.port()
    _wait(lambda: first.accepted(port) > 0, 300, "the first replica to start on the file")
    _wait(lambda: bool(_drift_events(ledger, moto_endpoint)[0]), 300, "a first drift recorded")
    first.kill()
    # killed mid-file, some drifts already written: the message was not deleted
    assert queue_depth(sqs_client, queue) == (0, 1)
    assert len(_drift_events(ledger, moto_endpoint)[0]) < len(trail.drift_events)
    second = Replica(moto_endpoint, queue, ledger, state_file, tmp_path / "second.log")
    replicas.append(second)
    _wait(lambda: queue_depth(sqs_client, queue) == (0, 0), 600, "the second replica to finish")
    log = second.stop()
    assert second.process.returncode == 0, log
    assert "SQS: 1 messages done, 0 failed" in log
    assert queue_depth(sqs_client, dlq) == (0, 0)
    _assert_exactly_once(trail, ledger, moto_endpoint)


# ------------------------------------------------------------------ poison messages


def test_poison_messages_are_counted_and_left_to_the_redrive_policy(
    moto_endpoint: str, s3_client: Any, sqs_client: Any, state_file: Path, s3_bucket: str
) -> None:
    trail = make_trail(files=1, per_file=50, drifts=4)
    _upload(s3_client, s3_bucket, trail)
    (good,) = trail.files
    s3_client.put_object(
        Bucket=s3_bucket, Key=f"{LOG_PREFIX}corrupt.json.gz", Body=b"\x1f\x8b\x08\x00garbage"
    )
    queue, dlq = make_queue(sqs_client, f"q-{uuid.uuid4().hex[:8]}", visibility=1, max_receives=2)
    bodies = {
        "not-a-notification": "hello",
        "missing-object": notification(s3_bucket, [f"{LOG_PREFIX}missing.json.gz"], "s3-raw"),
        "corrupt-gzip": notification(s3_bucket, [f"{LOG_PREFIX}corrupt.json.gz"], "cloudtrail-sns"),
        "good": notification(s3_bucket, [good], "s3-sns"),
    }
    for body in bodies.values():
        sqs_client.send_message(QueueUrl=queue, MessageBody=body)
    options = CollectorOptions(
        states=(str(state_file),),
        ledger=None,
        state_refresh=0,
        sqs_queue_url=queue,
        sqs_wait_seconds=1,
        sqs_visibility=1,
    )
    collector = Collector(
        options,
        channels=[],
        s3_client_factory=lambda: s3_client,
        sqs_client_factory=lambda url: sqs_client,
    )
    collector.start()
    try:
        _wait(lambda: queue_depth(sqs_client, dlq)[0] == 3, 120, "three messages in the DLQ")
        assert collector.sqs is not None
        _wait(lambda: collector.sqs.counts[DONE] == 1, 30, "the good message")  # type: ignore[union-attr]
        assert queue_depth(sqs_client, queue) == (0, 0)
        counts = dict(collector.sqs.counts)
        time.sleep(3)  # nothing left to receive: the counts stay put (no loop)
        assert collector.sqs.counts == counts
    finally:
        assert collector.shutdown()
    # each poison message was received max_receives times, then moved by SQS
    assert counts == {DONE: 1, FAILED: 4, INVALID: 2}
    assert collector.metrics.sqs_messages.value(FAILED) == 4
    assert collector.metrics.sqs_messages.value(INVALID) == 2
    dead = sqs_client.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in dead) == sorted(
        bodies[name] for name in ("not-a-notification", "missing-object", "corrupt-gzip")
    )
    assert "SQS: 1 messages done, 4 failed and 2 not notifications" in collector.sqs.summary()


def test_eventbridge_events_on_the_queue_are_read_as_their_records(
    moto_endpoint: str, s3_client: Any, sqs_client: Any, state_file: Path, tmp_path: Path
) -> None:
    """An EventBridge rule's target: each message is one CloudTrail record, raw or through
    SNS; a redelivery changes nothing, a record that is no use is counted and its message done
    (a log file's bad record is too), Terraform's own call is no drift. An S3 API call (source
    aws.s3) once read as an S3 notification naming no file, and was dropped."""
    when = "2026-11-20T09:15:00Z"
    hand = sg_ingress("ev-eb-rule", 7, when)
    bucket = create_bucket("ev-eb-bucket", "hand-made-eb", when)
    terraform = create_bucket("ev-eb-tf", "tf-made-eb", when, terraform=True)
    useless = json.loads(eventbridge(hand))
    useless["detail"] = {"note": "not a CloudTrail record"}
    bodies = [
        eventbridge(hand),
        eventbridge(hand, sns=True),
        eventbridge(bucket, sns=True),
        eventbridge(terraform),
        json.dumps(useless),
    ]
    queue, dlq = make_queue(sqs_client, f"q-{uuid.uuid4().hex[:8]}", visibility=4, max_receives=2)
    for body in bodies:
        sqs_client.send_message(QueueUrl=queue, MessageBody=body)
    ledger = tmp_path / "ledger"
    options = CollectorOptions(
        states=(str(state_file),),
        ledger=str(ledger),
        state_refresh=0,
        sqs_queue_url=queue,
        sqs_wait_seconds=1,
        sqs_visibility=4,
    )
    collector = Collector(
        options,
        channels=[],
        s3_client_factory=lambda: s3_client,
        sqs_client_factory=lambda url: sqs_client,
    )
    collector.start()
    try:
        assert collector.sqs is not None
        _wait(lambda: collector.sqs.counts[DONE] == len(bodies), 60, "every message")  # type: ignore[union-attr]
        assert queue_depth(sqs_client, queue) == (0, 0)
        assert queue_depth(sqs_client, dlq) == (0, 0)
    finally:
        assert collector.shutdown()
    drifts = open_ledger(str(ledger)).list_open().drifts
    assert sorted((d.kind.value, [e.id for e in d.events]) for d in drifts) == [
        ("modified", ["ev-eb-rule"]),
        ("unmanaged", ["ev-eb-bucket"]),
    ]
    assert collector.metrics.alerts.value("sqs", "invalid") == 1
    assert collector.sqs.counts == {DONE: 5, FAILED: 0, INVALID: 0}


# ------------------------------------------------------------------ the shipped manifest


def test_the_sqs_deployment_runs_replicas_with_flags_collect_accepts() -> None:
    import click
    import yaml

    from tfdrift_gitops.cli.collect_cmd import collect

    manifest = REPO / "deploy" / "kubernetes" / "collector-sqs.yaml"
    documents = list(yaml.safe_load_all(manifest.read_text(encoding="utf-8")))
    (deployment,) = [d for d in documents if d["kind"] == "Deployment"]
    assert deployment["spec"]["replicas"] > 1
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    command, *args = container["args"]
    assert command == "collect"
    context = collect.make_context("collect", list(args))
    assert context.params["sqs_queue_url"].startswith("https://sqs.")
    grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > 20  # longer than one long poll
    with pytest.raises(click.UsageError):
        collect.make_context("collect", ["--sqs-visibility-timeout=0"])


def test_terraform_reverting_what_another_replica_recorded_resolves_it(
    moto_endpoint: str,
    s3_client: Any,
    sqs_client: Any,
    tmp_path: Path,
    state_file: Path,
    replicas: list[Replica],
) -> None:
    """Two collectors (each on its own queue) share one ledger. B reads a file of Terraform's
    own calls (its ledger lists the open drifts: none), A records a hand-made rule on the
    managed group, then B reads Terraform's revert of it: B lists again before the file, finds
    A's drift and resolves it (a listing trusted across files would have missed it)."""
    bucket, ledger_bucket = _buckets(s3_client)
    cidr = "198.51.100.7/32"
    revert = cloudtrail_record(
        "ev-revert", name="RevokeSecurityGroupIngress", cidr=cidr, user_agent=TERRAFORM_UA,
        when="2026-11-20T09:20:00Z",
    )  # fmt: skip
    files = {
        "terraform": [create_bucket("ev-tf", "tf-made", "2026-11-20T09:00:00Z", terraform=True)],
        "hand": [cloudtrail_record("ev-hand", cidr=cidr, when="2026-11-20T09:10:00Z")],
        "revert": [revert],
    }
    for name, records in files.items():
        body = gzip.compress(json.dumps({"Records": records}).encode())
        s3_client.put_object(Bucket=bucket, Key=f"{LOG_PREFIX}{name}.json.gz", Body=body)
    queues = {
        who: make_queue(sqs_client, f"q-{who}-{uuid.uuid4().hex[:8]}", visibility=4, max_receives=5)
        for who in ("a", "b")
    }
    ledger = f"s3://{ledger_bucket}/ledger"
    for who, (queue, _) in queues.items():
        replicas.append(Replica(moto_endpoint, queue, ledger, state_file, tmp_path / f"{who}.log"))
    for replica in replicas:
        replica.port()
    reader = open_ledger(ledger, s3_endpoint_url=moto_endpoint)

    def send(who: str, name: str) -> None:
        queue = queues[who][0]
        key = f"{LOG_PREFIX}{name}.json.gz"
        sqs_client.send_message(QueueUrl=queue, MessageBody=notification(bucket, [key], "s3-raw"))
        _wait(lambda: queue_depth(sqs_client, queue) == (0, 0), 120, f"{who} to read {name}")

    send("b", "terraform")
    send("a", "hand")
    _wait(lambda: len(reader.list_open().drifts) == 1, 60, "A's drift")
    send("b", "revert")
    _wait(lambda: not reader.list_open().drifts, 60, "B to resolve A's drift")
    [resolved] = reader.list().drifts
    assert [e.id for e in resolved.events] == ["ev-hand", "ev-revert"]
    logs = [replica.stop() for replica in replicas]
    assert all("0 failed and 0 not notifications" in log for log in logs), logs
