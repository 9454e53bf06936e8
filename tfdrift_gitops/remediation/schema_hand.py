"""What the AWS provider's schema cannot say, kept by hand: how each type is imported, which
string arguments hold JSON documents, which defaults must be written, and which fields pair an
edited item of a set of blocks with its old self.

Everything else (which arguments exist, configurable or computed, sensitive, nesting, set or
list) is read from the provider's own schema dump by ``schema``. Paths below are dotted block
paths (``inline_policy.policy``: the ``policy`` field of ``inline_policy`` blocks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class ImportId:
    """How ``import { id = ... }`` names a resource of one type (its import documentation)."""

    pattern: str
    """What a valid id looks like: a malformed one is refused rather than written."""
    template: str = "{id}"
    """Over the resource id and attribute values, e.g. ``{role}/{policy_arn}``."""
    name_argument: str | None = None
    """The argument holding the name the id is built from (``bucket``, ``name``)."""


NO_IMPORT: Final = r"(?!)"
"""The provider cannot import the type: no id is ever valid."""


def _ec2(prefix: str) -> str:
    return prefix + r"-[0-9a-f]{8,17}"


_ARN = r"arn:aws[\w\-]*:[a-z0-9\-]+:[\w\-]*:(\d{12}|aws)?:[\w+=,.@\-/:]+"
_BUCKET = r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]"
_IAM_NAME = r"[\w+=,.@\-]{1,128}"
_REST_API = r"[a-z0-9]{10}"
# AWS's HTTP/WebSocket API ids are 10 characters; moto 5.2.6 makes 8 (the oracle's).
_V2_API = r"[a-z0-9]{8,10}"
_POLICY_ARN = r"arn:aws[\w\-]*:iam::(\d{12}|aws):policy/[\w+=,.@\-/]+"
_ECS_NAME = r"[A-Za-z0-9][A-Za-z0-9_\-]{0,254}"
_EKS_CLUSTER = r"[0-9A-Za-z][A-Za-z0-9\-_]{0,99}"
_ECR_NAME = r"(?:[a-z0-9]+(?:[._\-][a-z0-9]+)*/)*[a-z0-9]+(?:[._\-][a-z0-9]+)*"
_ELB_ARN = r"arn:aws[\w\-]*:elasticloadbalancing:[a-z0-9\-]+:\d{12}:"
_LISTENER = _ELB_ARN + r"listener/(app|net|gwy)/[\w\-]+/[0-9a-f]+/[0-9a-f]+"
_CERTIFICATE = r"arn:aws[\w\-]*:(acm|iam):[\w\-]*:\d{12}:[\w+=,.@\-/]+"
_ASG_CHILD = r"[^:/]{1,255}/[^:]{1,255}"
_SQS_URL = r"https://[\w.\-]+/\d{12}/[\w\-]{1,80}(\.fifo)?"
_SNS_ARN = r"arn:aws[\w\-]*:sns:[a-z0-9\-]+:\d{12}:[\w\-]{1,256}(\.fifo)?"
_LOG_GROUP = r"[\w\-/.#]{1,512}"
_RDS_NAME = r"[a-z][a-z0-9\-]{0,254}"
_RDS_GROUP = r"[a-z][a-z0-9\-.]{0,254}"
_WAF_ID = r"[0-9a-f\-]{36}/[\w\-]{1,128}/(REGIONAL|CLOUDFRONT)"
_SM_ARN = r"arn:aws[\w\-]*:secretsmanager:[a-z0-9\-]+:\d{12}:secret:[\w/+=.@\-]{1,512}"
_CONFIG_NAME = r"[\w\-]{1,256}"
_SFN_ARN = r"arn:aws[\w\-]*:states:[a-z0-9\-]+:\d{12}:"
_ROUTE_KEY = ("cidr_block", "ipv6_cidr_block", "destination_prefix_list_id")


def _by_name(pattern: str, argument: str = "name") -> ImportId:
    """Imported by the value of one argument (the resource's name)."""
    return ImportId(pattern, "{" + argument + "}", argument)


_BY_BUCKET = _by_name(_BUCKET, "bucket")

IMPORT_IDS: Final[Mapping[str, ImportId]] = MappingProxyType(
    {
        # EC2, VPC and security groups
        "aws_instance": ImportId(_ec2("i")),
        "aws_security_group": ImportId(_ec2("sg")),
        "aws_vpc_security_group_egress_rule": ImportId(_ec2("sgr")),
        "aws_vpc_security_group_ingress_rule": ImportId(_ec2("sgr")),
        "aws_vpc": ImportId(_ec2("vpc")),
        "aws_subnet": ImportId(_ec2("subnet")),
        "aws_vpc_endpoint": ImportId(_ec2("vpce")),
        "aws_eip": ImportId(_ec2("eipalloc")),
        "aws_eip_association": ImportId(_ec2("eipassoc")),
        "aws_flow_log": ImportId(_ec2("fl")),
        "aws_internet_gateway": ImportId(_ec2("igw")),
        "aws_internet_gateway_attachment": ImportId(
            _ec2("igw") + ":" + _ec2("vpc"), "{internet_gateway_id}:{vpc_id}"
        ),
        "aws_nat_gateway": ImportId(_ec2("nat")),
        "aws_network_acl": ImportId(_ec2("acl")),
        "aws_default_network_acl": ImportId(_ec2("acl")),
        "aws_network_acl_association": ImportId(_ec2("aclassoc")),
        "aws_network_acl_rule": ImportId(
            _ec2("acl") + r":\d{1,5}:[\w\-]+:(true|false)",
            "{network_acl_id}:{rule_number}:{protocol}:{egress}",
        ),
        "aws_route": ImportId(_ec2("rtb") + r"_(pl-[0-9a-f]{8,17}|[0-9a-fA-F:.]+/\d{1,3})"),
        "aws_route_table": ImportId(_ec2("rtb")),
        # The provider imports a default route table by its VPC's id.
        "aws_default_route_table": ImportId(_ec2("vpc"), "{vpc_id}"),
        "aws_route_table_association": ImportId(
            f"({_ec2('subnet')}|{_ec2('igw')}|{_ec2('vgw')})/{_ec2('rtb')}"
        ),
        "aws_main_route_table_association": ImportId(NO_IMPORT),
        "aws_launch_template": ImportId(_ec2("lt")),
        "aws_volume_attachment": ImportId(
            r"[\w/]{1,64}:" + _ec2("vol") + ":" + _ec2("i"),
            "{device_name}:{volume_id}:{instance_id}",
        ),
        # Load balancing and auto scaling
        "aws_lb": ImportId(_ELB_ARN + r"loadbalancer/(app|net|gwy)/[\w\-]+/[0-9a-f]+"),
        "aws_lb_listener": ImportId(_LISTENER),
        "aws_lb_listener_certificate": ImportId(
            _LISTENER + "_" + _CERTIFICATE, "{listener_arn}_{certificate_arn}"
        ),
        "aws_lb_listener_rule": ImportId(
            _ELB_ARN + r"listener-rule/(app|net|gwy)/[\w\-]+(/[0-9a-f]+){3}"
        ),
        "aws_lb_target_group": ImportId(_ELB_ARN + r"targetgroup/[\w\-]+/[0-9a-f]+"),
        "aws_lb_target_group_attachment": ImportId(NO_IMPORT),  # provider v5 cannot import it
        "aws_elb": ImportId(r"[A-Za-z0-9\-]{1,32}", name_argument="name"),
        "aws_autoscaling_group": ImportId(r"[^:]{1,255}", name_argument="name"),
        "aws_autoscaling_policy": ImportId(_ASG_CHILD, "{autoscaling_group_name}/{name}"),
        "aws_autoscaling_schedule": ImportId(
            _ASG_CHILD, "{autoscaling_group_name}/{scheduled_action_name}"
        ),
        # S3: the bucket sub-resources are all imported by the bucket's name.
        "aws_s3_bucket": _BY_BUCKET,
        "aws_s3_bucket_accelerate_configuration": _BY_BUCKET,
        "aws_s3_bucket_acl": _BY_BUCKET,
        "aws_s3_bucket_cors_configuration": _BY_BUCKET,
        "aws_s3_bucket_lifecycle_configuration": _BY_BUCKET,
        "aws_s3_bucket_logging": _BY_BUCKET,
        "aws_s3_bucket_notification": _BY_BUCKET,
        "aws_s3_bucket_object_lock_configuration": _BY_BUCKET,
        "aws_s3_bucket_ownership_controls": _BY_BUCKET,
        "aws_s3_bucket_policy": _BY_BUCKET,
        "aws_s3_bucket_public_access_block": _BY_BUCKET,
        "aws_s3_bucket_replication_configuration": _BY_BUCKET,
        "aws_s3_bucket_request_payment_configuration": _BY_BUCKET,
        "aws_s3_bucket_server_side_encryption_configuration": _BY_BUCKET,
        "aws_s3_bucket_versioning": _BY_BUCKET,
        "aws_s3_bucket_website_configuration": _BY_BUCKET,
        # IAM
        "aws_iam_role": _by_name(_IAM_NAME),
        "aws_iam_user": _by_name(_IAM_NAME),
        "aws_iam_instance_profile": ImportId(_IAM_NAME, name_argument="name"),
        "aws_iam_policy": ImportId(_POLICY_ARN, "{arn}"),
        "aws_iam_role_policy": ImportId(_IAM_NAME + ":" + _IAM_NAME, "{role}:{name}"),
        "aws_iam_user_policy": ImportId(_IAM_NAME + ":" + _IAM_NAME, "{user}:{name}"),
        "aws_iam_role_policy_attachment": ImportId(
            _IAM_NAME + "/" + _POLICY_ARN, "{role}/{policy_arn}"
        ),
        "aws_iam_user_policy_attachment": ImportId(
            _IAM_NAME + "/" + _POLICY_ARN, "{user}/{policy_arn}"
        ),
        "aws_iam_account_password_policy": ImportId(r"iam-account-password-policy"),
        # RDS, Lambda, KMS, CloudTrail
        "aws_db_instance": _by_name(r"[A-Za-z][A-Za-z0-9\-]{0,62}", "identifier"),
        "aws_db_snapshot": ImportId(_RDS_NAME),
        "aws_db_cluster_snapshot": ImportId(_RDS_NAME),
        "aws_db_parameter_group": _by_name(_RDS_GROUP),
        "aws_rds_cluster_parameter_group": _by_name(_RDS_GROUP),
        "aws_db_subnet_group": _by_name(r"[a-z0-9][a-z0-9 ._\-]{0,254}"),
        "aws_lambda_function": _by_name(r"[A-Za-z0-9_\-]{1,64}", "function_name"),
        "aws_lambda_permission": ImportId(
            r"[A-Za-z0-9_\-:]{1,140}/[A-Za-z0-9_\-]{1,100}", "{function_name}/{statement_id}"
        ),
        # A function URL: its function's name, or NAME/QUALIFIER for an alias's URL.
        "aws_lambda_function_url": ImportId(r"[A-Za-z0-9_\-]{1,64}(/[A-Za-z0-9_$\-]{1,128})?"),
        "aws_kms_key": ImportId(
            r"(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
        ),
        "aws_kms_alias": _by_name(r"alias/[A-Za-z0-9/_\-]{1,250}"),
        "aws_cloudtrail": ImportId(r"[A-Za-z0-9._\-:/]{3,256}", name_argument="name"),
        # Containers. ECS services: ``CLUSTER/SERVICE``, which the catalog builds from the call
        # (state's id is the ARN); a task definition: its revision's ARN (the catalog takes it
        # from RegisterTaskDefinition's response; the template names the generated block).
        "aws_ecs_cluster": _by_name(_ECS_NAME),
        "aws_ecs_service": ImportId(_ECS_NAME + "/" + _ECS_NAME, "{cluster}/{name}", "name"),
        "aws_ecs_task_definition": ImportId(
            r"arn:aws[\w\-]*:ecs:[a-z0-9\-]+:\d{12}:task-definition/[A-Za-z0-9_\-]+:\d+",
            "{arn_prefix}task-definition/{family}:{revision}",
            "family",
        ),
        "aws_ecs_account_setting_default": _by_name(r"[A-Za-z][A-Za-z0-9]{2,63}"),
        "aws_ecs_cluster_capacity_providers": ImportId(_ECS_NAME, "{cluster_name}"),
        "aws_eks_cluster": _by_name(_EKS_CLUSTER),
        "aws_eks_node_group": ImportId(
            _EKS_CLUSTER + r":[0-9A-Za-z][A-Za-z0-9\-_]{0,62}", "{cluster_name}:{node_group_name}"
        ),
        "aws_eks_addon": ImportId(
            _EKS_CLUSTER + r":[a-z0-9][a-z0-9\-._]{0,99}", "{cluster_name}:{addon_name}"
        ),
        "aws_eks_access_entry": ImportId(
            _EKS_CLUSTER + ":" + _ARN, "{cluster_name}:{principal_arn}"
        ),
        "aws_eks_access_policy_association": ImportId(
            _EKS_CLUSTER + "#" + _ARN + "#" + _ARN, "{cluster_name}#{principal_arn}#{policy_arn}"
        ),
        "aws_ecr_repository": _by_name(_ECR_NAME),
        "aws_ecr_repository_policy": ImportId(_ECR_NAME, "{repository}"),
        "aws_ecr_lifecycle_policy": ImportId(_ECR_NAME, "{repository}"),
        # DNS, data, messaging, observability
        "aws_route53_record": ImportId(r"Z[A-Z0-9]{1,32}_\S*_[A-Z]{1,5}(_\S+)?"),
        "aws_route53_zone": ImportId(r"Z[A-Z0-9]{1,32}"),
        "aws_route53_zone_association": ImportId(
            r"Z[A-Z0-9]{1,32}:" + _ec2("vpc") + r"(:[a-z0-9\-]+)?", "{zone_id}:{vpc_id}"
        ),
        "aws_route53_health_check": ImportId(r"[0-9a-f\-]{36}|[\w\-]{1,64}"),
        "aws_dynamodb_table": _by_name(r"[A-Za-z0-9_.\-]{3,255}"),
        "aws_sqs_queue": ImportId(_SQS_URL),
        "aws_sqs_queue_policy": ImportId(_SQS_URL, "{queue_url}"),
        "aws_sns_topic": ImportId(_SNS_ARN),
        "aws_sns_topic_policy": ImportId(_SNS_ARN, "{arn}"),
        "aws_sns_topic_subscription": ImportId(_SNS_ARN + r":[0-9a-f\-]{36}"),
        "aws_cloudwatch_log_group": _by_name(_LOG_GROUP),
        "aws_cloudwatch_log_resource_policy": _by_name(r"[\w\-./]{1,255}", "policy_name"),
        "aws_cloudwatch_log_subscription_filter": ImportId(
            _LOG_GROUP + r"\|[^:*|]{1,512}", "{log_group_name}|{name}"
        ),
        "aws_cloudwatch_log_metric_filter": ImportId(
            _LOG_GROUP + r":[^:*]{1,512}", "{log_group_name}:{name}"
        ),
        "aws_cloudwatch_metric_alarm": _by_name(r"[^\n]{1,255}", "alarm_name"),
        "aws_cloudwatch_event_bus": _by_name(r"[\w\-./]{1,256}"),
        "aws_cloudwatch_event_permission": ImportId(r"([\w\-.]{1,256}/)?[\w\-]{1,64}"),
        "aws_cloudwatch_event_rule": ImportId(r"([\w\-.]{1,256}/)?[\w\-.]{1,64}"),
        "aws_cloudwatch_event_target": ImportId(
            r"[\w\-.]{1,256}/[\w\-.]{1,64}/[\w\-.]{1,64}", "{event_bus_name}/{rule}/{target_id}"
        ),
        # Step Functions (by ARN) and Kinesis streams (by name)
        "aws_sfn_state_machine": ImportId(_SFN_ARN + r"stateMachine:[^\s:/]{1,80}"),
        "aws_sfn_activity": ImportId(_SFN_ARN + r"activity:[^\s:/]{1,80}"),
        "aws_kinesis_stream": _by_name(r"[\w.\-]{1,128}"),
        # API Gateway, CloudFront, WAFv2, ElastiCache, ACM
        "aws_api_gateway_stage": ImportId(
            r"[a-z0-9]{10}/[\w\-]{1,128}", "{rest_api_id}/{stage_name}"
        ),
        "aws_api_gateway_method_settings": ImportId(
            r"[a-z0-9]{10}/[\w\-]{1,128}/\S{1,1024}", "{rest_api_id}/{stage_name}/{method_path}"
        ),
        "aws_apigatewayv2_stage": ImportId(r"[a-z0-9]{10}/[\w\-$]{1,128}", "{api_id}/{name}"),
        "aws_api_gateway_rest_api": ImportId(_REST_API),
        "aws_api_gateway_rest_api_policy": ImportId(_REST_API, "{rest_api_id}"),
        "aws_api_gateway_resource": ImportId(_REST_API + r"/[a-z0-9]{1,10}", "{rest_api_id}/{id}"),
        "aws_api_gateway_method": ImportId(
            _REST_API + r"/[a-z0-9]{1,10}/[A-Z]{3,7}", "{rest_api_id}/{resource_id}/{http_method}"
        ),
        "aws_api_gateway_integration": ImportId(
            _REST_API + r"/[a-z0-9]{1,10}/[A-Z]{3,7}", "{rest_api_id}/{resource_id}/{http_method}"
        ),
        "aws_api_gateway_deployment": ImportId(
            _REST_API + r"/[a-z0-9]{1,10}", "{rest_api_id}/{id}"
        ),
        "aws_apigatewayv2_api": ImportId(_V2_API),
        "aws_apigatewayv2_route": ImportId(_V2_API + r"/[a-z0-9]{1,10}", "{api_id}/{id}"),
        "aws_cloudfront_distribution": ImportId(r"E[A-Z0-9]{5,20}"),
        "aws_wafv2_ip_set": ImportId(_WAF_ID, "{id}/{name}/{scope}"),
        "aws_wafv2_web_acl": ImportId(_WAF_ID, "{id}/{name}/{scope}"),
        "aws_wafv2_web_acl_association": ImportId(
            r"arn:aws[\w\-]*:wafv2:\S+,arn:\S+", "{web_acl_arn},{resource_arn}"
        ),
        "aws_wafv2_web_acl_logging_configuration": ImportId(
            r"arn:aws[\w\-]*:wafv2:\S+", "{resource_arn}"
        ),
        "aws_elasticache_cluster": _by_name(r"[a-z][a-z0-9\-]{0,49}", "cluster_id"),
        "aws_elasticache_replication_group": _by_name(
            r"[a-z][a-z0-9\-]{0,39}", "replication_group_id"
        ),
        "aws_acm_certificate": ImportId(
            r"arn:aws[\w\-]*:acm:[a-z0-9\-]+:\d{12}:certificate/[0-9a-f\-]{36}"
        ),
        # Secrets and account guard rails
        "aws_ssm_parameter": _by_name(r"[\w.\-/]{1,2048}"),
        "aws_secretsmanager_secret": ImportId(_SM_ARN),
        "aws_secretsmanager_secret_policy": ImportId(_SM_ARN, "{secret_arn}"),
        "aws_secretsmanager_secret_rotation": ImportId(_SM_ARN, "{secret_id}"),
        "aws_secretsmanager_secret_version": ImportId(_SM_ARN + r"\|[\w\-]{32,64}"),
        "aws_guardduty_detector": ImportId(r"[0-9a-f]{32}"),
        "aws_config_configuration_recorder": ImportId(_CONFIG_NAME),
        "aws_config_configuration_recorder_status": ImportId(_CONFIG_NAME),
        "aws_config_delivery_channel": ImportId(_CONFIG_NAME),
        "aws_config_config_rule": _by_name(r"[\w\-]{1,128}"),
        "aws_securityhub_account": ImportId(r"\d{12}"),
        "aws_securityhub_standards_subscription": ImportId(r"arn:aws[\w\-]*:securityhub:\S+"),
        "aws_ebs_encryption_by_default": ImportId(r"[\w\-]{1,64}"),
        "aws_accessanalyzer_analyzer": _by_name(r"[A-Za-z][\w.\-]{0,254}", "analyzer_name"),
    }
)

# String arguments that hold a JSON document (the schema only says "string"): code writes them
# as jsonencode(...), and they compare as parsed documents (key order and spacing never count).
JSON_ARGUMENTS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "aws_iam_role": ("assume_role_policy", "inline_policy.policy"),
        "aws_iam_policy": ("policy",),
        "aws_iam_role_policy": ("policy",),
        "aws_iam_user_policy": ("policy",),
        "aws_s3_bucket": ("policy",),
        "aws_s3_bucket_policy": ("policy",),
        "aws_kms_key": ("policy",),
        "aws_vpc_endpoint": ("policy",),
        "aws_ecr_repository_policy": ("policy",),
        "aws_ecr_lifecycle_policy": ("policy",),
        "aws_ecs_task_definition": ("container_definitions",),
        "aws_secretsmanager_secret": ("policy",),
        "aws_secretsmanager_secret_policy": ("policy",),
        "aws_sqs_queue": ("policy", "redrive_allow_policy", "redrive_policy"),
        "aws_sqs_queue_policy": ("policy",),
        "aws_sns_topic": ("archive_policy", "delivery_policy", "policy"),
        "aws_sns_topic_policy": ("policy",),
        "aws_sns_topic_subscription": ("delivery_policy", "filter_policy", "redrive_policy"),
        "aws_cloudwatch_event_rule": ("event_pattern",),
        "aws_cloudwatch_event_target": ("input",),
        "aws_cloudwatch_log_resource_policy": ("policy_document",),
        "aws_sfn_state_machine": ("definition",),
    }
)

