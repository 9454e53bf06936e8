"""EC2 rows judged by Terraform: security groups and their rules, VPCs, subnets, tags,
instances (launched by hand, instance profiles), volumes, elastic IPs.

ReplaceIamInstanceProfileAssociation has no case: moto 5.2.6 replaces the association's
profile but not the instance's, so DescribeInstances (what the provider reads) keeps the old
one and Terraform sees no drift (scripts/regen_terraform_verified.py says so with the error).
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
SG_FIXTURE = "ec2-s3/streamalert-ec2-authorize-ingress-anywhere.json"


def _sg(name: str, ingress: str = "", egress: str = "") -> str:
    return f"""
resource "aws_security_group" "{name}" {{
  name   = "{name}"
  vpc_id = aws_vpc.main.id
{ingress}{egress}}}
"""


_HTTPS_IN = """  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
"""
_ALL_OUT = """  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
"""

VPC = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
"""


def _perm_items(protocol: str, low: int, high: int, cidr: str) -> dict[str, Any]:
    return {
        "items": [
            {
                "ipProtocol": protocol,
                "fromPort": low,
                "toPort": high,
                "groups": {},
                "ipRanges": {"items": [{"cidrIp": cidr}]},
                "ipv6Ranges": {},
                "prefixListIds": {},
            }
        ]
    }


def _rule_set(response: dict[str, Any], group: str) -> dict[str, Any]:
    return {
        "_return": True,
        "securityGroupRuleSet": {
            "items": [
                {
                    "groupId": group,
                    "securityGroupRuleId": rule["SecurityGroupRuleId"],
                    "isEgress": rule["IsEgress"],
                    "ipProtocol": rule["IpProtocol"],
                    "fromPort": rule["FromPort"],
                    "toPort": rule["ToPort"],
                    "cidrIpv4": rule.get("CidrIpv4"),
                }
                for rule in response.get("SecurityGroupRules", [])
            ]
        },
    }


def _permission(protocol: str, low: int, high: int, cidr: str) -> list[dict[str, Any]]:
    return [
        {"IpProtocol": protocol, "FromPort": low, "ToPort": high, "IpRanges": [{"CidrIp": cidr}]}
    ]


def authorize_ingress(world: World) -> Call:
    group = world.id("aws_security_group.sg_ingress_add")
    answer = world.client("ec2").authorize_security_group_ingress(
        GroupId=group, IpPermissions=_permission("tcp", 22, 22, "0.0.0.0/0")
    )
    request = {"groupId": group, "ipPermissions": _perm_items("tcp", 22, 22, "0.0.0.0/0")}
    return Call(request, _rule_set(answer, group))


def _tag_items(tags: dict[str, str]) -> dict[str, Any]:
    return {"items": [{"key": k, "value": v} for k, v in tags.items()]}


def _resources(*ids: str) -> dict[str, Any]:
    return {"items": [{"resourceId": i} for i in ids]}


def authorize_egress(world: World) -> Call:
    group = world.id("aws_security_group.sg_egress_add")
    answer = world.client("ec2").authorize_security_group_egress(
        GroupId=group, IpPermissions=_permission("tcp", 5432, 5432, "10.1.0.0/16")
    )
    request = {"groupId": group, "ipPermissions": _perm_items("tcp", 5432, 5432, "10.1.0.0/16")}
    return Call(request, _rule_set(answer, group))


def revoke_ingress(world: World) -> Call:
    group = world.id("aws_security_group.sg_ingress_revoke")
    world.client("ec2").revoke_security_group_ingress(
        GroupId=group, IpPermissions=_permission("tcp", 443, 443, "10.0.0.0/8")
    )
    request = {"groupId": group, "ipPermissions": _perm_items("tcp", 443, 443, "10.0.0.0/8")}
    return Call(request, {"_return": True})


def revoke_egress(world: World) -> Call:
    group = world.id("aws_security_group.sg_egress_revoke")
    world.client("ec2").revoke_security_group_egress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    items = _perm_items("-1", 0, 0, "0.0.0.0/0")
    for item in items["items"]:
        item.pop("fromPort")
        item.pop("toPort")
    return Call({"groupId": group, "ipPermissions": items}, {"_return": True})


