"""CloudFront distributions (``aws_cloudfront_distribution``); a global service (us-east-1).

Choices worth knowing:
- ``UpdateDistribution`` sends the whole ``distributionConfig``: the fields modelled here
  (origins as whole blocks, in the form provider v5 reads them back, since Terraform's drift
  shows the whole origin set; the aliases it answers for; enabled, default root object, HTTP
  version, IPv6, price class, WAF web ACL, logging, the default cache behaviour's viewer
  protocol policy, the viewer certificate's minimum TLS version) are compared. Ordered cache
  behaviours, restrictions and error responses are not: a change there alone is not seen.
- CloudTrail hides ``comment`` (``HIDDEN_DUE_TO_SECURITY_REASONS``): never compared.
- Logging disabled in the request means no ``logging_config`` block, as the provider reads it.
- Viewers allowed on plain HTTP, or a minimum TLS version below TLSv1.2, is high.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    """A field of the config, also under ``distributionConfigWithTags`` (create with tags)."""
    return first(req(f"{CONFIG}.{field}"), req(f"distributionConfigWithTags.{CONFIG}.{field}"))


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


def _aliases(raw: Any) -> Any:
    """``{"quantity": n, "items": [...]}`` -> the names; the recorded calls send an empty
    ``items`` list (or none) for a distribution without aliases."""
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


def _origins_compare(value: Any) -> Any:
    """Origins as whole blocks: where the distribution fetches from and how."""
    if not isinstance(value, list):
        return frozenset()
    return frozenset(_canon(o) for o in value if isinstance(o, Mapping))


EFFECTS: tuple[Effect, ...] = (
    SetAttr("origin", mapped(_config("origins"), _origins), _origins_compare),
    SetAttr("aliases", mapped(_config("aliases"), _aliases), as_set),
    SetAttr("enabled", mapped(_config("enabled"), as_bool)),
    SetAttr("default_root_object", mapped(_config("defaultRootObject"), str), optional_text),
    SetAttr("http_version", mapped(_config("httpVersion"), str), optional_text),
    SetAttr("is_ipv6_enabled", mapped(_config("isIPV6Enabled"), as_bool)),
    SetAttr("price_class", mapped(_config("priceClass"), str), optional_text),
    SetAttr("web_acl_id", mapped(_config("webACLId"), str), optional_text),
    SetAttr("logging_config", mapped(_config("logging"), _logging), blocks),
    SetAttr(
        "default_cache_behavior[0].viewer_protocol_policy",
        mapped(_config("defaultCacheBehavior.viewerProtocolPolicy"), str),
        optional_text,
    ),
    SetAttr(
        "viewer_certificate[0].minimum_protocol_version",
        mapped(_config("viewerCertificate.minimumProtocolVersion"), str),
        optional_text,
    ),
)


def _weak_viewers(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    policy = _config("defaultCacheBehavior.viewerProtocolPolicy")(event)
    if policy == "allow-all":
        return Severity.HIGH, "viewerProtocolPolicy allow-all: viewers may use plain HTTP"
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
