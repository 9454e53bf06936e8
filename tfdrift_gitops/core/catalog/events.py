"""EventBridge: rules (``aws_cloudwatch_event_rule``) and targets (``aws_cloudwatch_event_target``).

Choices worth knowing:
- A rule's id is its name on the default bus and ``BUS/NAME`` on another bus.
- ``PutRule`` creates or replaces a rule: a rule state does not have is unmanaged. The event
  pattern is a JSON document compared as one. A state change is reported on ``state`` and on
  the deprecated ``is_enabled`` (the provider reads both back, so Terraform's drift names
  both); they conflict in configuration, so remediation writes only one (``schema_hand``).
- ``PutTargets`` and ``RemoveTargets`` name several targets: each lands on its own
  ``aws_cloudwatch_event_target``, found by ``BUS/RULE/TARGET-ID``
  (``state_keys.event_target_key``). A target in another account receives the events: high.
- ``DisableRule`` stops whatever the rule drove (often security automation): high.
- Buses are found by name; bus permissions by ``[BUS/]STATEMENT``. Letting any account put
  events (principal ``*`` without a condition) is critical, another account high.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.model import (
    Action,
    Comparer,
    Effect,
    Extractor,
    Rule,
    Target,
    blocks,
    canonical_json,
    const,
    first,
    req,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.policydoc import public_grant
from tfdrift_gitops.core.catalog.presence import absent, event_account, upsert_targets
from tfdrift_gitops.core.catalog.support import optional_text, request_is, tag_pairs, text, when
from tfdrift_gitops.core.paths import MISSING, items, lookup, set_path
from tfdrift_gitops.core.state_keys import event_target_key
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "events.amazonaws.com"
RULE = "aws_cloudwatch_event_rule"
TARGET = "aws_cloudwatch_event_target"
BUS = "aws_cloudwatch_event_bus"
PERMISSION = "aws_cloudwatch_event_permission"


def _bus(event: CloudEvent) -> str:
    raw = text("eventBusName")(event)
    if not isinstance(raw, str) or not raw or raw == "default":
        return ""
    # A bus may be named by ARN (``...:event-bus/name``).
    return raw.rsplit("/", 1)[-1] if raw.startswith("arn:") else raw


def _rule_id(event: CloudEvent) -> Any:
    name = first(text("name"), text("rule"))(event)
    if not isinstance(name, str) or not name:
        return MISSING
    bus = _bus(event)
    return f"{bus}/{name}" if bus else name


# ``BUS/NAME`` keys as the plain name (or rule).
keys.note(_rule_id, (frozenset({"name", "rule"}), frozenset()))


def _json(value: Any) -> Any:
    if value in (None, "", {}) or value is MISSING:
        return None
    return canonical_json(value)


_put_state = first(text("state"), const("ENABLED"))

RULE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("name", text("name")),
    SetAttr("description", first(text("description"), const("")), optional_text),
    SetAttr("event_pattern", first(text("eventPattern"), const("")), _json),
    SetAttr("schedule_expression", first(text("scheduleExpression"), const("")), optional_text),
    SetAttr("role_arn", first(text("roleArn"), const("")), optional_text),
    SetAttr("state", _put_state, optional_text),
    SetAttr("is_enabled", lambda event: _enabled(_put_state(event))),
)


def _enabled(state: Any) -> Any:
    """``is_enabled`` as the provider reads it back: true for every state but DISABLED."""
    if not isinstance(state, str) or not state:
        return MISSING
    return state.upper() != "DISABLED"


def _state_effects(state: str) -> tuple[Effect, ...]:
    return (SetAttr("state", const(state)), SetAttr("is_enabled", const(_enabled(state))))


# --------------------------------------------------------------------------- targets


def _target_keys(field: str) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        rule = text("rule")(event)
        if not isinstance(rule, str) or not rule:
            return MISSING
        bus = _bus(event)
        found = []
        for item in items(req(field)(event)):
            ident = lookup(item, "id") if isinstance(item, Mapping) else item
            if isinstance(ident, str) and ident:
                found.append(event_target_key(bus, rule, ident))
        return found

    # ``BUS/RULE/ID`` keys as the target id: a plain ``field`` is one (``items``).
    keys.note(extract, (frozenset({field.casefold()}), frozenset()))
    return extract


PUT_KEYS: Extractor = _target_keys("targets")
REMOVED_KEYS: Extractor = _target_keys("ids")


def _own_target(attrs: Mapping[str, Any], event: CloudEvent) -> Mapping[str, Any] | None:
    rule, ident = attrs.get("rule"), attrs.get("target_id")
    bus = _bus(event)
    if isinstance(rule, str) and isinstance(ident, str):
        own = event_target_key(str(attrs.get("event_bus_name") or ""), rule, ident)
    else:
        own = str(attrs.get("id") or "")
    for item in items(req("targets")(event)):
        if not isinstance(item, Mapping):
            continue
        ident_here = lookup(item, "id")
        rule_here = text("rule")(event)
        if (
            isinstance(ident_here, str)
            and isinstance(rule_here, str)
            and event_target_key(bus, rule_here, ident_here) == own
        ):
            return item
    return None


@dataclass(frozen=True, slots=True)
class FromTarget:
    """``path`` becomes the named field of this resource's own entry in ``targets``."""

    path: str
    field: str
    comparer: Comparer = optional_text
    default: Any = ""

    def compare(self, value: Any) -> Any:
        return self.comparer(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        item = _own_target(attrs, event)
        if item is None:
            return False
        value = lookup(item, self.field)
        set_path(attrs, self.path, self.default if value is MISSING or value is None else value)
        return True


@dataclass(frozen=True, slots=True)
class TargetIdentity:
    """An unmanaged target's rule, id and bus (what its ``resource`` block needs)."""

    path: str

    def compare(self, value: Any) -> Any:
        return optional_text(value)

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        # Managed targets always hold ``arn`` (required); unmanaged ones start from their id.
        item = _own_target(attrs, event)
        if item is None or "arn" in attrs:
            return False
        value = {
            "rule": text("rule")(event),
            "target_id": lookup(item, "id"),
            "event_bus_name": _bus(event) or "default",
        }[self.path]
        set_path(attrs, self.path, value)
        return True


TARGET_EFFECTS: tuple[Effect, ...] = (
    # The bus first: the target's key is read back from these three as they are set.
    TargetIdentity("event_bus_name"),
    TargetIdentity("rule"),
    TargetIdentity("target_id"),
    FromTarget("arn", "arn"),
    FromTarget("role_arn", "roleArn"),
    FromTarget("input", "input", _json),
    FromTarget("input_path", "inputPath"),
)


def _foreign_target(event: CloudEvent) -> bool:
    own = event_account(event)
    for item in items(req("targets")(event)):
        arn = lookup(item, "arn") if isinstance(item, Mapping) else None
        if isinstance(arn, str) and arn.startswith("arn:"):
            parts = arn.split(":")
            if len(parts) > 4 and parts[4].isdigit() and own and parts[4] != own:
                return True
    return False


def _permission_id(event: CloudEvent) -> Any:
    """``STATEMENT`` on the default bus, ``BUS/STATEMENT`` on another (the provider's id)."""
    sid = text("statementId")(event)
    if not isinstance(sid, str) or not sid:
        return MISSING
    bus = _bus(event)
    return f"{bus}/{sid}" if bus else sid


keys.note(_permission_id, (frozenset({"statementid"}), frozenset()))  # as the plain sid


def _anyone(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    if text("principal")(event) == "*" and req("condition")(event) in (MISSING, None, {}):
        return Severity.CRITICAL, "principal '*' without a condition: any account may put events"
    policy = req("policy")(event)
    if policy not in (MISSING, None):
        why = public_grant(policy)
        if why:
            return Severity.CRITICAL, f"the bus policy {why}"
    if text("principal")(event) not in (MISSING, None, event_account(event)):
        return Severity.HIGH, f"another account ({text('principal')(event)}) may put events"
    return None


def _condition(event: CloudEvent) -> Any:
    if not isinstance(text("statementId")(event), str):
        return MISSING
    found = req("condition")(event)
    if not isinstance(found, Mapping):
        return []
    return [{k: str(lookup(found, k) or "") for k in ("type", "key", "value")}]


PERMISSION_EFFECTS: tuple[Effect, ...] = (
    SetAttr("statement_id", text("statementId")),
    SetAttr("principal", text("principal")),
    SetAttr("action", text("action"), optional_text),
    # The statement is replaced: no condition in the call means none any more.
    SetAttr("condition", _condition, blocks),
)


RULES: tuple[Rule, ...] = (
    Rule(
        "CreateEventBus",
        SOURCE,
        Action.CREATE,
        (
            Target(
                BUS,
                "id",
                text("name"),
                (
                    SetAttr("name", text("name")),
                    SetAttr("event_source_name", text("eventSourceName"), optional_text),
                    SetAttr("kms_key_identifier", text("kmsKeyIdentifier"), optional_text),
                    SetAttr("tags", tag_pairs(req("tags")), tags_map),
                ),
                import_id=text("name"),
            ),
        ),
        severity=Severity.LOW,
        description="event bus created outside Terraform",
    ),
    Rule(
        "DeleteEventBus",
        SOURCE,
        Action.DELETE,
        (Target(BUS, "id", text("name")),),
        severity=Severity.HIGH,
        description="event bus deleted with its rules",
    ),
    Rule(
        "PutPermission",
        SOURCE,
        Action.MODIFY,
        (
            *upsert_targets(PERMISSION, "id", _permission_id, PERMISSION_EFFECTS),
            Target(
                PERMISSION,
                "id",
                _permission_id,
                PERMISSION_EFFECTS,
                action=Action.CREATE,
                guard=absent(PERMISSION, "id", _permission_id),
                import_id=_permission_id,
            ),
        ),
        severity=Severity.MEDIUM,
        description="event bus permission set outside Terraform",
        severity_checks=(_anyone,),
    ),
    Rule(
        "RemovePermission",
        SOURCE,
        Action.DELETE,
        (Target(PERMISSION, "id", _permission_id),),
        severity=Severity.LOW,
        description="event bus permission removed",
    ),
    Rule(
        "PutRule",
        SOURCE,
        Action.MODIFY,
        (
            *upsert_targets(RULE, "id", _rule_id, RULE_EFFECTS, import_id=_rule_id),
            Target(
                RULE,
                "id",
                _rule_id,
                RULE_EFFECTS,
                action=Action.CREATE,
                guard=absent(RULE, "id", _rule_id),
                import_id=_rule_id,
            ),
        ),
        severity=Severity.MEDIUM,
        description="event rule set outside Terraform",
        severity_checks=(
            when(request_is("state", "DISABLED"), Severity.HIGH, "state set to DISABLED"),
        ),
    ),
    Rule(
        "DisableRule",
        SOURCE,
        Action.MODIFY,
        (Target(RULE, "id", _rule_id, _state_effects("DISABLED")),),
        severity=Severity.HIGH,
        description="event rule disabled: what it drives stops",
    ),
    Rule(
        "EnableRule",
        SOURCE,
        Action.MODIFY,
        (Target(RULE, "id", _rule_id, _state_effects("ENABLED")),),
        severity=Severity.LOW,
        description="event rule enabled",
    ),
    Rule(
        "DeleteRule",
        SOURCE,
        Action.DELETE,
        (Target(RULE, "id", _rule_id),),
        severity=Severity.HIGH,
        description="event rule deleted",
    ),
    Rule(
        "PutTargets",
        SOURCE,
        Action.MODIFY,
        (
            Target(TARGET, "event_target", PUT_KEYS, TARGET_EFFECTS, action=Action.CREATE),
            Target(TARGET, "event_target", PUT_KEYS, TARGET_EFFECTS),
        ),
        severity=Severity.MEDIUM,
        description="event targets set outside Terraform",
        severity_checks=(
            when(
                _foreign_target,
                Severity.HIGH,
                "a target is in another account: events leave the account",
            ),
        ),
        fan_out=True,
    ),
    Rule(
        "RemoveTargets",
        SOURCE,
        Action.DELETE,
        (Target(TARGET, "event_target", REMOVED_KEYS),),
        severity=Severity.MEDIUM,
        description="event targets removed",
    ),
)
