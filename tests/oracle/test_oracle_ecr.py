"""ECR rows judged by Terraform: repositories, repository policies and lifecycle policies.

Requests and responses are written in the shapes of the published records (ECR's JSON
protocol: the request body is ``requestParameters``), with the values moto answered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from tests.oracle.checks import (  # noqa: F401
    test_changes_agree_with_terraform,
    test_deletion_agrees_with_terraform,
    test_every_written_file_validates,
    test_import_plan_summary,
    test_import_plans_no_change,
    test_no_drift_outside_the_cases,
    test_plan_files_read_as_terraform_shows_them,
    test_removed_block_plans_cleanly,
    test_revert_plans_the_drift_back,
    test_unmanaged_import_plans_as_import_only,
    test_unmanaged_is_outside_terraform,
)
from tests.oracle.harness import Call, Case, World

ECR = "ecr.amazonaws.com"
FIXTURE = "ecr-create-repository.json"
LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "expire untagged",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
            "action": {"type": "expire"},
        }
    ]
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "CiPull",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }
    ],
}


def _repository(
    name: str, mutability: str = "IMMUTABLE", scan: bool = True, extra: str = ""
) -> str:
    return f"""
resource "aws_ecr_repository" "{name}" {{
  name                 = "{name.replace("_", "-")}"
  image_tag_mutability = "{mutability}"
{extra}
  image_scanning_configuration {{
    scan_on_push = {str(scan).lower()}
  }}
}}
"""


def _policy(kind: str, name: str, document: Mapping[str, Any]) -> str:
    return f"""
