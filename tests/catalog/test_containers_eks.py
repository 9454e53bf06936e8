"""EKS rows on API-shaped calls (``container_calls``): every row has a case that changes
something and a case that sets what state already holds (the no-op rule: no drift).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.container_calls import eks
from tests.catalog.test_real_containers import (
    ADMINS,
    EKS,
    ENCODED_ADMINS,
    STRATUS,
    VIEW,
    shaped,
)
from tests.catalog.test_real_others import Estate, Want, check, skip
from tfdrift_gitops.models import CloudEvent, Kind, Severity

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
        # The key (and source groups) force a new node group when the code leaves them out.
        "eks-nodegroup-created-with-ssh",
        eks(
            "CreateNodegroup",
            {
                **{k: v for k, v in NEW_NODES.items() if k not in ("labels", "taints")},
                "nodegroupName": "ssh",
                "remoteAccess": {"ec2SshKey": "ops-key", "sourceSecurityGroups": ["sg-0a1b2c"]},
            },
        ),
        EKS,
        Want(
            Kind.UNMANAGED,
            "prod:ssh",
            Severity.MEDIUM,
            {
                "cluster_name": (None, "prod"),
                "node_group_name": (None, "ssh"),
                "node_role_arn": (None, "arn:aws:iam::111122223333:role/prod-eks-nodes"),
                "subnet_ids": (None, ["subnet-0123456789abcdef0"]),
                "instance_types": (None, ["g5.xlarge"]),
                "remote_access[0].ec2_ssh_key": (None, "ops-key"),
                "remote_access[0].source_security_group_ids": (None, ["sg-0a1b2c"]),
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


@pytest.mark.parametrize(("calls", "estate", "want"), EKS_CASES)
def test_api_shaped(calls: list[CloudEvent], estate: Estate, want: Want) -> None:
    check(run_events(estate.index(), calls), len(calls), want)
