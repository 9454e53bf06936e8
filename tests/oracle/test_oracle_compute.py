"""ELBv2, Auto Scaling, launch template and instance profile rows judged by Terraform.

Requests and responses are written in the shapes of the published records of these services
(query APIs: lower camel case, ``attributes`` as key/value pairs; newer EC2 calls wrapped in
``<Call>Request``), with the values moto answered. ELB classic is left out: provider 5.100.0
crashes reading a classic load balancer from moto (nil dereference in the ELB read).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.oracle.checks import (  # noqa: F401
    test_changes_agree_with_terraform,
    test_deletion_agrees_with_terraform,
    test_every_written_file_validates,
    test_import_plan_summary,
    test_import_plans_no_change,
    test_no_drift_outside_the_cases,
    test_removed_block_plans_cleanly,
    test_revert_plans_the_drift_back,
    test_unmanaged_import_plans_as_import_only,
    test_unmanaged_is_outside_terraform,
)
from tests.oracle.harness import Call, Case, World

ELB = "elasticloadbalancing.amazonaws.com"
ASG = "autoscaling.amazonaws.com"
EC2 = "ec2.amazonaws.com"
IAM = "iam.amazonaws.com"
FIXTURES = {
    ELB: "elbv2-delete-load-balancer.json",
    ASG: "autoscaling-update-auto-scaling-group.json",
    EC2: "ec2-s3/awsdocs-ec2-terminate-instances.json",
    IAM: "iam-create-user.json",
}
AMI = "ami-12c6146b"
RESERVATION_NOISE = (
    "an update of an Auto Scaling group also shows capacity_reservation_specification's "
    'capacity_reservation_preference going from null (moto) to "" (the provider\'s zero '
    "value): the revert plan touches one argument more than the drift, though nothing changes"
)

NETWORK = """
resource "aws_vpc" "net" {
  cidr_block = "10.20.0.0/16"
}

resource "aws_subnet" "net_a" {
  vpc_id            = aws_vpc.net.id
  cidr_block        = "10.20.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "net_b" {
  vpc_id            = aws_vpc.net.id
  cidr_block        = "10.20.2.0/24"
  availability_zone = "us-east-1b"
}

resource "aws_security_group" "net" {
  vpc_id = aws_vpc.net.id
}
"""


def _lb(name: str) -> str:
    return f"""
resource "aws_lb" "{name}" {{
  name            = "{name.replace("_", "-")}"
  subnets         = [aws_subnet.net_a.id, aws_subnet.net_b.id]
  security_groups = [aws_security_group.net.id]
}}
"""


def _group(name: str) -> str:
    return f"""
resource "aws_lb_target_group" "{name}" {{
  name     = "{name.replace("_", "-")}"
  port     = 80
  protocol = "HTTP"
  vpc_id   = aws_vpc.net.id

  health_check {{
    path = "/health"
  }}
}}
"""


def _listener(name: str, lb: str, group: str) -> str:
    return f"""
resource "aws_lb_listener" "{name}" {{
  load_balancer_arn = aws_lb.{lb}.arn
  port              = 80
  protocol          = "HTTP"

  default_action {{
    type             = "forward"
    target_group_arn = aws_lb_target_group.{group}.arn
  }}
}}
"""


def _rule(name: str, listener: str, group: str, path: str) -> str:
    return f"""
resource "aws_lb_listener_rule" "{name}" {{
  listener_arn = aws_lb_listener.{listener}.arn
  priority     = 10

  action {{
    type             = "forward"
    target_group_arn = aws_lb_target_group.{group}.arn
  }}

  condition {{
    path_pattern {{
      values = ["{path}"]
    }}
  }}
}}
"""


def _template(name: str) -> str:
    return f"""
resource "aws_launch_template" "{name}" {{
  name          = "{name.replace("_", "-")}"
  image_id      = "{AMI}"
  instance_type = "t3.micro"
}}
"""


def _asg(name: str, desired: str = "") -> str:
    return f"""
