"""Guards on what state holds, and the pair of targets an upsert call needs.

Guards exist because the engine takes the first target that yields an id: a fallback target
(the inline block on ``aws_s3_bucket``, an unmanaged policy attachment) must be switched off
by a guard when a preferred form manages the resource.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tfdrift_gitops.core.catalog.model import Action, Effect, Extractor, Guard, Target
from tfdrift_gitops.core.catalog.support import made_by_iac
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.models import CloudEvent

if TYPE_CHECKING:
    from tfdrift_gitops.core.state import StateIndex


def event_account(event: CloudEvent) -> str:
    """The account lookups are scoped by (the same rule as ``Engine._land``)."""
    return event.account_id or event.actor.account_id


def _strings(value: Any) -> list[str]:
    if value is MISSING or value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if isinstance(v, str | int) and str(v)]


def present(rtype: str, key: str, value: Extractor) -> Guard:
    """True when state holds a ``rtype`` whose ``key`` equals the extracted value."""

    def guard(event: CloudEvent, index: StateIndex) -> bool:
        account = event_account(event)
        return any(
            index.lookup(rtype, key, v, account=account, region=event.region)
            for v in _strings(value(event))
        )

    return guard


def absent(rtype: str, key: str, value: Extractor) -> Guard:
    inner = present(rtype, key, value)

    def guard(event: CloudEvent, index: StateIndex) -> bool:
        return not inner(event, index)

    return guard


def all_of(*guards: Guard) -> Guard:
    def guard(event: CloudEvent, index: StateIndex) -> bool:
        return all(g(event, index) for g in guards)

    return guard


def _by_iac(event: CloudEvent, index: StateIndex) -> bool:
    return made_by_iac(event)


def upsert_targets(
    rtype: str,
    key: str,
    value: Extractor,
    effects: tuple[Effect, ...],
    import_id: Extractor | None = None,
) -> tuple[Target, Target]:
    """Targets for a Put* call that creates *or* replaces a resource already in state.

    Terraform's own Put after a hand-made Delete recreates the resource: it must read as a
    create so that folding resolves the DELETED drift. Anyone else's Put is a modification.
    Both targets carry the same effects (``Engine.observe`` uses the first target of a type).
    """
    here = present(rtype, key, value)
    return (
        Target(
            rtype,
            key,
            value,
            effects,
            action=Action.CREATE,
            guard=all_of(_by_iac, here),
            import_id=import_id,
        ),
        Target(rtype, key, value, effects, action=Action.MODIFY, guard=here, import_id=import_id),
    )
