"""Catalog rows for AWS IAM (eventSource ``iam.amazonaws.com``; global, ARNs carry no region).

Roles and users can have their policies in two Terraform forms: on the principal itself
(``aws_iam_role.managed_policy_arns`` / ``inline_policy``) or as separate resources
(``aws_iam_role_policy_attachment``, ``aws_iam_role_policy``). Those attributes of the role are
computed too, so the presence of *separate* resources for a role in state decides which form
owns it: a separate resource for exactly this policy is the target; a role with separate
resources but not this one gets an unmanaged resource; a role without any is modified itself.
A last target on the principal lets calls on a principal missing from state join its open
unmanaged drift. Policy documents compare as parsed JSON (see ``policydoc``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.model import (
    Action,
    AddItems,
    Compared,
    Comparer,
    Effect,
    Extractor,
    RemoveItems,
    Rule,
    Set,
    SeverityCheck,
    Target,
    as_str,
    const,
    exact,
    first,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.policydoc import (
    admin_grant,
    foreign_trust,
    policy_compare,
    policy_text,
    public_grant,
)
from tfdrift_gitops.core.catalog.presence import (
    absent,
    all_of,
    event_account,
    present,
    upsert_targets,
)
from tfdrift_gitops.core.catalog.support import (
    arn_partition,
    boolean,
    integer,
    optional_text,
    request_has,
    string_list,
    tag_pairs,
    text,
    when,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING, get_path, set_path
from tfdrift_gitops.core.state import arn_account_region
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "iam.amazonaws.com"
ROLE_TYPE = "aws_iam_role"
USER_TYPE = "aws_iam_user"
POLICY_TYPE = "aws_iam_policy"
ROLE_ATTACHMENT = "aws_iam_role_policy_attachment"
USER_ATTACHMENT = "aws_iam_user_policy_attachment"
ROLE_POLICY = "aws_iam_role_policy"
USER_POLICY = "aws_iam_user_policy"
ACCESS_KEY = "aws_iam_access_key"
LOGIN_PROFILE = "aws_iam_user_login_profile"

# Managed policies that hand out (or let one hand oneself) every permission.
ADMIN_POLICY_NAMES = ("AdministratorAccess", "IAMFullAccess")

ROLE = text("roleName")
USER = text("userName")
POLICY_ARN = text("policyArn")
POLICY_NAME = text("policyName")
DOCUMENT = mapped(req("policyDocument"), policy_text)


def joined(separator: str, *parts: Extractor) -> Extractor:
    """Composite ids (``role/policy-arn``, ``role:policy-name``): MISSING unless all parts are."""

    def extract(event: CloudEvent) -> Any:
        values = [p(event) for p in parts]
        if any(not isinstance(v, str) or not v for v in values):
            return MISSING
        return separator.join(values)

    keys.note(extract, keys.joined(separator, parts))
    return extract


ROLE_ATTACHMENT_ID = joined("/", ROLE, POLICY_ARN)
USER_ATTACHMENT_ID = joined("/", USER, POLICY_ARN)
ROLE_POLICY_ID = joined(":", ROLE, POLICY_NAME)
USER_POLICY_ID = joined(":", USER, POLICY_NAME)

ROLE_IN_STATE = present(ROLE_TYPE, "name", ROLE)
ROLE_NOT_IN_STATE = absent(ROLE_TYPE, "name", ROLE)
USER_IN_STATE = present(USER_TYPE, "name", USER)
USER_NOT_IN_STATE = absent(USER_TYPE, "name", USER)

# --------------------------------------------------------------------------- inline policies


def inline_policy_set(value: Any) -> Any:
    """``inline_policy`` blocks as a set of (name, canonical policy); nameless blocks (the
    provider's placeholder for "none") do not count."""
    blocks = value if isinstance(value, list) else []
    out = set()
    for block in blocks:
        if isinstance(block, Mapping) and block.get("name"):
            canonical = policy_compare(block.get("policy"))
            out.add((str(block["name"]), repr(canonical)))
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class InlinePolicy(Compared):
    """One named block of ``aws_iam_role.inline_policy`` is put (``document``) or deleted."""

    path: str
    name: Extractor
    document: Extractor | None = None
    comparer: Comparer = inline_policy_set

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        name = self.name(event)
        if not isinstance(name, str) or not name:
            return False
        current = get_path(attrs, self.path)
        blocks = [
            dict(b)
            for b in (current if isinstance(current, list) else [])
            if isinstance(b, Mapping) and b.get("name") and b.get("name") != name
        ]
        if self.document is not None:
            document = self.document(event)
            if document is MISSING:
                return False
            blocks.append({"name": name, "policy": document})
        set_path(attrs, self.path, blocks)
        return True


# --------------------------------------------------------------------------- severity checks


def _admin_arn(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    arn = POLICY_ARN(event)
    if isinstance(arn, str) and arn.rsplit("/", 1)[-1].startswith(ADMIN_POLICY_NAMES):
        return Severity.CRITICAL, f"attaches {arn.rsplit('/', 1)[-1]}"
    return None


def _admin_document(field: str) -> SeverityCheck:
    def check(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
        why = admin_grant(req(field)(event))
        return (Severity.CRITICAL, f"policy {why}") if why else None

    return check


def _default_admin_version(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    if boolean("setAsDefault")(event) is not True:
        return None
    return _admin_document("policyDocument")(event, observed)


def _own_account(event: CloudEvent, observed: Mapping[str, Any]) -> str:
    arn = observed.get("arn")
    account = arn_account_region(arn)[0] if isinstance(arn, str) else ""
    return account or event_account(event)


def _trust(field: str) -> SeverityCheck:
    """Trust policies: anyone, or another account, may assume the role."""

    def check(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
        document = req(field)(event)
        why = public_grant(document) or foreign_trust(document, _own_account(event, observed))
        return (Severity.CRITICAL, f"trust policy {why}") if why else None

    return check


# --------------------------------------------------------------------------- effects


def _created_policy_arn(event: CloudEvent) -> Any:
    """CreatePolicy's ARN when responseElements is null: built from account, path, name."""
    name, account = POLICY_NAME(event), event_account(event)
    if not isinstance(name, str) or not name or not account:
        return MISSING
    path = text("path")(event)
    path = path if isinstance(path, str) and path.startswith("/") else "/"
    return f"arn:{arn_partition(event.region)}:iam::{account}:policy{path}{name}"


# The ARN ends in the policy's name (names hold no "/"): the plain policyName's own key.
keys.note(_created_policy_arn, (frozenset({"policyname"}), frozenset()))


CREATED_POLICY_ARN = first(mapped(resp("policy.arn"), as_str), _created_policy_arn)
KEY_ID = first(resp("accessKey.accessKeyId"), req("accessKeyId"))
KEY_USER = first(resp("accessKey.userName"), USER)

ROLE_ATTACHMENT_EFFECTS: tuple[Effect, ...] = (
    Set("role", ROLE, exact),
    Set("policy_arn", POLICY_ARN, exact),
)
USER_ATTACHMENT_EFFECTS: tuple[Effect, ...] = (
    Set("user", USER, exact),
    Set("policy_arn", POLICY_ARN, exact),
)
ROLE_POLICY_EFFECTS: tuple[Effect, ...] = (
    Set("role", ROLE, exact),
    Set("name", POLICY_NAME, exact),
    Set("policy", DOCUMENT, policy_compare),
)
USER_POLICY_EFFECTS: tuple[Effect, ...] = (
    Set("user", USER, exact),
    Set("name", POLICY_NAME, exact),
    Set("policy", DOCUMENT, policy_compare),
)
TAGS = tag_pairs(req("tags"))
ROLE_CREATE_EFFECTS: tuple[Effect, ...] = (
    Set("name", ROLE, exact),
    Set(
        "assume_role_policy",
        mapped(req("assumeRolePolicyDocument"), policy_text),
        policy_compare,
    ),
    Set("description", text("description"), optional_text),
    Set("path", text("path"), optional_text),
    Set("max_session_duration", integer("maxSessionDuration")),
    Set("permissions_boundary", text("permissionsBoundary"), optional_text),
    Set("tags", TAGS, tags_map),
)
USER_CREATE_EFFECTS: tuple[Effect, ...] = (
    Set("name", USER, exact),
    Set("path", text("path"), optional_text),
    Set("permissions_boundary", text("permissionsBoundary"), optional_text),
    Set("tags", TAGS, tags_map),
)
POLICY_CREATE_EFFECTS: tuple[Effect, ...] = (
    Set("name", POLICY_NAME, exact),
    Set("path", text("path"), optional_text),
    Set("description", text("description"), optional_text),
    Set("policy", DOCUMENT, policy_compare),
    Set("tags", TAGS, tags_map),
)


def _default_document(event: CloudEvent) -> Any:
    """A new policy version changes the policy only when it becomes the default."""
    return DOCUMENT(event) if boolean("setAsDefault")(event) is True else MISSING


def _role_targets(
    separate: str,
    lookup_key: str,
    separate_id: Extractor,
    separate_effects: tuple[Effect, ...],
    inline_effects: tuple[Effect, ...],
    first_targets: tuple[Target, ...],
) -> tuple[Target, ...]:
    """Put/attach on a role. After ``first_targets`` (the separate resource in state): the
    role's own attribute when the role has no separate resources of this type, an unmanaged
    separate resource when it has some, or (role not in state) the role, to join its drift."""
    no_separate = absent(separate, "role", ROLE)
    return (
        *first_targets,
        Target(
            ROLE_TYPE,
            "name",
            ROLE,
            inline_effects,
            guard=all_of(ROLE_IN_STATE, no_separate),
            import_id=ROLE,
        ),
        Target(
            separate,
            lookup_key,
            separate_id,
            separate_effects,
            action=Action.CREATE,
            guard=all_of(ROLE_IN_STATE, absent(separate, lookup_key, separate_id)),
            import_id=separate_id,
        ),
        Target(ROLE_TYPE, "name", ROLE, inline_effects, guard=ROLE_NOT_IN_STATE, import_id=ROLE),
    )


_ROLE_ATTACHED = present(ROLE_ATTACHMENT, "policy_attachment", ROLE_ATTACHMENT_ID)
_ROLE_POLICY_HERE = present(ROLE_POLICY, "id", ROLE_POLICY_ID)
_USER_ATTACHED = present(USER_ATTACHMENT, "policy_attachment", USER_ATTACHMENT_ID)

ATTACH_ROLE_TARGETS = _role_targets(
    ROLE_ATTACHMENT,
    "policy_attachment",
    ROLE_ATTACHMENT_ID,
    ROLE_ATTACHMENT_EFFECTS,
    (AddItems("managed_policy_arns", POLICY_ARN),),
    # CREATE: a hand-made attach of an attached policy is no drift; Terraform's re-attach
    # after a hand-made detach resolves the DELETED drift.
    (
        Target(
            ROLE_ATTACHMENT,
            "policy_attachment",
            ROLE_ATTACHMENT_ID,
            ROLE_ATTACHMENT_EFFECTS,
            action=Action.CREATE,
            guard=_ROLE_ATTACHED,
            import_id=ROLE_ATTACHMENT_ID,
        ),
    ),
)
PUT_ROLE_POLICY_TARGETS = _role_targets(
    ROLE_POLICY,
    "id",
    ROLE_POLICY_ID,
    ROLE_POLICY_EFFECTS,
    (InlinePolicy("inline_policy", POLICY_NAME, DOCUMENT),),
    upsert_targets(ROLE_POLICY, "id", ROLE_POLICY_ID, ROLE_POLICY_EFFECTS, ROLE_POLICY_ID),
)
_NO_ROLE_ATTACHMENTS = absent(ROLE_ATTACHMENT, "role", ROLE)
_NO_ROLE_POLICIES = absent(ROLE_POLICY, "role", ROLE)


def _user_targets(
    separate: str,
    lookup_key: str,
    separate_id: Extractor,
    effects: tuple[Effect, ...],
    first_targets: tuple[Target, ...],
) -> tuple[Target, ...]:
    """After ``first_targets`` (the separate resource in state): unmanaged when the user is
    managed, else the user itself, to join an open unmanaged-user drift."""
    return (
        *first_targets,
        Target(
            separate,
            lookup_key,
            separate_id,
            effects,
            action=Action.CREATE,
            guard=USER_IN_STATE,
            import_id=separate_id,
        ),
        Target(
            USER_TYPE,
            "name",
            USER,
            action=Action.MODIFY,
            guard=USER_NOT_IN_STATE,
            import_id=USER,
        ),
    )


def _rule(
    event: str,
    action: Action,
    targets: tuple[Target, ...],
    severity: Severity,
    description: str,
    *checks: SeverityCheck,
) -> Rule:
    return Rule(
        event,
        SOURCE,
        action,
        targets,
        severity=severity,
        description=description,
        severity_checks=checks,
    )


def _role(effects: tuple[Effect, ...] = (), action: Action | None = None) -> Target:
    return Target(ROLE_TYPE, "name", ROLE, effects, action=action, import_id=ROLE)


def _user(effects: tuple[Effect, ...] = (), action: Action | None = None) -> Target:
    return Target(USER_TYPE, "name", USER, effects, action=action, import_id=USER)


def _policy(
    effects: tuple[Effect, ...] = (), action: Action | None = None, arn: Extractor = POLICY_ARN
) -> Target:
    return Target(POLICY_TYPE, "arn", arn, effects, action=action, import_id=arn)


_MAX_SESSION = when(
    request_has("maxSessionDuration"), Severity.MEDIUM, "changes the maximum session duration"
)

RULES: tuple[Rule, ...] = (
    # ---- managed policy attachments
    _rule(
        "AttachRolePolicy",
        Action.MODIFY,
        ATTACH_ROLE_TARGETS,
        Severity.HIGH,
        "Managed policy attached to a role",
        _admin_arn,
    ),
    _rule(
        "DetachRolePolicy",
        Action.MODIFY,
        (
            Target(
                ROLE_ATTACHMENT,
                "policy_attachment",
                ROLE_ATTACHMENT_ID,
                action=Action.DELETE,
                guard=_ROLE_ATTACHED,
                import_id=ROLE_ATTACHMENT_ID,
            ),
            Target(
                ROLE_TYPE,
                "name",
                ROLE,
                (RemoveItems("managed_policy_arns", POLICY_ARN),),
                guard=all_of(ROLE_IN_STATE, _NO_ROLE_ATTACHMENTS),
                import_id=ROLE,
            ),
            # Not in state: joins (and resolves) an open unmanaged attachment drift.
            Target(
                ROLE_ATTACHMENT,
                "policy_attachment",
                ROLE_ATTACHMENT_ID,
                action=Action.DELETE,
                import_id=ROLE_ATTACHMENT_ID,
            ),
        ),
        Severity.MEDIUM,
        "Managed policy detached from a role",
    ),
    _rule(
        "AttachUserPolicy",
        Action.CREATE,
        _user_targets(
            USER_ATTACHMENT,
            "policy_attachment",
            USER_ATTACHMENT_ID,
            USER_ATTACHMENT_EFFECTS,
            (
                Target(
                    USER_ATTACHMENT,
                    "policy_attachment",
                    USER_ATTACHMENT_ID,
                    USER_ATTACHMENT_EFFECTS,
                    guard=_USER_ATTACHED,
                    import_id=USER_ATTACHMENT_ID,
                ),
            ),
        ),
        Severity.HIGH,
        "Managed policy attached to a user",
        _admin_arn,
    ),
    _rule(
        "DetachUserPolicy",
        Action.DELETE,
        (
            Target(
                USER_ATTACHMENT,
                "policy_attachment",
                USER_ATTACHMENT_ID,
                import_id=USER_ATTACHMENT_ID,
            ),
        ),
        Severity.MEDIUM,
        "Managed policy detached from a user",
    ),
    # ---- inline policies
    _rule(
        "PutRolePolicy",
        Action.MODIFY,
        PUT_ROLE_POLICY_TARGETS,
        Severity.MEDIUM,
        "Inline policy of a role created or replaced",
        _admin_document("policyDocument"),
    ),
    _rule(
        "DeleteRolePolicy",
        Action.MODIFY,
        (
            Target(
                ROLE_POLICY,
                "id",
                ROLE_POLICY_ID,
                action=Action.DELETE,
                guard=_ROLE_POLICY_HERE,
                import_id=ROLE_POLICY_ID,
            ),
            Target(
                ROLE_TYPE,
                "name",
                ROLE,
                (InlinePolicy("inline_policy", POLICY_NAME),),
                guard=all_of(ROLE_IN_STATE, _NO_ROLE_POLICIES),
                import_id=ROLE,
            ),
            Target(
                ROLE_POLICY, "id", ROLE_POLICY_ID, action=Action.DELETE, import_id=ROLE_POLICY_ID
            ),
        ),
        Severity.MEDIUM,
        "Inline policy of a role deleted",
    ),
    _rule(
        "PutUserPolicy",
        Action.MODIFY,
        _user_targets(
            USER_POLICY,
            "id",
            USER_POLICY_ID,
            USER_POLICY_EFFECTS,
            upsert_targets(USER_POLICY, "id", USER_POLICY_ID, USER_POLICY_EFFECTS, USER_POLICY_ID),
        ),
        Severity.MEDIUM,
        "Inline policy of a user created or replaced",
        _admin_document("policyDocument"),
    ),
    _rule(
        "DeleteUserPolicy",
        Action.DELETE,
        (Target(USER_POLICY, "id", USER_POLICY_ID, import_id=USER_POLICY_ID),),
        Severity.MEDIUM,
        "Inline policy of a user deleted",
    ),
    # ---- roles
    _rule(
        "UpdateAssumeRolePolicy",
        Action.MODIFY,
        (_role((Set("assume_role_policy", DOCUMENT, policy_compare),)),),
        Severity.HIGH,
        "Role trust policy replaced",
        _trust("policyDocument"),
    ),
    _rule(
        "CreateRole",
        Action.CREATE,
        (_role(ROLE_CREATE_EFFECTS),),
        Severity.MEDIUM,
        "Role created",
        _trust("assumeRolePolicyDocument"),
    ),
    _rule("DeleteRole", Action.DELETE, (_role(),), Severity.HIGH, "Role deleted"),
    _rule(
        "UpdateRole",
        Action.MODIFY,
        (
            _role(
                (
                    Set("description", text("description"), optional_text),
                    Set("max_session_duration", integer("maxSessionDuration")),
                )
            ),
        ),
        Severity.LOW,
        "Role description or maximum session duration changed",
        _MAX_SESSION,
    ),
    _rule(
        "UpdateRoleDescription",
        Action.MODIFY,
        (_role((Set("description", text("description"), optional_text),)),),
        Severity.LOW,
        "Role description changed",
    ),
    _rule(
        "PutRolePermissionsBoundary",
        Action.MODIFY,
        (_role((Set("permissions_boundary", text("permissionsBoundary"), optional_text),)),),
        Severity.MEDIUM,
        "Role permissions boundary set",
    ),
    _rule(
        "DeleteRolePermissionsBoundary",
        Action.MODIFY,
        (_role((Set("permissions_boundary", const(""), optional_text),)),),
        Severity.HIGH,
        "Role permissions boundary removed",
    ),
    _rule(
        "TagRole",
        Action.MODIFY,
        (_role((MergeTags("tags", TAGS),)),),
        Severity.LOW,
        "Role tagged",
    ),
    _rule(
        "UntagRole",
        Action.MODIFY,
        (_role((DropTags("tags", string_list(req("tagKeys"))),)),),
        Severity.LOW,
        "Role tags removed",
    ),
    # ---- users
    _rule(
        "CreateUser", Action.CREATE, (_user(USER_CREATE_EFFECTS),), Severity.MEDIUM, "User created"
    ),
    _rule("DeleteUser", Action.DELETE, (_user(),), Severity.MEDIUM, "User deleted"),
    _rule(
        "TagUser",
        Action.MODIFY,
        (_user((MergeTags("tags", TAGS),)),),
        Severity.LOW,
        "User tagged",
    ),
    _rule(
        "UntagUser",
        Action.MODIFY,
        (_user((DropTags("tags", string_list(req("tagKeys"))),)),),
        Severity.LOW,
        "User tags removed",
    ),
    # ---- customer managed policies
    _rule(
        "CreatePolicy",
        Action.CREATE,
        (_policy(POLICY_CREATE_EFFECTS, arn=CREATED_POLICY_ARN),),
        Severity.MEDIUM,
        "Customer managed policy created",
        _admin_document("policyDocument"),
    ),
    _rule(
        "CreatePolicyVersion",
        Action.MODIFY,
        (_policy((Set("policy", _default_document, policy_compare),)),),
        Severity.MEDIUM,
        "Managed policy version created (changes the policy when set as default)",
        _default_admin_version,
    ),
    _rule(
        "SetDefaultPolicyVersion",
        Action.MODIFY,
        (_policy(),),
        Severity.HIGH,
        "Managed policy default version switched",
    ),
    _rule("DeletePolicy", Action.DELETE, (_policy(),), Severity.MEDIUM, "Managed policy deleted"),
    # ---- credentials
    _rule(
        "CreateAccessKey",
        Action.CREATE,
        (
            Target(
                ACCESS_KEY,
                "id",
                KEY_ID,
                (
                    Set("user", KEY_USER, exact),
                    Set("status", mapped(resp("accessKey.status"), as_str)),
                ),
                guard=present(USER_TYPE, "name", KEY_USER),
                import_id=KEY_ID,
            ),
            # Keys of users Terraform does not manage only join an open unmanaged-user drift.
            Target(
                USER_TYPE,
                "name",
                KEY_USER,
                action=Action.MODIFY,
                guard=absent(USER_TYPE, "name", KEY_USER),
                import_id=KEY_USER,
            ),
        ),
        Severity.HIGH,
        "Access key created for a user",
    ),
    _rule(
        "UpdateAccessKey",
        Action.MODIFY,
        (Target(ACCESS_KEY, "id", KEY_ID, (Set("status", text("status")),), import_id=KEY_ID),),
        Severity.MEDIUM,
        "Access key activated or deactivated",
    ),
    _rule(
        "DeleteAccessKey",
        Action.DELETE,
        (Target(ACCESS_KEY, "id", KEY_ID, import_id=KEY_ID),),
        Severity.MEDIUM,
        "Access key deleted",
    ),
    _rule(
        "CreateLoginProfile",
        Action.CREATE,
        (
            Target(
                LOGIN_PROFILE,
                "user",
                USER,
                (
                    Set("user", USER, exact),
                    Set("password_reset_required", boolean("passwordResetRequired")),
                ),
                guard=USER_IN_STATE,
                import_id=USER,
            ),
            Target(
                USER_TYPE,
                "name",
                USER,
                action=Action.MODIFY,
                guard=USER_NOT_IN_STATE,
                import_id=USER,
            ),
        ),
        Severity.HIGH,
        "Console password created for a user",
    ),
    _rule(
        "UpdateLoginProfile",
        Action.MODIFY,
        # No effects: a password change is invisible in state, yet it is a change.
        (Target(LOGIN_PROFILE, "user", USER, import_id=USER),),
        Severity.HIGH,
        "Console password of a user changed",
    ),
    _rule(
        "DeleteLoginProfile",
        Action.DELETE,
        (Target(LOGIN_PROFILE, "user", USER, import_id=USER),),
        Severity.MEDIUM,
        "Console password of a user removed",
    ),
)
