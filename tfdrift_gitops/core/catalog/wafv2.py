"""WAFv2: IP sets (``aws_wafv2_ip_set``), web ACLs and their associations.

Choices worth knowing:
- IP sets and web ACLs are found by their id (``id`` in the request, their Terraform id).
  ``UpdateIPSet`` replaces the whole address list.
- ``UpdateWebACL`` sends the whole web ACL. ``default_action`` (plain allow or block),
  ``description`` and ``visibility_config`` are compared; an empty rule list empties ``rule``.
  Rules themselves are nested several levels deep and the provider's ``rule`` blocks do not map
  one to one, so a call sending rules (or custom handling, response bodies, captcha/challenge
  and the like) is also a resource-level change. Allowing by default
  (``defaultAction.allow``) is high.
- Logging configurations are found by the web ACL's ARN (their id); deleting one is high.
- Associations are found by the protected resource's ARN (``state_keys._waf_association_key``):
  ``DisassociateWebACL`` names only that. Removing a web ACL from a resource is high.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.catalog.model import (
    Action,
    Rule,
    Target,
    as_bool,
    as_set,
    first,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.presence import absent, upsert_targets
from tfdrift_gitops.core.catalog.support import (
    optional_text,
    string_list,
    tag_pairs,
    text,
    with_fallback,
)
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "wafv2.amazonaws.com"
IP_SET = "aws_wafv2_ip_set"
WEB_ACL = "aws_wafv2_web_acl"
ASSOCIATION = "aws_wafv2_web_acl_association"
LOGGING = "aws_wafv2_web_acl_logging_configuration"
LOGGED_ACL = first(text("loggingConfiguration.resourceArn"), text("resourceArn"))
LOGGING_EFFECTS = (
    SetAttr("resource_arn", text("loggingConfiguration.resourceArn")),
    SetAttr(
        "log_destination_configs",
        string_list(req("loggingConfiguration.logDestinationConfigs")),
        as_set,
    ),
)

ID = text("id")
RESOURCE_ARN = text("resourceArn")


def _new_ip_set_import(event: CloudEvent) -> Any:
    ident, name, scope = resp("summary.id")(event), text("name")(event), text("scope")(event)
    if not all(isinstance(v, str) and v for v in (ident, name, scope)):
        return MISSING
    return f"{ident}/{name}/{scope}"


def _association_import(event: CloudEvent) -> Any:
    """``WEB_ACL_ARN,RESOURCE_ARN``, the provider's import id."""
    acl, resource = text("webACLArn")(event), RESOURCE_ARN(event)
    if not isinstance(acl, str) or not isinstance(resource, str):
        return MISSING
    return f"{acl},{resource}"


def _default_action(event: CloudEvent) -> Any:
    """``defaultAction`` as the provider reads ``default_action`` back: the chosen action's
    block holding an empty handling block. Custom handling or a custom response: MISSING."""
    action = req("defaultAction")(event)
    if not isinstance(action, Mapping) or len(action) != 1:
        return MISSING
    if action.get("allow") == {}:
        return [{"allow": [{"custom_request_handling": []}], "block": []}]
    if action.get("block") == {}:
        return [{"allow": [], "block": [{"custom_response": []}]}]
    return MISSING


def _visibility(event: CloudEvent) -> Any:
    config = req("visibilityConfig")(event)
    if not isinstance(config, Mapping):
        return MISSING
    metrics = as_bool(config.get("cloudWatchMetricsEnabled"))
    sampled = as_bool(config.get("sampledRequestsEnabled"))
    name = config.get("metricName")
    if not isinstance(name, str) or metrics is MISSING or sampled is MISSING:
        return MISSING
    return [
        {
            "cloudwatch_metrics_enabled": metrics,
            "metric_name": name,
            "sampled_requests_enabled": sampled,
        }
    ]


def _no_rules(event: CloudEvent) -> Any:
    return [] if req("rules")(event) == [] else MISSING


# Members of UpdateWebACL the row does not model: sending any makes the call resource-level.
_UNMODELLED_ACL = (
    "rules",
    "customResponseBodies",
    "captchaConfig",
    "challengeConfig",
    "tokenDomains",
    "associationConfig",
    "dataProtectionConfig",
)


