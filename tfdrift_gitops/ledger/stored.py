"""A drift object as read from (or written to) the ledger's storage, checked for its place.

Shared by the service and the renaming of drifts stored under older state names
(``renames``), which both read, rewrite and move these objects with conditional writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from tfdrift_gitops.errors import CorruptRecordError
from tfdrift_gitops.ledger import layout
from tfdrift_gitops.ledger.base import Storage
from tfdrift_gitops.models import Drift


@dataclass(frozen=True, slots=True)
class Stored:
    """A decoded drift with the key, ETag and exact bytes it was read (or written) as."""

    key: str
    drift: Drift
    etag: str
    data: bytes


def read_drift(storage: Storage, key: str) -> Stored | None:
    """The drift at ``key``; None when nothing is there. A record that cannot be decoded or
    sits under the wrong key raises ``CorruptRecordError`` naming it."""
    blob = storage.get(key)
    if blob is None:
        return None
    where = storage.url_for(key)
    drift = layout.decode_drift(blob.data, where)
    check_placement(key, drift, where)
    return Stored(key, drift, blob.etag, blob.data)


def check_placement(key: str, drift: Drift, where: str) -> None:
    """A record under the wrong key (copied by hand, or hostile) would fold events into the
    wrong drift: refuse it."""
    if key.startswith(layout.OPEN_PREFIX):
        expected = layout.open_key(layout.resource_hash(drift.resource.key))
        if key != expected:
            raise CorruptRecordError(
                f"{where}: holds drift {drift.id} of another resource (it belongs at {expected})"
            )
    elif key.startswith(layout.ARCHIVE_PREFIX):
        if key != layout.archive_key(drift.id):
            raise CorruptRecordError(f"{where}: holds drift {drift.id} under another id")
        if drift.status.is_open:
            raise CorruptRecordError(
                f"{where}: archived drift {drift.id} has open status {drift.status.value}"
            )
