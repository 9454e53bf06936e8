"""Evidence stays honest (issue 11): a call that set what state already says is counted as no
change and is never one of the ``events`` of the drift it precedes, whichever way the events
arrive: in one batch (``detect``, with and without ``--ledger``), one by one into a local ledger
(the collector's pipeline, and separate ``detect --ledger`` runs), in order or the real call
first and the older no-op later. The no-op is still replayed (kept in ``replayed``), so that a
late call is judged against everything that happened.

Real catalog rows, real CloudTrail record shapes, normalised by the reader's own code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from tfdrift_gitops.cli import cli
from tfdrift_gitops.core.detector import Detector
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.fold import REPLAYED_PER_CALL
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.core.state import StateIndex, parse_state
from tfdrift_gitops.falco.metrics import CollectorMetrics
from tfdrift_gitops.falco.pipeline import Item, Pipeline
from tfdrift_gitops.ledger import StoredLedger, base, local, open_ledger
from tfdrift_gitops.models import DRIFT_SCHEMA, CloudEvent, Drift

ACCOUNT = "123456789012"
REGION = "us-east-2"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/orders"
QUEUE_ADDRESS = "aws_sqs_queue.orders"
POLICY_ADDRESS = "aws_iam_role_policy.app"
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "tfdrift_gitops/schemas/drift-v1.json").read_text()
)


def _policy(*actions: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": list(actions), "Resource": "arn:aws:s3:::orders/*"}
        ],
    }


STATE_POLICY = _policy("s3:GetObject")
STATE_DOC: dict[str, Any] = {
    "version": 4,
    "terraform_version": "1.11.4",
    "serial": 3,
    "lineage": "5d1f7c2e-0000-4000-8000-000000000011",
    "outputs": {},
    "resources": [
        {
            "mode": "managed",
            "type": "aws_sqs_queue",
            "name": "orders",
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": [
                {
                    "schema_version": 0,
                    "attributes": {
                        "id": QUEUE_URL,
                        "url": QUEUE_URL,
                        "arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders",
                        "name": "orders",
                        "visibility_timeout_seconds": 30,
                        "message_retention_seconds": 345600,
                        "delay_seconds": 0,
                        "tags": {},
                    },
                }
            ],
        },
        {
            "mode": "managed",
            "type": "aws_iam_role",
            "name": "app",
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": [
                {
                    "schema_version": 0,
                    "attributes": {
                        "id": "app",
                        "name": "app",
                        "arn": f"arn:aws:iam::{ACCOUNT}:role/app",
                        "assume_role_policy": json.dumps(
                            {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Principal": {"Service": "ec2.amazonaws.com"},
                                        "Action": "sts:AssumeRole",
                                    }
                                ],
                            }
                        ),
                        "inline_policy": [],
                        "managed_policy_arns": [],
                        "tags": {},
                    },
                }
            ],
        },
        {
            "mode": "managed",
            "type": "aws_iam_role_policy",
            "name": "app",
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": [
                {
                    "schema_version": 0,
                    "attributes": {
                        "id": "app:orders-read",
                        "role": "app",
                        "name": "orders-read",
                        "policy": json.dumps(STATE_POLICY),
                    },
                }
            ],
        },
    ],
    "check_results": None,
}


def _record(event_id: str, name: str, source: str, minute: int, request: Any) -> dict[str, Any]:
    """A CloudTrail record as a console user's call writes it."""
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:alan@acme.example",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alan@acme.example",
            "accountId": ACCOUNT,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/Admin",
                    "userName": "Admin",
                }
            },
        },
        "eventTime": (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1" if source == "iam.amazonaws.com" else REGION,
        "sourceIPAddress": "203.0.113.42",
        "userAgent": "console.amazonaws.com",
        "requestParameters": request,
        "responseElements": None,
        "requestID": f"req-{event_id}",
        "eventID": event_id,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
    }


def _set_visibility(event_id: str, minute: int, seconds: str) -> dict[str, Any]:
    return _record(
        event_id,
        "SetQueueAttributes",
        "sqs.amazonaws.com",
        minute,
        {"queueUrl": QUEUE_URL, "attributes": {"VisibilityTimeout": seconds}},
    )


