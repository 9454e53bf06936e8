"""EC2 catalog rows: instances and tags, and the whole EC2 table (``RULES``).

Security-group rows are in ``ec2_sg_table.py`` (semantics in ``ec2_sg.py`` and
``ec2_sg_resources.py``); VPC, subnet, volume, key-pair and sharing rows in ``ec2_network.py``;
EC2-specific effects in ``ec2_effects.py``.

Targets of one rule are tried in order and the first that lands wins (``Engine.evaluate``);
``Engine.observe`` replays an event with the *first* target of the resource's type, so a type's
effectful target always comes before its resource-level twin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.catalog.ec2_effects import (
    CreateTags,
    DeleteTags,
    LaunchedField,
    UserData,
    group_ids,
    instance_attr,
    launched_by_aws_service,
    managed_ids,
    prefixed_ids,
    spec_tags,
    with_fallback,
    wrapped,
)
from tfdrift_gitops.core.catalog.ec2_network import NETWORK_RULES
from tfdrift_gitops.core.catalog.ec2_sg import (
    VPC_EGRESS_RULE,
    VPC_INGRESS_RULE,
)
from tfdrift_gitops.core.catalog.ec2_sg_table import SECURITY_GROUP_RULES
from tfdrift_gitops.core.catalog.model import (
    Action,
    Extractor,
    Rule,
    Set,
    Target,
    as_bool,
    as_int,
    as_set,
    as_str,
    id_list,
    item_list,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.models import CloudEvent, Severity

EC2 = "ec2.amazonaws.com"
SG = "aws_security_group"
INSTANCE = "aws_instance"


# --------------------------------------------------------------------------- instances


def _flag(name: str) -> Extractor:
    return mapped(instance_attr(name), as_bool)


def _termination_protection_off(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    if _flag("disableApiTermination")(event) is False:
        return Severity.HIGH, "termination protection turned off"
    return None


def _user_data_rewritten(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    if instance_attr("userData")(event) is not MISSING:
        return Severity.HIGH, "user data rewritten (runs as root at the next boot)"
    return None


_INSTANCE_FLAGS = {
    "disable_api_termination": "disableApiTermination",
    "disable_api_stop": "disableApiStop",
    "source_dest_check": "sourceDestCheck",
    "ebs_optimized": "ebsOptimized",
}
_INSTANCE_TEXT = {
    "instance_type": "instanceType",
    "instance_initiated_shutdown_behavior": "instanceInitiatedShutdownBehavior",
}

MODIFY_INSTANCE_ATTRIBUTE = Rule(
    event="ModifyInstanceAttribute",
    source=EC2,
    action=Action.MODIFY,
    targets=with_fallback(
        Target(
            type=INSTANCE,
            lookup="id",
            id=req("instanceId"),
            effects=(
                *(Set(path, _flag(name)) for path, name in _INSTANCE_FLAGS.items()),
                *(
                    Set(path, mapped(instance_attr(name), as_str))
                    for path, name in _INSTANCE_TEXT.items()
                ),
                Set("vpc_security_group_ids", mapped(instance_attr("groupSet"), group_ids), as_set),
                UserData("user_data"),
                UserData("user_data_base64"),
            ),
        ),
        *(instance_attr(name) for name in (*_INSTANCE_FLAGS.values(), *_INSTANCE_TEXT.values())),
        instance_attr("groupSet"),
        instance_attr("userData"),
    ),
    severity=Severity.MEDIUM,
    description="instance attribute changed",
    severity_checks=(_termination_protection_off, _user_data_rewritten),
    known_ids=id_list(req("instanceId")),
)

_IMDS = "ModifyInstanceMetadataOptionsRequest"


def _imds_v1(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    tokens = as_str(wrapped(_IMDS, "HttpTokens")(event))
    if isinstance(tokens, str) and tokens.lower() == "optional":
        return Severity.HIGH, "IMDSv1 re-enabled (http_tokens = optional)"
    return None


MODIFY_INSTANCE_METADATA_OPTIONS = Rule(
    event="ModifyInstanceMetadataOptions",
    source=EC2,
    action=Action.MODIFY,
    targets=(
        Target(
            type=INSTANCE,
            lookup="id",
            id=wrapped(_IMDS, "InstanceId"),
            effects=(
                Set(
                    "metadata_options[0].http_tokens", mapped(wrapped(_IMDS, "HttpTokens"), as_str)
                ),
                Set(
                    "metadata_options[0].http_endpoint",
                    mapped(wrapped(_IMDS, "HttpEndpoint"), as_str),
                ),
                Set(
                    "metadata_options[0].http_put_response_hop_limit",
                    mapped(wrapped(_IMDS, "HttpPutResponseHopLimit"), as_int),
                ),
                Set(
                    "metadata_options[0].instance_metadata_tags",
                    mapped(wrapped(_IMDS, "InstanceMetadataTags"), as_str),
                ),
                Set(
                    "metadata_options[0].http_protocol_ipv6",
                    mapped(wrapped(_IMDS, "HttpProtocolIpv6"), as_str),
                ),
            ),
        ),
    ),
    severity=Severity.MEDIUM,
    description="instance metadata options changed",
    severity_checks=(_imds_v1,),
)

TERMINATE_INSTANCES = Rule(
    event="TerminateInstances",
    source=EC2,
    action=Action.DELETE,
    targets=(Target(type=INSTANCE, lookup="id", id=item_list(req("instancesSet"), "instanceId")),),
    severity=Severity.HIGH,
    description="instance terminated",
    known_ids=id_list(item_list(req("instancesSet"), "instanceId")),
)


def _not_service_launch(event: CloudEvent, index: StateIndex) -> bool:
    return not launched_by_aws_service(event)


# StopInstances / StartInstances are deliberately absent: ``instance_state`` is computed and
# Terraform never plans a change for it, so a stopped instance is not configuration drift.
RUN_INSTANCES = Rule(
    event="RunInstances",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type=INSTANCE,
            lookup="id",
            id=item_list(resp("instancesSet"), "instanceId"),
            guard=_not_service_launch,
            effects=(
                LaunchedField("ami", "imageId", "instancesSet.items.0.imageId"),
                LaunchedField("instance_type", "instanceType", "instanceType"),
                LaunchedField("subnet_id", "subnetId", "subnetId"),
                LaunchedField("key_name", "keyName", "keyName"),
                LaunchedField("vpc_security_group_ids", "groupSet", "groupSet", as_list=True),
                Set("tags", spec_tags("instance"), tags_map),
            ),
        ),
    ),
    severity=Severity.MEDIUM,
    description="instance launched outside Terraform",
)

# --------------------------------------------------------------------------- tags

# (id prefix, resource type, state attribute the id is in). Several types share a prefix
# (aws_default_vpc is a vpc-); the first listed is the one unmanaged ids are reported as.
TAGGABLE: tuple[tuple[str, str, str], ...] = (
    ("i", INSTANCE, "id"),
    ("sg", SG, "id"),
    ("sg", "aws_default_security_group", "id"),
    ("vpc", "aws_vpc", "id"),
    ("vpc", "aws_default_vpc", "id"),
    ("subnet", "aws_subnet", "id"),
    ("subnet", "aws_default_subnet", "id"),
    ("igw", "aws_internet_gateway", "id"),
    ("rtb", "aws_route_table", "id"),
    ("rtb", "aws_default_route_table", "id"),
    ("vol", "aws_ebs_volume", "id"),
    ("eni", "aws_network_interface", "id"),
    ("eipalloc", "aws_eip", "id"),
    ("nat", "aws_nat_gateway", "id"),
    ("lt", "aws_launch_template", "id"),
    ("key", "aws_key_pair", "key_pair_id"),
    ("sgr", VPC_INGRESS_RULE, "id"),
    ("sgr", VPC_EGRESS_RULE, "id"),
    ("acl", "aws_network_acl", "id"),
    ("acl", "aws_default_network_acl", "id"),
    ("vpce", "aws_vpc_endpoint", "id"),
    ("pcx", "aws_vpc_peering_connection", "id"),
    ("dopt", "aws_vpc_dhcp_options", "id"),
    ("eigw", "aws_egress_only_internet_gateway", "id"),
    ("ami", "aws_ami", "id"),
    ("ami", "aws_ami_copy", "id"),
    ("ami", "aws_ami_from_instance", "id"),
    ("snap", "aws_ebs_snapshot", "id"),
    ("snap", "aws_ebs_snapshot_copy", "id"),
    ("tgw", "aws_ec2_transit_gateway", "id"),
    ("tgw-attach", "aws_ec2_transit_gateway_vpc_attachment", "id"),
    ("tgw-attach", "aws_ec2_transit_gateway_peering_attachment", "id"),
    ("tgw-rtb", "aws_ec2_transit_gateway_route_table", "id"),
    ("vpn", "aws_vpn_connection", "id"),
    ("vpce-svc", "aws_vpc_endpoint_service", "id"),
    ("cvpn-endpoint", "aws_ec2_client_vpn_endpoint", "id"),
    ("eice", "aws_ec2_instance_connect_endpoint", "id"),
    ("vgw", "aws_vpn_gateway", "id"),
    ("cgw", "aws_customer_gateway", "id"),
    ("fl", "aws_flow_log", "id"),
    ("pl", "aws_ec2_managed_prefix_list", "id"),
)

_RESOURCE_IDS = item_list(req("resourcesSet"), "resourceId")


def _tag_targets(effect: CreateTags | DeleteTags) -> tuple[Target, ...]:
    """One target per type, guarded by "this id is that type in state"; then, per prefix, an
    unguarded fallback so unknown ids still count (and reach open unmanaged drifts).

    The rules fan out: one call naming ids of several types reports every managed one.
    """
    guarded = []
    fallbacks: dict[str, Target] = {}
    for prefix, rtype, key in TAGGABLE:
        ids = prefixed_ids(_RESOURCE_IDS, prefix)
        guarded.append(
            Target(
                type=rtype,
                lookup=key,
                id=ids,
                effects=(effect,),
                guard=managed_ids(rtype, key, ids),
            )
        )
        fallbacks.setdefault(prefix, Target(type=rtype, lookup=key, id=ids, effects=(effect,)))
    return (*guarded, *fallbacks.values())


CREATE_TAGS = Rule(
    event="CreateTags",
    source=EC2,
    action=Action.MODIFY,
    targets=_tag_targets(CreateTags()),
    severity=Severity.LOW,
    description="tags added or changed",
    fan_out=True,
    known_ids=id_list(_RESOURCE_IDS),
)

DELETE_TAGS = Rule(
    event="DeleteTags",
    source=EC2,
    action=Action.MODIFY,
    targets=_tag_targets(DeleteTags()),
    severity=Severity.LOW,
    description="tags removed",
    fan_out=True,
    known_ids=id_list(_RESOURCE_IDS),
)

RULES: tuple[Rule, ...] = (
    *SECURITY_GROUP_RULES,
    MODIFY_INSTANCE_ATTRIBUTE,
    MODIFY_INSTANCE_METADATA_OPTIONS,
    TERMINATE_INSTANCES,
    RUN_INSTANCES,
    CREATE_TAGS,
    DELETE_TAGS,
    *NETWORK_RULES,
)
