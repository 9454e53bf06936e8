"""Ledgers written before states were named as people know them (7d570f1) keep working.

The older version named a local state by the path it was given (often absolute); the drift's
ledger key includes that name. The objects here are stored as that version stored them
(``tests/fixtures/ledger/older_state_names``, from its own golden output; see
``regenerate_older_names.py``), in a local directory and on S3 (moto over HTTP), with the state
a real file loaded by ``StateSource`` as ``detect`` and ``collect`` load it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.ledger.ledger_support import (
    CATALOG,
    CountingStorage,
    add,
    address,
    record,
    record_one,
    remove,
    state_doc,
    stored_objects,
)
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.core import fold as core_fold
from tfdrift_gitops.core.engine import Engine, Skip
from tfdrift_gitops.core.fold import FoldResult
from tfdrift_gitops.core.policy import Policy
from tfdrift_gitops.errors import LedgerError
from tfdrift_gitops.ledger import StoredLedger, layout
from tfdrift_gitops.ledger.s3 import S3Storage
from tfdrift_gitops.models import Status

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ledger" / "older_state_names"
NEW_NAME = "envs/prod/terraform.tfstate"
"""The state's name now: its path in the repository (detect runs in envs/prod)."""
MEMBER = 1  # the resource of the fixture's drift
OLDER_EVENTS = ["AddCidr-10", "AddCidr-20"]
ARCHIVED = 4  # the resource of the fixture's archived drift
ARCHIVED_EVENTS = ["AddCidr-60", "RemoveCidr-70"]


@dataclass(frozen=True)
class World:
    repo: Path
    state: Path


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    repo = tmp_path / "checkout"
    (repo / ".git").mkdir(parents=True)
    state = repo / "envs" / "prod" / "terraform.tfstate"
    state.parent.mkdir(parents=True)
    write_state(state)
    monkeypatch.chdir(state.parent)
    return World(repo, state)


def write_state(path: Path, **kwargs: Any) -> None:
    path.write_text(json.dumps(state_doc(**kwargs)), encoding="utf-8")


def load_engine(*specs: str) -> Engine:
    """The engine ``detect --state SPEC`` builds (with the ledger tests' catalog)."""
    return Engine(StateSource(specs or ["terraform.tfstate"]).index(), CATALOG, Policy())


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return values.get(value, value) if isinstance(value, str) else value


def older_key(name: str, workspace: str = "default") -> str:
    return f"{name}|{workspace}|{address(MEMBER)}"


def seed_older(ledger: StoredLedger, name: str, workspace: str = "default") -> str:
    """Store member[1]'s open drift as the older version stored it, its state named ``name``.
    Returns the drift id (as that version derived it from the resource key)."""
    resource_key = older_key(name, workspace)
    drift_id = core_fold.drift_id(resource_key, OLDER_EVENTS[0])
    rk = layout.resource_hash(resource_key)
    values = {"@STATE@": name, "@ID@": drift_id, "@RK@": rk}
    for fixture, key in [
        ("ledger.json", layout.META_KEY),
        ("open_drift.json", layout.open_key(rk)),
        ("reference.json", layout.index_key(drift_id)),
    ]:
        document = _fill(json.loads((FIXTURES / fixture).read_text(encoding="utf-8")), values)
        if "resource" in document:
            document["resource"]["workspace"] = workspace
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        stored = ledger.storage.put_if_absent(key, data)
        assert stored is not None or key == layout.META_KEY, key  # a second drift: one marker
    return drift_id


def seed_archived_older(ledger: StoredLedger, name: str) -> str:
    """Store member[4]'s drift, reverted by Terraform and archived, as the older version
    stored it: archive object, reference, index entry of its second event."""
    resource_key = f"{name}|default|{address(ARCHIVED)}"
    first, second = ARCHIVED_EVENTS
    drift_id = core_fold.drift_id(resource_key, first)
    claim = layout.claim_of(resource_key, second)
    values = {"@STATE@": name, "@ID@": drift_id, "@RK@": layout.resource_hash(resource_key)}
    values["@CLAIM@"] = claim
    for fixture, key in [
        ("ledger.json", layout.META_KEY),
        ("archived_drift.json", layout.archive_key(drift_id)),
        ("reference.json", layout.index_key(drift_id)),
        ("archived_index.json", layout.index_key(claim)),
    ]:
        document = _fill(json.loads((FIXTURES / fixture).read_text(encoding="utf-8")), values)
        if fixture == "reference.json":
            document["event_id"] = first
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        stored = ledger.storage.put_if_absent(key, data)
        assert stored is not None or key == layout.META_KEY, key
    return drift_id


def ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "tfdrift_gitops.ledger.renames"]


def new_open_key() -> str:
    return layout.open_key(layout.resource_hash(older_key(NEW_NAME)))


# The names an older version gave this file (``detect --state`` as given; ``resolve``d paths
# when a directory was given), each run from where that run ran.
OLDER_NAMES: dict[str, Callable[[World], str]] = {
    "absolute": lambda w: str(w.state),
    "through-a-symlink": lambda w: str(w.repo.parent / "link" / "envs/prod/terraform.tfstate"),
    "dot-segments": lambda w: str(w.repo / "envs" / "staging" / ".." / "prod/terraform.tfstate"),
    "relative-to-the-run": lambda w: "terraform.tfstate",
}


@pytest.fixture(params=[pytest.param(k, id=k) for k in OLDER_NAMES])
def older_name(request: pytest.FixtureRequest, world: World) -> str:
    (world.repo.parent / "link").symlink_to(world.repo)
    (world.repo / "envs" / "staging").mkdir()
    return OLDER_NAMES[str(request.param)](world)


@pytest.mark.parametrize(
    "reassess_first",
    [pytest.param(True, id="detect-reassesses-first"), pytest.param(False, id="collector")],
)
def test_a_new_event_joins_the_older_drift_and_renames_it(
    make_ledger: Any, older_name: str, reassess_first: bool
) -> None:
    drift_id = seed_older(make_ledger(), older_name)
    engine = load_engine()
    ledger = make_ledger()
    before = stored_objects(ledger.storage)
    if reassess_first:
        checked = ledger.reassess_open(engine)
        assert (checked.changed, checked.unchanged, checked.other_state) == ((), 1, 0)
        assert stored_objects(ledger.storage) == before  # nothing changed: nothing written
    [folded] = record(ledger, engine, add(MEMBER, "5.6.7.8/32", seconds=30))
    assert folded.result is FoldResult.UPDATED
    assert folded.drift is not None and folded.drift.id == drift_id

    reader = make_ledger()  # another process, no state loaded
    [drift] = reader.list_open().drifts
    assert drift.id == drift_id
    assert (drift.resource.state, drift.resource.address) == (NEW_NAME, address(MEMBER))
    assert [e.id for e in drift.events] == [*OLDER_EVENTS, "AddCidr-30"]
    assert drift.changes[0].after == ["10.0.0.0/8", "1.2.3.4/32", "0.0.0.0/0", "5.6.7.8/32"]
    assert [(h.status, h.by) for h in drift.history][1] == (Status.OPEN, "alice")  # the ack
    assert list(reader.storage.list_keys(layout.OPEN_PREFIX)) == [new_open_key()]
    assert reader.get(drift_id).resource.state == NEW_NAME
    reference = json.loads(stored_objects(reader.storage)[layout.index_key(drift_id)])
    assert reference["rk"] == layout.resource_hash(older_key(NEW_NAME))
    assert reference["event_id"] == OLDER_EVENTS[0]


