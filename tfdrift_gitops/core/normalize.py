"""Raw CloudTrail records and Falco alerts -> ``CloudEvent``.

Every input is hostile: whatever the shape, these functions return a CloudEvent or raise
``RecordError`` naming the record and the reason (``NotCloudTrailError`` for Falco alerts of
other sources, which callers count as ignored rather than bad). They run once per record on the
``detect`` hot path, so they do no deep copies and no re-serialising: request and response
documents are referenced, not copied, and the size limit uses the caller's byte count when it
has one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from tfdrift_gitops.core.actor import (
    FieldLookup,
    actor_from_falco,
    actor_from_identity,
    as_text,
    falco_text,
)
from tfdrift_gitops.errors import NotCloudTrailError, RecordError
from tfdrift_gitops.models import CloudEvent

log = logging.getLogger(__name__)

MAX_RECORD_BYTES: Final = 1 << 20
"""Records larger than this (1 MiB of JSON) are rejected: CloudTrail's own records stay far
below it, so a bigger one is corrupt or hostile and would only slow everything down."""

FALCO_CLOUDTRAIL_SOURCE: Final = "aws_cloudtrail"
DEFAULT_EVENT_TYPE: Final = "AwsApiCall"

# Top-level keys CloudTrail writes; a record with only these needs no case-insensitive copy.
_RECORD_KEYS: Final = frozenset(
    {
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "requestParameters",
        "responseElements",
        "additionalEventData",
        "requestID",
        "eventID",
        "readOnly",
        "resources",
        "eventType",
        "apiVersion",
        "managementEvent",
        "recipientAccountId",
        "sharedEventID",
        "vpcEndpointId",
        "vpcEndpointAccountId",
        "eventCategory",
        "tlsDetails",
        "sessionCredentialFromConsole",
        "errorCode",
        "errorMessage",
        "serviceEventDetails",
        "insightDetails",
        "edgeDeviceDetails",
        "addendum",
    }
)
_CLOUDTRAIL_MARKERS: Final = ("eventName", "eventSource", "eventID", "eventTime")
_CLOUDTRAIL_MARKERS_LOWER: Final = frozenset(k.lower() for k in _CLOUDTRAIL_MARKERS)
_VIA_CLOUDTRAIL: Final = " via CloudTrail"

# Read-only calls by name, for records without readOnly. A name that merely starts with the
# letters ("Headline") does not count: the prefix must end a word (next letter upper-case).
_READ_PREFIXES: Final = ("Describe", "Get", "List", "Head", "Lookup", "BatchGet", "BatchDescribe")

_NS_PER_SECOND: Final = 1_000_000_000


# ---------------------------------------------------------------------------------- helpers


def _show(value: Any, limit: int = 60) -> str:
    """A short repr for error messages (a hostile value may be megabytes long)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def _too_big(size: int, max_bytes: int) -> str:
    return f"record is {size:,} bytes of JSON, over the {max_bytes:,}-byte limit"


def parse_event_time(value: Any) -> datetime:
    """An event time as an aware UTC datetime; raises ValueError when it is not one.

    Accepts ISO 8601 / RFC 3339 with ``Z`` or an offset, any number of fraction digits (Falco
    writes nanoseconds), the space-separated form of exported data (``2021-01-24 04:55:45.000``,
    taken as UTC), and integers or digit strings of epoch nanoseconds (Falco's ``evt.time``;
    smaller magnitudes are read as micro-, milli- or plain seconds).
    """
    if isinstance(value, bool):
        raise ValueError("a boolean is not a time")
    if isinstance(value, int | float):
        return _from_epoch(value)
    if not isinstance(value, str):
        raise ValueError(f"{_kind(value)} is not a time")
    text = value.strip()
    if text.isdigit():
        return _from_epoch(int(text))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = datetime.fromisoformat(text.upper())  # lower-case 't' / 'z'; raises if still bad
    try:
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        if parsed.tzinfo is not UTC:
            return parsed.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(str(exc)) from None
    return parsed


