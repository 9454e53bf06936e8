"""API Gateway stages: REST (``aws_api_gateway_stage``, ``aws_api_gateway_method_settings``)
and HTTP/WebSocket (``aws_apigatewayv2_stage``).

Both APIs log ``UpdateStage`` and ``DeleteStage`` from ``apigateway.amazonaws.com``; the request
tells them apart (``restApiId`` for REST, ``apiId`` for v2).

Choices worth knowing:
- No public record of these calls was found. API Gateway's REST records wrap some request
  bodies (``createRestApiInput``, ``createDeploymentInput`` are known), so the patch operations
  are read at the top level or under ``updateStageInput``; a REST call whose operations cannot be
  read is a resource-level change of the stage, never a no-change.
- A REST ``UpdateStage`` is a list of JSON-patch operations. Stage-level paths (``/description``,
  ``/tracingEnabled``, ``/variables/NAME``, ``/accessLogSettings/...``) land on the stage;
  method-level paths (``/{resource}/{method}/logging/loglevel``, ``.../throttling/...``,
  ``.../caching/...``) land on the ``aws_api_gateway_method_settings`` of that method path,
  each one its own resource (the rule fans out). ``~1`` in a resource stands for ``/``.
- The REST stage's id is ``ags-API-STAGE``; method settings' ``API-STAGE-METHOD_PATH``.
  A v2 stage is found by ``API/STAGE`` (``state_keys._apigwv2_stage_key``).
- Turning access logging or execution logging off is high.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.model import (
    Action,
    Comparer,
    Effect,
    Rule,
    Target,
    as_bool,
    as_int,
    first,
    mapped,
    req,
    scalar,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    boolean,
    integer,
    optional_text,
    text,
    with_fallback,
)
from tfdrift_gitops.core.paths import MISSING, get_path, items, lookup, set_path
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "apigateway.amazonaws.com"
STAGE = "aws_api_gateway_stage"
METHOD_SETTINGS = "aws_api_gateway_method_settings"
V2_STAGE = "aws_apigatewayv2_stage"


def _rest(event: CloudEvent) -> bool:
    return isinstance(text("restApiId")(event), str)


def _v2(event: CloudEvent) -> bool:
    return not _rest(event) and isinstance(text("apiId")(event), str)


def _stage_id(event: CloudEvent) -> Any:
    api, stage = text("restApiId")(event), text("stageName")(event)
    if not isinstance(api, str) or not isinstance(stage, str):
        return MISSING
    return f"ags-{api}-{stage}"


def _v2_key(event: CloudEvent) -> Any:
    api, stage = text("apiId")(event), text("stageName")(event)
    if not isinstance(api, str) or not isinstance(stage, str):
        return MISSING
    return f"{api}/{stage}"


keys.note(_v2_key, (frozenset({"apiid", "stagename"}), frozenset()))  # keys as the stage


# --------------------------------------------------------------------------- patch operations


PatchOp = tuple[str, str, Any]
"""(op lowercased, path, value) of one JSON-patch operation."""


def patch_reader(wrapper: str) -> Callable[[CloudEvent], list[PatchOp]]:
    """The well-formed patch operations of a REST call, read at the top level or under the
    body's wrapper (``updateStageInput``, ``updateMethodInput``...)."""
    operations = first(req("patchOperations"), req(f"{wrapper}.patchOperations"))

    def read(event: CloudEvent) -> list[PatchOp]:
        out = []
        for item in items(operations(event)):
            op, path = lookup(item, "op"), lookup(item, "path")
            if isinstance(op, str) and isinstance(path, str) and path.startswith("/"):
                out.append((op.lower(), path, lookup(item, "value")))
        return out

    return read


_operations = patch_reader("updateStageInput")


def _method_op(path: str) -> tuple[str, str] | None:
    """``/~1pets/GET/logging/loglevel`` -> (``pets/GET``, ``logging/loglevel``)."""
    parts = path.split("/")
    if len(parts) != 5:
        return None
    resource = parts[1].replace("~1", "/").strip("/") or "/"
    return f"{resource}/{parts[2]}", f"{parts[3]}/{parts[4]}"


def _method_ids(event: CloudEvent) -> Any:
    api, stage = text("restApiId")(event), text("stageName")(event)
    if not isinstance(api, str) or not isinstance(stage, str):
        return MISSING
    paths = {m[0] for _, p, _ in _operations(event) if (m := _method_op(p)) is not None}
    return [f"{api}-{stage}-{path}" for path in sorted(paths)]


# None without patch operations, which are nested (so routing runs it when there are some).
keys.note(_method_ids, (frozenset({"patchoperations", "updatestageinput"}), frozenset()))


