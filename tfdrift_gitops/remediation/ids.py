"""Import ids, the values they are made of, resource names, and cleanup commands.

Everything here handles values that came from CloudTrail: ids are checked against the shape
the provider expects before they reach an ``import`` block, names are reduced to safe
identifiers, and every argument of a cleanup command is shell-quoted.
"""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from tfdrift_gitops.core.paths import lookup
from tfdrift_gitops.errors import RemediationError
from tfdrift_gitops.models import CloudEvent, Drift
from tfdrift_gitops.remediation.schema import ResourceSchema

log = logging.getLogger(__name__)

_FIELD = re.compile(r"\{(\w+)\}")
MAX_NAME = 64


def template_fields(template: str) -> list[str]:
    return _FIELD.findall(template)


def parse_import_id(template: str, value: str) -> dict[str, str]:
    """Split an import id by its template (``{role}/{policy_arn}`` -> role, policy_arn).

    The first field takes the shortest match: names (roles, functions) cannot hold the
    separator, while the last part (an ARN) may.
    """
    pattern = ""
    position = 0
    for match in _FIELD.finditer(template):
        pattern += re.escape(template[position : match.start()])
        pattern += (
            f"(?P<{match.group(1)}>.+?)"
            if match.end() < len(template)
            else f"(?P<{match.group(1)}>.+)"
        )
        position = match.end()
    pattern += re.escape(template[position:])
    found = re.fullmatch(pattern, value, re.S)
    return dict(found.groupdict()) if found else {}


def compose_import_id(schema: ResourceSchema, resource_id: str, attrs: Mapping[str, Any]) -> str:
    values: dict[str, str] = {"id": resource_id}
    for key, value in attrs.items():
        if isinstance(value, str):
            values[key] = value
    fields = template_fields(schema.import_id)
    if all(f in values for f in fields):
        return schema.import_id.format(**{f: values[f] for f in fields})
    return resource_id


def import_id_for(drift: Drift, schema: ResourceSchema, attrs: Mapping[str, Any]) -> str:
    """The id for ``import {}``: the catalog's extractor on the creating event, else built from
    the resource id and observed attributes; refused unless it has the expected shape."""
    candidates: list[str] = []
    from_catalog = _catalog_import_id(drift)
    if from_catalog:
        candidates.append(from_catalog)
    candidates.append(compose_import_id(schema, drift.resource.id, attrs))
    if drift.resource.id:
        candidates.append(drift.resource.id)
    for candidate in candidates:
        if schema.valid_import_id(candidate):
            return candidate
    shown = ", ".join(repr(c[:120]) for c in dict.fromkeys(candidates)) or "none"
    raise RemediationError(
        f"no valid import id for {schema.type}: candidates {shown} do not have the form the "
        f"provider expects ({schema.import_id})"
    )


def _catalog_import_id(drift: Drift) -> str | None:
    try:
        from tfdrift_gitops.core.catalog import Catalog

        catalog = Catalog.default()
    except (ImportError, ValueError) as exc:  # the catalog is optional for remediation
        log.debug("catalog unavailable for import ids: %s", exc)
        return None
    for event in (*drift.events, drift.event):
        rule = catalog.rule_for(event)
        if rule is None:
            continue
        for target in rule.targets:
            if target.type != drift.resource.type or target.import_id is None:
                continue
            try:
                value = target.import_id(event)
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
            if isinstance(value, str) and value:
                return value
    return None


def resource_name(seed: str, taken: Iterable[str]) -> str:
    """A valid, unique Terraform resource name derived from an id or name."""
    text = seed
    if text.startswith("arn:"):
        text = re.split(r"[:/]", text)[-1] or text
    text = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_").lower()
    text = re.sub(r"_+", "_", text)[:MAX_NAME].strip("_")
    if not text:
        text = "imported"
    if not re.match(r"[a-z_]", text):
        text = f"r_{text}"[:MAX_NAME]
    used = set(taken)
    name = text
    counter = 2
    while name in used:
        suffix = f"_{counter}"
        name = text[: MAX_NAME - len(suffix)] + suffix
        counter += 1
    return name


def name_seed(schema: ResourceSchema, import_id: str) -> str:
    parts = parse_import_id(schema.import_id, import_id)
    if len(parts) > 1:
        return "_".join(_short(v) for v in parts.values())
    return import_id


