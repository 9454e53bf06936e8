"""Turning the lines of one byte stream (a file, stdin or an S3 object body) into items: a
``CloudEvent`` per usable record, a ``RecordError`` per unusable one, a ``SkippedRecord`` per
record the prefilter skips.

Formats are detected per stream, not by name: gzip by its magic bytes; JSON Lines when the
first non-blank line is a complete JSON value (a CloudTrail log file is usually one line, so it
reads as one line holding ``{"Records": [...]}``); otherwise the whole content is one JSON
document (``{"Records": [...]}``, a bare array, or a single record or alert). JSON Lines stream
line by line; documents are read whole. A document cut short (truncated gzip, partial upload)
keeps the records before the cut.

Memory stays bounded whatever a stream inflates to: the lines come from byte_lines.py, which
never holds one over ``MAX_DOCUMENT_BYTES``; a line or document over that many bytes that is a
``{"Records": [...]}`` document or an array is parsed incrementally (ijson), one record at a
time; anything else that large is refused with an error naming the stream.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

import ijson  # type: ignore[import-untyped]

from tfdrift_gitops.adapters import byte_lines
from tfdrift_gitops.adapters.byte_lines import BigLine, Lines, ReadFailure
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

MAX_STREAMED_RECORD_BYTES: Final = 16 << 20
"""While streaming, this many bytes without a complete record ends the file with an error."""

_RECORDS_START: Final = re.compile(r'\s*\{\s*"Records"\s*:\s*\[')


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


def stream_items(
    read: Callable[[int], bytes],
    name: str,
    reading: Reading,
    errors: tuple[type[BaseException], ...],
) -> Iterator[AnyItem]:
    """Every record of one stream (a file, stdin or an S3 object body)."""
    chunks = byte_lines.chunks(read, errors)
    try:
        head = next(chunks, b"")
    except ReadFailure as exc:
        yield RecordError(f"cannot read: {exc}", origin=name)
        return
    chunks = itertools.chain((head,), chunks)
    if head.startswith(byte_lines.GZIP_MAGIC):
        chunks = byte_lines.gunzip(chunks)
    lines = Lines(chunks)
    yield from _content_items(lines, name, reading)
    if lines.failure is not None:
        detail = " (its incomplete last line was not read)" if lines.tail.strip() else ""
        yield RecordError(f"{lines.failure}{detail}", origin=name)


def _blank(line: bytes | BigLine) -> bool:
    return isinstance(line, bytes) and (not line or line.isspace())


def _content_items(lines: Lines, name: str, reading: Reading) -> Iterator[AnyItem]:
    numbered = enumerate(lines, start=1)
    first_no, first = next(((n, ln) for n, ln in numbered if not _blank(ln)), (0, b""))
    if isinstance(first, BigLine):
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
    numbered: Iterator[tuple[int, bytes | BigLine]],
    lines: Lines,
    name: str,
    reading: Reading,
) -> Iterator[AnyItem]:
    """A document over several lines: held whole up to MAX_DOCUMENT_BYTES, streamed beyond
    when it is a Records document or an array, refused beyond otherwise."""
    parts = [first]
    total = len(first)
    for _, line in numbered:
        if isinstance(line, BigLine) or total + len(line) + 1 > byte_lines.MAX_DOCUMENT_BYTES:
            found = byte_lines.STREAMABLE.match(b"\n".join(parts)[:4096])
            if found is None:
                yield RecordError(
                    f"JSON document over {byte_lines.MAX_DOCUMENT_BYTES:,} bytes; not read",
                    origin=name,
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
    line: bytes | BigLine, numbered: Iterator[tuple[int, bytes | BigLine]], lines: Lines
) -> Iterator[bytes]:
    """The bytes of the lines from ``line`` on, newlines put back."""
    for current in itertools.chain((line,), (ln for _, ln in numbered)):
        yield b"\n"
        if isinstance(current, BigLine):
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


def _big_line_items(big: BigLine, origin: str, reading: Reading) -> Iterator[AnyItem]:
    yield from _streamed_items(big.chunks(), origin, big.kind == "records", reading, big)


def _streamed_items(
    chunks: Iterator[bytes],
    origin: str,
    records: bool,
    reading: Reading,
    source: Lines | BigLine,
) -> Iterator[AnyItem]:
    """The elements of a Records document (or of an array), parsed one at a time: memory is
    bounded by one record, whatever the document's size."""
    reader = _ChunkReader(chunks)
    prefix, label = ("Records.item", "Records") if records else ("item", "")
    count = 0
    try:
        # ijson builds every element of one buffer before yielding: keep the buffer small.
        for value in ijson.items(
            reader, prefix, use_float=True, buf_size=min(byte_lines.CHUNK, 1 << 16)
        ):
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
    numbered: Iterator[tuple[int, bytes | BigLine]], name: str, reading: Reading
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
    parts: list[bytes], first_no: int, lines: Lines, name: str, reading: Reading
) -> Iterator[AnyItem]:
    """Content whose first line is not JSON by itself: one multi-line document, or JSON Lines
    whose first line is broken. ``parts`` are its lines from the first non-blank one on."""
    lines.tail = b""  # part of the document now, not a dropped line
    if sum(len(part) for part in parts) > byte_lines.MAX_DOCUMENT_BYTES:
        yield RecordError(
            f"JSON document over {byte_lines.MAX_DOCUMENT_BYTES:,} bytes; not read", origin=name
        )
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
    text: bytes, exc: Exception, lines: Lines, name: str, reading: Reading
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