# JSON arguments (above) the provider compares as text, not as documents: an import writes
# jsonencode(...) only when its compact text is the observed text, else the exact string
# (`{"from": "hand"}` with its space plans an update against jsonencode's `{"from":"hand"}`).
JSON_AS_TEXT: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {"aws_cloudwatch_event_target": ("input",)}
)

# Optional booleans the provider defaults to true: ``false`` must be written, since leaving the
# argument out means true. (Required arguments are always written; the schema says which.)
WRITTEN_WHEN_FALSE: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "aws_instance": ("source_dest_check", "root_block_device.delete_on_termination"),
        "aws_vpc": ("enable_dns_support",),
        "aws_db_instance": ("auto_minor_version_upgrade",),
        "aws_kms_key": ("is_enabled",),
        "aws_cloudtrail": (
            "enable_logging",
            "include_global_service_events",
            "event_selector.include_management_events",
        ),
        "aws_cloudwatch_metric_alarm": ("actions_enabled",),
        "aws_eks_cluster": (
            "bootstrap_self_managed_addons",
            "vpc_config.endpoint_public_access",
            "access_config.bootstrap_cluster_creator_admin_permissions",
        ),
        "aws_ebs_encryption_by_default": ("enabled",),
        "aws_guardduty_detector": ("enable",),
        "aws_iam_account_password_policy": ("allow_users_to_change_password",),
    }
)

