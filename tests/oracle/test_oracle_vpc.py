"""VPC routing and edge rows judged by Terraform: routes, route tables and associations,
network ACL entries and associations, internet gateways, elastic IPs, endpoints (made,
modified, deleted) and flow logs.

ReplaceRoute has no case: its drift agrees with Terraform's (checked by hand), but the new
target is a literal where the code holds a reference, so ``import`` refuses and the module's
import plan would still update the route; and ``revert`` plans only the old target back (the
interface a route gained is optional+computed), which the revert check reads as a mismatch.
"""

from __future__ import annotations

from typing import Any

from tests.oracle.checks import (  # noqa: F401
    test_changes_agree_with_terraform,
    test_deletion_agrees_with_terraform,
    test_every_written_file_validates,
    test_import_plan_summary,
    test_import_plans_no_change,
    test_no_drift_outside_the_cases,
    test_removed_block_plans_cleanly,
    test_revert_plans_the_drift_back,
    test_unmanaged_import_plans_as_import_only,
    test_unmanaged_is_outside_terraform,
)
from tests.oracle.harness import Call, Case, World

EC2 = "ec2.amazonaws.com"
ROUTE_FIXTURE = "ec2-vpc/panther-create-route.json"
NACL_FIXTURE = "ec2-vpc/panther-create-network-acl-entry-permissive.json"
IGW_FIXTURE = "ec2-vpc/panther-attach-internet-gateway.json"
FLOW_FIXTURE = "ec2-vpc/stratus-delete-flow-logs.json"
OK = {"_return": True}

BASE = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
"""


def _table(name: str, body: str = "") -> str:
    return f"""
resource "aws_route_table" "{name}" {{
  vpc_id = aws_vpc.main.id
{body}}}
"""


def _route(name: str, table: str, cidr: str) -> str:
    return f"""
resource "aws_route" "{name}" {{
  route_table_id         = aws_route_table.{table}.id
  destination_cidr_block = "{cidr}"
  gateway_id             = aws_internet_gateway.main.id
}}
"""


_DEFAULT_ROUTE = """  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
"""
_HTTPS_IN = """  ingress {
    protocol   = "tcp"
    rule_no    = 100
    action     = "allow"
    cidr_block = "10.0.0.0/16"
    from_port  = 443
    to_port    = 443
  }
"""


def _acl(name: str, body: str = "") -> str:
    return f"""
resource "aws_network_acl" "{name}" {{
  vpc_id = aws_vpc.main.id
{body}}}
"""


def _acl_rule(name: str, acl: str) -> str:
    return f"""