def describe_ingress(world: World) -> Call:
    group = world.id("aws_security_group.sg_ingress_describe")
    perms = [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "office"}],
        }
    ]
    world.client("ec2").update_security_group_rule_descriptions_ingress(
        GroupId=group, IpPermissions=perms
    )
    items = _perm_items("tcp", 443, 443, "10.0.0.0/8")
    items["items"][0]["ipRanges"]["items"][0]["description"] = "office"
    return Call({"groupId": group, "ipPermissions": items}, {"_return": True})


def create_group(world: World) -> Call:
    vpc = world.id("aws_vpc.main")
    answer = world.client("ec2").create_security_group(
        GroupName="hand-made", Description="made by hand", VpcId=vpc
    )
    request = {"groupName": "hand-made", "groupDescription": "made by hand", "vpcId": vpc}
    return Call(request, {"_return": True, "groupId": answer["GroupId"]})


def delete_group(world: World) -> Call:
    group = world.id("aws_security_group.sg_deleted")
    world.client("ec2").delete_security_group(GroupId=group)
    return Call({"groupId": group}, {"_return": True})


def vpc_dns_hostnames(world: World) -> Call:
    vpc = world.id("aws_vpc.vpc_dns")
    world.client("ec2").modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    return Call({"vpcId": vpc, "enableDnsHostnames": {"value": True}}, {"_return": True})


def vpc_dns_support_noop(world: World) -> Call:
    vpc = world.id("aws_vpc.vpc_noop")
    world.client("ec2").modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    return Call({"vpcId": vpc, "enableDnsSupport": {"value": True}}, {"_return": True})


def subnet_public(world: World) -> Call:
    subnet = world.id("aws_subnet.subnet_public")
    world.client("ec2").modify_subnet_attribute(
        SubnetId=subnet, MapPublicIpOnLaunch={"Value": True}
    )
    return Call({"subnetId": subnet, "mapPublicIpOnLaunch": {"value": True}}, {"_return": True})


def tag_vpc(world: World) -> Call:
    vpc = world.id("aws_vpc.vpc_tagged")
    world.client("ec2").create_tags(Resources=[vpc], Tags=[{"Key": "owner", "Value": "alan"}])
    request = {"resourcesSet": _resources(vpc), "tagSet": _tag_items({"owner": "alan"})}
    return Call(request, {"_return": True})


def untag_subnet(world: World) -> Call:
    subnet = world.id("aws_subnet.subnet_untagged")
    world.client("ec2").delete_tags(Resources=[subnet], Tags=[{"Key": "tier"}])
    request = {"resourcesSet": _resources(subnet), "tagSet": {"items": [{"key": "tier"}]}}
    return Call(request, {"_return": True})


def create_vpc(world: World) -> Call:
    answer = world.client("ec2").create_vpc(CidrBlock="10.9.0.0/16")
    vpc = answer["Vpc"]
    request = {"cidrBlock": "10.9.0.0/16", "instanceTenancy": "default"}
    return Call(request, {"vpc": {"vpcId": vpc["VpcId"], "cidrBlock": "10.9.0.0/16"}})


def describe_egress(world: World) -> Call:
    group = world.id("aws_security_group.sg_egress_describe")
    perms = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "anywhere"}]}]
    world.client("ec2").update_security_group_rule_descriptions_egress(
        GroupId=group, IpPermissions=perms
    )
    items = _perm_items("-1", 0, 0, "0.0.0.0/0")
    for item in items["items"]:
        item.pop("fromPort")
        item.pop("toPort")
        item["ipRanges"]["items"][0]["description"] = "anywhere"
    return Call({"groupId": group, "ipPermissions": items}, {"_return": True})


def create_subnet(world: World) -> Call:
    vpc = world.id("aws_vpc.main")
    answer = world.client("ec2").create_subnet(
        VpcId=vpc, CidrBlock="10.0.9.0/24", AvailabilityZone="us-east-1a"
    )
    subnet = answer["Subnet"]
    request = {"vpcId": vpc, "cidrBlock": "10.0.9.0/24", "availabilityZone": "us-east-1a"}
    return Call(request, {"subnet": {"subnetId": subnet["SubnetId"], "vpcId": vpc}})


def delete_vpc(world: World) -> Call:
    vpc = world.id("aws_vpc.vpc_deleted")
    world.client("ec2").delete_vpc(VpcId=vpc)
    return Call({"vpcId": vpc}, {"_return": True})


def delete_subnet(world: World) -> Call:
    subnet = world.id("aws_subnet.subnet_deleted")
    world.client("ec2").delete_subnet(SubnetId=subnet)
    return Call({"subnetId": subnet}, {"_return": True})