# Sets of blocks: the fields that make a removed item and an added one "the same block, edited"
# (a rule whose CIDR changed) rather than one deleted and one new. The schema knows no keys.
SET_IDENTITY: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = MappingProxyType(
    {
        "aws_security_group": {
            "ingress": ("from_port", "to_port", "protocol"),
            "egress": ("from_port", "to_port", "protocol"),
        },
        "aws_route_table": {
            "route": ("cidr_block", "ipv6_cidr_block", "destination_prefix_list_id")
        },
        "aws_default_route_table": {
            "route": ("cidr_block", "ipv6_cidr_block", "destination_prefix_list_id")
        },
        "aws_network_acl": {"ingress": ("rule_no",), "egress": ("rule_no",)},
        "aws_default_network_acl": {"ingress": ("rule_no",), "egress": ("rule_no",)},
        "aws_iam_role": {"inline_policy": ("name",)},
        "aws_ecs_cluster": {"setting": ("name",)},
        "aws_ecs_cluster_capacity_providers": {
            "default_capacity_provider_strategy": ("capacity_provider",)
        },
        "aws_ecs_service": {
            "capacity_provider_strategy": ("capacity_provider",),
            "load_balancer": ("target_group_arn", "elb_name"),
        },
        "aws_eks_node_group": {"taint": ("key", "effect")},
        "aws_cloudfront_distribution": {
            "origin": ("origin_id",),
            "origin_group": ("origin_id",),
        },
    }
)

