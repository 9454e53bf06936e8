"""EC2 rows against recorded CloudTrail (panther-analysis, Stratus Red Team) and a real state.

Records are normalised by the real normaliser; the states are built here with the ids the
records name (the corpus has no state for them), except ``aws-lab.tfstate``, which is real and
gets events crafted for its ids.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.conftest import (
    Outcome,
    ResourceSpec,
    index_from_doc,
    make_event,
    make_index,
    run_events,
)
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.models import CloudEvent, Kind, Severity


def sg(name: str, sg_id: str, account: str, region: str, **extra: Any) -> ResourceSpec:
    attrs: dict[str, Any] = {
        "id": sg_id,
        "arn": f"arn:aws:ec2:{region}:{account}:security-group/{sg_id}",
        "name": name,
        "ingress": [],
        "egress": [],
    }
    attrs.update(extra)
    return ("aws_security_group", name, attrs)


PANTHER_STATE: list[ResourceSpec] = [
    sg("console", "sg-04f0b44316f7d2471", "112233445566", "us-west-2"),
    sg("script", "sg-0d921df5d84f7270a", "112233445566", "us-east-1"),
    sg("edited", "sg-1", "123456789012", "us-west-2"),
    sg("egress", "sg-03eee825d6bb78f54", "112233445566", "us-east-1"),
    (
        "aws_instance",
        "builder",
        {
            "id": "i-012345abcde",
            "arn": "arn:aws:ec2:us-east-2:0123456789:instance/i-012345abcde",
            "user_data": "3f786850e387550fdab836ed7e6dc881de23001b",
            "user_data_base64": None,
        },
    ),
]

# case name -> (open drift address, kind, severity, change paths) or the skip reason.
PANTHER_EXPECTED: dict[str, tuple[str, Kind, Severity, list[str]] | str] = {
    "AWS Console - Ingress SG Authorization": (
        "aws_security_group.console",
        Kind.MODIFIED,
        Severity.MEDIUM,  # 0.0.0.0/16 is not the whole internet
        ["ingress"],
    ),
    "Go Script Authorize Ingress": (
        "aws_security_group.script",
        Kind.MODIFIED,
        Severity.CRITICAL,
        ["ingress"],
    ),
    "AWS Console - Ingress SG Authorization Error": "failed_call",
    "Security Group Modified": (
        "aws_security_group.edited",
        Kind.MODIFIED,
        Severity.MEDIUM,
        ["ingress"],
    ),
    "Error Mofidying Security Group": "failed_call",
    "Terraform Security Group Authorize Egress": "trusted_actor",
    "ModifyInstanceAttributeUserdata": (
        "aws_instance.builder",
        Kind.MODIFIED,
        Severity.HIGH,
        ["user_data"],
    ),
}

PANTHER_EVENTS = (
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "ModifyInstanceAttribute",
)


def panther_records(corpus: Path) -> list[tuple[str, dict[str, Any]]]:
    data = json.loads((corpus / "panther-analysis" / "write-events.json").read_text())
    return [(entry["case"], entry["record"]) for name in PANTHER_EVENTS for entry in data[name]]


def replay(state: list[ResourceSpec], records: list[dict[str, Any]], origin: str) -> Outcome:
    events = [normalize_record(r, f"{origin}#{i}") for i, r in enumerate(records)]
    return run_events(make_index(*state), events)


def test_panther_cases_are_all_expected(corpus_dir: Path) -> None:
    assert sorted(case for case, _ in panther_records(corpus_dir)) == sorted(PANTHER_EXPECTED)


@pytest.mark.parametrize("case", sorted(PANTHER_EXPECTED))
def test_panther_records(case: str, corpus_dir: Path) -> None:
    (record,) = [r for c, r in panther_records(corpus_dir) if c == case]
    outcome = replay(PANTHER_STATE, [record], case)
    expected = PANTHER_EXPECTED[case]
    if isinstance(expected, str):
        assert outcome.open == []
        assert outcome.skipped == {expected: 1}
        return
    address, kind, severity, paths = expected
    drift = outcome.only()
    assert (drift.resource.address, drift.kind, drift.severity) == (address, kind, severity)
    assert [c.path for c in drift.changes] == paths


def test_panther_console_rule_shape(corpus_dir: Path) -> None:
    (record,) = [r for c, r in panther_records(corpus_dir) if c == "Security Group Modified"]
    drift = replay(PANTHER_STATE, [record], "panther").only()
    (change,) = drift.changes
    assert change.before == []
    assert change.after == [
        {
            "cidr_blocks": ["127.0.0.1/32"],
            "description": "SSH for me",
            "from_port": 22,
            "ipv6_cidr_blocks": [],
            "prefix_list_ids": [],
            "protocol": "tcp",
            "security_groups": [],
            "self": False,
            "to_port": 22,
        }
    ]
    assert drift.actor.via.value == "console"


def test_panther_user_data_is_never_claimed_equal(corpus_dir: Path) -> None:
    (record,) = [
        r for c, r in panther_records(corpus_dir) if c == "ModifyInstanceAttributeUserdata"
    ]
    drift = replay(PANTHER_STATE, [record], "panther").only()
    (change,) = drift.changes
    assert change.after == "(hidden by CloudTrail)"
    assert any("user data" in reason for reason in drift.severity_reasons)


STRATUS_FILE = "aws.exfiltration.ec2-security-group-open-port-22-ingress.json"
STRATUS_SG = "sg-003dc7f1f1c686164"
STRATUS_ACCOUNT = "032092706103"


def stratus_records(corpus: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(
        (corpus / "stratus-red-team" / STRATUS_FILE).read_text()
    )
    return records


def test_stratus_open_port_22_inline_group(corpus_dir: Path) -> None:
    state = [sg("target", STRATUS_SG, STRATUS_ACCOUNT, "us-northeast-1r")]
    drift = replay(state, stratus_records(corpus_dir), "stratus").only()
    assert (drift.kind, drift.resource.address, drift.severity) == (
        Kind.MODIFIED,
        "aws_security_group.target",
        Severity.CRITICAL,  # 208.236.235.254/0 is the whole internet, host bits or not
    )
    (change,) = drift.changes
    assert [(b["cidr_blocks"], b["from_port"], b["to_port"]) for b in change.after] == [
        (["208.236.235.254/0"], 22, 22)
    ]
    assert drift.actor.name == "christophe"


def test_stratus_open_port_22_separate_rules(corpus_dir: Path) -> None:
    state = [
        sg("target", STRATUS_SG, STRATUS_ACCOUNT, "us-northeast-1r"),
        (
            "aws_vpc_security_group_ingress_rule",
            "https",
            {
                "id": "sgr-0f0f0f0f0f0f0f0f0",
                "security_group_id": STRATUS_SG,
                "ip_protocol": "tcp",
                "from_port": 443,
                "to_port": 443,
                "cidr_ipv4": "10.0.0.0/8",
            },
        ),
    ]
    drift = replay(state, stratus_records(corpus_dir), "stratus").only()
    assert (drift.kind, drift.resource.type, drift.resource.id, drift.severity) == (
        Kind.UNMANAGED,
        "aws_vpc_security_group_ingress_rule",
        "sgr-09b3e3d2ca1edf2a2",
        Severity.CRITICAL,
    )
    assert {c.path: c.after for c in drift.changes}["cidr_ipv4"] == "208.236.235.254/0"


def test_stratus_group_in_another_account_is_not_ours(corpus_dir: Path) -> None:
    state = [sg("target", STRATUS_SG, "999999999999", "us-northeast-1r")]
    outcome = replay(state, stratus_records(corpus_dir), "stratus")
    assert outcome.open == []
    assert outcome.skipped == {"not_in_state": 1}


# --------------------------------------------------------------------------- aws-lab.tfstate

LAB_ACCOUNT = "230446364776"
LAB_SG = "sg-00b0bd48f1f5bca5b"
LAB_INSTANCE = "i-0cea65ac652556767"


def lab(name: str, request: dict[str, Any], **kwargs: Any) -> CloudEvent:
    return make_event(name, "ec2", request, {"_return": True}, account=LAB_ACCOUNT, **kwargs)


def ingress(cidr: str, port: int) -> dict[str, Any]:
    return {
        "groupId": LAB_SG,
        "ipPermissions": {
            "items": [
                {
                    "ipProtocol": "tcp",
                    "fromPort": port,
                    "toPort": port,
                    "ipRanges": {"items": [{"cidrIp": cidr}]},
                }
            ]
        },
    }


LAB_CASES = [
    pytest.param(
        lab("AuthorizeSecurityGroupIngress", ingress("0.0.0.0/0", 3389)),
        ("aws_security_group.webserver", Severity.CRITICAL, ["ingress"]),
        id="rdp-opened-on-lab-group",
    ),
    pytest.param(
        lab("RevokeSecurityGroupIngress", ingress("0.0.0.0/0", 22)),
        ("aws_security_group.webserver", Severity.MEDIUM, ["ingress"]),
        id="ssh-rule-revoked-from-lab-group",
    ),
    pytest.param(
        lab("AuthorizeSecurityGroupIngress", ingress("0.0.0.0/0", 80)),
        "no_change",
        id="http-rule-already-in-lab-state",
    ),
    pytest.param(
        lab(
            "ModifyInstanceAttribute",
            {"instanceId": LAB_INSTANCE, "disableApiTermination": {"value": False}},
        ),
        ("aws_instance.webserver", Severity.HIGH, ["disable_api_termination"]),
        id="lab-instance-termination-protection-off",
    ),
    pytest.param(
        lab(
            "ModifyInstanceMetadataOptions",
            {
                "ModifyInstanceMetadataOptionsRequest": {
                    "InstanceId": LAB_INSTANCE,
                    "HttpTokens": "optional",
                }
            },
        ),
        ("aws_instance.webserver", Severity.HIGH, ["metadata_options[0].http_tokens"]),
        id="lab-instance-imdsv1",
    ),
    pytest.param(
        lab(
            "CreateTags",
            {
                "resourcesSet": {"items": [{"resourceId": "vpc-0a2d20c13642e37cc"}]},
                "tagSet": {"items": [{"key": "ManagedBy", "value": "Terraform"}]},
            },
        ),
        "no_change",
        id="lab-default-tag-rewritten-with-its-value",
    ),
    pytest.param(
        lab(
            "CreateTags",
            {
                "resourcesSet": {"items": [{"resourceId": "vpc-0a2d20c13642e37cc"}]},
                "tagSet": {"items": [{"key": "Owner", "value": "alan"}]},
            },
        ),
        ("aws_vpc.test", Severity.LOW, ["tags"]),
        id="lab-vpc-tagged",
    ),
    pytest.param(
        lab(
            "ModifySubnetAttribute",
            {"subnetId": "subnet-0fa895b0ccbc1ab1f", "mapPublicIpOnLaunch": {"value": False}},
        ),
        ("aws_subnet.public", Severity.MEDIUM, ["map_public_ip_on_launch"]),
        id="lab-subnet-public-ip-off",
    ),
    pytest.param(
        make_event("DeleteSecurityGroup", "ec2", {"groupId": LAB_SG}, account="111111111111"),
        "not_in_state",
        id="same-id-in-another-account",
    ),
]


@pytest.mark.parametrize(("event", "expected"), LAB_CASES)
def test_aws_lab_state(
    event: CloudEvent, expected: tuple[str, Severity, list[str]] | str, corpus_dir: Path
) -> None:
    doc = json.loads((corpus_dir / "states" / "aws-lab.tfstate").read_text())
    outcome = run_events(index_from_doc(doc, source="aws-lab.tfstate"), [event])
    if isinstance(expected, str):
        assert outcome.open == []
        assert outcome.skipped == {expected: 1}
        return
    address, severity, paths = expected
    drift = outcome.only()
    assert (drift.resource.address, drift.severity) == (address, severity)
    assert [c.path for c in drift.changes] == paths
    assert drift.resource.state == "aws-lab.tfstate"


def test_aws_lab_revoked_ssh_keeps_http(corpus_dir: Path) -> None:
    doc = json.loads((corpus_dir / "states" / "aws-lab.tfstate").read_text())
    event = lab("RevokeSecurityGroupIngress", ingress("0.0.0.0/0", 22))
    (change,) = run_events(index_from_doc(doc), [event]).only().changes
    assert [b["description"] for b in change.before] == ["HTTP", "SSH"]
    assert [b["description"] for b in change.after] == ["HTTP"]
