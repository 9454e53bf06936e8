"""The ledger contract: both adapters (local directory, S3 on moto over HTTP) must pass it all."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tests.ledger.ledger_support import (
    NOW,
    STATE,
    T0,
    CountingStorage,
    add,
    address,
    event,
    make_engine,
    record_one,
    remove,
    stored_json,
    stored_objects,
    thing_id,
)
from tfdrift_gitops.core.engine import Skip
from tfdrift_gitops.core.fold import FoldResult
from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.errors import (
    CorruptRecordError,
    LedgerConflictError,
    LedgerError,
    NotFoundError,
)
from tfdrift_gitops.ledger import StoredLedger, layout
from tfdrift_gitops.models import Kind, Severity, Status


def keys(ledger: StoredLedger, prefix: str = "") -> list[str]:
    return list(ledger.storage.list_keys(prefix))


def open_key_of(index: int) -> str:
    engine = make_engine()
    [finding] = engine.evaluate(add(index, "1.1.1.1/32")).findings
    return layout.open_key(layout.resource_hash(finding.resource.key))


# --------------------------------------------------------------------------- folding


def test_first_event_opens_one_drift_under_open_with_an_id_reference(
    ledger: StoredLedger,
) -> None:
    engine = make_engine()
    folded = record_one(ledger, engine, add(3, "1.2.3.4/32"))
    assert folded.result is FoldResult.OPENED
    assert folded.drift is not None
    drift = folded.drift
    assert drift.resource.address == address(3)
    assert [c.to_dict() for c in drift.changes] == [
        {"path": "cidrs", "before": ["10.0.0.0/8"], "after": ["10.0.0.0/8", "1.2.3.4/32"]}
    ]
    assert keys(ledger) == [
        layout.index_key(drift.id),
        layout.META_KEY,
        open_key_of(3),
    ]
    assert drift_to_record(ledger.get(drift.id)) == drift_to_record(drift)
    assert [d.id for d in ledger.list_open().drifts] == [drift.id]


def test_a_redelivered_event_changes_nothing(ledger: StoredLedger) -> None:
    engine = make_engine()
    first = record_one(ledger, engine, add(1, "1.2.3.4/32"))
    before = stored_objects(ledger.storage)
    again = record_one(ledger, engine, add(1, "1.2.3.4/32"))
    assert again.result is FoldResult.UNCHANGED
    assert again.skip is Skip.DUPLICATE
    assert again.drift == first.drift
    assert stored_objects(ledger.storage) == before


def test_events_join_the_open_drift_and_severity_only_rises(ledger: StoredLedger) -> None:
    engine = make_engine()
    opened = record_one(ledger, engine, add(2, "1.2.3.4/32", seconds=10))
    escalated = record_one(ledger, engine, add(2, "0.0.0.0/0", seconds=20))
    joined = record_one(ledger, engine, add(2, "5.6.7.8/32", seconds=5))  # older: out of order
    assert [opened.result, escalated.result, joined.result] == [
        FoldResult.OPENED,
        FoldResult.ESCALATED,
        FoldResult.UPDATED,
    ]
    stored = ledger.get(opened.drift.id if opened.drift else "")
    assert stored.severity is Severity.HIGH
    assert [e.id for e in stored.events] == ["AddCidr-5", "AddCidr-10", "AddCidr-20"]
    assert stored.event.id == "AddCidr-20"
    assert stored.changes[0].after == ["10.0.0.0/8", "5.6.7.8/32", "1.2.3.4/32", "0.0.0.0/0"]
    assert len(ledger.list_open().drifts) == 1


def test_a_terraform_revert_resolves_and_archives_the_drift(ledger: StoredLedger) -> None:
    engine = make_engine()
    opened = record_one(ledger, engine, add(4, "1.2.3.4/32", seconds=10))
    assert opened.drift is not None
    resolved = record_one(ledger, engine, remove(4, "1.2.3.4/32", seconds=60, terraform=True))
    assert resolved.result is FoldResult.RESOLVED
    drift_id = opened.drift.id
    archive = f"archive/{drift_id[2:4]}/{drift_id}.json"
    assert keys(ledger, "open/") == []
    assert keys(ledger, "archive/") == [archive]
    # The drift's reference, and the index entry of its other event.
    assert sorted(keys(ledger, "index/")) == sorted(
        layout.index_key(layout.claim_of(opened.drift.resource.key, e))
        for e in ("AddCidr-10", "RemoveCidr-60")
    )
    assert layout.claim_of(opened.drift.resource.key, "AddCidr-10") == drift_id
    stored = ledger.get(drift_id)
    assert stored.status is Status.RESOLVED
    assert [t.status for t in stored.history] == [Status.OPEN, Status.RESOLVED]
    assert stored.history[-1].evidence["event_id"] == "RemoveCidr-60"
    assert stored.history[-1].reason == "reverted by Terraform"
    assert ledger.list_open().drifts == ()
    assert [d.id for d in ledger.list(Status.RESOLVED).drifts] == [drift_id]


def test_redelivery_after_the_drift_was_archived_changes_nothing(ledger: StoredLedger) -> None:
    engine = make_engine()
    record_one(ledger, engine, add(4, "1.2.3.4/32", seconds=10))
    record_one(ledger, engine, remove(4, "1.2.3.4/32", seconds=60, terraform=True))
    before = stored_objects(ledger.storage)
    again = record_one(ledger, engine, add(4, "1.2.3.4/32", seconds=10))
    assert (again.result, again.drift, again.skip) == (FoldResult.UNCHANGED, None, Skip.DUPLICATE)
    revert_again = record_one(ledger, engine, remove(4, "1.2.3.4/32", seconds=60, terraform=True))
    assert revert_again.result is FoldResult.NOT_DRIFT
    assert stored_objects(ledger.storage) == before


def test_redelivery_into_a_newer_drift_of_the_same_resource_changes_nothing(
    ledger: StoredLedger,
) -> None:
    engine = make_engine()
    record_one(ledger, engine, add(4, "1.2.3.4/32", seconds=10))
    record_one(ledger, engine, remove(4, "1.2.3.4/32", seconds=60, terraform=True))
    newer = record_one(ledger, engine, add(4, "9.9.9.9/32", seconds=120))
    assert newer.result is FoldResult.OPENED
    before = stored_objects(ledger.storage)
    redelivered = record_one(ledger, engine, add(4, "1.2.3.4/32", seconds=10))
    assert (redelivered.result, redelivered.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    # Terraform's call leaves the newer drift as it is: not recorded, whichever reason wins.
    terraform = record_one(ledger, engine, remove(4, "1.2.3.4/32", seconds=60, terraform=True))
    assert terraform.result is FoldResult.UNCHANGED
    assert terraform.skip in (Skip.DUPLICATE, Skip.TRUSTED)
    assert stored_objects(ledger.storage) == before
    [current] = ledger.list_open().drifts
    assert [e.id for e in current.events] == ["AddCidr-120"]


def test_trusted_calls_without_open_drift_store_nothing(ledger: StoredLedger) -> None:
    engine = make_engine()
    folded = record_one(ledger, engine, add(5, "1.2.3.4/32", terraform=True))
    assert (folded.result, folded.skip) == (FoldResult.NOT_DRIFT, Skip.TRUSTED)
    assert keys(ledger, "open/") == []


def test_unmanaged_and_deleted_resources(ledger: StoredLedger) -> None:
    engine = make_engine()
    created = event("CreateThing", {"name": "rogue"}, seconds=1, response={"thingId": "t-rogue"})
    unmanaged = record_one(ledger, engine, created)
    deleted = record_one(ledger, engine, event("DeleteThing", {"thingId": thing_id(7)}, seconds=2))
    assert unmanaged.drift is not None
    assert deleted.drift is not None
    assert unmanaged.drift.kind is Kind.UNMANAGED
    assert deleted.drift.kind is Kind.DELETED
    assert {d.kind for d in ledger.list_open().drifts} == {Kind.UNMANAGED, Kind.DELETED}
    # The unmanaged thing is deleted again by hand: its drift resolves and is archived.
    gone = record_one(ledger, engine, event("DeleteThing", {"thingId": "t-rogue"}, seconds=3))
    assert gone.result is FoldResult.RESOLVED
    assert [d.kind for d in ledger.list_open().drifts] == [Kind.DELETED]


# --------------------------------------------------------------------------- reassess


def test_reassess_against_a_newer_state_resolves_imported_changes(ledger: StoredLedger) -> None:
    engine = make_engine()
    imported = record_one(ledger, engine, add(1, "1.2.3.4/32"))
    still = record_one(ledger, engine, add(2, "5.6.7.8/32"))
    assert imported.drift is not None
    assert still.drift is not None
    newer = make_engine(serial=2, cidrs={1: ["10.0.0.0/8", "1.2.3.4/32"]})
    report = ledger.reassess_open(newer, now=NOW)
    assert [(f.result, f.drift.id if f.drift else "") for f in report.changed] == [
        (FoldResult.RESOLVED, imported.drift.id)
    ]
    assert report.unchanged == 1
    resolved = ledger.get(imported.drift.id)
    assert resolved.status is Status.RESOLVED
    assert resolved.history[-1].by == "terraform-state"
    assert resolved.history[-1].evidence["serial"] == 2
    assert [d.id for d in ledger.list_open().drifts] == [still.drift.id]
    assert keys(ledger, "archive/") == [layout.archive_key(imported.drift.id)]


def test_reassess_leaves_drifts_of_states_it_did_not_load_alone(ledger: StoredLedger) -> None:
    other_state = "s3://tf-state/other/terraform.tfstate"
    other = make_engine(source=other_state)
    folded = record_one(ledger, other, add(1, "1.2.3.4/32"))
    assert folded.drift is not None
    assert folded.drift.resource.state == other_state
    report = ledger.reassess_open(make_engine(resources=0))  # its thing is "gone" from *this* state
    assert (report.changed, report.other_state) == ((), 1)
    assert ledger.get(folded.drift.id).status is Status.OPEN


def test_reassess_resolves_an_unmanaged_resource_once_imported(ledger: StoredLedger) -> None:
    engine = make_engine()
    created = event("CreateThing", {"name": "rogue"}, response={"thingId": "t-rogue"})
    folded = record_one(ledger, engine, created)
    assert folded.drift is not None
    report = ledger.reassess_open(make_engine(extra_ids=["t-rogue"]))
    assert [f.result for f in report.changed] == [FoldResult.RESOLVED]
    assert ledger.get(folded.drift.id).status is Status.RESOLVED


# --------------------------------------------------------------------------- lifecycle


def test_lifecycle_steps_are_stored_with_who_why_and_evidence(ledger: StoredLedger) -> None:
    engine = make_engine()
    opened = record_one(ledger, engine, add(1, "1.2.3.4/32"))
    assert opened.drift is not None
    drift_id = opened.drift.id
    acked = ledger.ack(drift_id, by="alice", reason="looking into it", now=NOW)
    assert acked.status is Status.OPEN
    assert acked.history[-1].evidence == {"acknowledged": True}
    issue = ledger.set_github(
        drift_id, issue_number=12, status=Status.ISSUE_OPENED, by="reconcile", now=NOW
    )
    assert (issue.status, issue.issue_number) == (Status.ISSUE_OPENED, 12)
    pr = ledger.set_github(drift_id, pr_number=34, status=Status.PR_OPENED, now=NOW)
    assert (pr.issue_number, pr.pr_number, pr.status) == (12, 34, Status.PR_OPENED)
    ignored = ledger.transition(
        drift_id, Status.IGNORED, by="bob", reason="accepted risk", evidence={"ticket": "SEC-1"}
    )
    assert ignored.status is Status.IGNORED
    stored = ledger.get(drift_id)
    assert [(t.status, t.by) for t in stored.history] == [
        (Status.OPEN, opened.drift.history[0].by),
        (Status.OPEN, "alice"),
        (Status.ISSUE_OPENED, "reconcile"),
        (Status.PR_OPENED, "github"),
        (Status.IGNORED, "bob"),
    ]
    assert stored.history[-1].evidence == {"ticket": "SEC-1"}
    assert keys(ledger, "open/") == []
    assert ledger.list(Status.IGNORED).drifts[0].id == drift_id
    # The reconciler may still note the PR it closed on an archived drift ...
    noted = ledger.set_github(drift_id, pr_number=35)
    assert (noted.pr_number, noted.status) == (35, Status.IGNORED)
    assert ledger.get(drift_id).pr_number == 35
    # ... but a closed drift is final.
    with pytest.raises(LedgerError, match="already ignored"):
        ledger.transition(drift_id, Status.RESOLVED, by="carol")
    with pytest.raises(LedgerError, match="already ignored"):
        ledger.ack(drift_id, by="carol")


@pytest.mark.parametrize(
    "drift_id",
    [
        pytest.param("d-0123456789abcdef", id="unknown"),
        pytest.param("../../etc/passwd", id="path"),
        pytest.param("D-0123456789ABCDEF", id="upper-case"),
        pytest.param("", id="empty"),
    ],
)
def test_unknown_or_malformed_ids_are_not_found(ledger: StoredLedger, drift_id: str) -> None:
    with pytest.raises(NotFoundError):
        ledger.get(drift_id)
    with pytest.raises(NotFoundError):
        ledger.transition(drift_id, Status.RESOLVED, by="me")


# --------------------------------------------------------------------------- cursors


def test_cursors_only_move_forward(ledger: StoredLedger) -> None:
    assert ledger.get_cursor("falco-grpc") is None
    assert ledger.put_cursor("falco-grpc", T0) == T0
    assert ledger.put_cursor("falco-grpc", T0 - timedelta(hours=1)) == T0
    assert ledger.put_cursor("falco-grpc", T0 + timedelta(minutes=5)) == T0 + timedelta(minutes=5)
    assert ledger.get_cursor("falco-grpc") == T0 + timedelta(minutes=5)
    assert ledger.put_cursor("s3://trail/AWSLogs/../x", T0) == T0  # hostile name: hashed key
    assert ledger.get_cursor("s3://trail/AWSLogs/../x") == T0
    assert all(".." not in k for k in keys(ledger, "cursors/"))


# --------------------------------------------------------------------------- layout guarantees


def test_every_stored_object_carries_its_schema_version(ledger: StoredLedger) -> None:
    engine = make_engine()
    record_one(ledger, engine, add(1, "1.2.3.4/32", seconds=1))
    record_one(ledger, engine, remove(1, "1.2.3.4/32", seconds=2, terraform=True))
    record_one(ledger, engine, add(2, "1.2.3.4/32", seconds=3))
    ledger.put_cursor("falco", T0)
    documents = stored_json(ledger.storage)
    prefixes = {k.split("/", 1)[0] for k in documents}
    assert prefixes == {"ledger.json", "open", "index", "archive", "cursors"}
    schemas = {k: d.get("schema") for k, d in documents.items()}
    assert all(re.fullmatch(r"tfdrift-gitops/[a-z-]+/v\d+", str(s)) for s in schemas.values()), (
        schemas
    )


def test_listing_open_drifts_costs_requests_in_proportion_to_open_drifts(
    ledger: StoredLedger,
) -> None:
    engine = make_engine()
    for i in range(12):  # history: twelve drifts opened and reverted
        record_one(ledger, engine, add(i, "1.2.3.4/32", seconds=i))
        record_one(ledger, engine, remove(i, "1.2.3.4/32", seconds=100 + i, terraform=True))
    for i in range(3):
        record_one(ledger, engine, add(i, "9.9.9.9/32", seconds=200 + i))
    counting = CountingStorage(ledger.storage)
    listing = StoredLedger(counting).list_open()
    assert len(listing.drifts) == 3
    # One listing of open/ plus one read per open drift (and the layout marker, once).
    assert counting.calls == {"list": 1, "get": 3 + 1}
    history = CountingStorage(ledger.storage)
    assert len(StoredLedger(history).list().drifts) == 15
    assert history.calls == {"list": 2, "get": 15 + 1}


def test_secrets_in_events_never_reach_the_stored_bytes(ledger: StoredLedger) -> None:
    engine = make_engine()
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    hook = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"
    ev = event(
        "AddCidr",
        {
            "thingId": thing_id(1),
            "cidr": "1.2.3.4/32",
            "masterUserPassword": "hunter2",
            "notify": {"url": hook},
        },
        response={"credentials": {"secretAccessKey": secret, "sessionToken": "FQoGZXIvYXdzE"}},
    )
    folded = record_one(ledger, engine, ev)
    assert folded.drift is not None
    record_one(ledger, engine, remove(1, "1.2.3.4/32", seconds=5, terraform=True))  # archive too
    everything = b"\n".join(stored_objects(ledger.storage).values())
    for needle in (secret, hook, "hunter2", "FQoGZXIvYXdzE", "testing"):
        assert needle.encode() not in everything, needle
    assert b"<redacted by tfdrift-gitops>" in everything


# --------------------------------------------------------------------------- races


class _Interloper:
    """Wraps real storage; before our Nth conditional update, another ledger object folds an
    event into the same drift, so our If-Match loses (a real 412 from the real store)."""

    def __init__(self, inner: Any, other: StoredLedger, events: list[Any]) -> None:
        self.inner = inner
        self.other = other
        self.events = events
        self.lost = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @property
    def location(self) -> str:
        return str(self.inner.location)

    def put_if_match(self, key: str, data: bytes, etag: str) -> str | None:
        if self.events:
            record_one(self.other, make_engine(), self.events.pop(0))
        result = self.inner.put_if_match(key, data, etag)
        self.lost += result is None
        return result  # type: ignore[no-any-return]


def test_a_lost_conditional_write_rereads_and_loses_no_update(make_ledger: Any) -> None:
    base = make_ledger()
    engine = make_engine()
    opened = record_one(base, engine, add(1, "1.1.1.1/32", seconds=1))
    assert opened.drift is not None
    racing = _Interloper(base.storage, make_ledger(), [add(1, "2.2.2.2/32", seconds=2)])
    folded = record_one(StoredLedger(racing), engine, add(1, "3.3.3.3/32", seconds=3))
    assert folded.result is FoldResult.UPDATED
    assert racing.lost == 1
    stored = base.get(opened.drift.id)
    assert [e.id for e in stored.events] == ["AddCidr-1", "AddCidr-2", "AddCidr-3"]
    assert stored.changes[0].after == ["10.0.0.0/8", "1.1.1.1/32", "2.2.2.2/32", "3.3.3.3/32"]


def test_a_writer_that_always_loses_gives_up_with_a_conflict_error(make_ledger: Any) -> None:
    base = make_ledger()
    engine = make_engine()
    record_one(base, engine, add(1, "1.1.1.1/32", seconds=1))
    rivals = [add(1, f"2.2.2.{n}/32", seconds=10 + n) for n in range(3)]
    racing = _Interloper(base.storage, make_ledger(), rivals)
    with pytest.raises(LedgerConflictError, match=re.escape(open_key_of(1))):
        record_one(StoredLedger(racing, max_attempts=3, backoff=0), engine, add(1, "3.3.3.3/32"))


# --------------------------------------------------------------------------- in-between states


def _interrupt_close(ledger: StoredLedger, *, archived: bool) -> str:
    """Leave a drift the way a writer killed after close step 1 (or 2) leaves it."""
    engine = make_engine()
    opened = record_one(ledger, engine, add(1, "1.2.3.4/32", seconds=1))
    assert opened.drift is not None
    key = open_key_of(1)
    blob = ledger.storage.get(key)
    assert blob is not None
    closed = replace(opened.drift, status=Status.RESOLVED)
    data = layout.encode_drift(closed)
    assert ledger.storage.put_if_match(key, data, blob.etag)
    if archived:
        assert ledger.storage.put_if_absent(layout.archive_key(closed.id), data)
    return opened.drift.id


@pytest.mark.parametrize(
    "archived", [pytest.param(False, id="step1"), pytest.param(True, id="step2")]
)
def test_readers_tolerate_an_interrupted_close_and_compact_finishes_it(
    ledger: StoredLedger, archived: bool
) -> None:
    drift_id = _interrupt_close(ledger, archived=archived)
    listing = ledger.list_open()
    assert (listing.drifts, listing.pending_archive) == ((), 1)
    assert [d.id for d in ledger.list().drifts] == [drift_id]
    assert ledger.get(drift_id).status is Status.RESOLVED
    report = ledger.compact()
    assert report.archived == (drift_id,)
    assert keys(ledger, "open/") == []
    assert keys(ledger, "archive/") == [layout.archive_key(drift_id)]
    assert ledger.list(Status.RESOLVED).drifts[0].id == drift_id
    assert ledger.compact().archived == ()
    again = record_one(ledger, make_engine(), add(1, "1.2.3.4/32", seconds=1))
    assert again.skip is Skip.DUPLICATE


def test_the_next_writer_finishes_an_interrupted_close(ledger: StoredLedger) -> None:
    old_id = _interrupt_close(ledger, archived=False)
    folded = record_one(ledger, make_engine(), add(1, "5.5.5.5/32", seconds=50))
    assert folded.result is FoldResult.OPENED
    assert folded.drift is not None
    assert folded.drift.id != old_id
    assert keys(ledger, "archive/") == [layout.archive_key(old_id)]
    assert [d.id for d in ledger.list_open().drifts] == [folded.drift.id]


def test_a_reference_without_a_drift_says_so(ledger: StoredLedger) -> None:
    folded = record_one(ledger, make_engine(), add(1, "5.5.5.5/32"))
    assert folded.drift is not None
    ghost = replace(folded.drift, id="d-00000000000000ff")
    ledger.storage.put_if_absent(
        layout.index_key(ghost.id), layout.encode_index(ghost.id, ghost, "ghost-event", NOW)
    )
    with pytest.raises(NotFoundError, match="never stored"):
        ledger.get(ghost.id)


# --------------------------------------------------------------------------- corrupt objects


def test_corrupt_objects_are_reported_by_key_and_can_be_quarantined(ledger: StoredLedger) -> None:
    engine = make_engine()
    good = record_one(ledger, engine, add(2, "1.2.3.4/32"))
    assert good.drift is not None
    storage = ledger.storage
    bad_open = open_key_of(1)
    storage.put_if_absent(bad_open, b'{"schema": "tfdrift-gitops/drift/v1", "id": ')
    wrong_schema = layout.archive_key("d-00000000000000aa")
    storage.put_if_absent(wrong_schema, json.dumps({"schema": "something/else"}).encode())
    misplaced = open_key_of(3)  # a valid record of thing 2 under thing 3's key
    blob = storage.get(open_key_of(2))
    assert blob is not None
    storage.put_if_absent(misplaced, blob.data)

    listing = ledger.list()
    assert [d.id for d in listing.drifts] == [good.drift.id]
    reported = {c.key: c.reason for c in listing.corrupt}
    assert set(reported) == {storage.url_for(k) for k in (bad_open, wrong_schema, misplaced)}
    assert "not valid JSON" in reported[storage.url_for(bad_open)]
    assert "expected schema" in reported[storage.url_for(wrong_schema)]
    assert "another resource" in reported[storage.url_for(misplaced)]
    assert {c.key for c in ledger.list_open().corrupt} == {
        storage.url_for(bad_open),
        storage.url_for(misplaced),
    }

    with pytest.raises(CorruptRecordError, match=re.escape(storage.url_for(bad_open))):
        record_one(ledger, engine, add(1, "1.1.1.1/32"))

    report = ledger.compact(quarantine_corrupt=True)
    assert set(report.quarantined) == {storage.url_for(bad_open), storage.url_for(misplaced)}
    assert keys(ledger, "quarantine/") == sorted(
        layout.quarantine_key(k) for k in (bad_open, misplaced)
    )
    quarantined = storage.get(layout.quarantine_key(bad_open))
    assert quarantined is not None
    assert quarantined.data.startswith(b'{"schema": "tfdrift-gitops/drift/v1", "id": ')
    folded = record_one(ledger, engine, add(1, "1.1.1.1/32"))
    assert folded.result is FoldResult.OPENED
    assert [c.key for c in ledger.list().corrupt] == [storage.url_for(wrong_schema)]


def test_a_ledger_from_a_newer_layout_is_refused(ledger: StoredLedger) -> None:
    ledger.storage.put_if_absent(
        layout.META_KEY, json.dumps({"schema": layout.LAYOUT_SCHEMA, "layout": 99}).encode()
    )
    with pytest.raises(LedgerError, match="layout 99 is not supported"):
        record_one(ledger, make_engine(), add(1, "1.1.1.1/32"))


def test_the_resource_key_is_the_fold_target(ledger: StoredLedger) -> None:
    """Two states holding the same address are two resources: two open objects."""
    a = record_one(ledger, make_engine(), add(1, "1.1.1.1/32"))
    b = record_one(ledger, make_engine(source="other.tfstate"), add(1, "1.1.1.1/32"))
    assert a.drift is not None
    assert b.drift is not None
    assert a.drift.resource.state == STATE
    assert a.drift.id != b.drift.id
    assert len(keys(ledger, "open/")) == 2


def test_a_dangling_reference_neither_hides_nor_duplicates_its_event(ledger: StoredLedger) -> None:
    """A writer that lost the race to open a drift (or died before its open write) leaves the
    reference of a drift that never existed. Its event must still fold in exactly once."""
    engine = make_engine()
    winner = record_one(ledger, engine, add(1, "1.1.1.1/32", seconds=1))
    assert winner.drift is not None
    late = add(1, "2.2.2.2/32", seconds=2)
    [finding] = engine.evaluate(late).findings
    claim = layout.claim_of(finding.resource.key, late.id)
    loser = replace(winner.drift, id=claim)
    ledger.storage.put_if_absent(
        layout.index_key(claim), layout.encode_index(claim, loser, late.id, NOW)
    )
    joined = record_one(ledger, engine, late)
    assert joined.result is FoldResult.UPDATED
    record_one(ledger, engine, remove(1, ["1.1.1.1/32", "2.2.2.2/32"], seconds=3, terraform=True))
    blob = ledger.storage.get(layout.index_key(claim))
    assert blob is not None
    assert layout.decode_index(blob.data, "x").drift_id == winner.drift.id  # repaired on close
    again = record_one(ledger, engine, late)
    assert (again.result, again.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    assert ledger.list_open().drifts == ()
    [archived] = ledger.list(Status.RESOLVED).drifts
    assert [e.id for e in archived.events] == ["AddCidr-1", "AddCidr-2", "RemoveCidr-3"]
