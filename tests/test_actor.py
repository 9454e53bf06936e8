"""Actor: display name per identity type, ``via`` per user agent, and Falco's ct.user* fields."""

from __future__ import annotations

from typing import Any

import pytest

from tfdrift_gitops.core.actor import (
    actor_from_falco,
    actor_from_identity,
    classify_via,
    role_name,
    split_assumed_role_arn,
)
from tfdrift_gitops.models import Via

ACCOUNT = "123456789012"

SSO_ROLE = {
    "type": "AssumedRole",
    "principalId": "AROAEXAMPLE:alan@acme.example",
    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123/alan@acme.example",
    "accountId": ACCOUNT,
    "accessKeyId": "ASIAEXAMPLE",
    "sessionContext": {
        "sessionIssuer": {
            "type": "Role",
            "principalId": "AROAEXAMPLE",
            "arn": f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso/AWSReservedSSO_Admin_0123",
            "accountId": ACCOUNT,
            "userName": "AWSReservedSSO_Admin_0123",
        },
        "attributes": {"creationDate": "2026-11-20T09:00:00Z", "mfaAuthenticated": "false"},
    },
}

# (identity, expected name, expected session_name, expected account)
IDENTITY_CASES = [
    pytest.param(
        {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/ops/bob",
            "accountId": ACCOUNT,
            "userName": "bob",
        },
        "bob",
        "",
        ACCOUNT,
        id="iam-user",
    ),
    pytest.param(
        {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/ops/carol"},
        "carol",
        "",
        ACCOUNT,
        id="iam-user-name-from-arn-path",
    ),
    pytest.param(SSO_ROLE, "alan@acme.example", "alan@acme.example", ACCOUNT, id="sso-session"),
    pytest.param(
        {
            "type": "AssumedRole",
            "principalId": "1111:tester",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/tester",
            "accountId": ACCOUNT,
        },
        "tester",
        "tester",
        ACCOUNT,
        id="assumed-role-session-from-principal",
    ),
    pytest.param(
        {
            "type": "AssumedRole",
            "principalId": "AROAONLY",
            "sessionContext": {"sessionIssuer": {"userName": "DeployRole", "accountId": "999"}},
        },
        "DeployRole",
        "",
        "999",
        id="assumed-role-name-from-issuer",
    ),
    pytest.param(
        {
            "type": "Root",
            "principalId": ACCOUNT,
            "arn": f"arn:aws:iam::{ACCOUNT}:root",
            "accountId": ACCOUNT,
        },
        "root",
        "",
        ACCOUNT,
        id="root",
    ),
    pytest.param(
        {"type": "Root", "arn": f"arn:aws:iam::{ACCOUNT}:root"},
        "root",
        "",
        ACCOUNT,
        id="root-account-from-arn",
    ),
    pytest.param(
        {
            "type": "FederatedUser",
            "principalId": f"{ACCOUNT}:stratus_red_team",
            "arn": f"arn:aws:sts::{ACCOUNT}:federated-user/stratus_red_team",
            "accountId": ACCOUNT,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "IAMUser",
                    "arn": f"arn:aws:iam::{ACCOUNT}:user/fed-issuer",
                    "userName": "fed-issuer",
                }
            },
        },
        "stratus_red_team",
        "stratus_red_team",
        ACCOUNT,
        id="federated-user",
    ),
    pytest.param(
        {"type": "FederatedUser", "principalId": f"{ACCOUNT}:dave"},
        "dave",
        "dave",
        "",
        id="federated-user-from-principal",
    ),
    pytest.param(
        {"type": "AWSService", "invokedBy": "autoscaling.amazonaws.com"},
        "autoscaling.amazonaws.com",
        "",
        "",
        id="aws-service",
    ),
    pytest.param(
        {"type": "AWSAccount", "principalId": "AIDAOTHER:eve", "accountId": "210987654321"},
        "eve",
        "",
        "210987654321",
        id="aws-account-session",
    ),
    pytest.param(
        {"type": "AWSAccount", "accountId": "210987654321"},
        "account 210987654321",
        "",
        "210987654321",
        id="aws-account-bare",
    ),
    pytest.param(
        {
            "type": "SAMLUser",
            "principalId": "SAMLIdP:frank@acme.example",
            "userName": "frank@acme.example",
            "identityProvider": "bdGOnTesti4kFBgtu3c/dGT1JmE=",
        },
        "frank@acme.example",
        "",
        "",
        id="saml-user",
    ),
    pytest.param(
        {
            "type": "WebIdentityUser",
            "principalId": "accounts.google.com:application-id.apps:1234567890",
            "userName": "1234567890",
            "identityProvider": "accounts.google.com",
        },
        "1234567890",
        "",
        "",
        id="web-identity-user",
    ),
    pytest.param(
        {
            "type": "IdentityCenterUser",
            "accountId": ACCOUNT,
            "onBehalfOf": {"userId": "906724d8-d0c1-70a8-4c4f-example", "identityStoreArn": "x"},
            "credentialId": "EXAMPLEcredential",
        },
        "906724d8-d0c1-70a8-4c4f-example",
        "",
        ACCOUNT,
        id="identity-center-user",
    ),
    pytest.param(
        {"type": "Unknown", "principalId": "AIDAUNKNOWN", "userName": "grace"},
        "grace",
        "",
        "",
        id="unknown-type-with-user-name",
    ),
    pytest.param({"type": "Unknown"}, "unknown", "", "", id="unknown-type-empty"),
    pytest.param(None, "unknown", "", "", id="no-identity"),
    pytest.param(
        {
            "type": "AssumedRole",
            "principalid": "ARORJ4ULULLE0EEJAAKDO:alan",
            "arn": "arn:aws:sts::112233445566:assumed-role/TestAdmin/alan",
            "accountid": "112233445566",
            "sessioncontext": {"sessionissuer": {"username": "TestAdmin"}},
        },
        "alan",
        "alan",
        "112233445566",
        id="panther-lower-case-keys",
    ),
    pytest.param(
        {"TYPE": "IAMUser", "USERNAME": "heidi", "AccountID": ACCOUNT},
        "heidi",
        "",
        ACCOUNT,
        id="upper-case-keys",
    ),
]


