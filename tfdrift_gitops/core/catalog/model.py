"""The vocabulary of catalog rows: rules, targets, extractors, effects and comparers.

A service table (``ec2.py``, ``s3.py``, ...) is a tuple of :class:`Rule` values built only from
what this module offers (plus small service-specific effects where a generic one cannot say
it). The engine never knows a service by name.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.paths import MISSING, get_path, items, lookup, lookup_parts, set_path
from tfdrift_gitops.models import CloudEvent, Severity

if TYPE_CHECKING:
    from tfdrift_gitops.core.state import StateIndex

Extractor = Callable[[CloudEvent], Any]
"""Reads a value out of an event; returns MISSING when the event does not carry it."""

Comparer = Callable[[Any], Any]
"""Maps a value to a canonical form; two values are equal when their canonical forms are."""


class Action(StrEnum):
    MODIFY = "modify"
    CREATE = "create"
    DELETE = "delete"


# --------------------------------------------------------------------------- extractors


def req(path: str) -> Extractor:
    """A value from requestParameters (dotted, case-insensitive fallback)."""

    parts = tuple(path.split("."))

    def extract(event: CloudEvent) -> Any:
        return lookup_parts(event.request, parts) if event.request is not None else MISSING

    keys.note(extract, (frozenset([parts[0].casefold()]), frozenset()))
    return extract


def resp(path: str) -> Extractor:
    """A value from responseElements."""

    parts = tuple(path.split("."))

    def extract(event: CloudEvent) -> Any:
        return lookup_parts(event.response, parts) if event.response is not None else MISSING

    keys.note(extract, (frozenset(), frozenset([parts[0].casefold()])))
    return extract


def first(*extractors: Extractor) -> Extractor:
    """The first extractor that finds a non-null value."""

    def extract(event: CloudEvent) -> Any:
        for extractor in extractors:
            value = extractor(event)
            if value is not MISSING and value is not None:
                return value
        return MISSING

    keys.note(extract, keys.union(extractors))
    return extract


def const(value: Any) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        return copy.deepcopy(value)

    return extract


def mapped(extractor: Extractor, fn: Callable[[Any], Any]) -> Extractor:
    """Apply ``fn`` to the extracted value (not called on MISSING). ``fn`` may return MISSING."""

    def extract(event: CloudEvent) -> Any:
        value = extractor(event)
        return MISSING if value is MISSING else fn(value)

    keys.note(extract, keys.needs_of(extractor))
    return extract


def id_list(extractor: Extractor) -> Extractor:
    """One id (a string) or a list of them, as a list: the shape ``Rule.known_ids`` wants."""

    def extract(event: CloudEvent) -> Any:
        value = extractor(event)
        if isinstance(value, str):
            return [value] if value else []
        if isinstance(value, list):
            return [v for v in value if isinstance(v, str) and v]
        return MISSING

    keys.note(extract, keys.needs_of(extractor))
    return extract


def item_list(extractor: Extractor, field_path: str | None = None) -> Extractor:
    """``{"items": [...]}`` or a list -> list; optionally pick ``field_path`` of each item."""

    def extract(event: CloudEvent) -> Any:
        value = extractor(event)
        if value is MISSING:
            return MISSING
        elements = items(value)
        if field_path is None:
            return elements
        picked = [lookup(e, field_path) for e in elements]
        return [p for p in picked if p is not MISSING and p is not None]

    keys.note(extract, keys.needs_of(extractor))
    return extract


# --------------------------------------------------------------------------- coercions


def as_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, Mapping):  # EC2 wraps: {"value": true}
        inner = lookup(value, "value")
        return as_bool(inner) if inner is not MISSING else MISSING
    if isinstance(value, int):
        return bool(value)
    return MISSING


def as_int(value: Any) -> Any:
    if isinstance(value, bool):
        return MISSING
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return MISSING
    if isinstance(value, Mapping):
        inner = lookup(value, "value")
        return as_int(inner) if inner is not MISSING else MISSING
    return MISSING


def as_str(value: Any) -> Any:
    if value is None or value is MISSING:
        return MISSING
    if isinstance(value, Mapping):
        inner = lookup(value, "value")
        return as_str(inner) if inner is not MISSING else MISSING
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return MISSING


# --------------------------------------------------------------------------- comparers


def exact(value: Any) -> Any:
    return value


def scalar(value: Any) -> Any:
    """Numbers and booleans compared across their string forms ("80" == 80, "true" == True)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        try:
            return float(text)
        except ValueError:
            return value
    if value is None or value == "":
        return None
    return value