def resize_volume(world: World) -> Call:
    volume = world.id("aws_ebs_volume.volume_resized")
    world.client("ec2").modify_volume(VolumeId=volume, Size=20)
    request = {"ModifyVolumeRequest": {"VolumeId": volume, "Size": 20}}
    return Call(request, {"ModifyVolumeResponse": {"volumeModification": {"volumeId": volume}}})


def delete_volume(world: World) -> Call:
    volume = world.id("aws_ebs_volume.volume_deleted")
    world.client("ec2").delete_volume(VolumeId=volume)
    return Call({"volumeId": volume}, {"_return": True})


def release_address(world: World) -> Call:
    allocation = world.id("aws_eip.eip_released")
    world.client("ec2").release_address(AllocationId=allocation)
    return Call({"allocationId": allocation}, {"_return": True})


def delete_gateway(world: World) -> Call:
    gateway = world.id("aws_internet_gateway.igw_deleted")
    world.client("ec2").delete_internet_gateway(InternetGatewayId=gateway)
    return Call({"internetGatewayId": gateway}, {"_return": True})


def delete_route_table(world: World) -> Call:
    table = world.id("aws_route_table.rtb_deleted")
    world.client("ec2").delete_route_table(RouteTableId=table)
    return Call({"routeTableId": table}, {"_return": True})


def _vpc(name: str, extra: str = "") -> str:
    return f"""
resource "aws_vpc" "{name}" {{
  cidr_block = "10.20.0.0/16"
{extra}}}
"""


def _subnet(name: str, cidr: str, extra: str = "") -> str:
    return f"""
resource "aws_subnet" "{name}" {{
  vpc_id     = aws_vpc.main.id
  cidr_block = "{cidr}"
{extra}}}
"""


def _volume(name: str) -> str:
    return f"""
resource "aws_ebs_volume" "{name}" {{
  availability_zone = "us-east-1a"
  size              = 10
}}
"""


AMI = "ami-12c6146b"


def _instance(name: str, extra: str = "") -> str:
    return f"""
resource "aws_instance" "{name}" {{
  ami           = "{AMI}"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.instances.id
{extra}}}
"""


INSTANCE_SUBNET = """
resource "aws_subnet" "instances" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.40.0/24"
  availability_zone = "us-east-1a"
}
"""


def imds_required(world: World) -> Call:
    instance = world.id("aws_instance.imds")
    world.client("ec2").modify_instance_metadata_options(InstanceId=instance, HttpTokens="required")
    request = {"InstanceId": instance, "HttpTokens": "required"}
    return Call(
        {"ModifyInstanceMetadataOptionsRequest": request},
        {"ModifyInstanceMetadataOptionsResponse": {"instanceId": instance}},
    )


def termination_protected(world: World) -> Call:
    instance = world.id("aws_instance.protected")
    world.client("ec2").modify_instance_attribute(
        InstanceId=instance, DisableApiTermination={"Value": True}
    )
    return Call(
        {"instanceId": instance, "disableApiTermination": {"value": True}}, {"_return": True}
    )


def instance_terminated(world: World) -> Call:
    instance = world.id("aws_instance.terminated")
    world.client("ec2").terminate_instances(InstanceIds=[instance])
    return Call(
        {"instancesSet": {"items": [{"instanceId": instance}]}},
        {
            "instancesSet": {
                "items": [
                    {
                        "instanceId": instance,
                        "currentState": {"code": 32, "name": "shutting-down"},
                        "previousState": {"code": 16, "name": "running"},
                    }
                ]
            }
        },
    )


def ebs_default_on(world: World) -> Call:
    world.client("ec2").enable_ebs_encryption_by_default()
    return Call(
        {"EnableEbsEncryptionByDefaultRequest": ""},
        {"EnableEbsEncryptionByDefaultResponse": {"ebsEncryptionByDefault": True}},
    )


def volume_attached(world: World) -> Call:
    volume, instance = world.id("aws_ebs_volume.vol_loose"), world.id("aws_instance.host")
    world.client("ec2").attach_volume(VolumeId=volume, InstanceId=instance, Device="/dev/sdg")
    return Call(
        {"volumeId": volume, "instanceId": instance, "device": "/dev/sdg"},
        {"volumeId": volume, "instanceId": instance, "device": "/dev/sdg", "status": "attaching"},
    )


