"""What each catalog row covers, as data: the model behind ``tfdrift-gitops catalog``,
``docs/coverage.md`` and the README's counts (never typed by hand).

Pure: whether ``remediate`` can act on a row depends on the remediation package's schema
table, so the caller passes that judgement in as ``importable``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tfdrift_gitops.core.catalog.model import Action, Rule

SCHEMA = "tfdrift-gitops/catalog/v1"
TAG_PATHS = frozenset({"tags"})


class Evidence(StrEnum):
    RECORDED = "recorded"
    """A published CloudTrail record of a successful call of this row is replayed by a test."""
    API_CHECKED = "modelled, checked against the API model"
    """Modelled from the API reference, and every key the row reads (its paths, its lookups in
    the calls its tests feed it and in a call built from the model), and every key of those fed
    calls, is a member of the call's shapes in botocore's AWS service model
    (tests/catalog/test_api_shapes.py)."""
    MODELLED = "modelled"
    """The row's request and response shapes come from the API reference only: no recorded
    call, and the API-model check has not passed it (a row evidence.json does not list yet)."""


EVIDENCE_STATES = {"recorded": Evidence.RECORDED, "api-model": Evidence.API_CHECKED}
"""evidence.json's ``evidence`` values (absent: recorded, the file's first format)."""


RowKey = tuple[str, str, str]
"""(event source, event name, discriminator): rows sharing a name differ by discriminator."""


class Kind(StrEnum):
    MODIFY = "modify"
    CREATE = "create"
    """A create call: a resource Terraform does not manage (an ``unmanaged`` drift)."""
    DELETE = "delete"
    TAG = "tag"
    """A modify that only touches tags."""


@dataclass(frozen=True, slots=True)
class RowSummary:
    source: str
    event: str
    discriminator: str
    """What tells two rows with one (source, event) apart (an API version), else empty."""
    service: str
    types: tuple[str, ...]
    kind: Kind
    attributes: tuple[str, ...]
    """Attribute paths the row models; empty means resource-level (or a delete)."""
    severity: str
    description: str
    importable: bool
    verified_by_terraform: bool
    evidence: Evidence = Evidence.MODELLED

    @property
    def resource_level(self) -> bool:
        return not self.attributes and self.kind is not Kind.DELETE

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "event": self.event,
            "discriminator": self.discriminator or None,
            "service": self.service,
            "types": list(self.types),
            "kind": self.kind.value,
            "attributes": list(self.attributes) if self.attributes else "resource-level",
            "severity": self.severity,
            "description": self.description,
            "importable": self.importable,
            "verified_by_terraform": self.verified_by_terraform,
            "evidence": self.evidence.value,
        }


Importable = Callable[[Rule], bool]


def service_of(source: str) -> str:
    """``ec2.amazonaws.com`` -> ``ec2``."""
    return source.split(".", 1)[0]


def attribute_paths(rule: Rule) -> tuple[str, ...]:
    return tuple(sorted({effect.path for target in rule.targets for effect in target.effects}))


def kind_of(rule: Rule, paths: Sequence[str]) -> Kind:
    if rule.action is Action.CREATE:
        return Kind.CREATE
    if rule.action is Action.DELETE:
        return Kind.DELETE
    if paths and all(path.split(".", 1)[0] in TAG_PATHS for path in paths):
        return Kind.TAG
    return Kind.MODIFY


def summarize(
    rules: Iterable[Rule],
    importable: Importable,
    verified: frozenset[RowKey] = frozenset(),
    recorded: frozenset[RowKey] = frozenset(),
    api_checked: frozenset[RowKey] = frozenset(),
) -> list[RowSummary]:
    """One summary per rule, ordered by service, then event name. A recorded row stays
    recorded whether or not it is also checked against the API model."""
    rows = []
    for rule in rules:
        paths = attribute_paths(rule)
        key = (rule.source, rule.event, rule.discriminator)
        rows.append(
            RowSummary(
                source=rule.source,
                event=rule.event,
                discriminator=rule.discriminator,
                service=service_of(rule.source),
                types=tuple(sorted({t.type for t in rule.targets})),
                kind=kind_of(rule, paths),
                attributes=paths,
                severity=rule.severity.value,
                description=rule.description,
                importable=importable(rule),
                verified_by_terraform=key in verified,
                evidence=_evidence(key, recorded, api_checked),
            )
        )
    return sorted(rows, key=lambda r: (r.service, r.event, r.discriminator))


def _evidence(key: RowKey, recorded: frozenset[RowKey], api_checked: frozenset[RowKey]) -> Evidence:
    if key in recorded:
        return Evidence.RECORDED
    return Evidence.API_CHECKED if key in api_checked else Evidence.MODELLED


def totals(rows: Sequence[RowSummary]) -> dict[str, Any]:
    """Counts for the README and the issue's done-when: the attribute-level share is over the
    rows where attributes matter (a delete is complete without any)."""
    attribute_level = sum(1 for r in rows if r.attributes)
    resource_level = sum(1 for r in rows if r.resource_level)
    considered = attribute_level + resource_level
    kinds = {kind.value: sum(1 for r in rows if r.kind is kind) for kind in Kind}
    return {
        "rows": len(rows),
        "event_names": len({r.event for r in rows}),
        "types": len({t for r in rows for t in r.types}),
        "services": len({r.service for r in rows}),
        "by_kind": kinds,
        "attribute_level": attribute_level,
        "resource_level": resource_level,
        "attribute_level_share": round(attribute_level / considered, 4) if considered else 0.0,
        "importable": sum(1 for r in rows if r.importable),
        "verified_by_terraform": sum(1 for r in rows if r.verified_by_terraform),
        "recorded": sum(1 for r in rows if r.evidence is Evidence.RECORDED),
        "api_checked": sum(1 for r in rows if r.evidence is Evidence.API_CHECKED),
        "modelled": sum(1 for r in rows if r.evidence is Evidence.MODELLED),
    }


def parse_verified(text: str) -> frozenset[RowKey]:
    """``[{"source", "event", "discriminator"}, ...]`` (written by
    scripts/regen_terraform_verified.py) as the keys of the rows an oracle case verifies.

    Keyed like the evidence file: rows that share (source, event) (ELB classic and ELBv2
    ``CreateLoadBalancer``) are verified one by one. An entry without a discriminator names
    the row that has none."""
    return _row_keys(text, "terraform_verified.json")


def parse_evidence(text: str) -> frozenset[RowKey]:
    """``[{"source", "event", "discriminator", "evidence", ...}, ...]`` (written by
    scripts/regen_evidence.py) as the keys of the recorded rows: ``evidence`` is
    ``recorded`` (with the ``records`` that back the row; also when absent, the file's first
    format) or ``api-model`` (see :func:`parse_api_checked`)."""
    return _row_keys(text, "evidence.json", Evidence.RECORDED)


def parse_api_checked(text: str) -> frozenset[RowKey]:
    """The keys of the rows evidence.json says are checked against the API model."""
    return _row_keys(text, "evidence.json", Evidence.API_CHECKED)


def _row_keys(text: str, name: str, evidence: Evidence | None = None) -> frozenset[RowKey]:
    """The entries' row keys; with ``evidence``, only entries of that evidence state."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{name} is not JSON: {exc}") from exc
    if not isinstance(data, list):
        raise ValueError(f"{name} must hold a list of {{source, event, discriminator}}")
    keys = set()
    for position, entry in enumerate(data):
        if not isinstance(entry, Mapping):
            raise ValueError(f"{name} entry {position} is not an object")
        source, event = entry.get("source"), entry.get("event")
        discriminator = entry.get("discriminator") or ""
        if not isinstance(source, str) or not isinstance(event, str) or not source or not event:
            raise ValueError(f"{name} entry {position} needs string 'source' and 'event'")
        if not isinstance(discriminator, str):
            raise ValueError(f"{name} entry {position}: 'discriminator' is not a string")
        if evidence is not None:
            state = EVIDENCE_STATES.get(str(entry.get("evidence", "recorded")))
            if state is None:
                raise ValueError(
                    f"{name} entry {position}: 'evidence' must be one of "
                    f"{', '.join(EVIDENCE_STATES)}"
                )
            if state is not evidence:
                continue
        keys.add((source, event, discriminator))
    return frozenset(keys)