def as_set(value: Any) -> Any:
    """Order-insensitive list comparison (CIDRs, layer ARNs, policy ARNs)."""
    if value is None or value is MISSING:
        return frozenset()
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(json.dumps(canonical_json(v), sort_keys=True) for v in value)
    return frozenset([json.dumps(canonical_json(value), sort_keys=True)])


def canonical_json(value: Any) -> Any:
    """Policy documents: parse JSON strings; sort keys; single-element lists == scalars."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("{", "[")):
            try:
                return canonical_json(json.loads(text))
            except ValueError:
                return value
        return value
    if isinstance(value, Mapping):
        return {str(k): canonical_json(v) for k, v in sorted(value.items(), key=lambda kv: kv[0])}
    if isinstance(value, list):
        normal = [canonical_json(v) for v in value]
        if len(normal) == 1:
            return normal[0]
        return sorted(normal, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def tags_map(value: Any) -> Any:
    """Tags compared as a map of strings; null and {} are the same."""
    if value is None or value is MISSING:
        return {}
    if isinstance(value, Mapping):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    return value


def _empty_is_none(value: Any) -> Any:
    if value in (None, "", [], {}) or value is MISSING:
        return None
    return value


def blocks(value: Any) -> Any:
    """Nested block lists: an absent block equals an empty list or null."""
    normal = _empty_is_none(value)
    return None if normal is None else canonical_json(normal)


# --------------------------------------------------------------------------- effects


class Compared:
    """Mixin for effects: values at ``path`` are compared through the ``comparer`` field."""

    __slots__ = ()
    comparer: Comparer

    def compare(self, value: Any) -> Any:
        return self.comparer(value)


class ReadsState:
    """Mixin for effects whose new value lives in another resource's state, not in the call
    (AssociateAddress names an instance; the elastic IP's ``network_interface`` becomes that
    instance's primary interface, which only the instance's state says). The engine calls
    ``apply_in`` with its state index; callers without one (shape probes) call ``apply``,
    which must then say only what the call carries."""

    __slots__ = ()

    def apply_in(self, attrs: dict[str, Any], event: CloudEvent, index: StateIndex) -> bool:
        raise NotImplementedError


class Effect(Protocol):
    """Changes a working copy of a resource's attributes the way the event changed AWS."""

    @property
    def path(self) -> str:
        """The Terraform attribute path the change is reported at."""
        ...

    def compare(self, value: Any) -> Any:
        """Canonical form of the value at ``path`` for equality."""
        ...

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        """Mutate ``attrs``; False when the event does not carry what this effect needs."""
        ...


@keys.noop_on_missing
@dataclass(frozen=True, slots=True)
class Set(Compared):
    """``path`` becomes the extracted value (a whole nested block when the value is a list)."""

    path: str
    value: Extractor
    comparer: Comparer = scalar

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        value = self.value(event)
        if value is MISSING:
            return False
        set_path(attrs, self.path, value)
        return True


@keys.noop_on_missing
@dataclass(frozen=True, slots=True)
class AddItems(Compared):
    """Items join the list at ``path`` unless an equal one is there (set semantics)."""

    path: str
    value: Extractor
    comparer: Comparer = as_set

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        new = self.value(event)
        if new is MISSING:
            return False
        current = get_path(attrs, self.path)
        present = list(current) if isinstance(current, list) else []
        keys = {json.dumps(canonical_json(v), sort_keys=True) for v in present}
        for item in new if isinstance(new, list) else [new]:
            key = json.dumps(canonical_json(item), sort_keys=True)
            if key not in keys:
                present.append(item)
                keys.add(key)
        set_path(attrs, self.path, present)
        return True


@keys.noop_on_missing
@dataclass(frozen=True, slots=True)
class RemoveItems(Compared):
    """Items leave the list at ``path``."""

    path: str
    value: Extractor
    comparer: Comparer = as_set

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        gone = self.value(event)
        if gone is MISSING:
            return False
        gone_keys = {
            json.dumps(canonical_json(v), sort_keys=True)
            for v in (gone if isinstance(gone, list) else [gone])
        }
        current = get_path(attrs, self.path)
        present = list(current) if isinstance(current, list) else []
        kept = [
            v for v in present if json.dumps(canonical_json(v), sort_keys=True) not in gone_keys
        ]
        set_path(attrs, self.path, kept)
        return True


@keys.noop_on_missing
@dataclass(frozen=True, slots=True)
class MergeMap(Compared):
    """Keys of the extracted map are set in the map at ``path`` (tags)."""

    path: str
    value: Extractor
    comparer: Comparer = tags_map

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        new = self.value(event)
        if new is MISSING or not isinstance(new, Mapping):
            return False
        current = get_path(attrs, self.path)
        merged = dict(current) if isinstance(current, Mapping) else {}
        merged.update(new)
        set_path(attrs, self.path, merged)
        return True


