"""Open drifts stored under an older name of a state loaded now, and their move to the new name.

Before states were named as people know them, a drift's key held the path its state was given
(``state_aliases`` tells which loaded state such a name refers to). Those drifts are found by
one scan of ``open/`` per state index, none when every loaded state kept its name (S3). A new
event on such a resource joins the older drift, reassessment judges it as the loaded state's,
and the next write moves it under the new name (same id): create the open object at the new key
(``If-None-Match``), point the drift's reference at it, delete the old object (``If-Match``).
Events of drifts closed before the rename are claimed in ``index/`` under the older names, so
a write on a state named anew first looks there (one GET per older name known).

The service (``service.StoredLedger``) asks :class:`Renames` four things: ``record`` (an event
on a resource whose drift is stored under an older name), ``closed_under_older_name`` (before
any other write), ``scan`` and ``reassess`` (from ``reassess_open``). The moves are made of the
service's own steps (:class:`Steps`), so their requests and retries are the service's.

A ledger whose marker says it was created with the new state names (``marker``) holds no drift
under an older name: there nothing is looked up, scanned or moved, and a write costs what it
costs on S3 states.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from tfdrift_gitops.core.engine import Engine, Finding, Skip
from tfdrift_gitops.core.fold import Folded, FoldResult, fold, reassess
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.errors import LedgerConflictError
from tfdrift_gitops.ledger import layout
from tfdrift_gitops.ledger.base import CorruptObject, Storage
from tfdrift_gitops.ledger.marker import LayoutMarker
from tfdrift_gitops.ledger.state_aliases import StateAliases, is_older_form
from tfdrift_gitops.ledger.stored import Stored, read_drift
from tfdrift_gitops.models import CloudEvent, Drift

log = logging.getLogger(__name__)


class Steps(Protocol):
    """The steps of the service a move is made of (``service.StoredLedger`` has them). They
    keep their private names: this module and the service are one implementation in two."""

    storage: Storage

    def _scan(self, prefix: str) -> tuple[list[Stored], list[tuple[str, CorruptObject]]]: ...

    def _finish_close(self, stored: Stored, now: datetime | None) -> None: ...

    def _durable(self) -> None: ...

    def _retrying(self) -> Iterator[int]: ...

    def _gave_up(self, key: str) -> LedgerConflictError: ...

    def _note_open(self, key: str) -> None: ...

    def _recorded(self, claim: str) -> bool: ...

    def _archived_event(self, claim: str) -> bool: ...


@dataclass(slots=True)
class _Found:
    """Open drifts stored under an older name of a state loaded now (``state_aliases``), found
    by one scan of ``open/`` per state index. Each is rewritten under the new name the next
    time it is written, and then forgotten here."""

    index: weakref.ref[StateIndex]
    aliases: StateAliases
    by_old: dict[str, str] = field(default_factory=dict)
    """Open key of a drift stored under an older name -> the loaded state's name."""
    by_new: dict[str, str] = field(default_factory=dict)
    """Resource key under the new name -> the open key it is stored under."""
    older: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    """(state name, workspace) -> the older names its events may be claimed under in
    ``index/`` (drifts closed before the rename): its path, and those found in ``open/``."""


# What a write through a drift stored under an older state name computes from it (renamed):
# the result, and whether it is to be stored.
_Change = Callable[[Drift], tuple[Folded, bool]]


