"""Security-group rule semantics for the EC2 catalog.

AWS thinks of a security group as a set of rules, one per (protocol, port range, source);
Terraform's inline ``ingress``/``egress`` blocks group several sources under one protocol and
port range. Both are flattened to :class:`Permission` values so that a grouped block and AWS's
per-source view compare equal, whatever the order, port spelling ("22" or 22) or protocol
spelling ("6", "tcp", "all", "-1").

Effects here keep the observed attributes in Terraform's shape: state blocks stay as they are,
revoked sources leave their block (an emptied block is dropped), added rules get a block each.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.model import as_int, req
from tfdrift_gitops.core.paths import MISSING, items, lookup
from tfdrift_gitops.models import CloudEvent

# Ports whose exposure to the whole internet is an incident, not a style question.
ADMIN_PORTS: tuple[int, ...] = (22, 3389, 3306, 5432, 1433, 27017, 6379, 9200)

# Separate rule resources; when a group has any, Terraform does not own its inline blocks.
VPC_INGRESS_RULE = "aws_vpc_security_group_ingress_rule"
VPC_EGRESS_RULE = "aws_vpc_security_group_egress_rule"
LEGACY_RULE = "aws_security_group_rule"
RULE_TYPES: tuple[str, ...] = (VPC_INGRESS_RULE, VPC_EGRESS_RULE, LEGACY_RULE)

# Rule ids (sgr-...) learned from Authorize responses during one replay, so that a later
# revoke by id can be translated into content. Lives in the *observed* attributes only: no
# effect reports this path, so it never shows up as a change.
LEARNED_RULES_KEY = "__tfdrift_sg_rule_ids__"

_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1", "": "-1"}
_SOURCE_LISTS = (
    ("cidr", "cidr_blocks"),
    ("ipv6", "ipv6_cidr_blocks"),
    ("prefix", "prefix_list_ids"),
    ("sg", "security_groups"),
)


def protocol_name(value: Any) -> str:
    """ "6" -> "tcp", "all"/"-1"/missing -> "-1"; other names lower-cased."""
    if value is MISSING or value is None:
        return "-1"
    text = str(value).strip().lower()
    return _PROTOCOLS.get(text, text)


def _port(value: Any) -> int | None:
    if value is MISSING or value is None:
        return None
    number = as_int(value)
    return number if isinstance(number, int) else None


def text_of(value: Any) -> str:
    """A string field, trimmed; "" when absent or not a string."""
    if isinstance(value, Mapping) and "content" in value:
        value = value["content"]  # wrapped requests: {"content": "sgr-...", "tag": 1}
    return value.strip() if isinstance(value, str) else ""


def _canonical_source(kind: str, source: str) -> str:
    """Equal networks compare equal ("2001:DB8::/32" == "2001:db8::/32")."""
    if kind in ("cidr", "ipv6"):
        try:
            return str(ipaddress.ip_network(source, strict=False))
        except ValueError:
            return source.lower()
    if kind == "sg" and "/" in source:
        return source.rsplit("/", 1)[1]  # Terraform writes cross-account groups as acct/sg-...
    return source


@dataclass(frozen=True, slots=True)
class Permission:
    """One AWS rule: a protocol, a port range and exactly one source."""

    protocol: str
    from_port: int | None
    to_port: int | None
    kind: str  # cidr | ipv6 | prefix | sg | self
    source: str
    description: str = ""

    @classmethod
    def make(
        cls, protocol: Any, from_port: Any, to_port: Any, kind: str, source: str, desc: Any = ""
    ) -> Permission:
        name = protocol_name(protocol)
        low, high = (None, None) if name == "-1" else (_port(from_port), _port(to_port))
        return cls(name, low, high, kind, source.strip(), text_of(desc))

    @property
    def key(self) -> tuple[str, int | None, int | None, str, str]:
        """The rule's identity as AWS matches it (a revoke ignores the description)."""
        return (
            self.protocol,
            self.from_port,
            self.to_port,
            self.kind,
            _canonical_source(self.kind, self.source),
        )

    @property
    def world_open(self) -> bool:
        if self.kind not in ("cidr", "ipv6"):
            return False
        try:
            return ipaddress.ip_network(self.source, strict=False).prefixlen == 0
        except ValueError:
            return False

    def covers_admin_port(self) -> bool:
        if self.protocol == "-1" or self.from_port is None or self.to_port is None:
            return True
        if self.protocol not in ("tcp", "udp"):
            return False
        low, high = min(self.from_port, self.to_port), max(self.from_port, self.to_port)
        return low < 0 or any(low <= port <= high for port in ADMIN_PORTS)

    def port_text(self) -> str:
        if self.protocol == "-1":
            return "all traffic"
        if self.from_port == self.to_port:
            return f"{self.protocol}/{self.from_port}"
        return f"{self.protocol}/{self.from_port}-{self.to_port}"

    def to_block(self) -> dict[str, Any]:
        """A Terraform inline block for this one rule."""
        block: dict[str, Any] = {
            "cidr_blocks": [],
            "description": self.description,
            "from_port": 0 if self.from_port is None else self.from_port,
            "ipv6_cidr_blocks": [],
            "prefix_list_ids": [],
            "protocol": self.protocol,
            "security_groups": [],
            "self": self.kind == "self",
            "to_port": 0 if self.to_port is None else self.to_port,
        }
        for kind, attr in _SOURCE_LISTS:
            if self.kind == kind:
                block[attr] = [self.source]
        return block


