"""Whether ``remediate --strategy import`` can act on a catalog row, judged from the row and the
remediation schema (what ``tfdrift-gitops catalog`` reports; the strategies make the same calls)."""

from __future__ import annotations

from tfdrift_gitops.core.catalog.model import Action, Rule, Target
from tfdrift_gitops.remediation.schema import schema_for


def _top(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def _patchable(target: Target) -> bool:
    """Every modelled attribute is one the configuration may set (a literal the span splicer
    can write); computed or unknown ones would be refused."""
    if not target.effects:
        return False
    schema = schema_for(target.type)
    return all(schema.classify(_top(effect.path)) == "configurable" for effect in target.effects)


def _creatable(target: Target) -> bool:
    """A ``resource`` block plus ``import {}``: the type's import id format is known and the id
    comes from the event (or is the resource id itself)."""
    schema = schema_for(target.type)
    if not schema.importable:
        return False
    return target.import_id is not None or schema.import_id == "{id}"


def row_importable(rule: Rule) -> bool:
    if rule.action is Action.DELETE:
        return True  # a removed {} block needs nothing from the event
    if rule.action is Action.CREATE:
        return any(_creatable(t) for t in rule.targets)
    return any(_patchable(t) for t in rule.targets)
