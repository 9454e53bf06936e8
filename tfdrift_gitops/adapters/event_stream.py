"""Reading one byte stream (a file, stdin or an S3 object body) into items: a ``CloudEvent``
per usable record, a ``RecordError`` per unusable one, a ``SkippedRecord`` per record the
prefilter skips.

Formats are detected per stream, not by name: gzip by its magic bytes; JSON Lines when the
first non-blank line is a complete JSON value (a CloudTrail log file is usually one line, so it
reads as one line holding ``{"Records": [...]}``); otherwise the whole content is one JSON
document (``{"Records": [...]}``, a bare array, or a single record or alert). JSON Lines stream
line by line; documents are read whole. A document cut short (truncated gzip, partial upload)
keeps the records before the cut.

Memory stays bounded whatever a stream inflates to: a line or document over
``MAX_DOCUMENT_BYTES`` that is a ``{"Records": [...]}`` document or an array is parsed
incrementally (ijson), one record at a time; anything else that large is refused with an
error naming the stream.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

import ijson  # type: ignore[import-untyped]

from tfdrift_gitops.core import jsontext
from tfdrift_gitops.core.normalize import (
    is_cloudtrail_record,
    is_falco_alert,
    normalize_any,
    unwrap_envelope,
)
from tfdrift_gitops.errors import RecordError
from tfdrift_gitops.models import CloudEvent, SkippedRecord

log = logging.getLogger(__name__)

Item = CloudEvent | RecordError
AnyItem = CloudEvent | RecordError | SkippedRecord

MAX_DOCUMENT_BYTES: Final = 8 << 20
"""A line or document over this many bytes is parsed incrementally (Records documents and
arrays) or refused (anything else: no single record or alert is that large)."""
MAX_STREAMED_RECORD_BYTES: Final = 16 << 20
"""While streaming, this many bytes without a complete record ends the file with an error."""

_CHUNK: Final = 1 << 20
_GZIP_MAGIC: Final = b"\x1f\x8b"
_RECORDS_START: Final = re.compile(r'\s*\{\s*"Records"\s*:\s*\[')
# What a streamable document starts with: a Records object or an array (BOM allowed).
_STREAMABLE: Final = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*(?:(\{\s*"Records"\s*:\s*\[)|\[)')


# orjson decodes a CloudTrail record about three times as fast as json.loads; it is trusted
# only where the two agree (core/jsontext.py).
loads_line = jsontext.loads


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
class Reading:
    """What every reader level needs to turn a decoded value into an item."""

    max_bytes: int
    prefilter: Prefilter | None = None
    lines: LineHandler | None = None

    def normalize(self, value: Any, origin: str, size: int | None) -> AnyItem:
        value = unwrap_envelope(value)  # an EventBridge event: its CloudTrail record
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


class ReadFailure(Exception):
    """Reading stopped early; the message says why (truncated gzip, I/O error)."""


# ------------------------------------------------------------------------ stream reading


def _chunks(
    read: Callable[[int], bytes], errors: tuple[type[BaseException], ...]
) -> Iterator[bytes]:
    """Raw chunks; a read error ends the stream with ReadFailure after what was read."""
    while True:
        try:
            chunk = read(_CHUNK)
        except errors as exc:
            raise ReadFailure(f"read failed: {exc}") from exc
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
                raise ReadFailure(f"corrupt gzip data: {exc}") from None
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
            raise ReadFailure("gzip data ends early (truncated file)")


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
        except ReadFailure as exc:
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
        except ReadFailure as exc:
            self.failure = str(exc)
            self.tail = b"".join(pieces)
            return
        if pieces:
            yield b"".join(pieces)


def stream_items(
    read: Callable[[int], bytes],
    name: str,
    reading: Reading,
    errors: tuple[type[BaseException], ...],
) -> Iterator[AnyItem]:
    """Every record of one stream (a file, stdin or an S3 object body)."""
    chunks = _chunks(read, errors)
    try:
        head = next(chunks, b"")
    except ReadFailure as exc:
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


def _content_items(lines: _Lines, name: str, reading: Reading) -> Iterator[AnyItem]:
    numbered = enumerate(lines, start=1)
    first_no, first = next(((n, ln) for n, ln in numbered if not _blank(ln)), (0, b""))
    if isinstance(first, _BigLine):
        origin = name if first_no == 1 else f"{name}:{first_no}"
        yield from _big_line_items(first, origin, reading)
        yield from jsonl_items(numbered, name, reading)
        return
    if not first:
        if lines.tail.strip():  # a one-line document cut short
            yield from _document_items([lines.tail], 1, lines, name, reading)
        else:
            log.debug("%s: empty", name)
        return
    try:
        first_value = loads_line(first)
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
        yield from jsonl_items(itertools.chain(((second_no, second),), numbered), name, reading)


def _multiline_items(
    first: bytes,
    first_no: int,
    numbered: Iterator[tuple[int, bytes | _BigLine]],
    lines: _Lines,
    name: str,
    reading: Reading,
) -> Iterator[AnyItem]:
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


def _big_line_items(big: _BigLine, origin: str, reading: Reading) -> Iterator[AnyItem]:
    yield from _streamed_items(big.chunks(), origin, big.kind == "records", reading, big)


def _streamed_items(
    chunks: Iterator[bytes],
    origin: str,
    records: bool,
    reading: Reading,
    source: _Lines | _BigLine,
) -> Iterator[AnyItem]:
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
    except ReadFailure as exc:
        source.failure = str(exc)


def jsonl_items(
    numbered: Iterator[tuple[int, bytes | _BigLine]], name: str, reading: Reading
) -> Iterator[AnyItem]:
    """The hot path of ``detect`` on JSON Lines: parse and normalise, nothing else."""
    if reading.lines is not None:
        local = replace(reading, lines=None)

        def here(lines: Iterator[tuple[int, Any]]) -> Iterator[Any]:
            return jsonl_items(lines, name, local)

        yield from reading.lines(numbered, name, here)
        return
    loads = loads_line
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
            if "detail-type" in value:  # an EventBridge event: its CloudTrail record
                value = unwrap_envelope(value)
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
    parts: list[bytes], first_no: int, lines: _Lines, name: str, reading: Reading
) -> Iterator[AnyItem]:
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
            yield from jsonl_items(enumerate(parts, start=first_no), name, reading)
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
    text: bytes, exc: Exception, lines: _Lines, name: str, reading: Reading
) -> Iterator[AnyItem]:
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
    value: Any, origin: str, size: int, reading: Reading, *, whole: bool = False
) -> Iterator[AnyItem]:
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
    values: list[Any], prefix: str, size: int | None, reading: Reading
) -> Iterator[AnyItem]:
    for index, element in enumerate(values):
        try:
            yield reading.normalize(element, f"{prefix}[{index}]", size)
        except RecordError as exc:
            yield exc
