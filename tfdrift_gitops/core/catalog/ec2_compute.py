"""EC2 compute around instances: ``aws_launch_template``, ``aws_volume_attachment`` and an
instance's ``iam_instance_profile``; and IAM's ``aws_iam_instance_profile``.

Choices worth knowing:
- Newer EC2 APIs log their request wrapped (``CreateLaunchTemplateVersionRequest.ImageId``);
  rows accept that form and the flat camelCase one (:func:`ec2_effects.wrapped`).
- The provider reads a launch template's *latest* version into state, so a version made by
  hand drifts the template's arguments. Only fields the new version sets are modelled; a
  version made without ``SourceVersion`` also drops what it leaves out, which CloudTrail cannot
  show, so such a call is never taken as proof that a drift was undone.
- A volume attachment is found by its volume id (``state_keys.DERIVED_KEYS``); its import id is
  ``DEVICE:VOLUME:INSTANCE``.
- Replace/Disassociate instance-profile calls name only the association: the instance id comes
  from the response. ``iam_instance_profile`` holds the profile *name*; an ARN is reduced to it.
"""

from __future__ import annotations

from typing import Any

from tfdrift_gitops.core.catalog.ec2_effects import spec_tags, unwrap, wrapped
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    as_int,
    as_set,
    as_str,
    const,
    first,
    mapped,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    HIDDEN,
    optional_text,
    text,
    with_fallback,
)
from tfdrift_gitops.core.paths import MISSING, items
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "ec2.amazonaws.com"
TEMPLATE = "aws_launch_template"
VOLUME_ATTACHMENT = "aws_volume_attachment"
INSTANCE = "aws_instance"
VOLUME_KEY = "attached_volume"
"""State key of ``aws_volume_attachment``: its volume id (``state_keys.DERIVED_KEYS``)."""


def _text_of(extractor: Extractor) -> Extractor:
    return mapped(extractor, lambda v: as_str(v) if as_str(v) else MISSING)


def _template_field(call: str, name: str) -> Extractor:
    return _text_of(wrapped(f"{call}Request", name))


def _data(call: str, name: str) -> Extractor:
    return wrapped(f"{call}Request", f"LaunchTemplateData.{name}")


def _template_id(call: str) -> Extractor:
    return _template_field(call, "LaunchTemplateId")


def _template_name(call: str) -> Extractor:
    return _template_field(call, "LaunchTemplateName")


def _template_targets(
    call: str, effects: tuple[Effect, ...], action: Action | None = None
) -> tuple[Target, ...]:
    """A template named by id, else by name."""
    by_id = Target(TEMPLATE, "id", _template_id(call), effects, action=action)
    by_name = Target(TEMPLATE, "name", _template_name(call), effects, action=action)
    if not effects:
        return by_id, by_name
    return (*with_fallback(by_id, _user_data_hidden(call)), *with_fallback(by_name))


def _user_data_hidden(call: str) -> Any:
    def hidden(event: CloudEvent) -> bool:
        data = _data(call, "UserData")(event)
        whole = wrapped(f"{call}Request", "LaunchTemplateData")(event)
        return data == HIDDEN or (
            call == "CreateLaunchTemplateVersion"
            and whole is not MISSING
            and _template_field(call, "SourceVersion")(event) is MISSING
        )

    return hidden


def _group_ids(call: str) -> Extractor:
    """Wrapped requests list ids as XML-style items, each possibly ``{"content": id}``."""

    def ids(value: Any) -> Any:
        found = [as_str(unwrap(v)) for v in items(value)]
        return [v for v in found if isinstance(v, str) and v] or MISSING

    return mapped(_data(call, "SecurityGroupId"), ids)


def _version_effects(call: str) -> tuple[Effect, ...]:
    return (
        SetAttr("image_id", _text_of(_data(call, "ImageId")), optional_text),
        SetAttr("instance_type", _text_of(_data(call, "InstanceType")), optional_text),
        SetAttr("key_name", _text_of(_data(call, "KeyName")), optional_text),
        SetAttr("vpc_security_group_ids", _group_ids(call), as_set),
        SetAttr("user_data", _text_of(_data(call, "UserData")), optional_text),
        SetAttr(
            "iam_instance_profile[0].name",
            _text_of(_data(call, "IamInstanceProfile.Name")),
            optional_text,
        ),
        SetAttr(
            "iam_instance_profile[0].arn",
            _text_of(_data(call, "IamInstanceProfile.Arn")),
            optional_text,
        ),
        SetAttr(
            "metadata_options[0].http_tokens",
            _text_of(_data(call, "MetadataOptions.HttpTokens")),
            optional_text,
        ),
    )


NEW_TEMPLATE_ID = first(
    _text_of(resp("CreateLaunchTemplateResponse.launchTemplate.launchTemplateId")),
    _text_of(resp("launchTemplate.launchTemplateId")),
)


# --------------------------------------------------------------------------- volumes


