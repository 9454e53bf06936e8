"""EC2 catalog rows for routing: routes, route tables and their associations.

Choices worth knowing:
- A route lives either inline in its table (``aws_route_table`` / ``aws_default_route_table``
  ``route`` set) or as a separate ``aws_route``. The inline form is assumed only when state
  has no ``aws_route`` for the table (the provider documents the two as exclusive).
- A hand-made route in a table Terraform manages with separate routes is an unmanaged
  ``aws_route``, imported as ``<rtb>_<destination>`` (the provider's import id; its resource id
  is a hash of the same). Routes of tables nobody manages are not drift.
- ``instanceId`` targets are stored by AWS as the instance's network interface, which the call
  does not name: those calls are reported resource-level on the inline table.
- A default route (``0.0.0.0/0`` / ``::/0``) through an internet gateway exposes whatever the
  table's subnets hold: high.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.ec2_effects import spec_tags, with_fallback
from tfdrift_gitops.core.catalog.model import (
    Action,
    Extractor,
    Rule,
    Set,
    Target,
    exact,
    first,
    id_list,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.support import optional_text
from tfdrift_gitops.core.network_keys import route_key
from tfdrift_gitops.core.paths import MISSING, get_path, set_path
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.models import CloudEvent, Severity

EC2 = "ec2.amazonaws.com"
ROUTE = "aws_route"
TABLE = "aws_route_table"
DEFAULT_TABLE = "aws_default_route_table"
ASSOCIATION = "aws_route_table_association"
MAIN_ASSOCIATION = "aws_main_route_table_association"

# CreateRoute / ReplaceRoute request field -> aws_route attribute (the route block's key).
TARGETS: dict[str, str] = {
    "gatewayId": "gateway_id",
    "natGatewayId": "nat_gateway_id",
    "transitGatewayId": "transit_gateway_id",
    "vpcPeeringConnectionId": "vpc_peering_connection_id",
    "egressOnlyInternetGatewayId": "egress_only_gateway_id",
    "networkInterfaceId": "network_interface_id",
    "localGatewayId": "local_gateway_id",
    "carrierGatewayId": "carrier_gateway_id",
    "vpcEndpointId": "vpc_endpoint_id",
    "coreNetworkArn": "core_network_arn",
    "instanceId": "instance_id",
}
# Request field -> (route block key, aws_route attribute).
DESTINATIONS: dict[str, tuple[str, str]] = {
    "destinationCidrBlock": ("cidr_block", "destination_cidr_block"),
    "destinationIpv6CidrBlock": ("ipv6_cidr_block", "destination_ipv6_cidr_block"),
    "destinationPrefixListId": ("destination_prefix_list_id", "destination_prefix_list_id"),
}
# The keys of one ``route`` block as provider v5 writes it to state, per table type.
BLOCK_KEYS: dict[str, tuple[str, ...]] = {
    TABLE: (
        "carrier_gateway_id",
        "cidr_block",
        "core_network_arn",
        "destination_prefix_list_id",
        "egress_only_gateway_id",
        "gateway_id",
        "ipv6_cidr_block",
        "local_gateway_id",
        "nat_gateway_id",
        "network_interface_id",
        "transit_gateway_id",
        "vpc_endpoint_id",
        "vpc_peering_connection_id",
    ),
    DEFAULT_TABLE: (
        "cidr_block",
        "core_network_arn",
        "destination_prefix_list_id",
        "egress_only_gateway_id",
        "gateway_id",
        "instance_id",
        "ipv6_cidr_block",
        "nat_gateway_id",
        "network_interface_id",
        "transit_gateway_id",
        "vpc_endpoint_id",
        "vpc_peering_connection_id",
    ),
}
WORLD = ("0.0.0.0/0", "::/0")


def request_ids(*fields: str) -> Extractor:
    """Every id the request names in ``fields`` (a ``known_ids`` extractor)."""

    def extract(event: CloudEvent) -> Any:
        return [v for v in (_text(req(f)(event)) for f in fields) if v is not None]

    # The fields' strings as they are (stripped: AWS takes no padded id in a call that worked).
    keys.note(extract, (frozenset(f.partition(".")[0].casefold() for f in fields), frozenset()))
    return extract


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def destination(event: CloudEvent) -> tuple[str, str, str] | None:
    """(request field, route block key, aws_route attribute) and the value, or None."""
    for field, (block_key, attribute) in DESTINATIONS.items():
        value = _text(req(field)(event))
        if value is not None:
            return block_key, attribute, value
    return None


def route_target(event: CloudEvent) -> tuple[str, str] | None:
    """(aws_route attribute, value) of the call's target, or None."""
    for field, attribute in TARGETS.items():
        value = _text(req(field)(event))
        if value is not None:
            return attribute, value
    return None


def _route_id(event: CloudEvent) -> Any:
    table = _text(req("routeTableId")(event))
    found = destination(event)
    return MISSING if table is None or found is None else route_key(table, found[2])


ROUTE_ID: Extractor = _route_id
TABLE_ID: Extractor = mapped(req("routeTableId"), lambda v: _text(v) or MISSING)
# The table a call names: managed (or holding managed routes), or the call lands nowhere.
TABLE_IDS: Extractor = id_list(req("routeTableId"))


