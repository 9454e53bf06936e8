"""Group commit on the local ledger (``LocalStorage.batch``, used by ``detect --ledger``): fewer
fsyncs per new drift, everything durable when the batch ends, and a crash anywhere in a batch
(a killed writer, or a power cut that keeps only some directories' renames) leaves a ledger
that reads consistently, loses nothing made durable before, and converges when rerun."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.ledger.ledger_support import (
    add,
    all_event_ids,
    lifecycle_events,
    make_engine,
    record,
    record_one,
)
from tests.ledger.test_ledger_concurrency import (
    assert_lifecycle_converged,
    crash_then_rerun,
    lifecycle_writer,
    rerun_converges,
    sigkill_writer_mid_run,
)
from tfdrift_gitops.cli import cli
from tfdrift_gitops.core.engine import Skip
from tfdrift_gitops.ledger import StoredLedger, layout, local, open_ledger
from tfdrift_gitops.ledger.local import LocalStorage
from tfdrift_gitops.models import CloudEvent


@pytest.fixture
def syncs(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """fsync and fdatasync calls of this process, counted (and still made)."""
    counts: Counter[str] = Counter()
    for name in ("fsync", "fdatasync"):
        real = getattr(os, name)

        def counted(fd: int, real: Callable[[int], None] = real, name: str = name) -> None:
            counts[name] += 1
            real(fd)

        monkeypatch.setattr(os, name, counted)
    return counts


def _new_drifts(ledger: StoredLedger, first: int, count: int) -> None:
    engine = make_engine(resources=first + count)
    for i in range(first, first + count):
        [folded] = record(ledger, engine, add(i, "203.0.113.7/32", seconds=i, eid=f"n-{i}"))
        assert folded.result.value == "opened"


def test_a_batch_syncs_each_directory_once_not_each_write(
    tmp_path: Path, syncs: Counter[str]
) -> None:
    ledger = open_ledger(str(tmp_path / "one-by-one"))
    _new_drifts(ledger, 0, 1)  # the layout marker and the directories, made once
    syncs.clear()
    _new_drifts(ledger, 1, 20)
    # Each of a new drift's two files: its data, then its directory.
    assert sum(syncs.values()) == 20 * 4

    batched = open_ledger(str(tmp_path / "batched"))
    _new_drifts(batched, 0, 1)
    syncs.clear()
    storage = batched.storage
    assert isinstance(storage, LocalStorage)
    with batched.batch():
        _new_drifts(batched, 1, 20)
        assert syncs["fsync"] == 0  # no directory synced yet
        assert storage._unsynced == {storage.root / "open", storage.root / "index"}
    # The data of each file before its rename (fdatasync), then open/ and index/ once each.
    assert syncs == {"fdatasync": 40, "fsync": 2}
    assert storage._unsynced == set()
    assert len(batched.list_open().drifts) == 21


def test_a_batch_commits_every_batch_writes(
    tmp_path: Path, syncs: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "BATCH_WRITES", 10)
    ledger = open_ledger(str(tmp_path / "ledger"))
    _new_drifts(ledger, 0, 1)
    syncs.clear()
    with ledger.batch():
        _new_drifts(ledger, 1, 10)  # 20 renames: two commits of open/ and index/
        assert syncs["fsync"] == 4


def test_writes_outside_the_drift_prefixes_and_deletes_are_barriers(
    tmp_path: Path, syncs: Counter[str]
) -> None:
    ledger = open_ledger(str(tmp_path / "ledger"))
    _new_drifts(ledger, 0, 1)
    storage = ledger.storage
    assert isinstance(storage, LocalStorage)
    with ledger.batch():
        _new_drifts(ledger, 1, 2)
        assert storage._unsynced
        ledger.put_cursor("falco", lifecycle_events(0)[0].time)
        assert storage._unsynced == set()  # the drifts before the cursor that covers them
        _new_drifts(ledger, 3, 3)
        assert storage._unsynced
        etag = storage.put_if_absent("open/scratch.json", b"{}")
        assert etag is not None
        assert storage.delete_if_match("open/scratch.json", etag)
        assert storage._unsynced == set()


def test_detect_with_a_local_ledger_writes_in_a_batch(tmp_path: Path, syncs: Counter[str]) -> None:
    ledger = tmp_path / "ledger"
    args = ["detect", "--example", "--ledger", str(ledger), "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    drifts = len(list((ledger / "open").iterdir()))
    assert drifts == 6
    # Unbatched: 4 a drift (each file's data and its directory) and the marker's; batched: the
    # data of each file, open/ and index/ once, and the layout marker (its data, the ledger
    # directory and its parent).
    assert sum(syncs.values()) <= 2 * drifts + 2 + 3, syncs
    assert len(open_ledger(str(ledger)).list_open().drifts) == drifts


# --------------------------------------------------------------------------- power cuts
#
# The model: a file's data is durable before its rename (fdatasync), renames are not until
# their directory is synced. After a power cut each directory holds either what it held when
# it was last synced or what it holds now (any mix over directories: the reordering a batch
# allows; within one directory all renames since its last sync count as one step). Every such
# mix, at every point of a batch, must read without corrupt objects, hold every event that was
# durable everywhere at that point, hold each event in one drift, and converge when the same
# events are recorded again.

Tree = dict[str, bytes | None]
"""Relative path -> file bytes, or None for a directory."""


def _listing(directory: Path) -> dict[str, bytes | None]:
    entries: dict[str, bytes | None] = {}
    for entry in os.scandir(directory):
        if entry.name.startswith("."):  # temporary files and lock files: no ledger state
            continue
        entries[entry.name] = None if entry.is_dir() else Path(entry.path).read_bytes()
    return entries


class PowerCuts:
    """Records, at every rename, unlink and directory sync of a ledger, each directory's last
    synced listing and its listing now."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.Lock()
        self.synced: dict[str, dict[str, bytes | None]] = {}
        self.points: list[
            tuple[dict[str, dict[str, bytes | None]], dict[str, dict[str, bytes | None]]]
        ] = []

    def all_dirs(self) -> Iterator[Path]:
        yield self.root
        for dirpath, dirnames, _ in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in dirnames:
                yield Path(dirpath) / name

    def sync_all(self) -> None:
        for directory in self.all_dirs():
            self.synced[self._rel(directory)] = _listing(directory)

    def _rel(self, directory: Path) -> str:
        return directory.relative_to(self.root).as_posix()

    def fsync_dir(self, directory: Path) -> None:
        with self.lock:
            if directory.resolve().is_relative_to(self.root.resolve()):
                self.synced[self._rel(directory)] = _listing(directory)
            self.point()

    def point(self) -> None:
        now = {self._rel(d): _listing(d) for d in self.all_dirs()}
        self.points.append(({k: dict(v) for k, v in self.synced.items()}, now))

    def after(self, path: str | os.PathLike[str]) -> None:
        """After a rename or unlink: a point, unless it was a lock file's or outside."""
        where = Path(os.fspath(path))
        if not where.is_relative_to(self.root):
            return
        if any(part.startswith(".") for part in where.relative_to(self.root).parts):
            return
        with self.lock:
            self.point()


