"""Small row-building helpers shared by the rds, lambda_, kms and cloudtrail tables.

Typed extractors for request fields, comparers for optional strings, tag-list shapes, and
:func:`with_fallback`, which keeps a call that carries nothing we model from being mistaken
for a call that set what state already has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.model import (
    Extractor,
    Guard,
    SeverityCheck,
    Target,
    as_bool,
    as_int,
    as_str,
    mapped,
    req,
)
from tfdrift_gitops.core.paths import MISSING, items, lookup
from tfdrift_gitops.core.policy import IAC_USER_AGENTS
from tfdrift_gitops.models import CloudEvent, Severity, Via

if TYPE_CHECKING:
    from tfdrift_gitops.core.state import StateIndex

HIDDEN = "<sensitiveDataRemoved>"
"""What CloudTrail writes in place of a secret (Lambda environment values, passwords)."""


# --------------------------------------------------------------------------- extractors


_Answer = TypeVar("_Answer")


def once_per_call(ask: Callable[[CloudEvent], _Answer]) -> Callable[[CloudEvent], _Answer]:
    """``ask``, answering the same call asked again in a row from one look (a row's guard and
    then its target or replay ask one call the same question; a call is never changed). Its
    key needs (``keys``) go with it."""
    # One slot holding (call, answer): threads reading it never see half an update.
    last: list[tuple[Any, Any]] = [(None, None)]

    def answer(event: CloudEvent) -> _Answer:
        seen, value = last[0]
        if seen is event:
            return value  # type: ignore[no-any-return]
        value = ask(event)
        last[0] = (event, value)
        return value

    keys.note(answer, keys.needs_of(ask))
    return answer


def boolean(path: str) -> Extractor:
    """A request field as a bool ("true"/"false" strings accepted); MISSING otherwise."""
    return mapped(req(path), as_bool)


def integer(path: str) -> Extractor:
    """A request field as an int ("500" accepted); MISSING otherwise."""
    return mapped(req(path), as_int)


def text(path: str) -> Extractor:
    """A request field as a string (numbers and booleans stringified); MISSING otherwise."""
    return mapped(req(path), as_str)


def tag_pairs(extractor: Extractor, key: str = "key", value: str = "value") -> Extractor:
    """``[{"key": k, "value": v}, ...]`` (or ``{"items": [...]}``) -> ``{k: v}``.

    A map passes through: some services (Lambda) send tags as a map already.
    """

    def convert(raw: Any) -> Any:
        if isinstance(raw, Mapping) and lookup(raw, "items") is MISSING:
            return {str(k): "" if v is None else str(v) for k, v in raw.items()}
        out: dict[str, str] = {}
        for pair in items(raw):
            k, v = lookup(pair, key), lookup(pair, value)
            if isinstance(k, str) and k:
                out[k] = "" if v is MISSING or v is None else str(v)
        return out

    return mapped(extractor, convert)


def string_list(extractor: Extractor) -> Extractor:
    """A list (or ``{"items": [...]}``, or a single string) of strings."""

    def convert(raw: Any) -> Any:
        return [str(v) for v in items(raw) if isinstance(v, str | int) and not isinstance(v, bool)]

    return mapped(extractor, convert)


# --------------------------------------------------------------------------- comparers


def optional_text(value: Any) -> Any:
    """Optional strings: absent, null and "" are one value (no description == "")."""
    if value is None or value is MISSING or value == "":
        return None
    return str(value)


def lowered(value: Any) -> Any:
    """Case-insensitive strings (RDS lowercases maintenance windows)."""
    normal = optional_text(value)
    return normal.lower() if isinstance(normal, str) else normal


def ordered(value: Any) -> Any:
    """Lists whose order matters (Lambda layers run in order); null == []."""
    if value is None or value is MISSING:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),)


# --------------------------------------------------------------------------- predicates


def made_by_iac(event: CloudEvent) -> bool:
    """The call came from Terraform/OpenTofu (by user agent), as the policy decides it."""
    if event.actor.via is Via.TERRAFORM:
        return True
    agent = event.actor.user_agent.lower()
    return any(marker in agent for marker in IAC_USER_AGENTS)


def request_is(path: str, expected: Any) -> Callable[[CloudEvent], bool]:
    """The request sets ``path`` to ``expected`` (bools and ints compared after coercion)."""

    extract = req(path)

    def check(event: CloudEvent) -> bool:
        raw = extract(event) if keys.may_carry(extract, event) else MISSING
        if raw is MISSING:
            return False
        if isinstance(expected, bool):
            return as_bool(raw) is expected
        if isinstance(expected, int):
            return bool(as_int(raw) == expected)
        return bool(as_str(raw) == expected)

    return check


def request_has(path: str) -> Callable[[CloudEvent], bool]:
    extract = req(path)

    def check(event: CloudEvent) -> bool:
        if event.request is None or not keys.may_carry(extract, event):
            return False
        return extract(event) not in (MISSING, None)

    return check


def when(predicate: Callable[[CloudEvent], bool], severity: Severity, why: str) -> SeverityCheck:
    """A severity check that looks at what the call asked for."""

    def check(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
        return (severity, why) if predicate(event) else None

    return check


# --------------------------------------------------------------------------- targets


def _all(*guards: Guard | None) -> Guard:
    present = [g for g in guards if g is not None]
    if len(present) == 1:
        return present[0]
    if len(present) == 2:  # a guard and with_fallback's choice: no generator per call
        first, second = present

        def both(event: CloudEvent, index: StateIndex) -> bool:
            return first(event, index) and second(event, index)

        return both

    def guard(event: CloudEvent, index: StateIndex) -> bool:
        return all(g(event, index) for g in present)

    return guard


def _anything(event: CloudEvent, index: StateIndex) -> bool:
    return True


def with_fallback(
    target: Target, unseen: Callable[[CloudEvent], bool] | None = None
) -> tuple[Target, Target]:
    """The target as given, and an effect-less twin that keeps the call as resource-level drift.

    The twin is chosen when the call carries no field any effect models, or when ``unseen``
    says it changed something CloudTrail hides (a password). Without it, such a call would
    leave the observed attributes equal to state and read as "set what state already has".
    Replaying events takes the first target of a type, so the effects still apply and any
    attribute changes of the same call are still reported.
    """

    def carries_model(event: CloudEvent) -> bool:
        scratch: dict[str, Any] = {}
        plan = keys.plan_of(target, target.effects)
        return any(effect.apply(scratch, event) for effect in keys.applicable(plan, event))

    def modelled_only(event: CloudEvent, index: StateIndex) -> bool:
        return carries_model(event) and not (unseen is not None and unseen(event))

    def resource_level(event: CloudEvent, index: StateIndex) -> bool:
        return not modelled_only(event, index)

    modelled = replace(
        target,
        guard=_all(target.guard, modelled_only),
        hidden=unseen,
        trusted_guard=target.guard or _anything,
    )
    bare = replace(target, effects=(), guard=_all(target.guard, resource_level), hidden=unseen)
    return modelled, bare


def arn_partition(region: str) -> str:
    """The ARN partition of a region (``aws-cn`` for cn-*, ``aws-us-gov`` for us-gov-*)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
