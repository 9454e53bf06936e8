"""DynamoDB: tables (``aws_dynamodb_table``).

Choices worth knowing:
- The table is named by ``tableName`` in the request or, failing that, in the response's
  ``tableDescription`` (the developer guide's published UpdateTable record has no request name).
- Values come from the request: the response of UpdateTable may still show the throughput from
  before the call (the published record does).
- Switching to on-demand (``PAY_PER_REQUEST``) sets the provisioned capacities to 0, as the
  provider reads them back.
- ``point_in_time_recovery`` and ``ttl`` blocks: the provider always writes them, disabled as
  ``enabled = false``; an absent block counts as disabled. A disabled TTL has no attribute name.
- Global secondary indexes are a set of blocks matched by name: ``create`` adds one, ``delete``
  removes it, ``update`` changes its capacity.
- Losing point-in-time recovery or deletion protection is high, and so is deleting a table;
  deleting one whose point-in-time recovery is off (as state, and the calls before, leave it)
  is critical: nothing restores it to the moment before the delete.
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
    as_bool,
    as_int,
    const,
    first,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    boolean,
    integer,
    optional_text,
    request_is,
    string_list,
    tag_pairs,
    text,
    when,
    with_fallback,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING, get_path, items, lookup, set_path
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "dynamodb.amazonaws.com"
TABLE = "aws_dynamodb_table"


def _table_name(value: Any) -> Any:
    """A table name, or the name in a table ARN (``...:table/Music``)."""
    if not isinstance(value, str) or not value.strip():
        return MISSING
    name = value.strip()
    if ":table/" in name:
        name = name.split(":table/", 1)[1].split("/", 1)[0]
    return name or MISSING


TABLE_NAME: Extractor = first(
    mapped(req("tableName"), _table_name),
    mapped(resp("tableDescription.tableName"), _table_name),
)
TAGGED_TABLE: Extractor = mapped(req("resourceArn"), _table_name)


def _false_is_none(value: Any) -> Any:
    """Optional booleans: absent, null and false are one value."""
    return True if as_bool(value) is True else None


def _on_demand(event: CloudEvent) -> Any:
    return 0 if request_is("billingMode", "PAY_PER_REQUEST")(event) else MISSING


def _capacity(field: str) -> Extractor:
    return first(integer(f"provisionedThroughput.{field}"), _on_demand)


def _ttl_name(event: CloudEvent) -> Any:
    enabled = boolean("timeToLiveSpecification.enabled")(event)
    if enabled is MISSING:
        return MISSING
    return text("timeToLiveSpecification.attributeName")(event) if enabled else ""


# --------------------------------------------------------------------------- indexes


def _gsi_block(spec: Mapping[str, Any]) -> dict[str, Any] | None:
    name = lookup(spec, "indexName")
    if not isinstance(name, str) or not name:
        return None
    keys = {
        lookup(k, "keyType"): lookup(k, "attributeName") for k in items(lookup(spec, "keySchema"))
    }
    projection = lookup(spec, "projection")
    non_key = lookup(projection, "nonKeyAttributes") if isinstance(projection, Mapping) else None
    block: dict[str, Any] = {
        "name": name,
        "hash_key": keys.get("HASH") or "",
        "range_key": keys.get("RANGE") or "",
        "projection_type": (lookup(projection, "projectionType") or "")
        if isinstance(projection, Mapping)
        else "",
        "non_key_attributes": [str(v) for v in items(non_key) if isinstance(v, str)],
        "read_capacity": as_int(lookup(spec, "provisionedThroughput.readCapacityUnits")) or 0,
        "write_capacity": as_int(lookup(spec, "provisionedThroughput.writeCapacityUnits")) or 0,
    }
    return block


def _gsi_compare(value: Any) -> Any:
    """The set of indexes by name, each by the fields a change here can move."""
    out = set()
    for block in value if isinstance(value, list) else []:
        if not isinstance(block, Mapping):
            continue
        out.add(
            (
                str(block.get("name") or ""),
                str(block.get("hash_key") or ""),
                str(block.get("range_key") or ""),
                str(block.get("projection_type") or ""),
                frozenset(block.get("non_key_attributes") or ()),
                as_int(block.get("read_capacity") or 0),
                as_int(block.get("write_capacity") or 0),
            )
        )
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class IndexUpdates(Compared):
    """``globalSecondaryIndexUpdates``: create, delete or re-provision indexes by name."""

    path: str
    comparer: Comparer = _gsi_compare

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        updates = items(req("globalSecondaryIndexUpdates")(event))
        if not updates:
            return False
        current = get_path(attrs, self.path)
        indexes = [dict(b) for b in current if isinstance(b, Mapping)] if current else []
        for update in updates:
            for verb in ("create", "delete", "update"):
                spec = lookup(update, verb)
                if isinstance(spec, Mapping):
                    indexes = _apply_index(indexes, verb, spec)
        set_path(attrs, self.path, indexes)
        return True


def _apply_index(
    indexes: list[dict[str, Any]], verb: str, spec: Mapping[str, Any]
) -> list[dict[str, Any]]:
    name = lookup(spec, "indexName")
    kept = [b for b in indexes if b.get("name") != name]
    if verb == "delete":
        return kept
    if verb == "create":
        block = _gsi_block(spec)
        return [*kept, block] if block is not None else indexes
    for block in indexes:
        if block.get("name") == name:
            for field, api in (
                ("read_capacity", "readCapacityUnits"),
                ("write_capacity", "writeCapacityUnits"),
            ):
                value = as_int(lookup(spec, f"provisionedThroughput.{api}"))
                if value is not MISSING:
                    block[field] = value
    return indexes


# --------------------------------------------------------------------------- effects

UPDATE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("billing_mode", text("billingMode"), optional_text),
    SetAttr("read_capacity", _capacity("readCapacityUnits")),
    SetAttr("write_capacity", _capacity("writeCapacityUnits")),
    SetAttr("stream_enabled", boolean("streamSpecification.streamEnabled"), _false_is_none),
    SetAttr("stream_view_type", text("streamSpecification.streamViewType"), optional_text),
    SetAttr(
        "server_side_encryption[0].enabled", boolean("sSESpecification.enabled"), _false_is_none
    ),
    SetAttr(
        "server_side_encryption[0].kms_key_arn",
        text("sSESpecification.kMSMasterKeyId"),
        optional_text,
    ),
    SetAttr("deletion_protection_enabled", boolean("deletionProtectionEnabled"), _false_is_none),
    SetAttr("table_class", text("tableClass"), optional_text),
    IndexUpdates("global_secondary_index"),
)


def _attributes(event: CloudEvent) -> Any:
    found = items(req("attributeDefinitions")(event))
    out = [
        {"name": lookup(a, "attributeName"), "type": lookup(a, "attributeType")}
        for a in found
        if isinstance(lookup(a, "attributeName"), str)
    ]
    return out if out else MISSING


def _key(kind: str) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        for element in items(req("keySchema")(event)):
            if lookup(element, "keyType") == kind:
                return lookup(element, "attributeName")
        return "" if kind == "RANGE" and req("keySchema")(event) is not MISSING else MISSING

    return extract


def _created_indexes(event: CloudEvent) -> Any:
    blocks = [_gsi_block(spec) for spec in items(req("globalSecondaryIndexes")(event))]
    return [b for b in blocks if b is not None]


CREATE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("name", TABLE_NAME),
    SetAttr("hash_key", _key("HASH")),
    SetAttr("range_key", _key("RANGE"), optional_text),
    SetAttr("attribute", _attributes, lambda v: frozenset(str(sorted(a.items())) for a in v or [])),
    SetAttr("global_secondary_index", _created_indexes, _gsi_compare),
    SetAttr("billing_mode", first(text("billingMode"), const("PROVISIONED")), optional_text),
    SetAttr("read_capacity", _capacity("readCapacityUnits")),
    SetAttr("write_capacity", _capacity("writeCapacityUnits")),
    SetAttr("stream_enabled", boolean("streamSpecification.streamEnabled"), _false_is_none),
    SetAttr("stream_view_type", text("streamSpecification.streamViewType"), optional_text),
    SetAttr("deletion_protection_enabled", boolean("deletionProtectionEnabled"), _false_is_none),
    SetAttr("table_class", text("tableClass"), optional_text),
    SetAttr("tags", tag_pairs(req("tags")), tags_map),
)


def _rule(
    event: str,
    targets: tuple[Target, ...],
    severity: Severity,
    description: str,
    *checks: Any,
    action: Action = Action.MODIFY,
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


def _deleted_without_pitr(
    event: CloudEvent, observed: Mapping[str, Any]
) -> tuple[Severity, str] | None:
    """A table deleted while its point-in-time recovery is off. Only when state says so (an
    empty block list is off, as the provider writes it); no attribute at all is no evidence."""
    blocks_ = observed.get("point_in_time_recovery")
    if not isinstance(blocks_, list):
        return None
    first_block = blocks_[0] if blocks_ else {}
    if isinstance(first_block, Mapping) and first_block.get("enabled") is True:
        return None
    name = observed.get("name") or TABLE_NAME(event)
    return (
        Severity.CRITICAL,
        f"table {name} deleted while point-in-time recovery was off "
        "(point_in_time_recovery.enabled = false): no restore to before the delete",
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "UpdateTable",
        with_fallback(Target(TABLE, "name", TABLE_NAME, UPDATE_EFFECTS)),
        Severity.MEDIUM,
        "table settings changed",
        when(
            request_is("deletionProtectionEnabled", False),
            Severity.HIGH,
            "deletionProtectionEnabled set to false: the table can be deleted",
        ),
        when(
            request_is("streamSpecification.streamEnabled", False),
            Severity.HIGH,
            "streamSpecification.streamEnabled set to false: stream consumers stop",
        ),
    ),
    _rule(
        "UpdateContinuousBackups",
        with_fallback(
            Target(
                TABLE,
                "name",
                TABLE_NAME,
                (
                    SetAttr(
                        "point_in_time_recovery[0].enabled",
                        boolean("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled"),
                        _false_is_none,
                    ),
                    SetAttr(
                        "point_in_time_recovery[0].recovery_period_in_days",
                        integer("pointInTimeRecoverySpecification.recoveryPeriodInDays"),
                    ),
                ),
            )
        ),
        Severity.MEDIUM,
        "point-in-time recovery changed",
        when(
            request_is("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled", False),
            Severity.HIGH,
            "pointInTimeRecoveryEnabled set to false: point-in-time recovery turned off",
        ),
    ),
    _rule(
        "UpdateTimeToLive",
        with_fallback(
            Target(
                TABLE,
                "name",
                TABLE_NAME,
                (
                    SetAttr(
                        "ttl[0].enabled", boolean("timeToLiveSpecification.enabled"), _false_is_none
                    ),
                    SetAttr("ttl[0].attribute_name", _ttl_name, optional_text),
                ),
            )
        ),
        Severity.MEDIUM,
        "time to live changed",
    ),
    _rule(
        "DeleteTable",
        (Target(TABLE, "name", TABLE_NAME),),
        Severity.HIGH,
        "table deleted",
        _deleted_without_pitr,
        action=Action.DELETE,
    ),
    _rule(
        "CreateTable",
        (Target(TABLE, "name", TABLE_NAME, CREATE_EFFECTS, import_id=TABLE_NAME),),
        Severity.MEDIUM,
        "table created outside Terraform",
        action=Action.CREATE,
    ),
    _rule(
        "TagResource",
        (Target(TABLE, "name", TAGGED_TABLE, (MergeTags("tags", tag_pairs(req("tags"))),)),),
        Severity.LOW,
        "table tags added",
    ),
    _rule(
        "UntagResource",
        (Target(TABLE, "name", TAGGED_TABLE, (DropTags("tags", string_list(req("tagKeys"))),)),),
        Severity.LOW,
        "table tags removed",
    ),
)
