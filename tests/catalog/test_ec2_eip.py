"""AssociateAddress / DisassociateAddress on an elastic IP whose association Terraform keeps
inline (``aws_eip.instance`` / ``network_interface``), with the instance in state or not.

A call naming only an instance lands the address on that instance's primary interface, which
neither its request nor its response names; Terraform's refresh shows both attributes move
(tests/oracle/test_oracle_ec2.py, ``eip_associated``). The engine reads the interface from the
instance's state; without it the change is reported with a value CloudTrail did not carry.
A call naming only an interface makes AWS report the instance the interface is attached to as
well (DescribeAddresses' ``InstanceId``; moto 5.2.6 does not, ``eip_on_interface``): the
engine reads it from the interface's attachment in state, a separate attachment, the
instance whose primary interface it is, or the instance launched with it (its
``network_interface`` block, any device index); without any, again a value CloudTrail did not
carry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.conftest import CONSOLE_UA, TERRAFORM_UA, make_event, run_events
from tfdrift_gitops.core.catalog.ec2_edges import AssociatedInstance, AssociatedInterface
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.core.state_text import parse_state_text
from tfdrift_gitops.models import CloudEvent, Kind

VPC_STATE = Path(__file__).resolve().parents[1] / "fixtures" / "states" / "real-vpc.tfstate"
BASTION_EIP = "eipalloc-afd791b39ef607b5e"
INSTANCE = "i-0a1b2c3d4e5f60718"
PRIMARY_ENI = "eni-5f3e8d2c1b0a49786"
OTHER_ENI = "eni-0c4d5e6f7a8b9c0d1"
ASSOCIATION = "eipassoc-0a1b2c3d4e5f60718"
WEB_EIP = "eipalloc-0f1e2d3c4b5a69788"


def _resource(rtype: str, name: str, attributes: dict[str, Any]) -> dict[str, Any]:
    return {
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
        "instances": [{"schema_version": 0, "attributes": attributes, "sensitive_attributes": []}],
    }


def _state(*resources: dict[str, Any]) -> str:
    return json.dumps(
        {
            "version": 4,
            "terraform_version": "1.11.4",
            "serial": 3,
            "lineage": "6c1d7f2a-0b3e-4c5d-8e9f-a0b1c2d3e4f5",
            "outputs": {},
            "resources": list(resources),
        }
    )


def _interface(*attachments: dict[str, Any]) -> dict[str, Any]:
    """An ``aws_network_interface`` (OTHER_ENI) as the provider stores it, ``attachment`` a
    set of blocks."""
    return _resource(
        "aws_network_interface", "extra", {"id": OTHER_ENI, "attachment": list(attachments)}
    )


def _attached(instance: str = INSTANCE) -> dict[str, Any]:
    return {"attachment_id": "eni-attach-0a1b2c3d", "device_index": 1, "instance": instance}


def _attachment(instance: str = INSTANCE) -> dict[str, Any]:
    """A separate ``aws_network_interface_attachment`` of OTHER_ENI."""
    attributes = {
        "id": "eni-attach-0a1b2c3d",
        "instance_id": instance,
        "network_interface_id": OTHER_ENI,
        "device_index": 1,
    }
    return _resource("aws_network_interface_attachment", "extra", attributes)


def _launched(interface: str, device_index: Any) -> dict[str, Any]:
    """One block of an ``aws_instance``'s ``network_interface`` (attached at launch), as the
    provider stores it: refreshed from the instance's attachment at that device index."""
    return {
        "delete_on_termination": False,
        "device_index": device_index,
        "network_card_index": 0,
        "network_interface_id": interface,
    }


THIRD_ENI = "eni-0e1f2a3b4c5d6e7f8"


def _instance_state(**attributes: Any) -> str:
    """A state holding one ``aws_instance`` (only the attributes the rows read) and an elastic
    IP associated with it inline."""
    web_eip = {
        "id": WEB_EIP,
        "association_id": ASSOCIATION,
        "instance": INSTANCE,
        "network_interface": PRIMARY_ENI,
    }
    return json.dumps(
        {
            "version": 4,
            "terraform_version": "1.11.4",
            "serial": 3,
            "lineage": "6c1d7f2a-0b3e-4c5d-8e9f-a0b1c2d3e4f5",
            "outputs": {},
            "resources": [
                _resource("aws_instance", "bastion", {"id": INSTANCE, **attributes}),
                _resource("aws_eip", "web", web_eip),
            ],
        }
    )


