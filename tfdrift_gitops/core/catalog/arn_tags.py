"""``TagResource`` / ``UntagResource`` rows for services that tag any resource by its ARN.

ECS, EKS and ECR name the tagged resource by ``resourceArn`` (EKS puts it in the URI, so it
may be recorded URL-encoded) and differ only in the tag list's shape. Each resource type the
ARN may name is a target, looked up by the state attribute that holds its ARN.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from tfdrift_gitops.core.catalog.model import (
    Action,
    Extractor,
    Rule,
    Target,
    id_list,
    mapped,
    req,
)
from tfdrift_gitops.core.catalog.support import string_list
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.models import Severity


def _arn(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return MISSING
    decoded = unquote(value.strip())
    return decoded if decoded.startswith("arn:") else MISSING


RESOURCE_ARN: Extractor = mapped(req("resourceArn"), _arn)


def tag_rules(
    source: str, types: tuple[tuple[str, str], ...], tags: Extractor
) -> tuple[Rule, Rule]:
    """The two rows; ``types`` are (resource type, state attribute holding its ARN)."""
    merge = (MergeTags("tags", tags),)
    drop = (DropTags("tags", string_list(req("tagKeys"))),)
    return (
        Rule(
            "TagResource",
            source,
            Action.MODIFY,
            tuple(Target(rtype, key, RESOURCE_ARN, merge) for rtype, key in types),
            severity=Severity.LOW,
            description="tags added or changed",
            known_ids=id_list(RESOURCE_ARN),
        ),
        Rule(
            "UntagResource",
            source,
            Action.MODIFY,
            tuple(Target(rtype, key, RESOURCE_ARN, drop) for rtype, key in types),
            severity=Severity.LOW,
            description="tags removed",
            known_ids=id_list(RESOURCE_ARN),
        ),
    )
