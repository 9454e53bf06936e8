"""Kinesis Data Streams: streams (``aws_kinesis_stream``).

Choices worth knowing:
- Calls name a stream by ``streamName`` (found by ``name``, in the call's account and region:
  the state's ARN keeps a same-named stream elsewhere apart) or, from newer SDKs, by
  ``streamARN`` (found by ``arn``, exactly: a cross-account call names another account's
  stream). ``CreateStream`` answers nothing, so a stream made by hand is known by its name,
  which is also its import id.
- Retention (``IncreaseStreamRetentionPeriod``/``DecreaseStreamRetentionPeriod``), shard count
  (``UpdateShardCount``), encryption (``StartStreamEncryption``/``StopStreamEncryption``:
  ``encryption_type`` and ``kms_key_id``, stopping leaves ``NONE`` and no key) and capacity mode
  (``UpdateStreamMode``) are attribute-level: each call says the new value. On demand, the
  provider reads ``shard_count`` as 0; back to provisioned, as the open shard count, which the
  call does not say (``shard_count`` is then left as it was).
- Turning encryption off is high, and so is deleting a stream (its records go with it);
  shortening retention is medium, as is every other setting; tags are low.
"""

from __future__ import annotations

from typing import Any

from tfdrift_gitops.core.catalog.model import (
    Action,
    Extractor,
    Rule,
    Target,
    as_str,
    blocks,
    first,
    id_list,
    mapped,
    req,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    integer,
    optional_text,
    string_list,
    tag_pairs,
    text,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING, lookup
from tfdrift_gitops.models import Severity

SOURCE = "kinesis.amazonaws.com"
STREAM = "aws_kinesis_stream"


def _name(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return MISSING
    return value.strip()


def _stream_arn(value: Any) -> Any:
    if not isinstance(value, str) or not value.startswith("arn:"):
        return MISSING
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[2] != "kinesis" or not parts[5].startswith("stream/"):
        return MISSING
    # A consumer ARN (stream/NAME/consumer/...) names a consumer, not the stream.
    return value if "/" not in parts[5].removeprefix("stream/") else MISSING


STREAM_NAME: Extractor = mapped(req("streamName"), _name)
STREAM_ARN: Extractor = mapped(req("streamARN"), _stream_arn)


def _mode(value: Any) -> Any:
    mode = as_str(lookup(value, "streamMode")) if isinstance(value, dict) else MISSING
    return [{"stream_mode": mode}] if isinstance(mode, str) and mode else MISSING


STREAM_MODE: Extractor = mapped(req("streamModeDetails"), _mode)


def _on_demand_shards(value: Any) -> Any:
    # The provider reads shard_count only for a provisioned stream and 0 for an on-demand
    # one; back to provisioned, it reads the open shard count, which the call does not say.
    mode = _mode(value)
    return 0 if mode is not MISSING and mode[0]["stream_mode"] == "ON_DEMAND" else MISSING


ON_DEMAND_SHARDS: Extractor = mapped(req("streamModeDetails"), _on_demand_shards)


def _stream(*effects: Any, **kw: Any) -> tuple[Target, ...]:
    """Found by name, or by ARN (exact: a same-named stream elsewhere is another stream)."""
    return (
        Target(STREAM, "name", STREAM_NAME, tuple(effects), **kw),
        Target(STREAM, "arn", STREAM_ARN, tuple(effects), **kw),
    )


def _rule(
    event: str, action: Action, targets: tuple[Target, ...], severity: Severity, why: str
) -> Rule:
    return Rule(
        event,
        SOURCE,
        action,
        targets,
        severity=severity,
        description=why,
        known_ids=None if action is Action.CREATE else id_list(first(*(t.id for t in targets))),
    )


_RETENTION = SetAttr("retention_period", integer("retentionPeriodHours"))

RULES: tuple[Rule, ...] = (
    _rule(
        "CreateStream",
        Action.CREATE,
        _stream(
            SetAttr("name", text("streamName")),
            SetAttr("shard_count", integer("shardCount")),
            SetAttr("stream_mode_details", STREAM_MODE, blocks),
            SetAttr("tags", tag_pairs(req("tags")), tags_map),
            import_id=STREAM_NAME,
        )[:1],
        Severity.MEDIUM,
        "stream created outside Terraform",
    ),
    _rule(
        "DeleteStream",
        Action.DELETE,
        _stream(),
        Severity.HIGH,
        "stream deleted with its records",
    ),
    _rule(
        "IncreaseStreamRetentionPeriod",
        Action.MODIFY,
        _stream(_RETENTION),
        Severity.MEDIUM,
        "stream retention lengthened",
    ),
    _rule(
        "DecreaseStreamRetentionPeriod",
        Action.MODIFY,
        _stream(_RETENTION),
        Severity.MEDIUM,
        "stream retention shortened (older records expire)",
    ),
    _rule(
        "UpdateShardCount",
        Action.MODIFY,
        _stream(SetAttr("shard_count", integer("targetShardCount"))),
        Severity.MEDIUM,
        "stream resharded",
    ),
    _rule(
        "StartStreamEncryption",
        Action.MODIFY,
        _stream(
            SetAttr("encryption_type", text("encryptionType")),
            SetAttr("kms_key_id", text("keyId"), optional_text),
        ),
        Severity.MEDIUM,
        "stream encryption turned on or its key changed",
    ),
    _rule(
        "StopStreamEncryption",
        Action.MODIFY,
        _stream(
            SetAttr("encryption_type", mapped(req("encryptionType"), lambda _: "NONE")),
            SetAttr("kms_key_id", mapped(req("encryptionType"), lambda _: ""), optional_text),
        ),
        Severity.HIGH,
        "stream encryption turned off",
    ),
    _rule(
        "UpdateStreamMode",
        Action.MODIFY,
        # The only call here that takes no stream name: the ARN alone.
        _stream(
            SetAttr("stream_mode_details", STREAM_MODE, blocks),
            SetAttr("shard_count", ON_DEMAND_SHARDS),
        )[1:],
        Severity.MEDIUM,
        "stream capacity mode changed",
    ),
    _rule(
        "AddTagsToStream",
        Action.MODIFY,
        _stream(MergeTags("tags", tag_pairs(req("tags")))),
        Severity.LOW,
        "stream tags added or changed",
    ),
    _rule(
        "RemoveTagsFromStream",
        Action.MODIFY,
        _stream(DropTags("tags", string_list(req("tagKeys")))),
        Severity.LOW,
        "stream tags removed",
    ),
)
