"""Hostile request/response shapes never crash an EC2 row (property test through the engine).

Events start from request/response shapes that reach every row's effects, then have subtrees
replaced by hostile JSON built from the very keys the rows read (a string where ``items``
should be, ``null`` ports, a list for ``groupId``...), and go through the real normaliser. The
ids the state knows are in the vocabulary, so findings land on managed resources and their
effects run on the odd shapes. Each record is accounted for (tests/accounting.py): a counted
error, one skip under a known reason, or drifts of a known kind whose records round-trip.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.accounting import account
from tests.catalog.conftest import ACCOUNT, CONSOLE_UA, REGION, make_index
from tfdrift_gitops.core.catalog import ec2
from tfdrift_gitops.core.catalog.ec2_sg import LEARNED_RULES_KEY
from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.errors import RecordError

SG = "sg-0123456789abcdef0"
RULE = "sgr-0aaaaaaaaaaaaaaaa"
INSTANCE = "i-0123456789abcdef0"

KEYS = [
    "items",
    "groupId",
    "groupName",
    "ipPermissions",
    "ipProtocol",
    "fromPort",
    "toPort",
    "ipRanges",
    "cidrIp",
    "ipv6Ranges",
    "cidrIpv6",
    "prefixListIds",
    "prefixListId",
    "groups",
    "description",
    "cidrIpv4",
    "isEgress",
    "securityGroupRuleId",
    "securityGroupRuleIds",
    "securityGroupRuleSet",
    "revokedSecurityGroupRuleSet",
    "referencedGroupInfo",
    "ModifySecurityGroupRulesRequest",
    "GroupId",
    "SecurityGroupRule",
    "SecurityGroupRuleId",
    "instanceId",
    "instanceType",
    "value",
    "attribute",
    "userData",
    "groupSet",
    "disableApiTermination",
    "ModifyInstanceMetadataOptionsRequest",
    "InstanceId",
    "HttpTokens",
    "HttpPutResponseHopLimit",
    "instancesSet",
    "imageId",
    "subnetId",
    "keyName",
    "resourcesSet",
    "resourceId",
    "tagSet",
    "key",
    "tagSpecificationSet",
    "resourceType",
    "tags",
    "vpcId",
    "enableDnsHostnames",
    "mapPublicIpOnLaunch",
    "content",
    "createVolumePermission",
    "add",
    "group",
    "userId",
    "snapshotId",
    "volumeId",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=70000),
    st.sampled_from(
        [
            SG,
            RULE,
            INSTANCE,
            "0.0.0.0/0",
            "::/0",
            "not a cidr",
            "-1",
            "tcp",
            "6",
            "22",
            "",
            "<sensitiveDataRemoved>",
            "aGVsbG8=",
            "optional",
            "all",
            "vpc-0a2d20c13642e37cc",
            "vol-0421d4246dcfc2621",
            "key-0123456789abcdef0",
        ]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    ),
    max_leaves=25,
)

BLOCK = {
    "cidr_blocks": ["10.0.0.0/16"],
    "description": "",
    "from_port": 443,
    "ipv6_cidr_blocks": [],
    "prefix_list_ids": [],
    "protocol": "tcp",
    "security_groups": [],
    "self": False,
    "to_port": 443,
}
INDEX = make_index(
    (
        "aws_security_group",
        "web",
        {
            "id": SG,
            "ingress": [BLOCK],
            "egress": "garbage",
            LEARNED_RULES_KEY: {RULE: {"egress": False, "rule": 7}},
        },
    ),
    ("aws_vpc_security_group_ingress_rule", "r", {"id": RULE, "security_group_id": SG}),
    ("aws_instance", "api", {"id": INSTANCE, "metadata_options": "x", "tags": ["odd"]}),
    ("aws_vpc", "main", {"id": "vpc-0a2d20c13642e37cc", "tags_all": "x"}),
    ("aws_ebs_volume", "data", {"id": "vol-0421d4246dcfc2621"}),
    ("aws_key_pair", "k", {"id": "k", "key_pair_id": "key-0123456789abcdef0"}),
)
PERM = {
    "ipProtocol": "tcp",
    "fromPort": 22,
    "toPort": 22,
    "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0", "description": "x"}]},
    "ipv6Ranges": {"items": [{"cidrIpv6": "::/0"}]},
    "prefixListIds": {"items": [{"prefixListId": "pl-0123abcd"}]},
    "groups": {"items": [{"groupId": SG}]},
}
RULE_ITEM = {
    "securityGroupRuleId": RULE,
    "isEgress": False,
    "ipProtocol": "tcp",
    "fromPort": 22,
    "toPort": 22,
    "cidrIpv4": "0.0.0.0/0",
    "groupId": SG,
}
SG_REQUEST = {
    "groupId": SG,
    "ipPermissions": {"items": [PERM]},
    "securityGroupRuleIds": {"items": [{"securityGroupRuleId": RULE}]},
    "cidrIp": "10.0.0.0/8",
    "ipProtocol": "tcp",
    "fromPort": "1",
    "toPort": "2",
}
SG_RESPONSE = {
    "securityGroupRuleSet": {"items": [RULE_ITEM]},
    "revokedSecurityGroupRuleSet": {"items": [RULE_ITEM]},
    "groupId": SG,
}
TAGS_REQUEST = {
    "resourcesSet": {"items": [{"resourceId": INSTANCE}, {"resourceId": "vol-0421d4246dcfc2621"}]},
    "tagSet": {"items": [{"key": "a", "value": "b"}, {"key": "c"}]},
}
# (request, response) shapes that reach every row's effects; mutations then break them.
TEMPLATES: dict[str, tuple[Any, Any]] = {
    name: (SG_REQUEST, SG_RESPONSE)
    for name in sorted(rule.event for rule in ec2.RULES)
    if "SecurityGroup" in name
}
TEMPLATES.update(
    {
        "ModifySecurityGroupRules": (
            {
                "ModifySecurityGroupRulesRequest": {
                    "GroupId": SG,
                    "SecurityGroupRule": [
                        {
                            "SecurityGroupRuleId": RULE,
                            "SecurityGroupRule": {
                                "IpProtocol": "tcp",
                                "FromPort": 22,
                                "ToPort": 22,
                                "CidrIpv4": "0.0.0.0/0",
                            },
                        }
                    ],
                }
            },
            None,
        ),
        "ModifyInstanceAttribute": (
            {
                "instanceId": INSTANCE,
                "instanceType": {"value": "m5.large"},
                "userData": {"value": "aGVsbG8="},
                "groupSet": {"items": [{"groupId": SG}]},
                "disableApiTermination": {"value": False},
                "attribute": "userData",
                "value": "x",
            },
            None,
        ),
        "ModifyInstanceMetadataOptions": (
            {
                "ModifyInstanceMetadataOptionsRequest": {
                    "InstanceId": INSTANCE,
                    "HttpTokens": "optional",
                    "HttpPutResponseHopLimit": 3,
                }
            },
            None,
        ),
        "TerminateInstances": ({"instancesSet": {"items": [{"instanceId": INSTANCE}]}}, None),
        "RunInstances": (
            {
                "instancesSet": {"items": [{"imageId": "ami-1"}]},
                "instanceType": "t3.micro",
                "groupSet": {"items": [{"groupId": SG}]},
                "tagSpecificationSet": {
                    "items": [{"resourceType": "instance", "tags": [{"key": "a", "value": "b"}]}]
                },
            },
            {
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": "i-0aaaaaaaaaaaaaaa1",
                            "imageId": "ami-1",
                            "groupSet": {"items": [{"groupId": SG}]},
                        }
                    ]
                }
            },
        ),
        "CreateTags": (TAGS_REQUEST, None),
        "DeleteTags": (TAGS_REQUEST, None),
        "ModifyVpcAttribute": (
            {"vpcId": "vpc-0a2d20c13642e37cc", "enableDnsHostnames": {"value": False}},
            None,
        ),
    }
)
EVENT_NAMES = sorted(rule.event for rule in ec2.RULES)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for n, value in enumerate(doc):
            out += _paths(value, (*prefix, n))
    return out


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        return {**doc, head: _replace(doc[head], rest, value)}
    copy = list(doc)
    copy[head] = _replace(copy[head], rest, value)
    return copy


@st.composite
def mutated(draw: st.DrawFn, template: Any) -> Any:
    """The template with up to three subtrees (or the whole) replaced by hostile JSON."""
    doc = template
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        path = draw(st.sampled_from(_paths(doc)))
        doc = _replace(doc, path, draw(JSON))
    return doc


def raw_record(name: str, request: Any, response: Any, position: int) -> dict[str, Any]:
    """A CloudTrail record as AWS writes it, from the console, by a person in the account."""
    return {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:alan@acme.example",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/AdministratorAccess/alan@acme.example",
            "accountId": ACCOUNT,
        },
        "eventTime": f"2026-11-20T09:{position:02d}:00Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": "203.0.113.42",
        "userAgent": CONSOLE_UA,
        "requestParameters": request,
        "responseElements": response,
        "eventID": f"fuzz-{position}",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT,
    }


@st.composite
def hostile_record(draw: st.DrawFn, position: int) -> dict[str, Any]:
    name = draw(st.sampled_from(EVENT_NAMES))
    request, response = TEMPLATES.get(name, ({}, None))
    return raw_record(name, draw(mutated(request)), draw(mutated(response)), position)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), count=st.integers(min_value=1, max_value=3))
def test_hostile_shapes_never_crash(data: st.DataObject, count: int) -> None:
    detector = Detector(Engine(INDEX))
    for position in range(count):
        record = data.draw(hostile_record(position))
        refused: RecordError | None = None
        try:
            event = normalize_record(record, f"fuzz#{position}")
        except RecordError as error:
            refused = error
        if refused is not None:
            # Only a document that is not an object is refused whole: a counted error.
            message = str(refused)
            assert re.match(rf"fuzz#{position}: (requestParameters|responseElements) ", message)
            assert not all(
                isinstance(d, dict)
                for d in (record["requestParameters"], record["responseElements"])
            )
            errors = len(detector.tally.errors)
            detector.feed([refused])
            assert len(detector.tally.errors) == errors + 1
            continue
        # Each event: one skip under a known reason, or drifts of a known kind that hold it
        # and survive their JSON record (tests/accounting.py).
        account(detector, event)
