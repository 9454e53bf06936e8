"""Remediation of VPC routing and edge drifts found by the real detector.

The code (``tests/fixtures/remediation/vpc/vpc.tf``) is the configuration that wrote
``real-vpc.tfstate`` (terraform apply against moto), and the drifts come from the catalog cases
of ``tests/catalog/test_ec2_vpc.py``. Modifies patch literal values in place (references are
never overwritten), unmanaged creates become ``resource`` + ``import {}`` with the provider's
import id, deletes become ``removed {}``; every file stays ``terraform fmt`` clean.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_ec2_vpc import (
    BASTION_EIP,
    FLOW_LOG,
    INDEX,
    PRIVATE_ACL,
    PRIVATE_RTB,
    PUBLIC_ACL,
    ec2,
    nacl_entry,
    route,
    wrapped,
)
from tfdrift_gitops.models import CloudEvent, Drift
from tfdrift_gitops.remediation import remediate

CODE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "remediation" / "vpc" / "vpc.tf"
).read_text()
FILE = "live/vpc.tf"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    live = tmp_path / "live"
    live.mkdir()
    (live / "vpc.tf").write_text(CODE)
    return live


def drift_of(events: list[CloudEvent]) -> Drift:
    outcome = run_events(INDEX, events)
    assert len(outcome.open) == 1, outcome
    return outcome.open[0]


def _fmt_clean(text: str) -> None:
    done = subprocess.run(
        ["terraform", "fmt", "-check", "-"], check=False, input=text, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


MODIFIES = [
    pytest.param(
        [
            nacl_entry(
                "ReplaceNetworkAclEntry",
                PRIVATE_ACL,
                100,
                False,
                ruleAction="allow",
                aclProtocol="6",
                cidrBlock="0.0.0.0/0",
                portRange={"from": 443, "to": 443},
            )
        ],
        ['  cidr_block     = "0.0.0.0/0"\n'],
        id="nacl-rule-cidr",
    ),
    pytest.param(
        [
            nacl_entry(
                "CreateNetworkAclEntry",
                PUBLIC_ACL,
                110,
                False,
                ruleAction="deny",
                aclProtocol="6",
                cidrBlock="198.51.100.0/24",
                portRange={"from": 22, "to": 22},
            )
        ],
        ['cidr_block = "198.51.100.0/24"', "rule_no    = 110", 'action     = "deny"'],
        id="nacl-inline-entry-added",
    ),
    pytest.param(
        [
            ec2(
                "AssociateAddress",
                {"allocationId": BASTION_EIP, "instanceId": "i-0a1b2c3d4e5f60718"},
                {"requestId": "1", "associationId": "eipassoc-0a1b2c3d4e5f60718"},
            )
        ],
        ['  instance = "i-0a1b2c3d4e5f60718"\n'],
        id="eip-instance",
    ),
]


@pytest.mark.parametrize(("events", "expected"), MODIFIES)
def test_modify_patches_the_literal(
    workdir: Path, events: list[CloudEvent], expected: list[str]
) -> None:
    result = remediate(drift_of(events), workdir, "import")
    assert result.ok, result
    text = result.files[FILE]
    for fragment in expected:
        assert fragment in text, text
    _fmt_clean(text)


def test_a_reference_is_not_overwritten(workdir: Path) -> None:
    """The route's target is ``aws_nat_gateway.main.id``: named in a refusal, never replaced."""
    event = route("ReplaceRoute", PRIVATE_RTB, "0.0.0.0/0", gatewayId="igw-3af6e9ce8aad127f2")
    result = remediate(drift_of([event]), workdir, "import")
    assert result.files.get(FILE, CODE) == CODE or "aws_nat_gateway.main.id" in result.files[FILE]
    assert result.refusals, result


