"""EC2 catalog rows for the VPC's edges: internet and NAT gateways, elastic IPs and their
associations, VPC endpoints and flow logs.

Choices worth knowing:
- Newer EC2 APIs (NAT gateways, VPC endpoints, flow logs) wrap the request as
  ``{"CreateNatGatewayRequest": {...}}`` with ``{"content": ..., "tag": n}`` values, like the
  recorded DeleteFlowLogs; ``wrapped`` reads both that and the flat form. Only DeleteFlowLogs
  has a recorded example: the other rows read the fields the API reference names, in that
  wrapped spelling, and fall back to a resource-level drift when a call carries none of them.
- An internet gateway attached by hand sets ``vpc_id`` on ``aws_internet_gateway``; a detach
  deletes a separate ``aws_internet_gateway_attachment`` (id ``igw-…:vpc-…``) when state has
  one, else clears ``vpc_id``.
- AssociateAddress on an elastic IP whose association Terraform keeps inline
  (``aws_eip.instance`` / ``network_interface``) modifies the EIP; otherwise the association is
  an unmanaged ``aws_eip_association`` (imported by its ``eipassoc-`` id). AWS reports both
  attributes whichever the call names (an instance's primary interface; an interface's
  instance): the one the call does not name is read from state, never guessed (an interface's
  instance: its ``attachment``, a separate attachment, or an ``aws_instance`` whose primary
  interface it is or whose ``network_interface`` block attached it at launch).
- Deleting flow logs blinds network forensics: high.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.ec2_effects import spec_tags, unwrap, with_fallback, wrapped
from tfdrift_gitops.core.catalog.ec2_routes import request_ids
from tfdrift_gitops.core.catalog.hidden import hidden_compare, hidden_marker
from tfdrift_gitops.core.catalog.model import (
    Action,
    AddItems,
    Compared,
    Comparer,
    Extractor,
    ReadsState,
    RemoveItems,
    Rule,
    Set,
    Target,
    as_bool,
    as_int,
    as_set,
    exact,
    first,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.policydoc import parse_policy, policy_compare, policy_text
from tfdrift_gitops.core.catalog.support import optional_text
from tfdrift_gitops.core.paths import MISSING, items, set_path
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.models import CloudEvent, Severity

EC2 = "ec2.amazonaws.com"
IGW = "aws_internet_gateway"
IGW_ATTACHMENT = "aws_internet_gateway_attachment"
NAT = "aws_nat_gateway"
EIP = "aws_eip"
EIP_ASSOCIATION = "aws_eip_association"
INSTANCE = "aws_instance"
INTERFACE = "aws_network_interface"
INTERFACE_ATTACHMENT = "aws_network_interface_attachment"
ENDPOINT = "aws_vpc_endpoint"
FLOW_LOG = "aws_flow_log"


def _ids(extractor: Extractor) -> Extractor:
    """One id, ``{"content": id}``, or a list of either, as a list of strings."""

    def extract(event: CloudEvent) -> Any:
        value = extractor(event)
        if value is MISSING or value is None:
            return MISSING
        found = [unwrap(v) for v in (value if isinstance(value, list) else items(value) or [value])]
        ids = [v for v in found if isinstance(v, str) and v]
        return ids or MISSING

    keys.note(extract, keys.needs_of(extractor))  # a string ``extractor`` yields, as is
    return extract


# --------------------------------------------------------------------------- internet gateways

IGW_ID: Extractor = req("internetGatewayId")
NEW_IGW_ID: Extractor = resp("internetGateway.internetGatewayId")


def _attachment_id(event: CloudEvent) -> Any:
    gateway, vpc = req("internetGatewayId")(event), req("vpcId")(event)
    if not isinstance(gateway, str) or not isinstance(vpc, str) or not gateway or not vpc:
        return MISSING
    return f"{gateway}:{vpc}"


# ``igw:vpc``: its last segment is the VPC id, the key routing takes from a plain vpcId.
_ATTACHMENT_READS: Final = (frozenset({"internetgatewayid", "vpcid"}), frozenset[str]())
keys.note(_attachment_id, _ATTACHMENT_READS)


def _attachment_managed(event: CloudEvent, index: StateIndex) -> bool:
    key = _attachment_id(event)
    return isinstance(key, str) and bool(index.lookup(IGW_ATTACHMENT, "id", key))


def _detached_vpc(event: CloudEvent) -> Any:
    return "" if req("vpcId")(event) is not MISSING else MISSING


def _gateway_ids(event: CloudEvent) -> Any:
    """The gateway, and its attachment's ``igw:vpc`` id (a separate attachment resource)."""
    found = request_ids("internetGatewayId")(event)
    attachment = _attachment_id(event)
    return [*found, attachment] if isinstance(attachment, str) else found