# Two arguments that say the same thing and conflict in configuration (the schema's
# ``ConflictsWith``/``ExactlyOneOf`` is not in the dump; each entry was seen failing `terraform
# validate` with both set): secondary -> primary. The provider derives each from
# the other on read, so a drift names both; code sets one of them, never both. Remediation
# writes the one the code already uses, the primary when it uses neither.
ALIASES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        # is_enabled is deprecated ("Use state instead"); `terraform validate` with both set:
        # "is_enabled": conflicts with state.
        "aws_cloudwatch_event_rule": {"is_enabled": "state"},
        # A canned ACL or its grants: `acl` conflicts with `access_control_policy`.
        "aws_s3_bucket_acl": {"access_control_policy": "acl"},
        # `terraform validate` with both: "only one of `subnet_mapping,subnets` can be
        # specified"; the provider reads one subnet_mapping block per subnet.
        "aws_lb": {"subnet_mapping": "subnets"},
    }
)

# An argument AWS derives from another one, and that conflicts with it in the call the provider
# makes though not in `terraform validate`: derived -> source. An elastic IP associated with an
# instance lands on its primary interface, and AssociateAddress takes "either the instance ID
# or the network interface ID, but not both" (EC2 API reference). When a drift moves both, the
# code keeps the one it already sets, the source when it sets neither; a drift moving only the
# derived one writes it.
DERIVED: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {"aws_eip": {"network_interface": "instance"}}
)

