"""VPC routing and edge rows (routes, route tables, network ACLs, gateways, elastic IPs,
endpoints, flow logs) through the real Engine and fold, on a state Terraform wrote.

The state, ``tests/fixtures/states/real-vpc.tfstate``, is what ``terraform apply`` (1.11.4,
AWS provider 5.100.0) wrote against a moto server: every attribute is in the provider's own
shape. Requests follow the EC2 API reference, spelled as CloudTrail spells the recorded
ones (``test_real_vpc.py`` replays those): lower camel case for the classic calls, the wrapped
``<Call>Request`` form for NAT gateways, endpoints and flow logs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.conftest import TERRAFORM_UA, Outcome, make_event, run_events
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.prefilter import make_prefilter
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.core.state_text import parse_state_text
from tfdrift_gitops.models import CloudEvent, Kind, Severity

STATE = Path(__file__).resolve().parents[1] / "fixtures" / "states" / "real-vpc.tfstate"
INDEX = StateIndex([parse_state_text(STATE.read_text(), source=str(STATE))])

VPC = "vpc-5072c84e3bd85bd9c"
PUBLIC_RTB = "rtb-bbeb3ba69cec2b21c"
PRIVATE_RTB = "rtb-1f7329bd0eebecfad"
IGW = "igw-3af6e9ce8aad127f2"
SPARE_IGW = "igw-153f2ea8e035cf17f"
OTHER_VPC = "vpc-b834a610ae21b6f86"
NAT = "nat-5b08ddde3d7cbcf2e"
PUBLIC_SUBNET = "subnet-bc17f9f33b655378f"
PRIVATE_SUBNET = "subnet-400d16767a651fcb4"
RTB_ASSOC = "rtbassoc-40b0550aacd632e9b"
PUBLIC_ACL = "acl-1b872ee2ce925e297"
PRIVATE_ACL = "acl-ee5cabfb60549efdf"
ACL_ASSOC = "aclassoc-5d95119c297ef16d2"
BASTION_EIP = "eipalloc-afd791b39ef607b5e"
NAT_EIP_ASSOC = "eipassoc-2bb1aef01cda61775"
ENDPOINT = "vpce-7df45abe8beea750b"
FLOW_LOG = "fl-754920328e93a0857"
OK = {"requestId": "1f0e2d3c-0000-4000-8000-000000000001", "_return": True}


def _route(**fields: str) -> dict[str, str]:
    """A ``route`` block of ``aws_route_table`` as provider 5.100.0 writes it."""
    keys = (
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
    )
    return {k: fields.get(k, "") for k in keys}


def _entry(number: int, **fields: Any) -> dict[str, Any]:
    """An ``ingress``/``egress`` block of ``aws_network_acl`` as the provider writes it."""
    block = {
        "action": "allow",
        "cidr_block": "",
        "from_port": 0,
        "icmp_code": 0,
        "icmp_type": 0,
        "ipv6_cidr_block": "",
        "protocol": "-1",
        "rule_no": number,
        "to_port": 0,
    }
    block.update(fields)
    return block


IGW_DEFAULT = _route(cidr_block="0.0.0.0/0", gateway_id=IGW)
PUBLIC_HTTPS = _entry(100, cidr_block="10.0.0.0/16", from_port=443, to_port=443, protocol="6")
PUBLIC_EGRESS = _entry(100, cidr_block="0.0.0.0/0")


def ec2(name: str, request: dict[str, Any], response: Any = None, **kw: Any) -> CloudEvent:
    return make_event(name, "ec2", request, response if response is not None else OK, **kw)


def route(name: str, table: str, dest: str = "10.99.0.0/16", **target: str) -> CloudEvent:
    key = "destinationIpv6CidrBlock" if ":" in dest else "destinationCidrBlock"
    return ec2(name, {"routeTableId": table, key: dest, **target})


def nacl_entry(name: str, acl: str, number: int, egress: bool, **fields: Any) -> CloudEvent:
    request: dict[str, Any] = {"networkAclId": acl, "ruleNumber": number, "egress": egress}
    if name != "DeleteNetworkAclEntry":  # a delete names the entry only (the API's shape)
        request.update(icmpTypeCode={}, portRange={})
    request.update(fields)
    return ec2(name, request)


def wrapped(call: str, **fields: Any) -> dict[str, Any]:
    """A newer EC2 call's request: ``{"<Call>Request": {Field: {"content": v, "tag": n}}}``."""
    body: dict[str, Any] = {}
    for tag, (key, value) in enumerate(fields.items(), start=1):
        if isinstance(value, list):
            body[key] = [{"content": v, "tag": tag + i} for i, v in enumerate(value)]
        else:
            body[key] = {"content": value, "tag": tag} if isinstance(value, str) else value
    return {f"{call}Request": body}


