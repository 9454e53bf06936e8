"""Read CloudTrail records and Falco alerts from files, directories, stdin and S3.

``iter_events(spec)`` yields a ``CloudEvent`` per usable record and a ``RecordError`` per
unusable one (bad JSON line, truncated gzip, unreadable object, record the normaliser rejects),
so one bad input never stops the rest. Only a spec that cannot be read at all (missing path,
bucket that cannot be listed) raises ``InputError``, and it does so when ``iter_events`` is
called, before anything is yielded.

Formats are detected per file, not by name: gzip by its magic bytes; JSON Lines when the first
non-blank line is a complete JSON value (a CloudTrail log file is usually one line, so it reads
as one line holding ``{"Records": [...]}``); otherwise the whole content is one JSON document
(``{"Records": [...]}``, a bare array, or a single record or alert). JSON Lines stream line by
line; documents are read whole. A document cut short (truncated gzip, partial upload) keeps the
records before the cut.

Memory stays bounded whatever a file inflates to: a line or document over ``MAX_DOCUMENT_BYTES``
that is a ``{"Records": [...]}`` document or an array is parsed incrementally (ijson), one
record at a time; anything else that large is refused with an error naming the file.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Final, overload

import ijson  # type: ignore[import-untyped]

from tfdrift_gitops.adapters.aws import aws_error_text
from tfdrift_gitops.core import jsontext
from tfdrift_gitops.core.normalize import (
    MAX_RECORD_BYTES,
    is_cloudtrail_record,
    is_falco_alert,
    normalize_any,
)
from tfdrift_gitops.errors import ConfigError, InputError, RecordError
from tfdrift_gitops.models import CloudEvent, SkippedRecord

log = logging.getLogger(__name__)

Item = CloudEvent | RecordError
_AnyItem = CloudEvent | RecordError | SkippedRecord

EVENT_FILE_SUFFIXES: Final = (".json", ".json.gz", ".jsonl", ".ndjson", ".gz")
"""Files a directory walk reads (``.gz`` also covers ``.jsonl.gz``); a file named on the command
line is read whatever its name."""

STDIN_NAME: Final = "<stdin>"
MAX_DOCUMENT_BYTES: Final = 8 << 20
"""A line or document over this many bytes is parsed incrementally (Records documents and
arrays) or refused (anything else: no single record or alert is that large)."""
MAX_STREAMED_RECORD_BYTES: Final = 16 << 20
"""While streaming, this many bytes without a complete record ends the file with an error."""

_CHUNK: Final = 1 << 20
_GZIP_MAGIC: Final = b"\x1f\x8b"
# CloudTrail writes integrity digests next to the logs; they are not events.
_DIGEST_MARKER: Final = "CloudTrail-Digest"
_KEY_DATE: Final = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})/")
_RECORDS_START: Final = re.compile(r'\s*\{\s*"Records"\s*:\s*\[')
# What a streamable document starts with: a Records object or an array (BOM allowed).
_STREAMABLE: Final = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*(?:(\{\s*"Records"\s*:\s*\[)|\[)')


# orjson decodes a CloudTrail record about three times as fast as json.loads; it is trusted
# only where the two agree (core/jsontext.py).
_loads_line = jsontext.loads


Prefilter = Callable[[Mapping[str, Any]], str | None]
"""Looks at a raw decoded record; a reason string means "not drift, do not normalise"."""


LineHandler = Callable[
    [Iterator[tuple[int, Any]], str, Callable[[Iterator[tuple[int, Any]]], Iterator[Any]]],
    Iterator[Any],
]
"""Takes over the lines of a JSON Lines stream (``detect --jobs``: worker processes):
``(numbered lines, name, local)`` -> items in line order; ``local`` reads lines here, the
usual way (lines that are not plain bytes, or that need this process's knowledge)."""


@dataclass(frozen=True, slots=True)
class _Reading:
    """What every reader level needs to turn a decoded value into an item."""

    max_bytes: int
    prefilter: Prefilter | None = None
    lines: LineHandler | None = None

    def normalize(self, value: Any, origin: str, size: int | None) -> _AnyItem:
        skipped = self.skip(value)
        if skipped is not None:
            return skipped
        return normalize_any(value, origin, size=size, max_bytes=self.max_bytes)

    def skip(self, value: Any) -> SkippedRecord | None:
        """The prefilter's verdict; skipped records share one object per reason (they are
        only counted, and the hot path should not allocate for three records in four)."""
        if self.prefilter is None or not (type(value) is dict or isinstance(value, Mapping)):
            return None
        reason = self.prefilter(value)
        if reason is None:
            return None
        shared = _SKIPPED.get(reason)
        if shared is None:
            shared = _SKIPPED[reason] = SkippedRecord(reason=reason)
        return shared


_SKIPPED: dict[str, SkippedRecord] = {}


class _ReadFailure(Exception):
    """Reading stopped early; the message says why (truncated gzip, I/O error)."""


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
    reading = _Reading(max_bytes, prefilter, lines)
    source: Iterator[_AnyItem]
    if not spec.strip():
        raise InputError("empty events spec (give a file, a directory, - or s3://bucket/prefix)")
    if spec == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        # read1 returns what a pipe has now instead of waiting for a full chunk.
        read = getattr(stream, "read1", stream.read)
        source = _stream_items(read, STDIN_NAME, reading, (OSError,))
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


def _newer_than(items: Iterator[_AnyItem], cutoff: datetime) -> Iterator[_AnyItem]:
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


def _path_items(spec: str, cutoff: datetime | None, reading: _Reading) -> Iterator[_AnyItem]:
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


def _files_items(files: list[Path], reading: _Reading) -> Iterator[_AnyItem]:
    for path in files:
        yield from _file_items(path, str(path), reading)


def _file_items(path: Path, name: str, reading: _Reading) -> Iterator[_AnyItem]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield RecordError(f"cannot read file: {exc.strerror or exc}", origin=name)
        return
    with handle:
        log.debug("reading %s", name)
        yield from _stream_items(handle.read, name, reading, (OSError,))


# ----------------------------------------------------------------------------------- S3


def _s3_items(
    spec: str,
    factory: Callable[[], Any] | None,
    page_size: int,
    cutoff: datetime | None,
    reading: _Reading,
) -> Iterator[_AnyItem]:
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
    reading: _Reading,
) -> Iterator[_AnyItem]:
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


