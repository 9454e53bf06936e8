"""ACM, CloudFront, WAFv2, ElastiCache, Access Analyzer and Secrets Manager policy rows against
published records found after the first pass.

Sources and licences in ``tests/fixtures/cloudtrail/real/SOURCES.md`` ("Second pass"): the ACM,
WAFv2, ElastiCache and IAM Access Analyzer user guides (CC BY-SA 4.0), Cloud Custodian's
CloudFront events (Apache-2.0) and two panther-analysis test cases that are anonymised real
records (Apache-2.0). Each record is replayed against an estate holding the resource it names,
in provider-v5 shapes (copied from ``real-edge.tfstate``, ``real-baselines.tfstate`` and
``real-secrets.tfstate`` with the record's ids): once where state differs (a drift with exact
changes) and once where state already says what the call set (no change).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import (
    RECORDS,
    Estate,
    Want,
    case,
    check,
    records,
    skip,
    state_doc,
)
from tfdrift_gitops.models import Kind, Severity
from tfdrift_gitops.remediation import remediate


def _attrs(service: str, rtype: str, **changes: Any) -> dict[str, Any]:
    """The attributes of the fixture state's (first) ``rtype``, with ``changes``."""
    for res in state_doc(service)["resources"]:
        if res["type"] == rtype:
            attrs = copy.deepcopy(res["instances"][0]["attributes"])
            assert isinstance(attrs, dict)
            attrs.update(changes)
            return attrs
    raise AssertionError(f"no {rtype} in real-{service}.tfstate")


def _estate(service: str, *extra: tuple[str, str, Mapping[str, Any]]) -> Estate:
    return Estate(service, extra=tuple(extra))


# --------------------------------------------------------------------------- ACM

ACM_ACCOUNT = "123456789012"
CERT_ALICE = f"arn:aws:acm:us-east-1:{ACM_ACCOUNT}:certificate/fedcba98-7654-3210-fedc-ba9876543210"
CERT_BOB = f"arn:aws:acm:us-east-1:{ACM_ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012"


def _certificate(arn: str, tags: dict[str, str]) -> dict[str, Any]:
    """An ``aws_acm_certificate`` as provider v5 stores an issued DNS-validated one."""
    return {
        "arn": arn,
        "certificate_authority_arn": "",
        "certificate_body": None,
        "certificate_chain": None,
        "domain_name": "www.example.com",
        "domain_validation_options": [],
        "early_renewal_duration": "",
        "id": arn,
        "key_algorithm": "RSA_2048",
        "not_after": "2017-04-06T23:59:59Z",
        "not_before": "2016-03-07T00:00:00Z",
        "options": [{"certificate_transparency_logging_preference": "ENABLED"}],
        "pending_renewal": False,
        "private_key": None,
        "renewal_eligibility": "INELIGIBLE",
        "renewal_summary": [],
        "status": "ISSUED",
        "subject_alternative_names": ["www.example.com"],
        "tags": tags,
        "tags_all": tags,
        "type": "AMAZON_ISSUED",
        "validation_emails": [],
        "validation_method": "DNS",
        "validation_option": [],
    }


def _acm(alice: dict[str, str], bob: dict[str, str]) -> Estate:
    return _estate(
        "edge",
        ("aws_acm_certificate", "alice", _certificate(CERT_ALICE, alice)),
        ("aws_acm_certificate", "bob", _certificate(CERT_BOB, bob)),
    )


