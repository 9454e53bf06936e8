"""Remediation of ECS, EKS and ECR drifts found by the real detector.

Drifts come from the container catalog cases (recorded and API-shaped calls, replayed against
the provider-v5 state fixtures); the code they patch is a small configuration of the same
estate. Modifies patch literal values in place, unmanaged creates become ``resource`` +
``import {}`` with the provider's import id, deletes become ``removed {}``; no computed
attribute is ever written, and every file stays ``terraform fmt`` clean.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.container_calls import ecr, ecs, eks
from tests.catalog.test_containers_eks import NEW_NODES
from tests.catalog.test_real_containers import ECR, ECS, EKS
from tests.catalog.test_real_others import Estate, records
from tfdrift_gitops.models import CloudEvent, Drift, Kind
from tfdrift_gitops.remediation import remediate
from tfdrift_gitops.remediation.schema import schema_for

CODE = """\
resource "aws_ecs_service" "api" {
  name            = "api"
  cluster         = aws_ecs_cluster.web.arn
  task_definition = "api:7"
  desired_count   = 3
  launch_type     = "FARGATE"

  network_configuration {
    subnets          = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
    security_groups  = ["sg-0a1b2c3d4e5f60718"]
    assign_public_ip = false
  }
}

resource "aws_eks_cluster" "prod" {
  name                      = "prod"
  role_arn                  = "arn:aws:iam::111122223333:role/prod-eks-cluster"
  version                   = "1.29"
  enabled_cluster_log_types = ["api", "audit"]

  vpc_config {
    subnet_ids              = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
    security_group_ids      = ["sg-0e1f2a3b4c5d6e7f8"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}

resource "aws_eks_node_group" "general" {
  cluster_name    = aws_eks_cluster.prod.name
  node_group_name = "general"
  node_role_arn   = "arn:aws:iam::111122223333:role/prod-eks-nodes"
  subnet_ids      = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]

  scaling_config {
    desired_size = 3
    max_size     = 6
    min_size     = 2
  }
}

resource "aws_ecr_repository" "community" {
  name                 = "community"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_lifecycle_policy" "community" {
  repository = aws_ecr_repository.community.name
  policy     = file("${path.module}/lifecycle.json")
}
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    live = tmp_path / "live"
    live.mkdir()
    (live / "containers.tf").write_text(CODE)
    (live / "lifecycle.json").write_text('{"rules": []}\n')
    return live


def drift_of(estate: Estate, events: list[CloudEvent]) -> Drift:
    outcome = run_events(estate.index(), events)
    assert len(outcome.open) == 1, outcome
    return outcome.open[0]


def _fmt_clean(text: str) -> None:
    done = subprocess.run(
        ["terraform", "fmt", "-check", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


MODIFIES = [
    pytest.param(
        ECS,
        ecs("UpdateService", {"cluster": "web", "service": "api", "desiredCount": 5}),
        ["  desired_count   = 5\n"],
        id="ecs-desired-count",
    ),
    pytest.param(
        ECS,
        ecs(
            "UpdateService",
            {
                "cluster": "web",
                "service": "api",
                "taskDefinition": "api:8",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
                        "assignPublicIp": "ENABLED",
                    }
                },
            },
        ),
        ['  task_definition = "api:8"\n', "    assign_public_ip = true\n"],
        id="ecs-task-definition-and-public-ip",
    ),
    pytest.param(
        EKS,
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
        ["endpoint_public_access = true", 'public_access_cidrs = ["203.0.113.0/24"]'],
        id="eks-endpoint",
    ),
    pytest.param(
        EKS,
        eks(
            "UpdateClusterConfig",
            {
                "name": "prod",
                "logging": {"clusterLogging": [{"types": ["audit"], "enabled": False}]},
            },
        ),
        ['enabled_cluster_log_types = ["api"]'],
        id="eks-logging",
    ),
    pytest.param(
        EKS,
        eks(
            "UpdateNodegroupConfig",
            {"name": "prod", "nodegroupName": "general", "scalingConfig": {"desiredSize": 5}},
        ),
        ["    desired_size = 5\n"],
        id="eks-node-group-scaling",
    ),
    pytest.param(
        ECR,
        ecr(
            "PutImageTagMutability",
            {"repositoryName": "community", "imageTagMutability": "MUTABLE"},
        ),
        ['image_tag_mutability = "MUTABLE"'],
        id="ecr-mutability",
    ),
    pytest.param(
        ECR,
        ecr(
            "PutImageScanningConfiguration",
            {"repositoryName": "community", "imageScanningConfiguration": {"scanOnPush": False}},
        ),
        ["    scan_on_push = false\n"],
        id="ecr-scan-on-push",
    ),
]


@pytest.mark.parametrize(("estate", "events", "expected"), MODIFIES)
def test_modify_patches_the_literal(
    workdir: Path, estate: Estate, events: list[CloudEvent], expected: list[str]
) -> None:
    result = remediate(drift_of(estate, events), workdir, "import")
    assert result.ok, result
    text = result.files["live/containers.tf"]
    squeezed = re.sub(r" +", " ", text)
    for line in expected:
        assert re.sub(r" +", " ", line) in squeezed
    _fmt_clean(text)


def test_a_value_from_an_expression_is_not_overwritten(workdir: Path) -> None:
    """The lifecycle policy comes from ``file(...)``: named as a refusal, code untouched."""
    events = ecr(
        "PutLifecyclePolicy",
        {"repositoryName": "community", "lifecyclePolicyText": '{"rules":[{"rulePriority":2}]}'},
    )
    result = remediate(drift_of(ECR, events), workdir, "import")
    assert "live/containers.tf" not in result.files or result.files["live/containers.tf"] == CODE
    assert result.refusals


UNMANAGED = [
    pytest.param(
        EKS,
        records("eks-create-cluster.json"),
        "aws_eks_cluster",
        "test",
        id="eks-cluster",
    ),
    pytest.param(
        EKS,
        records("eks-associate-access-policy.json"),
        "aws_eks_access_policy_association",
        "eks-cluster#arn:aws:iam::012345678901:role/stratus-red-team-eks-create-access-entry-role"
        "#arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        id="eks-access-policy-association",
    ),
    pytest.param(
        EKS,
        records("eks-create-access-entry.json"),
        "aws_eks_access_entry",
        "eks-cluster:arn:aws:iam::012345678901:role/stratus-red-team-eks-create-access-entry-role",
        id="eks-access-entry",
    ),
    pytest.param(
        Estate("ecs", drop=("module.batch.aws_ecs_account_setting_default.trunking",)),
        records("ecs-put-account-setting-default.json"),
        "aws_ecs_account_setting_default",
        "awsvpcTrunking",
        id="ecs-account-setting-default",
    ),
    pytest.param(
        EKS,
        eks("CreateNodegroup", NEW_NODES),
        "aws_eks_node_group",
        "prod:gpu",
        id="eks-node-group",
    ),
    pytest.param(
        EKS,
        eks("CreateAddon", {"name": "prod", "addonName": "coredns"}),
        "aws_eks_addon",
        "prod:coredns",
        id="eks-addon",
    ),
    pytest.param(
        ECR,
        records("ecr-create-repository.json"),
        "aws_ecr_repository",
        "testrepo",
        id="ecr-repository",
    ),
    pytest.param(
        ECR,
        records("ecr-set-repository-policy-public.json"),
        "aws_ecr_repository_policy",
        "community",
        id="ecr-repository-policy",
    ),
    pytest.param(
        ECS, records("ecs-create-cluster.json"), "aws_ecs_cluster", "default", id="ecs-cluster"
    ),
    pytest.param(
        ECS,
        ecs(
            "CreateService",
            {
                "cluster": "web",
                "serviceName": "miner",
                "desiredCount": 25,
                "taskDefinition": "miner:1",
                "launchType": "FARGATE",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": ["subnet-0123456789abcdef0"],
                        "assignPublicIp": "ENABLED",
                    }
                },
            },
        ),
        "aws_ecs_service",
        "web/miner",
        id="ecs-service",
    ),
]


