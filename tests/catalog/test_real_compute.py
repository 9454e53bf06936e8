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
    shared = ("CreateLoadBalancer", "DeleteLoadBalancer", "ModifyLoadBalancerAttributes")
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
                        {
                            "type": "fixed-response",
                            "order": 1,
                            "fixed_response": [
                                {
                                    "content_type": "text/plain",
                                    "message_body": "",
                                    "status_code": "503",
                                }
                            ],
                        }
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
        "classic-register-instance",
        "RegisterInstancesWithLoadBalancer",
        ELB,
        {
            "loadBalancerName": "my-load-balancer",
            "instances": [{"instanceId": "i-0ffeeba5e1234abcd"}],
        },
        Want(
            Kind.MODIFIED,
            "aws_elb.legacy",
            Severity.LOW,
            {"instances": ([INSTANCE], [INSTANCE, "i-0ffeeba5e1234abcd"])},
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
            "deleteOnTermination": False,
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
]


@pytest.mark.parametrize(("name", "source", "request_", "response", "estate", "want"), MODELLED)
def test_modelled(
    name: str, source: str, request_: dict[str, Any], response: Any, estate: Estate, want: Want
) -> None:
    event = modelled(name, source, request_, response)
    check(run_events(estate.index(), [event]), 1, want)


def test_fixture_state_is_json() -> None:
    assert json.loads((RECORDS.parent.parent / "states" / "real-compute.tfstate").read_text())