ACM = [
    case(
        "acm-add-tags",
        ["acm-add-tags-to-certificate.json"],
        _acm({}, {}),
        Want(
            Kind.MODIFIED,
            "aws_acm_certificate.alice",
            Severity.LOW,
            {"tags": ({}, {"Admin": "Alice"})},
        ),
    ),
    case(
        "acm-add-tags-already-there",
        ["acm-add-tags-to-certificate.json"],
        _acm({"Admin": "Alice"}, {}),
        skip("no_change"),
    ),
    case(
        "acm-remove-tags",
        ["acm-remove-tags-from-certificate.json"],
        _acm({}, {"Admin": "Bob", "env": "prod"}),
        Want(
            Kind.MODIFIED,
            "aws_acm_certificate.bob",
            Severity.LOW,
            {"tags": ({"Admin": "Bob", "env": "prod"}, {"env": "prod"})},
        ),
    ),
    case(
        "acm-remove-tags-not-there",
        ["acm-remove-tags-from-certificate.json"],
        _acm({}, {"env": "prod"}),
        skip("no_change"),
    ),
    case(
        "acm-delete-certificate",
        ["acm-delete-certificate.json"],
        _acm({}, {}),
        Want(Kind.DELETED, "aws_acm_certificate.alice", Severity.HIGH),
    ),
]


# --------------------------------------------------------------------------- CloudFront

CF_ACCOUNT = "012345678912"
CF_ID = "E53370FUHBNLK"
CF_ORIGIN = "c7n-activeresponse-test-to-be-deleted.s3.us-east-1.amazonaws.com"
CF_WAF = (
    f"arn:aws:wafv2:us-east-1:{CF_ACCOUNT}:regional/webacl/"
    "FMManagedWebACLV2-FMS-TEST-1656966584517/96494e83-ee49-4505-9f68-9103c6cd9406"
)


def _distribution(**changes: Any) -> dict[str, Any]:
    """The Custodian record's distribution as provider v5 stores it (HTTPS only before)."""
    attrs = _attrs(
        "edge",
        "aws_cloudfront_distribution",
        id=CF_ID,
        arn=f"arn:aws:cloudfront::{CF_ACCOUNT}:distribution/{CF_ID}",
        domain_name="d1bftvz1j2jyjs.cloudfront.net",
        default_root_object="",
        price_class="PriceClass_All",
        web_acl_id=CF_WAF,
        logging_config=[],
        comment="c7n test",
    )
    # The recorded distribution's origin has no origin access control (the record sends none).
    attrs["origin"][0].update(
        domain_name=CF_ORIGIN, origin_id=CF_ORIGIN, origin_access_control_id=""
    )
    attrs["default_cache_behavior"][0].update(target_origin_id=CF_ORIGIN)
    attrs["viewer_certificate"] = [
        {
            "acm_certificate_arn": "",
            "cloudfront_default_certificate": True,
            "iam_certificate_id": "",
            "minimum_protocol_version": "TLSv1",
            "ssl_support_method": "",
        }
    ]
    attrs.update(changes)
    return attrs


def _cloudfront(**changes: Any) -> Estate:
    return _estate("edge", ("aws_cloudfront_distribution", "c7n", _distribution(**changes)))


CF_DIST = "aws_cloudfront_distribution.c7n"
CLOUDFRONT = [
    case(
        # The record sets viewerProtocolPolicy allow-all, the hidden comment and a TLSv1
        # minimum on the default certificate (which CloudFront forces there).
        "cloudfront-update-distribution-allow-all",
        ["cloudfront-update-distribution.json"],
        _cloudfront(),
        Want(
            Kind.MODIFIED,
            CF_DIST,
            Severity.HIGH,
            {
                "default_cache_behavior[0].viewer_protocol_policy": (
                    "redirect-to-https",
                    "allow-all",
                )
            },
            reason="viewerProtocolPolicy allow-all",
        ),
    ),
    case(
        "cloudfront-update-distribution-as-state-says",
        ["cloudfront-update-distribution.json"],
        Estate(
            "edge",
            extra=(
                (
                    "aws_cloudfront_distribution",
                    "c7n",
                    _distribution(
                        default_cache_behavior=[
                            {
                                **_attrs("edge", "aws_cloudfront_distribution")[
                                    "default_cache_behavior"
                                ][0],
                                "target_origin_id": CF_ORIGIN,
                                "viewer_protocol_policy": "allow-all",
                            }
                        ]
                    ),
                ),
            ),
        ),
        skip("no_change"),
    ),
    case(
        # State says the distribution answered for a name; the recorded update sends none:
        # the name no longer resolves to it (and may be claimed by another distribution).
        "cloudfront-update-distribution-drops-an-alias",
        ["cloudfront-update-distribution.json"],
        _cloudfront(aliases=["www.example.com"]),
        Want(
            Kind.MODIFIED,
            CF_DIST,
            Severity.HIGH,
            {
                "aliases": (["www.example.com"], []),
                "default_cache_behavior[0].viewer_protocol_policy": (
                    "redirect-to-https",
                    "allow-all",
                ),
            },
        ),
    ),
]