# --------------------------------------------------------------------------- effects


@dataclass(frozen=True, slots=True)
class RouteBlocks:
    """The ``route`` set of an inline table: ``add`` (CreateRoute), ``replace`` (ReplaceRoute:
    the block with the same destination gets the new target) or ``remove`` (DeleteRoute)."""

    mode: str
    keys: tuple[str, ...]
    path: str = "route"

    def compare(self, value: Any) -> Any:
        if not isinstance(value, list):
            return frozenset()
        return frozenset(
            tuple(sorted((k, str(v or "")) for k, v in item.items()))
            for item in value
            if isinstance(item, Mapping)
        )

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        found = destination(event)
        if found is None:
            return False
        block_key, _, dest = found
        target = route_target(event)
        if self.mode != "remove" and (target is None or target[0] not in self.keys):
            return False  # an instance target: AWS stores its interface, which we do not know
        current = get_path(attrs, self.path)
        blocks = (
            [dict(b) for b in current if isinstance(b, Mapping)]
            if isinstance(current, list)
            else []
        )
        kept = [b for b in blocks if str(b.get(block_key) or "") != dest]
        if self.mode == "remove":
            set_path(attrs, self.path, kept)
            return True
        new = dict.fromkeys(self.keys, "")
        new[block_key] = dest
        if target is not None:
            new[target[0]] = target[1]
        set_path(attrs, self.path, [*kept, new])
        return True


def _target_attribute(attribute: str) -> Extractor:
    """For ``aws_route``: the value when the call targets ``attribute``, "" when it targets
    another kind (ReplaceRoute clears the old one), MISSING when it names no target. An instance
    target also sets the interface, which the call does not name: left alone."""

    def extract(event: CloudEvent) -> Any:
        target = route_target(event)
        if target is None:
            return MISSING
        if target[0] == attribute:
            return target[1]
        if target[0] == "instance_id" and attribute == "network_interface_id":
            return MISSING
        return ""

    return extract


def _destination_attribute(attribute: str) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        found = destination(event)
        return found[2] if found is not None and found[1] == attribute else MISSING

    return extract


ROUTE_TARGET_EFFECTS = tuple(
    Set(attribute, _target_attribute(attribute), optional_text) for attribute in TARGETS.values()
)
ROUTE_CREATE_EFFECTS = (
    Set("route_table_id", TABLE_ID, exact),
    *(Set(a, _destination_attribute(a), exact) for _, a in DESTINATIONS.values()),
    *ROUTE_TARGET_EFFECTS,
)


# --------------------------------------------------------------------------- guards


def _standalone_routes(event: CloudEvent, index: StateIndex) -> bool:
    table = TABLE_ID(event)
    return isinstance(table, str) and bool(index.lookup(ROUTE, "routes_of_table", table))


def _inline(event: CloudEvent, index: StateIndex) -> bool:
    return not _standalone_routes(event, index)


def _table_known(event: CloudEvent, index: StateIndex) -> bool:
    """Routes of tables nobody manages are not drift: the table is in state, or its other
    routes are."""
    table = TABLE_ID(event)
    if not isinstance(table, str):
        return False
    return any(index.lookup(t, "id", table) for t in (TABLE, DEFAULT_TABLE)) or (
        _standalone_routes(event, index)
    )


