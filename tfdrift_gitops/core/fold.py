"""Folding findings into drifts, and resolving drifts: the pure lifecycle rules.

Used by ``detect`` (an in-memory book) and by the ledger (read, fold, conditional write).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from tfdrift_gitops.core.catalog.model import Action
from tfdrift_gitops.core.engine import Engine, Finding, Observation, Skip
from tfdrift_gitops.core.shape import unrecognised
from tfdrift_gitops.models import (
    Change,
    CloudEvent,
    Drift,
    Kind,
    ResourceRef,
    Severity,
    Status,
    Transition,
)

REPLAYED_PER_CALL = 32
"""Replayed-only calls a drift keeps per call (event source and name), the newest."""
REPLAYED_MAX = 256
"""Replayed-only calls a drift keeps in all, the newest (see ``with_replayed``)."""


class FoldResult(StrEnum):
    OPENED = "opened"
    UPDATED = "updated"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    UNCHANGED = "unchanged"
    NOT_DRIFT = "not_drift"


@dataclass(frozen=True, slots=True)
class Folded:
    result: FoldResult
    drift: Drift | None
    skip: Skip | None = None


def drift_id(resource_key: str, first_event_id: str) -> str:
    digest = hashlib.sha256(f"{resource_key}\n{first_event_id}".encode()).hexdigest()
    return f"d-{digest[:16]}"


def _now() -> datetime:
    return datetime.now(UTC)


def fold(
    engine: Engine,
    existing: Drift | None,
    finding: Finding,
    *,
    now: datetime | None = None,
    quiet: Sequence[CloudEvent] = (),
) -> Folded:
    """Fold one finding into the open drift of its resource (or open one).

    ``existing`` must be the *open* drift for ``finding.resource.key`` or None. ``quiet`` are
    earlier-delivered events on the same resource that made no drift on their own (they set
    what state says, or Terraform made them): replayed with a new finding, a newer one of them
    can show that an older, late-delivered call was already undone.

    A drift's ``events`` are its evidence: the calls that changed something where they sit in
    eventTime order. A call that changed nothing there (a no-op before the real call, however
    the two arrive) is counted as no change and kept in ``replayed`` only, so that later folds
    still replay it.
    """
    event = finding.event
    if existing is None:
        if finding.trusted:  # half the calls of an apply burst: nothing to build
            return _TRUSTED_NOT_DRIFT
        return _open(engine, finding, now, [q for q in quiet if q.id != event.id])
    if event.id in existing.event_ids:
        return Folded(FoldResult.UNCHANGED, existing, Skip.DUPLICATE)
    return _join(engine, existing, finding, now or _now())


_TRUSTED_NOT_DRIFT = Folded(FoldResult.NOT_DRIFT, None, Skip.TRUSTED)


def is_quiet(folded: Folded) -> bool:
    """A finding worth remembering for later out-of-order replays (see ``fold``)."""
    return folded.result is FoldResult.NOT_DRIFT and folded.skip in (Skip.NO_CHANGE, Skip.TRUSTED)


def _open(
    engine: Engine, finding: Finding, now: datetime | None, quiet: Sequence[CloudEvent]
) -> Folded:
    event = finding.event
    if finding.trusted:
        return _TRUSTED_NOT_DRIFT
    if finding.kind is None:
        return Folded(FoldResult.NOT_DRIFT, None, Skip.NOT_IN_STATE)
    resource = finding.resource
    address = resource.address or f"{resource.type}.{resource.id}"
    if engine.policy.ignores_resource(address, resource.type, event) is not None:
        return Folded(FoldResult.NOT_DRIFT, None, Skip.IGNORED)
    changes: tuple[Change, ...] = ()
    observed: dict[str, object] = {}
    observation: Observation | None = None
    evidence: tuple[CloudEvent, ...] = (event,)
    note = ""
    replayed: tuple[CloudEvent, ...] = ()
    if finding.kind in (Kind.MODIFIED, Kind.UNMANAGED):
        if finding.kind is Kind.MODIFIED and quiet:
            quiet_ids = {q.id for q in quiet}
            every = _in_time_order((event, *quiet))
            observation = engine.observe(resource, every, watch=quiet_ids)
            # A quiet call is evidence only when it moved something where it sits (a newer
            # call that partly undid a late one); one that set what was already there is not.
            evidence = tuple(
                e for e in every if e.id not in quiet_ids or e.id in observation.changed_by
            )
            for e in every:
                if e.id in quiet_ids and e.id not in observation.changed_by:
                    replayed = with_replayed(evidence, replayed, e)
        else:
            observation = engine.observe(resource, evidence)
        observed = dict(observation.observed)
        changes = engine.filter_changes(observation.changes, resource, event)
        # A row modelled from the API reference may meet a call it cannot read: then what it
        # would report are its defaults, not the call's values. Resource level, saying so.
        note = unrecognised(
            finding.rule,
            resource.type,
            event,
            _attrs(engine, resource),
            created=finding.kind is Kind.UNMANAGED,
        )
        changes = () if note else changes
        if finding.kind is Kind.MODIFIED and finding.target.effects and not changes and not note:
            # The call set what state already says (or only touched ignored paths), or a
            # newer call already delivered undid it.
            skip = Skip.IGNORED if observation.changes else Skip.NO_CHANGE
            return Folded(FoldResult.NOT_DRIFT, None, skip)
    elif finding.kind is Kind.DELETED:
        # What state says of the deleted resource (backed up? protected?) may raise the
        # severity of its deletion.
        observed = dict(engine.state_attributes(resource) or {})
    severity, reasons = engine.severity(finding.rule, event, resource, observed, changes)
    reasons = (*reasons, note) if note else reasons
    unreadable = (bool(note) and finding.kind is Kind.MODIFIED) or bool(
        observation and _opaque(finding, observation)
    )
    now = now or _now()
    drift = Drift(
        id=drift_id(resource.key, event.id),
        kind=finding.kind,
        severity=severity,
        resource=resource,
        changes=changes,
        actor=event.actor,
        event=event,
        events=evidence,
        replayed=replayed,
        status=Status.OPEN,
        severity_reasons=reasons,
        history=(
            Transition(
                status=Status.OPEN,
                time=now,
                by=event.actor.arn or event.actor.name,
                reason=f"{event.name} by {event.actor.name}",
                evidence={"event_id": event.id},
            ),
        ),
        state_serial=finding.state_serial,
        detected_at=now,
        unverifiable=(event.id,) if unreadable else (),
    )
    return Folded(FoldResult.OPENED, drift)


def _join(engine: Engine, existing: Drift, finding: Finding, now: datetime) -> Folded:
    event = finding.event
    events = _in_time_order((*existing.events, event))
    every = _in_time_order((*existing.timeline, event))
    drifting = [e for e in events if not engine.policy.is_trusted(e)]
    latest = drifting[-1] if drifting else existing.event

    if existing.kind is Kind.DELETED:
        if finding.trusted and finding.kind is Kind.MODIFIED and _is_create(finding):
            return _resolve(existing, events, now, event, "recreated by Terraform")
        if finding.rule.restores and finding.kind is Kind.MODIFIED:
            return _restored(engine, existing, finding, events, every, latest, now)
        if finding.trusted:
            return Folded(FoldResult.UNCHANGED, existing, Skip.TRUSTED)
        severity, reasons = _rerate_deletion(engine, existing, every)
        return _updated(existing, events, latest, existing.changes, severity, reasons, now)
    if existing.kind is Kind.UNMANAGED and _action(finding) is Action.DELETE:
        return _resolve(existing, events, now, event, "the unmanaged resource was deleted")

    # Only a hand-made change to a managed resource can be a no-op against state. The check
    # has a cost, so it runs for that call and for the replayed-only calls it precedes (only
    # those can now have changed something where they sit) alone.
    note = ""
    if not finding.trusted and finding.kind is Kind.MODIFIED:
        state = _attrs(engine, existing.resource)
        note = unrecognised(finding.rule, existing.resource.type, event, state)
    may_be_noop = (
        not finding.trusted
        and existing.kind is Kind.MODIFIED
        and finding.kind is Kind.MODIFIED
        and bool(finding.target.effects)
        and not note
    )
    watch = {e.id for e in existing.replayed if (e.time, e.id) > (event.time, event.id)}
    if may_be_noop:
        watch.add(event.id)
    # A call its row cannot read is replayed as changing nothing it could name.
    replayed = tuple(e for e in every if e.id != event.id) if note else every
    observation = engine.observe(existing.resource, replayed, watch=watch)
    changes = engine.filter_changes(observation.changes, existing.resource, latest)
    promoted = tuple(e for e in existing.replayed if e.id in observation.changed_by)
    if promoted:
        # A replayed-only call that now changes something where it sits (it undid part of the
        # late, older call just delivered) has become part of the story.
        existing = replace(
            existing,
            events=_in_time_order((*existing.events, *promoted)),
            replayed=tuple(e for e in existing.replayed if e.id not in observation.changed_by),
        )
        events = _in_time_order((*existing.events, event))
    if (
        existing.kind is Kind.MODIFIED
        and finding.kind is Kind.DELETED
        and not _restored_later(engine, every, event)
    ):
        # Deleted by hand after being modified by hand: the deletion is what matters now.
        severity, reasons = engine.severity(
            finding.rule, event, existing.resource, observation.observed, ()
        )
        drift = replace(
            existing,
            kind=Kind.DELETED,
            changes=(),
            events=events,
            event=latest,
            actor=latest.actor,
            severity=Severity.highest(existing.severity, severity),
            severity_reasons=_merge(existing.severity_reasons, reasons),
        )
        return Folded(FoldResult.UPDATED, drift)
    if (note or _opaque(finding, observation)) and event.id not in existing.unverifiable:
        existing = replace(existing, unverifiable=(*existing.unverifiable, event.id))
    if may_be_noop and event.id not in observation.inert and event.id not in observation.changed_by:
        # It set what was already there where it sits in time (an older no-op delivered after
        # the real call, or the same call made twice): not evidence, but replayed from now on.
        kept = with_replayed(existing.events, existing.replayed, event)
        if len(kept) == len(existing.replayed) and all(
            a is b for a, b in zip(kept, existing.replayed, strict=True)
        ):
            return Folded(FoldResult.UNCHANGED, existing, Skip.NO_CHANGE)  # no replay needs it
        noted = replace(existing, replayed=kept)
        return Folded(FoldResult.UNCHANGED, noted, Skip.NO_CHANGE)
    if (
        existing.kind is Kind.MODIFIED
        and observation.modelled
        and not changes
        and not existing.unverifiable
    ):
        why = "reverted by Terraform" if finding.trusted else f"reverted by {event.actor.name}"
        return _resolve(existing, events, now, event, why)
    if finding.trusted and changes == existing.changes:
        # Terraform touched the resource and left the drift as it was: nothing to record.
        # (Keeping every such call would grow a long-lived drift without bound.)
        return Folded(FoldResult.UNCHANGED, existing, Skip.TRUSTED)
    rule = engine.catalog.rule_for(latest) or finding.rule
    severity, reasons = engine.severity(
        rule, latest, existing.resource, observation.observed, changes
    )
    if not finding.trusted and event is not latest:
        # The joining event may sort before the newest one yet be the more severe call
        # (AdministratorAccess attached in the same second as a tag change): rate it too.
        own, own_reasons = engine.severity(
            finding.rule, event, existing.resource, observation.observed, changes
        )
        if own.rank > severity.rank:
            severity, reasons = own, _merge(reasons, own_reasons)
    reasons = (*reasons, note) if note else reasons
    return _updated(existing, events, latest, changes, severity, reasons, now)


def with_replayed(
    evidence: Sequence[CloudEvent], replayed: Sequence[CloudEvent], call: CloudEvent
) -> tuple[CloudEvent, ...]:
    """``replayed`` (oldest first) with ``call`` added, without the calls no replay needs: a
    drift open for weeks next to a job repeating a call that changes nothing stays small (and
    its ledger object readable).

    A replayed-only call changed nothing where it sits: removing it changes no replay of the
    calls known now, nor of any call newer than it delivered later. It matters only to a call
    older than it delivered after it (which it may show undone). So:

    - of two equal calls (in all an effect reads: request, response, account, region) with no
      other call between them, the older goes: a call's effects set values, add or remove
      items or keys, so making it twice in a row leaves what making it once does, whatever a
      late call older than both changed before them;
    - the newest ``REPLAYED_PER_CALL`` per call (source and name) and ``REPLAYED_MAX`` in all
      are kept: only a call older than one dropped, delivered after it, is judged without it.

    A redelivery of a dropped call is not a duplicate (its id is no longer in the drift): it
    is judged again, changes nothing, and is dropped again (the fold hands back the drift as
    it was, so a ledger writes nothing). ``evidence`` is in eventTime order.
    """
    if not replayed:
        return (call,)
    mark = _time_order(call)
    marks: list[tuple[datetime, str]] = []
    superseded: set[str] = set()
    for other in replayed:
        if other.id == call.id or not _same_call(other, call):
            continue
        if not marks:  # every call of the timeline, in order (two sorted runs: linear)
            marks = sorted([*map(_time_order, evidence), *map(_time_order, replayed)])
        at = _time_order(other)
        if at > mark and not _any_between(marks, mark, at):
            return tuple(replayed)  # the same call again right after: this one adds nothing
        if at < mark and not _any_between(marks, at, mark):
            superseded.add(other.id)
    kept = [e for e in replayed if e.id not in superseded and e.id != call.id]
    kept.append(call)
    if len(kept) > 1 and _time_order(kept[-2]) > mark:
        kept.sort(key=_time_order)
    if len(kept) <= REPLAYED_PER_CALL:
        return tuple(kept)
    per_call = Counter((e.source, e.name) for e in kept)
    over = len(kept) - REPLAYED_MAX
    out: list[CloudEvent] = []
    for e in kept:  # oldest first: the ones to drop come first
        name = (e.source, e.name)
        if per_call[name] > REPLAYED_PER_CALL:
            per_call[name] -= 1
            over -= 1
            continue
        if over > 0:
            per_call[name] -= 1
            over -= 1
            continue
        out.append(e)
    return tuple(out)


def _same_call(a: CloudEvent, b: CloudEvent) -> bool:
    if not (
        a.name == b.name
        and a.source == b.source
        and a.region == b.region
        and a.account_id == b.account_id
        and a.request == b.request
        and a.response == b.response
    ):
        return False
    # Equal as Python values, and written alike (1 and true are equal in Python, not to a
    # call; keys in another order only make two equal calls look different: never wrong).
    return repr(a.request) == repr(b.request) and repr(a.response) == repr(b.response)


def _time_order(event: CloudEvent) -> tuple[datetime, str]:
    return (event.time, event.id)


def _any_between(
    marks: Sequence[tuple[datetime, str]], older: tuple[datetime, str], newer: tuple[datetime, str]
) -> bool:
    """Is any of ``marks`` (sorted) strictly between ``older`` and ``newer``?"""
    at = bisect_right(marks, older)
    return at < len(marks) and marks[at] < newer


def _restored_later(engine: Engine, events: Sequence[CloudEvent], deleting: CloudEvent) -> bool:
    """A newer call already undid this scheduled delete (they arrived out of order)."""
    for other in events:
        if (other.time, other.id) > (deleting.time, deleting.id):
            rule = engine.catalog.get(other.name, other.source)
            if rule is not None and rule.restores:
                return True
    return False


def _restored(
    engine: Engine,
    existing: Drift,
    finding: Finding,
    events: tuple[CloudEvent, ...],
    every: tuple[CloudEvent, ...],
    latest: CloudEvent,
    now: datetime,
) -> Folded:
    """A scheduled delete was cancelled (CancelKeyDeletion): the resource is back, as the calls
    replayed over state leave it. Equal to state resolves; else it is a modified drift.
    ``events`` is the evidence; ``every`` adds the replayed-only calls."""
    event = finding.event
    observation = engine.observe(existing.resource, every)
    changes = engine.filter_changes(observation.changes, existing.resource, latest)
    if observation.modelled and not changes:
        return _resolve(existing, events, now, event, f"deletion cancelled by {event.actor.name}")
    severity, reasons = engine.severity(
        finding.rule, event, existing.resource, observation.observed, changes
    )
    drift = replace(
        existing,
        kind=Kind.MODIFIED,
        changes=changes,
        events=events,
        event=latest,
        actor=latest.actor,
        severity=Severity.highest(existing.severity, severity),
        severity_reasons=_merge(
            existing.severity_reasons,
            (*reasons, f"deletion cancelled by {event.actor.name}; the resource is back"),
        ),
    )
    return Folded(FoldResult.UPDATED, drift)


def _attrs(engine: Engine, resource: ResourceRef) -> Mapping[str, object]:
    """What effects replay over: state's attributes, or an unmanaged resource's id alone."""
    found = engine.state_attributes(resource)
    if found is not None:
        return found
    return {"id": resource.id} if resource.id else {}


def _opaque(finding: Finding, observation: Observation) -> bool:
    """A drift-making call whose change no effect could replay (a password, an unmodelled
    call): replaying events can never prove it undone."""
    return (
        not finding.trusted
        and finding.kind is Kind.MODIFIED
        and finding.event.id in observation.inert
    )


def _rerate_deletion(
    engine: Engine, existing: Drift, every: Sequence[CloudEvent]
) -> tuple[Severity, tuple[str, ...]]:
    """The deletion rated again over state with every call replayed: a call older than the
    deletion, delivered after it, may have left the resource less protected than state says
    (point-in-time recovery turned off, then the table deleted)."""
    for event in reversed(existing.events):
        rule = engine.catalog.rule_for(event)
        if rule is None or rule.action is not Action.DELETE:
            continue
        observed = engine.observe(existing.resource, every).observed
        severity, reasons = engine.severity(rule, event, existing.resource, observed, ())
        if severity.rank > existing.severity.rank:
            return severity, reasons
        break
    return existing.severity, ()


def _action(finding: Finding) -> Action:
    return finding.target.action or finding.rule.action


def _is_create(finding: Finding) -> bool:
    return _action(finding) is Action.CREATE


def _in_time_order(events: Sequence[CloudEvent]) -> tuple[CloudEvent, ...]:
    return tuple(sorted(events, key=_time_order))


def _merge(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    return old + tuple(r for r in new if r not in old)


def _updated(
    existing: Drift,
    events: tuple[CloudEvent, ...],
    latest: CloudEvent,
    changes: tuple[Change, ...],
    severity: Severity,
    reasons: tuple[str, ...],
    now: datetime,
) -> Folded:
    new_severity = Severity.highest(existing.severity, severity)
    drift = replace(
        existing,
        changes=changes,
        events=events,
        event=latest,
        actor=latest.actor,
        severity=new_severity,
        severity_reasons=_merge(existing.severity_reasons, reasons),
    )
    result = (
        FoldResult.ESCALATED if new_severity.rank > existing.severity.rank else FoldResult.UPDATED
    )
    return Folded(result, drift)


def _resolve(
    existing: Drift, events: tuple[CloudEvent, ...], now: datetime, by: CloudEvent, why: str
) -> Folded:
    transition = Transition(
        status=Status.RESOLVED,
        time=now,
        by=by.actor.arn or by.actor.name,
        reason=why,
        evidence={"event_id": by.id, "event_name": by.name, "event_time": by.summary()["time"]},
    )
    drift = replace(
        existing,
        events=events,
        status=Status.RESOLVED,
        history=(*existing.history, transition),
    )
    return Folded(FoldResult.RESOLVED, drift)


def transition(
    drift: Drift,
    status: Status,
    *,
    by: str,
    reason: str = "",
    evidence: dict[str, object] | None = None,
    now: datetime | None = None,
) -> Drift:
    """A lifecycle step requested from outside (a person, GitHub reconcile)."""
    step = Transition(
        status=status, time=now or _now(), by=by, reason=reason, evidence=dict(evidence or {})
    )
    return replace(drift, status=status, history=(*drift.history, step))


def reassess(engine: Engine, drift: Drift, *, now: datetime | None = None) -> Folded:
    """Check an open drift against a (newer) state: imported or removed means resolved."""
    now = now or _now()
    resource = drift.resource
    if drift.kind is Kind.UNMANAGED:
        lookup_keys = dict.fromkeys(
            t.lookup for rule in engine.catalog for t in rule.targets if t.type == resource.type
        )
        for key in lookup_keys:
            found = engine.index.lookup(resource.type, key, resource.id)
            if found:
                return _resolved_by_state(drift, now, found[0].serial, found[0].address)
        return Folded(FoldResult.UNCHANGED, drift)
    state_attrs = engine.state_attributes(resource)
    if drift.kind is Kind.DELETED:
        if state_attrs is None:
            return _resolved_by_state(drift, now, None, "")
        return Folded(FoldResult.UNCHANGED, drift)
    if state_attrs is None:
        return _resolved_by_state(drift, now, None, "")
    if not drift.changes or drift.unverifiable:
        return Folded(FoldResult.UNCHANGED, drift)
    observation = engine.observe(resource, drift.timeline)
    changes = engine.filter_changes(observation.changes, resource, drift.event)
    if observation.modelled and not changes:
        serial = next((s.serial for s in engine.index.states if s.source == resource.state), None)
        return _resolved_by_state(drift, now, serial, resource.address)
    if changes != drift.changes:
        return Folded(FoldResult.UPDATED, replace(drift, changes=changes))
    return Folded(FoldResult.UNCHANGED, drift)


def _resolved_by_state(drift: Drift, now: datetime, serial: int | None, address: str) -> Folded:
    if drift.kind is Kind.UNMANAGED:
        why = f"imported into state as {address}"
    elif drift.kind is Kind.DELETED:
        why = "removed from state"
    elif address:
        why = "state now matches the observed values (change imported)"
    else:
        why = "resource no longer in state"
    transition_ = Transition(
        status=Status.RESOLVED,
        time=now,
        by="terraform-state",
        reason=why,
        evidence={"state": drift.resource.state, "serial": serial, "address": address},
    )
    resolved = replace(drift, status=Status.RESOLVED, history=(*drift.history, transition_))
    return Folded(FoldResult.RESOLVED, resolved)
