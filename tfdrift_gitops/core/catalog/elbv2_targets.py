"""ELBv2 listener rules, listener certificates, target groups and target attachments
(``aws_lb_listener_rule``, ``aws_lb_listener_certificate``, ``aws_lb_target_group``,
``aws_lb_target_group_attachment``); load balancers and listeners are in ``elbv2``.

Listener certificates are found by ``<listener-arn>_<certificate-arn>`` (their id and import
id); target attachments by ``<target-group-arn>/<target-id>`` (their id is random, and provider
v5 cannot import them). ``ModifyTargetGroupAttributes`` maps each attribute key it knows to an
argument; a call carrying none of them stays a resource-level drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.elb_shapes import (
    actions_compare,
    api_actions,
    api_conditions,
    conditions_compare,
)
from tfdrift_gitops.core.catalog.elbv2 import (
    LISTENER_ARN,
    SOURCE,
    V2_TAGS,
    PartOfId,
    attr,
    coerced,
    first_of,
    modify,
    off_by_default,
)
from tfdrift_gitops.core.catalog.model import (
    Action,
    Compared,
    Comparer,
    Effect,
    Extractor,
    Rule,
    Target,
    as_bool,
    as_int,
    as_str,
    id_list,
    mapped,
    req,
    scalar,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import optional_text, text
from tfdrift_gitops.core.paths import MISSING, items, lookup, set_path
from tfdrift_gitops.models import CloudEvent, Severity

RULE = "aws_lb_listener_rule"
CERTIFICATE = "aws_lb_listener_certificate"
GROUP = "aws_lb_target_group"
ATTACHMENT = "aws_lb_target_group_attachment"

RULE_ARN: Extractor = text("ruleArn")
NEW_RULE_ARN = first_of("rules", "ruleArn")
GROUP_ARN: Extractor = text("targetGroupArn")
NEW_GROUP_ARN = first_of("targetGroups", "targetGroupArn")


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


keys.note(_attachment_keys, (frozenset({"targets"}), frozenset()))  # the targets' ids, nested


def _certificate_ids(event: CloudEvent) -> Any:
    listener = LISTENER_ARN(event)
    if not isinstance(listener, str):
        return MISSING
    arns = [lookup(c, "certificateArn") for c in items(req("certificates")(event))]
    return [f"{listener}_{a}" for a in arns if isinstance(a, str) and a] or MISSING


keys.note(_certificate_ids, (frozenset({"certificates"}), frozenset()))  # their ARNs, nested


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
    SetAttr("deregistration_delay", attr("deregistration_delay.timeout_seconds", as_str)),
    SetAttr(
        "connection_termination",
        attr("deregistration_delay.connection_termination.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("stickiness[0].enabled", attr("stickiness.enabled", as_bool), off_by_default),
    SetAttr("stickiness[0].type", attr("stickiness.type", as_str), optional_text),
    SetAttr("stickiness[0].cookie_duration", attr("stickiness.lb_cookie.duration_seconds", as_int)),
    SetAttr(
        "stickiness[0].cookie_name",
        attr("stickiness.app_cookie.cookie_name", as_str),
        optional_text,
    ),
    SetAttr("slow_start", attr("slow_start.duration_seconds", as_int)),
    SetAttr(
        "load_balancing_algorithm_type",
        attr("load_balancing.algorithm.type", as_str),
        optional_text,
    ),
    SetAttr(
        "load_balancing_anomaly_mitigation",
        attr("load_balancing.algorithm.anomaly_mitigation", as_str),
        optional_text,
    ),
    SetAttr("proxy_protocol_v2", attr("proxy_protocol_v2.enabled", as_bool), off_by_default),
    SetAttr("preserve_client_ip", attr("preserve_client_ip.enabled", as_str)),
    SetAttr(
        "lambda_multi_value_headers_enabled",
        attr("lambda.multi_value_headers.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("load_balancing_cross_zone_enabled", attr("load_balancing.cross_zone.enabled", as_str)),
)


def _health_block(event: CloudEvent) -> Any:
    """The whole ``health_check`` block of a new target group (for an import)."""
    block: dict[str, Any] = {}
    for field_name, (api, coerce) in HEALTH.items():
        value = coerced(req(api)(event), coerce)
        if value is not MISSING:
            block[field_name] = value
    matcher = _matcher(event)
    if matcher is not MISSING:
        block["matcher"] = matcher
    return [block] if block else MISSING


RULES: tuple[Rule, ...] = (
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
    modify(
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
    modify(
        "ModifyTargetGroup",
        GROUP,
        GROUP_ARN,
        HEALTH_EFFECTS,
        Severity.MEDIUM,
        "target group health check changed",
    ),
    modify(
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
