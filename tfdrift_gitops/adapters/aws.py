"""boto3 clients, built on demand with the endpoint and retry settings a user chose."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final
from urllib.parse import urlparse

from tfdrift_gitops.errors import ConfigError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient


POOL_CONNECTIONS: Final = 32
"""Connections one S3 client keeps (botocore's default is 10): the ledger reads and writes on
up to 16 threads, state loading reads up to 16 objects at once, the spool fetches 8, and a
client may serve two of them at a time. With fewer, every request past the pool opens a new
connection and urllib3 warns that it threw one away."""


def make_s3_client(endpoint_url: str | None = None, region: str | None = None) -> S3Client:
    """An S3 client; ``endpoint_url`` (or AWS_ENDPOINT_URL) points at MinIO, moto or another
    S3-compatible store. Standard retry mode retries throttling and 5xx with backoff."""
    import boto3
    from botocore.config import Config

    endpoint = endpoint_url or os.environ.get("TFDRIFT_S3_ENDPOINT_URL") or None
    config = Config(
        retries={"max_attempts": 8, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        s3={"addressing_style": "path"} if endpoint else {},
        # Our objects are small JSON; TLS already protects them in transit. Computing CRC32
        # checksums on every request costs client CPU, and several S3-compatible stores
        # (older MinIO, Ceph) reject the newer default checksum headers outright.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        max_pool_connections=POOL_CONNECTIONS,
    )
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region or session.region_name or "us-east-1",
        config=config,
    )


def split_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> ``("bucket", "some/prefix")``."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ConfigError(f"not an s3:// URL: {url!r}")
    return parsed.netloc, parsed.path.lstrip("/")


def make_sqs_client(queue_url: str, endpoint_url: str | None = None) -> SQSClient:
    """An SQS client for ``queue_url``: its region comes from an AWS queue URL
    (``https://sqs.eu-west-1.amazonaws.com/…``); ``endpoint_url`` (or AWS_ENDPOINT_URL, which
    boto3 reads itself) points at ElasticMQ or moto, as for S3."""
    import boto3
    from botocore.config import Config

    endpoint = endpoint_url or os.environ.get("TFDRIFT_S3_ENDPOINT_URL") or None
    host = urlparse(queue_url).hostname or ""
    parts = host.split(".")
    region = parts[1] if len(parts) >= 4 and parts[0] == "sqs" else None
    session = boto3.session.Session()
    return session.client(
        "sqs",
        endpoint_url=endpoint,
        region_name=region or session.region_name or "us-east-1",
        # read_timeout must outlast the 20 s long poll.
        config=Config(retries={"max_attempts": 8, "mode": "standard"}, read_timeout=40),
    )


def aws_error_text(exc: Exception) -> str:
    """A botocore error as ``Code: Message`` (the HTTP status when there is no code)."""
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        error = response.get("Error") or {}
        code = error.get("Code") or response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        message = error.get("Message") or ""
        return f"{code}: {message}".rstrip(": ") if code else str(exc)
    return str(exc)
