"""Part-1 rows (ELB classic, IAM instance profiles, EC2 security groups) against records found
after the first round: ``tests/fixtures/cloudtrail/real/compute-network/`` (sources and
licences in ``real/SOURCES.md``), replayed through the normaliser, Engine and fold exactly as
``detect`` does, against ``real-compute.tfstate`` with the records' resources added.

Each file moves a row out of ``MODELLED`` in ``test_real_compute.py``: the modelled case gave
the API reference's request; these give what CloudTrail wrote.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import RECORDS, Estate, Want, case, check, records, skip
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.models import Kind, Severity

DIR = "compute-network"
ACM_ACCOUNT = "111122223333"
CERT = f"arn:aws:acm:us-east-1:{ACM_ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012"
LINUX_TEST: dict[str, Any] = {
    # The ACM guide's classic load balancer: one HTTPS listener on an ACM certificate.
    "arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/LinuxTest",
    "availability_zones": ["us-east-1b"],
    "id": "LinuxTest",
    "instances": ["i-0d4c3b2a19f8e7d6c"],
    "internal": False,
    "listener": [
        {
            "instance_port": 80,
            "instance_protocol": "http",
            "lb_port": 443,
            "lb_protocol": "https",
            "ssl_certificate_id": CERT,
        }
    ],
    "name": "LinuxTest",
    "security_groups": [],
    "subnets": [],
    "tags": {},
    "tags_all": {},
}
NODE_PROFILE = "eks-11111111-2222-3333-4444-abcdef123456"
NODE_PROFILE_ATTRS: dict[str, Any] = {
    "arn": f"arn:aws:iam::{ACM_ACCOUNT}:instance-profile/{NODE_PROFILE}",
    "id": NODE_PROFILE,
    "name": NODE_PROFILE,
    "name_prefix": "",
    "path": "/",
    "role": "eks-nodes",
    "tags": {},
    "tags_all": {},
    "unique_id": "AIPAEXAMPLEEXAMPLE02",
}
WITH_LINUX_TEST = Estate("compute", extra=(("aws_elb", "linux_test", LINUX_TEST),))
WITH_NODE_PROFILE = Estate(
    "compute", extra=(("aws_iam_instance_profile", "nodes", NODE_PROFILE_ATTRS),)
)
# An estate that knows the ACM guide's account (an ARN of it in state) but not its ELB: a
# create there is unmanaged drift, not a foreign account's call.
IN_ACM_ACCOUNT = Estate(
    "compute",
    extra=(("aws_iam_instance_profile", "nodes", NODE_PROFILE_ATTRS),),
)


def f(name: str) -> str:
    return f"{DIR}/{name}.json"


RECORDED = [
    case(
        "classic-register-instance-from-the-console",
        [f("awsdocs-elb-register-instances-with-load-balancer")],
        WITH_LINUX_TEST,
        Want(
            Kind.MODIFIED,
            "aws_elb.linux_test",
            Severity.LOW,
            {"instances": (["i-0d4c3b2a19f8e7d6c"], ["i-0d4c3b2a19f8e7d6c", "i-c67f4e78"])},
        ),
    ),
    case(
        "classic-register-instance-state-already-lists",
        [f("awsdocs-elb-register-instances-with-load-balancer")],
        Estate(
            "compute",
            extra=(("aws_elb", "linux_test", {**LINUX_TEST, "instances": ["i-c67f4e78"]}),),
        ),
        skip("no_change"),
    ),
    case(
        "classic-register-instance-on-a-load-balancer-nobody-manages",
        [f("awsdocs-elb-register-instances-with-load-balancer")],
        Estate("compute"),
        skip("not_in_state"),
    ),
    case(
        # No apiVersion in this record: the row is told from ELBv2's by its request shape.
        "classic-https-listener-unmanaged",
        [f("awsdocs-elb-create-load-balancer-https")],
        IN_ACM_ACCOUNT,
        Want(
            Kind.UNMANAGED,
            "LinuxTest",
            Severity.MEDIUM,
            {
                "name": (None, "LinuxTest"),
                "availability_zones": (None, ["us-east-1b"]),
                "listener": (None, LINUX_TEST["listener"]),
            },
        ),
    ),
    case(
        "eks-nodegroup-role-deletes-a-managed-profile",
        [f("awsdocs-iam-delete-instance-profile-eks-nodegroup")],
        WITH_NODE_PROFILE,
        Want(Kind.DELETED, "aws_iam_instance_profile.nodes", Severity.MEDIUM),
    ),
    case(
        # EKS deletes the profiles of its own managed node groups: not Terraform's.
        "eks-nodegroup-role-deletes-its-own-profile",
        [f("awsdocs-iam-delete-instance-profile-eks-nodegroup")],
        Estate("compute"),
        skip("not_in_state"),
    ),
    case(
        "terraform-creates-a-security-group",
        [f("panther-ec2-create-security-group-terraform")],
        Estate("compute"),
        skip("trusted_actor"),
    ),
]


@pytest.mark.parametrize(("files", "estate", "want"), RECORDED)
def test_recorded(files: list[str], estate: Estate, want: Want) -> None:
    events = records(*files)
    check(run_events(estate.index(), events), len(events), want)


def test_every_fixture_here_is_replayed_and_sourced() -> None:
    used = {name for param in RECORDED for name in param.values[0]}
    present = {f"{DIR}/{p.name}" for p in (RECORDS / DIR).glob("*.json")}
    assert present == used
    sources = (RECORDS / "SOURCES.md").read_text()
    assert [p for p in present if p not in sources] == []


def test_terraform_security_group_create_reads_as_the_row_models() -> None:
    """Terraform's own call is never drift, but it is a real CreateSecurityGroup: the row finds
    the new group's id in the response and reads name, description and VPC from the request
    (what an unmanaged group made by hand would be reported with)."""
    [event] = records(f("panther-ec2-create-security-group-terraform"))
    engine = Engine(Estate("compute").index())
    [finding] = engine.evaluate(event).findings
    assert finding.trusted and finding.resource.type == "aws_security_group"
    assert finding.resource.id == "sg-04d018d184a18f647"
    observed = engine.observe(finding.resource, [event]).observed
    assert {k: observed.get(k) for k in ("name", "description", "vpc_id")} == {
        "name": "prod-webapp-webserver-security",
        "description": "prod-webapp-webserver Security SG",
        "vpc_id": "vpc-a1a044c7",
    }


def test_these_records_pick_the_rows_they_move() -> None:
    catalog = Catalog.default()
    rows = {
        (rule.event, rule.source, rule.discriminator)
        for param in RECORDED
        for event in records(*param.values[0])
        if (rule := catalog.rule_for(event)) is not None
    }
    assert rows == {
        (
            "RegisterInstancesWithLoadBalancer",
            "elasticloadbalancing.amazonaws.com",
            "ELB classic (API 2012-06-01)",
        ),
        (
            "CreateLoadBalancer",
            "elasticloadbalancing.amazonaws.com",
            "ELB classic (API 2012-06-01)",
        ),
        ("DeleteInstanceProfile", "iam.amazonaws.com", ""),
        ("CreateSecurityGroup", "ec2.amazonaws.com", ""),
    }


def test_fixtures_are_records_files() -> None:
    for path in (RECORDS / DIR).glob("*.json"):
        doc = json.loads(path.read_text())
        assert isinstance(doc["Records"], list) and len(doc["Records"]) == 1, path.name
