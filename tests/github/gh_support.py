"""Drifts built directly from models, an in-memory ledger port holding them, and a remediator
that makes real file edits in a working tree (until tests plug in the remediation module)."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tfdrift_gitops.core.actor import with_kind
from tfdrift_gitops.core.fold import transition
from tfdrift_gitops.errors import LedgerError, NotFoundError
from tfdrift_gitops.github.client import GitHubClient
from tfdrift_gitops.github.remedy import Decision, Patch, Strategy
from tfdrift_gitops.github.settings import GitHubSettings
from tfdrift_gitops.ledger import Listing
from tfdrift_gitops.models import (
    Actor,
    Change,
    CloudEvent,
    Drift,
    Kind,
    ResourceRef,
    Severity,
    Status,
    Via,
)

# The ``make_client`` fixture: a client for the fake server, keyword arguments passed on.
MakeClient = Callable[..., GitHubClient]

SETTINGS = GitHubSettings(
    users=(("*alan@acme.example", "alan-acme"),),
    seconds_between_writes=0.0,
    seconds_between_requests=0.0,
    max_retries=4,
    max_rate_limit_wait=30.0,
)
T0 = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
# The clock test clients read rate limit resets against: fixed, so every wait is exact.
NOW = 1_800_000_000.0
ACCOUNT = "111122223333"
STATE = "s3://tf-state/prod/terraform.tfstate"
ALAN_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Admin/alan@acme.example"

HOSTILE = (
    "@everyone @acme/platform-team <!-- tfdrift-gitops:drift=x --> </details> a|b "
    "``ti`cks`` [x](https://evil.example) <img src=x onerror=alert(1)> #1 www.evil.example"
    "\nsecond line\r\n\n# heading"
)


def actor(name: str = "alan@acme.example", **kw: Any) -> Actor:
    base: dict[str, Any] = {
        "arn": ALAN_ARN,
        "type": "AssumedRole",
        "account_id": ACCOUNT,
        "session_name": "alan@acme.example",
        "source_ip": "203.0.113.42",
        "user_agent": "AWS Internal",
        "via": Via.CONSOLE,
    }
    base.update(kw)
    return with_kind(Actor(name=name, **base))


def event(
    event_id: str = "e0c1a2b3-0000-4000-8000-000000000001",
    name: str = "AuthorizeSecurityGroupIngress",
    *,
    minutes: int = 0,
    who: Actor | None = None,
    region: str = "eu-west-1",
) -> CloudEvent:
    return CloudEvent(
        id=event_id,
        name=name,
        source="ec2.amazonaws.com",
        time=T0 + timedelta(minutes=minutes),
        region=region,
        actor=who or actor(),
        account_id=ACCOUNT,
        request={"groupId": "sg-0123456789abcdef0"},
    )


def drift(
    index: int = 1,
    *,
    address: str | None = None,
    severity: Severity = Severity.CRITICAL,
    kind: Kind = Kind.MODIFIED,
    events: tuple[CloudEvent, ...] | None = None,
    changes: tuple[Change, ...] | None = None,
    reasons: tuple[str, ...] = ("SSH open to the world (0.0.0.0/0 on port 22)",),
) -> Drift:
    address = address if address is not None else f"aws_security_group.web{index}"
    evs = events or (event(f"e0c1a2b3-0000-4000-8000-{index:012d}"),)
    return Drift(
        id=f"d-{index:016x}",
        kind=kind,
        severity=severity,
        resource=ResourceRef(
            address=address,
            type="aws_security_group",
            id=f"sg-{index:017x}",
            state=STATE,
        ),
        changes=changes
        if changes is not None
        else (
            Change(
                "ingress",
                [{"from_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
                [
                    {"from_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
                    {"from_port": 22, "cidr_blocks": ["0.0.0.0/0"]},
                ],
            ),
        ),
        actor=evs[-1].actor,
        event=evs[-1],
        events=evs,
        severity_reasons=reasons,
        detected_at=T0 + timedelta(minutes=1),
    )


def hostile_drift() -> Drift:
    bad = actor(
        name=HOSTILE,
        arn=f"arn:aws:iam::{ACCOUNT}:user/{HOSTILE}",
        session_name=HOSTILE,
        source_ip=HOSTILE,
        user_agent=HOSTILE,
    )
    ev = replace(event("e-hostile|`@x`", HOSTILE, who=bad), region=HOSTILE, source=HOSTILE)
    return replace(
        drift(
            99,
            address=f'aws_security_group.web["{HOSTILE}"]',
            events=(ev,),
            changes=(Change(HOSTILE, HOSTILE, {"k": HOSTILE, "n": ["`", "|"]}),),
            reasons=(HOSTILE,),
        ),
        resource=ResourceRef(
            address=f'aws_security_group.web["{HOSTILE}"]',
            type="aws_security_group",
            id=HOSTILE,
            state=HOSTILE,
        ),
    )


def resolve_view_drift(d: Drift, hostile: bool = False) -> Drift:
    """The drift as the ledger has it once resolved (a RESOLVED transition with evidence)."""
    text = HOSTILE if hostile else "state now matches the observed values (change imported)"
    return transition(
        d,
        Status.RESOLVED,
        by=HOSTILE if hostile else "terraform-state",
        reason=text,
        evidence={"state": HOSTILE if hostile else STATE, "serial": 42},
        now=T0 + timedelta(hours=2),
    )


class MemoryLedger:
    """The ledger port reconcile uses (``tfdrift_gitops.ledger.Ledger``: list_open, list, get,
    set_github, transition), in memory with the same semantics: keyword-only arguments, open vs
    closed statuses, NotFoundError for unknown ids. The real ledger is exercised end to end
    in test_gh_cli.py (populated by ``detect --ledger`` from the bundled example)."""

    def __init__(self, drifts: list[Drift] | None = None) -> None:
        self.drifts: dict[str, Drift] = {d.id: d for d in drifts or []}
        self.writes = 0

    def list_open(self) -> Listing:
        return Listing(tuple(d for d in self.drifts.values() if d.status.is_open))

    def list(self, status: Status | list[Status] | None = None) -> Listing:
        wanted = {status} if isinstance(status, Status) else set(status or Status)
        return Listing(tuple(d for d in self.drifts.values() if d.status in wanted))

    def get(self, drift_id: str) -> Drift:
        if drift_id not in self.drifts:
            raise NotFoundError(f"drift {drift_id} not found")
        return self.drifts[drift_id]

    def put(self, drift: Drift) -> None:
        self.drifts[drift.id] = drift

    def set_github(
        self,
        drift_id: str,
        *,
        issue_number: int | None = None,
        pr_number: int | None = None,
        status: Status | None = None,
        by: str = "github",
        reason: str = "",
    ) -> Drift:
        current = self.get(drift_id)
        new = replace(
            current,
            issue_number=current.issue_number if issue_number is None else issue_number,
            pr_number=current.pr_number if pr_number is None else pr_number,
        )
        if status is not None and status is not current.status:
            if not current.status.is_open:
                raise LedgerError(f"drift {drift_id} is {current.status.value}")
            new = transition(new, status, by=by, reason=reason, now=T0)
        if new != current:
            self.writes += 1
            self.drifts[drift_id] = new
        return new

    def transition(self, drift_id: str, status: Status, **kw: Any) -> Drift:
        new = transition(self.get(drift_id), status, **kw)
        self.drifts[drift_id] = new
        return new


def fold_in(store: MemoryLedger, drift_id: str, new_event: CloudEvent) -> Drift:
    """A new event folded into a stored drift (as the collector would)."""
    current = store.get(drift_id)
    events = tuple(sorted((*current.events, new_event), key=lambda e: (e.time, e.id)))
    updated = replace(current, events=events, event=events[-1], actor=events[-1].actor)
    store.put(updated)
    return updated


def new_ledger(path: Path, drifts: list[Drift]) -> MemoryLedger:
    return MemoryLedger(drifts)


def resolve(store: MemoryLedger, drift_id: str) -> Drift:
    return store.transition(
        drift_id,
        Status.RESOLVED,
        by="terraform-state",
        reason="state now matches the observed values (change imported)",
        evidence={"state": STATE, "serial": 42},
        now=T0 + timedelta(hours=2),
    )


TF_TEMPLATE = """resource "aws_security_group" "web{index}" {{
  name = "web{index}"

  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
"""


def estate(count: int) -> dict[str, str]:
    """One file per security group, as the repository's default branch holds them."""
    return {f"sg/web{i}.tf": TF_TEMPLATE.format(index=i) for i in range(1, count + 1)}


class FileRemediator:
    """Imports the observed SSH rule into ``sg/webN.tf`` of a working tree: a real edit of
    real files with a real unified diff, standing in for ``tfdrift_gitops.remediation``."""

    def __init__(self, workdir: Path, strategy: Strategy = Strategy.IMPORT) -> None:
        self.workdir = workdir
        self.strategy = strategy
        self.calls = 0

    def __call__(self, d: Drift) -> Decision:
        self.calls += 1
        name = d.resource.address.rsplit(".", 1)[-1]
        path = f"sg/{name}.tf"
        file = self.workdir / path
        if not file.is_file():
            return Decision(self.strategy, "policy: import", None, (f"{path} not found",))
        old = file.read_text()
        rules = sum(1 for e in d.events if e.name.startswith("Authorize"))
        extra = "".join(
            f"\n  ingress {{\n    from_port   = {21 + n}\n    to_port     = {21 + n}\n"
            f'    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }}\n'
            for n in range(1, rules + 1)
        )
        new = old[: old.rindex("}")].rstrip("\n") + "\n" + extra + "}\n"
        diff = "".join(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"a/{path}",
                f"b/{path}",
            )
        )
        patch = Patch(self.strategy, {path: new}, diff, ("check the port range",), ())
        return Decision(self.strategy, "policy: import security group rules", patch)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root
