"""EKS rows judged by Terraform: cluster endpoint access, tags, clusters and node groups made
or deleted by hand, node group scaling and labels. Also RDS instances made by hand (created,
read replica, restored from a snapshot): this module holds no managed DB instance (see CASES).

Requests are written as EKS's REST-JSON protocol records them (the cluster as ``name``, the
body members beside it). moto replaces a cluster's whole ``resourcesVpcConfig`` on
UpdateClusterConfig, so the calls send the full configuration, as the console does. moto gives
a node group created without ``remoteAccess`` the key ``eksKeypair`` (AWS gives none), so the
code names that key and the hand-made group sends one.

Not here: ``logging`` (moto keeps neither the log types a cluster is created with nor AWS's
per-type switching, so Terraform would judge moto, not us), access entries and add-ons (moto
has no such calls), UpdateClusterVersion, UpdateNodegroupVersion and AssociateEncryptionConfig
(moto 5.2.6 answers them 404). Those rows are checked on recorded and API-shaped calls only
(tests/catalog/test_containers_eks.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
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

EKS = "eks.amazonaws.com"
FIXTURE = "eks-create-cluster.json"
ROLE = "arn:aws:iam::123456789012:role/eks-cluster"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]


NODE_ROLE = "arn:aws:iam::123456789012:role/eks-node"


def _cluster(name: str, extra: str = "") -> str:
    return f"""
resource "aws_eks_cluster" "{name}" {{
  name     = "{name.replace("_", "-")}"
  role_arn = "{ROLE}"
{extra}
  vpc_config {{
    subnet_ids              = {SUBNETS!r}
    endpoint_private_access = true
    endpoint_public_access  = false
    public_access_cidrs     = ["0.0.0.0/0"]
  }}
}}
""".replace("'", '"')


def _node_group(name: str, extra: str = "") -> str:
    return f"""
resource "aws_eks_node_group" "{name}" {{
  cluster_name    = aws_eks_cluster.eks_nodes.name
  node_group_name = "{name.replace("_", "-")}"
  node_role_arn   = "{NODE_ROLE}"
  subnet_ids      = {SUBNETS!r}
{extra}
  scaling_config {{
    desired_size = 1
    max_size     = 2
    min_size     = 1
  }}
  remote_access {{
    ec2_ssh_key = "eksKeypair"
  }}
}}
""".replace("'", '"')


def _plain(value: Any) -> Any:
    """A boto3 answer in CloudTrail's JSON (times as text, no response metadata)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, datetime) else value


def _vpc(world: World, name: str, **changes: Any) -> dict[str, Any]:
    vpc = world.attrs(f"aws_eks_cluster.{name}")["vpc_config"][0]
    return {
        "subnetIds": list(vpc["subnet_ids"]),
        "endpointPrivateAccess": vpc["endpoint_private_access"],
        "endpointPublicAccess": vpc["endpoint_public_access"],
        **changes,
    }


def open_endpoint(world: World) -> Call:
    config = _vpc(world, "eks_public", endpointPublicAccess=True, publicAccessCidrs=["0.0.0.0/0"])
    world.client("eks").update_cluster_config(name="eks-public", resourcesVpcConfig=config)
    return Call({"name": "eks-public", "resourcesVpcConfig": config})


def delete_cluster(world: World) -> Call:
    world.client("eks").delete_cluster(name="eks-deleted")
    return Call({"name": "eks-deleted"})


def tag_cluster(world: World) -> Call:
    arn = world.attrs("aws_eks_cluster.eks_tagged")["arn"]
    world.client("eks").tag_resource(resourceArn=arn, tags={"owner": "alan"})
    return Call({"resourceArn": arn, "tags": {"owner": "alan"}})


def untag_cluster(world: World) -> Call:
    # moto 5.2.6 tags clusters only: a node group's ARN answers NotFoundException.
    arn = world.attrs("aws_eks_cluster.eks_untagged")["arn"]
    world.client("eks").untag_resource(resourceArn=arn, tagKeys=["env"])
    return Call({"resourceArn": arn, "tagKeys": ["env"]})


