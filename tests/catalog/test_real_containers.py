"""ECS, EKS and ECR rows against recorded CloudTrail and provider-v5 state.

Two kinds of calls: ``RECORDED`` replays the published records in
``tests/fixtures/cloudtrail/real/`` (``ecs-*``, ``eks-*``, ``ecr-*``; sources and licences in
its ``SOURCES.md``) as they are. ``API_SHAPED`` calls have no public record we could find: they
reuse a recorded call of the same service and replace its name and parameters with the request
body the service's API reference documents (the JSON services copy the body into
``requestParameters``, as the recorded calls show), so their shape is documented rather than
observed. The states (``tests/fixtures/states/real-{ecs,eks,ecr}.tfstate``) hold every attribute
the AWS provider 5.100.0 schema gives these types (checked below against the schema dump in
``tests/fixtures/schemas/aws-provider-5.100.0-containers.json``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import (
    RECORDS,
    Estate,
    Want,
    case,
    check,
    compact,
    records,
    skip,
    state_doc,
)
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.models import CloudEvent, Kind, Severity

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
ECS, EKS, ECR = Estate("ecs"), Estate("eks"), Estate("ecr")
WEB = "arn:aws:ecs:eu-west-1:111122223333:cluster/web"
API_ARN = "arn:aws:ecs:eu-west-1:111122223333:service/web/api"
ADMINS = "arn:aws:iam::012345678901:role/platform-admins"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
ENCODED_ADMINS = "arn%3Aaws%3Aiam%3A%3A012345678901%3Arole%2Fplatform-admins"
STRATUS = "module.sandbox"

# Recorded calls of each service whose envelope (actor, account, region) the API-shaped calls
# reuse: the ECS and EKS ones are moved to the estate's account and region.
BASES = {
    "ecs": ("ecs-create-cluster.json", "111122223333", "eu-west-1"),
    "eks": ("eks-create-cluster.json", "111122223333", "eu-west-1"),
    "eks-stratus": ("eks-create-access-entry.json", "", ""),
    "ecr": ("ecr-set-repository-policy-public.json", "", ""),
}


def api_call(base: str, name: str, request: dict[str, Any], response: Any = None) -> CloudEvent:
    file, account, region = BASES[base]
    event = records(file)[0]
    actor = replace(event.actor, account_id=account) if account else event.actor
    return replace(
        event,
        id=f"{base}-{name}",
        name=name,
        request=request,
        response=response,
        actor=actor,
        account_id=account or event.account_id,
        region=region or event.region,
    )


def shaped(call_id: str, calls: list[CloudEvent], estate: Estate, want: Want) -> Any:
    return pytest.param(calls, estate, want, id=call_id)


# --------------------------------------------------------------------------- recorded

RECORDED = [
    case(
        "ecs-create-cluster-default",
        ["ecs-create-cluster.json"],
        ECS,
        Want(Kind.UNMANAGED, "default", Severity.MEDIUM, {"name": (None, "default")}),
    ),
    case(
        "ecs-account-setting-default",
        ["ecs-put-account-setting-default.json"],
        ECS,
        Want(
            Kind.MODIFIED,
            "module.batch.aws_ecs_account_setting_default.trunking",
            Severity.LOW,
            {"value": ("disabled", "enabled")},
        ),
    ),
    case(
        "ecs-account-setting-default-unmanaged",
        ["ecs-put-account-setting-default.json"],
        Estate("ecs", drop=("module.batch.aws_ecs_account_setting_default.trunking",)),
        Want(
            Kind.UNMANAGED,
            "awsvpcTrunking",
            Severity.LOW,
            {"name": (None, "awsvpcTrunking"), "value": (None, "enabled")},
        ),
    ),
    case(
        "ecs-account-setting-default-no-op",
        ["ecs-put-account-setting-default.json"],
        Estate(
            "ecs",
            patch={"module.batch.aws_ecs_account_setting_default.trunking": {"value": "enabled"}},
        ),
        skip("no_change"),
    ),
    case(
        "eks-create-cluster-public-endpoint-by-default",
        ["eks-create-cluster.json"],
        EKS,
        Want(
            Kind.UNMANAGED,
            "test",
            Severity.HIGH,
            {
                "name": (None, "test"),
                # What an imported cluster holds (the provider cannot read it back).
                "bootstrap_self_managed_addons": (None, False),
                "role_arn": (
                    None,
                    "arn:aws:iam::111122223333:role/AWSServiceRoleForAmazonEKS-CAC1G1VH3ZKZ",
                ),
                "version": (None, "1.10"),
                "vpc_config[0].subnet_ids": (None, ["subnet-a670c2df", "subnet-4f8c5004"]),
            },
            reason="public_access_cidrs 0.0.0.0/0 (the default)",
        ),
    ),
    case(
        "eks-create-access-entry-stratus",
        ["eks-create-access-entry.json"],
        EKS,
        Want(
            Kind.UNMANAGED,
            "eks-cluster:arn:aws:iam::012345678901:role/stratus-red-team-eks-create-access-entry-role",
            Severity.HIGH,
            {
                "cluster_name": (None, "eks-cluster"),
                "principal_arn": (
                    None,
                    "arn:aws:iam::012345678901:role/stratus-red-team-eks-create-access-entry-role",
                ),
                "type": (None, "STANDARD"),
            },
        ),
    ),
    case(
        "eks-associate-cluster-admin-url-encoded-principal",
        ["eks-associate-access-policy.json"],
        EKS,
        Want(
            Kind.UNMANAGED,
            "eks-cluster#arn:aws:iam::012345678901:role/stratus-red-team-eks-create-access-entry-role"
            "#arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            Severity.CRITICAL,
            reason="AmazonEKSClusterAdminPolicy associated",
        ),
    ),
    case(
        "ecr-create-repository",
        ["ecr-create-repository.json"],
        ECR,
        Want(Kind.UNMANAGED, "testrepo", Severity.MEDIUM, {"name": (None, "testrepo")}),
    ),
    case(
        "ecr-set-public-policy-unmanaged",
        ["ecr-set-repository-policy-public.json"],
        ECR,
        Want(
            Kind.UNMANAGED,
            "community",
            Severity.CRITICAL,
            reason="any principal ('*') without a condition (statement PublicRead)",
        ),
    ),
]

PUBLIC_POLICY = json.loads(
    json.loads((RECORDS / "ecr-set-repository-policy-public.json").read_text())["Records"][0][
        "responseElements"
    ]["policyText"]
)
PRIVATE_POLICY = compact(
    json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "CiPull",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::112233445566:role/ci"},
                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                }
            ],
        }
    )
)


def _repository_policy(policy: str) -> Estate:
    return Estate(
        "ecr",
        extra=(
            (
                "aws_ecr_repository_policy",
                "community",
                {
                    "id": "community",
                    "policy": policy,
                    "registry_id": "112233445566",
                    "repository": "community",
                },
            ),
        ),
    )


RECORDED += [
    case(
        "ecr-set-public-policy-over-managed-private-one",
        ["ecr-set-repository-policy-public.json"],
        _repository_policy(PRIVATE_POLICY),
        Want(
            Kind.MODIFIED,
            "aws_ecr_repository_policy.community",
            Severity.CRITICAL,
            reason="statement PublicRead",
        ),
    ),
    case(
        # State keeps the provider's normalised JSON; the call sent the same document compact.
        "ecr-set-policy-same-document-no-op",
        ["ecr-set-repository-policy-public.json"],
        _repository_policy(json.dumps(PUBLIC_POLICY, sort_keys=True)),
        skip("no_change"),
    ),
]


@pytest.mark.parametrize(("files", "estate", "want"), RECORDED)
def test_recorded(files: list[str], estate: Estate, want: Want) -> None:
    events = records(*files)
    check(run_events(estate.index(), events), len(events), want)


def test_every_container_record_is_replayed() -> None:
    used = {name for param in RECORDED for name in param.values[0]}
    present = {
        p.name for p in RECORDS.glob("*.json") if p.name.startswith(("ecs-", "eks-", "ecr-"))
    }
    assert present - used == set()


# --------------------------------------------------------------------------- state fixtures

PROVIDER = json.loads((SCHEMA / "aws-provider-5.100.0-containers.json").read_text())


def _schema_mismatches(path: str, attrs: Any, block: dict[str, Any]) -> list[str]:
    """Keys the provider's schema block does not know, or knows but state lacks."""
    known = {**block.get("attributes", {}), **block.get("block_types", {})}
    problems = [f"{path}.{k}: not in the schema" for k in attrs if k not in {*known, "timeouts"}]
    problems += [f"{path}.{k}: missing" for k in known if k not in attrs]
    for name, nested in block.get("block_types", {}).items():
        for position, item in enumerate(attrs.get(name) or []):
            problems += _schema_mismatches(f"{path}.{name}[{position}]", item, nested["block"])
    return problems


