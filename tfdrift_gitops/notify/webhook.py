"""Generic webhook: the drift record JSON, signed with HMAC-SHA256.

Header ``X-Tfdrift-Signature: t=<unix seconds>,v1=<hex>`` where ``v1`` is
``HMAC_SHA256(secret, f"{t}." + raw body)``. A receiver recomputes it over the raw bytes it
received, compares in constant time and rejects old timestamps (replays). See
docs/notifications.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.models import ActorKind, Drift, Severity
from tfdrift_gitops.notify.channel import OutgoingRequest, Secret, url_secrets

SIGNATURE_HEADER = "X-Tfdrift-Signature"
EVENT_HEADER = "X-Tfdrift-Event"
DELIVERY_HEADER = "X-Tfdrift-Delivery"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None
) -> bool:
    """What a receiver does (also used by our tests): parse, recompute, compare, check age."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        return False
    current = time.time() if now is None else now
    return abs(current - timestamp) <= tolerance


@dataclass(slots=True)
class WebhookChannel:
    url: Secret
    secret: Secret | None = None
    name: str = "webhook"
    min_severity: Severity = Severity.LOW
    actor_kinds: tuple[ActorKind, ...] = ()
    clock: Callable[[], float] = field(default=time.time)

    def secrets(self) -> tuple[str, ...]:
        out = list(url_secrets(self.url.reveal()))
        if self.secret:
            out.append(self.secret.reveal())
        return tuple(out)

    def build(self, drift: Drift, result: str) -> OutgoingRequest:
        body = json.dumps(drift_to_record(drift), ensure_ascii=False, sort_keys=True).encode(
            "utf-8",
            "backslashreplace",  # a lone surrogate becomes its JSON escape
        )
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: result,
            DELIVERY_HEADER: str(uuid.uuid4()),
        }
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret.reveal(), int(self.clock()), body)
        return OutgoingRequest(self.url, body, headers)