def _from_epoch(value: float) -> datetime:
    """Epoch nanoseconds (or µs / ms / s, told apart by magnitude) -> UTC datetime."""
    magnitude = abs(value)
    if magnitude >= 1e17:
        scale = _NS_PER_SECOND
    elif magnitude >= 1e14:
        scale = 1_000_000
    elif magnitude >= 1e11:
        scale = 1_000
    else:
        scale = 1
    try:
        if isinstance(value, int):
            seconds, rest = divmod(value, scale)
            micros = rest * 1_000_000 // scale
            return datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)
        return datetime.fromtimestamp(value / scale, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(f"epoch value {value} is out of range ({exc})") from None


def infer_read_only(name: str) -> bool:
    """Whether an event name reads only (Describe*, Get*, List*, Head*, Lookup*, BatchGet*)."""
    for prefix in _READ_PREFIXES:
        if name.startswith(prefix):
            rest = name[len(prefix) :]
            return not rest or rest[0].isupper()
    return False


def _flag(value: Any) -> bool | None:
    """A boolean from JSON true/false, "true"/"false" strings or 0/1; None when it is none."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
        return None
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return None


def _document(value: Any, field: str, origin: str) -> Mapping[str, Any] | None:
    """requestParameters / responseElements as a mapping or None.

    Some exports store them as JSON text; that is decoded when it holds an object.
    """
    if value is None or isinstance(value, Mapping):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text or text in ("null", "<NA>"):
            return None
        try:
            decoded = json.loads(text)
        except (ValueError, RecursionError):
            raise RecordError(f"{field} is a string that is not JSON", origin=origin) from None
        if decoded is None or isinstance(decoded, Mapping):
            return decoded
        raise RecordError(
            f"{field} is JSON text holding {_kind(decoded)}, not an object", origin=origin
        )
    raise RecordError(f"{field} is {_kind(value)}, not an object", origin=origin)


def _json_size(value: Any, field: str, origin: str) -> int:
    if value is None:
        return 0
    try:
        return len(json.dumps(value, separators=(",", ":"), default=str))
    except RecursionError:
        raise RecordError(f"{field} is nested too deeply", origin=origin) from None
    except (TypeError, ValueError) as exc:
        raise RecordError(f"{field} cannot be measured: {exc}", origin=origin) from None


def _check_size(
    request: Mapping[str, Any] | None,
    response: Mapping[str, Any] | None,
    max_bytes: int,
    origin: str,
) -> None:
    size = _json_size(request, "requestParameters", origin)
    if size <= max_bytes:
        size += _json_size(response, "responseElements", origin)
    if size > max_bytes:
        raise RecordError(_too_big(size, max_bytes), origin=origin)


def _required_text(value: Any, field: str, origin: str) -> str:
    if value is None:
        raise RecordError(f"missing {field}", origin=origin)
    if not isinstance(value, str):
        raise RecordError(f"{field} is {_kind(value)}, not a string", origin=origin)
    text = value.strip()
    if not text:
        raise RecordError(f"{field} is empty", origin=origin)
    return text


def _synthetic_id(parts: Any) -> str:
    """A stable id for a record without one, so redelivery of the same record still dedupes."""
    try:
        canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError, RecursionError):
        canonical = repr(parts)
    return "synthetic-" + hashlib.sha256(canonical.encode("utf-8", "replace")).hexdigest()[:32]


# --------------------------------------------------------------------------- CloudTrail


def normalize_record(
    raw: Mapping[str, Any],
    origin: str = "",
    *,
    size: int | None = None,
    max_bytes: int = MAX_RECORD_BYTES,
) -> CloudEvent:
    """One CloudTrail record (an element of ``Records``) -> CloudEvent.

    ``size`` is the byte length of the record's JSON text when the caller knows it (a JSON
    Lines reader does), or any upper bound of it; a record over ``max_bytes`` is rejected.
    With ``size=None`` the request and response documents are measured instead, which costs a
    serialisation: readers should pass what they know.
    """
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise RecordError(f"record is {_kind(raw)}, not an object", origin=origin)
    if size is not None and size > max_bytes:
        raise RecordError(_too_big(size, max_bytes), origin=origin)
    # Hot path: written for the common well-formed record (plain dict.get, str checks inline);
    # anything unusual drops into the helpers, which explain what is wrong.
    get = FieldLookup.getter(raw, _RECORD_KEYS)
    name = get("eventName")
    if type(name) is not str or not (name := name.strip()):
        name = _required_text(name, "eventName", origin)
    source = get("eventSource")
    if type(source) is not str or not (source := source.strip()):
        source = _required_text(source, "eventSource", origin)
    time_value = get("eventTime")
    if time_value is None:
        raise RecordError("missing eventTime", origin=origin)
    last_text, last_time = _LAST_TIME[0]
    if type(time_value) is str and time_value == last_text:
        time: datetime = last_time
    else:
        try:
            time = parse_event_time(time_value)
        except ValueError:
            raise RecordError(
                f"eventTime {_show(time_value)} is not a valid time", origin=origin
            ) from None
        if type(time_value) is str:
            _LAST_TIME[0] = (time_value, time)
    request = get("requestParameters")
    if request is not None and type(request) is not dict:
        request = _document(request, "requestParameters", origin)
    response = get("responseElements")
    if response is not None and type(response) is not dict:
        response = _document(response, "responseElements", origin)
    if size is None:
        _check_size(request, response, max_bytes, origin)
    identity = get("userIdentity")
    if identity is not None and type(identity) is not dict and not isinstance(identity, Mapping):
        raise RecordError(f"userIdentity is {_kind(identity)}, not an object", origin=origin)
    console = get("sessionCredentialFromConsole")
    actor = actor_from_identity(
        identity,
        source_ip=_text(get("sourceIPAddress")),
        user_agent=_text(get("userAgent")),
        console_session=console is not None and _flag(console) is True,
    )
    event_id = get("eventID")
    if type(event_id) is not str or not event_id:
        event_id = as_text(event_id).strip()
        if not event_id:
            event_id = _synthetic_id(raw)
            log.debug("%s: no eventID, using %s", origin, event_id)
    read_only = get("readOnly")
    if read_only is not True and read_only is not False:
        read_only = _flag(read_only)
        if read_only is None:
            read_only = infer_read_only(name)
    # Positional, in field order (keywords cost a third of building the event, once a record):
    # id, name, source, time, region, actor, account_id, request, response, error_code,
    # error_message, read_only, event_type, origin.
    return CloudEvent(
        event_id,
        name,
        source,
        time,
        _text(get("awsRegion")),
        actor,
        _text(get("recipientAccountId")) or actor.account_id,
        request,
        response,
        _text(get("errorCode")),
        _text(get("errorMessage")),
        read_only,
        _text(get("eventType")) or DEFAULT_EVENT_TYPE,
        origin,
    )


_LAST_TIME: list[tuple[Any, Any]] = [(None, None)]
"""The last eventTime text read and its value, in one slot (threads never see half an
update): a trail's calls come in bursts of one second (datetimes are immutable, so records
may share one)."""


def _text(value: Any) -> str:
    return value if type(value) is str else as_text(value)


# -------------------------------------------------------------------------------- Falco


def normalize_falco_alert(
    raw: Mapping[str, Any],
    origin: str = "",
    *,
    size: int | None = None,
    max_bytes: int = MAX_RECORD_BYTES,
) -> CloudEvent:
    """A Falco JSON alert (http_output body, json_output line, falcosidekick POST) -> CloudEvent.

    Alerts of other sources (syscall, k8s_audit, ...) raise NotCloudTrailError.
    """
    if not isinstance(raw, Mapping):
        raise RecordError(f"Falco alert is {_kind(raw)}, not an object", origin=origin)
    if size is not None and size > max_bytes:
        raise RecordError(_too_big(size, max_bytes), origin=origin)
    fields = raw.get("output_fields")
    if fields is None:
        fields = {}
    elif not isinstance(fields, Mapping):
        raise RecordError(f"output_fields is {_kind(fields)}, not an object", origin=origin)
    source = falco_text(raw.get("source"))
    rule = falco_text(raw.get("rule"))
    if source and source != FALCO_CLOUDTRAIL_SOURCE:
        raise NotCloudTrailError(
            f"Falco alert from source {_show(source)} (rule {_show(rule)}), not "
            f"{FALCO_CLOUDTRAIL_SOURCE}",
            origin=origin,
        )
    if not source and not any(isinstance(k, str) and k.startswith("ct.") for k in fields):
        raise NotCloudTrailError(
            f"Falco alert without CloudTrail fields (rule {_show(rule)})", origin=origin
        )
    alert_time: datetime | None = None
    if raw.get("time") is not None:
        try:
            alert_time = parse_event_time(raw.get("time"))
        except ValueError:
            log.debug("%s: unparsable alert time %s", origin, _show(raw.get("time")))
    return normalize_falco_output_fields(
        fields, time=alert_time, origin=origin, max_bytes=max_bytes
    )


def normalize_falco_output_fields(
    fields: Mapping[str, object],
    *,
    time: datetime | None,
    origin: str,
    max_bytes: int = MAX_RECORD_BYTES,
) -> CloudEvent:
    """The ``output_fields`` of a CloudTrail-plugin alert -> CloudEvent.

    Values may be typed JSON (json_output) or all strings (gRPC: numbers JSON-encoded, missing
    values ``"<NA>"``, ``"null"`` or absent). ``time`` is the alert's own time, used when the
    fields carry neither ``ct.time`` nor ``evt.time``.
    """
    if not isinstance(fields, Mapping):
        raise RecordError(f"output_fields is {_kind(fields)}, not an object", origin=origin)
    name = falco_text(fields.get("ct.name")).strip()
    if not name:
        raise RecordError("missing ct.name in the alert's output fields", origin=origin)
    source = falco_text(fields.get("ct.src"))
    if not source:
        short = falco_text(fields.get("ct.shortsrc"))
        source = f"{short}.amazonaws.com" if short else ""
    if not source:
        raise RecordError("missing ct.src in the alert's output fields", origin=origin)
    event_time = _falco_time(fields, time, origin)
    request = _falco_document(fields.get("ct.request"), "ct.request", max_bytes, origin)
    response = _falco_document(fields.get("ct.response"), "ct.response", max_bytes, origin)
    actor = actor_from_falco(fields)
    event_id = falco_text(fields.get("ct.id")).strip()
    if not event_id:
        event_id = _synthetic_id({k: fields[k] for k in fields if k != "evt.time"})
        log.debug("%s: no ct.id, using %s", origin, event_id)
    read_only = _flag(fields.get("ct.readonly"))
    return CloudEvent(
        id=event_id,
        name=name,
        source=source,
        time=event_time,
        region=falco_text(fields.get("ct.region")),
        actor=actor,
        account_id=actor.account_id,
        request=request,
        response=response,
        error_code=falco_text(fields.get("ct.error")),
        read_only=infer_read_only(name) if read_only is None else read_only,
        event_type=DEFAULT_EVENT_TYPE,
        origin=origin,
    )


def _falco_time(fields: Mapping[str, object], fallback: datetime | None, origin: str) -> datetime:
    """The CloudTrail eventTime (``ct.time``), else the event's timestamp, else the alert's."""
    bad: list[str] = []
    for key in ("ct.time", "evt.time"):
        value = fields.get(key)
        if value is None or (isinstance(value, str) and falco_text(value) == ""):
            continue
        try:
            return parse_event_time(value)
        except ValueError:
            bad.append(f"{key} {_show(value)}")
    if fallback is not None:
        return fallback
    if bad:
        raise RecordError(f"{' and '.join(bad)}: not a valid time", origin=origin)
    raise RecordError("alert has no time (no ct.time, evt.time or time)", origin=origin)


def _falco_document(
    value: object, field: str, max_bytes: int, origin: str
) -> Mapping[str, Any] | None:
    if isinstance(value, str):
        if len(value) > max_bytes:
            raise RecordError(f"{field}: {_too_big(len(value), max_bytes)}", origin=origin)
        return _document(falco_text(value), field, origin)
    if isinstance(value, Mapping):
        _check_size(value, None, max_bytes, origin)
    return _document(value, field, origin)


# ----------------------------------------------------------------------------- dispatch


def is_falco_alert(raw: Mapping[str, Any]) -> bool:
    """A Falco alert has ``output_fields``, or at least a ``rule`` with its ``output``."""
    return "output_fields" in raw or ("rule" in raw and ("output" in raw or "priority" in raw))


def is_cloudtrail_record(raw: Mapping[str, Any]) -> bool:
    if any(key in raw for key in _CLOUDTRAIL_MARKERS):
        return True
    return any(isinstance(k, str) and k.lower() in _CLOUDTRAIL_MARKERS_LOWER for k in raw)


def is_cloudtrail_envelope(raw: Mapping[str, Any]) -> bool:
    """An EventBridge event carrying a CloudTrail record in ``detail``: the detail types
    ``AWS API Call via CloudTrail``, ``AWS Console Sign In via CloudTrail``, ``AWS Service
    Event via CloudTrail`` and the like (what an EventBridge rule sends to SQS, Firehose or an
    archive)."""
    kind = raw.get("detail-type")
    return type(kind) is str and kind.endswith(_VIA_CLOUDTRAIL) and "detail" in raw


def unwrap_envelope(raw: Any) -> Any:
    """The CloudTrail record an EventBridge event carries (``is_cloudtrail_envelope``), or
    ``raw`` itself (also when the detail is no record: ``normalize_any`` says so, naming the
    event). Readers call this before their prefilter, so that every record is looked at as a
    trail's own would be."""
    if type(raw) is dict and "detail-type" in raw and is_cloudtrail_envelope(raw):
        detail = raw["detail"]
        if type(detail) is dict and is_cloudtrail_record(detail):
            return detail
    return raw