def _acl_unseen(event: CloudEvent) -> bool:
    if any(req(name)(event) not in (MISSING, None, [], {}) for name in _UNMODELLED_ACL):
        return True
    return req("defaultAction")(event) not in (MISSING, None) and _default_action(event) is MISSING


def _allows_by_default(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    allow = req("defaultAction.allow")(event)
    if allow is MISSING or allow is None:
        return None
    return Severity.HIGH, "defaultAction allow: requests no rule matches are let through"


RULES: tuple[Rule, ...] = (
    Rule(
        "UpdateIPSet",
        SOURCE,
        Action.MODIFY,
        with_fallback(
            Target(
                IP_SET,
                "id",
                ID,
                (
                    SetAttr("addresses", string_list(req("addresses")), as_set),
                    SetAttr("description", text("description"), optional_text),
                ),
            )
        ),
        severity=Severity.MEDIUM,
        description="WAF IP set changed: what it allows or blocks changed",
    ),
    Rule(
        "CreateIPSet",
        SOURCE,
        Action.CREATE,
        (
            Target(
                IP_SET,
                "id",
                mapped(resp("summary.id"), str),
                (
                    SetAttr("name", text("name")),
                    SetAttr("scope", text("scope")),
                    SetAttr("ip_address_version", text("iPAddressVersion")),
                    SetAttr("addresses", string_list(req("addresses")), as_set),
                    SetAttr("tags", tag_pairs(req("tags")), tags_map),
                ),
                import_id=_new_ip_set_import,
            ),
        ),
        severity=Severity.LOW,
        description="WAF IP set created outside Terraform",
    ),
    Rule(
        "DeleteIPSet",
        SOURCE,
        Action.DELETE,
        (Target(IP_SET, "id", ID),),
        severity=Severity.MEDIUM,
        description="WAF IP set deleted",
    ),
    Rule(
        "UpdateWebACL",
        SOURCE,
        Action.MODIFY,
        with_fallback(
            Target(
                WEB_ACL,
                "id",
                ID,
                (
                    SetAttr("default_action", _default_action),
                    SetAttr("description", text("description"), optional_text),
                    SetAttr("visibility_config", _visibility),
                    SetAttr("rule", _no_rules, as_set),
                ),
            ),
            _acl_unseen,
        ),
        severity=Severity.MEDIUM,
        description="web ACL rules changed outside Terraform",
        severity_checks=(_allows_by_default,),
    ),
    Rule(
        "DeleteWebACL",
        SOURCE,
        Action.DELETE,
        (Target(WEB_ACL, "id", ID),),
        severity=Severity.HIGH,
        description="web ACL deleted",
    ),
    Rule(
        "AssociateWebACL",
        SOURCE,
        Action.CREATE,
        (
            Target(
                ASSOCIATION,
                "waf_association",
                RESOURCE_ARN,
                (
                    SetAttr("resource_arn", RESOURCE_ARN),
                    SetAttr("web_acl_arn", text("webACLArn")),
                ),
                import_id=_association_import,
            ),
        ),
        severity=Severity.MEDIUM,
        description="web ACL associated outside Terraform",
    ),
    Rule(
        "PutLoggingConfiguration",
        SOURCE,
        Action.MODIFY,
        (
            *upsert_targets(LOGGING, "id", LOGGED_ACL, LOGGING_EFFECTS, import_id=LOGGED_ACL),
            Target(
                LOGGING,
                "id",
                LOGGED_ACL,
                LOGGING_EFFECTS,
                action=Action.CREATE,
                guard=absent(LOGGING, "id", LOGGED_ACL),
                import_id=LOGGED_ACL,
            ),
        ),
        severity=Severity.MEDIUM,
        description="web ACL logging set outside Terraform: logs go elsewhere",
    ),
    Rule(
        "DeleteLoggingConfiguration",
        SOURCE,
        Action.DELETE,
        (Target(LOGGING, "id", LOGGED_ACL),),
        severity=Severity.HIGH,
        description="web ACL logging removed: blocked and allowed requests are no longer logged",
    ),
    Rule(
        "DisassociateWebACL",
        SOURCE,
        Action.DELETE,
        (Target(ASSOCIATION, "waf_association", RESOURCE_ARN),),
        severity=Severity.HIGH,
        description="web ACL removed from a resource: it is no longer filtered",
    ),
)
