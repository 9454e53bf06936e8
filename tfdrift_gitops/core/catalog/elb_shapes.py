"""ELBv2 request shapes turned into the blocks the AWS provider (v5) keeps in state.

Listener actions and rule conditions arrive as the API's structures in camelCase
(``defaultActions[].forwardConfig.targetGroups[].targetGroupArn``); state keeps
``default_action`` / ``action`` and ``condition`` blocks. Converting gives the value a drift
reports; the comparers reduce both sides to what the load balancer does, because the provider
and the API spell one behaviour several ways (a forward to one group as ``target_group_arn`` or
as a ``forward`` block, redirect fields left to their ``#{host}`` defaults, an absent ``order``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.catalog.model import as_bool, as_int
from tfdrift_gitops.core.paths import MISSING, items, lookup
from tfdrift_gitops.models import CloudEvent

# Values AWS fills in for redirect fields a call leaves out (and the provider reads back).
_REDIRECT_DEFAULTS = {
    "host": "#{host}",
    "path": "/#{path}",
    "port": "#{port}",
    "protocol": "#{protocol}",
    "query": "#{query}",
}
_REDIRECT_FIELDS = ("host", "path", "port", "protocol", "query", "status_code")
_API_REDIRECT = {
    "host": "host",
    "path": "path",
    "port": "port",
    "protocol": "protocol",
    "query": "query",
    "status_code": "statusCode",
}
_OIDC_FIELDS = {
    "authorization_endpoint": "authorizationEndpoint",
    "client_id": "clientId",
    "issuer": "issuer",
    "token_endpoint": "tokenEndpoint",
    "user_info_endpoint": "userInfoEndpoint",
    "on_unauthenticated_request": "onUnauthenticatedRequest",
    "scope": "scope",
    "session_cookie_name": "sessionCookieName",
}
_COGNITO_FIELDS = {
    "user_pool_arn": "userPoolArn",
    "user_pool_client_id": "userPoolClientId",
    "user_pool_domain": "userPoolDomain",
    "on_unauthenticated_request": "onUnauthenticatedRequest",
    "scope": "scope",
    "session_cookie_name": "sessionCookieName",
}
_BLOCKS = ("authenticate_cognito", "authenticate_oidc", "fixed_response", "forward", "redirect")
_CONDITION_CONFIGS = {
    "host-header": ("host_header", "hostHeaderConfig"),
    "path-pattern": ("path_pattern", "pathPatternConfig"),
    "http-request-method": ("http_request_method", "httpRequestMethodConfig"),
    "source-ip": ("source_ip", "sourceIpConfig"),
    "http-header": ("http_header", "httpHeaderConfig"),
    "query-string": ("query_string", "queryStringConfig"),
}


def _text(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _pick(mapping: Any, key: str) -> Any:
    return lookup(mapping, key) if isinstance(mapping, Mapping) else MISSING


def _strings(value: Any) -> list[str]:
    return [str(v) for v in items(value) if isinstance(v, str | int) and not isinstance(v, bool)]


# --------------------------------------------------------------------------- actions


def _target_groups(action: Mapping[str, Any]) -> list[dict[str, Any]]:
    groups = []
    for group in items(_pick(_pick(action, "forwardConfig"), "targetGroups")):
        arn = _pick(group, "targetGroupArn")
        if isinstance(arn, str) and arn:
            weight = as_int(_pick(group, "weight"))
            groups.append({"arn": arn, "weight": 1 if weight is MISSING else weight})
    return groups


def _api_action(action: Mapping[str, Any]) -> dict[str, Any]:
    """One API action as a provider ``default_action`` / ``action`` block (empty keys left out,
    so that a block written for an import carries only what the call set)."""
    kind = _text(_pick(action, "type"))
    order = as_int(_pick(action, "order"))
    block: dict[str, Any] = {"type": kind}
    if order is not MISSING:
        block["order"] = order  # else AWS numbers actions in order (the comparer does too)
    # Every argument is named (empty when the action has none) so that a patch over an
    # existing block also clears what the new action no longer sets.
    block.update({name: [] for name in _BLOCKS})
    block["target_group_arn"] = ""
    single = _pick(action, "targetGroupArn")
    groups = _target_groups(action)
    if isinstance(single, str) and single:
        block["target_group_arn"] = single
    elif len(groups) == 1:
        block["target_group_arn"] = groups[0]["arn"]
    if len(groups) > 1 or (
        groups
        and _pick(_pick(action, "forwardConfig"), "targetGroupStickinessConfig") is not MISSING
    ):
        forward: dict[str, Any] = {"target_group": groups}
        sticky = _pick(_pick(action, "forwardConfig"), "targetGroupStickinessConfig")
        if isinstance(sticky, Mapping):
            enabled = as_bool(_pick(sticky, "enabled"))
            duration = as_int(_pick(sticky, "durationSeconds"))
            forward["stickiness"] = [
                {
                    "enabled": False if enabled is MISSING else enabled,
                    "duration": 1 if duration is MISSING else duration,
                }
            ]
        block["forward"] = [forward]
    redirect = _pick(action, "redirectConfig")
    if isinstance(redirect, Mapping):
        block["redirect"] = [
            {
                field: _text(_pick(redirect, api)) or _REDIRECT_DEFAULTS.get(field, "")
                for field, api in _API_REDIRECT.items()
            }
        ]
    fixed = _pick(action, "fixedResponseConfig")
    if isinstance(fixed, Mapping):
        fields = {"content_type": "contentType", "message_body": "messageBody"}
        fields["status_code"] = "statusCode"
        block["fixed_response"] = [
            {f: _text(_pick(fixed, a)) for f, a in fields.items() if _text(_pick(fixed, a))}
        ]
    for name, api, fields in (
        ("authenticate_oidc", "authenticateOidcConfig", _OIDC_FIELDS),
        ("authenticate_cognito", "authenticateCognitoConfig", _COGNITO_FIELDS),
    ):
        config = _pick(action, api)
        if isinstance(config, Mapping):
            block[name] = [
                {f: _text(_pick(config, a)) for f, a in fields.items() if _text(_pick(config, a))}
            ]
    return block


def api_actions(value: Any) -> Any:
    """``defaultActions`` / ``actions`` of a request -> provider blocks; MISSING if none."""
    actions = [a for a in items(value) if isinstance(a, Mapping) and _pick(a, "type")]
    if not actions:
        return MISSING
    return [_api_action(a) for a in actions]


def _action_essence(block: Mapping[str, Any], position: int) -> str:
    groups: dict[str, Any] = {}
    single = block.get("target_group_arn")
    if isinstance(single, str) and single:
        groups[single] = 1
    for forward in items(block.get("forward")):
        for group in items(_pick(forward, "target_group")):
            arn = _pick(group, "arn")
            if isinstance(arn, str) and arn:
                weight = as_int(_pick(group, "weight"))
                groups[arn] = 1 if weight is MISSING else weight
    if len(groups) == 1:
        groups = dict.fromkeys(groups, 1)  # a lone group takes all traffic, whatever its weight
    essence: dict[str, Any] = {
        "type": _text(block.get("type")).lower(),
        "order": as_int(block.get("order")) if block.get("order") else position + 1,
        "groups": groups,
    }
    for redirect in items(block.get("redirect"))[:1]:
        essence["redirect"] = {
            f: _text(_pick(redirect, f)) or _REDIRECT_DEFAULTS.get(f, "") for f in _REDIRECT_FIELDS
        }
    for fixed in items(block.get("fixed_response"))[:1]:
        essence["fixed"] = {
            f: _text(_pick(fixed, f)) for f in ("content_type", "message_body", "status_code")
        }
    for name, fields in (
        ("authenticate_oidc", _OIDC_FIELDS),
        ("authenticate_cognito", _COGNITO_FIELDS),
    ):
        for config in items(block.get(name))[:1]:
            # Only what names the identity provider: defaults fill the rest on read.
            keys = [f for f in fields if f in ("issuer", "client_id", "user_pool_arn")]
            essence[name] = {f: _text(_pick(config, f)) for f in keys}
    return json.dumps(essence, sort_keys=True)


def actions_compare(value: Any) -> Any:
    """Action lists by what they do, in order of ``order``."""
    blocks = [b for b in items(value) if isinstance(b, Mapping)]
    return tuple(sorted(_action_essence(b, i) for i, b in enumerate(blocks)))


# --------------------------------------------------------------------------- conditions


def _api_condition(condition: Mapping[str, Any]) -> dict[str, Any] | None:
    field = _text(_pick(condition, "field")).lower()
    if field not in _CONDITION_CONFIGS:
        return None
    name, config_key = _CONDITION_CONFIGS[field]
    config = _pick(condition, config_key)
    if field == "query-string":
        pairs = [
            {"key": _text(_pick(p, "key")), "value": _text(_pick(p, "value"))}
            for p in items(_pick(config, "values"))
            if isinstance(p, Mapping)
        ]
        return {name: pairs}
    values = _strings(_pick(config, "values")) if isinstance(config, Mapping) else []
    if not values:
        values = _strings(_pick(condition, "values"))  # the older form: field + values
    block: dict[str, Any] = {"values": values}
    if field == "http-header":
        block["http_header_name"] = _text(_pick(config, "httpHeaderName"))
    return {name: [block]}


def api_conditions(value: Any) -> Any:
    """``conditions`` of a request -> provider ``condition`` blocks; MISSING when a condition
    has a form this table does not know (the drift then stays resource-level for it)."""
    converted = []
    for condition in items(value):
        if not isinstance(condition, Mapping):
            return MISSING
        block = _api_condition(condition)
        if block is None:
            return MISSING
        converted.append(block)
    return converted or MISSING


def _condition_essence(block: Mapping[str, Any]) -> str:
    essence: dict[str, Any] = {}
    for name, _ in _CONDITION_CONFIGS.values():
        entries = items(block.get(name))
        if not entries:
            continue
        if name == "query_string":
            essence[name] = sorted(
                f"{_text(_pick(e, 'key'))}={_text(_pick(e, 'value'))}" for e in entries
            )
            continue
        entry = entries[0]
        essence[name] = {
            "values": sorted(_strings(_pick(entry, "values"))),
            "header": _text(_pick(entry, "http_header_name")).lower(),
        }
    return json.dumps(essence, sort_keys=True)


def conditions_compare(value: Any) -> Any:
    """Conditions are a set in state: compared regardless of order."""
    return frozenset(_condition_essence(b) for b in items(value) if isinstance(b, Mapping))


# --------------------------------------------------------------------------- attributes


def attribute_value(key: str) -> Any:
    """An extractor-side helper: the ``value`` of ``attributes[].key == key`` in a request
    (``ModifyLoadBalancerAttributes``, ``ModifyTargetGroupAttributes``)."""

    def pick(attributes: Any) -> Any:
        for pair in items(attributes):
            if isinstance(pair, Mapping) and _text(_pick(pair, "key")) == key:
                value = _pick(pair, "value")
                return MISSING if value is MISSING or value is None else value
        return MISSING

    return pick


def classic_call(event: CloudEvent) -> bool:
    """An ELB classic (API 2012-06-01) call: its requests name load balancers by
    ``loadBalancerName(s)``; ELBv2 requests use ARNs, and ``name`` on create. ``apiVersion``
    says the same, but Falco alerts do not carry it."""
    request = event.request
    if request is None:
        return False
    return any(
        lookup(request, key) not in (MISSING, None)
        for key in ("loadBalancerName", "loadBalancerNames")
    )


def v2_call(event: CloudEvent) -> bool:
    return not classic_call(event)


V2 = "ELBv2 (API 2015-12-01)"
CLASSIC = "ELB classic (API 2012-06-01)"