def volume_detached(world: World) -> Call:
    volume, instance = world.id("aws_ebs_volume.vol_attached"), world.id("aws_instance.host")
    world.client("ec2").detach_volume(VolumeId=volume, InstanceId=instance, Device="/dev/sdh")
    return Call(
        {"volumeId": volume, "instanceId": instance, "device": "/dev/sdh"},
        {"volumeId": volume, "instanceId": instance, "device": "/dev/sdh", "status": "detaching"},
    )


def address_disassociated(world: World) -> Call:
    association = world.id("aws_eip_association.eip_host")
    world.client("ec2").disassociate_address(AssociationId=association)
    return Call({"associationId": association}, {"_return": True})


HOST = """
resource "aws_ebs_volume" "vol_attached" {
  availability_zone = "us-east-1a"
  size              = 10
}

resource "aws_volume_attachment" "vol_attached" {
  device_name = "/dev/sdh"
  volume_id   = aws_ebs_volume.vol_attached.id
  instance_id = aws_instance.host.id
}

resource "aws_eip" "eip_host" {
  domain = "vpc"
}

resource "aws_eip_association" "eip_host" {
  allocation_id = aws_eip.eip_host.id
  instance_id   = aws_instance.host.id
}
"""


def _association_of(world: World, instance: str) -> str:
    found = world.client("ec2").describe_iam_instance_profile_associations(
        Filters=[{"Name": "instance-id", "Values": [instance]}]
    )["IamInstanceProfileAssociations"]
    return str(found[0]["AssociationId"])


def _profile_answer(answer: dict[str, Any], call: str) -> dict[str, Any]:
    made = answer["IamInstanceProfileAssociation"]
    association = {
        "associationId": made["AssociationId"],
        "iamInstanceProfile": {
            "arn": made["IamInstanceProfile"]["Arn"],
            "id": made["IamInstanceProfile"]["Id"],
        },
        "instanceId": made["InstanceId"],
        "state": made["State"],
    }
    return {f"{call}Response": {"iamInstanceProfileAssociation": association}}


def profile_associated(world: World) -> Call:
    instance = world.id("aws_instance.profile_none")
    answer = world.client("ec2").associate_iam_instance_profile(
        IamInstanceProfile={"Name": "oracle-ec2-b"}, InstanceId=instance
    )
    request = {"IamInstanceProfile": {"Name": "oracle-ec2-b"}, "InstanceId": instance}
    return Call(
        {"AssociateIamInstanceProfileRequest": request},
        _profile_answer(answer, "AssociateIamInstanceProfile"),
    )


def profile_removed(world: World) -> Call:
    association = _association_of(world, world.id("aws_instance.profile_gone"))
    answer = world.client("ec2").disassociate_iam_instance_profile(AssociationId=association)
    return Call(
        {"DisassociateIamInstanceProfileRequest": {"AssociationId": association}},
        _profile_answer(answer, "DisassociateIamInstanceProfile"),
    )


def address_associated(world: World) -> Call:
    allocation = world.id("aws_eip.eip_loose")
    instance = world.id("aws_instance.eip_target")
    answer = world.client("ec2").associate_address(AllocationId=allocation, InstanceId=instance)
    return Call(
        {"allocationId": allocation, "instanceId": instance},
        {"_return": True, "associationId": answer["AssociationId"]},
    )


def address_on_interface(world: World) -> Call:
    """AssociateAddress naming the instance's primary interface only: on AWS the address then
    reports the instance too (DescribeAddresses' InstanceId), which the row reads from the
    instance's state; moto 5.2.6 reports no instance (its associate_address keeps the instance
    only when the call names one), so Terraform's drift here shows network_interface alone."""
    allocation = world.id("aws_eip.eip_nic")
    interface = world.attrs("aws_instance.eip_nic_host")["primary_network_interface_id"]
    answer = world.client("ec2").associate_address(
        AllocationId=allocation, NetworkInterfaceId=interface
    )
    return Call(
        {"allocationId": allocation, "networkInterfaceId": interface},
        {"_return": True, "associationId": answer["AssociationId"]},
    )


