"""Calls whose request shape a row does not recognise.

Most rows are modelled from the API reference, not from a recorded call (``tfdrift-gitops
catalog`` says which). When a real call carries none of the fields a row reads (keys renamed,
nested differently), replaying it either changes nothing, which would read as "set what state
already says", or applies only the row's defaults for absent fields, which would report values
the call never gave. Either way the call is still drift: reported at resource level, with the
reason this module gives.

How a call is judged, from what the row's effects look up in it (every key path, recorded):
- an effect found a value of its own (a top-level key the resource's id is not read from, or a
  leaf deeper inside one it is): recognised, whether it changed something or decided the call
  changes nothing here. (Only keys are seen: a value found under a known key but holding
  renamed keys inside is taken as recognised.)
- an effect applied without looking anything up (a value the call's name implies): recognised;
- effects applied only by echoing the resource's name or by the API's defaults for absent
  fields: recognised when the call carries nothing else (``ResumeProcesses`` without processes
  resumes them all) or created the resource; unrecognised when it carries other fields, which
  the row then cannot read;
- no effect applied: unrecognised.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tfdrift_gitops.core.catalog.model import Effect, Rule, deep_copy_attrs
from tfdrift_gitops.models import CloudEvent

PREFIX = "request shape not recognised"
_OWN_KEYS: dict[tuple[str, str, str, str], frozenset[str]] = {}
"""Per row and type, the top-level request keys its effects look up and its id does not,
learnt from the calls judged in full: one of them present means the row reads the call."""
GENERIC = frozenset({"host", "clienttoken", "dryrun"})
"""Request keys of many calls that never carry a resource's fields."""


@dataclass
class _Log:
    asked: set[str] = field(default_factory=set)
    """Key paths looked up, present or not (``a.b``; list items as ``*``)."""
    leaves: set[str] = field(default_factory=set)
    """Key paths looked up and found holding a value that is not an object (lists count:
    their items are read by iterating, not by key)."""
    top: set[str] = field(default_factory=set)
    """Top-level keys found."""
    top_asked: set[str] = field(default_factory=set)
    """Top-level request keys looked up, present or not."""


class _Reads(dict[str, Any]):
    """A JSON object that logs the key paths looked up in it, and in what it holds (wrapped
    when handed out, so a deep document costs nothing until someone descends into it)."""

    def __init__(self, data: Mapping[str, Any], log: _Log, path: str, root: bool = False) -> None:
        super().__init__(data)
        self._log = log
        self._path = path
        self._root = root

    def _note(self, key: object) -> bool:
        present = dict.__contains__(self, key)
        if isinstance(key, str):
            where = f"{self._path}{key}"
            self._log.asked.add(where)
            if self._root and self._path == "request:":
                self._log.top_asked.add(key)
            if present:
                if self._root:
                    self._log.top.add(key)
                if not isinstance(dict.__getitem__(self, key), Mapping):
                    self._log.leaves.add(where)
        return present

    def __contains__(self, key: object) -> bool:
        return self._note(key)

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        return _wrap(dict.__getitem__(self, key), self._log, f"{self._path}{key}.")

    def get(self, key: str, default: Any = None) -> Any:
        if not self._note(key):
            return default
        return _wrap(dict.__getitem__(self, key), self._log, f"{self._path}{key}.")


class _Items(list[Any]):
    """A JSON array whose objects log what is looked up in them (list items as ``*``)."""

    def __init__(self, data: list[Any], log: _Log, path: str) -> None:
        super().__init__(data)
        self._log = log
        self._path = path

    def __iter__(self) -> Iterator[Any]:
        return (_wrap(item, self._log, f"{self._path}*.") for item in list.__iter__(self))

    def __getitem__(self, index: Any) -> Any:
        item = list.__getitem__(self, index)
        if isinstance(index, slice):
            return [_wrap(i, self._log, f"{self._path}*.") for i in item]
        return _wrap(item, self._log, f"{self._path}*.")