def scale_node_group(world: World) -> Call:
    request: dict[str, Any] = {
        "scalingConfig": {"minSize": 1, "maxSize": 3, "desiredSize": 2},
        "labels": {"addOrUpdateLabels": {"tier": "gold"}, "removeLabels": ["role"]},
    }
    world.client("eks").update_nodegroup_config(
        clusterName="eks-nodes", nodegroupName="ng-scaled", **request
    )
    return Call({"name": "eks-nodes", "nodegroupName": "ng-scaled", **request})


def delete_node_group(world: World) -> Call:
    world.client("eks").delete_nodegroup(clusterName="eks-nodes", nodegroupName="ng-gone")
    return Call({"name": "eks-nodes", "nodegroupName": "ng-gone"})


def create_node_group(world: World) -> Call:
    request: dict[str, Any] = {
        "nodegroupName": "ng-by-hand",
        "nodeRole": NODE_ROLE,
        "subnets": SUBNETS,
        "scalingConfig": {"minSize": 1, "maxSize": 4, "desiredSize": 2},
        "instanceTypes": ["t3.large"],
        "remoteAccess": {"ec2SshKey": "ops-key"},
        "labels": {"made": "by-hand"},
    }
    answer = world.client("eks").create_nodegroup(clusterName="eks-nodes", **request)
    return Call({"name": "eks-nodes", **request}, _plain(answer))


def create_cluster(world: World) -> Call:
    request: dict[str, Any] = {
        "name": "eks-by-hand",
        "roleArn": ROLE,
        "version": "1.31",
        "resourcesVpcConfig": {
            "subnetIds": SUBNETS,
            "endpointPublicAccess": True,
            "endpointPrivateAccess": False,
        },
        "tags": {"made": "by-hand"},
    }
    answer = world.client("eks").create_cluster(**request)
    return Call(request, _plain(answer))


RDS_INSTANCE: dict[str, Any] = {
    "Engine": "postgres",
    "EngineVersion": "16.3",
    "DBInstanceClass": "db.t3.micro",
    "AllocatedStorage": 20,
    "MasterUsername": "oracle",
    "MasterUserPassword": "not-a-secret-1",
}


DB_RESPONSE = (
    "DBInstanceIdentifier",
    "DBInstanceArn",
    "DbiResourceId",
    "Engine",
    "EngineVersion",
    "DBInstanceClass",
    "AllocatedStorage",
    "MasterUsername",
    "StorageEncrypted",
    "PubliclyAccessible",
    "DBInstanceStatus",
)


def _db_response(answer: Mapping[str, Any]) -> dict[str, Any]:
    """CloudTrail spells the response's members as the request's (dBInstanceIdentifier, ...);
    what moto leaves out (PubliclyAccessible when false) is left out."""
    return {key[0].lower() + key[1:]: answer[key] for key in DB_RESPONSE if key in answer}


def create_read_replica(world: World) -> Call:
    rds = world.client("rds")
    # The source is made by hand too, with no record: only the replica is the case's.
    rds.create_db_instance(DBInstanceIdentifier="oracle-replica-source", **RDS_INSTANCE)
    request = {
        "dBInstanceIdentifier": "oracle-replica",
        "sourceDBInstanceIdentifier": "oracle-replica-source",
        "dBInstanceClass": "db.t3.micro",
    }
    answer = rds.create_db_instance_read_replica(
        DBInstanceIdentifier="oracle-replica",
        SourceDBInstanceIdentifier="oracle-replica-source",
        DBInstanceClass="db.t3.micro",
    )["DBInstance"]
    return Call(request, _db_response(answer))


def restore_db_instance(world: World) -> Call:
    rds = world.client("rds")
    # Its source instance is gone by the time Terraform looks (see CASES).
    rds.create_db_instance(DBInstanceIdentifier="oracle-snapped", **RDS_INSTANCE)
    rds.create_db_snapshot(DBInstanceIdentifier="oracle-snapped", DBSnapshotIdentifier="nightly")
    rds.delete_db_instance(DBInstanceIdentifier="oracle-snapped", SkipFinalSnapshot=True)
    request = {
        "dBInstanceIdentifier": "oracle-restored",
        "dBSnapshotIdentifier": "nightly",
        "dBInstanceClass": "db.t3.micro",
    }
    answer = rds.restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier="oracle-restored",
        DBSnapshotIdentifier="nightly",
        DBInstanceClass="db.t3.micro",
    )["DBInstance"]
    return Call(request, _db_response(answer))


