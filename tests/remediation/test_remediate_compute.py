"""Remediation of load balancing and compute drifts found by the real detector.

Drifts come from the compute catalog cases (recorded and API-shaped calls replayed against
``real-compute.tfstate``); the code they patch is a small configuration of the same estate.
Modifies patch literal values in place, unmanaged creates become ``resource`` + ``import {}``
with the provider's import id, deletes become ``removed {}``; no computed attribute is ever
written, and every file stays ``terraform fmt`` clean.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_compute import (
    ASG,
    EC2,
    ELB,
    IAM,
    INSTANCE,
    LB,
    LISTENER,
    MODELLED,
    NEW_CERT,
    NEW_LISTENER,
    NEW_RULE,
    NEW_TG,
    TG,
    VOLUME,
    modelled,
)
from tests.catalog.test_real_others import Estate, records
from tfdrift_gitops.models import CloudEvent, Drift, Kind
from tfdrift_gitops.remediation import remediate
from tfdrift_gitops.remediation.schema import UNIVERSAL_COMPUTED, schema_for

COMPUTE = Estate("compute")

CODE = """\
resource "aws_lb" "web" {
  name                       = "my-load-balancer"
  load_balancer_type         = "application"
  subnets                    = ["subnet-8360a9e7", "subnet-b7d581c0"]
  security_groups            = ["sg-5943793c"]
  enable_deletion_protection = true
  drop_invalid_header_fields = true

  access_logs {
    bucket  = "my-alb-logs"
    prefix  = "web"
    enabled = true
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_target_group" "app" {
  name     = "my-targets"
  port     = 80
  protocol = "HTTP"
  vpc_id   = "vpc-3ac0fb5f"

  health_check {
    path                = "/health"
    healthy_threshold   = 5
    unhealthy_threshold = 2
  }
}

resource "aws_autoscaling_group" "asg1" {
  name                = "asg1"
  min_size            = 2
  max_size            = 4
  desired_capacity    = 2
  vpc_zone_identifier = ["subnet-8360a9e7", "subnet-b7d581c0"]
  target_group_arns   = [aws_lb_target_group.app.arn]
  health_check_type   = "ELB"

  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}

resource "aws_launch_template" "web" {
  name          = "web"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
}

resource "aws_iam_instance_profile" "web" {
  name = "web"
  role = "web"
}

resource "aws_instance" "web" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.micro"
  subnet_id            = "subnet-8360a9e7"
  iam_instance_profile = aws_iam_instance_profile.web.name
}

resource "aws_volume_attachment" "data" {
  device_name = "/dev/sdf"
  volume_id   = "vol-0e89d6e0cceb33115"
  instance_id = aws_instance.web.id
}
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    live = tmp_path / "live"
    live.mkdir()
    (live / "compute.tf").write_text(CODE)
    return live


def drift_of(estate: Estate, events: list[CloudEvent]) -> Drift:
    outcome = run_events(estate.index(), events)
    assert len(outcome.open) == 1, outcome
    return outcome.open[0]


