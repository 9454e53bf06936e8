"""Catalog rows against botocore's AWS service models: a row that reads a key its call does
not have (misspelt, wrongly nested, another call's) misses every change made through it.

Three parts (tests/catalog/api_model.py holds the conventions, api_exceptions.py the known
exceptions, api_rows.py what a row reads):
- calibration: every key of every recorded, published call a row picks is a member of the
  operation's shapes under CloudTrail's conventions; a real record that does not fit shows a
  convention the check must know, or is listed in RECORDED_EXTRAS with why;
- rows: every ``req``/``resp`` path a row can read, every key path it looked up in the calls
  the catalog tests fed it (tests/fixtures/api_shapes/observed.json, written by
  scripts/regen_api_shapes.py) and in a call built from the model (every member set: reaches
  the row's own code, also for rows no catalog test feeds), and every key of the fed calls fits
  the model, or is listed (a lookup that finds nothing next to a valid one of the same value is
  a dead alternative, not a misread);
- the check itself: it fails on a misspelt key, a wrong nesting, an unknown call.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.api_exceptions import DEAD_READS, DELIBERATE, RECORDED_EXTRAS, listed
from tests.catalog.api_model import judge, present_paths, row_operation
from tests.catalog.api_rows import check_row, observed_rows
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.catalog.model import Action, Rule, Set, Target, const, first, req, resp
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.errors import RecordError
from tfdrift_gitops.models import CloudEvent

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from regen_evidence import RECORD_ROOTS, raw_records  # type: ignore[import-not-found]  # noqa: E402

CATALOG = Catalog.default()
OBSERVED = observed_rows()


def recorded_calls() -> Iterator[Any]:
    for root in RECORD_ROOTS:
        for path in sorted(root.rglob("*.json")):
            for position, raw in enumerate(raw_records(path)):
                try:
                    event = normalize_record(raw, f"{path.name}#{position}")
                except RecordError:
                    continue
                if event.error_code or event.read_only or CATALOG.rule_for(event) is None:
                    continue
                yield pytest.param(event, id=f"{path.relative_to(root)}#{position}")


RECORDED = list(recorded_calls())


def _misfits(event: CloudEvent) -> tuple[list[str], set[str]]:
    rule = CATALOG.rule_for(event)
    assert rule is not None
    op = row_operation(rule.source, event.name, rule.discriminator)
    assert op is not None, f"{event.name}: no operation in botocore's model"
    misfits, excused = [], set()
    for side, document in (("request", event.request), ("response", event.response)):
        if not isinstance(document, Mapping):
            continue
        for parts in sorted(set(present_paths(document))):
            verdict = judge(op, side, parts)
            name = f"{side}:{'.'.join(parts)}"
            if verdict.ok:
                continue
            if listed(RECORDED_EXTRAS, op, name):
                excused.add(name)
            else:
                misfits.append(verdict.reason)
    return misfits, excused


def test_there_are_recorded_calls_to_calibrate_on() -> None:
    assert len(RECORDED) > 150


@pytest.mark.parametrize("event", RECORDED)
def test_recorded_calls_fit_the_model(event: CloudEvent) -> None:
    misfits, _ = _misfits(event)
    assert not misfits, "\n".join(misfits)


def _row_id(rule: Rule) -> str:
    return f"{rule.source.split('.', 1)[0]}-{rule.event}" + (
        f"-{rule.discriminator.split(' ', 1)[0]}" if rule.discriminator else ""
    )


@pytest.mark.parametrize("rule", list(CATALOG), ids=_row_id)
def test_row_reads_fit_the_model(rule: Rule) -> None:
    result = check_row(rule, OBSERVED.get((rule.source, rule.event, rule.discriminator)))
    assert not result.problems, "\n".join(
        [
            *result.problems,
            "Fix the row (or its test call) when it reads a key its call does not have; a "
            "CloudTrail convention seen in a recorded call goes in api_model.py, a lookup that "
            "only backs up a valid one (shared reader) in api_exceptions.py, each with why.",
        ]
    )


def test_observed_shapes_name_catalog_rows() -> None:
    """A row renamed or removed since scripts/regen_api_shapes.py ran makes the file stale."""
    rows = {(r.source, r.event, r.discriminator) for r in CATALOG}
    assert set(OBSERVED) <= rows, sorted(set(OBSERVED) - rows)
    assert len(OBSERVED) > 300


def test_every_listed_exception_is_still_needed() -> None:
    """An entry nothing needs any more (a row fixed, a record replaced) must go."""
    used: set[tuple[str, str, str]] = set()
    for rule in CATALOG:
        result = check_row(rule, OBSERVED.get((rule.source, rule.event, rule.discriminator)))
        service, _, operation = result.operation.partition(":")
        used |= {(service, operation, name) for name in result.excused}
    for param in RECORDED:
        (event,) = param.values
        row = CATALOG.rule_for(event)
        assert row is not None
        op = row_operation(row.source, event.name, row.discriminator)
        assert op is not None
        used |= {(op.service_model.service_name, op.name, n) for n in _misfits(event)[1]}
    for table in (DEAD_READS, RECORDED_EXTRAS):
        for (service, operation), (keys, _why) in table.items():
            # Per entry, not per key: a row edited elsewhere may stop one of several shared
            # reads without making the rest of the entry wrong.
            assert any(
                s == service and o == operation and (n == key or n.startswith(f"{key}."))
                for s, o, n in used
                for key in keys
            ), f"{service}:{operation}: listed, but nothing reads or logs any of {sorted(keys)}"
    fed_tests = {call["test"] for row in OBSERVED.values() for call in row["calls"]}
    assert set(DELIBERATE) <= fed_tests, sorted(set(DELIBERATE) - fed_tests)


# --------------------------------------------------------------------------- the check itself


def _rule(event: str, source: str, *reads: Any) -> Rule:
    """A row reading only ``reads`` (its id is a constant: no key of its own)."""
    effects = tuple(Set(f"attr_{n}", read) for n, read in enumerate(reads))
    return Rule(event, source, Action.MODIFY, (Target("aws_x", "id", const("x"), effects),))


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        pytest.param(
            _rule("ModifyDBInstance", "rds.amazonaws.com", req("dBInstanceIdentifer")),
            "request:dBInstanceIdentifer",
            id="misspelt",
        ),
        pytest.param(
            _rule(
                "UpdateFunctionConfiguration20150331v2", "lambda.amazonaws.com", req("subnetIds")
            ),
            "request:subnetIds",
            id="wrongly-nested",
        ),
        pytest.param(
            _rule(
                "AuthorizeSecurityGroupIngress",
                "ec2.amazonaws.com",
                req("ipPermissions.items.0.ipRange"),
            ),
            "request:ipPermissions.items.0.ipRange",
            id="ec2-misspelt-below-items",
        ),
        pytest.param(
            _rule("PutBucketVersioning", "s3.amazonaws.com", req("VersioningConfiguration.State")),
            "request:VersioningConfiguration.State",
            id="s3-body-misspelt",
        ),
        pytest.param(
            _rule("ModifyDBInstance", "rds.amazonaws.com", first(req("x"), resp("y"))),
            "request:x",
            id="no-alternative-valid",
        ),
        pytest.param(
            _rule("DeregisterInstancesWithLoadBalancer", "elasticloadbalancing.amazonaws.com"),
            "no operation",
            id="unknown-call",
        ),
    ],
)
def test_the_check_finds(rule: Rule, problem: str) -> None:
    found = check_row(rule, None).problems
    assert any(problem in p for p in found), found


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param(
            _rule("ModifyDBInstance", "rds.amazonaws.com", req("dBInstanceIdentifier")),
            id="query-lower-camel",
        ),
        pytest.param(
            _rule(
                "UpdateFunctionConfiguration20150331v2",
                "lambda.amazonaws.com",
                req("vpcConfig.subnetIds"),
                req("functionName"),
            ),
            id="rest-json-body-and-uri",
        ),
        pytest.param(
            _rule(
                "AuthorizeSecurityGroupIngress",
                "ec2.amazonaws.com",
                req("ipPermissions.items.0.ipRanges.items.0.cidrIp"),
                resp("securityGroupRuleSet.items.0.securityGroupRuleId"),
            ),
            id="ec2-location-names-and-items",
        ),
        pytest.param(
            _rule(
                "PutBucketVersioning",
                "s3.amazonaws.com",
                req("bucketName"),
                req("VersioningConfiguration.Status"),
            ),
            id="s3-bucket-name-and-body",
        ),
        pytest.param(
            _rule("ModifyDBInstance", "rds.amazonaws.com", first(req("x"), req("multiAZ"))),
            id="one-alternative-valid",
        ),
    ],
)
def test_the_check_accepts(rule: Rule) -> None:
    assert check_row(rule, None).problems == []


def test_a_fed_key_the_model_lacks_is_found() -> None:
    rule = _rule("ModifyDBInstance", "rds.amazonaws.com", req("dBInstanceIdentifier"))
    seen = {
        "calls": [
            {
                "test": "t::x",
                "name": "ModifyDBInstance",
                "request": {"dBInstanceIdentifier": "db", "allocatedStorag": 5},
                "response": None,
            }
        ]
    }
    result = check_row(rule, seen)
    assert not result.checked
    assert any("request:allocatedStorag (t::x)" in p for p in result.problems), result.problems