resource "aws_network_acl_rule" "{name}" {{
  network_acl_id = aws_network_acl.{acl}.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.0.0/16"
  from_port      = 443
  to_port        = 443
}}
"""


# --------------------------------------------------------------------------- calls


def route_added_inline(world: World) -> Call:
    table, gateway = world.id("aws_route_table.rtb_inline"), world.id("aws_internet_gateway.main")
    world.client("ec2").create_route(
        RouteTableId=table, DestinationCidrBlock="10.50.0.0/16", GatewayId=gateway
    )
    request = {"routeTableId": table, "destinationCidrBlock": "10.50.0.0/16", "gatewayId": gateway}
    return Call(request, OK)


def route_added_unmanaged(world: World) -> Call:
    table, gateway = world.id("aws_route_table.rtb_routes"), world.id("aws_internet_gateway.main")
    world.client("ec2").create_route(
        RouteTableId=table, DestinationCidrBlock="10.60.0.0/16", GatewayId=gateway
    )
    request = {"routeTableId": table, "destinationCidrBlock": "10.60.0.0/16", "gatewayId": gateway}
    return Call(request, OK)


def route_deleted(world: World) -> Call:
    table = world.id("aws_route_table.rtb_deleted_route")
    world.client("ec2").delete_route(RouteTableId=table, DestinationCidrBlock="10.70.0.0/16")
    return Call({"routeTableId": table, "destinationCidrBlock": "10.70.0.0/16"}, OK)


def route_table_created(world: World) -> Call:
    vpc = world.id("aws_vpc.main")
    answer = world.client("ec2").create_route_table(VpcId=vpc)
    table = answer["RouteTable"]["RouteTableId"]
    return Call({"vpcId": vpc}, {"routeTable": {"routeTableId": table, "vpcId": vpc}})


def route_table_disassociated(world: World) -> Call:
    association = world.id("aws_route_table_association.assoc_gone")
    world.client("ec2").disassociate_route_table(AssociationId=association)
    return Call({"associationId": association}, OK)


def nacl_entry_inline(world: World) -> Call:
    acl = world.id("aws_network_acl.acl_inline")
    world.client("ec2").create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=110,
        Protocol="6",
        RuleAction="deny",
        Egress=False,
        CidrBlock="198.51.100.0/24",
        PortRange={"From": 22, "To": 22},
    )
    request = {
        "networkAclId": acl,
        "ruleNumber": 110,
        "egress": False,
        "ruleAction": "deny",
        "icmpTypeCode": {},
        "portRange": {"from": 22, "to": 22},
        "aclProtocol": "6",
        "cidrBlock": "198.51.100.0/24",
    }
    return Call(request, OK)


def nacl_rule_replaced(world: World) -> Call:
    acl = world.id("aws_network_acl.acl_rules")
    world.client("ec2").replace_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=100,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 443, "To": 443},
    )
    request = {
        "networkAclId": acl,
        "ruleNumber": 100,
        "egress": False,
        "ruleAction": "allow",
        "icmpTypeCode": {},
        "portRange": {"from": 443, "to": 443},
        "aclProtocol": "6",
        "cidrBlock": "0.0.0.0/0",
    }
    return Call(request, OK)


def nacl_rule_deleted(world: World) -> Call:
    acl = world.id("aws_network_acl.acl_rule_gone")
    world.client("ec2").delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    return Call({"networkAclId": acl, "ruleNumber": 100, "egress": False}, OK)


def internet_gateway_created(world: World) -> Call:
    answer = world.client("ec2").create_internet_gateway()
    gateway = answer["InternetGateway"]["InternetGatewayId"]
    return Call({}, {"internetGateway": {"internetGatewayId": gateway}})


def address_allocated(world: World) -> Call:
    answer = world.client("ec2").allocate_address(Domain="vpc")
    response = {
        "publicIp": answer["PublicIp"],
        "domain": "vpc",
        "allocationId": answer["AllocationId"],
    }
    return Call({"domain": "vpc"}, response)


def flow_log_deleted(world: World) -> Call:
    flow_log = world.id("aws_flow_log.flow_gone")
    world.client("ec2").delete_flow_logs(FlowLogIds=[flow_log])
    request = {"DeleteFlowLogsRequest": {"FlowLogId": {"content": flow_log, "tag": 1}}}
    return Call(request, {"DeleteFlowLogsResponse": {"unsuccessful": ""}})


def endpoint_deleted(world: World) -> Call:
    endpoint = world.id("aws_vpc_endpoint.endpoint_gone")
    world.client("ec2").delete_vpc_endpoints(VpcEndpointIds=[endpoint])
    request = {"DeleteVpcEndpointsRequest": {"VpcEndpointId": {"content": endpoint, "tag": 1}}}
    return Call(request, {"DeleteVpcEndpointsResponse": {"unsuccessful": ""}})


def acl_created(world: World) -> Call:
    vpc = world.id("aws_vpc.main")
    acl = world.client("ec2").create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    return Call({"vpcId": vpc}, {"networkAcl": {"networkAclId": acl, "vpcId": vpc}})


def gateway_attached(world: World) -> Call:
    gateway, vpc = world.id("aws_internet_gateway.igw_loose"), world.id("aws_vpc.edge")
    world.client("ec2").attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    return Call({"internetGatewayId": gateway, "vpcId": vpc}, OK)


def gateway_detached(world: World) -> Call:
    gateway, vpc = world.id("aws_internet_gateway.igw_edge"), world.id("aws_vpc.edge_attached")
    world.client("ec2").detach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    return Call({"internetGatewayId": gateway, "vpcId": vpc}, OK)


def association_replaced(world: World) -> Call:
    association = world.id("aws_route_table_association.assoc_moved")
    table = world.id("aws_route_table.rtb_moved_to")
    answer = world.client("ec2").replace_route_table_association(
        AssociationId=association, RouteTableId=table
    )
    return Call(
        {"associationId": association, "routeTableId": table},
        {"newAssociationId": answer["NewAssociationId"]},
    )


def ebs_default_off(world: World) -> Call:
    world.client("ec2").disable_ebs_encryption_by_default()
    return Call(
        {"DisableEbsEncryptionByDefaultRequest": ""},
        {"DisableEbsEncryptionByDefaultResponse": {"ebsEncryptionByDefault": False}},
    )


def table_associated(world: World) -> Call:
    subnet, table = world.id("aws_subnet.loose"), world.id("aws_route_table.rtb_loose")
    answer = world.client("ec2").associate_route_table(SubnetId=subnet, RouteTableId=table)
    return Call(
        {"routeTableId": table, "subnetId": subnet},
        {
            "associationId": answer["AssociationId"],
            "associationState": {"state": "associated"},
        },
    )


def _by_hand(resource_type: str) -> list[dict[str, Any]]:
    """The tag a resource made by hand carries: its import block must keep it."""
    return [{"ResourceType": resource_type, "Tags": [{"Key": "team", "Value": "by-hand"}]}]


def _logged_by_hand(resource_type: str) -> dict[str, Any]:
    """``_by_hand`` as CloudTrail logs newer EC2 APIs' requests (AWS's CreateTransitGateway
    example): one spec and one tag stay single objects, each numbered by ``tag``."""
    return {
        "ResourceType": resource_type,
        "tag": 1,
        "Tag": {"Key": "team", "Value": "by-hand", "tag": 1},
    }


def endpoint_created(world: World) -> Call:
    vpc = world.id("aws_vpc.main")
    service = "com.amazonaws.us-east-1.dynamodb"
    made = world.client("ec2").create_vpc_endpoint(
        VpcId=vpc,
        ServiceName=service,
        VpcEndpointType="Gateway",
        TagSpecifications=_by_hand("vpc-endpoint"),
    )["VpcEndpoint"]
    return Call(
        {
            "CreateVpcEndpointRequest": {
                "VpcId": vpc,
                "ServiceName": service,
                "VpcEndpointType": "Gateway",
                "TagSpecification": _logged_by_hand("vpc-endpoint"),
            }
        },
        {
            "CreateVpcEndpointResponse": {
                "vpcEndpoint": {"vpcEndpointId": made["VpcEndpointId"], "vpcId": vpc}
            }
        },
    )


def flow_log_created(world: World) -> Call:
    vpc = world.id("aws_vpc.main")
    bucket = world.attrs("aws_s3_bucket.flow_logs")["arn"]
    made = world.client("ec2").create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="REJECT",
        LogDestinationType="s3",
        LogDestination=bucket,
        TagSpecifications=_by_hand("vpc-flow-log"),
    )
    request = {
        "ResourceId": {"content": vpc, "tag": 1},
        "ResourceType": "VPC",
        "TrafficType": "REJECT",
        "LogDestinationType": "s3",
        "LogDestination": bucket,
        "TagSpecification": _logged_by_hand("vpc-flow-log"),
    }
    return Call(
        {"CreateFlowLogsRequest": request},
        {"CreateFlowLogsResponse": {"flowLogIdSet": {"item": made["FlowLogIds"][0]}}},
    )


def key_pair_deleted(world: World) -> Call:
    world.client("ec2").delete_key_pair(KeyName="oracle-key-gone")
    return Call({"keyName": "oracle-key-gone"}, OK)


def nat_created(world: World) -> Call:
    subnet, allocation = world.id("aws_subnet.a"), world.id("aws_eip.nat_hand")
    made = world.client("ec2").create_nat_gateway(
        SubnetId=subnet, AllocationId=allocation, TagSpecifications=_by_hand("natgateway")
    )
    nat = made["NatGateway"]["NatGatewayId"]
    request = {
        "SubnetId": subnet,
        "AllocationId": allocation,
        "TagSpecification": _logged_by_hand("natgateway"),
    }
    return Call(
        {"CreateNatGatewayRequest": request},
        {"CreateNatGatewayResponse": {"natGateway": {"natGatewayId": nat, "subnetId": subnet}}},
    )


def nat_deleted(world: World) -> Call:
    nat = world.id("aws_nat_gateway.nat_gone")
    world.client("ec2").delete_nat_gateway(NatGatewayId=nat)
    return Call(
        {"DeleteNatGatewayRequest": {"NatGatewayId": nat}},
        {"DeleteNatGatewayResponse": {"natGatewayId": nat}},
    )


def endpoint_policy(world: World) -> Call:
    endpoint = world.id("aws_vpc_endpoint.endpoint_policy")
    policy = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
        '"Action":"s3:GetObject","Resource":"arn:aws:s3:::oracle-logs/*"}]}'
    )
    world.client("ec2").modify_vpc_endpoint(VpcEndpointId=endpoint, PolicyDocument=policy)
    request = {
        "VpcEndpointId": {"content": endpoint, "tag": 1},
        "PolicyDocument": {"content": policy, "tag": 2},
    }
    return Call(
        {"ModifyVpcEndpointRequest": request}, {"ModifyVpcEndpointResponse": {"return": True}}
    )


def acl_association_replaced(world: World) -> Call:
    association = world.id("aws_network_acl_association.acl_moved")
    acl = world.id("aws_network_acl.acl_to")
    answer = world.client("ec2").replace_network_acl_association(
        AssociationId=association, NetworkAclId=acl
    )
    return Call(
        {"associationId": association, "networkAclId": acl},
        {"newAssociationId": answer["NewAssociationId"]},
    )


ENDPOINT_POLICY = """
resource "aws_vpc_endpoint" "endpoint_policy" {
  vpc_id       = aws_vpc.main.id
  service_name = "com.amazonaws.us-east-1.s3"
}
"""
ACL_MOVED = """
resource "aws_subnet" "acl_moved" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.5.0/24"
}

