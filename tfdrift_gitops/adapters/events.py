"""Read CloudTrail records and Falco alerts from files, directories, stdin and S3.

``iter_events(spec)`` yields a ``CloudEvent`` per usable record and a ``RecordError`` per
unusable one (bad JSON line, truncated gzip, unreadable object, record the normaliser rejects),
so one bad input never stops the rest. Only a spec that cannot be read at all (missing path,
bucket that cannot be listed) raises ``InputError``, and it does so when ``iter_events`` is
called, before anything is yielded.

How one stream is read: event_stream.py (formats, records); its lines come from byte_lines.py
(bounded memory).
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Final, overload

from tfdrift_gitops.adapters.aws import aws_error_text
from tfdrift_gitops.adapters.event_stream import (
    AnyItem,
    Item,
    LineHandler,
    Prefilter,
    Reading,
    stream_items,
)
from tfdrift_gitops.core.normalize import MAX_RECORD_BYTES
from tfdrift_gitops.errors import ConfigError, InputError, RecordError
from tfdrift_gitops.models import CloudEvent, SkippedRecord

log = logging.getLogger(__name__)

EVENT_FILE_SUFFIXES: Final = (".json", ".json.gz", ".jsonl", ".ndjson", ".gz")
"""Files a directory walk reads (``.gz`` also covers ``.jsonl.gz``); a file named on the command
line is read whatever its name."""

STDIN_NAME: Final = "<stdin>"
# CloudTrail writes integrity digests next to the logs; they are not events.
_DIGEST_MARKER: Final = "CloudTrail-Digest"
_KEY_DATE: Final = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})/")


# ------------------------------------------------------------------------------ public API


@overload
def iter_events(
    spec: str,
    *,
    s3_client_factory: Callable[[], Any] | None = ...,
    stdin: BinaryIO | None = ...,
    since: datetime | None = ...,
    s3_page_size: int = ...,
    max_bytes: int = ...,
    prefilter: None = ...,
    lines: LineHandler | None = ...,
) -> Iterator[Item]: ...


@overload
def iter_events(
    spec: str,
    *,
    s3_client_factory: Callable[[], Any] | None = ...,
    stdin: BinaryIO | None = ...,
    since: datetime | None = ...,
    s3_page_size: int = ...,
    max_bytes: int = ...,
    prefilter: Prefilter,
    lines: LineHandler | None = ...,
) -> Iterator[Item | SkippedRecord]: ...


def iter_events(
    spec: str,
    *,
    s3_client_factory: Callable[[], Any] | None = None,
    stdin: BinaryIO | None = None,
    since: datetime | None = None,
    s3_page_size: int = 1000,
    max_bytes: int = MAX_RECORD_BYTES,
    prefilter: Prefilter | None = None,
    lines: LineHandler | None = None,
) -> Iterator[Item | SkippedRecord]:
    """Events (and per-record errors) from one spec: a file, a directory (recursive, sorted,
    hidden files skipped), ``-`` for ``stdin`` (default ``sys.stdin.buffer``) or
    ``s3://bucket/prefix``.

    ``since`` (naive means UTC) drops events older than it and skips S3 keys / files whose
    CloudTrail ``YYYY/MM/DD/`` path date is before its date. ``s3_client_factory`` builds the
    boto3 S3 client (default: ``adapters.aws.make_s3_client()``). Raises InputError now, before
    iteration, when the spec as a whole cannot be read. ``lines`` takes over the lines of JSON
    Lines content (see ``LineHandler``).
    """
    cutoff = _as_utc(since) if since is not None else None
    reading = Reading(max_bytes, prefilter, lines)
    source: Iterator[AnyItem]
    if not spec.strip():
        raise InputError("empty events spec (give a file, a directory, - or s3://bucket/prefix)")
    if spec == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        # read1 returns what a pipe has now instead of waiting for a full chunk.
        read = getattr(stream, "read1", stream.read)
        source = stream_items(read, STDIN_NAME, reading, (OSError,))
    elif spec.startswith("s3://"):
        source = _s3_items(spec, s3_client_factory, s3_page_size, cutoff, reading)
    else:
        source = _path_items(spec, cutoff, reading)
    if cutoff is None:
        return source
    return _newer_than(source, cutoff)


@overload
def iter_many(specs: Iterable[str], *, prefilter: None = ..., **kwargs: Any) -> Iterator[Item]: ...


@overload
def iter_many(
    specs: Iterable[str], *, prefilter: Prefilter, **kwargs: Any
) -> Iterator[Item | SkippedRecord]: ...


def iter_many(
    specs: Iterable[str], *, prefilter: Prefilter | None = None, **kwargs: Any
) -> Iterator[Item | SkippedRecord]:
    """``iter_events`` over several specs in order; every spec is checked before any is read."""
    sources = [iter_events(spec, prefilter=prefilter, **kwargs) for spec in specs]
    return itertools.chain.from_iterable(sources)


# ---------------------------------------------------------------------------- filtering


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _newer_than(items: Iterator[AnyItem], cutoff: datetime) -> Iterator[AnyItem]:
    for item in items:
        if isinstance(item, CloudEvent) and item.time < cutoff:
            continue
        yield item


def _path_date(path: str) -> date | None:
    """The date of a CloudTrail log key (``.../CloudTrail/us-east-1/2024/01/15/file``)."""
    found = _KEY_DATE.findall(path)
    if not found:
        return None
    year, month, day = found[-1]
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def wanted_key(path: str, cutoff: datetime | None) -> bool:
    """Whether a file / key found by listing should be read."""
    if _DIGEST_MARKER in path:
        return False
    if cutoff is not None:
        day = _path_date(path)
        if day is not None and day < cutoff.date():
            return False
    return True


# ------------------------------------------------------------------------- local files


def _path_items(spec: str, cutoff: datetime | None, reading: Reading) -> Iterator[AnyItem]:
    root = Path(spec)
    if root.is_dir():
        files = _event_files(root, cutoff)
        if not files:
            log.warning("%s: no event files (%s) found", spec, ", ".join(EVENT_FILE_SUFFIXES))
        return _files_items(files, reading)
    if not root.exists():
        raise InputError(f"{spec}: no such file or directory")
    return _file_items(root, spec, reading)


def _event_files(root: Path, cutoff: datetime | None) -> list[Path]:
    found: list[tuple[tuple[str, ...], Path]] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for filename in filenames:
            if filename.startswith(".") or not filename.lower().endswith(EVENT_FILE_SUFFIXES):
                continue
            path = Path(directory, filename)
            relative = path.relative_to(root)
            if wanted_key(relative.as_posix(), cutoff):
                found.append((relative.parts, path))
    return [path for _, path in sorted(found)]


def _files_items(files: list[Path], reading: Reading) -> Iterator[AnyItem]:
    for path in files:
        yield from _file_items(path, str(path), reading)


def _file_items(path: Path, name: str, reading: Reading) -> Iterator[AnyItem]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield RecordError(f"cannot read file: {exc.strerror or exc}", origin=name)
        return
    with handle:
        log.debug("reading %s", name)
        yield from stream_items(handle.read, name, reading, (OSError,))


# ----------------------------------------------------------------------------------- S3


def _s3_items(
    spec: str,
    factory: Callable[[], Any] | None,
    page_size: int,
    cutoff: datetime | None,
    reading: Reading,
) -> Iterator[AnyItem]:
    client, bucket, first, pages = open_s3_listing(spec, factory, page_size)
    return _s3_objects(client, bucket, spec, first, pages, cutoff, reading)


def open_s3_listing(
    spec: str, factory: Callable[[], Any] | None, page_size: int
) -> tuple[Any, str, Any, Iterator[Any]]:
    """An ``s3://`` spec's client, bucket, first listing page (None: nothing listed) and the
    pages after it; InputError when the spec is malformed or the listing fails."""
    from botocore.exceptions import BotoCoreError, ClientError

    from tfdrift_gitops.adapters.aws import make_s3_client, split_s3_url

    try:
        bucket, prefix = split_s3_url(spec)
    except ConfigError as exc:
        raise InputError(str(exc)) from None
    try:
        client = factory() if factory is not None else make_s3_client()
        paginator = client.get_paginator("list_objects_v2")
        pages = iter(
            paginator.paginate(
                Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}
            )
        )
        first = next(pages, None)
    except (BotoCoreError, ClientError) as exc:
        raise InputError(f"{spec}: cannot list objects: {aws_error_text(exc)}") from None
    return client, bucket, first, pages


def _s3_objects(
    client: Any,
    bucket: str,
    spec: str,
    first: Mapping[str, Any] | None,
    pages: Iterator[Mapping[str, Any]],
    cutoff: datetime | None,
    reading: Reading,
) -> Iterator[AnyItem]:
    from botocore.exceptions import BotoCoreError, ClientError

    listed = 0
    page: Mapping[str, Any] | None = first
    while page is not None:
        for entry in page.get("Contents") or ():
            key = str(entry.get("Key", ""))
            listed += 1
            basename = key.rsplit("/", 1)[-1]
            if basename.startswith(".") or not basename.lower().endswith(EVENT_FILE_SUFFIXES):
                continue
            if not wanted_key(key, cutoff):
                log.debug("skipping %s (digest or before --since)", key)
                continue
            yield from _s3_object_items(client, bucket, key, reading)
        try:
            page = next(pages, None)
        except (BotoCoreError, ClientError) as exc:
            yield RecordError(
                f"listing stopped after {listed} objects: {aws_error_text(exc)}", origin=spec
            )
            return
    if listed == 0:
        log.warning("%s: no objects under this prefix", spec)


def _s3_object_items(client: Any, bucket: str, key: str, reading: Reading) -> Iterator[AnyItem]:
    from botocore.exceptions import BotoCoreError, ClientError
    from urllib3.exceptions import HTTPError

    name = f"s3://{bucket}/{key}"
    try:
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
    except (BotoCoreError, ClientError) as exc:
        yield RecordError(f"cannot read object: {aws_error_text(exc)}", origin=name)
        return
    try:
        log.debug("reading %s", name)
        yield from stream_items(body.read, name, reading, (OSError, BotoCoreError, HTTPError))
    finally:
        body.close()


def iter_s3_object(client: Any, bucket: str, key: str) -> Iterator[Item]:
    """Every record of one S3 object (a log file an SQS notification named). An error about the
    object as a whole (missing, unreadable, corrupt or truncated gzip, not JSON) has ``origin``
    exactly ``s3://bucket/key``; a bad record's origin adds its position (``#Records[3]``)."""
    for item in _s3_object_items(client, bucket, key, Reading(MAX_RECORD_BYTES)):
        if not isinstance(item, SkippedRecord):  # only a prefilter skips; there is none here
            yield item


def iter_stream(
    read: Callable[[int], bytes],
    name: str,
    *,
    prefilter: Prefilter | None = None,
    errors: tuple[type[BaseException], ...] = (OSError,),
) -> Iterator[Item | SkippedRecord]:
    """Every record of one byte stream, read as ``iter_events`` reads stdin or an S3 object's
    body (formats by content, errors naming ``name``); an exception of ``errors`` raised by
    ``read`` ends it with an error after what was read."""
    return stream_items(read, name, Reading(MAX_RECORD_BYTES, prefilter), errors)
