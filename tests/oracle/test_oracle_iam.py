"""IAM rows judged by Terraform: roles, users, inline and managed policies, tags."""

from __future__ import annotations

import json
from typing import Any

from tests.oracle.checks import (  # noqa: F401
    test_changes_agree_with_terraform,
    test_deletion_agrees_with_terraform,
    test_every_written_file_validates,
    test_import_plan_summary,
    test_import_plans_no_change,
    test_no_drift_outside_the_cases,
    test_removed_block_plans_cleanly,
    test_revert_plans_the_drift_back,
    test_unmanaged_import_plans_as_import_only,
    test_unmanaged_is_outside_terraform,
)
from tests.oracle.harness import Call, Case, World
from tests.oracle.terraform import ACCOUNT

IAM = "iam.amazonaws.com"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _doc(action: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }


def _hcl_json(doc: dict[str, Any]) -> str:
    body = json.dumps(doc).replace('": ', '" = ')
    return f"jsonencode({body})"


def _role(name: str, extra: str = "") -> str:
    return f"""
resource "aws_iam_role" "{name}" {{
  name               = "{name}"
  assume_role_policy = {_hcl_json(TRUST)}
{extra}}}
"""


def _user(name: str, extra: str = "") -> str:
    return f"""
resource "aws_iam_user" "{name}" {{
  name = "{name}"
{extra}}}
"""


_TAGS = '  tags = {\n    team = "core"\n  }\n'


def _role_policy(name: str) -> str:
    return (
        _role(name)
        + f"""
resource "aws_iam_role_policy" "{name}" {{
  name   = "inline"
  role   = aws_iam_role.{name}.name
  policy = {_hcl_json(_doc("s3:GetObject"))}
}}
"""
    )


def _user_policy(name: str) -> str:
    return (
        _user(name)
        + f"""
resource "aws_iam_user_policy" "{name}" {{
  name   = "inline"
  user   = aws_iam_user.{name}.name
  policy = {_hcl_json(_doc("s3:GetObject"))}
}}
"""
    )


def _attachment(name: str) -> str:
    # A customer managed policy: moto loads AWS managed ones only on request.
    return (
        _role(name)
        + _policy(f"{name}_policy")
        + f"""
resource "aws_iam_role_policy_attachment" "{name}" {{
  role       = aws_iam_role.{name}.name
  policy_arn = aws_iam_policy.{name}_policy.arn
}}
"""
    )


def _policy(name: str) -> str:
    return f"""
resource "aws_iam_policy" "{name}" {{
  name   = "{name}"
  policy = {_hcl_json(_doc("s3:GetObject"))}
}}
"""


def _iam(world: World) -> Any:
    return world.client("iam")


def put_role_policy(world: World) -> Call:
    doc = json.dumps(_doc("s3:*"))
    _iam(world).put_role_policy(RoleName="inline_put", PolicyName="inline", PolicyDocument=doc)
    return Call({"roleName": "inline_put", "policyName": "inline", "policyDocument": doc})


def delete_role_policy(world: World) -> Call:
    _iam(world).delete_role_policy(RoleName="inline_deleted", PolicyName="inline")
    return Call({"roleName": "inline_deleted", "policyName": "inline"})


def put_user_policy(world: World) -> Call:
    doc = json.dumps(_doc("iam:*"))
    _iam(world).put_user_policy(UserName="user_inline", PolicyName="inline", PolicyDocument=doc)
    return Call({"userName": "user_inline", "policyName": "inline", "policyDocument": doc})


def update_trust(world: World) -> Call:
    doc = json.loads(json.dumps(TRUST))
    doc["Statement"][0]["Principal"] = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    text = json.dumps(doc, indent=2)
    _iam(world).update_assume_role_policy(RoleName="trust_updated", PolicyDocument=text)
    return Call({"policyDocument": text, "roleName": "trust_updated"})


def update_role(world: World) -> Call:
    _iam(world).update_role(RoleName="role_updated", MaxSessionDuration=7200)
    return Call({"roleName": "role_updated", "maxSessionDuration": 7200})


def update_description(world: World) -> Call:
    _iam(world).update_role_description(RoleName="role_described", Description="by hand")
    return Call(
        {"roleName": "role_described", "description": "by hand"},
        {"role": {"roleName": "role_described", "description": "by hand"}},
    )


def tag_role(world: World) -> Call:
    _iam(world).tag_role(RoleName="role_tagged", Tags=[{"Key": "owner", "Value": "alan"}])
    return Call({"roleName": "role_tagged", "tags": [{"key": "owner", "value": "alan"}]})


