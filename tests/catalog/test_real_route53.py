"""Route 53 rows against recorded CloudTrail and a provider-v5 state.

``route53-*.json`` are the Route 53 developer guide's published records (sources in
``tests/fixtures/cloudtrail/real/SOURCES.md``); ``real-route53.tfstate`` holds a public zone
with a relative-name record, a weighted record and an alias record, and a private zone with an
inline VPC and an association resource. Cases past the published records (UPSERT, DELETE,
alias and weighted sets, VPC associations) reuse the published record with the request the
Route 53 API reference gives for those calls, spelled as CloudTrail spells the published one
(``tTL``, ``resourceRecords[].value``): no public record of them was found.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import Estate, Want, case, check, records, skip
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.policy import Policy
from tfdrift_gitops.models import Kind, Severity

ZONE = "Z1PA6795UKMFR9"
PRIVATE = "Z0PRIVATE2EXAMPLE"
R53 = Estate("route53")
CREATE = "route53-change-resource-record-sets.json"
PROD = "aws_route53_record.prod"
IPS = ["192.0.1.1", "192.0.1.2", "192.0.1.3", "192.0.1.4"]

RECORDED = [
    case(
        "route53-create-existing-and-new-record",
        [CREATE],
        # prod.example.com is managed (configured by relative name): a create of it by hand
        # cannot drift it; test.example.com is new.
        R53,
        Want(Kind.UNMANAGED, f"{ZONE}_test.example.com_A", Severity.MEDIUM),
    ),
    case(
        "route53-delete-hosted-zone",
        ["route53-delete-hosted-zone.json"],
        R53,
        Want(Kind.DELETED, "aws_route53_zone.public", Severity.HIGH),
    ),
    case(
        # The published record's id is the one the estate manages: a create cannot drift it.
        "route53-create-health-check-already-managed",
        ["route53-create-health-check.json"],
        R53,
        skip("already_managed"),
    ),
    case(
        "route53-create-health-check-unmanaged",
        ["route53-create-health-check.json"],
        Estate("route53", drop=("aws_route53_health_check.prod",)),
        Want(Kind.UNMANAGED, "b3c9cbc6-cd18-43bc-93f8-9e557example", Severity.LOW),
    ),
    case(
        "route53-delete-hosted-zone-not-managed",
        ["route53-delete-hosted-zone.json"],
        Estate("route53", drop=("aws_route53_zone.public",)),
        skip("not_in_state"),
    ),
]


@pytest.mark.parametrize(("files", "estate", "want"), RECORDED)
def test_recorded(files: list[str], estate: Estate, want: Want) -> None:
    events = records(*files)
    check(run_events(estate.index(), events), len(events), want)


def test_one_batch_two_new_records_two_unmanaged_drifts() -> None:
    outcome = run_events(Estate("route53", drop=(PROD,)).index(), records(CREATE))
    found = {d.resource.id: d for d in outcome.open}
    assert set(found) == {f"{ZONE}_prod.example.com_A", f"{ZONE}_test.example.com_A"}
    drift = found[f"{ZONE}_test.example.com_A"]
    assert drift.kind is Kind.UNMANAGED
    changes = {c.path: c.after for c in drift.changes}
    assert changes["zone_id"] == ZONE
    assert changes["name"] == "test.example.com"
    assert changes["type"] == "A"
    assert changes["ttl"] == 300
    assert sorted(changes["records"]) == IPS


# --------------------------------------------------------------------------- API shapes


def _batch(*changes: tuple[str, dict[str, Any]], zone: str = ZONE) -> dict[str, Any]:
    return {
        "hostedZoneId": zone,
        "changeBatch": {
            "changes": [{"action": a, "resourceRecordSet": s} for a, s in changes],
        },
    }


def _a(name: str, *ips: str, ttl: int = 300, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": "A",
        "tTL": ttl,
        "resourceRecords": [{"value": ip} for ip in ips],
        **extra,
    }


def _call(name: str, request: dict[str, Any], estate: Estate = R53) -> Any:
    base = records(CREATE)[0]
    # The base's response is ChangeResourceRecordSets' (changeInfo): not these calls' shape.
    return run_events(estate.index(), [replace(base, name=name, request=request, response=None)])


WEIGHTED_RED = {
    "name": "api.example.com",
    "type": "CNAME",
    "setIdentifier": "blue",
    "weight": 0,
    "tTL": 60,
    "resourceRecords": [{"value": "blue-lb-1234567890.us-east-1.elb.amazonaws.com"}],
}
ALIAS_ELSEWHERE = {
    "name": "www.example.com.",
    "type": "A",
    "aliasTarget": {
        "hostedZoneId": "Z2FDTNDATAQYW2",
        "dNSName": "d111111abcdef8.cloudfront.net.",
        "evaluateTargetHealth": False,
    },
}

SHAPES = [
    pytest.param(
        _batch(("UPSERT", _a("prod.example.com.", "203.0.113.9"))),
        Want(
            Kind.MODIFIED,
            PROD,
            Severity.HIGH,
            {"records": (IPS, ["203.0.113.9"])},
            reason="outside the estate's known targets (203.0.113.9)",
        ),
        id="upsert-relative-name-record-to-unknown-address",
    ),
    pytest.param(
        _batch(("UPSERT", _a("PROD.example.com", *reversed(IPS)))),
        skip("no_change"),
        id="upsert-same-values-other-order-and-case",
    ),
    pytest.param(
        _batch(("DELETE", _a("prod.example.com.", *IPS))),
        Want(Kind.DELETED, PROD, Severity.MEDIUM),
        id="delete-record",
    ),
    pytest.param(
        _batch(
            ("DELETE", _a("prod.example.com.", *IPS)),
            ("CREATE", _a("prod.example.com.", *IPS, ttl=60)),
        ),
        Want(Kind.MODIFIED, PROD, Severity.MEDIUM, {"ttl": (300, 60)}),
        id="console-edit-delete-then-create",
    ),
    pytest.param(
        _batch(("UPSERT", WEIGHTED_RED)),
        Want(
            Kind.MODIFIED,
            "aws_route53_record.api_blue",
            Severity.MEDIUM,
            {"weighted_routing_policy": ([{"weight": 90}], [{"weight": 0}])},
        ),
        id="weighted-set-weight",
    ),
    pytest.param(
        _batch(("UPSERT", {**WEIGHTED_RED, "setIdentifier": "green"})),
        Want(Kind.UNMANAGED, f"{ZONE}_api.example.com_CNAME_green", Severity.MEDIUM),
        id="weighted-other-set-identifier-is-another-record",
    ),
    pytest.param(
        _batch(("UPSERT", ALIAS_ELSEWHERE)),
        Want(
            Kind.MODIFIED,
            "aws_route53_record.www",
            Severity.HIGH,
            {
                "alias": (
                    [
                        {
                            "evaluate_target_health": True,
                            "name": "web-lb-1234567890.us-east-1.elb.amazonaws.com",
                            "zone_id": "Z35SXDOTRQ7X7K",
                        }
                    ],
                    [
                        {
                            "evaluate_target_health": False,
                            "name": "d111111abcdef8.cloudfront.net",
                            "zone_id": "Z2FDTNDATAQYW2",
                        }
                    ],
                )
            },
            reason="known targets (d111111abcdef8.cloudfront.net)",
        ),
        id="alias-retargeted-to-a-distribution-state-does-not-hold",
    ),
    pytest.param(
        _batch(("UPSERT", _a("www.example.com", "198.51.100.7"))),
        Want(
            Kind.MODIFIED,
            "aws_route53_record.www",
            Severity.HIGH,
            {
                "alias": (
                    [
                        {
                            "evaluate_target_health": True,
                            "name": "web-lb-1234567890.us-east-1.elb.amazonaws.com",
                            "zone_id": "Z35SXDOTRQ7X7K",
                        }
                    ],
                    [],
                ),
                "records": ([], ["198.51.100.7"]),
                "ttl": (None, 300),
            },
        ),
        id="alias-replaced-by-simple-record",
    ),
    pytest.param(
        _batch(
            (
                "UPSERT",
                {
                    **_a("eu.example.com", "192.0.2.10"),
                    "setIdentifier": "eu",
                    "region": "eu-west-1",
                },
            )
        ),
        Want(
            Kind.UNMANAGED,
            f"{ZONE}_eu.example.com_A_eu",
            Severity.HIGH,
            {
                "zone_id": (None, ZONE),
                "name": (None, "eu.example.com"),
                "type": (None, "A"),
                "records": (None, ["192.0.2.10"]),
                "ttl": (None, 300),
                "set_identifier": (None, "eu"),
                "latency_routing_policy": (None, [{"region": "eu-west-1"}]),
            },
            reason="known targets (192.0.2.10)",
        ),
        id="latency-record-unmanaged-with-its-set-identifier",
    ),
    pytest.param(
        _batch(
            (
                "UPSERT",
                {
                    **WEIGHTED_RED,
                    "weight": 90,
                    "resourceRecords": [{"value": "pages.attacker.example.net"}],
                },
            )
        ),
        Want(
            Kind.MODIFIED,
            "aws_route53_record.api_blue",
            Severity.HIGH,
            {
                "records": (
                    ["blue-lb-1234567890.us-east-1.elb.amazonaws.com"],
                    ["pages.attacker.example.net"],
                )
            },
            reason="outside the estate's known targets (pages.attacker.example.net)",
        ),
        id="cname-hijacked-to-outside-host",
    ),
    pytest.param(
        _batch(
            (
                "CREATE",
                {
                    "name": "dev.example.com",
                    "type": "NS",
                    "tTL": 172800,
                    "resourceRecords": [{"value": "ns1.other-dns.example.org."}],
                },
            )
        ),
        Want(
            Kind.UNMANAGED,
            f"{ZONE}_dev.example.com_NS",
            Severity.HIGH,
            reason="delegated elsewhere",
        ),
        id="subdomain-delegated",
    ),
    pytest.param(
        _batch(("UPSERT", _a("prod.example.com", *IPS)), zone="/hostedzone/Z999OTHERZONE"),
        # Same name, other zone: another record (the zone prefix of the id is cleaned).
        Want(Kind.UNMANAGED, "Z999OTHERZONE_prod.example.com_A", Severity.MEDIUM),
        id="same-name-other-zone",
    ),
]


@pytest.mark.parametrize(("request_", "want"), SHAPES)
def test_record_shapes(request_: dict[str, Any], want: Want) -> None:
    check(_call("ChangeResourceRecordSets", request_), 1, want)


def test_alias_retargeted_leaves_the_zero_ttl_the_provider_reads() -> None:
    """Provider 5.100.0 stores ``ttl = 0`` for an alias record (the oracle's state); an alias
    UPSERT carries no TTL, which is no TTL change (Terraform's drift shows none, and a revert
    writing ``ttl = 0`` beside ``alias`` does not validate: `all of records,ttl must be
    specified`)."""
    estate = Estate("route53", patch={"aws_route53_record.www": {"ttl": 0}})
    outcome = _call("ChangeResourceRecordSets", _batch(("UPSERT", ALIAS_ELSEWHERE)), estate)
    assert [c.path for c in outcome.only().changes] == ["alias"]


def test_failover_record_changes_block() -> None:
    request = _batch(
        (
            "UPSERT",
            {**_a("prod.example.com", *IPS), "setIdentifier": "primary", "failover": "PRIMARY"},
        )
    )
    patched = Estate(
        "route53",
        patch={PROD: {"set_identifier": "primary", "failover_routing_policy": []}},
    )
    outcome = _call("ChangeResourceRecordSets", request, patched)
    check(
        outcome,
        1,
        Want(
            Kind.MODIFIED,
            PROD,
            Severity.MEDIUM,
            {"failover_routing_policy": ([], [{"type": "PRIMARY"}])},
        ),
    )


def test_terraform_upsert_after_hand_delete_resolves() -> None:
    base = records(CREATE)[0]
    delete = replace(
        base,
        id="d1",
        name="ChangeResourceRecordSets",
        request=_batch(("DELETE", _a("prod.example.com.", *IPS))),
    )
    terraform_actor = replace(
        base.actor, user_agent="APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io)"
    )
    recreate = replace(
        base,
        id="d2",
        time=base.time.replace(minute=59),
        actor=terraform_actor,
        request=_batch(("UPSERT", _a("prod.example.com", *IPS))),
    )
    outcome = run_events(R53.index(), [delete, recreate])
    assert outcome.open == [], outcome.open
    assert len(outcome.resolved) == 1


ZONE_CALLS = [
    pytest.param(
        "UpdateHealthCheck",
        {"healthCheckId": "b3c9cbc6-cd18-43bc-93f8-9e557example", "disabled": True},
        Want(
            Kind.MODIFIED,
            "aws_route53_health_check.prod",
            Severity.HIGH,
            {"disabled": (False, True)},
            reason="always reported healthy",
        ),
        id="health-check-disabled",
    ),
    pytest.param(
        "DeleteHealthCheck",
        {"healthCheckId": "b3c9cbc6-cd18-43bc-93f8-9e557example"},
        Want(Kind.DELETED, "aws_route53_health_check.prod", Severity.MEDIUM),
        id="health-check-deleted",
    ),
    pytest.param(
        "ChangeTagsForResource",
        {
            "resourceType": "hostedzone",
            "resourceId": ZONE,
            "addTags": [{"key": "owner", "value": "edge"}],
            "removeTagKeys": ["team"],
        },
        Want(
            Kind.MODIFIED,
            "aws_route53_zone.public",
            Severity.LOW,
            {"tags": ({"team": "edge"}, {"owner": "edge"})},
        ),
        id="zone-tags",
    ),
    pytest.param(
        "UpdateHostedZoneComment",
        {"id": ZONE, "comment": "temporary"},
        Want(
            Kind.MODIFIED,
            "aws_route53_zone.public",
            Severity.LOW,
            {"comment": ("Managed by Terraform", "temporary")},
        ),
        id="zone-comment",
    ),
    pytest.param(
        "AssociateVPCWithHostedZone",
        {
            "hostedZoneId": PRIVATE,
            "vPC": {"vPCRegion": "us-east-1", "vPCId": "vpc-0123456789abcdef0"},
        },
        Want(
            Kind.MODIFIED,
            "aws_route53_zone.internal",
            Severity.MEDIUM,
            {
                "vpc": (
                    [{"vpc_id": "vpc-0a1b2c3d4e5f60718", "vpc_region": "us-east-1"}],
                    [
                        {"vpc_id": "vpc-0a1b2c3d4e5f60718", "vpc_region": "us-east-1"},
                        {"vpc_id": "vpc-0123456789abcdef0", "vpc_region": "us-east-1"},
                    ],
                )
            },
        ),
        id="associate-vpc-inline-zone",
    ),
    pytest.param(
        "DisassociateVPCFromHostedZone",
        {
            "hostedZoneId": PRIVATE,
            "vPC": {"vPCRegion": "us-east-1", "vPCId": "vpc-0fedcba9876543210"},
        },
        Want(Kind.DELETED, "aws_route53_zone_association.shared", Severity.MEDIUM),
        id="disassociate-vpc-association-resource",
    ),
    pytest.param(
        "AssociateVPCWithHostedZone",
        {
            "hostedZoneId": PRIVATE,
            "vPC": {"vPCRegion": "us-east-1", "vPCId": "vpc-0123456789abcdef0"},
        },
        Want(Kind.UNMANAGED, f"{PRIVATE}:vpc-0123456789abcdef0", Severity.MEDIUM),
        id="associate-vpc-zone-without-inline-vpcs",
    ),
]


@pytest.mark.parametrize(("name", "request_", "want"), ZONE_CALLS)
def test_zone_calls(name: str, request_: dict[str, Any], want: Want) -> None:
    estate = R53
    if want.kind is Kind.UNMANAGED:
        estate = Estate("route53", patch={"aws_route53_zone.internal": {"vpc": []}})
    check(_call(name, request_, estate), 1, want)


# --------------------------------------------------------------------------- known targets
# A record now pointing outside the estate's known targets (every host name and address
# state holds, plus ``known_targets`` from the configuration) is high; inside, the row's
# default stands.

LB_DNS = "web-lb-1234567890.us-east-1.elb.amazonaws.com"


def _targets_estate(*extra: tuple[str, str, dict[str, Any]]) -> Estate:
    return Estate("route53", extra=extra)


DISTRIBUTION = (
    "aws_cloudfront_distribution",
    "site",
    {"id": "EDFDVBD632BHDS5", "domain_name": "d111111abcdef8.cloudfront.net"},
)
EIP = ("aws_eip", "web", {"id": "eipalloc-0a1b2c3d", "public_ip": "203.0.113.9"})
VPC = ("aws_vpc", "main", {"id": "vpc-0a1b2c3d", "cidr_block": "10.20.0.0/16"})
OPEN_RULE = (
    "aws_vpc_security_group_ingress_rule",
    "any",
    {"id": "sgr-0a1b2c3d", "cidr_ipv4": "0.0.0.0/0"},
)
WEBSITE = (
    "aws_s3_bucket_website_configuration",
    "www",
    {
        "id": "www.example.org",
        "website_endpoint": "www.example.org.s3-website-us-east-1.amazonaws.com",
    },
)
LB = (
    "aws_lb",
    "other",
    {
        "id": "arn:aws:elasticloadbalancing:lb/app/api/1",
        "dns_name": "api-lb-42.eu-west-1.elb.amazonaws.com",
    },
)


def _alias(name: str, target: str) -> dict[str, Any]:
    return {
        "name": name,
        "type": "A",
        "aliasTarget": {
            "hostedZoneId": "Z2FDTNDATAQYW2",
            "dNSName": target,
            "evaluateTargetHealth": False,
        },
    }


def _cname(name: str, target: str) -> dict[str, Any]:
    return {"name": name, "type": "CNAME", "tTL": 60, "resourceRecords": [{"value": target}]}


TARGETS = [
    pytest.param(
        ("UPSERT", ALIAS_ELSEWHERE),
        (DISTRIBUTION,),
        (),
        Severity.MEDIUM,
        id="alias-to-a-distribution-in-state",
    ),
    pytest.param(
        ("UPSERT", _alias("www.example.com", "dualstack.api-lb-42.eu-west-1.elb.amazonaws.com.")),
        (LB,),
        (),
        Severity.MEDIUM,
        id="dualstack-alias-to-a-load-balancer-in-state",
    ),
    pytest.param(
        ("UPSERT", _alias("www.example.com", "dualstack.api-lb-42.eu-west-1.elb.amazonaws.com.")),
        (),
        (),
        Severity.HIGH,
        id="alias-to-a-load-balancer-state-does-not-hold",
    ),
    pytest.param(
        ("UPSERT", _a("prod.example.com", "203.0.113.9")),
        (EIP,),
        (),
        Severity.MEDIUM,
        id="a-to-an-eip-in-state",
    ),
    pytest.param(
        ("UPSERT", _a("prod.example.com", "10.20.3.4")),
        (VPC,),
        (),
        Severity.MEDIUM,
        id="a-inside-a-vpc-in-state",
    ),
    pytest.param(
        # A security group rule open to the world names no network of the estate's.
        ("UPSERT", _a("prod.example.com", "198.51.100.66")),
        (OPEN_RULE,),
        (),
        Severity.HIGH,
        id="a-to-an-address-only-a-rule-cidr-covers",
    ),
    pytest.param(
        ("UPSERT", _a("prod.example.com", "198.51.100.66")),
        (),
        ("198.51.100.0/24",),
        Severity.MEDIUM,
        id="a-inside-a-configured-cidr",
    ),
    pytest.param(
        ("UPSERT", _cname("api.example.com", "edge.partner-cdn.example.net")),
        (),
        ("*.partner-cdn.example.net",),
        Severity.MEDIUM,
        id="cname-to-a-configured-pattern",
    ),
    pytest.param(
        ("UPSERT", _cname("api.example.com", "edge.partner-cdn.example.net")),
        (),
        ("*.other-cdn.example.net", "203.0.113.0/24"),
        Severity.HIGH,
        id="cname-to-a-host-no-configured-entry-names",
    ),
    pytest.param(
        ("UPSERT", _alias("www.example.org", "s3-website-us-east-1.amazonaws.com.")),
        (WEBSITE,),
        (),
        Severity.MEDIUM,
        id="alias-to-the-website-endpoint-of-a-bucket-in-state",
    ),
    pytest.param(
        ("UPSERT", _cname("api.example.com", "db.internal.example.com")),
        (),
        (),
        Severity.MEDIUM,
        id="cname-under-a-hosted-zone-in-state",
    ),
    pytest.param(
        ("UPSERT", _cname("api.example.com", LB_DNS)),
        (),
        (),
        Severity.MEDIUM,
        id="cname-to-another-record-value-in-state",
    ),
]


@pytest.mark.parametrize(("change", "extra", "configured", "severity"), TARGETS)
def test_record_inside_or_outside_known_targets(
    change: tuple[str, dict[str, Any]],
    extra: tuple[tuple[str, str, dict[str, Any]], ...],
    configured: tuple[str, ...],
    severity: Severity,
) -> None:
    base = records(CREATE)[0]
    event = replace(base, name="ChangeResourceRecordSets", request=_batch(change))
    index = _targets_estate(*extra).index()
    engine = Engine(index, policy=Policy(known_targets=configured))
    outcome = run_events(index, [event], engine)
    drift = outcome.only()
    assert drift.severity is severity, drift.severity_reasons
    outside = [r for r in drift.severity_reasons if "known targets" in r]
    assert bool(outside) is (severity is Severity.HIGH), drift.severity_reasons


def test_deleting_a_record_that_points_outside_is_not_rated_as_pointing_there() -> None:
    """The record a batch deletes no longer points anywhere: its old value is no reason."""
    outside = Estate("route53", patch={PROD: {"records": ["198.51.100.66"]}})
    outcome = _call(
        "ChangeResourceRecordSets",
        _batch(("DELETE", _a("prod.example.com.", "198.51.100.66"))),
        outside,
    )
    check(outcome, 1, Want(Kind.DELETED, PROD, Severity.MEDIUM))