resource "aws_autoscaling_group" "{name}" {{
  name                = "{name.replace("_", "-")}"
  min_size            = 0
  max_size            = 2
  vpc_zone_identifier = [aws_subnet.net_a.id]
{desired}

  launch_template {{
    id      = aws_launch_template.asg_template.id
    version = "$Latest"
  }}
}}
"""


def _attrs(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in pairs]


def lb_attributes(world: World) -> Call:
    arn = world.attrs("aws_lb.lb_attrs")["arn"]
    pairs = _attrs(
        ("deletion_protection.enabled", "true"),
        ("idle_timeout.timeout_seconds", "120"),
        ("routing.http.drop_invalid_header_fields.enabled", "true"),
    )
    world.client("elbv2").modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": p["key"], "Value": p["value"]} for p in pairs]
    )
    return Call({"loadBalancerArn": arn, "attributes": pairs}, {"attributes": pairs})


def listener_port(world: World) -> Call:
    arn = world.attrs("aws_lb_listener.web")["arn"]
    world.client("elbv2").modify_listener(ListenerArn=arn, Port=8080)
    return Call({"listenerArn": arn, "port": 8080})


def rule_priority(world: World) -> Call:
    arn = world.attrs("aws_lb_listener_rule.api")["arn"]
    world.client("elbv2").set_rule_priorities(RulePriorities=[{"RuleArn": arn, "Priority": 5}])
    return Call({"rulePriorities": [{"ruleArn": arn, "priority": 5}]})


def rule_deleted(world: World) -> Call:
    arn = world.attrs("aws_lb_listener_rule.old")["arn"]
    world.client("elbv2").delete_rule(RuleArn=arn)
    return Call({"ruleArn": arn})


def health_path(world: World) -> Call:
    arn = world.attrs("aws_lb_target_group.tg_health")["arn"]
    world.client("elbv2").modify_target_group(TargetGroupArn=arn, HealthCheckPath="/")
    return Call({"targetGroupArn": arn, "healthCheckPath": "/"})


def deregistration_delay(world: World) -> Call:
    arn = world.attrs("aws_lb_target_group.tg_delay")["arn"]
    pairs = _attrs(("deregistration_delay.timeout_seconds", "30"))
    world.client("elbv2").modify_target_group_attributes(
        TargetGroupArn=arn, Attributes=[{"Key": p["key"], "Value": p["value"]} for p in pairs]
    )
    return Call({"targetGroupArn": arn, "attributes": pairs})


def group_by_hand(world: World) -> Call:
    vpc = world.id("aws_vpc.net")
    answer = world.client("elbv2").create_target_group(
        Name="hand-made", Protocol="HTTP", Port=8080, VpcId=vpc
    )
    arn = answer["TargetGroups"][0]["TargetGroupArn"]
    return Call(
        {"name": "hand-made", "protocol": "HTTP", "port": 8080, "vpcId": vpc},
        {"targetGroups": [{"targetGroupArn": arn, "targetGroupName": "hand-made"}]},
    )


def asg_sizes(world: World) -> Call:
    world.client("autoscaling").update_auto_scaling_group(
        AutoScalingGroupName="asg-sizes", MinSize=1, MaxSize=3
    )
    return Call({"autoScalingGroupName": "asg-sizes", "minSize": 1, "maxSize": 3})


def asg_same_sizes(world: World) -> Call:
    world.client("autoscaling").update_auto_scaling_group(
        AutoScalingGroupName="asg-noop", MinSize=0, MaxSize=2
    )
    return Call({"autoScalingGroupName": "asg-noop", "minSize": 0, "maxSize": 2})


def asg_suspend(world: World) -> Call:
    world.client("autoscaling").suspend_processes(
        AutoScalingGroupName="asg-suspend", ScalingProcesses=["Launch"]
    )
    return Call({"autoScalingGroupName": "asg-suspend", "scalingProcesses": ["Launch"]})


def new_template_version(world: World) -> Call:
    template = world.id("aws_launch_template.lt_version")
    data = {"ImageId": "ami-1234abcd", "InstanceType": "t3.micro"}
    answer = world.client("ec2").create_launch_template_version(
        LaunchTemplateId=template, SourceVersion="1", LaunchTemplateData=data
    )
    version = answer["LaunchTemplateVersion"]
    return Call(
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": template,
                "SourceVersion": "1",
                "LaunchTemplateData": data,
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "launchTemplateVersion": {
                    "launchTemplateId": template,
                    "versionNumber": version["VersionNumber"],
                }
            }
        },
    )


def role_removed(world: World) -> Call:
    world.client("iam").remove_role_from_instance_profile(
        InstanceProfileName="profile-role", RoleName="profile-role"
    )
    return Call({"instanceProfileName": "profile-role", "roleName": "profile-role"})


def profile_by_hand(world: World) -> Call:
    answer = world.client("iam").create_instance_profile(InstanceProfileName="hand-profile")
    profile = answer["InstanceProfile"]
    return Call(
        {"instanceProfileName": "hand-profile"},
        {
            "instanceProfile": {
                "instanceProfileName": profile["InstanceProfileName"],
                "instanceProfileId": profile["InstanceProfileId"],
                "arn": profile["Arn"],
                "path": profile["Path"],
            }
        },
    )


def lb_security_groups(world: World) -> Call:
    arn = world.attrs("aws_lb.lb_sg")["arn"]
    groups = [world.id("aws_security_group.net"), world.id("aws_security_group.net_extra")]
    world.client("elbv2").set_security_groups(LoadBalancerArn=arn, SecurityGroups=groups)
    return Call({"loadBalancerArn": arn, "securityGroups": groups}, {"securityGroupIds": groups})


def default_version(world: World) -> Call:
    template = world.id("aws_launch_template.lt_default")
    ec2 = world.client("ec2")
    ec2.create_launch_template_version(
        LaunchTemplateId=template,
        SourceVersion="1",
        LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro"},
    )
    ec2.modify_launch_template(LaunchTemplateId=template, DefaultVersion="2")
    request = {"LaunchTemplateId": template, "SetDefaultVersion": "2"}
    return Call({"ModifyLaunchTemplateRequest": request})


def role_added(world: World) -> Call:
    world.client("iam").add_role_to_instance_profile(
        InstanceProfileName="profile-empty", RoleName="profile-role"
    )
    return Call({"instanceProfileName": "profile-empty", "roleName": "profile-role"})


def groups_attached(world: World) -> Call:
    arn = world.attrs("aws_lb_target_group.tg_web")["arn"]
    world.client("autoscaling").attach_load_balancer_target_groups(
        AutoScalingGroupName="asg-groups", TargetGroupARNs=[arn]
    )
    return Call({"autoScalingGroupName": "asg-groups", "targetGroupARNs": [arn]})


def policy_changed(world: World) -> Call:
    world.client("autoscaling").put_scaling_policy(
        AutoScalingGroupName="asg-sizes",
        PolicyName="scale-out",
        AdjustmentType="ChangeInCapacity",
        ScalingAdjustment=3,
    )
    request = {
        "autoScalingGroupName": "asg-sizes",
        "policyName": "scale-out",
        "adjustmentType": "ChangeInCapacity",
        "scalingAdjustment": 3,
    }
    return Call(request)


def asg_deleted(world: World) -> Call:
    world.client("autoscaling").delete_auto_scaling_group(
        AutoScalingGroupName="asg-deleted", ForceDelete=True
    )
    return Call({"autoScalingGroupName": "asg-deleted", "forceDelete": True})


def asg_by_hand(world: World) -> Call:
    template = world.id("aws_launch_template.asg_template")
    subnet = world.id("aws_subnet.net_a")
    world.client("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="hand-group",
        MinSize=0,
        MaxSize=1,
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
        VPCZoneIdentifier=subnet,
    )
    request = {
        "autoScalingGroupName": "hand-group",
        "minSize": 0,
        "maxSize": 1,
        "launchTemplate": {"launchTemplateId": template, "version": "$Latest"},
        "vPCZoneIdentifier": subnet,
    }
    return Call(request)


def target_deregistered(world: World) -> Call:
    arn = world.attrs("aws_lb_target_group.tg_ip")["arn"]
    target = {"Id": "10.20.1.10", "Port": 80}
    world.client("elbv2").deregister_targets(TargetGroupArn=arn, Targets=[target])
    return Call({"targetGroupArn": arn, "targets": [{"id": "10.20.1.10", "port": 80}]})


def target_registered(world: World) -> Call:
    arn = world.attrs("aws_lb_target_group.tg_ip")["arn"]
    world.client("elbv2").register_targets(
        TargetGroupArn=arn, Targets=[{"Id": "10.20.1.20", "Port": 80}]
    )
    return Call({"targetGroupArn": arn, "targets": [{"id": "10.20.1.20", "port": 80}]})


PROFILE = """
resource "aws_iam_role" "profile_role" {
  name = "profile-role"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_instance_profile" "profile_role" {
  name       = "profile-role"
  role       = "profile-role"
  depends_on = [aws_iam_role.profile_role]
}
"""


EXTRA_HCL = """
resource "aws_security_group" "net_extra" {
  vpc_id = aws_vpc.net.id
}
"""
IP_GROUP = """
resource "aws_lb_target_group" "tg_ip" {
  name        = "tg-ip"
  port        = 80
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.net.id
}

