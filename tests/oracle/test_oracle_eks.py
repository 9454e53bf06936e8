"""EKS rows judged by Terraform: cluster endpoint access, cluster deletion.

Requests are written as EKS's REST-JSON protocol records them (the cluster as ``name``, the
body members beside it). moto replaces a cluster's whole ``resourcesVpcConfig`` on
UpdateClusterConfig, so the calls send the full configuration, as the console does.

Not here: ``logging`` (moto keeps neither the log types a cluster is created with nor AWS's
per-type switching, so Terraform would judge moto, not us) and access entries and add-ons
(moto has no such calls); node groups are not tried yet. Those rows are checked on recorded
and API-shaped calls only (tests/catalog/test_containers_eks.py).
"""

from __future__ import annotations

from collections.abc import Callable
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
)
from tests.oracle.harness import Call, Case, World

EKS = "eks.amazonaws.com"
FIXTURE = "eks-create-cluster.json"
ROLE = "arn:aws:iam::123456789012:role/eks-cluster"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]


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


def _case(
    id_: str, event: str, act: Callable[[World], Call], address: str, hcl: str, **kw: Any
) -> Case:
    return Case(
        id=id_, event=event, source=EKS, fixture=FIXTURE, hcl=hcl, address=address, act=act, **kw
    )


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
)