def _default_route_to_internet(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    found, target = destination(event), route_target(event)
    if found is None or target is None or found[2] not in WORLD:
        return None
    if target[0] == "gateway_id" and target[1].startswith("igw-"):
        return Severity.HIGH, f"default route {found[2]} now goes to internet gateway {target[1]}"
    if target[0] == "egress_only_gateway_id":
        return Severity.MEDIUM, f"default route {found[2]} now leaves through {target[1]}"
    return None


# --------------------------------------------------------------------------- rows


def _inline_targets(mode: str) -> tuple[Target, ...]:
    out: list[Target] = []
    for rtype in (TABLE, DEFAULT_TABLE):
        target = Target(
            type=rtype,
            lookup="id",
            id=TABLE_ID,
            effects=(RouteBlocks(mode, BLOCK_KEYS[rtype]),),
            action=Action.MODIFY,
        )
        effectful, twin = with_fallback(target, _modelled(rtype, mode))
        out += [_also(effectful, _inline), _also(twin, _inline)]
    return tuple(out)


def _modelled(rtype: str, mode: str) -> Extractor:
    """MISSING when the inline effect cannot model the call (an instance target)."""

    def extract(event: CloudEvent) -> Any:
        if destination(event) is None:
            return MISSING
        target = route_target(event)
        if mode != "remove" and (target is None or target[0] not in BLOCK_KEYS[rtype]):
            return MISSING
        return True

    return extract


def _also(target: Target, extra: Any) -> Target:
    inner = target.guard

    def guard(event: CloudEvent, index: StateIndex) -> bool:
        return extra(event, index) and (inner is None or inner(event, index))

    return replace(target, guard=guard)


CREATE_ROUTE = Rule(
    event="CreateRoute",
    source=EC2,
    action=Action.CREATE,
    targets=(
        *_inline_targets("add"),
        Target(
            type=ROUTE,
            lookup="route",
            id=ROUTE_ID,
            import_id=ROUTE_ID,
            effects=ROUTE_CREATE_EFFECTS,
            guard=_table_known,
        ),
    ),
    severity=Severity.MEDIUM,
    description="route added outside Terraform",
    severity_checks=(_default_route_to_internet,),
    known_ids=TABLE_IDS,
)

REPLACE_ROUTE = Rule(
    event="ReplaceRoute",
    source=EC2,
    action=Action.MODIFY,
    targets=(
        Target(type=ROUTE, lookup="route", id=ROUTE_ID, effects=ROUTE_TARGET_EFFECTS),
        *_inline_targets("replace"),
    ),
    severity=Severity.MEDIUM,
    description="route target replaced",
    severity_checks=(_default_route_to_internet,),
    known_ids=TABLE_IDS,
)

DELETE_ROUTE = Rule(
    event="DeleteRoute",
    source=EC2,
    action=Action.DELETE,
    targets=(Target(type=ROUTE, lookup="route", id=ROUTE_ID), *_inline_targets("remove")),
    severity=Severity.MEDIUM,
    description="route deleted",
    known_ids=TABLE_IDS,
)

NEW_TABLE_ID: Extractor = first(resp("routeTable.routeTableId"))

CREATE_ROUTE_TABLE = Rule(
    event="CreateRouteTable",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type=TABLE,
            lookup="id",
            id=NEW_TABLE_ID,
            import_id=NEW_TABLE_ID,
            effects=(
                Set("vpc_id", req("vpcId"), exact),
                Set("tags", spec_tags("route-table"), tags_map),
            ),
        ),
    ),
    severity=Severity.LOW,
    description="route table created outside Terraform",
)


def _association_import_id(event: CloudEvent) -> Any:
    """``subnet-…/rtb-…`` or ``igw-…/rtb-…``: how the provider imports an association."""
    table = _text(req("routeTableId")(event))
    edge = _text(req("subnetId")(event)) or _text(req("gatewayId")(event))
    return MISSING if table is None or edge is None else f"{edge}/{table}"


def _association_known(event: CloudEvent, index: StateIndex) -> bool:
    """Associations between a table and a subnet nobody manages are not drift."""
    for field, types in (
        ("routeTableId", (TABLE, DEFAULT_TABLE)),
        ("subnetId", ("aws_subnet", "aws_default_subnet")),
        ("gatewayId", ("aws_internet_gateway", "aws_vpn_gateway")),
    ):
        value = _text(req(field)(event))
        if value is not None and any(index.lookup(t, "id", value) for t in types):
            return True
    return False


NEW_ASSOCIATION_ID: Extractor = first(resp("associationId"), resp("associationState.associationId"))

ASSOCIATE_ROUTE_TABLE = Rule(
    event="AssociateRouteTable",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type=ASSOCIATION,
            lookup="id",
            id=NEW_ASSOCIATION_ID,
            import_id=_association_import_id,
            effects=(
                Set("route_table_id", TABLE_ID, exact),
                Set("subnet_id", req("subnetId"), exact),
                Set("gateway_id", req("gatewayId"), exact),
            ),
            guard=_association_known,
        ),
    ),
    severity=Severity.MEDIUM,
    description="route table associated outside Terraform",
    known_ids=request_ids("routeTableId", "subnetId", "gatewayId"),
)

DISASSOCIATE_ROUTE_TABLE = Rule(
    event="DisassociateRouteTable",
    source=EC2,
    action=Action.DELETE,
    targets=(Target(type=ASSOCIATION, lookup="id", id=req("associationId")),),
    severity=Severity.MEDIUM,
    description="route table association removed",
    known_ids=id_list(req("associationId")),
)

REPLACE_ROUTE_TABLE_ASSOCIATION = Rule(
    event="ReplaceRouteTableAssociation",
    source=EC2,
    action=Action.MODIFY,
    targets=(
        # AWS answers a new association id and the old one is gone: the provider's refresh
        # reads the managed aws_route_table_association as deleted (seen by the Terraform
        # oracle), not as pointing at another table.
        Target(type=ASSOCIATION, lookup="id", id=req("associationId"), action=Action.DELETE),
        Target(
            type=MAIN_ASSOCIATION,
            lookup="id",
            id=req("associationId"),
            effects=(Set("route_table_id", TABLE_ID, exact),),
        ),
    ),
    severity=Severity.MEDIUM,
    description="subnet (or the VPC's main table) now uses another route table",
    known_ids=id_list(req("associationId")),
)

ROUTE_RULES: tuple[Rule, ...] = (
    CREATE_ROUTE,
    REPLACE_ROUTE,
    DELETE_ROUTE,
    CREATE_ROUTE_TABLE,
    ASSOCIATE_ROUTE_TABLE,
    DISASSOCIATE_ROUTE_TABLE,
    REPLACE_ROUTE_TABLE_ASSOCIATION,
)