@pytest.mark.parametrize(("identity", "name", "session", "account"), IDENTITY_CASES)
def test_display_name_per_identity_type(
    identity: dict[str, Any] | None, name: str, session: str, account: str
) -> None:
    actor = actor_from_identity(identity, source_ip="203.0.113.42", user_agent="aws-cli/2.15.0")
    assert actor.name == name
    assert actor.session_name == session
    assert actor.account_id == account
    assert actor.source_ip == "203.0.113.42"
    assert actor.user_agent == "aws-cli/2.15.0"
    if identity is not None:
        assert actor.type == identity.get("type", identity.get("TYPE"))


def test_sso_actor_keeps_arn_principal_and_role() -> None:
    actor = actor_from_identity(SSO_ROLE)
    assert actor.arn == SSO_ROLE["arn"]
    assert actor.principal_id == "AROAEXAMPLE:alan@acme.example"
    assert role_name(actor) == "AWSReservedSSO_Admin_0123"


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        pytest.param("arn:aws:sts::1:assumed-role/Role/sess", ("Role", "sess"), id="full"),
        pytest.param("arn:aws:sts::1:assumed-role/Role", ("Role", ""), id="no-session"),
        pytest.param("arn:aws:iam::1:user/bob", ("", ""), id="not-assumed"),
        pytest.param("", ("", ""), id="empty"),
    ],
)
def test_split_assumed_role_arn(arn: str, expected: tuple[str, str]) -> None:
    assert split_assumed_role_arn(arn) == expected


TF_GO = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) "
    "terraform-provider-aws/5.70.0 (+https://registry.terraform.io/providers/hashicorp/aws) "
    "aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux api/ec2#1.179.2"
)