resource "aws_network_acl" "acl_from" {
  vpc_id = aws_vpc.main.id
}

resource "aws_network_acl" "acl_to" {
  vpc_id = aws_vpc.main.id
}

resource "aws_network_acl_association" "acl_moved" {
  network_acl_id = aws_network_acl.acl_from.id
  subnet_id      = aws_subnet.acl_moved.id
}
"""
NAT = """
resource "aws_eip" "nat_hand" {
  domain = "vpc"
}

resource "aws_eip" "nat_gone" {
  domain = "vpc"
}

resource "aws_nat_gateway" "nat_gone" {
  subnet_id     = aws_subnet.a.id
  allocation_id = aws_eip.nat_gone.id
}
"""
LOOSE = """
resource "aws_subnet" "loose" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.3.0/24"
}
"""
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM5U4o1FHVmLzsx0imXP2Hrwz11xYAxpM8sgYaHxgG98"
KEY_PAIR = f"""
resource "aws_key_pair" "key_gone" {{
  key_name   = "oracle-key-gone"
  public_key = "{PUBLIC_KEY}"
}}
"""
EDGE = """
resource "aws_vpc" "edge" {
  cidr_block = "10.8.0.0/16"
}

resource "aws_internet_gateway" "igw_loose" {
}
"""
EDGE_ATTACHED = """
resource "aws_vpc" "edge_attached" {
  cidr_block = "10.9.0.0/16"
}

