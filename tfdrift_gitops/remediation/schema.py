"""What the AWS provider lets a configuration set, per resource type the catalog covers.

Generated configuration that plans dirty is the top complaint about peer tools, so only
*configurable* (required or optional) arguments are ever written; computed ones (``id``,
``arn``, ``owner_id``, ``tags_all``, ...) never are. Types outside this table are patched only
for attributes not known to be computed, and are never generated from scratch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from tfdrift_gitops.core import provider_schema
from tfdrift_gitops.core.redact import CLOUDTRAIL_PLACEHOLDERS, MASKS

# Attributes the provider computes on nearly every type; never written, whatever the type.
UNIVERSAL_COMPUTED = frozenset(
    {
        "id",
        "arn",
        "tags_all",
        "owner_id",
        "unique_id",
        "create_date",
        "creation_date",
        "last_modified",
        "qualified_arn",
        "invoke_arn",
        "qualified_invoke_arn",
        "version",
        "status",
    }
)

# Values CloudTrail substitutes for secrets, and our own masks of secrets from state (see
# core.redact): never written into code.
REDACTED_VALUES = frozenset({*CLOUDTRAIL_PLACEHOLDERS, *MASKS, "****"})


@dataclass(frozen=True, slots=True)
class BlockSchema:
    """A nested block type (``ingress``, ``versioning_configuration``, ...)."""

    fields: tuple[str, ...]
    """Configurable arguments in the order generated blocks list them."""
    blocks: Mapping[str, BlockSchema] = field(default_factory=dict)
    is_set: bool = False
    """Set of blocks: order is meaningless, items are matched by content."""
    identity: tuple[str, ...] = ()
    """Fields that pair a removed item with an added one as "the same block, edited"."""
    true_defaults: frozenset[str] = frozenset()
    json_fields: frozenset[str] = frozenset()
    set_fields: frozenset[str] = frozenset()

    def knows(self, name: str) -> bool:
        return name in self.fields or name in self.blocks


@dataclass(frozen=True, slots=True)
class ResourceSchema:
    type: str
    arguments: tuple[str, ...]
    """Configurable top-level arguments, in generation order."""
    blocks: Mapping[str, BlockSchema] = field(default_factory=dict)
    computed: frozenset[str] = frozenset()
    sensitive: frozenset[str] = frozenset()
    json_fields: frozenset[str] = frozenset()
    set_fields: frozenset[str] = frozenset()
    true_defaults: frozenset[str] = frozenset()
    import_id: str = "{id}"
    """Template over ``id`` and known attribute values, e.g. ``{role}/{policy_arn}``."""
    import_pattern: str = r".+"
    name_argument: str | None = None
    """The argument holding the name the import id is built from (``bucket``, ``name``)."""
    known: bool = True

    def classify(self, name: str) -> str:
        """``configurable``, ``computed``, ``sensitive`` or ``unknown`` (a known type's argument
        missing from this table: refused rather than guessed).

        The provider's own schema (``core.provider_schema``) has the last word on what is
        sensitive and what only the provider computes, whatever this table says."""
        stated = provider_schema.top_level(self.type).get(name)
        if name in self.sensitive or (stated is not None and stated.sensitive):
            return "sensitive"
        if stated is not None and not stated.configurable:
            return "computed"
        if name in self.arguments or name in self.blocks:
            return "configurable"
        if name in self.computed or name in UNIVERSAL_COMPUTED:
            return "computed"
        return "unknown" if self.known else "configurable"

    def as_block(self) -> BlockSchema:
        """The resource body seen as a block schema (shared patching code)."""
        return BlockSchema(
            fields=self.arguments,
            blocks=self.blocks,
            true_defaults=self.true_defaults,
            json_fields=self.json_fields,
            set_fields=self.set_fields,
        )

    def valid_import_id(self, value: str) -> bool:
        return bool(re.fullmatch(self.import_pattern, value)) and "\n" not in value


def _block(*fields: str, **kwargs: Any) -> BlockSchema:
    return BlockSchema(fields=fields, **kwargs)


_SG_RULE = _block(
    "description",
    "from_port",
    "to_port",
    "protocol",
    "cidr_blocks",
    "ipv6_cidr_blocks",
    "prefix_list_ids",
    "security_groups",
    "self",
    is_set=True,
    identity=("from_port", "to_port", "protocol"),
    set_fields=frozenset({"security_groups"}),
)

_VPC_RULE_ARGS = (
    "security_group_id",
    "description",
    "ip_protocol",
    "from_port",
    "to_port",
    "cidr_ipv4",
    "cidr_ipv6",
    "prefix_list_id",
    "referenced_security_group_id",
    "tags",
)

_BUCKET = r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]"
_IAM_NAME = r"[\w+=,.@\-]{1,128}"
_POLICY_ARN = r"arn:aws[\w\-]*:iam::(\d{12}|aws):policy/[\w+=,.@\-/]+"

_SCHEMAS: dict[str, ResourceSchema] = {}


def _add(schema: ResourceSchema) -> None:
    _SCHEMAS[schema.type] = schema


_add(
    ResourceSchema(
        type="aws_security_group",
        arguments=(
            "name",
            "name_prefix",
            "description",
            "vpc_id",
            "revoke_rules_on_delete",
            "tags",
        ),
        blocks=MappingProxyType({"ingress": _SG_RULE, "egress": _SG_RULE}),
        computed=frozenset({"arn", "id", "owner_id", "tags_all"}),
        import_pattern=r"sg-[0-9a-f]{8,17}",
    )
)
for _rule_type in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
    _add(
        ResourceSchema(
            type=_rule_type,
            arguments=_VPC_RULE_ARGS,
            computed=frozenset({"arn", "id", "security_group_rule_id", "tags_all"}),
            import_pattern=r"sgr-[0-9a-f]{8,17}",
        )
    )
_add(
    ResourceSchema(
        type="aws_instance",
        arguments=(
            "ami",
            "instance_type",
            "subnet_id",
            "vpc_security_group_ids",
            "security_groups",
            "key_name",
            "iam_instance_profile",
            "associate_public_ip_address",
            "availability_zone",
            "private_ip",
            "monitoring",
            "ebs_optimized",
            "disable_api_termination",
            "disable_api_stop",
            "instance_initiated_shutdown_behavior",
            "source_dest_check",
            "tenancy",
            "placement_group",
            "hibernation",
            "user_data",
            "user_data_base64",
            "user_data_replace_on_change",
            "tags",
            "volume_tags",
        ),
        blocks=MappingProxyType(
            {
                "metadata_options": _block(
                    "http_endpoint",
                    "http_tokens",
                    "http_put_response_hop_limit",
                    "http_protocol_ipv6",
                    "instance_metadata_tags",
                ),
                "root_block_device": _block(
                    "volume_size",
                    "volume_type",
                    "iops",
                    "throughput",
                    "encrypted",
                    "kms_key_id",
                    "delete_on_termination",
                    "tags",
                    true_defaults=frozenset({"delete_on_termination"}),
                ),
                "credit_specification": _block("cpu_credits"),
                "maintenance_options": _block("auto_recovery"),
            }
        ),
        computed=frozenset(
            {
                "arn",
                "id",
                "instance_state",
                "outpost_arn",
                "password_data",
                "primary_network_interface_id",
                "private_dns",
                "public_dns",
                "public_ip",
                "tags_all",
                "instance_lifecycle",
                "spot_instance_request_id",
            }
        ),
        set_fields=frozenset({"vpc_security_group_ids", "security_groups"}),
        true_defaults=frozenset({"source_dest_check"}),
        import_pattern=r"i-[0-9a-f]{8,17}",
    )
)
_add(
    ResourceSchema(
        type="aws_s3_bucket",
        arguments=(
            "bucket",
            "bucket_prefix",
            "force_destroy",
            "object_lock_enabled",
            "tags",
            # Deprecated inline arguments (provider v4+) still found in older code.
            "acl",
            "policy",
            "acceleration_status",
            "request_payer",
        ),
        blocks=MappingProxyType(
            {
                "versioning": _block("enabled", "mfa_delete"),
                "logging": _block("target_bucket", "target_prefix"),
            }
        ),
        computed=frozenset(
            {
                "arn",
                "id",
                "bucket_domain_name",
                "bucket_regional_domain_name",
                "hosted_zone_id",
                "region",
                "tags_all",
                "website_endpoint",
                "website_domain",
            }
        ),
        json_fields=frozenset({"policy"}),
        import_id="{bucket}",
        import_pattern=_BUCKET,
        name_argument="bucket",
    )
)
_S3_SUB = {
    "aws_s3_bucket_versioning": (
        ("bucket", "expected_bucket_owner", "mfa"),
        {"versioning_configuration": _block("status", "mfa_delete")},
    ),
    "aws_s3_bucket_policy": (("bucket", "policy"), {}),
    "aws_s3_bucket_public_access_block": (
        (
            "bucket",
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ),
        {},
    ),
    "aws_s3_bucket_server_side_encryption_configuration": (
        ("bucket", "expected_bucket_owner"),
        {
            "rule": _block(
                "bucket_key_enabled",
                blocks=MappingProxyType(
                    {
                        "apply_server_side_encryption_by_default": _block(
                            "sse_algorithm", "kms_master_key_id"
                        )
                    }
                ),
                is_set=True,
            )
        },
    ),
    "aws_s3_bucket_acl": (
        ("bucket", "acl", "expected_bucket_owner"),
        {},
    ),
    "aws_s3_bucket_ownership_controls": (("bucket",), {"rule": _block("object_ownership")}),
    "aws_s3_bucket_logging": (
        ("bucket", "target_bucket", "target_prefix", "expected_bucket_owner"),
        {},
    ),
    "aws_s3_bucket_lifecycle_configuration": (("bucket", "expected_bucket_owner"), {}),
    "aws_s3_bucket_cors_configuration": (("bucket", "expected_bucket_owner"), {}),
    "aws_s3_bucket_website_configuration": (("bucket", "expected_bucket_owner"), {}),
    "aws_s3_bucket_accelerate_configuration": (("bucket", "status"), {}),
    "aws_s3_bucket_request_payment_configuration": (("bucket", "payer"), {}),
    "aws_s3_bucket_object_lock_configuration": (("bucket", "expected_bucket_owner"), {}),
    "aws_s3_bucket_notification": (("bucket", "eventbridge"), {}),
    "aws_s3_bucket_replication_configuration": (("bucket", "role", "token"), {}),
}
for _type, (_args, _blocks) in _S3_SUB.items():
    _add(
        ResourceSchema(
            type=_type,
            arguments=_args,
            blocks=MappingProxyType(_blocks),
            computed=frozenset({"id"}),
            json_fields=frozenset({"policy"}),
            import_id="{bucket}",
            import_pattern=_BUCKET,
            name_argument="bucket",
            # Sub-resources have more nested blocks than listed (rules, filters); unknown
            # names are patched when present in code rather than refused.
            known=False,
        )
    )
_add(
    ResourceSchema(
        type="aws_iam_role",
        arguments=(
            "name",
            "name_prefix",
            "path",
            "description",
            "assume_role_policy",
            "max_session_duration",
            "permissions_boundary",
            "force_detach_policies",
            "managed_policy_arns",
            "tags",
        ),
        blocks=MappingProxyType(
            {
                "inline_policy": _block(
                    "name",
                    "policy",
                    is_set=True,
                    identity=("name",),
                    json_fields=frozenset({"policy"}),
                )
            }
        ),
        computed=frozenset({"arn", "create_date", "id", "tags_all", "unique_id"}),
        json_fields=frozenset({"assume_role_policy"}),
        set_fields=frozenset({"managed_policy_arns"}),
        import_id="{name}",
        import_pattern=_IAM_NAME,
        name_argument="name",
    )
)
_add(
    ResourceSchema(
        type="aws_iam_role_policy",
        arguments=("name", "name_prefix", "role", "policy"),
        computed=frozenset({"id"}),
        json_fields=frozenset({"policy"}),
        import_id="{role}:{name}",
        import_pattern=_IAM_NAME + ":" + _IAM_NAME,
    )
)
_add(
    ResourceSchema(
        type="aws_iam_user_policy",
        arguments=("name", "name_prefix", "user", "policy"),
        computed=frozenset({"id"}),
        json_fields=frozenset({"policy"}),
        import_id="{user}:{name}",
        import_pattern=_IAM_NAME + ":" + _IAM_NAME,
    )
)
_add(
    ResourceSchema(
        type="aws_iam_policy",
        arguments=("name", "name_prefix", "path", "description", "policy", "tags"),
        computed=frozenset({"arn", "id", "policy_id", "tags_all", "attachment_count"}),
        json_fields=frozenset({"policy"}),
        import_id="{arn}",
        import_pattern=_POLICY_ARN,
    )
)
_add(
    ResourceSchema(
        type="aws_iam_role_policy_attachment",
        arguments=("role", "policy_arn"),
        computed=frozenset({"id"}),
        import_id="{role}/{policy_arn}",
        import_pattern=_IAM_NAME + "/" + _POLICY_ARN,
    )
)
_add(
    ResourceSchema(
        type="aws_iam_user_policy_attachment",
        arguments=("user", "policy_arn"),
        computed=frozenset({"id"}),
        import_id="{user}/{policy_arn}",
        import_pattern=_IAM_NAME + "/" + _POLICY_ARN,
    )
)
_add(
    ResourceSchema(
        type="aws_iam_user",
        arguments=("name", "path", "permissions_boundary", "force_destroy", "tags"),
        computed=frozenset({"arn", "id", "unique_id", "tags_all"}),
        import_id="{name}",
        import_pattern=_IAM_NAME,
        name_argument="name",
    )
)
_add(
    ResourceSchema(
        type="aws_db_instance",
        arguments=(
            "identifier",
            "identifier_prefix",
            "engine",
            "engine_version",
            "instance_class",
            "allocated_storage",
            "max_allocated_storage",
            "storage_type",
            "iops",
            "storage_encrypted",
            "kms_key_id",
            "db_name",
            "username",
            "port",
            "db_subnet_group_name",
            "vpc_security_group_ids",
            "parameter_group_name",
            "option_group_name",
            "multi_az",
            "publicly_accessible",
            "deletion_protection",
            "skip_final_snapshot",
            "final_snapshot_identifier",
            "backup_retention_period",
            "backup_window",
            "maintenance_window",
            "auto_minor_version_upgrade",
            "allow_major_version_upgrade",
            "apply_immediately",
            "copy_tags_to_snapshot",
            "iam_database_authentication_enabled",
            "monitoring_interval",
            "monitoring_role_arn",
            "performance_insights_enabled",
            "enabled_cloudwatch_logs_exports",
            "ca_cert_identifier",
            "license_model",
            "tags",
        ),
        computed=frozenset(
            {
                "address",
                "arn",
                "endpoint",
                "hosted_zone_id",
                "id",
                "resource_id",
                "status",
                "tags_all",
                "latest_restorable_time",
                "listener_endpoint",
                "master_user_secret",
                "replicas",
                "engine_version_actual",
            }
        ),
        sensitive=frozenset({"password", "master_password"}),
        set_fields=frozenset({"vpc_security_group_ids", "enabled_cloudwatch_logs_exports"}),
        true_defaults=frozenset({"auto_minor_version_upgrade"}),
        import_id="{identifier}",
        import_pattern=r"[A-Za-z][A-Za-z0-9\-]{0,62}",
        name_argument="identifier",
    )
)
_add(
    ResourceSchema(
        type="aws_lambda_function",
        arguments=(
            "function_name",
            "description",
            "role",
            "handler",
            "runtime",
            "timeout",
            "memory_size",
            "architectures",
            "package_type",
            "filename",
            "s3_bucket",
            "s3_key",
            "s3_object_version",
            "image_uri",
            "source_code_hash",
            "layers",
            "publish",
            "reserved_concurrent_executions",
            "kms_key_arn",
            "tags",
        ),
        blocks=MappingProxyType(
            {
                "environment": _block("variables"),
                "vpc_config": _block(
                    "subnet_ids",
                    "security_group_ids",
                    set_fields=frozenset({"subnet_ids", "security_group_ids"}),
                ),
                "tracing_config": _block("mode"),
                "dead_letter_config": _block("target_arn"),
                "ephemeral_storage": _block("size"),
            }
        ),
        computed=frozenset(
            {
                "arn",
                "id",
                "invoke_arn",
                "last_modified",
                "qualified_arn",
                "qualified_invoke_arn",
                "signing_job_arn",
                "signing_profile_version_arn",
                "source_code_size",
                "tags_all",
                "version",
                "code_sha256",
            }
        ),
        import_id="{function_name}",
        import_pattern=r"[A-Za-z0-9_\-]{1,64}",
        name_argument="function_name",
    )
)
_add(
    ResourceSchema(
        type="aws_lambda_permission",
        arguments=(
            "function_name",
            "statement_id",
            "statement_id_prefix",
            "action",
            "principal",
            "source_arn",
            "source_account",
            "qualifier",
            "event_source_token",
            "principal_org_id",
            "function_url_auth_type",
        ),
        computed=frozenset({"id"}),
        import_id="{function_name}/{statement_id}",
        import_pattern=r"[A-Za-z0-9_\-:]{1,140}/[A-Za-z0-9_\-]{1,100}",
    )
)
_add(
    ResourceSchema(
        type="aws_kms_key",
        arguments=(
            "description",
            "key_usage",
            "customer_master_key_spec",
            "policy",
            "bypass_policy_lockout_safety_check",
            "deletion_window_in_days",
            "is_enabled",
            "enable_key_rotation",
            "rotation_period_in_days",
            "multi_region",
            "tags",
        ),
        computed=frozenset({"arn", "key_id", "id", "tags_all"}),
        json_fields=frozenset({"policy"}),
        true_defaults=frozenset({"is_enabled"}),
        import_pattern=r"(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
    )
)
_add(
    ResourceSchema(
        type="aws_cloudtrail",
        arguments=(
            "name",
            "s3_bucket_name",
            "s3_key_prefix",
            "include_global_service_events",
            "is_multi_region_trail",
            "is_organization_trail",
            "enable_logging",
            "enable_log_file_validation",
            "kms_key_id",
            "cloud_watch_logs_group_arn",
            "cloud_watch_logs_role_arn",
            "sns_topic_name",
            "tags",
        ),
        blocks=MappingProxyType(
            {
                "event_selector": _block(
                    "read_write_type",
                    "include_management_events",
                    "exclude_management_event_sources",
                    true_defaults=frozenset({"include_management_events"}),
                ),
                "insight_selector": _block("insight_type", is_set=True),
            }
        ),
        computed=frozenset({"arn", "home_region", "id", "tags_all"}),
        true_defaults=frozenset({"enable_logging", "include_global_service_events"}),
        import_pattern=r"[A-Za-z0-9._\-:/]{3,256}",
        name_argument="name",
    )
)

# --------------------------------------------------------------------------- containers
# Arguments as the provider 5.100.0 schema lists them (tests/fixtures/schemas/
# aws-provider-5.100.0-containers.json); import ids as the provider's import documentation.
_NAME = r"[A-Za-z0-9][A-Za-z0-9_\-]{0,254}"
_ARN = r"arn:aws[\w\-]*:[a-z0-9\-]+:[\w\-]*:(\d{12}|aws)?:[\w+=,.@\-/:]+"
_ECR_NAME = r"(?:[a-z0-9]+(?:[._\-][a-z0-9]+)*/)*[a-z0-9]+(?:[._\-][a-z0-9]+)*"
_CAPACITY_STRATEGY = _block(
    "capacity_provider", "weight", "base", is_set=True, identity=("capacity_provider",)
)
_add(
    ResourceSchema(
        type="aws_ecs_service",
        arguments=(
            "name",
            "cluster",
            "task_definition",
            "desired_count",
            "launch_type",
            "platform_version",
            "scheduling_strategy",
            "deployment_maximum_percent",
            "deployment_minimum_healthy_percent",
            "health_check_grace_period_seconds",
            "enable_execute_command",
            "enable_ecs_managed_tags",
            "propagate_tags",
            "availability_zone_rebalancing",
            "iam_role",
            "force_delete",
            "force_new_deployment",
            "triggers",
            "wait_for_steady_state",
            "tags",
        ),
        blocks=MappingProxyType(
            {
                "network_configuration": _block(
                    "subnets",
                    "security_groups",
                    "assign_public_ip",
                    set_fields=frozenset({"subnets", "security_groups"}),
                ),
                "deployment_circuit_breaker": _block(
                    "enable", "rollback", true_defaults=frozenset({"enable", "rollback"})
                ),
                "deployment_controller": _block("type"),
                "alarms": _block(
                    "alarm_names",
                    "enable",
                    "rollback",
                    set_fields=frozenset({"alarm_names"}),
                    # Required booleans: false is written, never dropped.
                    true_defaults=frozenset({"enable", "rollback"}),
                ),
                "capacity_provider_strategy": _CAPACITY_STRATEGY,
                "load_balancer": _block(
                    "target_group_arn",
                    "elb_name",
                    "container_name",
                    "container_port",
                    is_set=True,
                    identity=("target_group_arn", "elb_name"),
                ),
                "ordered_placement_strategy": _block("type", "field"),
                "placement_constraints": _block("type", "expression", is_set=True),
                "service_registries": _block(
                    "registry_arn", "port", "container_name", "container_port"
                ),
            }
        ),
        computed=frozenset({"id", "tags_all"}),
        # ``CLUSTER/SERVICE``; the catalog builds it from the call (state's id is the ARN).
        import_id="{cluster}/{name}",
        import_pattern=_NAME + "/" + _NAME,
        name_argument="name",
        # service_connect_configuration, volume_configuration and vpc_lattice_configurations
        # are deeper than listed: patched when present in code rather than refused.
        known=False,
    )
)
_add(
    ResourceSchema(
        type="aws_ecs_task_definition",
        arguments=(
            "family",
            "container_definitions",
            "cpu",
            "memory",
            "network_mode",
            "requires_compatibilities",
            "task_role_arn",
            "execution_role_arn",
            "ipc_mode",
            "pid_mode",
            "enable_fault_injection",
            "skip_destroy",
            "track_latest",
            "tags",
        ),
        blocks=MappingProxyType(
            {
                "ephemeral_storage": _block("size_in_gib"),
                "runtime_platform": _block("operating_system_family", "cpu_architecture"),
                "placement_constraints": _block("type", "expression", is_set=True),
                "proxy_configuration": _block("type", "container_name", "properties"),
                "inference_accelerator": _block("device_name", "device_type", is_set=True),
            }
        ),
        computed=frozenset({"arn", "arn_without_revision", "id", "revision", "tags_all"}),
        json_fields=frozenset({"container_definitions"}),
        set_fields=frozenset({"requires_compatibilities"}),
        # The revision's ARN (the catalog takes it from RegisterTaskDefinition's response);
        # the template names the generated block after the family and revision.
        import_id="{arn_prefix}task-definition/{family}:{revision}",
        import_pattern=r"arn:aws[\w\-]*:ecs:[a-z0-9\-]+:\d{12}:task-definition/[A-Za-z0-9_\-]+:\d+",
        name_argument="family",
        known=False,  # ``volume`` nests further than listed
    )
)
_add(
    ResourceSchema(
        type="aws_ecs_cluster",
        arguments=("name", "tags"),
        blocks=MappingProxyType(
            {
                "setting": _block("name", "value", is_set=True, identity=("name",)),
                "configuration": _block(
                    blocks=MappingProxyType(
                        {
                            "execute_command_configuration": _block(
                                "kms_key_id",
                                "logging",
                                blocks=MappingProxyType(
                                    {
                                        "log_configuration": _block(
                                            "cloud_watch_encryption_enabled",
                                            "cloud_watch_log_group_name",
                                            "s3_bucket_encryption_enabled",
                                            "s3_bucket_name",
                                            "s3_key_prefix",
                                        )
                                    }
                                ),
                            ),
                            "managed_storage_configuration": _block(
                                "kms_key_id", "fargate_ephemeral_storage_kms_key_id"
                            ),
                        }
                    )
                ),
                "service_connect_defaults": _block("namespace"),
            }
        ),
        computed=frozenset({"arn", "id", "tags_all"}),
        import_id="{name}",
        import_pattern=_NAME,
        name_argument="name",
    )
)
_add(
    ResourceSchema(
        type="aws_ecs_account_setting_default",
        arguments=("name", "value"),
        computed=frozenset({"id", "principal_arn"}),
        import_id="{name}",
        import_pattern=r"[A-Za-z][A-Za-z0-9]{2,63}",
        name_argument="name",
    )
)
_add(
    ResourceSchema(
        type="aws_ecs_cluster_capacity_providers",
        arguments=("cluster_name", "capacity_providers"),
        blocks=MappingProxyType({"default_capacity_provider_strategy": _CAPACITY_STRATEGY}),
        computed=frozenset({"id"}),
        set_fields=frozenset({"capacity_providers"}),
        import_id="{cluster_name}",
        import_pattern=_NAME,
    )
)
_add(
    ResourceSchema(
        type="aws_eks_cluster",
        arguments=(
            "name",
            "role_arn",
            "version",
            "enabled_cluster_log_types",
            "bootstrap_self_managed_addons",
            "force_update_version",
            "tags",
        ),
        blocks=MappingProxyType(
            {
                "vpc_config": _block(
                    "subnet_ids",
                    "security_group_ids",
                    "endpoint_private_access",
                    "endpoint_public_access",
                    "public_access_cidrs",
                    set_fields=frozenset(
                        {"subnet_ids", "security_group_ids", "public_access_cidrs"}
                    ),
                    true_defaults=frozenset({"endpoint_public_access"}),
                ),
                "access_config": _block(
                    "authentication_mode",
                    "bootstrap_cluster_creator_admin_permissions",
                    true_defaults=frozenset({"bootstrap_cluster_creator_admin_permissions"}),
                ),
                "encryption_config": _block(
                    "resources",
                    blocks=MappingProxyType({"provider": _block("key_arn")}),
                    set_fields=frozenset({"resources"}),
                ),
                "kubernetes_network_config": _block(
                    "ip_family",
                    "service_ipv4_cidr",
                    blocks=MappingProxyType({"elastic_load_balancing": _block("enabled")}),
                ),
                "upgrade_policy": _block("support_type"),
                "zonal_shift_config": _block("enabled"),
                "compute_config": _block(
                    "enabled", "node_pools", "node_role_arn", set_fields=frozenset({"node_pools"})
                ),
                "storage_config": _block(
                    blocks=MappingProxyType({"block_storage": _block("enabled")})
                ),
            }
        ),
        computed=frozenset(
            {
                "arn",
                "certificate_authority",
                "cluster_id",
                "created_at",
                "endpoint",
                "id",
                "identity",
                "platform_version",
                "status",
                "tags_all",
            }
        ),
        set_fields=frozenset({"enabled_cluster_log_types"}),
        true_defaults=frozenset({"bootstrap_self_managed_addons"}),
        import_id="{name}",
        import_pattern=r"[0-9A-Za-z][A-Za-z0-9\-_]{0,99}",
        name_argument="name",
        known=False,  # outpost_config and remote_network_config are not listed
    )
)
_add(
    ResourceSchema(
        type="aws_eks_node_group",
        arguments=(
            "cluster_name",
            "node_group_name",
            "node_group_name_prefix",
            "node_role_arn",
            "subnet_ids",
            "ami_type",
            "capacity_type",
            "disk_size",
            "instance_types",
            "labels",
            "release_version",
            "version",
            "force_update_version",
            "tags",
        ),
        blocks=MappingProxyType(
            {
                "scaling_config": _block("desired_size", "max_size", "min_size"),
                "update_config": _block("max_unavailable", "max_unavailable_percentage"),
                "taint": _block("key", "value", "effect", is_set=True, identity=("key", "effect")),
                "launch_template": _block("id", "name", "version"),
                "remote_access": _block(
                    "ec2_ssh_key",
                    "source_security_group_ids",
                    set_fields=frozenset({"source_security_group_ids"}),
                ),
                "node_repair_config": _block("enabled"),
            }
        ),
        computed=frozenset({"arn", "id", "resources", "status", "tags_all"}),
        set_fields=frozenset({"subnet_ids"}),
        import_id="{cluster_name}:{node_group_name}",
        import_pattern=r"[0-9A-Za-z][A-Za-z0-9\-_]{0,99}:[0-9A-Za-z][A-Za-z0-9\-_]{0,62}",
    )
)
_add(
    ResourceSchema(
        type="aws_eks_addon",
        arguments=(
            "cluster_name",
            "addon_name",
            "addon_version",
            "service_account_role_arn",
            "configuration_values",
            "resolve_conflicts_on_create",
            "resolve_conflicts_on_update",
            "resolve_conflicts",
            "preserve",
            "tags",
        ),
        blocks=MappingProxyType(
            {"pod_identity_association": _block("role_arn", "service_account", is_set=True)}
        ),
        computed=frozenset({"arn", "created_at", "id", "modified_at", "tags_all"}),
        import_id="{cluster_name}:{addon_name}",
        import_pattern=r"[0-9A-Za-z][A-Za-z0-9\-_]{0,99}:[a-z0-9][a-z0-9\-._]{0,99}",
    )
)
_add(
    ResourceSchema(
        type="aws_eks_access_entry",
        arguments=(
            "cluster_name",
            "principal_arn",
            "kubernetes_groups",
            "type",
            "user_name",
            "tags",
        ),
        computed=frozenset({"access_entry_arn", "created_at", "id", "modified_at", "tags_all"}),
        set_fields=frozenset({"kubernetes_groups"}),
        import_id="{cluster_name}:{principal_arn}",
        import_pattern=r"[0-9A-Za-z][A-Za-z0-9\-_]{0,99}:" + _ARN,
    )
)
_add(
    ResourceSchema(
        type="aws_eks_access_policy_association",
        arguments=("cluster_name", "principal_arn", "policy_arn"),
        blocks=MappingProxyType(
            {"access_scope": _block("type", "namespaces", set_fields=frozenset({"namespaces"}))}
        ),
        computed=frozenset({"associated_at", "id", "modified_at"}),
        import_id="{cluster_name}#{principal_arn}#{policy_arn}",
        import_pattern=r"[0-9A-Za-z][A-Za-z0-9\-_]{0,99}#" + _ARN + "#" + _ARN,
    )
)
_add(
    ResourceSchema(
        type="aws_ecr_repository",
        arguments=("name", "image_tag_mutability", "force_delete", "tags"),
        blocks=MappingProxyType(
            {
                # scan_on_push is required: false is written, never dropped.
                "image_scanning_configuration": _block(
                    "scan_on_push", true_defaults=frozenset({"scan_on_push"})
                ),
                "encryption_configuration": _block("encryption_type", "kms_key"),
            }
        ),
        computed=frozenset({"arn", "id", "registry_id", "repository_url", "tags_all"}),
        import_id="{name}",
        import_pattern=_ECR_NAME,
        name_argument="name",
    )
)
for _type in ("aws_ecr_repository_policy", "aws_ecr_lifecycle_policy"):
    _add(
        ResourceSchema(
            type=_type,
            arguments=("repository", "policy"),
            computed=frozenset({"id", "registry_id"}),
            json_fields=frozenset({"policy"}),
            import_id="{repository}",
            import_pattern=_ECR_NAME,
        )
    )


# Load balancing and compute types: a table of their own (it uses the classes above).
from tfdrift_gitops.remediation import schema_compute as _schema_compute  # noqa: E402
from tfdrift_gitops.remediation import schema_network as _schema_network  # noqa: E402

del _schema_compute, _schema_network

# DNS, data, messaging, observability, secrets and guard-rail types: generated tables.
from tfdrift_gitops.remediation import schema_databases as _schema_databases  # noqa: E402
from tfdrift_gitops.remediation import schema_edge as _schema_edge  # noqa: E402
from tfdrift_gitops.remediation import schema_guardrails as _schema_guardrails  # noqa: E402
from tfdrift_gitops.remediation import schema_services as _schema_services  # noqa: E402

del _schema_databases, _schema_edge, _schema_guardrails, _schema_services


def schema_for(resource_type: str) -> ResourceSchema:
    """The table entry, or a permissive fallback that only knows the universal computed set."""
    found = _SCHEMAS.get(resource_type)
    if found is not None:
        return found
    return ResourceSchema(type=resource_type, arguments=(), known=False, import_pattern=r"(?!)")


def known_types() -> tuple[str, ...]:
    return tuple(sorted(_SCHEMAS))


def is_redacted(value: Any) -> bool:
    """True when CloudTrail or our redaction replaced (part of) the value with a placeholder."""
    if isinstance(value, str):
        return value in REDACTED_VALUES
    if isinstance(value, Mapping):
        return any(is_redacted(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_redacted(v) for v in value)
    return False