keys.note(_gateway_ids, _ATTACHMENT_READS)


CREATE_INTERNET_GATEWAY = Rule(
    event="CreateInternetGateway",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type=IGW,
            lookup="id",
            id=NEW_IGW_ID,
            import_id=NEW_IGW_ID,
            effects=(Set("tags", spec_tags("internet-gateway"), tags_map),),
        ),
    ),
    severity=Severity.MEDIUM,
    description="internet gateway created outside Terraform",
)

ATTACH_INTERNET_GATEWAY = Rule(
    event="AttachInternetGateway",
    source=EC2,
    action=Action.MODIFY,
    targets=(
        Target(
            type=IGW, lookup="id", id=IGW_ID, effects=(Set("vpc_id", req("vpcId"), optional_text),)
        ),
    ),
    severity=Severity.HIGH,
    description="internet gateway attached to a VPC",
    known_ids=request_ids("internetGatewayId"),
)

DETACH_INTERNET_GATEWAY = Rule(
    event="DetachInternetGateway",
    source=EC2,
    action=Action.MODIFY,
    targets=(
        Target(
            type=IGW_ATTACHMENT,
            lookup="id",
            id=_attachment_id,
            action=Action.DELETE,
            guard=_attachment_managed,
        ),
        Target(
            type=IGW, lookup="id", id=IGW_ID, effects=(Set("vpc_id", _detached_vpc, optional_text),)
        ),
    ),
    severity=Severity.HIGH,
    description="internet gateway detached from its VPC",
    known_ids=_gateway_ids,
)

# --------------------------------------------------------------------------- NAT gateways

_NAT_CREATE = "CreateNatGatewayResponse"
NEW_NAT_ID: Extractor = first(
    resp(f"{_NAT_CREATE}.natGateway.natGatewayId"), resp("natGateway.natGatewayId")
)

_NAT = "CreateNatGatewayRequest"

CREATE_NAT_GATEWAY = Rule(
    event="CreateNatGateway",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type=NAT,
            lookup="id",
            id=NEW_NAT_ID,
            import_id=NEW_NAT_ID,
            effects=(
                Set("subnet_id", wrapped(_NAT, "SubnetId"), exact),
                Set("allocation_id", wrapped(_NAT, "AllocationId"), optional_text),
                Set("connectivity_type", wrapped(_NAT, "ConnectivityType"), optional_text),
                Set("private_ip", wrapped(_NAT, "PrivateIpAddress"), optional_text),
                Set("tags", spec_tags("natgateway", _NAT), tags_map),
            ),
        ),
    ),
    severity=Severity.MEDIUM,
    description="NAT gateway created outside Terraform",
)

# --------------------------------------------------------------------------- elastic IPs

NEW_ALLOCATION_ID: Extractor = resp("allocationId")
ALLOCATION_ID: Extractor = req("allocationId")
NEW_EIP_ASSOCIATION_ID: Extractor = resp("associationId")
_INSTANCE_ID: Extractor = req("instanceId")
_INTERFACE_ID: Extractor = req("networkInterfaceId")


def _inline_association(event: CloudEvent, index: StateIndex) -> bool:
    allocation = ALLOCATION_ID(event)
    if not isinstance(allocation, str) or not allocation:
        return False
    return bool(index.lookup(EIP, "id", allocation)) and not index.lookup(
        EIP_ASSOCIATION, "eip_association_of", allocation
    )


