"""CloudFront, WAFv2 and ElastiCache rows on API-shaped calls.

Recorded ``UpdateDistribution``/``CreateDistribution`` (Cloud Custodian), WAFv2
``UpdateWebACL``/``DeleteWebACL``/``DisassociateWebACL`` and ElastiCache ``ModifyCacheCluster``
calls are replayed by ``test_real_published.py``; they carry the whole ``distributionConfig``
with ``comment`` hidden as ``HIDDEN_DUE_TO_SECURITY_REASONS``, the shape used here. For the other
calls no public, redistributable record was found. Each call reuses the envelope of a
published record (``cloudwatch-put-metric-alarm.json``: us-east-1, the estate's account) with
the request the service's API reference gives, against ``real-edge.tfstate``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import Estate, Want, check, records, skip
from tfdrift_gitops.models import Kind, Severity

EDGE = Estate("edge")
DIST = "EDFDVBD632BHDS5"
DISTRIBUTION = "aws_cloudfront_distribution.site"
WAF = (
    "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge-acl/"
    "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
)
_BLOCK: list[dict[str, Any]] = [{"allow": [], "block": [{"custom_response": []}]}]
_ALLOW: list[dict[str, Any]] = [{"allow": [{"custom_request_handling": []}], "block": []}]
_GEO_RULE = {
    "name": "geo",
    "priority": 1,
    "statement": {"geoMatchStatement": {"countryCodes": ["AF"]}},
    "action": {"block": {}},
    "visibilityConfig": {
        "sampledRequestsEnabled": True,
        "cloudWatchMetricsEnabled": True,
        "metricName": "geo",
    },
}


def _visibility(metrics: bool) -> dict[str, Any]:
    return {
        "cloudwatch_metrics_enabled": metrics,
        "metric_name": "edge",
        "sampled_requests_enabled": True,
    }


CERTIFICATE = (  # the state's, so that an unchanged config is no drift
    "arn:aws:acm:us-east-1:123456789012:certificate/8a1c2e3f-4b5d-4e6f-9a7b-1c2d3e4f5a6b"
)
EDGE_FUNCTION = "arn:aws:cloudfront::123456789012:function/add-headers"
STAGE_ARN = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod"
GROUP = "aws_elasticache_replication_group.sessions"


def _call(source: str, name: str, request: dict[str, Any]) -> Any:
    base = records("cloudwatch-put-metric-alarm.json")[0]
    event = replace(
        base, name=name, source=f"{source}.amazonaws.com", request=request, response=None
    )
    return run_events(EDGE.index(), [event])


def _behavior(**changes: Any) -> dict[str, Any]:
    """The default cache behaviour as the console sends it (every member, empty lists with
    their quantity), matching the state's."""
    behavior: dict[str, Any] = {
        "targetOriginId": "assets",
        "viewerProtocolPolicy": "redirect-to-https",
        "functionAssociations": {"quantity": 0, "items": []},
        "lambdaFunctionAssociations": {"quantity": 0, "items": []},
        "fieldLevelEncryptionId": "",
        "trustedSigners": {"enabled": False, "quantity": 0, "items": []},
        "trustedKeyGroups": {"enabled": False, "quantity": 0, "items": []},
        "cachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        "allowedMethods": {
            "quantity": 2,
            "items": ["GET", "HEAD"],
            "cachedMethods": {"quantity": 2, "items": ["GET", "HEAD"]},
        },
        "smoothStreaming": False,
        "compress": True,
    }
    behavior.update(changes)
    return behavior