def test_redeliveries_write_nothing_before_or_after_the_rename(
    make_ledger: Any, world: World
) -> None:
    drift_id = seed_older(make_ledger(), str(world.state))
    engine = load_engine()
    counting = CountingStorage(make_ledger().storage)
    ledger = StoredLedger(counting)
    before = stored_objects(counting.inner)

    # An event the older drift already holds: not even the rename is written.
    redelivered = record_one(ledger, engine, add(MEMBER, "0.0.0.0/0", seconds=20))
    assert (redelivered.result, redelivered.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    assert counting.calls["put"] == counting.calls["delete"] == 0
    assert stored_objects(counting.inner) == before

    assert record_one(ledger, engine, add(MEMBER, "5.6.7.8/32", seconds=30)).drift is not None
    after = stored_objects(counting.inner)
    assert counting.calls["delete"] == 1  # the older object, once moved

    # The new event twice more: to this process (it reads only) and to another one (whose
    # first try is a create that finds the drift there: a conditional write that fails).
    counting.calls.clear()
    again = record_one(ledger, load_engine(), add(MEMBER, "5.6.7.8/32", seconds=30))
    assert (again.result, again.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    assert counting.calls["put"] == counting.calls["delete"] == 0
    again = record_one(make_ledger(), load_engine(), add(MEMBER, "5.6.7.8/32", seconds=30))
    assert (again.result, again.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    assert stored_objects(counting.inner) == after
    assert [d.id for d in make_ledger().list_open().drifts] == [drift_id]


def test_reassess_judges_the_older_drift_against_the_state_now_loaded(
    make_ledger: Any, world: World
) -> None:
    drift_id = seed_older(make_ledger(), str(world.state))
    # Terraform imported the change: the newer state holds what the drift saw.
    write_state(world.state, serial=2, cidrs={MEMBER: ["10.0.0.0/8", "1.2.3.4/32", "0.0.0.0/0"]})
    ledger = make_ledger()
    checked = ledger.reassess_open(load_engine())
    assert checked.other_state == 0
    [folded] = checked.changed
    assert folded.drift is not None and folded.drift.id == drift_id
    assert folded.drift.status is Status.RESOLVED
    assert list(ledger.storage.list_keys(layout.OPEN_PREFIX)) == []
    archived = make_ledger().get(drift_id)
    assert (archived.status, archived.resource.state) == (Status.RESOLVED, NEW_NAME)
    assert archived.history[-1].evidence["serial"] == 2
    # A redelivered event of the archived drift is still known, under the new name (against
    # the state it drifted from, where it is drift).
    write_state(world.state, serial=3)
    again = record_one(make_ledger(), load_engine(), add(MEMBER, "1.2.3.4/32", seconds=10))
    assert (again.result, again.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    assert make_ledger().list_open().drifts == ()


UNMATCHED: dict[str, tuple[Callable[[World], str], str]] = {
    "another-machine": (lambda w: "/home/runner/work/infra/envs/prod/terraform.tfstate", "default"),
    "another-workspace": (lambda w: str(w.state), "staging"),
    "a-file-not-loaded": (lambda w: str(w.repo / "envs/dev/terraform.tfstate"), "default"),
}


@pytest.mark.parametrize("case", [pytest.param(k, id=k) for k in UNMATCHED])
def test_an_older_name_of_no_loaded_state_is_left_alone_and_logged_once(
    make_ledger: Any, world: World, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    make_name, workspace = UNMATCHED[case]
    name = make_name(world)
    drift_id = seed_older(make_ledger(), name, workspace)
    older = {k: v for k, v in stored_objects(make_ledger().storage).items() if k != layout.META_KEY}
    ledger = make_ledger()
    engine = load_engine()
    with caplog.at_level(logging.WARNING, logger="tfdrift_gitops.ledger.renames"):
        for _ in range(2):
            assert ledger.reassess_open(engine).other_state == 1
        folded = record_one(ledger, engine, add(MEMBER, "5.6.7.8/32", seconds=30))
    # Not the same state, as far as this machine can tell: the event opens its own drift.
    assert folded.result is FoldResult.OPENED
    assert folded.drift is not None and folded.drift.resource.state == NEW_NAME
    stored = stored_objects(make_ledger().storage)
    assert {k: stored[k] for k in older} == older  # byte for byte
    assert {d.id for d in make_ledger().list_open().drifts} == {drift_id, folded.drift.id}
    said = [r.getMessage() for r in ours(caplog) if name in r.getMessage()]
    assert len(said) == 1, said
    assert drift_id in said[0]


class _Killed(BaseException):
    pass


class _StopsBeforeDelete(CountingStorage):
    """A writer killed after it stored the renamed copy, before it removed the older one."""

    def delete_if_match(self, key: str, etag: str) -> bool:
        raise _Killed(key)


def test_a_rename_stopped_half_way_is_finished_by_the_next_writer(
    make_ledger: Any, world: World
) -> None:
    drift_id = seed_older(make_ledger(), str(world.state))
    stopping = StoredLedger(_StopsBeforeDelete(make_ledger().storage))
    with pytest.raises(_Killed):
        record_one(stopping, load_engine(), add(MEMBER, "5.6.7.8/32", seconds=30))
    between = make_ledger()
    assert len(list(between.storage.list_keys(layout.OPEN_PREFIX))) == 2  # both copies
    assert [d.id for d in between.list_open().drifts] == [drift_id]  # listed once
    assert between.get(drift_id).resource.state == NEW_NAME  # the reference moved first

    folded = record_one(make_ledger(), load_engine(), add(MEMBER, "9.9.9.9/32", seconds=40))
    assert folded.drift is not None and folded.drift.id == drift_id
    after = make_ledger()
    assert list(after.storage.list_keys(layout.OPEN_PREFIX)) == [new_open_key()]
    [drift] = after.list_open().drifts
    assert [e.id for e in drift.events] == [*OLDER_EVENTS, "AddCidr-30", "AddCidr-40"]


@dataclass
class _ListsOpen(CountingStorage):
    open_listed: int = 0

    def list_keys(self, prefix: str) -> Iterator[str]:
        self.open_listed += prefix == layout.OPEN_PREFIX
        return super().list_keys(prefix)


def test_s3_states_kept_their_names_so_nothing_is_scanned(
    make_ledger: Any, s3_client: Any, s3_bucket: str, moto_endpoint: str
) -> None:
    s3_client.put_object(
        Bucket=s3_bucket, Key="prod/terraform.tfstate", Body=json.dumps(state_doc()).encode()
    )
    source = StateSource(
        [f"s3://{s3_bucket}/prod/terraform.tfstate"], s3_client_factory=lambda: s3_client
    )
    engine = Engine(source.index(), CATALOG, Policy())
    listing = _ListsOpen(make_ledger().storage)
    ledger = StoredLedger(listing)
    record_one(ledger, engine, add(MEMBER, "5.6.7.8/32", seconds=30))
    record_one(ledger, engine, add(MEMBER, "5.6.7.9/32", seconds=31))
    assert listing.open_listed == 0
    [drift] = make_ledger().list_open().drifts
    assert drift.resource.state == f"s3://{s3_bucket}/prod/terraform.tfstate"


class _AckedMeanwhile(CountingStorage):
    """Before the rename points the drift's reference at the new key, a person acks the drift
    through another process that found it by the reference a moment earlier: the ack lands on
    the older object after its copy was made (the race the move must not lose)."""

    def __init__(self, inner: Any, other: StoredLedger, drift_id: str) -> None:
        super().__init__(inner)
        self.other, self.drift_id, self.done = other, drift_id, False

    def put_if_match(self, key: str, data: bytes, etag: str) -> str | None:
        if key == layout.index_key(self.drift_id) and not self.done:
            self.done = True
            self.other.ack(self.drift_id, by="bob", reason="seen it")
        return super().put_if_match(key, data, etag)


def test_a_lifecycle_step_on_the_older_object_during_the_rename_is_kept(
    make_ledger: Any, world: World
) -> None:
    drift_id = seed_older(make_ledger(), str(world.state))
    racing = _AckedMeanwhile(make_ledger().storage, make_ledger(), drift_id)
    folded = record_one(StoredLedger(racing), load_engine(), add(MEMBER, "5.6.7.8/32", seconds=30))
    assert racing.done
    assert folded.drift is not None and folded.drift.id == drift_id
    reader = make_ledger()
    assert list(reader.storage.list_keys(layout.OPEN_PREFIX)) == [new_open_key()]
    drift = reader.get(drift_id)
    assert drift.resource.state == NEW_NAME
    assert [e.id for e in drift.events] == [*OLDER_EVENTS, "AddCidr-30"]
    assert [h.by for h in drift.history][-1] == "bob"


def test_a_drift_opened_under_the_new_name_meanwhile_keeps_both(
    make_ledger: Any, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """The version that named states anew without recognising older names opened a second
    drift when it replayed the same CloudTrail: both are kept, new events go to the newer one,
    and the log says so."""
    older_id = seed_older(make_ledger(), str(world.state))
    newer_id = seed_older(make_ledger(), NEW_NAME)
    with caplog.at_level(logging.WARNING, logger="tfdrift_gitops.ledger.renames"):
        joined = record_one(make_ledger(), load_engine(), add(MEMBER, "9.9.9.9/32", seconds=40))
    assert joined.drift is not None and joined.drift.id == newer_id
    drifts = {d.id: d for d in make_ledger().list_open().drifts}
    assert set(drifts) == {older_id, newer_id}
    assert drifts[older_id].resource.state == str(world.state)
    assert [e.id for e in drifts[older_id].events] == OLDER_EVENTS
    assert [e.id for e in drifts[newer_id].events] == [*OLDER_EVENTS, "AddCidr-40"]
    said = [r.getMessage() for r in ours(caplog) if older_id in r.getMessage()]
    assert len(said) == 1 and newer_id in said[0], said


def test_redeliveries_of_a_drift_archived_before_the_rename_write_nothing(
    make_ledger: Any, world: World
) -> None:
    seed_archived_older(make_ledger(), str(world.state))
    engine = load_engine()
    counting = CountingStorage(make_ledger().storage)
    ledger = StoredLedger(counting)
    before = stored_objects(counting.inner)
    # A re-run over the same CloudTrail: the hand-made change, then Terraform's revert.
    changed = record_one(ledger, engine, add(ARCHIVED, "9.9.9.9/32", seconds=60))
    assert (changed.result, changed.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    reverted = record_one(
        ledger, engine, remove(ARCHIVED, "9.9.9.9/32", seconds=70, terraform=True)
    )
    assert reverted.result is FoldResult.NOT_DRIFT
    assert counting.calls["put"] == counting.calls["delete"] == 0
    assert stored_objects(counting.inner) == before
    assert make_ledger().list_open().drifts == ()

    # A new change opens a drift under the new name; the old event replayed into it is
    # still known as the archived drift's.
    opened = record_one(ledger, engine, add(ARCHIVED, "8.8.8.8/32", seconds=80))
    assert opened.result is FoldResult.OPENED and opened.drift is not None
    again = record_one(make_ledger(), load_engine(), add(ARCHIVED, "9.9.9.9/32", seconds=60))
    assert (again.result, again.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    [drift] = make_ledger().list_open().drifts
    assert (drift.id, drift.resource.state) == (opened.drift.id, NEW_NAME)
    assert [e.id for e in drift.events] == ["AddCidr-80"]


def test_older_names_found_in_open_stay_known_after_the_move_and_a_state_reload(
    make_ledger: Any, world: World
) -> None:
    """A collector: the open drift named ``terraform.tfstate`` (relative to the older run) is
    moved; after the state reloads (a new index) a redelivered event of a drift archived under
    that name is still recognised."""
    seed_older(make_ledger(), "terraform.tfstate")
    seed_archived_older(make_ledger(), "terraform.tfstate")
    ledger = make_ledger()
    record_one(ledger, load_engine(), add(MEMBER, "5.6.7.8/32", seconds=30))
    assert list(ledger.storage.list_keys(layout.OPEN_PREFIX)) == [new_open_key()]
    reloaded = load_engine()
    again = record_one(ledger, reloaded, add(ARCHIVED, "9.9.9.9/32", seconds=60))
    assert (again.result, again.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    assert [d.resource.address for d in make_ledger().list_open().drifts] == [address(MEMBER)]


class _Requests:
    """S3 HTTP requests by operation, counted on the ledger's own client (``before-send`` fires
    once per attempt, as ``bench/bench_ledger.py`` counts them for docs/ledger.md)."""

    def __init__(self, ledger: StoredLedger) -> None:
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()  # a scan reads from several threads
        storage = ledger.storage
        assert isinstance(storage, S3Storage)
        storage.client.meta.events.register("before-send.s3", self)

    def __call__(self, event_name: str = "", **_: Any) -> None:
        with self.lock:
            self.counts[event_name.rsplit(".", 1)[-1]] += 1

    def take(self) -> dict[str, int]:
        with self.lock:
            counts, self.counts = dict(self.counts), Counter()
        return counts


@pytest.mark.parametrize("backend", [pytest.param("s3", id="s3")])
def test_requests_the_older_names_cost_on_a_local_state_named_anew(
    make_ledger: Any, world: World
) -> None:
    """docs/ledger.md's figures for a local state file: one listing of open/ plus one read per
    open drift on the first event of a loaded set of states, unless reassessment scanned; one
    more read per write (the event's claim under the state's path); the move itself."""
    seed_older(make_ledger(), str(world.state))
    seed_archived_older(make_ledger(), str(world.state))
    record_one(make_ledger(), load_engine(), add(2, "1.1.1.1/32", seconds=5))  # open: 2 drifts
    ledger = make_ledger()
    requests = _Requests(ledger)
    assert ledger.initialised()  # ledger.json, read once per process
    requests.take()
    engine = load_engine()

    opened = record_one(ledger, engine, add(3, "5.5.5.5/32", seconds=50))
    assert opened.result is FoldResult.OPENED
    # new drift 2 (PutObject 2) + the scan (1 LIST, 2 GET) + the claim under the path (1 GET)
    assert requests.take() == {"ListObjectsV2": 1, "GetObject": 3, "PutObject": 2}

    joined = record_one(ledger, engine, add(3, "6.6.6.6/32", seconds=51))
    assert joined.result is FoldResult.UPDATED
    assert requests.take() == {"GetObject": 2 + 1, "PutObject": 1}  # join 3, + 1

    again = record_one(ledger, engine, add(3, "6.6.6.6/32", seconds=51))
    assert (again.result, again.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    assert requests.take() == {"GetObject": 1}  # no write: nothing more

    archived = record_one(ledger, engine, add(ARCHIVED, "9.9.9.9/32", seconds=60))
    assert (archived.result, archived.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    # the event that opened a drift archived under the path: its claim there, the archive
    assert requests.take() == {"GetObject": 2}

    closed = record_one(
        ledger, engine, remove(3, ["5.5.5.5/32", "6.6.6.6/32"], seconds=52, terraform=True)
    )
    assert closed.drift is not None and closed.drift.status is Status.RESOLVED
    # the revert closes a 3-event drift: 8 (GetObject 2, PutObject 5, DeleteObject 1), + 1 GET
    assert requests.take() == {"GetObject": 2 + 1, "PutObject": 5, "DeleteObject": 1}

    moved = record_one(ledger, engine, add(MEMBER, "5.6.7.8/32", seconds=30))
    assert moved.result is FoldResult.UPDATED
    # read the older object, the event's claim under both names; create at the new key,
    # re-point the reference (read, write), delete the older object
    assert requests.take() == {"GetObject": 4, "PutObject": 2, "DeleteObject": 1}
    assert new_open_key() in ledger.storage.list_keys(layout.OPEN_PREFIX)  # moved

    # Another process reassesses first (as detect and the collector do): its records scan
    # nothing more.
    other = make_ledger()
    counted = _Requests(other)
    assert other.initialised()
    engine = load_engine()
    assert other.reassess_open(engine).changed == ()
    assert counted.take() == {"GetObject": 1 + 2, "ListObjectsV2": 1}  # ledger.json + list_open
    opened = record_one(other, engine, add(5, "7.7.7.7/32", seconds=60))
    assert opened.result is FoldResult.OPENED
    assert counted.take() == {"GetObject": 1, "PutObject": 2}  # new drift 2, + 1 GET


def marker_of(ledger: StoredLedger) -> dict[str, Any]:
    blob = ledger.storage.get(layout.META_KEY)
    assert blob is not None
    document: dict[str, Any] = json.loads(blob.data)
    return document


@pytest.mark.parametrize("backend", [pytest.param("s3", id="s3")])
def test_requests_on_a_ledger_created_with_the_new_state_names(
    make_ledger: Any, world: World
) -> None:
    """docs/ledger.md's figures for a ledger this version created: its marker says no drift is
    stored under an older name, so a local state named anew costs what an S3 state costs."""
    first = make_ledger()
    record_one(first, load_engine(), add(2, "1.1.1.1/32", seconds=5))  # creates the ledger
    assert marker_of(first)["state_names"] == layout.STATE_NAMES
    record_one(first, load_engine(), add(MEMBER, "1.1.1.2/32", seconds=6))  # open: 2 drifts
    ledger = make_ledger()
    requests = _Requests(ledger)
    assert ledger.initialised()  # ledger.json, read once per process
    requests.take()
    engine = load_engine()

    opened = record_one(ledger, engine, add(3, "5.5.5.5/32", seconds=50))
    assert opened.result is FoldResult.OPENED
    assert requests.take() == {"PutObject": 2}  # new drift 2: no scan, no claim under the path

    joined = record_one(ledger, engine, add(3, "6.6.6.6/32", seconds=51))
    assert joined.result is FoldResult.UPDATED
    assert requests.take() == {"GetObject": 2, "PutObject": 1}

    again = record_one(ledger, engine, add(3, "6.6.6.6/32", seconds=51))
    assert (again.result, again.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    assert requests.take() == {"GetObject": 1}

    closed = record_one(
        ledger, engine, remove(3, ["5.5.5.5/32", "6.6.6.6/32"], seconds=52, terraform=True)
    )
    assert closed.drift is not None and closed.drift.status is Status.RESOLVED
    assert requests.take() == {"GetObject": 2, "PutObject": 5, "DeleteObject": 1}

    reloaded = load_engine()  # a collector's state reload: still nothing scanned
    opened = record_one(ledger, reloaded, add(4, "7.7.7.7/32", seconds=60))
    assert opened.result is FoldResult.OPENED
    assert requests.take() == {"PutObject": 2}

    other = make_ledger()  # another process reassesses first: the same
    counted = _Requests(other)
    assert other.initialised()
    assert other.reassess_open(engine).changed == ()
    assert counted.take() == {"GetObject": 1 + 3, "ListObjectsV2": 1}  # ledger.json + list_open
    opened = record_one(other, engine, add(5, "8.8.8.8/32", seconds=70))
    assert opened.result is FoldResult.OPENED
    assert counted.take() == {"PutObject": 2}


def test_a_new_ledger_never_scans_for_older_names(make_ledger: Any, world: World) -> None:
    """Locally and on S3: the first event of each loaded set of states lists nothing, and no
    write reads anything but what the same write costs on an S3 state."""
    record_one(make_ledger(), load_engine(), add(2, "1.1.1.1/32", seconds=5))
    listing = _ListsOpen(make_ledger().storage)
    ledger = StoredLedger(listing)
    for n, index in enumerate([3, 4, 5]):
        opened = record_one(ledger, load_engine(), add(index, f"5.5.5.{n}/32", seconds=50 + n))
        assert opened.result is FoldResult.OPENED
    assert listing.open_listed == 0
    assert listing.calls["list"] == 0
    assert (listing.calls["get"], listing.calls["put"]) == (1, 6)  # ledger.json once; 2 each


def test_an_older_ledgers_marker_is_never_rewritten(make_ledger: Any, world: World) -> None:
    """A ledger created before (no ``state_names`` in its marker) may hold drifts under older
    names: it keeps the migration, and its marker stays as that version wrote it."""
    seed_older(make_ledger(), str(world.state))
    before = make_ledger().storage.get(layout.META_KEY)
    assert before is not None and "state_names" not in json.loads(before.data)
    listing = _ListsOpen(make_ledger().storage)
    folded = record_one(StoredLedger(listing), load_engine(), add(3, "5.5.5.5/32", seconds=50))
    assert folded.result is FoldResult.OPENED
    assert listing.open_listed == 1  # the scan for drifts under older names, as before
    record_one(make_ledger(), load_engine(), add(MEMBER, "5.6.7.8/32", seconds=30))  # moved
    assert list(make_ledger().storage.list_keys(layout.OPEN_PREFIX)) == sorted(
        [new_open_key(), layout.open_key(layout.resource_hash(f"{NEW_NAME}|default|{address(3)}"))]
    )
    after = make_ledger().storage.get(layout.META_KEY)
    assert after is not None and after.data == before.data


MARKERS: dict[str, tuple[Any, str]] = {
    "newer-state-names": (3, "state names 3 are not supported by this version"),
    "not-a-number": ("2", "state_names is '2', not a number"),
    "a-boolean": (True, "state_names is True, not a number"),
}


@pytest.mark.parametrize("case", [pytest.param(k, id=k) for k in MARKERS])
def test_a_marker_with_state_names_this_version_cannot_read_is_refused(
    make_ledger: Any, world: World, case: str
) -> None:
    value, message = MARKERS[case]
    ledger = make_ledger()
    document = {"schema": layout.LAYOUT_SCHEMA, "layout": 1, "state_names": value}
    assert ledger.storage.put_if_absent(layout.META_KEY, json.dumps(document).encode())
    with pytest.raises(LedgerError, match=re.escape(message)):
        record_one(ledger, load_engine(), add(3, "5.5.5.5/32", seconds=50))
    assert list(ledger.storage.list_keys(layout.OPEN_PREFIX)) == []
