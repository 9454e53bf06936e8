"""KMS: keys (``aws_kms_key``, ``aws_kms_key_policy``) and aliases (``aws_kms_alias``).

Choices worth knowing:
- ``keyId`` may be a key id or a key ARN; both are reduced to the key id. The key-management
  calls here do not accept aliases, so an alias gives no resource id (counted, not guessed).
- ``ScheduleKeyDeletion`` is a *deleted* drift, always critical: the provider reads a key in
  ``PendingDeletion`` as gone (the next plan wants a new key, which would not decrypt anything
  the old one encrypted). It is a deletion in progress, reversible until the window ends, so
  the row carries the recovery path (``CancelKeyDeletion``, then ``EnableKey``) and the
  severity reasons name it and the deletion date; remediation never suggests an apply.
  ``CancelKeyDeletion`` restores the key, disabled: the drift turns into a modified one
  (``is_enabled`` false), and a later ``EnableKey`` (by hand or by Terraform) resolves it.
- ``PutKeyPolicy`` compares policies as IAM documents (``policydoc``: parsed JSON, key order,
  whitespace and equivalent principal spellings do not count) and records the new policy in
  the compact form Terraform state keeps; a standalone ``aws_kms_key_policy`` is preferred over
  the key's inline ``policy`` when both are in state.
- Tags go through ``tagging`` so that a tag the provider's ``default_tags`` already set is not
  reported as a new resource tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    as_bool,
    canonical_json,
    const,
    first,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.policydoc import policy_compare, policy_text
from tfdrift_gitops.core.catalog.support import (
    boolean,
    integer,
    optional_text,
    request_is,
    string_list,
    tag_pairs,
    text,
    when,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING, items, lookup
from tfdrift_gitops.models import CloudEvent, Severity

if TYPE_CHECKING:
    from tfdrift_gitops.core.state import StateIndex

SOURCE = "kms.amazonaws.com"
KEY = "aws_kms_key"
KEY_POLICY = "aws_kms_key_policy"
ALIAS = "aws_kms_alias"


def _key_id(value: Any) -> Any:
    """A key id from a key id or key ARN; MISSING for aliases and junk."""
    if not isinstance(value, str) or not value.strip():
        return MISSING
    ref = value.strip()
    if ref.startswith("alias/") or ":alias/" in ref:
        return MISSING
    if ":key/" in ref:
        ref = ref.split(":key/", 1)[1]
    return ref or MISSING


def _key_id_compare(value: Any) -> Any:
    """``target_key_id`` may be written as an id or an ARN: compare the id."""
    normal = optional_text(value)
    if normal is None:
        return None
    key = _key_id(normal)
    return normal if key is MISSING else key


KEY_ID: Extractor = first(mapped(req("keyId"), _key_id), mapped(resp("keyId"), _key_id))
NEW_KEY_ID: Extractor = first(
    mapped(resp("keyMetadata.keyId"), _key_id), mapped(resp("keyMetadata.arn"), _key_id)
)
ALIAS_NAME: Extractor = mapped(text("aliasName"), lambda v: v.strip() or MISSING)
KMS_TAGS: Extractor = tag_pairs(req("tags"), key="tagKey", value="tagValue")


# --------------------------------------------------------------------------- severity


RECOVERY = ("aws kms cancel-key-deletion --key-id {id}", "aws kms enable-key --key-id {id}")


def _deletion_window(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str]:
    days = integer("pendingWindowInDays")(event)
    if days is MISSING:
        days = lookup(event.response, "pendingWindowInDays") if event.response else MISSING
    date = lookup(event.response, "deletionDate") if event.response else MISSING
    when_text = f" (deleted on {date})" if isinstance(date, str) and date else ""
    window = f"in {days} days" if days is not MISSING else "after the pending window"
    return (
        Severity.CRITICAL,
        f"key scheduled for deletion {window}{when_text}; Terraform already treats a key "
        "pending deletion as gone (a plan would create a new key that cannot decrypt what the "
        "old one encrypted): recover it with CancelKeyDeletion, then EnableKey; do not apply",
    )


def _statements(policy: Any) -> list[Mapping[str, Any]]:
    document = canonical_json(policy)
    if not isinstance(document, Mapping):
        return []
    found = lookup(document, "Statement")
    return [s for s in items(found) if isinstance(s, Mapping)]


def _principal_is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        aws = lookup(principal, "AWS")
        return aws == "*" or (isinstance(aws, list) and "*" in aws)
    return False


def _policy_open_to_everyone(event: CloudEvent) -> bool:
    """An Allow statement for principal ``*`` with no condition narrowing it."""
    for statement in _statements(req("policy")(event)):
        if lookup(statement, "Effect") != "Allow":
            continue
        if _principal_is_everyone(lookup(statement, "Principal")) and lookup(
            statement, "Condition"
        ) in (MISSING, None, {}):
            return True
    return False


# --------------------------------------------------------------------------- rows


def _key_rule(
    event: str,
    effects: tuple[Effect, ...],
    severity: Severity,
    description: str,
    *checks: Any,
) -> Rule:
    return Rule(
        event,
        SOURCE,
        Action.MODIFY,
        (Target(KEY, "key_id", KEY_ID, effects),),
        severity=severity,
        description=description,
        severity_checks=tuple(checks),
    )


def _standalone_policy(event: CloudEvent, index: StateIndex) -> bool:
    """The key's policy is managed as a separate ``aws_kms_key_policy`` resource."""
    key = KEY_ID(event)
    if not isinstance(key, str):
        return False
    account = event.account_id or event.actor.account_id
    return bool(index.lookup(KEY_POLICY, "key_id", key, account=account, region=event.region))