@pytest.mark.parametrize(("estate", "events", "rtype", "import_id"), UNMANAGED)
def test_unmanaged_becomes_resource_and_import(
    workdir: Path, estate: Estate, events: list[CloudEvent], rtype: str, import_id: str
) -> None:
    drift = drift_of(estate, events)
    assert drift.kind is Kind.UNMANAGED
    result = remediate(drift, workdir, "import")
    assert result.ok, result
    written = "".join(t for p, t in result.files.items() if t != CODE)
    assert f'resource "{rtype}" ' in written
    assert re.search(r"import \{\s+to\s+= " + re.escape(rtype) + r"\.\w+\s+id\s+= ", written)
    assert f'"{import_id}"' in written
    schema = schema_for(rtype)
    assigned = set(re.findall(r"^  (\w+)\s+=", written, re.M)) - {"to", "id"}
    assert assigned and all(schema.classify(name) == "configurable" for name in assigned)
    for text in result.files.values():
        _fmt_clean(text)


DELETES = [
    pytest.param(
        ECS,
        ecs("DeleteService", {"cluster": "web", "service": "api"}),
        "aws_ecs_service.api",
        id="ecs-service",
    ),
    pytest.param(
        EKS,
        eks("DeleteNodegroup", {"name": "prod", "nodegroupName": "general"}),
        "aws_eks_node_group.general",
        id="eks-node-group",
    ),
]


