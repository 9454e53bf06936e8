"""Helpers for catalog tables: build CloudEvents and a StateIndex from small literals.

Plain functions (import them: ``from tests.catalog.conftest import make_event, make_index``
or, with pytest's rootdir on sys.path, ``from conftest import ...``) plus thin fixtures for
tests that prefer injection. Each catalog test goes through the real Engine and fold via
:func:`run_events`.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.state import StateIndex, parse_state
from tfdrift_gitops.models import Actor, CloudEvent, Drift, Kind, Severity, Via

ACCOUNT = "123456789012"
REGION = "us-east-1"
CONSOLE_UA = "console.ec2.amazonaws.com"
CLI_UA = "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off"
TERRAFORM_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io) "
    "terraform-provider-aws/5.80.0 (+https://registry.terraform.io/providers/hashicorp/aws) "
    "aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 "
    "api/ec2#1.193.0"
)
BASE_TIME = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
STATE_SOURCE = "test.tfstate"

_counter = itertools.count(1)

# A state resource literal: (type, name, attributes[, module[, index_key]]).
ResourceSpec = (
    tuple[str, str, Mapping[str, Any]]
    | tuple[str, str, Mapping[str, Any], str | None]
    | tuple[str, str, Mapping[str, Any], str | None, int | str | None]
)


def _via(user_agent: str) -> Via:
    agent = user_agent.lower()
    if "terraform/" in agent or "opentofu/" in agent:
        return Via.TERRAFORM
    if agent.startswith("console.") or "console.amazonaws.com" in agent:
        return Via.CONSOLE
    if agent.startswith("aws-cli/"):
        return Via.CLI
    if "boto3/" in agent or "aws-sdk" in agent:
        return Via.SDK
    return Via.UNKNOWN


def make_event(
    name: str,
    source: str,
    request: Mapping[str, Any] | None,
    response: Mapping[str, Any] | None = None,
    *,
    user_agent: str = CONSOLE_UA,
    error_code: str = "",
    time: datetime | int | str | None = None,
    account: str = ACCOUNT,
    region: str = REGION,
    actor_name: str = "alan@acme.example",
    event_id: str | None = None,
    read_only: bool = False,
) -> CloudEvent:
    """A CloudEvent as the normaliser would produce it.

    ``time`` is a datetime, an ISO string, or an int = minutes after BASE_TIME (handy for
    ordering cases). ``source`` may be the short service name (``ec2``) or the full host.
    """
    if time is None:
        when = BASE_TIME + timedelta(seconds=next(_counter))
    elif isinstance(time, int):
        when = BASE_TIME + timedelta(minutes=time)
    elif isinstance(time, str):
        when = datetime.fromisoformat(time.replace("Z", "+00:00"))
    else:
        when = time
    host = source if "." in source else f"{source}.amazonaws.com"
    role = "terraform-ci" if _via(user_agent) is Via.TERRAFORM else "AdministratorAccess"
    actor = Actor(
        name=actor_name,
        arn=f"arn:aws:sts::{account}:assumed-role/{role}/{actor_name}",
        type="AssumedRole",
        account_id=account,
        principal_id=f"AROAEXAMPLE:{actor_name}",
        session_name=actor_name,
        source_ip="203.0.113.42",
        user_agent=user_agent,
        via=_via(user_agent),
    )
    return CloudEvent(
        id=event_id or f"evt-{uuid.uuid4().hex[:20]}",
        name=name,
        source=host,
        time=when,
        region=region,
        actor=actor,
        account_id=account,
        request=request,
        response=response,
        error_code=error_code,
        error_message=f"{error_code}: denied" if error_code else "",
        read_only=read_only,
    )


def state_doc(*resources: ResourceSpec, serial: int = 1) -> dict[str, Any]:
    """A v4 state document; resources sharing (module, type, name) become one with instances."""
    grouped: dict[tuple[str | None, str, str], list[dict[str, Any]]] = {}
    for spec in resources:
        rtype, name, attrs = spec[0], spec[1], spec[2]
        module = spec[3] if len(spec) > 3 else None
        index_key = spec[4] if len(spec) > 4 else None
        instance: dict[str, Any] = {"schema_version": 0, "attributes": dict(attrs)}
        if index_key is not None:
            instance["index_key"] = index_key
        grouped.setdefault((module, rtype, name), []).append(instance)
    out: list[dict[str, Any]] = []
    for (module, rtype, name), instances in grouped.items():
        res: dict[str, Any] = {
            "mode": "managed",
            "type": rtype,
            "name": name,
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": instances,
        }
        if module:
            res["module"] = module
        out.append(res)
    return {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": serial,
        "lineage": "00000000-0000-0000-0000-000000000000",
        "outputs": {},
        "resources": out,
        "check_results": None,
    }


def make_index(*resources: ResourceSpec, source: str = STATE_SOURCE) -> StateIndex:
    """A StateIndex over one state holding ``resources``."""
    return StateIndex([parse_state(state_doc(*resources), source=source)])


def index_from_doc(doc: Mapping[str, Any], source: str = STATE_SOURCE) -> StateIndex:
    return StateIndex([parse_state(doc, source=source)])


@dataclass(slots=True)
class Outcome:
    """What replaying events gave: open drifts, resolved drifts and skip counts."""

    open: list[Drift]
    resolved: list[Drift]
    skipped: dict[str, int] = field(default_factory=dict)

    def only(self) -> Drift:
        assert len(self.open) == 1, f"expected one open drift, got {self.open!r}"
        return self.open[0]

    def by_address(self, address: str) -> Drift:
        found = [d for d in self.open if (d.resource.address or d.resource.id) == address]
        assert found, f"no open drift at {address}; open: {[d.resource for d in self.open]}"
        return found[0]


def run_events(
    index: StateIndex, events: Iterable[CloudEvent], engine: Engine | None = None
) -> Outcome:
    """Feed events, in the order given (delivery order), through Engine + fold."""
    detector = Detector(engine or Engine(index))
    detector.feed(events)
    return Outcome(
        open=detector.drifts,
        resolved=detector.resolved,
        skipped=dict(detector.tally.skipped),
    )


def changes_of(drift: Drift) -> dict[str, tuple[Any, Any]]:
    return {c.path: (c.before, c.after) for c in drift.changes}


def paths_of(drift: Drift) -> Sequence[str]:
    return sorted(c.path for c in drift.changes)


@dataclass(frozen=True)
class Expect:
    """What replaying the case's events must give."""

    kind: Kind | None = None
    address: str = ""
    """The drift's address, or the cloud id for unmanaged drift."""
    changes: dict[str, tuple[Any, Any]] | None = None
    """Exact (before, after) per path; ``{}`` means a resource-level drift (no changes)."""
    severity: Severity | None = None
    skipped: str | None = None
    """Every event is skipped for this reason (``Skip`` value) and no drift exists."""
    resolved: str | None = None
    """Substring of the resolving transition's reason."""
    open_count: int = 1
    """How many drifts must be open in all (``address`` picks the one checked)."""


def check(state: Sequence[ResourceSpec], events: Sequence[CloudEvent], expect: Expect) -> None:
    """Replay ``events`` (delivery order) over ``state`` and assert ``expect``."""
    outcome = run_events(make_index(*state), events)
    if expect.skipped is not None:
        assert outcome.open == [] and outcome.resolved == []
        assert outcome.skipped == {expect.skipped: len(events)}
        return
    if expect.resolved is not None:
        assert outcome.open == [], [d.changes for d in outcome.open]
        assert len(outcome.resolved) == 1
        last = outcome.resolved[0].history[-1]
        assert expect.resolved in last.reason
        return
    assert len(outcome.open) == expect.open_count, outcome
    drift = outcome.by_address(expect.address)
    assert drift.kind is expect.kind
    if expect.changes is not None:
        assert {c.path: (c.before, c.after) for c in drift.changes} == expect.changes
    if expect.severity is not None:
        assert drift.severity is expect.severity, drift.severity_reasons


@pytest.fixture
def event_factory() -> Any:
    return make_event


@pytest.fixture
def index_factory() -> Any:
    return make_index