# (user agent, identity type, invokedBy, console session, expected via)
VIA_CASES = [
    pytest.param(TF_GO, "AssumedRole", "", False, Via.TERRAFORM, id="terraform-over-go-sdk"),
    pytest.param(
        "aws-sdk-go/1.29.7 (go1.13.7; darwin; amd64) APN/1.0 HashiCorp/1.0 Terraform/0.12.24",
        "AssumedRole",
        "",
        False,
        Via.TERRAFORM,
        id="terraform-0.12",
    ),
    pytest.param(
        "APN/1.0 HashiCorp/1.0 OpenTofu/1.8.0 (+https://opentofu.org) aws-sdk-go-v2/1.30",
        "AssumedRole",
        "",
        False,
        Via.TERRAFORM,
        id="opentofu",
    ),
    pytest.param("HashiCorp Terraform/1.5", "IAMUser", "", False, Via.TERRAFORM, id="hashicorp"),
    pytest.param(
        TF_GO, "AssumedRole", "", True, Via.TERRAFORM, id="terraform-despite-console-session"
    ),
    pytest.param(
        "cloudformation.amazonaws.com",
        "AssumedRole",
        "cloudformation.amazonaws.com",
        False,
        Via.CLOUDFORMATION,
        id="cloudformation-ua-and-invoker",
    ),
    pytest.param(
        "aws-sdk-java/1.12",
        "AssumedRole",
        "cloudformation.amazonaws.com",
        False,
        Via.CLOUDFORMATION,
        id="cloudformation-invoker",
    ),
    pytest.param(
        "", "AWSService", "ec2.amazonaws.com", False, Via.AWS_SERVICE, id="aws-service-type"
    ),
    pytest.param(
        "aws-sdk-java/1.12",
        "AssumedRole",
        "lambda.amazonaws.com",
        False,
        Via.AWS_SERVICE,
        id="invoked-by-service",
    ),
    pytest.param(
        "autoscaling.amazonaws.com", "AssumedRole", "", False, Via.AWS_SERVICE, id="service-ua"
    ),
    pytest.param(
        "console.ec2.amazonaws.com", "AssumedRole", "", False, Via.CONSOLE, id="console-ec2"
    ),
    pytest.param("console.amazonaws.com", "Root", "", False, Via.CONSOLE, id="console-root"),
    pytest.param("signin.amazonaws.com", "IAMUser", "", False, Via.CONSOLE, id="signin"),
    pytest.param(
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0",
        "IAMUser",
        "",
        False,
        Via.CONSOLE,
        id="browser",
    ),
    pytest.param(
        "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]",
        "AssumedRole",
        "",
        False,
        Via.CONSOLE,
        id="s3-console",
    ),
    pytest.param("AWS Internal", "AssumedRole", "", True, Via.CONSOLE, id="aws-internal-console"),
    pytest.param(
        "AWS Internal", "AssumedRole", "", False, Via.CONSOLE, id="aws-internal-person-is-console"
    ),
    pytest.param(
        "AWS Internal", "Unknown", "", False, Via.AWS_SERVICE, id="aws-internal-no-person"
    ),
    pytest.param(
        "aws-internal/3 aws-sdk-java/1.11.706 Linux/4.9",
        "IAMUser",
        "",
        False,
        Via.AWS_SERVICE,
        id="aws-internal-automation",
    ),
    pytest.param(
        "aws-cli/2.13.5 Python/3.11.4 Linux/6.1 exe/x86_64 prompt/off command/ec2.authorize",
        "IAMUser",
        "",
        False,
        Via.CLI,
        id="cli-v2",
    ),
    pytest.param(
        "aws-cli/1.18.69 Python/3.8 Linux/5.4 botocore/1.17.0",
        "IAMUser",
        "",
        False,
        Via.CLI,
        id="cli-v1-names-botocore",
    ),
    pytest.param(
        "aws-cli/2.15.0 Python/3.11 exec-env/CloudShell",
        "AssumedRole",
        "",
        True,
        Via.CLI,
        id="cloudshell-cli-with-console-session",
    ),
    pytest.param(
        "AWSPowerShell.Common/4.1.0 .NET_Runtime/4.0", "IAMUser", "", False, Via.CLI, id="pwsh"
    ),
    pytest.param(
        "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux Python/3.11 Botocore/1.34.0",
        "AssumedRole",
        "",
        False,
        Via.SDK,
        id="boto3",
    ),
    pytest.param("Botocore/1.34.0 Python/3.11", "IAMUser", "", False, Via.SDK, id="botocore"),
    pytest.param(
        "aws-sdk-go/1.24.1 (go1.14; darwin; amd64)", "AssumedRole", "", False, Via.SDK, id="go"
    ),
    pytest.param("aws-sdk-java/1.12.300 Linux/5.10", "IAMUser", "", False, Via.SDK, id="java"),
    pytest.param("aws-sdk-js/3.600.0 ua/2.0 os/linux", "IAMUser", "", False, Via.SDK, id="js"),
    pytest.param("aws sdk", "AssumedRole", "", False, Via.SDK, id="panther-aws-sdk"),
    pytest.param("python-requests/2.28.0", "AssumedRole", "", False, Via.UNKNOWN, id="requests"),
    pytest.param("stratus-red-team_5c59eb79", "IAMUser", "", False, Via.UNKNOWN, id="custom-agent"),
    pytest.param("", "IAMUser", "", False, Via.UNKNOWN, id="no-agent"),
    pytest.param("", "IAMUser", "", True, Via.CONSOLE, id="console-session-only"),
]


