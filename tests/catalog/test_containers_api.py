"""Container rows across services on API-shaped calls: tags by ARN, deletes that take their
dependants, Terraform's own re-creation, and the prefilter (it never drops a call the engine
would report, and drops calls on resources nobody manages without normalising them).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from urllib.parse import quote

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.container_calls import ecr, ecs, eks, raw
from tests.catalog.test_containers_ecr import COMMUNITY, ECR_CASES
from tests.catalog.test_containers_ecs import ECS_CASES, SERVICE
from tests.catalog.test_containers_eks import EKS_CASES, PROD
from tests.catalog.test_real_containers import API_ARN, ECR, ECS, EKS, WEB, shaped
from tests.catalog.test_real_others import Estate, Want, check, skip
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.prefilter import make_prefilter
from tfdrift_gitops.models import CloudEvent, Kind, Severity, Via

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


@pytest.mark.parametrize(("calls", "estate", "want"), TAG_CASES)
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
    verdicts = [prefilter(raw(event)) for event in calls]
    check(run_events(index, calls), len(calls), want)
    for verdict in verdicts:
        assert verdict is None or verdict == want.skipped


@pytest.mark.parametrize(("calls", "estate", "want"), GHOSTS)
def test_prefilter_drops_calls_on_unknown_resources(
    calls: list[CloudEvent], estate: Estate, want: Want
) -> None:
    prefilter = make_prefilter(Catalog.default(), known=estate.index().knows)
    assert [prefilter(raw(event)) for event in calls] == [want.skipped] * len(calls)
