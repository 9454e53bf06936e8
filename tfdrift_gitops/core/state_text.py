"""Reading a state file's raw text without keeping every attribute tree in memory.

The outer structure (top-level keys, resources and their keys) is walked by hand; each
instance object is decoded whole by the C scanner, which also gives its span of the text.
``StateResource.attributes`` decodes that span again on demand, so only the resources an event
touches ever have their attributes in memory after the load. Per instance that is one C call
plus the bookkeeping of the index: a 50,000-resource state indexes in well under a second.

The text kept is a *Latin-1 view of the file's UTF-8 bytes* (one character per byte), not the
decoded text: a state with one emoji in a tag would otherwise be held as a 4-byte-per-character
string (5.6x the file's size in RSS instead of 2.9x). JSON's structure is ASCII, so the walk is
the same; values whose span holds a non-ASCII byte are decoded again from their bytes.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from tfdrift_gitops.core.state import (
    ParsedState,
    StateBuilder,
    check_version,
    list_of,
    without_cyclic_gc,
)
from tfdrift_gitops.errors import StateError

_WS = re.compile(r"[ \t\n\r]*")
# A key without escapes, its colon and the whitespace up to the value: one match per member.
# Keys with escapes (never written by Terraform) take the slow path through the decoder.
_KEY = re.compile(r'[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
_BLOCK = 1 << 16
"""Non-ASCII bytes are looked for, and checked as UTF-8, a block of this size at a time."""
_DECODER = json.JSONDecoder()
_Scan = Callable[[str, int], tuple[Any, int]]
_SCAN: _Scan = _DECODER.scan_once  # type: ignore[attr-defined]
"""The C scanner: (value, end) for the JSON value starting exactly at the index."""


class _Reader:
    """Walks a state document's outer structure by hand, decoding leaf values with the C
    scanner."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.pos = 0
        self.ascii = text.isascii()
        # The blocks holding a non-ASCII byte: values elsewhere need no second look.
        self.wide = set() if self.ascii else set(_wide_blocks(text))

    def utf8(self, value: Any, start: int, end: int) -> Any:
        """``value`` as scanned from ``text[start:end]``, decoded again from its UTF-8 bytes
        when the span holds a non-ASCII byte (then the scan saw one character per byte)."""
        first, last = start // _BLOCK, (end - 1) // _BLOCK
        if first not in self.wide and (
            first == last or self.wide.isdisjoint(range(first + 1, last + 1))
        ):
            return value
        # A slice finds its widest character word by word: cheaper than a regex search.
        view = self.text[start:end]
        return value if view.isascii() else decode_view(view, self.source)

    def fail(self, what: str) -> StateError:
        if self.pos >= len(self.text) and what != "extra data after the state object":
            what = "unexpected end of data (truncated file?)"
        line = self.text.count("\n", 0, self.pos) + 1
        return StateError(f"{self.source}: not valid JSON: {what} (line {line})")

    def skip(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def next_char(self) -> str:
        """The next character after whitespace ("" at the end), not consumed."""
        self.skip()
        return self.text[self.pos : self.pos + 1]

    def value(self) -> Any:
        self.skip()
        return _scan(self)[0]

    def key(self) -> str:
        """An object key and its colon; the value follows."""
        match = _KEY.match(self.text, self.pos)
        if match is not None:
            self.pos = match.end()
            return match.group(1)
        key = self.value()
        if not isinstance(key, str) or self.next_char() != ":":
            raise self.fail("expected a key")
        self.pos += 1
        self.skip()
        return key

    def members(self) -> Iterator[str]:
        """Keys of the object starting here; the caller consumes each value."""
        if self.next_char() != "{":
            raise self.fail("expected an object")
        self.pos += 1
        if self.next_char() == "}":
            self.pos += 1
            return
        while True:
            yield self.key()
            if self.separator("}"):
                return

    def separator(self, close: str) -> bool:
        """After a member or element: True at the closing bracket, False after a comma."""
        char = self.next_char()
        self.pos += 1
        if char == ",":
            return False
        if char == close:
            return True
        self.pos -= 1
        raise self.fail(f"expected , or {close}")

    def elements(self) -> Iterator[int]:
        """Positions of the array starting here; the caller consumes each element."""
        if self.next_char() != "[":
            raise self.fail("expected an array")
        self.pos += 1
        if self.next_char() == "]":
            self.pos += 1
            return
        position = 0
        while True:
            if self.next_char() == "":
                raise self.fail("unexpected end of data")
            yield position
            position += 1
            if self.separator("]"):
                return


def utf8_view(raw: bytes, source: str) -> str:
    """The state file's bytes as a Latin-1 view (see the module docstring), after checking
    that they are UTF-8 (a leading byte-order mark is dropped, as Terraform does)."""
    data = memoryview(raw)
    if raw[:3] == codecs.BOM_UTF8:
        data = data[3:]
    if not raw.isascii():
        # Checked a block at a time, and only blocks with non-ASCII bytes (or the rest of a
        # character cut at a block's end): decoding the whole file is the string we avoid.
        check = codecs.getincrementaldecoder("utf-8")()
        try:
            for at in range(0, len(data), _BLOCK):
                block = data[at : at + _BLOCK]
                if not block.tobytes().isascii() or check.getstate()[0]:
                    check.decode(block)
            check.decode(b"", True)
        except UnicodeDecodeError as exc:
            raise StateError(f"{source}: not valid JSON (not UTF-8: {exc})") from exc
    return codecs.latin_1_decode(data)[0]


def _wide_blocks(view: str) -> list[int]:
    return [
        at // _BLOCK for at in range(0, len(view), _BLOCK) if not view[at : at + _BLOCK].isascii()
    ]


def decode_view(view: str, source: str) -> Any:
    """A JSON value from its Latin-1 view."""
    try:
        return json.loads(view if view.isascii() else view.encode("latin-1"))
    except ValueError as exc:
        raise StateError(f"{source}: not valid JSON: {exc}") from exc


def parse_state_view(view: str, *, source: str, workspace: str = "default") -> ParsedState:
    """Like parse_state, for a state file's ``utf8_view``, keeping instances as spans of it."""
    with without_cyclic_gc():
        return _parse(view, source, workspace)


def parse_state_text(text: str, *, source: str, workspace: str = "default") -> ParsedState:
    """Like parse_state, for a state file's decoded text."""
    raw = text.encode("utf-8", "surrogatepass")
    return parse_state_view(utf8_view(raw, source), source=source, workspace=workspace)


def _parse(text: str, source: str, workspace: str) -> ParsedState:
    reader = _Reader(text, source)
    if reader.next_char() != "{":
        raise StateError(f"{source}: not a Terraform state (top level is not a JSON object)")
    builder = StateBuilder(source, workspace)
    top: dict[str, Any] = {}
    for key in reader.members():
        if key == "resources" and reader.next_char() == "[":
            if "version" in top:
                builder.serial = check_version(top, source)
            _read_resources(reader, builder)
            top[key] = True
        else:
            top[key] = reader.value()
    reader.skip()
    if reader.pos != len(text):
        raise reader.fail("extra data after the state object")
    builder.serial = check_version(top, source)
    if "resources" in top and top["resources"] is not True:
        list_of(top["resources"], "'resources'", source)
    for res in builder.resources:
        if res.serial != builder.serial:  # version/serial came after resources (not Terraform)
            res.serial = builder.serial
    return builder.done(top)


def _read_resources(reader: _Reader, builder: StateBuilder) -> None:
    for position in reader.elements():
        if reader.next_char() != "{":
            raise StateError(f"{builder.source}: resources[{position}] is not an object")
        res, pending = _read_resource(reader)
        if "instances" in res and res["instances"] is not True:
            list_of(res["instances"], f"resources[{position}].instances", builder.source)
        header = builder.header(res, position)
        if header is None:
            continue
        for inst, start, end in pending:
            if not isinstance(inst, dict):
                raise StateError(
                    f"{builder.source}: an instance of {header[0]}.{header[1]} is not an object"
                )
            builder.instance(header, inst, inst.get("attributes"), reader.text, (start, end))


# The two loops below run once per resource and once per instance: written out with the
# regexes and the scanner called directly (no generator, no method call per token), which
# halved the time of a 50,000-resource load. Errors go back through the _Reader.


def _read_resource(reader: _Reader) -> tuple[dict[str, Any], list[tuple[Any, int, int]]]:
    """The resource object at ``reader.pos``: its members, ``instances`` read as spans."""
    text, ws, key_at = reader.text, _WS.match, _KEY.match
    res: dict[str, Any] = {}
    pending: list[tuple[Any, int, int]] = []
    pos = ws(text, reader.pos + 1).end()  # type: ignore[union-attr]
    if text.startswith("}", pos):
        reader.pos = pos + 1
        return res, pending
    while True:
        match = key_at(text, pos)
        if match is not None:
            key, pos = match.group(1), match.end()
        else:
            reader.pos = pos
            key = reader.key()
            pos = reader.pos
        if key == "instances" and text.startswith("[", pos):
            reader.pos = pos
            pending = _read_instances(reader)
            pos = reader.pos
            res[key] = True
        else:
            reader.pos = pos
            res[key], pos = _scan(reader)
        pos = ws(text, pos).end()  # type: ignore[union-attr]
        char = text[pos : pos + 1]
        if char == ",":
            pos += 1
        elif char == "}":
            reader.pos = pos + 1
            return res, pending
        else:
            reader.pos = pos
            raise reader.fail("expected , or }")


def _read_instances(reader: _Reader) -> list[tuple[Any, int, int]]:
    """The instances array at ``reader.pos``: each instance decoded whole, with its span
    (what the index keeps)."""
    text, ws = reader.text, _WS.match
    out: list[tuple[Any, int, int]] = []
    pos = ws(text, reader.pos + 1).end()  # type: ignore[union-attr]
    if text.startswith("]", pos):
        reader.pos = pos + 1
        return out
    while True:
        reader.pos = pos
        inst, end = _scan(reader)
        out.append((inst, pos, end))
        pos = ws(text, end).end()  # type: ignore[union-attr]
        char = text[pos : pos + 1]
        if char == ",":
            pos = ws(text, pos + 1).end()  # type: ignore[union-attr]
        elif char == "]":
            reader.pos = pos + 1
            return out
        else:
            reader.pos = pos
            raise reader.fail("expected , or ]")


def _scan(reader: _Reader) -> tuple[Any, int]:
    """The value starting exactly at ``reader.pos`` and where it ends."""
    start = reader.pos
    try:
        value, end = _SCAN(reader.text, start)
    except StopIteration:
        raise reader.fail("expected a value") from None
    except json.JSONDecodeError as exc:
        raise StateError(f"{reader.source}: not valid JSON: {exc}") from exc
    if not reader.ascii:
        value = reader.utf8(value, start, end)
    reader.pos = end
    return value, end