def untag_role(world: World) -> Call:
    _iam(world).untag_role(RoleName="role_untagged", TagKeys=["team"])
    return Call({"roleName": "role_untagged", "tagKeys": ["team"]})


def tag_user(world: World) -> Call:
    _iam(world).tag_user(UserName="user_tagged", Tags=[{"Key": "owner", "Value": "alan"}])
    return Call({"userName": "user_tagged", "tags": [{"key": "owner", "value": "alan"}]})


def untag_user(world: World) -> Call:
    _iam(world).untag_user(UserName="user_untagged", TagKeys=["team"])
    return Call({"userName": "user_untagged", "tagKeys": ["team"]})


def create_role(world: World) -> Call:
    text = json.dumps(TRUST)
    answer = _iam(world).create_role(RoleName="hand_made_role", AssumeRolePolicyDocument=text)
    role = answer["Role"]
    return Call(
        {"roleName": "hand_made_role", "assumeRolePolicyDocument": text},
        {
            "role": {
                "roleName": "hand_made_role",
                "path": "/",
                "arn": role["Arn"],
                "roleId": role["RoleId"],
                "createDate": "Dec 7, 2026 7:00:00 AM",
            }
        },
    )


def create_user(world: World) -> Call:
    answer = _iam(world).create_user(UserName="hand_made_user")
    user = answer["User"]
    return Call(
        {"userName": "hand_made_user"},
        {
            "user": {
                "userName": "hand_made_user",
                "path": "/",
                "arn": user["Arn"],
                "userId": user["UserId"],
                "createDate": "Dec 7, 2026 7:00:00 AM",
            }
        },
    )


def delete_role(world: World) -> Call:
    _iam(world).delete_role(RoleName="role_deleted")
    return Call({"roleName": "role_deleted"})


def delete_user(world: World) -> Call:
    _iam(world).delete_user(UserName="user_deleted")
    return Call({"userName": "user_deleted"})


def new_policy_version(world: World) -> Call:
    arn = world.attrs("aws_iam_policy.policy_versioned")["arn"]
    doc = json.dumps(_doc("s3:*"))
    _iam(world).create_policy_version(PolicyArn=arn, PolicyDocument=doc, SetAsDefault=True)
    return Call(
        {"policyArn": arn, "policyDocument": doc, "setAsDefault": True},
        {"policyVersion": {"versionId": "v2", "isDefaultVersion": True}},
    )


def delete_policy(world: World) -> Call:
    arn = world.attrs("aws_iam_policy.policy_deleted")["arn"]
    _iam(world).delete_policy(PolicyArn=arn)
    return Call({"policyArn": arn})


def detach_role_policy(world: World) -> Call:
    arn = world.attrs("aws_iam_policy.attachment_detached_policy")["arn"]
    _iam(world).detach_role_policy(RoleName="attachment_detached", PolicyArn=arn)
    return Call({"roleName": "attachment_detached", "policyArn": arn})


def boundary_put(world: World) -> Call:
    arn = world.attrs("aws_iam_policy.boundary")["arn"]
    _iam(world).put_role_permissions_boundary(RoleName="boundary_put", PermissionsBoundary=arn)
    return Call({"roleName": "boundary_put", "permissionsBoundary": arn})


def boundary_deleted(world: World) -> Call:
    _iam(world).delete_role_permissions_boundary(RoleName="boundary_gone")
    return Call({"roleName": "boundary_gone"})


def delete_user_policy(world: World) -> Call:
    _iam(world).delete_user_policy(UserName="user_policy_gone", PolicyName="inline")
    return Call({"userName": "user_policy_gone", "policyName": "inline"})


def detach_user_policy(world: World) -> Call:
    arn = world.attrs("aws_iam_policy.user_detached_policy")["arn"]
    _iam(world).detach_user_policy(UserName="user_detached", PolicyArn=arn)
    return Call({"userName": "user_detached", "policyArn": arn})


def attach_user_policy(world: World) -> Call:
    arn = world.attrs("aws_iam_policy.boundary")["arn"]
    _iam(world).attach_user_policy(UserName="user_attached", PolicyArn=arn)
    return Call({"userName": "user_attached", "policyArn": arn})


def create_policy(world: World) -> Call:
    doc = json.dumps(_doc("sqs:*"))
    made = _iam(world).create_policy(
        PolicyName="hand_made_policy",
        PolicyDocument=doc,
        Tags=[{"Key": "team", "Value": "by-hand"}],
    )["Policy"]
    return Call(
        {
            "policyName": "hand_made_policy",
            "policyDocument": doc,
            "tags": [{"key": "team", "value": "by-hand"}],
        },
        {
            "policy": {
                "policyName": "hand_made_policy",
                "arn": made["Arn"],
                "policyId": made["PolicyId"],
                "path": "/",
                "defaultVersionId": "v1",
            }
        },
    )


