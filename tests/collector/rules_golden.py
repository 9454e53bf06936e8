"""The golden Falco rules file, rendered from a small fixed catalog so that adding catalog rows
does not change it (the sync test checks the real catalog)."""

from __future__ import annotations

from pathlib import Path

from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.catalog.model import Action, Rule, Target, req
from tfdrift_gitops.falco.rules import render_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "collector"


def small_catalog() -> Catalog:
    def rule(event: str, source: str, rtype: str, lookup: str, path: str) -> Rule:
        return Rule(
            event=event,
            source=source,
            action=Action.MODIFY,
            targets=(Target(type=rtype, lookup=lookup, id=req(path)),),
        )

    return Catalog(
        [
            rule("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", "aws_security_group", "id",
                 "groupId"),
            rule("PutBucketPolicy", "s3.amazonaws.com", "aws_s3_bucket", "bucket", "bucketName"),
            rule("UpdateFunctionConfiguration", "lambda.amazonaws.com", "aws_lambda_function",
                 "function_name", "functionName"),
        ]
    )  # fmt: skip


def rules_file() -> str:
    return render_rules(small_catalog())


GOLDEN = {"falco_rules_small.yaml": rules_file}
