"""Value types shared by every part of tfdrift-gitops.

All are frozen dataclasses: the engine produces new values instead of mutating old ones, which
keeps folding, ledger retries and concurrent collectors simple to reason about.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

DRIFT_SCHEMA = "tfdrift-gitops/drift/v1"

JSONValue = Any  # a value decoded from JSON: None, bool, int, float, str, list, dict


class Via(enum.StrEnum):
    """How the actor reached the AWS API."""

    CONSOLE = "console"
    CLI = "cli"
    SDK = "sdk"
    TERRAFORM = "terraform"
    CLOUDFORMATION = "cloudformation"
    AWS_SERVICE = "aws-service"
    UNKNOWN = "unknown"


class ActorKind(enum.StrEnum):
    """Who is behind a call, as a reviewer asks it (see ``core.actor.classify_kind``)."""

    PERSON = "person"
    CI_CD = "ci-cd"
    AUTOMATION = "aws-service-or-automation"
    AI_AGENT = "ai-agent"
    UNKNOWN = "unknown"


class Kind(enum.StrEnum):
    MODIFIED = "modified"
    UNMANAGED = "unmanaged"
    DELETED = "deleted"


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def highest(cls, *values: Severity) -> Severity:
        return max(values, key=lambda s: s.rank)


_SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class Status(enum.StrEnum):
    OPEN = "open"
    ISSUE_OPENED = "issue_opened"
    PR_OPENED = "pr_opened"
    RESOLVED = "resolved"
    IGNORED = "ignored"

    @property
    def is_open(self) -> bool:
        return self not in (Status.RESOLVED, Status.IGNORED)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made the call, as CloudTrail's userIdentity (or Falco's ct.user* fields) tells it."""

    name: str
    arn: str = ""
    type: str = ""
    account_id: str = ""
    principal_id: str = ""
    session_name: str = ""
    source_ip: str = ""
    user_agent: str = ""
    via: Via = Via.UNKNOWN
    invoked_by: str = ""
    kind: ActorKind = ActorKind.UNKNOWN
    kind_evidence: str = ""
    """Why ``kind`` was chosen, in words ("OIDC session of repo acme/infra")."""

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "name": self.name,
            "arn": self.arn,
            "type": self.type,
            "account_id": self.account_id,
            "principal_id": self.principal_id,
            "session_name": self.session_name,
            "via": self.via.value,
            "source_ip": self.source_ip,
            "user_agent": self.user_agent,
            "invoked_by": self.invoked_by,
            "kind": self.kind.value,
            "kind_evidence": self.kind_evidence,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> Actor:
        via_raw = str(data.get("via") or "unknown")
        try:
            via = Via(via_raw)
        except ValueError:
            via = Via.UNKNOWN
        actor = cls(
            name=str(data.get("name") or ""),
            arn=str(data.get("arn") or ""),
            type=str(data.get("type") or ""),
            account_id=str(data.get("account_id") or ""),
            principal_id=str(data.get("principal_id") or ""),
            session_name=str(data.get("session_name") or ""),
            source_ip=str(data.get("source_ip") or ""),
            user_agent=str(data.get("user_agent") or ""),
            via=via,
            invoked_by=str(data.get("invoked_by") or ""),
        )
        try:
            kind = ActorKind(str(data.get("kind") or ""))
        except ValueError:
            # Records written before actor kinds existed: classify what they hold.
            from tfdrift_gitops.core.actor import with_kind

            return with_kind(actor)
        return replace(actor, kind=kind, kind_evidence=str(data.get("kind_evidence") or ""))


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with a Z suffix; microseconds only when present."""
    # Every event of a drift record is formatted, and a trail's calls share their seconds.
    # Only UTC values are kept: equal ones are the same instant, so the same text.
    known = _FORMATTED.get(value) if value.tzinfo is UTC else None
    if known is not None:
        return known
    utc = value.astimezone(UTC)
    if utc.microsecond:
        text = utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    else:
        text = utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    if value.tzinfo is UTC:
        if len(_FORMATTED) >= 4096:
            _FORMATTED.clear()
        _FORMATTED[value] = text
    return text


_FORMATTED: dict[datetime, str] = {}


def parse_time(value: str) -> datetime:
    """Inverse of format_time; accepts any ISO 8601 form Python understands."""
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@dataclass(frozen=True, slots=True, weakref_slot=True)
class CloudEvent:
    """One normalised CloudTrail management event.

    ``request`` and ``response`` are the decoded requestParameters / responseElements (``None``
    when CloudTrail sent null). ``origin`` says where the record was read (``file.json#12``,
    ``falco-grpc``), for error messages only. Weakly referable: the engine remembers what a
    call replays as without keeping the call alive.
    """

    id: str
    name: str
    source: str
    time: datetime
    region: str
    actor: Actor
    account_id: str = ""
    request: Mapping[str, JSONValue] | None = None
    response: Mapping[str, JSONValue] | None = None
    error_code: str = ""
    error_message: str = ""
    read_only: bool = False
    event_type: str = "AwsApiCall"
    origin: str = ""

    @property
    def base_name(self) -> str:
        """Event name without the API-version suffix (``UpdateFunctionConfiguration20150331v2``)."""
        from tfdrift_gitops.core.names import strip_version_suffix

        return strip_version_suffix(self.name)

    def summary(self) -> dict[str, JSONValue]:
        """The ``event`` object of the drift record."""
        return {
            "id": self.id,
            "name": self.name,
            "source": self.source,
            "time": format_time(self.time),
            "region": self.region,
        }

    def to_dict(self) -> dict[str, JSONValue]:
        """Everything, so that a stored event can be replayed against a newer state."""
        data = self.summary()
        data.update(
            {
                "account_id": self.account_id,
                "actor": self.actor.to_dict(),
                "request": self.request,
                "response": self.response,
                "error_code": self.error_code,
                "error_message": self.error_message,
                "read_only": self.read_only,
                "event_type": self.event_type,
            }
        )
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> CloudEvent:
        request = data.get("request")
        response = data.get("response")
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            source=str(data.get("source") or ""),
            time=parse_time(str(data["time"])),
            region=str(data.get("region") or ""),
            actor=Actor.from_dict(data.get("actor") or {}),
            account_id=str(data.get("account_id") or ""),
            request=request if isinstance(request, Mapping) else None,
            response=response if isinstance(response, Mapping) else None,
            error_code=str(data.get("error_code") or ""),
            error_message=str(data.get("error_message") or ""),
            read_only=bool(data.get("read_only", False)),
            event_type=str(data.get("event_type") or "AwsApiCall"),
        )


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """A resource as Terraform knows it (or, for unmanaged drift, as CloudTrail named it)."""

    address: str
    type: str
    id: str
    state: str = ""
    workspace: str = "default"

    @property
    def key(self) -> str:
        """Identity of the resource across events: one open drift per key."""
        if self.address:
            return f"{self.state}|{self.workspace}|{self.address}"
        return f"unmanaged|{self.type}|{self.id}"

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "address": self.address,
            "type": self.type,
            "id": self.id,
            "state": self.state,
            "workspace": self.workspace,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> ResourceRef:
        return cls(
            address=str(data.get("address") or ""),
            type=str(data.get("type") or ""),
            id=str(data.get("id") or ""),
            state=str(data.get("state") or ""),
            workspace=str(data.get("workspace") or "default"),
        )


@dataclass(frozen=True, slots=True)
class Change:
    """One attribute path that differs: ``before`` from state, ``after`` as observed."""

    path: str
    before: JSONValue
    after: JSONValue

    def to_dict(self) -> dict[str, JSONValue]:
        return {"path": self.path, "before": self.before, "after": self.after}

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> Change:
        return cls(path=str(data["path"]), before=data.get("before"), after=data.get("after"))


@dataclass(frozen=True, slots=True)
class Transition:
    """One lifecycle step of a drift, with who or what caused it and the evidence."""

    status: Status
    time: datetime
    by: str
    reason: str = ""
    evidence: Mapping[str, JSONValue] = field(default_factory=dict)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "status": self.status.value,
            "time": format_time(self.time),
            "by": self.by,
            "reason": self.reason,
            "evidence": dict(self.evidence),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> Transition:
        evidence = data.get("evidence")
        return cls(
            status=Status(str(data["status"])),
            time=parse_time(str(data["time"])),
            by=str(data.get("by") or ""),
            reason=str(data.get("reason") or ""),
            evidence=evidence if isinstance(evidence, Mapping) else {},
        )


DRIFT_ID = re.compile(r"d-[0-9a-f]{16}")
"""A drift's id as ``core.fold.drift_id`` makes it: it names ledger objects, the remediation
branch and GitHub markers, so a stored id of any other form is refused where it is read."""


@dataclass(frozen=True, slots=True)
class Drift:
    """One resource's divergence from Terraform state, from first event until resolved.

    ``event`` is the event that made the drift what it is now (the newest drift-making one);
    ``events`` holds every event folded in, oldest first by eventTime. ``changes`` is empty for
    resource-level drift (no attribute model for the call, or unmanaged/deleted resources).
    """

    id: str
    kind: Kind
    severity: Severity
    resource: ResourceRef
    changes: tuple[Change, ...]
    actor: Actor
    event: CloudEvent
    events: tuple[CloudEvent, ...]
    status: Status = Status.OPEN
    severity_reasons: tuple[str, ...] = ()
    history: tuple[Transition, ...] = ()
    issue_number: int | None = None
    pr_number: int | None = None
    state_serial: int | None = None
    detected_at: datetime | None = None
    unverifiable: tuple[str, ...] = ()
    """Ids of folded events whose change CloudTrail does not show (a password, hidden
    environment values): replaying events cannot prove such a drift undone."""
    replayed: tuple[CloudEvent, ...] = ()
    """Events on this resource that changed nothing where they sit in eventTime order (a call
    setting what state already says): never evidence, so not in ``events``, but replayed with
    them so that a late, older call is judged against everything that happened."""

    @property
    def event_ids(self) -> frozenset[str]:
        """Every event folded in, evidence or replayed only: a redelivery of either is a
        duplicate."""
        return frozenset(e.id for e in (*self.events, *self.replayed))

    @property
    def timeline(self) -> tuple[CloudEvent, ...]:
        """Evidence and replayed events together, oldest first: what replays run over."""
        if not self.replayed:
            return self.events
        return tuple(sorted((*self.events, *self.replayed), key=lambda e: (e.time, e.id)))


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A raw record a reader's prefilter recognised as not drift (read-only, failed, unknown
    call) and therefore never normalised; counted by ``reason`` like any other skip."""

    reason: str
    origin: str = ""
