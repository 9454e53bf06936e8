"""Regenerate tfdrift_gitops/remediation/schema_{services,databases,edge,guardrails}.py.

Also writes tests/fixtures/schemas/aws-provider-5.100.0-services.json (the same types' schema,
trimmed to attribute flags and nested blocks) that the catalog tests check state fixtures and
effect paths against.

Usage: python scripts/regenerate_schema_services.py SCHEMA.json
where SCHEMA.json is ``terraform providers schema -json`` for a configuration that requires
hashicorp/aws 5.100.0 (see DESIGN.md: the provider is installed as a filesystem mirror). Then run
``ruff format`` on the two files. Required or optional arguments are configurable, computed-only
ones computed, sensitive ones never written; ``timeouts`` blocks are left out. The import ids
below follow the provider's import documentation.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tfdrift_gitops" / "remediation"
FIXTURE = ROOT / "tests" / "fixtures" / "schemas" / "aws-provider-5.100.0-services.json"
PROVIDER = "registry.terraform.io/hashicorp/aws"
JSON_ARGUMENTS = frozenset(
    {
        "policy",
        "redrive_policy",
        "redrive_allow_policy",
        "delivery_policy",
        "filter_policy",
        "archive_policy",
        "event_pattern",
        "input",
    }
)
_SQS_URL = r"https://[\w.\-]+/\d{12}/[\w\-]{1,80}(\.fifo)?"
_SNS = r"arn:aws[\w\-]*:sns:[a-z0-9\-]+:\d{12}:[\w\-]{1,256}(\.fifo)?"
_SM_ARN = r"arn:aws[\w\-]*:secretsmanager:[a-z0-9\-]+:\d{12}:secret:[\w/+=.@\-]{1,512}"
_LOG_GROUP = r"[\w\-/.#]{1,512}"
_NAME = r"[\w\-]{1,256}"

# type -> (import id template, import pattern, name argument)
SERVICES: dict[str, tuple[str, str, str | None]] = {
    "aws_route53_record": ("{id}", r"Z[A-Z0-9]{1,32}_\S*_[A-Z]{1,5}(_\S+)?", None),
    "aws_route53_zone": ("{id}", r"Z[A-Z0-9]{1,32}", None),
    "aws_route53_zone_association": (
        "{zone_id}:{vpc_id}",
        r"Z[A-Z0-9]{1,32}:vpc-[0-9a-f]{8,17}(:[a-z0-9\-]+)?",
        None,
    ),
    "aws_route53_health_check": ("{id}", r"[0-9a-f\-]{36}|[\w\-]{1,64}", None),
    "aws_cloudwatch_log_resource_policy": ("{policy_name}", r"[\w\-./]{1,255}", "policy_name"),
    "aws_cloudwatch_event_bus": ("{name}", r"[\w\-./]{1,256}", "name"),
    "aws_cloudwatch_event_permission": ("{id}", r"([\w\-.]{1,256}/)?[\w\-]{1,64}", None),
    "aws_dynamodb_table": ("{name}", r"[A-Za-z0-9_.\-]{3,255}", "name"),
    "aws_sqs_queue": ("{id}", _SQS_URL, None),
    "aws_sqs_queue_policy": ("{queue_url}", _SQS_URL, None),
    "aws_sns_topic": ("{id}", _SNS, None),
    "aws_sns_topic_policy": ("{arn}", _SNS, None),
    "aws_sns_topic_subscription": ("{id}", _SNS + r":[0-9a-f\-]{36}", None),
    "aws_cloudwatch_log_group": ("{name}", _LOG_GROUP, "name"),
    "aws_cloudwatch_log_subscription_filter": (
        "{log_group_name}|{name}",
        _LOG_GROUP + r"\|[^:*|]{1,512}",
        None,
    ),
    "aws_cloudwatch_log_metric_filter": (
        "{log_group_name}:{name}",
        _LOG_GROUP + r":[^:*]{1,512}",
        None,
    ),
    "aws_cloudwatch_metric_alarm": ("{alarm_name}", r"[^\n]{1,255}", "alarm_name"),
    "aws_cloudwatch_event_rule": ("{id}", r"([\w\-.]{1,256}/)?[\w\-.]{1,64}", None),
    "aws_cloudwatch_event_target": (
        "{event_bus_name}/{rule}/{target_id}",
        r"[\w\-.]{1,256}/[\w\-.]{1,64}/[\w\-.]{1,64}",
        None,
    ),
}
DATABASES: dict[str, tuple[str, str, str | None]] = {
    "aws_db_snapshot": ("{id}", r"[a-z][a-z0-9\-]{0,254}", None),
    "aws_db_cluster_snapshot": ("{id}", r"[a-z][a-z0-9\-]{0,254}", None),
    "aws_db_parameter_group": ("{name}", r"[a-z][a-z0-9\-.]{0,254}", "name"),
    "aws_rds_cluster_parameter_group": ("{name}", r"[a-z][a-z0-9\-.]{0,254}", "name"),
    "aws_db_subnet_group": ("{name}", r"[a-z0-9][a-z0-9 ._\-]{0,254}", "name"),
    "aws_acm_certificate": (
        "{id}",
        r"arn:aws[\w\-]*:acm:[a-z0-9\-]+:\d{12}:certificate/[0-9a-f\-]{36}",
        None,
    ),
}
EDGE: dict[str, tuple[str, str, str | None]] = {
    "aws_api_gateway_stage": ("{rest_api_id}/{stage_name}", r"[a-z0-9]{10}/[\w\-]{1,128}", None),
    "aws_api_gateway_method_settings": (
        "{rest_api_id}/{stage_name}/{method_path}",
        r"[a-z0-9]{10}/[\w\-]{1,128}/\S{1,1024}",
        None,
    ),
    "aws_apigatewayv2_stage": ("{api_id}/{name}", r"[a-z0-9]{10}/[\w\-$]{1,128}", None),
    "aws_cloudfront_distribution": ("{id}", r"E[A-Z0-9]{5,20}", None),
    "aws_wafv2_ip_set": (
        "{id}/{name}/{scope}",
        r"[0-9a-f\-]{36}/[\w\-]{1,128}/(REGIONAL|CLOUDFRONT)",
        None,
    ),
    "aws_wafv2_web_acl": (
        "{id}/{name}/{scope}",
        r"[0-9a-f\-]{36}/[\w\-]{1,128}/(REGIONAL|CLOUDFRONT)",
        None,
    ),
    "aws_wafv2_web_acl_association": (
        "{web_acl_arn},{resource_arn}",
        r"arn:aws[\w\-]*:wafv2:\S+,arn:\S+",
        None,
    ),
    "aws_wafv2_web_acl_logging_configuration": (
        "{resource_arn}",
        r"arn:aws[\w\-]*:wafv2:\S+",
        None,
    ),
    "aws_elasticache_cluster": ("{cluster_id}", r"[a-z][a-z0-9\-]{0,49}", "cluster_id"),
    "aws_elasticache_replication_group": (
        "{replication_group_id}",
        r"[a-z][a-z0-9\-]{0,39}",
        "replication_group_id",
    ),
}
GUARDRAILS: dict[str, tuple[str, str, str | None]] = {
    "aws_ssm_parameter": ("{name}", r"[\w.\-/]{1,2048}", "name"),
    "aws_secretsmanager_secret": ("{id}", _SM_ARN, None),
    "aws_secretsmanager_secret_policy": ("{secret_arn}", _SM_ARN, None),
    "aws_secretsmanager_secret_rotation": ("{secret_id}", _SM_ARN, None),
    "aws_secretsmanager_secret_version": ("{id}", _SM_ARN + r"\|[\w\-]{32,64}", None),
    "aws_guardduty_detector": ("{id}", r"[0-9a-f]{32}", None),
    "aws_config_configuration_recorder": ("{id}", _NAME, None),
    "aws_config_configuration_recorder_status": ("{id}", _NAME, None),
    "aws_config_delivery_channel": ("{id}", _NAME, None),
    "aws_securityhub_standards_subscription": ("{id}", r"arn:aws[\w\-]*:securityhub:\S+", None),
    "aws_config_config_rule": ("{name}", r"[\w\-]{1,128}", "name"),
    "aws_ebs_encryption_by_default": ("{id}", r"[\w\-]{1,64}", None),
    "aws_iam_account_password_policy": ("{id}", r"iam-account-password-policy", None),
    "aws_securityhub_account": ("{id}", r"\d{12}", None),
    "aws_accessanalyzer_analyzer": ("{analyzer_name}", r"[A-Za-z][\w.\-]{0,254}", "analyzer_name"),
}
TRUE_DEFAULTS = {
    "aws_cloudwatch_metric_alarm": ("actions_enabled",),
    "aws_ebs_encryption_by_default": ("enabled",),
    "aws_guardduty_detector": ("enable",),
    "aws_iam_account_password_policy": ("allow_users_to_change_password",),
}
"""Arguments whose provider default is true: ``false`` must be written (schema JSON has no
defaults, so they are listed here). Required arguments are added to the same set: their empty
value (``filter_pattern = ""``) is a value and is written too."""

WHAT = {
    "services": "DNS, data, messaging and\nobservability types the catalog covers (Route 53, "
    "DynamoDB, SQS, SNS, CloudWatch Logs and\nalarms, EventBridge).",
    "edge": "API Gateway, CloudFront,\nWAFv2 and ElastiCache types the catalog covers.",
    "databases": "RDS snapshot, parameter\ngroup and subnet group types and the ACM certificate "
    "the catalog covers.",
    "guardrails": "secrets and account\nguard-rail types the catalog covers (SSM parameters, "
    "Secrets Manager, GuardDuty, AWS Config,\nEBS encryption by default, the IAM password "
    "policy, Security Hub, Access Analyzer).",
}


def _is_set(kind: Any) -> bool:
    return isinstance(kind, list) and kind[0] == "set"


def _configurable(attrs: Mapping[str, Any]) -> list[str]:
    return [
        k
        for k, v in sorted(attrs.items())
        if (v.get("required") or v.get("optional")) and k not in ("id", "tags_all")
    ]


MAX_DEPTH = 2
"""Blocks nested deeper are left out (WAF rule statements): a patch into them is refused."""


def _block(nested: Mapping[str, Any], depth: int = 1) -> str:
    block = nested["block"]
    attrs = block.get("attributes", {})
    fields = [k for k in _configurable(attrs) if not attrs[k].get("sensitive")]
    parts = [repr(f) for f in fields]
    subs = {k: v for k, v in sorted(block.get("block_types", {}).items()) if k != "timeouts"}
    if subs and depth < MAX_DEPTH:
        inner = ", ".join(f"{k!r}: {_block(v, depth + 1)}" for k, v in subs.items())
        parts.append(f"blocks=MappingProxyType({{{inner}}})")
    if nested["nesting_mode"] == "set":
        parts.append("is_set=True")
    sets = [k for k in fields if _is_set(attrs[k]["type"])]
    if sets:
        parts.append(f"set_fields=frozenset({sets!r})")
    required = [k for k in fields if attrs[k].get("required")]
    if required:
        parts.append(f"true_defaults=frozenset({required!r})")
    return f"_block({', '.join(parts)})"


def _entry(rtype: str, schema: Mapping[str, Any], spec: tuple[str, str, str | None]) -> str:
    block = schema["block"]
    attrs = block.get("attributes", {})
    args = [k for k in _configurable(attrs) if not attrs[k].get("sensitive")]
    computed = {k for k, v in attrs.items() if v.get("computed") and not v.get("optional")}
    computed |= {"id"} | ({"tags_all"} & set(attrs))
    sensitive = sorted(k for k, v in attrs.items() if v.get("sensitive"))
    sets = [k for k in args if _is_set(attrs[k]["type"])]
    json_args = [k for k in args if k in JSON_ARGUMENTS]
    blocks = {k: v for k, v in sorted(block.get("block_types", {}).items()) if k != "timeouts"}
    import_id, pattern, name_argument = spec
    lines = [f"        type={rtype!r},", f"        arguments={tuple(args)!r},"]
    if blocks:
        inner = ", ".join(f"{k!r}: {_block(v)}" for k, v in blocks.items())
        lines.append(f"        blocks=MappingProxyType({{{inner}}}),")
    lines.append(f"        computed=frozenset({sorted(computed)!r}),")
    written = sorted(
        {k for k in args if attrs[k].get("required")} | set(TRUE_DEFAULTS.get(rtype, ()))
    )
    for name, values in (
        ("sensitive", sensitive),
        ("set_fields", sets),
        ("json_fields", json_args),
        ("true_defaults", written),
    ):
        if values:
            lines.append(f"        {name}=frozenset({values!r}),")
    if import_id != "{id}":
        lines.append(f"        import_id={import_id!r},")
    if name_argument:
        lines.append(f"        name_argument={name_argument!r},")
    lines.append(f"        import_pattern={pattern!r},")
    return "_add(\n    ResourceSchema(\n" + "\n".join(lines) + "\n    )\n)"


def render(name: str, types: Mapping[str, tuple[str, str, str | None]], all_: Any) -> str:
    body = "\n\n".join(_entry(t, all_[t], spec) for t, spec in types.items())
    imports = "from types import MappingProxyType\n\n" if "MappingProxyType" in body else ""
    return (
        f'"""What the AWS provider (5.100.0) lets a configuration set for the {WHAT[name]}\n\n'
        "Generated by ``scripts/regenerate_schema_services.py`` from ``terraform providers "
        "schema -json``\nfor hashicorp/aws 5.100.0: required or optional = configurable, "
        "computed-only = computed,\nsensitive arguments never written, nested blocks as the "
        "schema nests them (``timeouts`` left\nout). Import ids follow the provider's import "
        'documentation. Loaded by ``schema`` after its\ntable.\n"""\n\n'
        "from __future__ import annotations\n\n"
        f"{imports}"
        "from tfdrift_gitops.remediation.schema import ResourceSchema, _add, _block\n\n"
        f"{body}\n"
    )


