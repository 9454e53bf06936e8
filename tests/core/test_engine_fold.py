"""The engine and the fold rules on a small catalog of our own (service tables test themselves)."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.catalog.model import (
    Action,
    AddItems,
    RemoveItems,
    Rule,
    Set,
    Target,
    as_bool,
    item_list,
    mapped,
    req,
    resp,
)
from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine, Skip
from tfdrift_gitops.core.fold import (
    REPLAYED_MAX,
    REPLAYED_PER_CALL,
    FoldResult,
    fold,
    reassess,
)
from tfdrift_gitops.core.policy import IgnoreRule, Policy, SeverityOverride
from tfdrift_gitops.core.record import drift_from_record, drift_to_record
from tfdrift_gitops.core.state import StateIndex, parse_state
from tfdrift_gitops.models import Actor, CloudEvent, Drift, Kind, Severity, Status, Via

ACCOUNT = "111122223333"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TERRAFORM_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io)"
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "tfdrift_gitops/schemas/drift-v1.json").read_text()
)


def _critical_when_public(event: CloudEvent, observed: Any) -> tuple[Severity, str] | None:
    if observed.get("public") is True:
        return Severity.CRITICAL, "thing made public"
    return None


THING = "aws_thing"
CATALOG = Catalog(
    [
        Rule(
            "PutThing",
            "thing.amazonaws.com",
            Action.MODIFY,
            (
                Target(
                    THING,
                    "id",
                    req("thingId"),
                    (
                        Set("enabled", mapped(req("enabled"), as_bool)),
                        Set("public", mapped(req("public"), as_bool)),
                    ),
                ),
            ),
            severity=Severity.MEDIUM,
            severity_checks=(_critical_when_public,),
        ),
        Rule(
            "AddMember",
            "thing.amazonaws.com",
            Action.MODIFY,
            (
                Target(
                    THING, "id", req("thingId"), (AddItems("members", item_list(req("members"))),)
                ),
            ),
        ),
        Rule(
            "RemoveMember",
            "thing.amazonaws.com",
            Action.MODIFY,
            (
                Target(
                    THING,
                    "id",
                    req("thingId"),
                    (RemoveItems("members", item_list(req("members"))),),
                ),
            ),
        ),
        Rule(
            "TouchThing",
            "thing.amazonaws.com",
            Action.MODIFY,
            (Target(THING, "id", req("thingId")),),
        ),
        Rule(
            "CreateThing",
            "thing.amazonaws.com",
            Action.CREATE,
            (Target(THING, "id", resp("thingId"), (Set("name", req("name")),)),),
            severity=Severity.LOW,
        ),
        Rule(
            "DeleteThing",
            "thing.amazonaws.com",
            Action.DELETE,
            (Target(THING, "id", req("thingId")),),
            severity=Severity.HIGH,
        ),
    ]
)


def state_doc(serial: int = 7, **overrides: Any) -> dict[str, Any]:
    attrs = {
        "id": "t-1",
        "arn": f"arn:aws:thing:eu-west-1:{ACCOUNT}:thing/t-1",
        "enabled": True,
        "public": False,
        "members": ["a", "b"],
    }
    attrs.update(overrides)
    return {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": serial,
        "lineage": "l-1",
        "outputs": {},
        "resources": [
            {
                "module": "module.core",
                "mode": "managed",
                "type": THING,
                "name": "main",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [{"schema_version": 0, "index_key": "blue", "attributes": attrs}],
            },
            {
                "mode": "data",
                "type": THING,
                "name": "lookup",
                "instances": [{"attributes": {"id": "t-data"}}],
            },
        ],
    }


ADDRESS = 'module.core.aws_thing.main["blue"]'


def make_engine(policy: Policy | None = None, **overrides: Any) -> Engine:
    index = StateIndex([parse_state(state_doc(**overrides), source="state.json")])
    return Engine(index, CATALOG, policy or Policy())


def event(
    name: str,
    request: dict[str, Any],
    *,
    minutes: int = 0,
    eid: str | None = None,
    agent: str = "console.amazonaws.com",
    response: dict[str, Any] | None = None,
    error: str = "",
    read_only: bool = False,
    arn: str = f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alan@acme.example",
) -> CloudEvent:
    via = Via.TERRAFORM if "Terraform/" in agent else Via.CONSOLE
    return CloudEvent(
        id=eid or f"{name}-{minutes}",
        name=name,
        source="thing.amazonaws.com",
        time=T0 + timedelta(minutes=minutes),
        region="eu-west-1",
        actor=Actor(
            name=arn.rsplit("/", 1)[-1], arn=arn, account_id=ACCOUNT, user_agent=agent, via=via
        ),
        account_id=ACCOUNT,
        request=request,
        response=response,
        error_code=error,
        read_only=read_only,
    )


def run(events: list[CloudEvent], engine: Engine | None = None) -> Detector:
    detector = Detector(engine or make_engine())
    detector.feed(events)
    return detector


def test_modification_reports_terraform_paths_with_state_before_and_observed_after() -> None:
    detector = run([event("PutThing", {"thingId": "t-1", "enabled": "false"})])
    [drift] = detector.drifts
    assert drift.kind is Kind.MODIFIED
    assert drift.resource.address == ADDRESS
    assert drift.resource.state == "state.json"
    assert [(c.path, c.before, c.after) for c in drift.changes] == [("enabled", True, False)]
    assert drift.actor.name == "alan@acme.example"
    jsonschema.validate(drift_to_record(drift), SCHEMA)


@pytest.mark.parametrize(
    ("ev", "reason"),
    [
        pytest.param(
            event("PutThing", {"thingId": "t-1", "enabled": True}),
            "no_change",
            id="sets-what-state-has",
        ),
        pytest.param(
            event("PutThing", {"thingId": "t-1", "enabled": "true"}),
            "no_change",
            id="sets-what-state-has-as-string",
        ),
        pytest.param(
            event("PutThing", {"thingId": "t-1", "enabled": False}, error="AccessDenied"),
            "failed_call",
            id="failed-call",
        ),
        pytest.param(
            event("PutThing", {"thingId": "t-1"}, read_only=True), "read_only", id="read-only"
        ),
        pytest.param(event("GetThing", {"thingId": "t-1"}), "not_in_catalog", id="unknown-event"),
        pytest.param(
            event("PutThing", {"thingId": "t-1", "enabled": False}, agent=TERRAFORM_UA),
            "trusted_actor",
            id="terraform-itself",
        ),
        pytest.param(
            event("PutThing", {"thingId": "t-9", "enabled": False}),
            "not_in_state",
            id="not-managed",
        ),
        pytest.param(event("PutThing", {"other": 1}), "no_resource_id", id="no-id"),
    ],
)
def test_not_drift_is_counted_by_reason(ev: CloudEvent, reason: str) -> None:
    detector = run([ev])
    assert detector.drifts == []
    assert detector.tally.skipped == {reason: 1}


def test_resource_level_drift_when_the_call_has_no_attribute_model() -> None:
    [drift] = run([event("TouchThing", {"thingId": "t-1"})]).drifts
    assert drift.kind is Kind.MODIFIED
    assert drift.changes == ()


def test_reverted_by_hand_resolves() -> None:
    detector = run(
        [
            event("AddMember", {"thingId": "t-1", "members": {"items": ["c"]}}, minutes=1),
            event("RemoveMember", {"thingId": "t-1", "members": ["c"]}, minutes=2),
        ]
    )
    assert detector.drifts == []
    [resolved] = detector.resolved
    assert resolved.status is Status.RESOLVED
    assert resolved.history[-1].evidence["event_id"] == "RemoveMember-2"


def test_reverted_by_terraform_resolves_with_the_terraform_call_as_evidence() -> None:
    detector = run(
        [
            event("AddMember", {"thingId": "t-1", "members": ["c"]}, minutes=1),
            event(
                "RemoveMember",
                {"thingId": "t-1", "members": ["c"]},
                minutes=5,
                agent=TERRAFORM_UA,
                eid="tf-revert",
            ),
        ]
    )
    [resolved] = detector.resolved
    assert resolved.history[-1].reason == "reverted by Terraform"
    assert resolved.history[-1].evidence["event_id"] == "tf-revert"


def test_terraform_touching_the_resource_but_keeping_the_change_leaves_the_drift_open() -> None:
    detector = run(
        [
            event("AddMember", {"thingId": "t-1", "members": ["c"]}, minutes=1),
            event(
                "RemoveMember",
                {"thingId": "t-1", "members": ["zzz"]},
                minutes=5,
                agent=TERRAFORM_UA,
            ),
        ]
    )
    [drift] = detector.drifts
    assert drift.status is Status.OPEN
    assert drift.changes[0].after == ["a", "b", "c"]
    assert drift.actor.name == "alan@acme.example"  # Terraform is never named as the actor


def test_order_by_event_time_not_arrival() -> None:
    newer = event("PutThing", {"thingId": "t-1", "enabled": False}, minutes=10)
    older = event("PutThing", {"thingId": "t-1", "enabled": True, "public": True}, minutes=1)
    [drift] = run([newer, older]).drifts
    changes = {c.path: c.after for c in drift.changes}
    assert changes == {"enabled": False, "public": True}  # the older call never overrides
    assert drift.event.id == newer.id


def test_severity_only_rises() -> None:
    detector = run(
        [
            event("PutThing", {"thingId": "t-1", "public": True}, minutes=1),
            event("PutThing", {"thingId": "t-1", "public": False, "enabled": False}, minutes=2),
        ]
    )
    [drift] = detector.drifts
    assert drift.severity is Severity.CRITICAL
    assert "thing made public" in drift.severity_reasons


def test_unmanaged_creation_carries_observed_attributes() -> None:
    created = event("CreateThing", {"name": "hand-made"}, response={"thingId": "t-new"}, minutes=3)
    [drift] = run([created]).drifts
    assert drift.kind is Kind.UNMANAGED
    assert (drift.resource.type, drift.resource.id, drift.resource.address) == (THING, "t-new", "")
    assert [(c.path, c.before, c.after) for c in drift.changes] == [("name", None, "hand-made")]


def test_deleting_the_unmanaged_resource_resolves_it() -> None:
    detector = run(
        [
            event("CreateThing", {"name": "x"}, response={"thingId": "t-new"}, minutes=1),
            event("DeleteThing", {"thingId": "t-new"}, minutes=2),
        ]
    )
    assert detector.drifts == []
    assert detector.resolved[0].history[-1].reason == "the unmanaged resource was deleted"


def test_delete_of_managed_resource_and_terraform_recreating_it() -> None:
    deleted = event("DeleteThing", {"thingId": "t-1"}, minutes=1)
    [drift] = run([deleted]).drifts
    assert (drift.kind, drift.severity) == (Kind.DELETED, Severity.HIGH)
    recreated = event(
        "CreateThing", {"name": "x"}, response={"thingId": "t-1"}, minutes=9, agent=TERRAFORM_UA
    )
    detector = run([deleted, recreated])
    assert detector.drifts == []
    assert detector.resolved[0].history[-1].reason == "recreated by Terraform"


def test_creation_in_an_account_terraform_does_not_manage_is_not_unmanaged_drift() -> None:
    foreign = event(
        "CreateThing",
        {"name": "x"},
        response={"thingId": "t-x"},
        arn="arn:aws:sts::999999999999:assumed-role/Admin/bob",
    )
    assert run([_with_account(foreign, "999999999999")]).drifts == []


def _with_account(ev: CloudEvent, account: str) -> CloudEvent:
    from dataclasses import replace

    return replace(ev, account_id=account, actor=replace(ev.actor, account_id=account))


def test_redelivered_event_changes_nothing() -> None:
    ev = event("PutThing", {"thingId": "t-1", "enabled": False})
    detector = run([ev, ev])
    assert len(detector.drifts[0].events) == 1
    assert detector.tally.skipped == {"duplicate_event": 1}


@pytest.mark.parametrize(
    ("policy", "ev", "reason"),
    [
        pytest.param(
            Policy(trusted_actors=(f"arn:aws:iam::{ACCOUNT}:role/Admin",)),
            event("PutThing", {"thingId": "t-1", "enabled": False}),
            "trusted_actor",
            id="trusted-role-arn-matches-session",
        ),
        pytest.param(
            Policy(ignore=(IgnoreRule(events=("Put*",)),)),
            event("PutThing", {"thingId": "t-1", "enabled": False}),
            "ignored",
            id="ignore-event-glob",
        ),
        pytest.param(
            Policy(ignore=(IgnoreRule(addresses=("module.core.*",)),)),
            event("PutThing", {"thingId": "t-1", "enabled": False}),
            "ignored",
            id="ignore-address-glob",
        ),
        pytest.param(
            Policy(ignore=(IgnoreRule(resource_types=(THING,), paths=("enabled",)),)),
            event("PutThing", {"thingId": "t-1", "enabled": False}),
            "ignored",
            id="ignore-attribute-path",
        ),
    ],
)
def test_policy_skips(policy: Policy, ev: CloudEvent, reason: str) -> None:
    detector = run([ev], make_engine(policy))
    assert detector.drifts == []
    assert detector.tally.skipped == {reason: 1}


def test_ignored_path_is_dropped_but_other_changes_stay() -> None:
    policy = Policy(ignore=(IgnoreRule(resource_types=(THING,), paths=("enabled",)),))
    ev = event("PutThing", {"thingId": "t-1", "enabled": False, "public": True})
    [drift] = run([ev], make_engine(policy)).drifts
    assert [c.path for c in drift.changes] == ["public"]


def test_severity_override_from_configuration() -> None:
    policy = Policy(severity_overrides=(SeverityOverride(Severity.LOW, paths=("enabled",)),))
    [drift] = run(
        [event("PutThing", {"thingId": "t-1", "enabled": False})], make_engine(policy)
    ).drifts
    assert drift.severity is Severity.LOW


def test_newer_state_matching_the_drifted_values_resolves_as_imported() -> None:
    [drift] = run([event("PutThing", {"thingId": "t-1", "enabled": False})]).drifts
    newer = make_engine(serial=8, enabled=False)
    folded = reassess(newer, drift)
    assert folded.drift is not None and folded.drift.status is Status.RESOLVED
    assert folded.drift.history[-1].evidence["serial"] == 8
    unchanged = reassess(make_engine(serial=8), drift)
    assert unchanged.drift is not None and unchanged.drift.status is Status.OPEN


def test_record_round_trip_and_schema() -> None:
    detector = run(
        [
            event("PutThing", {"thingId": "t-1", "enabled": False}, minutes=1),
            event("AddMember", {"thingId": "t-1", "members": ["c"]}, minutes=2),
        ]
    )
    [drift] = detector.drifts
    record = drift_to_record(drift)
    jsonschema.validate(record, SCHEMA)
    assert drift_from_record(json.loads(json.dumps(record))) == drift
    assert [e["id"] for e in record["events"]] == ["PutThing-1", "AddMember-2"]


def test_a_change_no_effect_can_replay_is_never_proven_undone() -> None:
    """An unmodelled call (or a hidden value) stays open even when a later call sets every
    modelled attribute back to what state says."""
    detector = run(
        [
            event("TouchThing", {"thingId": "t-1"}, minutes=1),
            event("PutThing", {"thingId": "t-1", "enabled": False}, minutes=2),
            event("PutThing", {"thingId": "t-1", "enabled": True}, minutes=3),
        ]
    )
    [drift] = detector.drifts
    assert drift.unverifiable == ("TouchThing-1",)
    assert detector.resolved == []


WEEKS = 3000
"""No-op calls folded into one drift in ``_weeks_open`` (a job calling every few minutes)."""


def _noop(n: int) -> CloudEvent:
    """Call ``n`` of jobs that set what state and the drift already say: two calls made again
    and again, and a removal of a member that is not there, different every time; at the end
    one of them alone, many times in a row."""
    if n > WEEKS - 50 or n % 3 == 0:
        return event("PutThing", {"thingId": "t-1", "enabled": True}, minutes=n)
    if n % 3 == 1:
        return event("AddMember", {"thingId": "t-1", "members": ["a"]}, minutes=n)
    return event("RemoveMember", {"thingId": "t-1", "members": [f"gone-{n}"]}, minutes=n)


@functools.cache
def _weeks_open() -> tuple[Engine, Drift, list[CloudEvent]]:
    """A drift (made public) open for weeks next to a job repeating no-op calls, with a
    member added by hand now and then: the drift, and every call folded into it."""
    engine = make_engine()
    calls = [event("PutThing", {"thingId": "t-1", "public": True}, minutes=0)]
    for n in range(1, WEEKS + 1):
        calls.append(_noop(n))
        if n % 1000 == 500:
            calls.append(
                event(
                    "AddMember",
                    {"thingId": "t-1", "members": [f"m{n}"]},
                    minutes=n,
                    eid=f"hand-{n}",
                )
            )
    detector = run(calls, engine)
    (drift,) = detector.drifts
    return engine, drift, calls


def test_a_drift_open_for_weeks_keeps_only_the_replayed_calls_a_replay_needs() -> None:
    engine, drift, calls = _weeks_open()
    assert len(drift.events) == 1 + WEEKS // 1000  # the evidence is all there
    assert len(drift.replayed) <= REPLAYED_MAX
    for name in ("PutThing", "AddMember", "RemoveMember"):
        assert sum(e.name == name for e in drift.replayed) <= REPLAYED_PER_CALL
    # Without the bound it would hold every no-op call; the newest 32 of each are kept.
    assert len(drift.replayed) <= 3 * REPLAYED_PER_CALL
    assert drift.replayed[-1].id == f"PutThing-{WEEKS}"  # the last run collapsed to its newest
    assert not any(e.id == f"PutThing-{WEEKS - 1}" for e in drift.replayed)
    resource = drift.resource
    full = engine.observe(resource, calls)
    bounded = engine.observe(resource, drift.timeline)
    assert (bounded.changes, bounded.observed) == (full.changes, full.observed)


@pytest.mark.parametrize(
    "late",
    [
        pytest.param(
            event("PutThing", {"thingId": "t-1", "enabled": False}, minutes=-10),
            id="older-than-everything-undone-by-the-repeated-call",
        ),
        pytest.param(
            event("AddMember", {"thingId": "t-1", "members": ["a", "z"]}, minutes=-5),
            id="older-than-everything-partly-undone",
        ),
        pytest.param(
            event(
                "AddMember",
                {"thingId": "t-1", "members": [f"gone-{WEEKS - 52}"]},
                minutes=WEEKS - 60,
            ),
            id="late-and-undone-by-a-kept-varied-call",
        ),
        pytest.param(
            event("PutThing", {"thingId": "t-1", "enabled": False}, minutes=WEEKS - 2),
            id="late-and-undone-by-the-newest-repeated-call",
        ),
        pytest.param(
            event("PutThing", {"thingId": "t-1", "public": False}, minutes=WEEKS + 1),
            id="newest-reverts-the-publication",
        ),
    ],
)
def test_late_calls_get_the_verdict_every_call_replayed_gives(late: CloudEvent) -> None:
    engine, drift, calls = _weeks_open()
    resource = drift.resource
    full = engine.observe(resource, [*calls, late])
    (finding,) = engine.evaluate(late).findings
    folded = fold(engine, drift, finding)
    assert folded.drift is not None
    if folded.result is FoldResult.RESOLVED:
        assert full.changes == ()
    else:
        assert folded.drift.changes == full.changes
        bounded = engine.observe(resource, folded.drift.timeline)
        assert (bounded.changes, bounded.observed) == (full.changes, full.observed)


@pytest.mark.parametrize(
    "number",
    [
        pytest.param(WEEKS - 10, id="collapsed-into-a-newer-equal-call"),
        pytest.param(5, id="dropped-the-oldest-of-its-call"),
    ],
)
def test_a_redelivered_dropped_noop_is_judged_again_and_changes_nothing(number: int) -> None:
    """Its id is no longer in the drift, so it is not a duplicate: judged again, it changes
    nothing, and the drift is left as it was (a ledger writes nothing)."""
    engine, drift, _ = _weeks_open()
    dropped = _noop(number)
    assert dropped.id not in drift.event_ids
    (finding,) = engine.evaluate(dropped).findings
    folded = fold(engine, drift, finding)
    assert (folded.result, folded.skip) == (FoldResult.UNCHANGED, Skip.NO_CHANGE)
    assert folded.drift is drift
