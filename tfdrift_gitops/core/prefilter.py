"""Skipping records that cannot be drift before paying for their normalisation.

Real trails are mostly reads; a raw CloudTrail record that is failed, read-only, not a
management call or unknown to the catalog is skipped for the same reason the engine would give,
checked in the same order (errorCode, readOnly, eventType, catalog). Anything unusual (odd
casing, Falco alerts, non-string fields) goes the full way so that bad input is still reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.engine import MANAGEMENT_EVENT_TYPES, Skip
from tfdrift_gitops.core.names import strip_version_suffix
from tfdrift_gitops.core.normalize import infer_read_only

Prefilter = Callable[[Mapping[str, Any]], str | None]

FAILED = Skip.FAILED.value
READ_ONLY = Skip.READ_ONLY.value


def make_prefilter(catalog: Catalog) -> Prefilter:
    known = frozenset((rule.event, rule.source) for rule in catalog)

    def prefilter(raw: Mapping[str, Any]) -> str | None:
        name, source = raw.get("eventName"), raw.get("eventSource")
        if type(name) is not str or type(source) is not str or not name:
            return None
        if type(raw.get("eventTime")) is not str or type(raw.get("eventID")) is not str:
            return None  # let the normaliser say what is wrong with it
        error = raw.get("errorCode")
        if error is not None:
            return FAILED if isinstance(error, str) and error else None
        read_only = raw.get("readOnly")
        if read_only is True or (read_only is None and infer_read_only(name)):
            return READ_ONLY
        if read_only is not False and read_only is not None:
            return None  # "true" strings and other forms: the normaliser decides
        event_type = raw.get("eventType")
        if event_type is not None:
            if not isinstance(event_type, str):
                return None
            if event_type and event_type not in MANAGEMENT_EVENT_TYPES:
                return Skip.NOT_MANAGEMENT.value
        if (strip_version_suffix(name), source) not in known:
            return Skip.NOT_IN_CATALOG.value
        return None

    return prefilter