@pytest.mark.parametrize(("agent", "identity_type", "invoked_by", "console", "via"), VIA_CASES)
def test_via(agent: str, identity_type: str, invoked_by: str, console: bool, via: Via) -> None:
    assert (
        classify_via(
            agent, identity_type=identity_type, invoked_by=invoked_by, console_session=console
        )
        is via
    )


def test_via_reaches_the_actor() -> None:
    identity = {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}
    actor = actor_from_identity(identity, user_agent="ec2.amazonaws.com")
    assert (actor.name, actor.via, actor.invoked_by) == (
        "ec2.amazonaws.com",
        Via.AWS_SERVICE,
        "ec2.amazonaws.com",
    )
    console = actor_from_identity(SSO_ROLE, user_agent="AWS Internal", console_session=True)
    assert console.via is Via.CONSOLE


# Falco output fields: typed values (json_output) and gRPC's all-string form.
FALCO_CASES = [
    pytest.param(
        {
            "ct.user": "AWSReservedSSO_Admin_0123",
            "ct.originaluser": "alan@acme.example",
            "ct.user.arn": SSO_ROLE["arn"],
            "ct.user.identitytype": "AssumedRole",
            "ct.user.accountid": ACCOUNT,
            "ct.user.principalid": "AROAEXAMPLE:alan@acme.example",
            "ct.srcip": "203.0.113.42",
            "ct.useragent": "console.ec2.amazonaws.com",
        },
        ("alan@acme.example", "AssumedRole", ACCOUNT, Via.CONSOLE, "203.0.113.42"),
        id="assumed-role-with-original-user",
    ),
    pytest.param(
        {
            "ct.user": "AssumedRole",
            "ct.originaluser": "<NA>",
            "ct.user.arn": "<NA>",
            "ct.user.identitytype": "AssumedRole",
            "ct.user.principalid": "AROAEXAMPLE:ci-run-42",
            "ct.srcip": "null",
            "ct.useragent": "aws-cli/2.15.0",
        },
        ("ci-run-42", "AssumedRole", "", Via.CLI, ""),
        id="assumed-role-placeholder-grpc-strings",
    ),
    pytest.param(
        {
            "ct.user": "DeployRole",
            "ct.user.arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/DeployRole/gh-actions",
            "ct.user.identitytype": "AssumedRole",
            "ct.useragent": TF_GO,
        },
        ("gh-actions", "AssumedRole", ACCOUNT, Via.TERRAFORM, ""),
        id="assumed-role-session-from-arn",
    ),
    pytest.param(
        {
            "ct.user": "bob",
            "ct.user.identitytype": "IAMUser",
            "ct.user.arn": f"arn:aws:iam::{ACCOUNT}:user/bob",
            "ct.user.accountid": ACCOUNT,
            "ct.useragent": "Boto3/1.34.0",
        },
        ("bob", "IAMUser", ACCOUNT, Via.SDK, ""),
        id="iam-user",
    ),
    pytest.param(
        {"ct.user": "<NA>", "ct.user.identitytype": "Root", "ct.user.accountid": ACCOUNT},
        ("root", "Root", ACCOUNT, Via.UNKNOWN, ""),
        id="root",
    ),
    pytest.param(
        {
            "ct.user": "FederatedUser",
            "ct.user.identitytype": "FederatedUser",
            "ct.user.arn": f"arn:aws:sts::{ACCOUNT}:federated-user/dave",
        },
        ("dave", "FederatedUser", ACCOUNT, Via.UNKNOWN, ""),
        id="federated-placeholder",
    ),
    pytest.param(
        {
            "ct.user": "ec2.amazonaws.com",
            "ct.user.identitytype": "AWSService",
            "ct.useragent": "ec2.amazonaws.com",
        },
        ("ec2.amazonaws.com", "AWSService", "", Via.AWS_SERVICE, ""),
        id="aws-service",
    ),
    pytest.param(
        {"ct.user": None, "ct.user.identitytype": None},
        ("unknown", "", "", Via.UNKNOWN, ""),
        id="all-missing",
    ),
]