@pytest.mark.parametrize("service", ["ecs", "eks", "ecr"])
def test_state_fixtures_have_the_provider_schema_attributes(service: str) -> None:
    """Every attribute and block of the provider 5.100.0 schema, and nothing else; the
    instance schema versions are the provider's."""
    for resource in state_doc(service)["resources"]:
        schema = PROVIDER[resource["type"]]
        instance = resource["instances"][0]
        assert instance["schema_version"] == schema["version"], resource["type"]
        where = f"{resource['type']}.{resource['name']}"
        assert _schema_mismatches(where, instance["attributes"], schema["block"]) == []


def test_every_catalog_type_of_these_services_has_a_schema_and_a_state_fixture() -> None:
    types = {
        t.type
        for rule in Catalog.default()
        if rule.source in ("ecs.amazonaws.com", "eks.amazonaws.com", "ecr.amazonaws.com")
        for t in rule.targets
    }
    in_states = {
        r["type"] for service in ("ecs", "eks", "ecr") for r in state_doc(service)["resources"]
    }
    assert types <= set(PROVIDER)
    # The repository policy is added per case (Estate.extra): its attributes are checked here.
    assert types - in_states == {"aws_ecr_repository_policy"}
    _, _, policy = _repository_policy(PRIVATE_POLICY).extra[0]
    block = PROVIDER["aws_ecr_repository_policy"]["block"]
    assert _schema_mismatches("aws_ecr_repository_policy", policy, block) == []