def _config(**changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "origins": {
            "quantity": 1,
            "items": [
                {
                    "id": "assets",
                    "domainName": "site-assets.s3.us-east-1.amazonaws.com",
                    "originPath": "",
                    "connectionAttempts": 3,
                    "connectionTimeout": 10,
                    "originAccessControlId": "E2QWRUHEXAMPLE",
                    "s3OriginConfig": {"originAccessIdentity": ""},
                }
            ],
        },
        "defaultCacheBehavior": _behavior(),
        "enabled": True,
        "defaultRootObject": "index.html",
        "httpVersion": "http2",
        "isIPV6Enabled": True,
        "priceClass": "PriceClass_100",
        "webACLId": WAF,
        "comment": "HIDDEN_DUE_TO_SECURITY_REASONS",
        "logging": {
            "enabled": True,
            "bucket": "site-logs.s3.amazonaws.com",
            "prefix": "cf/",
            "includeCookies": False,
        },
        "viewerCertificate": {
            "aCMCertificateArn": CERTIFICATE,
            "minimumProtocolVersion": "TLSv1.2_2021",
            "sSLSupportMethod": "sni-only",
        },
    }
    config.update(changes)
    return {"id": DIST, "ifMatch": "E2QWRUHAPOMQZL", "distributionConfig": config}