def _fms_acl() -> tuple[str, str, dict[str, Any]]:
    """The web ACL the record names: it puts the record's account in the estate."""
    return (
        "aws_wafv2_web_acl",
        "fms",
        _attrs(
            "edge",
            "aws_wafv2_web_acl",
            arn=CF_WAF,
            id="96494e83-ee49-4505-9f68-9103c6cd9406",
            name="FMManagedWebACLV2-FMS-TEST-1656966584517",
            scope="REGIONAL",
        ),
    )


CLOUDFRONT.append(
    case(
        "cloudfront-create-distribution-unmanaged-allow-all",
        ["cloudfront-create-distribution.json"],
        _estate("edge", _fms_acl()),
        Want(Kind.UNMANAGED, CF_ID, Severity.HIGH, reason="viewerProtocolPolicy allow-all"),
    )
)
CLOUDFRONT.append(
    case(
        # Custodian's create and update name the same distribution at the same second; a create
        # of what state already holds is not unmanaged drift.
        "cloudfront-create-distribution-already-managed",
        ["cloudfront-create-distribution.json"],
        _estate("edge", ("aws_cloudfront_distribution", "c7n", _distribution())),
        skip("already_managed"),
    )
)


# --------------------------------------------------------------------------- WAFv2

WAF_ACCOUNT = "112233445566"
WAF_ID = "ebbcb976-8d59-4d20-8ca8-4ab2f6b7c07b"
WAF_ARN = f"arn:aws:wafv2:us-west-2:{WAF_ACCOUNT}:global/webacl/foo/{WAF_ID}"


def _geo_rule(*countries: str) -> dict[str, Any]:
    return {
        "action": [
            {
                "allow": [],
                "block": [{"custom_response": []}],
                "captcha": [],
                "challenge": [],
                "count": [],
            }
        ],
        "captcha_config": [],
        "challenge_config": [],
        "name": "foo",
        "override_action": [],
        "priority": 1,
        "rule_label": [],
        "statement": [
            {"geo_match_statement": [{"country_codes": list(countries), "forwarded_ip_config": []}]}
        ],
        "visibility_config": [
            {
                "cloudwatch_metrics_enabled": True,
                "metric_name": "foo",
                "sampled_requests_enabled": True,
            }
        ],
    }


def _web_acl(*countries: str) -> Estate:
    acl = _attrs(
        "edge",
        "aws_wafv2_web_acl",
        arn=WAF_ARN,
        id=WAF_ID,
        name="foo",
        description="foo",
        rule=[_geo_rule(*countries)],
        visibility_config=[
            {
                "cloudwatch_metrics_enabled": True,
                "metric_name": "foo",
                "sampled_requests_enabled": True,
            }
        ],
    )
    return _estate("edge", ("aws_wafv2_web_acl", "foo", acl))


ALB = "arn:aws:elasticloadbalancing:us-west-2:012345678910:loadbalancer/app/web/84dc5457e450dba5"
ALB_ACL = (
    "arn:aws:wafv2:us-west-2:012345678910:regional/webacl/web/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
)
ALB_ASSOCIATION = (
    "aws_wafv2_web_acl_association",
    "web",
    {"id": f"{ALB_ACL},{ALB}", "resource_arn": ALB, "timeouts": None, "web_acl_arn": ALB_ACL},
)