_VOLUME: Extractor = first(text("volumeId"), _text_of(resp("volumeId")))


def _attachment_import_id(event: CloudEvent) -> Any:
    parts = [first(text(k), _text_of(resp(k)))(event) for k in ("device", "volumeId", "instanceId")]
    if any(p is MISSING for p in parts):
        return MISSING
    return ":".join(str(p) for p in parts)


# --------------------------------------------------------------------------- instance profiles


def _profile_name(value: Any) -> Any:
    """``arn:aws:iam::123456789012:instance-profile/path/name`` -> ``name``."""
    text_value = as_str(value)
    if not isinstance(text_value, str) or not text_value:
        return MISSING
    return text_value.rsplit("/", 1)[-1] if text_value.startswith("arn:") else text_value


def _association(call: str, name: str) -> Extractor:
    return first(
        _text_of(resp(f"iamInstanceProfileAssociation.{name}")),
        _text_of(resp(f"{call}Response.iamInstanceProfileAssociation.{name}")),
    )


def _profile_instance(call: str) -> Extractor:
    return first(_template_field(call, "InstanceId"), _association(call, "instanceId"))


def _new_profile(call: str) -> Extractor:
    return first(
        mapped(wrapped(f"{call}Request", "IamInstanceProfile.Name"), _profile_name),
        mapped(wrapped(f"{call}Request", "IamInstanceProfile.Arn"), _profile_name),
        mapped(_association(call, "iamInstanceProfile.arn"), _profile_name),
    )


def _profile_rule(call: str, profile: Extractor, severity: Severity, about: str) -> Rule:
    return Rule(
        call,
        SOURCE,
        Action.MODIFY,
        with_fallback(
            Target(
                INSTANCE,
                "id",
                _profile_instance(call),
                (SetAttr("iam_instance_profile", profile, optional_text),),
            )
        ),
        severity=severity,
        description=about,
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "CreateLaunchTemplate",
        SOURCE,
        Action.CREATE,
        (
            Target(
                TEMPLATE,
                "id",
                NEW_TEMPLATE_ID,
                (
                    SetAttr(
                        "name",
                        _template_name("CreateLaunchTemplate"),
                        optional_text,
                    ),
                    *_version_effects("CreateLaunchTemplate"),
                    SetAttr(
                        "tags",
                        spec_tags("launch-template", "CreateLaunchTemplateRequest"),
                        tags_map,
                    ),
                ),
                import_id=NEW_TEMPLATE_ID,
            ),
        ),
        severity=Severity.LOW,
        description="launch template created outside Terraform",
    ),
    Rule(
        "CreateLaunchTemplateVersion",
        SOURCE,
        Action.MODIFY,
        _template_targets(
            "CreateLaunchTemplateVersion", _version_effects("CreateLaunchTemplateVersion")
        ),
        severity=Severity.MEDIUM,
        description="launch template version created outside Terraform",
    ),
    Rule(
        "ModifyLaunchTemplate",
        SOURCE,
        Action.MODIFY,
        _template_targets(
            "ModifyLaunchTemplate",
            (
                SetAttr(
                    "default_version",
                    mapped(wrapped("ModifyLaunchTemplateRequest", "SetDefaultVersion"), as_int),
                ),
            ),
        ),
        severity=Severity.MEDIUM,
        description="launch template default version changed",
    ),
    Rule(
        "DeleteLaunchTemplate",
        SOURCE,
        Action.DELETE,
        _template_targets("DeleteLaunchTemplate", ()),
        severity=Severity.HIGH,
        description="launch template deleted",
    ),
    Rule(
        "AttachVolume",
        SOURCE,
        Action.CREATE,
        (
            Target(
                VOLUME_ATTACHMENT,
                VOLUME_KEY,
                _VOLUME,
                (
                    SetAttr("device_name", text("device"), optional_text),
                    SetAttr("volume_id", _VOLUME, optional_text),
                    SetAttr("instance_id", text("instanceId"), optional_text),
                ),
                import_id=_attachment_import_id,
            ),
        ),
        severity=Severity.MEDIUM,
        description="volume attached outside Terraform",
    ),
    Rule(
        "DetachVolume",
        SOURCE,
        Action.DELETE,
        (Target(VOLUME_ATTACHMENT, VOLUME_KEY, _VOLUME),),
        severity=Severity.MEDIUM,
        description="volume detached",
    ),
    _profile_rule(
        "AssociateIamInstanceProfile",
        _new_profile("AssociateIamInstanceProfile"),
        Severity.HIGH,
        "instance profile (the instance's IAM role) associated by hand",
    ),
    _profile_rule(
        "ReplaceIamInstanceProfileAssociation",
        _new_profile("ReplaceIamInstanceProfileAssociation"),
        Severity.HIGH,
        "instance profile (the instance's IAM role) replaced by hand",
    ),
    _profile_rule(
        "DisassociateIamInstanceProfile",
        const(""),
        Severity.MEDIUM,
        "instance profile removed from the instance",
    ),
)
