"""SQS: queues (``aws_sqs_queue``) and their policies (``aws_sqs_queue_policy``).

Choices worth knowing:
- A queue is found by ``ACCOUNT/NAME`` from its URL (``state_keys.sqs_queue_key``): the URL's host
  varies (the SQS developer guide's own records spell it ``sqs.us-east-2.amazon.com``).
- ``SetQueueAttributes`` sets each attribute it names; the values arrive as strings. ``Policy``,
  ``RedrivePolicy`` and ``RedriveAllowPolicy`` are JSON documents compared as documents.
- A ``Policy`` lands on ``aws_sqs_queue_policy`` when state manages the policy so, else on the
  queue's inline ``policy``; the other attributes of the same call still land on the queue.
- ``CreateQueue`` records name the attribute map ``attribute`` (query protocol), not
  ``attributes``: both are read.
- ``AddPermission``/``RemovePermission`` edit the policy by label without showing the result:
  a resource-level drift on whichever resource holds the policy.
- A policy opening the queue to any principal without a condition is critical; one granting
  ``*`` or ``sqs:*`` on every resource is high (the reason names the statement).
"""

from __future__ import annotations

from typing import Any

from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    as_bool,
    as_int,
    canonical_json,
    first,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.policydoc import policy_compare, policy_text