def deactivate_key(world: World) -> Call:
    key = world.id("aws_iam_access_key.key_inactive")
    _iam(world).update_access_key(UserName="key_inactive", AccessKeyId=key, Status="Inactive")
    return Call({"userName": "key_inactive", "accessKeyId": key, "status": "Inactive"})


def delete_key(world: World) -> Call:
    key = world.id("aws_iam_access_key.key_gone")
    _iam(world).delete_access_key(UserName="key_gone", AccessKeyId=key)
    return Call({"userName": "key_gone", "accessKeyId": key})


PASSWORD_POLICY = {
    "minimumPasswordLength": 16,
    "requireSymbols": True,
    "requireNumbers": True,
    "requireUppercaseCharacters": True,
    "requireLowercaseCharacters": True,
    "allowUsersToChangePassword": True,
    "maxPasswordAge": 90,
    "passwordReusePrevention": 5,
    "hardExpiry": False,
}


def password_policy(world: World) -> Call:
    # The console sends every field: the call replaces the whole policy.
    request = {**PASSWORD_POLICY, "minimumPasswordLength": 8, "requireSymbols": False}
    _iam(world).update_account_password_policy(
        **{key[0].upper() + key[1:]: value for key, value in request.items()}
    )
    return Call(request)


PASSWORD_HCL = """
resource "aws_iam_account_password_policy" "account" {
  minimum_password_length        = 16
  require_symbols                = true
  require_numbers                = true
  require_uppercase_characters   = true
  require_lowercase_characters   = true
  allow_users_to_change_password = true
  max_password_age               = 90
  password_reuse_prevention      = 5
  hard_expiry                    = false
}
"""


def _key(name: str) -> str:
    return (
        _user(name)
        + f"""
resource "aws_iam_access_key" "{name}" {{
  user = aws_iam_user.{name}.name
}}
"""
    )


def _user_attachment(name: str) -> str:
    return (
        _user(name)
        + _policy(f"{name}_policy")
        + f"""
resource "aws_iam_user_policy_attachment" "{name}" {{
  user       = aws_iam_user.{name}.name
  policy_arn = aws_iam_policy.{name}_policy.arn
}}
"""
    )


def attach_role_policy(world: World) -> Call:
    arn = world.attrs("aws_iam_policy.boundary")["arn"]
    _iam(world).attach_role_policy(RoleName="role_attached", PolicyArn=arn)
    return Call({"roleName": "role_attached", "policyArn": arn})


def delete_login_profile(world: World) -> Call:
    _iam(world).delete_login_profile(UserName="login_gone")
    return Call({"userName": "login_gone"})


LOGIN = """
resource "aws_iam_user_login_profile" "login_gone" {
  user = aws_iam_user.login_gone.name
}
"""


def _case(id_: str, event: str, act: Any, address: str, hcl: str, **kw: Any) -> Case:
    return Case(
        id=id_,
        event=event,
        source=IAM,
        fixture=kw.pop("fixture", "iam-attach-role-policy-admin.json"),
        hcl=hcl,
        address=address,
        act=act,
        **kw,
    )


DELETED: dict[str, Any] = {"kind": "deleted", "strategies": ("import",)}
UNMANAGED: dict[str, Any] = {"kind": "unmanaged", "strategies": ("import",)}

