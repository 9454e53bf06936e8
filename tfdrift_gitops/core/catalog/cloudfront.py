"""CloudFront distributions (``aws_cloudfront_distribution``); a global service (us-east-1).

Choices worth knowing:
- ``UpdateDistribution`` sends the whole ``distributionConfig``: the fields modelled here
  (origins as whole blocks, in the form provider v5 reads them back, since Terraform's drift
  shows the whole origin set; the aliases it answers for; enabled, default root object, HTTP
  version, IPv6, price class, WAF web ACL, logging; the default cache behaviour's methods,
  target origin, compression, policies, edge functions and trusted signers/key groups; the
  geo restriction; custom error responses; the viewer certificate; the ordered cache
  behaviours; the origin groups) are compared. The legacy TTLs and forwarded values are not: a
  change there alone is not seen.
- Ordered cache behaviours (``cacheBehaviors``) are an ordered list (CloudFront tries them in
  order), written whole as provider v5 reads them back and compared on what the default cache
  behaviour is compared on, members left out being the API's defaults. A config without
  ``cacheBehaviors`` has none (the recorded console calls leave it out then).
- Origin groups (``originGroups``) are a set keyed by ``origin_id``; a group's members keep
  their order (the first is the primary).
- CloudTrail hides ``comment`` (``HIDDEN_DUE_TO_SECURITY_REASONS``): never compared.
- Logging disabled in the request means no ``logging_config`` block, as the provider reads it.
- Viewers allowed on plain HTTP (by the default or any ordered cache behaviour), or a minimum
  TLS version below TLSv1.2, is high.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    as_bool,
    as_int,
    as_set,
    blocks,
    first,
    mapped,
    req,
    resp,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import optional_text, text, with_fallback
from tfdrift_gitops.core.paths import MISSING, items, lookup
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "cloudfront.amazonaws.com"
DISTRIBUTION = "aws_cloudfront_distribution"
CONFIG = "distributionConfig"
WEAK_TLS = frozenset({"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"})

DISTRIBUTION_ID: Extractor = first(text("id"), mapped(resp("distribution.id"), str))


def _config(field: str) -> Extractor:
    """A field of the config, also under ``distributionConfigWithTags`` (create with tags);
    ``""``: the config itself."""
    path = f"{CONFIG}.{field}" if field else CONFIG
    return first(req(path), req(f"distributionConfigWithTags.{path}"))


def _member(block: str, field: str, default: Any) -> Extractor:
    """A member of a block the call sends whole (the config replaces the distribution's):
    left out of a block that is there, it is the API's default; MISSING only when the block
    itself is not there (CloudTrail left the request out, say)."""
    found = _config(block)

    def extract(event: CloudEvent) -> Any:
        value = found(event)
        if not isinstance(value, Mapping):
            return MISSING
        member = lookup(value, field)
        return default if member is MISSING or member is None else member

    keys.note(extract, keys.needs_of(found))
    return extract


def _logging(raw: Any) -> Any:
    if not isinstance(raw, Mapping):
        return MISSING
    if as_bool(lookup(raw, "enabled")) is not True:
        return []
    return [
        {
            "bucket": str(lookup(raw, "bucket") or ""),
            "prefix": str(lookup(raw, "prefix") or ""),
            "include_cookies": as_bool(lookup(raw, "includeCookies")) is True,
        }
    ]


def _number(value: Any, default: int) -> int:
    number = as_int(value)
    return number if isinstance(number, int) else default


def _text(raw: Any, *names: str) -> str:
    for name in names:
        value = lookup(raw, name)
        if isinstance(value, str):
            return value
    return ""


def _listed(raw: Any) -> list[Any]:
    """``{"quantity": n, "items": [...]}`` (or a bare list) -> the items."""
    return items(lookup(raw, "items")) if isinstance(raw, Mapping) else items(raw)


def _custom_origin(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, Mapping):
        return []
    return [
        {
            "http_port": _number(lookup(raw, "hTTPPort"), 80),
            "https_port": _number(lookup(raw, "hTTPSPort"), 443),
            "origin_keepalive_timeout": _number(lookup(raw, "originKeepaliveTimeout"), 5),
            "origin_protocol_policy": _text(raw, "originProtocolPolicy"),
            "origin_read_timeout": _number(lookup(raw, "originReadTimeout"), 30),
            "origin_ssl_protocols": [
                v for v in _listed(lookup(raw, "originSslProtocols")) if isinstance(v, str)
            ],
        }
    ]


def _origin(raw: Mapping[str, Any]) -> dict[str, Any]:
    """One origin as provider v5 reads it back (``flattenOrigin``): an origin shield only when
    enabled, an S3 origin config only with an access identity."""
    shield = lookup(raw, "originShield")
    identity = _text(lookup(raw, "s3OriginConfig"), "originAccessIdentity")
    vpc = lookup(raw, "vpcOriginConfig")
    return {
        "origin_id": _text(raw, "id"),
        "domain_name": _text(raw, "domainName"),
        "origin_path": _text(raw, "originPath"),
        "connection_attempts": _number(lookup(raw, "connectionAttempts"), 3),
        "connection_timeout": _number(lookup(raw, "connectionTimeout"), 10),
        "custom_header": [
            {"name": _text(h, "headerName"), "value": _text(h, "headerValue")}
            for h in _listed(lookup(raw, "customHeaders"))
            if isinstance(h, Mapping)
        ],
        "custom_origin_config": _custom_origin(lookup(raw, "customOriginConfig")),
        "origin_access_control_id": _text(raw, "originAccessControlId"),
        "origin_shield": (
            [{"enabled": True, "origin_shield_region": _text(shield, "originShieldRegion")}]
            if isinstance(shield, Mapping) and as_bool(lookup(shield, "enabled")) is True
            else []
        ),
        "s3_origin_config": [{"origin_access_identity": identity}] if identity else [],
        "vpc_origin_config": (
            [
                {
                    "vpc_origin_id": _text(vpc, "vpcOriginId"),
                    "origin_keepalive_timeout": _number(lookup(vpc, "originKeepaliveTimeout"), 5),
                    "origin_read_timeout": _number(lookup(vpc, "originReadTimeout"), 30),
                }
            ]
            if isinstance(vpc, Mapping)
            else []
        ),
    }


def _origins(raw: Any) -> Any:
    found = [_origin(o) for o in _listed(raw) if isinstance(o, Mapping)]
    return found if found else MISSING


def _item_names(raw: Any) -> Any:
    """``{"quantity": n, "items": [...]}`` -> the names: aliases (the recorded calls send an
    empty ``items`` list, or none, for a distribution without aliases), methods, countries,
    trusted signers and key groups (which also say ``enabled``, which the provider does not
    keep)."""
    if not isinstance(raw, Mapping):
        return MISSING
    return [str(v) for v in items(lookup(raw, "items")) if isinstance(v, str)]


def _canon(value: Any) -> Any:
    """Blocks as sorted items, lists as sets (origins, headers and TLS protocols are sets in
    the provider), empty values left out (a missing nested block reads as ``[]``)."""
    if isinstance(value, Mapping):
        return tuple(
            sorted((k, _canon(v)) for k, v in value.items() if v not in (None, "", [], MISSING))
        )
    if isinstance(value, list):
        return frozenset(_canon(v) for v in value)
    return value


def _blocks_compare(value: Any) -> Any:
    """A set of blocks each compared whole: origins (where the distribution fetches from and
    how), edge functions, custom error responses."""
    if not isinstance(value, list):
        return frozenset()
    return frozenset(_canon(b) for b in value if isinstance(b, Mapping))


def _functions(raw: Any) -> Any:
    if not isinstance(raw, Mapping):
        return MISSING
    return [
        {"event_type": _text(f, "eventType"), "function_arn": _text(f, "functionARN")}
        for f in _listed(raw)
        if isinstance(f, Mapping)
    ]


def _lambdas(raw: Any) -> Any:
    if not isinstance(raw, Mapping):
        return MISSING
    return [
        {
            "event_type": _text(f, "eventType"),
            "lambda_arn": _text(f, "lambdaFunctionARN"),
            "include_body": as_bool(lookup(f, "includeBody")) is True,
        }
        for f in _listed(raw)
        if isinstance(f, Mapping)
    ]


def _error_responses(raw: Any) -> Any:
    """Custom error responses as provider v5 reads them back: a response code of ``""`` is 0,
    an unset caching TTL is absent."""
    if not isinstance(raw, Mapping):
        return MISSING
    found = []
    for entry in _listed(raw):
        if not isinstance(entry, Mapping):
            continue
        block: dict[str, Any] = {
            "error_code": _number(lookup(entry, "errorCode"), 0),
            "response_code": _number(lookup(entry, "responseCode"), 0),
            "response_page_path": _text(entry, "responsePagePath"),
        }
        ttl = as_int(lookup(entry, "errorCachingMinTTL"))
        if isinstance(ttl, int):
            block["error_caching_min_ttl"] = ttl
        found.append(block)
    return found


_EMPTY_LIST: Mapping[str, Any] = {"quantity": 0, "items": []}
_GET_HEAD: Mapping[str, Any] = {"quantity": 2, "items": ["GET", "HEAD"]}  # the API's default
# The API's TTLs for a behaviour on the legacy settings (no cache policy) that leaves them out:
# a day, a year. With a cache policy the policy says them and the distribution reads 0.
_LEGACY_TTLS = {"minTTL": 0, "defaultTTL": 86_400, "maxTTL": 31_536_000}


def _names(raw: Any) -> list[str]:
    """``_item_names`` inside a block, where a list left out is empty."""
    found = _item_names(raw)
    return found if isinstance(found, list) else []


def _forwarded(raw: Any) -> list[dict[str, Any]]:
    """Legacy forwarded values as provider v5 reads them back (``flattenForwardedValues``)."""
    if not isinstance(raw, Mapping):
        return []
    cookies = lookup(raw, "cookies")
    return [
        {
            "query_string": as_bool(lookup(raw, "queryString")) is True,
            "cookies": (
                [
                    {
                        "forward": _text(cookies, "forward"),
                        "whitelisted_names": _names(lookup(cookies, "whitelistedNames")),
                    }
                ]
                if isinstance(cookies, Mapping)
                else []
            ),
            "headers": _names(lookup(raw, "headers")),
            "query_string_cache_keys": _names(lookup(raw, "queryStringCacheKeys")),
        }
    ]


def _ordered_behavior(raw: Mapping[str, Any]) -> dict[str, Any]:
    """One ordered cache behaviour as provider v5 reads it back (``flattenCacheBehavior``);
    a member left out is the API's default, as in the default cache behaviour."""
    methods = lookup(raw, "allowedMethods")
    methods = methods if isinstance(methods, Mapping) else _GET_HEAD
    cached = lookup(methods, "cachedMethods")
    policy = _text(raw, "cachePolicyId")
    grpc = lookup(raw, "grpcConfig")
    return {
        "path_pattern": _text(raw, "pathPattern"),
        "target_origin_id": _text(raw, "targetOriginId"),
        "viewer_protocol_policy": _text(raw, "viewerProtocolPolicy"),
        "allowed_methods": _names(methods),
        "cached_methods": _names(cached if isinstance(cached, Mapping) else _GET_HEAD),
        "compress": as_bool(lookup(raw, "compress")) is True,
        "smooth_streaming": as_bool(lookup(raw, "smoothStreaming")) is True,
        "cache_policy_id": policy,
        "origin_request_policy_id": _text(raw, "originRequestPolicyId"),
        "response_headers_policy_id": _text(raw, "responseHeadersPolicyId"),
        "field_level_encryption_id": _text(raw, "fieldLevelEncryptionId"),
        "realtime_log_config_arn": _text(raw, "realtimeLogConfigArn"),
        "function_association": _functions(lookup(raw, "functionAssociations")) or [],
        "lambda_function_association": _lambdas(lookup(raw, "lambdaFunctionAssociations")) or [],
        "trusted_key_groups": _names(lookup(raw, "trustedKeyGroups")),
        "trusted_signers": _names(lookup(raw, "trustedSigners")),
        "forwarded_values": _forwarded(lookup(raw, "forwardedValues")),
        "grpc_config": (
            [{"enabled": as_bool(lookup(grpc, "enabled")) is True}]
            if isinstance(grpc, Mapping)
            else []
        ),
        **{
            ttl: _number(lookup(raw, field), 0 if policy else _LEGACY_TTLS[field])
            for ttl, field in (
                ("min_ttl", "minTTL"),
                ("default_ttl", "defaultTTL"),
                ("max_ttl", "maxTTL"),
            )
        },
    }


def _ordered_behaviors(raw: Any) -> Any:
    if not isinstance(raw, Mapping):
        return MISSING
    return [_ordered_behavior(b) for b in _listed(raw) if isinstance(b, Mapping)]


# What a behaviour is compared on: what the default cache behaviour is (not the legacy TTLs
# and forwarded values, nor grpc_config, which AWS reads back whether or not a call sent it).
_BEHAVIOR_COMPARED = (
    "path_pattern",
    "target_origin_id",
    "viewer_protocol_policy",
    "allowed_methods",
    "cached_methods",
    "compress",
    "smooth_streaming",
    "cache_policy_id",
    "origin_request_policy_id",
    "response_headers_policy_id",
    "field_level_encryption_id",
    "realtime_log_config_arn",
    "function_association",
    "lambda_function_association",
    "trusted_key_groups",
    "trusted_signers",
)


def _ordered_compare(value: Any) -> Any:
    """Ordered cache behaviours: order matters (CloudFront uses the first whose path pattern
    matches); within one, the compared members as a block (lists as sets)."""
    if not isinstance(value, list):
        return ()
    return tuple(
        _canon({k: b.get(k) for k in _BEHAVIOR_COMPARED}) for b in value if isinstance(b, Mapping)
    )


def _origin_groups(raw: Any) -> Any:
    """Origin groups as provider v5 reads them back (``flattenOriginGroup``)."""
    if not isinstance(raw, Mapping):
        return MISSING
    found = []
    for group in _listed(raw):
        if not isinstance(group, Mapping):
            continue
        codes = lookup(group, "failoverCriteria.statusCodes")
        found.append(
            {
                "origin_id": _text(group, "id"),
                "failover_criteria": [{"status_codes": [_number(c, 0) for c in _listed(codes)]}],
                "member": [
                    {"origin_id": _text(m, "originId")}
                    for m in _listed(lookup(group, "members"))
                    if isinstance(m, Mapping)
                ],
            }
        )
    return found


def _groups_compare(value: Any) -> Any:
    """A set of origin groups; a group's failover codes are a set, its members a list (the
    first is the primary)."""
    if not isinstance(value, list):
        return frozenset()
    found = set()
    for group in value:
        if not isinstance(group, Mapping):
            continue
        criteria = group.get("failover_criteria") or [{}]
        codes = criteria[0].get("status_codes") if isinstance(criteria[0], Mapping) else None
        members = group.get("member") or []
        found.add(
            (
                str(group.get("origin_id") or ""),
                frozenset(_number(c, 0) for c in codes or ()),
                tuple(str(m.get("origin_id") or "") for m in members if isinstance(m, Mapping)),
            )
        )
    return frozenset(found)


def _behavior(field: str, default: Any = "") -> Extractor:
    return _member("defaultCacheBehavior", field, default)


_DEFAULT_BEHAVIOR = "default_cache_behavior[0]"
_GEO = "restrictions[0].geo_restriction[0]"
_CERTIFICATE = "viewer_certificate[0]"

EFFECTS: tuple[Effect, ...] = (
    SetAttr("origin", mapped(_config("origins"), _origins), _blocks_compare),
    SetAttr("aliases", mapped(_config("aliases"), _item_names), as_set),
    SetAttr("enabled", mapped(_config("enabled"), as_bool)),
    SetAttr("default_root_object", mapped(_config("defaultRootObject"), str), optional_text),
    SetAttr("http_version", mapped(_config("httpVersion"), str), optional_text),
    SetAttr("is_ipv6_enabled", mapped(_config("isIPV6Enabled"), as_bool)),
    SetAttr("price_class", mapped(_config("priceClass"), str), optional_text),
    SetAttr("web_acl_id", mapped(_config("webACLId"), str), optional_text),
    SetAttr("logging_config", mapped(_config("logging"), _logging), blocks),
    SetAttr(
        f"{_DEFAULT_BEHAVIOR}.viewer_protocol_policy",
        mapped(_config("defaultCacheBehavior.viewerProtocolPolicy"), str),
        optional_text,
    ),
    SetAttr(
        f"{_DEFAULT_BEHAVIOR}.allowed_methods",
        mapped(_behavior("allowedMethods", _GET_HEAD), _item_names),
        as_set,
    ),
    SetAttr(
        f"{_DEFAULT_BEHAVIOR}.cached_methods",
        mapped(
            _member("defaultCacheBehavior.allowedMethods", "cachedMethods", _GET_HEAD), _item_names
        ),
        as_set,
    ),
    SetAttr(
        f"{_DEFAULT_BEHAVIOR}.target_origin_id",
        mapped(_config("defaultCacheBehavior.targetOriginId"), str),
        optional_text,
    ),
    SetAttr(f"{_DEFAULT_BEHAVIOR}.compress", mapped(_behavior("compress", False), as_bool)),
    SetAttr(
        f"{_DEFAULT_BEHAVIOR}.smooth_streaming",
        mapped(_behavior("smoothStreaming", False), as_bool),
    ),
    *(
        SetAttr(f"{_DEFAULT_BEHAVIOR}.{attribute}", mapped(_behavior(field), str), optional_text)
        for attribute, field in (
            ("cache_policy_id", "cachePolicyId"),
            ("origin_request_policy_id", "originRequestPolicyId"),
            ("response_headers_policy_id", "responseHeadersPolicyId"),
            ("field_level_encryption_id", "fieldLevelEncryptionId"),
            ("realtime_log_config_arn", "realtimeLogConfigArn"),
        )
    ),
    SetAttr(
        f"{_DEFAULT_BEHAVIOR}.function_association",
        mapped(_behavior("functionAssociations", _EMPTY_LIST), _functions),
        _blocks_compare,
    ),
    SetAttr(
        f"{_DEFAULT_BEHAVIOR}.lambda_function_association",
        mapped(_behavior("lambdaFunctionAssociations", _EMPTY_LIST), _lambdas),
        _blocks_compare,
    ),
    SetAttr(
        f"{_DEFAULT_BEHAVIOR}.trusted_key_groups",
        mapped(_behavior("trustedKeyGroups", _EMPTY_LIST), _item_names),
        as_set,
    ),
    SetAttr(
        f"{_DEFAULT_BEHAVIOR}.trusted_signers",
        mapped(_behavior("trustedSigners", _EMPTY_LIST), _item_names),
        as_set,
    ),
    SetAttr(
        "ordered_cache_behavior",
        mapped(_member("", "cacheBehaviors", _EMPTY_LIST), _ordered_behaviors),
        _ordered_compare,
    ),
    SetAttr(
        "origin_group",
        mapped(_member("", "originGroups", _EMPTY_LIST), _origin_groups),
        _groups_compare,
    ),
    SetAttr(
        f"{_GEO}.restriction_type",
        mapped(_config("restrictions.geoRestriction.restrictionType"), str),
        optional_text,
    ),
    SetAttr(
        f"{_GEO}.locations",
        mapped(_config("restrictions.geoRestriction"), _item_names),
        as_set,
    ),
    SetAttr(
        "custom_error_response",
        mapped(_member("", "customErrorResponses", _EMPTY_LIST), _error_responses),
        _blocks_compare,
    ),
    SetAttr(
        f"{_CERTIFICATE}.minimum_protocol_version",
        mapped(_config("viewerCertificate.minimumProtocolVersion"), str),
        optional_text,
    ),
    SetAttr(
        f"{_CERTIFICATE}.cloudfront_default_certificate",
        mapped(_member("viewerCertificate", "cloudFrontDefaultCertificate", False), as_bool),
    ),
    *(
        SetAttr(
            f"{_CERTIFICATE}.{attribute}",
            mapped(_member("viewerCertificate", field, ""), str),
            optional_text,
        )
        for attribute, field in (
            ("acm_certificate_arn", "aCMCertificateArn"),
            ("iam_certificate_id", "iAMCertificateId"),
            ("ssl_support_method", "sSLSupportMethod"),
        )
    ),
)


def _weak_viewers(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    policy = _config("defaultCacheBehavior.viewerProtocolPolicy")(event)
    if policy == "allow-all":
        return Severity.HIGH, "viewerProtocolPolicy allow-all: viewers may use plain HTTP"
    for behavior in _listed(_config("cacheBehaviors")(event)):
        if isinstance(behavior, Mapping) and _text(behavior, "viewerProtocolPolicy") == "allow-all":
            where = _text(behavior, "pathPattern")
            return (
                Severity.HIGH,
                f"viewerProtocolPolicy allow-all on {where}: viewers may use plain HTTP",
            )
    version = _config("viewerCertificate.minimumProtocolVersion")(event)
    certificate = _config("viewerCertificate.cloudFrontDefaultCertificate")(event)
    if version in WEAK_TLS and as_bool(certificate) is not True:
        return Severity.HIGH, f"minimumProtocolVersion {version}: below TLSv1.2"
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "UpdateDistribution",
        SOURCE,
        Action.MODIFY,
        with_fallback(Target(DISTRIBUTION, "id", DISTRIBUTION_ID, EFFECTS)),
        severity=Severity.MEDIUM,
        description="distribution changed outside Terraform",
        severity_checks=(_weak_viewers,),
    ),
    Rule(
        "DeleteDistribution",
        SOURCE,
        Action.DELETE,
        (Target(DISTRIBUTION, "id", DISTRIBUTION_ID),),
        severity=Severity.HIGH,
        description="distribution deleted",
    ),
    *(
        Rule(
            name,
            SOURCE,
            Action.CREATE,
            (
                Target(
                    DISTRIBUTION,
                    "id",
                    mapped(resp("distribution.id"), str),
                    EFFECTS,
                    import_id=mapped(resp("distribution.id"), str),
                ),
            ),
            severity=Severity.MEDIUM,
            description="distribution created outside Terraform",
            severity_checks=(_weak_viewers,),
        )
        for name in ("CreateDistribution", "CreateDistributionWithTags")
    ),
)
