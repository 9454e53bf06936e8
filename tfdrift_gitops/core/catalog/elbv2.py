"""ELBv2 (application, network and gateway load balancers): ``aws_lb`` and
``aws_lb_listener``, and the helpers ``elbv2_targets`` (rules, certificates, target groups and
attachments) shares.

Choices worth knowing:
- ELB classic logs ``CreateLoadBalancer``, ``DeleteLoadBalancer`` and
  ``ModifyLoadBalancerAttributes`` under the same source: these rows take only calls that do not
  name a classic load balancer (:func:`elb_shapes.classic_call`).
- Load balancers and listeners are named by their ARN, also their Terraform id and import id.
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
    attribute_value,
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
    mapped,
    req,
    resp,
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


def first_of(path: str, field_name: str) -> Extractor:
    """``field_name`` of the first element of the list at ``path`` of the response."""

    def pick(value: Any) -> Any:
        listed = items(value)
        if not listed:
            return MISSING
        found = lookup(listed[0], field_name)
        return found if isinstance(found, str) and found else MISSING

    return mapped(resp(path), pick)


def attr(key: str, coerce: Callable[[Any], Any]) -> Extractor:
    pick = attribute_value(key)
    return mapped(req("attributes"), lambda v: coerced(pick(v), coerce))


def coerced(value: Any, coerce: Callable[[Any], Any]) -> Any:
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
NEW_LB_ARN = first_of("loadBalancers", "loadBalancerArn")
LISTENER_ARN: Extractor = text("listenerArn")
NEW_LISTENER_ARN = first_of("listeners", "listenerArn")
V2_TAGS = tag_pairs(req("tags"))


def _subnets(event: CloudEvent) -> Any:
    listed = string_list(req("subnets"))(event)
    if listed:
        return listed
    mapped_ids = [lookup(m, "subnetId") for m in items(req("subnetMappings")(event))]
    found = [s for s in mapped_ids if isinstance(s, str) and s]
    return found or MISSING


_MAPPING_FIELDS = {
    "allocation_id": "allocationId",
    "private_ipv4_address": "privateIPv4Address",
    "ipv6_address": "iPv6Address",
}


def _subnet_mapping(event: CloudEvent) -> Any:
    """``subnet_mapping`` after ``SetSubnets``: the provider reads one block per subnet whether
    the call named ``subnets`` or ``subnetMappings`` (Terraform's refresh shows both change)."""
    mappings = [m for m in items(req("subnetMappings")(event)) if isinstance(m, Mapping)]
    if not mappings:
        mappings = [{"subnetId": s} for s in string_list(req("subnets"))(event) or ()]
    blocks = []
    for mapping in mappings:
        subnet = lookup(mapping, "subnetId")
        if not isinstance(subnet, str) or not subnet:
            return MISSING
        block = {"subnet_id": subnet, "outpost_id": ""}
        for name, key in _MAPPING_FIELDS.items():
            value = lookup(mapping, key)
            block[name] = value if isinstance(value, str) else ""
        blocks.append(block)
    return blocks or MISSING


def _mapping_compare(value: Any) -> Any:
    return frozenset(
        tuple(str(b.get(k) or "") for k in ("subnet_id", *_MAPPING_FIELDS))
        for b in items(value)
        if isinstance(b, Mapping)
    )


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


# --------------------------------------------------------------------------- effect lists

LB_ATTRIBUTES: tuple[Effect, ...] = (
    SetAttr(
        "enable_deletion_protection",
        attr("deletion_protection.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("access_logs[0].enabled", attr("access_logs.s3.enabled", as_bool), off_by_default),
    SetAttr("access_logs[0].bucket", attr("access_logs.s3.bucket", as_str), optional_text),
    SetAttr("access_logs[0].prefix", attr("access_logs.s3.prefix", as_str), optional_text),
    SetAttr(
        "connection_logs[0].enabled",
        attr("connection_logs.s3.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("connection_logs[0].bucket", attr("connection_logs.s3.bucket", as_str), optional_text),
    SetAttr("idle_timeout", attr("idle_timeout.timeout_seconds", as_int)),
    SetAttr(
        "drop_invalid_header_fields",
        attr("routing.http.drop_invalid_header_fields.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("enable_http2", attr("routing.http2.enabled", as_bool)),
    SetAttr(
        "desync_mitigation_mode",
        attr("routing.http.desync_mitigation_mode", as_str),
        optional_text,
    ),
    SetAttr(
        "enable_cross_zone_load_balancing",
        attr("load_balancing.cross_zone.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("enable_waf_fail_open", attr("waf.fail_open.enabled", as_bool), off_by_default),
    SetAttr(
        "preserve_host_header",
        attr("routing.http.preserve_host_header.enabled", as_bool),
        off_by_default,
    ),
    SetAttr(
        "enable_xff_client_port",
        attr("routing.http.xff_client_port.enabled", as_bool),
        off_by_default,
    ),
    SetAttr(
        "xff_header_processing_mode",
        attr("routing.http.xff_header_processing.mode", as_str),
        optional_text,
    ),
    SetAttr("client_keep_alive", attr("client_keep_alive.seconds", as_int)),
    SetAttr(
        "enable_tls_version_and_cipher_suite_headers",
        attr("routing.http.x_amzn_tls_version_and_cipher_suite.enabled", as_bool),
        off_by_default,
    ),
    SetAttr("enable_zonal_shift", attr("zonal_shift.config.enabled", as_bool), off_by_default),
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


def modify(
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
                        first(text("type"), first_of("loadBalancers", "type")),
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
    modify(
        "SetSecurityGroups",
        LB,
        LB_ARN,
        (
            SetAttr("security_groups", string_list(req("securityGroups")), as_set),
            SetAttr(
                "enforce_security_group_inbound_rules_on_private_link_traffic",
                text("enforceSecurityGroupInboundRulesOnPrivateLinkTraffic"),
                optional_text,
            ),
        ),
        Severity.HIGH,
        "load balancer security groups replaced",
    ),
    modify(
        "SetSubnets",
        LB,
        LB_ARN,
        (
            SetAttr("subnets", _subnets, as_set),
            SetAttr("subnet_mapping", _subnet_mapping, _mapping_compare),
        ),
        Severity.MEDIUM,
        "load balancer subnets replaced",
    ),
    modify(
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
                (
                    SetAttr("load_balancer_arn", LB_ARN, optional_text),
                    *LISTENER_EFFECTS,
                    SetAttr("tags", V2_TAGS, tags_map),
                ),
                import_id=NEW_LISTENER_ARN,
            ),
        ),
        severity=Severity.MEDIUM,
        description="listener created outside Terraform",
        severity_checks=_listener_checks(),
    ),
    modify(
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
)
