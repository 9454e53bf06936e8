"""Reading a state file's raw text without decoding every attribute tree at once.

The outer structure (top-level keys, resources, instances) is walked by hand and leaf values
are decoded with the C scanner, so each instance's ``attributes`` is kept as a span of the text
(decoded on demand by ``StateResource.attributes``): a 100 MB state indexes at ~2.6x its size.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from tfdrift_gitops.core.state import ParsedState, StateBuilder, check_version, list_of
from tfdrift_gitops.errors import StateError

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _Reader:
    """Walks a state document's outer structure by hand, decoding leaf values with the C
    scanner, so that each instance's ``attributes`` is located as a span of the text."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.pos = 0

    def fail(self, what: str) -> StateError:
        line = self.text.count("\n", 0, self.pos) + 1
        return StateError(f"{self.source}: not valid JSON: {what} (line {line})")

    def skip(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def expect(self, char: str) -> bool:
        """Consume ``char`` if it is next (after whitespace)."""
        self.skip()
        if self.text.startswith(char, self.pos):
            self.pos += 1
            return True
        return False

    def value(self) -> Any:
        self.skip()
        try:
            value, self.pos = _DECODER.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as exc:
            raise StateError(f"{self.source}: not valid JSON: {exc}") from exc
        return value

    def members(self) -> Iterator[str]:
        """Keys of the object starting here; the caller consumes each value."""
        if not self.peek("{") or not self.expect("{"):
            raise self.fail("expected an object")
        if self.expect("}"):
            return
        while True:
            key = self.value()
            if not isinstance(key, str) or not self.expect(":"):
                raise self.fail("expected a key")
            yield key
            if self.peek(",") and self.expect(","):
                continue
            if self.expect("}"):
                return
            raise self.fail("expected , or }")

    def elements(self) -> Iterator[int]:
        """Positions of the array starting here; the caller consumes each element."""
        if not self.peek("[") or not self.expect("["):
            raise self.fail("expected an array")
        if self.expect("]"):
            return
        position = 0
        while True:
            yield position
            position += 1
            if self.peek(",") and self.expect(","):
                continue
            if self.expect("]"):
                return
            raise self.fail("expected , or ]")

    def peek(self, char: str) -> bool:
        self.skip()
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of data (truncated file?)")
        return self.text.startswith(char, self.pos)


def parse_state_text(text: str, *, source: str, workspace: str = "default") -> ParsedState:
    """Like parse_state, for the raw text of a state file, keeping attributes as text spans."""
    reader = _Reader(text, source)
    reader.skip()
    if not reader.peek("{"):
        raise StateError(f"{source}: not a Terraform state (top level is not a JSON object)")
    builder = StateBuilder(source, workspace)
    top: dict[str, Any] = {}
    for key in reader.members():
        if key == "resources" and reader.peek("["):
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
            object.__setattr__(res, "serial", builder.serial)
    return builder.done(top)


def _read_resources(reader: _Reader, builder: StateBuilder) -> None:
    for position in reader.elements():
        if not reader.peek("{"):
            raise StateError(f"{builder.source}: resources[{position}] is not an object")
        res: dict[str, Any] = {}
        pending: list[tuple[dict[str, Any], Any, tuple[int, int]]] = []
        for key in reader.members():
            if key == "instances" and reader.peek("["):
                for _ in reader.elements():
                    pending.append(_read_instance(reader, builder))
                res[key] = True
            else:
                res[key] = reader.value()
        if "instances" in res and res["instances"] is not True:
            list_of(res["instances"], f"resources[{position}].instances", builder.source)
        header = builder.header(res, position)
        if header is None:
            continue
        for inst, attrs, span in pending:
            builder.instance(header, inst, attrs, reader.text, span)


def _read_instance(
    reader: _Reader, builder: StateBuilder
) -> tuple[dict[str, Any], Any, tuple[int, int]]:
    if not reader.peek("{"):
        raise StateError(f"{builder.source}: an instance is not an object")
    inst: dict[str, Any] = {}
    attrs: Any = None
    span = (0, 0)
    for key in reader.members():
        if key == "attributes":
            reader.skip()
            start = reader.pos
            attrs = reader.value()
            span = (start, reader.pos)
        else:
            inst[key] = reader.value()
    if attrs is None:
        return inst, None, span
    return inst, attrs, span
