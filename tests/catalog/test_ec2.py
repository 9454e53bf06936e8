"""EC2 security-group rows through the real Engine and fold: a table of named cases.

Each case is a state (small literals) and the events as delivered; the expectation names the
open drift (kind, address, changes, severity), the skip reason, or the resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from tests.catalog.conftest import (
    TERRAFORM_UA,
    Expect,
    ResourceSpec,
    check,
    make_event,
    make_index,
    run_events,
)
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.catalog.ec2_sg import canonical_rules
from tfdrift_gitops.models import CloudEvent, Kind, Severity

SG = "sg-0123456789abcdef0"
OTHER_SG = "sg-0fedcba9876543210"
ARN = f"arn:aws:ec2:us-east-1:123456789012:security-group/{SG}"
RULE_A = "sgr-0aaaaaaaaaaaaaaaa"
RULE_B = "sgr-0bbbbbbbbbbbbbbbb"
RULE_C = "sgr-0cccccccccccccccc"


def block(
    protocol: str = "tcp",
    from_port: int = 0,
    to_port: int | None = None,
    *,
    cidrs: Sequence[str] = (),
    ipv6: Sequence[str] = (),
    prefixes: Sequence[str] = (),
    groups: Sequence[str] = (),
    self_: bool = False,
    description: str = "",
) -> dict[str, Any]:
    """An inline ``ingress``/``egress`` block as the AWS provider writes it to state."""
    return {
        "cidr_blocks": list(cidrs),
        "description": description,
        "from_port": from_port,
        "ipv6_cidr_blocks": list(ipv6),
        "prefix_list_ids": list(prefixes),
        "protocol": protocol,
        "security_groups": list(groups),
        "self": self_,
        "to_port": from_port if to_port is None else to_port,
    }


HTTPS_APP = block(from_port=443, cidrs=["10.0.0.0/16", "10.1.0.0/16"], description="app")
ALL_OUT = block("-1", cidrs=["0.0.0.0/0"])


def sg_attrs(sg_id: str = SG, **extra: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "id": sg_id,
        "arn": f"arn:aws:ec2:us-east-1:123456789012:security-group/{sg_id}",
        "name": "web",
        "description": "web tier",
        "vpc_id": "vpc-0a1b2c3d4e5f60718",
        "ingress": [HTTPS_APP],
        "egress": [ALL_OUT],
        "tags": {"Name": "web"},
        "tags_all": {"Name": "web", "Team": "platform"},
    }
    attrs.update(extra)
    return attrs


WEB: ResourceSpec = ("aws_security_group", "web", sg_attrs())


def perm(
    protocol: Any = "tcp",
    from_port: Any = None,
    to_port: Any = None,
    *,
    cidrs: Sequence[str | tuple[str, str]] = (),
    ipv6: Sequence[str] = (),
    prefixes: Sequence[str] = (),
    groups: Sequence[str] = (),
) -> dict[str, Any]:
    """One ``ipPermissions.items[]`` entry as CloudTrail records it (empty lists as ``{}``)."""

    def wrap(entries: list[dict[str, Any]]) -> dict[str, Any]:
        return {"items": entries} if entries else {}

    item: dict[str, Any] = {
        "ipProtocol": protocol,
        "ipRanges": wrap(
            [
                {"cidrIp": c} if isinstance(c, str) else {"cidrIp": c[0], "description": c[1]}
                for c in cidrs
            ]
        ),
        "ipv6Ranges": wrap([{"cidrIpv6": c} for c in ipv6]),
        "prefixListIds": wrap([{"prefixListId": p} for p in prefixes]),
        "groups": wrap([{"groupId": g, "userId": "123456789012"} for g in groups]),
    }
    if from_port is not None:
        item["fromPort"] = from_port
        item["toPort"] = from_port if to_port is None else to_port
    return item


def rule_item(
    rule_id: str, cidr: str, port: int, *, egress: bool = False, protocol: str = "tcp"
) -> dict[str, Any]:
    """A ``securityGroupRuleSet.items[]`` entry of a response."""
    return {
        "groupId": SG,
        "groupOwnerId": "123456789012",
        "isEgress": egress,
        "ipProtocol": protocol,
        "fromPort": port,
        "toPort": port,
        "cidrIpv4": cidr,
        "securityGroupRuleId": rule_id,
    }


def sg_call(
    name: str,
    *perms: dict[str, Any],
    group: str = SG,
    rules: Sequence[dict[str, Any]] = (),
    rule_ids: Sequence[str] = (),
    revoked: Sequence[dict[str, Any]] = (),
    legacy: dict[str, Any] | None = None,
    **kwargs: Any,
) -> CloudEvent:
    request: dict[str, Any] = {"groupId": group}
    if perms:
        request["ipPermissions"] = {"items": list(perms)}
    if rule_ids:
        request["securityGroupRuleIds"] = {"items": [{"securityGroupRuleId": r} for r in rule_ids]}
    if legacy:
        request.update(legacy)
        request["ipPermissions"] = {}
    response: dict[str, Any] = {"_return": True, "requestId": "r-1"}
    if rules:
        response["securityGroupRuleSet"] = {"items": list(rules)}
    if revoked:
        # RevokedSecurityGroupRule has no owner (the API model's shape, unlike the rule set).
        response["revokedSecurityGroupRuleSet"] = {
            "items": [{k: v for k, v in r.items() if k != "groupOwnerId"} for r in revoked]
        }
    return make_event(name, "ec2", request, response, **kwargs)


def authorize(*perms: dict[str, Any], **kwargs: Any) -> CloudEvent:
    return sg_call("AuthorizeSecurityGroupIngress", *perms, **kwargs)


def revoke(*perms: dict[str, Any], **kwargs: Any) -> CloudEvent:
    return sg_call("RevokeSecurityGroupIngress", *perms, **kwargs)


def vpc_rule(name: str, rule_id: str, cidr: str, port: int, **extra: Any) -> ResourceSpec:
    attrs = {
        "id": rule_id,
        "security_group_rule_id": rule_id,
        "security_group_id": SG,
        "arn": f"arn:aws:ec2:us-east-1:123456789012:security-group-rule/{rule_id}",
        "ip_protocol": "tcp",
        "from_port": port,
        "to_port": port,
        "cidr_ipv4": cidr,
        "cidr_ipv6": None,
        "prefix_list_id": None,
        "referenced_security_group_id": None,
        "description": None,
        "tags": None,
    }
    attrs.update(extra)
    return ("aws_vpc_security_group_ingress_rule", name, attrs)


SEPARATE_WEB: ResourceSpec = ("aws_security_group", "web", sg_attrs(ingress=[], egress=[]))


WORLD_SSH = perm("tcp", 22, cidrs=["0.0.0.0/0"])
NEW_BLOCK_SSH = block(from_port=22, cidrs=["0.0.0.0/0"])

CASES = [
    pytest.param(
        [WEB],
        [authorize(perm("tcp", 8080, cidrs=[("203.0.113.0/24", "partner")]))],
        Expect(
            Kind.MODIFIED,
            "aws_security_group.web",
            {
                "ingress": (
                    [HTTPS_APP],
                    [
                        HTTPS_APP,
                        block(from_port=8080, cidrs=["203.0.113.0/24"], description="partner"),
                    ],
                )
            },
            Severity.MEDIUM,
        ),
        id="authorize-ip-permissions-form",
    ),
    pytest.param(
        [WEB],
        [
            authorize(
                legacy={
                    "cidrIp": "198.51.100.7/32",
                    "ipProtocol": "tcp",
                    "fromPort": "5000",
                    "toPort": "5001",
                }
            )
        ],
        Expect(
            Kind.MODIFIED,
            "aws_security_group.web",
            {
                "ingress": (
                    [HTTPS_APP],
                    [HTTPS_APP, block(from_port=5000, to_port=5001, cidrs=["198.51.100.7/32"])],
                )
            },
            Severity.MEDIUM,
        ),
        id="authorize-legacy-top-level-form-string-ports",
    ),
    pytest.param(
        [WEB],
        [authorize(perm("6", "443", 443, cidrs=[("10.1.0.0/16", "app")]))],
        Expect(skipped="no_change"),
        id="authorize-existing-rule-numeric-protocol-string-port-is-no-change",
    ),
    pytest.param(
        [WEB],
        [sg_call("AuthorizeSecurityGroupEgress", perm("-1", cidrs=["0.0.0.0/0"]))],
        Expect(skipped="no_change"),
        id="authorize-egress-all-traffic-already-in-state",
    ),
    pytest.param(
        [WEB],
        [
            authorize(
                perm(
                    "tcp",
                    "6379",
                    ipv6=["2001:DB8::/32"],
                    prefixes=["pl-0123abcd"],
                    groups=[OTHER_SG, SG],
                )
            )
        ],
        Expect(
            Kind.MODIFIED,
            "aws_security_group.web",
            {
                "ingress": (
                    [HTTPS_APP],
                    [
                        HTTPS_APP,
                        block(from_port=6379, ipv6=["2001:DB8::/32"]),
                        block(from_port=6379, prefixes=["pl-0123abcd"]),
                        block(from_port=6379, groups=[OTHER_SG]),
                        block(from_port=6379, self_=True),
                    ],
                )
            },
            Severity.MEDIUM,
        ),
        id="authorize-ipv6-prefix-list-source-group-and-self",
    ),
    pytest.param(
        [WEB],
        [authorize(WORLD_SSH, time=1), revoke(WORLD_SSH, time=2)],
        Expect(resolved="reverted by alan@acme.example"),
        id="authorize-then-revoke-by-hand-resolves",
    ),
    pytest.param(
        [WEB],
        [
            authorize(WORLD_SSH, time=1),
            revoke(perm("tcp", "22", "22", cidrs=["0.0.0.0/0"]), time=2, user_agent=TERRAFORM_UA),
        ],
        Expect(resolved="reverted by Terraform"),
        id="authorize-by-hand-revoked-by-terraform-resolves",
    ),
    pytest.param(
        [WEB],
        [
            authorize(WORLD_SSH, time=1),
            authorize(perm("tcp", 8443, cidrs=["10.2.0.0/16"]), time=2, user_agent=TERRAFORM_UA),
            revoke(perm("tcp", 443, cidrs=["10.1.0.0/16"]), time=3, user_agent=TERRAFORM_UA),
        ],
        Expect(
            Kind.MODIFIED,
            "aws_security_group.web",
            {
                "ingress": (
                    [HTTPS_APP],
                    [
                        {**HTTPS_APP, "cidr_blocks": ["10.0.0.0/16"]},
                        NEW_BLOCK_SSH,
                        block(from_port=8443, cidrs=["10.2.0.0/16"]),
                    ],
                )
            },
            Severity.CRITICAL,
        ),
        id="terraform-touching-the-group-leaves-hand-rule-open",
    ),
    pytest.param(
        [WEB],
        [
            revoke(perm("tcp", 443, cidrs=["10.0.0.0/16"]), time=5),
            authorize(perm("tcp", 443, cidrs=[("10.0.0.0/16", "app")]), time=10),
        ],
        Expect(resolved="reverted by alan@acme.example"),
        id="revoke-then-re-add-state-rule-resolves",
    ),
    pytest.param(
        [WEB],
        [authorize(WORLD_SSH, time=10), revoke(WORLD_SSH, time=5)],
        Expect(
            Kind.MODIFIED,
            "aws_security_group.web",
            {"ingress": ([HTTPS_APP], [HTTPS_APP, NEW_BLOCK_SSH])},
            Severity.CRITICAL,
        ),
        id="out-of-order-older-revoke-arrives-late-does-not-undo-newer-authorize",
    ),
    pytest.param(
        [WEB],
        [
            authorize(perm("tcp", 443, cidrs=[("10.0.0.0/16", "app")]), time=10),
            revoke(perm("tcp", 443, cidrs=["10.0.0.0/16"]), time=5),
        ],
        # The re-add changed nothing on its own; replayed with the older revoke it shows the
        # revoke was already undone, so no drift opens.
        Expect(skipped="no_change"),
        id="out-of-order-re-add-delivered-before-the-older-revoke",
    ),
    pytest.param(
        [SEPARATE_WEB, vpc_rule("https", RULE_A, "10.0.0.0/16", 443)],
        [authorize(WORLD_SSH, rules=[rule_item(RULE_B, "0.0.0.0/0", 22)])],
        Expect(
            Kind.UNMANAGED,
            RULE_B,
            {
                "security_group_id": (None, SG),
                "ip_protocol": (None, "tcp"),
                "from_port": (None, 22),
                "to_port": (None, 22),
                "cidr_ipv4": (None, "0.0.0.0/0"),
            },
            Severity.CRITICAL,
        ),
        id="separate-rule-resources-authorize-is-unmanaged-rule",
    ),
    pytest.param(
        [SEPARATE_WEB, vpc_rule("https", RULE_A, "10.0.0.0/16", 443)],
        [
            authorize(
                perm("tcp", 80, cidrs=["192.0.2.0/24", "198.51.100.0/24"]),
                rules=[
                    rule_item(RULE_B, "192.0.2.0/24", 80),
                    rule_item(RULE_C, "198.51.100.0/24", 80),
                ],
            )
        ],
        Expect(
            Kind.UNMANAGED,
            RULE_C,
            {
                "security_group_id": (None, SG),
                "ip_protocol": (None, "tcp"),
                "from_port": (None, 80),
                "to_port": (None, 80),
                "cidr_ipv4": (None, "198.51.100.0/24"),
            },
            Severity.MEDIUM,
            open_count=2,
        ),
        id="separate-rule-resources-multi-rule-authorize-one-drift-per-rule",
    ),
    pytest.param(
        [SEPARATE_WEB, vpc_rule("https", RULE_A, "10.0.0.0/16", 443)],
        [revoke(rule_ids=[RULE_A])],
        Expect(Kind.DELETED, "aws_vpc_security_group_ingress_rule.https", {}),
        id="revoke-by-rule-id-of-managed-rule-resource-is-deleted",
    ),
    pytest.param(
        [SEPARATE_WEB, vpc_rule("https", RULE_A, "10.0.0.0/16", 443)],
        [
            revoke(
                perm("tcp", 443, cidrs=["10.0.0.0/16"]),
                revoked=[rule_item(RULE_A, "10.0.0.0/16", 443)],
            )
        ],
        Expect(Kind.DELETED, "aws_vpc_security_group_ingress_rule.https", {}),
        id="revoke-by-content-with-revoked-rule-set-is-deleted",
    ),
    pytest.param(
        [
            SEPARATE_WEB,
            (
                "aws_security_group_rule",
                "ssh",
                {
                    "id": "sgrule-2931488237",
                    "security_group_rule_id": RULE_C,
                    "security_group_id": SG,
                    "type": "ingress",
                    "protocol": "tcp",
                    "from_port": 22,
                    "to_port": 22,
                    "cidr_blocks": ["10.9.0.0/16"],
                },
            ),
        ],
        [revoke(rule_ids=[RULE_C])],
        Expect(Kind.DELETED, "aws_security_group_rule.ssh", {}),
        id="revoke-by-rule-id-of-aws-security-group-rule-is-deleted",
    ),
    pytest.param(
        [SEPARATE_WEB, vpc_rule("https", RULE_A, "10.0.0.0/16", 443)],
        [
            authorize(WORLD_SSH, rules=[rule_item(RULE_B, "0.0.0.0/0", 22)], time=1),
            revoke(rule_ids=[RULE_B], time=2),
        ],
        Expect(resolved="the unmanaged resource was deleted"),
        id="unmanaged-rule-removed-again-resolves",
    ),
    pytest.param(
        [WEB],
        [
            authorize(WORLD_SSH, rules=[rule_item(RULE_B, "0.0.0.0/0", 22)], time=1),
            revoke(rule_ids=[RULE_B], time=2),
        ],
        Expect(resolved="reverted by alan@acme.example"),
        id="inline-revoke-by-id-learned-from-authorize-resolves",
    ),
    pytest.param(
        [WEB],
        [revoke(rule_ids=[RULE_B])],
        Expect(Kind.MODIFIED, "aws_security_group.web", {}, Severity.MEDIUM),
        id="inline-revoke-by-unknown-id-is-resource-level",
    ),
    pytest.param(
        [WEB],
        [revoke(rule_ids=[RULE_B], revoked=[rule_item(RULE_B, "10.1.0.0/16", 443)])],
        Expect(
            Kind.MODIFIED,
            "aws_security_group.web",
            {"ingress": ([HTTPS_APP], [{**HTTPS_APP, "cidr_blocks": ["10.0.0.0/16"]}])},
        ),
        id="inline-revoke-by-id-described-by-response",
    ),
    pytest.param(
        [WEB],
        [revoke(perm("tcp", 443, cidrs=["10.0.0.0/16", "10.1.0.0/16"]))],
        Expect(Kind.MODIFIED, "aws_security_group.web", {"ingress": ([HTTPS_APP], [])}),
        id="revoking-every-source-drops-the-block",
    ),
    pytest.param(
        [WEB],
        [sg_call("RevokeSecurityGroupEgress", perm("-1", "-1", "-1", cidrs=["0.0.0.0/0"]))],
        Expect(Kind.MODIFIED, "aws_security_group.web", {"egress": ([ALL_OUT], [])}),
        id="revoke-egress-all-traffic-with-minus-one-ports",
    ),
    pytest.param(
        [WEB],
        [authorize(WORLD_SSH, error_code="Client.UnauthorizedOperation")],
        Expect(skipped="failed_call"),
        id="failed-call-is-skipped",
    ),
    pytest.param(
        [WEB],
        [authorize(perm("tcp", 443, cidrs=["0.0.0.0/0"]))],
        Expect(Kind.MODIFIED, "aws_security_group.web", severity=Severity.HIGH),
        id="world-open-https-is-high",
    ),
    pytest.param(
        [WEB],
        [authorize(perm("tcp", 3389, ipv6=["::/0"]))],
        Expect(Kind.MODIFIED, "aws_security_group.web", severity=Severity.CRITICAL),
        id="world-open-ipv6-rdp-is-critical",
    ),
    pytest.param(
        [WEB],
        [authorize(perm("tcp", 1000, 6000, cidrs=["0.0.0.0/0"]))],
        Expect(Kind.MODIFIED, "aws_security_group.web", severity=Severity.CRITICAL),
        id="world-open-range-covering-postgres-is-critical",
    ),
    pytest.param(
        [WEB],
        [authorize(perm("-1", cidrs=["0.0.0.0/0"]))],
        Expect(Kind.MODIFIED, "aws_security_group.web", severity=Severity.CRITICAL),
        id="world-open-all-traffic-is-critical",
    ),
    pytest.param(
        [WEB],
        [sg_call("AuthorizeSecurityGroupEgress", perm("tcp", 22, cidrs=["0.0.0.0/0"]))],
        Expect(Kind.MODIFIED, "aws_security_group.web", severity=Severity.MEDIUM),
        id="world-open-egress-stays-medium",
    ),
    pytest.param(
        [("aws_security_group", "web", sg_attrs(), "module.net", 0)],
        [authorize(WORLD_SSH)],
        Expect(Kind.MODIFIED, "module.net.aws_security_group.web[0]", severity=Severity.CRITICAL),
        id="module-and-count-address",
    ),
    pytest.param(
        [("aws_default_security_group", "default", sg_attrs(OTHER_SG)), WEB],
        [authorize(WORLD_SSH, group=OTHER_SG)],
        Expect(
            Kind.MODIFIED,
            "aws_default_security_group.default",
            {"ingress": ([HTTPS_APP], [HTTPS_APP, NEW_BLOCK_SSH])},
            Severity.CRITICAL,
        ),
        id="default-security-group-inline-rules",
    ),
    pytest.param(
        [("aws_default_security_group", "default", sg_attrs(OTHER_SG))],
        [revoke(rule_ids=[RULE_A], group=OTHER_SG)],
        Expect(Kind.MODIFIED, "aws_default_security_group.default", {}),
        id="default-security-group-opaque-revoke",
    ),
    pytest.param(
        [
            ("aws_security_group", "tier", sg_attrs(OTHER_SG), "module.net", "db"),
            ("aws_security_group", "tier", sg_attrs(), "module.net", "web"),
        ],
        [authorize(WORLD_SSH)],
        Expect(Kind.MODIFIED, 'module.net.aws_security_group.tier["web"]'),
        id="module-and-for-each-address",
    ),
    pytest.param(
        [WEB],
        [authorize(WORLD_SSH, user_agent=TERRAFORM_UA)],
        Expect(skipped="trusted_actor"),
        id="terraform-own-authorize-is-not-drift",
    ),
    pytest.param(
        [WEB],
        [authorize(WORLD_SSH, group="sg-0999999999999999a")],
        Expect(skipped="not_in_state"),
        id="group-not-in-state",
    ),
    pytest.param(
        [WEB],
        [
            sg_call(
                "UpdateSecurityGroupRuleDescriptionsIngress",
                perm("tcp", 443, cidrs=[("10.1.0.0/16", "partner VPN")]),
            )
        ],
        Expect(
            Kind.MODIFIED,
            "aws_security_group.web",
            {
                "ingress": (
                    [HTTPS_APP],
                    [
                        {**HTTPS_APP, "cidr_blocks": ["10.0.0.0/16"]},
                        block(from_port=443, cidrs=["10.1.0.0/16"], description="partner VPN"),
                    ],
                )
            },
            Severity.LOW,
        ),
        id="description-update-splits-the-block",
    ),
    pytest.param(
        [WEB],
        [
            sg_call(
                "UpdateSecurityGroupRuleDescriptionsIngress",
                perm("tcp", 8080, cidrs=[("10.1.0.0/16", "new")]),
            )
        ],
        Expect(skipped="no_change"),
        id="description-update-of-absent-rule-creates-nothing",
    ),
]


@pytest.mark.parametrize(("state", "events", "expect"), CASES)
def test_security_group_rules(
    state: list[ResourceSpec], events: list[CloudEvent], expect: Expect
) -> None:
    check(state, events, expect)


# ------------------------------------------------------------- ModifySecurityGroupRules


def modify_rules(*updates: tuple[str, dict[str, Any]], **kwargs: Any) -> CloudEvent:
    """The wrapped request form CloudTrail records for ModifySecurityGroupRules."""
    rules = [
        {"SecurityGroupRuleId": rule_id, "SecurityGroupRule": rule, "tag": n}
        for n, (rule_id, rule) in enumerate(updates, start=1)
    ]
    request = {
        "ModifySecurityGroupRulesRequest": {
            "GroupId": SG,
            "SecurityGroupRule": rules[0] if len(rules) == 1 else rules,
        }
    }
    return make_event("ModifySecurityGroupRules", "ec2", request, {"_return": True}, **kwargs)


MODIFY_CASES = [
    pytest.param(
        [SEPARATE_WEB, vpc_rule("https", RULE_A, "10.0.0.0/16", 443)],
        [
            modify_rules(
                (
                    RULE_A,
                    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv4": "0.0.0.0/0"},
                )
            )
        ],
        Expect(
            Kind.MODIFIED,
            "aws_vpc_security_group_ingress_rule.https",
            {
                "from_port": (443, 22),
                "to_port": (443, 22),
                "cidr_ipv4": ("10.0.0.0/16", "0.0.0.0/0"),
            },
            Severity.CRITICAL,
        ),
        id="modify-managed-ingress-rule-to-world-ssh",
    ),
    pytest.param(
        [SEPARATE_WEB, vpc_rule("https", RULE_A, "10.0.0.0/16", 443)],
        [
            modify_rules(
                (
                    RULE_A,
                    {
                        "IpProtocol": "tcp",
                        "FromPort": "443",
                        "ToPort": "443",
                        "CidrIpv4": "10.0.0.0/16",
                        "Description": "",
                    },
                )
            )
        ],
        Expect(skipped="no_change"),
        id="modify-rule-to-what-state-has",
    ),
    pytest.param(
        [
            SEPARATE_WEB,
            (
                "aws_vpc_security_group_egress_rule",
                "out",
                {**vpc_rule("x", RULE_B, "10.0.0.0/8", 443)[2], "id": RULE_B},
            ),
        ],
        [
            modify_rules(
                (RULE_B, {"IpProtocol": "-1", "CidrIpv4": "0.0.0.0/0", "Description": "all"})
            )
        ],
        Expect(
            Kind.MODIFIED,
            "aws_vpc_security_group_egress_rule.out",
            {
                "ip_protocol": ("tcp", "-1"),
                "from_port": (443, None),
                "to_port": (443, None),
                "cidr_ipv4": ("10.0.0.0/8", "0.0.0.0/0"),
                "description": (None, "all"),
            },
            Severity.MEDIUM,
        ),
        id="modify-managed-egress-rule-world-open-is-not-raised",
    ),
    pytest.param(
        [WEB],
        [
            modify_rules(
                (
                    RULE_C,
                    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv4": "0.0.0.0/0"},
                )
            )
        ],
        Expect(Kind.MODIFIED, "aws_security_group.web", {}, Severity.HIGH),
        id="modify-inline-rule-is-resource-level-direction-unknown",
    ),
    pytest.param(
        [
            SEPARATE_WEB,
            (
                "aws_security_group_rule",
                "ssh",
                {
                    "id": "sgrule-2931488237",
                    "security_group_rule_id": RULE_C,
                    "security_group_id": SG,
                    "type": "ingress",
                    "protocol": "tcp",
                    "from_port": 22,
                    "to_port": 22,
                    "cidr_blocks": ["10.9.0.0/16"],
                    "ipv6_cidr_blocks": [],
                    "prefix_list_ids": [],
                    "source_security_group_id": None,
                    "self": False,
                    "description": "",
                },
            ),
        ],
        [
            make_event(
                "ModifySecurityGroupRules",
                "ec2",
                {
                    "groupId": SG,
                    "securityGroupRules": {
                        "items": [
                            {
                                "securityGroupRuleId": RULE_C,
                                "securityGroupRule": {
                                    "ipProtocol": "tcp",
                                    "fromPort": 22,
                                    "toPort": 22,
                                    "cidrIpv4": "0.0.0.0/0",
                                },
                            }
                        ]
                    },
                },
            )
        ],
        Expect(
            Kind.MODIFIED,
            "aws_security_group_rule.ssh",
            {"cidr_blocks": (["10.9.0.0/16"], ["0.0.0.0/0"])},
            Severity.CRITICAL,
        ),
        id="modify-aws-security-group-rule-flat-request-form",
    ),
    pytest.param(
        [
            SEPARATE_WEB,
            vpc_rule("https", RULE_A, "10.0.0.0/16", 443),
            vpc_rule("ssh", RULE_B, "10.0.0.0/16", 22),
        ],
        [
            modify_rules(
                (
                    RULE_A,
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "CidrIpv4": "10.8.0.0/16",
                    },
                ),
                (
                    RULE_B,
                    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv4": "10.9.0.0/16"},
                ),
            )
        ],
        Expect(
            Kind.MODIFIED,
            "aws_vpc_security_group_ingress_rule.ssh",
            {"cidr_ipv4": ("10.0.0.0/16", "10.9.0.0/16")},
            open_count=2,
        ),
        id="modify-several-rules-each-gets-its-own-change",
    ),
]


@pytest.mark.parametrize(("state", "events", "expect"), MODIFY_CASES)
def test_modify_security_group_rules(
    state: list[ResourceSpec], events: list[CloudEvent], expect: Expect
) -> None:
    check(state, events, expect)


# --------------------------------------------------------------------------- create / delete

CREATE = make_event(
    "CreateSecurityGroup",
    "ec2",
    {
        "groupName": "temp-debug",
        "groupDescription": "debugging",
        "vpcId": "vpc-0a1b2c3d4e5f60718",
        "tagSpecificationSet": {
            "items": [
                {"resourceType": "security-group", "tags": [{"key": "Owner", "value": "alan"}]}
            ]
        },
    },
    {"_return": True, "groupId": "sg-0new0000000000001"},
    time=1,
)

LIFECYCLE_CASES = [
    pytest.param(
        [WEB],
        [CREATE],
        Expect(
            Kind.UNMANAGED,
            "sg-0new0000000000001",
            {
                "name": (None, "temp-debug"),
                "description": (None, "debugging"),
                "vpc_id": (None, "vpc-0a1b2c3d4e5f60718"),
                "tags": (None, {"Owner": "alan"}),
            },
            Severity.MEDIUM,
        ),
        id="create-security-group-by-hand-is-unmanaged",
    ),
    pytest.param(
        [WEB],
        [
            CREATE,
            sg_call(
                "AuthorizeSecurityGroupIngress", WORLD_SSH, group="sg-0new0000000000001", time=2
            ),
        ],
        Expect(Kind.UNMANAGED, "sg-0new0000000000001", severity=Severity.CRITICAL),
        id="rule-added-to-unmanaged-group-joins-its-drift",
    ),
    pytest.param(
        [WEB],
        [CREATE, sg_call("DeleteSecurityGroup", group="sg-0new0000000000001", time=3)],
        Expect(resolved="the unmanaged resource was deleted"),
        id="unmanaged-group-deleted-again-resolves",
    ),
    pytest.param(
        [WEB],
        [sg_call("DeleteSecurityGroup")],
        Expect(Kind.DELETED, "aws_security_group.web", {}, Severity.HIGH),
        id="delete-managed-security-group",
    ),
    pytest.param(
        [WEB],
        [make_event("DeleteSecurityGroup", "ec2", {"groupName": "web"})],
        Expect(Kind.DELETED, "aws_security_group.web", {}),
        id="delete-by-group-name-default-vpc",
    ),
]


@pytest.mark.parametrize(("state", "events", "expect"), LIFECYCLE_CASES)
def test_security_group_lifecycle(
    state: list[ResourceSpec], events: list[CloudEvent], expect: Expect
) -> None:
    check(state, events, expect)


def test_terraform_revert_carries_evidence() -> None:
    events = [
        authorize(WORLD_SSH, time=1),
        revoke(WORLD_SSH, time=2, user_agent=TERRAFORM_UA, event_id="evt-terraform-revoke"),
    ]
    outcome = run_events(make_index(WEB), events)
    (drift,) = outcome.resolved
    last = drift.history[-1]
    assert last.evidence["event_id"] == "evt-terraform-revoke"
    assert last.evidence["event_name"] == "RevokeSecurityGroupIngress"
    assert "terraform-ci" in last.by
    assert [e.id for e in drift.events][-1] == "evt-terraform-revoke"


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        pytest.param(
            [block(from_port=22, cidrs=["10.0.0.0/8", "192.168.0.0/16"])],
            [
                block(from_port=22, cidrs=["192.168.0.0/16"]),
                block(from_port=22, cidrs=["10.0.0.0/8"]),
            ],
            True,
            id="grouped-equals-per-source",
        ),
        pytest.param(
            [block("6", 22, cidrs=["10.0.0.0/8"])],
            [{**block(from_port=22, cidrs=["10.0.0.0/8"]), "from_port": "22", "to_port": "22"}],
            True,
            id="protocol-number-and-string-ports",
        ),
        pytest.param(
            [block("-1", cidrs=["0.0.0.0/0"])],
            [block("all", -1, -1, cidrs=["0.0.0.0/0"])],
            True,
            id="all-traffic-spellings",
        ),
        pytest.param(
            [block(from_port=22, cidrs=["10.0.0.0/8"], description="a")],
            [block(from_port=22, cidrs=["10.0.0.0/8"], description="b")],
            False,
            id="description-matters",
        ),
        pytest.param(
            [block(from_port=22, cidrs=["10.0.0.0/8"])],
            [block(from_port=23, cidrs=["10.0.0.0/8"])],
            False,
            id="ports-matter",
        ),
        pytest.param(None, [], True, id="null-equals-empty"),
    ],
)
def test_rule_sets_compare_semantically(left: Any, right: Any, equal: bool) -> None:
    assert (canonical_rules(left) == canonical_rules(right)) is equal


def test_every_ec2_row_is_in_the_default_catalog() -> None:
    from tfdrift_gitops.core.catalog import ec2

    catalog = Catalog.default()
    for rule in ec2.RULES:
        assert catalog.get(rule.event, rule.source) is rule
    # Types named by more than one target keep their effectful target first (observe uses it).
    for rule in ec2.RULES:
        first_of_type: dict[str, bool] = {}
        for target in rule.targets:
            first_of_type.setdefault(target.type, bool(target.effects))
        for target in rule.targets:
            if target.effects:
                assert first_of_type[target.type], (rule.event, target.type)


def test_multi_rule_authorize_gives_each_rule_its_own_content() -> None:
    event = authorize(
        perm("tcp", 80, cidrs=["192.0.2.0/24", "198.51.100.0/24"]),
        rules=[rule_item(RULE_B, "192.0.2.0/24", 80), rule_item(RULE_C, "198.51.100.0/24", 80)],
    )
    outcome = run_events(
        make_index(SEPARATE_WEB, vpc_rule("https", RULE_A, "10.0.0.0/16", 443)), [event]
    )
    cidrs = {d.resource.id: {c.path: c.after for c in d.changes}["cidr_ipv4"] for d in outcome.open}
    assert cidrs == {RULE_B: "192.0.2.0/24", RULE_C: "198.51.100.0/24"}
    assert {d.resource.type for d in outcome.open} == {"aws_vpc_security_group_ingress_rule"}
