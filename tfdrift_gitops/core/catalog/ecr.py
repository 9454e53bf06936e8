"""ECR: repositories (``aws_ecr_repository``), their policies (``aws_ecr_repository_policy``)
and lifecycle policies (``aws_ecr_lifecycle_policy``).

Choices worth knowing:
- ECR speaks the AWS JSON protocol: CloudTrail's ``requestParameters`` are the request body
  (``repositoryName``, ``imageTagMutability``, ``imageScanningConfiguration.scanOnPush``,
  ``policyText``, ``lifecyclePolicyText``), as the published ``CreateRepository`` and
  ``SetRepositoryPolicy`` records show.
- All three types carry the repository name as their Terraform ``id`` (and import id).
- ``SetRepositoryPolicy`` and ``PutLifecyclePolicy`` create *or* replace: on a repository whose
  policy is not in state they are an unmanaged policy (imported by repository name). Policies
  are compared as parsed JSON (``policydoc``), so a re-indented copy of the same document is no
  drift.
- ``DeleteRepository`` (only possible with ``force`` when images remain) takes the repository's
  policy and lifecycle policy with it: every one of them in state is reported deleted.
- An absent ``image_scanning_configuration`` reads as ``scan_on_push = false`` (the AWS
  default), so turning scanning off on a repository that never had it is no drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.catalog.arn_tags import tag_rules
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    SeverityCheck,
    Target,
    first,
    id_list,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.policydoc import policy_compare, policy_text, public_grant
from tfdrift_gitops.core.catalog.presence import absent, upsert_targets
from tfdrift_gitops.core.catalog.support import boolean, optional_text, tag_pairs, text
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "ecr.amazonaws.com"
REPOSITORY = "aws_ecr_repository"
REPOSITORY_POLICY = "aws_ecr_repository_policy"
LIFECYCLE_POLICY = "aws_ecr_lifecycle_policy"

REPOSITORY_NAME: Extractor = first(
    mapped(text("repositoryName"), lambda v: v.strip() or MISSING),
    mapped(resp("repository.repositoryName"), lambda v: v.strip() if isinstance(v, str) else v),
)


KNOWN: Extractor = id_list(REPOSITORY_NAME)
"""The repository a modify or delete call needs in state (every ECR type's id is its name)."""


def scan_flag(value: Any) -> Any:
    """``scan_on_push``: absent and null are AWS's default, false."""
    if value is None or value is MISSING:
        return False
    return value if isinstance(value, bool) else str(value).strip().lower() == "true"


def mutability(value: Any) -> Any:
    """``image_tag_mutability``: absent is AWS's default, ``MUTABLE``."""
    normal = optional_text(value)
    return "MUTABLE" if normal is None else normal.upper()


# --------------------------------------------------------------------------- severity


def _tags_now_mutable(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    value = text("imageTagMutability")(event)
    if isinstance(value, str) and value.upper().startswith("MUTABLE"):
        return (
            Severity.HIGH,
            f"image_tag_mutability set to {value}: a pushed tag can be overwritten "
            "with another image",
        )
    return None


def _scan_off(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    if boolean("imageScanningConfiguration.scanOnPush")(event) is False:
        return (
            Severity.HIGH,
            "image_scanning_configuration.scan_on_push turned off: new images are no longer "
            "scanned for vulnerabilities",
        )
    return None


def _policy_public(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    why = public_grant(req("policyText")(event))
    return (Severity.CRITICAL, f"the repository policy {why}") if why else None


# --------------------------------------------------------------------------- rows

POLICY_TEXT: Extractor = mapped(req("policyText"), policy_text)
LIFECYCLE_TEXT: Extractor = mapped(req("lifecyclePolicyText"), policy_text)

CREATE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("name", REPOSITORY_NAME),
    SetAttr("image_tag_mutability", text("imageTagMutability"), mutability),
    SetAttr(
        "image_scanning_configuration[0].scan_on_push",
        boolean("imageScanningConfiguration.scanOnPush"),
        scan_flag,
    ),
    SetAttr(
        "encryption_configuration[0].encryption_type",
        text("encryptionConfiguration.encryptionType"),
        optional_text,
    ),
    SetAttr(
        "encryption_configuration[0].kms_key",
        text("encryptionConfiguration.kmsKey"),
        optional_text,
    ),
    SetAttr("tags", tag_pairs(req("tags"), key="key", value="value"), tags_map),
)


def _policy_rows(
    event: str, rtype: str, document: Extractor, description: str, *checks: SeverityCheck
) -> Rule:
    effects: tuple[Effect, ...] = (
        SetAttr("repository", REPOSITORY_NAME),
        SetAttr("policy", document, policy_compare),
    )
    return Rule(
        event,
        SOURCE,
        Action.MODIFY,
        (
            *upsert_targets(rtype, "id", REPOSITORY_NAME, effects, import_id=REPOSITORY_NAME),
            Target(
                rtype,
                "id",
                REPOSITORY_NAME,
                effects,
                action=Action.CREATE,
                guard=absent(rtype, "id", REPOSITORY_NAME),
                import_id=REPOSITORY_NAME,
            ),
        ),
        severity=Severity.HIGH if rtype == REPOSITORY_POLICY else Severity.MEDIUM,
        description=description,
        severity_checks=checks,
    )


def _repository_rule(
    event: str, effects: tuple[Effect, ...], description: str, *checks: SeverityCheck
) -> Rule:
    return Rule(
        event,
        SOURCE,
        Action.MODIFY,
        (Target(REPOSITORY, "name", REPOSITORY_NAME, effects),),
        severity=Severity.MEDIUM,
        description=description,
        severity_checks=checks,
        known_ids=KNOWN,
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "CreateRepository",
        SOURCE,
        Action.CREATE,
        (Target(REPOSITORY, "name", REPOSITORY_NAME, CREATE_EFFECTS, import_id=REPOSITORY_NAME),),
        severity=Severity.MEDIUM,
        description="repository created outside Terraform",
    ),
    _repository_rule(
        "PutImageTagMutability",
        (SetAttr("image_tag_mutability", text("imageTagMutability"), mutability),),
        "image tag mutability changed",
        _tags_now_mutable,
    ),
    _repository_rule(
        "PutImageScanningConfiguration",
        (
            SetAttr(
                "image_scanning_configuration[0].scan_on_push",
                boolean("imageScanningConfiguration.scanOnPush"),
                scan_flag,
            ),
        ),
        "scan on push changed",
        _scan_off,
    ),
    Rule(
        "DeleteRepository",
        SOURCE,
        Action.DELETE,
        (
            Target(REPOSITORY, "name", REPOSITORY_NAME),
            Target(REPOSITORY_POLICY, "id", REPOSITORY_NAME),
            Target(LIFECYCLE_POLICY, "id", REPOSITORY_NAME),
        ),
        severity=Severity.HIGH,
        description="repository deleted (with its images and policies)",
        fan_out=True,
        known_ids=KNOWN,
    ),
    _policy_rows(
        "SetRepositoryPolicy",
        REPOSITORY_POLICY,
        POLICY_TEXT,
        "repository policy set",
        _policy_public,
    ),
    Rule(
        "DeleteRepositoryPolicy",
        SOURCE,
        Action.DELETE,
        (Target(REPOSITORY_POLICY, "id", REPOSITORY_NAME),),
        severity=Severity.MEDIUM,
        description="repository policy deleted",
        known_ids=KNOWN,
    ),
    _policy_rows("PutLifecyclePolicy", LIFECYCLE_POLICY, LIFECYCLE_TEXT, "lifecycle policy set"),
    Rule(
        "DeleteLifecyclePolicy",
        SOURCE,
        Action.DELETE,
        (Target(LIFECYCLE_POLICY, "id", REPOSITORY_NAME),),
        severity=Severity.MEDIUM,
        description="lifecycle policy deleted: images are no longer expired",
        known_ids=KNOWN,
    ),
    *tag_rules(SOURCE, ((REPOSITORY, "arn"),), tag_pairs(req("tags"), key="Key", value="Value")),
)
