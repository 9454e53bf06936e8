"""One oracle estate per test module: apply, settle, change by hand, detect, plan, remediate.

A module gives a case table; :func:`build` applies every case's resources in one
``terraform apply`` against one moto server, settles them with a refresh-only apply, makes
every case's manual change with boto3, writes the CloudTrail record each call produces, then
asks both judges at once: our ``detect`` (the CLI, on the settled state and the records) and
Terraform (``plan -refresh-only``). Remediations (``remediate --strategy import`` in one copy of
the working directory, ``--strategy revert`` in another) are judged by one
``plan -refresh=false`` each against the refreshed state. Tests then only read the outcome.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import boto3
from click.testing import CliRunner

from tests.oracle.terraform import (
    ACCOUNT,
    PROVIDER_BLOCK,
    REGION,
    Terraform,
    attributes,
    copy_workdir,
    drift_by_address,
    provider_env,
    serving_provider,
)
from tfdrift_gitops.cli import cli
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.normalize import normalize_record

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "cloudtrail" / "real"
KINDS = ("modified", "unmanaged", "deleted", "noop")


@dataclass(frozen=True)
class Call:
    """What one boto3 call sent and got back, in CloudTrail's shapes."""

    request: Mapping[str, Any] | None
    response: Mapping[str, Any] | None = None
    event: str | None = None
    """The event name as CloudTrail spells it when it differs from the row's (API suffixes)."""


@dataclass
class World:
    """What a case's manual change may use: clients on the moto server, the settled state."""

    endpoint: str
    state: Mapping[str, Any]
    notes: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        # Any: boto3-stubs types clients per literal service name only.
        make: Any = boto3.client
        return make(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def attrs(self, address: str) -> dict[str, Any]:
        return attributes(self.state, address)

    def id(self, address: str) -> str:
        return str(self.attrs(address)["id"])


@dataclass(frozen=True)
class Case:
    """One catalog row checked against Terraform.

    ``hcl`` declares the resources the case owns (names unique across the module); ``act``
    makes the manual change and returns the call in CloudTrail's shape; ``fixture`` is the real
    record (under tests/fixtures/cloudtrail/real) whose envelope the written record reuses.
    ``address`` is the resource both judges must name (for ``unmanaged``: the type only,
    e.g. ``aws_s3_bucket``).
    """

    id: str
    event: str
    source: str
    fixture: str
    hcl: str
    address: str
    act: Callable[[World], Call]
    kind: str = "modified"
    strategies: tuple[str, ...] = ("import", "revert")
    """Remediations judged by Terraform (``modified``: import and revert; ``unmanaged``
    and ``deleted``: import)."""
    files: Mapping[str, bytes] = field(default_factory=dict)
    """Files the configuration reads (a Lambda zip), written next to main.tf."""
    known: Mapping[str, str] = field(default_factory=dict)
    """Check name -> a known disagreement (documented in docs/oracle.md): the check is a
    strict xfail, so it fails the day the disagreement is fixed and the entry must go."""
    prepare: Callable[[World], None] | None = None
    """Made by boto3 before the apply (no record written): what the configuration reads or
    imports because the provider cannot make it on moto (a private hosted zone: moto makes a
    zone private only when CreateHostedZone says so, which the provider's create does not)."""
    discriminator: str = ""
    """The row's discriminator when catalog rows share this (source, event) (ELB classic and
    ELBv2 ``AddTags``): the coverage record names that row only. :func:`build` checks that
    the record the case writes is that row's."""

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind
        assert (REAL / self.fixture).is_file(), self.fixture

    @property
    def rtype(self) -> str:
        return self.address.split(".", 1)[0]


class CaseRow(Protocol):
    """A module's row maker: a case in the order its table reads (what happens, then what it
    lands on), the record's envelope chosen by the module."""

    def __call__(
        self,
        id_: str,
        event: str,
        source: str,
        act: Callable[[World], Call],
        address: str,
        hcl: str,
        **kw: Any,
    ) -> Case: ...


def case_rows(fixture_for: Callable[[str, str], str]) -> CaseRow:
    """The row maker of a module whose envelope follows from (event, source)."""

    def row(
        id_: str,
        event: str,
        source: str,
        act: Callable[[World], Call],
        address: str,
        hcl: str,
        **kw: Any,
    ) -> Case:
        return Case(
            id=id_,
            event=event,
            source=source,
            fixture=fixture_for(event, source),
            hcl=hcl,
            address=address,
            act=act,
            **kw,
        )

    return row


@dataclass
class Remedy:
    workdir: Path
    results: dict[str, dict[str, Any]]
    """Case id -> ``remediate --format json`` document."""
    plan: dict[str, Any]


@dataclass
class Outcome:
    cases: dict[str, Case]
    terraform: dict[str, dict[str, Any]]
    """``resource_drift`` changes by address (refresh-only plan)."""
    drifts: list[dict[str, Any]]
    """``detect --format json`` records."""
    before: dict[str, Any]
    """The settled state."""
    after: dict[str, Any]
    """The refreshed (drifted) state."""
    remedies: dict[str, Remedy]
    validated: list[str]
    workdir: Path
    """The applied working directory; its ``oracle.plan`` is the refresh-only plan."""

    def ours(self, case: Case) -> list[dict[str, Any]]:
        if case.kind == "unmanaged":
            return [
                d
                for d in self.drifts
                if d["kind"] == "unmanaged" and d["event"]["id"] == _event_id(case)
            ]
        return [d for d in self.drifts if d["resource"]["address"] == case.address]


def _event_id(case: Case) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"tfdrift-oracle/{case.id}"))


