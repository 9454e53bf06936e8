"""``detect --jobs N`` on local files (each worker replays its own resources, see
tfdrift_gitops/adapters/shards.py) prints what one process prints: the same drift records
(all but the wall-clock fields, byte for byte), the same errors and counts on stderr, the
same exit code. On recorded CloudTrail, on bench/gen_data.py's streams, and on random
interleavings that spread one resource's calls and calls naming several resources over the
input. The library call says whether the workers' shares were independent: every stream
here must run sharded (the components of resource keys and event ids keep a call naming
several resources, and an event id reused on other content, in one worker), and its drifts
are compared with one process's too. Routing by a record's first key only (the old design)
makes the interleavings' shares cross: the check catches it, and merging anyway would be
wrong."""

from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.cli.golden import REPO, stable
from tests.cli.test_detect_jobs import EXAMPLE, STATE, TERRAFORM_UA, _mixed_records
from tests.collector.falco_alerts import SG_ID, cloudtrail_record, falco_alert
from tfdrift_gitops.adapters.events import iter_many
from tfdrift_gitops.adapters.shard_routing import (
    MAX_DEALT,
    Components,
    Router,
    _canonical,
    owner_of,
)
from tfdrift_gitops.adapters.shard_worker import Shard
from tfdrift_gitops.adapters.shards import _merge, _overlap, run_sharded
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.model import req, resp
from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.prefilter import make_prefilter
from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.render.text import json_text

CORPUS = REPO / "tests" / "fixtures" / "corpus"