CASES = [
    pytest.param(
        "cloudfront", "UpdateDistribution", _config(), skip("no_change"), id="cf-same-config"
    ),
    pytest.param(
        "cloudfront",
        "UpdateDistribution",
        _config(webACLId=""),
        Want(Kind.MODIFIED, DISTRIBUTION, Severity.MEDIUM, {"web_acl_id": (WAF, "")}),
        id="cf-waf-removed",
    ),
    pytest.param(
        "cloudfront",
        "UpdateDistribution",
        _config(
            origins={
                "quantity": 1,
                "items": [{"id": "assets", "domainName": "cdn.attacker.example", "originPath": ""}],
            }
        ),
        Want(Kind.MODIFIED, DISTRIBUTION, Severity.MEDIUM),
        id="cf-origin-moved",
    ),
    pytest.param(
        "cloudfront",
        "UpdateDistribution",
        _config(defaultCacheBehavior=_behavior(viewerProtocolPolicy="allow-all")),
        Want(
            Kind.MODIFIED,
            DISTRIBUTION,
            Severity.HIGH,
            {
                "default_cache_behavior[0].viewer_protocol_policy": (
                    "redirect-to-https",
                    "allow-all",
                )
            },
            reason="plain HTTP",
        ),
        id="cf-http-allowed",
    ),
    pytest.param(
        "cloudfront",
        "UpdateDistribution",
        _config(logging={"enabled": False, "bucket": "", "prefix": "", "includeCookies": False}),
        Want(
            Kind.MODIFIED,
            DISTRIBUTION,
            Severity.MEDIUM,
            {
                "logging_config": (
                    [
                        {
                            "bucket": "site-logs.s3.amazonaws.com",
                            "include_cookies": False,
                            "prefix": "cf/",
                        }
                    ],
                    [],
                )
            },
        ),
        id="cf-logging-off",
    ),
    pytest.param(
        "cloudfront",
        "UpdateDistribution",
        _config(
            defaultCacheBehavior=_behavior(
                allowedMethods={
                    "quantity": 7,
                    "items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                    "cachedMethods": {"quantity": 2, "items": ["HEAD", "GET"]},
                },
                functionAssociations={
                    "quantity": 1,
                    "items": [{"eventType": "viewer-request", "functionARN": EDGE_FUNCTION}],
                },
            )
        ),
        Want(
            Kind.MODIFIED,
            DISTRIBUTION,
            Severity.MEDIUM,
            {
                "default_cache_behavior[0].allowed_methods": (
                    ["GET", "HEAD"],
                    ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                ),
                "default_cache_behavior[0].function_association": (
                    [],
                    [{"event_type": "viewer-request", "function_arn": EDGE_FUNCTION}],
                ),
            },
        ),
        id="cf-methods-and-an-edge-function",
    ),
    pytest.param(
        "cloudfront",
        "UpdateDistribution",
        _config(
            restrictions={
                "geoRestriction": {
                    "restrictionType": "whitelist",
                    "quantity": 2,
                    "items": ["US", "CA"],
                }
            },
            customErrorResponses={
                "quantity": 1,
                "items": [
                    {
                        "errorCode": 404,
                        "responsePagePath": "/404.html",
                        "responseCode": "404",
                        "errorCachingMinTTL": 10,
                    }
                ],
            },
        ),
        Want(
            Kind.MODIFIED,
            DISTRIBUTION,
            Severity.MEDIUM,
            {
                "restrictions[0].geo_restriction[0].restriction_type": ("none", "whitelist"),
                "restrictions[0].geo_restriction[0].locations": ([], ["US", "CA"]),
                "custom_error_response": (
                    [],
                    [
                        {
                            "error_caching_min_ttl": 10,
                            "error_code": 404,
                            "response_code": 404,
                            "response_page_path": "/404.html",
                        }
                    ],
                ),
            },
        ),
        id="cf-geo-restricted-and-an-error-page",
    ),
    pytest.param(
        "cloudfront",
        "UpdateDistribution",
        _config(
            viewerCertificate={
                "cloudFrontDefaultCertificate": True,
                "minimumProtocolVersion": "TLSv1",
                "certificateSource": "cloudfront",
            }
        ),
        Want(
            Kind.MODIFIED,
            DISTRIBUTION,
            Severity.MEDIUM,
            {
                "viewer_certificate[0].acm_certificate_arn": (CERTIFICATE, ""),
                "viewer_certificate[0].cloudfront_default_certificate": (False, True),
                "viewer_certificate[0].minimum_protocol_version": ("TLSv1.2_2021", "TLSv1"),
                "viewer_certificate[0].ssl_support_method": ("sni-only", ""),
            },
        ),
        id="cf-back-to-the-default-certificate",
    ),
    pytest.param(
        "cloudfront",
        "DeleteDistribution",
        {"id": DIST, "ifMatch": "E2QWRUHAPOMQZL"},
        Want(Kind.DELETED, DISTRIBUTION, Severity.HIGH),
        id="cf-deleted",
    ),
    pytest.param(
        "wafv2",
        "UpdateIPSet",
        {
            "name": "office",
            "scope": "CLOUDFRONT",
            "id": "f1e2d3c4-b5a6-9788-6950-EXAMPLE22222",
            "addresses": ["198.51.100.0/24", "0.0.0.0/1"],
            "lockToken": "2c8d6f47-EXAMPLE",
        },
        Want(
            Kind.MODIFIED,
            "aws_wafv2_ip_set.office",
            Severity.MEDIUM,
            {"addresses": (["198.51.100.0/24"], ["198.51.100.0/24", "0.0.0.0/1"])},
        ),
        id="waf-ip-set-widened",
    ),
    pytest.param(
        "wafv2",
        "UpdateWebACL",
        {
            "name": "edge-acl",
            "scope": "CLOUDFRONT",
            "id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
            "defaultAction": {"allow": {}},
            "rules": [],
        },
        Want(
            Kind.MODIFIED,
            "aws_wafv2_web_acl.edge",
            Severity.HIGH,
            {"default_action": (_BLOCK, _ALLOW)},
            reason="allow",
        ),
        id="waf-web-acl-allow-by-default",
    ),
    pytest.param(
        "wafv2",
        "UpdateWebACL",
        {
            "name": "edge-acl",
            "scope": "CLOUDFRONT",
            "id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
            "defaultAction": {"block": {}},
            "description": "edge rules",
            "visibilityConfig": {
                "sampledRequestsEnabled": True,
                "cloudWatchMetricsEnabled": False,
                "metricName": "edge",
            },
            "rules": [],
        },
        Want(
            Kind.MODIFIED,
            "aws_wafv2_web_acl.edge",
            Severity.MEDIUM,
            {
                "description": ("", "edge rules"),
                "visibility_config": (
                    [_visibility(metrics=True)],
                    [_visibility(metrics=False)],
                ),
            },
        ),
        id="waf-web-acl-described-metrics-off",
    ),
    pytest.param(
        "wafv2",
        "UpdateWebACL",
        {
            "name": "edge-acl",
            "scope": "CLOUDFRONT",
            "id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
            "defaultAction": {"allow": {}},
            "rules": [_GEO_RULE],
            "visibilityConfig": {
                "sampledRequestsEnabled": True,
                "cloudWatchMetricsEnabled": True,
                "metricName": "edge",
            },
        },
        # Rules are not modelled: the call stays resource-level, with what is modelled.
        Want(
            Kind.MODIFIED,
            "aws_wafv2_web_acl.edge",
            Severity.HIGH,
            {"default_action": (_BLOCK, _ALLOW)},
        ),
        id="waf-web-acl-rules-and-allow",
    ),
    pytest.param(
        "wafv2",
        "UpdateWebACL",
        {
            "name": "edge-acl",
            "scope": "CLOUDFRONT",
            "id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
            "defaultAction": {"block": {"customResponse": {"responseCode": 403}}},
            "rules": [],
        },
        # A custom response is not modelled: a resource-level change, never "no change".
        Want(Kind.MODIFIED, "aws_wafv2_web_acl.edge", Severity.MEDIUM, {}),
        id="waf-web-acl-custom-response",
    ),
    pytest.param(
        "wafv2",
        "DisassociateWebACL",
        {"resourceArn": STAGE_ARN},
        Want(Kind.DELETED, "aws_wafv2_web_acl_association.api", Severity.HIGH),
        id="waf-disassociated",
    ),
    pytest.param(
        "elasticache",
        "ModifyReplicationGroup",
        {"replicationGroupId": "Sessions", "snapshotRetentionLimit": 0, "applyImmediately": True},
        Want(
            Kind.MODIFIED,
            GROUP,
            Severity.HIGH,
            {"snapshot_retention_limit": (7, 0)},
            reason="no automatic backups",
        ),
        id="cache-backups-off",
    ),
    pytest.param(
        "elasticache",
        "ModifyReplicationGroup",
        {
            "replicationGroupId": "sessions",
            "authToken": "<sensitiveDataRemoved>",
            "authTokenUpdateStrategy": "ROTATE",
        },
        Want(
            Kind.MODIFIED,
            GROUP,
            Severity.MEDIUM,
            {"auth_token": ("", "(hidden by CloudTrail)")},
        ),
        id="cache-auth-token-rotated-hidden",
    ),
    pytest.param(
        "wafv2",
        "DeleteLoggingConfiguration",
        {"resourceArn": WAF},
        Want(Kind.DELETED, "aws_wafv2_web_acl_logging_configuration.edge", Severity.HIGH),
        id="waf-logging-deleted",
    ),
    pytest.param(
        "wafv2",
        "PutLoggingConfiguration",
        {
            "loggingConfiguration": {
                "resourceArn": WAF,
                "logDestinationConfigs": [
                    "arn:aws:s3:::aws-waf-logs-elsewhere-999988887777",
                ],
            }
        },
        Want(
            Kind.MODIFIED,
            "aws_wafv2_web_acl_logging_configuration.edge",
            Severity.MEDIUM,
            {
                "log_destination_configs": (
                    ["arn:aws:firehose:us-east-1:123456789012:deliverystream/aws-waf-logs-edge"],
                    ["arn:aws:s3:::aws-waf-logs-elsewhere-999988887777"],
                )
            },
        ),
        id="waf-logging-moved",
    ),
    pytest.param(
        "elasticache",
        "ModifyCacheCluster",
        {"cacheClusterId": "lookup", "numCacheNodes": 1, "applyImmediately": True},
        Want(
            Kind.MODIFIED,
            "aws_elasticache_cluster.memcached",
            Severity.MEDIUM,
            {"num_cache_nodes": (2, 1)},
        ),
        id="cache-cluster-shrunk",
    ),
    pytest.param(
        "elasticache",
        "DeleteReplicationGroup",
        {"replicationGroupId": "sessions", "retainPrimaryCluster": False},
        Want(Kind.DELETED, GROUP, Severity.HIGH),
        id="cache-deleted",
    ),
]