def _eip_managed(event: CloudEvent, index: StateIndex) -> bool:
    allocation = ALLOCATION_ID(event)
    return isinstance(allocation, str) and bool(
        index.lookup(EIP, "id", allocation) or index.lookup(EIP, "public_ip", allocation)
    )


def _primary_interface(index: StateIndex, instance: str, event: CloudEvent) -> str | None:
    """The instance's primary interface as its state says, when every copy agrees."""
    account = event.account_id or event.actor.account_id
    found = {
        res.attributes.get("primary_network_interface_id")
        for res in index.lookup(INSTANCE, "id", instance, account=account, region=event.region)
    }
    values = {value for value in found if isinstance(value, str) and value}
    return values.pop() if len(values) == 1 else None


def _interface_instance(index: StateIndex, interface: str, event: CloudEvent) -> str | None:
    """The instance the interface is attached to as state says (the interface's own
    ``attachment``, a separate ``aws_network_interface_attachment``, an instance whose primary
    interface it is or that was launched with it: a ``network_interface`` block, at any device
    index), "" when only the interface's state speaks and says it is attached to none; None
    when state does not say or its copies disagree."""
    account = event.account_id or event.actor.account_id
    region = event.region
    attached: set[Any] = set()
    unattached = False
    for res in index.lookup(INTERFACE, "id", interface, account=account, region=region):
        blocks = res.attributes.get("attachment")
        found = [b for b in blocks if isinstance(b, Mapping)] if isinstance(blocks, list) else []
        attached |= {block.get("instance") for block in found}
        unattached = unattached or not found
    for res in index.lookup(
        INTERFACE_ATTACHMENT, "attachment_of_interface", interface, account=account, region=region
    ):
        attached.add(res.attributes.get("instance_id"))
    for key in ("instance_by_primary_interface", "instance_by_launch_interface"):
        for res in index.lookup(INSTANCE, key, interface, account=account, region=region):
            attached.add(res.attributes.get("id"))
    # An interface read before a separate attachment was made says "none": the attachment wins.
    if not attached:
        return "" if unattached else None
    value = attached.pop()
    return value if not attached and isinstance(value, str) and value else None


class _Associated(Compared, ReadsState):
    """An id AssociateAddress sets on the elastic IP: the one the call names for ``path``, or
    else the one state pairs with the other id the call names (``named``, ``other``,
    ``paired``); without state, a value CloudTrail did not carry (compared equal to
    nothing), never a guess."""

    __slots__ = ()
    path: str
    named: Extractor
    other: Extractor

    def paired(self, index: StateIndex, other: str, event: CloudEvent) -> str | None:
        raise NotImplementedError

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        return self._set(attrs, event, None)

    def apply_in(self, attrs: dict[str, Any], event: CloudEvent, index: StateIndex) -> bool:
        return self._set(attrs, event, index)

    def _set(self, attrs: dict[str, Any], event: CloudEvent, index: StateIndex | None) -> bool:
        named = self.named(event)
        if isinstance(named, str) and named:
            set_path(attrs, self.path, named)
            return True
        other = self.other(event)
        if not isinstance(other, str) or not other:
            return False
        found = self.paired(index, other, event) if index is not None else None
        set_path(attrs, self.path, hidden_marker(event) if found is None else found)
        return True


@dataclass(frozen=True, slots=True)
class AssociatedInterface(_Associated):
    """``network_interface`` after AssociateAddress. AWS reports the interface the address
    lands on; a call naming only an instance lands on its primary interface, which neither
    its request nor its response names: the instance's state says which one."""

    path: str = "network_interface"
    comparer: Comparer = hidden_compare
    named: Extractor = _INTERFACE_ID
    other: Extractor = _INSTANCE_ID

    def paired(self, index: StateIndex, other: str, event: CloudEvent) -> str | None:
        return _primary_interface(index, other, event)


