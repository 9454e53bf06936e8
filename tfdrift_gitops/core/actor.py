"""Who made a CloudTrail call: an ``Actor`` from ``userIdentity`` or from Falco's ``ct.user*``.

The display name is what a reviewer recognises: the IAM user name, the *session* name of an
assumed role (for SSO that is the person's e-mail, while the role name is the same for everyone
in the group), ``root``, the federated user's name, or the AWS service that acted. ``via`` says
how the call was made, from the user agent and the identity; Terraform's own calls must be
recognised even though its user agent also names the Go SDK, so the order of the checks matters.

Hand-edited records (panther test cases) spell keys in odd case (``principalid``,
``sessioncontext``); lookups fall back to a case-insensitive match when a key is not in its
canonical spelling.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Final

from tfdrift_gitops.models import Actor, ActorKind, Via

# Keys CloudTrail itself writes. When every key of a mapping is one of these, exact lookups are
# enough; otherwise a lower-cased copy serves the misses (cheaper than scanning per miss).
_IDENTITY_KEYS: Final = frozenset(
    {
        "type",
        "principalId",
        "arn",
        "accountId",
        "accessKeyId",
        "userName",
        "sessionContext",
        "invokedBy",
        "identityProvider",
        "credentialId",
        "onBehalfOf",
        "inScopeOf",
    }
)
_SESSION_KEYS: Final = frozenset(
    {
        "attributes",
        "sessionIssuer",
        "webIdFederationData",
        "sourceIdentity",
        "ec2RoleDelivery",
        "ec2IssuedInVPC",
        "assumedRoot",
    }
)
_ISSUER_KEYS: Final = frozenset({"type", "principalId", "arn", "accountId", "userName"})

UNKNOWN_NAME: Final = "unknown"

# Values Falco uses for "no value" in output fields (gRPC sends every value as a string).
_FALCO_MISSING: Final = frozenset({"", "<NA>", "null", "<unknown user type>"})
# ct.user literals the CloudTrail plugin emits when it has no name for the identity type.
_FALCO_PLACEHOLDER_USERS: Final = frozenset({"AssumedRole", "AWSAccount", "FederatedUser"})

_TERRAFORM_MARKERS: Final = ("terraform/", "opentofu/", "hashicorp terraform")
_CLI_MARKERS: Final = ("aws-cli/", "awspowershell", "aws-tools-for-powershell")
_SDK_MARKERS: Final = (
    "boto3/",
    "botocore/",
    "aws-sdk-",
    "aws-sdk/",
    "aws sdk",
    "aws-chalice/",
    "aws-amplify/",
)
_CLOUDFORMATION_HOST: Final = "cloudformation.amazonaws.com"
_CONSOLE_HOSTS: Final = frozenset({"console.amazonaws.com", "signin.amazonaws.com"})


class FieldLookup:
    """Exact-then-case-insensitive key lookup over one mapping.

    ``known`` holds the canonical keys: a mapping whose keys are all canonical needs no
    lower-cased copy, which keeps the common case at one dict lookup per field.
    """

    __slots__ = ("_data", "_lower")

    def __init__(self, data: Mapping[str, Any] | None, known: frozenset[str]) -> None:
        self._data: Mapping[str, Any] = data if data is not None else {}
        self._lower: dict[str, Any] | None = None
        if data and not data.keys() <= known:
            self._lower = {k.lower(): v for k, v in data.items() if isinstance(k, str)}

    @staticmethod
    def getter(data: Mapping[str, Any], known: frozenset[str]) -> Callable[[str], Any]:
        """The fastest correct ``get`` for ``data``: its own when every key is canonical."""
        if data.keys() <= known:
            return data.get
        return FieldLookup(data, known).get

    def get(self, key: str) -> Any:
        value = self._data.get(key)
        if value is None and self._lower is not None:
            value = self._lower.get(key.lower())
        return value


def _is_mapping(value: Any) -> bool:
    """isinstance(value, Mapping), with the JSON case (a dict) answered without the ABC check."""
    return type(value) is dict or isinstance(value, Mapping)


def as_text(value: Any) -> str:
    """A scalar as text; containers and null become ``""`` (hostile input, not our problem)."""
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return ""


def falco_text(value: Any) -> str:
    """A Falco output field as text, with Falco's spellings of "missing" mapped to ``""``."""
    text = as_text(value)
    return "" if text in _FALCO_MISSING else text