def _mixes(
    synced: dict[str, dict[str, bytes | None]], now: dict[str, dict[str, bytes | None]]
) -> Iterator[Tree]:
    every = set(synced) | set(now)
    differing = sorted(d for d in every if synced.get(d) != now.get(d))
    for choice in range(1 << len(differing)):
        take_now = {d for bit, d in enumerate(differing) if choice >> bit & 1}
        yield _tree({d: (now if d in take_now else synced).get(d) or {} for d in every})


def _tree(view: dict[str, dict[str, bytes | None]], directory: str = ".") -> Tree:
    """The files and directories reachable from the ledger's root in ``view``."""
    tree: Tree = {}
    for name, data in view.get(directory, {}).items():
        rel = name if directory == "." else f"{directory}/{name}"
        tree[rel] = data
        if data is None:
            tree.update(_tree(view, rel))
    return tree


def _materialise(tree: Tree, root: Path) -> None:
    root.mkdir(parents=True)
    for rel, data in sorted(tree.items()):
        if data is None:
            (root / rel).mkdir(parents=True, exist_ok=True)
        else:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)


def _events_of(tree: Tree) -> dict[str, set[str]]:
    """event id -> ids of the drifts holding it (open or archived)."""
    found: dict[str, set[str]] = {}
    for rel, data in tree.items():
        if data is not None and rel.startswith((layout.OPEN_PREFIX, layout.ARCHIVE_PREFIX)):
            drift = json.loads(data)
            for event in drift["events"]:
                found.setdefault(event["id"], set()).add(drift["id"])
    return found


def _scenario(resources: int) -> list[CloudEvent]:
    events = [e for r in range(resources) for e in lifecycle_events(r)]
    first, second = lifecycle_events(0)[:2]
    return [*events, first, second]  # and redeliveries of an archived drift's events


def _fold(ledger: StoredLedger, events: list[CloudEvent], resources: int) -> None:
    engine = make_engine(resources)
    for ev in events:
        record(ledger, engine, ev)