def _short(value: str) -> str:
    return re.split(r"[:/]", value)[-1] if value.startswith("arn:") else value


# --------------------------------------------------------------------------- cleanup


def _request(event: CloudEvent, *keys: str) -> str | None:
    for key in keys:
        for document in (event.request, event.response):
            if document is None:
                continue
            value = lookup(document, key)
            if isinstance(value, str) and value:
                return value
    return None


# Unmanaged resource type -> the AWS CLI call that removes it. ``{x}`` are parts of the import
# id (see ``ResourceSchema.import_id``); every argument is shell-quoted when rendered.
_CLEANUP: dict[str, tuple[str, ...]] = {
    "aws_security_group": ("ec2", "delete-security-group", "--group-id", "{id}"),
    "aws_instance": ("ec2", "terminate-instances", "--instance-ids", "{id}"),
    "aws_s3_bucket": ("s3api", "delete-bucket", "--bucket", "{bucket}"),
    "aws_s3_bucket_policy": ("s3api", "delete-bucket-policy", "--bucket", "{bucket}"),
    "aws_s3_bucket_public_access_block": (
        "s3api",
        "delete-public-access-block",
        "--bucket",
        "{bucket}",
    ),
    "aws_s3_bucket_server_side_encryption_configuration": (
        "s3api",
        "delete-bucket-encryption",
        "--bucket",
        "{bucket}",
    ),
    "aws_s3_bucket_lifecycle_configuration": (
        "s3api",
        "delete-bucket-lifecycle",
        "--bucket",
        "{bucket}",
    ),
    "aws_s3_bucket_cors_configuration": ("s3api", "delete-bucket-cors", "--bucket", "{bucket}"),
    "aws_s3_bucket_website_configuration": (
        "s3api",
        "delete-bucket-website",
        "--bucket",
        "{bucket}",
    ),
    "aws_s3_bucket_ownership_controls": (
        "s3api",
        "delete-bucket-ownership-controls",
        "--bucket",
        "{bucket}",
    ),
    "aws_s3_bucket_replication_configuration": (
        "s3api",
        "delete-bucket-replication",
        "--bucket",
        "{bucket}",
    ),
    "aws_s3_bucket_versioning": (
        "s3api",
        "put-bucket-versioning",
        "--bucket",
        "{bucket}",
        "--versioning-configuration",
        "Status=Suspended",
    ),
    "aws_iam_role": ("iam", "delete-role", "--role-name", "{name}"),
    "aws_iam_user": ("iam", "delete-user", "--user-name", "{name}"),
    "aws_iam_policy": ("iam", "delete-policy", "--policy-arn", "{arn}"),
    "aws_iam_role_policy_attachment": (
        "iam",
        "detach-role-policy",
        "--role-name",
        "{role}",
        "--policy-arn",
        "{policy_arn}",
    ),
    "aws_iam_user_policy_attachment": (
        "iam",
        "detach-user-policy",
        "--user-name",
        "{user}",
        "--policy-arn",
        "{policy_arn}",
    ),
    "aws_iam_role_policy": (
        "iam",
        "delete-role-policy",
        "--role-name",
        "{role}",
        "--policy-name",
        "{name}",
    ),
    "aws_iam_user_policy": (
        "iam",
        "delete-user-policy",
        "--user-name",
        "{user}",
        "--policy-name",
        "{name}",
    ),
    "aws_db_instance": (
        "rds",
        "delete-db-instance",
        "--db-instance-identifier",
        "{identifier}",
        "--final-db-snapshot-identifier",
        "{identifier}-final",
    ),
    "aws_lambda_function": ("lambda", "delete-function", "--function-name", "{function_name}"),
    "aws_lambda_permission": (
        "lambda",
        "remove-permission",
        "--function-name",
        "{function_name}",
        "--statement-id",
        "{statement_id}",
    ),
    "aws_kms_key": (
        "kms",
        "schedule-key-deletion",
        "--key-id",
        "{id}",
        "--pending-window-in-days",
        "30",
    ),
    "aws_cloudtrail": ("cloudtrail", "delete-trail", "--name", "{id}"),
    "aws_ecs_service": (
        "ecs",
        "delete-service",
        "--cluster",
        "{cluster}",
        "--service",
        "{name}",
        "--force",
    ),
    "aws_ecs_task_definition": ("ecs", "deregister-task-definition", "--task-definition", "{id}"),
    "aws_ecs_cluster": ("ecs", "delete-cluster", "--cluster", "{id}"),
    "aws_ecs_cluster_capacity_providers": (
        "ecs",
        "put-cluster-capacity-providers",
        "--cluster",
        "{cluster_name}",
        "--capacity-providers",
        "[]",
        "--default-capacity-provider-strategy",
        "[]",
    ),
    "aws_eks_cluster": ("eks", "delete-cluster", "--name", "{id}"),
    "aws_eks_node_group": (
        "eks",
        "delete-nodegroup",
        "--cluster-name",
        "{cluster_name}",
        "--nodegroup-name",
        "{node_group_name}",
    ),
    "aws_eks_addon": (
        "eks",
        "delete-addon",
        "--cluster-name",
        "{cluster_name}",
        "--addon-name",
        "{addon_name}",
    ),
    "aws_eks_access_entry": (
        "eks",
        "delete-access-entry",
        "--cluster-name",
        "{cluster_name}",
        "--principal-arn",
        "{principal_arn}",
    ),
    "aws_eks_access_policy_association": (
        "eks",
        "disassociate-access-policy",
        "--cluster-name",
        "{cluster_name}",
        "--principal-arn",
        "{principal_arn}",
        "--policy-arn",
        "{policy_arn}",
    ),
    "aws_ecr_repository": ("ecr", "delete-repository", "--repository-name", "{id}"),
    "aws_ecr_repository_policy": (
        "ecr",
        "delete-repository-policy",
        "--repository-name",
        "{repository}",
    ),
    "aws_ecr_lifecycle_policy": (
        "ecr",
        "delete-lifecycle-policy",
        "--repository-name",
        "{repository}",
    ),
}
_CLEANUP_NOTES = {
    "aws_s3_bucket": "delete-bucket fails unless the bucket is empty; check its contents before "
    "emptying it",
    "aws_s3_bucket_versioning": "versioning cannot be removed from a bucket, only suspended",
    "aws_iam_role": "detach its policies and remove it from instance profiles first "
    "(aws iam list-attached-role-policies / list-instance-profiles-for-role)",
    "aws_iam_user": "delete its access keys, login profile and policies first",
    "aws_db_instance": "a final snapshot is kept; delete it later if it is not needed",
    "aws_ecs_service": "--force deletes it without scaling it to zero first; its tasks stop",
    "aws_ecs_cluster": "delete its services first (aws ecs list-services --cluster ...)",
    "aws_ecr_repository": "delete-repository fails while images remain; add --force only after "
    "checking that nothing pulls them",
}