@pytest.mark.parametrize(("source", "name", "request_", "want"), CASES)
def test_edge_calls(source: str, name: str, request_: dict[str, Any], want: Want) -> None:
    check(_call(source, name, request_), 1, want)


CUSTOM_ORIGIN = {
    "id": "assets",
    "domainName": "elsewhere.example.com",
    "originPath": "/v2",
    "connectionAttempts": 3,
    "connectionTimeout": 10,
    "customHeaders": {"quantity": 1, "items": [{"headerName": "x-key", "headerValue": "k"}]},
    "customOriginConfig": {
        "hTTPPort": 80,
        "hTTPSPort": 443,
        "originProtocolPolicy": "https-only",
        "originSslProtocols": {"quantity": 1, "items": ["TLSv1.2"]},
        "originReadTimeout": 30,
        "originKeepaliveTimeout": 5,
    },
    "originShield": {"enabled": False},
    "s3OriginConfig": {"originAccessIdentity": ""},
}


def test_origin_moved_reports_the_whole_block_as_the_provider_reads_it() -> None:
    """Terraform's drift shows the whole origin set (the oracle's ``edge cdn_origin`` case):
    the change's after is each origin as provider v5 reads it back, with its custom origin
    config and headers, no origin shield when disabled, no S3 config without an identity."""
    request = _config(origins={"quantity": 1, "items": [CUSTOM_ORIGIN]})
    drift = _call("cloudfront", "UpdateDistribution", request).only()
    changes = {c.path: c.after for c in drift.changes}
    assert set(changes) == {"origin"}
    assert changes["origin"] == [
        {
            "origin_id": "assets",
            "domain_name": "elsewhere.example.com",
            "origin_path": "/v2",
            "connection_attempts": 3,
            "connection_timeout": 10,
            "custom_header": [{"name": "x-key", "value": "k"}],
            "custom_origin_config": [
                {
                    "http_port": 80,
                    "https_port": 443,
                    "origin_keepalive_timeout": 5,
                    "origin_protocol_policy": "https-only",
                    "origin_read_timeout": 30,
                    "origin_ssl_protocols": ["TLSv1.2"],
                }
            ],
            "origin_access_control_id": "",
            "origin_shield": [],
            "s3_origin_config": [],
            "vpc_origin_config": [],
        }
    ]


