"""Actor kinds (person, CI/CD, AWS service or automation, AI agent) with their evidence, from
real-shaped userIdentity blocks and the user agents these tools really send (sources named in
tfdrift_gitops/core/actor.py); configured patterns win; severity and routing match on kind."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.notify.drifts import make_drift
from tfdrift_gitops.config import parse_config
from tfdrift_gitops.core.actor import actor_from_identity
from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.models import Actor, ActorKind, CloudEvent
from tfdrift_gitops.notify.channel import wants
from tfdrift_gitops.notify.settings import build_channels, parse_notify_section

ACCOUNT = "123456789012"
GITHUB_OIDC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"


def role(role_name: str, session: str) -> dict[str, Any]:
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{session}",
        "accountId": ACCOUNT,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/{role_name}",
                "userName": role_name,
            }
        },
    }


BOTO = (
    "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1 lang/python#3.12.1 cfg/retry-mode#legacy"
)
CASES = {
    "sso-console": (
        role("AWSReservedSSO_Admin_0123", "alan@acme.example"),
        "AWS Internal",
        ActorKind.PERSON,
        "IAM Identity Center (SSO) session alan@acme.example",
    ),
    "iam-user-cli": (
        {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/bob", "userName": "bob"},
        "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22 prompt/off command/ec2.x",
        ActorKind.PERSON,
        "IAMUser bob via AWS CLI",
    ),
    "root": (
        {"type": "Root", "arn": f"arn:aws:iam::{ACCOUNT}:root"},
        "",
        ActorKind.PERSON,
        "Root root",
    ),
    "github-actions-default-session": (
        role("gha-deploy", "GitHubActions"),
        "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0-1025-azure exe/x86_64.ubuntu.22",
        ActorKind.CI_CD,
        "GitHub Actions OIDC session 'GitHubActions' (role gha-deploy)",
    ),
    "web-identity-user": (
        {
            "type": "WebIdentityUser",
            "principalId": f"{GITHUB_OIDC}:sts.amazonaws.com:repo:acme/infra:ref:refs/heads/main",
            "userName": "repo:acme/infra:ref:refs/heads/main",
            "identityProvider": GITHUB_OIDC,
        },
        "aws-sdk-nodejs/3.0 configure-aws-credentials-for-github-actions",
        ActorKind.CI_CD,
        "OIDC web-identity session from repo acme/infra",
    ),
    "github-oidc-custom-session": (
        {
            **role("deployer", "acme-infra-4711"),
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "userName": "deployer"},
                "webIdFederationData": {
                    "federatedProvider": GITHUB_OIDC,
                    "attributes": {},
                },
            },
        },
        BOTO,
        ActorKind.CI_CD,
        "GitHub Actions OIDC session 'acme-infra-4711' (role deployer)",
    ),
    "gitlab-oidc": (
        {
            **role("deployer", "pipeline-99"),
            "sessionContext": {
                "webIdFederationData": {
                    "federatedProvider": f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"
                }
            },
        },
        BOTO,
        ActorKind.CI_CD,
        "GitLab CI OIDC session 'pipeline-99' (role deployer)",
    ),
    "ci-role-name": (
        role("atlantis-apply", "atlantis-1234"),
        BOTO,
        ActorKind.CI_CD,
        "role atlantis-apply looks like a CI/CD role",
    ),
    "codebuild": (
        role("builder", "AWSCodeBuild-1a2b"),
        "aws-cli/2.15.0 Python/3.11.6 Linux/5.10 exec-env/CodeBuild exe/x86_64.amzn.2",
        ActorKind.CI_CD,
        "user agent says AWS CodeBuild",
    ),
    "aws-service": (
        {"type": "AWSService", "invokedBy": "config.amazonaws.com"},
        "config.amazonaws.com",
        ActorKind.AUTOMATION,
        "AWS service config.amazonaws.com",
    ),
    "lambda-runtime": (
        role("cleanup", "cleanup-fn"),
        BOTO + " exec-env/AWS_Lambda_python3.12",
        ActorKind.AUTOMATION,
        "user agent says a Lambda function",
    ),
    "ecs-task": (
        role("worker", "0123456789abcdef0123456789abcdef"),
        BOTO,
        ActorKind.AUTOMATION,
        "ECS task role worker (task 0123456789abcdef0123456789abcdef)",
    ),
    "config-remediation": (
        role("AWSConfigRemediationRole", "SSMAutomation"),
        BOTO,
        ActorKind.AUTOMATION,
        "role AWSConfigRemediationRole looks like AWS Config remediation",
    ),
    "aws-mcp-server": (
        role("AWSReservedSSO_Dev_1", "alan@acme.example"),
        BOTO + " awslabs/mcp/AWS-API-MCP-server/1.0.2 cfg/ro#0",
        ActorKind.AI_AGENT,
        "user agent names AWS MCP server (awslabs/mcp/aws-api-mcp-server/1.0.2)",
    ),
    "amazon-q-cli": (
        role("AWSReservedSSO_Dev_1", "alan@acme.example"),
        "aws-cli/2.22.0 md/awscrt#0.22 ua/2.0 os/linux exec-env/AmazonQ-For-CLI Version/1.12.0",
        ActorKind.AI_AGENT,
        "user agent names Amazon Q Developer CLI (exec-env/amazonq-for-cli)",
    ),
    "anonymous-role-sdk": (role("app", "session-1"), BOTO, ActorKind.UNKNOWN, None),
}


@pytest.mark.parametrize(
    ("identity", "agent", "kind", "evidence"), CASES.values(), ids=CASES.keys()
)
def test_kind_and_evidence(
    identity: dict[str, Any], agent: str, kind: ActorKind, evidence: str | None
) -> None:
    actor = actor_from_identity(identity, user_agent=agent)
    assert actor.kind is kind
    if evidence is not None:
        assert actor.kind_evidence == evidence
    assert actor.kind_evidence


def test_kind_round_trips_through_the_record_and_old_records_are_classified() -> None:
    actor = actor_from_identity(role("gha-deploy", "GitHubActions"))
    data = actor.to_dict()
    assert Actor.from_dict(data) == actor
    del data["kind"], data["kind_evidence"]
    assert Actor.from_dict(data).kind is ActorKind.CI_CD


def _event(actor: Actor) -> CloudEvent:
    return CloudEvent(
        "e1", "PutBucketPolicy", "s3.amazonaws.com", datetime.now(UTC), "eu-west-1", actor
    )


def test_configured_patterns_win_and_trusted_actors_are_ci() -> None:
    config = parse_config(
        {
            "actor_kinds": {"ai-agent": ["*:role/bedrock-agent*"], "person": ["*/ops-*"]},
            "trusted_actors": ["arn:aws:iam::*:role/terraform-ci"],
        }
    )
    agent = actor_from_identity(role("bedrock-agent-x", "s1"), user_agent=BOTO)
    assert agent.kind is ActorKind.UNKNOWN
    classified = config.policy.with_actor_kind(_event(agent)).actor
    assert (classified.kind, classified.kind_evidence) == (
        ActorKind.AI_AGENT,
        "configured in actor_kinds.ai-agent",
    )
    ci = config.policy.with_actor_kind(_event(actor_from_identity(role("terraform-ci", "x")))).actor
    assert ci.kind is ActorKind.CI_CD
    plain = _event(actor_from_identity(role("app", "y")))
    assert config.policy.with_actor_kind(plain) is plain


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"actor_kinds": {"robot": ["*"]}}, "actor_kinds: 'robot' is not an actor kind"),
        ({"severity": [{"severity": "high", "actor_kinds": ["bot"]}]}, "severity[0].actor_kinds"),
    ],
    ids=["unknown-kind", "unknown-kind-in-severity"],
)
def test_config_errors_name_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_config(data)


def test_severity_override_matches_on_actor_kind() -> None:
    config = parse_config({"severity": [{"severity": "critical", "actor_kinds": ["ai-agent"]}]})
    (override,) = config.policy.severity_overrides
    assert override.matches("PutBucketPolicy", "aws_s3_bucket_policy", "a", [], ActorKind.AI_AGENT)
    assert not override.matches(
        "PutBucketPolicy", "aws_s3_bucket_policy", "a", [], ActorKind.PERSON
    )


def test_channels_route_on_actor_kind() -> None:
    settings = parse_notify_section(
        {
            "channels": [
                {
                    "type": "slack",
                    "url": "https://hooks.slack.invalid/x",
                    "actor_kinds": ["ai-agent"],
                }
            ]
        }
    )
    (channel,) = build_channels(settings, {})
    drift = make_drift()
    assert drift.actor.kind is ActorKind.PERSON
    assert not wants(channel, drift)
    agent = replace(drift, actor=replace(drift.actor, kind=ActorKind.AI_AGENT))
    assert wants(channel, agent)