resource "aws_ecr_{kind}" "{name}" {{
  repository = aws_ecr_repository.{name}.name
  policy     = jsonencode({json.dumps(document)})
}}
"""


def make_mutable(world: World) -> Call:
    answer = world.client("ecr").put_image_tag_mutability(
        repositoryName="repo-mutable", imageTagMutability="MUTABLE"
    )
    request = {"repositoryName": "repo-mutable", "imageTagMutability": "MUTABLE"}
    return Call(
        request, {k: answer[k] for k in ("registryId", "repositoryName", "imageTagMutability")}
    )


def keep_immutable(world: World) -> Call:
    world.client("ecr").put_image_tag_mutability(
        repositoryName="repo-noop", imageTagMutability="IMMUTABLE"
    )
    return Call({"repositoryName": "repo-noop", "imageTagMutability": "IMMUTABLE"})


def scan_off(world: World) -> Call:
    world.client("ecr").put_image_scanning_configuration(
        repositoryName="repo-scan", imageScanningConfiguration={"scanOnPush": False}
    )
    request = {"repositoryName": "repo-scan", "imageScanningConfiguration": {"scanOnPush": False}}
    return Call(request, request)


def delete_repository(world: World) -> Call:
    world.client("ecr").delete_repository(repositoryName="repo-deleted", force=True)
    return Call({"repositoryName": "repo-deleted", "force": True})


def create_repository(world: World) -> Call:
    answer = world.client("ecr").create_repository(repositoryName="hand-made")
    repo = answer["repository"]
    return Call(
        {"repositoryName": "hand-made"},
        {
            "repository": {
                "repositoryArn": repo["repositoryArn"],
                "repositoryName": repo["repositoryName"],
                "registryId": repo["registryId"],
            }
        },
    )


def open_policy(world: World) -> Call:
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                }
            ],
        }
    )
    world.client("ecr").set_repository_policy(repositoryName="repo-policy", policyText=text)
    return Call({"repositoryName": "repo-policy", "policyText": text, "force": False})


def drop_lifecycle(world: World) -> Call:
    world.client("ecr").delete_lifecycle_policy(repositoryName="repo-lifecycle")
    return Call({"repositoryName": "repo-lifecycle"})


def put_lifecycle(world: World) -> Call:
    document = json.loads(json.dumps(LIFECYCLE))
    document["rules"][0]["selection"]["countNumber"] = 3
    text = json.dumps(document)
    world.client("ecr").put_lifecycle_policy(
        repositoryName="repo-lifecycle-put", lifecyclePolicyText=text
    )
    return Call(
        {"repositoryName": "repo-lifecycle-put", "lifecyclePolicyText": text},
        {"repositoryName": "repo-lifecycle-put", "lifecyclePolicyText": text},
    )


def drop_policy(world: World) -> Call:
    world.client("ecr").delete_repository_policy(repositoryName="repo-policy-gone")
    return Call({"repositoryName": "repo-policy-gone"})


def tag_repository(world: World) -> Call:
    arn = world.attrs("aws_ecr_repository.repo_tagged")["arn"]
    tags = [{"Key": "owner", "Value": "alan"}]
    world.client("ecr").tag_resource(resourceArn=arn, tags=tags)
    return Call({"resourceArn": arn, "tags": tags})


def untag_repository(world: World) -> Call:
    arn = world.attrs("aws_ecr_repository.repo_untagged")["arn"]
    world.client("ecr").untag_resource(resourceArn=arn, tagKeys=["team"])
    return Call({"resourceArn": arn, "tagKeys": ["team"]})


TAGS = '  tags = {\n    team = "core"\n  }\n'


def _case(
    id_: str, event: str, act: Callable[[World], Call], address: str, hcl: str, **kw: Any
) -> Case:
    return Case(
        id=id_, event=event, source=ECR, fixture=FIXTURE, hcl=hcl, address=address, act=act, **kw
    )


CASES = (
    _case(
        "repo_mutable",
        "PutImageTagMutability",
        make_mutable,
        "aws_ecr_repository.repo_mutable",
        _repository("repo_mutable"),
    ),
    _case(
        "repo_noop",
        "PutImageTagMutability",
        keep_immutable,
        "aws_ecr_repository.repo_noop",
        _repository("repo_noop"),
        kind="noop",
    ),
    _case(
        "repo_scan",
        "PutImageScanningConfiguration",
        scan_off,
        "aws_ecr_repository.repo_scan",
        _repository("repo_scan"),
    ),
    _case(
        "repo_deleted",
        "DeleteRepository",
        delete_repository,
        "aws_ecr_repository.repo_deleted",
        _repository("repo_deleted"),
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "repo_created",
        "CreateRepository",
        create_repository,
        "aws_ecr_repository",
        "",
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "repo_policy",
        "SetRepositoryPolicy",
        open_policy,
        "aws_ecr_repository_policy.repo_policy",
        _repository("repo_policy") + _policy("repository_policy", "repo_policy", POLICY),
    ),
    _case(
        "repo_lifecycle",
        "DeleteLifecyclePolicy",
        drop_lifecycle,
        "aws_ecr_lifecycle_policy.repo_lifecycle",
        _repository("repo_lifecycle") + _policy("lifecycle_policy", "repo_lifecycle", LIFECYCLE),
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "repo_lifecycle_put",
        "PutLifecyclePolicy",
        put_lifecycle,
        "aws_ecr_lifecycle_policy.repo_lifecycle_put",
        _repository("repo_lifecycle_put")
        + _policy("lifecycle_policy", "repo_lifecycle_put", LIFECYCLE),
    ),
    _case(
        "repo_policy_gone",
        "DeleteRepositoryPolicy",
        drop_policy,
        "aws_ecr_repository_policy.repo_policy_gone",
        _repository("repo_policy_gone") + _policy("repository_policy", "repo_policy_gone", POLICY),
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "repo_tagged",
        "TagResource",
        tag_repository,
        "aws_ecr_repository.repo_tagged",
        _repository("repo_tagged", extra=TAGS),
    ),
    _case(
        "repo_untagged",
        "UntagResource",
        untag_repository,
        "aws_ecr_repository.repo_untagged",
        _repository("repo_untagged", extra=TAGS),
    ),
)