@dataclass(frozen=True, slots=True)
class AssociatedInstance(_Associated):
    """``instance`` after AssociateAddress. AWS reports the instance the address's interface
    is attached to, also when the call names only the interface (DescribeAddresses'
    ``InstanceId``); neither that call's request nor its response names the instance: state
    says which one (or that the interface is attached to none)."""

    path: str = "instance"
    comparer: Comparer = hidden_compare
    named: Extractor = _INSTANCE_ID
    other: Extractor = _INTERFACE_ID

    def paired(self, index: StateIndex, other: str, event: CloudEvent) -> str | None:
        return _interface_instance(index, other, event)


ALLOCATE_ADDRESS = Rule(
    event="AllocateAddress",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type=EIP,
            lookup="id",
            id=NEW_ALLOCATION_ID,
            import_id=NEW_ALLOCATION_ID,
            effects=(
                Set("domain", first(resp("domain"), req("domain")), optional_text),
                Set("tags", spec_tags("elastic-ip"), tags_map),
            ),
        ),
    ),
    severity=Severity.LOW,
    description="elastic IP allocated outside Terraform",
)

ASSOCIATE_ADDRESS = Rule(
    event="AssociateAddress",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type=EIP,
            lookup="id",
            id=ALLOCATION_ID,
            action=Action.MODIFY,
            guard=_inline_association,
            effects=(AssociatedInstance(), AssociatedInterface()),
        ),
        Target(
            type=EIP_ASSOCIATION,
            lookup="id",
            id=NEW_EIP_ASSOCIATION_ID,
            import_id=NEW_EIP_ASSOCIATION_ID,
            guard=_eip_managed,
            effects=(
                Set("allocation_id", ALLOCATION_ID, exact),
                Set("instance_id", req("instanceId"), exact),
                Set("network_interface_id", req("networkInterfaceId"), exact),
                Set("private_ip_address", req("privateIpAddress"), exact),
            ),
        ),
    ),
    severity=Severity.MEDIUM,
    description="elastic IP associated outside Terraform",
    known_ids=request_ids("allocationId"),
)

ASSOCIATION_ID: Extractor = req("associationId")

DISASSOCIATE_ADDRESS = Rule(
    event="DisassociateAddress",
    source=EC2,
    action=Action.DELETE,
    targets=(
        Target(type=EIP_ASSOCIATION, lookup="id", id=ASSOCIATION_ID),
        Target(
            type=EIP,
            lookup="eip_by_association",
            id=ASSOCIATION_ID,
            action=Action.MODIFY,
            effects=(
                Set("instance", mapped(ASSOCIATION_ID, lambda _: ""), optional_text),
                Set("network_interface", mapped(ASSOCIATION_ID, lambda _: ""), optional_text),
            ),
        ),
    ),
    severity=Severity.MEDIUM,
    description="elastic IP disassociated",
    known_ids=request_ids("associationId"),
)

# --------------------------------------------------------------------------- VPC endpoints

_EP_CREATE = "CreateVpcEndpointRequest"
_EP_MODIFY = "ModifyVpcEndpointRequest"
ENDPOINT_ID: Extractor = wrapped(_EP_MODIFY, "VpcEndpointId")
NEW_ENDPOINT_ID: Extractor = first(
    resp("CreateVpcEndpointResponse.vpcEndpoint.vpcEndpointId"), resp("vpcEndpoint.vpcEndpointId")
)


def _policy(wrapper: str) -> Extractor:
    return mapped(wrapped(wrapper, "PolicyDocument"), policy_text)


def _flag(wrapper: str, name: str) -> Extractor:
    return mapped(wrapped(wrapper, name), as_bool)


