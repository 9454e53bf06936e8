"""A small, deterministic world for ledger tests: our own catalog rows, a state of N things,
CloudEvents built directly, and helpers that fold them through a real Engine.

Shared by the pytest modules and by ``ledger_worker.py`` (run as separate processes).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.catalog.model import (
    Action,
    AddItems,
    RemoveItems,
    Rule,
    Set,
    Target,
    req,
    resp,
)
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.fold import Folded
from tfdrift_gitops.core.policy import Policy
from tfdrift_gitops.core.state import StateIndex, parse_state
from tfdrift_gitops.ledger import StoredLedger
from tfdrift_gitops.ledger.base import Blob, Storage
from tfdrift_gitops.models import Actor, CloudEvent, Drift, Severity, Status, Via

ACCOUNT = "111122223333"
SOURCE = "thing.amazonaws.com"
THING = "aws_thing"
STATE = "s3://tf-state/prod/terraform.tfstate"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TERRAFORM_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io)"
HUMAN_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alan@acme.example"
CI_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/ci-deploy/github-actions"


def _high_when_world_open(event: CloudEvent, observed: Mapping[str, Any]) -> Any:
    if "0.0.0.0/0" in (observed.get("cidrs") or []):
        return Severity.HIGH, "open to the world"
    return None


def _thing(*effects: Any, lookup_from: Any = None) -> Target:
    return Target(THING, "id", lookup_from or req("thingId"), tuple(effects))


CATALOG = Catalog(
    [
        Rule(
            "AddCidr",
            SOURCE,
            Action.MODIFY,
            (_thing(AddItems("cidrs", req("cidr"))),),
            severity=Severity.MEDIUM,
            severity_checks=(_high_when_world_open,),
        ),
        Rule("RemoveCidr", SOURCE, Action.MODIFY, (_thing(RemoveItems("cidrs", req("cidr"))),)),
        Rule("SetDescription", SOURCE, Action.MODIFY, (_thing(Set("description", req("text"))),)),
        Rule(
            "CreateThing",
            SOURCE,
            Action.CREATE,
            (_thing(Set("name", req("name")), lookup_from=resp("thingId")),),
            severity=Severity.LOW,
        ),
        Rule(
            "DeleteThing",
            SOURCE,
            Action.DELETE,
            (_thing(),),
            severity=Severity.HIGH,
        ),
    ]
)


def thing_id(index: int) -> str:
    return f"t-{index:04d}"


def address(index: int) -> str:
    return f"module.fleet.aws_thing.member[{index}]"


def state_doc(
    resources: int = 20,
    *,
    serial: int = 1,
    cidrs: Mapping[int, list[str]] | None = None,
    extra_ids: Iterable[str] = (),
) -> dict[str, Any]:
    """``resources`` things (``t-0000``...) with cidrs ["10.0.0.0/8"] unless overridden."""
    instances = [
        {
            "index_key": i,
            "attributes": {
                "id": thing_id(i),
                "arn": f"arn:aws:thing:eu-west-1:{ACCOUNT}:thing/{thing_id(i)}",
                "cidrs": list((cidrs or {}).get(i, ["10.0.0.0/8"])),
                "description": "managed by terraform",
            },
        }
        for i in range(resources)
    ]
    resources_doc: list[dict[str, Any]] = [
        {
            "module": "module.fleet",
            "mode": "managed",
            "type": THING,
            "name": "member",
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": instances,
        }
    ]
    for extra in extra_ids:
        resources_doc.append(
            {
                "mode": "managed",
                "type": THING,
                "name": extra.replace("-", "_"),
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [{"attributes": {"id": extra, "name": extra}}],
            }
        )
    return {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": serial,
        "lineage": "lineage-1",
        "outputs": {},
        "resources": resources_doc,
    }


def make_engine(resources: int = 20, *, source: str = STATE, **kwargs: Any) -> Engine:
    index = StateIndex([parse_state(state_doc(resources, **kwargs), source=source)])
    return Engine(index, CATALOG, Policy())


def event(
    name: str,
    request: Mapping[str, Any],
    *,
    seconds: int = 0,
    eid: str | None = None,
    terraform: bool = False,
    response: Mapping[str, Any] | None = None,
    arn: str = HUMAN_ARN,
) -> CloudEvent:
    actor = Actor(
        name=(CI_ARN if terraform else arn).rsplit("/", 1)[-1],
        arn=CI_ARN if terraform else arn,
        type="AssumedRole",
        account_id=ACCOUNT,
        source_ip="203.0.113.42",
        user_agent=TERRAFORM_UA if terraform else "console.amazonaws.com",
        via=Via.TERRAFORM if terraform else Via.CONSOLE,
    )
    return CloudEvent(
        id=eid or f"{name}-{seconds}",
        name=name,
        source=SOURCE,
        time=T0 + timedelta(seconds=seconds),
        region="eu-west-1",
        actor=actor,
        account_id=ACCOUNT,
        request=dict(request),
        response=dict(response) if response is not None else None,
    )


def add(
    index: int, cidr: str, *, seconds: int = 0, eid: str | None = None, **kw: Any
) -> CloudEvent:
    return event(
        "AddCidr", {"thingId": thing_id(index), "cidr": cidr}, seconds=seconds, eid=eid, **kw
    )


def remove(
    index: int, cidr: str | list[str], *, seconds: int = 0, eid: str | None = None, **kw: Any
) -> CloudEvent:
    return event(
        "RemoveCidr", {"thingId": thing_id(index), "cidr": cidr}, seconds=seconds, eid=eid, **kw
    )


def record(
    ledger: StoredLedger, engine: Engine, ev: CloudEvent, *, now: datetime = NOW
) -> list[Folded]:
    """What ``detect --ledger`` does for one event: evaluate, then record every finding."""
    evaluation = engine.evaluate(ev)
    assert evaluation.findings, f"{ev.id} lands on nothing: {evaluation.skipped}"
    return [ledger.record(engine, finding, now=now) for finding in evaluation.findings]


def record_one(ledger: StoredLedger, engine: Engine, ev: CloudEvent) -> Folded:
    [folded] = record(ledger, engine, ev)
    return folded


# --------------------------------------------------------------------------- load scenarios


def cidr_for(k: int) -> str:
    return f"10.{(k >> 16) & 255}.{(k >> 8) & 255}.{k & 255}/32"


def load_event(k: int, resources: int) -> CloudEvent:
    """Event number ``k`` of a concurrency run: a hand-made rule on thing ``k % resources``.

    Times are spread and not monotonic in ``k``, so every writer delivers out of order."""
    seconds = (k * 7919) % 100_000
    return add(k % resources, cidr_for(k), seconds=seconds, eid=f"ev-{k:07d}")


def lifecycle_events(r: int) -> list[CloudEvent]:
    """Two hand-made changes, Terraform reverting both (the drift is archived), a third change
    (a new drift). Afterwards: one archived drift of three events, one open drift of one."""
    base = r * 10
    return [
        add(r, "1.0.0.1/32", seconds=base + 1, eid=f"a-{r:04d}"),
        add(r, "1.0.0.2/32", seconds=base + 2, eid=f"b-{r:04d}"),
        event(
            "RemoveCidr",
            {"thingId": thing_id(r), "cidr": ["1.0.0.1/32", "1.0.0.2/32"]},
            seconds=base + 3,
            eid=f"rv-{r:04d}",
            terraform=True,
        ),
        add(r, "1.0.0.3/32", seconds=base + 4, eid=f"c-{r:04d}"),
    ]


def all_event_ids(drifts: Iterable[Drift]) -> Counter[str]:
    return Counter(e.id for d in drifts for e in d.events)


# --------------------------------------------------------------------------- storage wrappers


@dataclass
class CountingStorage:
    """Counts calls per operation on a real storage (how many requests an operation costs)."""

    inner: Storage
    calls: Counter[str] = field(default_factory=Counter)

    @property
    def location(self) -> str:
        return self.inner.location

    def url_for(self, key: str) -> str:
        return self.inner.url_for(key)

    def get(self, key: str) -> Blob | None:
        self.calls["get"] += 1
        return self.inner.get(key)

    def put_if_absent(self, key: str, data: bytes) -> str | None:
        self.calls["put"] += 1
        return self.inner.put_if_absent(key, data)

    def put_if_match(self, key: str, data: bytes, etag: str) -> str | None:
        self.calls["put"] += 1
        return self.inner.put_if_match(key, data, etag)

    def delete_if_match(self, key: str, etag: str) -> bool:
        self.calls["delete"] += 1
        return self.inner.delete_if_match(key, etag)

    def list_keys(self, prefix: str) -> Iterator[str]:
        self.calls["list"] += 1
        return self.inner.list_keys(prefix)


def stored_objects(storage: Storage) -> dict[str, bytes]:
    """Every object under the ledger root, by key."""
    out = {}
    for key in storage.list_keys(""):
        blob = storage.get(key)
        assert blob is not None, key
        out[key] = blob.data
    return out


def stored_json(storage: Storage) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in stored_objects(storage).items()}


# --------------------------------------------------------------------------- CLI golden files

MALLORY_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/mallory\x1b[2J\r"


def build_demo_ledger(ledger: StoredLedger) -> dict[str, str]:
    """A ledger with one drift of each kind and status, all at fixed times. Returns ids."""
    engine = make_engine()
    ids: dict[str, str] = {}

    def fold(name: str, ev: CloudEvent) -> None:
        folded = record_one(ledger, engine, ev)
        if folded.drift is not None:
            ids.setdefault(name, folded.drift.id)

    fold("escalated", add(1, "1.2.3.4/32", seconds=10))
    fold("escalated", add(1, "0.0.0.0/0", seconds=20))
    fold("issue", add(2, "5.6.7.8/32", seconds=30))
    ledger.set_github(
        ids["issue"], issue_number=12, status=Status.ISSUE_OPENED, by="reconcile", now=NOW
    )
    fold(
        "hostile",
        event(
            "SetDescription",
            {"thingId": thing_id(3), "text": "owned\x1b[31m red"},
            seconds=35,
            arn=MALLORY_ARN,
        ),
    )
    fold(
        "unmanaged",
        event("CreateThing", {"name": "rogue"}, seconds=40, response={"thingId": "t-rogue"}),
    )
    fold("deleted", event("DeleteThing", {"thingId": thing_id(5)}, seconds=50))
    fold("reverted", add(4, "9.9.9.9/32", seconds=60))
    fold("reverted", remove(4, "9.9.9.9/32", seconds=70, terraform=True))
    fold("ignored", add(6, "7.7.7.7/32", seconds=80))
    ledger.transition(ids["ignored"], Status.IGNORED, by="bob", reason="accepted risk", now=NOW)
    ledger.ack(ids["escalated"], by="alice", reason="on it", now=NOW)
    return ids


def golden_commands(ids: Mapping[str, str]) -> dict[str, list[str]]:
    """Golden file name -> ``tfdrift-gitops ledger`` arguments (without --ledger)."""
    return {
        "list.txt": ["list"],
        "list_all.jsonl": ["list", "--status", "all", "--format", "json"],
        "list_closed.txt": ["list", "--status", "resolved", "--status", "ignored"],
        "show.txt": ["show", ids["escalated"]],
        "show_hostile.txt": ["show", ids["hostile"]],
    }
