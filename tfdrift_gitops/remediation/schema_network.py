"""What the AWS provider (5.100.0) lets a configuration set for the VPC types the catalog covers:
VPCs and subnets, routes and route tables, network ACLs, gateways, elastic IPs, endpoints and
flow logs.

Arguments and computed attributes are those ``terraform providers schema -json`` lists for
hashicorp/aws 5.100.0 (required or optional = configurable; ``id``, ``arn``, ``tags_all``
never written). ``route`` and ``ingress``/``egress`` are sets of objects the configuration
writes as blocks. Import ids follow the provider's import documentation (a route is
``<rtb>_<destination>``, a NACL rule ``<acl>:<number>:<protocol>:<egress>``, an internet
gateway attachment ``<igw>:<vpc>``, a route table association ``<subnet or gateway>/<rtb>``).
Loaded by ``schema`` after its table.
"""

from __future__ import annotations

from types import MappingProxyType

from tfdrift_gitops.remediation.schema import ResourceSchema, _add, _block


def _id(prefix: str) -> str:
    return prefix + r"-[0-9a-f]{8,17}"


_CIDR = r"[0-9a-fA-F:.]+/\d{1,3}"

_ROUTE_FIELDS = (
    "cidr_block",
    "ipv6_cidr_block",
    "destination_prefix_list_id",
    "carrier_gateway_id",
    "core_network_arn",
    "egress_only_gateway_id",
    "gateway_id",
    "local_gateway_id",
    "nat_gateway_id",
    "network_interface_id",
    "transit_gateway_id",
    "vpc_endpoint_id",
    "vpc_peering_connection_id",
)
_ROUTE_BLOCK = _block(
    *_ROUTE_FIELDS,
    is_set=True,
    identity=("cidr_block", "ipv6_cidr_block", "destination_prefix_list_id"),
)
_DEFAULT_ROUTE_BLOCK = _block(
    *(f for f in _ROUTE_FIELDS if f not in ("carrier_gateway_id", "local_gateway_id")),
    "instance_id",
    is_set=True,
    identity=("cidr_block", "ipv6_cidr_block", "destination_prefix_list_id"),
)
_NACL_ENTRY = _block(
    "rule_no",
    "action",
    "protocol",
    "cidr_block",
    "ipv6_cidr_block",
    "from_port",
    "to_port",
    "icmp_type",
    "icmp_code",
    is_set=True,
    identity=("rule_no",),
)

