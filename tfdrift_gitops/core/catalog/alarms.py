"""CloudWatch metric alarms (``aws_cloudwatch_metric_alarm``).

Choices worth knowing:
- ``PutMetricAlarm`` replaces the whole alarm: an argument the call leaves out is reset (no
  actions, actions enabled, no description), so on an alarm state holds each effect writes its
  default when absent. A call on an alarm state does not have makes it unmanaged, and learns
  only what the call names.
- ``DeleteAlarms``, ``EnableAlarmActions`` and ``DisableAlarmActions`` name several alarms:
  each one named lands.
- Alarms with their actions off (``DisableAlarmActions``, ``actionsEnabled: false``) or deleted
  no longer page anyone: high.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog.model import (
    Action,
    Compared,
    Comparer,
    Effect,
    Extractor,
    Rule,
    Target,
    as_set,
    const,
    id_list,
    mapped,
    req,
    scalar,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.presence import absent, upsert_targets
from tfdrift_gitops.core.catalog.support import (
    boolean,
    integer,
    optional_text,
    request_is,
    string_list,
    text,
    when,
)
from tfdrift_gitops.core.paths import MISSING, items, lookup, set_path
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "monitoring.amazonaws.com"
ALARM = "aws_cloudwatch_metric_alarm"

ALARM_NAME: Extractor = text("alarmName")
ALARM_NAMES: Extractor = id_list(req("alarmNames"))


def _dimensions(raw: Any) -> Any:
    out: dict[str, str] = {}
    for pair in items(raw):
        if isinstance(pair, Mapping):
            name, value = lookup(pair, "name"), lookup(pair, "value")
            if isinstance(name, str):
                out[name] = "" if value is None else str(value)
    return out


def _number(path: str) -> Extractor:
    return mapped(req(path), lambda v: float(v) if isinstance(v, int | float) else v)


@dataclass(frozen=True, slots=True)
class OrDefault(Compared):
    """The call's value; when it names none, the provider's default, but only on an alarm state
    already holds (a full replace resets it). An unmanaged alarm learns only what the call
    says, so generated code never spells a default the provider rejects (``datapoints_to_alarm
    = 0``)."""

    path: str
    value: Extractor
    default: Any
    comparer: Comparer = scalar

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        found = self.value(event)
        if found is MISSING:
            if self.path not in attrs:
                return False
            found = self.default
        set_path(attrs, self.path, found)
        return True


PUT_EFFECTS: tuple[Effect, ...] = (
    SetAttr("alarm_name", ALARM_NAME),
    SetAttr("comparison_operator", text("comparisonOperator")),
    SetAttr("evaluation_periods", integer("evaluationPeriods")),
    OrDefault("metric_name", text("metricName"), "", optional_text),
    OrDefault("namespace", text("namespace"), "", optional_text),
    OrDefault("period", integer("period"), 0),
    OrDefault("statistic", text("statistic"), "", optional_text),
    OrDefault("extended_statistic", text("extendedStatistic"), "", optional_text),
    OrDefault("threshold", _number("threshold"), 0),
    OrDefault("alarm_description", text("alarmDescription"), "", optional_text),
    OrDefault("actions_enabled", boolean("actionsEnabled"), True),
    OrDefault("alarm_actions", string_list(req("alarmActions")), [], as_set),
    OrDefault("ok_actions", string_list(req("oKActions")), [], as_set),
    OrDefault("insufficient_data_actions", string_list(req("insufficientDataActions")), [], as_set),
    OrDefault("datapoints_to_alarm", integer("datapointsToAlarm"), 0),
    OrDefault("treat_missing_data", text("treatMissingData"), "missing", optional_text),
    OrDefault("unit", text("unit"), "", optional_text),
    OrDefault("dimensions", mapped(req("dimensions"), _dimensions), {}, tags_map),
)


def _rule(
    event: str,
    action: Action,
    targets: tuple[Target, ...],
    severity: Severity,
    description: str,
    *checks: Any,
) -> Rule:
    return Rule(
        event,
        SOURCE,
        action,
        targets,
        severity=severity,
        description=description,
        severity_checks=tuple(checks),
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "PutMetricAlarm",
        Action.MODIFY,
        (
            *upsert_targets(ALARM, "id", ALARM_NAME, PUT_EFFECTS, import_id=ALARM_NAME),
            Target(
                ALARM,
                "id",
                ALARM_NAME,
                PUT_EFFECTS,
                action=Action.CREATE,
                guard=absent(ALARM, "id", ALARM_NAME),
                import_id=ALARM_NAME,
            ),
        ),
        Severity.MEDIUM,
        "alarm set outside Terraform",
        when(
            request_is("actionsEnabled", False),
            Severity.HIGH,
            "actionsEnabled set to false: the alarm notifies no one",
        ),
    ),
    _rule(
        "DeleteAlarms",
        Action.DELETE,
        (Target(ALARM, "id", ALARM_NAMES),),
        Severity.HIGH,
        "alarms deleted",
    ),
    _rule(
        "DisableAlarmActions",
        Action.MODIFY,
        (Target(ALARM, "id", ALARM_NAMES, (SetAttr("actions_enabled", const(False)),)),),
        Severity.HIGH,
        "alarm actions disabled: the alarms notify no one",
    ),
    _rule(
        "EnableAlarmActions",
        Action.MODIFY,
        (Target(ALARM, "id", ALARM_NAMES, (SetAttr("actions_enabled", const(True)),)),),
        Severity.LOW,
        "alarm actions enabled",
    ),
)