_ACCOUNT_IN_ARN = re.compile(r"(arn:aws[\w-]*:[\w-]+:[\w-]*:)\d{12}(:)")


def record_for(case: Case, call: Call, when: datetime) -> dict[str, Any]:
    """The record CloudTrail writes for ``call``: the real fixture's envelope (identity, agent,
    versions) with this case's event, ids, request and response."""
    doc = json.loads((REAL / case.fixture).read_text())
    record: dict[str, Any] = copy.deepcopy(doc["Records"][0])
    for key in ("errorCode", "errorMessage", "additionalEventData", "resources"):
        record.pop(key, None)
    record.update(
        eventID=_event_id(case),
        eventName=call.event or case.event,
        eventSource=case.source,
        eventTime=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        awsRegion=REGION,
        recipientAccountId=ACCOUNT,
        requestParameters=copy.deepcopy(call.request),
        responseElements=copy.deepcopy(call.response),
        readOnly=False,
    )
    identity = record.get("userIdentity") or {}
    if "accountId" in identity:
        identity["accountId"] = ACCOUNT
    if isinstance(identity.get("arn"), str):
        identity["arn"] = _ACCOUNT_IN_ARN.sub(rf"\g<1>{ACCOUNT}\g<2>", identity["arn"])
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    if "accountId" in issuer:
        issuer["accountId"] = ACCOUNT
    agent = str(record.get("userAgent", ""))
    if "terraform" in agent.lower() or not agent:
        record["userAgent"] = "console.amazonaws.com"
    return record


