"""The keys a state resource is found by: its identifying attributes and the per-type derived keys.

``index_keys`` gives, for one resource instance, the flat (key, value) pairs that
``state.StateIndex`` files it under: the ``IDENTIFYING_KEYS`` attributes it has, and the keys
computed from several attributes (``DERIVED_KEYS``, with ``network_keys.NETWORK_KEYS``) for
resources that no single attribute names. The catalog rules build the same keys from
CloudTrail values with the public helpers here (``route53_record_key``, ``sqs_queue_key``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.network_keys import NETWORK_KEYS, DerivedKey

# Attributes that name a resource somewhere in CloudTrail. Indexed for every type; catalog
# rules say which one to look up. Extend here when a rule needs a new key.
IDENTIFYING_KEYS: tuple[str, ...] = (
    "id",
    "arn",
    "name",
    "bucket",
    "identifier",
    "function_name",
    "key_id",
    "role",
    "user",
    "security_group_id",
    "security_group_rule_id",
    "instance_id",
    "policy_arn",
    "target_key_id",
    "alias_name",
    "cluster_identifier",
    "key_pair_id",
)


def lambda_function_ref(value: str) -> tuple[str, str]:
    """(function name, qualifier) from a Lambda function name, full ARN or partial ARN.

    ``my-fn``, ``my-fn:live``, ``123456789012:function:my-fn`` and
    ``arn:aws:lambda:eu-west-1:123456789012:function:my-fn:live`` all name ``my-fn``.
    """
    text = value.strip()
    if ":function:" in text:
        text = text.split(":function:", 1)[1]
    name, _, qualifier = text.partition(":")
    return name, qualifier


def _lambda_permission_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """``name[:qualifier]/statement_id``: a statement id alone repeats across functions."""
    if rtype != "aws_lambda_permission":
        return None
    function, sid = attrs.get("function_name"), attrs.get("statement_id") or attrs.get("id")
    if not isinstance(function, str) or not function or not isinstance(sid, str) or not sid:
        return None
    name, qualifier = lambda_function_ref(function)
    qualifier = str(attrs.get("qualifier") or "") or qualifier
    return f"{name}:{qualifier}/{sid}" if qualifier else f"{name}/{sid}"


def _lambda_function_url_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """``name[/qualifier]`` (its import id): ``function_name`` may hold a name or an ARN."""
    if rtype != "aws_lambda_function_url":
        return None
    function = attrs.get("function_name")
    if not isinstance(function, str) or not function:
        return None
    name, qualifier = lambda_function_ref(function)
    qualifier = str(attrs.get("qualifier") or "") or qualifier
    return f"{name}/{qualifier}" if qualifier else name


_ATTACHMENT_PRINCIPALS = {
    "aws_iam_role_policy_attachment": "role",
    "aws_iam_user_policy_attachment": "user",
    "aws_iam_group_policy_attachment": "group",
}


def _policy_attachment_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """``principal-name/policy-arn`` (also the import id): the ``id`` is a random name."""
    principal_key = _ATTACHMENT_PRINCIPALS.get(rtype)
    if principal_key is None:
        return None
    principal, policy_arn = attrs.get(principal_key), attrs.get("policy_arn")
    if not isinstance(principal, str) or not principal:
        return None
    if not isinstance(policy_arn, str) or not policy_arn:
        return None
    return f"{principal}/{policy_arn}"


def clean_zone_id(value: str) -> str:
    """A hosted zone id without the ``/hostedzone/`` prefix some APIs and configs carry."""
    return value.strip().rsplit("/", 1)[-1]


def route53_record_key(zone: str, name: str, rtype: str, set_identifier: str = "") -> str:
    """``ZONEID_fqdn_TYPE[_set-identifier]``: the provider's import id, with the name as the
    fully qualified, lower-case name without the final dot (``\\052`` read back as ``*``)."""
    fqdn = name.strip().lower().removesuffix(".")
    if fqdn.startswith("\\052."):
        fqdn = "*" + fqdn[4:]
    parts = [clean_zone_id(zone), fqdn, rtype.strip().upper()]
    if set_identifier:
        parts.append(set_identifier)
    return "_".join(parts)


def _route53_record_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """Records are configured by relative or absolute name; ``fqdn`` is the absolute one."""
    if rtype != "aws_route53_record":
        return None
    zone, kind = attrs.get("zone_id"), attrs.get("type")
    name = attrs.get("fqdn") or attrs.get("name")
    if not all(isinstance(v, str) and v for v in (zone, kind, name)):
        return None
    return route53_record_key(
        str(zone), str(name), str(kind), str(attrs.get("set_identifier") or "")
    )


def _zone_association_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """``ZONEID:VPCID``: the provider's id adds the region only sometimes."""
    if rtype != "aws_route53_zone_association":
        return None
    zone, vpc = attrs.get("zone_id"), attrs.get("vpc_id")
    if not isinstance(zone, str) or not zone or not isinstance(vpc, str) or not vpc:
        return None
    return f"{clean_zone_id(zone)}:{vpc}"


