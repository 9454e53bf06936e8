"""RDS rows judged by Terraform: instance settings, tags, deletion."""

from __future__ import annotations

from typing import Any

from tests.oracle.checks import (  # noqa: F401
    test_changes_agree_with_terraform,
    test_deletion_agrees_with_terraform,
    test_every_written_file_validates,
    test_import_plan_summary,
    test_import_plans_no_change,
    test_no_drift_outside_the_cases,
    test_removed_block_plans_cleanly,
    test_revert_plans_the_drift_back,
    test_unmanaged_import_plans_as_import_only,
    test_unmanaged_is_outside_terraform,
)
from tests.oracle.harness import Call, Case, World

RDS = "rds.amazonaws.com"


def _db(name: str, extra: str = "") -> str:
    # Not "db-...": the provider reads an id of that shape as a resource id (dbi-resource-id).
    identifier = "oracle-" + name.replace("_", "-")
    return f"""
resource "aws_db_instance" "{name}" {{
  identifier          = "{identifier}"
  engine              = "postgres"
  engine_version      = "16.3"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "oracle"
  password            = "not-a-secret-1"
  skip_final_snapshot = true
{extra}}}
"""


def _rds(world: World) -> Any:
    return world.client("rds")


def modify_instance(world: World) -> Call:
    _rds(world).modify_db_instance(
        DBInstanceIdentifier="oracle-db-modified", BackupRetentionPeriod=7, ApplyImmediately=True
    )
    return Call(
        {
            "backupRetentionPeriod": 7,
            "applyImmediately": True,
            "dBInstanceIdentifier": "oracle-db-modified",
        },
        {"dBInstanceIdentifier": "oracle-db-modified", "backupRetentionPeriod": 7},
    )


def _case(id_: str, event: str, act: Any, hcl: str, **kw: Any) -> Case:
    return Case(
        id=id_,
        event=event,
        source=RDS,
        fixture="rds-modify-db-instance-allocated-storage.json",
        hcl=hcl,
        address=f"aws_db_instance.{id_}",
        act=act,
        **kw,
    )


# One instance per module: with several, provider 5.100.0's reads after create
# (DescribeDBInstances filtered by dbi-resource-id) find none on moto 5.2.6 (docs/oracle.md),
# and one instance takes over a minute to create, so the tag and delete rows wait for a fix.
CASES = (_case("db_modified", "ModifyDBInstance", modify_instance, _db("db_modified")),)
