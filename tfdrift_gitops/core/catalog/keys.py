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
from typing import Any, TypeVar

from tfdrift_gitops.models import CloudEvent

Needs = tuple[frozenset[str], frozenset[str]]
"""Casefolded top-level keys of the request, and of the response, one of which must be there."""
EventKeys = tuple[frozenset[str], frozenset[str]] | None
"""A call's casefolded top-level request and response keys; None when either document is not
a plain dict (then nothing is skipped)."""

_NEEDS: dict[Callable[..., Any], Needs] = {}
_NOOP_ON_MISSING: set[type] = set()
_T = TypeVar("_T")


def note(extractor: Callable[..., Any], needs: Needs | None) -> None:
    """Record what ``extractor`` needs (None: not known, never skipped)."""
    if needs is not None:
        _NEEDS[extractor] = needs


def needs_of(extractor: Callable[..., Any]) -> Needs | None:
    return _NEEDS.get(extractor)


def union(extractors: Iterable[Callable[..., Any]]) -> Needs | None:
    """What ``first(...)`` of these needs: any one of theirs, known only if all are known."""
    request: set[str] = set()
    response: set[str] = set()
    for extractor in extractors:
        needs = _NEEDS.get(extractor)
        if needs is None:
            return None
        request |= needs[0]
        response |= needs[1]
    return frozenset(request), frozenset(response)


def noop_on_missing(cls: type[_T]) -> type[_T]:
    """Class decorator: the effect's ``apply`` returns False, changing nothing, when its
    ``value`` extractor yields MISSING (only such effects may be passed over)."""
    _NOOP_ON_MISSING.add(cls)
    return cls


def effect_needs(effect: object) -> Needs | None:
    if type(effect) not in _NOOP_ON_MISSING:
        return None
    value = getattr(effect, "value", None)
    return _NEEDS.get(value) if callable(value) else None


def _folded(document: Any) -> frozenset[str] | None:
    if document is None:
        return frozenset()
    if type(document) is not dict:
        return None
    return frozenset(k.casefold() for k in document if isinstance(k, str))


def event_keys(event: CloudEvent) -> EventKeys:
    request, response = _folded(event.request), _folded(event.response)
    if request is None or response is None:
        return None
    return request, response


def may_carry(needs: Needs, keys: EventKeys) -> bool:
    """Could a call with ``keys`` give an extractor with ``needs`` anything but MISSING?"""
    if keys is None:
        return True
    return not (needs[0].isdisjoint(keys[0]) and needs[1].isdisjoint(keys[1]))


Plan = tuple[tuple[Any, Needs | None], ...]
_PLANS: dict[int, tuple[object, Plan]] = {}


def plan_of(owner: object, effects: Iterable[Any]) -> Plan:
    """``effects`` paired with their needs, cached per ``owner`` (a catalog target)."""
    cached = _PLANS.get(id(owner))
    if cached is not None and cached[0] is owner:
        return cached[1]
    plan = tuple((effect, effect_needs(effect)) for effect in effects)
    _PLANS[id(owner)] = (owner, plan)
    return plan


def applicable(plan: Plan, event: CloudEvent) -> list[Any]:
    """The effects of ``plan`` that may apply to ``event``, in order."""
    keys: EventKeys = None
    known = False  # the keys are worked out on first need
    out = []
    for effect, needs in plan:
        if needs is not None:
            if not known:
                keys, known = event_keys(event), True
            if not may_carry(needs, keys):
                continue
        out.append(effect)
    return out
