"""Security-group rules managed as separate resources, and how exposed a rule leaves a group.

``aws_vpc_security_group_ingress_rule`` / ``..._egress_rule`` hold one AWS rule each and are
keyed by its ``sgr-`` id; ``aws_security_group_rule`` (older) keeps ``security_group_rule_id``.
Effects here fill their attributes from the rule CloudTrail recorded for that id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog.ec2_sg import (
    RULE_TYPES,
    Permission,
    from_rule_item,
    group_id_of,
    modify_rule_updates,
    request_permissions,
    response_rules,
    text_of,
)
from tfdrift_gitops.core.catalog.model import as_int, as_set
from tfdrift_gitops.core.paths import MISSING, lookup
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.models import CloudEvent, Severity

# --------------------------------------------------------------------------- separate rules


def uses_rule_resources(index: StateIndex, group_id: str) -> bool:
    """The group's rules are managed as separate resources somewhere in the loaded states."""
    return bool(group_id) and any(
        index.lookup(rtype, "security_group_id", group_id) for rtype in RULE_TYPES
    )


def _rule_value(field: str, perm: Permission, group_id: str, legacy: bool) -> Any:
    """One attribute of a separate rule resource, as Terraform stores it."""
    source = perm.source
    if field in ("protocol", "ip_protocol"):
        return perm.protocol
    if field in ("from_port", "to_port"):
        value = perm.from_port if field == "from_port" else perm.to_port
        if perm.protocol == "-1":
            return 0 if legacy else None
        return value
    if field == "description":
        return perm.description or None
    if legacy:
        lists = {"cidr_blocks": "cidr", "ipv6_cidr_blocks": "ipv6", "prefix_list_ids": "prefix"}
        if field in lists:
            return [source] if perm.kind == lists[field] else []
        if field == "source_security_group_id":
            return source if perm.kind == "sg" else None
        if field == "self":
            return perm.kind == "self"
        return MISSING
    singles = {"cidr_ipv4": "cidr", "cidr_ipv6": "ipv6", "prefix_list_id": "prefix"}
    if field in singles:
        return source if perm.kind == singles[field] else None
    if field == "referenced_security_group_id":
        if perm.kind == "self":
            return group_id or None
        return source if perm.kind == "sg" else None
    return MISSING


def nullable(value: Any) -> Any:
    """Strings and numbers where null, "" and absent are one thing; "22" == 22."""
    if value is None or value is MISSING or value == "":
        return None
    number = as_int(value)
    return number if number is not MISSING else value


@dataclass(frozen=True, slots=True)
class RuleResourceField:
    """One attribute of ``aws_vpc_security_group_*_rule`` / ``aws_security_group_rule``.

    The event's rule is the one whose id equals the resource's id (or ``security_group_rule_id``)
    — unmanaged resources start from their id — or the only rule of the call.
    ``source`` says where the rules are: ``created`` (Authorize response) or ``modified``
    (ModifySecurityGroupRules request).
    """

    path: str
    source: str
    egress: bool = False
    legacy: bool = False

    def compare(self, value: Any) -> Any:
        if isinstance(value, list):
            return as_set(value)
        return nullable(value)

    def _rules(self, event: CloudEvent) -> list[tuple[str, Mapping[str, Any]]]:
        if self.source == "modified":
            return modify_rule_updates(event)
        return [
            (text_of(lookup(item, "securityGroupRuleId")), item)
            for item in response_rules(event, "securityGroupRuleSet", self.egress)
        ]

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        rules = self._rules(event)
        own = {str(attrs.get(k)) for k in ("id", "security_group_rule_id") if attrs.get(k)}
        chosen = [rule for rule_id, rule in rules if rule_id in own]
        if not chosen and not own and len(rules) == 1:
            chosen = [rules[0][1]]
        if not chosen:
            return False
        group_id = str(attrs.get("security_group_id") or group_id_of(event))
        perms = from_rule_item(chosen[0], group_id)
        if not perms:
            return False
        if self.path == "security_group_id":
            if not group_id:
                return False
            attrs[self.path] = group_id
            return True
        value = _rule_value(self.path, perms[0], group_id, self.legacy)
        if value is MISSING:
            return False
        attrs[self.path] = value
        return True


VPC_RULE_FIELDS = (
    "security_group_id",
    "protocol",
    "from_port",
    "to_port",
    "cidr_ipv4",
    "cidr_ipv6",
    "prefix_list_id",
    "referenced_security_group_id",
    "description",
)
LEGACY_RULE_FIELDS = (
    "protocol",
    "from_port",
    "to_port",
    "cidr_blocks",
    "ipv6_cidr_blocks",
    "prefix_list_ids",
    "source_security_group_id",
    "self",
    "description",
)


def vpc_rule_effects(source: str, egress: bool) -> tuple[RuleResourceField, ...]:
    # Terraform calls the protocol ``ip_protocol`` on the VPC rule resources.
    return tuple(
        RuleResourceField(
            path="ip_protocol" if name == "protocol" else name, source=source, egress=egress
        )
        for name in VPC_RULE_FIELDS
    )


def legacy_rule_effects(source: str) -> tuple[RuleResourceField, ...]:
    return tuple(
        RuleResourceField(path=name, source=source, legacy=True) for name in LEGACY_RULE_FIELDS
    )


# --------------------------------------------------------------------------- severity


def _exposure(perms: Iterable[Permission]) -> tuple[Severity, str] | None:
    worst: tuple[Severity, str] | None = None
    for perm in perms:
        if not perm.world_open:
            continue
        if perm.covers_admin_port():
            return (
                Severity.CRITICAL,
                f"{perm.source} may reach {perm.port_text()} (an administrative or database port)",
            )
        worst = worst or (Severity.HIGH, f"{perm.source} may reach {perm.port_text()}")
    return worst


def world_open_ingress(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    """Authorize / re-describe ingress: who on the internet can now connect, and to what."""
    group_id = group_id_of(event)
    perms = request_permissions(event, group_id)
    perms += [
        p
        for item in response_rules(event, "securityGroupRuleSet", False)
        for p in from_rule_item(item, group_id)
    ]
    return _exposure(perms)


def world_open_modified_rule(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    """ModifySecurityGroupRules does not say ingress or egress; the resource does when known.

    ``aws_security_group_rule`` has ``type``; otherwise an ingress-typed rule resource carries
    ``cidr_ipv4`` and the rule id in state. Where the direction is unknown the finding is capped
    at high: a world-open egress rule is common and harmless.
    """
    group_id = group_id_of(event)
    perms = [p for _, rule in modify_rule_updates(event) for p in from_rule_item(rule, group_id)]
    raised = _exposure(perms)
    if raised is None:
        return None
    direction = observed.get("type") or observed.get(DIRECTION_KEY)
    if direction == "egress":
        return None
    if direction == "ingress":
        return raised
    return (Severity.HIGH, raised[1] + " (direction not stated by the call)")


DIRECTION_KEY = "__tfdrift_rule_direction__"


@dataclass(frozen=True, slots=True)
class DirectionMarker:
    """Notes in the observed attributes whether a VPC rule resource is ingress or egress.

    ModifySecurityGroupRules does not say; the resource type does, and the severity check only
    sees observed attributes. Never reported: its canonical form is constant.
    """

    egress: bool
    path: str = DIRECTION_KEY

    def compare(self, value: Any) -> Any:
        return None

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        attrs[self.path] = "egress" if self.egress else "ingress"
        return True
