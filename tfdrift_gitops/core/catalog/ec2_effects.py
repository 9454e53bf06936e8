"""EC2-specific extractors and effects: instance attributes, user data, tags, resource ids.

Generic effects (``Set``, ``AddItems``...) live in ``model.py``; these cover what they cannot
say: ModifyInstanceAttribute's two request forms, user data that CloudTrail hides, tags next to
provider ``default_tags``, and calls that create several resources at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.model import Extractor, Target, tags_map
from tfdrift_gitops.core.catalog.tagging import remembered_defaults
from tfdrift_gitops.core.paths import MISSING, get_path, items, lookup, set_path
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.models import CloudEvent, Via

SENSITIVE = "<sensitiveDataRemoved>"


def wrapped(wrapper: str, name: str) -> Extractor:
    """Newer EC2 APIs nest the request (``ModifyInstanceMetadataOptionsRequest.HttpTokens``);
    older records and hand-made ones use the flat camelCase key. Accept both."""

    def extract(event: CloudEvent) -> Any:
        request = event.request
        if request is None:
            return MISSING
        for path in (f"{wrapper}.{name}", name):
            value = unwrap(lookup(request, path))
            if value is not MISSING and value is not None:
                return value
        return MISSING

    # It reads the wrapper or the flat key, nothing else; a plain string at either is
    # returned as is (routing in detect --jobs takes it as the key without running this).
    top = frozenset({wrapper.partition(".")[0].casefold(), name.partition(".")[0].casefold()})
    keys.note(extract, (top, frozenset()))
    return extract


def unwrap(value: Any) -> Any:
    """Wrapped-request scalars sometimes arrive as ``{"content": "fl-...", "tag": 1}``."""
    if isinstance(value, Mapping) and "content" in value:
        return value["content"]
    return value


def instance_attr(name: str) -> Extractor:
    """ModifyInstanceAttribute names its attribute as a key (``instanceType: {value: ...}``) or
    as ``attribute: instanceType, value: ...`` (the older single-attribute form)."""

    def extract(event: CloudEvent) -> Any:
        request = event.request
        if request is None:
            return MISSING
        value = lookup(request, name)
        if value is not MISSING and value is not None:
            return value
        attribute = lookup(request, "attribute")
        if isinstance(attribute, str) and attribute.casefold() == name.casefold():
            return lookup(request, "value")
        return MISSING

    return extract


def group_ids(value: Any) -> Any:
    """``groupSet.items[].groupId`` -> list of ids (MISSING when there are none)."""
    found = [lookup(i, "groupId") if isinstance(i, Mapping) else i for i in items(value)]
    ids = [g for g in found if isinstance(g, str) and g]
    return ids if ids else MISSING


# --------------------------------------------------------------------------- user data


class _Unknowable:
    """Canonical form of a hidden value: equal to nothing, not even itself."""

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]


def _decoded(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text.encode()


def user_data_hash(text: str) -> str:
    """What the AWS provider (v5 and earlier) stores in ``user_data``: SHA-1 hex of the decoded
    user data."""
    return hashlib.sha1(_decoded(text), usedforsecurity=False).hexdigest()


_SHA1_HEX = re.compile(r"^[0-9a-f]{40}$")


def _state_form(current: Any, raw: str) -> str:
    """``raw`` (base64, as EC2 takes it) in the form state already uses: provider v5 stores a
    SHA-1 hash, v6 the user data itself. With nothing in state, v5's hash."""
    if isinstance(current, str) and current not in ("", SENSITIVE) and not _SHA1_HEX.match(current):
        try:
            return _decoded(raw).decode()
        except UnicodeDecodeError:
            return user_data_hash(raw)
    return user_data_hash(raw)


@dataclass(frozen=True, slots=True)
class UserData:
    """``userData`` -> ``user_data`` (provider v5 stores a SHA-1 hash, v6 the text) or
    ``user_data_base64``.

    CloudTrail usually replaces the value with ``<sensitiveDataRemoved>``. Then the observed
    value is that marker and it never compares equal to anything: we know the user data was
    rewritten, not whether it was rewritten to what Terraform has, so we never claim "no
    change" (and a later hidden rewrite cannot claim a revert either; a newer state or a person
    resolves it). When the value is visible it is compared exactly as the provider stores it.
    """

    path: str  # "user_data" | "user_data_base64"

    def compare(self, value: Any) -> Any:
        if value == SENSITIVE:
            return _Unknowable()
        return None if value in (None, "") else value

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        raw = instance_attr("userData")(event)
        if isinstance(raw, Mapping):
            raw = lookup(raw, "value")
        if raw is MISSING or raw is None or not isinstance(raw, str):
            return False
        uses_b64 = attrs.get("user_data_base64") not in (None, "")
        if uses_b64 != (self.path == "user_data_base64"):
            return False
        if raw == SENSITIVE:
            attrs[self.path] = SENSITIVE
        elif self.path == "user_data_base64":
            attrs[self.path] = raw
        else:
            attrs[self.path] = _state_form(attrs.get(self.path), raw) if raw else None
        return True