def _index(*instance_states: str) -> StateIndex:
    states = [parse_state_text(VPC_STATE.read_text(), source=str(VPC_STATE))]
    states += [
        parse_state_text(text, source=f"compute-{n}") for n, text in enumerate(instance_states)
    ]
    return StateIndex(states)


WITH_INSTANCE = _index(_instance_state(primary_network_interface_id=PRIMARY_ENI))
WITHOUT_INSTANCE = _index()


def _associate(user_agent: str = CONSOLE_UA, **target: str) -> CloudEvent:
    return make_event(
        "AssociateAddress",
        "ec2",
        {"allocationId": BASTION_EIP, **target},
        {"requestId": "1", "_return": True, "associationId": ASSOCIATION},
        time=1,
        user_agent=user_agent,
    )


def _disassociate() -> CloudEvent:
    return make_event(
        "DisassociateAddress",
        "ec2",
        {"associationId": ASSOCIATION},
        {"requestId": "2", "_return": True},
        time=2,
    )


def _changes(index: StateIndex, events: list[CloudEvent]) -> dict[str, tuple[Any, Any]]:
    drift = run_events(index, events).only()
    assert drift.kind is Kind.MODIFIED and drift.resource.address == "aws_eip.bastion"
    return {c.path: (c.before, c.after) for c in drift.changes}


@pytest.mark.parametrize(
    ("index", "target", "want"),
    [
        pytest.param(
            WITH_INSTANCE,
            {"instanceId": INSTANCE},
            {"instance": ("", INSTANCE), "network_interface": ("", PRIMARY_ENI)},
            id="instance-in-state",
        ),
        pytest.param(
            WITHOUT_INSTANCE,
            {"instanceId": INSTANCE},
            {"instance": ("", INSTANCE), "network_interface": ("", "(hidden by CloudTrail)")},
            id="instance-not-in-state",
        ),
        pytest.param(
            _index(_instance_state(primary_network_interface_id="")),
            {"instanceId": INSTANCE},
            {"instance": ("", INSTANCE), "network_interface": ("", "(hidden by CloudTrail)")},
            id="instance-in-state-without-interface",
        ),
        pytest.param(
            _index(
                _instance_state(primary_network_interface_id=PRIMARY_ENI),
                _instance_state(primary_network_interface_id=OTHER_ENI),
            ),
            {"instanceId": INSTANCE},
            {"instance": ("", INSTANCE), "network_interface": ("", "(hidden by CloudTrail)")},
            id="two-states-disagree",
        ),
        pytest.param(
            WITHOUT_INSTANCE,
            {"networkInterfaceId": OTHER_ENI},
            {"instance": ("", "(hidden by CloudTrail)"), "network_interface": ("", OTHER_ENI)},
            id="interface-named-not-in-state",
        ),
        pytest.param(
            WITH_INSTANCE,
            {"networkInterfaceId": PRIMARY_ENI},
            {"instance": ("", INSTANCE), "network_interface": ("", PRIMARY_ENI)},
            id="interface-named-primary-of-instance-in-state",
        ),
        pytest.param(
            _index(_state(_interface(_attached()))),
            {"networkInterfaceId": OTHER_ENI},
            {"instance": ("", INSTANCE), "network_interface": ("", OTHER_ENI)},
            id="interface-named-attached-in-its-state",
        ),
        pytest.param(
            _index(_state(_interface(), _attachment())),
            {"networkInterfaceId": OTHER_ENI},
            {"instance": ("", INSTANCE), "network_interface": ("", OTHER_ENI)},
            id="interface-named-separate-attachment-wins",
        ),
        pytest.param(
            _index(_state(_interface())),
            {"networkInterfaceId": OTHER_ENI},
            # State says the interface is attached to nothing: no instance (unchanged "").
            {"network_interface": ("", OTHER_ENI)},
            id="interface-named-unattached-in-state",
        ),
        pytest.param(
            _index(_state(_interface(_attached())), _state(_attachment("i-0fedcba987654321f"))),
            {"networkInterfaceId": OTHER_ENI},
            {"instance": ("", "(hidden by CloudTrail)"), "network_interface": ("", OTHER_ENI)},
            id="interface-named-states-disagree",
        ),
        pytest.param(
            _index(
                _instance_state(
                    primary_network_interface_id=OTHER_ENI,
                    network_interface=[_launched(OTHER_ENI, 0)],
                )
            ),
            {"networkInterfaceId": OTHER_ENI},
            # Launched on the interface (device index 0): its primary, both say so.
            {"instance": ("", INSTANCE), "network_interface": ("", OTHER_ENI)},
            id="interface-named-launch-block-device-0",
        ),
        pytest.param(
            _index(
                _instance_state(
                    primary_network_interface_id=PRIMARY_ENI,
                    network_interface=[_launched(PRIMARY_ENI, 0), _launched(OTHER_ENI, 1)],
                )
            ),
            {"networkInterfaceId": OTHER_ENI},
            # Attached at launch at device index 1: not the primary, the block says which.
            {"instance": ("", INSTANCE), "network_interface": ("", OTHER_ENI)},
            id="interface-named-launch-block-device-1",
        ),
        pytest.param(
            _index(
                _instance_state(
                    primary_network_interface_id=PRIMARY_ENI,
                    network_interface=[_launched(PRIMARY_ENI, 0), _launched(THIRD_ENI, 1)],
                )
            ),
            {"networkInterfaceId": OTHER_ENI},
            # No instance in state holds the interface: not guessed from the one that is there.
            {"instance": ("", "(hidden by CloudTrail)"), "network_interface": ("", OTHER_ENI)},
            id="interface-named-no-instance-has-it",
        ),
        pytest.param(
            _index(
                _instance_state(
                    primary_network_interface_id=PRIMARY_ENI,
                    network_interface=[_launched(OTHER_ENI, None)],
                )
            ),
            {"networkInterfaceId": OTHER_ENI},
            # A block with no device index is no attachment state recorded: not read.
            {"instance": ("", "(hidden by CloudTrail)"), "network_interface": ("", OTHER_ENI)},
            id="interface-named-launch-block-without-device-index",
        ),
        pytest.param(
            _index(
                _instance_state(
                    primary_network_interface_id=PRIMARY_ENI,
                    network_interface=[_launched(PRIMARY_ENI, 0), _launched(OTHER_ENI, 1)],
                ),
                _state(_attachment("i-0fedcba987654321f")),
            ),
            {"networkInterfaceId": OTHER_ENI},
            # The launch block and a separate attachment name two instances: not guessed.
            {"instance": ("", "(hidden by CloudTrail)"), "network_interface": ("", OTHER_ENI)},
            id="interface-named-launch-block-and-attachment-disagree",
        ),
        pytest.param(
            WITH_INSTANCE,
            {"instanceId": INSTANCE, "networkInterfaceId": PRIMARY_ENI},
            {"instance": ("", INSTANCE), "network_interface": ("", PRIMARY_ENI)},
            id="both-named",
        ),
    ],
)
def test_associate_reports_the_interface(
    index: StateIndex, target: dict[str, str], want: dict[str, tuple[Any, Any]]
) -> None:
    assert _changes(index, [_associate(**target)]) == want


