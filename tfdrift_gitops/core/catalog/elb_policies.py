"""ELB classic policies: ``aws_load_balancer_policy`` (found by ``<load balancer>:<policy>``,
the provider's id) and the policies a listener uses, ``aws_load_balancer_listener_policy``
(``<load balancer>:<port>``).

An SSL negotiation policy names the protocols it accepts as ``Protocol-SSLv3`` style attributes
set to ``"true"``: SSLv2/SSLv3 are broken (critical), TLS 1.0/1.1 deprecated (high). Provider v5
imports neither type, so unmanaged policies are reported but not written as code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.elb_shapes import CLASSIC, classic_call
from tfdrift_gitops.core.catalog.elbv2 import SOURCE
from tfdrift_gitops.core.catalog.model import (
    Action,
    Extractor,
    Rule,
    Target,
    as_bool,
    as_int,
    as_set,
    as_str,
    mapped,
    req,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import optional_text, string_list, text
from tfdrift_gitops.core.paths import MISSING, items, lookup
from tfdrift_gitops.models import CloudEvent, Severity

POLICY = "aws_load_balancer_policy"
LISTENER_POLICY = "aws_load_balancer_listener_policy"
LB_NAME: Extractor = text("loadBalancerName")
BROKEN = ("Protocol-SSLv2", "Protocol-SSLv3")
DEPRECATED = ("Protocol-TLSv1", "Protocol-TLSv1.1")


def _joined(*parts: Extractor) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        values = [as_str(p(event)) for p in parts]
        if not all(isinstance(v, str) and v for v in values):
            return MISSING
        return ":".join(str(v) for v in values)

    return extract


def _attributes(value: Any) -> Any:
    pairs = []
    for entry in items(value):
        name, val = as_str(lookup(entry, "attributeName")), as_str(lookup(entry, "attributeValue"))
        if isinstance(name, str) and name:
            pairs.append({"name": name, "value": val if isinstance(val, str) else ""})
    return pairs or MISSING


def _enabled(event: CloudEvent) -> set[str]:
    on = set()
    for entry in items(req("policyAttributes")(event)):
        name = as_str(lookup(entry, "attributeName"))
        if isinstance(name, str) and as_bool(lookup(entry, "attributeValue")) is True:
            on.add(name)
    return on


def _weak_protocols(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    on = _enabled(event)
    broken = [p.removeprefix("Protocol-") for p in BROKEN if p in on]
    if broken:
        return Severity.CRITICAL, f"the SSL policy accepts {', '.join(broken)}"
    deprecated = [p.removeprefix("Protocol-") for p in DEPRECATED if p in on]
    if deprecated:
        return Severity.HIGH, f"the SSL policy accepts {', '.join(deprecated)}"
    return None


POLICY_NAME: Extractor = text("policyName")
POLICY_ID = _joined(LB_NAME, POLICY_NAME)
# Its last segment is the plain policyName (LISTENER_ID's is the port rewritten as a number:
# "080" would key as "80", so it says nothing and routing runs it).
keys.note(POLICY_ID, keys.joined(":", (LB_NAME, POLICY_NAME)))
LISTENER_ID = _joined(LB_NAME, mapped(req("loadBalancerPort"), lambda v: str(as_int(v))))


def _classic(event: str, action: Action, target: Target, severity: Severity, about: str) -> Rule:
    return Rule(
        event,
        SOURCE,
        action,
        (target,),
        severity=severity,
        description=about,
        severity_checks=(_weak_protocols,),
        matches=classic_call,
        discriminator=CLASSIC,
    )


RULES: tuple[Rule, ...] = (
    _classic(
        "CreateLoadBalancerPolicy",
        Action.CREATE,
        Target(
            POLICY,
            "id",
            POLICY_ID,
            (
                SetAttr("load_balancer_name", LB_NAME, optional_text),
                SetAttr("policy_name", text("policyName"), optional_text),
                SetAttr("policy_type_name", text("policyTypeName"), optional_text),
                SetAttr("policy_attribute", mapped(req("policyAttributes"), _attributes), as_set),
            ),
        ),
        Severity.MEDIUM,
        "classic load balancer policy created outside Terraform",
    ),
    _classic(
        "DeleteLoadBalancerPolicy",
        Action.DELETE,
        Target(POLICY, "id", POLICY_ID),
        Severity.MEDIUM,
        "classic load balancer policy deleted",
    ),
    _classic(
        "SetLoadBalancerPoliciesOfListener",
        Action.MODIFY,
        Target(
            LISTENER_POLICY,
            "id",
            LISTENER_ID,
            (SetAttr("policy_names", string_list(req("policyNames")), as_set),),
        ),
        Severity.HIGH,
        "the policies of a classic load balancer listener replaced",
    ),
)