resource "aws_internet_gateway" "igw_edge" {
  vpc_id = aws_vpc.edge_attached.id
}
"""
MOVED = """
resource "aws_subnet" "moved" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.2.0/24"
}

resource "aws_route_table_association" "assoc_moved" {
  subnet_id      = aws_subnet.moved.id
  route_table_id = aws_route_table.rtb_moved_from.id
}
"""
EBS_DEFAULT = """
resource "aws_ebs_encryption_by_default" "account" {
  enabled = true
}
"""


def _case(id_: str, event: str, act: Any, address: str, hcl: str, **kw: Any) -> Case:
    return Case(
        id=id_,
        event=event,
        source=EC2,
        fixture=kw.pop("fixture", ROUTE_FIXTURE),
        hcl=hcl,
        address=address,
        act=act,
        **kw,
    )


CASES = (
    _case(
        "route_inline",
        "CreateRoute",
        route_added_inline,
        "aws_route_table.rtb_inline",
        BASE + _table("rtb_inline", _DEFAULT_ROUTE),
    ),
    _case(
        "route_unmanaged",
        "CreateRoute",
        route_added_unmanaged,
        "aws_route",
        _table("rtb_routes") + _route("rtb_routes_default", "rtb_routes", "0.0.0.0/0"),
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "route_deleted",
        "DeleteRoute",
        route_deleted,
        "aws_route.rtb_deleted_route_extra",
        _table("rtb_deleted_route")
        + _route("rtb_deleted_route_extra", "rtb_deleted_route", "10.70.0.0/16"),
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "route_table_created",
        "CreateRouteTable",
        route_table_created,
        "aws_route_table",
        "",
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "route_table_disassociated",
        "DisassociateRouteTable",
        route_table_disassociated,
        "aws_route_table_association.assoc_gone",
        _table("rtb_assoc")
        + """