POLICY_DOCUMENT: Extractor = mapped(req("policy"), policy_text)
POLICY = SetAttr("policy", POLICY_DOCUMENT, policy_compare)

CREATE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("description", text("description"), optional_text),
    SetAttr("key_usage", text("keyUsage"), optional_text),
    SetAttr(
        "customer_master_key_spec",
        first(text("keySpec"), text("customerMasterKeySpec")),
        optional_text,
    ),
    SetAttr("multi_region", boolean("multiRegion")),
    # Keys created with external key material (origin EXTERNAL) start disabled.
    SetAttr("is_enabled", mapped(resp("keyMetadata.enabled"), as_bool)),
    SetAttr("policy", POLICY_DOCUMENT, policy_compare),
    SetAttr("tags", KMS_TAGS, tags_map),
)

RULES: tuple[Rule, ...] = (
    _key_rule(
        "DisableKey",
        (SetAttr("is_enabled", const(False)),),
        Severity.CRITICAL,
        "key disabled: everything encrypted with it is unreadable",
    ),
    _key_rule("EnableKey", (SetAttr("is_enabled", const(True)),), Severity.LOW, "key enabled"),
    Rule(
        "ScheduleKeyDeletion",
        SOURCE,
        Action.DELETE,
        (Target(KEY, "key_id", KEY_ID),),
        # High as a base so that the check (always critical) records the window as a reason.
        severity=Severity.HIGH,
        description="key scheduled for deletion (deletion in progress)",
        severity_checks=(_deletion_window,),
        recovery=RECOVERY,
    ),
    Rule(
        "CancelKeyDeletion",
        SOURCE,
        Action.MODIFY,
        # A cancelled deletion leaves the key disabled.
        (Target(KEY, "key_id", KEY_ID, (SetAttr("is_enabled", const(False)),)),),
        severity=Severity.MEDIUM,
        description="key deletion cancelled (the key stays disabled)",
        restores=True,
    ),
    Rule(
        "PutKeyPolicy",
        SOURCE,
        Action.MODIFY,
        (
            Target(KEY_POLICY, "key_id", KEY_ID, (POLICY,), guard=_standalone_policy),
            Target(KEY, "key_id", KEY_ID, (POLICY,)),
        ),
        severity=Severity.HIGH,
        description="key policy replaced",
        severity_checks=(
            when(
                _policy_open_to_everyone,
                Severity.CRITICAL,
                "the key policy allows principal * without a condition",
            ),
        ),
    ),
    _key_rule(
        "EnableKeyRotation",
        (
            SetAttr("enable_key_rotation", const(True)),
            SetAttr("rotation_period_in_days", integer("rotationPeriodInDays")),
        ),
        Severity.LOW,
        "key rotation enabled",
    ),
    _key_rule(
        "DisableKeyRotation",
        (SetAttr("enable_key_rotation", const(False)),),
        Severity.HIGH,
        "key rotation turned off",
    ),
    _key_rule(
        "UpdateKeyDescription",
        (SetAttr("description", text("description"), optional_text),),
        Severity.LOW,
        "key description changed",
    ),
    _key_rule("TagResource", (MergeTags("tags", KMS_TAGS),), Severity.LOW, "key tags added"),
    _key_rule(
        "UntagResource",
        (DropTags("tags", string_list(req("tagKeys"))),),
        Severity.LOW,
        "key tags removed",
    ),
    Rule(
        "CreateKey",
        SOURCE,
        Action.CREATE,
        (Target(KEY, "key_id", NEW_KEY_ID, CREATE_EFFECTS, import_id=NEW_KEY_ID),),
        severity=Severity.MEDIUM,
        description="key created outside Terraform",
        severity_checks=(
            when(
                _policy_open_to_everyone,
                Severity.CRITICAL,
                "the new key's policy allows principal * without a condition",
            ),
            when(
                request_is("bypassPolicyLockoutSafetyCheck", True),
                Severity.HIGH,
                "created with the policy lockout safety check bypassed",
            ),
        ),
    ),
    Rule(
        "CreateAlias",
        SOURCE,
        Action.CREATE,
        (
            Target(
                ALIAS,
                "name",
                ALIAS_NAME,
                (
                    SetAttr("name", ALIAS_NAME),
                    SetAttr("target_key_id", text("targetKeyId"), _key_id_compare),
                ),
                import_id=ALIAS_NAME,
            ),
        ),
        severity=Severity.LOW,
        description="alias created outside Terraform",
    ),
    Rule(
        "UpdateAlias",
        SOURCE,
        Action.MODIFY,
        (
            Target(
                ALIAS,
                "name",
                ALIAS_NAME,
                (SetAttr("target_key_id", text("targetKeyId"), _key_id_compare),),
            ),
        ),
        severity=Severity.HIGH,
        description="alias now points at another key",
    ),
    Rule(
        "DeleteAlias",
        SOURCE,
        Action.DELETE,
        (Target(ALIAS, "name", ALIAS_NAME),),
        severity=Severity.MEDIUM,
        description="alias deleted",
    ),
)