# --------------------------------------------------------------------------- tags


def tag_pairs(value: Any) -> list[tuple[str, Any]]:
    """``tagSet.items[]`` / ``tags[]`` of {key, value} -> (key, value or MISSING) pairs."""
    out: list[tuple[str, Any]] = []
    for entry in items(value):
        if not isinstance(entry, Mapping):
            continue
        key = lookup(entry, "key")
        if isinstance(key, str) and key:
            out.append((key, lookup(entry, "value")))
    return out


def _tag_text(value: Any) -> str:
    return "" if value is MISSING or value is None else str(value)


@dataclass(frozen=True, slots=True)
class CreateTags:
    """``tagSet`` merged into ``tags``.

    A key the provider's ``default_tags`` already sets (present in ``tags_all``, absent from
    ``tags``) written with the same value is not drift; ``tags_all`` itself is computed and is
    never reported.
    """

    path: str = "tags"

    def compare(self, value: Any) -> Any:
        return tags_map(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        pairs = tag_pairs(lookup(event.request or {}, "tagSet"))
        if not pairs:
            return False
        current = get_path(attrs, self.path)
        tags = dict(current) if isinstance(current, Mapping) else {}
        defaults = remembered_defaults(attrs)
        for key, raw in pairs:
            value = _tag_text(raw)
            if key in defaults and defaults[key] == value:
                # The provider's default value: not a resource tag, also when an earlier call
                # had overwritten it and this one (Terraform reverting) writes it back.
                tags.pop(key, None)
            else:
                tags[key] = value
        set_path(attrs, self.path, tags)
        return True


@dataclass(frozen=True, slots=True)
class DeleteTags:
    """``tagSet`` keys leave ``tags``: without a value regardless, with one only if it matches
    (EC2's documented DeleteTags rule)."""

    path: str = "tags"

    def compare(self, value: Any) -> Any:
        return tags_map(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        pairs = tag_pairs(lookup(event.request or {}, "tagSet"))
        if not pairs:
            return False
        current = get_path(attrs, self.path)
        tags = dict(current) if isinstance(current, Mapping) else {}
        for key, raw in pairs:
            if key in tags and (raw is MISSING or raw is None or _tag_text(raw) == tags[key]):
                del tags[key]
        set_path(attrs, self.path, tags)
        return True


def spec_tags(resource_type: str, wrapper: str | None = None) -> Extractor:
    """Tags a Create*/RunInstances call gave for one resource type.

    Older APIs log ``tagSpecificationSet.items[].tags[]`` of ``{key, value}``; newer ones
    (``wrapper``, e.g. ``CreateNatGatewayRequest``) ``TagSpecification`` -- one spec or a list
    -- whose ``Tag`` is one ``{Key, Value, tag: n}`` or a list of them (AWS's CloudTrail example
    for CreateTransitGateway). Only the request's own specs count: CreateLaunchTemplate's
    ``LaunchTemplateData.TagSpecification`` tags the instances launched from it, not the
    template.
    """

    def extract(event: CloudEvent) -> Any:
        request = event.request or {}
        specs = items(lookup(request, "tagSpecificationSet"))
        if wrapper is not None:
            for path in (f"{wrapper}.TagSpecification", "TagSpecification"):
                specs = [*specs, *items(lookup(request, path))]
        tags: dict[str, str] = {}
        for spec in specs:
            if not isinstance(spec, Mapping):
                continue
            rtype = unwrap(lookup(spec, "resourceType"))
            if isinstance(rtype, str) and rtype != resource_type:
                continue
            listed = lookup(spec, "tags")
            for key, raw in tag_pairs(lookup(spec, "Tag") if listed is MISSING else listed):
                tags[key] = _tag_text(unwrap(raw))
        return tags if tags else MISSING

    return extract


# --------------------------------------------------------------------------- resource ids

# Hex is case-insensitive: anonymised records (Stratus Red Team) mix cases.
EC2_ID = re.compile(r"^(?P<prefix>[a-z]+(?:-[a-z]+)*)-[0-9a-fA-F]{8,17}$")


class _LastEvent:
    """A one-entry memo: every target of one CreateTags asks for the same split of its ids.

    Keyed by the event and extractor objects themselves (``is``), which the memo keeps alive, so
    a stale entry can only cause a recomputation, never a wrong answer, even if threads
    interleave.
    """

    __slots__ = ("entry",)

    def __init__(self) -> None:
        self.entry: tuple[CloudEvent, Extractor, dict[str, list[str]]] | None = None


_LAST = _LastEvent()


def ids_by_prefix(extractor: Extractor, event: CloudEvent) -> dict[str, list[str]]:
    """The event's resource ids grouped by kind: ``{"i": [...], "tgw-attach": [...]}``."""
    entry = _LAST.entry
    if entry is not None and entry[0] is event and entry[1] is extractor:
        return entry[2]
    value = extractor(event)
    grouped: dict[str, list[str]] = {}
    for candidate in value if isinstance(value, list) else [value]:
        if isinstance(candidate, str):
            match = EC2_ID.match(candidate)
            if match:
                grouped.setdefault(match.group("prefix"), []).append(candidate)
    _LAST.entry = (event, extractor, grouped)
    return grouped


def prefixed_ids(extractor: Extractor, prefix: str) -> Extractor:
    """Only the ids of one kind (``i-``, ``sg-``, ``tgw-`` but not ``tgw-attach-``)."""

    def extract(event: CloudEvent) -> Any:
        return ids_by_prefix(extractor, event).get(prefix) or MISSING

    keys.note(extract, keys.needs_of(extractor))  # some of what ``extractor`` yields
    return extract


def managed_ids(rtype: str, key: str, extractor: Extractor) -> Any:
    """A guard: at least one of the event's ids is this type's resource in state."""

    def guard(event: CloudEvent, index: StateIndex) -> bool:
        value = extractor(event)
        values = value if isinstance(value, list) else [value]
        return any(isinstance(v, str) and index.lookup(rtype, key, v) for v in values)

    return guard


# --------------------------------------------------------------------------- RunInstances

_SERVICE_ROLE = ":assumed-role/AWSServiceRoleFor"
_CONSOLE_HOSTS = ("console.", "signin.")


def _is_service_host(value: str) -> bool:
    """``autoscaling.amazonaws.com`` yes; ``signin.amazonaws.com``, ``console...`` no."""
    return (
        value.endswith(".amazonaws.com")
        and " " not in value
        and not value.startswith(_CONSOLE_HOSTS)
    )


def launched_by_aws_service(event: CloudEvent) -> bool:
    """Instances that Auto Scaling, EKS, Spot Fleet, Batch, CloudFormation... launch are theirs to
    manage; reporting each as an unmanaged ``aws_instance`` would be noise."""
    actor = event.actor
    if actor.via in (Via.AWS_SERVICE, Via.CLOUDFORMATION):
        return True
    if _SERVICE_ROLE in actor.arn:
        return True
    # Older console records carry ``invokedBy: signin.amazonaws.com`` (and the same user
    # agent): a person launching from the console, not a service acting on its own.
    for host in (actor.invoked_by.strip().lower(), actor.user_agent.strip().lower()):
        if _is_service_host(host):
            return True
    for spec in items(lookup(event.request or {}, "tagSpecificationSet")):
        for key, _ in tag_pairs(lookup(spec, "tags") if isinstance(spec, Mapping) else None):
            if key.startswith("aws:"):
                return True  # aws:autoscaling:groupName, aws:cloudformation:stack-name, ...
    return False


@dataclass(frozen=True, slots=True)
class LaunchedField:
    """One attribute of an instance RunInstances created, from its own response item.

    The response lists every launched instance (``instancesSet.items[]``); the item whose
    ``instanceId`` is this resource's id wins, else the request's value (same for all).
    """

    path: str
    response_field: str
    request_field: str = ""
    as_list: bool = False

    def compare(self, value: Any) -> Any:
        if isinstance(value, list):
            return sorted(str(v) for v in value)
        return None if value in (None, "") else value

    def _value(self, source: Any, field: str) -> Any:
        value = lookup(source, field)
        if self.as_list:
            return group_ids(value)
        return value if isinstance(value, str | int | bool) and value != "" else MISSING

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        own = attrs.get("id")
        value: Any = MISSING
        for item in items(lookup(event.response or {}, "instancesSet")):
            if isinstance(item, Mapping) and own and lookup(item, "instanceId") == own:
                value = self._value(item, self.response_field)
                break
        if value is MISSING and self.request_field:
            value = self._value(event.request or {}, self.request_field)
        if value is MISSING:
            return False
        set_path(attrs, self.path, value)
        return True


# --------------------------------------------------------------------------- partial models


def carries_any(*extractors: Extractor) -> Any:
    """A guard: the event carries at least one of the values a target's effects model."""

    def guard(event: CloudEvent, index: StateIndex) -> bool:
        return any(extractor(event) is not MISSING for extractor in extractors)

    return guard


def with_fallback(target: Target, *modelled: Extractor) -> tuple[Target, Target]:
    """The target when the event sets something it models, else a resource-level twin.

    Without the twin an attribute we do not model (``kernel``, ``enaSupport``...) would leave
    every effect unapplied and the call would be skipped as "no change" — a silent miss.
    """
    guard = carries_any(*modelled)

    def unmodelled(event: CloudEvent, index: StateIndex) -> bool:
        return not guard(event, index)

    return (
        replace(target, guard=guard),
        replace(target, effects=(), guard=unmodelled),
    )