resource "aws_route_table_association" "assoc_gone" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.rtb_assoc.id
}
""",
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "nacl_inline",
        "CreateNetworkAclEntry",
        nacl_entry_inline,
        "aws_network_acl.acl_inline",
        _acl("acl_inline", _HTTPS_IN),
        fixture=NACL_FIXTURE,
    ),
    _case(
        "nacl_rule_replaced",
        "ReplaceNetworkAclEntry",
        nacl_rule_replaced,
        "aws_network_acl_rule.acl_rules_https",
        _acl("acl_rules") + _acl_rule("acl_rules_https", "acl_rules"),
        fixture=NACL_FIXTURE,
    ),
    _case(
        "nacl_rule_deleted",
        "DeleteNetworkAclEntry",
        nacl_rule_deleted,
        "aws_network_acl_rule.acl_rule_gone_https",
        _acl("acl_rule_gone") + _acl_rule("acl_rule_gone_https", "acl_rule_gone"),
        fixture=NACL_FIXTURE,
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "internet_gateway_created",
        "CreateInternetGateway",
        internet_gateway_created,
        "aws_internet_gateway",
        "",
        fixture=IGW_FIXTURE,
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "address_allocated",
        "AllocateAddress",
        address_allocated,
        "aws_eip",
        "",
        fixture=IGW_FIXTURE,
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "flow_log_deleted",
        "DeleteFlowLogs",
        flow_log_deleted,
        "aws_flow_log.flow_gone",
        """
resource "aws_s3_bucket" "flow_logs" {
  bucket = "oracle-vpc-flow-logs"
}

resource "aws_flow_log" "flow_gone" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = aws_s3_bucket.flow_logs.arn
}
""",
        fixture=FLOW_FIXTURE,
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "endpoint_deleted",
        "DeleteVpcEndpoints",
        endpoint_deleted,
        "aws_vpc_endpoint.endpoint_gone",
        """