def cleanup_commands(
    drift: Drift, schema: ResourceSchema, import_id: str, attrs: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """(commands, notes) that remove an unmanaged resource by hand; each command is a string
    with every argument shell-quoted."""
    rtype = schema.type
    parts = {"id": import_id, **parse_import_id(schema.import_id, import_id)}
    if rtype in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        group = attrs.get("security_group_id") or _request(drift.event, "groupId")
        if not isinstance(group, str) or not group:
            raise RemediationError(f"no security group id known for rule {import_id}")
        verb = "ingress" if rtype.endswith("ingress_rule") else "egress"
        argv = [
            "aws",
            "ec2",
            f"revoke-security-group-{verb}",
            "--group-id",
            group,
            "--security-group-rule-ids",
            import_id,
        ]
    else:
        template = _CLEANUP.get(rtype)
        if template is None:
            raise RemediationError(f"no cleanup command is known for {rtype} ({import_id})")
        try:
            argv = ["aws", *(arg.format(**parts) for arg in template)]
        except KeyError as exc:
            raise RemediationError(
                f"import id {import_id!r} lacks {exc} for the cleanup command"
            ) from None
    if drift.event.region:
        argv.extend(["--region", drift.event.region])
    notes = [_CLEANUP_NOTES[rtype]] if rtype in _CLEANUP_NOTES else []
    return [shlex.join(argv)], notes
