"""What the AWS provider (5.100.0) lets a configuration set for the load balancing and compute
types the catalog covers (``aws_lb*``, ``aws_elb``, ``aws_autoscaling_*``,
``aws_launch_template``, ``aws_volume_attachment``, ``aws_iam_instance_profile``).

Arguments, computed and sensitive attributes are those ``terraform providers schema -json``
lists for hashicorp/aws 5.100.0 (required or optional = configurable; ``id`` and ``tags_all``
never written). Blocks are listed when they are flat or when a catalog row writes into them
(listener actions, rule conditions); deeper ones (mixed instances policies, predictive scaling,
instance requirements) are left out, so a patch into them is refused rather than guessed.
Import ids follow the provider's import documentation. Loaded by ``schema`` after its table.
"""

from __future__ import annotations

from types import MappingProxyType

from tfdrift_gitops.remediation.schema import ResourceSchema, _add, _block

_ELB_ARN = r"arn:aws[\w\-]*:elasticloadbalancing:[a-z0-9\-]+:\d{12}:"
_LISTENER = r"listener/(app|net|gwy)/[\w\-]+/[0-9a-f]+/[0-9a-f]+"
_CERTIFICATE = r"arn:aws[\w\-]*:(acm|iam):[\w\-]*:\d{12}:[\w+=,.@\-/]+"


_add(
    ResourceSchema(
        type="aws_lb",
        arguments=(
            "client_keep_alive",
            "customer_owned_ipv4_pool",
            "desync_mitigation_mode",
            "dns_record_client_routing_policy",
            "drop_invalid_header_fields",
            "enable_cross_zone_load_balancing",
            "enable_deletion_protection",
            "enable_http2",
            "enable_tls_version_and_cipher_suite_headers",
            "enable_waf_fail_open",
            "enable_xff_client_port",
            "enable_zonal_shift",
            "enforce_security_group_inbound_rules_on_private_link_traffic",
            "idle_timeout",
            "internal",
            "ip_address_type",
            "load_balancer_type",
            "name",
            "name_prefix",
            "preserve_host_header",
            "security_groups",
            "subnets",
            "tags",
            "xff_header_processing_mode",
        ),
        blocks=MappingProxyType(
            {
                "access_logs": _block("bucket", "enabled", "prefix"),
                "connection_logs": _block("bucket", "enabled", "prefix"),
                "ipam_pools": _block("ipv4_ipam_pool_id"),
                "minimum_load_balancer_capacity": _block("capacity_units"),
                "subnet_mapping": _block(
                    "allocation_id",
                    "ipv6_address",
                    "private_ipv4_address",
                    "subnet_id",
                    is_set=True,
                ),
            }
        ),
        computed=frozenset(
            ["tags_all", "arn", "arn_suffix", "dns_name", "id", "vpc_id", "zone_id"]
        ),
        set_fields=frozenset(["security_groups", "subnets"]),
        import_pattern=_ELB_ARN + r"loadbalancer/(app|net|gwy)/[\w\-]+/[0-9a-f]+",
    )
)

