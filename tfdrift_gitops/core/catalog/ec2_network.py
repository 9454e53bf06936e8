"""EC2 catalog rows for networking and storage: VPCs, subnets, gateways, route tables, volumes,
elastic IPs, key pairs, and snapshot / AMI sharing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from tfdrift_gitops.core.catalog.ec2_effects import (
    managed_ids,
    spec_tags,
    with_fallback,
    wrapped,
)
from tfdrift_gitops.core.catalog.model import (
    Action,
    Extractor,
    Rule,
    Set,
    Target,
    as_bool,
    as_int,
    as_str,
    exact,
    first,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.paths import items, lookup
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.models import CloudEvent, Severity

EC2 = "ec2.amazonaws.com"


def _flag(name: str) -> Extractor:
    return mapped(req(name), as_bool)


def _delete(
    event: str, rtype: str, id_: Extractor, severity: Severity = Severity.HIGH, *others: str
) -> Rule:
    """``others`` are types that share the id (the default VPC's ``aws_default_vpc``); the id is
    reported as ``rtype`` when it is in no state."""
    types = (rtype, *others)
    targets = (
        _prefer_managed([(Target(type=t, lookup="id", id=id_),) for t in types])
        if others
        else (Target(type=rtype, lookup="id", id=id_),)
    )
    return Rule(
        event=event,
        source=EC2,
        action=Action.DELETE,
        targets=targets,
        severity=severity,
        description=f"{rtype} deleted",
    )


# --------------------------------------------------------------------------- VPC and subnets

_VPC_FLAGS = {
    "enable_dns_hostnames": "enableDnsHostnames",
    "enable_dns_support": "enableDnsSupport",
    "enable_network_address_usage_metrics": "enableNetworkAddressUsageMetrics",
}


def _only_if_managed(target: Target) -> Target:
    managed = managed_ids(target.type, target.lookup, target.id)
    inner = target.guard

    def guard(event: CloudEvent, index: StateIndex) -> bool:
        return managed(event, index) and (inner is None or inner(event, index))

    return replace(target, guard=guard)


def _prefer_managed(by_type: Sequence[tuple[Target, ...]]) -> tuple[Target, ...]:
    """Several types share one id (``aws_vpc`` / ``aws_default_vpc``): each type's targets,
    guarded by "the id is that type in state", then the first type's unguarded as the fallback
    for ids not in state. Per type the effectful target stays first (``observe`` uses it)."""
    managed = tuple(_only_if_managed(t) for group in by_type for t in group)
    return (*managed, *by_type[0])


def _flag_targets(
    types: tuple[str, ...],
    id_: Extractor,
    flags: Mapping[str, str],
    values: Mapping[str, Extractor] | None = None,
) -> Any:
    """Boolean ``flags`` (``{"value": true}`` in CloudTrail) and other ``values`` (plain
    strings or numbers) as ``Set`` effects, per type, with the resource-level fallback for a
    call that sets nothing modelled."""
    extra = dict(values or {})
    groups = []
    for rtype in types:
        target = Target(
            type=rtype,
            lookup="id",
            id=id_,
            effects=(
                *(Set(path, _flag(name)) for path, name in flags.items()),
                *(Set(path, value) for path, value in extra.items()),
            ),
        )
        groups.append(
            with_fallback(target, *(_flag(name) for name in flags.values()), *extra.values())
        )
    return _prefer_managed(groups)


_SUBNET_FLAGS = {
    "map_public_ip_on_launch": "mapPublicIpOnLaunch",
    "assign_ipv6_address_on_creation": "assignIpv6AddressOnCreation",
    "enable_dns64": "enableDns64",
    "map_customer_owned_ip_on_launch": "mapCustomerOwnedIpOnLaunch",
    "enable_resource_name_dns_a_record_on_launch": "enableResourceNameDnsARecordOnLaunch",
    "enable_resource_name_dns_aaaa_record_on_launch": "enableResourceNameDnsAAAARecordOnLaunch",
}
# ModifySubnetAttribute's non-boolean settings arrive as plain values (the subnet settings page
# of the console sends the host name type with the flags).
_SUBNET_VALUES: dict[str, Extractor] = {
    "private_dns_hostname_type_on_launch": mapped(
        first(req("privateDnsHostnameTypeOnLaunch.value"), req("privateDnsHostnameTypeOnLaunch")),
        as_str,
    ),
    "enable_lni_at_device_index": mapped(req("enableLniAtDeviceIndex"), as_int),
    "customer_owned_ipv4_pool": mapped(req("customerOwnedIpv4Pool"), as_str),
}


def _public_on_launch(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    if _flag("mapPublicIpOnLaunch")(event) is True:
        return Severity.HIGH, "instances launched in the subnet now get public IP addresses"
    return None


MODIFY_VPC_ATTRIBUTE = Rule(
    event="ModifyVpcAttribute",
    source=EC2,
    action=Action.MODIFY,
    targets=_flag_targets(("aws_vpc", "aws_default_vpc"), req("vpcId"), _VPC_FLAGS),
    severity=Severity.MEDIUM,
    description="VPC attribute changed",
)

MODIFY_SUBNET_ATTRIBUTE = Rule(
    event="ModifySubnetAttribute",
    source=EC2,
    action=Action.MODIFY,
    targets=_flag_targets(
        ("aws_subnet", "aws_default_subnet"), req("subnetId"), _SUBNET_FLAGS, _SUBNET_VALUES
    ),
    severity=Severity.MEDIUM,
    description="subnet attribute changed",
    severity_checks=(_public_on_launch,),
)

CREATE_VPC = Rule(
    event="CreateVpc",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type="aws_vpc",
            lookup="id",
            id=resp("vpc.vpcId"),
            import_id=resp("vpc.vpcId"),
            effects=(
                Set("cidr_block", req("cidrBlock"), exact),
                Set("instance_tenancy", req("instanceTenancy"), exact),
                Set("tags", spec_tags("vpc"), tags_map),
            ),
        ),
    ),
    severity=Severity.MEDIUM,
    description="VPC created outside Terraform",
)

CREATE_SUBNET = Rule(
    event="CreateSubnet",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type="aws_subnet",
            lookup="id",
            id=resp("subnet.subnetId"),
            import_id=resp("subnet.subnetId"),
            effects=(
                Set("vpc_id", req("vpcId"), exact),
                Set("cidr_block", req("cidrBlock"), exact),
                Set("availability_zone", req("availabilityZone"), exact),
                Set("tags", spec_tags("subnet"), tags_map),
            ),
        ),
    ),
    severity=Severity.MEDIUM,
    description="subnet created outside Terraform",
)

# --------------------------------------------------------------------------- volumes

_VOLUME = "ModifyVolumeRequest"

MODIFY_VOLUME = Rule(
    event="ModifyVolume",
    source=EC2,
    action=Action.MODIFY,
    targets=(
        Target(
            type="aws_ebs_volume",
            lookup="id",
            id=wrapped(_VOLUME, "VolumeId"),
            effects=(
                Set("size", mapped(wrapped(_VOLUME, "Size"), as_int)),
                Set("type", mapped(wrapped(_VOLUME, "VolumeType"), as_str)),
                Set("iops", mapped(wrapped(_VOLUME, "Iops"), as_int)),
                Set("throughput", mapped(wrapped(_VOLUME, "Throughput"), as_int)),
                Set(
                    "multi_attach_enabled", mapped(wrapped(_VOLUME, "MultiAttachEnabled"), as_bool)
                ),
            ),
        ),
    ),
    severity=Severity.MEDIUM,
    description="EBS volume modified",
)

# --------------------------------------------------------------------------- key pairs


def _key_pair_created(event: str, id_: Extractor) -> Rule:
    return Rule(
        event=event,
        source=EC2,
        action=Action.CREATE,
        targets=(
            # aws_key_pair's id is the key name (also its import id).
            Target(
                type="aws_key_pair",
                lookup="id",
                id=id_,
                import_id=id_,
                effects=(
                    Set("key_name", id_, exact),
                    Set("tags", spec_tags("key-pair"), tags_map),
                ),
            ),
        ),
        severity=Severity.MEDIUM,
        description="key pair created outside Terraform",
    )


DELETE_KEY_PAIR = Rule(
    event="DeleteKeyPair",
    source=EC2,
    action=Action.DELETE,
    targets=(
        Target(type="aws_key_pair", lookup="id", id=req("keyName")),
        Target(type="aws_key_pair", lookup="key_pair_id", id=req("keyPairId")),
    ),
    severity=Severity.MEDIUM,
    description="key pair deleted",
)

# --------------------------------------------------------------------------- sharing


def _shared(permission: str) -> Any:
    def check(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
        added = items(lookup(event.request or {}, f"{permission}.add"))
        groups = [lookup(a, "group") for a in added if isinstance(a, Mapping)]
        if any(isinstance(g, str) and g.lower() == "all" for g in groups):
            return Severity.CRITICAL, "made public (shared with every AWS account)"
        accounts = [lookup(a, "userId") for a in added if isinstance(a, Mapping)]
        named = [a for a in accounts if isinstance(a, str) and a]
        if named:
            return Severity.HIGH, "shared with account(s) " + ", ".join(named)
        return None

    return check


def _sharing(event: str, id_: Extractor, types: tuple[str, ...], permission: str) -> Rule:
    """Resource-level: who may use a snapshot / AMI is not an attribute of the resource (it is
    ``aws_snapshot_create_volume_permission`` / ``aws_ami_launch_permission``)."""
    return Rule(
        event=event,
        source=EC2,
        action=Action.MODIFY,
        targets=_prefer_managed([(Target(type=t, lookup="id", id=id_),) for t in types]),
        severity=Severity.MEDIUM,
        description="sharing permissions changed",
        severity_checks=(_shared(permission),),
    )


NETWORK_RULES: tuple[Rule, ...] = (
    MODIFY_VPC_ATTRIBUTE,
    MODIFY_SUBNET_ATTRIBUTE,
    CREATE_VPC,
    CREATE_SUBNET,
    _delete("DeleteVpc", "aws_vpc", req("vpcId"), Severity.HIGH, "aws_default_vpc"),
    _delete("DeleteSubnet", "aws_subnet", req("subnetId"), Severity.HIGH, "aws_default_subnet"),
    _delete("DeleteInternetGateway", "aws_internet_gateway", req("internetGatewayId")),
    _delete("DeleteRouteTable", "aws_route_table", req("routeTableId")),
    _delete(
        "DeleteNatGateway", "aws_nat_gateway", wrapped("DeleteNatGatewayRequest", "NatGatewayId")
    ),
    _delete("DeleteVolume", "aws_ebs_volume", req("volumeId")),
    _delete("ReleaseAddress", "aws_eip", first(req("allocationId"), req("publicIp"))),
    MODIFY_VOLUME,
    _key_pair_created("CreateKeyPair", first(resp("keyName"), req("keyName"))),
    _key_pair_created("ImportKeyPair", first(resp("keyName"), req("keyName"))),
    DELETE_KEY_PAIR,
    _sharing(
        "ModifySnapshotAttribute",
        req("snapshotId"),
        ("aws_ebs_snapshot", "aws_ebs_snapshot_copy"),
        "createVolumePermission",
    ),
    _sharing(
        "ModifyImageAttribute",
        req("imageId"),
        ("aws_ami", "aws_ami_copy", "aws_ami_from_instance"),
        "launchPermission",
    ),
)