resource "aws_lb_target_group_attachment" "ip" {
  target_group_arn = aws_lb_target_group.tg_ip.arn
  target_id        = "10.20.1.10"
  port             = 80
}
"""
EMPTY_PROFILE = """
resource "aws_iam_instance_profile" "profile_empty" {
  name = "profile-empty"
}
"""
POLICY = """
resource "aws_autoscaling_policy" "scale_out" {
  name                   = "scale-out"
  autoscaling_group_name = aws_autoscaling_group.asg_sizes.name
  adjustment_type        = "ChangeInCapacity"
  scaling_adjustment     = 1
  # moto reads every policy back as disabled.
  enabled = false
}
"""


def _case(
    id_: str,
    event: str,
    source: str,
    act: Callable[[World], Call],
    address: str,
    hcl: str,
    **kw: Any,
) -> Case:
    return Case(
        id=id_,
        event=event,
        source=source,
        fixture=FIXTURES[source],
        hcl=hcl,
        address=address,
        act=act,
        **kw,
    )


CASES = (
    _case(
        "lb_attrs",
        "ModifyLoadBalancerAttributes",
        ELB,
        lb_attributes,
        "aws_lb.lb_attrs",
        NETWORK + _lb("lb_attrs"),
        # The import strategy writes enable_deletion_protection = true: nothing to revert by
        # destroy, but a revert plan turns it back off.
    ),
    _case(
        "listener_port",
        "ModifyListener",
        ELB,
        listener_port,
        "aws_lb_listener.web",
        _lb("lb_web") + _group("tg_web") + _listener("web", "lb_web", "tg_web"),
    ),
    _case(
        "rule_priority",
        "SetRulePriorities",
        ELB,
        rule_priority,
        "aws_lb_listener_rule.api",
        _rule("api", "web", "tg_web", "/api/*"),
    ),
    _case(
        "rule_deleted",
        "DeleteRule",
        ELB,
        rule_deleted,
        "aws_lb_listener_rule.old",
        _rule("old", "web", "tg_web", "/old/*").replace("priority     = 10", "priority     = 20"),
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "tg_health",
        "ModifyTargetGroup",
        ELB,
        health_path,
        "aws_lb_target_group.tg_health",
        _group("tg_health"),
    ),
    _case(
        "tg_delay",
        "ModifyTargetGroupAttributes",
        ELB,
        deregistration_delay,
        "aws_lb_target_group.tg_delay",
        _group("tg_delay"),
    ),
    _case(
        "tg_by_hand",
        "CreateTargetGroup",
        ELB,
        group_by_hand,
        "aws_lb_target_group",
        "",
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "asg_sizes",
        "UpdateAutoScalingGroup",
        ASG,
        asg_sizes,
        "aws_autoscaling_group.asg_sizes",
        # The desired capacity is in the code so that a revert plans it back too (AWS raised
        # it with the minimum).
        _template("asg_template") + _asg("asg_sizes", "  desired_capacity    = 0\n"),
        known={"test_revert_plans_the_drift_back": RESERVATION_NOISE},
    ),
    _case(
        "asg_noop",
        "UpdateAutoScalingGroup",
        ASG,
        asg_same_sizes,
        "aws_autoscaling_group.asg_noop",
        _asg("asg_noop"),
        kind="noop",
    ),
    _case(
        "asg_suspend",
        "SuspendProcesses",
        ASG,
        asg_suspend,
        "aws_autoscaling_group.asg_suspend",
        _asg("asg_suspend"),
        known={"test_revert_plans_the_drift_back": RESERVATION_NOISE},
    ),
    _case(
        "lt_version",
        "CreateLaunchTemplateVersion",
        EC2,
        new_template_version,
        "aws_launch_template.lt_version",
        _template("lt_version"),
    ),
    _case(
        "profile_role",
        "RemoveRoleFromInstanceProfile",
        IAM,
        role_removed,
        "aws_iam_instance_profile.profile_role",
        PROFILE,
    ),
    _case(
        "profile_by_hand",
        "CreateInstanceProfile",
        IAM,
        profile_by_hand,
        "aws_iam_instance_profile",
        "",
        kind="unmanaged",
        strategies=("import",),
    ),
    _case(
        "lb_sg",
        "SetSecurityGroups",
        ELB,
        lb_security_groups,
        "aws_lb.lb_sg",
        EXTRA_HCL + _lb("lb_sg"),
        # The code names its groups by reference: an import is refused (never overwritten).
        strategies=("revert",),
    ),
    _case(
        "lt_default",
        "ModifyLaunchTemplate",
        EC2,
        default_version,
        "aws_launch_template.lt_default",
        _template("lt_default"),
    ),
    _case(
        "profile_empty",
        "AddRoleToInstanceProfile",
        IAM,
        role_added,
        "aws_iam_instance_profile.profile_empty",
        EMPTY_PROFILE,
    ),
    _case(
        "asg_groups",
        "AttachLoadBalancerTargetGroups",
        ASG,
        groups_attached,
        "aws_autoscaling_group.asg_groups",
        # Empty in the code so that a revert plans the attachment away (the argument is
        # optional and computed: left out, Terraform would follow AWS).
        _asg("asg_groups", "  target_group_arns   = []\n"),
        known={"test_revert_plans_the_drift_back": RESERVATION_NOISE},
    ),
    _case(
        "asg_policy",
        "PutScalingPolicy",
        ASG,
        policy_changed,
        "aws_autoscaling_policy.scale_out",
        POLICY,
        # moto reads a simple scaling policy back with a cooldown and an empty predictive
        # scaling block the code cannot express: every plan of it is an update, whatever
        # remediation writes. Detection is what this case checks.
        strategies=(),
    ),
    _case(
        "asg_deleted",
        "DeleteAutoScalingGroup",
        ASG,
        asg_deleted,
        "aws_autoscaling_group.asg_deleted",
        _asg("asg_deleted"),
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "asg_by_hand",
        "CreateAutoScalingGroup",
        ASG,
        asg_by_hand,
        "aws_autoscaling_group",
        "",
        kind="unmanaged",
        # The provider imports a group without its provider-only settings (force_delete,
        # wait_for_capacity_timeout, ...): the plan after any import updates them in place,
        # so "import only" cannot hold; detection is what this case checks.
        strategies=(),
    ),
    _case(
        "target_deregistered",
        "DeregisterTargets",
        ELB,
        target_deregistered,
        "aws_lb_target_group_attachment.ip",
        IP_GROUP,
        kind="deleted",
        strategies=("import",),
    ),
    _case(
        "target_registered",
        "RegisterTargets",
        ELB,
        target_registered,
        "aws_lb_target_group_attachment",
        "",
        kind="unmanaged",
        # Provider v5 cannot import a target attachment: nothing to remediate.
        strategies=(),
    ),
)