def sqs_queue_key(url: str) -> str | None:
    """``ACCOUNT/NAME`` from a queue URL: the host differs between endpoints and eras
    (``sqs.<region>.amazonaws.com``, ``queue.amazonaws.com``), the path does not."""
    parts = [p for p in url.strip().split("?", 1)[0].split("/") if p]
    if len(parts) < 2 or not parts[-2].isdigit():
        return None
    return f"{parts[-2]}/{parts[-1]}"


def _sqs_queue_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    if rtype == "aws_sqs_queue":
        url = attrs.get("url") or attrs.get("id")
    elif rtype == "aws_sqs_queue_policy":
        url = attrs.get("queue_url")
    else:
        return None
    return sqs_queue_key(url) if isinstance(url, str) and url else None


def _compute_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """Target attachments by ``<group-arn>/<target-id>`` (their id is random), scaling
    policies and scheduled actions by ``<group>/<name>`` (their import id)."""
    parts = _COMPUTE_KEY_PARTS.get(rtype)
    if parts is None:
        return None
    values = [attrs.get(p) for p in parts]
    if not all(isinstance(v, str) and v for v in values):
        return None
    return "/".join(str(v) for v in values)


_COMPUTE_KEY_PARTS = {
    "aws_lb_target_group_attachment": ("target_group_arn", "target_id"),
    "aws_autoscaling_policy": ("autoscaling_group_name", "name"),
    "aws_autoscaling_schedule": ("autoscaling_group_name", "scheduled_action_name"),
}


def _attached_volume_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """Volume attachments by volume id: detach calls may name nothing else."""
    volume = attrs.get("volume_id")
    if rtype != "aws_volume_attachment" or not isinstance(volume, str) or not volume:
        return None
    return volume


SINGLETON_TYPES = frozenset({"aws_ebs_encryption_by_default", "aws_iam_account_password_policy"})
"""One per account (and region): the id is random or fixed, so the type itself is the key."""


def _singleton_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    return rtype if rtype in SINGLETON_TYPES else None


_LOG_FILTER_TYPES = frozenset(
    {"aws_cloudwatch_log_subscription_filter", "aws_cloudwatch_log_metric_filter"}
)


def _log_filter_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """``LOG_GROUP|FILTER``: a filter name repeats across log groups."""
    group, name = attrs.get("log_group_name"), attrs.get("name")
    if rtype not in _LOG_FILTER_TYPES or not isinstance(group, str) or not isinstance(name, str):
        return None
    return f"{group}|{name}" if group and name else None


def event_target_key(bus: str, rule: str, target_id: str) -> str:
    """``BUS/RULE/TARGET-ID`` with the default bus spelled ``default``."""
    return f"{bus or 'default'}/{rule}/{target_id}"


def _event_target_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    if rtype != "aws_cloudwatch_event_target":
        return None
    rule, target = attrs.get("rule"), attrs.get("target_id")
    if not isinstance(rule, str) or not rule or not isinstance(target, str) or not target:
        return None
    bus = attrs.get("event_bus_name")
    return event_target_key(bus if isinstance(bus, str) else "", rule, target)


def secret_name(ref: str) -> str:
    """A Secrets Manager secret's name from its name or ARN (the ARN adds ``-`` and six
    random characters to the name)."""
    text = ref.strip()
    if ":secret:" not in text:
        return text
    name = text.split(":secret:", 1)[1]
    head, dash, tail = name.rpartition("-")
    return head if dash and len(tail) == 6 and head else name


_SECRET_TYPES = {
    "aws_secretsmanager_secret": "name",
    "aws_secretsmanager_secret_version": "secret_id",
    "aws_secretsmanager_secret_rotation": "secret_id",
    "aws_secretsmanager_secret_policy": "secret_arn",
}


def _secret_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """The secret's name, for the secret and the resources that hang off it."""
    field = _SECRET_TYPES.get(rtype)
    value = attrs.get(field) if field else None
    if rtype == "aws_secretsmanager_secret" and not value:
        value = attrs.get("arn")
    return secret_name(value) if isinstance(value, str) and value else None