WAFV2 = [
    case(
        # The published update drops a duplicate country code: the rule list is kept
        # resource-level (the row does not model nested rule blocks).
        "wafv2-update-web-acl-rules",
        ["wafv2-update-web-acl.json"],
        _web_acl("AF", "AF"),
        Want(Kind.MODIFIED, "aws_wafv2_web_acl.foo", Severity.MEDIUM, {}),
    ),
    case(
        "wafv2-delete-web-acl",
        ["wafv2-delete-web-acl.json"],
        _web_acl("AF"),
        Want(Kind.DELETED, "aws_wafv2_web_acl.foo", Severity.HIGH),
    ),
    case(
        "wafv2-update-then-delete-web-acl",
        ["wafv2-update-web-acl.json", "wafv2-delete-web-acl.json"],
        _web_acl("AF", "AF"),
        Want(Kind.DELETED, "aws_wafv2_web_acl.foo", Severity.HIGH, events=2),
    ),
    case(
        "wafv2-disassociate-web-acl-from-alb",
        ["wafv2-disassociate-web-acl.json"],
        _estate("edge", ALB_ASSOCIATION),
        Want(Kind.DELETED, "aws_wafv2_web_acl_association.web", Severity.HIGH),
    ),
    case(
        "wafv2-disassociate-web-acl-not-managed",
        ["wafv2-disassociate-web-acl.json"],
        Estate("edge"),
        skip("not_in_state"),
    ),
]


# --------------------------------------------------------------------------- ElastiCache


def _memcached(nodes: int) -> Estate:
    cluster = _attrs(
        "edge",
        "aws_elasticache_cluster",
        arn="arn:aws:elasticache:us-west-2:123456789012:cluster:test-memcached",
        cluster_id="test-memcached",
        id="test-memcached",
        engine_version="1.4.14",
        engine_version_actual="1.4.14",
        node_type="cache.m1.small",
        num_cache_nodes=nodes,
        parameter_group_name="default.memcached1.4",
        maintenance_window="thu:05:00-thu:06:00",
        az_mode="cross-az",
    )
    return _estate("edge", ("aws_elasticache_cluster", "test", cluster))


ELASTICACHE = [
    case(
        # The response still says 2 nodes (3 pending): the request is what was asked for.
        "elasticache-modify-cache-cluster-nodes",
        ["elasticache-modify-cache-cluster.json"],
        _memcached(2),
        Want(
            Kind.MODIFIED,
            "aws_elasticache_cluster.test",
            Severity.MEDIUM,
            {"num_cache_nodes": (2, 3)},
        ),
    ),
    case(
        "elasticache-modify-cache-cluster-already-3",
        ["elasticache-modify-cache-cluster.json"],
        _memcached(3),
        skip("no_change"),
    ),
]


# --------------------------------------------------------------------------- Access Analyzer


def _analyzers(*names: str) -> Estate:
    extra = [
        (
            "aws_accessanalyzer_analyzer",
            name,
            _attrs(
                "baselines",
                "aws_accessanalyzer_analyzer",
                analyzer_name=name,
                id=name,
                arn=f"arn:aws:access-analyzer:us-west-2:111122223333:analyzer/{name}",
                tags={"tagkey1": "tagvalue1"},
                tags_all={"tagkey1": "tagvalue1"},
            ),
        )
        for name in names
    ]
    return _estate("baselines", *extra)


ACCESS_ANALYZER = [
    case(
        "access-analyzer-create-unmanaged",
        ["access-analyzer-create-analyzer.json"],
        _analyzers("org"),
        Want(
            Kind.UNMANAGED,
            "test",
            Severity.LOW,
            {
                "analyzer_name": (None, "test"),
                "type": (None, "ACCOUNT"),
                "tags": (None, {"tagkey1": "tagvalue1"}),
            },
        ),
    ),
    case(
        "access-analyzer-create-already-managed",
        ["access-analyzer-create-analyzer.json"],
        _analyzers("test"),
        skip("already_managed"),
    ),
]


