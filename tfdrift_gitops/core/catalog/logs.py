"""CloudWatch Logs: log groups, subscription filters and metric filters.

Choices worth knowing:
- ``DeleteRetentionPolicy`` keeps logs forever: the provider reads that as
  ``retention_in_days = 0``.
- ``DisassociateKmsKey`` leaves the group encrypted with AWS's own key: ``kms_key_id`` becomes
  empty, high severity.
- Filters are found by ``LOG_GROUP|FILTER`` (their import ids; a filter name repeats across
  groups). ``PutSubscriptionFilter``/``PutMetricFilter`` create or replace: a filter state
  does not have is unmanaged, one it has is modified (Terraform's own Put after a hand-made
  delete reads as a create and resolves the deleted drift).
- A subscription filter sending a group's logs to another account is high: the logs leave.
- Deleting a metric filter is high: alarms built on it (CIS benchmark alarms) go silent.
- Resource policies (which services may write into log groups) are found by name; public or
  service-wide grants raise the severity as for other resource policies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    const,
    first,
    mapped,
    req,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.policydoc import policy_compare, policy_text
from tfdrift_gitops.core.catalog.presence import absent, event_account, upsert_targets
from tfdrift_gitops.core.catalog.resource_policy import policy_checks
from tfdrift_gitops.core.catalog.support import (
    integer,
    optional_text,
    string_list,
    text,
    when,
    with_fallback,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING, items, lookup
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "logs.amazonaws.com"
GROUP = "aws_cloudwatch_log_group"
SUBSCRIPTION = "aws_cloudwatch_log_subscription_filter"
METRIC_FILTER = "aws_cloudwatch_log_metric_filter"
RESOURCE_POLICY = "aws_cloudwatch_log_resource_policy"
POLICY_NAME: Extractor = text("policyName")
POLICY_DOCUMENT: Extractor = mapped(req("policyDocument"), policy_text)

GROUP_NAME: Extractor = text("logGroupName")


def _group_from_arn(value: Any) -> Any:
    if not isinstance(value, str) or ":log-group:" not in value:
        return MISSING
    name = value.split(":log-group:", 1)[1]
    return name.removesuffix(":*") or MISSING


TAGGED_GROUP: Extractor = first(GROUP_NAME, mapped(req("resourceArn"), _group_from_arn))


def _filter_key(event: CloudEvent) -> Any:
    group, name = GROUP_NAME(event), text("filterName")(event)
    if not isinstance(group, str) or not group or not isinstance(name, str) or not name:
        return MISSING
    return f"{group}|{name}"


def _metric_transformation(raw: Any) -> Any:
    out = []
    for item in items(raw):
        if not isinstance(item, Mapping):
            continue
        dims = lookup(item, "dimensions")
        out.append(
            {
                "name": lookup(item, "metricName") or "",
                "namespace": lookup(item, "metricNamespace") or "",
                "value": str(lookup(item, "metricValue") or ""),
                "default_value": _text_or_empty(lookup(item, "defaultValue")),
                "unit": lookup(item, "unit") or "None",
                "dimensions": dict(dims) if isinstance(dims, Mapping) else {},
            }
        )
    return out


def _text_or_empty(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _blocks_compare(value: Any) -> Any:
    if not value:
        return ()
    return tuple(
        sorted(
            tuple(sorted((k, str(v)) for k, v in b.items() if v not in ("", None, {}, MISSING)))
            for b in value
            if isinstance(b, Mapping)
        )
    )


def _foreign_destination(event: CloudEvent) -> bool:
    arn = text("destinationArn")(event)
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return False
    parts = arn.split(":")
    own = event_account(event)
    return len(parts) > 4 and parts[4].isdigit() and bool(own) and parts[4] != own


SUBSCRIPTION_EFFECTS: tuple[Effect, ...] = (
    SetAttr("name", text("filterName")),
    SetAttr("log_group_name", GROUP_NAME),
    # Required, and "" (every event) is a value: compared as written, never as absent.
    SetAttr("filter_pattern", first(text("filterPattern"), const(""))),
    SetAttr("destination_arn", text("destinationArn")),
    SetAttr("role_arn", text("roleArn"), optional_text),
    SetAttr("distribution", text("distribution"), optional_text),
)
METRIC_FILTER_EFFECTS: tuple[Effect, ...] = (
    SetAttr("name", text("filterName")),
    SetAttr("log_group_name", GROUP_NAME),
    SetAttr("pattern", first(text("filterPattern"), const(""))),
    SetAttr(
        "metric_transformation",
        mapped(req("metricTransformations"), _metric_transformation),
        _blocks_compare,
    ),
)


def _put_targets(rtype: str, effects: tuple[Effect, ...]) -> tuple[Target, ...]:
    return (
        *upsert_targets(rtype, "log_filter", _filter_key, effects, import_id=_filter_key),
        Target(
            rtype,
            "log_filter",
            _filter_key,
            effects,
            action=Action.CREATE,
            guard=absent(rtype, "log_filter", _filter_key),
            import_id=_filter_key,
        ),
    )


def _group_rule(
    event: str, effects: tuple[Effect, ...], severity: Severity, description: str
) -> Rule:
    return Rule(
        event,
        SOURCE,
        Action.MODIFY,
        # A call whose fields do not read as expected stays a resource-level change.
        with_fallback(Target(GROUP, "name", GROUP_NAME, effects)),
        severity=severity,
        description=description,
    )


RULES: tuple[Rule, ...] = (
    _group_rule(
        "PutRetentionPolicy",
        (SetAttr("retention_in_days", integer("retentionInDays")),),
        Severity.MEDIUM,
        "log retention changed",
    ),
    _group_rule(
        "DeleteRetentionPolicy",
        (SetAttr("retention_in_days", const(0)),),
        Severity.LOW,
        "log retention removed (logs kept forever)",
    ),
    _group_rule(
        "AssociateKmsKey",
        (SetAttr("kms_key_id", text("kmsKeyId"), optional_text),),
        Severity.MEDIUM,
        "log group KMS key changed",
    ),
    _group_rule(
        "DisassociateKmsKey",
        (SetAttr("kms_key_id", const(""), optional_text),),
        Severity.HIGH,
        "log group no longer encrypted with a customer key",
    ),
    Rule(
        "DeleteLogGroup",
        SOURCE,
        Action.DELETE,
        (Target(GROUP, "name", GROUP_NAME),),
        severity=Severity.HIGH,
        description="log group deleted with its logs",
    ),
    Rule(
        "CreateLogGroup",
        SOURCE,
        Action.CREATE,
        (
            Target(
                GROUP,
                "name",
                GROUP_NAME,
                (
                    SetAttr("name", GROUP_NAME),
                    SetAttr("kms_key_id", text("kmsKeyId"), optional_text),
                    SetAttr("log_group_class", text("logGroupClass"), optional_text),
                    SetAttr("tags", req("tags"), tags_map),
                ),
                import_id=GROUP_NAME,
            ),
        ),
        severity=Severity.LOW,
        description="log group created outside Terraform",
    ),
    Rule(
        "TagResource",
        SOURCE,
        Action.MODIFY,
        (Target(GROUP, "name", TAGGED_GROUP, (MergeTags("tags", req("tags")),)),),
        severity=Severity.LOW,
        description="log group tags added",
    ),
    Rule(
        "UntagResource",
        SOURCE,
        Action.MODIFY,
        (Target(GROUP, "name", TAGGED_GROUP, (DropTags("tags", string_list(req("tagKeys"))),)),),
        severity=Severity.LOW,
        description="log group tags removed",
    ),
    Rule(
        "PutSubscriptionFilter",
        SOURCE,
        Action.MODIFY,
        _put_targets(SUBSCRIPTION, SUBSCRIPTION_EFFECTS),
        severity=Severity.MEDIUM,
        description="log subscription filter set outside Terraform",
        severity_checks=(
            when(
                _foreign_destination,
                Severity.HIGH,
                "destinationArn is in another account: the logs leave the account",
            ),
        ),
    ),
    Rule(
        "DeleteSubscriptionFilter",
        SOURCE,
        Action.DELETE,
        (Target(SUBSCRIPTION, "log_filter", _filter_key),),
        severity=Severity.MEDIUM,
        description="log subscription filter deleted",
    ),
    Rule(
        "PutMetricFilter",
        SOURCE,
        Action.MODIFY,
        _put_targets(METRIC_FILTER, METRIC_FILTER_EFFECTS),
        severity=Severity.MEDIUM,
        description="metric filter set outside Terraform",
    ),
    Rule(
        "PutResourcePolicy",
        SOURCE,
        Action.MODIFY,
        (
            *upsert_targets(
                RESOURCE_POLICY,
                "id",
                POLICY_NAME,
                (
                    SetAttr("policy_name", POLICY_NAME),
                    SetAttr("policy_document", POLICY_DOCUMENT, policy_compare),
                ),
                import_id=POLICY_NAME,
            ),
            Target(
                RESOURCE_POLICY,
                "id",
                POLICY_NAME,
                (
                    SetAttr("policy_name", POLICY_NAME),
                    SetAttr("policy_document", POLICY_DOCUMENT, policy_compare),
                ),
                action=Action.CREATE,
                guard=absent(RESOURCE_POLICY, "id", POLICY_NAME),
                import_id=POLICY_NAME,
            ),
        ),
        severity=Severity.MEDIUM,
        description="CloudWatch Logs resource policy set outside Terraform",
        severity_checks=policy_checks(POLICY_DOCUMENT, "logs resource policy"),
    ),
    Rule(
        "DeleteResourcePolicy",
        SOURCE,
        Action.DELETE,
        (Target(RESOURCE_POLICY, "id", POLICY_NAME),),
        severity=Severity.MEDIUM,
        description="CloudWatch Logs resource policy deleted: services may stop delivering logs",
    ),
    Rule(
        "DeleteMetricFilter",
        SOURCE,
        Action.DELETE,
        (Target(METRIC_FILTER, "log_filter", _filter_key),),
        severity=Severity.HIGH,
        description="metric filter deleted: alarms built on it go silent",
    ),
)
