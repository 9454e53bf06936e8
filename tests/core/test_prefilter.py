"""The reader's prefilter skips exactly what the engine would skip, for the same reasons."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.accounting import account
from tests.cli.golden import REPO
from tfdrift_gitops.adapters.events import iter_events
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.core.prefilter import make_prefilter
from tfdrift_gitops.core.record import drift_to_record


def _replay(
    events: Path, prefiltered: bool, state: Path = REPO / "examples/state/terraform.tfstate"
) -> tuple[dict[str, int], int, list[str]]:
    index = StateSource([str(state)]).index()
    engine = Engine(index)
    detector = Detector(engine)
    if prefiltered:
        prefilter = make_prefilter(engine.catalog, known=detector.knows)
        detector.feed(iter_events(str(events), prefilter=prefilter))
    else:
        detector.feed(iter_events(str(events)))
    drifts = [json.dumps(drift_to_record(d)["changes"], sort_keys=True) for d in detector.drifts]
    return dict(detector.tally.skipped), len(detector.tally.errors), drifts


def _corpus_files(corpus: Path) -> list[Path]:
    return sorted((corpus / "stratus-red-team").glob("*.json"))


def test_same_outcome_with_and_without_prefilter(corpus_dir: Path, tmp_path: Path) -> None:
    records = []
    for path in _corpus_files(corpus_dir):
        records.extend(json.loads(path.read_text()))
    panther = json.loads((corpus_dir / "panther-analysis" / "write-events.json").read_text())
    records.extend(case["record"] for cases in panther.values() for case in cases)
    example = next((REPO / "examples" / "cloudtrail").glob("*.json"))
    records.extend(json.loads(example.read_text())["Records"])
    odd = dict(records[0])
    odd["readOnly"] = "true"  # a string: the normaliser, not the prefilter, decides
    records.append(odd)
    no_type = {k: v for k, v in records[1].items() if k != "eventTime"}
    records.append(no_type)  # broken records must still be reported as errors
    path = tmp_path / "all.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    plain = _replay(path, prefiltered=False)
    fast = _replay(path, prefiltered=True)
    assert fast[1:] == plain[1:]  # the same drifts, the same bad records
    assert plain[1] >= 1
    assert_same_skips(fast[0], plain[0])


# A call on ids nobody knows is skipped as not_in_state before the engine could say it was
# also redelivered or made by Terraform: the same records, counted under another true reason.
MOVABLE = {"not_in_state", "duplicate_event", "trusted_actor"}


def test_each_record_gets_the_engines_verdict(corpus_dir: Path) -> None:
    """Record by record, not only in total: the engine accounts for each one (one skip reason,
    or drifts that round-trip: tests/accounting.py), and a record the prefilter skips is one
    the engine skips for the same reason (or, for ids nobody knows, another movable one)."""
    records: list[tuple[str, dict[str, Any]]] = []
    for path in _corpus_files(corpus_dir):
        records += [(f"{path.name}#{i}", r) for i, r in enumerate(json.loads(path.read_text()))]
    panther = json.loads((corpus_dir / "panther-analysis" / "write-events.json").read_text())
    records += [
        (f"panther:{name}:{case['case']}", case["record"])
        for name, cases in panther.items()
        for case in cases
    ]
    example = next((REPO / "examples" / "cloudtrail").glob("*.json"))
    records += [
        (f"example#{i}", r) for i, r in enumerate(json.loads(example.read_text())["Records"])
    ]
    engine = Engine(StateSource([str(REPO / "examples/state/terraform.tfstate")]).index())
    detector = Detector(engine)
    prefilter = make_prefilter(engine.catalog, known=detector.knows)
    seen: Counter[str] = Counter()
    for origin, raw in records:
        verdict = prefilter(raw)  # before the record: the ids known up to it
        outcome = account(detector, normalize_record(raw, origin))
        if verdict is not None:
            skipped = outcome.removeprefix("skip:")
            assert outcome == f"skip:{verdict}" or {verdict, skipped} <= MOVABLE, (
                origin,
                verdict,
                outcome,
            )
        seen[outcome] += 1
    assert sum(seen.values()) == len(records)
    # Not vacuous: the replay opens drifts of several kinds and skips for several reasons.
    assert len({o for o in seen if o.startswith("drift:")}) >= 2, seen
    assert len({o for o in seen if o.startswith("skip:")}) >= 4, seen


def assert_same_skips(fast: dict[str, int], plain: dict[str, int]) -> None:
    for reason in set(fast) | set(plain):
        if reason not in MOVABLE:
            assert fast.get(reason, 0) == plain.get(reason, 0), reason
    assert sum(fast.get(r, 0) for r in MOVABLE) == sum(plain.get(r, 0) for r in MOVABLE)


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        pytest.param(
            {
                "eventName": "DescribeInstances",
                "eventSource": "ec2.amazonaws.com",
                "eventTime": "t",
                "eventID": "1",
            },
            "read_only",
            id="inferred-read",
        ),
        pytest.param(
            {
                "eventName": "PutBucketPolicy",
                "eventSource": "s3.amazonaws.com",
                "eventTime": "t",
                "eventID": "1",
                "errorCode": "AccessDenied",
            },
            "failed_call",
            id="failed",
        ),
        pytest.param(
            {
                "eventName": "CreateLogStream",
                "eventSource": "logs.amazonaws.com",
                "eventTime": "t",
                "eventID": "1",
                "readOnly": False,
            },
            "not_in_catalog",
            id="unknown",
        ),
        pytest.param(
            {
                "eventName": "PutBucketPolicy",
                "eventSource": "s3.amazonaws.com",
                "eventTime": "t",
                "eventID": "1",
                "readOnly": False,
            },
            None,
            id="catalog-event-goes-through",
        ),
        pytest.param({"eventname": "DescribeInstances"}, None, id="odd-casing-goes-through"),
        pytest.param({"output_fields": {}, "rule": "x"}, None, id="falco-alert-goes-through"),
    ],
)
def test_prefilter_decisions(record: dict[str, object], reason: str | None) -> None:
    from tfdrift_gitops.core.catalog import Catalog

    assert make_prefilter(Catalog.default())(record) == reason


def _sg_record(
    name: str, event_id: str, minute: int, group: str, **extra: object
) -> dict[str, Any]:
    example = next((REPO / "examples" / "cloudtrail").glob("*.json"))
    base = next(
        r
        for r in json.loads(example.read_text())["Records"]
        if r["eventName"] == "AuthorizeSecurityGroupIngress"
    )
    record: dict[str, Any] = json.loads(json.dumps(base))
    record.update(eventName=name, eventID=event_id, eventTime=f"2026-11-20T10:{minute:02d}:00Z")
    record["requestParameters"]["groupId"] = group
    record["responseElements"] = None
    record.update(extra)
    return record


def test_known_ids_prefilter_keeps_calls_on_hand_made_groups(tmp_path: Path) -> None:
    """An Authorize on a group that is not in state is skipped early as not_in_state, unless
    the group was created by hand (an open unmanaged drift it must join)."""
    create = _sg_record("CreateSecurityGroup", "c1", 1, "sg-0ffffffffffffff01")
    create["requestParameters"] = {"groupName": "scratch", "groupDescription": "x"}
    create["responseElements"] = {"groupId": "sg-0ffffffffffffff01", "_return": True}
    records = [
        _sg_record("AuthorizeSecurityGroupIngress", "a0", 0, "sg-0eeeeeeeeeeeeee02"),
        create,
        _sg_record("AuthorizeSecurityGroupIngress", "a1", 2, "sg-0ffffffffffffff01"),
        _sg_record("AuthorizeSecurityGroupIngress", "a2", 3, "sg-0123456789abcdef0"),
        _sg_record("RevokeSecurityGroupIngress", "r1", 4, "sg-0eeeeeeeeeeeeee03"),
    ]
    path = tmp_path / "sg.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    plain = _replay(path, prefiltered=False)
    fast = _replay(path, prefiltered=True)
    assert fast == plain
    assert plain[0]["not_in_state"] == 2
    assert len(plain[2]) == 2  # the managed group's change and the hand-made group (joined)


def test_known_ids_prefilter_on_tags_and_instances(tmp_path: Path) -> None:
    """CreateTags / TerminateInstances / ModifyInstanceAttribute on ids nobody knows skip early;
    on an instance launched by hand (an open unmanaged drift) they still reach it."""
    base = _sg_record("CreateTags", "x", 0, "unused")
    launched = dict(base, eventName="RunInstances", eventID="run", eventTime="2026-11-20T10:01:00Z")
    launched["requestParameters"] = {"instancesSet": {"items": [{"imageId": "ami-1"}]}}
    launched["responseElements"] = {
        "instancesSet": {"items": [{"instanceId": "i-0aaaaaaaaaaaaaaa1"}]}
    }

    def tags(event_id: str, minute: int, *ids: str) -> dict[str, object]:
        record = dict(base, eventID=event_id, eventTime=f"2026-11-20T10:{minute:02d}:00Z")
        record["requestParameters"] = {
            "resourcesSet": {"items": [{"resourceId": i} for i in ids]},
            "tagSet": {"items": [{"key": "Owner", "value": "alan"}]},
        }
        return record

    def terminate(event_id: str, minute: int, instance: str) -> dict[str, object]:
        record = dict(
            base,
            eventName="TerminateInstances",
            eventID=event_id,
            eventTime=f"2026-11-20T10:{minute:02d}:00Z",
        )
        record["requestParameters"] = {"instancesSet": {"items": [{"instanceId": instance}]}}
        return record

    records = [
        tags("t0", 0, "i-0bbbbbbbbbbbbbbb2"),
        launched,
        tags("t1", 2, "i-0aaaaaaaaaaaaaaa1"),
        tags("t2", 3, "sg-0123456789abcdef0", "i-0ccccccccccccccc3"),
        terminate("k1", 4, "i-0ddddddddddddddd4"),
        terminate("k2", 5, "i-0aaaaaaaaaaaaaaa1"),
    ]
    path = tmp_path / "ec2.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    plain = _replay(path, prefiltered=False)
    fast = _replay(path, prefiltered=True)
    assert fast == plain
    assert plain[0]["not_in_state"] == 2