@pytest.mark.parametrize(("estate", "events", "address"), DELETES)
def test_delete_becomes_removed(
    workdir: Path, estate: Estate, events: list[CloudEvent], address: str
) -> None:
    result = remediate(drift_of(estate, events), workdir, "import")
    assert result.ok, result
    written = "".join(result.files.values())
    assert re.search(r"removed \{\s+from = " + re.escape(address), written)
    for text in result.files.values():
        _fmt_clean(text)


def test_delete_of_a_referenced_cluster_names_the_reference(workdir: Path) -> None:
    result = remediate(drift_of(EKS, eks("DeleteCluster", {"name": "prod"})), workdir, "import")
    assert not result.ok
    assert any("live/containers.tf:30" in r.where for r in result.refusals)


def test_generated_imports_validate_with_the_real_provider(tmp_path: Path) -> None:
    """Every block the unmanaged cases generate, together, passes ``terraform validate`` with
    hashicorp/aws 5.100.0 (required arguments present, names and nesting the provider's)."""
    from tests.oracle.terraform import (
        PROVIDER_VERSION,
        Terraform,
        cli_config,
        find_mirror,
        terraform_binary,
    )

    binary = terraform_binary()
    if binary is None:
        pytest.skip("terraform is not on PATH")
    blocks: list[str] = []
    for position, param in enumerate(UNMANAGED):
        estate, events = param.values[0], param.values[1]
        assert isinstance(estate, Estate) and isinstance(events, list)
        repo = tmp_path / f"case{position}" / "repo"
        live = repo / "live"
        live.mkdir(parents=True)
        (repo / ".git").mkdir()
        (live / "containers.tf").write_text(CODE)
        result = remediate(drift_of(estate, events), live, "import")
        blocks += [t for t in result.files.values() if t != CODE]
    check = tmp_path / "validate"
    check.mkdir()
    cache = tmp_path / "cache"
    cache.mkdir()
    config = tmp_path / "cli.tfrc"
    config.write_text(cli_config(find_mirror(), cache))
    (check / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        f'      version = "{PROVIDER_VERSION}"\n    }}\n  }}\n}}\n'
        'provider "aws" {\n  region = "eu-west-1"\n}\n'
    )
    for position, text in enumerate(blocks):
        (check / f"imports_{position}.tf").write_text(text)
    terraform = Terraform(binary, config)
    terraform.init(check)
    terraform.validate(check)


@pytest.mark.parametrize(
    ("estate", "events", "command"),
    [
        pytest.param(
            EKS,
            records("eks-associate-access-policy.json"),
            "aws eks disassociate-access-policy --cluster-name eks-cluster --principal-arn "
            "arn:aws:iam::012345678901:role/stratus-red-team-eks-create-access-entry-role "
            "--policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy "
            "--region us-east-1",
            id="eks-access-policy-association",
        ),
        pytest.param(
            ECR,
            records("ecr-set-repository-policy-public.json"),
            "aws ecr delete-repository-policy --repository-name community --region eu-west-1",
            id="ecr-repository-policy",
        ),
        pytest.param(
            ECS,
            UNMANAGED[-1].values[1],
            "aws ecs delete-service --cluster web --service miner --force --region eu-west-1",
            id="ecs-service",
        ),
    ],
)
def test_revert_of_unmanaged_gives_the_cleanup_command(
    workdir: Path, estate: Estate, events: list[CloudEvent], command: str
) -> None:
    result = remediate(drift_of(estate, events), workdir, "revert")
    assert result.cleanup_commands == (command,)
    assert result.files == {} or all(t == CODE for t in result.files.values())
