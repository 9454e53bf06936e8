"""RDS snapshot sharing, parameter group and subnet group rows (ACM: ``test_real_published.py``).

``dbsnapshot-modify-db-snapshot-attribute-share.json`` is a Stratus Red Team detonation record
(sources in ``tests/fixtures/cloudtrail/real/SOURCES.md``); ``real-rds-groups.tfstate`` holds the
snapshot it shares, a parameter group and a cluster parameter group enforcing TLS, and a subnet
group. The other calls reuse the recorded envelope with the request the RDS API reference
gives: no public record of them was found.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import Estate, Want, case, check, records, skip
from tfdrift_gitops.models import Kind, Severity

RDS = Estate("rds-groups")
SHARE = "dbsnapshot-modify-db-snapshot-attribute-share.json"
SNAPSHOT = "aws_db_snapshot.exfiltration"
PG = "aws_db_parameter_group.pg"

RECORDED = [
    case(
        "rds-snapshot-shared-with-another-account",
        [SHARE],
        RDS,
        Want(
            Kind.MODIFIED,
            SNAPSHOT,
            Severity.HIGH,
            {"shared_accounts": ([], ["503161813013"])},
            reason="another account (503161813013)",
        ),
    ),
    case(
        "rds-snapshot-already-shared",
        [SHARE],
        Estate("rds-groups", patch={SNAPSHOT: {"shared_accounts": ["503161813013"]}}),
        skip("no_change"),
    ),
    case(
        "rds-snapshot-not-managed",
        [SHARE],
        Estate("rds-groups", drop=(SNAPSHOT,)),
        skip("not_in_state"),
    ),
]


@pytest.mark.parametrize(("files", "estate", "want"), RECORDED)
def test_recorded(files: list[str], estate: Estate, want: Want) -> None:
    events = records(*files)
    check(run_events(estate.index(), events), len(events), want)


def _call(name: str, request: dict[str, Any], source: str = "rds") -> Any:
    base = records(SHARE)[0]
    event = replace(
        base, name=name, source=f"{source}.amazonaws.com", request=request, response=None
    )
    return run_events(RDS.index(), [event])


SHAPES = [
    pytest.param(
        "ModifyDBSnapshotAttribute",
        {
            "dBSnapshotIdentifier": "Exfiltration",
            "attributeName": "restore",
            "valuesToAdd": ["all"],
        },
        Want(Kind.MODIFIED, SNAPSHOT, Severity.CRITICAL, {"shared_accounts": ([], ["all"])}),
        id="snapshot-public",
    ),
    pytest.param(
        "ModifyDBParameterGroup",
        {
            "dBParameterGroupName": "app-postgres16",
            "parameters": [
                {
                    "parameterName": "rds.force_ssl",
                    "parameterValue": "0",
                    "applyMethod": "immediate",
                }
            ],
        },
        Want(
            Kind.MODIFIED,
            PG,
            Severity.HIGH,
            {
                "parameter": (
                    [
                        {"apply_method": "immediate", "name": "rds.force_ssl", "value": "1"},
                        {
                            "apply_method": "immediate",
                            "name": "log_min_duration_statement",
                            "value": "500",
                        },
                    ],
                    [
                        {
                            "apply_method": "immediate",
                            "name": "log_min_duration_statement",
                            "value": "500",
                        },
                        {"apply_method": "immediate", "name": "rds.force_ssl", "value": "0"},
                    ],
                )
            },
            reason="TLS no longer required",
        ),
        id="parameter-group-tls-off",
    ),
    pytest.param(
        "ModifyDBParameterGroup",
        {
            "dBParameterGroupName": "app-postgres16",
            "parameters": [
                {
                    "parameterName": "log_min_duration_statement",
                    "parameterValue": "500",
                    "applyMethod": "pending-reboot",
                }
            ],
        },
        skip("no_change"),
        id="parameter-group-same-value-other-apply-method",
    ),
    pytest.param(
        "ResetDBClusterParameterGroup",
        {"dBClusterParameterGroupName": "app-aurora-mysql8", "resetAllParameters": True},
        Want(
            Kind.MODIFIED,
            "aws_rds_cluster_parameter_group.aurora",
            Severity.MEDIUM,
            {
                "parameter": (
                    [
                        {
                            "apply_method": "immediate",
                            "name": "require_secure_transport",
                            "value": "ON",
                        }
                    ],
                    [],
                )
            },
        ),
        id="cluster-parameter-group-reset",
    ),
    pytest.param(
        "ModifyDBSubnetGroup",
        {"dBSubnetGroupName": "app", "subnetIds": ["subnet-0123456789abcdef0"]},
        Want(
            Kind.MODIFIED,
            "aws_db_subnet_group.app",
            Severity.MEDIUM,
            {
                "subnet_ids": (
                    ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
                    ["subnet-0123456789abcdef0"],
                )
            },
        ),
        id="subnet-group-subnets",
    ),
    pytest.param(
        "DeleteDBParameterGroup",
        {"dBParameterGroupName": "app-postgres16"},
        Want(Kind.DELETED, PG, Severity.MEDIUM),
        id="parameter-group-deleted",
    ),
]


@pytest.mark.parametrize(("name", "request_", "want"), SHAPES)
def test_api_shapes(name: str, request_: dict[str, Any], want: Want) -> None:
    check(_call(name, request_), 1, want)


# AddTagsToResource / RemoveTagsFromResource name the resource by ARN (the RDS API reference's
# ResourceName; CloudTrail spells it resourceName, the tags as key/value pairs): the ARN's
# resource type picks the Terraform type, its name the state id (RDS stores names lower-case).
ARN = "arn:aws:rds:meiso-eastwest-2r:171471557522"
CPG = "aws_rds_cluster_parameter_group.aurora"
SUBNETS = "aws_db_subnet_group.app"
OWNER = [{"key": "owner", "value": "alan"}]
TAGGED = Estate(
    "rds-groups",
    patch={
        PG: {"tags": {"team": "db"}, "tags_all": {"team": "db", "env": "prod"}},
        CPG: {"tags": {"team": "db"}, "tags_all": {"team": "db"}},
    },
)


def _tags(resource: str, **more: Any) -> dict[str, Any]:
    return {"resourceName": f"{ARN}:{resource}", **more}


TAG_ROWS = [
    pytest.param(
        "AddTagsToResource",
        _tags("pg:app-postgres16", tags=OWNER),
        RDS,
        Want(Kind.MODIFIED, PG, Severity.LOW, {"tags": ({}, {"owner": "alan"})}),
        id="parameter-group-tagged",
    ),
    pytest.param(
        "AddTagsToResource",
        _tags("cluster-pg:App-Aurora-MySQL8", tags=OWNER),
        RDS,
        Want(Kind.MODIFIED, CPG, Severity.LOW, {"tags": ({}, {"owner": "alan"})}),
        id="cluster-parameter-group-tagged-name-in-capitals",
    ),
    pytest.param(
        "AddTagsToResource",
        _tags("subgrp:app", tags=OWNER),
        RDS,
        Want(Kind.MODIFIED, SUBNETS, Severity.LOW, {"tags": ({}, {"owner": "alan"})}),
        id="subnet-group-tagged",
    ),
    pytest.param(
        "AddTagsToResource",
        _tags("snapshot:exfiltration", tags=OWNER),
        RDS,
        Want(Kind.MODIFIED, SNAPSHOT, Severity.LOW, {"tags": ({}, {"owner": "alan"})}),
        id="snapshot-tagged",
    ),
    pytest.param(
        "AddTagsToResource",
        _tags("pg:app-postgres16", tags=[{"key": "team", "value": "db"}]),
        TAGGED,
        skip("no_change"),
        id="parameter-group-tag-already-there",
    ),
    pytest.param(
        "AddTagsToResource",
        _tags("pg:app-postgres16", tags=[{"key": "env", "value": "prod"}]),
        TAGGED,
        skip("no_change"),
        id="parameter-group-default-tag-value-is-the-providers",
    ),
    pytest.param(
        "RemoveTagsFromResource",
        _tags("pg:app-postgres16", tagKeys=["team"]),
        TAGGED,
        Want(Kind.MODIFIED, PG, Severity.LOW, {"tags": ({"team": "db"}, {})}),
        id="parameter-group-tag-removed",
    ),
    pytest.param(
        "RemoveTagsFromResource",
        _tags("cluster-pg:app-aurora-mysql8", tagKeys=["owner"]),
        TAGGED,
        skip("no_change"),
        id="cluster-parameter-group-absent-tag-removed",
    ),
    pytest.param(
        "AddTagsToResource",
        _tags("pg:app-aurora-mysql8", tags=OWNER),
        RDS,
        skip("not_in_state"),
        id="parameter-group-arn-of-a-cluster-parameter-group-name",
    ),
    pytest.param(
        "AddTagsToResource",
        _tags("og:app-options", tags=OWNER),
        RDS,
        skip("no_resource_id"),
        id="option-group-not-a-catalog-type",
    ),
    pytest.param(
        "RemoveTagsFromResource",
        _tags("subgrp:other", tagKeys=["owner"]),
        RDS,
        skip("not_in_state"),
        id="subnet-group-not-managed",
    ),
]


@pytest.mark.parametrize(("name", "request_", "estate", "want"), TAG_ROWS)
def test_tags_by_arn(name: str, request_: dict[str, Any], estate: Estate, want: Want) -> None:
    base = records(SHARE)[0]
    event = replace(base, name=name, request=request_, response=None)
    check(run_events(estate.index(), [event]), 1, want)


CLUSTER_GROUP_ROWS = [
    pytest.param(
        "ModifyDBClusterParameterGroup",
        {
            "dBClusterParameterGroupName": "app-aurora-mysql8",
            "parameters": [
                {
                    "parameterName": "require_secure_transport",
                    "parameterValue": "OFF",
                    "applyMethod": "immediate",
                }
            ],
        },
        Want(
            Kind.MODIFIED,
            CPG,
            Severity.HIGH,
            {
                "parameter": (
                    [
                        {
                            "apply_method": "immediate",
                            "name": "require_secure_transport",
                            "value": "ON",
                        }
                    ],
                    [
                        {
                            "apply_method": "immediate",
                            "name": "require_secure_transport",
                            "value": "OFF",
                        }
                    ],
                )
            },
            reason="TLS no longer required",
        ),
        id="cluster-parameter-group-tls-off",
    ),
    pytest.param(
        "ResetDBClusterParameterGroup",
        {
            "dBClusterParameterGroupName": "app-aurora-mysql8",
            "parameters": [
                {"parameterName": "require_secure_transport", "applyMethod": "immediate"}
            ],
        },
        Want(
            Kind.MODIFIED,
            CPG,
            Severity.MEDIUM,
            {
                "parameter": (
                    [
                        {
                            "apply_method": "immediate",
                            "name": "require_secure_transport",
                            "value": "ON",
                        }
                    ],
                    [],
                )
            },
        ),
        id="cluster-parameter-group-one-parameter-reset",
    ),
    pytest.param(
        "DeleteDBClusterParameterGroup",
        {"dBClusterParameterGroupName": "App-Aurora-MySQL8"},
        Want(Kind.DELETED, CPG, Severity.MEDIUM),
        id="cluster-parameter-group-deleted",
    ),
    pytest.param(
        "CreateDBClusterParameterGroup",
        {
            "dBClusterParameterGroupName": "Hand-Made",
            "dBParameterGroupFamily": "aurora-postgresql16",
            "description": "by hand",
        },
        Want(
            Kind.UNMANAGED,
            "hand-made",
            Severity.MEDIUM,
            {
                "name": (None, "hand-made"),
                "family": (None, "aurora-postgresql16"),
                "description": (None, "by hand"),
            },
        ),
        id="cluster-parameter-group-created",
    ),
    pytest.param(
        "CreateDBParameterGroup",
        {
            "dBParameterGroupName": "hand-made",
            "dBParameterGroupFamily": "postgres16",
            "description": "by hand",
        },
        Want(
            Kind.UNMANAGED,
            "hand-made",
            Severity.MEDIUM,
            {
                "name": (None, "hand-made"),
                "family": (None, "postgres16"),
                "description": (None, "by hand"),
            },
        ),
        id="parameter-group-created",
    ),
    pytest.param(
        "CreateDBParameterGroup",
        {
            "dBParameterGroupName": "tagged",
            "dBParameterGroupFamily": "postgres16",
            "description": "by hand",
            "tags": [{"key": "team", "value": "data"}],
        },
        Want(
            Kind.UNMANAGED,
            "tagged",
            Severity.MEDIUM,
            {
                "name": (None, "tagged"),
                "family": (None, "postgres16"),
                "description": (None, "by hand"),
                "tags": (None, {"team": "data"}),
            },
        ),
        id="parameter-group-created-with-tags",  # an import without them plans their change
    ),
]


@pytest.mark.parametrize(("name", "request_", "want"), CLUSTER_GROUP_ROWS)
def test_cluster_parameter_groups(name: str, request_: dict[str, Any], want: Want) -> None:
    check(_call(name, request_), 1, want)