def rule_modified(world: World) -> Call:
    group = world.id("aws_security_group.sgr_host")
    rule = world.id("aws_vpc_security_group_ingress_rule.sgr_https")
    new = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv4": "0.0.0.0/0"}
    world.client("ec2").modify_security_group_rules(
        GroupId=group, SecurityGroupRules=[{"SecurityGroupRuleId": rule, "SecurityGroupRule": new}]
    )
    # One update is recorded as an object, several as a list (tests/catalog/test_ec2.py).
    update = {"SecurityGroupRuleId": rule, "SecurityGroupRule": new, "tag": 1}
    request = {"GroupId": group, "SecurityGroupRule": update}
    return Call({"ModifySecurityGroupRulesRequest": request}, {"_return": True})


def instance_launched(world: World) -> Call:
    subnet = world.id("aws_subnet.instances")
    answer = world.client("ec2").run_instances(
        ImageId=AMI, InstanceType="t3.micro", SubnetId=subnet, MinCount=1, MaxCount=1
    )
    made = answer["Instances"][0]
    groups = [
        {"groupId": g["GroupId"], "groupName": g["GroupName"]} for g in made["SecurityGroups"]
    ]
    request = {
        "instanceType": "t3.micro",
        "instancesSet": {"items": [{"imageId": AMI, "minCount": 1, "maxCount": 1}]},
        "subnetId": subnet,
    }
    launched = {
        "instanceId": made["InstanceId"],
        "imageId": made["ImageId"],
        "instanceType": made["InstanceType"],
        "subnetId": made["SubnetId"],
        "vpcId": made["VpcId"],
        "groupSet": {"items": groups},
        "instanceState": {"code": 0, "name": "pending"},
    }
    response = {
        "groupSet": {},
        "instancesSet": {"items": [launched]},
        "ownerId": answer.get("OwnerId"),
        "reservationId": answer["ReservationId"],
    }
    return Call(request, response)


PROFILES = """
resource "aws_iam_role" "ec2" {
  name = "oracle-ec2"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_instance_profile" "ec2_a" {
  name = "oracle-ec2-a"
  role = aws_iam_role.ec2.name
}

resource "aws_iam_instance_profile" "ec2_b" {
  name = "oracle-ec2-b"
  role = aws_iam_role.ec2.name
}
"""
# A literal (not a reference) so that import may write over it; depends_on orders the apply.
PROFILE_A = """  iam_instance_profile = "oracle-ec2-a"
  depends_on           = [aws_iam_instance_profile.ec2_a]
"""
LOOSE_EIP = """
resource "aws_eip" "eip_loose" {
  domain = "vpc"
}
"""
SG_RULE = """
resource "aws_security_group" "sgr_host" {
  name   = "sgr-host"
  vpc_id = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "sgr_https" {
  security_group_id = aws_security_group.sgr_host.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "10.0.0.0/8"
}
"""


def _case(id_: str, event: str, act: Any, address: str, hcl: str, **kw: Any) -> Case:
    return Case(
        id=id_,
        event=event,
        source=EC2,
        fixture=kw.pop("fixture", SG_FIXTURE),
        hcl=hcl,
        address=address,
        act=act,
        **kw,
    )