_add(
    ResourceSchema(
        type="aws_lb_listener",
        arguments=(
            "alpn_policy",
            "certificate_arn",
            "load_balancer_arn",
            "port",
            "protocol",
            "routing_http_request_x_amzn_mtls_clientcert_header_name",
            "routing_http_request_x_amzn_mtls_clientcert_issuer_header_name",
            "routing_http_request_x_amzn_mtls_clientcert_leaf_header_name",
            "routing_http_request_x_amzn_mtls_clientcert_serial_number_header_name",
            "routing_http_request_x_amzn_mtls_clientcert_subject_header_name",
            "routing_http_request_x_amzn_mtls_clientcert_validity_header_name",
            "routing_http_request_x_amzn_tls_cipher_suite_header_name",
            "routing_http_request_x_amzn_tls_version_header_name",
            "routing_http_response_access_control_allow_credentials_header_value",
            "routing_http_response_access_control_allow_headers_header_value",
            "routing_http_response_access_control_allow_methods_header_value",
            "routing_http_response_access_control_allow_origin_header_value",
            "routing_http_response_access_control_expose_headers_header_value",
            "routing_http_response_access_control_max_age_header_value",
            "routing_http_response_content_security_policy_header_value",
            "routing_http_response_server_enabled",
            "routing_http_response_strict_transport_security_header_value",
            "routing_http_response_x_content_type_options_header_value",
            "routing_http_response_x_frame_options_header_value",
            "ssl_policy",
            "tags",
            "tcp_idle_timeout_seconds",
        ),
        blocks=MappingProxyType(
            {
                "default_action": _block(
                    "order",
                    "target_group_arn",
                    "type",
                    blocks=MappingProxyType(
                        {
                            "authenticate_cognito": _block(
                                "authentication_request_extra_params",
                                "on_unauthenticated_request",
                                "scope",
                                "session_cookie_name",
                                "session_timeout",
                                "user_pool_arn",
                                "user_pool_client_id",
                                "user_pool_domain",
                            ),
                            "authenticate_oidc": _block(
                                "authentication_request_extra_params",
                                "authorization_endpoint",
                                "client_id",
                                "client_secret",
                                "issuer",
                                "on_unauthenticated_request",
                                "scope",
                                "session_cookie_name",
                                "session_timeout",
                                "token_endpoint",
                                "user_info_endpoint",
                            ),
                            "fixed_response": _block("content_type", "message_body", "status_code"),
                            "forward": _block(
                                blocks=MappingProxyType(
                                    {
                                        "stickiness": _block("duration", "enabled"),
                                        "target_group": _block("arn", "weight", is_set=True),
                                    }
                                )
                            ),
                            "redirect": _block(
                                "host", "path", "port", "protocol", "query", "status_code"
                            ),
                        }
                    ),
                ),
                "mutual_authentication": _block(
                    "advertise_trust_store_ca_names",
                    "ignore_client_certificate_expiry",
                    "mode",
                    "trust_store_arn",
                ),
            }
        ),
        computed=frozenset(["tags_all", "arn", "id"]),
        import_pattern=_ELB_ARN + _LISTENER,
    )
)

_add(
    ResourceSchema(
        type="aws_lb_listener_rule",
        arguments=("listener_arn", "priority", "tags"),
        blocks=MappingProxyType(
            {
                "action": _block(
                    "order",
                    "target_group_arn",
                    "type",
                    blocks=MappingProxyType(
                        {
                            "authenticate_cognito": _block(
                                "authentication_request_extra_params",
                                "on_unauthenticated_request",
                                "scope",
                                "session_cookie_name",
                                "session_timeout",
                                "user_pool_arn",
                                "user_pool_client_id",
                                "user_pool_domain",
                            ),
                            "authenticate_oidc": _block(
                                "authentication_request_extra_params",
                                "authorization_endpoint",
                                "client_id",
                                "client_secret",
                                "issuer",
                                "on_unauthenticated_request",
                                "scope",
                                "session_cookie_name",
                                "session_timeout",
                                "token_endpoint",
                                "user_info_endpoint",
                            ),
                            "fixed_response": _block("content_type", "message_body", "status_code"),
                            "forward": _block(
                                blocks=MappingProxyType(
                                    {
                                        "stickiness": _block("duration", "enabled"),
                                        "target_group": _block("arn", "weight", is_set=True),
                                    }
                                )
                            ),
                            "redirect": _block(
                                "host", "path", "port", "protocol", "query", "status_code"
                            ),
                        }
                    ),
                ),
                "condition": _block(
                    blocks=MappingProxyType(
                        {
                            "host_header": _block("values", set_fields=frozenset({"values"})),
                            "http_header": _block(
                                "http_header_name", "values", set_fields=frozenset({"values"})
                            ),
                            "http_request_method": _block(
                                "values", set_fields=frozenset({"values"})
                            ),
                            "path_pattern": _block("values", set_fields=frozenset({"values"})),
                            "query_string": _block("key", "value", is_set=True),
                            "source_ip": _block("values", set_fields=frozenset({"values"})),
                        }
                    ),
                    is_set=True,
                ),
            }
        ),
        computed=frozenset(["tags_all", "arn", "id"]),
        import_pattern=_ELB_ARN + r"listener-rule/(app|net|gwy)/[\w\-]+(/[0-9a-f]+){3}",
    )
)

_add(
    ResourceSchema(
        type="aws_lb_listener_certificate",
        arguments=("certificate_arn", "listener_arn"),
        computed=frozenset(["tags_all", "id"]),
        import_id="{listener_arn}_{certificate_arn}",
        import_pattern=_ELB_ARN + _LISTENER + "_" + _CERTIFICATE,
    )
)