def logged_tags(resource_type: str, **tags: str) -> dict[str, Any]:
    """One ``TagSpecification`` as CloudTrail logs a newer EC2 call's (AWS's CreateTransitGateway
    example): a single tag stays an object, several are a list, each numbered by ``tag``."""
    logged = [{"Key": k, "Value": v, "tag": n} for n, (k, v) in enumerate(tags.items(), start=1)]
    return {
        "ResourceType": resource_type,
        "tag": 1,
        "Tag": logged[0] if len(logged) == 1 else logged,
    }


# Want: (kind, address-or-id, changes or None (not checked) or {} (resource-level), severity)
Want = tuple[Kind, str, dict[str, tuple[Any, Any]] | None, Severity | None]


def case(case_id: str, events: list[CloudEvent], want: Want | str) -> Any:
    return pytest.param(events, want, id=case_id)


ROUTE_CASES = [
    case(
        "create-route-inline-peering",
        [route("CreateRoute", PUBLIC_RTB, vpcPeeringConnectionId="pcx-0a1b2c3d4e5f60718")],
        (
            Kind.MODIFIED,
            "aws_route_table.public",
            {
                "route": (
                    [IGW_DEFAULT],
                    [
                        IGW_DEFAULT,
                        _route(
                            cidr_block="10.99.0.0/16",
                            vpc_peering_connection_id="pcx-0a1b2c3d4e5f60718",
                        ),
                    ],
                )
            },
            Severity.MEDIUM,
        ),
    ),
    case(
        "create-route-ipv6-default-to-internet-is-high",
        [route("CreateRoute", PUBLIC_RTB, "::/0", gatewayId=IGW)],
        (Kind.MODIFIED, "aws_route_table.public", None, Severity.HIGH),
    ),
    case(
        "create-route-in-table-with-route-resources-is-unmanaged",
        [route("CreateRoute", PRIVATE_RTB, transitGatewayId="tgw-0a1b2c3d4e5f60718")],
        (
            Kind.UNMANAGED,
            f"{PRIVATE_RTB}_10.99.0.0/16",
            {
                "route_table_id": (None, PRIVATE_RTB),
                "destination_cidr_block": (None, "10.99.0.0/16"),
                "transit_gateway_id": (None, "tgw-0a1b2c3d4e5f60718"),
            },
            Severity.MEDIUM,
        ),
    ),
    case(
        "create-route-that-state-has-is-no-change",
        [route("CreateRoute", PUBLIC_RTB, "0.0.0.0/0", gatewayId=IGW)],
        "no_change",
    ),
    case(
        "create-route-in-unmanaged-table",
        [route("CreateRoute", "rtb-0ffffffffffffffff", natGatewayId=NAT)],
        "not_in_state",
    ),
    case(
        "create-route-to-instance-is-resource-level",
        [route("CreateRoute", PUBLIC_RTB, instanceId="i-0a1b2c3d4e5f60718")],
        (Kind.MODIFIED, "aws_route_table.public", {}, Severity.MEDIUM),
    ),
    case(
        "replace-route-resource-to-internet",
        [route("ReplaceRoute", PRIVATE_RTB, "0.0.0.0/0", gatewayId=IGW)],
        (
            Kind.MODIFIED,
            "aws_route.private_default",
            {"gateway_id": ("", IGW), "nat_gateway_id": (NAT, "")},
            Severity.HIGH,
        ),
    ),
    case(
        "replace-route-inline",
        [route("ReplaceRoute", PUBLIC_RTB, "0.0.0.0/0", natGatewayId=NAT)],
        (
            Kind.MODIFIED,
            "aws_route_table.public",
            {"route": ([IGW_DEFAULT], [_route(cidr_block="0.0.0.0/0", nat_gateway_id=NAT)])},
            Severity.MEDIUM,
        ),
    ),
    case(
        "replace-route-with-the-same-target-is-no-change",
        [route("ReplaceRoute", PRIVATE_RTB, "0.0.0.0/0", natGatewayId=NAT)],
        "no_change",
    ),
    case(
        "delete-route-resource",
        [route("DeleteRoute", PRIVATE_RTB, "0.0.0.0/0")],
        (Kind.DELETED, "aws_route.private_default", {}, Severity.MEDIUM),
    ),
    case(
        "delete-route-inline",
        [route("DeleteRoute", PUBLIC_RTB, "0.0.0.0/0")],
        (Kind.MODIFIED, "aws_route_table.public", {"route": ([IGW_DEFAULT], [])}, None),
    ),
    case(
        "create-route-undone-by-terraform",
        [
            route("CreateRoute", PUBLIC_RTB, natGatewayId=NAT),
            make_event(
                "DeleteRoute",
                "ec2",
                {"routeTableId": PUBLIC_RTB, "destinationCidrBlock": "10.99.0.0/16"},
                OK,
                user_agent=TERRAFORM_UA,
            ),
        ],
        "resolved",
    ),
    case(
        "create-route-table",
        [
            ec2(
                "CreateRouteTable",
                {"vpcId": VPC},
                {"requestId": "1", "routeTable": {"routeTableId": "rtb-0a1b2c3d4e5f60718"}},
            )
        ],
        (Kind.UNMANAGED, "rtb-0a1b2c3d4e5f60718", {"vpc_id": (None, VPC)}, Severity.LOW),
    ),
    case(
        "associate-route-table",
        [
            ec2(
                "AssociateRouteTable",
                {"routeTableId": PRIVATE_RTB, "subnetId": PUBLIC_SUBNET},
                {"requestId": "1", "associationId": "rtbassoc-0a1b2c3d4e5f60718"},
            )
        ],
        (
            Kind.UNMANAGED,
            "rtbassoc-0a1b2c3d4e5f60718",
            {"route_table_id": (None, PRIVATE_RTB), "subnet_id": (None, PUBLIC_SUBNET)},
            Severity.MEDIUM,
        ),
    ),
    case(
        "disassociate-route-table",
        [ec2("DisassociateRouteTable", {"associationId": RTB_ASSOC})],
        (Kind.DELETED, "aws_route_table_association.public", {}, Severity.MEDIUM),
    ),
    case(
        "replace-route-table-association",
        [
            ec2(
                "ReplaceRouteTableAssociation",
                {"associationId": RTB_ASSOC, "routeTableId": PRIVATE_RTB},
                {"requestId": "1", "newAssociationId": "rtbassoc-0a1b2c3d4e5f60718"},
            )
        ],
        # The old association id is gone (a new one replaces it): Terraform's refresh reads
        # the association as deleted.
        (Kind.DELETED, "aws_route_table_association.public", {}, Severity.MEDIUM),
    ),
]

