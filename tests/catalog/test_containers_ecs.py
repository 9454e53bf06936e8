"""ECS rows on API-shaped calls (``container_calls``): every row has a case that changes
something and a case that sets what state already holds (the no-op rule: no drift).
"""

from __future__ import annotations

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.container_calls import ecs
from tests.catalog.test_real_containers import (
    API_ARN,
    ECS,
    WEB,
    shaped,
)
from tests.catalog.test_real_others import Estate, Want, check, skip
from tfdrift_gitops.models import CloudEvent, Kind, Severity

SERVICE = "aws_ecs_service.api"
MINER_ARN = "arn:aws:ecs:eu-west-1:111122223333:task-definition/miner:1"
NET = {"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]}}

ECS_CASES = [
    shaped(
        "ecs-update-service-desired-count",
        ecs("UpdateService", {"cluster": "web", "service": "api", "desiredCount": 5}),
        ECS,
        Want(Kind.MODIFIED, SERVICE, Severity.MEDIUM, {"desired_count": (3, 5)}),
    ),
    shaped(
        "ecs-update-service-desired-count-no-op",
        ecs("UpdateService", {"cluster": WEB, "service": API_ARN, "desiredCount": 3}),
        ECS,
        skip("no_change"),
    ),
    shaped(
        "ecs-update-service-scaled-to-zero",
        ecs("UpdateService", {"cluster": "web", "service": "api", "desiredCount": 0}),
        ECS,
        Want(Kind.MODIFIED, SERVICE, Severity.HIGH, {"desired_count": (3, 0)}, reason="runs no"),
    ),
    shaped(
        "ecs-update-service-new-revision",
        ecs("UpdateService", {"cluster": WEB, "service": "api", "taskDefinition": "api:8"}),
        ECS,
        Want(Kind.MODIFIED, SERVICE, Severity.MEDIUM, {"task_definition": ("api:7", "api:8")}),
    ),
    shaped(
        "ecs-update-service-revision-arn-equals-state",
        ecs(
            "UpdateService",
            {
                "cluster": "web",
                "service": "api",
                "taskDefinition": "arn:aws:ecs:eu-west-1:111122223333:task-definition/api:7",
            },
        ),
        ECS,
        skip("no_change"),
    ),
    shaped(
        "ecs-update-service-public-ip-and-groups",
        ecs(
            "UpdateService",
            {
                "cluster": "web",
                "service": "api",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        **NET["awsvpcConfiguration"],
                        "securityGroups": ["sg-0badc0ffee0000001"],
                        "assignPublicIp": "ENABLED",
                    }
                },
            },
        ),
        ECS,
        Want(
            Kind.MODIFIED,
            SERVICE,
            Severity.HIGH,
            {
                "network_configuration[0].security_groups": (
                    ["sg-0a1b2c3d4e5f60718"],
                    ["sg-0badc0ffee0000001"],
                ),
                "network_configuration[0].assign_public_ip": (False, True),
            },
            reason="assign_public_ip enabled",
        ),
    ),
    shaped(
        "ecs-update-service-same-network-no-op",
        ecs(
            "UpdateService",
            {
                "cluster": "web",
                "service": "api",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": list(reversed(NET["awsvpcConfiguration"]["subnets"])),
                        "securityGroups": ["sg-0a1b2c3d4e5f60718"],
                        "assignPublicIp": "DISABLED",
                    }
                },
            },
        ),
        ECS,
        skip("no_change"),
    ),
    shaped(
        "ecs-update-service-deployment-settings",
        ecs(
            "UpdateService",
            {
                "cluster": "web",
                "service": "api",
                "deploymentConfiguration": {
                    "maximumPercent": 100,
                    "minimumHealthyPercent": 50,
                    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
                },
            },
        ),
        ECS,
        Want(
            Kind.MODIFIED,
            SERVICE,
            Severity.MEDIUM,
            {
                "deployment_maximum_percent": (200, 100),
                "deployment_minimum_healthy_percent": (100, 50),
                "deployment_circuit_breaker[0].enable": (True, False),
                "deployment_circuit_breaker[0].rollback": (True, False),
            },
        ),
    ),
    shaped(
        # Nothing Terraform stores: reported without attribute changes rather than as no drift.
        "ecs-update-service-force-new-deployment-only",
        ecs("UpdateService", {"cluster": "web", "service": "api", "forceNewDeployment": True}),
        ECS,
        Want(Kind.MODIFIED, SERVICE, Severity.MEDIUM, {}),
    ),
    shaped(
        "ecs-update-service-legacy-arn-default-cluster",
        ecs("UpdateService", {"service": "worker", "desiredCount": 2}),
        ECS,
        Want(Kind.MODIFIED, "aws_ecs_service.worker", Severity.MEDIUM, {"desired_count": (1, 2)}),
    ),
    shaped(
        "ecs-update-service-other-cluster-not-in-state",
        ecs("UpdateService", {"cluster": "batch", "service": "api", "desiredCount": 5}),
        ECS,
        skip("not_in_state"),
    ),
    shaped(
        "ecs-delete-service",
        ecs("DeleteService", {"cluster": "web", "service": "api", "force": True}),
        ECS,
        Want(Kind.DELETED, SERVICE, Severity.HIGH),
    ),
    shaped(
        "ecs-create-service-public",
        ecs(
            "CreateService",
            {
                "cluster": "web",
                "serviceName": "miner",
                "desiredCount": 25,
                "taskDefinition": "miner",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": ["subnet-0123456789abcdef0"],
                        "assignPublicIp": "ENABLED",
                    }
                },
            },
        ),
        ECS,
        Want(
            Kind.UNMANAGED,
            "arn:aws:ecs:eu-west-1:111122223333:service/web/miner",
            Severity.HIGH,
            reason="public IP",
        ),
    ),
    shaped(
        "ecs-register-revision-of-managed-family",
        ecs("RegisterTaskDefinition", {"family": "api", "cpu": "512", "memory": "1024"}),
        ECS,
        Want(Kind.MODIFIED, "aws_ecs_task_definition.api", Severity.LOW, {}),
    ),
    shaped(
        "ecs-register-unknown-family",
        ecs(
            "RegisterTaskDefinition",
            {"family": "miner", "cpu": "16384", "memory": "32768", "networkMode": "awsvpc"},
            {
                "taskDefinition": {
                    "family": "miner",
                    "taskDefinitionArn": MINER_ARN,
                }
            },
        ),
        ECS,
        Want(
            Kind.UNMANAGED,
            MINER_ARN,
            Severity.LOW,
            {
                "family": (None, "miner"),
                "cpu": (None, "16384"),
                "memory": (None, "32768"),
                "network_mode": (None, "awsvpc"),
            },
        ),
    ),
    shaped(
        "ecs-deregister-revision-in-state",
        ecs("DeregisterTaskDefinition", {"taskDefinition": "api:7"}),
        ECS,
        Want(Kind.DELETED, "aws_ecs_task_definition.api", Severity.MEDIUM),
    ),
    shaped(
        "ecs-deregister-older-revision",
        ecs("DeregisterTaskDefinition", {"taskDefinition": "api:6"}),
        ECS,
        skip("not_in_state"),
    ),
    shaped(
        "ecs-cluster-settings-insights-off",
        ecs(
            "UpdateClusterSettings",
            {"cluster": "web", "settings": [{"name": "containerInsights", "value": "disabled"}]},
        ),
        ECS,
        Want(
            Kind.MODIFIED,
            "aws_ecs_cluster.web",
            Severity.LOW,
            {
                "setting": (
                    [{"name": "containerInsights", "value": "enabled"}],
                    [{"name": "containerInsights", "value": "disabled"}],
                )
            },
        ),
    ),
    shaped(
        "ecs-cluster-settings-no-op",
        ecs(
            "UpdateClusterSettings",
            {"cluster": WEB, "settings": [{"name": "containerInsights", "value": "enabled"}]},
        ),
        ECS,
        skip("no_change"),
    ),
    shaped(
        "ecs-update-cluster-exec-logging",
        ecs(
            "UpdateCluster",
            {
                "cluster": "web",
                "configuration": {"executeCommandConfiguration": {"logging": "NONE"}},
            },
        ),
        ECS,
        Want(
            Kind.MODIFIED,
            "aws_ecs_cluster.web",
            Severity.MEDIUM,
            {
                "configuration[0].execute_command_configuration[0].logging": (
                    "DEFAULT",
                    "NONE",
                )
            },
        ),
    ),
    shaped(
        "ecs-capacity-providers-replaced",
        ecs(
            "PutClusterCapacityProviders",
            {
                "cluster": "web",
                "capacityProviders": ["FARGATE_SPOT"],
                "defaultCapacityProviderStrategy": [
                    {"capacityProvider": "FARGATE_SPOT", "weight": 1}
                ],
            },
        ),
        ECS,
        Want(
            Kind.MODIFIED,
            "aws_ecs_cluster_capacity_providers.web",
            Severity.MEDIUM,
            {
                "capacity_providers": (["FARGATE", "FARGATE_SPOT"], ["FARGATE_SPOT"]),
                "default_capacity_provider_strategy": (
                    [{"base": 1, "capacity_provider": "FARGATE", "weight": 100}],
                    [{"base": 0, "capacity_provider": "FARGATE_SPOT", "weight": 1}],
                ),
            },
        ),
    ),
    shaped(
        "ecs-capacity-providers-same-other-order",
        ecs(
            "PutClusterCapacityProviders",
            {
                "cluster": "web",
                "capacityProviders": ["FARGATE_SPOT", "FARGATE"],
                "defaultCapacityProviderStrategy": [
                    {"capacityProvider": "FARGATE", "weight": 100, "base": 1}
                ],
            },
        ),
        ECS,
        skip("no_change"),
    ),
]
ECS_CASES += [
    shaped(
        "ecs-capacity-providers-on-cluster-without-them-in-state",
        ecs("PutClusterCapacityProviders", {"cluster": "jobs", "capacityProviders": ["FARGATE"]}),
        ECS,
        Want(
            Kind.UNMANAGED,
            "jobs",
            Severity.MEDIUM,
            {"cluster_name": (None, "jobs"), "capacity_providers": (None, ["FARGATE"])},
        ),
    ),
]


@pytest.mark.parametrize(("calls", "estate", "want"), ECS_CASES)
def test_api_shaped(calls: list[CloudEvent], estate: Estate, want: Want) -> None:
    check(run_events(estate.index(), calls), len(calls), want)