def test_a_power_cut_anywhere_in_a_batch_leaves_a_ledger_that_converges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = 2
    root = tmp_path / "ledger"
    ledger = StoredLedger(LocalStorage(root), workers=1)
    ledger.put_cursor("falco", lifecycle_events(0)[0].time)  # the marker and a cursor, synced
    cuts = PowerCuts(root)
    cuts.sync_all()
    monkeypatch.setattr(local, "BATCH_SECONDS", 3600.0)
    monkeypatch.setattr(local, "_fsync_dir", cuts.fsync_dir)
    real_replace, real_unlink = os.replace, os.unlink

    def replace(src: Any, dst: Any, **kw: Any) -> None:
        real_replace(src, dst, **kw)
        cuts.after(dst)

    def unlink(path: Any, **kw: Any) -> None:
        real_unlink(path, **kw)
        cuts.after(path)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "unlink", unlink)
    with ledger.batch():
        _fold(ledger, _scenario(resources), resources)
    monkeypatch.undo()
    assert len(cuts.points) > 20

    checked: set[str] = set()
    for synced, now in cuts.points:
        durable = _events_of(next(_mixes(synced, synced)))
        for tree in _mixes(synced, now):
            digest = hashlib.sha256(repr(sorted(tree.items())).encode()).hexdigest()
            if digest in checked:
                continue
            checked.add(digest)
            events = _events_of(tree)
            lost = set(durable) - set(events)
            assert not lost, f"durable events lost by a power cut: {sorted(lost)}"
            assert all(len(ids) == 1 for ids in events.values()), events
            where = tmp_path / f"cut-{len(checked)}"
            _materialise(tree, where)
            after = StoredLedger(LocalStorage(where), workers=1)
            assert after.list().corrupt == ()
            _fold(after, _scenario(resources), resources)
            assert_lifecycle_converged(after, resources)
    assert len(checked) > 10


@pytest.mark.parametrize("reopen_first", [False, True], ids=["next-drift", "same-id"])
def test_a_drift_closed_without_its_reference_still_knows_its_first_event(
    ledger: StoredLedger, reopen_first: bool
) -> None:
    """A writer stopped between a new drift's two creates (or a power cut in a batch) leaves
    the drift without its reference. Closing it writes the reference too: before, a
    redelivery of its first event after the archive was folded into the resource's next
    drift, or reopened the drift under its own id, hidden behind the archived copy."""
    engine = make_engine(1)
    first, second, revert, later = lifecycle_events(0)
    opened = record_one(ledger, engine, first)
    assert opened.drift is not None
    assert ledger.storage.delete_if_match(
        layout.index_key(opened.drift.id),
        ledger.storage.get(layout.index_key(opened.drift.id)).etag,  # type: ignore[union-attr]
    )
    record_one(ledger, engine, second)
    record_one(ledger, engine, revert)
    order = [first, later] if reopen_first else [later, first]
    results = [record_one(ledger, engine, ev) for ev in order]
    assert results[order.index(first)].skip is Skip.DUPLICATE
    listing = ledger.list()
    assert set(all_event_ids(listing.drifts).values()) == {1}
    assert [[e.id for e in d.events] for d in listing.drifts if d.status.is_open] == [["c-0000"]]
    assert list(ledger.storage.list_keys("open/")) == [
        layout.open_key(layout.resource_hash(later_drift.resource.key))
        for later_drift in listing.drifts
        if later_drift.status.is_open
    ]


# --------------------------------------------------------------------------- killed writers


@pytest.mark.parametrize("crash_after", ["index/:4", "open/:3", "index/:2", "archive/:1"])
def test_a_batched_writer_killed_between_writes_converges_on_rerun(
    tmp_path: Path, crash_after: str
) -> None:
    url = str(tmp_path / "ledger")
    command = lifecycle_writer(url, None, 3, "--batch")
    crash_then_rerun(command, crash_after, open_ledger(url), resources=3)


def test_a_batched_writer_sigkilled_mid_batch_converges_when_rerun(tmp_path: Path) -> None:
    url = str(tmp_path / "ledger")
    writers, events, resources = 2, 60, 10
    # Writer 0 is killed inside its batch, after a third of its events.
    command = sigkill_writer_mid_run(url, None, writers, events, resources, "--batch")
    ledger = open_ledger(url)
    # What the killed writer left reads consistently: no corrupt or half-written object, each
    # event in one drift, no reference to a drift that is not there.
    listing = ledger.list()
    assert listing.corrupt == ()
    seen = Counter(e.id for d in listing.drifts for e in d.events)
    assert set(seen.values()) <= {1}
    for key in ledger.storage.list_keys("index/"):
        drift_id = key.removeprefix("index/").removesuffix(".json")
        if drift_id in {d.id for d in listing.drifts}:
            assert ledger.get(drift_id).id == drift_id
    rerun_converges(command, ledger, writers, events, resources)