NACL_CASES = [
    case(
        "nacl-entry-inline-ssh-from-anywhere-is-critical",
        [
            nacl_entry(
                "CreateNetworkAclEntry",
                PUBLIC_ACL,
                110,
                False,
                ruleAction="allow",
                aclProtocol="6",
                cidrBlock="0.0.0.0/0",
                portRange={"from": 22, "to": 22},
            )
        ],
        (
            Kind.MODIFIED,
            "aws_network_acl.public",
            {
                "ingress": (
                    [PUBLIC_HTTPS],
                    [
                        PUBLIC_HTTPS,
                        _entry(110, cidr_block="0.0.0.0/0", from_port=22, to_port=22, protocol="6"),
                    ],
                )
            },
            Severity.CRITICAL,
        ),
    ),
    case(
        "nacl-entry-all-traffic-in-from-anywhere-ipv6-is-critical",
        [
            nacl_entry(
                "CreateNetworkAclEntry",
                PUBLIC_ACL,
                120,
                False,
                ruleAction="allow",
                aclProtocol="-1",
                ipv6CidrBlock="::/0",
            )
        ],
        (Kind.MODIFIED, "aws_network_acl.public", None, Severity.CRITICAL),
    ),
    case(
        "nacl-entry-on-acl-with-rule-resources-is-unmanaged",
        [
            nacl_entry(
                "CreateNetworkAclEntry",
                PRIVATE_ACL,
                200,
                False,
                ruleAction="deny",
                aclProtocol="17",
                cidrBlock="198.51.100.0/24",
                portRange={"from": 53, "to": 53},
            )
        ],
        (
            Kind.UNMANAGED,
            f"{PRIVATE_ACL}:200:false",
            {
                "network_acl_id": (None, PRIVATE_ACL),
                "rule_number": (None, 200),
                "egress": (None, False),
                "rule_action": (None, "deny"),
                "protocol": (None, "17"),
                "cidr_block": (None, "198.51.100.0/24"),
                "from_port": (None, 53),
                "to_port": (None, 53),
            },
            Severity.MEDIUM,
        ),
    ),
    case(
        "nacl-entry-that-state-has-is-no-change",
        [
            nacl_entry(
                "CreateNetworkAclEntry",
                PUBLIC_ACL,
                100,
                True,
                ruleAction="allow",
                aclProtocol="-1",
                cidrBlock="0.0.0.0/0",
            )
        ],
        "no_change",
    ),
    case(
        "nacl-replace-rule-resource-opens-https-to-anywhere",
        [
            nacl_entry(
                "ReplaceNetworkAclEntry",
                PRIVATE_ACL,
                100,
                False,
                ruleAction="allow",
                aclProtocol="6",
                cidrBlock="0.0.0.0/0",
                portRange={"from": 443, "to": 443},
            )
        ],
        (
            Kind.MODIFIED,
            "aws_network_acl_rule.private_https",
            {"cidr_block": ("10.0.0.0/16", "0.0.0.0/0")},
            Severity.HIGH,
        ),
    ),
    case(
        "nacl-replace-with-what-state-has-is-no-change",
        [
            nacl_entry(
                "ReplaceNetworkAclEntry",
                PRIVATE_ACL,
                100,
                False,
                ruleAction="allow",
                aclProtocol="6",
                cidrBlock="10.0.0.0/16",
                portRange={"from": 443, "to": 443},
            )
        ],
        "no_change",
    ),
    case(
        "nacl-delete-rule-resource",
        [
            ec2(
                "DeleteNetworkAclEntry",
                {"networkAclId": PRIVATE_ACL, "ruleNumber": 100, "egress": False},
            )
        ],
        (Kind.DELETED, "aws_network_acl_rule.private_https", {}, Severity.MEDIUM),
    ),
    case(
        "nacl-delete-inline-egress",
        [
            ec2(
                "DeleteNetworkAclEntry",
                {"networkAclId": PUBLIC_ACL, "ruleNumber": 100, "egress": True},
            )
        ],
        (Kind.MODIFIED, "aws_network_acl.public", {"egress": ([PUBLIC_EGRESS], [])}, None),
    ),
    case(
        "nacl-create-acl",
        [
            ec2(
                "CreateNetworkAcl",
                {"vpcId": VPC},
                {"requestId": "1", "networkAcl": {"networkAclId": "acl-0a1b2c3d4e5f60718"}},
            )
        ],
        (Kind.UNMANAGED, "acl-0a1b2c3d4e5f60718", {"vpc_id": (None, VPC)}, Severity.LOW),
    ),
    case(
        "nacl-delete-acl",
        [ec2("DeleteNetworkAcl", {"networkAclId": PUBLIC_ACL})],
        (Kind.DELETED, "aws_network_acl.public", {}, Severity.HIGH),
    ),
    case(
        "nacl-replace-association",
        [
            ec2(
                "ReplaceNetworkAclAssociation",
                {"associationId": ACL_ASSOC, "networkAclId": PUBLIC_ACL},
                {"requestId": "1", "newAssociationId": "aclassoc-0a1b2c3d4e5f60718"},
            )
        ],
        # The old association id is gone (AWS answers a new one): Terraform reads the managed
        # association as deleted (test_oracle_vpc acl_moved).
        (Kind.DELETED, "aws_network_acl_association.private", {}, Severity.MEDIUM),
    ),
]

