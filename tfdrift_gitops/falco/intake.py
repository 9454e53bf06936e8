"""Falco alerts as they arrive (HTTP bodies, gRPC messages) -> CloudEvents, with a verdict.

An HTTP body may also hold EventBridge events carrying a CloudTrail record (an EventBridge API
destination pointed at the intake, ``"detail-type": "AWS API Call via CloudTrail"``): each is
read as its record, counted as an alert is.

Shared by both intakes so that both count the same way: ``accepted`` (a CloudTrail event for
the pipeline), ``ignored`` (an alert of another Falco source: syscall, k8s_audit, ...) and
``invalid`` (a CloudTrail alert we cannot use; the reason names the record).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tfdrift_gitops.core.normalize import (
    is_cloudtrail_envelope,
    normalize_any,
    normalize_falco_alert,
    normalize_falco_output_fields,
)
from tfdrift_gitops.errors import InputError, NotCloudTrailError, RecordError
from tfdrift_gitops.models import CloudEvent

MAX_BODY_BYTES = 1 << 20
"""Falco's http_output sends one alert per request; a CloudTrail alert is a few KiB."""


class BodyError(InputError):
    """The request body is not JSON, a JSON array, or JSON Lines."""


@dataclass(slots=True)
class Verdicts:
    events: list[CloudEvent] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


def _alerts(body: bytes, origin: str) -> Iterator[tuple[str, Any]]:
    """(origin of one alert, decoded alert) for a single object, an array, or JSON Lines."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(f"{origin}: body is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    stripped = text.strip()
    if not stripped:
        raise BodyError(f"{origin}: empty body")
    try:
        whole = json.loads(stripped)
    except ValueError as first_error:
        lines = [line for line in stripped.splitlines() if line.strip()]
        if len(lines) < 2:
            raise BodyError(f"{origin}: not valid JSON: {first_error}") from None
        decoded = []
        for number, line in enumerate(lines, start=1):
            try:
                decoded.append((f"{origin} line {number}", json.loads(line)))
            except ValueError as exc:
                raise BodyError(f"{origin} line {number}: not valid JSON: {exc}") from None
        yield from decoded
        return
    if isinstance(whole, list):
        for position, item in enumerate(whole):
            yield f"{origin}[{position}]", item
    elif isinstance(whole, dict):
        yield origin, whole
    else:
        raise BodyError(f"{origin}: expected a JSON object, array or JSON Lines, got {whole!r:.40}")


def parse_body(body: bytes, origin: str) -> Verdicts:
    """Decode and normalise every alert of one request body; raises BodyError if the body
    itself is malformed (nothing is accepted from it then)."""
    verdicts = Verdicts()
    alerts = list(_alerts(body, origin))
    for where, alert in alerts:
        try:
            if isinstance(alert, dict) and is_cloudtrail_envelope(alert):
                verdicts.events.append(normalize_any(alert, where))
                continue
            verdicts.events.append(normalize_falco_alert(alert, where))
        except NotCloudTrailError as exc:
            verdicts.ignored.append(str(exc))
        except RecordError as exc:
            verdicts.invalid.append(str(exc))
    return verdicts


def grpc_time(response: Any) -> datetime | None:
    """The ``time`` Timestamp of a gRPC response, None when unset."""
    if not response.HasField("time"):
        return None
    stamp = response.time
    return datetime.fromtimestamp(stamp.seconds, tz=UTC).replace(microsecond=stamp.nanos // 1000)


def grpc_event(response: Any, origin: str) -> CloudEvent:
    """One ``falco.outputs.response`` -> CloudEvent; NotCloudTrailError for other sources."""
    source = response.source
    if source and source != "aws_cloudtrail":
        raise NotCloudTrailError(
            f"Falco alert from source {source!r:.60} (rule {response.rule!r:.60})", origin=origin
        )
    fields = dict(response.output_fields)
    if not source and not any(key.startswith("ct.") for key in fields):
        raise NotCloudTrailError(
            f"Falco alert without CloudTrail fields (rule {response.rule!r:.60})", origin=origin
        )
    # The alert's own time is only a fallback for a missing ct.time (saves a datetime per alert).
    has_time = fields.get("ct.time", "<NA>") not in ("", "<NA>", "null")
    alert_time = None if has_time else grpc_time(response)
    return normalize_falco_output_fields(fields, time=alert_time, origin=origin)