# The request key by which a call names each argument of a DERIVED pair. A call naming only the
# derived one makes it the source: an address associated by its interface lands on that
# interface, and AWS derives `instance` from the interface's attachment (which may not be the
# instance's primary interface, where `instance` would put the address). The code then keeps
# the interface, which the provider reads back whatever moto or AWS say of the instance.
DERIVED_NAMED_BY: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {"aws_eip": {"instance": "instanceId", "network_interface": "networkInterfaceId"}}
)

# Types the provider cannot update in place (no Update operation: every argument is ForceNew,
# which the schema dump does not say). A revert of any argument plans a replacement (delete,
# then create); the oracle's revert plans show it (``replace_paths``: ``policy`` of an ECR
# lifecycle policy, ``cidr_block`` of a network ACL rule).
REPLACED_ON_CHANGE: Final = frozenset({"aws_ecr_lifecycle_policy", "aws_network_acl_rule"})

# Arguments the provider cannot change in place on types it otherwise updates (ForceNew, which
# the schema dump does not say either): a revert of one plans a replacement. The oracle's revert
# plan of a moved WAF logging destination shows it (``replace_paths``:
# ``log_destination_configs``).
FORCES_NEW: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {"aws_wafv2_web_acl_logging_configuration": ("log_destination_configs", "resource_arn")}
)
