"""ACM certificates (``aws_acm_certificate``), found by ARN (their Terraform id).

Deleting a certificate in use fails, so a successful ``DeleteCertificate`` removed one nothing
served: still a deleted drift (high: the next apply re-requests it and waits for validation).
"""

from __future__ import annotations

from tfdrift_gitops.core.catalog.model import Action, Rule, Target, req
from tfdrift_gitops.core.catalog.support import tag_pairs, text
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import items, lookup
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "acm.amazonaws.com"
CERTIFICATE = "aws_acm_certificate"
ARN = text("certificateArn")


def _tag_keys(event: CloudEvent) -> list[str]:
    return [k for k in (lookup(t, "key") for t in items(req("tags")(event))) if isinstance(k, str)]


RULES: tuple[Rule, ...] = (
    Rule(
        "DeleteCertificate",
        SOURCE,
        Action.DELETE,
        (Target(CERTIFICATE, "arn", ARN),),
        severity=Severity.HIGH,
        description="certificate deleted",
    ),
    Rule(
        "AddTagsToCertificate",
        SOURCE,
        Action.MODIFY,
        (Target(CERTIFICATE, "arn", ARN, (MergeTags("tags", tag_pairs(req("tags"))),)),),
        severity=Severity.LOW,
        description="certificate tags added",
    ),
    Rule(
        "RemoveTagsFromCertificate",
        SOURCE,
        Action.MODIFY,
        (Target(CERTIFICATE, "arn", ARN, (DropTags("tags", _tag_keys),)),),
        severity=Severity.LOW,
        description="certificate tags removed",
    ),
)
