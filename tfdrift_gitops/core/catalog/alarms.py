"""CloudWatch metric alarms (``aws_cloudwatch_metric_alarm``).

Choices worth knowing:
- ``PutMetricAlarm`` replaces the whole alarm: an argument the call leaves out is reset (no
  actions, actions enabled, no description), so each effect writes its default when absent.
  A call on an alarm state does not have makes it unmanaged.
- ``DeleteAlarms``, ``EnableAlarmActions`` and ``DisableAlarmActions`` name several alarms:
  each one named lands.
- Alarms with their actions off (``DisableAlarmActions``, ``actionsEnabled: false``) or deleted
  no longer page anyone: high.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    as_set,
    const,
    first,
    id_list,
    mapped,
    req,
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
from tfdrift_gitops.core.paths import items, lookup
from tfdrift_gitops.models import Severity

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


def _actions(path: str) -> Extractor:
    return first(string_list(req(path)), const([]))


PUT_EFFECTS: tuple[Effect, ...] = (
    SetAttr("alarm_name", ALARM_NAME),
    SetAttr("comparison_operator", text("comparisonOperator")),
    SetAttr("evaluation_periods", integer("evaluationPeriods")),
    SetAttr("metric_name", first(text("metricName"), const("")), optional_text),
    SetAttr("namespace", first(text("namespace"), const("")), optional_text),
    SetAttr("period", first(integer("period"), const(0))),
    SetAttr("statistic", first(text("statistic"), const("")), optional_text),
    SetAttr("extended_statistic", first(text("extendedStatistic"), const("")), optional_text),
    SetAttr("threshold", first(_number("threshold"), const(0))),
    SetAttr("alarm_description", first(text("alarmDescription"), const("")), optional_text),
    SetAttr("actions_enabled", first(boolean("actionsEnabled"), const(True))),
    SetAttr("alarm_actions", _actions("alarmActions"), as_set),
    SetAttr("ok_actions", _actions("oKActions"), as_set),
    SetAttr("insufficient_data_actions", _actions("insufficientDataActions"), as_set),
    SetAttr("datapoints_to_alarm", first(integer("datapointsToAlarm"), const(0))),
    SetAttr("treat_missing_data", first(text("treatMissingData"), const("missing")), optional_text),
    SetAttr("unit", first(text("unit"), const("")), optional_text),
    SetAttr("dimensions", first(mapped(req("dimensions"), _dimensions), const({})), tags_map),
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
