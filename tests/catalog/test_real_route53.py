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
        skip("not_in_state"),
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
    return run_events(estate.index(), [replace(base, name=name, request=request)])


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
            Severity.MEDIUM,
            {"records": (IPS, ["203.0.113.9"])},
        ),
        id="upsert-relative-name-record",
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
            Severity.MEDIUM,
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
        ),
        id="alias-retargeted",
    ),
    pytest.param(
        _batch(("UPSERT", _a("www.example.com", "198.51.100.7"))),
        Want(
            Kind.MODIFIED,
            "aws_route53_record.www",
            Severity.MEDIUM,
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
        Want(Kind.UNMANAGED, f"{ZONE}_eu.example.com_A_eu", Severity.MEDIUM),
        id="latency-record-unmanaged",
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
            reason="outside AWS and its own domain (pages.attacker.example.net)",
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
