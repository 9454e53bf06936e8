"""Where each ledger record lives, and how every stored object is encoded and decoded.

The same key layout is used under an S3 prefix and in a local directory::

    ledger.json                          layout marker (schema tfdrift-gitops/ledger/v1)
    open/<rk>.json                       the open drift of one resource (the fold target)
    archive/<xx>/<drift-id>.json         resolved and ignored drifts (xx: 2 hex digits of the id)
    index/<claim>.json                   drift id -> resource; event -> drift it was folded into
    cursors/<source>.json                the newest event time seen per source
    quarantine/<key>                     corrupt objects set aside by ``ledger compact``

``rk`` is a hash of the resource key (state, workspace, address; or type and id when the
resource is not in state), so the open set holds at most one object per resource and listing
it costs requests in proportion to open drifts, never to history.

``claim`` is the drift id an event would give a drift on its resource
(``core.fold.drift_id(resource key, event id)``). For the event that opened a drift it *is* the
drift id: the entry is the drift's reference (``get(id)`` needs no listing). For the other
events of a closed drift it records which drift the event went into, so a redelivered event
changes nothing after its drift left the open set. Every object carries its schema version;
``docs/ledger.md`` explains the rest.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tfdrift_gitops.core import fold as core_fold
from tfdrift_gitops.core.record import drift_from_record, drift_to_record
from tfdrift_gitops.errors import CorruptRecordError, LedgerError
from tfdrift_gitops.ledger.redact import scrub_record
from tfdrift_gitops.models import DRIFT_ID, DRIFT_SCHEMA, Drift, format_time, parse_time

LAYOUT_SCHEMA = "tfdrift-gitops/ledger/v1"
LAYOUT_VERSION = 1
# How the marker says a ledger's keys name states (its ``state_names`` field, added within layout
# 1: readers that predate it ignore it). Absent (1): the ledger may hold drifts stored under an
# older name of a state, the path it was given (``renames`` finds and moves them). 2: created
# since states are named as people know them, so none can be there and nothing is looked up.
OLDER_STATE_NAMES = 1
STATE_NAMES = 2
INDEX_SCHEMA = "tfdrift-gitops/index/v1"
CURSOR_SCHEMA = "tfdrift-gitops/cursor/v1"

META_KEY = "ledger.json"
OPEN_PREFIX = "open/"
ARCHIVE_PREFIX = "archive/"
INDEX_PREFIX = "index/"
CURSORS_PREFIX = "cursors/"
QUARANTINE_PREFIX = "quarantine/"

RESOURCE_HASH = re.compile(r"[0-9a-f]{32}")
# Ids used verbatim in keys: CloudTrail event ids are UUIDs. Anything else is hashed, so a
# hostile id can never climb out of its prefix or collide with a reserved name.
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}")


def resource_hash(resource_key: str) -> str:
    return hashlib.sha256(resource_key.encode()).hexdigest()[:32]


def safe_name(value: str) -> str:
    """``value`` if it is a harmless key segment, else a stable hash of it."""
    if _SAFE_NAME.fullmatch(value) and ".." not in value:
        return value
    return "sha256-" + hashlib.sha256(value.encode()).hexdigest()


def open_key(rk: str) -> str:
    return f"{OPEN_PREFIX}{rk}.json"


def index_key(claim: str) -> str:
    return f"{INDEX_PREFIX}{claim}.json"


def claim_of(resource_key: str, event_id: str) -> str:
    """The drift id this event gives a drift it opens on this resource."""
    return core_fold.drift_id(resource_key, event_id)


def archive_key(drift_id: str) -> str:
    """Derived from the id alone, so finding an archived drift needs no listing and no stored
    pointer; two hex digits of the id spread a big archive over 256 directories."""
    return f"{ARCHIVE_PREFIX}{drift_id[2:4]}/{drift_id}.json"


def cursor_key(source: str) -> str:
    return f"{CURSORS_PREFIX}{safe_name(source)}.json"


def quarantine_key(key: str) -> str:
    return f"{QUARANTINE_PREFIX}{key}"


# --------------------------------------------------------------------------- encoding


def dump(document: Mapping[str, Any]) -> bytes:
    """Compact, deterministic enough (insertion order) JSON; the same drift gives the same
    bytes, so re-archiving after a crash writes what the first attempt wrote.

    A lone surrogate (valid JSON input, ``"\\udc80"``) has no UTF-8 form: it is written back
    as the same ``\\uXXXX`` escape, which reads back as the same string."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "backslashreplace")


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
    # The id names the archive object, the remediation branch (tfdrift/<id>) and the GitHub
    # markers: a stored record with any other id ("../", "-x", "~^:") is corrupt, never used.
    _drift_id_field(document, "id", where)
    return drift_from_record(document, origin=where)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """``index/<claim>.json``: the event ``event_id`` on resource ``rk`` is in ``drift_id``
    (``claim == drift_id`` for the event that opened the drift: its reference)."""

    claim: str
    drift_id: str
    rk: str
    event_id: str

    @property
    def is_reference(self) -> bool:
        return self.claim == self.drift_id


