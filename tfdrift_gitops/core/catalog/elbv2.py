"""ELBv2 (application, network and gateway load balancers): ``aws_lb``, ``aws_lb_listener``,
``aws_lb_listener_rule``, ``aws_lb_listener_certificate``, ``aws_lb_target_group`` and
``aws_lb_target_group_attachment``.

Choices worth knowing:
- ELB classic logs ``CreateLoadBalancer``, ``DeleteLoadBalancer`` and
  ``ModifyLoadBalancerAttributes`` under the same source: these rows take only calls that do not
  name a classic load balancer (:func:`elb_shapes.classic_call`).
- Every resource here is named by its ARN, which is also its Terraform id and import id, except
  listener certificates (``<listener-arn>_<certificate-arn>``) and target attachments (a random
  id; found by ``<target-group-arn>/<target-id>``, and not importable in provider v5).
- ``ModifyLoadBalancerAttributes`` / ``ModifyTargetGroupAttributes`` carry ``attributes`` as
  ``[{"key": ..., "value": "..."}]`` with string values; each known key maps to one argument.
  A call carrying only keys this table does not map stays a resource-level drift.
- A listener moved to a plaintext protocol loses its TLS policy and certificate (AWS clears
  them), so the drift shows both going empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog.elb_shapes import (
    V2,
    actions_compare,
    api_actions,
    api_conditions,
    attribute_value,
    conditions_compare,
    v2_call,
)
from tfdrift_gitops.core.catalog.model import (
    Action,
    Compared,
    Comparer,
    Effect,
    Extractor,
    Rule,
    SeverityCheck,
    Target,
    as_bool,
    as_int,
    as_set,
    as_str,
    first,
    id_list,
    mapped,
    req,
    resp,
    scalar,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    optional_text,
    string_list,
    tag_pairs,
    text,
    with_fallback,
)
from tfdrift_gitops.core.paths import MISSING, items, lookup, set_path
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "elasticloadbalancing.amazonaws.com"
LB = "aws_lb"
LISTENER = "aws_lb_listener"
RULE = "aws_lb_listener_rule"
CERTIFICATE = "aws_lb_listener_certificate"
GROUP = "aws_lb_target_group"
ATTACHMENT = "aws_lb_target_group_attachment"

PLAINTEXT = frozenset({"HTTP", "TCP", "UDP", "TCP_UDP"})
# Predefined policies that still accept TLS 1.0 or 1.1 (AWS's policy tables).
_LEGACY_POLICIES = frozenset(
    {
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-2015-05",
        "ELBSecurityPolicy-FS-2018-06",
        "ELBSecurityPolicy-TLS-1-0-2015-04",
        "ELBSecurityPolicy-TLS-1-1-2017-01",
        "ELBSecurityPolicy-FS-1-1-2019-08",
    }
)


def _first_of(path: str, field_name: str) -> Extractor:
    """``field_name`` of the first element of the list at ``path`` of the response."""

    def pick(value: Any) -> Any:
        listed = items(value)
        if not listed:
            return MISSING
        found = lookup(listed[0], field_name)
        return found if isinstance(found, str) and found else MISSING

    return mapped(resp(path), pick)


def _attr(key: str, coerce: Callable[[Any], Any]) -> Extractor:
    pick = attribute_value(key)
    return mapped(req("attributes"), lambda v: _coerced(pick(v), coerce))


def _coerced(value: Any, coerce: Callable[[Any], Any]) -> Any:
    return MISSING if value is MISSING else coerce(value)


def off_by_default(value: Any) -> Any:
    """Optional booleans whose absence means false (deletion protection, access logs)."""
    normal = as_bool(value) if value is not None else False
    return False if normal is MISSING else normal


def weak_tls_policy(value: Any) -> bool:
    policy = as_str(value)
    if not isinstance(policy, str) or not policy:
        return False
    return policy in _LEGACY_POLICIES or "-1-0-" in policy or "-1-1-" in policy


LB_ARN: Extractor = text("loadBalancerArn")
NEW_LB_ARN = _first_of("loadBalancers", "loadBalancerArn")
LISTENER_ARN: Extractor = text("listenerArn")
NEW_LISTENER_ARN = _first_of("listeners", "listenerArn")
RULE_ARN: Extractor = text("ruleArn")
NEW_RULE_ARN = _first_of("rules", "ruleArn")
GROUP_ARN: Extractor = text("targetGroupArn")
NEW_GROUP_ARN = _first_of("targetGroups", "targetGroupArn")
V2_TAGS = tag_pairs(req("tags"))


def _subnets(event: CloudEvent) -> Any:
    listed = string_list(req("subnets"))(event)
    if listed:
        return listed
    mapped_ids = [lookup(m, "subnetId") for m in items(req("subnetMappings")(event))]
    found = [s for s in mapped_ids if isinstance(s, str) and s]
    return found or MISSING


def _plaintext(event: CloudEvent) -> bool:
    protocol = as_str(req("protocol")(event))
    return isinstance(protocol, str) and protocol.upper() in PLAINTEXT


def _cleared_by_plaintext(extractor: Extractor) -> Extractor:
    """What the call set, or "" when it moved the listener to a plaintext protocol."""

    def extract(event: CloudEvent) -> Any:
        value = extractor(event)
        if value is not MISSING:
            return value
        return "" if _plaintext(event) else MISSING

    return extract


CERTIFICATE_ARN = _cleared_by_plaintext(
    mapped(req("certificates"), lambda v: _certificate(items(v)))
)


def _certificate(listed: list[Any]) -> Any:
    arns = [lookup(c, "certificateArn") for c in listed]
    found = [a for a in arns if isinstance(a, str) and a]
    return found[0] if found else MISSING


# --------------------------------------------------------------------------- severity


def _attribute_off(key: str, why: str, severity: Severity) -> SeverityCheck:
    pick = attribute_value(key)

    def check(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
        value = pick(req("attributes")(event))
        return (severity, why) if value is not MISSING and as_bool(value) is False else None

    return check


def _listener_checks() -> tuple[SeverityCheck, ...]:
    def plaintext(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
        if not _plaintext(event):
            return None
        protocol = as_str(req("protocol")(event))
        return Severity.CRITICAL, f"the listener now serves plaintext {protocol}, not HTTPS/TLS"

    def weak(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
        policy = req("sslPolicy")(event)
        if not weak_tls_policy(policy):
            return None
        return Severity.HIGH, f"TLS policy {as_str(policy)} still accepts TLS 1.0/1.1"

    return plaintext, weak


# --------------------------------------------------------------------------- effects


@dataclass(frozen=True, slots=True)
class PriorityOf(Compared):
    """``SetRulePriorities`` names many rules: each takes the priority listed for its ARN."""

    path: str = "priority"
    comparer: Comparer = scalar

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        own = attrs.get("arn") or attrs.get("id")
        for entry in items(req("rulePriorities")(event)):
            if lookup(entry, "ruleArn") == own:
                priority = as_int(lookup(entry, "priority"))
                if priority is MISSING:
                    return False
                set_path(attrs, self.path, priority)
                return True
        return False


@dataclass(frozen=True, slots=True)
class PartOfId(Compared):
    """A field of a compound id the engine built (``listener_certificate`` ids, target
    attachment keys): unmanaged resources start from their id alone."""

    path: str
    separator: str
    last: bool = False
    """The part after the last separator (else after the first)."""
    comparer: Comparer = optional_text

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        if attrs.get(self.path):
            return True
        own = attrs.get("id")
        if not isinstance(own, str) or self.separator not in own:
            return False
        parts = own.rsplit(self.separator, 1) if self.last else own.split(self.separator, 1)
        set_path(attrs, self.path, parts[1])
        return True


@dataclass(frozen=True, slots=True)
class TargetPort(Compared):
    """The port registered for this attachment's target (targets carry ``id`` and ``port``)."""

    path: str = "port"
    comparer: Comparer = scalar

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        own = attrs.get("target_id")
        if not isinstance(own, str):
            key = attrs.get("id")
            own = key.rsplit("/", 1)[-1] if isinstance(key, str) else None
        for target in items(req("targets")(event)):
            if lookup(target, "id") == own:
                port = as_int(lookup(target, "port"))
                if port is MISSING:
                    return False
                set_path(attrs, self.path, port)
                return True
        return False


