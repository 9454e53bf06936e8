"""SNS: topics (``aws_sns_topic``), topic policies and subscriptions.

Choices worth knowing:
- Topics and subscriptions are named by ARN (their Terraform id); the topic policy resource
  holds the topic's ARN in ``arn``.
- ``SetTopicAttributes`` and ``SetSubscriptionAttributes`` set one attribute per call
  (``attributeName``/``attributeValue``); each name maps to its argument. A name we do not
  model still gives a resource-level drift.
- ``Policy`` lands on ``aws_sns_topic_policy`` when state manages the policy so, else on the
  topic's inline ``policy``. A policy opening the topic to any principal without a condition is
  critical; one granting ``*`` or ``sns:*`` on every resource is high.
- ``Subscribe`` to a topic creates an unmanaged subscription (its ARN from the response; an
  email subscription answers ``pending confirmation`` and has no ARN yet, so it is counted,
  not guessed). ``Unsubscribe`` deletes one.
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
    request_is,
    string_list,
    tag_pairs,
    text,
    when,
    with_fallback,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "sns.amazonaws.com"
TOPIC = "aws_sns_topic"
TOPIC_POLICY = "aws_sns_topic_policy"
SUBSCRIPTION = "aws_sns_topic_subscription"


def _arn(kind: str) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or not value.startswith("arn:") or ":sns:" not in value:
            return MISSING
        # A subscription ARN is the topic ARN plus a ``:<uuid>`` part.
        parts = value.split(":")
        is_subscription = len(parts) == 7
        return value if is_subscription == (kind == "subscription") else MISSING

    return check


TOPIC_ARN: Extractor = first(
    mapped(req("topicArn"), _arn("topic")),
    mapped(req("resourceArn"), _arn("topic")),
    mapped(resp("topicArn"), _arn("topic")),
)
SUBSCRIPTION_ARN: Extractor = first(
    mapped(req("subscriptionArn"), _arn("subscription")),
    mapped(resp("subscriptionArn"), _arn("subscription")),
)


def _json(value: Any) -> Any:
    if value in (None, "", {}) or value is MISSING:
        return None
    return canonical_json(value)


def _value_of(name: str, coerce: Any = None) -> Extractor:
    """``attributeValue`` when ``attributeName`` is ``name`` (one attribute per call)."""

    def extract(event: CloudEvent) -> Any:
        if not request_is("attributeName", name)(event):
            return MISSING
        value = req("attributeValue")(event)
        if value is MISSING or value is None:
            value = ""
        return coerce(value) if coerce is not None else value

    return extract


def _document(value: Any) -> Any:
    return "" if value == "" else policy_text(value)


POLICY: Extractor = _value_of("Policy", _document)

TOPIC_EFFECTS: tuple[Effect, ...] = (
    SetAttr("display_name", _value_of("DisplayName"), optional_text),
    SetAttr("delivery_policy", _value_of("DeliveryPolicy", _document), _json),
    SetAttr("kms_master_key_id", _value_of("KmsMasterKeyId"), optional_text),
    SetAttr("tracing_config", _value_of("TracingConfig"), optional_text),
    SetAttr("signature_version", _value_of("SignatureVersion", as_int)),
    SetAttr("content_based_deduplication", _value_of("ContentBasedDeduplication", as_bool)),
    SetAttr("archive_policy", _value_of("ArchivePolicy", _document), _json),
    SetAttr("policy", POLICY, policy_compare),
)

SUBSCRIPTION_EFFECTS: tuple[Effect, ...] = (
    SetAttr("raw_message_delivery", _value_of("RawMessageDelivery", as_bool)),
    SetAttr("filter_policy", _value_of("FilterPolicy", _document), _json),
    SetAttr("filter_policy_scope", _value_of("FilterPolicyScope"), optional_text),
    SetAttr("redrive_policy", _value_of("RedrivePolicy", _document), _json),
    SetAttr("delivery_policy", _value_of("DeliveryPolicy", _document), _json),
    SetAttr("subscription_role_arn", _value_of("SubscriptionRoleArn"), optional_text),
)

standalone = present(TOPIC_POLICY, "arn", TOPIC_ARN)
inline = absent(TOPIC_POLICY, "arn", TOPIC_ARN)


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
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "SetTopicAttributes",
        Action.MODIFY,
        (
            Target(
                TOPIC_POLICY,
                "arn",
                TOPIC_ARN,
                (SetAttr("policy", POLICY, policy_compare),),
                guard=lambda e, i: request_is("attributeName", "Policy")(e) and standalone(e, i),
            ),
            *with_fallback(Target(TOPIC, "arn", TOPIC_ARN, TOPIC_EFFECTS)),
        ),
        Severity.MEDIUM,
        "topic attributes changed",
        *policy_checks(POLICY, "topic policy"),
        when(
            lambda e: (
                request_is("attributeName", "KmsMasterKeyId")(e)
                and _value_of("KmsMasterKeyId")(e) == ""
            ),
            Severity.HIGH,
            "topic encryption turned off (KmsMasterKeyId emptied)",
        ),
    ),
    _rule(
        "AddPermission",
        Action.MODIFY,
        (
            Target(TOPIC_POLICY, "arn", TOPIC_ARN, guard=standalone),
            Target(TOPIC, "arn", TOPIC_ARN, guard=inline),
        ),
        Severity.MEDIUM,
        "topic permission added (policy edited by label)",
        when(
            lambda e: "*" in (string_list(req("aWSAccountId"))(e) or []),
            Severity.CRITICAL,
            "aWSAccountId includes '*': anyone may call",
        ),
    ),
    _rule(
        "RemovePermission",
        Action.MODIFY,
        (
            Target(TOPIC_POLICY, "arn", TOPIC_ARN, guard=standalone),
            Target(TOPIC, "arn", TOPIC_ARN, guard=inline),
        ),
        Severity.LOW,
        "topic permission removed (policy edited by label)",
    ),
    _rule(
        "CreateTopic",
        Action.CREATE,
        (
            Target(
                TOPIC,
                "arn",
                TOPIC_ARN,
                (
                    SetAttr("name", text("name")),
                    SetAttr("tags", tag_pairs(req("tags")), tags_map),
                ),
                import_id=TOPIC_ARN,
            ),
        ),
        Severity.MEDIUM,
        "topic created outside Terraform",
    ),
    _rule(
        "DeleteTopic",
        Action.DELETE,
        (Target(TOPIC, "arn", TOPIC_ARN),),
        Severity.HIGH,
        "topic deleted with its subscriptions",
    ),
    _rule(
        "Subscribe",
        Action.CREATE,
        (
            Target(
                SUBSCRIPTION,
                "arn",
                SUBSCRIPTION_ARN,
                (
                    SetAttr("topic_arn", text("topicArn")),
                    SetAttr("protocol", text("protocol")),
                    SetAttr("endpoint", text("endpoint")),
                ),
                import_id=SUBSCRIPTION_ARN,
            ),
        ),
        Severity.MEDIUM,
        "subscription added outside Terraform",
        when(
            lambda e: request_is("protocol", "email")(e) or request_is("protocol", "https")(e),
            Severity.HIGH,
            "messages now also go to an outside endpoint (email/https)",
        ),
    ),
    _rule(
        "Unsubscribe",
        Action.DELETE,
        (Target(SUBSCRIPTION, "arn", SUBSCRIPTION_ARN),),
        Severity.MEDIUM,
        "subscription removed",
    ),
    _rule(
        "SetSubscriptionAttributes",
        Action.MODIFY,
        with_fallback(Target(SUBSCRIPTION, "arn", SUBSCRIPTION_ARN, SUBSCRIPTION_EFFECTS)),
        Severity.MEDIUM,
        "subscription attributes changed",
    ),
    _rule(
        "TagResource",
        Action.MODIFY,
        (Target(TOPIC, "arn", TOPIC_ARN, (MergeTags("tags", tag_pairs(req("tags"))),)),),
        Severity.LOW,
        "topic tags added",
    ),
    _rule(
        "UntagResource",
        Action.MODIFY,
        (Target(TOPIC, "arn", TOPIC_ARN, (DropTags("tags", string_list(req("tagKeys"))),)),),
        Severity.LOW,
        "topic tags removed",
    ),
)
