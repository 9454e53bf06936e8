"""The reader's prefilter skips exactly what the engine would skip, for the same reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.golden import REPO
from tfdrift_gitops.adapters.events import iter_events
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.prefilter import make_prefilter
from tfdrift_gitops.core.record import drift_to_record


def _replay(events: Path, prefiltered: bool) -> tuple[dict[str, int], int, list[str]]:
    index = StateSource([str(REPO / "examples/state/terraform.tfstate")]).index()
    engine = Engine(index)
    detector = Detector(engine)
    if prefiltered:
        detector.feed(iter_events(str(events), prefilter=make_prefilter(engine.catalog)))
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
    assert fast == plain
    assert plain[1] >= 1


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
                "eventName": "PutParameter",
                "eventSource": "ssm.amazonaws.com",
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