def encode_index(claim: str, drift: Drift, event_id: str, now: datetime) -> bytes:
    return dump(
        {
            "schema": INDEX_SCHEMA,
            "claim": claim,
            "drift_id": drift.id,
            "rk": resource_hash(drift.resource.key),
            "event_id": event_id,
            "recorded_at": format_time(now),
        }
    )


def _drift_id_field(document: Mapping[str, Any], name: str, where: str) -> str:
    value = document.get(name)
    if not (isinstance(value, str) and DRIFT_ID.fullmatch(value)):
        raise CorruptRecordError(f"{where}: bad {name} {value!r}")
    return value


def decode_index(data: bytes, where: str) -> IndexEntry:
    document = load_object(data, where)
    _expect_schema(document, INDEX_SCHEMA, where)
    claim = _drift_id_field(document, "claim", where)
    drift = _drift_id_field(document, "drift_id", where)
    rk, event_id = document.get("rk"), document.get("event_id")
    if not (isinstance(rk, str) and RESOURCE_HASH.fullmatch(rk)):
        raise CorruptRecordError(f"{where}: bad resource hash {rk!r}")
    if not isinstance(event_id, str):
        raise CorruptRecordError(f"{where}: bad event id {event_id!r}")
    return IndexEntry(claim, drift, rk, event_id)


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
    return dump(
        {
            "schema": LAYOUT_SCHEMA,
            "layout": LAYOUT_VERSION,
            "created_at": format_time(now),
            "state_names": STATE_NAMES,
        }
    )


def check_meta(data: bytes, where: str) -> int:
    """Refuse a marker of a layout this version cannot read. Returns how the ledger's keys name
    states: ``STATE_NAMES`` when it was created with state names as people know them (no drift
    can be stored under an older name), ``OLDER_STATE_NAMES`` otherwise."""
    document = load_object(data, where)
    _expect_schema(document, LAYOUT_SCHEMA, where)
    layout = document.get("layout")
    if layout != LAYOUT_VERSION:
        raise LedgerError(
            f"{where}: ledger layout {layout!r} is not supported by this version "
            f"(expected {LAYOUT_VERSION}); upgrade tfdrift-gitops"
        )
    names = document.get("state_names", OLDER_STATE_NAMES)
    if type(names) is not int:
        raise CorruptRecordError(f"{where}: state_names is {names!r}, not a number")
    if names not in (OLDER_STATE_NAMES, STATE_NAMES):
        raise LedgerError(
            f"{where}: ledger state names {names!r} are not supported by this version "
            f"(expected {OLDER_STATE_NAMES} or {STATE_NAMES}); upgrade tfdrift-gitops"
        )
    return names
