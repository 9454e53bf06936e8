"""The ledger port (what the rest of the tool calls) and the storage port (what an adapter is).

Adapters implement only :class:`Storage`: five conditional object operations. Everything about
drifts (folding, lifecycle, archive, dedupe) lives once, in ``tfdrift_gitops.ledger.service``
(folding; built on ``lifecycle`` and ``steps``, with ``renames`` for drifts stored under older
state names, ``marker`` for the layout marker and ``open_keys`` for what is open), so the local
directory and S3 behave the same by construction and pass one contract suite.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from tfdrift_gitops.core.engine import Engine, Finding
from tfdrift_gitops.core.fold import Folded
from tfdrift_gitops.models import CloudEvent, Drift, Status

MAX_OBJECT_BYTES = 64 << 20
"""No ledger object is larger (a drift with thousands of folded events is a few MB): a bigger
one is reported as corrupt rather than read into memory."""


@dataclass(frozen=True, slots=True)
class Blob:
    data: bytes
    etag: str


class Storage(Protocol):
    """A flat key space with compare-and-swap writes. Keys are relative ``a/b/c.json`` paths.

    Conditional writes return the new ETag, or None when the condition did not hold (the object
    exists / changed / vanished). Every other failure raises ``LedgerError`` naming the key.
    """

    @property
    def location(self) -> str:
        """Where the ledger lives (``s3://bucket/prefix`` or a directory), for messages."""
        ...

    def url_for(self, key: str) -> str: ...

    def get(self, key: str) -> Blob | None: ...

    def put_if_absent(self, key: str, data: bytes) -> str | None: ...

    def put_if_match(self, key: str, data: bytes, etag: str) -> str | None: ...

    def delete_if_match(self, key: str, etag: str) -> bool: ...

    def list_keys(self, prefix: str) -> Iterator[str]:
        """Every key under ``prefix`` (which ends with ``/``), in lexical order."""
        ...


@dataclass(frozen=True, slots=True)
class CorruptObject:
    """A stored object that cannot be decoded: reported, never skipped silently."""

    key: str
    reason: str

    def __str__(self) -> str:
        return self.reason if self.reason.startswith(self.key) else f"{self.key}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Listing:
    drifts: tuple[Drift, ...]
    corrupt: tuple[CorruptObject, ...] = ()
    pending_archive: int = 0
    """Closed drifts still in ``open/`` (a writer stopped between archive steps)."""


@dataclass(frozen=True, slots=True)
class Reassessed:
    changed: tuple[Folded, ...]
    """Drifts resolved or updated against the new state (unchanged ones are not listed)."""
    unchanged: int = 0
    other_state: int = 0
    """Open drifts on states the engine did not load: left alone, never resolved by absence."""
    corrupt: tuple[CorruptObject, ...] = ()
    unmanaged_ids: tuple[str, ...] = ()
    """Resource ids of the unmanaged drifts still open afterwards (read by the same scan)."""


@dataclass(frozen=True, slots=True)
class Compacted:
    archived: tuple[str, ...] = ()
    """Drift ids whose interrupted archive step was completed."""
    quarantined: tuple[str, ...] = ()
    corrupt: tuple[CorruptObject, ...] = field(default=())


@runtime_checkable
class Ledger(Protocol):
    """The system of record for drifts: one open drift per resource, closed ones archived."""

    @property
    def location(self) -> str: ...

    def record(
        self,
        engine: Engine,
        finding: Finding,
        *,
        now: datetime | None = None,
        quiet: Sequence[CloudEvent] = (),
    ) -> Folded:
        """Fold one finding into the stored open drift of its resource (create, update, resolve)
        with conditional writes; a redelivered event changes nothing."""
        ...

    def reassess_open(self, engine: Engine, *, now: datetime | None = None) -> Reassessed: ...

    def get(self, drift_id: str) -> Drift: ...

    def list_open(self) -> Listing: ...

    def list(self, status: Status | Iterable[Status] | None = None) -> Listing: ...

    def transition(
        self,
        drift_id: str,
        status: Status,
        *,
        by: str,
        reason: str = "",
        evidence: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Drift: ...

    def ack(
        self, drift_id: str, *, by: str, reason: str = "", now: datetime | None = None
    ) -> Drift: ...

    def set_github(
        self,
        drift_id: str,
        *,
        issue_number: int | None = None,
        pr_number: int | None = None,
        status: Status | None = None,
        by: str = "github",
        reason: str = "",
        evidence: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Drift: ...

    def get_cursor(self, source: str) -> datetime | None: ...

    def put_cursor(self, source: str, time: datetime) -> datetime: ...

    def compact(self, *, quarantine_corrupt: bool = False) -> Compacted: ...

    def initialised(self) -> bool: ...


__all__ = [
    "Blob",
    "Compacted",
    "CorruptObject",
    "Ledger",
    "Listing",
    "Reassessed",
    "Storage",
]
