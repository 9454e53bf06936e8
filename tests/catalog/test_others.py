"""Catalog rows for RDS, Lambda, KMS and CloudTrail, through the real Engine and fold.

One table of named cases (events in delivery order -> what should be open, resolved or
skipped) over one small state, then every corpus record for these services against states
whose names and ids match the records.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.accounting import account
from tests.catalog.conftest import (
    ACCOUNT,
    CLI_UA,
    REGION,
    changes_of,
    make_event,
    make_index,
    run_events,
)
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.catalog.support import HIDDEN
from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.models import CloudEvent, Kind, Severity

TF_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io) "
    "terraform-provider-aws/5.80.0"
)
PREFIX = f"{REGION}:{ACCOUNT}"
FN_ARN = f"arn:aws:lambda:{PREFIX}:function:orders-api"
LAYER_A = f"arn:aws:lambda:{PREFIX}:layer:a:1"
LAYER_B = f"arn:aws:lambda:{PREFIX}:layer:b:2"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:{PREFIX}:key/{KEY_ID}"
LOGS_KEY_ID = "mrk-5678"
TRAIL_ARN = f"arn:aws:cloudtrail:{PREFIX}:trail/org-trail"
STATE_PASSWORD = "s3cret-from-state"
KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Root",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}
OPEN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
    ],
}
DEFAULT_SELECTOR = {
    "read_write_type": "All",
    "include_management_events": True,
    "exclude_management_event_sources": [],
    "data_resource": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}],
}

INDEX = make_index(
    (
        "aws_db_instance",
        "orders",
        {
            "id": "db-ORDERS",
            "identifier": "orders-db",
            "arn": f"arn:aws:rds:{PREFIX}:db:orders-db",
            "deletion_protection": True,
            "publicly_accessible": False,
            "instance_class": "db.t3.medium",
            "backup_retention_period": 7,
            "multi_az": True,
            "allocated_storage": 100,
            "engine_version": "16.3",
            "vpc_security_group_ids": ["sg-1", "sg-2"],
            "maintenance_window": "sun:05:00-sun:06:00",
            "enabled_cloudwatch_logs_exports": ["postgresql"],
            "password": STATE_PASSWORD,
            "tags": {"team": "orders"},
        },
    ),
    (
        "aws_rds_cluster",
        "aurora",
        {
            "id": "orders-aurora",
            "cluster_identifier": "orders-aurora",
            "arn": f"arn:aws:rds:{PREFIX}:cluster:orders-aurora",
            "deletion_protection": True,
            "backup_retention_period": 7,
        },
    ),
    (
        "aws_rds_cluster_instance",
        "aurora_1",
        {
            "id": "orders-aurora-1",
            "identifier": "orders-aurora-1",
            "cluster_identifier": "orders-aurora",
            "arn": f"arn:aws:rds:{PREFIX}:db:orders-aurora-1",
            "instance_class": "db.r6g.large",
            "publicly_accessible": False,
        },
    ),
    (
        "aws_lambda_function",
        "api",
        {
            "id": "orders-api",
            "function_name": "orders-api",
            "arn": FN_ARN,
            "timeout": 30,
            "memory_size": 512,
            "environment": [{"variables": {"STAGE": "prod", "LOG_LEVEL": "info"}}],
            "layers": [LAYER_A, LAYER_B],
            "role": f"arn:aws:iam::{ACCOUNT}:role/orders-api",
            "runtime": "python3.12",
            "handler": "app.handler",
            "description": "",
            "vpc_config": [
                {"subnet_ids": ["subnet-1", "subnet-2"], "security_group_ids": ["sg-9"]}
            ],
            "tracing_config": [{"mode": "PassThrough"}],
            "kms_key_arn": "",
            "ephemeral_storage": [{"size": 512}],
            "source_code_hash": "abc=",
            "reserved_concurrent_executions": -1,
            "tags": {"team": "orders"},
        },
    ),
    (
        "aws_lambda_permission",
        "apigw",
        {
            "id": "AllowAPIGateway",
            "statement_id": "AllowAPIGateway",
            "function_name": "orders-api",
            "principal": "apigateway.amazonaws.com",
            "action": "lambda:InvokeFunction",
            "qualifier": "",
        },
    ),
    (
        "aws_lambda_permission",
        "billing_s3",
        {
            "id": "AllowS3",
            "statement_id": "AllowS3",
            "function_name": f"arn:aws:lambda:{PREFIX}:function:billing",
            "principal": "s3.amazonaws.com",
            "action": "lambda:InvokeFunction",
            "qualifier": "",
        },
    ),
    (
        "aws_lambda_function_url",
        "api",
        {"id": "orders-api", "function_name": "orders-api", "authorization_type": "AWS_IAM"},
    ),
    (
        "aws_kms_key",
        "data",
        {
            "id": KEY_ID,
            "key_id": KEY_ID,
            "arn": KEY_ARN,
            "is_enabled": True,
            "enable_key_rotation": True,
            "description": "data key",
            "policy": json.dumps(KEY_POLICY),
        },
    ),
    (
        "aws_kms_key",
        "logs",
        {
            "id": LOGS_KEY_ID,
            "key_id": LOGS_KEY_ID,
            "arn": f"arn:aws:kms:{PREFIX}:key/{LOGS_KEY_ID}",
            "is_enabled": True,
            "policy": json.dumps(KEY_POLICY),
        },
    ),
    (
        "aws_kms_key_policy",
        "logs",
        {"id": LOGS_KEY_ID, "key_id": LOGS_KEY_ID, "policy": json.dumps(KEY_POLICY)},
    ),
    (
        "aws_kms_alias",
        "data",
        {"id": "alias/data", "name": "alias/data", "target_key_id": KEY_ID},
    ),
    (
        "aws_cloudtrail",
        "org",
        {
            "id": TRAIL_ARN,
            "name": "org-trail",
            "arn": TRAIL_ARN,
            "enable_logging": True,
            "event_selector": [DEFAULT_SELECTOR],
            "advanced_event_selector": [],
            "enable_log_file_validation": True,
            "is_multi_region_trail": True,
            "include_global_service_events": True,
            "s3_bucket_name": "org-trail-logs",
        },
    ),
)


# --------------------------------------------------------------------------- event shorthands


def rds(name: str, request: dict[str, Any], **kw: Any) -> CloudEvent:
    return make_event(name, "rds", request, kw.pop("response", None), **kw)


def lam(name: str, request: dict[str, Any] | None, **kw: Any) -> CloudEvent:
    return make_event(name, "lambda", request, kw.pop("response", None), **kw)


def kms(name: str, request: dict[str, Any], **kw: Any) -> CloudEvent:
    return make_event(name, "kms", request, kw.pop("response", None), **kw)


def trail(name: str, request: dict[str, Any], **kw: Any) -> CloudEvent:
    return make_event(name, "cloudtrail", request, kw.pop("response", None), **kw)


def modify_db(**fields: Any) -> dict[str, Any]:
    return {"dBInstanceIdentifier": "orders-db", "applyImmediately": True, **fields}


def fn_config(**fields: Any) -> dict[str, Any]:
    return {"functionName": "orders-api", **fields}


UFC = "UpdateFunctionConfiguration20150331v2"
UFCODE = "UpdateFunctionCode20150331v2"
DB = "aws_db_instance.orders"
AURORA_1 = "aws_rds_cluster_instance.aurora_1"
FN = "aws_lambda_function.api"
KEY = "aws_kms_key.data"
TRAIL = "aws_cloudtrail.org"


@dataclass(frozen=True)
class Want:
    """What should be open after the events (at most one drift), resolved and skipped."""

    kind: Kind | None = None
    at: str = ""
    severity: Severity | None = None
    changes: dict[str, tuple[Any, Any]] | None = None
    skipped: str = ""
    resolved: int = 0
    reason: str = ""


def case(case_id: str, events: Sequence[CloudEvent], want: Want) -> Any:
    return pytest.param(list(events), want, id=case_id)


def no_drift(skipped: str) -> Want:
    return Want(skipped=skipped)


RDS_CASES = [
    case(
        "rds-deletion-protection-off",
        [rds("ModifyDBInstance", modify_db(deletionProtection=False))],
        Want(Kind.MODIFIED, DB, Severity.HIGH, {"deletion_protection": (True, False)}),
    ),
    case(
        "rds-made-public",
        [rds("ModifyDBInstance", modify_db(publiclyAccessible=True))],
        Want(Kind.MODIFIED, DB, Severity.CRITICAL, {"publicly_accessible": (False, True)}),
    ),
    case(
        "rds-instance-class",
        [rds("ModifyDBInstance", modify_db(dBInstanceClass="db.r6g.large"))],
        Want(
            Kind.MODIFIED, DB, Severity.MEDIUM, {"instance_class": ("db.t3.medium", "db.r6g.large")}
        ),
    ),
    case(
        "rds-backups-off",
        [rds("ModifyDBInstance", modify_db(backupRetentionPeriod=0))],
        Want(Kind.MODIFIED, DB, Severity.HIGH, {"backup_retention_period": (7, 0)}),
    ),
    case(
        "rds-multi-az-as-string",
        [rds("ModifyDBInstance", modify_db(multiAZ="false"))],
        Want(Kind.MODIFIED, DB, Severity.MEDIUM, {"multi_az": (True, False)}),
    ),
    case(
        "rds-storage-as-string",
        [rds("ModifyDBInstance", modify_db(allocatedStorage="200"))],
        Want(Kind.MODIFIED, DB, changes={"allocated_storage": (100, 200)}),
    ),
    case(
        "rds-engine-version",
        [rds("ModifyDBInstance", modify_db(engineVersion="16.4"))],
        Want(Kind.MODIFIED, DB, changes={"engine_version": ("16.3", "16.4")}),
    ),
    case(
        "rds-odd-key-case",
        [
            rds(
                "ModifyDBInstance",
                {"DBInstanceIdentifier": "orders-db", "DeletionProtection": "false"},
            )
        ],
        Want(Kind.MODIFIED, DB, Severity.HIGH, {"deletion_protection": (True, False)}),
    ),
    case(
        "rds-identifier-upper-case",
        [rds("ModifyDBInstance", {"dBInstanceIdentifier": "ORDERS-DB", "multiAZ": False})],
        Want(Kind.MODIFIED, DB, changes={"multi_az": (True, False)}),
    ),
    case(
        "rds-security-groups-reordered-is-no-drift",
        [rds("ModifyDBInstance", modify_db(vpcSecurityGroupIds=["sg-2", "sg-1"]))],
        no_drift("no_change"),
    ),
    case(
        "rds-security-groups-changed",
        [rds("ModifyDBInstance", modify_db(vpcSecurityGroupIds=["sg-1", "sg-open"]))],
        Want(
            Kind.MODIFIED,
            DB,
            Severity.HIGH,
            {"vpc_security_group_ids": (["sg-1", "sg-2"], ["sg-1", "sg-open"])},
        ),
    ),
    case(
        "rds-maintenance-window-case-is-no-drift",
        [rds("ModifyDBInstance", modify_db(preferredMaintenanceWindow="Sun:05:00-Sun:06:00"))],
        no_drift("no_change"),
    ),
    case(
        "rds-log-exports-enabled",
        [
            rds(
                "ModifyDBInstance",
                modify_db(cloudwatchLogsExportConfiguration={"enableLogTypes": ["upgrade"]}),
            )
        ],
        Want(
            Kind.MODIFIED,
            DB,
            changes={
                "enabled_cloudwatch_logs_exports": (["postgresql"], ["postgresql", "upgrade"])
            },
        ),
    ),
    case(
        "rds-sets-what-state-has",
        [rds("ModifyDBInstance", modify_db(deletionProtection=True, multiAZ=True))],
        no_drift("no_change"),
    ),
    case(
        "rds-pending-change-still-drift",
        [rds("ModifyDBInstance", modify_db(deletionProtection=False, applyImmediately=False))],
        Want(
            Kind.MODIFIED,
            DB,
            Severity.HIGH,
            {"deletion_protection": (True, False)},
            reason="pending",
        ),
    ),
    case(
        "rds-password-only-is-resource-level",
        [rds("ModifyDBInstance", modify_db(masterUserPassword="****"))],
        Want(Kind.MODIFIED, DB, Severity.HIGH, {}, reason="password"),
    ),
    case(
        "rds-password-with-unchanged-fields-kept",
        [rds("ModifyDBInstance", modify_db(masterUserPassword="****", deletionProtection=True))],
        Want(Kind.MODIFIED, DB, Severity.HIGH, {}, reason="password"),
    ),
    case(
        "rds-unmodelled-field-is-resource-level",
        [rds("ModifyDBInstance", modify_db(allowMajorVersionUpgrade=True))],
        Want(Kind.MODIFIED, DB, Severity.MEDIUM, {}),
    ),
    case(
        "rds-rename",
        [rds("ModifyDBInstance", modify_db(newDBInstanceIdentifier="Orders-DB-2"))],
        Want(Kind.MODIFIED, DB, changes={"identifier": ("orders-db", "orders-db-2")}),
    ),
    case(
        "rds-reverted-by-terraform",
        [
            rds("ModifyDBInstance", modify_db(deletionProtection=False)),
            rds("ModifyDBInstance", modify_db(deletionProtection=True), user_agent=TF_UA),
        ],
        Want(resolved=1),
    ),
    case(
        "rds-terraform-touching-other-field-does-not-resolve",
        [
            rds("ModifyDBInstance", modify_db(deletionProtection=False)),
            rds("ModifyDBInstance", modify_db(multiAZ=True), user_agent=TF_UA),
        ],
        Want(Kind.MODIFIED, DB, Severity.HIGH, {"deletion_protection": (True, False)}),
    ),
    case(
        "rds-terraform-own-call",
        [rds("ModifyDBInstance", modify_db(deletionProtection=False), user_agent=TF_UA)],
        no_drift("trusted_actor"),
    ),
    case(
        "rds-failed-call",
        [rds("ModifyDBInstance", modify_db(publiclyAccessible=True), error_code="AccessDenied")],
        no_drift("failed_call"),
    ),
    case(
        "rds-unknown-instance",
        [rds("ModifyDBInstance", {"dBInstanceIdentifier": "someone-elses", "multiAZ": False})],
        no_drift("not_in_state"),
    ),
    case(
        "rds-delete-with-final-snapshot",
        [
            rds(
                "DeleteDBInstance",
                {"dBInstanceIdentifier": "orders-db", "finalDBSnapshotIdentifier": "last"},
            )
        ],
        Want(Kind.DELETED, DB, Severity.HIGH, {}),
    ),
    case(
        "rds-delete-without-snapshot",
        [rds("DeleteDBInstance", {"dBInstanceIdentifier": "orders-db", "skipFinalSnapshot": True})],
        Want(Kind.DELETED, DB, Severity.CRITICAL, {}, reason="final snapshot"),
    ),
    case(
        "rds-create-is-unmanaged",
        [
            rds(
                "CreateDBInstance",
                {
                    "dBInstanceIdentifier": "Reports-DB",
                    "engine": "postgres",
                    "dBInstanceClass": "db.t3.micro",
                },
                response={"dBInstanceIdentifier": "reports-db"},
            )
        ],
        Want(
            Kind.UNMANAGED,
            "reports-db",
            Severity.MEDIUM,
            {
                "identifier": (None, "reports-db"),
                "engine": (None, "postgres"),
                "instance_class": (None, "db.t3.micro"),
                # What an imported instance holds (the provider's import sets it).
                "skip_final_snapshot": (None, True),
            },
        ),
    ),
    case(
        # No snapshot_identifier: an imported instance holds none (the provider never reads
        # it) and naming it in the import block forces a replacement (found by the oracle).
        "rds-restore-is-unmanaged-without-its-snapshot",
        [
            rds(
                "RestoreDBInstanceFromDBSnapshot",
                {
                    "dBInstanceIdentifier": "reports-restored",
                    "dBSnapshotIdentifier": "reports-nightly",
                    "dBInstanceClass": "db.t3.micro",
                },
                response={"dBInstanceIdentifier": "reports-restored", "engine": "postgres"},
            )
        ],
        Want(
            Kind.UNMANAGED,
            "reports-restored",
            Severity.MEDIUM,
            {
                "identifier": (None, "reports-restored"),
                "instance_class": (None, "db.t3.micro"),
                "skip_final_snapshot": (None, True),
            },
        ),
    ),
    case(
        "rds-create-public",
        [rds("CreateDBInstance", {"dBInstanceIdentifier": "open-db", "publiclyAccessible": True})],
        Want(Kind.UNMANAGED, "open-db", Severity.CRITICAL),
    ),
    case(
        "rds-cluster-deletion-protection-off",
        [
            rds(
                "ModifyDBCluster",
                {"dBClusterIdentifier": "orders-aurora", "deletionProtection": False},
            )
        ],
        Want(
            Kind.MODIFIED,
            "aws_rds_cluster.aurora",
            Severity.HIGH,
            {"deletion_protection": (True, False)},
        ),
    ),
    case(
        "rds-cluster-backups",
        [
            rds(
                "ModifyDBCluster",
                {"dBClusterIdentifier": "orders-aurora", "backupRetentionPeriod": 1},
            )
        ],
        Want(
            Kind.MODIFIED,
            "aws_rds_cluster.aurora",
            Severity.MEDIUM,
            {"backup_retention_period": (7, 1)},
        ),
    ),
    case(
        "rds-cluster-delete",
        [
            rds(
                "DeleteDBCluster",
                {"dBClusterIdentifier": "orders-aurora", "skipFinalSnapshot": True},
            )
        ],
        Want(Kind.DELETED, "aws_rds_cluster.aurora", Severity.CRITICAL),
    ),
    case(
        "rds-cluster-create",
        [
            rds(
                "CreateDBCluster",
                {"dBClusterIdentifier": "new-aurora", "engine": "aurora-postgresql"},
            )
        ],
        Want(Kind.UNMANAGED, "new-aurora", Severity.MEDIUM),
    ),
    case(
        "rds-aurora-member-class",
        [
            rds(
                "ModifyDBInstance",
                {"dBInstanceIdentifier": "orders-aurora-1", "dBInstanceClass": "db.r6g.xlarge"},
            )
        ],
        Want(
            Kind.MODIFIED,
            AURORA_1,
            Severity.MEDIUM,
            {"instance_class": ("db.r6g.large", "db.r6g.xlarge")},
        ),
    ),
    case(
        "rds-aurora-member-public",
        [
            rds(
                "ModifyDBInstance",
                {"dBInstanceIdentifier": "orders-aurora-1", "publiclyAccessible": True},
            )
        ],
        Want(Kind.MODIFIED, AURORA_1, Severity.CRITICAL, {"publicly_accessible": (False, True)}),
    ),
    case(
        "rds-aurora-member-deleted",
        [rds("DeleteDBInstance", {"dBInstanceIdentifier": "orders-aurora-1"})],
        Want(Kind.DELETED, AURORA_1, Severity.HIGH),
    ),
    case(
        "rds-aurora-member-created",
        [
            rds(
                "CreateDBInstance",
                {
                    "dBInstanceIdentifier": "orders-aurora-2",
                    "dBClusterIdentifier": "orders-aurora",
                    "engine": "aurora-postgresql",
                    "dBInstanceClass": "db.r6g.large",
                },
            )
        ],
        Want(
            Kind.UNMANAGED,
            "orders-aurora-2",
            Severity.MEDIUM,
            {
                "identifier": (None, "orders-aurora-2"),
                "cluster_identifier": (None, "orders-aurora"),
                "engine": (None, "aurora-postgresql"),
                "instance_class": (None, "db.r6g.large"),
            },
        ),
    ),
    case(
        "rds-aurora-member-tags",
        [
            rds(
                "AddTagsToResource",
                {
                    "resourceName": f"arn:aws:rds:{PREFIX}:db:orders-aurora-1",
                    "tags": [{"key": "owner", "value": "alan"}],
                },
            )
        ],
        Want(Kind.MODIFIED, AURORA_1, Severity.LOW, {"tags": (None, {"owner": "alan"})}),
    ),
    case(
        "rds-tags-added",
        [
            rds(
                "AddTagsToResource",
                {
                    "resourceName": f"arn:aws:rds:{PREFIX}:db:orders-db",
                    "tags": [{"key": "owner", "value": "alan"}],
                },
            )
        ],
        Want(
            Kind.MODIFIED,
            DB,
            Severity.LOW,
            {"tags": ({"team": "orders"}, {"team": "orders", "owner": "alan"})},
        ),
    ),
    case(
        "rds-tags-removed",
        [
            rds(
                "RemoveTagsFromResource",
                {"resourceName": f"arn:aws:rds:{PREFIX}:db:orders-db", "tagKeys": ["team"]},
            )
        ],
        Want(Kind.MODIFIED, DB, Severity.LOW, {"tags": ({"team": "orders"}, {})}),
    ),
]

LAMBDA_CASES = [
    case(
        "lambda-timeout-suffixed-name",
        [lam(UFC, fn_config(timeout=60))],
        Want(Kind.MODIFIED, FN, Severity.MEDIUM, {"timeout": (30, 60)}),
    ),
    case(
        "lambda-base-event-name",
        [lam("UpdateFunctionConfiguration", fn_config(memorySize="1024"))],
        Want(Kind.MODIFIED, FN, Severity.MEDIUM, {"memory_size": (512, 1024)}),
    ),
    case(
        "lambda-function-full-arn",
        [lam(UFC, {"functionName": FN_ARN, "timeout": 60})],
        Want(Kind.MODIFIED, FN, changes={"timeout": (30, 60)}),
    ),
    case(
        "lambda-function-partial-arn",
        [lam(UFC, {"functionName": f"{ACCOUNT}:function:orders-api", "timeout": 60})],
        Want(Kind.MODIFIED, FN, changes={"timeout": (30, 60)}),
    ),
    case(
        "lambda-environment-visible",
        [lam(UFC, fn_config(environment={"variables": {"STAGE": "prod", "LOG_LEVEL": "debug"}}))],
        Want(
            Kind.MODIFIED,
            FN,
            changes={
                # Values are masked in drift records (state keeps them in plain text);
                # the changed key stays visible.
                "environment[0].variables": (
                    {"STAGE": "(hidden)", "LOG_LEVEL": "(hidden)"},
                    {"STAGE": "(hidden)", "LOG_LEVEL": "(hidden, changed)"},
                )
            },
        ),
    ),
    case(
        "lambda-environment-hidden-values-never-equal",
        [lam(UFC, fn_config(environment={"variables": {"STAGE": HIDDEN, "LOG_LEVEL": HIDDEN}}))],
        Want(
            Kind.MODIFIED,
            FN,
            Severity.MEDIUM,
            {
                "environment[0].variables": (
                    {"STAGE": "(hidden)", "LOG_LEVEL": "(hidden)"},
                    # CloudTrail's placeholder is never shown as if it were the new value.
                    {"STAGE": "(hidden by CloudTrail)", "LOG_LEVEL": "(hidden by CloudTrail)"},
                )
            },
        ),
    ),
    case(
        "lambda-environment-hidden-whole-map",
        [lam(UFC, fn_config(environment={"variables": HIDDEN}))],
        Want(
            Kind.MODIFIED,
            FN,
            changes={
                "environment[0].variables": (
                    {"STAGE": "(hidden)", "LOG_LEVEL": "(hidden)"},
                    "(hidden by CloudTrail)",
                )
            },
        ),
    ),
    case(
        "lambda-environment-empty-object-says-nothing",
        [lam(UFC, fn_config(environment={}))],
        Want(Kind.MODIFIED, FN, Severity.MEDIUM, {}),
    ),
    case(
        "lambda-environment-hidden-reverted-by-terraform",
        [
            lam(UFC, fn_config(environment={"variables": {"STAGE": HIDDEN, "DEBUG": HIDDEN}})),
            lam(
                UFC,
                fn_config(environment={"variables": {"STAGE": HIDDEN, "LOG_LEVEL": HIDDEN}}),
                user_agent=TF_UA,
            ),
        ],
        Want(resolved=1),
    ),
    case(
        "lambda-exec-wrapper",
        [lam(UFC, fn_config(environment={"variables": {"AWS_LAMBDA_EXEC_WRAPPER": HIDDEN}}))],
        Want(Kind.MODIFIED, FN, Severity.CRITICAL),
    ),
    case(
        "lambda-layers-reordered-is-drift",
        [lam(UFC, fn_config(layers=[LAYER_B, LAYER_A]))],
        Want(
            Kind.MODIFIED, FN, Severity.HIGH, {"layers": ([LAYER_A, LAYER_B], [LAYER_B, LAYER_A])}
        ),
    ),
    case(
        "lambda-layers-same-is-no-drift",
        [lam(UFC, fn_config(layers=[LAYER_A, LAYER_B]))],
        no_drift("no_change"),
    ),
    case(
        "lambda-layers-from-response",
        [lam(UFC, fn_config(), response={"layers": [{"arn": LAYER_A, "codeSize": 10}]})],
        Want(Kind.MODIFIED, FN, changes={"layers": ([LAYER_A, LAYER_B], [LAYER_A])}),
    ),
    case(
        "lambda-role",
        [lam(UFC, fn_config(role=f"arn:aws:iam::{ACCOUNT}:role/admin"))],
        Want(
            Kind.MODIFIED,
            FN,
            Severity.HIGH,
            {
                "role": (
                    f"arn:aws:iam::{ACCOUNT}:role/orders-api",
                    f"arn:aws:iam::{ACCOUNT}:role/admin",
                )
            },
        ),
    ),
    case(
        "lambda-runtime-and-handler",
        [lam(UFC, fn_config(runtime="python3.13", handler="evil.handler"))],
        Want(
            Kind.MODIFIED,
            FN,
            Severity.HIGH,
            {
                "runtime": ("python3.12", "python3.13"),
                "handler": ("app.handler", "evil.handler"),
            },
        ),
    ),
    case(
        "lambda-empty-description-is-no-drift",
        [lam(UFC, fn_config(description="", kMSKeyArn=""))],
        no_drift("no_change"),
    ),
    case(
        "lambda-vpc-subnets-reordered-is-no-drift",
        [
            lam(
                UFC,
                fn_config(
                    vpcConfig={"subnetIds": ["subnet-2", "subnet-1"], "securityGroupIds": ["sg-9"]}
                ),
            )
        ],
        no_drift("no_change"),
    ),
    case(
        "lambda-vpc-security-group",
        [
            lam(
                UFC,
                fn_config(
                    vpcConfig={
                        "subnetIds": ["subnet-1", "subnet-2"],
                        "securityGroupIds": ["sg-open"],
                    }
                ),
            )
        ],
        Want(
            Kind.MODIFIED, FN, changes={"vpc_config[0].security_group_ids": (["sg-9"], ["sg-open"])}
        ),
    ),
    case(
        "lambda-tracing-kms-storage",
        [
            lam(
                UFC,
                fn_config(
                    tracingConfig={"mode": "Active"},
                    kMSKeyArn=KEY_ARN,
                    ephemeralStorage={"size": 1024},
                ),
            )
        ],
        Want(
            Kind.MODIFIED,
            FN,
            changes={
                "tracing_config[0].mode": ("PassThrough", "Active"),
                "kms_key_arn": ("", KEY_ARN),
                "ephemeral_storage[0].size": (512, 1024),
            },
        ),
    ),
    case(
        "lambda-config-reverted-by-terraform",
        [
            lam(UFC, fn_config(timeout=900)),
            lam(UFC, fn_config(timeout=30), user_agent=TF_UA),
        ],
        Want(resolved=1),
    ),
    case(
        "lambda-code-replaced",
        [lam(UFCODE, fn_config(zipFile=HIDDEN), response={"codeSha256": "evil="})],
        Want(Kind.MODIFIED, FN, Severity.HIGH, {"source_code_hash": ("abc=", "evil=")}),
    ),
    case(
        "lambda-code-same-hash-is-no-drift",
        [lam(UFCODE, fn_config(zipFile=HIDDEN), response={"codeSha256": "abc="})],
        no_drift("no_change"),
    ),
    case(
        "lambda-code-hidden-without-response",
        [lam(UFCODE, fn_config(zipFile=HIDDEN))],
        Want(Kind.MODIFIED, FN, Severity.HIGH, {}),
    ),
    case(
        "lambda-code-from-s3",
        [lam(UFCODE, fn_config(s3Bucket="drop", s3Key="x.zip"), response={"codeSha256": "x="})],
        Want(
            Kind.MODIFIED,
            FN,
            Severity.HIGH,
            {
                "source_code_hash": ("abc=", "x="),
                "s3_bucket": (None, "drop"),
                "s3_key": (None, "x.zip"),
            },
        ),
    ),
    case(
        "lambda-code-reverted-by-terraform",
        [
            lam(UFCODE, fn_config(zipFile=HIDDEN), response={"codeSha256": "evil="}),
            lam(
                UFCODE, fn_config(zipFile=HIDDEN), response={"codeSha256": "abc="}, user_agent=TF_UA
            ),
        ],
        Want(resolved=1),
    ),
    case(
        "lambda-permission-public",
        [
            lam(
                "AddPermission20150331v2",
                fn_config(statementId="backdoor", principal="*", action="lambda:InvokeFunction"),
            )
        ],
        Want(
            Kind.UNMANAGED,
            "orders-api/backdoor",
            Severity.CRITICAL,
            {
                "statement_id": (None, "backdoor"),
                "function_name": (None, "orders-api"),
                "principal": (None, "*"),
                "action": (None, "lambda:InvokeFunction"),
            },
        ),
    ),
    case(
        "lambda-permission-service-with-source",
        [
            lam(
                "AddPermission20150331v2",
                fn_config(
                    statementId="s3",
                    principal="s3.amazonaws.com",
                    action="lambda:InvokeFunction",
                    sourceArn="arn:aws:s3:::uploads",
                ),
            )
        ],
        Want(Kind.UNMANAGED, "orders-api/s3", Severity.MEDIUM),
    ),
    case(
        "lambda-permission-cross-account",
        [lam("AddPermission20150331v2", fn_config(statementId="x", principal="999988887777"))],
        Want(Kind.UNMANAGED, "orders-api/x", Severity.HIGH),
    ),
    case(
        "lambda-permission-sid-of-other-function-is-still-unmanaged",
        [
            lam(
                "AddPermission20150331v2",
                fn_config(statementId="AllowS3", principal="s3.amazonaws.com"),
            )
        ],
        Want(Kind.UNMANAGED, "orders-api/AllowS3"),
    ),
    case(
        "lambda-permission-qualified",
        [
            lam(
                "AddPermission20150331v2",
                fn_config(statementId="a", principal="*", qualifier="live"),
            )
        ],
        Want(Kind.UNMANAGED, "orders-api:live/a", Severity.CRITICAL),
    ),
    case(
        "lambda-permission-added-then-removed",
        [
            lam("AddPermission20150331v2", fn_config(statementId="tmp", principal="*")),
            lam("RemovePermission20150331v2", fn_config(statementId="tmp")),
        ],
        Want(resolved=1),
    ),
    case(
        "lambda-permission-managed-removed",
        [
            lam(
                "RemovePermission20150331v2",
                {"functionName": FN_ARN, "statementId": "AllowAPIGateway"},
            )
        ],
        Want(Kind.DELETED, "aws_lambda_permission.apigw", Severity.MEDIUM),
    ),
    case(
        "lambda-permission-terraform-add-of-managed",
        [
            lam(
                "AddPermission20150331v2",
                fn_config(statementId="AllowAPIGateway", principal="apigateway.amazonaws.com"),
                user_agent=TF_UA,
            )
        ],
        no_drift("trusted_actor"),
    ),
    case(
        "lambda-create-function",
        [
            lam(
                "CreateFunction20150331",
                {"functionName": "shadow", "runtime": "python3.12", "handler": "h.h", "timeout": 5},
                response={"functionName": "shadow", "codeSha256": "s="},
            )
        ],
        Want(
            Kind.UNMANAGED,
            "shadow",
            Severity.MEDIUM,
            {
                "function_name": (None, "shadow"),
                "runtime": (None, "python3.12"),
                "handler": (None, "h.h"),
                "timeout": (None, 5),
                "source_code_hash": (None, "s="),
            },
        ),
    ),
    case(
        "lambda-create-function-with-tags",  # an import block without them plans their change
        [
            lam(
                "CreateFunction20150331",
                {"functionName": "tagged", "tags": {"team": "ops"}},
                response={"functionName": "tagged"},
            )
        ],
        Want(
            Kind.UNMANAGED,
            "tagged",
            Severity.MEDIUM,
            {"function_name": (None, "tagged"), "tags": (None, {"team": "ops"})},
        ),
    ),
    case(
        "lambda-delete-function",
        [lam("DeleteFunction20150331", {"functionName": FN_ARN})],
        Want(Kind.DELETED, FN, Severity.HIGH, {}),
    ),
    case(
        "lambda-delete-version-is-not-the-function",
        [lam("DeleteFunction20150331", fn_config(qualifier="3"))],
        no_drift("no_resource_id"),
    ),
    case(
        "lambda-concurrency-zero",
        [lam("PutFunctionConcurrency20171031", fn_config(reservedConcurrentExecutions=0))],
        Want(Kind.MODIFIED, FN, Severity.HIGH, {"reserved_concurrent_executions": (-1, 0)}),
    ),
    case(
        "lambda-concurrency-removed-is-no-drift",
        [lam("DeleteFunctionConcurrency20171031", fn_config())],
        no_drift("no_change"),
    ),
    case(
        "lambda-url-auth-none",
        [lam("UpdateFunctionUrlConfig20181031", fn_config(authType="NONE"))],
        Want(
            Kind.MODIFIED,
            "aws_lambda_function_url.api",
            Severity.CRITICAL,
            {"authorization_type": ("AWS_IAM", "NONE")},
        ),
    ),
    case(
        "lambda-url-created-public",
        [lam("CreateFunctionUrlConfig20181031", {"functionName": "shadow", "authType": "NONE"})],
        Want(Kind.UNMANAGED, "shadow", Severity.CRITICAL),
    ),
    case(
        "lambda-url-deleted",
        [lam("DeleteFunctionUrlConfig20181031", fn_config())],
        Want(Kind.DELETED, "aws_lambda_function_url.api"),
    ),
    case(
        "lambda-tags",
        [lam("TagResource20170331v2", {"resource": FN_ARN, "tags": {"owner": "alan"}})],
        Want(
            Kind.MODIFIED,
            FN,
            Severity.LOW,
            {"tags": ({"team": "orders"}, {"team": "orders", "owner": "alan"})},
        ),
    ),
    case(
        "lambda-untag",
        [lam("UntagResource20170331v2", {"resource": FN_ARN, "tagKeys": ["team"]})],
        Want(Kind.MODIFIED, FN, Severity.LOW, {"tags": ({"team": "orders"}, {})}),
    ),
]

KMS_CASES = [
    case(
        "kms-disable-by-id",
        [kms("DisableKey", {"keyId": KEY_ID})],
        Want(Kind.MODIFIED, KEY, Severity.CRITICAL, {"is_enabled": (True, False)}),
    ),
    case(
        "kms-disable-by-arn",
        [kms("DisableKey", {"keyId": KEY_ARN})],
        Want(Kind.MODIFIED, KEY, Severity.CRITICAL, {"is_enabled": (True, False)}),
    ),
    case(
        "kms-alias-is-no-resource-id",
        [kms("DisableKey", {"keyId": "alias/data"})],
        no_drift("no_resource_id"),
    ),
    case(
        "kms-enable-already-enabled",
        [kms("EnableKey", {"keyId": KEY_ID})],
        no_drift("no_change"),
    ),
    case(
        "kms-disable-reverted-by-terraform",
        [
            kms("DisableKey", {"keyId": KEY_ID}),
            kms("EnableKey", {"keyId": KEY_ID}, user_agent=TF_UA),
        ],
        Want(resolved=1),
    ),
    case(
        "kms-schedule-deletion",
        [
            kms(
                "ScheduleKeyDeletion",
                {"keyId": KEY_ID, "pendingWindowInDays": 7},
                response={"keyId": KEY_ARN, "deletionDate": "Dec 1, 2026, 12:00:00 AM"},
            )
        ],
        # A deletion in progress: the provider reads a pending-deletion key as gone.
        Want(Kind.DELETED, KEY, Severity.CRITICAL, reason="in 7 days"),
    ),
    case(
        "kms-schedule-deletion-names-the-recovery-path",
        [kms("ScheduleKeyDeletion", {"keyId": KEY_ID, "pendingWindowInDays": 7})],
        Want(
            Kind.DELETED,
            KEY,
            Severity.CRITICAL,
            reason="recover it with CancelKeyDeletion, then EnableKey; do not apply",
        ),
    ),
    case(
        "kms-deletion-cancelled-key-stays-disabled",
        [
            kms("ScheduleKeyDeletion", {"keyId": KEY_ID, "pendingWindowInDays": 7}),
            kms("CancelKeyDeletion", {"keyId": KEY_ID}),
        ],
        Want(
            Kind.MODIFIED,
            KEY,
            Severity.CRITICAL,
            {"is_enabled": (True, False)},
            reason="deletion cancelled by",
        ),
    ),
    case(
        # CloudTrail delivers out of order: the newer cancel arrives first.
        "kms-deletion-cancel-delivered-before-schedule",
        [
            kms("CancelKeyDeletion", {"keyId": KEY_ID}, time=5),
            kms("ScheduleKeyDeletion", {"keyId": KEY_ID, "pendingWindowInDays": 7}, time=1),
        ],
        Want(Kind.MODIFIED, KEY, changes={"is_enabled": (True, False)}),
    ),
    case(
        "kms-deletion-cancelled-and-enabled-resolves",
        [
            kms("ScheduleKeyDeletion", {"keyId": KEY_ID, "pendingWindowInDays": 7}),
            kms("CancelKeyDeletion", {"keyId": KEY_ID}),
            kms("EnableKey", {"keyId": KEY_ID}, user_agent=CLI_UA),
        ],
        Want(resolved=1),
    ),
    case(
        "kms-policy-opened",
        [
            kms(
                "PutKeyPolicy",
                {"keyId": KEY_ID, "policyName": "default", "policy": json.dumps(OPEN_POLICY)},
            )
        ],
        Want(
            Kind.MODIFIED,
            KEY,
            Severity.CRITICAL,
            # Recorded in the compact form Terraform state keeps.
            {"policy": (json.dumps(KEY_POLICY), json.dumps(OPEN_POLICY, separators=(",", ":")))},
        ),
    ),
    case(
        "kms-policy-same-json-reformatted",
        [kms("PutKeyPolicy", {"keyId": KEY_ID, "policy": json.dumps(KEY_POLICY, indent=4)})],
        no_drift("no_change"),
    ),
    case(
        "kms-policy-standalone-resource-preferred",
        [kms("PutKeyPolicy", {"keyId": LOGS_KEY_ID, "policy": json.dumps(OPEN_POLICY)})],
        Want(Kind.MODIFIED, "aws_kms_key_policy.logs", Severity.CRITICAL),
    ),
    case(
        "kms-rotation-off",
        [kms("DisableKeyRotation", {"keyId": KEY_ID})],
        Want(Kind.MODIFIED, KEY, Severity.HIGH, {"enable_key_rotation": (True, False)}),
    ),
    case(
        "kms-rotation-on-already",
        [kms("EnableKeyRotation", {"keyId": KEY_ID})],
        no_drift("no_change"),
    ),
    case(
        "kms-description",
        [kms("UpdateKeyDescription", {"keyId": KEY_ID, "description": "renamed"})],
        Want(Kind.MODIFIED, KEY, Severity.LOW, {"description": ("data key", "renamed")}),
    ),
    case(
        "kms-create-key",
        [
            kms(
                "CreateKey",
                {
                    "description": "shadow",
                    "keyUsage": "ENCRYPT_DECRYPT",
                    "keySpec": "SYMMETRIC_DEFAULT",
                },
                response={
                    "keyMetadata": {
                        "keyId": "new-key-1",
                        "arn": f"arn:aws:kms:{PREFIX}:key/new-key-1",
                    }
                },
            )
        ],
        Want(
            Kind.UNMANAGED,
            "new-key-1",
            Severity.MEDIUM,
            {
                "description": (None, "shadow"),
                "key_usage": (None, "ENCRYPT_DECRYPT"),
                "customer_master_key_spec": (None, "SYMMETRIC_DEFAULT"),
            },
        ),
    ),
    case(
        "kms-alias-retargeted",
        [
            kms(
                "UpdateAlias",
                {"aliasName": "alias/data", "targetKeyId": f"arn:aws:kms:{PREFIX}:key/other"},
            )
        ],
        Want(Kind.MODIFIED, "aws_kms_alias.data", Severity.HIGH),
    ),
    case(
        "kms-alias-same-key-by-arn-is-no-drift",
        [kms("UpdateAlias", {"aliasName": "alias/data", "targetKeyId": KEY_ARN})],
        no_drift("no_change"),
    ),
    case(
        "kms-alias-created",
        [kms("CreateAlias", {"aliasName": "alias/shadow", "targetKeyId": KEY_ID})],
        Want(Kind.UNMANAGED, "alias/shadow", Severity.LOW),
    ),
    case(
        "kms-alias-deleted",
        [kms("DeleteAlias", {"aliasName": "alias/data"})],
        Want(Kind.DELETED, "aws_kms_alias.data"),
    ),
    case(
        "kms-tag",
        [kms("TagResource", {"keyId": KEY_ID, "tags": [{"tagKey": "owner", "tagValue": "alan"}]})],
        Want(Kind.MODIFIED, KEY, Severity.LOW, {"tags": (None, {"owner": "alan"})}),
    ),
]

ADVANCED = [
    {
        "name": "management",
        "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}],
    }
]

TRAIL_CASES = [
    case(
        "trail-stop-logging",
        [trail("StopLogging", {"name": "org-trail"})],
        Want(Kind.MODIFIED, TRAIL, Severity.CRITICAL, {"enable_logging": (True, False)}),
    ),
    case(
        "trail-stop-logging-by-arn",
        [trail("StopLogging", {"name": TRAIL_ARN})],
        Want(Kind.MODIFIED, TRAIL, Severity.CRITICAL, {"enable_logging": (True, False)}),
    ),
    case(
        "trail-restarted-by-terraform",
        [
            trail("StopLogging", {"name": "org-trail"}),
            trail("StartLogging", {"name": "org-trail"}, user_agent=TF_UA),
        ],
        Want(resolved=1),
    ),
    case(
        "trail-restarted-by-hand",
        [trail("StopLogging", {"name": "org-trail"}), trail("StartLogging", {"name": "org-trail"})],
        Want(resolved=1),
    ),
    case(
        "trail-start-when-logging",
        [trail("StartLogging", {"name": "org-trail"})],
        no_drift("no_change"),
    ),
    case(
        "trail-deleted",
        [trail("DeleteTrail", {"name": "org-trail"})],
        Want(Kind.DELETED, TRAIL, Severity.CRITICAL, {}),
    ),
    case(
        "trail-selectors-management-off",
        [
            trail(
                "PutEventSelectors",
                {
                    "trailName": "org-trail",
                    "eventSelectors": [
                        {"readWriteType": "ReadOnly", "includeManagementEvents": False}
                    ],
                },
            )
        ],
        Want(
            Kind.MODIFIED,
            TRAIL,
            Severity.CRITICAL,
            {
                "event_selector": (
                    [DEFAULT_SELECTOR],
                    [
                        {
                            "read_write_type": "ReadOnly",
                            "include_management_events": False,
                            "exclude_management_event_sources": [],
                            "data_resource": [],
                        }
                    ],
                )
            },
        ),
    ),
    case(
        "trail-selectors-same-with-defaults-left-out",
        [
            trail(
                "PutEventSelectors",
                {
                    "trailName": "org-trail",
                    "eventSelectors": [
                        {"dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}
                    ],
                },
            )
        ],
        no_drift("no_change"),
    ),
    case(
        "trail-selectors-emptied",
        [trail("PutEventSelectors", {"trailName": "org-trail", "eventSelectors": []})],
        Want(Kind.MODIFIED, TRAIL, Severity.CRITICAL, {"event_selector": ([DEFAULT_SELECTOR], [])}),
    ),
    case(
        "trail-advanced-selectors-replace-basic",
        [
            trail(
                "PutEventSelectors", {"trailName": "org-trail", "advancedEventSelectors": ADVANCED}
            )
        ],
        Want(
            Kind.MODIFIED,
            TRAIL,
            Severity.HIGH,
            {
                "event_selector": ([DEFAULT_SELECTOR], []),
                "advanced_event_selector": (
                    [],
                    [
                        {
                            "name": "management",
                            "field_selector": [
                                {
                                    "field": "eventCategory",
                                    "equals": ["Management"],
                                    "not_equals": [],
                                    "starts_with": [],
                                    "not_starts_with": [],
                                    "ends_with": [],
                                    "not_ends_with": [],
                                }
                            ],
                        }
                    ],
                ),
            },
        ),
    ),
    case(
        "trail-selectors-reverted-by-terraform",
        [
            trail("PutEventSelectors", {"trailName": "org-trail", "eventSelectors": []}),
            trail(
                "PutEventSelectors",
                {
                    "trailName": "org-trail",
                    "eventSelectors": [
                        {
                            "readWriteType": "All",
                            "includeManagementEvents": True,
                            "dataResources": [
                                {"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}
                            ],
                        }
                    ],
                },
                user_agent=TF_UA,
            ),
        ],
        Want(resolved=1),
    ),
    case(
        "trail-log-validation-off",
        [trail("UpdateTrail", {"name": "org-trail", "enableLogFileValidation": False})],
        Want(Kind.MODIFIED, TRAIL, Severity.HIGH, {"enable_log_file_validation": (True, False)}),
    ),
    case(
        "trail-single-region-and-new-bucket",
        [
            trail(
                "UpdateTrail",
                {"name": "org-trail", "isMultiRegionTrail": False, "s3BucketName": "elsewhere"},
            )
        ],
        Want(
            Kind.MODIFIED,
            TRAIL,
            Severity.HIGH,
            {
                "is_multi_region_trail": (True, False),
                "s3_bucket_name": ("org-trail-logs", "elsewhere"),
            },
        ),
    ),
    case(
        "trail-created",
        [trail("CreateTrail", {"name": "shadow-trail", "s3BucketName": "b"})],
        Want(
            Kind.UNMANAGED,
            "shadow-trail",
            Severity.MEDIUM,
            {"name": (None, "shadow-trail"), "s3_bucket_name": (None, "b")},
        ),
    ),
    case(
        "trail-tags",
        [
            trail(
                "AddTags",
                {"resourceId": TRAIL_ARN, "tagsList": [{"key": "owner", "value": "alan"}]},
            )
        ],
        Want(Kind.MODIFIED, TRAIL, Severity.LOW, {"tags": (None, {"owner": "alan"})}),
    ),
]


@pytest.mark.parametrize(("events", "want"), RDS_CASES + LAMBDA_CASES + KMS_CASES + TRAIL_CASES)
def test_catalog_row(events: list[CloudEvent], want: Want) -> None:
    outcome = run_events(INDEX, events)
    assert len(outcome.resolved) == want.resolved, outcome
    if want.kind is None:
        assert outcome.open == [], [changes_of(d) for d in outcome.open]
        if want.skipped:
            assert outcome.skipped.get(want.skipped), outcome.skipped
        return
    drift = outcome.only()
    assert drift.kind is want.kind
    assert (drift.resource.address or drift.resource.id) == want.at
    if want.severity is not None:
        assert drift.severity is want.severity, drift.severity_reasons
    if want.changes is not None:
        assert changes_of(drift) == want.changes
    if want.reason:
        assert any(want.reason in r for r in drift.severity_reasons), drift.severity_reasons


# --------------------------------------------------------------------------- focused checks


def test_password_never_leaks_into_the_record() -> None:
    event = rds("ModifyDBInstance", modify_db(masterUserPassword="****", multiAZ=False))
    drift = run_events(INDEX, [event]).only()
    assert changes_of(drift) == {"multi_az": (True, False)}
    assert STATE_PASSWORD not in json.dumps(drift_to_record(drift))
    assert any("password" in r for r in drift.severity_reasons)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        pytest.param(
            rds("CreateDBInstance", {"dBInstanceIdentifier": "New-DB"}), "new-db", id="rds"
        ),
        pytest.param(
            lam("CreateFunction20150331", {"functionName": "shadow"}), "shadow", id="lambda"
        ),
        pytest.param(
            lam("AddPermission20150331v2", {"functionName": FN_ARN, "statementId": "s"}),
            "orders-api/s",
            id="lambda-permission",
        ),
        pytest.param(
            kms("CreateKey", {}, response={"keyMetadata": {"keyId": "k-1"}}), "k-1", id="kms"
        ),
        pytest.param(kms("CreateAlias", {"aliasName": "alias/x"}), "alias/x", id="kms-alias"),
        pytest.param(
            trail("CreateTrail", {"name": "t"}),
            f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/t",
            id="cloudtrail-built-arn",
        ),
        pytest.param(
            trail("CreateTrail", {"name": "t"}, response={"trailARN": "arn:aws:cloudtrail:x"}),
            "arn:aws:cloudtrail:x",
            id="cloudtrail-response-arn",
        ),
    ],
)
def test_import_ids(event: CloudEvent, expected: str) -> None:
    rule = Catalog.default().get(event.name, event.source)
    assert rule is not None
    target = rule.targets[0]
    assert target.import_id is not None
    assert target.import_id(event) == expected


def test_every_row_is_reachable_by_its_suffixed_name() -> None:
    catalog = Catalog.default()
    for suffixed in (UFC, UFCODE, "AddPermission20150331v2", "CreateFunction20150331"):
        assert catalog.get(suffixed, "lambda.amazonaws.com") is not None, suffixed


# --------------------------------------------------------------------------- corpus


def _corpus_state() -> StateIndex:
    """Resources whose names and ids match the corpus records for these services."""

    def db(name: str, identifier: str, **attrs: Any) -> tuple[str, str, dict[str, Any]]:
        return ("aws_db_instance", name, {"id": f"db-{name}", "identifier": identifier, **attrs})

    def fn(name: str, function: str, account: str, region: str, **attrs: Any) -> Any:
        arn = f"arn:aws:lambda:{region}:{account}:function:{function}"
        base = {"id": function, "function_name": function, "arn": arn, "layers": []}
        return ("aws_lambda_function", name, {**base, **attrs})

    def ct(name: str, trail_name: str, account: str, region: str, **attrs: Any) -> Any:
        arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{trail_name}"
        base = {"id": arn, "name": trail_name, "arn": arn, "enable_logging": True}
        return ("aws_cloudtrail", name, {**base, **attrs})

    return make_index(
        db("production_mysql", "production-mysql", deletion_protection=True),
        db("customer", "customer-database", deletion_protection=True, publicly_accessible=False),
        db(
            "production",
            "production-db",
            deletion_protection=True,
            publicly_accessible=False,
            allocated_storage=100,
        ),
        db("my_db", "my-db", allocated_storage=100),
        db(
            "my_database",
            "my-database",
            allocated_storage=20,
            max_allocated_storage=1000,
            arn="arn:aws:rds:us-west-1:123456789012:db:my-database",
        ),
        fn("production_api", "production-api", "123456789012", "us-west-2"),
        fn(
            "my_lambda",
            "my-lambda-function",
            "123456789012",
            "us-west-2",
            layers=["arn:aws:lambda:us-west-2:123456789012:layer:my-layer:1"],
        ),
        fn("backdoor", "stratus-red-team-backdoor-f-func", "880896431042", "ca-centralnorth-1r"),
        fn(
            "layer",
            "stratus-red-team-lambda-layer-simpleLambda",
            "712967571683",
            "eugov-eastcentral-1r",
        ),
        fn(
            "overwrite",
            "stratus-red-team-olc-func-vayhjqkdav",
            "266106314375",
            "ap-westeast-2r",
            source_code_hash="original=",
        ),
        ct(
            "stop",
            "stratus-red-team-ct-stop-trail-buykxbqejv",
            "143434273843",
            "apiso-centralnorth-2r",
        ),
        ct(
            "delete",
            "stratus-red-team-cloudtraild-trail-kvrwohmiai",
            "847129010505",
            "megov-westwest-1r",
        ),
        ct(
            "selectors",
            "stratus-red-team-ctes-trail-khlvciwdor",
            "958312252124",
            "cn-northsouth-2r",
            event_selector=[
                {
                    "read_write_type": "All",
                    "include_management_events": True,
                    "exclude_management_event_sources": [],
                    "data_resource": [],
                }
            ],
        ),
    )


CORPUS_STATE = _corpus_state()

# (kind, address, severity, changed paths) or the skip reason, per panther test case.
PANTHER: dict[tuple[str, str], tuple[Kind, str, Severity, set[str]] | str] = {
    ("ModifyDBInstance", "RDS Instance Deletion Protection Disabled"): (
        Kind.MODIFIED,
        "aws_db_instance.production_mysql",
        Severity.HIGH,
        {"deletion_protection"},
    ),
    ("ModifyDBInstance", "RDS Deletion Protection Disabled and Made Public - Critical"): (
        Kind.MODIFIED,
        "aws_db_instance.customer",
        Severity.CRITICAL,
        {"deletion_protection", "publicly_accessible"},
    ),
    ("ModifyDBInstance", "RDS Deletion Protection Enabled - No Alert"): "no_change",
    ("ModifyDBInstance", "RDS Modification Without Deletion Protection Change"): (
        Kind.MODIFIED,
        "aws_db_instance.production",
        Severity.MEDIUM,
        {"allocated_storage"},
    ),
    ("ModifyDBInstance", "RDS Modification Failed"): "failed_call",
    ("ModifyDBInstance", "Different RDS Event"): "no_change",
    ("ModifyDBInstance", "RDS Instance Made Public"): (
        Kind.MODIFIED,
        "aws_db_instance.production",
        Severity.CRITICAL,
        {"publicly_accessible"},
    ),
    ("ModifyDBInstance", "RDS Instance Made Private - No Alert"): "no_change",
    ("ModifyDBInstance", "RDS Modification Without Public Access Change"): (
        Kind.MODIFIED,
        "aws_db_instance.production",
        Severity.MEDIUM,
        {"allocated_storage"},
    ),
    ("ModifyDBInstance", "Allocated storage modified"): (
        Kind.MODIFIED,
        "aws_db_instance.my_database",
        Severity.MEDIUM,
        {"allocated_storage"},
    ),
    ("ModifyDBInstance", "Master pass modified"): (
        Kind.MODIFIED,
        "aws_db_instance.my_database",
        Severity.HIGH,
        set(),
    ),
    (UFC, "IAM User Updates Lambda Configuration with Layers"): (
        Kind.MODIFIED,
        "aws_lambda_function.production_api",
        Severity.MEDIUM,
        {"layers"},
    ),
    # The request sets nothing visible (its layers are the function's own, shown only in the
    # response): what changed is hidden (the environment, which CloudTrail omits).
    (UFC, "AssumedRole Updates Lambda Configuration with Layers (Normal CI/CD)"): (
        Kind.MODIFIED,
        "aws_lambda_function.my_lambda",
        Severity.MEDIUM,
        set(),
    ),
    (UFC, "SSO AssumedRole Updates Lambda Configuration with Layers"): (
        Kind.MODIFIED,
        "aws_lambda_function.production_api",
        Severity.MEDIUM,
        {"layers"},
    ),
    (UFC, "FederatedUser Updates Lambda Configuration with Layers"): (
        Kind.MODIFIED,
        "aws_lambda_function.production_api",
        Severity.MEDIUM,
        {"layers"},
    ),
    # Nothing visible changed, but the call was made: resource-level drift.
    (UFC, "Lambda Update Function Configuration without Layers"): (
        Kind.MODIFIED,
        "aws_lambda_function.my_lambda",
        Severity.MEDIUM,
        set(),
    ),
}


def _panther_records(corpus: Path) -> list[tuple[str, str, dict[str, Any]]]:
    data = json.loads((corpus / "panther-analysis" / "write-events.json").read_text())
    return [
        (name, entry["case"], entry["record"])
        for name in ("ModifyDBInstance", UFC)
        for entry in data[name]
    ]


def test_panther_corpus_covers_every_record(corpus_dir: Path) -> None:
    records = _panther_records(corpus_dir)
    assert len(records) == 17  # 12 ModifyDBInstance + 5 UpdateFunctionConfiguration
    assert {(name, case_name) for name, case_name, _ in records} == set(PANTHER)


@pytest.mark.parametrize(("name", "case_name"), list(PANTHER), ids=[c for _, c in PANTHER])
def test_panther_record(corpus_dir: Path, name: str, case_name: str) -> None:
    matching = [r for n, c, r in _panther_records(corpus_dir) if (n, c) == (name, case_name)]
    expected = PANTHER[(name, case_name)]
    for position, record in enumerate(matching):
        event = normalize_record(record, f"panther:{case_name}#{position}")
        outcome = run_events(CORPUS_STATE, [event])
        if isinstance(expected, str):
            assert outcome.open == []
            assert outcome.skipped == {expected: 1}
            continue
        kind, address, severity, paths = expected
        drift = outcome.only()
        assert (drift.kind, drift.resource.address, drift.severity) == (kind, address, severity)
        assert set(changes_of(drift)) == paths


# Per stratus file: the one drift its write call makes (kind, address or id, severity, paths).
STRATUS: dict[str, tuple[Kind, str, Severity, set[str]]] = {
    "aws.defense-evasion.cloudtrail-stop.json": (
        Kind.MODIFIED,
        "aws_cloudtrail.stop",
        Severity.CRITICAL,
        {"enable_logging"},
    ),
    "aws.defense-evasion.cloudtrail-delete.json": (
        Kind.DELETED,
        "aws_cloudtrail.delete",
        Severity.CRITICAL,
        set(),
    ),
    "aws.defense-evasion.cloudtrail-event-selectors.json": (
        Kind.MODIFIED,
        "aws_cloudtrail.selectors",
        Severity.CRITICAL,
        {"event_selector"},
    ),
    "aws.persistence.lambda-backdoor-function.json": (
        Kind.UNMANAGED,
        "stratus-red-team-backdoor-f-func/backdoor",
        Severity.CRITICAL,
        {"statement_id", "function_name", "principal", "action"},
    ),
    "aws.persistence.lambda-layer-extension.json": (
        Kind.MODIFIED,
        "aws_lambda_function.layer",
        Severity.HIGH,
        {"layers"},
    ),
    "aws.persistence.lambda-overwrite-code.json": (
        Kind.MODIFIED,
        "aws_lambda_function.overwrite",
        Severity.HIGH,
        {"source_code_hash"},
    ),
}


@pytest.mark.parametrize("file_name", list(STRATUS))
def test_stratus_record(corpus_dir: Path, file_name: str) -> None:
    records = json.loads((corpus_dir / "stratus-red-team" / file_name).read_text())
    events = [normalize_record(r, f"{file_name}#{i}") for i, r in enumerate(records)]
    outcome = run_events(CORPUS_STATE, events)
    kind, at, severity, paths = STRATUS[file_name]
    drift = outcome.only()
    assert (drift.kind, drift.resource.address or drift.resource.id) == (kind, at)
    assert drift.severity is severity, drift.severity_reasons
    assert set(changes_of(drift)) == paths
    # Everything else in the file is a read call (or not ours): counted, never drift.
    assert sum(outcome.skipped.values()) == len(events) - 1


def test_every_corpus_record_of_these_services_replays(corpus_dir: Path) -> None:
    """All records of these four services in the corpus: no crash, counted outcomes."""
    sources = {
        "rds.amazonaws.com",
        "lambda.amazonaws.com",
        "kms.amazonaws.com",
        "cloudtrail.amazonaws.com",
    }
    events: list[CloudEvent] = []
    for path in sorted((corpus_dir / "stratus-red-team").glob("*.json")):
        for i, record in enumerate(json.loads(path.read_text())):
            if record.get("eventSource") in sources:
                events.append(normalize_record(record, f"{path.name}#{i}"))
    for name, case_name, record in _panther_records(corpus_dir):
        events.append(normalize_record(record, f"panther:{name}:{case_name}"))
    engine = Engine(CORPUS_STATE)
    # Each record on its own: one skip under a known reason, or a drift of a known kind whose
    # JSON record round-trips (tests/accounting.py); and which one, record by record.
    outcomes = [(event.origin, account(Detector(engine), event)) for event in events]
    assert outcomes == CORPUS_OUTCOMES


CORPUS_OUTCOMES = [
    ("aws.defense-evasion.cloudtrail-delete.json#0", "drift:deleted"),
    ("aws.defense-evasion.cloudtrail-event-selectors.json#0", "drift:modified"),
    ("aws.defense-evasion.cloudtrail-stop.json#0", "drift:modified"),
    # ModifyDBSnapshotAttribute has a row (rds_groups); the corpus state holds no snapshot.
    ("aws.exfiltration.rds-share-snapshot.json#0", "skip:not_in_state"),
    ("aws.persistence.lambda-backdoor-function.json#0", "drift:unmanaged"),
    ("aws.persistence.lambda-layer-extension.json#0", "drift:modified"),
    ("aws.persistence.lambda-overwrite-code.json#0", "drift:modified"),
    ("panther:ModifyDBInstance:RDS Instance Deletion Protection Disabled", "drift:modified"),
    (
        "panther:ModifyDBInstance:RDS Deletion Protection Disabled and Made Public - Critical",
        "drift:modified",
    ),
    ("panther:ModifyDBInstance:RDS Deletion Protection Enabled - No Alert", "skip:no_change"),
    (
        "panther:ModifyDBInstance:RDS Modification Without Deletion Protection Change",
        "drift:modified",
    ),
    ("panther:ModifyDBInstance:RDS Modification Failed", "skip:failed_call"),
    ("panther:ModifyDBInstance:Different RDS Event", "skip:no_change"),
    ("panther:ModifyDBInstance:RDS Instance Made Public", "drift:modified"),
    ("panther:ModifyDBInstance:RDS Instance Made Private - No Alert", "skip:no_change"),
    ("panther:ModifyDBInstance:RDS Modification Without Public Access Change", "drift:modified"),
    ("panther:ModifyDBInstance:RDS Modification Failed", "skip:failed_call"),
    ("panther:ModifyDBInstance:Allocated storage modified", "drift:modified"),
    ("panther:ModifyDBInstance:Master pass modified", "drift:modified"),
    *(
        (f"panther:UpdateFunctionConfiguration20150331v2:{case}", "drift:modified")
        for case in (
            "IAM User Updates Lambda Configuration with Layers",
            "AssumedRole Updates Lambda Configuration with Layers (Normal CI/CD)",
            "SSO AssumedRole Updates Lambda Configuration with Layers",
            "FederatedUser Updates Lambda Configuration with Layers",
            "Lambda Update Function Configuration without Layers",
        )
    ),
]


# --------------------------------------------------------------------------- hostile input

_FIELDS = sorted(
    {
        "dBInstanceIdentifier",
        "dBClusterIdentifier",
        "deletionProtection",
        "publiclyAccessible",
        "backupRetentionPeriod",
        "vpcSecurityGroupIds",
        "cloudwatchLogsExportConfiguration",
        "masterUserPassword",
        "newDBInstanceIdentifier",
        "resourceName",
        "tags",
        "tagKeys",
        "functionName",
        "qualifier",
        "statementId",
        "principal",
        "environment",
        "layers",
        "vpcConfig",
        "timeout",
        "memorySize",
        "reservedConcurrentExecutions",
        "authType",
        "resource",
        "keyId",
        "policy",
        "pendingWindowInDays",
        "aliasName",
        "targetKeyId",
        "name",
        "trailName",
        "eventSelectors",
        "advancedEventSelectors",
        "insightSelectors",
        "tagsList",
        "resourceId",
        "isMultiRegionTrail",
    }
)
_RULES = [
    (rule.event, rule.source)
    for rule in Catalog.default()
    if rule.source
    in {
        "rds.amazonaws.com",
        "lambda.amazonaws.com",
        "kms.amazonaws.com",
        "cloudtrail.amazonaws.com",
    }
]


def _json_values() -> Any:
    from hypothesis import strategies as st

    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-5, 5)
        | st.sampled_from(["", "*", "NONE", HIDDEN, "orders-db", "orders-api", KEY_ID, FN_ARN])
        | st.sampled_from([TRAIL_ARN, "org-trail", "alias/data", f"{ACCOUNT}:function:x:y"])
        | st.text(max_size=8)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from([*_FIELDS, "items", "variables", "key"]), inner, max_size=3
            )
        ),
        max_leaves=8,
    )


# Ids that land on INDEX, so that most generated calls reach the effects, not just the lookup.
_LANDING_IDS = {
    "dBInstanceIdentifier": "orders-db",
    "dBClusterIdentifier": "orders-aurora",
    "resourceName": f"arn:aws:rds:{PREFIX}:db:orders-db",
    "functionName": "orders-api",
    "statementId": "AllowAPIGateway",
    "resource": FN_ARN,
    "keyId": KEY_ID,
    "aliasName": "alias/data",
    "name": "org-trail",
    "trailName": "org-trail",
    "resourceId": TRAIL_ARN,
}


def test_hostile_requests_never_crash() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        rule=st.sampled_from(_RULES),
        landing=st.booleans(),
        fields=st.dictionaries(st.sampled_from(_FIELDS), _json_values(), max_size=6),
        response=st.none() | st.dictionaries(st.sampled_from(_FIELDS), _json_values(), max_size=3),
        by_terraform=st.booleans(),
    )
    def replay(
        rule: tuple[str, str],
        landing: bool,
        fields: dict[str, Any],
        response: Any,
        by_terraform: bool,
    ) -> None:
        request = {**_LANDING_IDS, **fields} if landing else fields
        first = make_event(rule[0], rule[1], request, response)
        second = make_event(
            rule[0], rule[1], request, response, user_agent=TF_UA if by_terraform else CLI_UA
        )
        outcome = run_events(INDEX, [first, second])
        accounted = len(outcome.open) + len(outcome.resolved) + sum(outcome.skipped.values())
        assert accounted >= 1
        for drift in outcome.open + outcome.resolved:
            json.dumps(drift_to_record(drift))  # every value stays JSON

    replay()
