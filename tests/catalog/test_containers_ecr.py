"""ECR rows on API-shaped calls (``container_calls``): every row has a case that changes
something and a case that sets what state already holds (the no-op rule: no drift).
"""

from __future__ import annotations

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.container_calls import ecr
from tests.catalog.test_real_containers import (
    ECR,
    shaped,
)
from tests.catalog.test_real_others import Estate, Want, check, compact, skip, state_doc
from tfdrift_gitops.models import CloudEvent, Kind, Severity

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


@pytest.mark.parametrize(("calls", "estate", "want"), ECR_CASES)
def test_api_shaped(calls: list[CloudEvent], estate: Estate, want: Want) -> None:
    check(run_events(estate.index(), calls), len(calls), want)
