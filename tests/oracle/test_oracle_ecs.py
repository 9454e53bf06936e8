"""ECS rows judged by Terraform: clusters, capacity providers, task definitions.

Requests are written in the shape of the published records (ECS's JSON protocol: the request
body is ``requestParameters``), with the values moto answered.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.oracle.checks import (  # noqa: F401
    test_changes_agree_with_terraform,
    test_every_written_file_validates,
    test_import_plan_summary,
    test_import_plans_no_change,
    test_no_drift_outside_the_cases,
    test_revert_plans_the_drift_back,
    test_unmanaged_import_plans_as_import_only,
    test_unmanaged_is_outside_terraform,
)
from tests.oracle.harness import Call, Case, World

ECS = "ecs.amazonaws.com"
FIXTURE = "ecs-create-cluster.json"

# aws_ecs_service is not here: the provider (5.100.0) crashes on moto's CreateService answer
# (nil pointer dereference); nor is aws_ecs_account_setting_default: an apply with it did not
# finish within the harness's ten minutes here (not investigated further). Those rows are
# checked against recorded and API-shaped calls only (tests/catalog/test_containers_ecs.py).


def _capacity(name: str) -> str:
    return f"""
resource "aws_ecs_cluster" "{name}" {{
  name = "{name.replace("_", "-")}"
}}

resource "aws_ecs_cluster_capacity_providers" "{name}" {{
  cluster_name       = aws_ecs_cluster.{name}.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {{
    capacity_provider = "FARGATE"
    weight            = 100
    base              = 1
  }}
}}
"""


def _cluster(name: str, insights: str) -> str:
    return f"""
resource "aws_ecs_cluster" "{name}" {{
  name = "{name.replace("_", "-")}"

  setting {{
    name  = "containerInsights"
    value = "{insights}"
  }}
}}
"""


def spot_only(world: World) -> Call:
    strategy = [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    world.client("ecs").put_cluster_capacity_providers(
        cluster="spot",
        capacityProviders=["FARGATE_SPOT"],
        defaultCapacityProviderStrategy=strategy,
    )
    return Call(
        {
            "cluster": "spot",
            "capacityProviders": ["FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": strategy,
        }
    )


def insights_off(world: World) -> Call:
    # moto answers UpdateClusterSettings with a 500; UpdateCluster sets the same settings.
    settings = [{"name": "containerInsights", "value": "disabled"}]
    world.client("ecs").update_cluster(cluster="insights", settings=settings)
    return Call({"cluster": "insights", "settings": settings})


def create_cluster(world: World) -> Call:
    answer = world.client("ecs").create_cluster(clusterName="hand-made")
    cluster = answer["cluster"]
    return Call(
        {"clusterName": "hand-made"},
        {"cluster": {"clusterArn": cluster["clusterArn"], "clusterName": "hand-made"}},
    )


def register_family(world: World) -> Call:
    definitions = [{"name": "x", "image": "busybox:1.36", "memory": 64, "essential": True}]
    answer = world.client("ecs").register_task_definition(
        family="hand-family", containerDefinitions=definitions
    )
    arn = answer["taskDefinition"]["taskDefinitionArn"]
    return Call(
        {"family": "hand-family", "containerDefinitions": json.loads(json.dumps(definitions))},
        {"taskDefinition": {"family": "hand-family", "taskDefinitionArn": arn}},
    )


def delete_cluster(world: World) -> Call:
    answer = world.client("ecs").delete_cluster(cluster="cluster-gone")
    return Call(
        {"cluster": "cluster-gone"},
        {"cluster": {"clusterArn": answer["cluster"]["clusterArn"], "status": "INACTIVE"}},
    )


def tag_cluster(world: World) -> Call:
    arn = world.attrs("aws_ecs_cluster.cluster_tagged")["arn"]
    world.client("ecs").tag_resource(resourceArn=arn, tags=[{"key": "owner", "value": "alan"}])
    return Call({"resourceArn": arn, "tags": [{"key": "owner", "value": "alan"}]})


def untag_cluster(world: World) -> Call:
    arn = world.attrs("aws_ecs_cluster.cluster_untagged")["arn"]
    world.client("ecs").untag_resource(resourceArn=arn, tagKeys=["team"])
    return Call({"resourceArn": arn, "tagKeys": ["team"]})


def deregister(world: World) -> Call:
    arn = world.attrs("aws_ecs_task_definition.family_gone")["arn"]
    world.client("ecs").deregister_task_definition(taskDefinition=arn)
    return Call(
        {"taskDefinition": arn},
        {"taskDefinition": {"taskDefinitionArn": arn, "status": "INACTIVE"}},
    )


def _plain(name: str, extra: str = "") -> str:
    return f"""
resource "aws_ecs_cluster" "{name}" {{
  name = "{name.replace("_", "-")}"
{extra}}}
"""


TAGS = '  tags = {\n    team = "core"\n  }\n'
FAMILY = """
resource "aws_ecs_task_definition" "family_gone" {
  family = "family-gone"
  container_definitions = jsonencode([{
    name      = "x"
    image     = "busybox:1.36"
    memory    = 64
    essential = true
  }])
}
"""


def _case(
    id_: str, event: str, act: Callable[[World], Call], address: str, hcl: str, **kw: Any
) -> Case:
    return Case(
        id=id_, event=event, source=ECS, fixture=FIXTURE, hcl=hcl, address=address, act=act, **kw
    )


CASES = (
    _case(
        "insights",
        "UpdateCluster",
        insights_off,
        "aws_ecs_cluster.insights",
        _cluster("insights", "enabled"),
    ),
    _case(
        "spot",
        "PutClusterCapacityProviders",
        spot_only,
        "aws_ecs_cluster_capacity_providers.spot",
        _capacity("spot"),
    ),
    _case(
        "cluster_created",
        "CreateCluster",
        create_cluster,
        "aws_ecs_cluster",
        "",
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "family_created",
        "RegisterTaskDefinition",
        register_family,
        "aws_ecs_task_definition",
        "",
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "cluster_gone",
        "DeleteCluster",
        delete_cluster,
        "aws_ecs_cluster.cluster_gone",
        _plain("cluster_gone"),
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "cluster_tagged",
        "TagResource",
        tag_cluster,
        "aws_ecs_cluster.cluster_tagged",
        _plain("cluster_tagged", TAGS),
    ),
    _case(
        "cluster_untagged",
        "UntagResource",
        untag_cluster,
        "aws_ecs_cluster.cluster_untagged",
        _plain("cluster_untagged", TAGS),
    ),
    _case(
        "family_gone",
        "DeregisterTaskDefinition",
        deregister,
        "aws_ecs_task_definition.family_gone",
        FAMILY,
        kind="deleted",
        strategies=("import",),
    ),
)
