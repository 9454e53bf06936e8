"""The layout marker (``ledger.json``): is there a ledger at this location, of a layout this
version can read?

Nothing is written until the first change, which writes the marker first. A location that holds
other things and no marker (a mistyped path, another tool's directory) is never turned into a
ledger, and reading it never looks like an empty ledger. A ledger written by a newer layout is
refused rather than misread (``layout.check_meta``).

A marker written by this version also says the ledger's state names are the new ones
(``state_names``): no drift can be stored under an older name, so ``renames`` looks nothing up.
An older ledger's marker is never rewritten: it may hold such drifts.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from tfdrift_gitops.errors import LedgerError
from tfdrift_gitops.ledger import layout
from tfdrift_gitops.ledger.base import Storage


class LayoutMarker:
    """What one ledger instance knows of its marker: read once, written at most once."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._lock = threading.Lock()
        self._meta: str | None = None  # None: not looked at; "absent"; "present"
        self._state_names = layout.OLDER_STATE_NAMES  # as the marker says, once "present"

    def initialised(self) -> bool:
        """True once anything was ever written here (the layout marker exists)."""
        self.check(writing=False)
        return self._meta == "present"

    def new_state_names(self) -> bool:
        """True when the marker read or written says no drift here is stored under an older
        state name (the ledger was created with the new names). Asked after ``check``."""
        return self._meta == "present" and self._state_names == layout.STATE_NAMES

    def require(self) -> None:
        """Raise LedgerError unless a ledger is here: reading a mistyped path must not look
        like an empty ledger ("no open drifts"), nor another directory's files like one."""
        if self.initialised():
            return
        location = self._storage.location
        if self._holds_other_things():
            raise LedgerError(
                f"{location} is not a tfdrift-gitops ledger: it holds other files and "
                f"no {layout.META_KEY}"
            )
        raise LedgerError(
            f"no ledger at {location}: nothing was ever recorded there (check the path; "
            "detect --ledger or collect create it)"
        )

    def check(self, *, writing: bool) -> None:
        """Read the marker once (refusing a newer layout); before the first write, create it,
        unless the location holds other things."""
        if self._meta == "present" or (self._meta == "absent" and not writing):
            return
        storage = self._storage
        with self._lock:
            if self._meta is None:
                blob = storage.get(layout.META_KEY)
                if blob is not None:
                    self._read(blob.data)
                self._meta = "present" if blob is not None else "absent"
            if self._meta == "absent" and writing and self._holds_other_things():
                blob = storage.get(layout.META_KEY)  # another writer may just have begun
                if blob is not None:
                    self._read(blob.data)
                    self._meta = "present"
                    return
                raise LedgerError(
                    f"{storage.location} holds other files and no {layout.META_KEY}: refusing "
                    "to turn it into a tfdrift-gitops ledger (give an empty directory or a new "
                    "prefix)"
                )
            if self._meta == "absent" and writing:
                meta = layout.encode_meta(datetime.now(UTC))
                if storage.put_if_absent(layout.META_KEY, meta) is None:
                    blob = storage.get(layout.META_KEY)  # another writer was first
                    if blob is not None:
                        self._read(blob.data)
                else:
                    self._state_names = layout.STATE_NAMES
                self._meta = "present"

    def _read(self, data: bytes) -> None:
        self._state_names = layout.check_meta(data, self._storage.url_for(layout.META_KEY))

    def _holds_other_things(self) -> bool:
        return next(iter(self._storage.list_keys("")), None) is not None
