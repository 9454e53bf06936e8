"""ELB classic (API 2012-06-01): ``aws_elb``, named by its load balancer name (its id and
import id).

``CreateLoadBalancer``, ``DeleteLoadBalancer`` and ``ModifyLoadBalancerAttributes`` share
their names and source with ELBv2: these rows take only calls that name a classic load
balancer (``loadBalancerName``). The provider keeps listener protocols in lower case.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog.elb_shapes import CLASSIC, classic_call
from tfdrift_gitops.core.catalog.elbv2 import SOURCE, off_by_default
from tfdrift_gitops.core.catalog.model import (
    Action,
    AddItems,
    Compared,
    Comparer,
    Effect,
    Extractor,
    RemoveItems,
    Rule,
    SeverityCheck,
    Target,
    as_bool,
    as_int,
    as_set,
    as_str,
    mapped,
    req,
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
from tfdrift_gitops.core.paths import MISSING, get_path, items, lookup, set_path
from tfdrift_gitops.models import CloudEvent, Severity

ELB = "aws_elb"
NAME: Extractor = text("loadBalancerName")


def _listener(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, Mapping):
        return None
    lb_port, instance_port = (
        as_int(lookup(entry, "loadBalancerPort")),
        as_int(lookup(entry, "instancePort")),
    )
    protocol = as_str(lookup(entry, "protocol"))
    if lb_port is MISSING or instance_port is MISSING or not isinstance(protocol, str):
        return None
    instance_protocol = as_str(lookup(entry, "instanceProtocol"))
    certificate = as_str(lookup(entry, "sSLCertificateId"))
    return {
        "instance_port": instance_port,
        "instance_protocol": (
            instance_protocol if isinstance(instance_protocol, str) else protocol
        ).lower(),
        "lb_port": lb_port,
        "lb_protocol": protocol.lower(),
        "ssl_certificate_id": certificate if isinstance(certificate, str) else "",
    }


def _listeners(value: Any) -> Any:
    converted = [_listener(e) for e in items(value)]
    if not converted or any(c is None for c in converted):
        return MISSING
    return converted


def listeners_compare(value: Any) -> Any:
    out = set()
    for entry in items(value):
        if isinstance(entry, Mapping):
            normal = {
                "instance_port": scalar(entry.get("instance_port")),
                "lb_port": scalar(entry.get("lb_port")),
                "instance_protocol": str(entry.get("instance_protocol") or "").lower(),
                "lb_protocol": str(entry.get("lb_protocol") or "").lower(),
                "ssl_certificate_id": str(entry.get("ssl_certificate_id") or ""),
            }
            out.add(json.dumps(normal, sort_keys=True))
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class DropListeners(Compared):
    """``DeleteLoadBalancerListeners`` names listeners by their load balancer ports."""

    path: str = "listener"
    comparer: Comparer = listeners_compare

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        ports = {as_int(p) for p in items(req("loadBalancerPorts")(event))} - {MISSING}
        if not ports:
            return False
        current = get_path(attrs, self.path)
        kept = [
            entry
            for entry in items(current)
            if not (isinstance(entry, Mapping) and as_int(entry.get("lb_port")) in ports)
        ]
        set_path(attrs, self.path, kept)
        return True


def _instances(event: CloudEvent) -> Any:
    found = [lookup(i, "instanceId") for i in items(req("instances")(event))]
    return [i for i in found if isinstance(i, str) and i] or MISSING


def _health_check(event: CloudEvent) -> Any:
    check = req("healthCheck")(event)
    if not isinstance(check, Mapping):
        return MISSING
    block = {
        "healthy_threshold": as_int(lookup(check, "healthyThreshold")),
        "interval": as_int(lookup(check, "interval")),
        "target": as_str(lookup(check, "target")),
        "timeout": as_int(lookup(check, "timeout")),
        "unhealthy_threshold": as_int(lookup(check, "unhealthyThreshold")),
    }
    if any(v is MISSING for v in block.values()):
        return MISSING
    return [block]


def _health_compare(value: Any) -> Any:
    blocks = [b for b in items(value) if isinstance(b, Mapping)]
    if not blocks:
        return None
    block = blocks[0]
    return tuple(
        sorted(
            (k, str(block.get(k)).upper() if k == "target" else scalar(block.get(k)))
            for k in ("healthy_threshold", "interval", "target", "timeout", "unhealthy_threshold")
        )
    )


def _attribute(path: str, coerce: Any) -> Extractor:
    return mapped(req(f"loadBalancerAttributes.{path}"), coerce)


def _additional(key: str) -> Extractor:
    """A value of ``loadBalancerAttributes.additionalAttributes`` (key/value pairs)."""

    def pick(value: Any) -> Any:
        for pair in items(value):
            if lookup(pair, "key") == key:
                found = as_str(lookup(pair, "value"))
                return found if isinstance(found, str) else MISSING
        return MISSING

    return mapped(req("loadBalancerAttributes.additionalAttributes"), pick)


ATTRIBUTES: tuple[Effect, ...] = (
    SetAttr(
        "cross_zone_load_balancing",
        _attribute("crossZoneLoadBalancing.enabled", as_bool),
        off_by_default,
    ),
    SetAttr(
        "connection_draining", _attribute("connectionDraining.enabled", as_bool), off_by_default
    ),
    SetAttr("connection_draining_timeout", _attribute("connectionDraining.timeout", as_int)),
    SetAttr("idle_timeout", _attribute("connectionSettings.idleTimeout", as_int)),
    SetAttr("access_logs[0].enabled", _attribute("accessLog.enabled", as_bool), off_by_default),
    SetAttr("access_logs[0].bucket", _attribute("accessLog.s3BucketName", as_str), optional_text),
    SetAttr(
        "access_logs[0].bucket_prefix",
        _attribute("accessLog.s3BucketPrefix", as_str),
        optional_text,
    ),
    SetAttr("access_logs[0].interval", _attribute("accessLog.emitInterval", as_int)),
    SetAttr("desync_mitigation_mode", _additional("elb.http.desyncmitigationmode"), optional_text),
)


def _access_log_off(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    enabled = as_bool(req("loadBalancerAttributes.accessLog.enabled")(event))
    if enabled is False:
        return Severity.HIGH, "access logs turned off: requests are no longer logged"
    return None


def _plaintext_listener(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    for entry in items(req("listeners")(event)):
        protocol = as_str(lookup(entry, "protocol"))
        port = as_int(lookup(entry, "loadBalancerPort"))
        if isinstance(protocol, str) and protocol.upper() in ("HTTP", "TCP") and port == 443:
            return Severity.HIGH, f"port 443 now serves plaintext {protocol.upper()}"
    return None


def _classic(
    event: str,
    action: Action,
    targets: tuple[Target, ...],
    severity: Severity,
    about: str,
    checks: tuple[SeverityCheck, ...] = (),
) -> Rule:
    return Rule(
        event,
        SOURCE,
        action,
        targets,
        severity=severity,
        description=about,
        severity_checks=checks,
        matches=classic_call,
        discriminator=CLASSIC,
    )


def _modify(event: str, effects: tuple[Effect, ...], severity: Severity, about: str) -> Rule:
    return _classic(
        event, Action.MODIFY, with_fallback(Target(ELB, "name", NAME, effects)), severity, about
    )


RULES: tuple[Rule, ...] = (
    _classic(
        "CreateLoadBalancer",
        Action.CREATE,
        (
            Target(
                ELB,
                "name",
                NAME,
                (
                    SetAttr("name", NAME, optional_text),
                    SetAttr("subnets", string_list(req("subnets")), as_set),
                    SetAttr("availability_zones", string_list(req("availabilityZones")), as_set),
                    SetAttr("security_groups", string_list(req("securityGroups")), as_set),
                    SetAttr("internal", mapped(req("scheme"), lambda v: str(v) == "internal")),
                    SetAttr("listener", mapped(req("listeners"), _listeners), listeners_compare),
                    SetAttr("tags", tag_pairs(req("tags")), tags_map),
                ),
                import_id=NAME,
            ),
        ),
        Severity.MEDIUM,
        "classic load balancer created outside Terraform",
        (_plaintext_listener,),
    ),
    _classic(
        "DeleteLoadBalancer",
        Action.DELETE,
        (Target(ELB, "name", NAME),),
        Severity.HIGH,
        "classic load balancer deleted",
    ),
    _classic(
        "ModifyLoadBalancerAttributes",
        Action.MODIFY,
        with_fallback(Target(ELB, "name", NAME, ATTRIBUTES)),
        Severity.MEDIUM,
        "classic load balancer attributes changed",
        (_access_log_off,),
    ),
    _modify(
        "ConfigureHealthCheck",
        (SetAttr("health_check", _health_check, _health_compare),),
        Severity.MEDIUM,
        "classic load balancer health check changed",
    ),
    _modify(
        "RegisterInstancesWithLoadBalancer",
        (AddItems("instances", _instances),),
        Severity.LOW,
        "instances registered with a classic load balancer",
    ),
    _modify(
        "DeregisterInstancesFromLoadBalancer",
        (RemoveItems("instances", _instances),),
        Severity.MEDIUM,
        "instances deregistered from a classic load balancer",
    ),
    _classic(
        "CreateLoadBalancerListeners",
        Action.MODIFY,
        with_fallback(
            Target(
                ELB,
                "name",
                NAME,
                (AddItems("listener", mapped(req("listeners"), _listeners), listeners_compare),),
            )
        ),
        Severity.MEDIUM,
        "classic load balancer listeners added",
        (_plaintext_listener,),
    ),
    _modify(
        "DeleteLoadBalancerListeners",
        (DropListeners(),),
        Severity.MEDIUM,
        "classic load balancer listeners deleted",
    ),
    _modify(
        "ApplySecurityGroupsToLoadBalancer",
        (SetAttr("security_groups", string_list(req("securityGroups")), as_set),),
        Severity.HIGH,
        "classic load balancer security groups replaced",
    ),
    _modify(
        "AttachLoadBalancerToSubnets",
        (AddItems("subnets", string_list(req("subnets"))),),
        Severity.MEDIUM,
        "classic load balancer attached to subnets",
    ),
    _modify(
        "DetachLoadBalancerFromSubnets",
        (RemoveItems("subnets", string_list(req("subnets"))),),
        Severity.MEDIUM,
        "classic load balancer detached from subnets",
    ),
)
