"""Lambda: functions, permissions, function URLs, concurrency and tags.

CloudTrail spells these events with API-version suffixes (``UpdateFunctionConfiguration
20150331v2``, ``AddPermission20150331v2``, ``CreateFunction20150331``); the catalog strips
them, so rows use the base names.

Choices worth knowing:
- ``functionName`` may be a name, a full ARN or a partial ARN; all are reduced to the name.
- Environment variables: CloudTrail may hide the values (``<sensitiveDataRemoved>``), per
  variable or for the whole map. We keep the keys we can see and the marker in place of each
  value, and never claim such a map equals state's: the change is reported, not dropped.
  Terraform's own calls are hidden the same way; a hidden value written by Terraform is taken
  to be Terraform's value, so a Terraform revert still resolves the drift. ``environment: {}``
  without ``variables`` says nothing, so it is not modelled.
- ``layers`` is an ordered list (layers are applied in order). When the request does not name
  layers, the function's layers in the response (the configuration after the call) are used.
  The response always lists them, so a call whose *request* sets nothing we model (typically
  an environment change, which CloudTrail omits) is still a resource-level drift, with any
  layer change the response shows reported alongside.
- ``UpdateFunctionCode``: the zip itself is never logged; the response's ``codeSha256`` is
  compared with ``source_code_hash`` (Terraform users set it to ``filebase64sha256`` of the
  package, which is the same value). Code changed by hand is high severity.
- CloudTrail omits ``Environment`` from CreateFunction and UpdateFunctionConfiguration
  records (the Lambda developer guide says so; real records carry ``"environment": {}``): an
  environment change alone is a resource-level drift. Records that do carry ``variables``
  (hidden or not) are modelled as above.
- ``aws_lambda_permission`` is found by ``name[:qualifier]/statement_id`` (its import id): a
  statement id alone repeats across functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.hidden import TERRAFORM_HIDDEN, Unknowable, hidden_marker
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    as_set,
    canonical_json,
    const,
    first,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    HIDDEN,
    integer,
    once_per_call,
    optional_text,
    ordered,
    request_has,
    request_is,
    string_list,
    tag_pairs,
    text,
    when,
    with_fallback,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING, items, lookup, set_path
from tfdrift_gitops.core.state_keys import lambda_function_ref
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "lambda.amazonaws.com"
FUNCTION = "aws_lambda_function"
PERMISSION = "aws_lambda_permission"
FUNCTION_URL = "aws_lambda_function_url"

RESERVED = "reservedConcurrentExecutions"


# --------------------------------------------------------------------------- ids


def _function_name(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return MISSING
    name, _ = lambda_function_ref(value)
    return name or MISSING


def _function_ref(event: CloudEvent) -> tuple[str, str] | None:
    """(name, qualifier) of the function the call names; qualifier from the field or ARN."""
    raw = first(req("functionName"), resp("functionName"))(event)
    if not isinstance(raw, str) or not raw.strip():
        return None
    name, qualifier = lambda_function_ref(raw)
    explicit = text("qualifier")(event)
    if isinstance(explicit, str) and explicit:
        qualifier = explicit
    return (name, qualifier) if name else None


# A qualified name or ARN (orders:live, ...:function:orders:live) names the function orders.
FUNCTION_NAME: Extractor = keys.reshapes(
    first(mapped(req("functionName"), _function_name), mapped(resp("functionName"), _function_name))
)


def _unqualified_function(event: CloudEvent) -> Any:
    """The function, unless the call names a version or alias (then it is not the function)."""
    ref = _function_ref(event)
    if ref is None:
        return MISSING
    name, qualifier = ref
    return name if qualifier in ("", "$LATEST") else MISSING


def _permission_id(event: CloudEvent) -> Any:
    ref = _function_ref(event)
    sid = text("statementId")(event)
    if ref is None or not isinstance(sid, str) or not sid:
        return MISSING
    name, qualifier = ref
    return f"{name}:{qualifier}/{sid}" if qualifier else f"{name}/{sid}"


# It keys as its statement id, the plain statementId (after its last "/").
keys.note(_permission_id, (frozenset({"statementid"}), frozenset()))


def _function_url_id(event: CloudEvent) -> Any:
    ref = _function_ref(event)
    if ref is None:
        return MISSING
    name, qualifier = ref
    return f"{name}/{qualifier}" if qualifier else name


# It keys as the plain qualifier, or as the function name's last ":" segment (its name or
# the qualifier it ends in), which is also the id's.
keys.note(_function_url_id, (frozenset({"functionname", "qualifier"}), frozenset({"functionname"})))


def _tagged_function(event: CloudEvent) -> Any:
    resource = req("resource")(event)
    if isinstance(resource, str) and ":function:" in resource:
        return _function_name(resource)
    return MISSING


# --------------------------------------------------------------------------- effects


class _KnownByTerraform:
    """Values Terraform wrote but CloudTrail hid: the keys must match, the hidden values are
    taken to be Terraform's own (whatever state holds)."""

    __slots__ = ("known", "whole", "wildcard_keys")

    def __init__(
        self, known: Mapping[str, str], wildcard_keys: frozenset[str], *, whole: bool = False
    ) -> None:
        self.known = dict(known)
        self.wildcard_keys = wildcard_keys
        self.whole = whole

    def __eq__(self, other: object) -> bool:
        if self.whole:
            return True
        if isinstance(other, _KnownByTerraform):
            return self is other
        if not isinstance(other, Mapping):
            return False
        if set(other) != set(self.known) | self.wildcard_keys:
            return False
        return all(other.get(k) == v for k, v in self.known.items())

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.known.items())))