def _gen_data() -> Any:
    spec = importlib.util.spec_from_file_location("gen_data", REPO / "bench" / "gen_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FELL_BACK = "detect --jobs: run again in one process"
LOGGED = "INFO tfdrift_gitops."


def _detect(state: Path, events: list[Path], jobs: int, cwd: Path) -> tuple[int, str, str]:
    """One CLI run. A run of several workers is made at -v (INFO): whether it stayed sharded
    is read there (``run_sharded`` says when it runs again in one process), and the INFO lines
    are left out of what is compared, one process's run at the default level printing none.
    That reading spares a library run per worker count to learn the same thing."""
    verbose = ["-v"] if jobs > 1 else []
    args = [sys.executable, "-m", "tfdrift_gitops", *verbose, "detect", "--state", str(state)]
    for spec in events:
        args += ["--events", str(spec)]
    done = subprocess.run(
        [*args, "--format", "json", "--jobs", str(jobs)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    err = done.stderr
    if jobs > 1:
        lines = err.splitlines(keepends=True)
        said = [line for line in lines if line.startswith(LOGGED)]
        assert said, err  # -v took effect, so a fallback would be said here
        assert not any(FELL_BACK in line for line in said), (jobs, said)
        err = "".join(line for line in lines if not line.startswith(LOGGED))
    return done.returncode, stable(done.stdout) if done.stdout else "", err


def _same_for_every_jobs(state: Path, events: list[Path], cwd: Path) -> tuple[int, str, str]:
    """One process's output, the same at 2 and 3 workers, each of which stayed sharded."""
    one = _detect(state, events, 1, cwd)
    for jobs in (2, 3):
        assert _detect(state, events, jobs, cwd) == one, jobs
    return one


def _sharded(state: Path, events: list[Path], jobs: int) -> tuple[bool, str, list[str]]:
    engine = Engine(StateSource([str(state)]).index())
    run = run_sharded(
        engine, [str(e) for e in events], jobs, render=lambda d: json_text(drift_to_record(d))
    )
    return run.sharded, run.why, run.rendered


def _write_gen_data(tmp: Path, mix: str, records: int, writes_only: bool) -> tuple[Path, Path]:
    gen = _gen_data()
    resources = 400
    state = tmp / "state.tfstate"
    state.write_text(json.dumps(gen.make_state(resources), indent=2))
    rng = random.Random(11)
    t0 = datetime(2026, 11, 20, tzinfo=UTC)
    events = tmp / f"{mix}.jsonl"
    with events.open("w") as handle:
        for n in range(records):
            record = gen.make_record(n, resources, rng, t0, mix)
            if writes_only and record["readOnly"] is not False:
                continue
            handle.write(json.dumps(record) + "\n")
    return state, events


@pytest.mark.parametrize(
    ("mix", "writes_only"),
    [
        pytest.param("realistic", False, id="realistic"),
        pytest.param("terraform-heavy", False, id="terraform-heavy"),
        pytest.param("terraform-heavy", True, id="write-calls"),
        pytest.param("drift-heavy", False, id="drift-heavy"),
    ],
)
def test_gen_data_streams(tmp_path: Path, mix: str, writes_only: bool) -> None:
    state, events = _write_gen_data(tmp_path, mix, 6_000, writes_only)
    # Sharded at 2 and 3 workers (read from their runs): the fast path is the one compared.
    code, out, err = _same_for_every_jobs(state, [events], tmp_path)
    assert out.count("\n") > 20, err  # drifts found, not an empty comparison
    assert code == 0


def test_recorded_corpus(tmp_path: Path) -> None:
    """Stratus Red Team's files (bare arrays: every worker reads each record and owns it by its
    key) and the same records again as JSON Lines (redeliveries), against a real state; then
    with panther-analysis's records, some of which share an event id with other content."""
    state = CORPUS / "states" / "aws-lab.tfstate"
    stratus = CORPUS / "stratus-red-team"
    records = [r for f in sorted(stratus.glob("*.json")) for r in json.loads(f.read_text())]
    lines = tmp_path / "stratus.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in records))
    _, _, err = _same_for_every_jobs(state, [stratus, lines], tmp_path)
    assert "records: 620 read" in err.splitlines()[-1], err
    assert "duplicate_event" in err.splitlines()[-1], err
    panther = json.loads((CORPUS / "panther-analysis" / "write-events.json").read_text())
    mixed = tmp_path / "mixed.jsonl"
    more = [entry["record"] for entries in panther.values() for entry in entries]
    mixed.write_text("".join(json.dumps(r) + "\n" for r in records + more))
    # One event id on two buckets' calls: one component, so one worker folds both (the
    # runs at 2 and 3 workers stayed sharded, and printed what one process prints).
    _same_for_every_jobs(state, [stratus, mixed], tmp_path)


def _record(template: dict[str, Any], n: int, name: str, **changes: Any) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(template))
    out["eventID"] = f"{name}-{n}"
    out["eventName"] = name
    out["eventTime"] = f"2026-11-20T{10 + n // 3600 % 10:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"
    out.pop("errorCode", None)
    out.update(changes)
    return out


def _crossing(count: int, seed: int) -> list[str]:
    """The example's mix (test_detect_jobs) with calls on a few resources spread over the
    whole input, CreateTags naming two of them at once (in either order), late deliveries
    and redeliveries of those."""
    rng = random.Random(seed)
    lines = _mixed_records(count, seed)
    template = next(
        r
        for r in json.loads(EXAMPLE.read_text())["Records"]
        if r["eventName"] == "AuthorizeSecurityGroupIngress"
    )
    group = template["requestParameters"]["groupId"]
    # Instances another worker of two owns than the group's (by their own key):
    # routed by one key alone, a call naming both would cross the shares.
    candidates = (f"i-0{n:016x}" for n in range(64))
    made = [i for i in candidates if owner_of(i, 2) != owner_of(group, 2)][:3]
    for n in range(count // 10):
        roll = rng.random()
        if roll < 0.3:
            ids = [rng.choice(made), group]
            rng.shuffle(ids)
            record = _record(
                template,
                n,
                "CreateTags",
                requestParameters={
                    "resourcesSet": {"items": [{"resourceId": i} for i in ids]},
                    "tagSet": {"items": [{"key": "owner", "value": f"v{n % 4}"}]},
                },
                responseElements={"_return": True},
            )
        elif roll < 0.5:
            record = _record(
                template,
                n,
                "RunInstances",
                requestParameters={"instanceType": "t3.micro", "minCount": 1, "maxCount": 1},
                responseElements={"instancesSet": {"items": [{"instanceId": made[n % 3]}]}},
            )
        elif roll < 0.8:
            record = _record(template, n, "AuthorizeSecurityGroupIngress")
            if rng.random() < 0.3:
                record["userAgent"] = TERRAFORM_UA
        else:
            record = _record(
                template,
                n,
                "ModifyInstanceAttribute",
                requestParameters={"instanceId": rng.choice(made), "instanceType": {"value": "m5"}},
                responseElements={"_return": True},
            )
        line = json.dumps(record)
        at = rng.randrange(len(lines) + 1)
        lines.insert(at, line)
        if rng.random() < 0.1:  # a redelivery, far from the first
            lines.insert(rng.randrange(len(lines) + 1), line)
    return lines


@pytest.mark.parametrize("seed", [pytest.param(s, id=f"seed-{s}") for s in (1, 2, 3)])
def test_random_interleavings(tmp_path: Path, seed: int) -> None:
    events = tmp_path / "crossing.jsonl"
    events.write_text("\n".join(_crossing(2_500, seed)) + "\n")
    # CreateTags folds on two resources that other calls reach on their own: both are in
    # one component, which one worker owns (the runs at 2 and 3 workers stayed sharded).
    code, out, err = _same_for_every_jobs(STATE, [events], tmp_path)
    assert code == 1 and out, err  # the mix has bad lines (exit 1) and drifts


def test_split_input_and_two_files(tmp_path: Path) -> None:
    """One resource's calls in two files and across many lines, as one process reads them."""
    lines = _mixed_records(3_000, seed=5)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("\n".join(lines[:1_300]) + "\n")
    second.write_text("\n".join(lines[1_300:]) + "\n")
    _same_for_every_jobs(STATE, [first, second], tmp_path)  # sharded at 2 and 3 workers


class _FirstKeyRouter(Router):
    """A cruder guess: a record's first resource id only (no event id, no other resource)."""

    def keys(self, raw: Mapping[str, Any]) -> list[str]:
        return ["", *super().keys(raw)[1:2]]

    def route(self, raw: Mapping[str, Any]) -> str | list[str]:
        found = super().route(raw)
        return found if isinstance(found, str) else ["", *found[1:2]]


def test_the_check_is_what_keeps_crossing_shares_right(tmp_path: Path) -> None:
    """Routed by their first resource key only, the workers' shares of a crossing input touch:
    the check says so, and merging them anyway gives another result than one process. So the
    components are what keeps these streams sharded, and the check is not vacuous."""
    events = tmp_path / "crossing.jsonl"
    events.write_text("\n".join(_crossing(2_500, 1)) + "\n")
    engine = Engine(StateSource([str(STATE)]).index())
    shares = []
    for me in (0, 1):
        shard = Shard(engine, [str(events)], me, 2)
        shard.router = _FirstKeyRouter(engine)
        shares.append(shard.run())
    assert _overlap(shares)
    merged = _merge(shares)
    detector = Detector(engine)
    detector.feed(
        iter_many([str(events)], prefilter=make_prefilter(engine.catalog, detector.knows))
    )
    one = [json_text(drift_to_record(d)) for d in detector.drifts]
    unchecked = [json_text(drift_to_record(d)) for d in merged.drifts]
    assert stable("\n".join(unchecked) + "\n") != stable("\n".join(one) + "\n") or (
        merged.tally.skipped != detector.tally.skipped
    )
    shares = [Shard(engine, [str(events)], me, 2).run() for me in (0, 1)]
    assert _overlap(shares) == ""
    merged = _merge(shares)
    checked = [json_text(drift_to_record(d)) for d in merged.drifts]
    assert stable("\n".join(checked) + "\n") == stable("\n".join(one) + "\n")
    assert merged.tally.skipped == detector.tally.skipped


@pytest.mark.parametrize("order", [pytest.param(o, id=f"order-{o}") for o in range(4)])
def test_components_root_is_the_least_key(order: int) -> None:
    """Every worker hashes the same root whatever order the keys were joined in."""
    rng = random.Random(order)
    pairs = [(f"k{a}", f"k{b}") for a, b in ((0, 5), (5, 9), (3, 4), (9, 2), (7, 7), (4, 8))]
    rng.shuffle(pairs)
    components = Components()
    for one, other in pairs:
        components.union(*(rng.sample((one, other), 2)))
    assert {k: components.find(k) for k in ("k9", "k2", "k5", "k8", "k3", "k7", "k1")} == {
        "k9": "k0",
        "k2": "k0",
        "k5": "k0",
        "k8": "k3",
        "k3": "k3",
        "k7": "k7",
        "k1": "k1",
    }


def test_create_tags_on_two_resources(tmp_path: Path) -> None:
    """One CreateTags naming an instance and a security group, each also changed by its own
    calls before and after (in either order, by hand and by Terraform): one component."""
    template = next(
        r
        for r in json.loads(EXAMPLE.read_text())["Records"]
        if r["eventName"] == "AuthorizeSecurityGroupIngress"
    )
    group = template["requestParameters"]["groupId"]
    records: list[dict[str, Any]] = []
    for n in range(40):
        instance = f"i-0{n:016x}"
        records.append(
            _record(
                template,
                4 * n,
                "RunInstances",
                requestParameters={"instanceType": "t3.micro", "minCount": 1, "maxCount": 1},
                responseElements={"instancesSet": {"items": [{"instanceId": instance}]}},
            )
        )
        ids = [instance, group][:: 1 if n % 2 else -1]
        records.append(
            _record(
                template,
                4 * n + 1,
                "CreateTags",
                requestParameters={
                    "resourcesSet": {"items": [{"resourceId": i} for i in ids]},
                    "tagSet": {"items": [{"key": "owner", "value": f"v{n}"}]},
                },
                responseElements={"_return": True},
            )
        )
        authorize = _record(template, 4 * n + 2, "AuthorizeSecurityGroupIngress")
        if n % 3 == 0:
            authorize["userAgent"] = TERRAFORM_UA
        records.append(authorize)
        records.append(
            _record(
                template,
                4 * n + 3,
                "ModifyInstanceAttribute",
                requestParameters={"instanceId": instance, "instanceType": {"value": "m5"}},
                responseElements={"_return": True},
            )
        )
    events = tmp_path / "tags.jsonl"
    events.write_text("".join(json.dumps(r) + "\n" for r in records))
    _, out, err = _same_for_every_jobs(STATE, [events], tmp_path)  # sharded at 2 and 3
    assert out.count("\n") >= 40, err
    # Past the dealt workers, every worker routes every line itself.
    sharded, why, rendered = _sharded(STATE, [events], MAX_DEALT + 1)
    assert sharded, why
    assert [stable(t + "\n") for t in rendered] == [line + "\n" for line in out.splitlines()]


def _instance_calls(template: dict[str, Any]) -> dict[str, Any]:
    """Builders of the calls on EC2 instances (by hand) the joins below are made of."""

    def run(n: int, instance: str) -> dict[str, Any]:
        return _record(
            template,
            n,
            "RunInstances",
            requestParameters={"instanceType": "t3.micro", "minCount": 1, "maxCount": 1},
            responseElements={"instancesSet": {"items": [{"instanceId": instance}]}},
        )

    def tags(n: int, *ids: str) -> dict[str, Any]:
        return _record(
            template,
            n,
            "CreateTags",
            requestParameters={
                "resourcesSet": {"items": [{"resourceId": i} for i in ids]},
                "tagSet": {"items": [{"key": "owner", "value": f"v{n % 3}"}]},
            },
            responseElements={"_return": True},
        )

    def modify(n: int, instance: str) -> dict[str, Any]:
        return _record(
            template,
            n,
            "ModifyInstanceAttribute",
            requestParameters={"instanceId": instance, "instanceType": {"value": "m5"}},
            responseElements={"_return": True},
        )

    return {"run": run, "tags": tags, "modify": modify}


def _joined_across_workers(case: str) -> list[str]:
    """JSON lines whose records join into components only through lines dealt to other
    workers (lines after the first go round the workers one by one): what the routing
    pass's first round (forest edges, event ids) must carry for the run to stay sharded."""
    template = next(
        r
        for r in json.loads(EXAMPLE.read_text())["Records"]
        if r["eventName"] == "AuthorizeSecurityGroupIngress"
    )
    calls = _instance_calls(template)
    run, tags, modify = calls["run"], calls["tags"], calls["modify"]
    instances = [f"i-0{n:016x}" for n in range(40)]
    records: list[Any] = [_record(template, 0, "AuthorizeSecurityGroupIngress")]
    if case == "long-chain":  # each link joins a new least key on top (hostile order)
        records += [run(n, i) for n, i in enumerate(instances, 1)]
        links = pairwise(instances)
        records += [tags(100 + n, a, b) for n, (a, b) in reversed(list(enumerate(links)))]
        records += [modify(200 + n, i) for n, i in enumerate(instances)]
    elif case == "keys-first-seen-on-two-workers":
        for n, instance in enumerate(instances):
            records += [run(4 * n + 1, instance)]
            records += [_record(template, 4 * n + 2, "AuthorizeSecurityGroupIngress")]
            records += [tags(4 * n + 3, instance, template["requestParameters"]["groupId"])]
            records += [modify(4 * n + 4, instance)]
    elif case == "one-event-id-on-two-calls":  # each pair dealt to two workers
        for n, instance in enumerate(instances):
            records += [run(3 * n + 1, instance)]
            shared = _record(template, 3 * n + 2, "AuthorizeSecurityGroupIngress")
            records += [shared, {**modify(3 * n + 3, instance), "eventID": shared["eventID"]}]
    elif case == "redelivery-on-two-workers":
        for n, instance in enumerate(instances):
            records += [run(3 * n + 1, instance), modify(3 * n + 2, instance)]
            records += [records[-1], _record(template, 3 * n + 3, "AuthorizeSecurityGroupIngress")]
    elif case == "links-in-records-lines":  # lines of several records, blank and bad lines
        records += [run(n, i) for n, i in enumerate(instances, 1)]
        for n, (a, b) in enumerate(pairwise(instances)):
            records += [{"Records": [tags(100 + n, b, a), modify(200 + n, a)]}]
            records += ["", '{"eventName": "CreateTags", "eventTime": '] if n % 7 == 0 else []
    else:
        raise AssertionError(case)
    return [r if type(r) is str else json.dumps(r) for r in records]


@pytest.mark.parametrize(
    "case",
    [
        "long-chain",
        "keys-first-seen-on-two-workers",
        "one-event-id-on-two-calls",
        "redelivery-on-two-workers",
        "links-in-records-lines",
    ],
)
def test_components_joined_across_workers(tmp_path: Path, case: str) -> None:
    """Every worker ends the routing pass with the same components, though each joined only
    the keys of the lines it was dealt: a join made on one worker (a forest edge, an event
    id two workers saw) reaches the others, and the run stays sharded with one process's
    result (had a join stayed on its worker, the check would say the shares touch)."""
    events = tmp_path / "joined.jsonl"
    events.write_text("\n".join(_joined_across_workers(case)) + "\n")
    engine = Engine(StateSource([str(STATE)]).index())
    detector = Detector(engine)
    detector.feed(
        iter_many([str(events)], prefilter=make_prefilter(engine.catalog, detector.knows))
    )
    one = [json_text(drift_to_record(d)) for d in detector.drifts]
    assert len(one) >= 2, case
    for jobs in (2, 3):
        run = run_sharded(
            engine, [str(events)], jobs, render=lambda d: json_text(drift_to_record(d))
        )
        assert (run.sharded, run.why) == (True, ""), jobs
        assert stable("\n".join(run.rendered) + "\n") == stable("\n".join(one) + "\n")
        assert run.tally.skipped == detector.tally.skipped
        assert run.tally.errors == detector.tally.errors


@pytest.mark.parametrize(
    ("failing", "jobs", "stage"),
    [
        pytest.param(0, 2, "_join", id="worker-0"),
        pytest.param(1, 2, "_join", id="worker-1"),
        pytest.param(1, 2, "_owner_of", id="worker-1-between-rounds"),
        pytest.param(0, 3, "_owner_of", id="worker-0-of-3-between-rounds"),
        pytest.param(2, 3, "_join", id="worker-2-of-3"),
    ],
)
def test_a_worker_failing_while_routing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int, jobs: int, stage: str
) -> None:
    """A worker that fails while routing, before sending what it joined or between that and
    sending its lines' owners: the others see its pipe end (no wait for ever), and the run is
    done again in one process."""
    events = tmp_path / "crossing.jsonl"
    events.write_text("\n".join(_crossing(600, 4)) + "\n")
    routed = getattr(Shard, stage)

    def fail(self: Shard, *args: Any) -> Any:
        if self.me == failing:
            raise RuntimeError("routing failed")
        return routed(self, *args)

    engine = Engine(StateSource([str(STATE)]).index())
    detector = Detector(engine)
    detector.feed(
        iter_many([str(events)], prefilter=make_prefilter(engine.catalog, detector.knows))
    )
    one = [json_text(drift_to_record(d)) for d in detector.drifts]
    monkeypatch.setattr(Shard, stage, fail)
    run = run_sharded(engine, [str(events)], jobs, render=lambda d: json_text(drift_to_record(d)))
    assert not run.sharded
    assert "a worker failed" in run.why and "routing failed" in run.why, run.why
    assert stable("\n".join(run.rendered) + "\n") == stable("\n".join(one) + "\n")


def _depth(parent: dict[str, str], key: str) -> int:
    depth = 0
    while key in parent:
        key, depth = parent[key], depth + 1
    return depth


def test_hostile_join_order_keeps_paths_short() -> None:
    """Keys joined so that each new least key goes on top of a chain (input can be made to
    do it) must not cost a walk of the whole chain per record: finding a root halves the
    path it walks, so a hot key named record after record is soon one step from its root."""
    components = Components()
    keys = [f"k{n:05d}" for n in range(2_000)]
    for lesser, greater in zip(reversed(keys[:-1]), reversed(keys[1:]), strict=True):
        components.union(greater, lesser)
    hot = keys[-1]
    assert _depth(components.parent, hot) == 1_999  # built as a chain: the worst order
    walked = []
    for _ in range(12):
        assert components.find(hot) == keys[0]
        walked.append(_depth(components.parent, hot))
    assert walked[0] <= 1_000 and walked[-1] <= 1, walked
    assert all(components.find(k) == keys[0] for k in keys)


def _instance_write(n: int, **request: Any) -> dict[str, Any]:
    """A plain ModifyInstanceAttribute call (event id ``e<n>``) with this request."""
    return {
        "eventID": f"e{n}",
        "eventName": "ModifyInstanceAttribute",
        "eventSource": "ec2.amazonaws.com",
        "eventTime": "t",
        "readOnly": False,
        "requestParameters": request,
    }


def test_router_shapes_are_remembered_exactly_and_boundedly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the router remembers of a document's shape never changes what it finds: a field
    spelt another way is another shape, and past the bound shapes are worked out afresh."""
    router = Router(Engine(StateSource([str(STATE)]).index()))
    call = _instance_write
    assert router.keys(call(1, instanceId="i-0AAA", sourceDestCheck={"value": True})) == [
        "e1",
        "i-0aaa",
    ]
    assert router.keys(call(2, InstanceID="i-0BBB")) == ["e2", "i-0bbb"]
    assert router.keys(call(3, instanceId="i-0CCC", sourceDestCheck={"value": True})) == [
        "e3",
        "i-0ccc",
    ]
    remembered = len(router.matching)
    assert remembered == 2
    monkeypatch.setattr("tfdrift_gitops.adapters.shard_routing.MEMO_SIZE", remembered)
    odd = [call(10 + n, instanceId=f"i-{n}", **{f"x{n}": "y"}) for n in range(50)]
    assert [router.keys(r)[1:] for r in odd] == [[f"i-{n}"] for n in range(50)]
    assert len(router.matching) == remembered


def test_route_remembers_write_shapes_exactly_and_boundedly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``Router.route``'s memo of plain writes (verdict and fields read, by name, source and
    request shape) never changes what it finds: a field spelt another way is another shape, a
    value that is an ARN or nested goes the general way, and past the bound shapes are worked
    out afresh."""
    router = Router(Engine(StateSource([str(STATE)]).index()))
    call = _instance_write
    assert router.route(call(1, instanceId="i-0AAA")) == ["e1", "i-0aaa"]
    assert router.route(call(2, InstanceID="i-0BBB")) == ["e2", "i-0bbb"]
    arn = "arn:aws:ec2:eu-west-1:123456789012:instance/i-0DDD"
    assert router.route(call(3, instanceId=arn)) == ["e3", "i-0ddd"]
    assert router.route(call(4, instanceId="i-0EEE", sourceDestCheck={"value": True})) == [
        "e4",
        "i-0eee",
    ]
    assert router.route(call(5, instanceId="i-0FFF", x="y")) == ["e5", "i-0fff"]
    remembered = len(router.shaped)
    assert remembered == 4
    monkeypatch.setattr("tfdrift_gitops.adapters.shard_routing.MEMO_SIZE", remembered)
    odd = [call(10 + n, instanceId=f"i-{n}", **{f"x{n}": "y"}) for n in range(50)]
    assert [router.route(r) for r in odd] == [router.keys(r) for r in odd]
    assert len(router.shaped) == remembered


def _fixture_records() -> list[dict[str, Any]]:
    """Every recorded CloudTrail record the suite holds (published ones and the corpus)."""
    found: list[dict[str, Any]] = []
    for path in sorted(
        [*(REPO / "tests/fixtures/cloudtrail/real").rglob("*.json"), *CORPUS.rglob("*.json")]
    ):
        try:
            data = json.loads(path.read_text())
        except ValueError:
            continue
        if isinstance(data, dict):
            data = data.get("Records", [data])
        found.extend(r for r in data if isinstance(r, dict) and "eventName" in r)
    return found


class _Anything(Mapping[str, Any]):
    """A document holding every path: an id at ``content``/``value`` (EC2's wrapped scalars),
    itself as the only item of ``items``, and itself under any other key. Set at one
    top-level key, it makes every extractor reading that key yield something: one that
    reads it without saying so loses that key."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __getitem__(self, key: str) -> Any:
        if key in ("content", "value"):
            return self.text
        return [self] if key == "items" else self

    def __contains__(self, key: object) -> bool:
        return True

    def __iter__(self) -> Any:
        return iter(("content",))

    def __len__(self) -> int:
        return 1


_SAYING_WHAT_THEY_READ = {
    "ec2": (
        "CreateTags",
        "DeleteTags",
        "ModifyInstanceMetadataOptions",
        "DeleteNatGateway",
        "ModifyVolume",
        "CreateLaunchTemplateVersion",
        "ModifyLaunchTemplate",
        "DeleteLaunchTemplate",
        "AttachVolume",
        "AssociateIamInstanceProfile",
        "AssociateRouteTable",
        "AttachInternetGateway",
        "DetachInternetGateway",
        "AssociateAddress",
        "ModifyVpcEndpoint",
        "DeleteVpcEndpoints",
        "DeleteFlowLogs",
    ),
    "iam": (
        "AttachRolePolicy",
        "DetachUserPolicy",
        "PutRolePolicy",
        "DeleteUserPolicy",
        "CreatePolicy",
    ),
    "eks": ("CreateNodegroup", "UpdateAddon", "DeleteAddon"),
    "elasticloadbalancing": (
        "CreateLoadBalancerPolicy",
        "DeleteLoadBalancerPolicy",
        "AddListenerCertificates",
        "RegisterTargets",
    ),
    "autoscaling": ("PutScalingPolicy", "DeleteScheduledAction", "CreateOrUpdateTags"),
    "lambda": ("AddPermission", "CreateFunctionUrlConfig"),
    "cloudtrail": ("AddTags",),
    "ssm": ("AddTagsToResource",),
    "route53": ("ChangeResourceRecordSets", "AssociateVPCWithHostedZone", "ChangeTagsForResource"),
    "events": ("PutRule", "PutTargets", "RemoveTargets", "PutPermission"),
    "ecs": ("CreateService", "UpdateService", "DeleteCluster"),
}
"""Calls whose id extractors all say what they read, by service (custom helpers'
declarations: ``wrapped``, ``prefixed_ids``, ``request_ids``, ids ``keys.joined``...)."""


def _reading_every_key(router: Router, recorded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each call the catalog knows, calls holding an id at the top-level keys its
    extractors say they read (all together, then each alone), as a bare id, a path, or a
    document holding every path (``_Anything``), which is also set, alone, at the keys
    recorded calls of that name hold and at EC2's ``<Call>Request``/``<Call>Response``
    wrappers (keys an extractor may read without saying so): most helpers' declarations
    are met by no recorded call."""
    held: dict[str, tuple[set[str], set[str]]] = {}
    for record in recorded:
        sides = held.setdefault(str(record.get("eventName")), (set(), set()))
        for side, field in enumerate(("requestParameters", "responseElements")):
            if isinstance(record.get(field), dict):
                sides[side].update(record[field])
    made: list[dict[str, Any]] = []
    for (name, source), plan in router.plans.items():
        wanted = [(0, k) for k in sorted(plan.request)] + [(1, k) for k in sorted(plan.response)]
        request, response = held.get(name, (set(), set()))
        elsewhere = sorted(
            {(0, k) for k in [*request, f"{name}Request"] if k.casefold() not in plan.request}
            | {(1, k) for k in [*response, f"{name}Response"] if k.casefold() not in plan.response}
        )
        for form in ("v-{}", "path/v-{}", "anything"):
            alone = [[one] for one in wanted + (elsewhere if form == "anything" else [])]
            for chosen in [wanted, *alone]:
                documents: list[dict[str, Any]] = [{}, {}]
                for side, key in chosen:
                    text = form.format(key)
                    documents[side][key] = _Anything(f"v-{key}") if form == "anything" else text
                made.append(
                    {
                        "eventID": f"{name}-{len(made)}",
                        "eventName": name,
                        "eventSource": source,
                        "requestParameters": documents[0],
                        "responseElements": documents[1],
                    }
                )
    principal = "arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fadmin"  # in the path: encoded
    made.append(
        {
            "eventID": "encoded-principal",
            "eventName": "CreateAccessEntry",
            "eventSource": "eks.amazonaws.com",
            "requestParameters": {"clusterName": "c", "principalArn": principal},
            "responseElements": None,
        }
    )
    return made


def test_extractors_saying_what_they_read_lose_no_key() -> None:
    """Routing runs an id extractor that says which top-level fields it reads only when one
    of them holds more than a string (a string there is taken as the key itself): on every
    recorded call the suite holds, and on generated ones, no key a run of every extractor
    finds is lost."""
    engine = Engine(StateSource([str(STATE)]).index())
    router = Router(engine)
    everything = Router(engine)
    everything.plans = {
        key: replace(plan, request=frozenset(), response=frozenset(), known=(),
                     unknown=tuple(e for e, _ in plan.known) + plan.unknown)
        for key, plan in router.plans.items()
    }  # fmt: skip
    records = _fixture_records()
    for line in _crossing(1_500, seed=4):  # with bad lines and Records documents among them
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            records.extend(value.get("Records", [value]))
    assert len(records) > 1_000
    records += _reading_every_key(router, records)
    lost = {}
    for record in records:
        with_needs, reference = set(router.keys(record)), set(everything.keys(record))
        if not reference <= with_needs:
            lost[record.get("eventID")] = sorted(reference - with_needs)
    assert lost == {}
    # the security-group rows say what they read: a call without a rule set in its response
    # runs none of them, one with a rule set still gives the rule ids
    rule = {
        "eventID": "e1",
        "eventName": "AuthorizeSecurityGroupIngress",
        "eventSource": "ec2.amazonaws.com",
        "requestParameters": {"groupId": "sg-0A", "ipPermissions": {"items": [{}]}},
        "responseElements": {"securityGroupRuleSet": {"items": [{"securityGroupRuleId": "sgr-1"}]}},
    }
    assert set(router.keys(rule)) == {"e1", "sg-0a", "sgr-1"}
    plan = router.plans[("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com")]
    assert plan.unknown == ()
    for service, names in _SAYING_WHAT_THEY_READ.items():  # their helpers say it too
        for name in names:
            assert router.plans[(name, f"{service}.amazonaws.com")].unknown == (), name


def test_ids_joined_by_slash_or_colon_key_as_their_last_part() -> None:
    """``keys.joined``: an id joined by ``/`` or ``:`` keys as its last part does, whatever
    the parts hold (ARNs, paths, bare names), so it may say what its parts read; by another
    separator it may not."""
    values = ["", "n", "a/b", "a:b", "arn:aws:iam::1:role/x/y", "1:function:f:live", "p|q"]
    for separator in "/:":
        for one in values:
            for last in filter(None, values):
                assert _canonical(separator.join((one, last))) == _canonical(last)
    parts = (req("roleName"), resp("policy.arn"))
    assert keys.joined("/", parts) == (frozenset({"rolename"}), frozenset({"policy"}))
    assert keys.joined("|", parts) is None
    assert keys.joined(":", (req("a"), lambda e: e)) is None
    assert _canonical("grp/with/path|name") != _canonical("name")  # why "|" may not


_VARIED_FIELDS: tuple[tuple[str, Any], ...] = (
    ("readOnly", True),
    ("readOnly", None),
    ("readOnly", "false"),
    ("errorCode", "AccessDenied"),
    ("errorCode", ""),
    ("errorCode", {"code": 1}),
    ("eventType", "AwsServiceEvent"),
    ("eventType", "AwsConsoleAction"),
    ("eventType", ""),
    ("eventType", ["AwsApiCall"]),
    ("eventTime", 1),
    ("eventID", None),
    ("eventName", ""),
    ("eventName", "DescribeInstances"),
    ("eventName", "NoSuchCall"),
    ("eventSource", 5),
    ("requestParameters", "not a document"),
    ("responseElements", ["a list"]),
)


@pytest.mark.parametrize(
    ("source", "name", "request_parameters"),
    [
        pytest.param(
            "ecr.amazonaws.com",
            "TagResource",
            {"resourceArn": "arn:aws:ecr:eu-west-1:123456789012:repository/app", "tags": []},
            id="ecr-tag-resource",
        ),
        pytest.param(
            "states.amazonaws.com",
            "TagResource",
            {
                "resourceArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:orders",
                "tags": [],
            },
            id="sfn-tag-resource",
        ),
    ],
)
def test_an_arn_logged_url_encoded_keys_as_the_plain_one(
    source: str, name: str, request_parameters: dict[str, Any]
) -> None:
    """CloudTrail logs an ARN named in a call's path URL-encoded (``arn%3Aaws%3A...``); the
    extractors decode it, so routing must too, or the call's resource key is lost."""
    router = Router(Engine(StateSource([str(STATE)]).index()))
    arn = request_parameters["resourceArn"]
    encoded = {**request_parameters, "resourceArn": quote(arn, safe="")}
    assert "%3A" in encoded["resourceArn"]

    def keys(parameters: dict[str, Any]) -> set[str]:
        record = {"eventID": "e1", "eventName": name, "eventSource": source}
        return set(router.keys({**record, "requestParameters": parameters}))

    plain = keys(request_parameters)
    assert plain - {"e1"}  # the resource's own key
    assert keys(encoded) == plain


@pytest.mark.parametrize(
    "function_name",
    [
        pytest.param("orders:live", id="alias"),
        pytest.param("orders:7", id="version"),
        pytest.param("arn:aws:lambda:eu-west-1:123456789012:function:orders:live", id="arn"),
        pytest.param("123456789012:function:orders", id="partial-arn"),
    ],
)
def test_a_qualified_function_keys_as_its_function(function_name: str) -> None:
    """Lambda names a function's alias or version as ``orders:live``: the catalog's function
    id is ``orders``, not the value's last segment, so routing runs that extractor (it says it
    reshapes such values) and keys the call as the function whatever form names it."""
    router = Router(Engine(StateSource([str(STATE)]).index()))
    record = {
        "eventID": "e1",
        "eventName": "UpdateFunctionConfiguration20150331v2",
        "eventSource": "lambda.amazonaws.com",
        "requestParameters": {"functionName": function_name, "timeout": 30},
    }
    assert "orders" in router.keys(record)
    assert "orders" in router.route({**record, "eventTime": "t", "readOnly": False})


def test_route_is_the_static_verdict_then_the_keys() -> None:
    """``Router.route`` (one pass over a record: most are plain calls, whose static verdict
    rests on their name) says what the static prefilter and then ``keys`` say, on every
    recorded call the suite holds and on each with one field made odd (a failed, read-only,
    service or console call, odd types, names the catalog lacks)."""
    engine = Engine(StateSource([str(STATE)]).index())
    router = Router(engine)
    static = make_prefilter(engine.catalog)
    records = _fixture_records()
    varied = [
        {**record, field: value} for record in records[::7] for field, value in _VARIED_FIELDS
    ]
    varied += [{k: v for k, v in records[0].items() if k != field} for field in records[0]]
    varied += [  # reads: skipped as read-only before the event type is looked at
        {**record, "readOnly": True, field: value}
        for record in records[::11]
        for field, value in (("eventName", ""), ("errorCode", "X"), ("eventType", "Other"))
    ]
    differ = []
    for record in [*records, *varied]:
        reason = static(record)
        expected = reason if reason is not None else router.keys(record)
        if router.route(record) != expected:
            differ.append((record.get("eventID"), record.get("eventName"), expected))
    assert differ == []
    skipped = sum(isinstance(router.route(r), str) for r in varied)
    assert 0 < skipped < len(varied)  # both ways are exercised


def test_verdicts_nothing_changes_are_counted_while_routing(tmp_path: Path) -> None:
    """Failed, read-only, unknown and non-management calls are counted by the worker their
    line was dealt to (or, past the dealt workers, by the line's number) during the routing
    pass, and read by nobody again: the tally is one process's at every worker count."""
    events = tmp_path / "mixed.jsonl"
    events.write_text("\n".join(_mixed_records(3_000, 4)) + "\n")
    engine = Engine(StateSource([str(STATE)]).index())
    detector = Detector(engine)
    detector.feed(
        iter_many([str(events)], prefilter=make_prefilter(engine.catalog, detector.knows))
    )
    one = detector.tally
    kinds: dict[str, int] = {}
    for drift in detector.drifts:
        kinds[drift.kind.value] = kinds.get(drift.kind.value, 0) + 1
    assert {"read_only", "failed_call", "not_in_catalog"} <= set(one.skipped), one.skipped
    for jobs in (2, 3, MAX_DEALT + 1):
        run = run_sharded(engine, [str(events)], jobs)
        assert run.sharded, run.why
        assert run.tally.summary_of(run.kinds) == one.summary_of(kinds), jobs
        assert run.tally.errors == one.errors
    share = Shard(engine, [str(events)], 0, 2)
    share.run()
    assert share.counted["read_only"] > 0
    assert sum(share.counted.values()) < sum(
        n for r, n in one.skipped.items() if r in ("read_only", "failed_call", "not_in_catalog")
    )


def _falco_alerts(count: int, seed: int) -> list[str]:
    """Falco's JSON alerts (http_output / json_output) on a few groups: a managed one, two
    made by hand, calls by people and by Terraform, some alerts delivered twice."""
    rng = random.Random(seed)
    groups = [SG_ID, "sg-0aaaaaaaaaaaaaaa1", "sg-0bbbbbbbbbbbbbbb2"]
    lines = []
    for n in range(count):
        record = cloudtrail_record(
            f"falco-{n}",
            name=rng.choice(["AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"]),
            group_id=rng.choice(groups),
            port=rng.choice([22, 443, 5432]),
            session=rng.choice(["alan@acme.example", "terraform"]),
            user_agent=rng.choice(["console.ec2.amazonaws.com", TERRAFORM_UA]),
            when=f"2026-11-20T09:{n // 60 % 60:02d}:{n % 60:02d}Z",
        )
        line = json.dumps(falco_alert(record))
        lines.append(line)
        if rng.random() < 0.1:
            lines.append(line)
    return lines


def test_falco_alerts_are_routed_by_their_resources(tmp_path: Path) -> None:
    """A file of Falco's JSON alerts is sharded by the resources their ct.* fields name, as
    CloudTrail records are: not one alert by position each (which would put calls on one
    group in both workers, and so make the run fall back to one process)."""
    events = tmp_path / "alerts.jsonl"
    events.write_text("\n".join(_falco_alerts(600, 5)) + "\n")
    state = CORPUS / "states" / "aws-lab.tfstate"
    _, out, err = _same_for_every_jobs(state, [events], tmp_path)  # sharded at 2 and 3
    assert out.count("\n") >= 1 and "duplicate_event" in err, err


def test_integers_orjson_would_round_keep_every_digit(tmp_path: Path) -> None:
    """A call carrying an integer past 64 bits (19 digits and negative, or 20) is decoded by
    json.loads in the second pass as in one process: the drift record keeps every digit."""
    lines = _crossing(400, 7)
    for n, line in enumerate(lines):
        if '"AuthorizeSecurityGroupIngress"' not in line or n % 3:
            continue
        record = json.loads(line)
        if record.get("eventName") == "AuthorizeSecurityGroupIngress":
            big = -9223372036854775809 if n % 2 else 123456789012345678901
            record["requestParameters"]["clientToken"] = big
            lines[n] = json.dumps(record)
    events = tmp_path / "big.jsonl"
    events.write_text("\n".join(lines) + "\n")
    _, out, _ = _same_for_every_jobs(STATE, [events], tmp_path)  # sharded at 2 and 3
    assert "-9223372036854775809" in out and "123456789012345678901" in out


def test_a_quiet_memory_one_process_would_outgrow_runs_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the quiet-call memory bounded at 40 calls, one process forgets Terraform's calls
    the workers (each holding fewer) would keep: the run is done again in one process, and
    gives what one process gives."""
    from tfdrift_gitops.core import detector as detector_module

    state, events = _write_gen_data(tmp_path, "terraform-heavy", 3_000, True)
    sharded, why, _ = _sharded(state, [events], 2)
    assert sharded, why  # with the usual bounds, this input shards
    per_resource, resources, _ = detector_module.QuietEvents.__init__.__defaults__ or ()
    monkeypatch.setattr(
        detector_module.QuietEvents.__init__, "__defaults__", (per_resource, resources, 40)
    )
    sharded, why, rendered = _sharded(state, [events], 2)
    assert (sharded, why) == (False, "the quiet-event memory would have forgotten some")
    engine = Engine(StateSource([str(state)]).index())
    detector = Detector(engine)
    detector.feed(
        iter_many([str(events)], prefilter=make_prefilter(engine.catalog, detector.knows))
    )
    assert detector.quiet.forgotten > 0  # the bound mattered
    one = [json_text(drift_to_record(d)) for d in detector.drifts]
    assert stable("\n".join(rendered) + "\n") == stable("\n".join(one) + "\n")


def _in_envelope(line: str) -> str:
    """``line`` as an EventBridge rule delivers a CloudTrail record (``detail``); lines that
    are no single record (bad lines, Records documents, Falco alerts) stay as they are."""
    try:
        value = json.loads(line)
    except ValueError:
        return line
    if not isinstance(value, dict) or "eventName" not in value:
        return line
    envelope: dict[str, Any] = {
        "version": "0",
        "id": f"eb-{value.get('eventID')}",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws." + str(value.get("eventSource", "")).split(".", 1)[0],
        "account": "123456789012",
        "time": value.get("eventTime"),
        "region": value.get("awsRegion"),
        "resources": [],
        "detail": value,
    }
    return json.dumps(envelope)


def test_eventbridge_events_read_as_their_records(tmp_path: Path) -> None:
    """CloudTrail records in EventBridge events (an archive, Firehose, a queue's messages
    saved as JSON Lines) give what the records themselves give, in one process and sharded."""
    lines = _mixed_records(2_000, seed=9)
    wrapped = [_in_envelope(line) for line in lines]
    assert sum(a != b for a, b in zip(lines, wrapped, strict=True)) > 1_000
    runs = []
    for name, content in (("plain", lines), ("wrapped", wrapped)):
        where = tmp_path / name
        where.mkdir()
        (where / "events.jsonl").write_text("\n".join(content) + "\n")
        runs.append(_same_for_every_jobs(STATE, [Path("events.jsonl")], where))  # sharded
    plain, in_envelopes = runs
    assert plain[1].count("\n") > 5, plain[2]  # drifts found, not an empty comparison
    assert in_envelopes == plain