def split_assumed_role_arn(arn: str) -> tuple[str, str]:
    """``arn:aws:sts::1:assumed-role/Role/session`` -> ``("Role", "session")``; else empty."""
    _, marker, rest = arn.partition(":assumed-role/")
    if not marker:
        return "", ""
    role, _, session = rest.partition("/")
    return role, session


def role_name(actor: Actor) -> str:
    """The role an assumed-role actor acts as (the display name is the session name)."""
    return split_assumed_role_arn(actor.arn)[0]


def _arn_tail(arn: str) -> str:
    """Last path segment of an ARN's resource part (``user/path/alice`` -> ``alice``)."""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
    return resource.rsplit("/", 1)[-1] if "/" in resource else ""


def _arn_account(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4].isdigit() else ""


def _after_colon(principal_id: str) -> str:
    """``AROAXXX:session`` -> ``session`` (the part CloudTrail appends to role principals)."""
    _, colon, tail = principal_id.partition(":")
    return tail if colon else ""


def classify_via(
    user_agent: str,
    *,
    identity_type: str = "",
    invoked_by: str = "",
    console_session: bool = False,
) -> Via:
    """How the call was made. Earlier checks win: a Terraform user agent also names the Go SDK,
    CloudFormation acts with the caller's identity, and a browser session may still use the CLI
    (CloudShell), so the console-session flag is only a last resort."""
    agent = user_agent.strip().lower()
    invoker = invoked_by.strip().lower()
    if any(marker in agent for marker in _TERRAFORM_MARKERS):
        return Via.TERRAFORM
    if _CLOUDFORMATION_HOST in agent or invoker == _CLOUDFORMATION_HOST:
        return Via.CLOUDFORMATION
    if identity_type == "AWSService":
        return Via.AWS_SERVICE
    if invoker.endswith(".amazonaws.com") and not _is_console_host(invoker):
        return Via.AWS_SERVICE
    if _is_console_agent(agent):
        return Via.CONSOLE
    if agent == "aws internal":
        # The console's own backend calling on a person's behalf (the IAM console does this):
        # a person's identity makes it the console; anything else is AWS's own automation.
        human = identity_type in _HUMAN_IDENTITY_TYPES
        return Via.CONSOLE if console_session or human else Via.AWS_SERVICE
    if agent.startswith("aws-internal/"):
        # AWS's internal SDKs: from a console page only when the session says so.
        return Via.CONSOLE if console_session else Via.AWS_SERVICE
    if any(marker in agent for marker in _CLI_MARKERS):
        return Via.CLI
    if any(marker in agent for marker in _SDK_MARKERS):
        return Via.SDK
    if agent.endswith(".amazonaws.com") and " " not in agent:
        return Via.AWS_SERVICE  # the user agent is a service host (lambda.amazonaws.com)
    if console_session:
        return Via.CONSOLE
    return Via.UNKNOWN


_HUMAN_IDENTITY_TYPES = frozenset(
    {"IAMUser", "AssumedRole", "Root", "FederatedUser", "IdentityCenterUser", "SAMLUser"}
)


def _is_console_host(host: str) -> bool:
    return host in _CONSOLE_HOSTS or (
        host.startswith("console.") and host.endswith(".amazonaws.com")
    )


def _is_console_agent(agent: str) -> bool:
    return (
        _is_console_host(agent)
        or agent.startswith("mozilla")
        or "s3console/" in agent
        or agent.startswith("[s3console")
    )