@keys.noop_on_missing
@dataclass(frozen=True, slots=True)
class RemoveKeys(Compared):
    """Keys leave the map at ``path`` (DeleteTags). The extractor yields a list of keys."""

    path: str
    value: Extractor
    comparer: Comparer = tags_map

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        keys = self.value(event)
        if keys is MISSING:
            return False
        current = get_path(attrs, self.path)
        kept = dict(current) if isinstance(current, Mapping) else {}
        for key in keys if isinstance(keys, list) else [keys]:
            kept.pop(str(key), None)
        set_path(attrs, self.path, kept)
        return True


# --------------------------------------------------------------------------- rows

Guard = Callable[[CloudEvent, "StateIndex"], bool]
SeverityCheck = Callable[[CloudEvent, Mapping[str, Any]], "tuple[Severity, str] | None"]
"""Looks at the event and the *observed* attributes; returns a raised severity and why."""


@dataclass(frozen=True, slots=True)
class Target:
    """One Terraform resource type an event may land on.

    ``id`` extracts the identifying value(s) (a string or a list of strings) compared with the
    state attribute ``lookup``. ``action`` overrides the rule's. ``guard`` decides, given the
    whole state index, whether this target applies (e.g. the group's rules are managed as
    separate resources). ``import_id`` gives the id for ``import {}`` of unmanaged resources.
    """

    type: str
    lookup: str
    id: Extractor
    effects: tuple[Effect, ...] = ()
    action: Action | None = None
    guard: Guard | None = None
    import_id: Extractor | None = None
    hidden: Callable[[CloudEvent], bool] | None = None
    """True when the call changed something CloudTrail does not show (a password): no
    replay can then prove the drift undone."""
    trusted_guard: Guard | None = None
    """The guard for Terraform's own (trusted) calls when it differs from ``guard``: a
    with_fallback twin's choice between the modelled and the resource-level target does not
    matter for calls that never open drift (they land on the same resource either way)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One CloudTrail write event and what it does to Terraform-managed resources."""

    event: str
    source: str
    action: Action
    targets: tuple[Target, ...]
    severity: Severity = Severity.MEDIUM
    description: str = ""
    severity_checks: tuple[SeverityCheck, ...] = ()
    tags: tuple[str, ...] = field(default=())
    fan_out: bool = False
    """Every target that lands counts, not only the first (CreateTags naming an instance, a
    volume and a security group in one call changes all three)."""
    matches: Callable[[CloudEvent], bool] | None = None
    """Whether a call is this row's, for rows that share (event, source) with another: ELB
    classic and ELBv2 both log ``CreateLoadBalancer``. ``apiVersion`` would tell them apart
    but Falco alerts do not carry it, so rows look at the request's shape."""
    discriminator: str = ""
    """What ``matches`` tells apart, for people (``ELB classic (2012-06-01)``)."""
    known_ids: Extractor | None = None
    """Ids of which at least one must be known (an identifying value in state, or the id of
    an open unmanaged drift) for the call to land anywhere. A reader's prefilter skips calls
    naming only unknown ids as ``not_in_state`` without normalising them; an empty list
    means "cannot tell", and the call goes the full way."""
    recovery: tuple[str, ...] = ()
    """For a delete that AWS only schedules (a KMS key's waiting period): the commands that
    undo it, ``{id}`` standing for the resource id. Such a drift is never remediated by an
    apply: Terraform already treats the resource as gone and would create a new one."""
    restores: bool = False
    """The call undoes a scheduled delete (CancelKeyDeletion): joined to a deleted drift, the
    resource is back and the drift becomes what replaying the calls over state says."""

    @property
    def has_effects(self) -> bool:
        return any(t.effects for t in self.targets)


def deep_copy_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: copy_json(v) for k, v in attrs.items()}


def copy_json(value: Any) -> Any:
    """A deep copy; decoded JSON (dicts, lists, scalars) copied several times faster than by
    ``copy.deepcopy``, which any other container is left to."""
    kind = type(value)
    if kind is dict:
        return {k: copy_json(v) for k, v in value.items()}
    if kind is list:
        return [copy_json(v) for v in value]
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    return copy.deepcopy(value)


def ids_of(target: Target, event: CloudEvent) -> list[str]:
    """Normalise a target's id extractor output to a list of non-empty strings."""
    value = target.id(event)
    if value is MISSING or value is None:
        return []
    values: Sequence[Any] = value if isinstance(value, list) else [value]
    return [str(v) for v in values if isinstance(v, str | int) and str(v)]
