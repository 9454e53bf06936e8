"""State index keys for VPC routing and edge resources that no single attribute names.

``aws_route`` by ``<route table>_<destination>`` (its import id; the resource id is a hash),
``aws_network_acl_rule`` by ``<acl>:<rule number>:<egress>`` (DeleteNetworkAclEntry names no
protocol, which the rule's hashed id includes), and the parent of standalone routes, NACL
rules and EIP associations, so that rows can tell inline blocks from separate resources; and
what an interface is attached to (``aws_network_interface_attachment``, an ``aws_instance``'s
primary interface or an interface attached at launch by its ``network_interface`` block),
which AssociateAddress naming only the interface does not say.

A key function gives one value, several (a tuple: an instance launched with several
interfaces), or None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

DESTINATION_ATTRIBUTES = (
    "destination_cidr_block",
    "destination_ipv6_cidr_block",
    "destination_prefix_list_id",
)


def route_key(route_table: str, destination: str) -> str:
    return f"{route_table}_{destination}"


def nacl_rule_key(acl: str, rule_number: int, egress: bool) -> str:
    return f"{acl}:{rule_number}:{'true' if egress else 'false'}"


def _route(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    if rtype != "aws_route":
        return None
    table = attrs.get("route_table_id")
    destination = next(
        (attrs[a] for a in DESTINATION_ATTRIBUTES if isinstance(attrs.get(a), str) and attrs[a]),
        None,
    )
    if not isinstance(table, str) or not table or destination is None:
        return None
    return route_key(table, destination)


def _nacl_rule(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    if rtype != "aws_network_acl_rule":
        return None
    acl, number, egress = attrs.get("network_acl_id"), attrs.get("rule_number"), attrs.get("egress")
    if not isinstance(acl, str) or not acl or isinstance(number, bool):
        return None
    if not isinstance(number, int | float) or not isinstance(egress, bool):
        return None
    return nacl_rule_key(acl, int(number), egress)


DerivedKey = Callable[[str, Mapping[str, Any]], str | tuple[str, ...] | None]


def _whole(number: Any) -> bool:
    """A non-negative whole number (a JSON number may be a float; never a bool, NaN, inf)."""
    if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
        return False
    return isinstance(number, int) or number.is_integer()


def _launch_interfaces(rtype: str, attrs: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The interfaces an ``aws_instance`` was launched with, by its ``network_interface``
    blocks: those the provider refreshed from an attachment of the instance (an id and a
    whole device index; 0 is the primary interface, also ``primary_network_interface_id``)."""
    if rtype != "aws_instance":
        return None
    blocks = attrs.get("network_interface")
    if not isinstance(blocks, list):
        return None
    found: list[str] = []
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        interface, device = block.get("network_interface_id"), block.get("device_index")
        if isinstance(interface, str) and interface and _whole(device):
            found.append(interface)
    return tuple(found) or None


def _attribute_of(
    rtype_wanted: str, attribute: str
) -> Callable[[str, Mapping[str, Any]], str | None]:
    def key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
        value = attrs.get(attribute)
        return value if rtype == rtype_wanted and isinstance(value, str) and value else None

    return key


NETWORK_KEYS: dict[str, DerivedKey] = {
    "route": _route,
    "nacl_rule": _nacl_rule,
    "routes_of_table": _attribute_of("aws_route", "route_table_id"),
    "rules_of_acl": _attribute_of("aws_network_acl_rule", "network_acl_id"),
    "eip_association_of": _attribute_of("aws_eip_association", "allocation_id"),
    "eip_by_association": _attribute_of("aws_eip", "association_id"),
    "attachment_of_interface": _attribute_of(
        "aws_network_interface_attachment", "network_interface_id"
    ),
    "instance_by_primary_interface": _attribute_of("aws_instance", "primary_network_interface_id"),
    "instance_by_launch_interface": _launch_interfaces,
}