_add(
    ResourceSchema(
        type="aws_lb_target_group",
        arguments=(
            "connection_termination",
            "deregistration_delay",
            "ip_address_type",
            "lambda_multi_value_headers_enabled",
            "load_balancing_algorithm_type",
            "load_balancing_anomaly_mitigation",
            "load_balancing_cross_zone_enabled",
            "name",
            "name_prefix",
            "port",
            "preserve_client_ip",
            "protocol",
            "protocol_version",
            "proxy_protocol_v2",
            "slow_start",
            "tags",
            "target_type",
            "vpc_id",
        ),
        blocks=MappingProxyType(
            {
                "health_check": _block(
                    "enabled",
                    "healthy_threshold",
                    "interval",
                    "matcher",
                    "path",
                    "port",
                    "protocol",
                    "timeout",
                    "unhealthy_threshold",
                ),
                "stickiness": _block("cookie_duration", "cookie_name", "enabled", "type"),
                "target_failover": _block("on_deregistration", "on_unhealthy"),
                "target_health_state": _block(
                    "enable_unhealthy_connection_termination", "unhealthy_draining_interval"
                ),
            }
        ),
        computed=frozenset(["tags_all", "arn", "arn_suffix", "id", "load_balancer_arns"]),
        import_pattern=_ELB_ARN + r"targetgroup/[\w\-]+/[0-9a-f]+",
    )
)

_add(
    ResourceSchema(
        type="aws_lb_target_group_attachment",
        arguments=("availability_zone", "port", "target_group_arn", "target_id"),
        computed=frozenset(["tags_all", "id"]),
        # Provider v5 cannot import target attachments.
        import_pattern=r"(?!)",
    )
)

_add(
    ResourceSchema(
        type="aws_elb",
        arguments=(
            "availability_zones",
            "connection_draining",
            "connection_draining_timeout",
            "cross_zone_load_balancing",
            "desync_mitigation_mode",
            "idle_timeout",
            "instances",
            "internal",
            "name",
            "name_prefix",
            "security_groups",
            "source_security_group",
            "subnets",
            "tags",
        ),
        blocks=MappingProxyType(
            {
                "access_logs": _block("bucket", "bucket_prefix", "enabled", "interval"),
                "health_check": _block(
                    "healthy_threshold", "interval", "target", "timeout", "unhealthy_threshold"
                ),
                "listener": _block(
                    "instance_port",
                    "instance_protocol",
                    "lb_port",
                    "lb_protocol",
                    "ssl_certificate_id",
                    is_set=True,
                ),
            }
        ),
        computed=frozenset(
            ["tags_all", "arn", "dns_name", "id", "source_security_group_id", "zone_id"]
        ),
        set_fields=frozenset(["availability_zones", "instances", "security_groups", "subnets"]),
        import_pattern=r"[A-Za-z0-9\-]{1,32}",
        name_argument="name",
    )
)

_add(
    ResourceSchema(
        type="aws_autoscaling_group",
        arguments=(
            "availability_zones",
            "capacity_rebalance",
            "context",
            "default_cooldown",
            "default_instance_warmup",
            "desired_capacity",
            "desired_capacity_type",
            "enabled_metrics",
            "force_delete",
            "force_delete_warm_pool",
            "health_check_grace_period",
            "health_check_type",
            "ignore_failed_scaling_activities",
            "launch_configuration",
            "load_balancers",
            "max_instance_lifetime",
            "max_size",
            "metrics_granularity",
            "min_elb_capacity",
            "min_size",
            "name",
            "name_prefix",
            "placement_group",
            "protect_from_scale_in",
            "service_linked_role_arn",
            "suspended_processes",
            "target_group_arns",
            "termination_policies",
            "vpc_zone_identifier",
            "wait_for_capacity_timeout",
            "wait_for_elb_capacity",
        ),
        blocks=MappingProxyType(
            {
                "availability_zone_distribution": _block("capacity_distribution_strategy"),
                "initial_lifecycle_hook": _block(
                    "default_result",
                    "heartbeat_timeout",
                    "lifecycle_transition",
                    "name",
                    "notification_metadata",
                    "notification_target_arn",
                    "role_arn",
                    is_set=True,
                ),
                "instance_maintenance_policy": _block(
                    "max_healthy_percentage", "min_healthy_percentage"
                ),
                "launch_template": _block("id", "name", "version"),
                "tag": _block("key", "propagate_at_launch", "value", is_set=True),
                "traffic_source": _block("identifier", "type", is_set=True),
            }
        ),
        computed=frozenset(["tags_all", "arn", "id", "predicted_capacity", "warm_pool_size"]),
        set_fields=frozenset(
            [
                "availability_zones",
                "enabled_metrics",
                "load_balancers",
                "suspended_processes",
                "target_group_arns",
                "vpc_zone_identifier",
            ]
        ),
        import_pattern=r"[^:]{1,255}",
        name_argument="name",
    )
)