def test_origin_setting_alone_is_a_change() -> None:
    """Origins compare as whole blocks: a longer connection timeout alone is drift."""
    origin = {**_config()["distributionConfig"]["origins"]["items"][0], "connectionTimeout": 30}
    request = _config(origins={"quantity": 1, "items": [origin]})
    drift = _call("cloudfront", "UpdateDistribution", request).only()
    assert [c.path for c in drift.changes] == ["origin"]
    assert drift.changes[0].after[0]["connection_timeout"] == 30


# ------------------------------------------------------------ ordered behaviours, origin groups

ASSETS_ORIGIN = {  # the state's
    "connection_attempts": 3,
    "connection_timeout": 10,
    "custom_header": [],
    "custom_origin_config": [],
    "domain_name": "site-assets.s3.us-east-1.amazonaws.com",
    "origin_access_control_id": "E2QWRUHEXAMPLE",
    "origin_id": "assets",
    "origin_path": "",
    "origin_shield": [],
    "s3_origin_config": [],
    "vpc_origin_config": [],
}
BACKUP_ORIGIN = {
    "connection_attempts": 3,
    "connection_timeout": 10,
    "custom_header": [],
    "custom_origin_config": [],
    "domain_name": "site-backup.s3.us-west-2.amazonaws.com",
    "origin_access_control_id": "E2QWRUHEXAMPLE",
    "origin_id": "backup",
    "origin_path": "",
    "origin_shield": [],
    "s3_origin_config": [],
    "vpc_origin_config": [],
}
API_BEHAVIOR = {  # as provider v5 stores an ordered cache behaviour on a cache policy
    "allowed_methods": ["GET", "HEAD", "OPTIONS"],
    "cache_policy_id": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "cached_methods": ["GET", "HEAD"],
    "compress": True,
    "default_ttl": 0,
    "field_level_encryption_id": "",
    "forwarded_values": [],
    "function_association": [],
    "grpc_config": [],
    "lambda_function_association": [],
    "max_ttl": 0,
    "min_ttl": 0,
    "origin_request_policy_id": "",
    "path_pattern": "/api/*",
    "realtime_log_config_arn": "",
    "response_headers_policy_id": "",
    "smooth_streaming": False,
    "target_origin_id": "failover",
    "trusted_key_groups": [],
    "trusted_signers": [],
    "viewer_protocol_policy": "https-only",
}
FAILOVER_GROUP = {
    "origin_id": "failover",
    "failover_criteria": [{"status_codes": [500, 502, 503]}],
    "member": [{"origin_id": "assets"}, {"origin_id": "backup"}],
}
ORDERED = Estate(
    "edge",
    patch={
        DISTRIBUTION: {
            "origin": [ASSETS_ORIGIN, BACKUP_ORIGIN],
            "ordered_cache_behavior": [API_BEHAVIOR],
            "origin_group": [FAILOVER_GROUP],
        }
    },
)