def _trim(block: Mapping[str, Any], depth: int = 1) -> dict[str, Any]:
    """Attribute flags and nested blocks to three levels (``timeouts`` dropped), for the test
    fixture (WAF rule statements nest far deeper; no state fixture goes there)."""
    flags = ("required", "optional", "computed", "sensitive")
    out: dict[str, Any] = {
        "attributes": {
            k: {"type": v["type"], **{f: True for f in flags if v.get(f)}}
            for k, v in sorted(block.get("attributes", {}).items())
        }
    }
    nested = {k: v for k, v in sorted(block.get("block_types", {}).items()) if k != "timeouts"}
    if nested and depth < 3:
        out["block_types"] = {
            k: {"nesting_mode": v["nesting_mode"], "block": _trim(v["block"], depth + 1)}
            for k, v in nested.items()
        }
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    document = json.loads(Path(argv[1]).read_text())
    resources = document["provider_schemas"][PROVIDER]["resource_schemas"]
    every = {**SERVICES, **DATABASES, **EDGE, **GUARDRAILS}
    trimmed = {
        t: {"version": resources[t]["version"], "block": _trim(resources[t]["block"])}
        for t in sorted(every)
    }
    FIXTURE.write_text(json.dumps(trimmed, indent=1, sort_keys=True) + "\n")
    for name, types in (
        ("services", SERVICES),
        ("databases", DATABASES),
        ("edge", EDGE),
        ("guardrails", GUARDRAILS),
    ):
        (OUT / f"schema_{name}.py").write_text(render(name, types, resources))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