EDGE_CASES = [
    case(
        "igw-create",
        [
            ec2(
                "CreateInternetGateway",
                {},
                {
                    "requestId": "1",
                    "internetGateway": {"internetGatewayId": "igw-0a1b2c3d4e5f6071"},
                },
            )
        ],
        (Kind.UNMANAGED, "igw-0a1b2c3d4e5f6071", None, Severity.MEDIUM),
    ),
    case(
        "igw-attach-where-state-has-it-is-no-change",
        [ec2("AttachInternetGateway", {"internetGatewayId": IGW, "vpcId": VPC})],
        "no_change",
    ),
    case(
        "igw-detach-inline",
        [ec2("DetachInternetGateway", {"internetGatewayId": IGW, "vpcId": VPC})],
        (Kind.MODIFIED, "aws_internet_gateway.main", {"vpc_id": (VPC, "")}, Severity.HIGH),
    ),
    case(
        "igw-detach-attachment-resource",
        [ec2("DetachInternetGateway", {"internetGatewayId": SPARE_IGW, "vpcId": OTHER_VPC})],
        (Kind.DELETED, "aws_internet_gateway_attachment.spare", {}, Severity.HIGH),
    ),
    case(
        "nat-create",
        [
            ec2(
                "CreateNatGateway",
                wrapped("CreateNatGateway", SubnetId=PRIVATE_SUBNET, AllocationId=BASTION_EIP),
                {
                    "CreateNatGatewayResponse": {
                        "natGateway": {"natGatewayId": "nat-0a1b2c3d4e5f60718"}
                    }
                },
            )
        ],
        (
            Kind.UNMANAGED,
            "nat-0a1b2c3d4e5f60718",
            {"subnet_id": (None, PRIVATE_SUBNET), "allocation_id": (None, BASTION_EIP)},
            Severity.MEDIUM,
        ),
    ),
    case(
        "nat-create-with-tags",  # an import block without them plans their change
        [
            ec2(
                "CreateNatGateway",
                wrapped(
                    "CreateNatGateway",
                    SubnetId=PRIVATE_SUBNET,
                    AllocationId=BASTION_EIP,
                    TagSpecification=logged_tags("natgateway", team="net"),
                ),
                {
                    "CreateNatGatewayResponse": {
                        "natGateway": {"natGatewayId": "nat-0a1b2c3d4e5f60719"}
                    }
                },
            )
        ],
        (
            Kind.UNMANAGED,
            "nat-0a1b2c3d4e5f60719",
            {
                "subnet_id": (None, PRIVATE_SUBNET),
                "allocation_id": (None, BASTION_EIP),
                "tags": (None, {"team": "net"}),
            },
            Severity.MEDIUM,
        ),
    ),
    case(
        "eip-allocate",
        [
            ec2(
                "AllocateAddress",
                {"domain": "vpc"},
                {
                    "requestId": "1",
                    "publicIp": "198.51.100.7",
                    "domain": "vpc",
                    "allocationId": "eipalloc-0a1b2c3d4e5f60718",
                },
            )
        ],
        (Kind.UNMANAGED, "eipalloc-0a1b2c3d4e5f60718", {"domain": (None, "vpc")}, Severity.LOW),
    ),
    case(
        "eip-associate-inline",
        [
            ec2(
                "AssociateAddress",
                {"allocationId": BASTION_EIP, "instanceId": "i-0a1b2c3d4e5f60718"},
                {"requestId": "1", "associationId": "eipassoc-0a1b2c3d4e5f60718"},
            )
        ],
        (
            Kind.MODIFIED,
            "aws_eip.bastion",
            # The instance is not in this state: its primary interface is not known
            # (tests/catalog/test_ec2_eip.py has the one in state).
            {
                "instance": ("", "i-0a1b2c3d4e5f60718"),
                "network_interface": ("", "(hidden by CloudTrail)"),
            },
            Severity.MEDIUM,
        ),
    ),
    case(
        "eip-disassociate",
        [ec2("DisassociateAddress", {"associationId": NAT_EIP_ASSOC})],
        (
            Kind.MODIFIED,
            "aws_eip.nat",
            {"network_interface": ("eni-802d2039143ddf139", "")},
            Severity.MEDIUM,
        ),
    ),
    case(
        "endpoint-create",
        [
            ec2(
                "CreateVpcEndpoint",
                wrapped(
                    "CreateVpcEndpoint",
                    VpcId=VPC,
                    ServiceName="com.amazonaws.us-east-1.dynamodb",
                    RouteTableId=[PRIVATE_RTB],
                ),
                {
                    "CreateVpcEndpointResponse": {
                        "vpcEndpoint": {"vpcEndpointId": "vpce-0a1b2c3d4e5f60718"}
                    }
                },
            )
        ],
        (
            Kind.UNMANAGED,
            "vpce-0a1b2c3d4e5f60718",
            {
                "vpc_id": (None, VPC),
                "service_name": (None, "com.amazonaws.us-east-1.dynamodb"),
                "route_table_ids": (None, [PRIVATE_RTB]),
            },
            Severity.MEDIUM,
        ),
    ),
    case(
        "endpoint-create-with-tags",  # two tags: CloudTrail lists them under one spec
        [
            ec2(
                "CreateVpcEndpoint",
                wrapped(
                    "CreateVpcEndpoint",
                    VpcId=VPC,
                    ServiceName="com.amazonaws.us-east-1.dynamodb",
                    TagSpecification=logged_tags("vpc-endpoint", Name="ddb", team="net"),
                ),
                {
                    "CreateVpcEndpointResponse": {
                        "vpcEndpoint": {"vpcEndpointId": "vpce-0a1b2c3d4e5f60719"}
                    }
                },
            )
        ],
        (
            Kind.UNMANAGED,
            "vpce-0a1b2c3d4e5f60719",
            {
                "vpc_id": (None, VPC),
                "service_name": (None, "com.amazonaws.us-east-1.dynamodb"),
                "tags": (None, {"Name": "ddb", "team": "net"}),
            },
            Severity.MEDIUM,
        ),
    ),
    case(
        "endpoint-modify-route-tables",
        [
            ec2(
                "ModifyVpcEndpoint",
                wrapped(
                    "ModifyVpcEndpoint",
                    VpcEndpointId=ENDPOINT,
                    AddRouteTableId=[PUBLIC_RTB],
                    RemoveRouteTableId=[PRIVATE_RTB],
                ),
            )
        ],
        (
            Kind.MODIFIED,
            "aws_vpc_endpoint.s3",
            {"route_table_ids": ([PRIVATE_RTB], [PUBLIC_RTB])},
            Severity.MEDIUM,
        ),
    ),
    case(
        "endpoint-modify-policy",
        [
            ec2(
                "ModifyVpcEndpoint",
                wrapped(
                    "ModifyVpcEndpoint",
                    VpcEndpointId=ENDPOINT,
                    PolicyDocument=json.dumps(
                        {
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": "*",
                                    "Action": "s3:GetObject",
                                    "Resource": "arn:aws:s3:::logs/*",
                                }
                            ]
                        }
                    ),
                ),
            )
        ],
        (Kind.MODIFIED, "aws_vpc_endpoint.s3", None, Severity.MEDIUM),
    ),
    case(
        "endpoint-modify-unmodelled-field-is-resource-level",
        [
            ec2(
                "ModifyVpcEndpoint",
                wrapped("ModifyVpcEndpoint", VpcEndpointId=ENDPOINT, IpAddressType="dualstack"),
            )
        ],
        (Kind.MODIFIED, "aws_vpc_endpoint.s3", {}, Severity.MEDIUM),
    ),
    case(
        "endpoint-delete",
        [ec2("DeleteVpcEndpoints", wrapped("DeleteVpcEndpoints", VpcEndpointId=[ENDPOINT]))],
        (Kind.DELETED, "aws_vpc_endpoint.s3", {}, Severity.HIGH),
    ),
    case(
        "flow-log-create",
        [
            ec2(
                "CreateFlowLogs",
                wrapped(
                    "CreateFlowLogs",
                    ResourceId=[OTHER_VPC],
                    ResourceType="VPC",
                    TrafficType="REJECT",
                    LogDestinationType="s3",
                    LogDestination="arn:aws:s3:::vpc-flow-logs-example",
                ),
                {"CreateFlowLogsResponse": {"flowLogIdSet": {"item": "fl-0a1b2c3d4e5f60718"}}},
            )
        ],
        (
            Kind.UNMANAGED,
            "fl-0a1b2c3d4e5f60718",
            {
                "vpc_id": (None, OTHER_VPC),
                "traffic_type": (None, "REJECT"),
                "log_destination_type": (None, "s3"),
                "log_destination": (None, "arn:aws:s3:::vpc-flow-logs-example"),
            },
            Severity.LOW,
        ),
    ),
    case(
        "flow-log-create-with-tags",  # an import block without them plans their change
        [
            ec2(
                "CreateFlowLogs",
                wrapped(
                    "CreateFlowLogs",
                    ResourceId=[OTHER_VPC],
                    ResourceType="VPC",
                    TrafficType="REJECT",
                    TagSpecification=logged_tags("vpc-flow-log", team="sec"),
                ),
                {"CreateFlowLogsResponse": {"flowLogIdSet": {"item": "fl-0a1b2c3d4e5f60719"}}},
            )
        ],
        (
            Kind.UNMANAGED,
            "fl-0a1b2c3d4e5f60719",
            {
                "vpc_id": (None, OTHER_VPC),
                "traffic_type": (None, "REJECT"),
                "tags": (None, {"team": "sec"}),
            },
            Severity.LOW,
        ),
    ),
    case(
        "flow-log-delete",
        [ec2("DeleteFlowLogs", wrapped("DeleteFlowLogs", FlowLogId=[FLOW_LOG]))],
        (Kind.DELETED, "aws_flow_log.main", {}, Severity.HIGH),
    ),
]


