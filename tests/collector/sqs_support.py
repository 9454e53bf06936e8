"""Building a trail's log files and their SQS notifications in every shape AWS sends them."""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from tests.collector.falco_alerts import ACCOUNT, cloudtrail_record

ORG = "o-a1b2c3d4e5"
LOG_PREFIX = f"AWSLogs/{ORG}/{ACCOUNT}/CloudTrail/us-east-1/2026/11/20/"
TERRAFORM_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.11.0 (+https://www.terraform.io)"
FORMATS = ("cloudtrail-sns", "s3-raw", "s3-sns", "cloudtrail-raw")


def sg_ingress(event_id: str, n: int, when: str) -> dict[str, Any]:
    """A hand-made rule on the managed security group: drift."""
    return cloudtrail_record(event_id, cidr=f"198.51.{n // 250}.{n % 250}/32", when=when)


def create_bucket(
    event_id: str, bucket: str, when: str, *, terraform: bool = False
) -> dict[str, Any]:
    """A bucket created by hand (unmanaged drift) or by Terraform (not drift)."""
    record = cloudtrail_record(event_id, name="CreateBucket", when=when)
    record["eventSource"] = "s3.amazonaws.com"
    record["requestParameters"] = {"bucketName": bucket, "Host": f"{bucket}.s3.amazonaws.com"}
    record["responseElements"] = None
    if terraform:
        record["userAgent"] = TERRAFORM_UA
    return record


def read_only(event_id: str, when: str) -> dict[str, Any]:
    record = cloudtrail_record(event_id, name="DescribeSecurityGroups", when=when)
    record["readOnly"] = True
    record["requestParameters"] = {"groupSet": {}}
    return record


def failed(event_id: str, n: int, when: str) -> dict[str, Any]:
    return cloudtrail_record(event_id, cidr=f"192.0.2.{n % 250}/32", when=when, error="Denied")


@dataclass
class Trail:
    """Log files (gzipped ``{"Records": [...]}``) and the ids of the drift-making events."""

    files: dict[str, bytes] = field(default_factory=dict)
    drift_events: set[str] = field(default_factory=set)
    records: int = 0


def make_trail(files: int, per_file: int, drifts: int, seed: int = 7) -> Trail:
    """``drifts`` drift-making events (half hand-made ingress rules on the managed group, half
    hand-made buckets) among read-only calls, failed calls and Terraform's own bucket creations,
    spread over ``files`` files of ``per_file`` records."""
    rng = random.Random(seed)
    total = files * per_file
    slots = set(rng.sample(range(total), drifts))
    trail = Trail()
    records: list[dict[str, Any]] = []
    made = 0
    for n in range(total):
        when = f"2026-11-20T{9 + n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"
        event_id = f"ev-{n:06d}"
        if n in slots:
            made += 1
            if made % 2:
                records.append(sg_ingress(event_id, n, when))
            else:
                records.append(create_bucket(event_id, f"hand-made-{n}", when))
            trail.drift_events.add(event_id)
        elif n % 10 == 3:
            records.append(failed(event_id, n, when))
        elif n % 10 == 7:
            records.append(create_bucket(event_id, f"tf-made-{n}", when, terraform=True))
        else:
            records.append(read_only(event_id, when))
        if len(records) == per_file:
            name = f"{ACCOUNT}_CloudTrail_us-east-1_20261120T0900Z_{len(trail.files):04d}"
            key = f"{LOG_PREFIX}{name}.json.gz"
            trail.files[key] = gzip.compress(json.dumps({"Records": records}).encode())
            trail.records += len(records)
            records = []
    return trail


def _sns(message: dict[str, Any]) -> str:
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "5f1e2d3c-0000-4000-8000-000000000000",
            "TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:cloudtrail",
            "Message": json.dumps(message),
            "Timestamp": "2026-11-20T09:20:00.000Z",
        }
    )


def _s3_event(bucket: str, key: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(key), "size": 1024},
                },
            }
        ]
    }


def notification(bucket: str, keys: list[str], shape: str) -> str:
    """One SQS message body naming ``keys`` in ``shape`` (one of FORMATS)."""
    if shape == "cloudtrail-sns":
        return _sns({"s3Bucket": bucket, "s3ObjectKey": keys})
    if shape == "cloudtrail-raw":
        return json.dumps({"s3Bucket": bucket, "s3ObjectKey": keys})
    (key,) = keys
    if shape == "s3-raw":
        return json.dumps(_s3_event(bucket, key))
    if shape == "s3-sns":
        return _sns(_s3_event(bucket, key))
    raise ValueError(shape)


def eventbridge(record: dict[str, Any], *, sns: bool = False) -> str:
    """The message an EventBridge rule matching ``AWS API Call via CloudTrail`` sends for
    ``record`` to its SQS target (or through an SNS topic)."""
    event = {
        "version": "0",
        "id": f"eb-{record['eventID']}",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws." + str(record["eventSource"]).split(".", 1)[0],
        "account": ACCOUNT,
        "time": record["eventTime"],
        "region": record.get("awsRegion", "us-east-1"),
        "resources": [],
        "detail": record,
    }
    return _sns(event) if sns else json.dumps(event)


def make_queue(sqs: Any, name: str, *, visibility: int, max_receives: int) -> tuple[str, str]:
    """A queue whose messages go to a dead-letter queue after ``max_receives`` receives."""
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(visibility),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receives)}
            ),
        },
    )["QueueUrl"]
    return url, dlq


def queue_depth(sqs: Any, url: str) -> tuple[int, int]:
    """(visible, in flight)."""
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return (
        int(attrs["ApproximateNumberOfMessages"]),
        int(attrs["ApproximateNumberOfMessagesNotVisible"]),
    )