_add(
    ResourceSchema(
        type="aws_vpc",
        arguments=(
            "cidr_block",
            "instance_tenancy",
            "enable_dns_support",
            "enable_dns_hostnames",
            "enable_network_address_usage_metrics",
            "assign_generated_ipv6_cidr_block",
            "ipv4_ipam_pool_id",
            "ipv4_netmask_length",
            "ipv6_cidr_block",
            "ipv6_cidr_block_network_border_group",
            "ipv6_ipam_pool_id",
            "ipv6_netmask_length",
            "tags",
        ),
        computed=frozenset(
            {
                "arn",
                "default_network_acl_id",
                "default_route_table_id",
                "default_security_group_id",
                "dhcp_options_id",
                "ipv6_association_id",
                "main_route_table_id",
                "owner_id",
            }
        ),
        true_defaults=frozenset({"enable_dns_support"}),
        import_pattern=_id("vpc"),
    )
)
_add(
    ResourceSchema(
        type="aws_subnet",
        arguments=(
            "vpc_id",
            "cidr_block",
            "availability_zone",
            "availability_zone_id",
            "ipv6_cidr_block",
            "ipv6_native",
            "map_public_ip_on_launch",
            "assign_ipv6_address_on_creation",
            "enable_dns64",
            "enable_lni_at_device_index",
            "enable_resource_name_dns_a_record_on_launch",
            "enable_resource_name_dns_aaaa_record_on_launch",
            "private_dns_hostname_type_on_launch",
            "customer_owned_ipv4_pool",
            "map_customer_owned_ip_on_launch",
            "outpost_arn",
            "tags",
        ),
        computed=frozenset({"arn", "ipv6_cidr_block_association_id", "owner_id"}),
        import_pattern=_id("subnet"),
    )
)
_add(
    ResourceSchema(
        type="aws_route",
        arguments=(
            "route_table_id",
            "destination_cidr_block",
            "destination_ipv6_cidr_block",
            "destination_prefix_list_id",
            "carrier_gateway_id",
            "core_network_arn",
            "egress_only_gateway_id",
            "gateway_id",
            "local_gateway_id",
            "nat_gateway_id",
            "network_interface_id",
            "transit_gateway_id",
            "vpc_endpoint_id",
            "vpc_peering_connection_id",
        ),
        computed=frozenset({"instance_id", "instance_owner_id", "origin", "state"}),
        import_pattern=_id("rtb") + "_(" + _id("pl") + "|" + _CIDR + ")",
    )
)
_add(
    ResourceSchema(
        type="aws_route_table",
        arguments=("vpc_id", "propagating_vgws", "tags"),
        blocks=MappingProxyType({"route": _ROUTE_BLOCK}),
        computed=frozenset({"arn", "owner_id"}),
        set_fields=frozenset({"propagating_vgws"}),
        import_pattern=_id("rtb"),
    )
)
_add(
    ResourceSchema(
        type="aws_default_route_table",
        arguments=("default_route_table_id", "propagating_vgws", "tags"),
        blocks=MappingProxyType({"route": _DEFAULT_ROUTE_BLOCK}),
        computed=frozenset({"arn", "owner_id", "vpc_id"}),
        set_fields=frozenset({"propagating_vgws"}),
        # The provider imports a default route table by its VPC's id.
        import_id="{vpc_id}",
        import_pattern=_id("vpc"),
    )
)
_add(
    ResourceSchema(
        type="aws_route_table_association",
        arguments=("route_table_id", "subnet_id", "gateway_id"),
        import_pattern="("
        + _id("subnet")
        + "|"
        + _id("igw")
        + "|"
        + _id("vgw")
        + ")/"
        + _id("rtb"),
    )
)
_add(
    ResourceSchema(
        type="aws_main_route_table_association",
        arguments=("vpc_id", "route_table_id"),
        computed=frozenset({"original_route_table_id"}),
        import_pattern=r"(?!)",  # the provider has no import for it
    )
)
_add(
    ResourceSchema(
        type="aws_network_acl",
        arguments=("vpc_id", "subnet_ids", "tags"),
        blocks=MappingProxyType({"ingress": _NACL_ENTRY, "egress": _NACL_ENTRY}),
        computed=frozenset({"arn", "owner_id"}),
        set_fields=frozenset({"subnet_ids"}),
        import_pattern=_id("acl"),
    )
)
_add(
    ResourceSchema(
        type="aws_default_network_acl",
        arguments=("default_network_acl_id", "subnet_ids", "tags"),
        blocks=MappingProxyType({"ingress": _NACL_ENTRY, "egress": _NACL_ENTRY}),
        computed=frozenset({"arn", "owner_id", "vpc_id"}),
        set_fields=frozenset({"subnet_ids"}),
        import_pattern=_id("acl"),
    )
)
_add(
    ResourceSchema(
        type="aws_network_acl_rule",
        arguments=(
            "network_acl_id",
            "rule_number",
            "egress",
            "protocol",
            "rule_action",
            "cidr_block",
            "ipv6_cidr_block",
            "from_port",
            "to_port",
            "icmp_type",
            "icmp_code",
        ),
        import_id="{network_acl_id}:{rule_number}:{protocol}:{egress}",
        import_pattern=_id("acl") + r":\d{1,5}:[\w\-]+:(true|false)",
    )
)
_add(
    ResourceSchema(
        type="aws_network_acl_association",
        arguments=("network_acl_id", "subnet_id"),
        import_pattern=_id("aclassoc"),
    )
)
_add(
    ResourceSchema(
        type="aws_internet_gateway",
        arguments=("vpc_id", "tags"),
        computed=frozenset({"arn", "owner_id"}),
        import_pattern=_id("igw"),
    )
)
_add(
    ResourceSchema(
        type="aws_internet_gateway_attachment",
        arguments=("internet_gateway_id", "vpc_id"),
        import_id="{internet_gateway_id}:{vpc_id}",
        import_pattern=_id("igw") + ":" + _id("vpc"),
    )
)
_add(
    ResourceSchema(
        type="aws_nat_gateway",
        arguments=(
            "subnet_id",
            "allocation_id",
            "connectivity_type",
            "private_ip",
            "secondary_allocation_ids",
            "secondary_private_ip_address_count",
            "secondary_private_ip_addresses",
            "tags",
        ),
        computed=frozenset({"association_id", "network_interface_id", "public_ip"}),
        set_fields=frozenset({"secondary_allocation_ids", "secondary_private_ip_addresses"}),
        import_pattern=_id("nat"),
    )
)
_add(
    ResourceSchema(
        type="aws_eip",
        arguments=(
            "domain",
            "instance",
            "network_interface",
            "associate_with_private_ip",
            "address",
            "customer_owned_ipv4_pool",
            "ipam_pool_id",
            "network_border_group",
            "public_ipv4_pool",
            "vpc",
            "tags",
        ),
        computed=frozenset(
            {
                "allocation_id",
                "arn",
                "association_id",
                "carrier_ip",
                "customer_owned_ip",
                "private_dns",
                "private_ip",
                "ptr_record",
                "public_dns",
                "public_ip",
            }
        ),
        import_pattern=_id("eipalloc"),
    )
)
_add(
    ResourceSchema(
        type="aws_eip_association",
        arguments=(
            "allocation_id",
            "instance_id",
            "network_interface_id",
            "private_ip_address",
            "public_ip",
            "allow_reassociation",
        ),
        import_pattern=_id("eipassoc"),
    )
)
_add(
    ResourceSchema(
        type="aws_vpc_endpoint",
        arguments=(
            "vpc_id",
            "service_name",
            "vpc_endpoint_type",
            "auto_accept",
            "ip_address_type",
            "policy",
            "private_dns_enabled",
            "resource_configuration_arn",
            "route_table_ids",
            "security_group_ids",
            "service_network_arn",
            "service_region",
            "subnet_ids",
            "tags",
        ),
        blocks=MappingProxyType(
            {
                "dns_options": _block(
                    "dns_record_ip_type", "private_dns_only_for_inbound_resolver_endpoint"
                ),
                "subnet_configuration": _block("ipv4", "ipv6", "subnet_id", is_set=True),
            }
        ),
        computed=frozenset(
            {
                "arn",
                "cidr_blocks",
                "dns_entry",
                "network_interface_ids",
                "owner_id",
                "prefix_list_id",
                "requester_managed",
                "state",
            }
        ),
        json_fields=frozenset({"policy"}),
        set_fields=frozenset({"route_table_ids", "security_group_ids", "subnet_ids"}),
        import_pattern=_id("vpce"),
    )
)
_add(
    ResourceSchema(
        type="aws_flow_log",
        arguments=(
            "vpc_id",
            "subnet_id",
            "eni_id",
            "transit_gateway_id",
            "transit_gateway_attachment_id",
            "traffic_type",
            "log_destination_type",
            "log_destination",
            "log_group_name",
            "iam_role_arn",
            "deliver_cross_account_role",
            "max_aggregation_interval",
            "log_format",
            "tags",
        ),
        blocks=MappingProxyType(
            {
                "destination_options": _block(
                    "file_format", "hive_compatible_partitions", "per_hour_partition"
                )
            }
        ),
        computed=frozenset({"arn"}),
        import_pattern=_id("fl"),
    )
)