def _outcome(events: list[CloudEvent]) -> Outcome:
    return run_events(INDEX, events)


@pytest.mark.parametrize(("events", "want"), ROUTE_CASES + NACL_CASES + EDGE_CASES)
def test_vpc_row(events: list[CloudEvent], want: Want | str) -> None:
    outcome = _outcome(events)
    if want == "resolved":
        assert outcome.open == [] and len(outcome.resolved) == 1, outcome
        return
    if isinstance(want, str):
        assert outcome.open == [] and outcome.resolved == [], outcome.open
        assert outcome.skipped == {want: len(events)}, outcome.skipped
        return
    kind, at, changes, severity = want
    drift = outcome.only()
    assert drift.kind is kind
    assert (drift.resource.address or drift.resource.id) == at
    if changes is not None:
        assert {c.path: (c.before, c.after) for c in drift.changes} == changes
    if severity is not None:
        assert drift.severity is severity, drift.severity_reasons


def test_every_vpc_row_has_a_case() -> None:
    from tfdrift_gitops.core.catalog.ec2_vpc import RULES

    named = {e.name for param in ROUTE_CASES + NACL_CASES + EDGE_CASES for e in param.values[0]}
    assert {r.event for r in RULES} <= named
    assert all(Catalog.default().get(r.event, r.source) is not None for r in RULES)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        pytest.param(
            route("CreateRoute", PRIVATE_RTB, "pl-0a1b2c3d", gatewayId=IGW),
            f"{PRIVATE_RTB}_pl-0a1b2c3d",
            id="route-prefix-list",
        ),
        pytest.param(
            route(
                "CreateRoute", PRIVATE_RTB, "2001:db8::/56", egressOnlyInternetGatewayId="eigw-1"
            ),
            f"{PRIVATE_RTB}_2001:db8::/56",
            id="route-ipv6",
        ),
        pytest.param(
            nacl_entry(
                "CreateNetworkAclEntry",
                PRIVATE_ACL,
                300,
                True,
                ruleAction="allow",
                aclProtocol="6",
                cidrBlock="10.0.0.0/8",
                portRange={"from": 1024, "to": 65535},
            ),
            f"{PRIVATE_ACL}:300:6:true",
            id="nacl-rule",
        ),
        pytest.param(
            ec2(
                "AssociateRouteTable",
                {"routeTableId": PRIVATE_RTB, "gatewayId": IGW},
                {"requestId": "1", "associationId": "rtbassoc-0a1b2c3d4e5f60718"},
            ),
            f"{IGW}/{PRIVATE_RTB}",
            id="edge-association",
        ),
    ],
)
def test_import_ids_are_the_providers(event: CloudEvent, expected: str) -> None:
    rule = Catalog.default().get(event.name, event.source)
    assert rule is not None
    found = [t.import_id(event) for t in rule.targets if t.import_id is not None]
    assert found == [expected]