# Actors repeat: a real trail holds a handful of people and roles calling from a few places.
# Building one (name rules, user-agent classification, a frozen dataclass) costs more than
# reading its inputs, so equal inputs share one immutable Actor. The key is the raw field
# values; only keys made of strings and None are stored, because 1 == 1.0 == True would let a
# hostile record's number hit an entry built from another. Bounded; cleared when full.
_ACTOR_CACHE: dict[tuple[Any, ...], Actor] = {}
_ACTOR_CACHE_LIMIT: Final = 8192


def actor_from_identity(
    identity: Mapping[str, Any] | None,
    *,
    source_ip: str = "",
    user_agent: str = "",
    console_session: bool = False,
) -> Actor:
    """The Actor of a CloudTrail record's ``userIdentity`` (``None`` when it has none)."""
    if not identity:
        identity = {}
    get = FieldLookup.getter(identity, _IDENTITY_KEYS)
    issuer_name = issuer_arn = issuer_account = on_behalf_user = web_identity = None
    session = get("sessionContext")
    if session and _is_mapping(session):
        session_get = FieldLookup.getter(session, _SESSION_KEYS)
        federation = session_get("webIdFederationData")
        if federation and _is_mapping(federation):
            web_identity = federation.get("federatedProvider")
        issuer = session_get("sessionIssuer")
        if issuer and _is_mapping(issuer):
            issuer_get = FieldLookup.getter(issuer, _ISSUER_KEYS)
            issuer_name = issuer_get("userName")
            issuer_arn = issuer_get("arn")
            issuer_account = issuer_get("accountId")
    on_behalf = get("onBehalfOf")
    if on_behalf is not None and _is_mapping(on_behalf):
        on_behalf_user = on_behalf.get("userId")
    key = (
        get("type"),
        get("arn"),
        get("principalId"),
        get("accountId"),
        get("userName"),
        get("invokedBy"),
        issuer_name,
        issuer_arn,
        issuer_account,
        on_behalf_user,
        web_identity,
        source_ip,
        user_agent,
        console_session,
    )
    try:
        actor = _ACTOR_CACHE.get(key)
    except TypeError:  # an object or array where a string belongs: unhashable, build directly
        return _from_identity_key(key)
    if actor is None:
        actor = _from_identity_key(key)
        if all(part is None or type(part) is str for part in key[:-1]):
            if len(_ACTOR_CACHE) >= _ACTOR_CACHE_LIMIT:
                _ACTOR_CACHE.clear()
            _ACTOR_CACHE[key] = actor
    return actor


def _from_identity_key(key: tuple[Any, ...]) -> Actor:
    (
        identity_type,
        arn,
        principal_id,
        account_id,
        user_name,
        invoked_by,
        issuer_name,
        issuer_arn,
        issuer_account,
        on_behalf_user,
        web_identity,
        source_ip,
        user_agent,
        console_session,
    ) = key
    return _build(
        identity_type=as_text(identity_type),
        arn=as_text(arn),
        principal_id=as_text(principal_id),
        account_id=as_text(account_id) or as_text(issuer_account),
        user_name=as_text(user_name),
        invoked_by=as_text(invoked_by),
        issuer_name=as_text(issuer_name) or _arn_tail(as_text(issuer_arn)),
        session_hint="",
        on_behalf_user=as_text(on_behalf_user),
        source_ip=source_ip,
        user_agent=user_agent,
        console_session=bool(console_session),
        web_identity=as_text(web_identity),
    )