def test_disassociate_clears_instance_and_interface() -> None:
    # The reverse: the address leaves the instance and its interface, both become "".
    outcome = run_events(WITH_INSTANCE, [_disassociate()])
    drift = outcome.only()
    assert drift.kind is Kind.MODIFIED and drift.resource.address == "aws_eip.web"
    assert {c.path: (c.before, c.after) for c in drift.changes} == {
        "instance": (INSTANCE, ""),
        "network_interface": (PRIMARY_ENI, ""),
    }


@pytest.mark.parametrize(
    "target",
    [{"instanceId": INSTANCE}, {"networkInterfaceId": OTHER_ENI}],
    ids=["instance-named", "interface-named"],
)
def test_terraform_association_of_an_unknown_target_opens_no_drift(target: dict[str, str]) -> None:
    # Terraform's own call: the value CloudTrail does not carry is taken to be Terraform's.
    outcome = run_events(WITHOUT_INSTANCE, [_associate(TERRAFORM_UA, **target)])
    assert outcome.open == [], outcome.open


def test_without_a_state_index_only_the_call_is_read() -> None:
    # Probes (shape checks) apply effects with no index: the interface is then not known.
    attrs: dict[str, Any] = {}
    assert AssociatedInterface().apply(attrs, _associate(instanceId=INSTANCE))
    assert attrs["network_interface"] == "<sensitiveDataRemoved>"
    assert not AssociatedInterface().apply({}, _associate())
    attrs = {}
    assert AssociatedInstance().apply(attrs, _associate(networkInterfaceId=OTHER_ENI))
    assert attrs["instance"] == "<sensitiveDataRemoved>"
    assert not AssociatedInstance().apply({}, _associate())
