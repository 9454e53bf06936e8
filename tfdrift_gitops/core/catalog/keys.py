"""Which top-level request/response keys an extractor needs, so that effects a call cannot
carry are passed over without running them.

Catalog rows model dozens of request fields (ModifyDBInstance: over thirty) and a call sets a
few; each effect looks its field up with a case-insensitive fallback, and a miss costs more than
a hit. An extractor built from ``req``/``resp`` (and ``mapped``, ``first``... over them) yields
MISSING unless the call's request or response has one of a known set of top-level keys
(compared casefolded, as the lookup's fallback does). An effect whose ``apply`` does nothing
on MISSING (:func:`noop_on_missing`) is skipped when the call has none of its keys: the same
outcome, without the lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from tfdrift_gitops.models import CloudEvent

Needs = tuple[frozenset[str], frozenset[str]]
"""Casefolded top-level keys of the request, and of the response, one of which must be there."""
EventKeys = tuple[frozenset[str], frozenset[str]] | None
"""A call's casefolded top-level request and response keys; None when either document is not
a plain dict (then nothing is skipped)."""

_NEEDS: Final = "_tfdrift_needs"
"""The attribute of an extractor (a function) that says what it needs."""
_NOOP_ON_MISSING: set[type] = set()
_T = TypeVar("_T")


def note(extractor: Callable[..., Any], needs: Needs | None) -> None:
    """Record what ``extractor`` needs (None: not known, never skipped). Kept on the function
    itself, so an extractor built for one call (``req("x")(event)``) takes its needs with it
    when it goes: a long-running collector must not keep one entry per call."""
    if needs is not None:
        setattr(extractor, _NEEDS, needs)


def needs_of(extractor: Callable[..., Any]) -> Needs | None:
    needs: Needs | None = getattr(extractor, _NEEDS, None)
    return needs


_RESHAPES: Final = "_tfdrift_reshapes"
_E = TypeVar("_E", bound=Callable[..., Any])


def reshapes(extractor: _E) -> _E:
    """Marks an id extractor that says what it reads but whose id is not the last ARN or path
    segment of a value holding ``:`` or ``/`` (Lambda's ``orders:live`` is the function
    ``orders``): ``detect --jobs`` routing runs it on such values instead of taking that
    segment as the key."""
    setattr(extractor, _RESHAPES, True)
    return extractor


def reshaping(extractor: Callable[..., Any]) -> bool:
    return bool(getattr(extractor, _RESHAPES, False))


def union(extractors: Iterable[Callable[..., Any]]) -> Needs | None:
    """What ``first(...)`` of these needs: any one of theirs, known only if all are known."""
    request: set[str] = set()
    response: set[str] = set()
    for extractor in extractors:
        needs = getattr(extractor, _NEEDS, None)
        if needs is None:
            return None
        request |= needs[0]
        response |= needs[1]
    return frozenset(request), frozenset(response)


def joined(separator: str, parts: Iterable[Callable[..., Any]]) -> Needs | None:
    """What an id of ``parts``' values joined by ``separator`` needs (MISSING unless every
    part has one): theirs, when ``separator`` is ``/`` or ``:``, else not known. Routing in
    ``detect --jobs`` keys a call by each id's last ARN or path segment, taking a plain
    string field as its own key without running an extractor that says it reads it; such an
    id's last segment is its last part's, so that part's field gives its key."""
    return union(parts) if separator in ("/", ":") else None


def noop_on_missing(cls: type[_T]) -> type[_T]:
    """Class decorator: the effect's ``apply`` returns False, changing nothing, when its
    ``value`` extractor yields MISSING (only such effects may be passed over)."""
    _NOOP_ON_MISSING.add(cls)
    return cls


def effect_vetted(effect: object) -> bool:
    """Of a class marked :func:`noop_on_missing`."""
    return type(effect) in _NOOP_ON_MISSING


def effect_needs(effect: object) -> Needs | None:
    if type(effect) not in _NOOP_ON_MISSING:
        return None
    value = getattr(effect, "value", None)
    return needs_of(value) if callable(value) else None


