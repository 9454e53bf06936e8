"""Step Functions: state machines (``aws_sfn_state_machine``) and activities (``aws_sfn_activity``).

Choices worth knowing:
- Both are named by ARN (their Terraform id; the state machine also holds it in ``arn``, the
  activity only in ``id``). A create's ARN comes from the response; it is also the import id.
- ``UpdateStateMachine`` sets what it names: ``definition`` (an Amazon States Language JSON
  document, compared as a document: key order and whitespace do not matter), ``role_arn``,
  ``logging_configuration`` and ``tracing_configuration`` (each replaced whole, as the API
  replaces them). A call naming only what we do not model (``encryptionConfiguration``,
  ``publish``) stays a resource-level drift.
- The API model marks ``definition`` sensitive, and CloudTrail may log such a member as
  ``HIDDEN_DUE_TO_SECURITY_REASONS`` (the published 2016 record shows the definition in clear):
  a hidden definition is a change to a value CloudTrail did not carry, never claimed equal to
  state (written by Terraform, it is Terraform's own value, as in ``hidden``).
- Turning execution logging off (level ``OFF``) is high, and so is a call naming the execution
  role (as Lambda's row does: what the workflow may do changes); deleting a state machine or an
  activity is high (running executions fail, workers lose their task source).
"""

from __future__ import annotations

import json
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.arn_tags import tag_rules
from tfdrift_gitops.core.catalog.hidden import (
    CLOUDTRAIL_MARKERS,
    TERRAFORM_HIDDEN,
    hidden_compare,
    hidden_marker,
)
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    as_bool,
    as_str,
    blocks,
    first,
    id_list,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    optional_text,
    request_has,
    request_is,
    tag_pairs,
    text,
    when,
    with_fallback,
)
from tfdrift_gitops.core.paths import MISSING, items, lookup
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "states.amazonaws.com"
STATE_MACHINE = "aws_sfn_state_machine"
ACTIVITY = "aws_sfn_activity"


def _arn(kind: str) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or not value.startswith("arn:"):
            return MISSING
        parts = value.split(":")
        # arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME (a version or alias ARN has
        # one part more and names no aws_sfn_state_machine).
        if len(parts) != 7 or parts[2] != "states" or parts[5] != kind:
            return MISSING
        return value

    return check


MACHINE_ARN: Extractor = first(
    mapped(req("stateMachineArn"), _arn("stateMachine")),
    mapped(resp("stateMachineArn"), _arn("stateMachine")),
)
ACTIVITY_ARN: Extractor = first(
    mapped(req("activityArn"), _arn("activity")),
    mapped(resp("activityArn"), _arn("activity")),
)


_DEFINITION_TEXT: Extractor = req("definition")


def _definition(event: CloudEvent) -> Any:
    value = _DEFINITION_TEXT(event)
    if not isinstance(value, str):
        return MISSING
    if value in CLOUDTRAIL_MARKERS:
        return hidden_marker(event)
    return value


keys.note(_definition, keys.needs_of(_DEFINITION_TEXT))


def document(value: Any) -> Any:
    """A JSON document kept as text, compared as the document it spells; a hidden value is
    equal to nothing (or, written by Terraform, to anything); text that is no JSON as text."""
    if value == TERRAFORM_HIDDEN or (isinstance(value, str) and value in CLOUDTRAIL_MARKERS):
        return hidden_compare(value)
    if value in (None, "") or value is MISSING:
        return None
    if isinstance(value, str):
        try:
            return json.dumps(json.loads(value), sort_keys=True, separators=(",", ":"))
        except ValueError:
            return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


DEFINITION: Extractor = _definition


def _logging(value: Any) -> Any:
    """``loggingConfiguration`` as the provider's one ``logging_configuration`` block: the
    first destination's log group ARN (the provider keeps one), level ``OFF`` and no
    execution data when the call leaves them out (the API's defaults)."""
    if not isinstance(value, dict):
        return MISSING
    destinations = items(lookup(value, "destinations"))
    group = lookup(destinations[0], "cloudWatchLogsLogGroup.logGroupArn") if destinations else ""
    level = as_str(lookup(value, "level"))
    data = as_bool(lookup(value, "includeExecutionData"))
    return [
        {
            "include_execution_data": data if isinstance(data, bool) else False,
            "level": level if isinstance(level, str) else "OFF",
            "log_destination": group if isinstance(group, str) else "",
        }
    ]


def _tracing(value: Any) -> Any:
    if not isinstance(value, dict):
        return MISSING
    enabled = as_bool(lookup(value, "enabled"))
    return [{"enabled": enabled if isinstance(enabled, bool) else False}]


LOGGING: Extractor = mapped(req("loggingConfiguration"), _logging)
TRACING: Extractor = mapped(req("tracingConfiguration"), _tracing)

MACHINE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("definition", DEFINITION, document),
    SetAttr("role_arn", text("roleArn"), optional_text),
    SetAttr("logging_configuration", LOGGING, blocks),
    SetAttr("tracing_configuration", TRACING, blocks),
)

_LOGGING_OFF = when(
    request_is("loggingConfiguration.level", "OFF"),
    Severity.HIGH,
    "execution logging turned off (level OFF)",
)


def _rule(
    event: str,
    action: Action,
    targets: tuple[Target, ...],
    severity: Severity,
    description: str,
    *checks: Any,
    known_ids: Extractor | None = None,
) -> Rule:
    return Rule(
        event,
        SOURCE,
        action,
        targets,
        severity=severity,
        description=description,
        severity_checks=tuple(checks),
        known_ids=known_ids,
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "CreateStateMachine",
        Action.CREATE,
        (
            Target(
                STATE_MACHINE,
                "arn",
                MACHINE_ARN,
                (
                    SetAttr("name", text("name")),
                    SetAttr("type", text("type"), optional_text),
                    *MACHINE_EFFECTS,
                    SetAttr("tags", tag_pairs(req("tags")), tags_map),
                ),
                import_id=MACHINE_ARN,
            ),
        ),
        Severity.MEDIUM,
        "state machine created outside Terraform",
    ),
    _rule(
        "DeleteStateMachine",
        Action.DELETE,
        (Target(STATE_MACHINE, "arn", MACHINE_ARN),),
        Severity.HIGH,
        "state machine deleted (its running executions stop)",
        known_ids=id_list(MACHINE_ARN),
    ),
    _rule(
        "UpdateStateMachine",
        Action.MODIFY,
        with_fallback(Target(STATE_MACHINE, "arn", MACHINE_ARN, MACHINE_EFFECTS)),
        Severity.MEDIUM,
        "state machine definition or settings changed",
        _LOGGING_OFF,
        when(request_has("roleArn"), Severity.HIGH, "execution role changed"),
        known_ids=id_list(MACHINE_ARN),
    ),
    _rule(
        "CreateActivity",
        Action.CREATE,
        (
            Target(
                ACTIVITY,
                "id",
                ACTIVITY_ARN,
                (
                    SetAttr("name", text("name")),
                    SetAttr("tags", tag_pairs(req("tags")), tags_map),
                ),
                import_id=ACTIVITY_ARN,
            ),
        ),
        Severity.MEDIUM,
        "activity created outside Terraform",
    ),
    _rule(
        "DeleteActivity",
        Action.DELETE,
        (Target(ACTIVITY, "id", ACTIVITY_ARN),),
        Severity.HIGH,
        "activity deleted (workers and the state machines waiting on it fail)",
        known_ids=id_list(ACTIVITY_ARN),
    ),
    *tag_rules(SOURCE, ((STATE_MACHINE, "arn"), (ACTIVITY, "id")), tag_pairs(req("tags"))),
)