def _s3_object_items(client: Any, bucket: str, key: str, reading: _Reading) -> Iterator[_AnyItem]:
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
        yield from _stream_items(body.read, name, reading, (OSError, BotoCoreError, HTTPError))
    finally:
        body.close()


def iter_s3_object(client: Any, bucket: str, key: str) -> Iterator[Item]:
    """Every record of one S3 object (a log file an SQS notification named). An error about the
    object as a whole (missing, unreadable, corrupt or truncated gzip, not JSON) has ``origin``
    exactly ``s3://bucket/key``; a bad record's origin adds its position (``#Records[3]``)."""
    for item in _s3_object_items(client, bucket, key, _Reading(MAX_RECORD_BYTES)):
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
    return _stream_items(read, name, _Reading(MAX_RECORD_BYTES, prefilter), errors)


# ------------------------------------------------------------------------ stream reading


def _chunks(
    read: Callable[[int], bytes], errors: tuple[type[BaseException], ...]
) -> Iterator[bytes]:
    """Raw chunks; a read error ends the stream with _ReadFailure after what was read."""
    while True:
        try:
            chunk = read(_CHUNK)
        except errors as exc:
            raise _ReadFailure(f"read failed: {exc}") from exc
        if not chunk:
            return
        yield chunk


def _gunzip(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Decompress gzip (several members allowed), in bounded pieces, noticing truncation."""
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    started = False
    for chunk in chunks:
        data = chunk
        while data:
            started = True
            try:
                out = decompressor.decompress(data, _CHUNK)
            except zlib.error as exc:
                raise _ReadFailure(f"corrupt gzip data: {exc}") from None
            if out:
                yield out
            if decompressor.eof:
                data = decompressor.unused_data
                decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
                started = False
                if not data.strip(b"\0"):  # padding after the last member is allowed
                    data = b""
            else:
                data = decompressor.unconsumed_tail
    if started:
        # Output zlib still holds (a copy that straddled our size limit), then the verdict.
        tail = decompressor.flush()
        if tail:
            yield tail
        if not decompressor.eof:
            raise _ReadFailure("gzip data ends early (truncated file)")


class _BigLine:
    """A line too long to hold in memory: its bytes, pulled as the parser asks for them.

    ``head`` is what was read before the line was found to be long; the rest comes from the
    chunk stream up to the next newline. What follows the newline is kept in ``rest``.
    """

    def __init__(self, head: list[bytes], source: Iterator[bytes]) -> None:
        self.head = head
        self.source = source
        start = b""
        for piece in head:
            start += piece[:4096]
            if len(start) >= 4096:
                break
        found = _STREAMABLE.match(start)
        self.kind = None if found is None else ("records" if found.group(1) else "array")
        """What the line holds: a Records document, an array, or neither (None)."""
        self.rest = b""
        self.done = False
        self.failure: str | None = None

    def chunks(self) -> Iterator[bytes]:
        head, self.head = self.head, []
        yield from head
        try:
            for chunk in self.source:
                newline = chunk.find(b"\n")
                if newline >= 0:
                    self.rest = chunk[newline + 1 :]
                    self.done = True
                    yield chunk[:newline]
                    return
                yield chunk
        except _ReadFailure as exc:
            self.failure = str(exc)
        self.done = True

    def drain(self) -> None:
        """Skip what the parser left of the line (it stopped at an error)."""
        if not self.done:
            for _ in self.chunks():
                pass


class _Lines:
    """Split a chunk stream into lines; remember why reading stopped, if it did.

    After a failure the bytes read since the last newline are kept in ``tail`` (not yielded):
    a document cut short still has records worth salvaging there. A line that grows past
    ``MAX_DOCUMENT_BYTES`` and starts like a Records document or an array is a ``_BigLine``
    (to be streamed); any other line that long ends the reading with a failure.
    """

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self.failure: str | None = None
        self.tail = b""

    def __iter__(self) -> Iterator[bytes | _BigLine]:
        pieces: list[bytes] = []
        pending = 0
        chunks = self._chunks
        try:
            while True:
                chunk = next(chunks, None)
                if chunk is None:
                    break
                end = chunk.find(b"\n")  # find (memchr), not split: half the cost a line
                if end < 0:
                    pieces.append(chunk)
                    pending += len(chunk)
                    if pending > MAX_DOCUMENT_BYTES:
                        big = _BigLine(pieces, chunks)
                        if big.kind is None:
                            self.failure = (
                                f"a line over {MAX_DOCUMENT_BYTES:,} bytes; the rest was not read"
                            )
                            return
                        yield big
                        big.drain()
                        if big.failure is not None:
                            self.failure = big.failure
                            return
                        pieces, pending = [], 0
                        if big.rest:  # the start of the next line
                            chunks = itertools.chain((big.rest,), chunks)
                    continue
                if pieces:
                    pieces.append(chunk[:end])
                    yield b"".join(pieces)
                else:
                    yield chunk[:end]
                find = chunk.find
                start = end + 1
                end = find(b"\n", start)
                while end >= 0:
                    yield chunk[start:end]
                    start = end + 1
                    end = find(b"\n", start)
                last = chunk[start:]
                pieces = [last] if last else []
                pending = len(last)
        except _ReadFailure as exc:
            self.failure = str(exc)
            self.tail = b"".join(pieces)
            return
        if pieces:
            yield b"".join(pieces)


def _stream_items(
    read: Callable[[int], bytes],
    name: str,
    reading: _Reading,
    errors: tuple[type[BaseException], ...],
) -> Iterator[_AnyItem]:
    """Every record of one stream (a file, stdin or an S3 object body)."""
    chunks = _chunks(read, errors)
    try:
        head = next(chunks, b"")
    except _ReadFailure as exc:
        yield RecordError(f"cannot read: {exc}", origin=name)
        return
    chunks = itertools.chain((head,), chunks)
    if head.startswith(_GZIP_MAGIC):
        chunks = _gunzip(chunks)
    lines = _Lines(chunks)
    yield from _content_items(lines, name, reading)
    if lines.failure is not None:
        detail = " (its incomplete last line was not read)" if lines.tail.strip() else ""
        yield RecordError(f"{lines.failure}{detail}", origin=name)


def _blank(line: bytes | _BigLine) -> bool:
    return isinstance(line, bytes) and (not line or line.isspace())


def _content_items(lines: _Lines, name: str, reading: _Reading) -> Iterator[_AnyItem]:
    numbered = enumerate(lines, start=1)
    first_no, first = next(((n, ln) for n, ln in numbered if not _blank(ln)), (0, b""))
    if isinstance(first, _BigLine):
        origin = name if first_no == 1 else f"{name}:{first_no}"
        yield from _big_line_items(first, origin, reading)
        yield from _jsonl_items(numbered, name, reading)
        return
    if not first:
        if lines.tail.strip():  # a one-line document cut short
            yield from _document_items([lines.tail], 1, lines, name, reading)
        else:
            log.debug("%s: empty", name)
        return
    try:
        first_value = _loads_line(first)
    except (ValueError, RecursionError):
        yield from _multiline_items(first, first_no, numbered, lines, name, reading)
        return
    # JSON Lines, possibly a single line: hold the first value until we know which.
    second_no, second = next(((n, ln) for n, ln in numbered if not _blank(ln)), (0, b""))
    if not second and lines.failure is None:
        yield from _value_items(first_value, name, len(first), reading, whole=True)
        return
    yield from _value_items(first_value, f"{name}:{first_no}", len(first), reading)
    if second:
        yield from _jsonl_items(itertools.chain(((second_no, second),), numbered), name, reading)


def _multiline_items(
    first: bytes,
    first_no: int,
    numbered: Iterator[tuple[int, bytes | _BigLine]],
    lines: _Lines,
    name: str,
    reading: _Reading,
) -> Iterator[_AnyItem]:
    """A document over several lines: held whole up to MAX_DOCUMENT_BYTES, streamed beyond
    when it is a Records document or an array, refused beyond otherwise."""
    parts = [first]
    total = len(first)
    for _, line in numbered:
        if isinstance(line, _BigLine) or total + len(line) + 1 > MAX_DOCUMENT_BYTES:
            found = _STREAMABLE.match(b"\n".join(parts)[:4096])
            if found is None:
                yield RecordError(
                    f"JSON document over {MAX_DOCUMENT_BYTES:,} bytes; not read", origin=name
                )
                return
            held = b"\n".join(parts)
            parts = []
            rest = itertools.chain((held,), _rejoined(line, numbered, lines))
            yield from _streamed_items(rest, name, found.group(1) is not None, reading, lines)
            return
        parts.append(line)
        total += len(line) + 1
    if lines.tail:
        parts.append(lines.tail)
    yield from _document_items(parts, first_no, lines, name, reading)


def _rejoined(
    line: bytes | _BigLine, numbered: Iterator[tuple[int, bytes | _BigLine]], lines: _Lines
) -> Iterator[bytes]:
    """The bytes of the lines from ``line`` on, newlines put back."""
    for current in itertools.chain((line,), (ln for _, ln in numbered)):
        yield b"\n"
        if isinstance(current, _BigLine):
            yield from current.chunks()
        else:
            yield current
    if lines.tail:
        yield b"\n" + lines.tail


class _RecordTooLarge(Exception):
    pass


class _ChunkReader:
    """A file-like view of a chunk stream for ijson, noticing a record that never ends.

    ``read(n)`` returns at most ``n`` bytes (ijson's C parser relies on it)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = memoryview(b"")
        self.total = 0
        self.mark = 0

    def read(self, size: int = -1) -> bytes:
        if self.total - self.mark > MAX_STREAMED_RECORD_BYTES:
            raise _RecordTooLarge
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            self._buffer = memoryview(chunk)
        if size < 0:
            size = len(self._buffer)
        out = bytes(self._buffer[:size])
        self._buffer = self._buffer[size:]
        self.total += len(out)
        return out


def _big_line_items(big: _BigLine, origin: str, reading: _Reading) -> Iterator[_AnyItem]:
    yield from _streamed_items(big.chunks(), origin, big.kind == "records", reading, big)


def _streamed_items(
    chunks: Iterator[bytes],
    origin: str,
    records: bool,
    reading: _Reading,
    source: _Lines | _BigLine,
) -> Iterator[_AnyItem]:
    """The elements of a Records document (or of an array), parsed one at a time: memory is
    bounded by one record, whatever the document's size."""
    reader = _ChunkReader(chunks)
    prefix, label = ("Records.item", "Records") if records else ("item", "")
    count = 0
    try:
        # ijson builds every element of one buffer before yielding: keep the buffer small.
        for value in ijson.items(reader, prefix, use_float=True, buf_size=min(_CHUNK, 1 << 16)):
            reader.mark = reader.total
            try:
                yield reading.normalize(value, f"{origin}#{label}[{count}]", None)
            except RecordError as exc:
                yield exc
            count += 1
    except _RecordTooLarge:
        yield RecordError(
            f"no complete record within {MAX_STREAMED_RECORD_BYTES:,} bytes after {count} "
            "records; the rest was not read",
            origin=origin,
        )
    except ijson.JSONError as exc:
        if source.failure is None:  # a read failure is reported by the caller
            yield RecordError(f"invalid JSON after {count} complete records: {exc}", origin=origin)
    except _ReadFailure as exc:
        source.failure = str(exc)


def _jsonl_items(
    numbered: Iterator[tuple[int, bytes | _BigLine]], name: str, reading: _Reading
) -> Iterator[_AnyItem]:
    """The hot path of ``detect`` on JSON Lines: parse and normalise, nothing else."""
    if reading.lines is not None:
        local = replace(reading, lines=None)

        def here(lines: Iterator[tuple[int, Any]]) -> Iterator[Any]:
            return _jsonl_items(lines, name, local)

        yield from reading.lines(numbered, name, here)
        return
    loads = _loads_line
    skip = reading.skip
    for number, line in numbered:
        if type(line) is not bytes:
            yield from _big_line_items(line, f"{name}:{number}", reading)  # type: ignore[arg-type]
            continue
        if not line or line.isspace():
            continue
        try:
            value = loads(line)
        except (ValueError, RecursionError) as exc:
            yield RecordError(f"invalid JSON: {exc}", origin=f"{name}:{number}")
            continue
        if type(value) is dict and "Records" not in value:
            skipped = skip(value)
            if skipped is not None:
                yield skipped
                continue
            try:
                yield normalize_any(
                    value, f"{name}:{number}", size=len(line), max_bytes=reading.max_bytes
                )
            except RecordError as exc:
                yield exc
        else:
            yield from _value_items(value, f"{name}:{number}", len(line), reading)


def _document_items(
    parts: list[bytes], first_no: int, lines: _Lines, name: str, reading: _Reading
) -> Iterator[_AnyItem]:
    """Content whose first line is not JSON by itself: one multi-line document, or JSON Lines
    whose first line is broken. ``parts`` are its lines from the first non-blank one on."""
    lines.tail = b""  # part of the document now, not a dropped line
    if sum(len(part) for part in parts) > MAX_DOCUMENT_BYTES:
        yield RecordError(f"JSON document over {MAX_DOCUMENT_BYTES:,} bytes; not read", origin=name)
        return
    text = b"\n".join(parts)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        if _looks_like_json_lines(parts[1:]):
            yield from _jsonl_items(enumerate(parts, start=first_no), name, reading)
            return
        yield from _salvage(text, exc, lines, name, reading)
        return
    yield from _value_items(value, name, len(text), reading, whole=True)


def _looks_like_json_lines(rest: list[bytes]) -> bool:
    """Some later line is a JSON object by itself (never so in a pretty-printed document)."""
    checked = 0
    for line in rest:
        if not line or line.isspace():
            continue
        checked += 1
        try:
            if isinstance(json.loads(line), dict):
                return True
        except (ValueError, RecursionError):
            pass
        if checked >= 5:
            break
    return False


def _salvage(
    text: bytes, exc: Exception, lines: _Lines, name: str, reading: _Reading
) -> Iterator[_AnyItem]:
    """A broken document: keep the complete leading elements of its array, report the rest."""
    decoded = text.decode("utf-8", "replace")
    match = _RECORDS_START.match(decoded)
    label = "Records"
    if match is not None:
        position = match.end()
    else:
        stripped = len(decoded) - len(decoded.lstrip())
        if decoded[stripped : stripped + 1] != "[":
            if lines.failure is None:
                yield RecordError(f"invalid JSON: {exc}", origin=name)
            return
        position, label = stripped + 1, ""
    decoder = json.JSONDecoder()
    kept = 0
    size = len(text) if len(text) <= reading.max_bytes else None
    while True:
        while position < len(decoded) and decoded[position] in " \t\r\n,":
            position += 1
        try:
            value, position = decoder.raw_decode(decoded, position)
        except (ValueError, RecursionError):
            break
        try:
            yield reading.normalize(value, f"{name}#{label}[{kept}]", size)
        except RecordError as error:
            yield error
        kept += 1
    if lines.failure is None:
        yield RecordError(f"invalid JSON after {kept} complete records: {exc}", origin=name)


def _value_items(
    value: Any, origin: str, size: int, reading: _Reading, *, whole: bool = False
) -> Iterator[_AnyItem]:
    """One parsed JSON value: a log file object, an array of records, or one record/alert.

    ``whole`` means the value is the entire file, so element origins read ``file#Records[3]``
    rather than ``file:1#Records[3]`` (the caller already put the line number in ``origin``).
    """
    # The value's own size bounds every element's; past the limit each is measured instead.
    bound = size if size <= reading.max_bytes else None
    if (
        isinstance(value, dict)
        and "Records" in value
        and not (is_falco_alert(value) or is_cloudtrail_record(value))
    ):
        records = value["Records"]
        if not isinstance(records, list):
            yield RecordError("Records is not an array", origin=origin)
            return
        yield from _elements(records, f"{origin}#Records", bound, reading)
    elif isinstance(value, list):
        yield from _elements(value, f"{origin}#" if whole else origin, bound, reading)
    else:
        try:
            yield reading.normalize(value, origin, size)
        except RecordError as exc:
            yield exc


def _elements(
    values: list[Any], prefix: str, size: int | None, reading: _Reading
) -> Iterator[_AnyItem]:
    for index, element in enumerate(values):
        try:
            yield reading.normalize(element, f"{prefix}[{index}]", size)
        except RecordError as exc:
            yield exc