def _api_behavior(**changes: Any) -> dict[str, Any]:
    """The state's ``/api/*`` behaviour as the console sends it (every member)."""
    behavior: dict[str, Any] = {
        **_behavior(
            targetOriginId="failover",
            viewerProtocolPolicy="https-only",
            cachePolicyId="4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
            allowedMethods={
                "quantity": 3,
                "items": ["GET", "HEAD", "OPTIONS"],
                "cachedMethods": {"quantity": 2, "items": ["GET", "HEAD"]},
            },
        ),
        "pathPattern": "/api/*",
    }
    behavior.update(changes)
    return behavior


def _group(**changes: Any) -> dict[str, Any]:
    group: dict[str, Any] = {
        "id": "failover",
        "failoverCriteria": {"statusCodes": {"quantity": 3, "items": [500, 502, 503]}},
        "members": {"quantity": 2, "items": [{"originId": "assets"}, {"originId": "backup"}]},
    }
    group.update(changes)
    return group


def _ordered_config(**changes: Any) -> dict[str, Any]:
    """The ``ORDERED`` estate's distribution as the console sends it."""
    request = _config()
    assets = request["distributionConfig"]["origins"]["items"][0]
    backup = {
        **assets,
        "id": "backup",
        "domainName": "site-backup.s3.us-west-2.amazonaws.com",
    }
    config = request["distributionConfig"]
    config["origins"] = {"quantity": 2, "items": [assets, backup]}
    config["cacheBehaviors"] = {"quantity": 1, "items": [_api_behavior()]}
    config["originGroups"] = {"quantity": 1, "items": [_group()]}
    config.update(changes)
    return request


def _ordered_call(request: dict[str, Any]) -> Any:
    base = records("cloudwatch-put-metric-alarm.json")[0]
    event = replace(
        base,
        name="UpdateDistribution",
        source="cloudfront.amazonaws.com",
        request=request,
        response=None,
    )
    return run_events(ORDERED.index(), [event])


def _api_after(**changes: Any) -> dict[str, Any]:
    return {**API_BEHAVIOR, **changes}


