"""EC2 catalog rows for network ACLs: entries, ACLs and subnet associations.

Choices worth knowing:
- An entry lives inline in its ACL (``aws_network_acl`` / ``aws_default_network_acl``
  ``ingress``/``egress`` sets) or as a separate ``aws_network_acl_rule``; inline is assumed only
  when state has no rule resource for the ACL. Entries of ACLs nobody manages are not drift.
- Rule resources are found by ``<acl>:<rule number>:<egress>`` (DeleteNetworkAclEntry names no
  protocol, which the provider's hashed id includes); a hand-made one is imported as
  ``<acl>:<rule number>:<protocol>:<egress>``.
- CloudTrail names the protocol by number (``aclProtocol``: "6", "-1"); state keeps what the
  configuration said ("tcp" or "6"), so protocols are compared by number.
- An allow entry for inbound traffic from ``0.0.0.0/0`` or ``::/0`` on every port, or on an
  admin or database port, is critical; egress to everywhere is medium.
- ReplaceNetworkAclAssociation names the association and the new ACL but not the subnet: on a
  separate ``aws_network_acl_association`` it changes ``network_acl_id``; on inline
  ``subnet_ids`` it is reported resource-level on the ACL now holding the subnet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tfdrift_gitops.core.catalog.ec2_effects import spec_tags, with_fallback
from tfdrift_gitops.core.catalog.ec2_routes import request_ids
from tfdrift_gitops.core.catalog.ec2_sg import ADMIN_PORTS
from tfdrift_gitops.core.catalog.model import (
    Action,
    Extractor,
    Rule,
    Set,
    Target,
    as_bool,
    as_int,
    exact,
    id_list,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.support import optional_text
from tfdrift_gitops.core.network_keys import nacl_rule_key
from tfdrift_gitops.core.paths import MISSING, get_path, lookup, set_path
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.models import CloudEvent, Severity

EC2 = "ec2.amazonaws.com"
ACL = "aws_network_acl"
DEFAULT_ACL = "aws_default_network_acl"
RULE = "aws_network_acl_rule"
ASSOCIATION = "aws_network_acl_association"

PROTOCOL_NUMBERS = {"all": "-1", "tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}
WORLD = ("0.0.0.0/0", "::/0")


def protocol_number(value: Any) -> str:
    text = str(value).strip().lower() if value is not None else ""
    return PROTOCOL_NUMBERS.get(text, text)


@dataclass(frozen=True, slots=True)
class Entry:
    """One CreateNetworkAclEntry / ReplaceNetworkAclEntry request, normalised."""

    acl: str
    number: int
    egress: bool
    action: str
    protocol: str
    cidr: str
    ipv6: str
    from_port: int
    to_port: int
    icmp_type: int
    icmp_code: int


def _int(value: Any, default: int = 0) -> int:
    number = as_int(value)
    return default if number is MISSING else int(number)


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def entry(event: CloudEvent) -> Entry | None:
    request = event.request or {}
    acl, number = lookup(request, "networkAclId"), as_int(lookup(request, "ruleNumber"))
    egress = as_bool(lookup(request, "egress"))
    if not isinstance(acl, str) or not acl or number is MISSING or egress is MISSING:
        return None
    action = lookup(request, "ruleAction")
    protocol = lookup(request, "aclProtocol")
    if protocol is MISSING:
        protocol = lookup(request, "protocol")
    ports = lookup(request, "portRange")
    icmp = lookup(request, "icmpTypeCode")
    return Entry(
        acl=acl,
        number=int(number),
        egress=bool(egress),
        action=str(action).lower() if isinstance(action, str) else "",
        protocol=protocol_number(protocol) if protocol is not MISSING else "",
        cidr=_str(lookup(request, "cidrBlock")),
        ipv6=_str(lookup(request, "ipv6CidrBlock")),
        from_port=_int(lookup(ports, "from")) if isinstance(ports, Mapping) else 0,
        to_port=_int(lookup(ports, "to")) if isinstance(ports, Mapping) else 0,
        icmp_type=_int(lookup(icmp, "type")) if isinstance(icmp, Mapping) else 0,
        icmp_code=_int(lookup(icmp, "code")) if isinstance(icmp, Mapping) else 0,
    )


def _entry_key(event: CloudEvent) -> Any:
    found = entry(event)
    return MISSING if found is None else nacl_rule_key(found.acl, found.number, found.egress)


def _import_id(event: CloudEvent) -> Any:
    found = entry(event)
    if found is None or not found.protocol:
        return MISSING
    egress = "true" if found.egress else "false"
    return f"{found.acl}:{found.number}:{found.protocol}:{egress}"


ACL_ID: Extractor = mapped(
    req("networkAclId"), lambda v: v if isinstance(v, str) and v else MISSING
)
ENTRY_KEY: Extractor = _entry_key
# The ACL a call names: managed (or holding managed rules), or the call lands nowhere.
ACL_IDS: Extractor = id_list(req("networkAclId"))


# --------------------------------------------------------------------------- effects


def _block(found: Entry) -> dict[str, Any]:
    """An ``ingress``/``egress`` block as provider v5 writes it to state."""
    return {
        "action": found.action,
        "cidr_block": found.cidr,
        "from_port": found.from_port,
        "icmp_code": found.icmp_code,
        "icmp_type": found.icmp_type,
        "ipv6_cidr_block": found.ipv6,
        "protocol": found.protocol,
        "rule_no": found.number,
        "to_port": found.to_port,
    }


def _canonical_block(item: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    out = []
    for key, value in sorted(item.items()):
        if key == "protocol":
            text = protocol_number(value)
        elif key in ("action",):
            text = str(value or "").lower()
        else:
            text = "" if value is None else str(value)
        out.append((key, text))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class EntryBlocks:
    """Inline entries: ``add``/``replace`` the block with the call's rule number in ``ingress``
    or ``egress`` (the call says which), ``remove`` it."""

    mode: str
    direction: str  # "ingress" | "egress"

    @property
    def path(self) -> str:
        return self.direction

    def compare(self, value: Any) -> Any:
        if not isinstance(value, list):
            return frozenset()
        return frozenset(_canonical_block(i) for i in value if isinstance(i, Mapping))

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        request = event.request or {}
        number, egress = as_int(lookup(request, "ruleNumber")), as_bool(lookup(request, "egress"))
        if number is MISSING or egress is MISSING:
            return False
        if (egress is True) != (self.direction == "egress"):
            return False
        found = entry(event) if self.mode != "remove" else None
        if self.mode != "remove" and (found is None or not found.action or not found.protocol):
            return False
        current = get_path(attrs, self.path)
        blocks = (
            [dict(b) for b in current if isinstance(b, Mapping)]
            if isinstance(current, list)
            else []
        )
        kept = [b for b in blocks if _int(b.get("rule_no"), -1) != int(number)]
        set_path(attrs, self.path, kept if found is None else [*kept, _block(found)])
        return True


def _field(name: str) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        found = entry(event)
        if found is None or not found.protocol:
            return MISSING
        values: dict[str, Any] = {
            "network_acl_id": found.acl,
            "rule_number": found.number,
            "egress": found.egress,
            "rule_action": found.action,
            "protocol": found.protocol,
            "cidr_block": found.cidr,
            "ipv6_cidr_block": found.ipv6,
            "from_port": found.from_port,
            "to_port": found.to_port,
            "icmp_type": found.icmp_type,
            "icmp_code": found.icmp_code,
        }
        return values[name]

    return extract


def _protocol_compare(value: Any) -> Any:
    return protocol_number(value) if value not in (None, "") else None


RULE_FIELDS = ("rule_action", "protocol", "cidr_block", "ipv6_cidr_block", "from_port", "to_port")
RULE_EFFECTS = tuple(
    Set(
        name,
        _field(name),
        _protocol_compare
        if name == "protocol"
        else optional_text
        if name in ("rule_action", "cidr_block", "ipv6_cidr_block")
        else exact,
    )
    for name in RULE_FIELDS
)
RULE_CREATE_EFFECTS = (
    Set("network_acl_id", _field("network_acl_id"), exact),
    Set("rule_number", _field("rule_number"), exact),
    Set("egress", _field("egress"), exact),
    *RULE_EFFECTS,
)


# --------------------------------------------------------------------------- guards


def _standalone_rules(event: CloudEvent, index: StateIndex) -> bool:
    acl = ACL_ID(event)
    return isinstance(acl, str) and bool(index.lookup(RULE, "rules_of_acl", acl))


def _inline(event: CloudEvent, index: StateIndex) -> bool:
    return not _standalone_rules(event, index)


def _acl_known(event: CloudEvent, index: StateIndex) -> bool:
    acl = ACL_ID(event)
    if not isinstance(acl, str):
        return False
    return any(index.lookup(t, "id", acl) for t in (ACL, DEFAULT_ACL)) or _standalone_rules(
        event, index
    )


def _also(target: Target, extra: Any) -> Target:
    inner = target.guard

    def guard(event: CloudEvent, index: StateIndex) -> bool:
        return extra(event, index) and (inner is None or inner(event, index))

    return replace(target, guard=guard)


def _modelled(mode: str) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        if mode == "remove":
            return True if lookup(event.request or {}, "ruleNumber") is not MISSING else MISSING
        found = entry(event)
        return True if found is not None and found.action and found.protocol else MISSING

    return extract


def _inline_targets(mode: str) -> tuple[Target, ...]:
    out: list[Target] = []
    for rtype in (ACL, DEFAULT_ACL):
        target = Target(
            type=rtype,
            lookup="id",
            id=ACL_ID,
            effects=(EntryBlocks(mode, "ingress"), EntryBlocks(mode, "egress")),
            action=Action.MODIFY,
        )
        effectful, twin = with_fallback(target, _modelled(mode))
        out += [_also(effectful, _inline), _also(twin, _inline)]
    return tuple(out)


# --------------------------------------------------------------------------- severity


def _opens(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    found = entry(event)
    if found is None or found.action != "allow":
        return None
    source = found.cidr or found.ipv6
    if source not in WORLD:
        return None
    if found.egress:
        return Severity.MEDIUM, f"rule {found.number} allows all egress to {source}"
    if found.protocol in ("-1", ""):
        return Severity.CRITICAL, f"rule {found.number} allows all traffic in from {source}"
    if found.protocol in ("6", "17"):
        low, high = found.from_port, found.to_port
        exposed = [p for p in ADMIN_PORTS if low <= p <= high]
        if exposed:
            ports = ", ".join(str(p) for p in exposed)
            return (
                Severity.CRITICAL,
                f"rule {found.number} allows admin/database port(s) {ports} in from {source}",
            )
        return Severity.HIGH, f"rule {found.number} allows ports {low}-{high} in from {source}"
    return Severity.HIGH, f"rule {found.number} allows protocol {found.protocol} from {source}"


# --------------------------------------------------------------------------- rows

CREATE_ENTRY = Rule(
    event="CreateNetworkAclEntry",
    source=EC2,
    action=Action.CREATE,
    targets=(
        *_inline_targets("add"),
        Target(
            type=RULE,
            lookup="nacl_rule",
            id=ENTRY_KEY,
            import_id=_import_id,
            effects=RULE_CREATE_EFFECTS,
            guard=_acl_known,
        ),
    ),
    severity=Severity.MEDIUM,
    description="network ACL entry added outside Terraform",
    severity_checks=(_opens,),
    known_ids=ACL_IDS,
)

REPLACE_ENTRY = Rule(
    event="ReplaceNetworkAclEntry",
    source=EC2,
    action=Action.MODIFY,
    targets=(
        Target(type=RULE, lookup="nacl_rule", id=ENTRY_KEY, effects=RULE_EFFECTS),
        *_inline_targets("replace"),
    ),
    severity=Severity.MEDIUM,
    description="network ACL entry replaced",
    severity_checks=(_opens,),
    known_ids=ACL_IDS,
)


def _delete_key(event: CloudEvent) -> Any:
    request = event.request or {}
    acl, number = lookup(request, "networkAclId"), as_int(lookup(request, "ruleNumber"))
    egress = as_bool(lookup(request, "egress"))
    if not isinstance(acl, str) or not acl or number is MISSING or egress is MISSING:
        return MISSING
    return nacl_rule_key(acl, int(number), bool(egress))


DELETE_ENTRY = Rule(
    event="DeleteNetworkAclEntry",
    source=EC2,
    action=Action.DELETE,
    targets=(
        Target(type=RULE, lookup="nacl_rule", id=_delete_key),
        *_inline_targets("remove"),
    ),
    severity=Severity.MEDIUM,
    description="network ACL entry deleted",
    known_ids=ACL_IDS,
)

NEW_ACL_ID: Extractor = resp("networkAcl.networkAclId")

CREATE_ACL = Rule(
    event="CreateNetworkAcl",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type=ACL,
            lookup="id",
            id=NEW_ACL_ID,
            import_id=NEW_ACL_ID,
            effects=(
                Set("vpc_id", req("vpcId"), exact),
                Set("tags", spec_tags("network-acl"), tags_map),
            ),
        ),
    ),
    severity=Severity.LOW,
    description="network ACL created outside Terraform",
)

DELETE_ACL = Rule(
    event="DeleteNetworkAcl",
    source=EC2,
    action=Action.DELETE,
    targets=(Target(type=ACL, lookup="id", id=ACL_ID),),
    severity=Severity.HIGH,
    description="network ACL deleted",
    known_ids=ACL_IDS,
)

REPLACE_ACL_ASSOCIATION = Rule(
    event="ReplaceNetworkAclAssociation",
    source=EC2,
    action=Action.MODIFY,
    targets=(
        # AWS answers a new association id and the old one is gone: the provider's refresh
        # reads the managed aws_network_acl_association as deleted (seen by the Terraform
        # oracle), not as pointing at another ACL.
        Target(type=ASSOCIATION, lookup="id", id=req("associationId"), action=Action.DELETE),
        Target(type=ACL, lookup="id", id=ACL_ID),
    ),
    severity=Severity.MEDIUM,
    description="subnet moved to another network ACL",
    known_ids=request_ids("associationId", "networkAclId"),
)

NACL_RULES: tuple[Rule, ...] = (
    CREATE_ENTRY,
    REPLACE_ENTRY,
    DELETE_ENTRY,
    CREATE_ACL,
    DELETE_ACL,
    REPLACE_ACL_ASSOCIATION,
)