def actor_from_falco(fields: Mapping[str, Any]) -> Actor:
    """The Actor of a Falco CloudTrail alert's output fields.

    The plugin's ``ct.user`` is the user name (IAMUser, Root), the role name (AssumedRole; the
    session name is ``ct.originaluser``), invokedBy (AWSService), or a placeholder naming the
    identity type; the ARN and principal id fill in what it leaves out.
    """
    identity_type = falco_text(fields.get("ct.user.identitytype"))
    user = falco_text(fields.get("ct.user"))
    if user in _FALCO_PLACEHOLDER_USERS:
        user = ""
    user_name = invoked_by = issuer_name = ""
    if identity_type == "AWSService":
        invoked_by = user
    elif identity_type == "AssumedRole":
        issuer_name = user
    else:
        user_name = user
    return _build(
        identity_type=identity_type,
        arn=falco_text(fields.get("ct.user.arn")),
        principal_id=falco_text(fields.get("ct.user.principalid")),
        account_id=falco_text(fields.get("ct.user.accountid")),
        user_name=user_name,
        invoked_by=invoked_by,
        issuer_name=issuer_name,
        session_hint=falco_text(fields.get("ct.originaluser")),
        on_behalf_user="",
        source_ip=falco_text(fields.get("ct.srcip")),
        user_agent=falco_text(fields.get("ct.useragent")),
        console_session=False,
    )


def _build(
    *,
    identity_type: str,
    arn: str,
    principal_id: str,
    account_id: str,
    user_name: str,
    invoked_by: str,
    issuer_name: str,
    session_hint: str,
    on_behalf_user: str,
    source_ip: str,
    user_agent: str,
    console_session: bool,
    web_identity: str = "",
) -> Actor:
    session_name = ""
    if identity_type == "AssumedRole":
        role, session_name = split_assumed_role_arn(arn)
        session_name = session_name or session_hint or _after_colon(principal_id)
        name = session_name or role or issuer_name or user_name or principal_id
    elif identity_type == "IAMUser":
        name = user_name or _arn_tail(arn) or principal_id
    elif identity_type == "Root":
        name = "root"
    elif identity_type == "FederatedUser":
        _, marker, federated = arn.partition(":federated-user/")
        session_name = (federated if marker else "") or session_hint or _after_colon(principal_id)
        name = session_name or user_name or principal_id
    elif identity_type == "AWSService":
        name = invoked_by or user_name or principal_id or "aws-service"
    elif identity_type == "IdentityCenterUser":
        name = user_name or on_behalf_user or _after_colon(principal_id) or principal_id
    else:
        # AWSAccount, SAMLUser, WebIdentityUser, Unknown and anything newer: best effort.
        name = (
            user_name
            or session_hint
            or _after_colon(principal_id)
            or principal_id
            or _arn_tail(arn)
            or invoked_by
        )
    return with_kind(
        Actor(
            name=name or (f"account {account_id}" if account_id else UNKNOWN_NAME),
            arn=arn,
            type=identity_type,
            account_id=account_id or _arn_account(arn),
            principal_id=principal_id,
            session_name=session_name,
            source_ip=source_ip,
            user_agent=user_agent,
            via=classify_via(
                user_agent,
                identity_type=identity_type,
                invoked_by=invoked_by,
                console_session=console_session,
            ),
            invoked_by=invoked_by,
        ),
        web_identity,
    )


# ------------------------------------------------------------------------------ actor kind
#
# Who is behind a call: a person, CI/CD, AWS itself or an automation, or an AI agent. The
# strings below are the ones these tools really send (checked in their sources):
# - AWS MCP servers (github.com/awslabs/mcp) add ``awslabs/mcp/<server>/<version>`` to the
#   botocore user agent (``Config(user_agent_extra=f'awslabs/mcp/cloudwatch-mcp-server/…')``,
#   ``awslabs/mcp/AWS-API-MCP-server/…`` for the AWS API server).
# - Amazon Q Developer CLI (aws/amazon-q-developer-cli) runs the AWS CLI for its ``use_aws``
#   tool with ``AWS_EXECUTION_ENV=AmazonQ-For-CLI`` (its USER_AGENT_APP_NAME), which the CLI
#   sends as ``exec-env/AmazonQ-For-CLI``; its own SDK calls carry ``app/AmazonQ-For-CLI``.
# - aws-actions/configure-aws-credentials names the session ``GitHubActions`` unless
#   ``role-session-name`` is set, and sends ``configure-aws-credentials-for-github-actions``.
# - AWS SDKs and the CLI report ``AWS_EXECUTION_ENV`` as ``exec-env/…``: ``AWS_Lambda_*``
#   in Lambda, ``AWS_ECS_EC2``/``AWS_ECS_FARGATE`` in ECS tasks, ``CodeBuild`` in CodeBuild.
# Configured patterns (``actor_kinds:`` in .tfdrift.yml) override all of this.