def _apigwv2_stage_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """``API/STAGE`` (the import id): a stage name repeats across APIs."""
    api, name = attrs.get("api_id"), attrs.get("name")
    if rtype != "aws_apigatewayv2_stage" or not isinstance(api, str) or not isinstance(name, str):
        return None
    return f"{api}/{name}" if api and name else None


def _waf_association_key(rtype: str, attrs: Mapping[str, Any]) -> str | None:
    """The protected resource's ARN: ``DisassociateWebACL`` names only that."""
    arn = attrs.get("resource_arn")
    if rtype != "aws_wafv2_web_acl_association" or not isinstance(arn, str):
        return None
    return arn or None


# Keys computed from several attributes, for resources that no single attribute names.
DERIVED_KEYS: dict[str, DerivedKey] = {
    "lambda_permission": _lambda_permission_key,
    "lambda_function_url": _lambda_function_url_key,
    "target_attachment": _compute_key,
    "autoscaling_child": _compute_key,
    "attached_volume": _attached_volume_key,
    "policy_attachment": _policy_attachment_key,
    "route53_record": _route53_record_key,
    "zone_association": _zone_association_key,
    "sqs_queue": _sqs_queue_key,
    "singleton": _singleton_key,
    "log_filter": _log_filter_key,
    "event_target": _event_target_key,
    "secret": _secret_key,
    "apigwv2_stage": _apigwv2_stage_key,
    "waf_association": _waf_association_key,
    **NETWORK_KEYS,
}

DERIVED_KEY_TYPES: dict[str, frozenset[str]] = {
    "lambda_permission": frozenset({"aws_lambda_permission"}),
    "lambda_function_url": frozenset({"aws_lambda_function_url"}),
    "target_attachment": frozenset(_COMPUTE_KEY_PARTS),
    "autoscaling_child": frozenset(_COMPUTE_KEY_PARTS),
    "attached_volume": frozenset({"aws_volume_attachment"}),
    "policy_attachment": frozenset(_ATTACHMENT_PRINCIPALS),
    "route53_record": frozenset({"aws_route53_record"}),
    "zone_association": frozenset({"aws_route53_zone_association"}),
    "sqs_queue": frozenset({"aws_sqs_queue", "aws_sqs_queue_policy"}),
    "singleton": SINGLETON_TYPES,
    "log_filter": _LOG_FILTER_TYPES,
    "event_target": frozenset({"aws_cloudwatch_event_target"}),
    "secret": frozenset(_SECRET_TYPES),
    "apigwv2_stage": frozenset({"aws_apigatewayv2_stage"}),
    "waf_association": frozenset({"aws_wafv2_web_acl_association"}),
    "route": frozenset({"aws_route"}),
    "nacl_rule": frozenset({"aws_network_acl_rule"}),
    "routes_of_table": frozenset({"aws_route"}),
    "rules_of_acl": frozenset({"aws_network_acl_rule"}),
    "eip_association_of": frozenset({"aws_eip_association"}),
    "eip_by_association": frozenset({"aws_eip"}),
    "attachment_of_interface": frozenset({"aws_network_interface_attachment"}),
    "instance_by_primary_interface": frozenset({"aws_instance"}),
    "instance_by_launch_interface": frozenset({"aws_instance"}),
}
"""The resource types each derived key can apply to (every type when a key is not listed):
indexing a resource calls only its own type's functions, not all of DERIVED_KEYS. A test
(tests/core/test_state_text.py) wants every key listed, and checks that no function gives a
key for a type outside its set."""

_derivers: dict[str, tuple[tuple[str, DerivedKey], ...]] = {}


def _derivers_of(
    rtype: str,
) -> tuple[tuple[str, DerivedKey], ...]:
    found = _derivers.get(rtype)
    if found is None:
        found = _derivers[rtype] = tuple(
            (key, derive)
            for key, derive in DERIVED_KEYS.items()
            if rtype in DERIVED_KEY_TYPES.get(key, (rtype,))
        )
    return found


IndexKeys = tuple[str, ...]
"""Flat ``(key, value, key, value, ...)``: a pair tuple each cost ~10 MB on 50,000 resources."""


def index_keys(rtype: str, attrs: Mapping[str, Any]) -> IndexKeys:
    keys: list[str] = []
    get = attrs.get
    for key in IDENTIFYING_KEYS:
        value = get(key)
        if value and isinstance(value, str):
            keys += (key, value)
    for key, derive in _derivers_of(rtype):
        derived = derive(rtype, attrs)
        if not derived:
            continue
        if isinstance(derived, str):
            keys += (key, derived)
        else:
            for value in derived:
                keys += (key, value)
    return tuple(keys)
