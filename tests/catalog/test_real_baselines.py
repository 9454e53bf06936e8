"""Account guard-rail rows against recorded CloudTrail and a provider-v5 state.

``config-*.json`` are the AWS Config developer guide's published records (sources in
``tests/fixtures/cloudtrail/real/SOURCES.md``); ``real-baselines.tfstate`` holds a GuardDuty
detector, a Config recorder with its status and delivery channel, EBS encryption by default,
the account password policy, Security Hub and an Access Analyzer analyzer. GuardDuty, EC2, IAM,
Security Hub and Access Analyzer calls reuse a published record's envelope with the request the
API references give: no public, redistributable record of them was found.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import Estate, Want, case, check, records, skip
from tfdrift_gitops.models import Kind, Severity

BASE = Estate("baselines")
STOP = "config-stop-configuration-recorder.json"
STATUS = "aws_config_configuration_recorder_status.main"
CHANNEL = "aws_config_delivery_channel.main"

RECORDED = [
    case(
        "config-stop-recorder",
        [STOP],
        BASE,
        Want(Kind.MODIFIED, STATUS, Severity.CRITICAL, {"is_enabled": (True, False)}),
    ),
    case(
        "config-start-recorder-already-running",
        ["config-start-configuration-recorder.json"],
        BASE,
        skip("no_change"),
    ),
    case(
        # Start (18:35:34) after Stop (18:35:13) by hand: the recorder runs again.
        "config-stop-then-start-resolves",
        [STOP, "config-start-configuration-recorder.json"],
        BASE,
        Want(resolved="undid"),
    ),
    case(
        "config-delete-delivery-channel",
        ["config-delete-delivery-channel.json"],
        BASE,
        Want(Kind.DELETED, CHANNEL, Severity.CRITICAL),
    ),
    case(
        "config-put-delivery-channel-same-settings",
        ["config-put-delivery-channel.json"],
        BASE,
        skip("no_change"),
    ),
    case(
        "config-put-delivery-channel-other-bucket",
        ["config-put-delivery-channel.json"],
        Estate("baselines", patch={CHANNEL: {"s3_bucket_name": "org-config-archive"}}),
        Want(
            Kind.MODIFIED,
            CHANNEL,
            Severity.HIGH,
            {"s3_bucket_name": ("org-config-archive", "config-api-test-pdx")},
        ),
    ),
    case(
        "config-put-recorder-same-role",
        ["config-put-configuration-recorder.json"],
        BASE,
        skip("no_change"),
    ),
]


@pytest.mark.parametrize(("files", "estate", "want"), RECORDED)
def test_recorded(files: list[str], estate: Estate, want: Want) -> None:
    events = records(*files)
    outcome = run_events(estate.index(), events)
    if want.resolved:
        assert outcome.open == [] and len(outcome.resolved) == 1, outcome
        return
    check(outcome, len(events), want)


def _call(
    source: str,
    name: str,
    request: dict[str, Any] | None,
    response: dict[str, Any] | None = None,
) -> Any:
    base = records(STOP)[0]
    event = replace(
        base, name=name, source=f"{source}.amazonaws.com", request=request, response=response
    )
    return run_events(BASE.index(), [event])


DETECTOR = "12abc34d567e8fa901bc2d34e56789f0"
SHAPES = [
    pytest.param(
        "guardduty",
        "DeleteDetector",
        {"detectorId": DETECTOR},
        Want(Kind.DELETED, "aws_guardduty_detector.main", Severity.CRITICAL),
        id="guardduty-delete-detector",
    ),
    pytest.param(
        "guardduty",
        "UpdateDetector",
        {"detectorId": DETECTOR, "enable": False},
        Want(
            Kind.MODIFIED,
            "aws_guardduty_detector.main",
            Severity.CRITICAL,
            {"enable": (True, False)},
            reason="enable set to false",
        ),
        id="guardduty-suspend",
    ),
    pytest.param(
        "guardduty",
        "UpdateDetector",
        {"detectorId": DETECTOR, "findingPublishingFrequency": "SIX_HOURS"},
        skip("no_change"),
        id="guardduty-same-frequency",
    ),
    pytest.param(
        "config",
        "DeleteConfigurationRecorder",
        {"configurationRecorderName": "default"},
        Want(Kind.DELETED, "aws_config_configuration_recorder.main", Severity.CRITICAL),
        id="config-delete-recorder",
    ),
    pytest.param(
        "ec2",
        "DisableEbsEncryptionByDefault",
        None,
        Want(
            Kind.MODIFIED,
            "aws_ebs_encryption_by_default.main",
            Severity.CRITICAL,
            {"enabled": (True, False)},
        ),
        id="ebs-default-encryption-off",
    ),
    pytest.param(
        "iam",
        "UpdateAccountPasswordPolicy",
        {"minimumPasswordLength": 6, "requireSymbols": False},
        Want(
            Kind.MODIFIED,
            "aws_iam_account_password_policy.strict",
            Severity.CRITICAL,
            {"minimum_password_length": (14, 6), "require_symbols": (True, False)},
        ),
        id="password-policy-weakened",
    ),
    pytest.param(
        "iam",
        "DeleteAccountPasswordPolicy",
        None,
        Want(Kind.DELETED, "aws_iam_account_password_policy.strict", Severity.CRITICAL),
        id="password-policy-deleted",
    ),
    pytest.param(
        "securityhub",
        "DisableSecurityHub",
        {},
        Want(Kind.DELETED, "aws_securityhub_account.main", Severity.CRITICAL),
        id="security-hub-disabled",
    ),
    pytest.param(
        "securityhub",
        "BatchDisableStandards",
        {
            "standardsSubscriptionArns": [
                "arn:aws:securityhub:us-west-2:222222222222:subscription/"
                "cis-aws-foundations-benchmark/v/1.4.0"
            ]
        },
        Want(Kind.DELETED, "aws_securityhub_standards_subscription.cis", Severity.CRITICAL),
        id="security-hub-standard-disabled",
    ),
    pytest.param(
        "config",
        "DeleteConfigRule",
        {"configRuleName": "root-account-mfa-enabled"},
        Want(Kind.DELETED, "aws_config_config_rule.root_mfa", Severity.HIGH),
        id="config-rule-deleted",
    ),
    pytest.param(
        "config",
        "PutConfigRule",
        {
            "configRule": {
                "configRuleName": "root-account-mfa-enabled",
                "source": {"owner": "AWS", "sourceIdentifier": "ROOT_ACCOUNT_MFA_ENABLED"},
                "maximumExecutionFrequency": "TwentyFour_Hours",
            }
        },
        skip("no_change"),
        id="config-rule-put-same",
    ),
    pytest.param(
        "guardduty",
        "CreateDetector",
        {"enable": True},
        skip("no_resource_id"),
        id="guardduty-create-without-response",
    ),
    pytest.param(
        "access-analyzer",
        "DeleteAnalyzer",
        {"analyzerName": "account-analyzer"},
        Want(Kind.DELETED, "aws_accessanalyzer_analyzer.account", Severity.CRITICAL),
        id="access-analyzer-deleted",
    ),
]


@pytest.mark.parametrize(("source", "name", "request_", "want"), SHAPES)
def test_api_shapes(source: str, name: str, request_: dict[str, Any] | None, want: Want) -> None:
    check(_call(source, name, request_), 1, want)


def test_detector_created_with_tags() -> None:
    """An import block without the tags the call sent would plan their change."""
    request = {"enable": True, "tags": {"team": "ops"}}
    outcome = _call("guardduty", "CreateDetector", request, {"detectorId": "34cd"})
    want = {"enable": (None, True), "tags": (None, {"team": "ops"})}
    check(outcome, 1, Want(Kind.UNMANAGED, "34cd", Severity.LOW, want))
