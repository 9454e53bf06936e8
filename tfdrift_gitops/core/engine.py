"""The drift engine: parsed events + a state index -> findings, and changes recomputed on demand.

``evaluate`` looks at one event: is it a write the catalog knows, on which resource, made by
whom. ``observe`` replays every event of one resource, in eventTime order, over the state's
attributes to give the changes as they stand now; folding (``tfdrift_gitops.core.fold``) uses it
so that out-of-order delivery and reverts come out right.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tfdrift_gitops.core.catalog import Catalog, keys
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    ReadsState,
    Rule,
    Target,
    copy_json,
    deep_copy_attrs,
    ids_of,
)
from tfdrift_gitops.core.paths import MISSING, get_path, split_path
from tfdrift_gitops.core.policy import Policy
from tfdrift_gitops.core.redact import redact_change
from tfdrift_gitops.core.state import StateIndex, StateResource
from tfdrift_gitops.core.targets import EstateCheck, KnownTargets
from tfdrift_gitops.models import Change, CloudEvent, Kind, ResourceRef, Severity

log = logging.getLogger(__name__)


MANAGEMENT_EVENT_TYPES = frozenset({"AwsApiCall", "AwsConsoleAction"})
DECODED_RESOURCES = 8192
"""Resources whose decoded attributes a run keeps (the most recently replayed)."""
REFS = 65536
"""Resources whose ``ResourceRef`` a run keeps (findings on them share it)."""
REPLAY_PLANS = 16384
"""(call, resource type) pairs whose replay plan a run keeps. A plan holds its call weakly:
when full, the plans of calls no longer alive anywhere go first (a collector with a ledger
decodes its calls again for every fold, so most are), everything if that frees too little."""


class Skip(StrEnum):
    """Why an event (or one of its findings) is not drift. Every skip is counted by reason."""

    FAILED = "failed_call"
    READ_ONLY = "read_only"
    NOT_IN_CATALOG = "not_in_catalog"
    TRUSTED = "trusted_actor"
    IGNORED = "ignored"
    NOT_IN_STATE = "not_in_state"
    NO_CHANGE = "no_change"
    FOREIGN_ACCOUNT = "foreign_account"
    ALREADY_MANAGED = "already_managed"
    NO_RESOURCE_ID = "no_resource_id"
    NOT_MANAGEMENT = "not_management_event"
    DUPLICATE = "duplicate_event"


@dataclass(frozen=True, slots=True)
class Finding:
    """An event that lands on one resource.

    ``kind`` is None when the resource is not in state and the event did not create it: it
    matters only if an open unmanaged drift already exists for that resource. ``trusted``
    findings (Terraform's own calls) never open drift; they can resolve it.
    """

    kind: Kind | None
    resource: ResourceRef
    event: CloudEvent
    rule: Rule
    target: Target
    trusted: bool = False
    state_serial: int | None = None


@dataclass(slots=True)
class Evaluation:
    findings: list[Finding] = field(default_factory=list)
    skipped: Skip | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Observation:
    changes: tuple[Change, ...]
    observed: Mapping[str, Any]
    modelled: bool
    """True when at least one event carried an attribute effect for this resource."""
    inert: frozenset[str] = frozenset()
    """Ids of events whose change no effect can replay: nothing applied (an unmodelled call),
    or the call changed something CloudTrail hides."""
    changed_by: frozenset[str] = frozenset()
    """Ids of the watched events (see ``Engine.observe``) that changed the value at one of
    their effect paths where they sit in eventTime order."""


class Engine:
    def __init__(
        self, index: StateIndex, catalog: Catalog | None = None, policy: Policy | None = None
    ) -> None:
        self.index = index
        self.catalog = catalog if catalog is not None else Catalog.default()
        self.policy = policy if policy is not None else Policy()
        self._known_accounts = frozenset(policy.accounts) if policy and policy.accounts else None
        self._seen_accounts: frozenset[str] | None = None
        self._attributes: dict[StateResource, Mapping[str, Any]] = {}
        self._known_targets: KnownTargets | None = None
        self._bound: dict[int, InState] = {}
        # A replay looks at the same calls again for every later call on a resource: what
        # each applies is worked out once, by identity. The call is referred to weakly (a
        # dead one's id may be reused, so an entry is good only while its call lives): the
        # cache must not keep every call it has seen alive.
        self._replays: dict[
            tuple[int, str], tuple[weakref.ReferenceType[CloudEvent], _Replay | None]
        ] = {}
        self._refs: dict[StateResource, ResourceRef] = {}
        self._targets: dict[tuple[str, str, str], Target | None] = {}

    # ------------------------------------------------------------------ one event

    def evaluate(self, event: CloudEvent) -> Evaluation:
        event = self.policy.with_actor_kind(event)
        if event.error_code:
            return Evaluation(skipped=Skip.FAILED, detail=event.error_code)
        if event.read_only:
            return Evaluation(skipped=Skip.READ_ONLY)
        if event.event_type and event.event_type not in MANAGEMENT_EVENT_TYPES:
            return Evaluation(skipped=Skip.NOT_MANAGEMENT, detail=event.event_type)
        rule = self.catalog.rule_for(event)
        if rule is None:
            return Evaluation(skipped=Skip.NOT_IN_CATALOG, detail=event.name)
        trusted = self.policy.is_trusted(event)
        if not trusted and (ignore := self.policy.ignores_event(event)) is not None:
            return Evaluation(skipped=Skip.IGNORED, detail=ignore.reason or event.name)
        orphans: list[Finding] = []
        landed: dict[str, Finding] = {}
        saw_id = managed_create = False
        for target in rule.targets:
            guard = target.trusted_guard if trusted and target.trusted_guard else target.guard
            if guard is not None and not guard(event, self.index):
                continue
            ids = ids_of(target, event)
            if not ids:
                continue
            saw_id = True
            action = target.action or rule.action
            findings = self._land(event, rule, target, action, ids, trusted)
            if not findings:  # _land leaves out only ids a hand-made create found in state
                managed_create = True
            lands = False  # a loop, not any() over a generator: once a call and target
            for finding in findings:
                if finding.kind is not None:
                    lands = True
                    break
            if lands:
                if not rule.fan_out:
                    # Targets are in order of preference: the first that lands on state (or
                    # creates an unmanaged resource) wins.
                    return Evaluation(findings=findings)
                for finding in findings:
                    if finding.kind is not None:
                        landed.setdefault(finding.resource.key, finding)
            elif not orphans:
                orphans = findings
        if landed:
            return Evaluation(findings=list(landed.values()))
        if orphans:
            # Not in state: these matter only if an open unmanaged drift exists for them.
            return Evaluation(findings=orphans)
        if managed_create:  # created by hand, yet in state: it was there already
            return Evaluation(skipped=Skip.ALREADY_MANAGED)
        return Evaluation(skipped=Skip.NOT_IN_STATE if saw_id else Skip.NO_RESOURCE_ID)

    def _land(
        self,
        event: CloudEvent,
        rule: Rule,
        target: Target,
        action: Action,
        ids: list[str],
        trusted: bool,
    ) -> list[Finding]:
        out: list[Finding] = []
        account = event.account_id or event.actor.account_id
        for cloud_id in ids:
            matches = self.index.lookup(
                target.type, target.lookup, cloud_id, account=account, region=event.region
            )
            if matches:
                if action is Action.CREATE and not trusted:
                    continue  # already managed: a create cannot drift it
                # (Terraform's own create of a managed resource is a modification to it.)
                kind = Kind.DELETED if action is Action.DELETE else Kind.MODIFIED
                for res in matches:
                    out.append(
                        Finding(
                            kind, self._ref(res, cloud_id), event, rule, target, trusted, res.serial
                        )
                    )
            elif action is Action.CREATE and self._account_in_scope(account):
                out.append(
                    Finding(
                        kind=Kind.UNMANAGED,
                        resource=ResourceRef(address="", type=target.type, id=cloud_id),
                        event=event,
                        rule=rule,
                        target=target,
                        trusted=trusted,
                    )
                )
            else:
                out.append(
                    Finding(
                        kind=None,
                        resource=ResourceRef(address="", type=target.type, id=cloud_id),
                        event=event,
                        rule=rule,
                        target=target,
                        trusted=trusted,
                    )
                )
        return out

    def _ref(self, res: StateResource, cloud_id: str) -> ResourceRef:
        """``_ref``, one value per resource (when state names its id) for the run."""
        if not res.resource_id:
            return _ref(res, cloud_id)
        refs = self._refs
        found = refs.get(res)
        if found is None:
            if len(refs) >= REFS:
                refs.clear()
            found = refs[res] = _ref(res, cloud_id)
        return found

    def _account_in_scope(self, account: str) -> bool:
        known = self._known_accounts
        if known is None:
            known = self._accounts_seen_in_state()
        return not known or not account or account in known

    def _accounts_seen_in_state(self) -> frozenset[str]:
        if self._seen_accounts is None:
            # The index keeps each resource's ARN account: no attribute decoding needed.
            self._seen_accounts = frozenset(res.account for res in self.index if res.account)
        return self._seen_accounts

    # ------------------------------------------------------------------ one resource

    def _state_resource(self, resource: ResourceRef) -> StateResource | None:
        if not resource.address:
            return None
        return self.index.get(resource.state, resource.workspace, resource.address)

    def state_attributes(self, resource: ResourceRef) -> Mapping[str, Any] | None:
        """The resource's attributes in state: decoded once per run and shared, so read-only."""
        found = self._state_resource(resource)
        return self._decoded(found) if found is not None else None

    def observe(
        self,
        resource: ResourceRef,
        events: Iterable[CloudEvent],
        *,
        watch: Collection[str] = (),
    ) -> Observation:
        """Replay ``events`` in eventTime order over the state's attributes.

        Unmanaged resources start from their id alone, so their ``changes`` are the attributes
        CloudTrail told us (what an import block needs). Events whose ids are in ``watch`` are
        checked one by one: did each change anything where it sits (``changed_by``)? Only
        those pay for the check.
        """
        found = self._state_resource(resource)
        if found is not None:
            # Decoded once per run (cached, never changed); the working copy shares its
            # values until an effect is about to change one in place (see _own_for).
            base = self._decoded(found)
            observed = dict(base)
            shared = True
        else:
            # Unmanaged resources start from their cloud id alone, so an effect can pick its
            # own item out of a call that created several (RunInstances, multi-rule Authorize).
            base = {"id": resource.id} if resource.id else {}
            observed = deep_copy_attrs(base)
            shared = False
        sensitive = found.sensitive if found is not None else ()
        touched: dict[str, Effect] = {}
        inert: set[str] = set()
        changed_by: set[str] = set()
        for event in sorted(events, key=lambda e: (e.time, e.id)):
            replay = self._replay(event, resource.type)
            if replay is None:
                continue
            applied = False
            watched = event.id in watch
            for effect in replay.effects:
                if shared:
                    shared = _own_for(effect, observed, base)
                before = _at(observed, effect.path) if watched else MISSING
                if effect.apply(observed, event):
                    touched.setdefault(effect.path, effect)
                    applied = True
                    if watched and _moved(effect, before, _at(observed, effect.path)):
                        changed_by.add(event.id)
                        watched = False
            if not applied or replay.hides(event):
                inert.add(event.id)
        changes: list[Change] = []
        for path, effect in touched.items():
            before = get_path(base, path)
            after = get_path(observed, path)
            before = None if before is MISSING else before
            after = None if after is MISSING else after
            if effect.compare(before) == effect.compare(after):
                continue
            # ``before`` may be the cached state's own value: the change gets a copy.
            change = Change(path=path, before=copy_json(before), after=after)
            changes.append(redact_change(change, rtype=resource.type, sensitive=sensitive))
        return Observation(
            changes=tuple(changes),
            observed=observed,
            modelled=bool(touched),
            inert=frozenset(inert),
            changed_by=frozenset(changed_by),
        )

    def _replay(self, event: CloudEvent, rtype: str) -> _Replay | None:
        """The effects ``event`` may apply to a resource of ``rtype``, and whether it changed
        something there CloudTrail hides (None: the call does not touch that type)."""
        cache = self._replays
        key = (id(event), rtype)
        found = cache.get(key)
        if found is not None and found[0]() is event:
            return found[1]
        target = self._target_for(event, rtype)
        replay: _Replay | None = None
        if target is not None:
            plan = keys.plan_of(target, target.effects)
            effects = keys.applicable(plan, event)
            if plan.reads_state:
                effects = self._with_state(effects)
            replay = _Replay(tuple(effects), target.hidden)
        if len(cache) >= REPLAY_PLANS:
            _forget_dead(cache)
        cache[key] = (weakref.ref(event), replay)
        return replay

    def _with_state(self, effects: Sequence[Effect]) -> list[Effect]:
        """``effects`` with this engine's state index bound into those that read it."""
        bound = self._bound
        out: list[Effect] = []
        for effect in effects:
            if not isinstance(effect, ReadsState):
                out.append(effect)
                continue
            # Catalog effects live as long as the catalog: their ids are stable.
            found = bound.get(id(effect))
            if found is None or found.effect is not effect:
                found = bound[id(effect)] = InState(effect, effect, self.index)
            out.append(found)
        return out

    def _decoded(self, found: StateResource) -> Mapping[str, Any]:
        """``found.attributes``, decoded once per run for the most recently used resources;
        shared, so never to be changed."""
        cache = self._attributes
        decoded = cache.get(found)
        if decoded is None:
            if len(cache) >= DECODED_RESOURCES:
                del cache[next(iter(cache))]  # the oldest decoded first
            decoded = cache[found] = found.attributes
        return decoded

    def _target_for(self, event: CloudEvent, rtype: str) -> Target | None:
        key = (event.name, event.source, rtype)
        try:
            return self._targets[key]
        except KeyError:
            pass
        rule = self.catalog.get(event.name, event.source)
        if rule is not None and rule.matches is not None:
            # Rows sharing a name (ELB classic and v2) are told apart by the call itself.
            rule = self.catalog.rule_for(event)
            return None if rule is None else _target_of(rule, rtype)
        target = None if rule is None else _target_of(rule, rtype)
        if len(self._targets) >= REPLAY_PLANS:
            self._targets.clear()
        self._targets[key] = target
        return target

    def filter_changes(
        self, changes: tuple[Change, ...], resource: ResourceRef, event: CloudEvent
    ) -> tuple[Change, ...]:
        """Drop changes on attribute paths the user ignores."""
        if not self.policy.ignore:
            return changes
        address = resource.address or f"{resource.type}.{resource.id}"
        return tuple(
            c for c in changes if not self.policy.drops_path(c.path, address, resource.type, event)
        )

    # ------------------------------------------------------------------ severity

    def known_targets(self) -> KnownTargets:
        """Every host name and address the state holds, plus the configured ones (built on
        first use: only record changes ask)."""
        if self._known_targets is None:
            self._known_targets = KnownTargets.of_state(self.index, self.policy.known_targets)
        return self._known_targets

    def severity(
        self,
        rule: Rule,
        event: CloudEvent,
        resource: ResourceRef,
        observed: Mapping[str, Any],
        changes: tuple[Change, ...],
    ) -> tuple[Severity, tuple[str, ...]]:
        """The rule's default, raised by its content checks, then the user's overrides."""
        severity = rule.severity
        reasons = [f"{event.name} on {resource.type} is {rule.severity.value} by default"]
        for check in rule.severity_checks:
            try:
                if isinstance(check, EstateCheck):
                    raised = check.rate(event, observed, self.known_targets())
                else:
                    raised = check(event, observed)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                log.warning("severity check failed for %s: %s", event.id, exc)
                continue
            if raised is not None and raised[0].rank > severity.rank:
                severity, why = raised
                reasons.append(why)
        paths = [c.path for c in changes]
        for override in self.policy.severity_overrides:
            if override.matches(
                event.name, resource.type, resource.address, paths, event.actor.kind
            ):
                severity = override.severity
                reasons.append(f"set to {override.severity.value} by configuration")
                break
        return severity, tuple(reasons)


@dataclass(frozen=True, slots=True, eq=False)
class InState:
    """A :class:`ReadsState` effect with an engine's state index bound in: it applies like
    any other effect, so the replay loop pays nothing for the few that read state."""

    effect: Effect
    reads: ReadsState
    index: StateIndex

    @property
    def path(self) -> str:
        return self.effect.path

    def compare(self, value: Any) -> Any:
        return self.effect.compare(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        return self.reads.apply_in(attrs, event, self.index)


class _Replay:
    """What one call replays as on one resource type: the effects it may apply, and whether it
    changed something there CloudTrail does not show (``Target.hidden``, asked once, when
    an effect applied)."""

    __slots__ = ("_hidden", "_hides", "effects")

    def __init__(self, effects: tuple[Effect, ...], hidden: Callable[[CloudEvent], bool] | None):
        self.effects = effects
        self._hidden = hidden
        self._hides: bool | None = None if hidden is not None else False

    def hides(self, event: CloudEvent) -> bool:
        if self._hides is None and self._hidden is not None:
            self._hides = bool(self._hidden(event))
        return bool(self._hides)


def _forget_dead(
    cache: dict[tuple[int, str], tuple[weakref.ReferenceType[CloudEvent], Any]],
) -> None:
    """Make room in a full replay-plan cache: drop the entries whose call is gone; if that
    leaves it more than half full, drop them all."""
    dead = [key for key, (ref, _) in cache.items() if ref() is None]
    for key in dead:
        del cache[key]
    if len(cache) > REPLAY_PLANS // 2:
        cache.clear()


_OWN: dict[int, tuple[object, str | None]] = {}


def _own_for(effect: Effect, observed: dict[str, Any], base: Mapping[str, Any]) -> bool:
    """Before ``effect`` applies to ``observed`` (a shallow copy of the cached ``base``): copy
    what it could change in place. Effects of the vetted classes (keys.noop_on_missing) only
    assign top-level attributes, or change values under their own path's first step; any
    other effect gets every value still shared copied. True while values stay shared."""
    cached = _OWN.get(id(effect))
    if cached is None or cached[0] is not effect:
        path = getattr(effect, "path", None)
        if keys.effect_vetted(effect) and isinstance(path, str):
            steps = split_path(path)
            top = "" if len(steps) < 2 or not isinstance(steps[0], str) else steps[0]
        else:
            top = None
        cached = _OWN[id(effect)] = (effect, top)
    top = cached[1]
    if top is None:
        for key, value in observed.items():
            if value is base.get(key, MISSING):
                observed[key] = copy_json(value)
        return False
    if top and observed.get(top, MISSING) is base.get(top, MISSING) and top in base:
        observed[top] = copy_json(base[top])
    return True


def _at(attrs: Mapping[str, Any], path: str) -> Any:
    """``get_path``, without parsing a path that names a top-level attribute (most do)."""
    if "." in path or "[" in path:
        return get_path(attrs, path)
    return attrs.get(path, MISSING)


def _moved(effect: Effect, before: Any, after: Any) -> bool:
    """Did one effect change the value at its path? Effects put a new value there; one that
    kept the same list or map may have changed it in place, which cannot be told apart from
    nothing (no copy is taken beforehand, for speed): counted as a change, the safe side."""
    if after is before:
        return isinstance(after, list | dict)
    old = effect.compare(None if before is MISSING else before)
    return bool(old != effect.compare(None if after is MISSING else after))


def _target_of(rule: Rule, rtype: str) -> Target | None:
    return next((t for t in rule.targets if t.type == rtype), None)


def _ref(res: StateResource, cloud_id: str) -> ResourceRef:
    return ResourceRef(
        address=res.address,
        type=res.type,
        id=res.resource_id or cloud_id,
        state=res.source,
        workspace=res.workspace,
    )