_add(
    ResourceSchema(
        type="aws_autoscaling_policy",
        arguments=(
            "adjustment_type",
            "autoscaling_group_name",
            "cooldown",
            "enabled",
            "estimated_instance_warmup",
            "metric_aggregation_type",
            "min_adjustment_magnitude",
            "name",
            "policy_type",
            "scaling_adjustment",
        ),
        blocks=MappingProxyType(
            {
                "step_adjustment": _block(
                    "metric_interval_lower_bound",
                    "metric_interval_upper_bound",
                    "scaling_adjustment",
                    is_set=True,
                )
            }
        ),
        computed=frozenset(["tags_all", "arn", "id"]),
        import_id="{autoscaling_group_name}/{name}",
        import_pattern=r"[^:/]{1,255}/[^:]{1,255}",
    )
)

_add(
    ResourceSchema(
        type="aws_autoscaling_schedule",
        arguments=(
            "autoscaling_group_name",
            "desired_capacity",
            "end_time",
            "max_size",
            "min_size",
            "recurrence",
            "scheduled_action_name",
            "start_time",
            "time_zone",
        ),
        computed=frozenset(["tags_all", "arn", "id"]),
        import_id="{autoscaling_group_name}/{scheduled_action_name}",
        import_pattern=r"[^:/]{1,255}/[^:]{1,255}",
    )
)

_add(
    ResourceSchema(
        type="aws_launch_template",
        arguments=(
            "default_version",
            "description",
            "disable_api_stop",
            "disable_api_termination",
            "ebs_optimized",
            "image_id",
            "instance_initiated_shutdown_behavior",
            "instance_type",
            "kernel_id",
            "key_name",
            "name",
            "name_prefix",
            "ram_disk_id",
            "security_group_names",
            "tags",
            "update_default_version",
            "user_data",
            "vpc_security_group_ids",
        ),
        blocks=MappingProxyType(
            {
                "cpu_options": _block("amd_sev_snp", "core_count", "threads_per_core"),
                "credit_specification": _block("cpu_credits"),
                "elastic_gpu_specifications": _block("type"),
                "elastic_inference_accelerator": _block("type"),
                "enclave_options": _block("enabled"),
                "hibernation_options": _block("configured"),
                "iam_instance_profile": _block("arn", "name"),
                "license_specification": _block("license_configuration_arn", is_set=True),
                "maintenance_options": _block("auto_recovery"),
                "metadata_options": _block(
                    "http_endpoint",
                    "http_protocol_ipv6",
                    "http_put_response_hop_limit",
                    "http_tokens",
                    "instance_metadata_tags",
                ),
                "monitoring": _block("enabled"),
                "placement": _block(
                    "affinity",
                    "availability_zone",
                    "group_name",
                    "host_id",
                    "host_resource_group_arn",
                    "partition_number",
                    "spread_domain",
                    "tenancy",
                ),
                "private_dns_name_options": _block(
                    "enable_resource_name_dns_a_record",
                    "enable_resource_name_dns_aaaa_record",
                    "hostname_type",
                ),
                "tag_specifications": _block("resource_type", "tags"),
            }
        ),
        computed=frozenset(["tags_all", "arn", "id", "latest_version"]),
        set_fields=frozenset(["security_group_names", "vpc_security_group_ids"]),
        import_pattern=r"lt-[0-9a-f]{8,17}",
    )
)

_add(
    ResourceSchema(
        type="aws_volume_attachment",
        arguments=(
            "device_name",
            "force_detach",
            "instance_id",
            "skip_destroy",
            "stop_instance_before_detaching",
            "volume_id",
        ),
        computed=frozenset(["tags_all", "id"]),
        import_id="{device_name}:{volume_id}:{instance_id}",
        import_pattern=r"[\w/]{1,64}:vol-[0-9a-f]{8,17}:i-[0-9a-f]{8,17}",
    )
)

_add(
    ResourceSchema(
        type="aws_iam_instance_profile",
        arguments=("name", "name_prefix", "path", "role", "tags"),
        computed=frozenset(["tags_all", "arn", "create_date", "id", "unique_id"]),
        import_pattern=r"[\w+=,.@\-]{1,128}",
        name_argument="name",
    )
)