CREATE_VPC_ENDPOINT = Rule(
    event="CreateVpcEndpoint",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type=ENDPOINT,
            lookup="id",
            id=NEW_ENDPOINT_ID,
            import_id=NEW_ENDPOINT_ID,
            effects=(
                Set("vpc_id", wrapped(_EP_CREATE, "VpcId"), exact),
                Set("service_name", wrapped(_EP_CREATE, "ServiceName"), exact),
                Set("vpc_endpoint_type", wrapped(_EP_CREATE, "VpcEndpointType"), optional_text),
                Set("route_table_ids", _ids(wrapped(_EP_CREATE, "RouteTableId")), as_set),
                Set("subnet_ids", _ids(wrapped(_EP_CREATE, "SubnetId")), as_set),
                Set("security_group_ids", _ids(wrapped(_EP_CREATE, "SecurityGroupId")), as_set),
                Set("policy", _policy(_EP_CREATE), policy_compare),
                Set("private_dns_enabled", _flag(_EP_CREATE, "PrivateDnsEnabled")),
                Set("tags", spec_tags("vpc-endpoint", _EP_CREATE), tags_map),
            ),
        ),
    ),
    severity=Severity.MEDIUM,
    description="VPC endpoint created outside Terraform",
)


def _reset_policy(event: CloudEvent) -> Any:
    """ResetPolicy restores the full-access default, which the provider reads back as the
    policy AWS returns; the call does not say it, so the change is the reset itself."""
    return "" if _flag(_EP_MODIFY, "ResetPolicy")(event) is True else MISSING


ENDPOINT_EFFECTS = (
    Set("policy", first(_policy(_EP_MODIFY), _reset_policy), policy_compare),
    AddItems("route_table_ids", _ids(wrapped(_EP_MODIFY, "AddRouteTableId"))),
    RemoveItems("route_table_ids", _ids(wrapped(_EP_MODIFY, "RemoveRouteTableId"))),
    AddItems("subnet_ids", _ids(wrapped(_EP_MODIFY, "AddSubnetId"))),
    RemoveItems("subnet_ids", _ids(wrapped(_EP_MODIFY, "RemoveSubnetId"))),
    AddItems("security_group_ids", _ids(wrapped(_EP_MODIFY, "AddSecurityGroupId"))),
    RemoveItems("security_group_ids", _ids(wrapped(_EP_MODIFY, "RemoveSecurityGroupId"))),
    Set("private_dns_enabled", _flag(_EP_MODIFY, "PrivateDnsEnabled")),
)