def _put_role_policy(event_id: str, minute: int, document: dict[str, Any]) -> dict[str, Any]:
    return _record(
        event_id,
        "PutRolePolicy",
        "iam.amazonaws.com",
        minute,
        {"roleName": "app", "policyName": "orders-read", "policyDocument": json.dumps(document)},
    )


@dataclass(frozen=True)
class Case:
    address: str
    noop: dict[str, Any]
    """Sets what state already says, one minute before ``real``."""
    real: dict[str, Any]
    change: tuple[str, Any, Any]
    """(path, before, after) of the real call, compared through ``_comparable``."""


CASES = {
    "sqs-set-queue-attributes": Case(
        QUEUE_ADDRESS,
        _set_visibility("sqs-noop", 1, "30"),
        _set_visibility("sqs-real", 2, "100"),
        ("visibility_timeout_seconds", 30, 100),
    ),
    "iam-put-role-policy": Case(
        POLICY_ADDRESS,
        _put_role_policy("iam-noop", 1, STATE_POLICY),
        _put_role_policy("iam-real", 2, _policy("s3:GetObject", "s3:PutObject")),
        ("policy", STATE_POLICY, _policy("s3:GetObject", "s3:PutObject")),
    ),
}
ORDERS = {"noop-first": ("noop", "real"), "real-first-older-noop-late": ("real", "noop")}


def _comparable(value: Any) -> Any:
    """Policy documents are JSON text in state and changes; numbers may arrive as text."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _delivery(case: Case, order: str) -> list[dict[str, Any]]:
    return [getattr(case, which) for which in ORDERS[order]]


def _events(records: list[dict[str, Any]]) -> list[CloudEvent]:
    return [normalize_record(r, f"trail.json#{r['eventID']}") for r in records]


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    path = tmp_path / "terraform.tfstate"
    path.write_text(json.dumps(STATE_DOC))
    return path


def _engine(state_file: Path) -> Engine:
    return Engine(StateIndex([parse_state(STATE_DOC, source=str(state_file))]))


def _ledger(tmp_path: Path) -> StoredLedger:
    return open_ledger(str(tmp_path / "ledger"))


def _params() -> list[Any]:
    return [
        pytest.param(case, order, id=f"{case_id}-{order}")
        for case_id, case in CASES.items()
        for order in ORDERS
    ]


def assert_honest(drift: Drift, case: Case) -> None:
    """One drift at the case's address: the real call is its only evidence, the no-op is
    replayed only, and the change is the real call's."""
    assert drift.resource.address == case.address
    assert [e.id for e in drift.events] == [case.real["eventID"]]
    assert drift.event.id == case.real["eventID"]
    assert [e.id for e in drift.replayed] == [case.noop["eventID"]]
    path, before, after = case.change
    assert [(c.path, _comparable(c.before), _comparable(c.after)) for c in drift.changes] == [
        (path, before, after)
    ]


def _stored(tmp_path: Path) -> Drift:
    listing = _ledger(tmp_path).list()
    assert listing.corrupt == ()
    (drift,) = listing.drifts
    return drift


def _stored_record(tmp_path: Path) -> dict[str, Any]:
    """The drift's JSON object as it lies in the ledger directory."""
    documents = [json.loads(p.read_text()) for p in (tmp_path / "ledger").rglob("*.json")]
    (record,) = [d for d in documents if isinstance(d, dict) and d.get("schema") == DRIFT_SCHEMA]
    return record


@pytest.mark.parametrize(("case", "order"), _params())
def test_batch_without_ledger(case: Case, order: str, state_file: Path) -> None:
    detector = Detector(_engine(state_file))
    detector.feed(_events(_delivery(case, order)))
    (drift,) = detector.drifts
    assert_honest(drift, case)
    assert dict(detector.tally.skipped) == {"no_change": 1}
    assert detector.tally.errors == []


@pytest.mark.parametrize(("case", "order"), _params())
def test_batch_into_a_local_ledger(
    case: Case, order: str, state_file: Path, tmp_path: Path
) -> None:
    detector = Detector(_engine(state_file), _ledger(tmp_path))
    detector.feed(_events(_delivery(case, order)))
    assert dict(detector.tally.skipped) == {"no_change": 1}
    assert_honest(_stored(tmp_path), case)
    record = _stored_record(tmp_path)
    jsonschema.validate(record, SCHEMA)
    assert [e["id"] for e in record["events"]] == [case.real["eventID"]]
    assert [e["id"] for e in record["replayed"]] == [case.noop["eventID"]]