def _folded(document: Any) -> frozenset[str] | None:
    if document is None:
        return frozenset()
    if type(document) is not dict:
        return None
    return frozenset(k.casefold() for k in document if isinstance(k, str))


_LAST: list[tuple[Any, EventKeys]] = [(None, None)]
"""The last event asked about and its keys, in one slot (threads never see half an update):
one call is looked at many times in a row."""


def event_keys(event: CloudEvent) -> EventKeys:
    seen, keys = _LAST[0]
    if seen is event:
        return keys
    request, response = _folded(event.request), _folded(event.response)
    keys = None if request is None or response is None else (request, response)
    _LAST[0] = (event, keys)
    return keys


def may_carry(extractor: Callable[..., Any], event: CloudEvent) -> bool:
    """False when ``extractor`` surely yields MISSING for ``event`` (it needs a key the call
    does not have); True when it may yield something."""
    needs = getattr(extractor, _NEEDS, None)
    if needs is None:
        return True
    keys = event_keys(event)
    return keys is None or not (needs[0].isdisjoint(keys[0]) and needs[1].isdisjoint(keys[1]))


@dataclass(frozen=True, slots=True)
class Plan:
    """A target's effects indexed by the keys they need, so that picking the ones a call may
    carry costs a lookup per key the call has, not a check per effect."""

    effects: tuple[Any, ...]
    always: tuple[int, ...]
    """Positions of effects whose needs are not known: they always run."""
    by_request: dict[str, tuple[int, ...]]
    by_response: dict[str, tuple[int, ...]]
    reads_state: bool = False
    """Some effect also reads other resources in state (``model.ReadsState``)."""
    chosen: dict[tuple[frozenset[str], frozenset[str]], tuple[Any, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """``applicable``'s answers by the call's keys (calls of one row carry few key sets)."""


def _plan(effects: tuple[Any, ...]) -> Plan:
    always: list[int] = []
    by_request: dict[str, list[int]] = {}
    by_response: dict[str, list[int]] = {}
    for position, effect in enumerate(effects):
        needs = effect_needs(effect)
        if needs is None:
            always.append(position)
            continue
        for key in needs[0]:
            by_request.setdefault(key, []).append(position)
        for key in needs[1]:
            by_response.setdefault(key, []).append(position)
    return Plan(
        effects=effects,
        always=tuple(always),
        by_request={k: tuple(v) for k, v in by_request.items()},
        by_response={k: tuple(v) for k, v in by_response.items()},
        reads_state=any(hasattr(effect, "apply_in") for effect in effects),
    )


_PLANS: dict[int, tuple[object, Plan]] = {}
_CHOSEN_LIMIT = 256


def plan_of(owner: object, effects: Iterable[Any]) -> Plan:
    """``effects`` indexed by their needs, cached per ``owner`` (a catalog target)."""
    cached = _PLANS.get(id(owner))
    if cached is not None and cached[0] is owner:
        return cached[1]
    plan = _plan(tuple(effects))
    _PLANS[id(owner)] = (owner, plan)
    return plan


def applicable(plan: Plan, event: CloudEvent) -> tuple[Any, ...] | list[Any]:
    """The effects of ``plan`` that may apply to ``event``, in their order."""
    if len(plan.always) == len(plan.effects):
        return plan.effects
    keys = event_keys(event)
    if keys is None:
        return plan.effects
    known = plan.chosen.get(keys)
    if known is not None:
        return known
    chosen = set(plan.always)
    by_request, by_response = plan.by_request, plan.by_response
    for key in keys[0]:
        found = by_request.get(key)
        if found is not None:
            chosen.update(found)
    for key in keys[1]:
        found = by_response.get(key)
        if found is not None:
            chosen.update(found)
    effects = plan.effects
    answer = tuple(effects[position] for position in sorted(chosen))
    if len(plan.chosen) >= _CHOSEN_LIMIT:  # hostile input with endless key sets: stay bounded
        plan.chosen.clear()
    plan.chosen[keys] = answer
    return answer
