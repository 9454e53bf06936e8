"""Turning a byte stream (a file, stdin or an S3 object body) into lines, in bounded memory.

``chunks`` reads the stream in pieces of ``CHUNK`` bytes, ``gunzip`` inflates gzip (several
members, truncation noticed) in pieces of the same size, and ``Lines`` splits the pieces into
lines. A line that grows past ``MAX_DOCUMENT_BYTES`` is never held whole: one that starts like a
``{"Records": [...]}`` document or an array is handed over as a ``BigLine`` whose bytes are
pulled as its reader asks for them; any other ends the reading with a failure. A read that
stops early (I/O error, truncated or corrupt gzip) is a ``ReadFailure``; ``Lines`` remembers it
and keeps the bytes after the last newline.

What the lines hold (JSON Lines, documents, records): event_stream.py.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Callable, Iterator
from typing import Final

MAX_DOCUMENT_BYTES: Final = 8 << 20
"""A line or document over this many bytes is parsed incrementally (Records documents and
arrays) or refused (anything else: no single record or alert is that large)."""

CHUNK: Final = 1 << 20
GZIP_MAGIC: Final = b"\x1f\x8b"
# What a streamable document starts with: a Records object or an array (BOM allowed).
STREAMABLE: Final = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*(?:(\{\s*"Records"\s*:\s*\[)|\[)')


class ReadFailure(Exception):
    """Reading stopped early; the message says why (truncated gzip, I/O error)."""


def chunks(
    read: Callable[[int], bytes], errors: tuple[type[BaseException], ...]
) -> Iterator[bytes]:
    """Raw chunks; a read error ends the stream with ReadFailure after what was read."""
    while True:
        try:
            chunk = read(CHUNK)
        except errors as exc:
            raise ReadFailure(f"read failed: {exc}") from exc
        if not chunk:
            return
        yield chunk


def gunzip(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Decompress gzip (several members allowed), in bounded pieces, noticing truncation."""
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    started = False
    for chunk in chunks:
        data = chunk
        while data:
            started = True
            try:
                out = decompressor.decompress(data, CHUNK)
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


class BigLine:
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
        found = STREAMABLE.match(start)
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


class Lines:
    """Split a chunk stream into lines; remember why reading stopped, if it did.

    After a failure the bytes read since the last newline are kept in ``tail`` (not yielded):
    a document cut short still has records worth salvaging there. A line that grows past
    ``MAX_DOCUMENT_BYTES`` and starts like a Records document or an array is a ``BigLine``
    (to be streamed); any other line that long ends the reading with a failure.
    """

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self.failure: str | None = None
        self.tail = b""

    def __iter__(self) -> Iterator[bytes | BigLine]:
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
                        big = BigLine(pieces, chunks)
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