from tfdrift_gitops.core.catalog.presence import absent, present
from tfdrift_gitops.core.catalog.resource_policy import policy_checks
from tfdrift_gitops.core.catalog.support import (
    optional_text,
    request_has,
    string_list,
    text,
    when,
    with_fallback,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.core.state_keys import sqs_queue_key
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "sqs.amazonaws.com"
QUEUE = "aws_sqs_queue"
QUEUE_POLICY = "aws_sqs_queue_policy"
KEY = "sqs_queue"


def _key(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return MISSING
    return sqs_queue_key(value) or MISSING


QUEUE_KEY: Extractor = first(mapped(req("queueUrl"), _key), mapped(resp("queueUrl"), _key))
QUEUE_URL: Extractor = first(text("queueUrl"), mapped(resp("queueUrl"), str))


def _attribute(name: str) -> Extractor:
    # Recorded CreateQueue calls name the map ``attribute`` (the query protocol's
    # ``Attribute.N.Name``); SetQueueAttributes and the API reference name it ``attributes``.
    return first(req(f"attributes.{name}"), req(f"attribute.{name}"))


def _numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _json(value: Any) -> Any:
    """JSON documents (redrive policies): parsed and key-sorted, ``"5"`` equal to ``5`` (SQS
    accepts either for ``maxReceiveCount`` and reads back a number); empty is null."""
    if value in (None, "", {}) or value is MISSING:
        return None
    return _numbers(canonical_json(value))


def _number(name: str) -> Extractor:
    return mapped(_attribute(name), as_int)


def _flag(name: str) -> Extractor:
    return mapped(_attribute(name), as_bool)


def _document(name: str) -> Extractor:
    """A JSON attribute as the compact text state keeps; ``""`` removes it."""
    return mapped(_attribute(name), lambda v: "" if v == "" else policy_text(v))


POLICY: Extractor = _document("Policy")

QUEUE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("visibility_timeout_seconds", _number("VisibilityTimeout")),
    SetAttr("message_retention_seconds", _number("MessageRetentionPeriod")),
    SetAttr("max_message_size", _number("MaximumMessageSize")),
    SetAttr("delay_seconds", _number("DelaySeconds")),
    SetAttr("receive_wait_time_seconds", _number("ReceiveMessageWaitTimeSeconds")),
    SetAttr("redrive_policy", _document("RedrivePolicy"), _json),
    SetAttr("redrive_allow_policy", _document("RedriveAllowPolicy"), _json),
    SetAttr("kms_master_key_id", mapped(_attribute("KmsMasterKeyId"), str), optional_text),
    SetAttr("kms_data_key_reuse_period_seconds", _number("KmsDataKeyReusePeriodSeconds")),
    SetAttr("sqs_managed_sse_enabled", _flag("SqsManagedSseEnabled")),
    SetAttr("content_based_deduplication", _flag("ContentBasedDeduplication")),
    SetAttr("deduplication_scope", mapped(_attribute("DeduplicationScope"), str), optional_text),
    SetAttr("fifo_throughput_limit", mapped(_attribute("FifoThroughputLimit"), str), optional_text),
)
INLINE_POLICY = SetAttr("policy", POLICY, policy_compare)

standalone = present(QUEUE_POLICY, KEY, QUEUE_KEY)
inline = absent(QUEUE_POLICY, KEY, QUEUE_KEY)


def _sets_policy(event: CloudEvent) -> bool:
    return request_has("attributes.Policy")(event)


def _everyone_may(event: CloudEvent) -> bool:
    # The developer guide's record spells ``AWSAccountIds``; recorded CLI calls ``aWSAccountIds``.
    accounts = string_list(first(req("AWSAccountIds"), req("aWSAccountIds")))(event)
    return isinstance(accounts, list) and "*" in accounts


def _rule(
    event: str,
    action: Action,
    targets: tuple[Target, ...],
    severity: Severity,
    description: str,
    *checks: Any,
) -> Rule:
    return Rule(
        event,
        SOURCE,
        action,
        targets,
        severity=severity,
        description=description,
        severity_checks=tuple(checks),
        fan_out=action is Action.MODIFY and event == "SetQueueAttributes",
    )


def _policy_targets() -> tuple[Target, ...]:
    return (
        Target(QUEUE_POLICY, KEY, QUEUE_KEY, guard=standalone),
        Target(QUEUE, KEY, QUEUE_KEY, guard=inline),
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "SetQueueAttributes",
        Action.MODIFY,
        (
            # The policy and the other attributes land on their own resources (fan-out).
            Target(
                QUEUE_POLICY,
                KEY,
                QUEUE_KEY,
                (SetAttr("policy", POLICY, policy_compare),),
                guard=lambda e, i: _sets_policy(e) and standalone(e, i),
            ),
            *with_fallback(
                Target(
                    QUEUE,
                    KEY,
                    QUEUE_KEY,
                    (*QUEUE_EFFECTS, INLINE_POLICY),
                    guard=lambda e, i: (
                        not (_sets_policy(e) and standalone(e, i))
                        or len(req("attributes")(e) or {}) > 1
                    ),
                )
            ),
        ),
        Severity.MEDIUM,
        "queue attributes changed",
        *policy_checks(POLICY, "queue policy"),
        when(
            lambda e: (
                _attribute("KmsMasterKeyId")(e) == ""
                or _attribute("SqsManagedSseEnabled")(e) in ("false", False)
            ),
            Severity.HIGH,
            "queue encryption turned off",
        ),
    ),
    _rule(
        "AddPermission",
        Action.MODIFY,
        _policy_targets(),
        Severity.MEDIUM,
        "queue permission added (policy edited by label)",
        when(_everyone_may, Severity.CRITICAL, "AWSAccountIds includes '*': anyone may call"),
    ),
    _rule(
        "RemovePermission",
        Action.MODIFY,
        _policy_targets(),
        Severity.LOW,
        "queue permission removed (policy edited by label)",
    ),
    _rule(
        "CreateQueue",
        Action.CREATE,
        (
            Target(
                QUEUE,
                KEY,
                QUEUE_KEY,
                (
                    SetAttr("name", text("queueName")),
                    SetAttr("fifo_queue", _flag("FifoQueue")),
                    *QUEUE_EFFECTS,
                    INLINE_POLICY,
                    SetAttr("tags", req("tags"), tags_map),
                ),
                import_id=QUEUE_URL,
            ),
        ),
        Severity.MEDIUM,
        "queue created outside Terraform",
        *policy_checks(POLICY, "new queue's policy"),
    ),
    _rule(
        "DeleteQueue",
        Action.DELETE,
        (Target(QUEUE, KEY, QUEUE_KEY),),
        Severity.HIGH,
        "queue deleted with its messages",
    ),
    _rule(
        "TagQueue",
        Action.MODIFY,
        (Target(QUEUE, KEY, QUEUE_KEY, (MergeTags("tags", req("tags")),)),),
        Severity.LOW,
        "queue tags added",
    ),
    _rule(
        "UntagQueue",
        Action.MODIFY,
        (Target(QUEUE, KEY, QUEUE_KEY, (DropTags("tags", string_list(req("tagKeys"))),)),),
        Severity.LOW,
        "queue tags removed",
    ),
)
