"""ECS, EKS and ECR rows on calls no public record shows: API-shaped.

Each call reuses a recorded call of its service (``test_real_containers.api_call``) with the
request body the service's API reference documents for that action. Every row has a case that
changes something and a case that sets what state already holds (the no-op rule: no drift).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_containers import (
    ADMINS,
    API_ARN,
    ECR,
    ECS,
    EKS,
    ENCODED_ADMINS,
    STRATUS,
    VIEW,
    WEB,
    api_call,
    shaped,
)
from tests.catalog.test_real_others import Estate, Want, check, compact, skip, state_doc
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.prefilter import make_prefilter
from tfdrift_gitops.models import CloudEvent, Kind, Severity, Via

SERVICE = "aws_ecs_service.api"
MINER_ARN = "arn:aws:ecs:eu-west-1:111122223333:task-definition/miner:1"
NET = {"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]}}


def ecs(name: str, request: dict[str, Any], response: Any = None) -> list[CloudEvent]:
    return [api_call("ecs", name, request, response)]


def eks(name: str, request: dict[str, Any], stratus: bool = False) -> list[CloudEvent]:
    return [api_call("eks-stratus" if stratus else "eks", name, request)]


def ecr(name: str, request: dict[str, Any]) -> list[CloudEvent]:
    return [api_call("ecr", name, request)]


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

PROD = "aws_eks_cluster.prod"
NODES = "aws_eks_node_group.general"
ASSOCIATION = f"{STRATUS}.aws_eks_access_policy_association.admins_view"

EKS_CASES = [
    shaped(
        "eks-endpoint-opened-to-the-world",
        eks(
            "UpdateClusterConfig",
            {"name": "prod", "resourcesVpcConfig": {"endpointPublicAccess": True}},
        ),
        EKS,
        Want(
            Kind.MODIFIED,
            PROD,
            Severity.HIGH,
            {"vpc_config[0].endpoint_public_access": (False, True)},
            reason="public_access_cidrs 0.0.0.0/0: the Kubernetes API endpoint is reachable",
        ),
    ),
    shaped(
        "eks-endpoint-opened-to-one-range",
        eks(
            "UpdateClusterConfig",
            {
                "name": "prod",
                "resourcesVpcConfig": {
                    "endpointPublicAccess": True,
                    "publicAccessCidrs": ["203.0.113.0/24"],
                },
            },
        ),
        EKS,
        Want(
            Kind.MODIFIED,
            PROD,
            Severity.MEDIUM,
            {
                "vpc_config[0].endpoint_public_access": (False, True),
                "vpc_config[0].public_access_cidrs": (["0.0.0.0/0"], ["203.0.113.0/24"]),
            },
        ),
    ),
    shaped(
        "eks-endpoint-config-no-op",
        eks(
            "UpdateClusterConfig",
            {
                "name": "prod",
                "resourcesVpcConfig": {
                    "endpointPublicAccess": False,
                    "endpointPrivateAccess": True,
                },
            },
        ),
        EKS,
        skip("no_change"),
    ),
    shaped(
        "eks-audit-logs-off",
        eks(
            "UpdateClusterConfig",
            {
                "name": "prod",
                "logging": {"clusterLogging": [{"types": ["audit"], "enabled": False}]},
            },
        ),
        EKS,
        Want(
            Kind.MODIFIED,
            PROD,
            Severity.HIGH,
            {"enabled_cluster_log_types": (["api", "audit"], ["api"])},
            reason="audit logs turned off",
        ),
    ),
    shaped(
        "eks-logs-already-on-no-op",
        eks(
            "UpdateClusterConfig",
            {
                "name": "prod",
                "logging": {
                    "clusterLogging": [
                        {"types": ["audit", "api"], "enabled": True},
                        {"types": ["scheduler"], "enabled": False},
                    ]
                },
            },
        ),
        EKS,
        skip("no_change"),
    ),
    shaped(
        "eks-version-upgrade",
        eks("UpdateClusterVersion", {"name": "prod", "version": "1.30"}),
        EKS,
        Want(Kind.MODIFIED, PROD, Severity.MEDIUM, {"version": ("1.29", "1.30")}),
    ),
    shaped(
        "eks-version-no-op",
        eks("UpdateClusterVersion", {"name": "prod", "version": "1.29"}),
        EKS,
        skip("no_change"),
    ),
    shaped(
        "eks-secrets-encryption",
        eks(
            "AssociateEncryptionConfig",
            {
                "name": "prod",
                "encryptionConfig": [
                    {
                        "resources": ["secrets"],
                        "provider": {"keyArn": "arn:aws:kms:eu-west-1:111122223333:key/k-1"},
                    }
                ],
            },
        ),
        EKS,
        Want(
            Kind.MODIFIED,
            PROD,
            Severity.LOW,
            {
                "encryption_config[0].resources": (None, ["secrets"]),
                "encryption_config[0].provider[0].key_arn": (
                    None,
                    "arn:aws:kms:eu-west-1:111122223333:key/k-1",
                ),
            },
        ),
    ),
    shaped(
        "eks-delete-cluster",
        eks("DeleteCluster", {"name": "prod"}),
        EKS,
        Want(Kind.DELETED, PROD, Severity.HIGH),
    ),
    shaped(
        "eks-nodegroup-scaling-labels-taints",
        eks(
            "UpdateNodegroupConfig",
            {
                "name": "prod",
                "nodegroupName": "general",
                "scalingConfig": {"desiredSize": 5, "minSize": 2, "maxSize": 10},
                "labels": {"addOrUpdateLabels": {"tier": "web"}, "removeLabels": ["role"]},
                "taints": {
                    "addOrUpdateTaints": [
                        {"key": "dedicated", "value": "web", "effect": "NO_SCHEDULE"}
                    ]
                },
            },
        ),
        EKS,
        Want(
            Kind.MODIFIED,
            NODES,
            Severity.MEDIUM,
            {
                "scaling_config[0].desired_size": (3, 5),
                "scaling_config[0].max_size": (6, 10),
                "labels": ({"role": "general"}, {"tier": "web"}),
                "taint": (
                    [{"effect": "NO_SCHEDULE", "key": "dedicated", "value": "general"}],
                    [{"effect": "NO_SCHEDULE", "key": "dedicated", "value": "web"}],
                ),
            },
        ),
    ),
    shaped(
        "eks-nodegroup-config-no-op",
        eks(
            "UpdateNodegroupConfig",
            {
                "name": "prod",
                "nodegroupName": "general",
                "scalingConfig": {"desiredSize": 3, "minSize": 2, "maxSize": 6},
                "labels": {"addOrUpdateLabels": {"role": "general"}},
            },
        ),
        EKS,
        skip("no_change"),
    ),
    shaped(
        "eks-nodegroup-taint-removed",
        eks(
            "UpdateNodegroupConfig",
            {
                "name": "prod",
                "nodegroupName": "general",
                "taints": {"removeTaints": [{"key": "dedicated", "effect": "NO_SCHEDULE"}]},
            },
        ),
        EKS,
        Want(
            Kind.MODIFIED,
            NODES,
            Severity.MEDIUM,
            {"taint": ([{"effect": "NO_SCHEDULE", "key": "dedicated", "value": "general"}], [])},
        ),
    ),
    shaped(
        "eks-nodegroup-version",
        eks(
            "UpdateNodegroupVersion",
            {"name": "prod", "nodegroupName": "general", "version": "1.30"},
        ),
        EKS,
        Want(Kind.MODIFIED, NODES, Severity.MEDIUM, {"version": ("1.29", "1.30")}),
    ),
    shaped(
        "eks-nodegroup-delete",
        eks("DeleteNodegroup", {"name": "prod", "nodegroupName": "general"}),
        EKS,
        Want(Kind.DELETED, NODES, Severity.HIGH),
    ),
    shaped(
        "eks-addon-update",
        eks(
            "UpdateAddon",
            {"name": "prod", "addonName": "vpc-cni", "addonVersion": "v1.18.3-eksbuild.2"},
        ),
        EKS,
        Want(
            Kind.MODIFIED,
            "aws_eks_addon.vpc_cni",
            Severity.MEDIUM,
            {"addon_version": ("v1.18.1-eksbuild.1", "v1.18.3-eksbuild.2")},
        ),
    ),
    shaped(
        "eks-addon-update-no-op",
        eks(
            "UpdateAddon",
            {"name": "prod", "addonName": "vpc-cni", "addonVersion": "v1.18.1-eksbuild.1"},
        ),
        EKS,
        skip("no_change"),
    ),
    shaped(
        "eks-addon-delete",
        eks("DeleteAddon", {"name": "prod", "addonName": "vpc-cni", "preserve": True}),
        EKS,
        Want(Kind.DELETED, "aws_eks_addon.vpc_cni", Severity.MEDIUM),
    ),
    shaped(
        "eks-association-scope-narrowed",
        eks(
            "AssociateAccessPolicy",
            {
                "name": "eks-cluster",
                "principalArn": ENCODED_ADMINS,
                "policyArn": VIEW,
                "accessScope": {"type": "namespace", "namespaces": ["payments"]},
            },
            stratus=True,
        ),
        EKS,
        Want(
            Kind.MODIFIED,
            ASSOCIATION,
            Severity.HIGH,
            {
                "access_scope[0].type": ("cluster", "namespace"),
                "access_scope[0].namespaces": ([], ["payments"]),
            },
        ),
    ),
    shaped(
        "eks-association-same-scope-no-op",
        eks(
            "AssociateAccessPolicy",
            {
                "name": "eks-cluster",
                "principalArn": ENCODED_ADMINS,
                "policyArn": VIEW,
                "accessScope": {"type": "cluster"},
            },
            stratus=True,
        ),
        EKS,
        skip("no_change"),
    ),
    shaped(
        "eks-disassociate-url-encoded",
        eks(
            "DisassociateAccessPolicy",
            {
                "name": "eks-cluster",
                "principalArn": ENCODED_ADMINS,
                "policyArn": quote(VIEW, safe=""),
            },
            stratus=True,
        ),
        EKS,
        Want(Kind.DELETED, ASSOCIATION, Severity.MEDIUM),
    ),
    shaped(
        "eks-delete-access-entry",
        eks(
            "DeleteAccessEntry",
            {"name": "eks-cluster", "principalArn": ENCODED_ADMINS},
            stratus=True,
        ),
        EKS,
        Want(Kind.DELETED, f"{STRATUS}.aws_eks_access_entry.admins", Severity.MEDIUM),
    ),
    shaped(
        "eks-update-access-entry-groups",
        eks(
            "UpdateAccessEntry",
            {"name": "eks-cluster", "principalArn": ADMINS, "kubernetesGroups": ["ops"]},
            stratus=True,
        ),
        EKS,
        Want(
            Kind.MODIFIED,
            f"{STRATUS}.aws_eks_access_entry.admins",
            Severity.MEDIUM,
            {"kubernetes_groups": ([], ["ops"])},
        ),
    ),
]

NEW_NODES = {
    "name": "prod",
    "nodegroupName": "gpu",
    "nodeRole": "arn:aws:iam::111122223333:role/prod-eks-nodes",
    "subnets": ["subnet-0123456789abcdef0"],
    "instanceTypes": ["g5.xlarge"],
    "scalingConfig": {"minSize": 0, "maxSize": 4, "desiredSize": 1},
    "labels": {"accelerator": "nvidia"},
    "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}],
}

EKS_CASES += [
    shaped(
        "eks-nodegroup-created",
        eks("CreateNodegroup", NEW_NODES),
        EKS,
        Want(
            Kind.UNMANAGED,
            "prod:gpu",
            Severity.MEDIUM,
            {
                "cluster_name": (None, "prod"),
                "node_group_name": (None, "gpu"),
                "node_role_arn": (None, "arn:aws:iam::111122223333:role/prod-eks-nodes"),
                "subnet_ids": (None, ["subnet-0123456789abcdef0"]),
                "instance_types": (None, ["g5.xlarge"]),
                "labels": (None, {"accelerator": "nvidia"}),
                "taint": (
                    None,
                    [{"effect": "NO_SCHEDULE", "key": "nvidia.com/gpu", "value": "true"}],
                ),
                "scaling_config[0].desired_size": (None, 1),
                "scaling_config[0].min_size": (None, 0),
                "scaling_config[0].max_size": (None, 4),
            },
        ),
    ),
    shaped(
        "eks-addon-installed",
        eks(
            "CreateAddon",
            {
                "name": "prod",
                "addonName": "aws-ebs-csi-driver",
                "addonVersion": "v1.30.0-eksbuild.1",
            },
        ),
        EKS,
        Want(
            Kind.UNMANAGED,
            "prod:aws-ebs-csi-driver",
            Severity.MEDIUM,
            {
                "cluster_name": (None, "prod"),
                "addon_name": (None, "aws-ebs-csi-driver"),
                "addon_version": (None, "v1.30.0-eksbuild.1"),
            },
        ),
    ),
]

LIFECYCLE = state_doc("ecr")["resources"][1]["instances"][0]["attributes"]["policy"]
COMMUNITY = "aws_ecr_repository.community"

ECR_CASES = [
    shaped(
        "ecr-tags-made-mutable",
        ecr(
            "PutImageTagMutability",
            {"repositoryName": "community", "imageTagMutability": "MUTABLE"},
        ),
        ECR,
        Want(
            Kind.MODIFIED,
            COMMUNITY,
            Severity.HIGH,
            {"image_tag_mutability": ("IMMUTABLE", "MUTABLE")},
            reason="image_tag_mutability set to MUTABLE",
        ),
    ),
    shaped(
        "ecr-tags-immutable-no-op",
        ecr(
            "PutImageTagMutability",
            {"repositoryName": "community", "imageTagMutability": "IMMUTABLE"},
        ),
        ECR,
        skip("no_change"),
    ),
    shaped(
        "ecr-scan-on-push-off",
        ecr(
            "PutImageScanningConfiguration",
            {"repositoryName": "community", "imageScanningConfiguration": {"scanOnPush": False}},
        ),
        ECR,
        Want(
            Kind.MODIFIED,
            COMMUNITY,
            Severity.HIGH,
            {"image_scanning_configuration[0].scan_on_push": (True, False)},
            reason="scan_on_push turned off",
        ),
    ),
    shaped(
        "ecr-scan-on-push-on-no-op",
        ecr(
            "PutImageScanningConfiguration",
            {"repositoryName": "community", "imageScanningConfiguration": {"scanOnPush": True}},
        ),
        ECR,
        skip("no_change"),
    ),
    shaped(
        "ecr-lifecycle-replaced",
        ecr(
            "PutLifecyclePolicy",
            {
                "repositoryName": "community",
                "lifecyclePolicyText": '{"rules":[{"rulePriority":1,"selection":{"tagStatus":'
                '"any","countType":"imageCountMoreThan","countNumber":1000},"action":'
                '{"type":"expire"}}]}',
            },
        ),
        ECR,
        Want(Kind.MODIFIED, "aws_ecr_lifecycle_policy.community", Severity.MEDIUM),
    ),
    shaped(
        "ecr-lifecycle-same-document-no-op",
        ecr(
            "PutLifecyclePolicy",
            {"repositoryName": "community", "lifecyclePolicyText": compact(LIFECYCLE) + "\n"},
        ),
        ECR,
        skip("no_change"),
    ),
    shaped(
        "ecr-lifecycle-deleted",
        ecr("DeleteLifecyclePolicy", {"repositoryName": "community"}),
        ECR,
        Want(Kind.DELETED, "aws_ecr_lifecycle_policy.community", Severity.MEDIUM),
    ),
    shaped(
        "ecr-policy-deleted-not-in-state",
        ecr("DeleteRepositoryPolicy", {"repositoryName": "community"}),
        ECR,
        skip("not_in_state"),
    ),
]


PROD_ARN = "arn:aws:eks:eu-west-1:111122223333:cluster/prod"
COMMUNITY_ARN = "arn:aws:ecr:eu-west-1:112233445566:repository/community"

TAG_CASES = [
    shaped(
        "ecs-tag-service",
        ecs("TagResource", {"resourceArn": API_ARN, "tags": [{"key": "owner", "value": "alan"}]}),
        ECS,
        Want(Kind.MODIFIED, SERVICE, Severity.LOW, {"tags": ({}, {"owner": "alan"})}),
    ),
    shaped(
        "ecs-untag-cluster",
        ecs("UntagResource", {"resourceArn": WEB, "tagKeys": ["team"]}),
        ECS,
        Want(
            Kind.MODIFIED, "aws_ecs_cluster.web", Severity.LOW, {"tags": ({"team": "platform"}, {})}
        ),
    ),
    shaped(
        "ecs-untag-absent-key-no-op",
        ecs("UntagResource", {"resourceArn": WEB, "tagKeys": ["cost-centre"]}),
        ECS,
        skip("no_change"),
    ),
    shaped(
        "eks-tag-cluster-url-encoded-arn",
        eks("TagResource", {"resourceArn": quote(PROD_ARN, safe=""), "tags": {"env": "prod"}}),
        EKS,
        Want(Kind.MODIFIED, PROD, Severity.LOW, {"tags": ({}, {"env": "prod"})}),
    ),
    shaped(
        "ecr-tag-repository",
        ecr(
            "TagResource", {"resourceArn": COMMUNITY_ARN, "tags": [{"Key": "team", "Value": "ml"}]}
        ),
        ECR,
        Want(Kind.MODIFIED, COMMUNITY, Severity.LOW, {"tags": ({}, {"team": "ml"})}),
    ),
]


@pytest.mark.parametrize(
    ("calls", "estate", "want"), [*ECS_CASES, *EKS_CASES, *ECR_CASES, *TAG_CASES]
)
def test_api_shaped(calls: list[CloudEvent], estate: Estate, want: Want) -> None:
    check(run_events(estate.index(), calls), len(calls), want)


@pytest.mark.parametrize(
    ("calls", "estate", "deleted"),
    [
        pytest.param(
            ecs("DeleteCluster", {"cluster": "web"}),
            ECS,
            {"aws_ecs_cluster.web", "aws_ecs_cluster_capacity_providers.web"},
            id="ecs-delete-cluster-takes-its-capacity-providers",
        ),
        pytest.param(
            ecr("DeleteRepository", {"repositoryName": "community", "force": True}),
            ECR,
            {COMMUNITY, "aws_ecr_lifecycle_policy.community"},
            id="ecr-delete-repository-takes-its-lifecycle-policy",
        ),
    ],
)
def test_deletes_that_take_dependants(
    calls: list[CloudEvent], estate: Estate, deleted: set[str]
) -> None:
    outcome = run_events(estate.index(), calls)
    assert {d.resource.address for d in outcome.open} == deleted
    assert {d.kind for d in outcome.open} == {Kind.DELETED}


def test_terraform_recreating_a_deleted_policy_resolves_it() -> None:
    """SetRepositoryPolicy by Terraform after a hand-made delete is the provider's create."""
    from tests.catalog.conftest import TERRAFORM_UA
    from tests.catalog.test_real_containers import _repository_policy

    deleted = ecr("DeleteRepositoryPolicy", {"repositoryName": "community"})[0]
    again = ecr("SetRepositoryPolicy", {"repositoryName": "community", "policyText": "{}"})[0]
    terraform = replace(again.actor, user_agent=TERRAFORM_UA, via=Via.TERRAFORM)
    later = replace(again, actor=terraform, id="tf", time=deleted.time + timedelta(minutes=5))
    outcome = run_events(_repository_policy("{}").index(), [deleted, later])
    assert outcome.open == []
    assert [d.kind for d in outcome.resolved] == [Kind.DELETED]