def normalize_any(
    raw: object,
    origin: str = "",
    *,
    size: int | None = None,
    max_bytes: int = MAX_RECORD_BYTES,
) -> CloudEvent:
    """A CloudTrail record or a Falco alert, told apart by shape, -> CloudEvent.

    Raises RecordError (NotCloudTrailError for other Falco sources) for anything else.
    """
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise RecordError(f"record is {_kind(raw)}, not an object", origin=origin)
    if "eventName" in raw and "output_fields" not in raw:  # the common case, decided cheaply
        return normalize_record(raw, origin, size=size, max_bytes=max_bytes)
    if is_cloudtrail_envelope(raw):
        detail = raw["detail"]
        if not isinstance(detail, Mapping) or not is_cloudtrail_record(detail):
            what = "not a CloudTrail record" if isinstance(detail, Mapping) else _kind(detail)
            raise RecordError(
                f"an EventBridge {_show(raw['detail-type'])} event whose detail is {what}",
                origin=origin,
            )
        return normalize_record(detail, origin, size=size, max_bytes=max_bytes)
    if is_falco_alert(raw):
        return normalize_falco_alert(raw, origin, size=size, max_bytes=max_bytes)
    if is_cloudtrail_record(raw):
        return normalize_record(raw, origin, size=size, max_bytes=max_bytes)
    if "Records" in raw:
        raise RecordError(
            'a CloudTrail log file ({"Records": [...]}) nested where one record was expected',
            origin=origin,
        )
    keys = ", ".join(sorted(str(k) for k in list(raw)[:8])) or "none"
    raise RecordError(
        "neither a CloudTrail record (no eventName/eventSource/eventID/eventTime) nor a Falco "
        f"alert (no output_fields); keys: {_show(keys, 120)}",
        origin=origin,
    )
