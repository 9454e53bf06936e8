"""Step Functions and Kinesis Data Streams rows against recorded CloudTrail and a provider-v5
state.

``sfn-*.json`` and ``kinesis-*.json`` are the two developer guides' published records (sources
in ``tests/fixtures/cloudtrail/real/SOURCES.md``); ``real-pipelines.tfstate`` holds a state
machine, the activity the DeleteActivity record names and the stream the Kinesis records name,
as provider 5.100.0 stores them. Calls past the published records (updates, tags, retention,
encryption, shards, capacity mode) reuse a published record's envelope with the request the API
reference gives, in CloudTrail's spelling (the members' names, first letter lower-cased): no
public record of them was found.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import RECORDS, Estate, Want, case, check, records, skip
from tfdrift_gitops.models import Kind, Severity

PIPES = Estate("pipelines")
MACHINE = "aws_sfn_state_machine.orders"
ACTIVITY = "aws_sfn_activity.worker"
STREAM = "aws_kinesis_stream.good"
ACCOUNT = "123456789012"
MACHINE_ARN = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:orders-flow"
ACTIVITY_ARN = (
    f"arn:aws:states:us-east-1:{ACCOUNT}:activity:"
    "testUser.2016-10-27-18-11-35.f017c391-9363-481a-be2e-"
)
STREAM_ARN = "arn:aws:kinesis:us-east-1:012345678910:stream/GoodStream"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/orders-flow"
GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/states/orders-flow:*"
DEFINITION = '{"Comment":"orders","StartAt":"Check","States":{"Check":{"Type":"Pass","End":true}}}'
NEW_DEFINITION = json.dumps(
    {"Comment": "orders", "StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 5}}}
)
CREATE_REQUEST = json.loads((RECORDS / "sfn-create-state-machine.json").read_text())["Records"][0]
CREATED = CREATE_REQUEST["responseElements"]["stateMachineArn"]
CREATED_DEFINITION = CREATE_REQUEST["requestParameters"]["definition"]

RECORDED = [
    case(
        "sfn-create-state-machine-unmanaged",
        ["sfn-create-state-machine.json"],
        PIPES,
        Want(
            Kind.UNMANAGED,
            CREATED,
            Severity.MEDIUM,
            {
                "name": (None, "testUser.2016-10-27-18-17-06.bd144e18-0437-476e-9bb"),
                "definition": (None, CREATED_DEFINITION),
                "role_arn": (
                    None,
                    "arn:aws:iam::123456789012:role/graphene/tests/graphene-execution-role",
                ),
            },
        ),
    ),
    case(
        "sfn-create-state-machine-already-managed",
        ["sfn-create-state-machine.json"],
        Estate("pipelines", patch={MACHINE: {"arn": CREATED, "id": CREATED}}),
        skip("already_managed"),
    ),
    case(
        "sfn-create-activity-unmanaged",
        ["sfn-create-activity.json"],
        PIPES,
        Want(
            Kind.UNMANAGED,
            "arn:aws:states:us-east-1:123456789012:activity:"
            "OtherActivityPrefix.2016-10-27-18-16-56.894c791e-2ced-4cf4-8523-376469410c25",
            Severity.MEDIUM,
            {
                "name": (
                    None,
                    "OtherActivityPrefix.2016-10-27-18-16-56.894c791e-2ced-4cf4-8523-376469410c25",
                )
            },
        ),
    ),
    case(
        "sfn-delete-activity",
        ["sfn-delete-activity.json"],
        PIPES,
        Want(Kind.DELETED, ACTIVITY, Severity.HIGH),
    ),
    case(
        "sfn-delete-activity-of-another-account",
        ["sfn-delete-activity.json"],
        Estate(
            "pipelines",
            patch={ACTIVITY: {"id": ACTIVITY_ARN.replace(ACCOUNT, "210987654321")}},
        ),
        skip("not_in_state"),
    ),
    case(
        "sfn-delete-state-machine-refused",
        ["sfn-delete-state-machine-denied.json"],
        PIPES,
        skip("failed_call"),
    ),
    case(
        "kinesis-create-stream-unmanaged",
        ["kinesis-create-stream.json"],
        Estate(
            "pipelines",
            patch={STREAM: {"name": "OtherStream", "arn": STREAM_ARN.replace("Good", "Other")}},
        ),
        Want(
            Kind.UNMANAGED,
            "GoodStream",
            Severity.MEDIUM,
            {"name": (None, "GoodStream"), "shard_count": (None, 1)},
        ),
    ),
    case(
        "kinesis-create-stream-already-managed",
        ["kinesis-create-stream.json"],
        PIPES,
        skip("already_managed"),
    ),
    case(
        "kinesis-delete-stream",
        ["kinesis-delete-stream.json"],
        PIPES,
        Want(Kind.DELETED, STREAM, Severity.HIGH),
    ),
    case(
        "kinesis-delete-stream-same-name-other-region",
        ["kinesis-delete-stream.json"],
        Estate("pipelines", patch={STREAM: {"arn": STREAM_ARN.replace("us-east-1", "eu-west-1")}}),
        skip("not_in_state"),
    ),
]


@pytest.mark.parametrize(("files", "estate", "want"), RECORDED)
def test_recorded(files: list[str], estate: Estate, want: Want) -> None:
    events = records(*files)
    check(run_events(estate.index(), events), len(events), want)


def test_every_fixture_of_these_services_is_replayed_and_sourced() -> None:
    used = {name for param in RECORDED for name in param.values[0]}
    present = {p.name for p in RECORDS.glob("*.json") if p.name.startswith(("sfn-", "kinesis-"))}
    assert present - used == set()
    sources = (RECORDS / "SOURCES.md").read_text(encoding="utf-8")
    assert [name for name in sorted(present) if f"| {name} |" not in sources] == []


SFN = "sfn-create-activity.json"
KINESIS = "kinesis-delete-stream.json"
LOGGED = {
    "level": "ALL",
    "includeExecutionData": True,
    "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": GROUP}}],
}
LOGGING_ON = [{"include_execution_data": True, "level": "ALL", "log_destination": GROUP}]
LOGGING_OFF = [{"include_execution_data": False, "level": "OFF", "log_destination": ""}]
ENCRYPTED = Estate(
    "pipelines", patch={STREAM: {"encryption_type": "KMS", "kms_key_id": "alias/aws/kinesis"}}
)


def _update(**request: Any) -> dict[str, Any]:
    return {"stateMachineArn": MACHINE_ARN, **request}


SHAPES = [
    pytest.param(
        SFN,
        "UpdateStateMachine",
        _update(definition=NEW_DEFINITION),
        PIPES,
        Want(Kind.MODIFIED, MACHINE, Severity.MEDIUM, {"definition": (DEFINITION, NEW_DEFINITION)}),
        id="sfn-update-definition",
    ),
    pytest.param(
        SFN,
        "UpdateStateMachine",
        _update(definition=json.dumps(json.loads(DEFINITION), indent=4)),
        PIPES,
        skip("no_change"),
        id="sfn-update-definition-same-document-reformatted",
    ),
    pytest.param(
        SFN,
        "UpdateStateMachine",
        _update(definition="HIDDEN_DUE_TO_SECURITY_REASONS", roleArn=ROLE),
        PIPES,
        # The drift record masks both sides of a change CloudTrail hid (core.redact); the
        # unchanged role is no change, but naming it raises the severity (as for Lambda).
        Want(
            Kind.MODIFIED,
            MACHINE,
            Severity.HIGH,
            {"definition": ("(hidden)", "(hidden by CloudTrail)")},
        ),
        id="sfn-update-hidden-definition-is-a-change",
    ),
    pytest.param(
        SFN,
        "UpdateStateMachine",
        _update(roleArn=f"arn:aws:iam::{ACCOUNT}:role/admin"),
        PIPES,
        Want(
            Kind.MODIFIED,
            MACHINE,
            Severity.HIGH,
            {"role_arn": (ROLE, f"arn:aws:iam::{ACCOUNT}:role/admin")},
            reason="execution role changed",
        ),
        id="sfn-update-role",
    ),
    pytest.param(
        SFN,
        "UpdateStateMachine",
        _update(loggingConfiguration=LOGGED, tracingConfiguration={"enabled": True}),
        PIPES,
        Want(
            Kind.MODIFIED,
            MACHINE,
            Severity.MEDIUM,
            {
                "logging_configuration": (LOGGING_OFF, LOGGING_ON),
                "tracing_configuration": ([{"enabled": False}], [{"enabled": True}]),
            },
        ),
        id="sfn-update-logging-and-tracing-on",
    ),
    pytest.param(
        SFN,
        "UpdateStateMachine",
        _update(loggingConfiguration={"level": "OFF", "includeExecutionData": False}),
        Estate("pipelines", patch={MACHINE: {"logging_configuration": LOGGING_ON}}),
        Want(
            Kind.MODIFIED,
            MACHINE,
            Severity.HIGH,
            {"logging_configuration": (LOGGING_ON, LOGGING_OFF)},
            reason="execution logging turned off",
        ),
        id="sfn-update-logging-off-is-high",
    ),
    pytest.param(
        SFN,
        "UpdateStateMachine",
        _update(encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "k"}),
        PIPES,
        Want(Kind.MODIFIED, MACHINE, Severity.MEDIUM, {}),
        id="sfn-update-unmodelled-encryption-is-resource-level",
    ),
    pytest.param(
        SFN,
        "TagResource",
        {"resourceArn": MACHINE_ARN, "tags": [{"key": "cost", "value": "42"}]},
        PIPES,
        Want(
            Kind.MODIFIED,
            MACHINE,
            Severity.LOW,
            {"tags": ({"team": "orders"}, {"team": "orders", "cost": "42"})},
        ),
        id="sfn-tag-state-machine",
    ),
    pytest.param(
        SFN,
        "UntagResource",
        {"resourceArn": MACHINE_ARN, "tagKeys": ["team"]},
        PIPES,
        Want(Kind.MODIFIED, MACHINE, Severity.LOW, {"tags": ({"team": "orders"}, {})}),
        id="sfn-untag-state-machine",
    ),
    pytest.param(
        SFN,
        "TagResource",
        {"resourceArn": ACTIVITY_ARN, "tags": [{"key": "cost", "value": "42"}]},
        PIPES,
        Want(Kind.MODIFIED, ACTIVITY, Severity.LOW, {"tags": ({}, {"cost": "42"})}),
        id="sfn-tag-activity",
    ),
    pytest.param(
        SFN,
        "DeleteStateMachine",
        {"stateMachineArn": MACHINE_ARN},
        PIPES,
        Want(Kind.DELETED, MACHINE, Severity.HIGH),
        id="sfn-delete-state-machine",
    ),
    pytest.param(
        SFN,
        "DeleteStateMachine",
        {"stateMachineArn": MACHINE_ARN + ":prod"},
        PIPES,
        skip("no_resource_id"),
        id="sfn-delete-alias-names-no-state-machine",
    ),
    pytest.param(
        KINESIS,
        "IncreaseStreamRetentionPeriod",
        {"streamName": "GoodStream", "retentionPeriodHours": 48},
        PIPES,
        Want(Kind.MODIFIED, STREAM, Severity.MEDIUM, {"retention_period": (24, 48)}),
        id="kinesis-retention-up-by-name",
    ),
    pytest.param(
        KINESIS,
        "DecreaseStreamRetentionPeriod",
        {"streamARN": STREAM_ARN, "retentionPeriodHours": 24},
        Estate("pipelines", patch={STREAM: {"retention_period": 72}}),
        Want(Kind.MODIFIED, STREAM, Severity.MEDIUM, {"retention_period": (72, 24)}),
        id="kinesis-retention-down-by-arn",
    ),
    pytest.param(
        KINESIS,
        "IncreaseStreamRetentionPeriod",
        {
            "streamARN": STREAM_ARN.replace("012345678910", "210987654321"),
            "retentionPeriodHours": 48,
        },
        PIPES,
        skip("not_in_state"),
        id="kinesis-retention-same-name-other-account",
    ),
    pytest.param(
        KINESIS,
        "UpdateShardCount",
        {"streamName": "GoodStream", "targetShardCount": 2, "scalingType": "UNIFORM_SCALING"},
        PIPES,
        Want(Kind.MODIFIED, STREAM, Severity.MEDIUM, {"shard_count": (1, 2)}),
        id="kinesis-reshard",
    ),
    pytest.param(
        KINESIS,
        "StartStreamEncryption",
        {"streamARN": STREAM_ARN, "encryptionType": "KMS", "keyId": "alias/aws/kinesis"},
        PIPES,
        Want(
            Kind.MODIFIED,
            STREAM,
            Severity.MEDIUM,
            {"encryption_type": ("NONE", "KMS"), "kms_key_id": ("", "alias/aws/kinesis")},
        ),
        id="kinesis-encryption-on",
    ),
    pytest.param(
        KINESIS,
        "StopStreamEncryption",
        {"streamName": "GoodStream", "encryptionType": "KMS", "keyId": "alias/aws/kinesis"},
        ENCRYPTED,
        Want(
            Kind.MODIFIED,
            STREAM,
            Severity.HIGH,
            {"encryption_type": ("KMS", "NONE"), "kms_key_id": ("alias/aws/kinesis", "")},
        ),
        id="kinesis-encryption-off-is-high",
    ),
    pytest.param(
        KINESIS,
        "UpdateStreamMode",
        {"streamARN": STREAM_ARN, "streamModeDetails": {"streamMode": "ON_DEMAND"}},
        PIPES,
        Want(
            Kind.MODIFIED,
            STREAM,
            Severity.MEDIUM,
            {
                "stream_mode_details": (
                    [{"stream_mode": "PROVISIONED"}],
                    [{"stream_mode": "ON_DEMAND"}],
                ),
                "shard_count": (1, 0),
            },
        ),
        id="kinesis-on-demand",
    ),
    pytest.param(
        KINESIS,
        "UpdateStreamMode",
        {"streamARN": STREAM_ARN, "streamModeDetails": {"streamMode": "PROVISIONED"}},
        Estate(
            "pipelines",
            patch={
                STREAM: {"stream_mode_details": [{"stream_mode": "ON_DEMAND"}], "shard_count": 0}
            },
        ),
        Want(
            Kind.MODIFIED,
            STREAM,
            Severity.MEDIUM,
            {
                "stream_mode_details": (
                    [{"stream_mode": "ON_DEMAND"}],
                    [{"stream_mode": "PROVISIONED"}],
                )
            },
        ),
        id="kinesis-provisioned-shard-count-not-guessed",
    ),
    pytest.param(
        KINESIS,
        "AddTagsToStream",
        {"streamName": "GoodStream", "tags": {"cost": "42"}},
        PIPES,
        Want(
            Kind.MODIFIED,
            STREAM,
            Severity.LOW,
            {"tags": ({"team": "data"}, {"team": "data", "cost": "42"})},
        ),
        id="kinesis-tag",
    ),
    pytest.param(
        KINESIS,
        "RemoveTagsFromStream",
        {"streamARN": STREAM_ARN, "tagKeys": ["team"]},
        PIPES,
        Want(Kind.MODIFIED, STREAM, Severity.LOW, {"tags": ({"team": "data"}, {})}),
        id="kinesis-untag-by-arn",
    ),
    pytest.param(
        KINESIS,
        "RemoveTagsFromStream",
        {"streamName": "GoodStream", "tagKeys": ["absent"]},
        PIPES,
        skip("no_change"),
        id="kinesis-untag-absent-key",
    ),
]


@pytest.mark.parametrize(("template", "name", "request_", "estate", "want"), SHAPES)
def test_call_shapes(
    template: str, name: str, request_: dict[str, Any], estate: Estate, want: Want
) -> None:
    base = records(template)[0]
    event = replace(base, name=name, request=request_, response=None)
    check(run_events(estate.index(), [event]), 1, want)


TERRAFORM_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io)"


def _sequence(template: str, *calls: tuple[str, dict[str, Any], bool]) -> list[Any]:
    base = records(template)[0]
    events = []
    for n, (name, request, by_terraform) in enumerate(calls):
        actor = replace(base.actor, user_agent=TERRAFORM_UA) if by_terraform else base.actor
        events.append(
            replace(
                base,
                id=f"call-{n}",
                name=name,
                time=base.time.replace(second=n),
                actor=actor,
                request=request,
                response=None,
            )
        )
    return events


@pytest.mark.parametrize(
    ("template", "calls"),
    [
        pytest.param(
            SFN,
            (
                ("UpdateStateMachine", _update(definition="HIDDEN_DUE_TO_SECURITY_REASONS"), False),
                ("UpdateStateMachine", _update(definition="HIDDEN_DUE_TO_SECURITY_REASONS"), True),
            ),
            id="sfn-hidden-definition-put-back-by-terraform",
        ),
        pytest.param(
            SFN,
            (
                ("UpdateStateMachine", _update(definition=NEW_DEFINITION), False),
                (
                    "UpdateStateMachine",
                    _update(definition=json.dumps(json.loads(DEFINITION))),
                    False,
                ),
            ),
            id="sfn-definition-put-back-by-hand-reformatted",
        ),
        pytest.param(
            KINESIS,
            (
                (
                    "IncreaseStreamRetentionPeriod",
                    {"streamName": "GoodStream", "retentionPeriodHours": 48},
                    False,
                ),
                (
                    "DecreaseStreamRetentionPeriod",
                    {"streamARN": STREAM_ARN, "retentionPeriodHours": 24},
                    False,
                ),
            ),
            id="kinesis-retention-put-back-by-arn",
        ),
    ],
)
def test_put_back_resolves(
    template: str, calls: tuple[tuple[str, dict[str, Any], bool], ...]
) -> None:
    outcome = run_events(PIPES.index(), _sequence(template, *calls))
    assert outcome.open == [], [d.changes for d in outcome.open]
    assert len(outcome.resolved) == 1, outcome


def test_hidden_definition_by_hand_twice_stays_open() -> None:
    """A hidden value never equals another: two hidden edits by hand cannot prove the first
    undone."""
    hidden = _update(definition="HIDDEN_DUE_TO_SECURITY_REASONS")
    events = _sequence(
        SFN, ("UpdateStateMachine", hidden, False), ("UpdateStateMachine", hidden, False)
    )
    outcome = run_events(PIPES.index(), events)
    assert [d.resource.address for d in outcome.open] == [MACHINE]
    assert outcome.resolved == []