def _raw(event: CloudEvent) -> dict[str, Any]:
    return {
        "eventName": event.name,
        "eventSource": event.source,
        "eventTime": "2026-11-20T09:00:00Z",
        "eventID": event.id,
        "readOnly": False,
        "requestParameters": event.request,
        "responseElements": event.response,
    }


@pytest.mark.parametrize(("events", "want"), ROUTE_CASES + NACL_CASES + EDGE_CASES)
def test_prefilter_lets_every_landing_call_through(
    events: list[CloudEvent], want: Want | str
) -> None:
    """Rows name the ids a call needs (``known_ids``): a call the engine lands on state is
    never skipped early."""
    if want == "not_in_state":
        return
    prefilter = make_prefilter(Catalog.default(), INDEX.knows)
    assert [prefilter(_raw(e)) for e in events] == [None] * len(events)


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(route("CreateRoute", "rtb-0ffffffffffffffff", natGatewayId=NAT), id="route"),
        pytest.param(
            nacl_entry("DeleteNetworkAclEntry", "acl-0ffffffffffffffff", 100, False), id="nacl"
        ),
        pytest.param(
            ec2("DetachInternetGateway", {"internetGatewayId": "igw-0fff", "vpcId": "vpc-0fff"}),
            id="igw",
        ),
        pytest.param(
            ec2("DeleteFlowLogs", wrapped("DeleteFlowLogs", FlowLogId=["fl-0fffffffffffffff"])),
            id="flow-log",
        ),
    ],
)
def test_prefilter_skips_calls_on_ids_nobody_manages(event: CloudEvent) -> None:
    prefilter = make_prefilter(Catalog.default(), INDEX.knows)
    assert prefilter(_raw(event)) == "not_in_state"
    assert run_events(INDEX, [event]).skipped == {"not_in_state": 1}
