"""CloudTrail: trails (``aws_cloudtrail``) — logging on/off, selectors, settings, tags.

Turning off the audit trail is what an intruder does first, so most rows here are high or
critical. Choices worth knowing:
- ``name`` / ``trailName`` may be a trail name or ARN; trails are found by ``name``.
- ``PutEventSelectors`` replaces the selectors: basic selectors become ``event_selector``
  blocks (with CloudTrail's defaults filled in, as Terraform stores them) and clear
  ``advanced_event_selector``, and the other way round. Blocks compare as canonical JSON with
  empty and null members alike, and, as the provider reads them back, a lone default selector
  (``All``, management events on, no data resources, no exclusions) is the same as no
  ``event_selector`` at all.
  Selectors that no longer log management write events are critical.
- ``kms_key_id`` is stored as the key ARN (AWS returns it so); a call naming the same key by
  id is not a change.
- ``CreateTrail`` imports by ARN (the provider's id), taken from the response or built from
  the event's region and account.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    as_bool,
    as_str,
    blocks,
    canonical_json,
    const,
    first,
    mapped,
    req,
    resp,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    arn_partition,
    boolean,
    optional_text,
    request_has,
    request_is,
    tag_pairs,
    text,
    when,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING, items, lookup
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "cloudtrail.amazonaws.com"
TRAIL = "aws_cloudtrail"


def _trail_name(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return MISSING
    name = value.strip()
    if ":trail/" in name:
        name = name.split(":trail/", 1)[1]
    return name or MISSING


TRAIL_NAME: Extractor = first(
    mapped(req("name"), _trail_name),
    mapped(req("trailName"), _trail_name),
    mapped(resp("name"), _trail_name),
    mapped(resp("trailARN"), _trail_name),
)


def _trail_arn(event: CloudEvent) -> Any:
    """The trail's ARN (Terraform's import id): from the response, else built."""
    arn = resp("trailARN")(event)
    if isinstance(arn, str) and arn.startswith("arn:"):
        return arn
    name = TRAIL_NAME(event)
    account = event.account_id or event.actor.account_id
    if name is MISSING or not account or not event.region:
        return name
    return f"arn:{arn_partition(event.region)}:cloudtrail:{event.region}:{account}:trail/{name}"


def _tagged_trail(event: CloudEvent) -> Any:
    resource = req("resourceId")(event)
    if isinstance(resource, str) and ":trail/" in resource:
        return _trail_name(resource)
    return MISSING


keys.note(_tagged_trail, (frozenset({"resourceid"}), frozenset()))  # the ARN's last segment


def _tag_keys(raw: Any) -> list[str]:
    """RemoveTags sends ``tagsList`` of ``{"key": ...}`` (values optional)."""
    keys = (lookup(pair, "key") if isinstance(pair, Mapping) else pair for pair in items(raw))
    return [k for k in keys if isinstance(k, str) and k]


# --------------------------------------------------------------------------- selectors


def _strings(raw: Any) -> list[str]:
    return [str(v) for v in items(raw) if isinstance(v, str | int) and not isinstance(v, bool)]


def _event_selector(selector: Mapping[str, Any]) -> dict[str, Any]:
    rw = as_str(lookup(selector, "readWriteType"))
    include = as_bool(lookup(selector, "includeManagementEvents"))
    return {
        "read_write_type": rw if isinstance(rw, str) and rw else "All",
        "include_management_events": include if isinstance(include, bool) else True,
        "exclude_management_event_sources": _strings(
            lookup(selector, "excludeManagementEventSources")
        ),
        "data_resource": [
            {"type": str(lookup(d, "type")), "values": _strings(lookup(d, "values"))}
            for d in items(lookup(selector, "dataResources"))
            if isinstance(d, Mapping)
        ],
    }


_FIELD_OPERATORS = (
    ("equals", "equals"),
    ("notEquals", "not_equals"),
    ("startsWith", "starts_with"),
    ("notStartsWith", "not_starts_with"),
    ("endsWith", "ends_with"),
    ("notEndsWith", "not_ends_with"),
)


def _advanced_selector(selector: Mapping[str, Any]) -> dict[str, Any]:
    name = as_str(lookup(selector, "name"))
    fields = []
    for field in items(lookup(selector, "fieldSelectors")):
        if not isinstance(field, Mapping):
            continue
        block: dict[str, Any] = {"field": str(as_str(lookup(field, "field")) or "")}
        for source_key, attr in _FIELD_OPERATORS:
            block[attr] = _strings(lookup(field, source_key))
        fields.append(block)
    return {"name": name if isinstance(name, str) else "", "field_selector": fields}


def _selectors(
    own: str, other: str, convert: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> Extractor:
    """``own`` selectors converted; [] when the call set ``other`` (they exclude each other)."""

    def extract(event: CloudEvent) -> Any:
        raw = req(own)(event)
        if raw is not MISSING and raw is not None:
            return [convert(s) for s in items(raw) if isinstance(s, Mapping)]
        rival = req(other)(event)
        if rival is not MISSING and rival is not None:
            return []
        return MISSING

    return extract


EVENT_SELECTORS = _selectors("eventSelectors", "advancedEventSelectors", _event_selector)
ADVANCED_SELECTORS = _selectors("advancedEventSelectors", "eventSelectors", _advanced_selector)


def _pruned(value: Any) -> Any:
    """Nested blocks without their empty members: state may hold ``[]`` or null for an unset
    list inside a block (``not_equals`` of a field selector), CloudTrail omits it."""
    if isinstance(value, Mapping):
        kept = {str(k): _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def _is_default_selector(selector: Any) -> bool:
    """The selector CloudTrail gives every trail; the provider reads a lone one back as no
    ``event_selector`` at all (``flattenEventSelector``). The provider ignores
    ``include_management_events`` there; we do not: a lone selector that turns management
    events off is the change an intruder makes, so it must not compare equal to the default."""
    if not isinstance(selector, Mapping):
        return False
    return (
        selector.get("read_write_type") in (None, "", "All")
        and selector.get("include_management_events") in (None, True)
        and not selector.get("data_resource")
        and not selector.get("exclude_management_event_sources")
    )


def advanced_selector_blocks(value: Any) -> Any:
    """Comparer for ``advanced_event_selector`` (and the pruned form of any block list)."""
    return blocks(canonical_json(_pruned(value)) if isinstance(value, list) else value)


def event_selector_blocks(value: Any) -> Any:
    """Comparer for ``event_selector``: a lone default selector is no selector."""
    if isinstance(value, list) and len(value) == 1 and _is_default_selector(value[0]):
        return None
    return advanced_selector_blocks(value)


def _key_ref(value: Any) -> Any:
    """Comparer for ``kms_key_id``: a key ARN and the bare key id name the same key."""
    normal = optional_text(value)
    if isinstance(normal, str) and ":key/" in normal:
        return normal.split(":key/", 1)[1]
    return normal


def _logs_management_writes(event: CloudEvent) -> bool:
    """Whether the selectors the call set still log management write events."""
    basic = EVENT_SELECTORS(event)
    if isinstance(basic, list) and basic:
        return any(
            s["include_management_events"] and s["read_write_type"] in ("All", "WriteOnly")
            for s in basic
        )
    advanced = ADVANCED_SELECTORS(event)
    if isinstance(advanced, list) and advanced:
        for selector in advanced:
            fields = {f["field"]: f for f in selector["field_selector"]}
            category = fields.get("eventCategory")
            read_only = fields.get("readOnly")
            if (
                category
                and "Management" in category["equals"]
                and not (read_only and read_only["equals"] == ["true"])
            ):
                return True
        return False
    return False


def _stops_management_writes(event: CloudEvent) -> bool:
    sets_any = request_has("eventSelectors")(event) or request_has("advancedEventSelectors")(event)
    return sets_any and not _logs_management_writes(event)


# --------------------------------------------------------------------------- rows

SETTINGS: tuple[Effect, ...] = (
    SetAttr("s3_bucket_name", text("s3BucketName")),
    SetAttr("s3_key_prefix", text("s3KeyPrefix"), optional_text),
    SetAttr("sns_topic_name", text("snsTopicName"), optional_text),
    SetAttr("include_global_service_events", boolean("includeGlobalServiceEvents")),
    SetAttr("is_multi_region_trail", boolean("isMultiRegionTrail")),
    SetAttr("is_organization_trail", boolean("isOrganizationTrail")),
    SetAttr("enable_log_file_validation", boolean("enableLogFileValidation")),
    SetAttr("cloud_watch_logs_group_arn", text("cloudWatchLogsLogGroupArn"), optional_text),
    SetAttr("cloud_watch_logs_role_arn", text("cloudWatchLogsRoleArn"), optional_text),
    SetAttr("kms_key_id", text("kmsKeyId"), _key_ref),
)

SETTINGS_CHECKS = (
    when(
        request_is("enableLogFileValidation", False),
        Severity.HIGH,
        "log file validation turned off",
    ),
    when(
        request_is("isMultiRegionTrail", False),
        Severity.HIGH,
        "the trail no longer logs every region",
    ),
    when(
        request_is("includeGlobalServiceEvents", False),
        Severity.HIGH,
        "global service events (IAM, STS) no longer logged",
    ),
    when(request_has("s3BucketName"), Severity.HIGH, "logs now delivered to another bucket"),
    when(request_is("kmsKeyId", ""), Severity.HIGH, "log encryption turned off"),
)


def _trail_target(effects: tuple[Effect, ...] = ()) -> Target:
    return Target(TRAIL, "name", TRAIL_NAME, effects)


RULES: tuple[Rule, ...] = (
    Rule(
        "StopLogging",
        SOURCE,
        Action.MODIFY,
        (_trail_target((SetAttr("enable_logging", const(False)),)),),
        severity=Severity.CRITICAL,
        description="trail logging stopped",
    ),
    Rule(
        "StartLogging",
        SOURCE,
        Action.MODIFY,
        (_trail_target((SetAttr("enable_logging", const(True)),)),),
        severity=Severity.LOW,
        description="trail logging started",
    ),
    Rule(
        "DeleteTrail",
        SOURCE,
        Action.DELETE,
        (_trail_target(),),
        severity=Severity.CRITICAL,
        description="trail deleted",
    ),
    Rule(
        "PutEventSelectors",
        SOURCE,
        Action.MODIFY,
        (
            _trail_target(
                (
                    SetAttr("event_selector", EVENT_SELECTORS, event_selector_blocks),
                    SetAttr(
                        "advanced_event_selector", ADVANCED_SELECTORS, advanced_selector_blocks
                    ),
                )
            ),
        ),
        severity=Severity.HIGH,
        description="trail event selectors replaced",
        severity_checks=(
            when(
                _stops_management_writes,
                Severity.CRITICAL,
                "management write events are no longer logged",
            ),
        ),
    ),
    Rule(
        "PutInsightSelectors",
        SOURCE,
        Action.MODIFY,
        (
            _trail_target(
                (
                    SetAttr(
                        "insight_selector",
                        mapped(
                            req("insightSelectors"),
                            lambda raw: [
                                {"insight_type": str(lookup(s, "insightType"))}
                                for s in items(raw)
                                if isinstance(s, Mapping)
                            ],
                        ),
                        blocks,
                    ),
                )
            ),
        ),
        severity=Severity.MEDIUM,
        description="trail insight selectors replaced",
    ),
    Rule(
        "UpdateTrail",
        SOURCE,
        Action.MODIFY,
        (_trail_target(SETTINGS),),
        severity=Severity.MEDIUM,
        description="trail settings changed",
        severity_checks=SETTINGS_CHECKS,
    ),
    Rule(
        "CreateTrail",
        SOURCE,
        Action.CREATE,
        (
            Target(
                TRAIL,
                "name",
                TRAIL_NAME,
                (SetAttr("name", TRAIL_NAME), *SETTINGS),
                import_id=_trail_arn,
            ),
        ),
        severity=Severity.MEDIUM,
        description="trail created outside Terraform",
    ),
    Rule(
        "AddTags",
        SOURCE,
        Action.MODIFY,
        (Target(TRAIL, "name", _tagged_trail, (MergeTags("tags", tag_pairs(req("tagsList"))),)),),
        severity=Severity.LOW,
        description="trail tags added",
    ),
    Rule(
        "RemoveTags",
        SOURCE,
        Action.MODIFY,
        (
            Target(
                TRAIL,
                "name",
                _tagged_trail,
                (DropTags("tags", mapped(req("tagsList"), _tag_keys)),),
            ),
        ),
        severity=Severity.LOW,
        description="trail tags removed",
    ),
)
