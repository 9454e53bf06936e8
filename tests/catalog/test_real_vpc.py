"""VPC routing and edge rows against recorded CloudTrail (``tests/fixtures/cloudtrail/real/
ec2-vpc/``, sources and licences in ``real/SOURCES.md``), replayed through the normaliser, the
Engine and fold as ``detect`` does.

The state is ``tests/fixtures/states/real-vpc.tfstate`` (written by ``terraform apply`` with the
AWS provider 5.100.0 against moto), re-labelled to carry each record's ids, account and region:
the records name made-up ids (``rtb-1``, ``acl-1111``) or another account, and the state index
matches resources by account and region.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.core.state_text import parse_state_text
from tfdrift_gitops.models import CloudEvent, Kind, Severity

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RECORDS = FIXTURES / "cloudtrail" / "real" / "ec2-vpc"
STATE = FIXTURES / "states" / "real-vpc.tfstate"

PUBLIC_RTB = "rtb-bbeb3ba69cec2b21c"
PRIVATE_RTB = "rtb-1f7329bd0eebecfad"
IGW = "igw-3af6e9ce8aad127f2"
VPC = "vpc-5072c84e3bd85bd9c"
PUBLIC_ACL = "acl-1b872ee2ce925e297"
PRIVATE_ACL = "acl-ee5cabfb60549efdf"
FLOW_LOG = "fl-754920328e93a0857"
PANTHER = {"us-east-1": "us-west-2"}


def events(name: str) -> list[CloudEvent]:
    doc = json.loads((RECORDS / name).read_text())
    return [normalize_record(raw, f"{name}#{n}") for n, raw in enumerate(doc["Records"])]


def estate(relabel: Mapping[str, str]) -> StateIndex:
    text = STATE.read_text()
    for old, new in relabel.items():
        text = text.replace(old, new)
    return StateIndex([parse_state_text(text, source=str(STATE))])


def _route(**fields: str) -> dict[str, str]:
    keys = (
        "carrier_gateway_id",
        "cidr_block",
        "core_network_arn",
        "destination_prefix_list_id",
        "egress_only_gateway_id",
        "gateway_id",
        "ipv6_cidr_block",
        "local_gateway_id",
        "nat_gateway_id",
        "network_interface_id",
        "transit_gateway_id",
        "vpc_endpoint_id",
        "vpc_peering_connection_id",
    )
    return {k: fields.get(k, "") for k in keys}


def _entry(number: int, **fields: Any) -> dict[str, Any]:
    block: dict[str, Any] = {
        "action": "allow",
        "cidr_block": "",
        "from_port": 0,
        "icmp_code": 0,
        "icmp_type": 0,
        "ipv6_cidr_block": "",
        "protocol": "-1",
        "rule_no": number,
        "to_port": 0,
    }
    block.update(fields)
    return block


HTTPS_IN = _entry(100, cidr_block="10.0.0.0/16", from_port=443, to_port=443, protocol="6")
ALL_OUT = _entry(100, cidr_block="0.0.0.0/0")

CASES = [
    pytest.param(
        "panther-create-route.json",
        # The record's table has no default route yet: a private table managed inline.
        {PUBLIC_RTB: "rtb-1", IGW: "igw-1", **PANTHER},
        "no_change",
        None,
        id="create-route-already-in-state",
    ),
    pytest.param(
        "panther-create-route.json",
        {
            PRIVATE_RTB: "rtb-1",
            # Its route resource sends another destination than the record's.
            '"destination_cidr_block": "0.0.0.0/0"': '"destination_cidr_block": "10.8.0.0/16"',
            **PANTHER,
        },
        Kind.UNMANAGED,
        (
            "rtb-1_0.0.0.0/0",
            {
                "route_table_id": (None, "rtb-1"),
                "destination_cidr_block": (None, "0.0.0.0/0"),
                "gateway_id": (None, "igw-1"),
            },
            Severity.HIGH,
        ),
        id="create-default-route-to-internet-in-table-with-route-resources",
    ),
    pytest.param(
        "panther-attach-internet-gateway.json",
        {IGW: "igw-1", VPC: "vpc-0", **PANTHER},
        Kind.MODIFIED,
        ("aws_internet_gateway.main", {"vpc_id": ("vpc-0", "vpc-1")}, Severity.HIGH),
        id="attach-internet-gateway-to-another-vpc",
    ),
    pytest.param(
        "panther-create-network-acl-entry-all-egress.json",
        {PUBLIC_ACL: "acl-1", **PANTHER},
        Kind.MODIFIED,
        (
            "aws_network_acl.public",
            {"egress": ([ALL_OUT], [ALL_OUT, _entry(500, cidr_block="0.0.0.0/0")])},
            Severity.MEDIUM,
        ),
        id="nacl-all-egress-inline",
    ),
    pytest.param(
        "panther-create-network-acl-entry-permissive.json",
        {PUBLIC_ACL: "acl-1111", **PANTHER},
        Kind.MODIFIED,
        (
            "aws_network_acl.public",
            {
                "ingress": (
                    [HTTPS_IN],
                    [
                        HTTPS_IN,
                        _entry(
                            12, cidr_block="0.0.0.0/0", from_port=700, to_port=702, protocol="6"
                        ),
                    ],
                )
            },
            Severity.HIGH,
        ),
        id="nacl-ports-open-to-anywhere-inline",
    ),
    pytest.param(
        "panther-create-network-acl-entry-permissive.json",
        {PRIVATE_ACL: "acl-1111", **PANTHER},
        Kind.UNMANAGED,
        ("acl-1111:12:false", None, Severity.HIGH),
        id="nacl-entry-on-acl-with-rule-resources",
    ),
    pytest.param(
        "stratus-delete-flow-logs.json",
        {
            FLOW_LOG: "fl-0e17aa62a21d4bbfe",
            "us-east-1": "megov-south-1r",
            "123456789012": "498376118699",
        },
        Kind.DELETED,
        ("aws_flow_log.main", {}, Severity.HIGH),
        id="delete-flow-logs",
    ),
    pytest.param(
        "stratus-delete-flow-logs.json",
        {"us-east-1": "megov-south-1r", "123456789012": "498376118699"},
        "not_in_state",
        None,
        id="delete-flow-logs-nobody-manages",
    ),
]


@pytest.mark.parametrize(("record", "relabel", "kind", "want"), CASES)
def test_recorded_vpc_call(
    record: str, relabel: Mapping[str, str], kind: Kind | str, want: Any
) -> None:
    outcome = run_events(estate(relabel), events(record))
    if not isinstance(kind, Kind):
        assert outcome.open == [] and outcome.skipped == {kind: 1}, outcome
        return
    at, changes, severity = want
    drift = outcome.only()
    assert drift.kind is kind
    assert (drift.resource.address or drift.resource.id) == at
    if changes is not None:
        assert {c.path: (c.before, c.after) for c in drift.changes} == changes
    assert drift.severity is severity, drift.severity_reasons
