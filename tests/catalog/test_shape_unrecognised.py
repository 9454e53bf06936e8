"""Modelled rows degrade honestly when a real call's shape differs from the model.

Most part-1 rows (EC2 networking, ELB, Auto Scaling, ECS, EKS, ECR, instance profiles) are
modelled from the API reference: ``tfdrift-gitops catalog`` marks them ``modelled``. Each such
row's API-shaped case (``test_real_compute.MODELLED``, ``test_containers_*``,
``test_ec2_vpc``) is fed again with its shape mutated the way a wrong guess would differ from
CloudTrail: every key the call does not need to land on its resource renamed, or removed. The
drift must still be reported, on the same resource, at resource level with a reason saying
the shape was not recognised: never a wrong value, never a crash, never a silent no-change.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from tests.catalog import (
    test_containers_api,
    test_containers_ecr,
    test_containers_ecs,
    test_containers_eks,
    test_ec2,
    test_ec2_instances,
)
from tests.catalog.conftest import Outcome, make_index, run_events
from tests.catalog.test_ec2_vpc import EDGE_CASES, INDEX, NACL_CASES, ROUTE_CASES
from tests.catalog.test_real_compute import ASG, MODELLED, NEW_TG, TG, modelled
from tests.catalog.test_real_others import Estate
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.shape import PREFIX
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.models import CloudEvent, Drift, Kind
from tfdrift_gitops.render.catalog import bundled_evidence

CATALOG = Catalog.default()
RECORDED = bundled_evidence()
Case = tuple[str, CloudEvent, Callable[[], StateIndex]]


def _harvest() -> Iterator[Case]:
    for param in MODELLED:
        name, source, request, response, estate, _ = param.values
        yield f"compute-{param.id}", modelled(name, source, request, response), estate.index
    for module, table in (
        (test_containers_ecs, "ECS_CASES"),
        (test_containers_eks, "EKS_CASES"),
        (test_containers_ecr, "ECR_CASES"),
        (test_containers_api, "TAG_CASES"),
    ):
        for param in getattr(module, table):
            calls, estate, _ = param.values
            if len(calls) == 1:
                yield f"{module.__name__.rsplit('_', 1)[-1]}-{param.id}", calls[0], estate.index
    for module, table in (
        (test_ec2, "CASES"),
        (test_ec2, "MODIFY_CASES"),
        (test_ec2, "LIFECYCLE_CASES"),
        (test_ec2_instances, "INSTANCE_CASES"),
        (test_ec2_instances, "TAG_CASES"),
        (test_ec2_instances, "NETWORK_CASES"),
    ):
        for param in getattr(module, table):
            state, events, _ = param.values
            if len(events) == 1:
                yield f"ec2-{param.id}", events[0], functools.partial(make_index, *state)
    # Rows whose own cases are all no-ops (they set what state says): one call that changes.
    yield (
        "extra-asg-target-group-attached",
        modelled(
            "AttachLoadBalancerTargetGroups",
            ASG,
            {"autoScalingGroupName": "asg1", "targetGroupARNs": [TG, NEW_TG]},
        ),
        Estate("compute").index,
    )
    yield (
        "extra-asg-classic-lb-detached",
        modelled(
            "DetachLoadBalancers",
            ASG,
            {"autoScalingGroupName": "asg1", "loadBalancerNames": ["my-load-balancer"]},
        ),
        Estate(
            "compute",
            patch={"aws_autoscaling_group.asg1": {"load_balancers": ["my-load-balancer"]}},
        ).index,
    )
    for param in ROUTE_CASES + NACL_CASES + EDGE_CASES:
        events, _ = param.values
        if len(events) == 1:
            yield f"vpc-{param.id}", events[0], _vpc_index


def _vpc_index() -> StateIndex:
    return INDEX


def _label(drift: Drift) -> str:
    return drift.resource.address or drift.resource.id


def _changes(drift: Drift) -> dict[str, tuple[Any, Any]]:
    return {c.path: (c.before, c.after) for c in drift.changes}


def _modelled_row(event: CloudEvent) -> bool:
    rule = CATALOG.rule_for(event)
    return rule is not None and (rule.source, rule.event, rule.discriminator) not in RECORDED


def _attribute_drift(outcome: Outcome) -> Drift | None:
    """The case's one open drift when it names attribute changes (the row read the call)."""
    if len(outcome.open) != 1 or outcome.skipped:
        return None
    drift = outcome.open[0]
    return drift if drift.kind in (Kind.MODIFIED, Kind.UNMANAGED) and drift.changes else None