ORDERED_CASES = [
    pytest.param(_ordered_config(), skip("no_change"), id="cf-ordered-same-config"),
    pytest.param(
        _ordered_config(
            cacheBehaviors={
                "quantity": 1,
                "items": [
                    _api_behavior(
                        allowedMethods={
                            "quantity": 7,
                            "items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                            "cachedMethods": {"quantity": 2, "items": ["GET", "HEAD"]},
                        },
                        compress=False,
                    )
                ],
            }
        ),
        Want(
            Kind.MODIFIED,
            DISTRIBUTION,
            Severity.MEDIUM,
            {
                "ordered_cache_behavior": (
                    [API_BEHAVIOR],
                    [
                        _api_after(
                            allowed_methods=[
                                "GET",
                                "HEAD",
                                "OPTIONS",
                                "PUT",
                                "POST",
                                "PATCH",
                                "DELETE",
                            ],
                            compress=False,
                        )
                    ],
                )
            },
        ),
        id="cf-ordered-post-allowed-and-compression-off",
    ),
    pytest.param(
        _ordered_config(
            cacheBehaviors={
                "quantity": 1,
                "items": [_api_behavior(viewerProtocolPolicy="allow-all")],
            }
        ),
        Want(
            Kind.MODIFIED,
            DISTRIBUTION,
            Severity.HIGH,
            {
                "ordered_cache_behavior": (
                    [API_BEHAVIOR],
                    [_api_after(viewer_protocol_policy="allow-all")],
                )
            },
            reason="allow-all on /api/*",
        ),
        id="cf-ordered-plain-http-allowed",
    ),
    pytest.param(
        # Members left out are the API's defaults: no compression, GET and HEAD only; the
        # legacy TTLs, with no cache policy, a day and a year.
        _ordered_config(
            cacheBehaviors={
                "quantity": 2,
                "items": [
                    {
                        "pathPattern": "/static/*",
                        "targetOriginId": "assets",
                        "viewerProtocolPolicy": "redirect-to-https",
                        "forwardedValues": {
                            "queryString": False,
                            "cookies": {"forward": "none"},
                        },
                    },
                    _api_behavior(),
                ],
            }
        ),
        Want(
            Kind.MODIFIED,
            DISTRIBUTION,
            Severity.MEDIUM,
            {
                "ordered_cache_behavior": (
                    [API_BEHAVIOR],
                    [
                        {
                            **API_BEHAVIOR,
                            "path_pattern": "/static/*",
                            "target_origin_id": "assets",
                            "viewer_protocol_policy": "redirect-to-https",
                            "allowed_methods": ["GET", "HEAD"],
                            "cache_policy_id": "",
                            "compress": False,
                            "forwarded_values": [
                                {
                                    "query_string": False,
                                    "cookies": [{"forward": "none", "whitelisted_names": []}],
                                    "headers": [],
                                    "query_string_cache_keys": [],
                                }
                            ],
                            "default_ttl": 86_400,
                            "max_ttl": 31_536_000,
                        },
                        API_BEHAVIOR,
                    ],
                )
            },
        ),
        id="cf-ordered-behavior-added-first",
    ),
    pytest.param(
        # A config without cacheBehaviors has none (the recorded console calls leave it out).
        {
            **_ordered_config(),
            "distributionConfig": {
                k: v
                for k, v in _ordered_config()["distributionConfig"].items()
                if k != "cacheBehaviors"
            },
        },
        Want(
            Kind.MODIFIED,
            DISTRIBUTION,
            Severity.MEDIUM,
            {"ordered_cache_behavior": ([API_BEHAVIOR], [])},
        ),
        id="cf-ordered-behavior-removed",
    ),
    pytest.param(
        _ordered_config(
            originGroups={
                "quantity": 1,
                "items": [
                    _group(
                        failoverCriteria={"statusCodes": {"quantity": 1, "items": [404]}},
                        members={
                            "quantity": 2,
                            "items": [{"originId": "backup"}, {"originId": "assets"}],
                        },
                    )
                ],
            }
        ),
        Want(
            Kind.MODIFIED,
            DISTRIBUTION,
            Severity.MEDIUM,
            {
                "origin_group": (
                    [FAILOVER_GROUP],
                    [
                        {
                            "origin_id": "failover",
                            "failover_criteria": [{"status_codes": [404]}],
                            "member": [{"origin_id": "backup"}, {"origin_id": "assets"}],
                        }
                    ],
                )
            },
        ),
        id="cf-origin-group-codes-and-primary-changed",
    ),
    pytest.param(
        _ordered_config(
            originGroups={
                "quantity": 1,
                "items": [
                    _group(
                        members={
                            "quantity": 2,
                            "items": [{"originId": "backup"}, {"originId": "assets"}],
                        },
                    )
                ],
            }
        ),
        Want(
            Kind.MODIFIED,
            DISTRIBUTION,
            Severity.MEDIUM,
            {
                "origin_group": (
                    [FAILOVER_GROUP],
                    [
                        {
                            **FAILOVER_GROUP,
                            "member": [{"origin_id": "backup"}, {"origin_id": "assets"}],
                        }
                    ],
                )
            },
        ),
        id="cf-origin-group-primary-swapped",
    ),
    pytest.param(
        _ordered_config(
            originGroups={
                "quantity": 1,
                "items": [
                    _group(
                        failoverCriteria={"statusCodes": {"quantity": 3, "items": [503, 500, 502]}},
                    )
                ],
            }
        ),
        skip("no_change"),
        id="cf-origin-group-codes-in-another-order",
    ),
]


@pytest.mark.parametrize(("request_", "want"), ORDERED_CASES)
def test_ordered_behaviors_and_origin_groups(request_: dict[str, Any], want: Want) -> None:
    check(_ordered_call(request_), 1, want)
