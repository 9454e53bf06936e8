"""Route 53 health checks (``aws_route53_health_check``) and Route 53 tags.

Choices worth knowing:
- A health check is found by its id (its Terraform id). ``CreateHealthCheck`` names the new id
  in its response (the Route 53 developer guide's published record shows the shape).
- ``UpdateHealthCheck`` sets only what it names. ``disabled`` or ``inverted`` turned on makes
  the check report healthy (or the opposite) whatever the endpoint does, which steers failover
  records: high.
- ``ChangeTagsForResource`` tags hosted zones and health checks (``resourceType``); adds and
  removals arrive in one call.
"""

from __future__ import annotations

from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    as_set,
    mapped,
    req,
    resp,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    boolean,
    integer,
    optional_text,
    request_is,
    string_list,
    tag_pairs,
    text,
    when,
    with_fallback,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "route53.amazonaws.com"
HEALTH_CHECK = "aws_route53_health_check"
ZONE = "aws_route53_zone"

CHECK_ID: Extractor = text("healthCheckId")
NEW_CHECK_ID: Extractor = mapped(resp("healthCheck.id"), str)


def _fields(prefix: str) -> tuple[Effect, ...]:
    def at(name: str) -> str:
        return f"{prefix}{name}"

    return (
        SetAttr("ip_address", text(at("iPAddress")), optional_text),
        SetAttr("port", integer(at("port"))),
        SetAttr("resource_path", text(at("resourcePath")), optional_text),
        SetAttr("fqdn", text(at("fullyQualifiedDomainName")), optional_text),
        SetAttr("search_string", text(at("searchString")), optional_text),
        SetAttr("failure_threshold", integer(at("failureThreshold"))),
        SetAttr("invert_healthcheck", boolean(at("inverted"))),
        SetAttr("disabled", boolean(at("disabled"))),
        SetAttr("child_health_threshold", integer(at("healthThreshold"))),
        SetAttr("child_healthchecks", string_list(req(at("childHealthChecks"))), as_set),
        SetAttr("enable_sni", boolean(at("enableSNI"))),
        SetAttr("regions", string_list(req(at("regions"))), as_set),
    )


def _tagged(kind: str) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        if not request_is("resourceType", kind)(event):
            return MISSING
        return text("resourceId")(event)

    keys.note(extract, (frozenset({"resourceid"}), frozenset()))
    return extract


def _tag_effects() -> tuple[Effect, ...]:
    return (
        MergeTags("tags", tag_pairs(req("addTags"))),
        DropTags("tags", string_list(req("removeTagKeys"))),
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "CreateHealthCheck",
        SOURCE,
        Action.CREATE,
        (
            Target(
                HEALTH_CHECK,
                "id",
                NEW_CHECK_ID,
                (
                    SetAttr("type", text("healthCheckConfig.type")),
                    SetAttr("request_interval", integer("healthCheckConfig.requestInterval")),
                    *_fields("healthCheckConfig."),
                ),
                import_id=NEW_CHECK_ID,
            ),
        ),
        severity=Severity.LOW,
        description="health check created outside Terraform",
    ),
    Rule(
        "UpdateHealthCheck",
        SOURCE,
        Action.MODIFY,
        with_fallback(Target(HEALTH_CHECK, "id", CHECK_ID, _fields(""))),
        severity=Severity.MEDIUM,
        description="health check changed: failover decisions follow it",
        severity_checks=(
            when(request_is("disabled", True), Severity.HIGH, "disabled: always reported healthy"),
            when(request_is("inverted", True), Severity.HIGH, "inverted: healthy reads unhealthy"),
        ),
    ),
    Rule(
        "DeleteHealthCheck",
        SOURCE,
        Action.DELETE,
        (Target(HEALTH_CHECK, "id", CHECK_ID),),
        severity=Severity.MEDIUM,
        description="health check deleted",
    ),
    Rule(
        "ChangeTagsForResource",
        SOURCE,
        Action.MODIFY,
        (
            Target(HEALTH_CHECK, "id", _tagged("healthcheck"), _tag_effects()),
            Target(ZONE, "id", _tagged("hostedzone"), _tag_effects()),
        ),
        severity=Severity.LOW,
        description="Route 53 tags changed",
    ),
)
