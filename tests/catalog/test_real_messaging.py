"""SQS and SNS rows against recorded CloudTrail and a provider-v5 state.

``sqs-*.json`` and ``sns-*.json`` are the SQS and SNS developer guides' published records
(sources in ``tests/fixtures/cloudtrail/real/SOURCES.md``); ``real-messaging.tfstate`` holds a
queue with a policy and a redrive policy, a topic with the default policy, and an SQS
subscription. Calls past the published records (policies, SNS attributes, subscriptions) reuse
a published record with the request the API references give, spelled as CloudTrail spells the
published ones: no public record of them was found.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import Estate, Want, case, check, records, skip
from tfdrift_gitops.models import Kind, Severity

MSG = Estate("messaging")
QUEUE = "aws_sqs_queue.orders"
TOPIC = "aws_sns_topic.hello"
SUB = "aws_sns_topic_subscription.consumer"
URL = "https://sqs.us-east-2.amazon.com/123456789012/MyQueue"
TOPIC_ARN = "arn:aws:sns:us-west-2:123456789012:hello-topic"
SUB_ARN = TOPIC_ARN + ":6b0e71bd-7e97-4d97-80ce-4a0994e55286"
DLQ = "arn:aws:sqs:us-east-2:123456789012:MyQueue-dlq"

RECORDED = [
    case(
        "sqs-set-visibility-timeout",
        ["sqs-set-queue-attributes.json"],
        MSG,
        Want(Kind.MODIFIED, QUEUE, Severity.MEDIUM, {"visibility_timeout_seconds": (30, 100)}),
    ),
    case(
        "sqs-set-visibility-timeout-already-100",
        ["sqs-set-queue-attributes.json"],
        Estate("messaging", patch={QUEUE: {"visibility_timeout_seconds": 100}}),
        skip("no_change"),
    ),
    case(
        "sqs-delete-queue",
        ["sqs-delete-queue.json"],
        MSG,
        Want(Kind.DELETED, QUEUE, Severity.HIGH),
    ),
    case(
        "sqs-create-queue-unmanaged",
        ["sqs-create-queue.json"],
        Estate("messaging", drop=(QUEUE,)),
        Want(Kind.UNMANAGED, "123456789012/MyQueue", Severity.MEDIUM, {"name": (None, "MyQueue")}),
    ),
    case(
        "sqs-add-permission-resource-level",
        ["sqs-add-permission.json"],
        MSG,
        Want(Kind.MODIFIED, QUEUE, Severity.MEDIUM, {}),
    ),
    case(
        "sqs-remove-permission-resource-level",
        ["sqs-remove-permission.json"],
        MSG,
        Want(Kind.MODIFIED, QUEUE, Severity.LOW, {}),
    ),
    case(
        "sns-delete-topic",
        ["sns-delete-topic.json"],
        MSG,
        Want(Kind.DELETED, TOPIC, Severity.HIGH),
    ),
    case(
        "sns-create-topic-unmanaged",
        ["sns-create-topic.json"],
        Estate("messaging", drop=(TOPIC,)),
        Want(Kind.UNMANAGED, TOPIC_ARN, Severity.MEDIUM, {"name": (None, "hello")}),
    ),
    case(
        "sns-create-topic-already-managed",
        ["sns-create-topic.json"],
        MSG,
        skip("already_managed"),
    ),
]


@pytest.mark.parametrize(("files", "estate", "want"), RECORDED)
def test_recorded(files: list[str], estate: Estate, want: Want) -> None:
    events = records(*files)
    check(run_events(estate.index(), events), len(events), want)


def _call(template: str, name: str, request: dict[str, Any], estate: Estate = MSG) -> Any:
    base = records(template)[0]
    return run_events(estate.index(), [replace(base, name=name, request=request, response=None)])


PUBLIC = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OpenSend",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "sqs:SendMessage",
                "Resource": "arn:aws:sqs:us-east-2:123456789012:MyQueue",
            }
        ],
    }
)
WIDE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"},
                "Action": "sqs:*",
                "Resource": "*",
            }
        ],
    }
)
POLICY_QUEUE = (
    "aws_sqs_queue_policy",
    "orders",
    {"id": URL.replace("amazon.com", "amazonaws.com"), "queue_url": URL, "policy": "{}"},
)

SQS = "sqs-set-queue-attributes.json"
SNS = "sns-delete-topic.json"
SHAPES = [
    pytest.param(
        SQS,
        "SetQueueAttributes",
        {"queueUrl": URL, "attributes": {"Policy": PUBLIC}},
        MSG,
        Want(Kind.MODIFIED, QUEUE, Severity.CRITICAL, reason="(statement OpenSend)"),
        id="sqs-public-policy-inline",
    ),
    pytest.param(
        SQS,
        "SetQueueAttributes",
        {"queueUrl": URL, "attributes": {"Policy": WIDE}},
        Estate("messaging", extra=(POLICY_QUEUE,)),
        Want(
            Kind.MODIFIED,
            "aws_sqs_queue_policy.orders",
            Severity.HIGH,
            reason="statement #1 allows sqs:* on every resource",
        ),
        id="sqs-service-wide-policy-standalone",
    ),
    pytest.param(
        SQS,
        "SetQueueAttributes",
        {
            "queueUrl": URL,
            "attributes": {
                "RedrivePolicy": json.dumps(
                    {"maxReceiveCount": "5", "deadLetterTargetArn": DLQ}, separators=(",", ":")
                )
            },
        },
        MSG,
        skip("no_change"),
        id="sqs-redrive-same-document-count-as-string",
    ),
    pytest.param(
        SQS,
        "SetQueueAttributes",
        {"queueUrl": URL, "attributes": {"SqsManagedSseEnabled": "false"}},
        MSG,
        Want(
            Kind.MODIFIED,
            QUEUE,
            Severity.HIGH,
            {"sqs_managed_sse_enabled": (True, False)},
            reason="encryption turned off",
        ),
        id="sqs-encryption-off",
    ),
    pytest.param(
        SQS,
        "TagQueue",
        {"queueUrl": URL, "tags": {"cost": "42"}},
        MSG,
        Want(
            Kind.MODIFIED,
            QUEUE,
            Severity.LOW,
            {"tags": ({"team": "orders"}, {"team": "orders", "cost": "42"})},
        ),
        id="sqs-tag",
    ),
    pytest.param(
        SNS,
        "SetTopicAttributes",
        {"topicArn": TOPIC_ARN, "attributeName": "DisplayName", "attributeValue": "Hi"},
        MSG,
        Want(Kind.MODIFIED, TOPIC, Severity.MEDIUM, {"display_name": ("Hello", "Hi")}),
        id="sns-display-name",
    ),
    pytest.param(
        SNS,
        "SetTopicAttributes",
        {
            "topicArn": TOPIC_ARN,
            "attributeName": "Policy",
            "attributeValue": PUBLIC.replace("sqs:SendMessage", "SNS:Publish"),
        },
        MSG,
        Want(Kind.MODIFIED, TOPIC, Severity.CRITICAL, reason="any principal"),
        id="sns-public-policy",
    ),
    pytest.param(
        SNS,
        "SetTopicAttributes",
        {"topicArn": TOPIC_ARN, "attributeName": "FifoThroughputScope", "attributeValue": "x"},
        MSG,
        Want(Kind.MODIFIED, TOPIC, Severity.MEDIUM, {}),
        id="sns-unmodelled-attribute-resource-level",
    ),
    pytest.param(
        SNS,
        "SetSubscriptionAttributes",
        {
            "subscriptionArn": SUB_ARN,
            "attributeName": "RawMessageDelivery",
            "attributeValue": "true",
        },
        MSG,
        Want(Kind.MODIFIED, SUB, Severity.MEDIUM, {"raw_message_delivery": (False, True)}),
        id="sns-raw-delivery",
    ),
    pytest.param(
        SNS,
        "Unsubscribe",
        {"subscriptionArn": SUB_ARN},
        MSG,
        Want(Kind.DELETED, SUB, Severity.MEDIUM),
        id="sns-unsubscribe",
    ),
    pytest.param(
        SNS,
        "Subscribe",
        {"topicArn": TOPIC_ARN, "protocol": "https", "endpoint": "https://collector.example.net/"},
        MSG,
        skip("no_resource_id"),
        id="sns-subscribe-pending-confirmation-has-no-arn",
    ),
]


@pytest.mark.parametrize(("template", "name", "request_", "estate", "want"), SHAPES)
def test_api_shapes(
    template: str, name: str, request_: dict[str, Any], estate: Estate, want: Want
) -> None:
    check(_call(template, name, request_, estate), 1, want)


def test_subscribe_with_arn_is_unmanaged_and_high_for_https() -> None:
    base = records(SNS)[0]
    event = replace(
        base,
        name="Subscribe",
        request={"topicArn": TOPIC_ARN, "protocol": "https", "endpoint": "https://x.example/"},
        response={"subscriptionArn": TOPIC_ARN + ":0f6e2a55-5d4c-4b1a-9e44-8b7c2a1d3e9f"},
    )
    outcome = run_events(MSG.index(), [event])
    drift = outcome.only()
    assert drift.kind is Kind.UNMANAGED and drift.severity is Severity.HIGH
    assert {c.path: c.after for c in drift.changes}["protocol"] == "https"
