"""Auto Scaling group tags: ``CreateOrUpdateTags`` / ``DeleteTags`` (source
``autoscaling.amazonaws.com``) on the ``tag`` blocks of ``aws_autoscaling_group``.

Each tag names its group (``resourceId``, with ``resourceType`` ``auto-scaling-group``), so one
call may tag several groups: every group in state that it names counts, and each takes only
its own tags. ``propagateAtLaunch`` defaults to false, as in the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.autoscaling import GROUP, SOURCE
from tfdrift_gitops.core.catalog.model import (
    Action,
    Compared,
    Comparer,
    Rule,
    Target,
    as_bool,
    as_set,
    as_str,
    req,
)
from tfdrift_gitops.core.paths import MISSING, items, lookup, set_path
from tfdrift_gitops.models import CloudEvent, Severity


def _own_tags(event: CloudEvent, group: Any) -> list[Mapping[str, Any]]:
    found = []
    for tag in items(req("tags")(event)):
        if not isinstance(tag, Mapping) or lookup(tag, "resourceId") != group:
            continue
        kind = lookup(tag, "resourceType")
        if kind in (MISSING, None, "auto-scaling-group") and isinstance(
            as_str(lookup(tag, "key")), str
        ):
            found.append(tag)
    return found


def _groups(event: CloudEvent) -> Any:
    names = [lookup(t, "resourceId") for t in items(req("tags")(event))]
    unique = list(dict.fromkeys(n for n in names if isinstance(n, str) and n))
    return unique or MISSING


keys.note(_groups, (frozenset({"tags"}), frozenset()))  # the tag list's resourceIds


def _block(tag: Mapping[str, Any]) -> dict[str, Any]:
    value = as_str(lookup(tag, "value"))
    propagate = as_bool(lookup(tag, "propagateAtLaunch"))
    return {
        "key": str(as_str(lookup(tag, "key"))),
        "value": value if isinstance(value, str) else "",
        "propagate_at_launch": propagate is True,
    }


@dataclass(frozen=True, slots=True)
class GroupTags(Compared):
    """Tags of this group are set (``remove`` false) or dropped (true) in the ``tag`` blocks."""

    remove: bool = False
    path: str = "tag"
    comparer: Comparer = as_set

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        own = _own_tags(event, attrs.get("name") or attrs.get("id"))
        if not own:
            return False
        blocks = [b for b in items(attrs.get(self.path)) if isinstance(b, Mapping)]
        by_key = {str(b.get("key")): dict(b) for b in blocks}
        for tag in own:
            key = str(as_str(lookup(tag, "key")))
            if self.remove:
                by_key.pop(key, None)
            else:
                by_key[key] = _block(tag)
        set_path(attrs, self.path, list(by_key.values()))
        return True


RULES: tuple[Rule, ...] = (
    Rule(
        "CreateOrUpdateTags",
        SOURCE,
        Action.MODIFY,
        (Target(GROUP, "name", _groups, (GroupTags(),)),),
        severity=Severity.LOW,
        description="Auto Scaling group tags added or changed",
        fan_out=True,
    ),
    Rule(
        "DeleteTags",
        SOURCE,
        Action.MODIFY,
        (Target(GROUP, "name", _groups, (GroupTags(remove=True),)),),
        severity=Severity.LOW,
        description="Auto Scaling group tags removed",
        fan_out=True,
    ),
)