def _stage_ops(event: CloudEvent) -> bool:
    return any(_method_op(p) is None for _, p, _ in _operations(event))


def _false_is_none(value: Any) -> Any:
    return True if as_bool(value) is True else None


STAGE_PATHS: dict[str, tuple[str, Callable[[Any], Any], Comparer]] = {
    "/description": ("description", str, optional_text),
    "/deploymentId": ("deployment_id", str, optional_text),
    "/clientCertificateId": ("client_certificate_id", str, optional_text),
    "/cacheClusterEnabled": ("cache_cluster_enabled", as_bool, _false_is_none),
    "/cacheClusterSize": ("cache_cluster_size", str, optional_text),
    "/tracingEnabled": ("xray_tracing_enabled", as_bool, _false_is_none),
    "/accessLogSettings/destinationArn": (
        "access_log_settings[0].destination_arn",
        str,
        optional_text,
    ),
    "/accessLogSettings/format": ("access_log_settings[0].format", str, optional_text),
}
METHOD_PATHS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "logging/loglevel": ("logging_level", str),
    "logging/dataTrace": ("data_trace_enabled", as_bool),
    "metrics/enabled": ("metrics_enabled", as_bool),
    "throttling/burstLimit": ("throttling_burst_limit", as_int),
    "throttling/rateLimit": ("throttling_rate_limit", float),
    "caching/enabled": ("caching_enabled", as_bool),
    "caching/ttlInSeconds": ("cache_ttl_in_seconds", as_int),
    "caching/dataEncrypted": ("cache_data_encrypted", as_bool),
}