@keys.noop_on_missing
@dataclass(frozen=True, slots=True)
class HiddenValueMap:
    """A map attribute whose values CloudTrail may hide (Lambda environment variables)."""

    path: str
    value: Extractor

    def compare(self, value: Any) -> Any:
        if value in (HIDDEN, TERRAFORM_HIDDEN) and isinstance(value, str):
            if value == TERRAFORM_HIDDEN:
                return _KnownByTerraform({}, frozenset(), whole=True)
            return Unknowable()
        plain = tags_map(value)
        if not isinstance(plain, Mapping):
            return canonical_json(value)
        if HIDDEN in plain.values():
            return Unknowable()
        wild = frozenset(k for k, v in plain.items() if v == TERRAFORM_HIDDEN)
        if wild:
            known = {k: v for k, v in plain.items() if k not in wild}
            return _KnownByTerraform(known, wild)
        return plain

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        new = self.value(event)
        marker = hidden_marker(event)
        if isinstance(new, str) and new.strip() == HIDDEN:
            set_path(attrs, self.path, marker)
            return True
        if not isinstance(new, Mapping):
            return False
        set_path(
            attrs,
            self.path,
            {
                str(k): marker if v == HIDDEN else ("" if v is None else str(v))
                for k, v in new.items()
            },
        )
        return True


_ENVIRONMENT = req("environment")
_VARIABLES = req("environment.variables")


def _environment_variables(event: CloudEvent) -> Any:
    """``environment.variables``, or the hidden marker when CloudTrail hid all of it."""
    environment = _ENVIRONMENT(event)
    if isinstance(environment, str) and environment.strip() == HIDDEN:
        return HIDDEN
    if isinstance(environment, Mapping):
        return lookup(environment, "variables")
    return MISSING


def _layer_arns(raw: Any) -> Any:
    """Response layers are ``[{"arn": ..., "codeSize": ...}]``; request layers are strings."""
    out: list[str] = []
    for layer in items(raw):
        arn = layer if isinstance(layer, str) else lookup(layer, "arn")
        if isinstance(arn, str) and arn:
            out.append(arn)
    return out


LAYERS: Extractor = first(mapped(req("layers"), _layer_arns), mapped(resp("layers"), _layer_arns))

CONFIG_EFFECTS: tuple[Effect, ...] = (
    SetAttr("timeout", integer("timeout")),
    SetAttr("memory_size", integer("memorySize")),
    HiddenValueMap("environment[0].variables", _environment_variables),
    SetAttr("layers", LAYERS, ordered),
    SetAttr("role", text("role")),
    SetAttr("runtime", text("runtime"), optional_text),
    SetAttr("handler", text("handler"), optional_text),
    SetAttr("description", text("description"), optional_text),
    SetAttr("vpc_config[0].subnet_ids", string_list(req("vpcConfig.subnetIds")), as_set),
    SetAttr(
        "vpc_config[0].security_group_ids", string_list(req("vpcConfig.securityGroupIds")), as_set
    ),
    SetAttr("tracing_config[0].mode", text("tracingConfig.mode"), optional_text),
    SetAttr("kms_key_arn", text("kMSKeyArn"), optional_text),
    SetAttr("ephemeral_storage[0].size", integer("ephemeralStorage.size")),
    SetAttr("dead_letter_config[0].target_arn", text("deadLetterConfig.targetArn"), optional_text),
    SetAttr("logging_config[0].log_format", text("loggingConfig.logFormat"), optional_text),
    SetAttr("logging_config[0].log_group", text("loggingConfig.logGroup"), optional_text),
    SetAttr(
        "logging_config[0].application_log_level",
        text("loggingConfig.applicationLogLevel"),
        optional_text,
    ),
    SetAttr(
        "logging_config[0].system_log_level", text("loggingConfig.systemLogLevel"), optional_text
    ),
)


