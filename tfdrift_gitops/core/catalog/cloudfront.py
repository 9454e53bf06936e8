"""CloudFront distributions (``aws_cloudfront_distribution``); a global service (us-east-1).

Choices worth knowing:
- ``UpdateDistribution`` sends the whole ``distributionConfig``: the fields modelled here
  (origins by id, domain and path; the aliases it answers for; enabled, default root object,
  HTTP version, IPv6, price class, WAF web ACL, logging, the default cache behaviour's viewer
  protocol policy, the viewer certificate's minimum TLS version) are compared. Other origin
  settings, ordered cache behaviours, restrictions and error responses are not: a change there
  alone is not seen.
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


def _origins(raw: Any) -> Any:
    found = [
        {
            "origin_id": str(lookup(o, "id") or ""),
            "domain_name": str(lookup(o, "domainName") or ""),
            "origin_path": str(lookup(o, "originPath") or ""),
        }
        for o in items(lookup(raw, "items") if isinstance(raw, Mapping) else raw)
        if isinstance(o, Mapping)
    ]
    return found if found else MISSING


def _aliases(raw: Any) -> Any:
    """``{"quantity": n, "items": [...]}`` -> the names; the recorded calls send an empty
    ``items`` list (or none) for a distribution without aliases."""
    if not isinstance(raw, Mapping):
        return MISSING
    return [str(v) for v in items(lookup(raw, "items")) if isinstance(v, str)]


def _origins_compare(value: Any) -> Any:
    """Origins by id, domain and path: where the distribution fetches from."""
    if not isinstance(value, list):
        return frozenset()
    return frozenset(
        (
            str(o.get("origin_id") or ""),
            str(o.get("domain_name") or ""),
            str(o.get("origin_path") or ""),
        )
        for o in value
        if isinstance(o, Mapping)
    )


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
