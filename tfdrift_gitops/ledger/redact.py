"""Secrets never reach the ledger: a last scrub of the CloudTrail payloads before they are stored.

CloudTrail already hides most secrets (``<sensitiveDataRemoved>``, ``HIDDEN_DUE_TO_SECURITY_
REASONS``), and the ledger is never handed our own credentials, tokens or webhook URLs. This is
defence in depth for the request and response bodies we store verbatim: values under keys that
name a secret, and strings that are webhook URLs, are replaced before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "<redacted by tfdrift-gitops>"

# Normalised key (lower case, letters and digits only) endings that name a secret value.
_SECRET_KEY_ENDINGS = (
    "password",
    "passwd",
    "secretaccesskey",
    "sessiontoken",
    "secretstring",
    "secretbinary",
    "privatekey",
    "privatekeymaterial",
    "clientsecret",
    "authtoken",
    "accesstoken",
    "refreshtoken",
    "apikey",
    "webhookurl",
    "webhook",
)
_WEBHOOK_URL = re.compile(
    r"https?://(?:hooks\.slack\.com/(?:services|workflows|triggers)/"
    r"|(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/"
    r"|[^/\s]*\.webhook\.office\.com/)",
    re.IGNORECASE,
)
# Only the bodies taken from CloudTrail are scrubbed; our own fields are not secret.
_PAYLOAD_FIELDS = ("request", "response")


def _is_secret_key(key: str) -> bool:
    normal = re.sub(r"[^a-z0-9]", "", key.lower())
    return normal.endswith(_SECRET_KEY_ENDINGS)


# Records cap their payloads' depth (core.record); a deeper value is dropped here too, so that
# the scrubber never recurses without bound whatever it is handed.
_MAX_DEPTH = 100
TOO_DEEP = "<nested too deep; dropped by tfdrift-gitops>"


def scrub_value(value: Any, depth: int = 0) -> Any:
    if isinstance(value, Mapping | list) and depth >= _MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if _is_secret_key(str(k)) and v is not None else scrub_value(v, depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub_value(v, depth + 1) for v in value]
    if isinstance(value, str) and _WEBHOOK_URL.search(value):
        return REDACTED
    return value


def scrub_record(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of a drift record or event marker with its CloudTrail payloads scrubbed."""
    out = dict(record)
    for key in ("events", "replayed"):
        if isinstance(out.get(key), list):
            out[key] = [_scrub_event(e) for e in out[key]]
    if isinstance(out.get("event"), Mapping):
        out["event"] = _scrub_event(out["event"])
    return out


def _scrub_event(event: Any) -> Any:
    if not isinstance(event, Mapping):
        return event
    return {
        k: scrub_value(v) if k in _PAYLOAD_FIELDS and v is not None else v for k, v in event.items()
    }