class Renames:
    """The older state names one ledger has met, and the moves of its drifts stored under
    them. Thread-safe, like the ledger it belongs to."""

    def __init__(self, steps: Steps, marker: LayoutMarker) -> None:
        self._steps = steps
        self._marker = marker
        self._found: _Found | None = None
        self._lock = threading.Lock()
        self._unmatched_logged: set[str] = set()

    @property
    def _storage(self) -> Storage:
        return self._steps.storage

    # ------------------------------------------------------------------ what the service asks

    def record(
        self,
        engine: Engine,
        finding: Finding,
        claim: str,
        now: datetime | None,
        quiet: Sequence[CloudEvent],
    ) -> Folded | None:
        """``record`` for a resource whose open drift is stored under an older state name: the
        event joins that drift (renamed). None when the resource has no such drift, or it was
        moved or closed meanwhile: the caller then goes the usual way."""
        if not finding.resource.address or self._marker.new_state_names():
            return None
        old_key = self._for(engine).by_new.get(finding.resource.key)
        if old_key is None:
            return None
        duplicate = False

        def change(existing: Drift) -> tuple[Folded, bool]:
            nonlocal duplicate
            folded = fold(engine, existing, finding, now=now, quiet=quiet)
            drift = folded.drift
            if drift is None or folded.result is FoldResult.NOT_DRIFT or drift is existing:
                return folded, False
            # The event may be in a drift closed meanwhile, or before the rename.
            duplicate = self._steps._recorded(claim) or self.closed_under_older_name(
                engine, finding
            )
            return folded, not duplicate

        result = self._migrate(old_key, finding.resource.state, change, now)
        if duplicate:
            return _duplicate(finding)
        return None if result is None else result[0]

    def closed_under_older_name(self, engine: Engine, finding: Finding) -> bool:
        """Is the event in a drift closed before its state was renamed (its claim made under
        an older name)? Asked before a write only, and only for states named anew: one GET
        per older name known (usually one, the file's path)."""
        resource = finding.resource
        if not resource.address or self._marker.new_state_names():
            return False
        older = self._for(engine).older.get((resource.state, resource.workspace), ())
        return any(
            self._steps._archived_event(
                layout.claim_of(replace(resource, state=name).key, finding.event.id)
            )
            for name in sorted(older)
        )

    def scan(self, engine: Engine, found: Sequence[Stored]) -> Mapping[str, str]:
        """Note the drifts stored under older names among ``found`` (the open drifts the caller
        just scanned). Returns open key -> the loaded state's name, kept current as they move."""
        if self._marker.new_state_names():
            return {}
        return self._for(engine, found).by_old

    def reassess(
        self, engine: Engine, stored: Stored, name: str, now: datetime | None
    ) -> Folded | None:
        """``reassess`` of the drift ``stored`` under an older name of state ``name``; stored
        (and moved) when it changed. None when nothing changed."""

        def change(existing: Drift) -> tuple[Folded, bool]:
            folded = reassess(engine, existing, now=now)
            return folded, folded.result is not FoldResult.UNCHANGED and folded.drift is not None

        result = self._migrate(stored.key, name, change, now)
        return result[0] if result is not None and result[1] else None

    # ------------------------------------------------------------------ finding them

    def _for(self, engine: Engine, found: Sequence[Stored] | None = None) -> _Found:
        """The open drifts stored under an older name of a state ``engine`` loaded, found by
        one scan of ``open/`` per state index (or taken from ``found``, what the caller just
        scanned). No scan when every loaded state kept its name (S3): then nothing can be
        stored under another."""
        index = engine.index
        renames = self._found
        if found is None and renames is not None and renames.index() is index:
            return renames
        with self._lock:
            renames = self._found
            if found is None and renames is not None and renames.index() is index:
                return renames
            known = renames.older if renames is not None else {}
            renames = _Found(weakref.ref(index), StateAliases(index.states))
            for (name, workspace), names in known.items():  # drifts moved since stay known
                renames.older[(name, workspace)] = set(names)
            for state in index.states:
                if state.origin and state.origin != state.source:
                    older = renames.older.setdefault((state.source, state.workspace), set())
                    older.add(state.origin)
            if renames.aliases.renamed:
                stored = found if found is not None else self._steps._scan(layout.OPEN_PREFIX)[0]
                for one in stored:
                    self._note(renames, one)
            self._found = renames
            return renames

    def _note(self, renames: _Found, stored: Stored) -> None:
        resource = stored.drift.resource
        if not resource.address or not stored.drift.status.is_open:
            return
        name = renames.aliases.resolve(resource.state, resource.workspace)
        if name is None:
            if is_older_form(resource.state) and resource.state not in self._unmatched_logged:
                self._unmatched_logged.add(resource.state)
                log.warning(
                    "%s: drift %s names its state %r (as versions before state names did), "
                    "which is no state loaded here: left as it is, under that name",
                    self._storage.url_for(stored.key),
                    stored.drift.id,
                    resource.state,
                )
            return
        if name == resource.state:
            return
        renames.by_old[stored.key] = name
        renames.by_new[replace(resource, state=name).key] = stored.key
        renames.older.setdefault((name, resource.workspace), set()).add(resource.state)

    def _forget(self, old_key: str) -> None:
        with self._lock:
            renames = self._found
            if renames is not None and (name := renames.by_old.pop(old_key, None)) is not None:
                renames.by_new = {k: v for k, v in renames.by_new.items() if v != old_key}
                log.info("%s: state name now %s", self._storage.url_for(old_key), name)

    # ------------------------------------------------------------------ moving them

    def _migrate(
        self, old_key: str, name: str, change: _Change, now: datetime | None
    ) -> tuple[Folded, bool] | None:
        """Apply ``change`` to the open drift at ``old_key`` (stored under an older name of
        state ``name``) as if it were named ``name``; when there is something to store, move it
        under the new name: create the open object at the new key (``If-None-Match``), point
        the drift's reference at it, delete the old object (``If-Match``). The drift keeps its
        id. Returns the change's result and whether it was stored; None when no open drift is
        at ``old_key`` any more (another writer moved or closed it) or another open drift holds
        the new key: the caller then goes the usual way.

        A writer stopped between the steps leaves the drift readable under either key (listed
        once, by id); the next one finishes the move. A lifecycle step that reached the old
        object between the create and the delete is not lost: the change is made again on it
        and stored over the copy just made."""
        steps = self._steps
        made: Stored | None = None  # the object this call created under the new key
        stored: Folded | None = None  # what was stored there
        for _ in steps._retrying():
            old = read_drift(self._storage, old_key)
            if old is None:
                self._forget(old_key)
                return None if stored is None else (stored, True)
            if not old.drift.status.is_open:
                steps._finish_close(old, now)
                self._forget(old_key)
                return None
            existing = _renamed(old.drift, name)
            folded, write = change(existing)
            if not write or folded.drift is None:
                if made is None:
                    return folded, False
                # Nothing to add any more, but the copy must follow the old object's changes.
                folded = Folded(FoldResult.UPDATED, existing)
            drift = folded.drift
            assert drift is not None
            new_key = layout.open_key(layout.resource_hash(drift.resource.key))
            data = layout.encode_drift(drift)
            if made is None:
                steps._note_open(new_key)
                etag = self._storage.put_if_absent(new_key, data)
                if etag is None:
                    self._new_key_taken(old, new_key, now)
                    return None
            else:
                etag = self._storage.put_if_match(new_key, data, made.etag)
                if etag is None:
                    raise steps._gave_up(new_key)
            made, stored = Stored(new_key, drift, etag, data), folded
            self._repoint(drift, now)
            if self._storage.delete_if_match(old.key, old.etag):
                self._forget(old_key)
                if not drift.status.is_open:
                    steps._finish_close(made, now)
                return folded, True
        raise steps._gave_up(old_key)

    def _new_key_taken(self, old: Stored, new_key: str, now: datetime | None) -> None:
        """The new name's key holds an open object already: the same drift (a move that
        stopped half-way: finish it) or another drift of the resource (leave both)."""
        there = read_drift(self._storage, new_key)
        if there is not None and there.drift.id == old.drift.id:
            if _covers(there.drift, old.drift):
                self._repoint(there.drift, now)
                self._storage.delete_if_match(old.key, old.etag)
            else:  # the old object changed after the copy was made: keep both, say so
                log.warning(
                    "%s: drift %s is stored under its older state name and, with other "
                    "changes, at %s (a move that stopped half-way): both are kept",
                    self._storage.url_for(old.key),
                    old.drift.id,
                    self._storage.url_for(new_key),
                )
        elif there is not None:
            log.warning(
                "%s: drift %s names its state %r; %s holds drift %s of the same resource "
                "under the new name: the older one is left as it is",
                self._storage.url_for(old.key),
                old.drift.id,
                old.drift.resource.state,
                self._storage.url_for(new_key),
                there.drift.id,
            )
        self._forget(old.key)

    def _repoint(self, drift: Drift, now: datetime | None) -> None:
        """Point the drift's reference (``index/<id>``) at its open object under the name it
        has now, so that ``get`` finds it there."""
        # The object under the new name is durable before the reference points at it: a
        # reference that outlived it would send ``get`` to a key where nothing is.
        self._steps._durable()
        key = layout.index_key(drift.id)
        rk = layout.resource_hash(drift.resource.key)
        for _ in self._steps._retrying():
            blob = self._storage.get(key)
            if blob is None:
                first = drift.events[0].id if drift.events else ""
                entry = layout.encode_index(drift.id, drift, first, now or datetime.now(UTC))
                if self._storage.put_if_absent(key, entry) is not None:
                    return
                continue
            found = layout.decode_index(blob.data, self._storage.url_for(key))
            if found.rk == rk:
                return
            entry = layout.encode_index(drift.id, drift, found.event_id, now or datetime.now(UTC))
            if self._storage.put_if_match(key, entry, blob.etag) is not None:
                return
        raise self._steps._gave_up(key)


def _duplicate(finding: Finding) -> Folded:
    log.debug("event %s already recorded in a closed drift", finding.event.id)
    return Folded(FoldResult.UNCHANGED, None, Skip.DUPLICATE)


def _renamed(drift: Drift, name: str) -> Drift:
    return replace(drift, resource=replace(drift.resource, state=name))


def _covers(copy: Drift, old: Drift) -> bool:
    """Does ``copy`` (made from ``old`` by a move) hold everything ``old`` holds now?"""
    return (
        {e.id for e in old.events} <= {e.id for e in copy.events}
        and old.history == copy.history[: len(old.history)]
        and old.issue_number in (None, copy.issue_number)
        and old.pr_number in (None, copy.pr_number)
    )
