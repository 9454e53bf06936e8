"""Terraform's own calls skip the fallback twins' choice: they land where they landed before."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.cli.golden import REPO
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.errors import RecordError

TERRAFORM_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.11.4 terraform-provider-aws/5.80.0"


def _records(corpus: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted((corpus / "stratus-red-team").glob("*.json")):
        records += json.loads(path.read_text())
    panther = json.loads((corpus / "panther-analysis" / "write-events.json").read_text())
    records += [case["record"] for cases in panther.values() for case in cases]
    example = next((REPO / "examples" / "cloudtrail").glob("*.json"))
    records += json.loads(example.read_text())["Records"]
    return records


def _outcome(engine: Engine, raw: dict[str, Any]) -> Any:
    try:
        event = normalize_record(raw, "t")
    except RecordError:
        return None
    evaluation = engine.evaluate(event)
    return (
        evaluation.skipped,
        [
            (f.kind, f.resource.key, f.trusted, f.rule.event, f.target.type)
            for f in evaluation.findings
        ],
    )


@pytest.mark.parametrize(
    "terraform", [pytest.param(True, id="terraform"), pytest.param(False, id="by-hand")]
)
def test_same_findings_without_the_trusted_guard(corpus_dir: Path, terraform: bool) -> None:
    index = StateSource([str(REPO / "examples/state/terraform.tfstate")]).index()
    catalog = Catalog.default()
    plain = Catalog(
        replace(rule, targets=tuple(replace(t, trusted_guard=None) for t in rule.targets))
        for rule in catalog
    )
    fast, slow = Engine(index, catalog), Engine(index, plain)
    landed = 0
    for raw in _records(corpus_dir):
        record = dict(raw, userAgent=TERRAFORM_UA) if terraform else raw
        got, want = _outcome(fast, record), _outcome(slow, record)
        assert got == want, record.get("eventName")
        landed += bool(got and any(kind is not None for kind, *_ in got[1]))
    assert landed >= 5
    assert sum(1 for rule in catalog for t in rule.targets if t.trusted_guard) > 50