@once_per_call  # asked of one call by its row's guard and again by its replay
def _request_names_nothing_visible(event: CloudEvent) -> bool:
    """The request itself sets no field we model (only ``functionName`` and the blanked
    ``environment: {}``): what it changed is most likely the environment, which CloudTrail
    omits. The response always lists the function's layers, so it must not count here."""
    # Copied only when there is a response to hide (a copy costs more than the check).
    bare = event if event.response is None else replace(event, response=None)
    plan = keys.plan_of(CONFIG_EFFECTS, CONFIG_EFFECTS)
    return not any(effect.apply({}, bare) for effect in keys.applicable(plan, bare))


CODE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("source_code_hash", mapped(resp("codeSha256"), optional_text), optional_text),
    SetAttr("image_uri", text("imageUri"), optional_text),
    SetAttr("s3_bucket", text("s3Bucket"), optional_text),
    SetAttr("s3_key", text("s3Key"), optional_text),
    SetAttr("s3_object_version", text("s3ObjectVersion"), optional_text),
)

CREATE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("function_name", FUNCTION_NAME),
    SetAttr("package_type", text("packageType"), optional_text),
    SetAttr("source_code_hash", mapped(resp("codeSha256"), optional_text), optional_text),
    SetAttr("image_uri", text("code.imageUri"), optional_text),
    SetAttr("s3_bucket", text("code.s3Bucket"), optional_text),
    SetAttr("s3_key", text("code.s3Key"), optional_text),
    SetAttr("s3_object_version", text("code.s3ObjectVersion"), optional_text),
    *CONFIG_EFFECTS,
    # The request's Tags is a map already; an import block without them plans their change.
    SetAttr("tags", tag_pairs(req("tags")), tags_map),
)

PERMISSION_EFFECTS: tuple[Effect, ...] = (
    SetAttr("statement_id", text("statementId")),
    SetAttr("function_name", FUNCTION_NAME),
    SetAttr("action", text("action")),
    SetAttr("principal", text("principal")),
    SetAttr("qualifier", text("qualifier"), optional_text),
    SetAttr("source_arn", text("sourceArn"), optional_text),
    SetAttr("source_account", text("sourceAccount"), optional_text),
    SetAttr("event_source_token", text("eventSourceToken"), optional_text),
    SetAttr("principal_org_id", text("principalOrgID"), optional_text),
    SetAttr("function_url_auth_type", text("functionUrlAuthType"), optional_text),
)

URL_EFFECTS: tuple[Effect, ...] = (
    SetAttr("function_name", FUNCTION_NAME),
    SetAttr("qualifier", text("qualifier"), optional_text),
    SetAttr("authorization_type", text("authType")),
    SetAttr("invoke_mode", text("invokeMode"), optional_text),
)


# --------------------------------------------------------------------------- severity


def _open_to_everyone(event: CloudEvent) -> bool:
    """``principal: *`` with nothing narrowing it (no source ARN/account, no organisation)."""
    if not request_is("principal", "*")(event):
        return False
    return not any(
        request_has(field)(event) for field in ("sourceArn", "sourceAccount", "principalOrgID")
    )


def _cross_account(event: CloudEvent) -> bool:
    principal = text("principal")(event)
    if not isinstance(principal, str):
        return False
    parts = principal.split(":")
    account = parts[4] if principal.startswith("arn:") and len(parts) > 4 else principal
    return account.isdigit() and account != (event.account_id or event.actor.account_id)


def _exec_wrapper(event: CloudEvent) -> bool:
    variables = _VARIABLES(event)
    return isinstance(variables, Mapping) and "AWS_LAMBDA_EXEC_WRAPPER" in variables


def _throttled(event: CloudEvent) -> bool:
    return request_is(RESERVED, 0)(event)