CASES = []
REACHED: set[tuple[str, str, str]] = set()
for case_id, case_event, case_index in _harvest():
    if not _modelled_row(case_event):
        continue
    original = _attribute_drift(run_events(case_index(), [case_event]))
    if original is not None:
        CASES.append(pytest.param(case_event, case_index, original, id=case_id))
        rule = CATALOG.rule_for(case_event)
        assert rule is not None
        REACHED.add((rule.source, rule.event, rule.discriminator))


# --------------------------------------------------------------------------- mutations


def _key_paths(doc: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every dict key of a JSON document, parents before children."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield (*prefix, key)
            yield from _key_paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for item in doc:
            yield from _key_paths(item, prefix)


def _edit(doc: Any, path: tuple[str, ...], how: str) -> Any:
    """A copy of ``doc`` with the key at ``path`` (in every list item on the way) renamed
    (``xShape`` for ``x``) or removed."""
    out = copy.deepcopy(doc)

    def walk(node: Any, rest: tuple[str, ...]) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, rest)
        elif isinstance(node, dict) and rest and rest[0] in node:
            if len(rest) > 1:
                walk(node[rest[0]], rest[1:])
                return
            value = node.pop(rest[0])
            if how == "rename":
                node[f"{rest[0]}Shape"] = value

    walk(out, path)
    return out


def _lands(event: CloudEvent, index: StateIndex, at: Drift) -> bool:
    found = Engine(index).evaluate(event).findings
    return any(f.kind is not None and f.resource.key == at.resource.key for f in found)


def _mutated(event: CloudEvent, index: StateIndex, at: Drift, how: str) -> CloudEvent:
    """Every key renamed (or removed) that the call does not need to land on ``at``."""
    for field in ("request", "response"):
        doc = getattr(event, field)
        if not isinstance(doc, dict):
            continue
        gone: list[tuple[str, ...]] = []
        for path in list(_key_paths(doc)):
            if any(path[: len(g)] == g for g in gone):
                continue  # under a key already renamed or removed
            candidate = replace(event, **{field: _edit(getattr(event, field), path, how)})
            if _lands(candidate, index, at):
                event = candidate
                gone.append(path)
    return event


# --------------------------------------------------------------------------- the check


@pytest.mark.parametrize(("event", "index", "original"), CASES)
def test_renamed_fields_are_resource_level_drift_saying_so(
    event: CloudEvent, index: Callable[[], StateIndex], original: Drift
) -> None:
    """Every field the call does not need to land renamed: a shape the row does not know. The
    drift is reported on the same resource; what it still names was read from what the call
    still says (the fields that name the resource, a value the call's name implies), never a
    default standing in for a field the row could not find; without any, it says why."""
    state = index()
    mutated = _mutated(event, state, original, "rename")
    outcome = run_events(state, [mutated])
    assert "no_change" not in outcome.skipped, (mutated.request, outcome.skipped)
    [drift] = outcome.open
    assert (drift.kind, _label(drift)) == (original.kind, _label(original))
    for path, change in _changes(drift).items():
        assert _changes(original).get(path) == change, (path, mutated.request)
    if not drift.changes:
        assert any(r.startswith(PREFIX) for r in drift.severity_reasons), drift.severity_reasons
        if drift.kind is Kind.MODIFIED:
            assert drift.unverifiable == (mutated.id,)


@pytest.mark.parametrize(("event", "index", "original"), CASES)
def test_removed_fields_are_drift_or_counted_never_silent(
    event: CloudEvent, index: Callable[[], StateIndex], original: Drift
) -> None:
    """Every field the call does not need to land removed: what is left is a call the API
    reads with its defaults (``ResumeProcesses`` without processes resumes them all). It is
    drift on the same resource, either with what those defaults change or, when the row has
    none for it, at resource level saying the shape was not recognised."""
    state = index()
    mutated = _mutated(event, state, original, "remove")
    outcome = run_events(state, [mutated])
    if not outcome.open:
        # The API's defaults are what state already says: the no-op rule, counted.
        assert outcome.skipped == {"no_change": 1}, outcome
        return
    [drift] = outcome.open
    assert (drift.kind, _label(drift)) == (original.kind, _label(original))
    if not drift.changes:
        assert any(r.startswith(PREFIX) for r in drift.severity_reasons), drift.severity_reasons


