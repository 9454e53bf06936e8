"""The drift ledger: the system of record between the collector and the GitHub Action / CLI.

``open_ledger(url)`` gives a :class:`Ledger` over a local directory or ``s3://bucket/prefix``.
Both share one implementation (``service.StoredLedger``) over a small storage port.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.ledger.base import (
    Blob,
    Compacted,
    CorruptObject,
    Ledger,
    Listing,
    Reassessed,
    Storage,
)
from tfdrift_gitops.ledger.open_keys import DEFAULT_MAX_AGE
from tfdrift_gitops.ledger.service import StoredLedger

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def open_ledger(
    url: str,
    *,
    s3_endpoint_url: str | None = None,
    kms_key_id: str | None = None,
    s3_client: S3Client | None = None,
    open_listing_max_age: float | None = None,
) -> StoredLedger:
    """A ledger at ``url``: a directory path, or ``s3://bucket[/prefix]``.

    ``s3_endpoint_url`` points at MinIO, moto or another S3-compatible store (boto3 also
    honours ``AWS_ENDPOINT_URL``); ``kms_key_id`` switches server-side encryption from SSE-S3
    to SSE-KMS with that key. Nothing is written until the first change.
    ``open_listing_max_age``: see ``StoredLedger`` (None: its default).
    """
    age = DEFAULT_MAX_AGE if open_listing_max_age is None else open_listing_max_age
    if not url:
        raise ConfigError("ledger: empty location")
    if url.startswith("s3://"):
        from tfdrift_gitops.adapters.aws import make_s3_client, split_s3_url
        from tfdrift_gitops.ledger.s3 import S3Storage

        bucket, prefix = split_s3_url(url)
        client = s3_client or make_s3_client(endpoint_url=s3_endpoint_url)
        return StoredLedger(
            S3Storage(client, bucket, prefix, kms_key_id=kms_key_id), open_listing_max_age=age
        )
    if "://" in url:
        raise ConfigError(f"ledger: {url!r} is neither a directory nor an s3:// URL")
    from tfdrift_gitops.ledger.local import LocalStorage

    return StoredLedger(LocalStorage(url), open_listing_max_age=age)


__all__ = [
    "Blob",
    "Compacted",
    "CorruptObject",
    "Ledger",
    "Listing",
    "Reassessed",
    "Storage",
    "StoredLedger",
    "open_ledger",
]

if TYPE_CHECKING:
    # StoredLedger must keep satisfying the port other parts program against.
    _PORT_CHECK: type[Ledger] = StoredLedger