@pytest.mark.parametrize(("case", "order"), _params())
def test_collector_one_by_one_into_a_local_ledger(
    case: Case, order: str, state_file: Path, tmp_path: Path
) -> None:
    """The collector's pipeline folds each alert on its own, remembering quiet calls."""
    engine = _engine(state_file)
    metrics = CollectorMetrics()
    pipeline = Pipeline(lambda: engine, _ledger(tmp_path), metrics)
    for event in _events(_delivery(case, order)):
        assert pipeline.process(Item(event, 0.0, "test"))
    assert metrics.skips.value("no_change") == 1
    assert_honest(_stored(tmp_path), case)


@pytest.mark.parametrize(("case", "order"), _params())
def test_separate_detect_runs_into_a_local_ledger(
    case: Case, order: str, state_file: Path, tmp_path: Path
) -> None:
    """One ``detect --ledger`` run per event: nothing is remembered between runs but the
    ledger. A no-op first never reaches the ledger; one arriving late is kept replayed."""
    skipped: list[dict[str, int]] = []
    for event in _events(_delivery(case, order)):
        detector = Detector(_engine(state_file), _ledger(tmp_path))
        detector.feed([event])
        skipped.append(dict(detector.tally.skipped))
    noop_at = ORDERS[order].index("noop")
    assert skipped[noop_at] == {"no_change": 1}
    assert skipped[1 - noop_at] == {}
    drift = _stored(tmp_path)
    assert [e.id for e in drift.events] == [case.real["eventID"]]
    if order == "noop-first":
        assert drift.replayed == ()
    else:
        assert_honest(drift, case)


@pytest.mark.parametrize(("case", "order"), _params())
def test_redelivered_noop_stays_out_of_the_evidence(
    case: Case, order: str, state_file: Path, tmp_path: Path
) -> None:
    """Delivered again once the drift is open (a new collector, nothing remembered): a
    duplicate of a replayed call, not new evidence."""
    records = _delivery(case, order)
    Detector(_engine(state_file), _ledger(tmp_path)).feed(_events(records))
    again = Detector(_engine(state_file), _ledger(tmp_path))
    again.feed(_events([case.noop]))
    assert sum(again.tally.skipped.values()) == 1
    assert again.tally.skipped.keys() <= {"no_change", "duplicate_event"}
    assert_honest(_stored(tmp_path), case)


@pytest.mark.parametrize("with_ledger", [False, True], ids=["memory", "ledger"])
@pytest.mark.parametrize(("case", "order"), _params())
def test_detect_command(
    case: Case, order: str, with_ledger: bool, state_file: Path, tmp_path: Path
) -> None:
    trail = tmp_path / "trail.json"
    trail.write_text(json.dumps({"Records": _delivery(case, order)}))
    args = ["detect", "--state", str(state_file), "--events", str(trail), "--format", "json"]
    if with_ledger:
        args += ["--ledger", str(tmp_path / "ledger")]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    jsonschema.validate(record, SCHEMA)
    assert record["resource"]["address"] == case.address
    assert [e["id"] for e in record["events"]] == [case.real["eventID"]]
    assert [e["id"] for e in record["replayed"]] == [case.noop["eventID"]]
    assert "no_change 1" in result.stderr


def test_a_newer_quiet_call_that_undid_part_of_a_late_one_is_evidence(
    state_file: Path, tmp_path: Path
) -> None:
    """Not every quiet call is a no-op where it sits: one made after a late-delivered call,
    putting back part of what it changed, is why the drift shows less than that call did."""
    wide = _policy("s3:GetObject", "s3:PutObject", "s3:DeleteObject")
    late = _put_role_policy("iam-late", 1, wide)
    back = _put_role_policy("iam-back", 2, STATE_POLICY)
    again = _put_role_policy("iam-again", 3, _policy("s3:GetObject", "s3:PutObject"))
    pipeline = Pipeline(lambda: _engine(state_file), _ledger(tmp_path), CollectorMetrics())
    for event in _events([back, again, late]):
        assert pipeline.process(Item(event, 0.0, "test"))
    drift = _stored(tmp_path)
    # back (09:02) set what state says; again (09:03) opened the drift; late (09:01) changed
    # the policy where it sits, back undid it: both are part of the story, nothing replayed.
    assert [e.id for e in drift.events] == ["iam-late", "iam-back", "iam-again"]
    assert drift.replayed == ()


