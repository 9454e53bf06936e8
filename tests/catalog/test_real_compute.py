"""ELBv2, ELB classic, Auto Scaling, launch template, volume attachment and instance profile
rows against recorded CloudTrail and a provider-v5 state (``real-compute.tfstate``).

Two kinds of case:
- ``RECORDED``: published CloudTrail records (``tests/fixtures/cloudtrail/real/``, sources and
  licences in its ``SOURCES.md``), replayed through the normaliser exactly as ``detect`` does.
- ``MODELLED``: calls for which no public record under a redistributable licence was found.
  Their request shapes follow the API reference in the camelCase CloudTrail uses for these
  query APIs (as the recorded calls of the same services show), and the wrapped
  ``<Call>Request`` form of newer EC2 APIs. Each such row falls back to a resource-level drift
  when a call carries none of the fields it models, so a wrong guess of a shape shows as a
  drift without attribute changes, never as "no change".
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import (
    RECORDS,
    Estate,
    Want,
    case,
    check,
    records,
    skip,
    state_doc,
)
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.catalog.autoscaling import PROCESSES
from tfdrift_gitops.models import Kind, Severity

COMPUTE = Estate("compute")
LB = (
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/"
    "ffcddace1759e1d0"
)
LISTENER = (
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/my-load-balancer/"
    "ffcddace1759e1d0/f2f7dc8efc522ab2"
)
RULE = (
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener-rule/app/my-load-balancer/"
    "ffcddace1759e1d0/f2f7dc8efc522ab2/9683b2d02a6cabee"
)
TG = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067"
CERT = "arn:aws:acm:us-west-2:123456789012:certificate/3dcb0a41-bd72-4774-9ad9-756919c40557"
CERT2 = "arn:aws:acm:us-west-2:123456789012:certificate/5cc54884-f4a3-4072-80be-05b9ba72f705"
NEW_CERT = "arn:aws:acm:us-west-2:123456789012:certificate/0b7ec1f2-4b2e-4f49-9b1a-1d2c3e4f5a6b"
LT = "lt-0abcd290751193123"
INSTANCE = "i-0598c7d356eba48d7"
VOLUME = "vol-0e89d6e0cceb33115"
ELB = "elasticloadbalancing.amazonaws.com"
ASG = "autoscaling.amazonaws.com"
EC2 = "ec2.amazonaws.com"
IAM = "iam.amazonaws.com"
FORWARD = {
    "authenticate_cognito": [],
    "authenticate_oidc": [],
    "fixed_response": [],
    "forward": [],
    "order": 1,
    "redirect": [],
    "target_group_arn": TG,
    "type": "forward",
}

C7N_LB = (
    "arn:aws:elasticloadbalancing:us-east-1:123456789123:loadbalancer/app/test/433ae0ba96204181"
)
WITH_C7N_LB = Estate(
    "compute",
    extra=(
        (
            "aws_lb",
            "test",
            {
                "arn": C7N_LB,
                "id": C7N_LB,
                "name": "test",
                "tags": {"team": "web"},
                "tags_all": {"team": "web", "env": "prod"},
            },
        ),
    ),
)

CAPIONE = Estate(
    "compute",
    extra=(
        (
            "aws_elb",
            "capione",
            {
                "arn": "arn:aws:elasticloadbalancing:us-east-1:101010101111:"
                "loadbalancer/capione-test",
                "id": "capione-test",
                "name": "capione-test",
            },
        ),
    ),
)
WITH_POLICIES = Estate(
    "compute",
    extra=(
        (
            "aws_load_balancer_policy",
            "tls",
            {
                "id": "my-load-balancer:tls-1-2",
                "load_balancer_name": "my-load-balancer",
                "policy_attribute": [
                    {
                        "name": "Reference-Security-Policy",
                        "value": "ELBSecurityPolicy-TLS-1-2-2017-01",
                    }
                ],
                "policy_name": "tls-1-2",
                "policy_type_name": "SSLNegotiationPolicyType",
            },
        ),
        (
            "aws_load_balancer_listener_policy",
            "https",
            {
                "id": "my-load-balancer:443",
                "load_balancer_name": "my-load-balancer",
                "load_balancer_port": 443,
                "policy_names": ["tls-1-2"],
                "triggers": None,
            },
        ),
    ),
)


def action(kind: str, **fields: Any) -> dict[str, Any]:
    """An action block as the rows write it: every argument named, empty when unset."""
    block: dict[str, Any] = {
        "type": kind,
        "authenticate_cognito": [],
        "authenticate_oidc": [],
        "fixed_response": [],
        "forward": [],
        "redirect": [],
        "target_group_arn": "",
    }
    block.update(fields)
    return block


RECORDED = [
    case(
        "elbv2-delete-load-balancer",
        ["elbv2-delete-load-balancer.json"],
        COMPUTE,
        Want(Kind.DELETED, "aws_lb.web", Severity.HIGH),
    ),
    case(
        "elbv2-create-load-balancer-unmanaged",
        ["elbv2-create-load-balancer.json"],
        Estate("compute", drop=("aws_lb.web",)),
        Want(
            Kind.UNMANAGED,
            LB,
            Severity.MEDIUM,
            {
                "name": (None, "my-load-balancer"),
                "internal": (None, False),
                "load_balancer_type": (None, "application"),
                "subnets": (None, ["subnet-8360a9e7", "subnet-b7d581c0"]),
                "security_groups": (None, ["sg-5943793c"]),
            },
        ),
    ),
    case(
        # The classic record names the same "my-load-balancer": it must not land on aws_lb.
        "elb-classic-delete-is-not-an-elbv2-delete",
        ["elb-delete-load-balancer.json"],
        Estate("compute", drop=("aws_elb.legacy",)),
        skip("not_in_state"),
    ),
    case(
        "elbv2-delete-is-not-a-classic-delete",
        ["elbv2-delete-load-balancer.json"],
        Estate("compute", drop=("aws_lb.web",)),
        skip("not_in_state"),
    ),
    case(
        "elb-classic-delete-load-balancer",
        ["elb-delete-load-balancer.json"],
        COMPUTE,
        Want(Kind.DELETED, "aws_elb.legacy", Severity.HIGH),
    ),
    case(
        "elb-classic-create-load-balancer-unmanaged",
        ["elb-create-load-balancer.json"],
        Estate("compute", drop=("aws_elb.legacy",)),
        Want(
            Kind.UNMANAGED,
            "my-load-balancer",
            Severity.MEDIUM,
            {
                "name": (None, "my-load-balancer"),
                "subnets": (None, ["subnet-12345678", "subnet-76543210"]),
                "listener": (
                    None,
                    [
                        {
                            "instance_port": 80,
                            "instance_protocol": "http",
                            "lb_port": 80,
                            "lb_protocol": "http",
                            "ssl_certificate_id": "",
                        }
                    ],
                ),
            },
        ),
    ),
    case(
        "elbv2-add-tags",
        ["elbv2-add-tags.json"],
        WITH_C7N_LB,
        Want(
            Kind.MODIFIED,
            "aws_lb.test",
            Severity.LOW,
            {"tags": ({"team": "web"}, {"team": "web", "WAF": "Internal"})},
        ),
    ),
    case(
        # Made by CloudFormation with SSLv2 and SSLv3 switched on.
        "elb-classic-ssl-policy-unmanaged",
        ["elb-create-load-balancer-policy.json"],
        CAPIONE,
        Want(
            Kind.UNMANAGED,
            "capione-test:SSLNegotiationPolicy",
            Severity.CRITICAL,
            reason="accepts SSLv2, SSLv3",
        ),
    ),
    case(
        "autoscaling-update-sizes",
        ["autoscaling-update-auto-scaling-group.json"],
        COMPUTE,
        Want(
            Kind.MODIFIED,
            "aws_autoscaling_group.asg1",
            Severity.MEDIUM,
            {"min_size": (2, 1), "max_size": (4, 8)},
        ),
    ),
    case(
        "autoscaling-update-sizes-state-already-says",
        ["autoscaling-update-auto-scaling-group.json"],
        Estate("compute", patch={"aws_autoscaling_group.asg1": {"min_size": 1, "max_size": 8}}),
        skip("no_change"),
    ),
]


@pytest.mark.parametrize(("files", "estate", "want"), RECORDED)
def test_recorded(files: list[str], estate: Estate, want: Want) -> None:
    events = records(*files)
    check(run_events(estate.index(), events), len(events), want)


def test_every_fixture_of_these_services_is_replayed() -> None:
    used = {name for param in RECORDED for name in param.values[0]}
    prefixes = ("elb-", "elbv2-", "autoscaling-")
    present = {p.name for p in RECORDS.glob("*.json") if p.name.startswith(prefixes)}
    assert present - used == set()


def test_state_fixture_reads_like_terraform_state() -> None:
    index = COMPUTE.index()
    assert len(index) == len(state_doc("compute")["resources"])
    for resource in index:
        assert resource.attributes.get("id"), resource.address


def test_shared_names_have_one_row_per_api() -> None:
    catalog = Catalog.default()
    shared = (
        "CreateLoadBalancer",
        "DeleteLoadBalancer",
        "ModifyLoadBalancerAttributes",
        "AddTags",
        "RemoveTags",
    )
    for name in shared:
        rows = [r for r in catalog if r.event == name and r.source == ELB]
        assert sorted(r.discriminator for r in rows) == [
            "ELB classic (API 2012-06-01)",
            "ELBv2 (API 2015-12-01)",
        ]
        assert catalog.shared(name, ELB)


# --------------------------------------------------------------------------- modelled calls


def modelled(name: str, source: str, request: dict[str, Any], response: Any = None) -> Any:
    base = records("elbv2-delete-load-balancer.json")[0]
    return replace(
        base, name=name, source=source, request=request, response=response, id=f"m-{name}"
    )


def _attrs(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {"attributes": [{"key": k, "value": v} for k, v in pairs]}


def _mapping(subnet: str) -> dict[str, str]:
    return {
        "allocation_id": "",
        "ipv6_address": "",
        "outpost_id": "",
        "private_ipv4_address": "",
        "subnet_id": subnet,
    }


def m(
    case_id: str,
    name: str,
    source: str,
    request: dict[str, Any],
    want: Want,
    response: Any = None,
    estate: Estate = COMPUTE,
) -> Any:
    return pytest.param(name, source, request, response, estate, want, id=case_id)


NEW_LISTENER = LISTENER.replace("f2f7dc8efc522ab2", "0467ef3c8400ae65")
NEW_RULE = RULE.replace("9683b2d02a6cabee", "1f0e7b2c3d4a5b6c")
NEW_TG = TG.replace("my-targets/73e2d6bc24d8a067", "canary/0f1e2d3c4b5a6978")
CLASSIC_80 = {
    "instance_port": 80,
    "instance_protocol": "http",
    "lb_port": 80,
    "lb_protocol": "http",
    "ssl_certificate_id": "",
}
WITH_SCHEDULE = Estate(
    "compute",
    extra=(
        (
            "aws_autoscaling_schedule",
            "night",
            {
                "arn": "arn:aws:autoscaling:us-west-2:123456789012:scheduledUpdateGroupAction:"
                "0a1b2c3d-0000-4000-8000-000000000003:autoScalingGroupName/asg1:"
                "scheduledActionName/night",
                "autoscaling_group_name": "asg1",
                "desired_capacity": 0,
                "end_time": "",
                "id": "night",
                "max_size": 0,
                "min_size": 0,
                "recurrence": "0 20 * * *",
                "scheduled_action_name": "night",
                "start_time": "2026-11-21T20:00:00Z",
                "time_zone": "Etc/UTC",
            },
        ),
    ),
)


MODELLED = [
    m(
        "lb-deletion-protection-off",
        "ModifyLoadBalancerAttributes",
        ELB,
        {"loadBalancerArn": LB, **_attrs(("deletion_protection.enabled", "false"))},
        Want(
            Kind.MODIFIED,
            "aws_lb.web",
            Severity.HIGH,
            {"enable_deletion_protection": (True, False)},
            reason="deletion protection turned off",
        ),
    ),
    m(
        "lb-access-logs-off",
        "ModifyLoadBalancerAttributes",
        ELB,
        {"loadBalancerArn": LB, **_attrs(("access_logs.s3.enabled", "false"))},
        Want(
            Kind.MODIFIED,
            "aws_lb.web",
            Severity.HIGH,
            {"access_logs[0].enabled": (True, False)},
            reason="access logs turned off",
        ),
    ),
    m(
        "lb-idle-timeout-as-state-says",
        "ModifyLoadBalancerAttributes",
        ELB,
        {"loadBalancerArn": LB, **_attrs(("idle_timeout.timeout_seconds", "60"))},
        skip("no_change"),
    ),
    m(
        "lb-attribute-not-modelled-is-resource-level",
        "ModifyLoadBalancerAttributes",
        ELB,
        {"loadBalancerArn": LB, **_attrs(("health_check_logs.s3.enabled", "true"))},
        Want(Kind.MODIFIED, "aws_lb.web", Severity.MEDIUM, {}),
    ),
    m(
        "lb-security-groups",
        "SetSecurityGroups",
        ELB,
        {"loadBalancerArn": LB, "securityGroups": ["sg-5943793c", "sg-0badc0de"]},
        Want(
            Kind.MODIFIED,
            "aws_lb.web",
            Severity.HIGH,
            {"security_groups": (["sg-5943793c"], ["sg-5943793c", "sg-0badc0de"])},
        ),
    ),
    m(
        "listener-downgraded-to-http",
        "ModifyListener",
        ELB,
        {"listenerArn": LISTENER, "port": 80, "protocol": "HTTP"},
        Want(
            Kind.MODIFIED,
            "aws_lb_listener.https",
            Severity.CRITICAL,
            {
                "port": (443, 80),
                "protocol": ("HTTPS", "HTTP"),
                "ssl_policy": ("ELBSecurityPolicy-TLS13-1-2-2021-06", ""),
                "certificate_arn": (CERT, ""),
            },
            reason="plaintext HTTP",
        ),
    ),
    m(
        "listener-weaker-tls-policy",
        "ModifyListener",
        ELB,
        {"listenerArn": LISTENER, "sslPolicy": "ELBSecurityPolicy-2016-08"},
        Want(
            Kind.MODIFIED,
            "aws_lb_listener.https",
            Severity.HIGH,
            {"ssl_policy": ("ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-2016-08")},
            reason="TLS 1.0/1.1",
        ),
    ),
    m(
        "listener-forward-config-to-the-same-group",
        "ModifyListener",
        ELB,
        {
            "listenerArn": LISTENER,
            "defaultActions": [
                {
                    "type": "forward",
                    "forwardConfig": {"targetGroups": [{"targetGroupArn": TG, "weight": 1}]},
                }
            ],
        },
        skip("no_change"),
    ),
    m(
        "listener-default-action-fixed-response",
        "ModifyListener",
        ELB,
        {
            "listenerArn": LISTENER,
            "defaultActions": [
                {
                    "type": "fixed-response",
                    "fixedResponseConfig": {"statusCode": "503", "contentType": "text/plain"},
                }
            ],
        },
        Want(
            Kind.MODIFIED,
            "aws_lb_listener.https",
            Severity.MEDIUM,
            {
                "default_action": (
                    [FORWARD],
                    [
                        action(
                            "fixed-response",
                            fixed_response=[{"content_type": "text/plain", "status_code": "503"}],
                        )
                    ],
                )
            },
        ),
    ),
    m(
        "rule-priorities",
        "SetRulePriorities",
        ELB,
        {"rulePriorities": [{"ruleArn": RULE, "priority": 5}]},
        Want(Kind.MODIFIED, "aws_lb_listener_rule.api", Severity.MEDIUM, {"priority": (10, 5)}),
    ),
    m(
        "rule-same-condition",
        "ModifyRule",
        ELB,
        {
            "ruleArn": RULE,
            "conditions": [{"field": "path-pattern", "pathPatternConfig": {"values": ["/api/*"]}}],
        },
        skip("no_change"),
    ),
    m(
        "rule-condition-changed",
        "ModifyRule",
        ELB,
        {"ruleArn": RULE, "conditions": [{"field": "path-pattern", "values": ["/admin/*"]}]},
        Want(
            Kind.MODIFIED,
            "aws_lb_listener_rule.api",
            Severity.MEDIUM,
            {
                "condition": (
                    [
                        {
                            "host_header": [],
                            "http_header": [],
                            "http_request_method": [],
                            "path_pattern": [{"values": ["/api/*"]}],
                            "query_string": [],
                            "source_ip": [],
                        }
                    ],
                    [{"path_pattern": [{"values": ["/admin/*"]}]}],
                )
            },
        ),
    ),
    m(
        "rule-deleted",
        "DeleteRule",
        ELB,
        {"ruleArn": RULE},
        Want(Kind.DELETED, "aws_lb_listener_rule.api", Severity.MEDIUM),
    ),
    m(
        "listener-certificate-added",
        "AddListenerCertificates",
        ELB,
        {"listenerArn": LISTENER, "certificates": [{"certificateArn": NEW_CERT}]},
        Want(
            Kind.UNMANAGED,
            f"{LISTENER}_{NEW_CERT}",
            Severity.MEDIUM,
            {"listener_arn": (None, LISTENER), "certificate_arn": (None, NEW_CERT)},
        ),
    ),
    m(
        "listener-certificate-removed",
        "RemoveListenerCertificates",
        ELB,
        {"listenerArn": LISTENER, "certificates": [{"certificateArn": CERT2}]},
        Want(Kind.DELETED, "aws_lb_listener_certificate.extra", Severity.MEDIUM),
    ),
    m(
        "target-group-health-check-path",
        "ModifyTargetGroup",
        ELB,
        {"targetGroupArn": TG, "healthCheckPath": "/", "healthCheckIntervalSeconds": 30},
        Want(
            Kind.MODIFIED,
            "aws_lb_target_group.app",
            Severity.MEDIUM,
            {"health_check[0].path": ("/health", "/")},
        ),
    ),
    m(
        "target-group-deregistration-delay",
        "ModifyTargetGroupAttributes",
        ELB,
        {"targetGroupArn": TG, **_attrs(("deregistration_delay.timeout_seconds", "30"))},
        Want(
            Kind.MODIFIED,
            "aws_lb_target_group.app",
            Severity.MEDIUM,
            {"deregistration_delay": ("300", "30")},
        ),
    ),
    m(
        "target-deregistered",
        "DeregisterTargets",
        ELB,
        {"targetGroupArn": TG, "targets": [{"id": INSTANCE, "port": 80}]},
        Want(Kind.DELETED, "aws_lb_target_group_attachment.web", Severity.MEDIUM),
    ),
    m(
        "target-registered-unmanaged",
        "RegisterTargets",
        ELB,
        {"targetGroupArn": TG, "targets": [{"id": "i-0ffeeba5e1234abcd", "port": 8080}]},
        Want(
            Kind.UNMANAGED,
            f"{TG}/i-0ffeeba5e1234abcd",
            Severity.LOW,
            {
                "target_group_arn": (None, TG),
                "target_id": (None, "i-0ffeeba5e1234abcd"),
                "port": (None, 8080),
            },
        ),
    ),
    m(
        "classic-health-check",
        "ConfigureHealthCheck",
        ELB,
        {
            "loadBalancerName": "my-load-balancer",
            "healthCheck": {
                "target": "HTTP:80/png",
                "interval": 30,
                "timeout": 3,
                "unhealthyThreshold": 2,
                "healthyThreshold": 2,
            },
        },
        Want(
            Kind.MODIFIED,
            "aws_elb.legacy",
            Severity.MEDIUM,
            {
                "health_check": (
                    [
                        {
                            "healthy_threshold": 10,
                            "interval": 30,
                            "target": "TCP:80",
                            "timeout": 5,
                            "unhealthy_threshold": 2,
                        }
                    ],
                    [
                        {
                            "healthy_threshold": 2,
                            "interval": 30,
                            "target": "HTTP:80/png",
                            "timeout": 3,
                            "unhealthy_threshold": 2,
                        }
                    ],
                )
            },
        ),
    ),
    m(
        "classic-access-logs-off-when-none-configured",
        "ModifyLoadBalancerAttributes",
        ELB,
        {
            "loadBalancerName": "my-load-balancer",
            "loadBalancerAttributes": {"accessLog": {"enabled": False}},
        },
        skip("no_change"),
    ),
    m(
        "classic-cross-zone-off",
        "ModifyLoadBalancerAttributes",
        ELB,
        {
            "loadBalancerName": "my-load-balancer",
            "loadBalancerAttributes": {"crossZoneLoadBalancing": {"enabled": False}},
        },
        Want(
            Kind.MODIFIED,
            "aws_elb.legacy",
            Severity.MEDIUM,
            {"cross_zone_load_balancing": (True, False)},
        ),
    ),
    m(
        "asg-suspend-all-processes",
        "SuspendProcesses",
        ASG,
        {"autoScalingGroupName": "asg1"},
        Want(
            Kind.MODIFIED,
            "aws_autoscaling_group.asg1",
            Severity.HIGH,
            {"suspended_processes": (None, list(PROCESSES))},
        ),
    ),
    m(
        "asg-resume-launch",
        "ResumeProcesses",
        ASG,
        {"autoScalingGroupName": "asg1", "scalingProcesses": ["Launch"]},
        Want(
            Kind.MODIFIED,
            "aws_autoscaling_group.asg1",
            Severity.LOW,
            {"suspended_processes": (["Launch", "Terminate"], ["Terminate"])},
        ),
        estate=Estate(
            "compute",
            patch={"aws_autoscaling_group.asg1": {"suspended_processes": ["Launch", "Terminate"]}},
        ),
    ),
    m(
        # AWS raises the desired capacity to a new minimum above it (the oracle showed it).
        "asg-min-above-desired-raises-desired",
        "UpdateAutoScalingGroup",
        ASG,
        {"autoScalingGroupName": "asg1", "minSize": 3},
        Want(
            Kind.MODIFIED,
            "aws_autoscaling_group.asg1",
            Severity.MEDIUM,
            {"min_size": (2, 3), "desired_capacity": (2, 3)},
        ),
    ),
    m(
        "asg-launch-template-version",
        "UpdateAutoScalingGroup",
        ASG,
        {
            "autoScalingGroupName": "asg1",
            "launchTemplate": {"launchTemplateId": LT, "version": "3"},
        },
        Want(
            Kind.MODIFIED,
            "aws_autoscaling_group.asg1",
            Severity.MEDIUM,
            {"launch_template[0].version": ("$Latest", "3")},
        ),
    ),
    m(
        "asg-subnets-as-state-says",
        "UpdateAutoScalingGroup",
        ASG,
        {"autoScalingGroupName": "asg1", "vPCZoneIdentifier": "subnet-b7d581c0,subnet-8360a9e7"},
        skip("no_change"),
    ),
    m(
        "asg-policy-adjustment",
        "PutScalingPolicy",
        ASG,
        {"autoScalingGroupName": "asg1", "policyName": "scale-out", "scalingAdjustment": 3},
        Want(
            Kind.MODIFIED,
            "aws_autoscaling_policy.scale_out",
            Severity.MEDIUM,
            {"scaling_adjustment": (1, 3)},
        ),
    ),
    m(
        "asg-policy-deleted-by-arn",
        "DeletePolicy",
        ASG,
        {
            "policyName": "arn:aws:autoscaling:us-west-2:123456789012:scalingPolicy:"
            "4f7d4a7e-0000-4000-8000-000000000002:autoScalingGroupName/asg1:policyName/scale-out"
        },
        Want(Kind.DELETED, "aws_autoscaling_policy.scale_out", Severity.MEDIUM),
    ),
    m(
        "launch-template-version-new-ami",
        "CreateLaunchTemplateVersion",
        EC2,
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": LT,
                "SourceVersion": "1",
                "LaunchTemplateData": {"ImageId": "ami-0fedcba9876543210"},
            }
        },
        Want(
            Kind.MODIFIED,
            "aws_launch_template.web",
            Severity.MEDIUM,
            {"image_id": ("ami-0123456789abcdef0", "ami-0fedcba9876543210")},
        ),
    ),
    m(
        # Wrapped EC2 requests list ids as XML-style items ({"content": ..., "tag": n}).
        "launch-template-version-groups-and-hidden-user-data",
        "CreateLaunchTemplateVersion",
        EC2,
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": LT,
                "SourceVersion": "1",
                "LaunchTemplateData": {
                    "SecurityGroupId": [
                        {"content": "sg-5943793c", "tag": 1},
                        {"content": "sg-0badc0de", "tag": 2},
                    ],
                    "UserData": "<sensitiveDataRemoved>",
                },
            }
        },
        Want(
            Kind.MODIFIED,
            "aws_launch_template.web",
            Severity.MEDIUM,
            {
                "vpc_security_group_ids": (["sg-5943793c"], ["sg-5943793c", "sg-0badc0de"]),
                "user_data": ("", "(hidden by CloudTrail)"),
            },
        ),
    ),
    m(
        "launch-template-default-version",
        "ModifyLaunchTemplate",
        EC2,
        {"ModifyLaunchTemplateRequest": {"LaunchTemplateId": LT, "SetDefaultVersion": "2"}},
        Want(
            Kind.MODIFIED, "aws_launch_template.web", Severity.MEDIUM, {"default_version": (1, 2)}
        ),
    ),
    m(
        "volume-detached",
        "DetachVolume",
        EC2,
        {"volumeId": VOLUME},
        Want(Kind.DELETED, "aws_volume_attachment.data", Severity.MEDIUM),
        response={"volumeId": VOLUME, "instanceId": INSTANCE, "device": "/dev/sdf"},
    ),
    m(
        "volume-attached-unmanaged",
        "AttachVolume",
        EC2,
        {
            "volumeId": VOLUME,
            "instanceId": INSTANCE,
            "device": "/dev/sdf",
        },
        Want(
            Kind.UNMANAGED,
            VOLUME,
            Severity.MEDIUM,
            {
                "device_name": (None, "/dev/sdf"),
                "volume_id": (None, VOLUME),
                "instance_id": (None, INSTANCE),
            },
        ),
        response={"volumeId": VOLUME, "instanceId": INSTANCE, "status": "attaching"},
        estate=Estate("compute", drop=("aws_volume_attachment.data",)),
    ),
    m(
        "instance-profile-associated",
        "AssociateIamInstanceProfile",
        EC2,
        {
            "AssociateIamInstanceProfileRequest": {
                "IamInstanceProfile": {"Name": "admin"},
                "InstanceId": INSTANCE,
            }
        },
        Want(
            Kind.MODIFIED,
            "aws_instance.web",
            Severity.HIGH,
            {"iam_instance_profile": ("web", "admin")},
        ),
    ),
    m(
        "instance-profile-disassociated-id-from-response",
        "DisassociateIamInstanceProfile",
        EC2,
        {"DisassociateIamInstanceProfileRequest": {"AssociationId": "iip-assoc-0e7736511a163c209"}},
        Want(
            Kind.MODIFIED,
            "aws_instance.web",
            Severity.MEDIUM,
            {"iam_instance_profile": ("web", "")},
        ),
        response={
            "iamInstanceProfileAssociation": {
                "associationId": "iip-assoc-0e7736511a163c209",
                "instanceId": INSTANCE,
                "state": "disassociating",
            }
        },
    ),
    m(
        "profile-role-added",
        "AddRoleToInstanceProfile",
        IAM,
        {"instanceProfileName": "web", "roleName": "AdministratorAccess"},
        Want(
            Kind.MODIFIED,
            "aws_iam_instance_profile.web",
            Severity.HIGH,
            {"role": ("web", "AdministratorAccess")},
        ),
    ),
    m(
        "profile-role-removed",
        "RemoveRoleFromInstanceProfile",
        IAM,
        {"instanceProfileName": "web", "roleName": "web"},
        Want(Kind.MODIFIED, "aws_iam_instance_profile.web", Severity.MEDIUM, {"role": ("web", "")}),
    ),
    m(
        "tags-removed-from-a-listener",
        "RemoveTags",
        ELB,
        {"resourceArns": [LISTENER], "tagKeys": ["team"]},
        Want(Kind.MODIFIED, "aws_lb_listener.https", Severity.LOW, {"tags": ({"team": "web"}, {})}),
        estate=Estate("compute", patch={"aws_lb_listener.https": {"tags": {"team": "web"}}}),
    ),
    m(
        "classic-tags-added",
        "AddTags",
        ELB,
        {"loadBalancerNames": ["my-load-balancer"], "tags": [{"key": "owner", "value": "ops"}]},
        Want(Kind.MODIFIED, "aws_elb.legacy", Severity.LOW, {"tags": ({}, {"owner": "ops"})}),
    ),
    m(
        "classic-tags-removed",
        "RemoveTags",
        ELB,
        {"loadBalancerNames": ["my-load-balancer"], "tags": [{"key": "owner"}]},
        Want(Kind.MODIFIED, "aws_elb.legacy", Severity.LOW, {"tags": ({"owner": "ops"}, {})}),
        estate=Estate("compute", patch={"aws_elb.legacy": {"tags": {"owner": "ops"}}}),
    ),
    m(
        "default-tag-written-with-its-default-value",
        "AddTags",
        ELB,
        {"resourceArns": [LB], "tags": [{"key": "env", "value": "prod"}]},
        skip("no_change"),
        estate=Estate("compute", patch={"aws_lb.web": {"tags_all": {"env": "prod"}}}),
    ),
    m(
        "classic-policy-deleted",
        "DeleteLoadBalancerPolicy",
        ELB,
        {"loadBalancerName": "my-load-balancer", "policyName": "tls-1-2"},
        Want(Kind.DELETED, "aws_load_balancer_policy.tls", Severity.MEDIUM),
        estate=WITH_POLICIES,
    ),
    m(
        "classic-listener-policies-replaced",
        "SetLoadBalancerPoliciesOfListener",
        ELB,
        {"loadBalancerName": "my-load-balancer", "loadBalancerPort": 443, "policyNames": []},
        Want(
            Kind.MODIFIED,
            "aws_load_balancer_listener_policy.https",
            Severity.HIGH,
            {"policy_names": (["tls-1-2"], [])},
        ),
        estate=WITH_POLICIES,
    ),
    m(
        "asg-tag-added-to-two-groups-one-in-state",
        "CreateOrUpdateTags",
        ASG,
        {
            "tags": [
                {
                    "resourceId": "asg1",
                    "resourceType": "auto-scaling-group",
                    "key": "team",
                    "value": "data",
                    "propagateAtLaunch": True,
                },
                {"resourceId": "other", "key": "team", "value": "x"},
            ]
        },
        Want(
            Kind.MODIFIED,
            "aws_autoscaling_group.asg1",
            Severity.LOW,
            {"tag": ([], [{"key": "team", "value": "data", "propagate_at_launch": True}])},
        ),
    ),
    m(
        "asg-tag-as-state-says",
        "CreateOrUpdateTags",
        ASG,
        {
            "tags": [
                {
                    "resourceId": "asg1",
                    "resourceType": "auto-scaling-group",
                    "key": "team",
                    "value": "data",
                    "propagateAtLaunch": "true",
                }
            ]
        },
        skip("no_change"),
        estate=Estate(
            "compute",
            patch={
                "aws_autoscaling_group.asg1": {
                    "tag": [{"key": "team", "value": "data", "propagate_at_launch": True}]
                }
            },
        ),
    ),
    m(
        "asg-tag-deleted",
        "DeleteTags",
        ASG,
        {"tags": [{"resourceId": "asg1", "resourceType": "auto-scaling-group", "key": "team"}]},
        Want(
            Kind.MODIFIED,
            "aws_autoscaling_group.asg1",
            Severity.LOW,
            {"tag": ([{"key": "team", "value": "data", "propagate_at_launch": True}], [])},
        ),
        estate=Estate(
            "compute",
            patch={
                "aws_autoscaling_group.asg1": {
                    "tag": [{"key": "team", "value": "data", "propagate_at_launch": True}]
                }
            },
        ),
    ),
    m(
        # The console's "Edit attributes" page sends every attribute, changed or not.
        "lb-console-resubmits-every-attribute-as-state-says",
        "ModifyLoadBalancerAttributes",
        ELB,
        {
            "loadBalancerArn": LB,
            **_attrs(
                ("deletion_protection.enabled", "true"),
                ("access_logs.s3.enabled", "true"),
                ("access_logs.s3.bucket", "my-alb-logs"),
                ("access_logs.s3.prefix", "web"),
                ("connection_logs.s3.enabled", "false"),
                ("connection_logs.s3.bucket", ""),
                ("connection_logs.s3.prefix", ""),
                ("health_check_logs.s3.enabled", "false"),
                ("idle_timeout.timeout_seconds", "60"),
                ("client_keep_alive.seconds", "3600"),
                ("routing.http.desync_mitigation_mode", "defensive"),
                ("routing.http.drop_invalid_header_fields.enabled", "true"),
                ("routing.http.preserve_host_header.enabled", "false"),
                ("routing.http.x_amzn_tls_version_and_cipher_suite.enabled", "false"),
                ("routing.http.xff_client_port.enabled", "false"),
                ("routing.http.xff_header_processing.mode", "append"),
                ("routing.http2.enabled", "true"),
                ("waf.fail_open.enabled", "false"),
                ("zonal_shift.config.enabled", "false"),
                ("load_balancing.cross_zone.enabled", "true"),
            ),
        },
        skip("no_change"),
    ),
    m(
        "target-group-console-resubmits-every-attribute-as-state-says",
        "ModifyTargetGroupAttributes",
        ELB,
        {
            "targetGroupArn": TG,
            **_attrs(
                ("deregistration_delay.timeout_seconds", "300"),
                ("stickiness.enabled", "false"),
                ("stickiness.type", "lb_cookie"),
                ("stickiness.lb_cookie.duration_seconds", "86400"),
                ("stickiness.app_cookie.duration_seconds", "86400"),
                ("slow_start.duration_seconds", "0"),
                ("load_balancing.algorithm.type", "round_robin"),
                ("load_balancing.algorithm.anomaly_mitigation", "off"),
                ("load_balancing.cross_zone.enabled", "use_load_balancer_configuration"),
                ("target_group_health.dns_failover.minimum_healthy_targets.count", "off"),
            ),
        },
        skip("no_change"),
    ),
    m(
        "listener-console-resubmits-everything-as-state-says",
        "ModifyListener",
        ELB,
        {
            "listenerArn": LISTENER,
            "port": 443,
            "protocol": "HTTPS",
            "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "certificates": [{"certificateArn": CERT}],
            "defaultActions": [
                {
                    "type": "forward",
                    "forwardConfig": {
                        "targetGroups": [{"targetGroupArn": TG, "weight": 1}],
                        "targetGroupStickinessConfig": {"enabled": False},
                    },
                }
            ],
            "mutualAuthentication": {"mode": "off"},
        },
        skip("no_change"),
    ),
    m(
        "asg-console-resubmits-everything-as-state-says",
        "UpdateAutoScalingGroup",
        ASG,
        {
            "autoScalingGroupName": "asg1",
            "launchTemplate": {"launchTemplateId": LT, "version": "$Latest"},
            "minSize": 2,
            "maxSize": 4,
            "desiredCapacity": 2,
            "vPCZoneIdentifier": "subnet-8360a9e7,subnet-b7d581c0",
            "healthCheckType": "ELB",
            "healthCheckGracePeriod": 300,
            "defaultCooldown": 300,
            "terminationPolicies": ["Default"],
            "capacityRebalance": False,
            "newInstancesProtectedFromScaleIn": False,
            "maxInstanceLifetime": 0,
        },
        skip("no_change"),
    ),
    m(
        "asg-termination-policy-changed",
        "UpdateAutoScalingGroup",
        ASG,
        {"autoScalingGroupName": "asg1", "terminationPolicies": ["OldestInstance"]},
        Want(
            Kind.MODIFIED,
            "aws_autoscaling_group.asg1",
            Severity.MEDIUM,
            {"termination_policies": (None, ["OldestInstance"])},
        ),
    ),
    m(
        "classic-console-resubmits-every-attribute-as-state-says",
        "ModifyLoadBalancerAttributes",
        ELB,
        {
            "loadBalancerName": "my-load-balancer",
            "loadBalancerAttributes": {
                "crossZoneLoadBalancing": {"enabled": True},
                "accessLog": {"enabled": False},
                "connectionDraining": {"enabled": False, "timeout": 300},
                "connectionSettings": {"idleTimeout": 60},
                "additionalAttributes": [
                    {"key": "elb.http.desyncmitigationmode", "value": "defensive"}
                ],
            },
        },
        skip("no_change"),
    ),
    m(
        "classic-desync-mitigation-monitor",
        "ModifyLoadBalancerAttributes",
        ELB,
        {
            "loadBalancerName": "my-load-balancer",
            "loadBalancerAttributes": {
                "additionalAttributes": [
                    {"key": "elb.http.desyncmitigationmode", "value": "monitor"}
                ]
            },
        },
        Want(
            Kind.MODIFIED,
            "aws_elb.legacy",
            Severity.MEDIUM,
            {"desync_mitigation_mode": ("defensive", "monitor")},
        ),
    ),
    m(
        "lb-subnets",
        "SetSubnets",
        ELB,
        {"loadBalancerArn": LB, "subnetMappings": [{"subnetId": "subnet-8360a9e7"}]},
        Want(
            Kind.MODIFIED,
            "aws_lb.web",
            Severity.MEDIUM,
            {
                "subnets": (["subnet-8360a9e7", "subnet-b7d581c0"], ["subnet-8360a9e7"]),
                # The provider reads one block per subnet (Terraform's drift shows both).
                "subnet_mapping": (
                    [_mapping("subnet-8360a9e7"), _mapping("subnet-b7d581c0")],
                    [_mapping("subnet-8360a9e7")],
                ),
            },
        ),
    ),
    m(
        "lb-ip-address-type",
        "SetIpAddressType",
        ELB,
        {"loadBalancerArn": LB, "ipAddressType": "dualstack"},
        Want(
            Kind.MODIFIED, "aws_lb.web", Severity.MEDIUM, {"ip_address_type": ("ipv4", "dualstack")}
        ),
    ),
    m(
        "listener-created-with-weak-tls-unmanaged",
        "CreateListener",
        ELB,
        {
            "loadBalancerArn": LB,
            "port": 8443,
            "protocol": "HTTPS",
            "sslPolicy": "ELBSecurityPolicy-TLS-1-0-2015-04",
            "certificates": [{"certificateArn": CERT}],
            "defaultActions": [{"type": "forward", "targetGroupArn": TG}],
        },
        Want(
            Kind.UNMANAGED,
            NEW_LISTENER,
            Severity.HIGH,
            {
                "load_balancer_arn": (None, LB),
                "port": (None, 8443),
                "protocol": (None, "HTTPS"),
                "ssl_policy": (None, "ELBSecurityPolicy-TLS-1-0-2015-04"),
                "certificate_arn": (None, CERT),
                "default_action": (None, [action("forward", target_group_arn=TG)]),
            },
            reason="TLS 1.0/1.1",
        ),
        response={"listeners": [{"listenerArn": NEW_LISTENER, "port": 8443}]},
    ),
    m(
        "listener-created-with-tags",  # an import block without them plans their change
        "CreateListener",
        ELB,
        {
            "loadBalancerArn": LB,
            "port": 8443,
            "protocol": "HTTPS",
            "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "certificates": [{"certificateArn": CERT}],
            "defaultActions": [{"type": "forward", "targetGroupArn": TG}],
            "tags": [{"key": "team", "value": "ops"}],
        },
        Want(
            Kind.UNMANAGED,
            NEW_LISTENER,
            Severity.MEDIUM,
            {
                "load_balancer_arn": (None, LB),
                "port": (None, 8443),
                "protocol": (None, "HTTPS"),
                "ssl_policy": (None, "ELBSecurityPolicy-TLS13-1-2-2021-06"),
                "certificate_arn": (None, CERT),
                "default_action": (None, [action("forward", target_group_arn=TG)]),
                "tags": (None, {"team": "ops"}),
            },
        ),
        response={"listeners": [{"listenerArn": NEW_LISTENER, "port": 8443}]},
    ),
    m(
        "listener-deleted",
        "DeleteListener",
        ELB,
        {"listenerArn": LISTENER},
        Want(Kind.DELETED, "aws_lb_listener.https", Severity.HIGH),
    ),
    m(
        "rule-created-unmanaged",
        "CreateRule",
        ELB,
        {
            "listenerArn": LISTENER,
            "priority": 20,
            "conditions": [{"field": "host-header", "hostHeaderConfig": {"values": ["a.example"]}}],
            "actions": [
                {
                    "type": "redirect",
                    "redirectConfig": {
                        "protocol": "HTTPS",
                        "port": "443",
                        "statusCode": "HTTP_301",
                    },
                }
            ],
        },
        Want(
            Kind.UNMANAGED,
            NEW_RULE,
            Severity.MEDIUM,
            {
                "listener_arn": (None, LISTENER),
                "priority": (None, 20),
                "condition": (None, [{"host_header": [{"values": ["a.example"]}]}]),
                "action": (
                    None,
                    [
                        action(
                            "redirect",
                            redirect=[
                                {
                                    "host": "#{host}",
                                    "path": "/#{path}",
                                    "port": "443",
                                    "protocol": "HTTPS",
                                    "query": "#{query}",
                                    "status_code": "HTTP_301",
                                }
                            ],
                        )
                    ],
                ),
            },
        ),
        response={"rules": [{"ruleArn": NEW_RULE}]},
    ),
    m(
        "target-group-created-unmanaged",
        "CreateTargetGroup",
        ELB,
        {
            "name": "canary",
            "protocol": "HTTP",
            "port": 8080,
            "vpcId": "vpc-3ac0fb5f",
            "healthCheckPath": "/ping",
            "healthCheckIntervalSeconds": 10,
        },
        Want(
            Kind.UNMANAGED,
            NEW_TG,
            Severity.LOW,
            {
                "name": (None, "canary"),
                "protocol": (None, "HTTP"),
                "port": (None, 8080),
                "vpc_id": (None, "vpc-3ac0fb5f"),
                "health_check": (None, [{"interval": 10, "path": "/ping"}]),
            },
        ),
        response={"targetGroups": [{"targetGroupArn": NEW_TG, "targetGroupName": "canary"}]},
    ),
    m(
        "target-group-deleted",
        "DeleteTargetGroup",
        ELB,
        {"targetGroupArn": TG},
        Want(Kind.DELETED, "aws_lb_target_group.app", Severity.HIGH),
    ),
    m(
        "classic-listener-added-plaintext-443",
        "CreateLoadBalancerListeners",
        ELB,
        {
            "loadBalancerName": "my-load-balancer",
            "listeners": [
                {"protocol": "HTTP", "loadBalancerPort": 443, "instancePort": 80},
            ],
        },
        Want(
            Kind.MODIFIED,
            "aws_elb.legacy",
            Severity.HIGH,
            {
                "listener": (
                    [CLASSIC_80],
                    [CLASSIC_80, {**CLASSIC_80, "lb_port": 443}],
                )
            },
            reason="port 443 now serves plaintext HTTP",
        ),
    ),
    m(
        "classic-listener-deleted",
        "DeleteLoadBalancerListeners",
        ELB,
        {"loadBalancerName": "my-load-balancer", "loadBalancerPorts": [80]},
        Want(Kind.MODIFIED, "aws_elb.legacy", Severity.MEDIUM, {"listener": ([CLASSIC_80], [])}),
    ),
    m(
        "classic-security-groups",
        "ApplySecurityGroupsToLoadBalancer",
        ELB,
        {"loadBalancerName": "my-load-balancer", "securityGroups": ["sg-0badc0de"]},
        Want(
            Kind.MODIFIED,
            "aws_elb.legacy",
            Severity.HIGH,
            {"security_groups": (["sg-5943793c"], ["sg-0badc0de"])},
        ),
    ),
    m(
        "classic-subnet-attached",
        "AttachLoadBalancerToSubnets",
        ELB,
        {"loadBalancerName": "my-load-balancer", "subnets": ["subnet-0aaa"]},
        Want(
            Kind.MODIFIED,
            "aws_elb.legacy",
            Severity.MEDIUM,
            {
                "subnets": (
                    ["subnet-12345678", "subnet-76543210"],
                    ["subnet-12345678", "subnet-76543210", "subnet-0aaa"],
                )
            },
        ),
    ),
    m(
        "classic-subnet-detached",
        "DetachLoadBalancerFromSubnets",
        ELB,
        {"loadBalancerName": "my-load-balancer", "subnets": ["subnet-76543210"]},
        Want(
            Kind.MODIFIED,
            "aws_elb.legacy",
            Severity.MEDIUM,
            {"subnets": (["subnet-12345678", "subnet-76543210"], ["subnet-12345678"])},
        ),
    ),
    m(
        "classic-instance-deregistered",
        "DeregisterInstancesFromLoadBalancer",
        ELB,
        {"loadBalancerName": "my-load-balancer", "instances": [{"instanceId": INSTANCE}]},
        Want(Kind.MODIFIED, "aws_elb.legacy", Severity.MEDIUM, {"instances": ([INSTANCE], [])}),
    ),
    m(
        "asg-created-unmanaged",
        "CreateAutoScalingGroup",
        ASG,
        {
            "autoScalingGroupName": "batch",
            "minSize": 0,
            "maxSize": 10,
            "launchTemplate": {"launchTemplateName": "web"},
            "vPCZoneIdentifier": "subnet-8360a9e7,subnet-b7d581c0",
            "tags": [{"key": "team", "value": "data", "propagateAtLaunch": True}],
        },
        Want(
            Kind.UNMANAGED,
            "batch",
            Severity.MEDIUM,
            {
                "name": (None, "batch"),
                "min_size": (None, 0),
                "max_size": (None, 10),
                "launch_template[0].name": (None, "web"),
                "launch_template[0].version": (None, "$Default"),
                "vpc_zone_identifier": (None, ["subnet-8360a9e7", "subnet-b7d581c0"]),
                "tag": (None, [{"key": "team", "value": "data", "propagate_at_launch": True}]),
            },
        ),
    ),
    m(
        "asg-desired-capacity",
        "SetDesiredCapacity",
        ASG,
        {"autoScalingGroupName": "asg1", "desiredCapacity": 0},
        Want(
            Kind.MODIFIED, "aws_autoscaling_group.asg1", Severity.LOW, {"desired_capacity": (2, 0)}
        ),
    ),
    m(
        "asg-target-group-detached",
        "DetachLoadBalancerTargetGroups",
        ASG,
        {"autoScalingGroupName": "asg1", "targetGroupARNs": [TG]},
        Want(
            Kind.MODIFIED,
            "aws_autoscaling_group.asg1",
            Severity.MEDIUM,
            {"target_group_arns": ([TG], [])},
        ),
    ),
    m(
        "asg-target-group-attached-again-is-no-change",
        "AttachLoadBalancerTargetGroups",
        ASG,
        {"autoScalingGroupName": "asg1", "targetGroupARNs": [TG]},
        skip("no_change"),
    ),
    m(
        "asg-classic-lb-attached",
        "AttachLoadBalancers",
        ASG,
        {"autoScalingGroupName": "asg1", "loadBalancerNames": ["my-load-balancer"]},
        Want(
            Kind.MODIFIED,
            "aws_autoscaling_group.asg1",
            Severity.MEDIUM,
            {"load_balancers": ([], ["my-load-balancer"])},
        ),
    ),
    m(
        "asg-classic-lb-detached-none-attached",
        "DetachLoadBalancers",
        ASG,
        {"autoScalingGroupName": "asg1", "loadBalancerNames": ["my-load-balancer"]},
        skip("no_change"),
    ),
    m(
        "asg-deleted",
        "DeleteAutoScalingGroup",
        ASG,
        {"autoScalingGroupName": "asg1", "forceDelete": True},
        Want(Kind.DELETED, "aws_autoscaling_group.asg1", Severity.HIGH),
    ),
    m(
        "asg-schedule-changed",
        "PutScheduledUpdateGroupAction",
        ASG,
        {
            "autoScalingGroupName": "asg1",
            "scheduledActionName": "night",
            "recurrence": "0 22 * * *",
            "minSize": 0,
            "maxSize": 0,
            "desiredCapacity": 0,
        },
        Want(
            Kind.MODIFIED,
            "aws_autoscaling_schedule.night",
            Severity.MEDIUM,
            {"recurrence": ("0 20 * * *", "0 22 * * *")},
        ),
        estate=WITH_SCHEDULE,
    ),
    m(
        "asg-schedule-deleted",
        "DeleteScheduledAction",
        ASG,
        {"autoScalingGroupName": "asg1", "scheduledActionName": "night"},
        Want(Kind.DELETED, "aws_autoscaling_schedule.night", Severity.MEDIUM),
        estate=WITH_SCHEDULE,
    ),
    m(
        "launch-template-created-unmanaged",
        "CreateLaunchTemplate",
        EC2,
        {
            "CreateLaunchTemplateRequest": {
                "LaunchTemplateName": "miner",
                "LaunchTemplateData": {"ImageId": "ami-0fedcba9876543210", "InstanceType": "p4d"},
            }
        },
        Want(
            Kind.UNMANAGED,
            "lt-0f00ba4000000001a",
            Severity.LOW,
            {
                "name": (None, "miner"),
                "image_id": (None, "ami-0fedcba9876543210"),
                "instance_type": (None, "p4d"),
            },
        ),
        response={
            "CreateLaunchTemplateResponse": {
                "launchTemplate": {
                    "launchTemplateId": "lt-0f00ba4000000001a",
                    "launchTemplateName": "miner",
                }
            }
        },
    ),
    m(
        # Only the launch-template spec tags the template; the data's spec tags its instances.
        "launch-template-created-with-tags",
        "CreateLaunchTemplate",
        EC2,
        {
            "CreateLaunchTemplateRequest": {
                "LaunchTemplateName": "tagged",
                "LaunchTemplateData": {
                    "InstanceType": "t3.micro",
                    "TagSpecification": {
                        "ResourceType": "instance",
                        "tag": 1,
                        "Tag": {"Key": "role", "Value": "worker", "tag": 1},
                    },
                },
                "TagSpecification": {
                    "ResourceType": "launch-template",
                    "tag": 1,
                    "Tag": [
                        {"Key": "team", "Value": "ops", "tag": 1},
                        {"Key": "Name", "Value": "tagged", "tag": 2},
                    ],
                },
            }
        },
        Want(
            Kind.UNMANAGED,
            "lt-0f00ba4000000001b",
            Severity.LOW,
            {
                "name": (None, "tagged"),
                "instance_type": (None, "t3.micro"),
                "tags": (None, {"team": "ops", "Name": "tagged"}),
            },
        ),
        response={
            "CreateLaunchTemplateResponse": {
                "launchTemplate": {
                    "launchTemplateId": "lt-0f00ba4000000001b",
                    "launchTemplateName": "tagged",
                }
            }
        },
    ),
    m(
        "launch-template-deleted-by-name",
        "DeleteLaunchTemplate",
        EC2,
        {"DeleteLaunchTemplateRequest": {"LaunchTemplateName": "web"}},
        Want(Kind.DELETED, "aws_launch_template.web", Severity.HIGH),
    ),
    m(
        "instance-profile-replaced-by-arn",
        "ReplaceIamInstanceProfileAssociation",
        EC2,
        {
            "ReplaceIamInstanceProfileAssociationRequest": {
                "AssociationId": "iip-assoc-0e7736511a163c209",
                "IamInstanceProfile": {
                    "Arn": "arn:aws:iam::123456789012:instance-profile/ops/admin"
                },
            }
        },
        Want(
            Kind.MODIFIED,
            "aws_instance.web",
            Severity.HIGH,
            {"iam_instance_profile": ("web", "admin")},
        ),
        response={"iamInstanceProfileAssociation": {"instanceId": INSTANCE}},
    ),
    m(
        "profile-created-unmanaged",
        "CreateInstanceProfile",
        IAM,
        {"instanceProfileName": "admin", "path": "/ops/"},
        Want(
            Kind.UNMANAGED,
            "admin",
            Severity.LOW,
            {"name": (None, "admin"), "path": (None, "/ops/")},
        ),
    ),
    m(
        "profile-created-with-tags",  # an import block without them plans their change
        "CreateInstanceProfile",
        IAM,
        {"instanceProfileName": "tagged", "tags": [{"key": "team", "value": "ops"}]},
        Want(
            Kind.UNMANAGED,
            "tagged",
            Severity.LOW,
            {"name": (None, "tagged"), "tags": (None, {"team": "ops"})},
        ),
    ),
]


@pytest.mark.parametrize(("name", "source", "request_", "response", "estate", "want"), MODELLED)
def test_modelled(
    name: str, source: str, request_: dict[str, Any], response: Any, estate: Estate, want: Want
) -> None:
    event = modelled(name, source, request_, response)
    check(run_events(estate.index(), [event]), 1, want)


def test_fixture_state_is_json() -> None:
    assert json.loads((RECORDS.parent.parent / "states" / "real-compute.tfstate").read_text())


def test_every_row_has_a_case() -> None:
    """Each row of these tables is replayed by a recorded or a modelled case."""
    from tfdrift_gitops.core.catalog import (
        autoscaling,
        autoscaling_tags,
        ec2_compute,
        elb_classic,
        elb_policies,
        elb_tags,
        elbv2,
        elbv2_targets,
        iam_profiles,
    )

    tables = (
        elbv2,
        elbv2_targets,
        elb_classic,
        elb_policies,
        elb_tags,
        autoscaling,
        autoscaling_tags,
        ec2_compute,
        iam_profiles,
    )
    from tests.catalog.test_real_compute_network import RECORDED as LATER_RECORDED

    catalog = Catalog.default()
    covered = {(p.values[0], p.values[1]) for p in MODELLED}
    for param in (*RECORDED, *LATER_RECORDED):
        for event in records(*param.values[0]):
            rule = catalog.rule_for(event)
            assert rule is not None
            covered.add((rule.event, rule.source))
    rows = {(r.event, r.source) for t in tables for r in t.RULES}
    assert rows - covered == set()


def test_one_tag_call_lands_on_every_resource_it_names() -> None:
    """ELBv2 tags a listener and a target group in one call: two drifts, one per resource."""
    event = modelled("RemoveTags", ELB, {"resourceArns": [LISTENER, TG], "tagKeys": ["team"]})
    estate = Estate(
        "compute",
        patch={
            "aws_lb_listener.https": {"tags": {"team": "web"}},
            "aws_lb_target_group.app": {"tags": {"team": "web"}},
        },
    )
    outcome = run_events(estate.index(), [event])
    assert sorted(d.resource.address for d in outcome.open) == [
        "aws_lb_listener.https",
        "aws_lb_target_group.app",
    ]
    for drift in outcome.open:
        assert {c.path: (c.before, c.after) for c in drift.changes} == {
            "tags": ({"team": "web"}, {})
        }


def test_prefilter_sends_shared_names_the_full_way() -> None:
    """Which row a shared name belongs to needs the normalised call: the prefilter never skips
    it as unknown to the catalog, and the engine then picks the row by the request."""
    from tfdrift_gitops.core.prefilter import make_prefilter

    prefilter = make_prefilter(Catalog.default(), known=lambda value: False)
    for name in ("elbv2-delete-load-balancer.json", "elb-delete-load-balancer.json"):
        raw = json.loads((RECORDS / name).read_text())["Records"][0]
        assert prefilter(raw) is None, name