def _fmt_clean(text: str) -> None:
    done = subprocess.run(
        ["terraform", "fmt", "-check", "-"], check=False, input=text, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _attrs(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in pairs]


MODIFIES = [
    pytest.param(
        modelled(
            "ModifyLoadBalancerAttributes",
            ELB,
            {"loadBalancerArn": LB, "attributes": _attrs(("deletion_protection.enabled", "false"))},
        ),
        ["  enable_deletion_protection = false\n"],
        id="lb-deletion-protection",
    ),
    pytest.param(
        modelled(
            "ModifyLoadBalancerAttributes",
            ELB,
            {"loadBalancerArn": LB, "attributes": _attrs(("access_logs.s3.enabled", "false"))},
        ),
        # false is the argument's default: the patch drops the line rather than spell it.
        ['    bucket = "my-alb-logs"\n    prefix = "web"\n  }\n'],
        id="lb-access-logs",
    ),
    pytest.param(
        modelled(
            "ModifyListener",
            ELB,
            {"listenerArn": LISTENER, "sslPolicy": "ELBSecurityPolicy-2016-08"},
        ),
        ['  ssl_policy        = "ELBSecurityPolicy-2016-08"\n'],
        id="listener-tls-policy",
    ),
    pytest.param(
        modelled("ModifyTargetGroup", ELB, {"targetGroupArn": TG, "healthCheckPath": "/"}),
        ['    path                = "/"\n'],
        id="target-group-health-path",
    ),
    pytest.param(
        records("autoscaling-update-auto-scaling-group.json")[0],
        ["  min_size            = 1\n", "  max_size            = 8\n"],
        id="asg-sizes-recorded",
    ),
    pytest.param(
        modelled(
            "UpdateAutoScalingGroup",
            ASG,
            {
                "autoScalingGroupName": "asg1",
                "launchTemplate": {"launchTemplateId": "lt-0abcd290751193123", "version": "3"},
            },
        ),
        ['    version = "3"\n'],
        id="asg-launch-template-version",
    ),
    pytest.param(
        modelled(
            "CreateLaunchTemplateVersion",
            EC2,
            {
                "CreateLaunchTemplateVersionRequest": {
                    "LaunchTemplateId": "lt-0abcd290751193123",
                    "SourceVersion": "1",
                    "LaunchTemplateData": {"ImageId": "ami-0fedcba9876543210"},
                }
            },
        ),
        ['  image_id      = "ami-0fedcba9876543210"\n'],
        id="launch-template-image",
    ),
    pytest.param(
        modelled(
            "AddRoleToInstanceProfile",
            IAM,
            {"instanceProfileName": "web", "roleName": "AdministratorAccess"},
        ),
        ['  role = "AdministratorAccess"\n'],
        id="instance-profile-role",
    ),
]


@pytest.mark.parametrize(("event", "expected"), MODIFIES)
def test_modify_patches_the_literal(workdir: Path, event: CloudEvent, expected: list[str]) -> None:
    result = remediate(drift_of(COMPUTE, [event]), workdir, "import")
    assert result.ok, result
    text = result.files["live/compute.tf"]
    for line in expected:
        assert line in text
    _fmt_clean(text)


def test_an_expression_is_not_overwritten(workdir: Path) -> None:
    """The instance's profile comes from a reference: named as a refusal, code untouched."""
    event = modelled(
        "AssociateIamInstanceProfile",
        EC2,
        {
            "AssociateIamInstanceProfileRequest": {
                "IamInstanceProfile": {"Name": "admin"},
                "InstanceId": INSTANCE,
            }
        },
    )
    result = remediate(drift_of(COMPUTE, [event]), workdir, "import")
    assert result.files.get("live/compute.tf", CODE) == CODE
    assert result.refusals


UNMANAGED = [
    pytest.param(
        Estate("compute", drop=("aws_lb.web",)),
        records("elbv2-create-load-balancer.json"),
        "aws_lb",
        LB,
        id="lb-recorded",
    ),
    pytest.param(
        Estate("compute", drop=("aws_elb.legacy",)),
        records("elb-create-load-balancer.json"),
        "aws_elb",
        "my-load-balancer",
        id="elb-classic-recorded",
    ),
    pytest.param(
        Estate("compute", drop=("aws_volume_attachment.data",)),
        [
            modelled(
                "AttachVolume",
                EC2,
                {"volumeId": VOLUME, "instanceId": INSTANCE, "device": "/dev/sdf"},
                {"volumeId": VOLUME, "instanceId": INSTANCE, "status": "attaching"},
            )
        ],
        "aws_volume_attachment",
        f"/dev/sdf:{VOLUME}:{INSTANCE}",
        id="volume-attachment",
    ),
    pytest.param(
        COMPUTE,
        [
            modelled(
                "AddListenerCertificates",
                ELB,
                {
                    "listenerArn": LISTENER,
                    "certificates": [{"certificateArn": NEW_CERT}],
                },
            )
        ],
        "aws_lb_listener_certificate",
        f"{LISTENER}_{NEW_CERT}",
        id="listener-certificate",
    ),
    pytest.param(
        COMPUTE,
        [
            modelled(
                "PutScalingPolicy",
                ASG,
                {
                    "autoScalingGroupName": "asg1",
                    "policyName": "scale-in",
                    "policyType": "SimpleScaling",
                    "adjustmentType": "ChangeInCapacity",
                    "scalingAdjustment": -1,
                },
            )
        ],
        "aws_autoscaling_policy",
        "asg1/scale-in",
        id="scaling-policy",
    ),
    pytest.param(
        COMPUTE,
        [modelled("CreateInstanceProfile", IAM, {"instanceProfileName": "admin", "path": "/"})],
        "aws_iam_instance_profile",
        "admin",
        id="instance-profile",
    ),
]


def _from_catalog(case_id: str, rtype: str, import_id: str) -> Any:
    """An unmanaged case of the catalog table, remediated."""
    found = next(p for p in MODELLED if p.id == case_id)
    name, source, request, response, estate, _ = found.values
    event = modelled(name, source, request, response)
    return pytest.param(estate, [event], rtype, import_id, id=case_id)


UNMANAGED += [
    _from_catalog("listener-created-with-weak-tls-unmanaged", "aws_lb_listener", NEW_LISTENER),
    _from_catalog("rule-created-unmanaged", "aws_lb_listener_rule", NEW_RULE),
    _from_catalog("target-group-created-unmanaged", "aws_lb_target_group", NEW_TG),
    _from_catalog("asg-created-unmanaged", "aws_autoscaling_group", "batch"),
    _from_catalog(
        "launch-template-created-unmanaged", "aws_launch_template", "lt-0f00ba4000000001a"
    ),
]


@pytest.mark.parametrize(("estate", "events", "rtype", "import_id"), UNMANAGED)
def test_unmanaged_becomes_resource_and_import(
    workdir: Path, estate: Estate, events: list[CloudEvent], rtype: str, import_id: str
) -> None:
    drift = drift_of(estate, events)
    assert drift.kind is Kind.UNMANAGED
    result = remediate(drift, workdir, "import")
    assert result.ok, result
    written = "".join(t for p, t in result.files.items() if t != CODE)
    assert f'resource "{rtype}" ' in written
    assert re.search(r"import \{\s+to\s+= " + re.escape(rtype) + r"\.\w+\s+id\s+= ", written)
    assert f'"{import_id}"' in written
    schema = schema_for(rtype)
    # Top-level arguments only: ``version`` inside ``launch_template`` is configurable.
    assigned = set(re.findall(r"^  (\w+)\s+=", written, re.M)) - {"to", "id"}
    assert not assigned & (schema.computed | UNIVERSAL_COMPUTED)
    for text in result.files.values():
        _fmt_clean(text)


DELETES = [
    pytest.param(
        [modelled("DeleteListener", ELB, {"listenerArn": LISTENER})],
        "aws_lb_listener.https",
        id="listener",
    ),
    pytest.param(
        [modelled("DetachVolume", EC2, {"volumeId": VOLUME}, {"volumeId": VOLUME})],
        "aws_volume_attachment.data",
        id="volume-attachment",
    ),
    pytest.param(
        [modelled("DeleteAutoScalingGroup", ASG, {"autoScalingGroupName": "asg1"})],
        "aws_autoscaling_group.asg1",
        id="asg",
    ),
]


@pytest.mark.parametrize(("events", "address"), DELETES)
def test_delete_becomes_removed(workdir: Path, events: list[CloudEvent], address: str) -> None:
    result = remediate(drift_of(COMPUTE, events), workdir, "import")
    assert result.ok, result
    written = "".join(result.files.values())
    assert re.search(r"removed \{\s+from = " + re.escape(address), written), written
    for text in result.files.values():
        _fmt_clean(text)


def test_deleted_load_balancer_still_referenced_is_refused(workdir: Path) -> None:
    """The recorded delete of the ALB: the listener still points at it, so ``removed {}``
    alone would not plan; the refusal names where."""
    drift = drift_of(COMPUTE, records("elbv2-delete-load-balancer.json"))
    assert drift.kind is Kind.DELETED
    result = remediate(drift, workdir, "import")
    assert not result.ok
    assert any("still referenced at live/compute.tf:" in r.reason for r in result.refusals)


def test_listener_default_action_is_rewritten(workdir: Path) -> None:
    """A forward replaced by a fixed response: the block is rewritten, nothing stale kept."""
    code = workdir / "compute.tf"
    code.write_text(
        CODE.replace("target_group_arn = aws_lb_target_group.app.arn", f'target_group_arn = "{TG}"')
    )
    event = modelled(
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
    )
    result = remediate(drift_of(COMPUTE, [event]), workdir, "import")
    assert result.ok, result
    text = result.files["live/compute.tf"]
    listener = text[
        text.index('resource "aws_lb_listener"') : text.index('resource "aws_lb_target_group"')
    ]
    assert 'type = "fixed-response"' in listener
    assert 'status_code  = "503"' in listener
    assert "target_group_arn" not in listener
    _fmt_clean(text)