# --------------------------------------------------------------------------- reading events


def _group_source(item: Any, group_id: str) -> tuple[str, str] | None:
    gid = text_of(lookup(item, "groupId")) or text_of(lookup(item, "referencedGroupId"))
    if not gid:
        gid = text_of(lookup(item, "referencedGroupInfo.groupId"))
    if not gid:
        name = text_of(lookup(item, "groupName"))
        return ("sg", name) if name else None
    return ("self", "self") if group_id and gid == group_id else ("sg", gid)


def from_ip_permission(item: Any, group_id: str) -> list[Permission]:
    """``ipPermissions.items[]`` entry -> one Permission per source."""
    if not isinstance(item, Mapping):
        return []
    proto, low, high = lookup(item, "ipProtocol"), lookup(item, "fromPort"), lookup(item, "toPort")
    out: list[Permission] = []
    for kind, container, field in (
        ("cidr", "ipRanges", "cidrIp"),
        ("ipv6", "ipv6Ranges", "cidrIpv6"),
        ("prefix", "prefixListIds", "prefixListId"),
    ):
        for entry in items(lookup(item, container)):
            source = text_of(lookup(entry, field)) if isinstance(entry, Mapping) else text_of(entry)
            if source:
                desc = lookup(entry, "description") if isinstance(entry, Mapping) else ""
                out.append(Permission.make(proto, low, high, kind, source, desc))
    for entry in items(lookup(item, "groups")):
        if isinstance(entry, Mapping) and (found := _group_source(entry, group_id)):
            desc = lookup(entry, "description")
            out.append(Permission.make(proto, low, high, found[0], found[1], desc))
    return out


def from_rule_item(item: Any, group_id: str) -> list[Permission]:
    """A ``SecurityGroupRule`` (response sets, ModifySecurityGroupRules request) -> Permission."""
    if not isinstance(item, Mapping):
        return []
    proto, low, high = lookup(item, "ipProtocol"), lookup(item, "fromPort"), lookup(item, "toPort")
    desc = lookup(item, "description")
    for kind, field in (("cidr", "cidrIpv4"), ("ipv6", "cidrIpv6"), ("prefix", "prefixListId")):
        source = text_of(lookup(item, field))
        if source:
            return [Permission.make(proto, low, high, kind, source, desc)]
    found = _group_source(item, group_id)
    return [Permission.make(proto, low, high, found[0], found[1], desc)] if found else []


def _legacy(request: Mapping[str, Any], group_id: str) -> list[Permission]:
    """The top-level ``cidrIp/ipProtocol/fromPort/toPort`` form (and its source-group twin)."""
    proto, low, high = (
        lookup(request, "ipProtocol"),
        lookup(request, "fromPort"),
        lookup(request, "toPort"),
    )
    cidr = text_of(lookup(request, "cidrIp"))
    if cidr:
        return [Permission.make(proto, low, high, "cidr", cidr)]
    name = text_of(lookup(request, "sourceSecurityGroupName"))
    if name:
        return [Permission.make(proto, low, high, "sg", name)]
    return []


def group_id_of(event: CloudEvent) -> str:
    request = event.request or {}
    gid = text_of(lookup(request, "groupId"))
    return gid or text_of(lookup(request, "ModifySecurityGroupRulesRequest.GroupId"))


def request_permissions(event: CloudEvent, group_id: str) -> list[Permission]:
    request = event.request or {}
    out = [
        perm
        for item in items(lookup(request, "ipPermissions"))
        for perm in from_ip_permission(item, group_id)
    ]
    return out + _legacy(request, group_id)