def test_every_modelled_part1_row_with_attributes_is_mutated() -> None:
    """The harvest reaches every part-1 row that is modelled and models attributes: a row
    left out here would have no test of how it degrades."""
    reached = REACHED
    wanted = {
        (rule.source, rule.event, rule.discriminator)
        for rule in CATALOG
        if rule.source.split(".")[0] in PART1
        and rule.has_effects
        and (rule.source, rule.event, rule.discriminator) not in RECORDED
        and (rule.source, rule.event) not in UNREACHED
    }
    assert wanted - reached == set()
    # An entry for a row that is now reached, recorded, or gone is stale.
    for key in UNREACHED:
        rows = [r for r in CATALOG if (r.source, r.event) == key]
        assert rows and all((r.source, r.event, r.discriminator) not in reached for r in rows), key


PART1 = {"ec2", "elasticloadbalancing", "autoscaling", "ecs", "eks", "ecr"}
UNREACHED: dict[tuple[str, str], str] = {
    ("ec2.amazonaws.com", "EnableEbsEncryptionByDefault"): "an account baseline (issue 11), "
    "tested in multi-call cases only",
    ("ec2.amazonaws.com", "DisableEbsEncryptionByDefault"): "as EnableEbsEncryptionByDefault",
    ("ec2.amazonaws.com", "ReplaceRouteTableAssociation"): "drift is the old association's "
    "deletion: no attribute for a shape to hide",
    ("ec2.amazonaws.com", "CreateInternetGateway"): "its only attributes are tags from "
    "tagSpecificationSet, which its case carries none of",
    ("ec2.amazonaws.com", "UpdateSecurityGroupRuleDescriptionsEgress"): "multi-call cases only; "
    "the Ingress twin (same effects) is mutated",
    ("ecr.amazonaws.com", "UntagResource"): "no single-call case on a tagged repository; ECS "
    "UntagResource (the same tagging effects) is mutated",
    ("eks.amazonaws.com", "UntagResource"): "as ECR UntagResource",
}
"""Part-1 modelled rows with attributes this harvest does not mutate, and why."""


def test_a_known_shape_that_sets_what_state_says_is_still_no_change() -> None:
    """The mutation check's counterpart: an unmutated no-op is no drift (the no-op rule)."""
    [param] = [p for p in MODELLED if p.id == "lb-idle-timeout-as-state-says"]
    name, source, request, response, estate, _ = param.values
    outcome = run_events(estate.index(), [modelled(name, source, request, response)])
    assert outcome.open == [] and outcome.skipped == {"no_change": 1}


def test_an_unreadable_call_joining_a_drift_adds_its_reason_not_a_value() -> None:
    """A readable call opened the drift; a later one on the same load balancer carries its
    attributes under keys the row does not know. The drift keeps what the first call said,
    names the second as evidence with the reason, and can no longer be proven undone by
    replaying calls (the second may have changed anything)."""
    lb = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/"
    lb += "ffcddace1759e1d0"
    readable = modelled(
        "ModifyLoadBalancerAttributes",
        "elasticloadbalancing.amazonaws.com",
        {
            "loadBalancerArn": lb,
            "attributes": [{"key": "deletion_protection.enabled", "value": "false"}],
        },
    )
    unreadable = replace(
        readable,
        id="m-unreadable",
        time=readable.time.replace(minute=readable.time.minute + 1),
        request={
            "loadBalancerArn": lb,
            "attributesShape": [{"key": "idle_timeout.timeout_seconds"}],
        },
    )
    outcome = run_events(Estate("compute").index(), [readable, unreadable])
    [drift] = outcome.open
    assert _changes(drift) == {"enable_deletion_protection": (True, False)}
    assert [e.id for e in drift.events] == [readable.id, unreadable.id]
    assert any(r.startswith(PREFIX) and "attributesShape" in r for r in drift.severity_reasons)
    assert drift.unverifiable == (unreadable.id,)