CASES = (
    _case(
        "sg_ingress_add",
        "AuthorizeSecurityGroupIngress",
        authorize_ingress,
        "aws_security_group.sg_ingress_add",
        VPC + _sg("sg_ingress_add", _HTTPS_IN, _ALL_OUT),
    ),
    _case(
        "sg_egress_add",
        "AuthorizeSecurityGroupEgress",
        authorize_egress,
        "aws_security_group.sg_egress_add",
        _sg("sg_egress_add", _HTTPS_IN, _ALL_OUT),
    ),
    _case(
        "sg_ingress_revoke",
        "RevokeSecurityGroupIngress",
        revoke_ingress,
        "aws_security_group.sg_ingress_revoke",
        _sg("sg_ingress_revoke", _HTTPS_IN, _ALL_OUT),
    ),
    _case(
        "sg_egress_revoke",
        "RevokeSecurityGroupEgress",
        revoke_egress,
        "aws_security_group.sg_egress_revoke",
        _sg("sg_egress_revoke", _HTTPS_IN, _ALL_OUT),
    ),
    _case(
        "sg_ingress_describe",
        "UpdateSecurityGroupRuleDescriptionsIngress",
        describe_ingress,
        "aws_security_group.sg_ingress_describe",
        _sg("sg_ingress_describe", _HTTPS_IN, _ALL_OUT),
    ),
    _case(
        "sg_egress_describe",
        "UpdateSecurityGroupRuleDescriptionsEgress",
        describe_egress,
        "aws_security_group.sg_egress_describe",
        _sg("sg_egress_describe", _HTTPS_IN, _ALL_OUT),
    ),
    _case(
        "subnet_created",
        "CreateSubnet",
        create_subnet,
        "aws_subnet",
        "",
        fixture="ec2-s3/panther-ec2-create-vpc-console.json",
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "vpc_deleted",
        "DeleteVpc",
        delete_vpc,
        "aws_vpc.vpc_deleted",
        _vpc("vpc_deleted"),
        fixture="ec2-s3/panther-ec2-create-vpc-console.json",
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "sg_created",
        "CreateSecurityGroup",
        create_group,
        "aws_security_group",
        "",
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "sg_deleted",
        "DeleteSecurityGroup",
        delete_group,
        "aws_security_group.sg_deleted",
        _sg("sg_deleted", _HTTPS_IN, _ALL_OUT),
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "vpc_dns",
        "ModifyVpcAttribute",
        vpc_dns_hostnames,
        "aws_vpc.vpc_dns",
        _vpc("vpc_dns"),
        fixture="ec2-s3/panther-ec2-create-vpc-console.json",
    ),
    _case(
        "vpc_dns_noop",
        "ModifyVpcAttribute",
        vpc_dns_support_noop,
        "aws_vpc.vpc_noop",
        _vpc("vpc_noop"),
        fixture="ec2-s3/panther-ec2-create-vpc-console.json",
        kind="noop",
    ),
    _case(
        "subnet_public",
        "ModifySubnetAttribute",
        subnet_public,
        "aws_subnet.subnet_public",
        _subnet("subnet_public", "10.0.1.0/24"),
        fixture="ec2-s3/panther-ec2-create-vpc-console.json",
    ),
    _case(
        "vpc_tagged",
        "CreateTags",
        tag_vpc,
        "aws_vpc.vpc_tagged",
        _vpc("vpc_tagged", '  tags = {\n    team = "core"\n  }\n'),
        fixture="ec2-s3/panther-ec2-create-vpc-console.json",
    ),
    _case(
        "subnet_untagged",
        "DeleteTags",
        untag_subnet,
        "aws_subnet.subnet_untagged",
        _subnet("subnet_untagged", "10.0.2.0/24", '  tags = {\n    tier = "web"\n  }\n'),
        fixture="ec2-s3/panther-ec2-create-vpc-console.json",
    ),
    _case(
        "vpc_created",
        "CreateVpc",
        create_vpc,
        "aws_vpc",
        "",
        fixture="ec2-s3/panther-ec2-create-vpc-console.json",
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "subnet_deleted",
        "DeleteSubnet",
        delete_subnet,
        "aws_subnet.subnet_deleted",
        _subnet("subnet_deleted", "10.0.3.0/24"),
        fixture="ec2-s3/panther-ec2-create-vpc-console.json",
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "volume_resized",
        "ModifyVolume",
        resize_volume,
        "aws_ebs_volume.volume_resized",
        _volume("volume_resized"),
    ),
    _case(
        "volume_deleted",
        "DeleteVolume",
        delete_volume,
        "aws_ebs_volume.volume_deleted",
        _volume("volume_deleted"),
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "eip_released",
        "ReleaseAddress",
        release_address,
        "aws_eip.eip_released",
        '\nresource "aws_eip" "eip_released" {\n  domain = "vpc"\n}\n',
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "igw_deleted",
        "DeleteInternetGateway",
        delete_gateway,
        "aws_internet_gateway.igw_deleted",
        '\nresource "aws_internet_gateway" "igw_deleted" {\n}\n',
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "rtb_deleted",
        "DeleteRouteTable",
        delete_route_table,
        "aws_route_table.rtb_deleted",
        '\nresource "aws_route_table" "rtb_deleted" {\n  vpc_id = aws_vpc.main.id\n}\n',
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "imds",
        "ModifyInstanceMetadataOptions",
        imds_required,
        "aws_instance.imds",
        INSTANCE_SUBNET + _instance("imds"),
        fixture="ec2-s3/awsdocs-ec2-terminate-instances.json",
        # moto reads metadata_options back without http_endpoint/http_protocol_ipv6: once an
        # import writes a metadata_options block, the provider plans its defaults ("enabled",
        # "disabled") as an update. Only the revert is judged.
        strategies=("revert",),
        known={
            "test_revert_plans_the_drift_back": (
                "moto's ModifyInstanceMetadataOptions drops the options the call does not name "
                "(Terraform's drift: http_endpoint, http_protocol_ipv6, instance_metadata_tags "
                '-> ""; AWS keeps them). The revert writes metadata_options { http_tokens = '
                '"optional" } and the plan sets http_tokens back (the two defaults too), but '
                'keeps instance_metadata_tags (optional+computed) at moto\'s "", not the old '
                '"disabled"'
            )
        },
    ),
    _case(
        "protected",
        "ModifyInstanceAttribute",
        termination_protected,
        "aws_instance.protected",
        _instance("protected"),
        fixture="ec2-s3/awsdocs-ec2-terminate-instances.json",
    ),
    _case(
        "terminated",
        "TerminateInstances",
        instance_terminated,
        "aws_instance.terminated",
        _instance("terminated"),
        fixture="ec2-s3/awsdocs-ec2-terminate-instances.json",
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "ebs_default_on",
        "EnableEbsEncryptionByDefault",
        ebs_default_on,
        "aws_ebs_encryption_by_default.account",
        'resource "aws_ebs_encryption_by_default" "account" {\n  enabled = false\n}\n',
    ),
    _case(
        "volume_attached",
        "AttachVolume",
        volume_attached,
        "aws_volume_attachment",
        _instance("host") + _volume("vol_loose"),
        fixture="ec2-s3/awsdocs-ec2-terminate-instances.json",
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "volume_detached",
        "DetachVolume",
        volume_detached,
        "aws_volume_attachment.vol_attached",
        HOST,
        fixture="ec2-s3/awsdocs-ec2-terminate-instances.json",
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "eip_host",
        "DisassociateAddress",
        address_disassociated,
        "aws_eip_association.eip_host",
        "",
        fixture="ec2-s3/awsdocs-ec2-terminate-instances.json",
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "profile_associated",
        "AssociateIamInstanceProfile",
        profile_associated,
        "aws_instance.profile_none",
        PROFILES + _instance("profile_none"),
        fixture="ec2-s3/awsdocs-ec2-terminate-instances.json",
        # The code leaves iam_instance_profile unset (optional+computed): revert refuses, no
        # code makes Terraform take the profile away again.
        strategies=("import",),
    ),
    _case(
        "profile_removed",
        "DisassociateIamInstanceProfile",
        profile_removed,
        "aws_instance.profile_gone",
        _instance("profile_gone", PROFILE_A),
        fixture="ec2-s3/awsdocs-ec2-terminate-instances.json",
    ),
    _case(
        "eip_associated",
        "AssociateAddress",
        address_associated,
        "aws_eip.eip_loose",
        LOOSE_EIP + _instance("eip_target"),
        fixture="ec2-s3/awsdocs-ec2-terminate-instances.json",
        # instance was empty (optional+computed): revert refuses, no code sets it back.
        strategies=("import",),
    ),
    _case(
        "eip_on_interface",
        "AssociateAddress",
        address_on_interface,
        "aws_eip.eip_nic",
        '\nresource "aws_eip" "eip_nic" {\n  domain = "vpc"\n}\n' + _instance("eip_nic_host"),
        fixture="ec2-s3/awsdocs-ec2-terminate-instances.json",
        # The import writes the interface the call named (instance is derived from it and
        # read back): it plans clean on moto and on AWS alike. instance was empty
        # (optional+computed): revert refuses, no code sets it back.
        strategies=("import",),
        known={
            "test_changes_agree_with_terraform": (
                "moto defect: moto 5.2.6's AssociateAddress naming only an interface sets the "
                "address's instance to none (ec2/models/elastic_ip_addresses.py: `eip.instance "
                "= instance`, None when the call names no instance), so DescribeAddresses "
                'answers InstanceId "" and Terraform\'s drift shows network_interface alone; '
                "AWS reports the instance the interface is attached to, which the row reads "
                'from the instance\'s state (instance "" -> its id)'
            )
        },
    ),
    _case(
        "sgr_modified",
        "ModifySecurityGroupRules",
        rule_modified,
        "aws_vpc_security_group_ingress_rule.sgr_https",
        SG_RULE,
    ),
    _case(
        "instance_launched",
        "RunInstances",
        instance_launched,
        "aws_instance",
        "",
        fixture="ec2-s3/panther-ec2-run-instances-console.json",
        kind="unmanaged",
        strategies=("import",),
    ),
)