CASES = (
    _case(
        "inline_put",
        "PutRolePolicy",
        put_role_policy,
        "aws_iam_role_policy.inline_put",
        _role_policy("inline_put"),
    ),
    _case(
        "inline_deleted",
        "DeleteRolePolicy",
        delete_role_policy,
        "aws_iam_role_policy.inline_deleted",
        _role_policy("inline_deleted"),
        **DELETED,
    ),
    _case(
        "user_inline",
        "PutUserPolicy",
        put_user_policy,
        "aws_iam_user_policy.user_inline",
        _user_policy("user_inline"),
    ),
    _case(
        "trust_updated",
        "UpdateAssumeRolePolicy",
        update_trust,
        "aws_iam_role.trust_updated",
        _role("trust_updated"),
        fixture="iam-update-assume-role-policy.json",
    ),
    _case(
        "role_updated",
        "UpdateRole",
        update_role,
        "aws_iam_role.role_updated",
        _role("role_updated"),
    ),
    _case(
        "role_described",
        "UpdateRoleDescription",
        update_description,
        "aws_iam_role.role_described",
        _role("role_described"),
    ),
    _case(
        "role_tagged", "TagRole", tag_role, "aws_iam_role.role_tagged", _role("role_tagged", _TAGS)
    ),
    _case(
        "role_untagged",
        "UntagRole",
        untag_role,
        "aws_iam_role.role_untagged",
        _role("role_untagged", _TAGS),
    ),
    _case(
        "user_tagged", "TagUser", tag_user, "aws_iam_user.user_tagged", _user("user_tagged", _TAGS)
    ),
    _case(
        "user_untagged",
        "UntagUser",
        untag_user,
        "aws_iam_user.user_untagged",
        _user("user_untagged", _TAGS),
    ),
    _case(
        "role_created",
        "CreateRole",
        create_role,
        "aws_iam_role",
        "",
        fixture="iam-create-role.json",
        **UNMANAGED,
    ),
    _case(
        "user_created",
        "CreateUser",
        create_user,
        "aws_iam_user",
        "",
        fixture="iam-create-user.json",
        **UNMANAGED,
    ),
    _case(
        "role_deleted",
        "DeleteRole",
        delete_role,
        "aws_iam_role.role_deleted",
        _role("role_deleted"),
        **DELETED,
    ),
    _case(
        "user_deleted",
        "DeleteUser",
        delete_user,
        "aws_iam_user.user_deleted",
        _user("user_deleted"),
        **DELETED,
    ),
    _case(
        "policy_versioned",
        "CreatePolicyVersion",
        new_policy_version,
        "aws_iam_policy.policy_versioned",
        _policy("policy_versioned"),
    ),
    _case(
        "policy_deleted",
        "DeletePolicy",
        delete_policy,
        "aws_iam_policy.policy_deleted",
        _policy("policy_deleted"),
        **DELETED,
    ),
    _case(
        "attachment_detached",
        "DetachRolePolicy",
        detach_role_policy,
        "aws_iam_role_policy_attachment.attachment_detached",
        _attachment("attachment_detached"),
        **DELETED,
    ),
    _case(
        "boundary_put",
        "PutRolePermissionsBoundary",
        boundary_put,
        "aws_iam_role.boundary_put",
        _policy("boundary") + _role("boundary_put"),
    ),
    _case(
        "boundary_gone",
        "DeleteRolePermissionsBoundary",
        boundary_deleted,
        "aws_iam_role.boundary_gone",
        _role("boundary_gone", "  permissions_boundary = aws_iam_policy.boundary.arn\n"),
        # The code names the boundary by reference: an import is refused (never overwritten).
        strategies=("revert",),
    ),
    _case(
        "user_policy_gone",
        "DeleteUserPolicy",
        delete_user_policy,
        "aws_iam_user_policy.user_policy_gone",
        _user_policy("user_policy_gone"),
        **DELETED,
    ),
    _case(
        "user_detached",
        "DetachUserPolicy",
        detach_user_policy,
        "aws_iam_user_policy_attachment.user_detached",
        _user_attachment("user_detached"),
        **DELETED,
    ),
    _case(
        "user_attached",
        "AttachUserPolicy",
        attach_user_policy,
        "aws_iam_user_policy_attachment",
        _user("user_attached"),
        fixture="iam-attach-user-policy-admin.json",
        **UNMANAGED,
    ),
    _case(
        "policy_created",
        "CreatePolicy",
        create_policy,
        "aws_iam_policy",
        "",
        **UNMANAGED,
    ),
    _case(
        "key_inactive",
        "UpdateAccessKey",
        deactivate_key,
        "aws_iam_access_key.key_inactive",
        _key("key_inactive"),
        fixture="iam-create-access-key.json",
    ),
    _case(
        "key_gone",
        "DeleteAccessKey",
        delete_key,
        "aws_iam_access_key.key_gone",
        _key("key_gone"),
        fixture="iam-create-access-key.json",
        **DELETED,
    ),
    _case(
        "password_policy",
        "UpdateAccountPasswordPolicy",
        password_policy,
        "aws_iam_account_password_policy.account",
        PASSWORD_HCL,
    ),
    _case(
        "role_attached",
        "AttachRolePolicy",
        attach_role_policy,
        "aws_iam_role.role_attached",
        _role("role_attached"),
    ),
    _case(
        "login_gone",
        "DeleteLoginProfile",
        delete_login_profile,
        "aws_iam_user_login_profile.login_gone",
        _user("login_gone") + LOGIN,
        fixture="iam-create-login-profile.json",
        **DELETED,
    ),
)