def _is_egress(item: Mapping[str, Any]) -> bool | None:
    value = lookup(item, "isEgress")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def response_rules(event: CloudEvent, container: str, egress: bool) -> list[Mapping[str, Any]]:
    """Rule items of ``container`` (securityGroupRuleSet / revokedSecurityGroupRuleSet)."""
    if event.response is None:
        return []
    found = [
        item
        for item in items(lookup(event.response, container))
        if isinstance(item, Mapping) and _is_egress(item) in (None, egress)
    ]
    return found


def _collect_rule_ids(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        if value.startswith("sgr-") and value not in out:
            out.append(value)
    elif isinstance(value, Mapping):
        for inner in value.values():
            _collect_rule_ids(inner, out)
    elif isinstance(value, list):
        for inner in value:
            _collect_rule_ids(inner, out)


_RULE_ID_FIELDS = (req("securityGroupRuleIds"), req("securityGroupRuleId"))


def requested_rule_ids(event: CloudEvent) -> list[str]:
    """``securityGroupRuleIds`` in whatever list shape CloudTrail used."""
    out: list[str] = []
    if event.request is not None:
        for field in _RULE_ID_FIELDS:
            if keys.may_carry(field, event):  # most calls name none: no lookup then
                _collect_rule_ids(field(event), out)
    return out


def revoked_rule_ids(event: CloudEvent, egress: bool) -> list[str]:
    """Rule ids a revoke named or (newer CloudTrail) listed as revoked."""
    out = requested_rule_ids(event)
    for item in response_rules(event, "revokedSecurityGroupRuleSet", egress):
        _collect_rule_ids(lookup(item, "securityGroupRuleId"), out)
    return out


def created_rule_ids(event: CloudEvent, egress: bool) -> list[str]:
    out: list[str] = []
    for item in response_rules(event, "securityGroupRuleSet", egress):
        _collect_rule_ids(lookup(item, "securityGroupRuleId"), out)
    return out


def modify_rule_updates(event: CloudEvent) -> list[tuple[str, Mapping[str, Any]]]:
    """ModifySecurityGroupRules: (rule id, new rule) pairs; one update is an object, many a list."""
    request = event.request or {}
    updates = lookup(request, "ModifySecurityGroupRulesRequest.SecurityGroupRule")
    if updates is MISSING:
        updates = lookup(request, "securityGroupRules")
    out: list[tuple[str, Mapping[str, Any]]] = []
    for update in items(updates):
        if not isinstance(update, Mapping):
            continue
        rule_id = text_of(lookup(update, "SecurityGroupRuleId"))
        rule = lookup(update, "SecurityGroupRule")
        if rule_id and isinstance(rule, Mapping):
            out.append((rule_id, rule))
    return out


# --------------------------------------------------------------------------- Terraform blocks


def _list(value: Any) -> list[Any]:
    """A state list attribute; anything else (a hand-edited string, null) holds no sources."""
    return value if isinstance(value, list) else []


def flatten_blocks(value: Any) -> list[Permission]:
    """Terraform's grouped ``ingress``/``egress`` blocks -> one Permission per source."""
    out: list[Permission] = []
    for block in value if isinstance(value, list) else []:
        if not isinstance(block, Mapping):
            continue
        proto, low, high = block.get("protocol"), block.get("from_port"), block.get("to_port")
        desc = block.get("description")
        for kind, attr in _SOURCE_LISTS:
            for source in _list(block.get(attr)):
                if isinstance(source, str) and source:
                    out.append(Permission.make(proto, low, high, kind, source, desc))
        if block.get("self") is True:
            out.append(Permission.make(proto, low, high, "self", "self", desc))
    return out


def canonical_rules(value: Any) -> Any:
    """Order-insensitive rule set, description included (Terraform plans a description edit)."""
    perms = flatten_blocks(value)
    return frozenset((*p.key, p.description) for p in perms)


def add_rules(blocks: list[Any], new: Iterable[Permission]) -> list[Any]:
    """Append a block per rule AWS did not have yet (a duplicate Authorize changes nothing)."""
    present = {p.key for p in flatten_blocks(blocks)}
    out = list(blocks)
    for perm in new:
        if perm.key not in present:
            present.add(perm.key)
            out.append(perm.to_block())
    return out


def remove_rules(blocks: list[Any], gone: Iterable[Permission]) -> list[Any]:
    """Drop revoked sources from their blocks; a block left without sources is dropped."""
    gone_keys = {p.key for p in gone}
    out: list[Any] = []
    for block in blocks:
        if not isinstance(block, Mapping):
            out.append(block)
            continue
        kept = dict(block)
        proto, low, high = block.get("protocol"), block.get("from_port"), block.get("to_port")
        for kind, attr in _SOURCE_LISTS:
            sources = _list(block.get(attr))
            kept[attr] = [
                s
                for s in sources
                if not (
                    isinstance(s, str)
                    and Permission.make(proto, low, high, kind, s).key in gone_keys
                )
            ]
        if block.get("self") is True:
            kept["self"] = Permission.make(proto, low, high, "self", "self").key not in gone_keys
        if any(kept[attr] for _, attr in _SOURCE_LISTS) or kept.get("self") is True:
            out.append(kept)
    return out


def redescribe_rules(blocks: list[Any], updated: Iterable[Permission]) -> list[Any]:
    """New descriptions for existing rules (a rule AWS does not have is not created)."""
    present = {p.key: p for p in flatten_blocks(blocks)}
    out = blocks
    for perm in updated:
        old = present.get(perm.key)
        if old is None or old.description == perm.description:
            continue
        out = add_rules(remove_rules(out, [perm]), [perm])
    return out


# --------------------------------------------------------------------------- the effect


def _learn(attrs: dict[str, Any], event: CloudEvent, egress: bool, group_id: str) -> None:
    learned = attrs.get(LEARNED_RULES_KEY)
    table: dict[str, Any] = dict(learned) if isinstance(learned, Mapping) else {}
    for item in response_rules(event, "securityGroupRuleSet", egress):
        rule_id = text_of(lookup(item, "securityGroupRuleId"))
        perms = from_rule_item(item, group_id)
        if rule_id and perms:
            p = perms[0]
            table[rule_id] = {
                "egress": egress,
                "rule": [p.protocol, p.from_port, p.to_port, p.kind, p.source, p.description],
            }
    if table:
        attrs[LEARNED_RULES_KEY] = table


def _recall(attrs: Mapping[str, Any], rule_ids: list[str], egress: bool) -> list[Permission]:
    learned = attrs.get(LEARNED_RULES_KEY)
    if not isinstance(learned, Mapping):
        return []
    out: list[Permission] = []
    for rule_id in rule_ids:
        entry = learned.get(rule_id)
        if not isinstance(entry, Mapping) or entry.get("egress") is not egress:
            continue
        rule = entry.get("rule")
        if isinstance(rule, list) and len(rule) == 6:
            proto, low, high, kind, source, desc = rule
            out.append(Permission(proto, low, high, kind, source, desc))
    return out


@dataclass(frozen=True, slots=True)
class SecurityGroupRules:
    """Authorize / revoke / re-describe rules in the inline ``ingress`` or ``egress`` blocks.

    A revoke by ``securityGroupRuleIds`` is translated through the response's
    ``revokedSecurityGroupRuleSet`` (newer CloudTrail) or ids learned from earlier Authorize
    responses in the same replay; when neither says what the id was, ``apply`` returns False
    (the catalog then reports a resource-level change: CloudTrail did not say which rule).
    """

    path: str  # "ingress" | "egress"
    op: str  # "add" | "remove" | "describe"

    @property
    def egress(self) -> bool:
        return self.path == "egress"

    def compare(self, value: Any) -> Any:
        return canonical_rules(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        group_id = str(attrs.get("id") or group_id_of(event))
        perms = request_permissions(event, group_id)
        current = attrs.get(self.path)
        blocks = list(current) if isinstance(current, list) else []
        if self.op == "add":
            if not perms:
                perms = [
                    p
                    for item in response_rules(event, "securityGroupRuleSet", self.egress)
                    for p in from_rule_item(item, group_id)
                ]
            _learn(attrs, event, self.egress, group_id)
            if not perms:
                return False
            attrs[self.path] = add_rules(blocks, perms)
            return True
        if self.op == "remove":
            perms += [
                p
                for item in response_rules(event, "revokedSecurityGroupRuleSet", self.egress)
                for p in from_rule_item(item, group_id)
            ]
            perms += _recall(attrs, requested_rule_ids(event), self.egress)
            if not perms:
                return False
            attrs[self.path] = remove_rules(blocks, perms)
            return True
        if not perms:
            return False
        attrs[self.path] = redescribe_rules(blocks, perms)
        return True


def has_rule_content(event: CloudEvent, egress: bool) -> bool:
    """The event says which rules (not only opaque rule ids)."""
    group_id = group_id_of(event)
    if request_permissions(event, group_id):
        return True
    return bool(response_rules(event, "revokedSecurityGroupRuleSet", egress))