@pytest.mark.parametrize(("fields", "expected"), FALCO_CASES)
def test_actor_from_falco(fields: dict[str, Any], expected: tuple[str, ...]) -> None:
    actor = actor_from_falco(fields)
    assert (actor.name, actor.type, actor.account_id, actor.via, actor.source_ip) == expected


def test_falco_and_cloudtrail_agree_on_the_same_call() -> None:
    from_trail = actor_from_identity(SSO_ROLE, source_ip="203.0.113.42", user_agent="aws-cli/2")
    from_falco = actor_from_falco(
        {
            "ct.user": "AWSReservedSSO_Admin_0123",
            "ct.originaluser": "alan@acme.example",
            "ct.user.arn": SSO_ROLE["arn"],
            "ct.user.identitytype": "AssumedRole",
            "ct.user.accountid": ACCOUNT,
            "ct.user.principalid": SSO_ROLE["principalId"],
            "ct.srcip": "203.0.113.42",
            "ct.useragent": "aws-cli/2",
        }
    )
    assert from_falco == from_trail


@pytest.mark.parametrize(
    ("first", "first_name", "second", "second_name"),
    [
        pytest.param(1, "1", True, "true", id="int-vs-bool"),
        pytest.param(1, "1", 1.0, "1.0", id="int-vs-float"),
        pytest.param(0, "0", False, "false", id="zero-vs-false"),
    ],
)
def test_memo_never_confuses_equal_non_strings(
    first: Any, first_name: str, second: Any, second_name: str
) -> None:
    """Hostile records may carry numbers where names belong; 1 == True must not share actors."""
    assert actor_from_identity({"type": "IAMUser", "userName": first}).name == first_name
    assert actor_from_identity({"type": "IAMUser", "userName": second}).name == second_name


def test_memo_returns_equal_actors_for_equal_identities() -> None:
    first = actor_from_identity(dict(SSO_ROLE), source_ip="198.51.100.7", user_agent="aws-cli/2")
    again = actor_from_identity(dict(SSO_ROLE), source_ip="198.51.100.7", user_agent="aws-cli/2")
    other_ip = actor_from_identity(dict(SSO_ROLE), source_ip="198.51.100.8", user_agent="aws-cli/2")
    assert first == again
    assert other_ip.source_ip == "198.51.100.8"


def test_unhashable_values_do_not_break_the_memo() -> None:
    actor = actor_from_identity({"type": ["IAMUser"], "userName": {"x": 1}, "arn": ["a"]})
    assert actor.name == "unknown"
    assert actor.type == ""