def _detect(state: Path, events: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        cli,
        ["detect", "--state", str(state), "--events", str(events), "--format", "json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _remediate(drift_file: Path, drift_id: str, workdir: Path, strategy: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli,
        [
            "remediate",
            drift_id,
            "--record",
            str(drift_file),
            "--workdir",
            str(workdir),
            "--repo-root",
            str(workdir),
            "--strategy",
            strategy,
            "--format",
            "json",
        ],
        catch_exceptions=False,
    )
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    document["exit_code"] = result.exit_code
    return document


def build(cases: Sequence[Case], root: Path, terraform: Terraform, endpoint: str) -> Outcome:
    """Run the whole module's estate; see the module docstring."""
    ids = [c.id for c in cases]
    assert len(set(ids)) == len(ids), "case ids must be unique"
    terraform = terraform.against(endpoint)
    work = root / "apply"
    work.mkdir(parents=True)
    body = "\n".join(c.hcl.strip() + "\n" for c in cases if c.hcl.strip())
    (work / "main.tf").write_text(PROVIDER_BLOCK + "\n" + body)
    # For a replay by hand (docs/oracle.md): `. provider.env` configures the provider.
    (root / "provider.env").write_text(
        "".join(f"export {k}={v}\n" for k, v in sorted(provider_env(endpoint).items()))
    )
    extra = {name: data for c in cases for name, data in c.files.items()}
    for name, data in extra.items():
        (work / name).write_bytes(data)
    terraform.run(work, "fmt", "main.tf")
    terraform.init(work)
    world = World(endpoint=endpoint, state={})
    for case in cases:
        if case.prepare is not None:
            case.prepare(world)
    with ExitStack() as providers:
        # One provider process for the commands run here, one for each copy planned after:
        # each command would otherwise start its own.
        served = providers.enter_context(serving_provider(terraform, work))
        return _judged(cases, root, work, tuple(extra), world, served, providers)


def _judged(
    cases: Sequence[Case],
    root: Path,
    work: Path,
    extra: tuple[str, ...],
    world: World,
    terraform: Terraform,
    providers: ExitStack,
) -> Outcome:
    terraform.apply(work)
    before = terraform.settle(work)
    settled = root / "settled.tfstate"
    shutil.copy2(work / "terraform.tfstate", settled)

    world.state = before
    start = datetime.now(UTC).replace(microsecond=0)
    records = [
        record_for(case, case.act(world), start + timedelta(seconds=n))
        for n, case in enumerate(cases)
    ]
    catalog = Catalog.default()
    for case, record in zip(cases, records, strict=True):
        _check_row(catalog, case, record)
    events = root / "events.json"
    events.write_text(json.dumps({"Records": records}, indent=1))

    tf_drift = drift_by_address(terraform.plan_json(work, "-refresh-only"))
    after = terraform.adopt_refreshed(work)

    drifts = _detect(settled, events)
    drift_file = root / "drifts.jsonl"
    drift_file.write_text("".join(json.dumps(d) + "\n" for d in drifts))
    by_case = {c.id: _case_drift(c, drifts) for c in cases}

    copies: dict[str, tuple[Path, dict[str, dict[str, Any]]]] = {}
    for strategy in ("import", "revert"):
        chosen = [
            c
            for c in cases
            if strategy in c.strategies and c.kind != "noop" and by_case[c.id] is not None
        ]
        if not chosen and strategy == "import":
            continue
        # The revert copy always runs: its plan is Terraform's own view of which resources a
        # normal plan would change (the noise check in checks.py reads it).
        target = copy_workdir(work, root / strategy, extra)
        results: dict[str, dict[str, Any]] = {}
        for case in chosen:
            drift = by_case[case.id]
            assert drift is not None
            results[case.id] = _remediate(drift_file, drift["id"], target, strategy)
        copies[strategy] = (target, results)
    # Both copies are planned at once (separate directories, terraform processes and
    # providers): moto's answers to one overlap the other's work. ``plan`` validates the
    # configuration first (the same checks as ``terraform validate``), so a written file that
    # does not validate fails here.
    lanes = {
        strategy: providers.enter_context(serving_provider(terraform, target))
        for strategy, (target, _) in copies.items()
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        plans = {
            strategy: pool.submit(lanes[strategy].plan_json, target, "-refresh=false")
            for strategy, (target, _) in copies.items()
        }
        remedies = {
            strategy: Remedy(target, results, plans[strategy].result())
            for strategy, (target, results) in copies.items()
        }
    validated = sorted(p.name for remedy in remedies.values() for p in remedy.workdir.glob("*.tf"))
    return Outcome(
        cases={c.id: c for c in cases},
        terraform=tf_drift,
        drifts=drifts,
        before=before,
        after=after,
        remedies=remedies,
        validated=validated,
        workdir=work,
    )


def _check_row(catalog: Catalog, case: Case, record: dict[str, Any]) -> None:
    """Where rows share the case's (source, event), the record must land on the row the case
    names: the coverage record (scripts/regen_terraform_verified.py) trusts that name."""
    if not catalog.shared(case.event, case.source):
        return
    rule = catalog.rule_for(normalize_record(record, case.id))
    found = None if rule is None else (rule.event, rule.discriminator)
    assert found == (case.event, case.discriminator), (
        f"{case.id}: the record lands on {found}, the case names {case.discriminator!r}: rows "
        f"share {case.event}, so the case says which it exercises (Case(discriminator=...))"
    )


def _case_drift(case: Case, drifts: list[dict[str, Any]]) -> dict[str, Any] | None:
    for drift in drifts:
        if case.kind == "unmanaged":
            if drift["kind"] == "unmanaged" and drift["event"]["id"] == _event_id(case):
                return drift
        elif drift["resource"]["address"] == case.address:
            return drift
    return None