UNMANAGED = [
    pytest.param(
        [route("CreateRoute", PRIVATE_RTB, transitGatewayId="tgw-0a1b2c3d4e5f60718")],
        "aws_route",
        f"{PRIVATE_RTB}_10.99.0.0/16",
        [
            'transit_gateway_id     = "tgw-0a1b2c3d4e5f60718"',
            'destination_cidr_block = "10.99.0.0/16"',
        ],
        id="route",
    ),
    pytest.param(
        [
            nacl_entry(
                "CreateNetworkAclEntry",
                PRIVATE_ACL,
                200,
                False,
                ruleAction="deny",
                aclProtocol="17",
                cidrBlock="198.51.100.0/24",
                portRange={"from": 53, "to": 53},
            )
        ],
        "aws_network_acl_rule",
        f"{PRIVATE_ACL}:200:17:false",
        ['rule_action    = "deny"', 'protocol       = "17"'],
        id="nacl-rule",
    ),
    pytest.param(
        [
            ec2(
                "CreateFlowLogs",
                wrapped(
                    "CreateFlowLogs",
                    ResourceId=["vpc-b834a610ae21b6f86"],
                    ResourceType="VPC",
                    TrafficType="REJECT",
                    LogDestinationType="s3",
                    LogDestination="arn:aws:s3:::vpc-flow-logs-example",
                ),
                {"CreateFlowLogsResponse": {"flowLogIdSet": {"item": "fl-0a1b2c3d4e5f60718"}}},
            )
        ],
        "aws_flow_log",
        "fl-0a1b2c3d4e5f60718",
        ['traffic_type         = "REJECT"'],
        id="flow-log",
    ),
]


@pytest.mark.parametrize(("events", "rtype", "import_id", "expected"), UNMANAGED)
def test_unmanaged_becomes_resource_and_import(
    workdir: Path, events: list[CloudEvent], rtype: str, import_id: str, expected: list[str]
) -> None:
    result = remediate(drift_of(events), workdir, "import")
    assert result.ok, result
    written = "".join(t for t in result.files.values() if t != CODE)
    assert f'resource "{rtype}"' in written
    assert re.search(
        r"import \{\s+to = " + re.escape(rtype) + r'\.\w+\s+id = "' + re.escape(import_id) + '"',
        written,
    ), written
    for fragment in expected:
        assert fragment in written, written
    for text in result.files.values():
        _fmt_clean(text)


def test_delete_becomes_removed(workdir: Path) -> None:
    event = ec2("DeleteFlowLogs", wrapped("DeleteFlowLogs", FlowLogId=[FLOW_LOG]))
    result = remediate(drift_of([event]), workdir, "import")
    assert result.ok, result
    assert re.search(r"removed \{\s+from = aws_flow_log\.main", result.files[FILE])
    _fmt_clean(result.files[FILE])


def test_generated_imports_validate_with_the_real_provider(tmp_path: Path) -> None:
    """The blocks the unmanaged cases generate pass ``terraform validate`` with hashicorp/aws
    5.100.0 (required arguments present, exactly one route target, the provider's names)."""
    from tests.oracle.terraform import (
        PROVIDER_VERSION,
        Terraform,
        cli_config,
        find_mirror,
        terraform_binary,
    )

    binary = terraform_binary()
    if binary is None:
        pytest.skip("terraform is not on PATH")
    blocks: list[str] = []
    for position, param in enumerate(UNMANAGED):
        events = param.values[0]
        assert isinstance(events, list)
        repo = tmp_path / f"case{position}" / "repo"
        live = repo / "live"
        live.mkdir(parents=True)
        (repo / ".git").mkdir()
        (live / "vpc.tf").write_text(CODE)
        result = remediate(drift_of(events), live, "import")
        blocks += [t for t in result.files.values() if t != CODE]
    check = tmp_path / "validate"
    check.mkdir()
    cache = tmp_path / "cache"
    cache.mkdir()
    config = tmp_path / "cli.tfrc"
    config.write_text(cli_config(find_mirror(), cache))
    (check / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        f'      version = "{PROVIDER_VERSION}"\n    }}\n  }}\n}}\n'
        'provider "aws" {\n  region = "us-east-1"\n}\n'
    )
    for position, text in enumerate(blocks):
        (check / f"imports_{position}.tf").write_text(text)
    terraform = Terraform(binary, config)
    terraform.init(check)
    terraform.validate(check)
