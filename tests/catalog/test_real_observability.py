"""CloudWatch Logs, alarm and EventBridge rows against recorded CloudTrail and a provider-v5
state.

``cloudwatch-put-metric-alarm.json`` and ``events-put-rule.json`` are the CloudWatch user
guide's published records (sources in ``tests/fixtures/cloudtrail/real/SOURCES.md``);
``real-observability.tfstate`` holds the alarm and the rule those records name, a CloudTrail log
group with a subscription filter and a CIS metric filter, and a rule target. CloudWatch Logs
calls and the other alarm and EventBridge calls reuse a published record's envelope with the
request the API references give: no public record of them was found.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import Estate, Want, case, check, records, skip
from tfdrift_gitops.models import Kind, Severity

OBS = Estate("observability")
ALARM = "aws_cloudwatch_metric_alarm.test"
RULE = "aws_cloudwatch_event_rule.ec2_state"
GROUP = "aws_cloudwatch_log_group.trail"
ALARM_RECORD = "cloudwatch-put-metric-alarm.json"
RULE_RECORD = "events-put-rule.json"

RECORDED = [
    case("alarm-put-same-settings", [ALARM_RECORD], OBS, skip("no_change")),
    case(
        "alarm-put-over-changed-threshold",
        [ALARM_RECORD],
        Estate("observability", patch={ALARM: {"threshold": 10}}),
        Want(Kind.MODIFIED, ALARM, Severity.MEDIUM, {"threshold": (10, 50.0)}),
    ),
    case(
        "alarm-put-unmanaged",
        [ALARM_RECORD],
        Estate("observability", drop=(ALARM,)),
        Want(Kind.UNMANAGED, "CloudTrail Test Alarm", Severity.MEDIUM),
    ),
    case("rule-put-same-settings", [RULE_RECORD], OBS, skip("no_change")),
    case(
        "rule-put-over-disabled-rule",
        [RULE_RECORD],
        Estate("observability", patch={RULE: {"state": "DISABLED", "is_enabled": False}}),
        Want(
            Kind.MODIFIED,
            RULE,
            Severity.MEDIUM,
            {"state": ("DISABLED", "ENABLED"), "is_enabled": (False, True)},
        ),
    ),
    case(
        "rule-put-unmanaged",
        [RULE_RECORD],
        Estate("observability", drop=(RULE,)),
        Want(Kind.UNMANAGED, "cttest2", Severity.MEDIUM),
    ),
]


@pytest.mark.parametrize(("files", "estate", "want"), RECORDED)
def test_recorded(files: list[str], estate: Estate, want: Want) -> None:
    events = records(*files)
    check(run_events(estate.index(), events), len(events), want)


def _call(template: str, source: str, name: str, request: dict[str, Any]) -> Any:
    base = records(template)[0]
    event = replace(
        base, name=name, source=f"{source}.amazonaws.com", request=request, response=None
    )
    return run_events(OBS.index(), [event])


TRAIL = "/aws/cloudtrail/main"
SHAPES = [
    pytest.param(
        "logs",
        "PutRetentionPolicy",
        {"logGroupName": TRAIL, "retentionInDays": 1},
        Want(Kind.MODIFIED, GROUP, Severity.MEDIUM, {"retention_in_days": (365, 1)}),
        id="logs-retention-shortened",
    ),
    pytest.param(
        "logs",
        "PutRetentionPolicy",
        {"logGroupName": TRAIL, "retention": {"days": 1}},
        Want(Kind.MODIFIED, GROUP, Severity.MEDIUM, {}),
        id="logs-retention-unreadable-shape-is-resource-level",
    ),
    pytest.param(
        "logs",
        "DeleteRetentionPolicy",
        {"logGroupName": TRAIL},
        Want(Kind.MODIFIED, GROUP, Severity.LOW, {"retention_in_days": (365, 0)}),
        id="logs-retention-removed",
    ),
    pytest.param(
        "logs",
        "DisassociateKmsKey",
        {"logGroupName": TRAIL},
        Want(
            Kind.MODIFIED,
            GROUP,
            Severity.HIGH,
            {
                "kms_key_id": (
                    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                    "",
                )
            },
        ),
        id="logs-kms-key-removed",
    ),
    pytest.param(
        "logs",
        "DeleteLogGroup",
        {"logGroupName": TRAIL},
        Want(Kind.DELETED, GROUP, Severity.HIGH),
        id="logs-group-deleted",
    ),
    pytest.param(
        "logs",
        "PutSubscriptionFilter",
        {
            "logGroupName": TRAIL,
            "filterName": "to-siem",
            "filterPattern": "",
            "destinationArn": "arn:aws:logs:us-east-1:999988887777:destination:drop",
        },
        Want(
            Kind.MODIFIED,
            "aws_cloudwatch_log_subscription_filter.siem",
            Severity.HIGH,
            {
                "destination_arn": (
                    "arn:aws:logs:us-east-1:123456789012:destination:siem",
                    "arn:aws:logs:us-east-1:999988887777:destination:drop",
                ),
            },
            reason="another account",
        ),
        id="logs-subscription-to-other-account",
    ),
    pytest.param(
        "logs",
        "PutSubscriptionFilter",
        {
            "logGroupName": TRAIL,
            "filterName": "exfil",
            "filterPattern": "",
            "destinationArn": "arn:aws:lambda:us-east-1:123456789012:function:copy",
        },
        Want(Kind.UNMANAGED, f"{TRAIL}|exfil", Severity.MEDIUM),
        id="logs-subscription-unmanaged",
    ),
    pytest.param(
        "logs",
        "DeleteMetricFilter",
        {"logGroupName": TRAIL, "filterName": "root-login"},
        Want(Kind.DELETED, "aws_cloudwatch_log_metric_filter.root_login", Severity.HIGH),
        id="logs-metric-filter-deleted",
    ),
    pytest.param(
        "logs",
        "DeleteMetricFilter",
        {"logGroupName": "/other/group", "filterName": "root-login"},
        skip("not_in_state"),
        id="logs-metric-filter-same-name-other-group",
    ),
    pytest.param(
        "monitoring",
        "DisableAlarmActions",
        {"alarmNames": ["CloudTrail Test Alarm", "not-managed"]},
        Want(Kind.MODIFIED, ALARM, Severity.HIGH, {"actions_enabled": (True, False)}),
        id="alarm-actions-disabled",
    ),
    pytest.param(
        "monitoring",
        "DeleteAlarms",
        {"alarmNames": ["CloudTrail Test Alarm"]},
        Want(Kind.DELETED, ALARM, Severity.HIGH),
        id="alarm-deleted",
    ),
    pytest.param(
        "events",
        "DisableRule",
        {"name": "cttest2"},
        Want(
            Kind.MODIFIED,
            RULE,
            Severity.HIGH,
            {"state": ("ENABLED", "DISABLED"), "is_enabled": (True, False)},
        ),
        id="rule-disabled",
    ),
    pytest.param(
        "events",
        "DisableRule",
        {"name": "cttest2", "eventBusName": "partners"},
        skip("not_in_state"),
        id="rule-same-name-other-bus",
    ),
    pytest.param(
        "events",
        "DeleteRule",
        {"name": "cttest2"},
        Want(Kind.DELETED, RULE, Severity.HIGH),
        id="rule-deleted",
    ),
    pytest.param(
        "events",
        "RemoveTargets",
        {"rule": "cttest2", "ids": ["notify"]},
        Want(Kind.DELETED, "aws_cloudwatch_event_target.to_lambda", Severity.MEDIUM),
        id="target-removed",
    ),
    pytest.param(
        "logs",
        "PutResourcePolicy",
        {
            "policyName": "route53-query-logging",
            "policyDocument": (
                '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
                '"Action":"logs:*","Resource":"*"}]}'
            ),
        },
        Want(
            Kind.MODIFIED,
            "aws_cloudwatch_log_resource_policy.route53",
            Severity.CRITICAL,
            reason="any principal",
        ),
        id="logs-resource-policy-public",
    ),
    pytest.param(
        "events",
        "PutPermission",
        {
            "eventBusName": "partners",
            "statementId": "OrgAccounts",
            "action": "events:PutEvents",
            "principal": "*",
        },
        Want(
            Kind.MODIFIED,
            "aws_cloudwatch_event_permission.org",
            Severity.CRITICAL,
            reason="any account may put events",
        ),
        id="event-bus-condition-dropped",
    ),
    pytest.param(
        "events",
        "DeleteEventBus",
        {"name": "partners"},
        Want(Kind.DELETED, "aws_cloudwatch_event_bus.partners", Severity.HIGH),
        id="event-bus-deleted",
    ),
    pytest.param(
        "events",
        "CreateEventBus",
        {"name": "by-hand", "tags": [{"key": "team", "value": "ops"}]},
        Want(
            Kind.UNMANAGED,
            "by-hand",
            Severity.LOW,
            {"name": (None, "by-hand"), "tags": (None, {"team": "ops"})},
        ),
        id="event-bus-created-with-tags",  # an import block without them plans their change
    ),
    pytest.param(
        "events",
        "PutTargets",
        {
            "rule": "cttest2",
            "targets": [
                {"id": "notify", "arn": "arn:aws:lambda:us-east-1:123456789012:function:notify"}
            ],
        },
        skip("no_change"),
        id="target-put-same",
    ),
]


@pytest.mark.parametrize(("source", "name", "request_", "want"), SHAPES)
def test_api_shapes(source: str, name: str, request_: dict[str, Any], want: Want) -> None:
    template = RULE_RECORD if source == "events" else ALARM_RECORD
    check(_call(template, source, name, request_), 1, want)


def test_put_targets_batch_lands_on_each_target() -> None:
    request = {
        "rule": "cttest2",
        "targets": [
            {"id": "notify", "arn": "arn:aws:lambda:us-east-1:123456789012:function:other"},
            {"id": "copy", "arn": "arn:aws:events:us-east-1:999988887777:event-bus/default"},
        ],
    }
    outcome = _call(RULE_RECORD, "events", "PutTargets", request)
    found = {d.resource.address or d.resource.id: d for d in outcome.open}
    assert set(found) == {"aws_cloudwatch_event_target.to_lambda", "default/cttest2/copy"}
    managed = found["aws_cloudwatch_event_target.to_lambda"]
    assert {c.path: c.after for c in managed.changes} == {
        "arn": "arn:aws:lambda:us-east-1:123456789012:function:other"
    }
    new = found["default/cttest2/copy"]
    assert new.kind is Kind.UNMANAGED and new.severity is Severity.HIGH
    assert {c.path: c.after for c in new.changes}["rule"] == "cttest2"