_AI_AGENT_MARKERS: Final = (
    ("awslabs/mcp/", "AWS MCP server"),
    ("amazonq-for-cli", "Amazon Q Developer CLI"),
)
_GITHUB_SESSION_PREFIXES: Final = ("githubactions", "github-actions", "gha-", "gh-actions")
# OIDC issuers of CI systems (sessionContext.webIdFederationData.federatedProvider).
_CI_OIDC_PROVIDERS: Final = (
    ("gitlab", "GitLab CI"),
    ("app.terraform.io", "HCP Terraform"),
    ("oidc.circleci.com", "CircleCI"),
    ("agent.buildkite.com", "Buildkite"),
    ("bitbucket.org", "Bitbucket Pipelines"),
    ("spacelift.io", "Spacelift"),
)
_CI_EXEC_ENVS: Final = (
    ("exec-env/codebuild", "AWS CodeBuild"),
    ("configure-aws-credentials-for-github-actions", "GitHub Actions"),
)
_CI_ROLE_WORDS: Final = (
    "github",
    "gitlab",
    "circleci",
    "buildkite",
    "jenkins",
    "atlantis",
    "spacelift",
    "codebuild",
    "codepipeline",
    "cicd",
    "ci-",
    "-ci",
    "_ci",
    "deploy",
    "pipeline",
)
_AUTOMATION_EXEC_ENVS: Final = (
    ("exec-env/aws_lambda", "a Lambda function"),
    ("exec-env/aws_ecs", "an ECS task"),
    ("amazon-ssm-agent", "the SSM agent"),
)
_AUTOMATION_ROLE_WORDS: Final = (
    ("awsservicerolefor", "a service-linked role"),
    ("configremediation", "AWS Config remediation"),
    ("automationassumerole", "SSM Automation"),
    ("lambda", "a Lambda execution role"),
    ("ecstask", "an ECS task role"),
    ("ecs-task", "an ECS task role"),
)
_OIDC_REPO = re.compile(r"repo:([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)")
_OIDC_WORKFLOW = re.compile(r"/\.github/workflows/([A-Za-z0-9_.-]+\.ya?ml)")
_EC2_SESSION = re.compile(r"i-[0-9a-f]{8,17}")
_ECS_SESSION = re.compile(r"[0-9a-f]{32}")