def create_db_instance(world: World) -> Call:
    """A hand-made RDS instance (see CASES for why it sits in this module)."""
    request: dict[str, Any] = {
        "dBInstanceIdentifier": "oracle-db-by-hand",
        "engine": "postgres",
        "engineVersion": "16.3",
        "dBInstanceClass": "db.t3.micro",
        "allocatedStorage": 20,
        "masterUsername": "oracle",
    }
    answer = world.client("rds").create_db_instance(
        DBInstanceIdentifier="oracle-db-by-hand", **RDS_INSTANCE
    )["DBInstance"]
    return Call({**request, "masterUserPassword": "****"}, _db_response(answer))


def _case(
    id_: str, event: str, act: Callable[[World], Call], address: str, hcl: str, **kw: Any
) -> Case:
    return Case(
        id=id_, event=event, source=EKS, fixture=FIXTURE, hcl=hcl, address=address, act=act, **kw
    )


# The hand-made RDS instances sit here, not in test_oracle_rds: moto 5.2.6 gives every DB
# instance the same DbiResourceId (db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U), and provider 5.100.0 refreshes
# a managed instance by that id, so it finds none where two exist. An import plan looks the
# instance up by the identifier it is given, so several hand-made ones are judged together.
CASES = (
    _case(
        "eks_public",
        "UpdateClusterConfig",
        open_endpoint,
        "aws_eks_cluster.eks_public",
        _cluster("eks_public"),
    ),
    _case(
        "eks_deleted",
        "DeleteCluster",
        delete_cluster,
        "aws_eks_cluster.eks_deleted",
        _cluster("eks_deleted"),
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "eks_tagged",
        "TagResource",
        tag_cluster,
        "aws_eks_cluster.eks_tagged",
        _cluster("eks_tagged", '  tags = { team = "core" }'),
    ),
    _case(
        "eks_untagged",
        "UntagResource",
        untag_cluster,
        "aws_eks_cluster.eks_untagged",
        _cluster("eks_untagged", '  tags = { team = "core", env = "dev" }'),
    ),
    _case(
        "ng_scaled",
        "UpdateNodegroupConfig",
        scale_node_group,
        "aws_eks_node_group.ng_scaled",
        _cluster("eks_nodes") + _node_group("ng_scaled", '  labels = { role = "web" }'),
    ),
    _case(
        "ng_gone",
        "DeleteNodegroup",
        delete_node_group,
        "aws_eks_node_group.ng_gone",
        _node_group("ng_gone"),
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "ng_by_hand",
        "CreateNodegroup",
        create_node_group,
        "aws_eks_node_group",
        "",
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "eks_by_hand",
        "CreateCluster",
        create_cluster,
        "aws_eks_cluster",
        "",
        kind="unmanaged",
        strategies=("import",),
    ),
    Case(
        id="db_by_hand",
        event="CreateDBInstance",
        source="rds.amazonaws.com",
        fixture="rds-create-db-instance.json",
        hcl="",
        address="aws_db_instance",
        act=create_db_instance,
        kind="unmanaged",
        strategies=("import",),
    ),
    Case(
        id="db_replica",
        event="CreateDBInstanceReadReplica",
        source="rds.amazonaws.com",
        fixture="rds-create-db-instance.json",
        hcl="",
        address="aws_db_instance",
        act=create_read_replica,
        kind="unmanaged",
        strategies=("import",),
    ),
    Case(
        id="db_restored",
        event="RestoreDBInstanceFromDBSnapshot",
        source="rds.amazonaws.com",
        fixture="rds-create-db-instance.json",
        hcl="",
        address="aws_db_instance",
        act=restore_db_instance,
        kind="unmanaged",
        strategies=("import",),
    ),
)
