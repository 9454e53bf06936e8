"""Secrets Manager: secrets, their values, resource policies and rotation.

Choices worth knowing:
- ``secretId`` may be a name or an ARN (the ARN adds six random characters): every secret
  resource is found by the secret's name (``state_keys.secret_name``), and so are the version,
  policy and rotation resources hanging off it.
- ``DeleteSecret`` schedules the deletion (``recoveryWindowInDays``, 7 to 30 days) or deletes
  at once (``forceDeleteWithoutRecovery``, critical). The provider reads a secret scheduled for
  deletion as gone, so both are *deleted* drifts; the reasons name the window.
- ``RestoreSecret`` cancels a scheduled deletion: the secret is back as it was, so joined to
  the deleted drift it leaves what replaying the calls over state says (nothing: resolved).
  The deleted drift names the restore command; an apply would create a new secret instead.
- ``UpdateSecret``/``PutSecretValue`` with a new value (``secretString`` is never logged) make
  a new version and move ``AWSCURRENT`` onto it. The ``aws_secretsmanager_secret_version``
  state holds is read by its version id, so its value does not change: its ``version_stages``
  do (``AWSCURRENT`` becomes ``AWSPREVIOUS``), which is what Terraform's plan shows and puts
  back (seen by the Terraform oracle). No value is reported, so none can reach code.
- ``PutResourcePolicy`` lands on ``aws_secretsmanager_secret_policy`` when state manages the
  policy so, else on the secret's inline ``policy``; public or service-wide grants raise the
  severity as for queues and topics. ``DeleteResourcePolicy`` empties ``policy`` on either:
  the provider reads a policy resource whose document is gone as ``policy = ""``, not as gone
  (seen by the Terraform oracle).
- ``RotateSecret`` sets ``aws_secretsmanager_secret_rotation``. Unless ``rotateImmediately``
  is false (AWS's default is true), it also starts a rotation at once: the rotation function
  (named in the call or configured before; the call fails without one) makes a new version,
  the response's ``versionId`` (botocore's model: "The ID of the new version of the secret"),
  and its last step moves ``AWSCURRENT`` onto it, so the version state holds loses
  ``AWSCURRENT`` to ``AWSPREVIOUS`` as after ``PutSecretValue``. That last step is the
  function's own ``UpdateSecretVersionStage`` call, asynchronous: the RotateSecret record says
  the rotation started, not that it finished (a failed rotation leaves ``AWSCURRENT`` where it
  was, and this drift is then one Terraform does not show). moto 5.2.6 cannot show the move
  (it runs no rotation step and leaves every version's labels as they were), so unit tests and
  the API-model check are the evidence. A call naming no settings (no
  ``rotationLambdaARN``, no ``rotationRules``: "rotate now with the stored settings") leaves
  the rotation resource as it was: no drift there, only the version's labels move; nor does it
  create an unmanaged rotation when state holds none.
- ``UpdateSecretVersionStage`` moves one staging label: off ``removeFromVersionId``, onto
  ``moveToVersionId``; moving ``AWSCURRENT`` puts ``AWSPREVIOUS`` on the version it left. It is
  the last step of every rotation (the function's own call, logged), so it is the record that
  a rotation finished; the version state holds is told by its ``version_id`` (seen by the
  Terraform oracle).
- ``CancelRotateSecret`` turns rotation off. The provider keeps the rotation resource and
  reads it with no function and no rules (``rotation_lambda_arn = ""``, ``rotation_rules``
  empty; a plan turns rotation back on): a change, high, not a deletion (seen by the
  Terraform oracle).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog.hidden import carries
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Guard,
    Rule,
    Target,
    const,
    first,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.policydoc import policy_compare, policy_text
from tfdrift_gitops.core.catalog.presence import absent, all_of, present
from tfdrift_gitops.core.catalog.resource_policy import policy_checks
from tfdrift_gitops.core.catalog.support import (
    boolean,
    integer,
    optional_text,
    request_is,
    string_list,
    tag_pairs,
    text,
    when,
    with_fallback,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.core.state_keys import secret_name
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "secretsmanager.amazonaws.com"
SM_SECRET = "aws_secretsmanager_secret"  # noqa: S105 (a resource type, not a secret)
VERSION = "aws_secretsmanager_secret_version"
POLICY = "aws_secretsmanager_secret_policy"
ROTATION = "aws_secretsmanager_secret_rotation"
KEY = "secret"


def _name(value: Any) -> Any:
    return secret_name(value) if isinstance(value, str) and value.strip() else MISSING


SECRET_NAME: Extractor = first(
    mapped(req("secretId"), _name), mapped(req("name"), _name), mapped(resp("name"), _name)
)
SECRET_ARN: Extractor = first(text("aRN"), mapped(resp("aRN"), str), mapped(resp("arn"), str))
SECRET_STRING: Extractor = first(req("secretString"), req("secretBinary"))
POLICY_DOC: Extractor = mapped(req("resourcePolicy"), policy_text)

has_version = present(VERSION, KEY, SECRET_NAME)
has_policy = present(POLICY, KEY, SECRET_NAME)


# --------------------------------------------------------------------------- severity


def _deletion(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    if request_is("forceDeleteWithoutRecovery", True)(event):
        return Severity.CRITICAL, "forceDeleteWithoutRecovery: deleted at once, no recovery"
    days = integer("recoveryWindowInDays")(event)
    window = f"{days} days" if isinstance(days, int) else "the default 30 days"
    date = resp("deletionDate")(event)
    on = f" (deleted on {date})" if isinstance(date, str) and date else ""
    return Severity.HIGH, f"deletion scheduled: recoverable for {window}{on}"


# --------------------------------------------------------------------------- rows

SECRET_EFFECTS: tuple[Effect, ...] = (
    SetAttr("description", text("description"), optional_text),
    SetAttr("kms_key_id", text("kmsKeyId"), optional_text),
)

ROTATION_EFFECTS: tuple[Effect, ...] = (
    SetAttr("rotation_lambda_arn", text("rotationLambdaARN"), optional_text),
    SetAttr(
        "rotation_rules[0].automatically_after_days",
        integer("rotationRules.automaticallyAfterDays"),
    ),
    SetAttr(
        "rotation_rules[0].schedule_expression",
        text("rotationRules.scheduleExpression"),
        optional_text,
    ),
    SetAttr("rotation_rules[0].duration", text("rotationRules.duration"), optional_text),
)


ROTATION_SETTINGS: tuple[Extractor, ...] = (req("rotationLambdaARN"), req("rotationRules"))
"""What RotateSecret may set that the provider reads back (the rows' ROTATION_EFFECTS)."""
SETTINGS_LEFT_ALONE: tuple[Extractor, ...] = (req("rotateImmediately"), req("clientRequestToken"))
"""What a RotateSecret naming no settings may carry besides the secret: when to rotate, and
the new version's id."""


def names_settings(event: CloudEvent, index: StateIndex | None) -> bool:
    """The call sets rotation settings (a guard; the state index is not needed)."""
    return any(extract(event) not in (MISSING, None) for extract in ROTATION_SETTINGS)


@dataclass(frozen=True, slots=True)
class SettingsKept:
    """RotateSecret naming no rotation settings (no ``rotationLambdaARN``, no
    ``rotationRules``): AWS rotates, or tests the function, with the stored settings, which
    stay as they are; the rotation resource changes nothing (the version's labels may: see
    :class:`RotatedNow`). Reads the fields such a call carries besides the secret
    (``rotateImmediately``, ``clientRequestToken``) so that the request-shape check counts the
    call as read (core/shape.py); a call carrying other fields is judged there as any row's
    call is (``externalSecretRotationRoleArn`` alone: resource level, the reason given).

    Reported at ``rotation_lambda_arn`` and compared as the row's own effect there: it moves
    no value, so that path shows a change only where another call moved it."""

    path: str = "rotation_lambda_arn"

    def compare(self, value: Any) -> Any:
        return optional_text(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        if names_settings(event, None):
            return False
        for extract in SETTINGS_LEFT_ALONE:
            extract(event)
        return True


CURRENT, PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"
STORES_VALUE = carries(SECRET_STRING)


def _labels(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(sorted({v for v in value if isinstance(v, str)}))


def _current_moved_off(attrs: dict[str, Any], path: str) -> bool:
    """``AWSCURRENT`` went to another version: on the one state holds it becomes
    ``AWSPREVIOUS``, and an ``AWSPREVIOUS`` there goes (AWS moves each staging label to the
    version named). False when the version holds neither."""
    labels = set(_labels(attrs.get(path)))
    if CURRENT in labels:
        labels = (labels - {CURRENT}) | {PREVIOUS}
    elif PREVIOUS in labels:
        labels.discard(PREVIOUS)
    else:
        return False
    attrs[path] = sorted(labels)
    return True


@dataclass(frozen=True, slots=True)
class CurrentMoved:
    """A new value took ``AWSCURRENT``: the version state holds keeps its value and its own
    labels, and loses ``AWSCURRENT`` (to ``AWSPREVIOUS``) or ``AWSPREVIOUS``."""

    path: str = "version_stages"

    def compare(self, value: Any) -> Any:
        # A set in the provider's schema.
        return _labels(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        if not STORES_VALUE(event):
            return False
        stages = req("versionStages")(event)
        if isinstance(stages, list) and CURRENT not in stages:
            return False
        return _current_moved_off(attrs, self.path)


def _rotating_now(flag: Extractor) -> Guard:
    """RotateSecret rotates at once unless ``rotateImmediately`` is false; false only tests
    the function (a pending version made and removed), and moves no label."""

    def guard(event: CloudEvent, index: StateIndex) -> bool:
        return flag(event) is not False

    return guard


ROTATES_NOW = _rotating_now(boolean("rotateImmediately"))


@dataclass(frozen=True, slots=True)
class RotatedNow:
    """RotateSecret rotating at once (the target's guard, ``ROTATES_NOW``): the new version
    (the response's ``versionId``) takes ``AWSCURRENT`` when the rotation function finishes,
    as a new value does (:class:`CurrentMoved`). Reads nothing of the call: the move is what
    the call's name implies, whatever rotation settings it also carries; a version holding
    neither label is read and left as it is (the call is understood, and changes nothing
    there)."""

    path: str = "version_stages"

    def compare(self, value: Any) -> Any:
        return _labels(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        _current_moved_off(attrs, self.path)
        return True


STAGE: Extractor = text("versionStage")
LEFT: Extractor = text("removeFromVersionId")
LANDED: Extractor = text("moveToVersionId")


@dataclass(frozen=True, slots=True)
class StageMoved:
    """UpdateSecretVersionStage on the version state holds (its ``version_id``): the label
    leaves it when it is ``removeFromVersionId`` and lands on it when it is
    ``moveToVersionId``; ``AWSCURRENT`` leaving a version puts ``AWSPREVIOUS`` there, so the
    other versions lose it (AWS keeps each label on one version)."""

    path: str = "version_stages"
    stage: Extractor = STAGE
    left: Extractor = LEFT
    landed: Extractor = LANDED

    def compare(self, value: Any) -> Any:
        return _labels(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        stage = self.stage(event)
        if not isinstance(stage, str) or not stage:
            return False
        left, landed = self.left(event), self.landed(event)
        version = attrs.get("version_id")
        labels = set(_labels(attrs.get(self.path)))
        if isinstance(left, str) and left:
            if version == left:
                labels.discard(stage)
                labels |= {PREVIOUS} if stage == CURRENT else set()
            elif stage == CURRENT:
                labels.discard(PREVIOUS)
        if isinstance(landed, str) and landed and version == landed:
            labels.add(stage)
            labels -= {PREVIOUS} if stage == CURRENT else set()
        attrs[self.path] = sorted(labels)
        return True


def _value_targets() -> tuple[Target, ...]:
    """The version resource state holds, when the call stores a new value."""
    return (
        Target(
            VERSION,
            KEY,
            SECRET_NAME,
            (CurrentMoved(),),
            guard=lambda e, i: STORES_VALUE(e) and has_version(e, i),
        ),
    )


def _rule(
    event: str,
    action: Action,
    targets: tuple[Target, ...],
    severity: Severity,
    description: str,
    *checks: Any,
    recovery: tuple[str, ...] = (),
    restores: bool = False,
    fan_out: bool = False,
) -> Rule:
    return Rule(
        event,
        SOURCE,
        action,
        targets,
        severity=severity,
        description=description,
        severity_checks=tuple(checks),
        recovery=recovery,
        restores=restores,
        fan_out=fan_out,
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "UpdateSecret",
        Action.MODIFY,
        (
            *_value_targets(),
            *with_fallback(
                Target(SM_SECRET, KEY, SECRET_NAME, SECRET_EFFECTS), carries(SECRET_STRING)
            ),
        ),
        Severity.MEDIUM,
        "secret changed outside Terraform",
        when(carries(SECRET_STRING), Severity.HIGH, "the secret value was replaced (not logged)"),
    ),
    _rule(
        "PutSecretValue",
        Action.MODIFY,
        (*_value_targets(), Target(SM_SECRET, KEY, SECRET_NAME, hidden=carries(SECRET_STRING))),
        Severity.HIGH,
        "the secret value was replaced (not logged)",
    ),
    _rule(
        "DeleteSecret",
        Action.DELETE,
        (Target(SM_SECRET, KEY, SECRET_NAME),),
        # Medium as a base so that the check (high or critical) records the window.
        Severity.MEDIUM,
        "secret deleted",
        _deletion,
        # Within the recovery window only (a forced delete cannot be undone).
        recovery=("aws secretsmanager restore-secret --secret-id {id}",),
    ),
    _rule(
        "RestoreSecret",
        Action.MODIFY,
        # The secret comes back as it was: under its name, with nothing else changed.
        (Target(SM_SECRET, KEY, SECRET_NAME, (SetAttr("name", SECRET_NAME, optional_text),)),),
        Severity.LOW,
        "secret deletion cancelled",
        restores=True,
    ),
    _rule(
        "CreateSecret",
        Action.CREATE,
        (
            Target(
                SM_SECRET,
                KEY,
                SECRET_NAME,
                (
                    SetAttr("name", text("name")),
                    *SECRET_EFFECTS,
                    SetAttr("tags", tag_pairs(req("tags")), tags_map),
                ),
                import_id=SECRET_ARN,
            ),
        ),
        Severity.MEDIUM,
        "secret created outside Terraform",
    ),
    _rule(
        "PutResourcePolicy",
        Action.MODIFY,
        (
            Target(
                POLICY,
                KEY,
                SECRET_NAME,
                (
                    SetAttr("policy", POLICY_DOC, policy_compare),
                    SetAttr("block_public_policy", boolean("blockPublicPolicy")),
                ),
                guard=has_policy,
            ),
            Target(
                SM_SECRET,
                KEY,
                SECRET_NAME,
                (SetAttr("policy", POLICY_DOC, policy_compare),),
                guard=absent(POLICY, KEY, SECRET_NAME),
            ),
        ),
        Severity.HIGH,
        "secret resource policy replaced",
        *policy_checks(POLICY_DOC, "secret policy"),
    ),
    _rule(
        "DeleteResourcePolicy",
        Action.DELETE,
        (
            # The provider keeps an aws_secretsmanager_secret_policy whose policy is gone and
            # reads it as "" (a plan puts the policy back): a change, not a deletion.
            Target(
                POLICY,
                KEY,
                SECRET_NAME,
                (SetAttr("policy", const(""), policy_compare),),
                action=Action.MODIFY,
                guard=has_policy,
            ),
            Target(
                SM_SECRET,
                KEY,
                SECRET_NAME,
                (SetAttr("policy", const(""), policy_compare),),
                action=Action.MODIFY,
                guard=absent(POLICY, KEY, SECRET_NAME),
            ),
        ),
        Severity.MEDIUM,
        "secret resource policy removed",
    ),
    _rule(
        "RotateSecret",
        Action.MODIFY,
        (
            Target(
                VERSION,
                KEY,
                SECRET_NAME,
                (RotatedNow(),),
                guard=all_of(ROTATES_NOW, has_version),
            ),
            # No fallback to a resource-level change: a call naming no settings is read
            # (SettingsKept) and changes nothing here; one this row cannot read at all is
            # reported at resource level with the reason (core/shape.py).
            Target(ROTATION, KEY, SECRET_NAME, (*ROTATION_EFFECTS, SettingsKept())),
            Target(
                ROTATION,
                KEY,
                SECRET_NAME,
                ROTATION_EFFECTS,
                action=Action.CREATE,
                # Rotating with the stored settings creates no rotation: one state does not
                # hold was made before, by the call that named its settings.
                guard=all_of(absent(ROTATION, KEY, SECRET_NAME), names_settings),
            ),
        ),
        Severity.MEDIUM,
        "secret rotation set outside Terraform",
        # The version's labels and the rotation settings: both change.
        fan_out=True,
    ),
    _rule(
        "UpdateSecretVersionStage",
        Action.MODIFY,
        (Target(VERSION, KEY, SECRET_NAME, (StageMoved(),)),),
        Severity.MEDIUM,
        "secret staging label moved outside Terraform",
        when(
            lambda e: STAGE(e) == CURRENT,
            Severity.HIGH,
            "AWSCURRENT moved: readers of the secret get another version",
        ),
    ),
    _rule(
        "CancelRotateSecret",
        Action.MODIFY,
        (
            Target(
                ROTATION,
                KEY,
                SECRET_NAME,
                (
                    SetAttr("rotation_lambda_arn", const(""), optional_text),
                    SetAttr("rotation_rules", const([])),
                ),
            ),
        ),
        Severity.HIGH,
        "secret rotation turned off",
    ),
    _rule(
        "TagResource",
        Action.MODIFY,
        (Target(SM_SECRET, KEY, SECRET_NAME, (MergeTags("tags", tag_pairs(req("tags"))),)),),
        Severity.LOW,
        "secret tags added",
    ),
    _rule(
        "UntagResource",
        Action.MODIFY,
        (Target(SM_SECRET, KEY, SECRET_NAME, (DropTags("tags", string_list(req("tagKeys"))),)),),
        Severity.LOW,
        "secret tags removed",
    ),
)