def _wrap(value: Any, log: _Log, path: str) -> Any:
    if isinstance(value, _Reads | _Items):
        return value
    if isinstance(value, Mapping):
        return _Reads(value, log, path)
    if isinstance(value, list):
        return _Items(value, log, path)
    return value


def _probe(event: CloudEvent) -> tuple[CloudEvent, _Log]:
    """The event with request and response logging what is looked up in them."""
    log = _Log()
    probe = replace(
        event,
        request=_Reads(event.request, log, "request:", root=True)
        if isinstance(event.request, Mapping)
        else event.request,
        response=_Reads(event.response, log, "response:", root=True)
        if isinstance(event.response, Mapping)
        else event.response,
    )
    return probe, log


def row_effects(rule: Rule, rtype: str) -> tuple[Effect, ...]:
    """Every attribute effect the row has for one resource type (a row may split a type's
    effects over a modelled target and an effect-less fallback twin). Internal markers
    (``__...`` paths, e.g. a rule's direction) are no attribute the call could carry."""
    return tuple(
        effect
        for target in rule.targets
        if target.type == rtype
        for effect in target.effects
        if not effect.path.startswith("__")
    )


def unrecognised(
    rule: Rule,
    rtype: str,
    event: CloudEvent,
    attrs: Mapping[str, Any] | None = None,
    *,
    created: bool = False,
) -> str:
    """Why ``event``'s attribute values cannot be read by its row (then none is reported):
    empty when the row models none for ``rtype``, the change is one CloudTrail hides, or the
    call is recognised (see the module's docstring). ``attrs``: the attributes effects replay
    over (state's, or an unmanaged resource's id), which some need to find their item.
    ``created``: the call made a resource Terraform does not manage, known by its name and the
    API's defaults (its other, unmodelled parameters are no sign of an unknown shape)."""
    cache_key = (rule.source, rule.event, rule.discriminator, rtype)
    own_keys = _OWN_KEYS.get(cache_key)
    request = event.request
    if own_keys and isinstance(request, Mapping) and not own_keys.isdisjoint(request):
        # Fast path (most calls): a top-level key the row's effects read and its id does not.
        return ""
    effects = row_effects(rule, rtype)
    if not effects:
        return ""
    targets = [t for t in rule.targets if t.type == rtype]
    if any(t.hidden is not None and t.hidden(event) for t in targets):
        # What changed is hidden by CloudTrail (a password): known, not unrecognised.
        return ""
    naming, names = _probe(event)
    for target in targets:
        target.id(naming)
    asked_by_effects: set[str] = set()
    read: set[str] = set(names.top)
    applied_any = recognised = False
    # One working copy for all effects, applied in turn as a replay applies them. Every effect
    # runs (no early answer) so that what the row reads is learnt whole for the fast path.
    scratch = deep_copy_attrs(attrs or {})
    for effect in effects:
        probe, log = _probe(event)
        applied = effect.apply(scratch, probe)
        # It found a value of its own (a key the resource is not named by, or a leaf deeper in
        # one it is: a rule's priority next to the rule's ARN), or set a value the call's name
        # implies (RemoveRoleFromInstanceProfile).
        own = (log.leaves - names.leaves) or (log.top - names.top)
        recognised = recognised or bool(own) or (applied and not log.asked)
        read |= log.top
        asked_by_effects |= log.top_asked
        applied_any = applied_any or applied
    if len(_OWN_KEYS) < 4096:
        _OWN_KEYS[cache_key] = frozenset(
            _OWN_KEYS.get(cache_key, frozenset()) | (asked_by_effects - names.top_asked)
        )
    if recognised:
        return ""
    foreign = sorted(
        key for key in event.request or {} if key not in read and key.casefold() not in GENERIC
    )
    if applied_any and (created or not foreign):
        return ""  # nothing but the resource named: what the API does with such a call
    paths = ", ".join(sorted({effect.path for effect in effects}))
    unknown = f" (it carries {', '.join(foreign)})" if foreign else ""
    return (
        f"{PREFIX}: {event.name} carries none of the fields its row reads for {rtype} "
        f"({paths}){unknown}; reported at resource level, no attribute value guessed"
    )