def _attachment_keys(event: CloudEvent) -> Any:
    group = GROUP_ARN(event)
    if not isinstance(group, str):
        return MISSING
    ids = [lookup(t, "id") for t in items(req("targets")(event))]
    return [f"{group}/{t}" for t in ids if isinstance(t, str) and t] or MISSING


def _certificate_ids(event: CloudEvent) -> Any:
    listener = LISTENER_ARN(event)
    if not isinstance(listener, str):
        return MISSING
    arns = [lookup(c, "certificateArn") for c in items(req("certificates")(event))]
    return [f"{listener}_{a}" for a in arns if isinstance(a, str) and a] or MISSING


# --------------------------------------------------------------------------- effect lists

LB_ATTRIBUTES: tuple[Effect, ...] = (
    SetAttr(
        "enable_deletion_protection",
        _attr("deletion_protection.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("access_logs[0].enabled", _attr("access_logs.s3.enabled", as_bool), off_by_default),
    SetAttr("access_logs[0].bucket", _attr("access_logs.s3.bucket", as_str), optional_text),
    SetAttr("access_logs[0].prefix", _attr("access_logs.s3.prefix", as_str), optional_text),
    SetAttr(
        "connection_logs[0].enabled",
        _attr("connection_logs.s3.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("connection_logs[0].bucket", _attr("connection_logs.s3.bucket", as_str), optional_text),
    SetAttr("idle_timeout", _attr("idle_timeout.timeout_seconds", as_int)),
    SetAttr(
        "drop_invalid_header_fields",
        _attr("routing.http.drop_invalid_header_fields.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("enable_http2", _attr("routing.http2.enabled", as_bool)),
    SetAttr(
        "desync_mitigation_mode",
        _attr("routing.http.desync_mitigation_mode", as_str),
        optional_text,
    ),
    SetAttr(
        "enable_cross_zone_load_balancing",
        _attr("load_balancing.cross_zone.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("enable_waf_fail_open", _attr("waf.fail_open.enabled", as_bool), off_by_default),
    SetAttr(
        "preserve_host_header",
        _attr("routing.http.preserve_host_header.enabled", as_bool),
        off_by_default,
    ),
    SetAttr(
        "enable_xff_client_port",
        _attr("routing.http.xff_client_port.enabled", as_bool),
        off_by_default,
    ),
    SetAttr(
        "xff_header_processing_mode",
        _attr("routing.http.xff_header_processing.mode", as_str),
        optional_text,
    ),
    SetAttr("client_keep_alive", _attr("client_keep_alive.seconds", as_int)),
    SetAttr(
        "enable_tls_version_and_cipher_suite_headers",
        _attr("routing.http.x_amzn_tls_version_and_cipher_suite.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("enable_zonal_shift", _attr("zonal_shift.config.enabled", as_bool), off_by_default),
)


def _first_text(value: Any) -> Any:
    listed = [v for v in items(value) if isinstance(v, str) and v]
    return listed[0] if listed else MISSING


LISTENER_EFFECTS: tuple[Effect, ...] = (
    SetAttr("port", mapped(req("port"), as_int)),
    SetAttr("protocol", text("protocol"), optional_text),
    SetAttr("ssl_policy", _cleared_by_plaintext(text("sslPolicy")), optional_text),
    SetAttr("certificate_arn", CERTIFICATE_ARN, optional_text),
    SetAttr("alpn_policy", mapped(req("alpnPolicy"), _first_text), optional_text),
    SetAttr("default_action", mapped(req("defaultActions"), api_actions), actions_compare),
)


HEALTH = {
    "enabled": ("healthCheckEnabled", as_bool),
    "interval": ("healthCheckIntervalSeconds", as_int),
    "path": ("healthCheckPath", as_str),
    "port": ("healthCheckPort", as_str),
    "protocol": ("healthCheckProtocol", as_str),
    "timeout": ("healthCheckTimeoutSeconds", as_int),
    "healthy_threshold": ("healthyThresholdCount", as_int),
    "unhealthy_threshold": ("unhealthyThresholdCount", as_int),
}


def _matcher(event: CloudEvent) -> Any:
    matcher = req("matcher")(event)
    for key in ("httpCode", "grpcCode"):
        code = lookup(matcher, key) if isinstance(matcher, Mapping) else MISSING
        if isinstance(code, str | int) and str(code):
            return str(code)
    return MISSING


HEALTH_EFFECTS: tuple[Effect, ...] = (
    *(
        SetAttr(
            f"health_check[0].{field_name}",
            mapped(req(api), coerce),
            optional_text if coerce is as_str else scalar,
        )
        for field_name, (api, coerce) in HEALTH.items()
    ),
    SetAttr("health_check[0].matcher", _matcher, optional_text),
)

GROUP_ATTRIBUTES: tuple[Effect, ...] = (
    SetAttr("deregistration_delay", _attr("deregistration_delay.timeout_seconds", as_str)),
    SetAttr(
        "connection_termination",
        _attr("deregistration_delay.connection_termination.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("stickiness[0].enabled", _attr("stickiness.enabled", as_bool), off_by_default),
    SetAttr("stickiness[0].type", _attr("stickiness.type", as_str), optional_text),
    SetAttr(
        "stickiness[0].cookie_duration", _attr("stickiness.lb_cookie.duration_seconds", as_int)
    ),
    SetAttr(
        "stickiness[0].cookie_name",
        _attr("stickiness.app_cookie.cookie_name", as_str),
        optional_text,
    ),
    SetAttr("slow_start", _attr("slow_start.duration_seconds", as_int)),
    SetAttr(
        "load_balancing_algorithm_type",
        _attr("load_balancing.algorithm.type", as_str),
        optional_text,
    ),
    SetAttr("proxy_protocol_v2", _attr("proxy_protocol_v2.enabled", as_bool), off_by_default),
    SetAttr("preserve_client_ip", _attr("preserve_client_ip.enabled", as_str)),
    SetAttr(
        "lambda_multi_value_headers_enabled",
        _attr("lambda.multi_value_headers.enabled", as_bool),
        off_by_default,
    ),
    SetAttr(
        "load_balancing_cross_zone_enabled", _attr("load_balancing.cross_zone.enabled", as_str)
    ),
)


def _health_block(event: CloudEvent) -> Any:
    """The whole ``health_check`` block of a new target group (for an import)."""
    block: dict[str, Any] = {}
    for field_name, (api, coerce) in HEALTH.items():
        value = _coerced(req(api)(event), coerce)
        if value is not MISSING:
            block[field_name] = value
    matcher = _matcher(event)
    if matcher is not MISSING:
        block["matcher"] = matcher
    return [block] if block else MISSING


def _v2(
    event: str,
    action: Action,
    targets: tuple[Target, ...],
    severity: Severity,
    about: str,
    **kw: Any,
) -> Rule:
    return Rule(
        event,
        SOURCE,
        action,
        targets,
        severity=severity,
        description=about,
        matches=v2_call,
        discriminator=V2,
        **kw,
    )


def _modify(
    event: str,
    rtype: str,
    ident: Extractor,
    effects: tuple[Effect, ...],
    severity: Severity,
    about: str,
    **kw: Any,
) -> Rule:
    return Rule(
        event,
        SOURCE,
        Action.MODIFY,
        with_fallback(Target(rtype, "arn", ident, effects)),
        severity=severity,
        description=about,
        **kw,
    )


RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ load balancers
    _v2(
        "CreateLoadBalancer",
        Action.CREATE,
        (
            Target(
                LB,
                "arn",
                NEW_LB_ARN,
                (
                    SetAttr("name", text("name"), optional_text),
                    SetAttr(
                        "internal",
                        mapped(req("scheme"), lambda v: str(v).lower() == "internal"),
                    ),
                    SetAttr(
                        "load_balancer_type",
                        first(text("type"), _first_of("loadBalancers", "type")),
                        optional_text,
                    ),
                    SetAttr("subnets", _subnets, as_set),
                    SetAttr("security_groups", string_list(req("securityGroups")), as_set),
                    SetAttr("ip_address_type", text("ipAddressType"), optional_text),
                    SetAttr("tags", V2_TAGS, tags_map),
                ),
                import_id=NEW_LB_ARN,
            ),
        ),
        Severity.MEDIUM,
        "load balancer created outside Terraform",
    ),
    _v2(
        "DeleteLoadBalancer",
        Action.DELETE,
        (Target(LB, "arn", LB_ARN),),
        Severity.HIGH,
        "load balancer deleted",
    ),
    _v2(
        "ModifyLoadBalancerAttributes",
        Action.MODIFY,
        with_fallback(Target(LB, "arn", LB_ARN, LB_ATTRIBUTES)),
        Severity.MEDIUM,
        "load balancer attributes changed",
        severity_checks=(
            _attribute_off(
                "deletion_protection.enabled",
                "deletion protection turned off: the load balancer can now be deleted",
                Severity.HIGH,
            ),
            _attribute_off(
                "access_logs.s3.enabled",
                "access logs turned off: requests to the load balancer are no longer logged",
                Severity.HIGH,
            ),
            _attribute_off(
                "routing.http.drop_invalid_header_fields.enabled",
                "invalid HTTP headers are forwarded to targets again",
                Severity.MEDIUM,
            ),
        ),
    ),
    _modify(
        "SetSecurityGroups",
        LB,
        LB_ARN,
        (SetAttr("security_groups", string_list(req("securityGroups")), as_set),),
        Severity.HIGH,
        "load balancer security groups replaced",
    ),
    _modify(
        "SetSubnets",
        LB,
        LB_ARN,
        (SetAttr("subnets", _subnets, as_set),),
        Severity.MEDIUM,
        "load balancer subnets replaced",
    ),
    _modify(
        "SetIpAddressType",
        LB,
        LB_ARN,
        (SetAttr("ip_address_type", text("ipAddressType"), optional_text),),
        Severity.MEDIUM,
        "load balancer IP address type changed",
    ),
    # ------------------------------------------------------------------ listeners
    Rule(
        "CreateListener",
        SOURCE,
        Action.CREATE,
        (
            Target(
                LISTENER,
                "arn",
                NEW_LISTENER_ARN,
                (SetAttr("load_balancer_arn", LB_ARN, optional_text), *LISTENER_EFFECTS),
                import_id=NEW_LISTENER_ARN,
            ),
        ),
        severity=Severity.MEDIUM,
        description="listener created outside Terraform",
        severity_checks=_listener_checks(),
    ),
    _modify(
        "ModifyListener",
        LISTENER,
        LISTENER_ARN,
        LISTENER_EFFECTS,
        Severity.MEDIUM,
        "listener changed",
        severity_checks=_listener_checks(),
    ),
    Rule(
        "DeleteListener",
        SOURCE,
        Action.DELETE,
        (Target(LISTENER, "arn", LISTENER_ARN),),
        severity=Severity.HIGH,
        description="listener deleted",
    ),
    Rule(
        "AddListenerCertificates",
        SOURCE,
        Action.CREATE,
        (
            Target(
                CERTIFICATE,
                "id",
                _certificate_ids,
                (
                    SetAttr("listener_arn", LISTENER_ARN, optional_text),
                    PartOfId("certificate_arn", "_"),
                ),
                import_id=_certificate_ids,
            ),
        ),
        severity=Severity.MEDIUM,
        description="listener certificate added outside Terraform",
        fan_out=True,
    ),
    Rule(
        "RemoveListenerCertificates",
        SOURCE,
        Action.DELETE,
        (Target(CERTIFICATE, "id", _certificate_ids),),
        severity=Severity.MEDIUM,
        description="listener certificate removed",
        fan_out=True,
    ),
    # ------------------------------------------------------------------ listener rules
    Rule(
        "CreateRule",
        SOURCE,
        Action.CREATE,
        (
            Target(
                RULE,
                "arn",
                NEW_RULE_ARN,
                (
                    SetAttr("listener_arn", LISTENER_ARN, optional_text),
                    SetAttr("priority", mapped(req("priority"), as_int)),
                    SetAttr("action", mapped(req("actions"), api_actions), actions_compare),
                    SetAttr(
                        "condition", mapped(req("conditions"), api_conditions), conditions_compare
                    ),
                    SetAttr("tags", V2_TAGS, tags_map),
                ),
                import_id=NEW_RULE_ARN,
            ),
        ),
        severity=Severity.MEDIUM,
        description="listener rule created outside Terraform",
    ),
    _modify(
        "ModifyRule",
        RULE,
        RULE_ARN,
        (
            SetAttr("action", mapped(req("actions"), api_actions), actions_compare),
            SetAttr("condition", mapped(req("conditions"), api_conditions), conditions_compare),
        ),
        Severity.MEDIUM,
        "listener rule changed",
    ),
    Rule(
        "SetRulePriorities",
        SOURCE,
        Action.MODIFY,
        (
            Target(
                RULE,
                "arn",
                id_list(
                    mapped(
                        req("rulePriorities"), lambda v: [lookup(e, "ruleArn") for e in items(v)]
                    )
                ),
                (PriorityOf(),),
            ),
        ),
        severity=Severity.MEDIUM,
        description="listener rule priorities changed",
        fan_out=True,
    ),
    Rule(
        "DeleteRule",
        SOURCE,
        Action.DELETE,
        (Target(RULE, "arn", RULE_ARN),),
        severity=Severity.MEDIUM,
        description="listener rule deleted",
    ),
    # ------------------------------------------------------------------ target groups
    Rule(
        "CreateTargetGroup",
        SOURCE,
        Action.CREATE,
        (
            Target(
                GROUP,
                "arn",
                NEW_GROUP_ARN,
                (
                    SetAttr("name", text("name"), optional_text),
                    SetAttr("port", mapped(req("port"), as_int)),
                    SetAttr("protocol", text("protocol"), optional_text),
                    SetAttr("protocol_version", text("protocolVersion"), optional_text),
                    SetAttr("vpc_id", text("vpcId"), optional_text),
                    SetAttr("target_type", text("targetType"), optional_text),
                    SetAttr("ip_address_type", text("ipAddressType"), optional_text),
                    SetAttr("health_check", _health_block),
                    SetAttr("tags", V2_TAGS, tags_map),
                ),
                import_id=NEW_GROUP_ARN,
            ),
        ),
        severity=Severity.LOW,
        description="target group created outside Terraform",
    ),
    _modify(
        "ModifyTargetGroup",
        GROUP,
        GROUP_ARN,
        HEALTH_EFFECTS,
        Severity.MEDIUM,
        "target group health check changed",
    ),
    _modify(
        "ModifyTargetGroupAttributes",
        GROUP,
        GROUP_ARN,
        GROUP_ATTRIBUTES,
        Severity.MEDIUM,
        "target group attributes changed",
    ),
    Rule(
        "DeleteTargetGroup",
        SOURCE,
        Action.DELETE,
        (Target(GROUP, "arn", GROUP_ARN),),
        severity=Severity.HIGH,
        description="target group deleted",
    ),
    Rule(
        "RegisterTargets",
        SOURCE,
        Action.CREATE,
        (
            Target(
                ATTACHMENT,
                "target_attachment",
                _attachment_keys,
                (
                    SetAttr("target_group_arn", GROUP_ARN, optional_text),
                    PartOfId("target_id", "/", last=True),
                    TargetPort(),
                ),
            ),
        ),
        severity=Severity.LOW,
        description="target registered outside Terraform",
        fan_out=True,
    ),
    Rule(
        "DeregisterTargets",
        SOURCE,
        Action.DELETE,
        (Target(ATTACHMENT, "target_attachment", _attachment_keys),),
        severity=Severity.MEDIUM,
        description="target deregistered",
        fan_out=True,
    ),
)