def _rule(
    event: str,
    action: Action,
    targets: tuple[Target, ...],
    severity: Severity,
    description: str,
    *checks: Any,
) -> Rule:
    return Rule(
        event,
        SOURCE,
        action,
        targets,
        severity=severity,
        description=description,
        severity_checks=tuple(checks),
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "UpdateFunctionConfiguration",
        Action.MODIFY,
        with_fallback(
            Target(FUNCTION, "function_name", FUNCTION_NAME, CONFIG_EFFECTS),
            _request_names_nothing_visible,
        ),
        Severity.MEDIUM,
        "function configuration changed",
        when(
            request_has("layers"),
            Severity.HIGH,
            "layers changed: a layer runs code in the function",
        ),
        when(request_has("role"), Severity.HIGH, "execution role changed"),
        when(request_has("handler"), Severity.HIGH, "handler changed"),
        when(
            _exec_wrapper,
            Severity.CRITICAL,
            "AWS_LAMBDA_EXEC_WRAPPER set: code runs before every invocation",
        ),
    ),
    _rule(
        "UpdateFunctionCode",
        Action.MODIFY,
        with_fallback(Target(FUNCTION, "function_name", FUNCTION_NAME, CODE_EFFECTS)),
        Severity.HIGH,
        "function code replaced outside Terraform",
    ),
    _rule(
        "CreateFunction",
        Action.CREATE,
        (
            Target(
                FUNCTION, "function_name", FUNCTION_NAME, CREATE_EFFECTS, import_id=FUNCTION_NAME
            ),
        ),
        Severity.MEDIUM,
        "function created outside Terraform",
    ),
    _rule(
        "DeleteFunction",
        Action.DELETE,
        (Target(FUNCTION, "function_name", _unqualified_function),),
        Severity.HIGH,
        "function deleted",
    ),
    _rule(
        "AddPermission",
        Action.CREATE,
        (
            Target(
                PERMISSION,
                "lambda_permission",
                _permission_id,
                PERMISSION_EFFECTS,
                import_id=_permission_id,
            ),
        ),
        Severity.MEDIUM,
        "invoke permission added outside Terraform",
        when(_open_to_everyone, Severity.CRITICAL, "anyone may invoke the function (principal *)"),
        when(request_is("principal", "*"), Severity.HIGH, "principal * (narrowed by a condition)"),
        when(_cross_account, Severity.HIGH, "another AWS account may invoke the function"),
    ),
    _rule(
        "RemovePermission",
        Action.DELETE,
        (Target(PERMISSION, "lambda_permission", _permission_id),),
        Severity.MEDIUM,
        "invoke permission removed",
    ),
    _rule(
        "PutFunctionConcurrency",
        Action.MODIFY,
        (
            Target(
                FUNCTION,
                "function_name",
                FUNCTION_NAME,
                (
                    SetAttr(
                        "reserved_concurrent_executions", integer("reservedConcurrentExecutions")
                    ),
                ),
            ),
        ),
        Severity.MEDIUM,
        "reserved concurrency changed",
        when(_throttled, Severity.HIGH, "reserved concurrency 0: every invocation is throttled"),
    ),
    _rule(
        "DeleteFunctionConcurrency",
        Action.MODIFY,
        (
            Target(
                FUNCTION,
                "function_name",
                FUNCTION_NAME,
                # -1 is how Terraform spells "no reserved concurrency".
                (SetAttr("reserved_concurrent_executions", const(-1)),),
            ),
        ),
        Severity.LOW,
        "reserved concurrency removed",
    ),
    _rule(
        "CreateFunctionUrlConfig",
        Action.CREATE,
        (
            Target(
                FUNCTION_URL,
                "lambda_function_url",
                _function_url_id,
                URL_EFFECTS,
                import_id=_function_url_id,
            ),
        ),
        Severity.MEDIUM,
        "function URL created outside Terraform",
        when(request_is("authType", "NONE"), Severity.CRITICAL, "function URL without IAM auth"),
    ),
    _rule(
        "UpdateFunctionUrlConfig",
        Action.MODIFY,
        (
            Target(
                FUNCTION_URL,
                "lambda_function_url",
                _function_url_id,
                (
                    SetAttr("authorization_type", text("authType")),
                    SetAttr("invoke_mode", text("invokeMode"), optional_text),
                ),
            ),
        ),
        Severity.MEDIUM,
        "function URL changed",
        when(request_is("authType", "NONE"), Severity.CRITICAL, "function URL auth set to NONE"),
    ),
    _rule(
        "DeleteFunctionUrlConfig",
        Action.DELETE,
        (Target(FUNCTION_URL, "lambda_function_url", _function_url_id),),
        Severity.MEDIUM,
        "function URL deleted",
    ),
    _rule(
        "TagResource",
        Action.MODIFY,
        (Target(FUNCTION, "function_name", _tagged_function, (MergeTags("tags", req("tags")),)),),
        Severity.LOW,
        "tags added",
    ),
    _rule(
        "UntagResource",
        Action.MODIFY,
        (
            Target(
                FUNCTION,
                "function_name",
                _tagged_function,
                (DropTags("tags", string_list(req("tagKeys"))),),
            ),
        ),
        Severity.LOW,
        "tags removed",
    ),
)