@dataclass(frozen=True, slots=True)
class StagePatch:
    """One stage attribute from the operations naming its path."""

    path: str
    patch_path: str
    coerce: Callable[[Any], Any]
    comparer: Comparer

    def compare(self, value: Any) -> Any:
        return self.comparer(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        applied = False
        for op, path, value in _operations(event):
            if path == self.patch_path:
                set_path(
                    attrs, self.path, None if op == "remove" else coerce_or_keep(self.coerce, value)
                )
                applied = True
            elif op == "remove" and path == "/accessLogSettings" and "access_log" in self.path:
                set_path(attrs, "access_log_settings", [])
                applied = True
        return applied


def coerce_or_keep(fn: Callable[[Any], Any], value: Any) -> Any:
    try:
        return fn(value)
    except (TypeError, ValueError):
        return value


@dataclass(frozen=True, slots=True)
class Variables:
    """``/variables/NAME`` operations on the stage's ``variables`` map."""

    path: str = "variables"

    def compare(self, value: Any) -> Any:
        return tags_map(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        prefix = "/variables/"
        ops = [
            (op, path[len(prefix) :], value)
            for op, path, value in _operations(event)
            if path.startswith(prefix) and len(path) > len(prefix)
        ]
        if not ops:
            return False
        current = get_path(attrs, self.path)
        variables = dict(current) if isinstance(current, Mapping) else {}
        for op, name, value in ops:
            if op == "remove":
                variables.pop(name, None)
            else:
                variables[name] = "" if value is None else str(value)
        set_path(attrs, self.path, variables)
        return True


def _own_method_path(attrs: Mapping[str, Any], event: CloudEvent) -> str | None:
    own = attrs.get("method_path")
    if isinstance(own, str):
        return own
    # Unmanaged settings start from their id: API-STAGE-METHOD_PATH.
    prefix = f"{text('restApiId')(event)}-{text('stageName')(event)}-"
    ident = str(attrs.get("id") or "")
    return ident[len(prefix) :] if ident.startswith(prefix) else None


@dataclass(frozen=True, slots=True)
class MethodIdentity:
    """An unmanaged method settings resource's API, stage and method path."""

    path: str

    def compare(self, value: Any) -> Any:
        return optional_text(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        own = _own_method_path(attrs, event)
        if own is None or attrs.get(self.path):
            return False
        value = {
            "rest_api_id": text("restApiId")(event),
            "stage_name": text("stageName")(event),
            "method_path": own,
        }[self.path]
        set_path(attrs, self.path, value)
        return True


@dataclass(frozen=True, slots=True)
class MethodPatch:
    """One ``settings`` field of this resource's method path."""

    path: str
    setting: str
    coerce: Callable[[Any], Any]

    def compare(self, value: Any) -> Any:
        return scalar(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        own = _own_method_path(attrs, event)
        applied = False
        for op, path, value in _operations(event):
            if own is not None and _method_op(path) == (own, self.setting):
                set_path(
                    attrs, self.path, None if op == "remove" else coerce_or_keep(self.coerce, value)
                )
                applied = True
        return applied


STAGE_EFFECTS: tuple[Effect, ...] = (
    *(StagePatch(path, patch, fn, cmp) for patch, (path, fn, cmp) in STAGE_PATHS.items()),
    Variables(),
)
METHOD_EFFECTS: tuple[Effect, ...] = (
    MethodIdentity("method_path"),
    MethodIdentity("rest_api_id"),
    MethodIdentity("stage_name"),
    *(MethodPatch(f"settings[0].{field}", key, fn) for key, (field, fn) in METHOD_PATHS.items()),
)
V2_EFFECTS: tuple[Effect, ...] = (
    SetAttr("description", text("description"), optional_text),
    SetAttr("auto_deploy", boolean("autoDeploy")),
    SetAttr("deployment_id", text("deploymentId"), optional_text),
    SetAttr("client_certificate_id", text("clientCertificateId"), optional_text),
    SetAttr("stage_variables", req("stageVariables"), tags_map),
    SetAttr(
        "access_log_settings[0].destination_arn",
        text("accessLogSettings.destinationArn"),
        optional_text,
    ),
    SetAttr("access_log_settings[0].format", text("accessLogSettings.format"), optional_text),
    SetAttr(
        "default_route_settings[0].logging_level",
        text("defaultRouteSettings.loggingLevel"),
        optional_text,
    ),
    SetAttr(
        "default_route_settings[0].data_trace_enabled",
        boolean("defaultRouteSettings.dataTraceEnabled"),
    ),
    SetAttr(
        "default_route_settings[0].detailed_metrics_enabled",
        boolean("defaultRouteSettings.detailedMetricsEnabled"),
    ),
    SetAttr(
        "default_route_settings[0].throttling_burst_limit",
        integer("defaultRouteSettings.throttlingBurstLimit"),
    ),
    SetAttr(
        "default_route_settings[0].throttling_rate_limit",
        mapped(req("defaultRouteSettings.throttlingRateLimit"), float),
    ),
)


# --------------------------------------------------------------------------- severity


def _logging_off(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    for op, path, value in _operations(event):
        if op == "remove" and path.startswith("/accessLogSettings"):
            return Severity.HIGH, "access logging removed from the stage"
        if path.endswith("/logging/loglevel") and str(value).upper() == "OFF":
            return Severity.HIGH, f"{path} set to OFF: execution logging off"
    if str(text("defaultRouteSettings.loggingLevel")(event)).upper() == "OFF":
        return Severity.HIGH, "defaultRouteSettings.loggingLevel set to OFF"
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "UpdateStage",
        SOURCE,
        Action.MODIFY,
        (
            # No operation we can read (another request shape): a resource-level change.
            *with_fallback(
                Target(
                    STAGE,
                    "id",
                    _stage_id,
                    STAGE_EFFECTS,
                    guard=lambda e, i: _stage_ops(e) or not _operations(e),
                )
            ),
            Target(METHOD_SETTINGS, "id", _method_ids, METHOD_EFFECTS),
            Target(
                METHOD_SETTINGS,
                "id",
                _method_ids,
                METHOD_EFFECTS,
                action=Action.CREATE,
                # The import id is composed from rest_api_id/stage_name/method_path.
            ),
        ),
        severity=Severity.MEDIUM,
        description="REST API stage changed outside Terraform",
        severity_checks=(_logging_off,),
        fan_out=True,
        matches=_rest,
        discriminator="REST API (restApiId)",
    ),
    Rule(
        "UpdateStage",
        SOURCE,
        Action.MODIFY,
        (Target(V2_STAGE, "apigwv2_stage", _v2_key, V2_EFFECTS),),
        severity=Severity.MEDIUM,
        description="HTTP/WebSocket API stage changed outside Terraform",
        severity_checks=(_logging_off,),
        matches=_v2,
        discriminator="HTTP/WebSocket API (apiId)",
    ),
    Rule(
        "DeleteStage",
        SOURCE,
        Action.DELETE,
        (Target(STAGE, "id", _stage_id),),
        severity=Severity.HIGH,
        description="REST API stage deleted",
        matches=_rest,
        discriminator="REST API (restApiId)",
    ),
    Rule(
        "DeleteStage",
        SOURCE,
        Action.DELETE,
        (Target(V2_STAGE, "apigwv2_stage", _v2_key),),
        severity=Severity.HIGH,
        description="HTTP/WebSocket API stage deleted",
        matches=_v2,
        discriminator="HTTP/WebSocket API (apiId)",
    ),
)
