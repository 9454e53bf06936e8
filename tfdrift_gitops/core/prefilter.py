"""Skipping records that cannot be drift before paying for their normalisation.

Real trails are mostly reads; a raw CloudTrail record that is failed, read-only, not a
management call or unknown to the catalog is skipped for the same reason the engine would give,
checked in the same order (errorCode, readOnly, eventType, catalog), and so is a call whose
catalog rule says which ids it needs when none of them is known. Anything unusual (odd casing,
Falco alerts, non-string fields) goes the full way so that bad input is still reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.catalog.model import Rule
from tfdrift_gitops.core.engine import MANAGEMENT_EVENT_TYPES, Skip
from tfdrift_gitops.core.names import strip_version_suffix
from tfdrift_gitops.core.normalize import infer_read_only
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.models import Actor, CloudEvent

Prefilter = Callable[[Mapping[str, Any]], str | None]

FAILED = Skip.FAILED.value
READ_ONLY = Skip.READ_ONLY.value
NOT_IN_CATALOG = Skip.NOT_IN_CATALOG.value
NOT_IN_STATE = Skip.NOT_IN_STATE.value


def _probe(name: str, source: str, raw: Mapping[str, Any]) -> CloudEvent | None:
    """Just enough of an event for a rule's ``known_ids`` extractor (request and response)."""
    request, response = raw.get("requestParameters"), raw.get("responseElements")
    if (request is not None and type(request) is not dict) or (
        response is not None and type(response) is not dict
    ):
        return None  # strings, lists...: the normaliser decides what they are
    # Positional (a probe per call naming ids): id, name, source, time, region, actor,
    # account_id, request, response.
    return CloudEvent("", name, source, _EPOCH, "", _NOBODY, "", request, response)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOBODY = Actor(name="")


def make_prefilter(catalog: Catalog, known: Callable[[str], bool] | None = None) -> Prefilter:
    """``known(value)`` answers whether an id is in state or names an open unmanaged drift;
    with it, calls whose rule declares ``known_ids`` and names only unknown ones are skipped
    as ``not_in_state``, the reason the engine would give."""
    # A name two rows share (ELB classic and v2) maps to None: which row applies needs the
    # normalised call, so such calls always go the full way.
    rules: dict[tuple[str, str], Rule | None] = {}
    for rule in catalog:
        key = (rule.event, rule.source)
        rules[key] = None if key in rules else rule

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
        key = (strip_version_suffix(name), source)
        if key not in rules:
            return NOT_IN_CATALOG
        rule = rules[key]
        if rule is not None and known is not None and rule.known_ids is not None:
            probe = _probe(name, source, raw)
            ids = rule.known_ids(probe) if probe is not None else MISSING
            if isinstance(ids, list) and ids and not any(known(str(i)) for i in ids):
                return NOT_IN_STATE
        return None

    return prefilter