resource "aws_vpc_endpoint" "endpoint_gone" {
  vpc_id       = aws_vpc.main.id
  service_name = "com.amazonaws.us-east-1.s3"
}
""",
        fixture=FLOW_FIXTURE,
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "acl_created",
        "CreateNetworkAcl",
        acl_created,
        "aws_network_acl",
        "",
        fixture=NACL_FIXTURE,
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "gateway_attached",
        "AttachInternetGateway",
        gateway_attached,
        "aws_internet_gateway.igw_loose",
        EDGE,
        fixture=IGW_FIXTURE,
        known={
            "test_revert_plans_the_drift_back": (
                "vpc_id was empty before the drift; the provider reads an empty optional+"
                'computed argument as unset (vpc_id = "" planned no change), so no code '
                "detaches the gateway: revert refuses and says to undo the call in AWS"
            )
        },
    ),
    _case(
        "gateway_detached",
        "DetachInternetGateway",
        gateway_detached,
        "aws_internet_gateway.igw_edge",
        EDGE_ATTACHED,
        fixture=IGW_FIXTURE,
        # The code names the VPC by reference: an import is refused (never overwritten).
        strategies=("revert",),
    ),
    _case(
        "association_replaced",
        "ReplaceRouteTableAssociation",
        association_replaced,
        "aws_route_table_association.assoc_moved",
        _table("rtb_moved_from") + _table("rtb_moved_to") + MOVED,
        # AWS answers a new association id; the old one is gone, and Terraform reads the
        # association as deleted.
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "ebs_default_off",
        "DisableEbsEncryptionByDefault",
        ebs_default_off,
        "aws_ebs_encryption_by_default.account",
        EBS_DEFAULT,
        fixture=FLOW_FIXTURE,
    ),
    _case(
        "table_associated",
        "AssociateRouteTable",
        table_associated,
        "aws_route_table_association",
        _table("rtb_loose") + LOOSE,
        kind="unmanaged",
        # The import plan of the generated association (import id subnet/rtb) shows a create,
        # not an import with no change, on moto; detection is what this case checks.
        strategies=(),
    ),
    _case(
        "endpoint_created",
        "CreateVpcEndpoint",
        endpoint_created,
        "aws_vpc_endpoint",
        "",
        fixture=FLOW_FIXTURE,
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "flow_log_created",
        "CreateFlowLogs",
        flow_log_created,
        "aws_flow_log",
        "",
        fixture=FLOW_FIXTURE,
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "key_gone",
        "DeleteKeyPair",
        key_pair_deleted,
        "aws_key_pair.key_gone",
        KEY_PAIR,
        fixture=FLOW_FIXTURE,
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "nat_created",
        "CreateNatGateway",
        nat_created,
        "aws_nat_gateway",
        NAT,
        fixture=FLOW_FIXTURE,
        kind="unmanaged",
        # moto reads a NAT gateway back with connectivity_type "" (AWS: "public"); the generated
        # block leaves it to the provider's default "public", which forces a new resource: the
        # import plans a replacement on moto. Detection is what this case checks.
        strategies=(),
    ),
    _case(
        "endpoint_policy",
        "ModifyVpcEndpoint",
        endpoint_policy,
        "aws_vpc_endpoint.endpoint_policy",
        ENDPOINT_POLICY,
        fixture=FLOW_FIXTURE,
    ),
    _case(
        "acl_moved",
        "ReplaceNetworkAclAssociation",
        acl_association_replaced,
        "aws_network_acl_association.acl_moved",
        ACL_MOVED,
        fixture=NACL_FIXTURE,
        # AWS answers a new association id; the old one is gone, and Terraform reads the
        # association as deleted.
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "nat_gone",
        "DeleteNatGateway",
        nat_deleted,
        "aws_nat_gateway.nat_gone",
        "",
        fixture=FLOW_FIXTURE,
        kind="deleted",
        strategies=("import",),
    ),
)