def _raw(event: CloudEvent) -> dict[str, Any]:
    """The record as a trail delivers it: what the prefilter sees before normalisation."""
    return {
        "eventVersion": "1.08",
        "eventTime": event.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": event.source,
        "eventName": event.name,
        "eventID": event.id,
        "awsRegion": event.region,
        "requestParameters": event.request,
        "responseElements": event.response,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "recipientAccountId": event.account_id,
    }


GHOSTS = [
    shaped(
        "ecs-update-unknown-service",
        ecs("UpdateService", {"cluster": "web", "service": "ghost", "desiredCount": 1}),
        ECS,
        skip("not_in_state"),
    ),
    shaped(
        "eks-update-unknown-node-group",
        eks(
            "UpdateNodegroupConfig",
            {"name": "prod", "nodegroupName": "ghost", "scalingConfig": {"desiredSize": 1}},
        ),
        EKS,
        skip("not_in_state"),
    ),
    shaped(
        "ecr-untag-unknown-repository",
        ecr(
            "UntagResource",
            {
                "resourceArn": "arn:aws:ecr:eu-west-1:112233445566:repository/ghost",
                "tagKeys": ["team"],
            },
        ),
        ECR,
        skip("not_in_state"),
    ),
]


@pytest.mark.parametrize(
    ("calls", "estate", "want"), [*ECS_CASES, *EKS_CASES, *ECR_CASES, *TAG_CASES, *GHOSTS]
)
def test_prefilter_skips_only_what_the_engine_skips(
    calls: list[CloudEvent], estate: Estate, want: Want
) -> None:
    """A call the prefilter drops without normalising is one the engine skips for the same
    reason; the unknown ones are dropped early."""
    index = estate.index()
    prefilter = make_prefilter(Catalog.default(), known=index.knows)
    verdicts = [prefilter(_raw(event)) for event in calls]
    check(run_events(index, calls), len(calls), want)
    for verdict in verdicts:
        assert verdict is None or verdict == want.skipped


@pytest.mark.parametrize(("calls", "estate", "want"), GHOSTS)
def test_prefilter_drops_calls_on_unknown_resources(
    calls: list[CloudEvent], estate: Estate, want: Want
) -> None:
    prefilter = make_prefilter(Catalog.default(), known=estate.index().knows)
    assert [prefilter(_raw(event)) for event in calls] == [want.skipped] * len(calls)