# --------------------------------------------------------------------------- Secrets Manager

SM_ARN = "arn:aws:secretsmanager:us-west-2:123456789012:secret:paloma/example-secret-xxxxxx"
SM_REQUEST = records("secretsmanager-put-resource-policy.json")[0].request
assert isinstance(SM_REQUEST, Mapping)
SM_POLICY = json.dumps(json.loads(SM_REQUEST["resourcePolicy"]), separators=(",", ":"))
APP_ONLY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:role/ExampleRoleAssumption1"},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": SM_ARN,
            }
        ],
    },
    separators=(",", ":"),
)


def _secret_policy(policy: str) -> Estate:
    secret = _attrs(
        "secrets",
        "aws_secretsmanager_secret",
        arn=SM_ARN,
        id=SM_ARN,
        name="paloma/example-secret",
        policy="",
    )
    managed = _attrs("secrets", "aws_secretsmanager_secret_policy", id=SM_ARN, policy=policy)
    managed["secret_arn"] = SM_ARN
    return Estate(
        "secrets",
        extra=(
            ("aws_secretsmanager_secret", "paloma", secret),
            ("aws_secretsmanager_secret_policy", "paloma", managed),
        ),
    )


SECRETS = [
    case(
        # Principal "*" in two statements, each under an organisation condition: not a public
        # grant, so nothing raises the row's default (high) to critical.
        "secretsmanager-put-resource-policy-org-conditions",
        ["secretsmanager-put-resource-policy.json"],
        _secret_policy(APP_ONLY),
        Want(
            Kind.MODIFIED,
            "aws_secretsmanager_secret_policy.paloma",
            Severity.HIGH,
            {"policy": (APP_ONLY, SM_POLICY)},
        ),
    ),
    case(
        "secretsmanager-put-resource-policy-as-state-says",
        ["secretsmanager-put-resource-policy.json"],
        _secret_policy(SM_POLICY),
        skip("no_change"),
    ),
]


@pytest.mark.parametrize(
    ("files", "estate", "want"),
    ACM + CLOUDFRONT + WAFV2 + ELASTICACHE + ACCESS_ANALYZER + SECRETS,
)
def test_recorded(files: list[str], estate: Estate, want: Want) -> None:
    events = records(*files)
    check(run_events(estate.index(), events), len(events), want)


def test_recorded_analyzer_imports_with_its_tags(tmp_path: Path) -> None:
    """The recorded CreateAnalyzer becomes ``resource`` + ``import {}`` with the tags it set."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text("")
    events = records("access-analyzer-create-analyzer.json")
    outcome = run_events(_analyzers("org").index(), events)
    result = remediate(outcome.only(), tmp_path, "import")
    written = "".join(result.files.values())
    assert result.ok, result
    assert 'resource "aws_accessanalyzer_analyzer"' in written
    assert re.search(r'tags\s+=\s+\{\s+tagkey1\s+=\s+"tagvalue1"\s+\}', written), written
    assert re.search(r'id\s+=\s+"test"', written), written


def test_every_fixture_here_is_replayed_and_sourced() -> None:
    cases = ACM + CLOUDFRONT + WAFV2 + ELASTICACHE + ACCESS_ANALYZER + SECRETS
    replayed = {name for param in cases for name in param.values[0]}
    prefixes = ("acm-", "wafv2-", "elasticache-", "access-analyzer-", "cloudfront-")
    present = {p.name for p in RECORDS.glob("*.json") if p.name.startswith(prefixes)}
    assert present <= replayed
    sources = (RECORDS / "SOURCES.md").read_text(encoding="utf-8")
    assert all(f"| {name} |" in sources for name in replayed)
