"""DynamoDB rows against recorded CloudTrail and a provider-v5 state.

``dynamodb-update-table.json`` and ``dynamodb-delete-table.json`` are the DynamoDB developer
guide's published records (sources in ``tests/fixtures/cloudtrail/real/SOURCES.md``);
``real-dynamodb.tfstate`` holds a provisioned table with point-in-time recovery, deletion
protection and TTL, and an on-demand table with a GSI, a stream and a KMS key. Calls past the
published records reuse the UpdateTable record with the request the DynamoDB API reference
gives, spelled as CloudTrail spells the published one (lower camel case): no public record of
them was found.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import Estate, Want, case, check, records, skip
from tfdrift_gitops.models import Kind, Severity

DDB = Estate("dynamodb")
MUSIC = "aws_dynamodb_table.music"
ORDERS = "aws_dynamodb_table.orders"
UPDATE = "dynamodb-update-table.json"
NO_PITR = {"enabled": False, "recovery_period_in_days": 0}

RECORDED = [
    case(
        "dynamodb-update-table-throughput-name-from-response",
        [UPDATE],
        DDB,
        Want(
            Kind.MODIFIED,
            MUSIC,
            Severity.MEDIUM,
            {"read_capacity": (10, 25), "write_capacity": (10, 25)},
        ),
    ),
    case(
        "dynamodb-update-table-already-at-25",
        [UPDATE],
        Estate("dynamodb", patch={MUSIC: {"read_capacity": 25, "write_capacity": 25}}),
        skip("no_change"),
    ),
    case(
        "dynamodb-delete-table-with-pitr",
        ["dynamodb-delete-table.json"],
        DDB,
        Want(Kind.DELETED, MUSIC, Severity.HIGH),
    ),
    case(
        "dynamodb-delete-table-without-pitr-is-critical",
        ["dynamodb-delete-table.json"],
        Estate("dynamodb", patch={MUSIC: {"point_in_time_recovery": [NO_PITR]}}),
        Want(
            Kind.DELETED,
            MUSIC,
            Severity.CRITICAL,
            reason="table Music deleted while point-in-time recovery was off",
        ),
    ),
    case(
        "dynamodb-delete-table-pitr-block-absent-is-critical",
        ["dynamodb-delete-table.json"],
        Estate("dynamodb", patch={MUSIC: {"point_in_time_recovery": []}}),
        Want(Kind.DELETED, MUSIC, Severity.CRITICAL, reason="point_in_time_recovery.enabled"),
    ),
    case(
        # A state that does not say (null): no evidence either way, the row's default stands.
        "dynamodb-delete-table-pitr-unknown",
        ["dynamodb-delete-table.json"],
        Estate("dynamodb", patch={MUSIC: {"point_in_time_recovery": None}}),
        Want(Kind.DELETED, MUSIC, Severity.HIGH),
    ),
    case(
        "dynamodb-update-then-delete",
        [UPDATE, "dynamodb-delete-table.json"],
        DDB,
        Want(Kind.DELETED, MUSIC, Severity.HIGH, events=2),
    ),
]


@pytest.mark.parametrize(("files", "estate", "want"), RECORDED)
def test_recorded(files: list[str], estate: Estate, want: Want) -> None:
    events = records(*files)
    check(run_events(estate.index(), events), len(events), want)


def test_pitr_off_then_delete_is_critical() -> None:
    """Recovery turned off by hand a minute before the recorded delete: the delete joins that
    drift, and the calls replayed over state leave recovery off."""
    delete = records("dynamodb-delete-table.json")[0]
    pitr_off = replace(
        delete,
        id="pitr-off-before-delete",
        name="UpdateContinuousBackups",
        time=delete.time - timedelta(minutes=1),
        request={
            "tableName": "Music",
            "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": False},
        },
        response=None,
    )
    for order in ([pitr_off, delete], [delete, pitr_off]):
        check(
            run_events(DDB.index(), order),
            2,
            Want(
                Kind.DELETED,
                MUSIC,
                Severity.CRITICAL,
                reason="deleted while point-in-time recovery was off",
            ),
        )


def _call(name: str, request: dict[str, Any], estate: Estate = DDB) -> Any:
    base = records(UPDATE)[0]
    return run_events(estate.index(), [replace(base, name=name, request=request, response=None)])


KMS = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SHAPES = [
    pytest.param(
        "UpdateTable",
        {"tableName": "Music", "deletionProtectionEnabled": False},
        Want(
            Kind.MODIFIED,
            MUSIC,
            Severity.HIGH,
            {"deletion_protection_enabled": (True, False)},
            reason="deletionProtectionEnabled set to false",
        ),
        id="deletion-protection-off",
    ),
    pytest.param(
        "UpdateTable",
        {
            "tableName": "Orders",
            "billingMode": "PROVISIONED",
            "provisionedThroughput": {"readCapacityUnits": 5, "writeCapacityUnits": 5},
        },
        Want(
            Kind.MODIFIED,
            ORDERS,
            Severity.MEDIUM,
            {
                "billing_mode": ("PAY_PER_REQUEST", "PROVISIONED"),
                "read_capacity": (0, 5),
                "write_capacity": (0, 5),
            },
        ),
        id="billing-to-provisioned",
    ),
    pytest.param(
        "UpdateTable",
        {"tableName": "Music", "billingMode": "PAY_PER_REQUEST"},
        Want(
            Kind.MODIFIED,
            MUSIC,
            Severity.MEDIUM,
            {
                "billing_mode": ("PROVISIONED", "PAY_PER_REQUEST"),
                "read_capacity": (10, 0),
                "write_capacity": (10, 0),
            },
        ),
        id="billing-to-on-demand",
    ),
    pytest.param(
        "UpdateTable",
        {"tableName": "Orders", "streamSpecification": {"streamEnabled": False}},
        Want(
            Kind.MODIFIED,
            ORDERS,
            Severity.HIGH,
            {"stream_enabled": (True, False)},
        ),
        id="stream-off",
    ),
    pytest.param(
        "UpdateTable",
        {
            "tableName": "Orders",
            "sSESpecification": {"enabled": True, "sSEType": "KMS", "kMSMasterKeyId": KMS},
        },
        skip("no_change"),
        id="sse-same-key",
    ),
    pytest.param(
        "UpdateTable",
        {
            "tableName": "Orders",
            "globalSecondaryIndexUpdates": [{"delete": {"indexName": "by-customer"}}],
        },
        Want(
            Kind.MODIFIED,
            ORDERS,
            Severity.MEDIUM,
            {
                "global_secondary_index": (
                    [
                        {
                            "hash_key": "CustomerId",
                            "name": "by-customer",
                            "non_key_attributes": [],
                            "on_demand_throughput": [],
                            "projection_type": "ALL",
                            "range_key": "",
                            "read_capacity": 0,
                            "write_capacity": 0,
                        }
                    ],
                    [],
                )
            },
        ),
        id="gsi-deleted",
    ),
    pytest.param(
        "UpdateTable",
        {"tableName": "Music", "replicaUpdates": [{"create": {"regionName": "eu-west-1"}}]},
        Want(Kind.MODIFIED, MUSIC, Severity.MEDIUM, {}),
        id="unmodelled-field-resource-level",
    ),
    pytest.param(
        "UpdateContinuousBackups",
        {
            "tableName": "Music",
            "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": False},
        },
        Want(
            Kind.MODIFIED,
            MUSIC,
            Severity.HIGH,
            {"point_in_time_recovery[0].enabled": (True, False)},
            reason="point-in-time recovery turned off",
        ),
        id="pitr-off",
    ),
    pytest.param(
        "UpdateContinuousBackups",
        {
            "tableName": "Orders",
            "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": False},
        },
        skip("no_change"),
        id="pitr-already-off",
    ),
    pytest.param(
        "UpdateTimeToLive",
        {
            "tableName": "Music",
            "timeToLiveSpecification": {"enabled": False, "attributeName": "expires_at"},
        },
        Want(
            Kind.MODIFIED,
            MUSIC,
            Severity.MEDIUM,
            {"ttl[0].enabled": (True, False), "ttl[0].attribute_name": ("expires_at", "")},
        ),
        id="ttl-off",
    ),
    pytest.param(
        "TagResource",
        {
            "resourceArn": "arn:aws:dynamodb:us-west-2:111122223333:table/Music",
            "tags": [{"key": "owner", "value": "ops"}],
        },
        Want(
            Kind.MODIFIED,
            MUSIC,
            Severity.LOW,
            {"tags": ({"team": "media"}, {"team": "media", "owner": "ops"})},
        ),
        id="tag",
    ),
    pytest.param(
        "UntagResource",
        {"resourceArn": "arn:aws:dynamodb:us-west-2:111122223333:table/Music", "tagKeys": ["team"]},
        Want(Kind.MODIFIED, MUSIC, Severity.LOW, {"tags": ({"team": "media"}, {})}),
        id="untag",
    ),
    pytest.param(
        "CreateTable",
        {
            "tableName": "Sessions",
            "attributeDefinitions": [{"attributeName": "SessionId", "attributeType": "S"}],
            "keySchema": [{"attributeName": "SessionId", "keyType": "HASH"}],
            "billingMode": "PAY_PER_REQUEST",
        },
        Want(
            Kind.UNMANAGED,
            "Sessions",
            Severity.MEDIUM,
            {
                "name": (None, "Sessions"),
                "hash_key": (None, "SessionId"),
                "attribute": (None, [{"name": "SessionId", "type": "S"}]),
                "billing_mode": (None, "PAY_PER_REQUEST"),
                "read_capacity": (None, 0),
                "write_capacity": (None, 0),
            },
        ),
        id="create-unmanaged",
    ),
]


@pytest.mark.parametrize(("name", "request_", "want"), SHAPES)
def test_api_shapes(name: str, request_: dict[str, Any], want: Want) -> None:
    check(_call(name, request_), 1, want)