def _set_queue(event_id: str, minute: int, attributes: dict[str, str]) -> dict[str, Any]:
    return _record(
        event_id,
        "SetQueueAttributes",
        "sqs.amazonaws.com",
        minute,
        {"queueUrl": QUEUE_URL, "attributes": attributes},
    )


def test_weeks_of_noop_calls_keep_the_stored_drift_small_and_readable(
    state_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job setting what the drift already says, again and again, for weeks: each call is
    folded into the stored drift (replayed only), the same call in a row kept once. The
    object stays small, so it can still be read; with every call kept it would pass the
    limit a ledger object may have and the drift would be lost."""
    monkeypatch.setattr(local, "MAX_OBJECT_BYTES", 64 << 10)  # 1,000 calls are ~1 MB
    pipeline = Pipeline(lambda: _engine(state_file), _ledger(tmp_path), CollectorMetrics())
    calls = [_set_visibility("real", 0, "100")]
    for n in range(1, 1001):
        calls.append(_set_queue(f"noop-{n}", n, {"VisibilityTimeout": "100"}))
    calls.append(_set_queue("noop-odd", 1001, {"DelaySeconds": "0", "VisibilityTimeout": "100"}))
    for event in _events(calls):
        assert pipeline.process(Item(event, 0.0, "test"))
    assert pipeline.metrics.skips.value("no_change") == 1001
    drift = _stored(tmp_path)
    assert [e.id for e in drift.events] == ["real"]
    assert [e.id for e in drift.replayed] == ["noop-1000", "noop-odd"]
    assert len(drift.replayed) <= REPLAYED_PER_CALL
    assert [(c.path, c.before, c.after) for c in drift.changes] == [
        ("visibility_timeout_seconds", 30, 100)
    ]
    size = max(p.stat().st_size for p in (tmp_path / "ledger" / "open").iterdir())
    assert size < 8 << 10
    # A late call older than all of them is judged against the newest: undone by them.
    late = _events([_set_queue("late", -5, {"DelaySeconds": "30", "VisibilityTimeout": "5"})])
    assert pipeline.process(Item(late[0], 0.0, "test"))
    after = _stored(tmp_path)
    assert [(c.path, c.before, c.after) for c in after.changes] == [
        ("visibility_timeout_seconds", 30, 100)
    ]


def test_an_open_drift_too_big_to_read_back_refuses_calls_and_can_still_close(
    state_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Evidence is never dropped: a drift changed again and again keeps every call. Past half
    the object limit a call that would grow it is refused and counted, the stored drift stays
    readable, and a revert still resolves it."""
    limit = 32 << 10
    monkeypatch.setattr(base, "MAX_OBJECT_BYTES", limit)
    monkeypatch.setattr(local, "MAX_OBJECT_BYTES", limit)
    metrics = CollectorMetrics()
    pipeline = Pipeline(lambda: _engine(state_file), _ledger(tmp_path), metrics)
    outcomes = [
        pipeline.process(Item(event, 0.0, "test"))
        for event in _events([_set_visibility(f"c-{n}", n, str(100 + n)) for n in range(60)])
    ]
    refused = outcomes.index(False)
    assert refused > 5 and not any(outcomes[refused:])
    assert metrics.errors.value("ledger") == 60 - refused
    drift = _stored(tmp_path)  # still readable, with every call it took
    assert [e.id for e in drift.events] == [f"c-{n}" for n in range(refused)]
    size = max(p.stat().st_size for p in (tmp_path / "ledger" / "open").iterdir())
    assert size <= limit // 2
    (revert,) = _events([_set_visibility("revert", 99, "30")])
    assert pipeline.process(Item(revert, 0.0, "test"))
    listing = _ledger(tmp_path).list()
    assert listing.corrupt == ()
    (closed,) = listing.drifts
    assert (closed.id, closed.status.value) == (drift.id, "resolved")