def classify_kind(actor: Actor, web_identity: str = "") -> tuple[ActorKind, str]:
    """The kind of actor and the evidence, in words. Earlier checks win: an AI agent's calls
    also come through an SDK under a person's role, and CI sessions are assumed roles.
    ``web_identity`` is the session's OIDC provider (``sessionContext.webIdFederationData``)."""
    agent = actor.user_agent.lower()
    role = role_name(actor)
    role_lower = role.lower()
    session = actor.session_name
    for marker, label in _AI_AGENT_MARKERS:
        if marker in agent:
            return ActorKind.AI_AGENT, f"user agent names {label} ({_agent_token(agent, marker)})"
    if actor.type == "WebIdentityUser" or "token.actions.githubusercontent.com" in (
        actor.principal_id + actor.name
    ):
        where = _oidc_where(actor.principal_id + " " + actor.name)
        return ActorKind.CI_CD, f"OIDC web-identity session{where}"
    if "token.actions.githubusercontent.com" in web_identity:
        return ActorKind.CI_CD, f"GitHub Actions OIDC session {session!r} (role {role or '?'})"
    for marker, label in _CI_OIDC_PROVIDERS:
        if marker in web_identity:
            return ActorKind.CI_CD, f"{label} OIDC session {session!r} (role {role or '?'})"
    if session.lower().startswith(_GITHUB_SESSION_PREFIXES):
        return ActorKind.CI_CD, f"GitHub Actions OIDC session {session!r} (role {role or '?'})"
    for marker, label in _CI_EXEC_ENVS:
        if marker in agent:
            return ActorKind.CI_CD, f"user agent says {label}"
    if actor.type == "AWSService" or actor.via is Via.AWS_SERVICE:
        return ActorKind.AUTOMATION, f"AWS service {actor.invoked_by or actor.name}"
    for marker, label in _AUTOMATION_EXEC_ENVS:
        if marker in agent:
            return ActorKind.AUTOMATION, f"user agent says {label}"
    if ":assumed-role/" in actor.arn and "/aws-service-role/" in actor.arn:
        return ActorKind.AUTOMATION, "a service-linked role"
    if actor.type == "AssumedRole" and _EC2_SESSION.fullmatch(session):
        return ActorKind.AUTOMATION, f"EC2 instance role {role} (instance {session})"
    if actor.type == "AssumedRole" and _ECS_SESSION.fullmatch(session):
        return ActorKind.AUTOMATION, f"ECS task role {role} (task {session})"
    for word, label in _AUTOMATION_ROLE_WORDS:
        if word in role_lower:
            return ActorKind.AUTOMATION, f"role {role} looks like {label}"
    if any(word in role_lower for word in _CI_ROLE_WORDS) and not role.startswith(
        "AWSReservedSSO_"
    ):
        return ActorKind.CI_CD, f"role {role} looks like a CI/CD role"
    return _person(actor, role)


def _person(actor: Actor, role: str) -> tuple[ActorKind, str]:
    how = {
        Via.CONSOLE: "console",
        Via.CLI: "AWS CLI",
        Via.SDK: "an AWS SDK",
    }.get(actor.via, "")
    if actor.type in ("Root", "IAMUser", "IdentityCenterUser", "SAMLUser", "FederatedUser"):
        return ActorKind.PERSON, f"{actor.type} {actor.name}" + (f" via {how}" if how else "")
    if role.startswith("AWSReservedSSO_"):
        return ActorKind.PERSON, f"IAM Identity Center (SSO) session {actor.session_name}"
    if actor.via is Via.CONSOLE:
        return ActorKind.PERSON, "console session"
    if "@" in actor.session_name:
        return ActorKind.PERSON, f"session named after a person ({actor.session_name})"
    if how:
        return ActorKind.UNKNOWN, f"role {role or '?'} session via {how}: no sign of who"
    return ActorKind.UNKNOWN, "no sign of who"


def _agent_token(agent: str, marker: str) -> str:
    """The user-agent word holding ``marker`` (``awslabs/mcp/aws-api-mcp-server/1.0``)."""
    start = agent.find(marker)
    begin = agent.rfind(" ", 0, start) + 1
    end = agent.find(" ", start)
    return agent[begin : end if end >= 0 else len(agent)][:120]


def _oidc_where(text: str) -> str:
    repo = _OIDC_REPO.search(text)
    workflow = _OIDC_WORKFLOW.search(text)
    parts = []
    if repo:
        parts.append(f" from repo {repo.group(1)}")
    if workflow:
        parts.append(f", workflow {workflow.group(1)}")
    return "".join(parts)


def with_kind(actor: Actor, web_identity: str = "") -> Actor:
    kind, evidence = classify_kind(actor, web_identity)
    return replace(actor, kind=kind, kind_evidence=evidence)