def _open_policy(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    policy = parse_policy(wrapped(_EP_MODIFY, "PolicyDocument")(event))
    if not isinstance(policy, Mapping):
        return None
    for statement in items(policy.get("Statement")) or [policy.get("Statement")]:
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        principal, action = statement.get("Principal"), statement.get("Action")
        anyone = principal == "*" or (
            isinstance(principal, Mapping) and principal.get("AWS") in ("*", ["*"])
        )
        if anyone and action in ("*", ["*"]) and not statement.get("Condition"):
            return Severity.HIGH, "endpoint policy allows every action to principal *"
    return None


_target = Target(type=ENDPOINT, lookup="id", id=ENDPOINT_ID, effects=ENDPOINT_EFFECTS)

MODIFY_VPC_ENDPOINT = Rule(
    event="ModifyVpcEndpoint",
    source=EC2,
    action=Action.MODIFY,
    targets=with_fallback(
        _target,
        wrapped(_EP_MODIFY, "PolicyDocument"),
        _reset_policy,
        *(
            wrapped(_EP_MODIFY, name)
            for name in (
                "AddRouteTableId",
                "RemoveRouteTableId",
                "AddSubnetId",
                "RemoveSubnetId",
                "AddSecurityGroupId",
                "RemoveSecurityGroupId",
                "PrivateDnsEnabled",
            )
        ),
    ),
    severity=Severity.MEDIUM,
    description="VPC endpoint modified",
    severity_checks=(_open_policy,),
    known_ids=_ids(ENDPOINT_ID),
)

DELETE_VPC_ENDPOINTS = Rule(
    event="DeleteVpcEndpoints",
    source=EC2,
    action=Action.DELETE,
    targets=(
        Target(
            type=ENDPOINT,
            lookup="id",
            id=_ids(first(req("DeleteVpcEndpointsRequest.VpcEndpointId"), req("vpcEndpointId"))),
        ),
    ),
    severity=Severity.HIGH,
    description="VPC endpoint deleted",
    fan_out=True,
    known_ids=_ids(first(req("DeleteVpcEndpointsRequest.VpcEndpointId"), req("vpcEndpointId"))),
)

# --------------------------------------------------------------------------- flow logs

NEW_FLOW_LOG_IDS: Extractor = _ids(
    first(
        resp("CreateFlowLogsResponse.flowLogIdSet.item"),
        resp("CreateFlowLogsResponse.flowLogIdSet"),
        resp("flowLogIdSet"),
    )
)
_FL = "CreateFlowLogsRequest"
# ResourceType -> the aws_flow_log argument naming the resource.
_FLOW_LOG_RESOURCES = {
    "VPC": "vpc_id",
    "Subnet": "subnet_id",
    "NetworkInterface": "eni_id",
    "TransitGateway": "transit_gateway_id",
    "TransitGatewayAttachment": "transit_gateway_attachment_id",
}


def _flow_log_resource(argument: str) -> Extractor:
    """The resource a flow log watches, when the call names exactly one (one flow log)."""

    def extract(event: CloudEvent) -> Any:
        kind = wrapped(_FL, "ResourceType")(event)
        ids = _ids(wrapped(_FL, "ResourceId"))(event)
        if _FLOW_LOG_RESOURCES.get(str(kind)) != argument or ids is MISSING or len(ids) != 1:
            return MISSING
        return ids[0]

    return extract


CREATE_FLOW_LOGS = Rule(
    event="CreateFlowLogs",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type=FLOW_LOG,
            lookup="id",
            id=NEW_FLOW_LOG_IDS,
            import_id=NEW_FLOW_LOG_IDS,
            effects=(
                *(
                    Set(argument, _flow_log_resource(argument), exact)
                    for argument in _FLOW_LOG_RESOURCES.values()
                ),
                Set("traffic_type", wrapped(_FL, "TrafficType"), optional_text),
                Set("log_destination_type", wrapped(_FL, "LogDestinationType"), optional_text),
                Set("log_destination", wrapped(_FL, "LogDestination"), optional_text),
                Set("log_group_name", wrapped(_FL, "LogGroupName"), optional_text),
                Set("iam_role_arn", wrapped(_FL, "DeliverLogsPermissionArn"), optional_text),
                Set(
                    "max_aggregation_interval",
                    mapped(wrapped(_FL, "MaxAggregationInterval"), as_int),
                ),
                Set("log_format", wrapped(_FL, "LogFormat"), optional_text),
                Set("tags", spec_tags("vpc-flow-log", _FL), tags_map),
            ),
        ),
    ),
    severity=Severity.LOW,
    description="flow log created outside Terraform",
    fan_out=True,
)


def _flow_logs_removed(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    ids = FLOW_LOG_IDS(event)
    if ids is MISSING:
        return None
    return Severity.HIGH, "flow logs deleted: " + ", ".join(ids) + " (network forensics lost)"


FLOW_LOG_IDS: Extractor = _ids(
    first(req("DeleteFlowLogsRequest.FlowLogId"), req("flowLogId"), req("FlowLogId"))
)

DELETE_FLOW_LOGS = Rule(
    event="DeleteFlowLogs",
    source=EC2,
    action=Action.DELETE,
    targets=(Target(type=FLOW_LOG, lookup="id", id=FLOW_LOG_IDS),),
    severity=Severity.HIGH,
    description="flow log deleted",
    severity_checks=(_flow_logs_removed,),
    fan_out=True,
    known_ids=FLOW_LOG_IDS,
)

EDGE_RULES: tuple[Rule, ...] = (
    CREATE_INTERNET_GATEWAY,
    ATTACH_INTERNET_GATEWAY,
    DETACH_INTERNET_GATEWAY,
    CREATE_NAT_GATEWAY,
    ALLOCATE_ADDRESS,
    ASSOCIATE_ADDRESS,
    DISASSOCIATE_ADDRESS,
    CREATE_VPC_ENDPOINT,
    MODIFY_VPC_ENDPOINT,
    DELETE_VPC_ENDPOINTS,
    CREATE_FLOW_LOGS,
    DELETE_FLOW_LOGS,
)
