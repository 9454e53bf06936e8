"""Where each ledger record lives, and how every stored object is encoded and decoded.

The same key layout is used under an S3 prefix and in a local directory::

    ledger.json                          layout marker (schema tfdrift-gitops/ledger/v1)
    open/<rk>.json                       the open drift of one resource (the fold target)
    ids/<drift-id>.json                  drift id -> resource hash and archive key
    archive/<yyyy>/<mm>/<drift-id>.json  resolved and ignored drifts, by month first detected
    events/<event-id>/<rk>.json          the events of archived drifts: a redelivery is a no-op
    cursors/<source>.json                the newest event time seen per source
    quarantine/<key>                     corrupt objects set aside by ``ledger compact``

``rk`` is a hash of the resource key (state, workspace, address; or type and id when the
resource is not in state), so the open set holds at most one object per resource and listing
it costs requests in proportion to open drifts, never to history. Every object carries its
schema version. ``docs/ledger.md`` explains why each piece is there.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tfdrift_gitops.core.record import drift_from_record, drift_to_record
from tfdrift_gitops.errors import CorruptRecordError, LedgerError
from tfdrift_gitops.ledger.redact import scrub_record
from tfdrift_gitops.models import DRIFT_SCHEMA, CloudEvent, Drift, format_time, parse_time

LAYOUT_SCHEMA = "tfdrift-gitops/ledger/v1"
LAYOUT_VERSION = 1
REF_SCHEMA = "tfdrift-gitops/drift-ref/v1"
EVENT_SCHEMA = "tfdrift-gitops/event/v1"
CURSOR_SCHEMA = "tfdrift-gitops/cursor/v1"

META_KEY = "ledger.json"
OPEN_PREFIX = "open/"
IDS_PREFIX = "ids/"
ARCHIVE_PREFIX = "archive/"
EVENTS_PREFIX = "events/"
CURSORS_PREFIX = "cursors/"
QUARANTINE_PREFIX = "quarantine/"

DRIFT_ID = re.compile(r"^d-[0-9a-f]{16}$")
RESOURCE_HASH = re.compile(r"^[0-9a-f]{32}$")
# Ids used verbatim in keys: CloudTrail event ids are UUIDs. Anything else is hashed, so a
# hostile id can never climb out of its prefix or collide with a reserved name.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$")


def resource_hash(resource_key: str) -> str:
    return hashlib.sha256(resource_key.encode()).hexdigest()[:32]


def safe_name(value: str) -> str:
    """``value`` if it is a harmless key segment, else a stable hash of it."""
    if _SAFE_NAME.match(value) and ".." not in value:
        return value
    return "sha256-" + hashlib.sha256(value.encode()).hexdigest()


def open_key(rk: str) -> str:
    return f"{OPEN_PREFIX}{rk}.json"


def ref_key(drift_id: str) -> str:
    return f"{IDS_PREFIX}{drift_id}.json"


def archive_key(drift: Drift) -> str:
    """Partitioned by the month the drift was first detected: known when the drift opens, so
    the id reference can name it before the drift is ever archived."""
    when = drift.detected_at or drift.events[0].time
    return f"{ARCHIVE_PREFIX}{when:%Y}/{when:%m}/{drift.id}.json"


def event_key(event_id: str, rk: str) -> str:
    return f"{EVENTS_PREFIX}{safe_name(event_id)}/{rk}.json"


def cursor_key(source: str) -> str:
    return f"{CURSORS_PREFIX}{safe_name(source)}.json"


def quarantine_key(key: str) -> str:
    return f"{QUARANTINE_PREFIX}{key}"


# --------------------------------------------------------------------------- encoding


def dump(document: Mapping[str, Any]) -> bytes:
    """Compact, deterministic enough (insertion order) JSON; the same drift gives the same
    bytes, so re-archiving after a crash writes what the first attempt wrote."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def load_object(data: bytes, where: str) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CorruptRecordError(f"{where}: not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise CorruptRecordError(f"{where}: expected a JSON object, got {type(document).__name__}")
    return document


def _expect_schema(document: Mapping[str, Any], schema: str, where: str) -> None:
    found = document.get("schema")
    if found != schema:
        raise CorruptRecordError(f"{where}: expected schema {schema!r}, found {found!r}")


def encode_drift(drift: Drift) -> bytes:
    return dump(scrub_record(drift_to_record(drift)))


def decode_drift(data: bytes, where: str) -> Drift:
    document = load_object(data, where)
    _expect_schema(document, DRIFT_SCHEMA, where)
    return drift_from_record(document, origin=where)


@dataclass(frozen=True, slots=True)
class DriftRef:
    """Written before a drift's first open object: ``get(id)`` needs no listing."""

    drift_id: str
    rk: str
    archive_key: str


def encode_ref(drift: Drift) -> bytes:
    rk = resource_hash(drift.resource.key)
    return dump(
        {
            "schema": REF_SCHEMA,
            "id": drift.id,
            "rk": rk,
            "open_key": open_key(rk),
            "archive_key": archive_key(drift),
        }
    )


def decode_ref(data: bytes, where: str) -> DriftRef:
    document = load_object(data, where)
    _expect_schema(document, REF_SCHEMA, where)
    drift_id, rk, archived = document.get("id"), document.get("rk"), document.get("archive_key")
    if not (isinstance(drift_id, str) and DRIFT_ID.match(drift_id)):
        raise CorruptRecordError(f"{where}: bad drift id {drift_id!r}")
    if not (isinstance(rk, str) and RESOURCE_HASH.match(rk)):
        raise CorruptRecordError(f"{where}: bad resource hash {rk!r}")
    if not (
        isinstance(archived, str)
        and archived.startswith(ARCHIVE_PREFIX)
        and archived.endswith(f"/{drift_id}.json")
        and ".." not in archived
    ):
        raise CorruptRecordError(f"{where}: bad archive key {archived!r}")
    return DriftRef(drift_id, rk, archived)


def encode_event_marker(event: CloudEvent, drift: Drift, now: datetime) -> bytes:
    rk = resource_hash(drift.resource.key)
    marker = {
        "schema": EVENT_SCHEMA,
        "event": event.to_dict(),
        "drift_id": drift.id,
        "rk": rk,
        "recorded_at": format_time(now),
    }
    return dump(scrub_record(marker))


def encode_cursor(source: str, time: datetime, now: datetime) -> bytes:
    return dump(
        {
            "schema": CURSOR_SCHEMA,
            "source": source,
            "time": format_time(time),
            "updated_at": format_time(now),
        }
    )


def decode_cursor(data: bytes, where: str) -> datetime:
    document = load_object(data, where)
    _expect_schema(document, CURSOR_SCHEMA, where)
    raw = document.get("time")
    if not isinstance(raw, str):
        raise CorruptRecordError(f"{where}: cursor time missing")
    try:
        return parse_time(raw)
    except ValueError as exc:
        raise CorruptRecordError(f"{where}: bad cursor time {raw!r}") from exc


def encode_meta(now: datetime) -> bytes:
    return dump({"schema": LAYOUT_SCHEMA, "layout": LAYOUT_VERSION, "created_at": format_time(now)})


def check_meta(data: bytes, where: str) -> None:
    document = load_object(data, where)
    _expect_schema(document, LAYOUT_SCHEMA, where)
    layout = document.get("layout")
    if layout != LAYOUT_VERSION:
        raise LedgerError(
            f"{where}: ledger layout {layout!r} is not supported by this version "
            f"(expected {LAYOUT_VERSION}); upgrade tfdrift-gitops"
        )
