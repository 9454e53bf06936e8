"""EKS cluster access: access entries (``aws_eks_access_entry``) and access policy associations
(``aws_eks_access_policy_association``).

Choices worth knowing:
- Terraform ids: access entry ``CLUSTER:PRINCIPAL_ARN``; association
  ``CLUSTER#PRINCIPAL_ARN#POLICY_ARN`` (the provider's import ids).
- A principal ARN that travels in the URI (``AssociateAccessPolicy``, ``DeleteAccessEntry``,
  ``DisassociateAccessPolicy``) is recorded URL-encoded (``arn%3Aaws%3Aiam%3A%3A...``, as
  Stratus Red Team's detonation shows); it is decoded before any lookup.
- ``CreateAccessEntry`` and ``AssociateAccessPolicy`` on ids not in state are unmanaged grants;
  ``AssociateAccessPolicy`` on an association in state replaces its ``access_scope``.
- An association of a cluster-admin policy (``AmazonEKSClusterAdminPolicy``,
  ``AmazonEKSAdminPolicy``) raises severity: it grants that principal the whole cluster.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from tfdrift_gitops.core.catalog.eks import CLUSTER_NAME, SOURCE
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    as_set,
    first,
    id_list,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.presence import absent, upsert_targets
from tfdrift_gitops.core.catalog.support import optional_text, string_list, text
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.models import CloudEvent, Severity

ENTRY = "aws_eks_access_entry"
ASSOCIATION = "aws_eks_access_policy_association"
ADMIN_POLICIES = ("AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy")


def _arn(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return MISSING
    decoded = unquote(value.strip())
    return decoded if decoded.startswith("arn:") else MISSING


PRINCIPAL: Extractor = first(
    mapped(req("principalArn"), _arn),
    mapped(resp("accessEntry.principalArn"), _arn),
    mapped(resp("principalArn"), _arn),
)
POLICY: Extractor = first(
    mapped(req("policyArn"), _arn), mapped(resp("associatedAccessPolicy.policyArn"), _arn)
)


def _joined(separator: str, *parts: Extractor) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        values = [p(event) for p in parts]
        if any(not isinstance(v, str) or not v for v in values):
            return MISSING
        return separator.join(values)

    # Says nothing: its principal is URL-decoded (CloudTrail writes the principal of a call
    # naming it in its path encoded), so its last segment is not the plain field's.
    return extract


ENTRY_ID = _joined(":", CLUSTER_NAME, PRINCIPAL)
ASSOCIATION_ID = _joined("#", CLUSTER_NAME, PRINCIPAL, POLICY)

ENTRY_EFFECTS: tuple[Effect, ...] = (
    SetAttr("cluster_name", CLUSTER_NAME),
    SetAttr("principal_arn", PRINCIPAL),
    SetAttr("kubernetes_groups", string_list(req("kubernetesGroups")), as_set),
    SetAttr("type", first(text("type"), resp("accessEntry.type")), optional_text),
    SetAttr("user_name", text("username"), optional_text),
    SetAttr("tags", req("tags"), tags_map),
)

ASSOCIATION_EFFECTS: tuple[Effect, ...] = (
    SetAttr("cluster_name", CLUSTER_NAME),
    SetAttr("principal_arn", PRINCIPAL),
    SetAttr("policy_arn", POLICY),
    SetAttr("access_scope[0].type", text("accessScope.type")),
    SetAttr("access_scope[0].namespaces", string_list(req("accessScope.namespaces")), as_set),
)


def _cluster_admin(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    policy = POLICY(event)
    if not isinstance(policy, str) or policy.rsplit("/", 1)[-1] not in ADMIN_POLICIES:
        return None
    scope = text("accessScope.type")(event)
    where = "the whole cluster" if scope in (MISSING, "cluster") else f"{scope} scope"
    return (
        Severity.CRITICAL,
        f"{policy.rsplit('/', 1)[-1]} associated to {PRINCIPAL(event)} over {where}",
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "CreateAccessEntry",
        SOURCE,
        Action.CREATE,
        (Target(ENTRY, "id", ENTRY_ID, ENTRY_EFFECTS, import_id=ENTRY_ID),),
        severity=Severity.HIGH,
        description="access entry created outside Terraform: an IAM principal can reach the "
        "cluster",
    ),
    Rule(
        "UpdateAccessEntry",
        SOURCE,
        Action.MODIFY,
        (
            Target(
                ENTRY,
                "id",
                ENTRY_ID,
                (
                    SetAttr("kubernetes_groups", string_list(req("kubernetesGroups")), as_set),
                    SetAttr("user_name", text("username"), optional_text),
                ),
            ),
        ),
        severity=Severity.MEDIUM,
        description="access entry changed",
        known_ids=id_list(ENTRY_ID),
    ),
    Rule(
        "DeleteAccessEntry",
        SOURCE,
        Action.DELETE,
        (Target(ENTRY, "id", ENTRY_ID),),
        severity=Severity.MEDIUM,
        # Its policy associations go with it; the call does not name them.
        description="access entry deleted (with its access policy associations)",
        known_ids=id_list(ENTRY_ID),
    ),
    Rule(
        "AssociateAccessPolicy",
        SOURCE,
        Action.MODIFY,
        (
            *upsert_targets(
                ASSOCIATION, "id", ASSOCIATION_ID, ASSOCIATION_EFFECTS, import_id=ASSOCIATION_ID
            ),
            Target(
                ASSOCIATION,
                "id",
                ASSOCIATION_ID,
                ASSOCIATION_EFFECTS,
                action=Action.CREATE,
                guard=absent(ASSOCIATION, "id", ASSOCIATION_ID),
                import_id=ASSOCIATION_ID,
            ),
        ),
        severity=Severity.HIGH,
        description="access policy associated outside Terraform",
        severity_checks=(_cluster_admin,),
    ),
    Rule(
        "DisassociateAccessPolicy",
        SOURCE,
        Action.DELETE,
        (Target(ASSOCIATION, "id", ASSOCIATION_ID),),
        severity=Severity.MEDIUM,
        description="access policy disassociated",
        known_ids=id_list(ASSOCIATION_ID),
    ),
)
