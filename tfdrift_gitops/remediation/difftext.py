"""Unified diffs anchored on the lines an edit left alone.

A generic line matcher pairs up any identical lines, so adding an ``ingress`` block after
another one shows up as a confusing diff that seems to split the old block. The remediation
knows which lines it kept (``Tracked.origin``): those are the anchors, and only the spans between
anchors are compared line by line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence

Opcode = tuple[str, int, int, int, int]
CONTEXT = 3


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
        return [p + "\n" for p in parts]
    return [p + "\n" for p in parts[:-1]] + [parts[-1]]


def opcodes(
    old: Sequence[str], new: Sequence[str], origin: Sequence[int | None] | None
) -> list[Opcode]:
    if origin is None:
        return [
            (str(tag), i1, i2, j1, j2)
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
                a=old, b=new, autojunk=False
            ).get_opcodes()
        ]
    anchors: list[tuple[int, int]] = []
    previous = -1
    for position, source in enumerate(origin):
        if (
            source is not None
            and previous < source < len(old)
            and position < len(new)
            and old[source] == new[position]
        ):
            anchors.append((source, position))
            previous = source
    anchors.append((len(old), len(new)))
    codes: list[Opcode] = []
    done_old = done_new = 0
    for source, position in anchors:
        if source > done_old or position > done_new:
            matcher = difflib.SequenceMatcher(
                a=old[done_old:source], b=new[done_new:position], autojunk=False
            )
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                codes.append((str(tag), i1 + done_old, i2 + done_old, j1 + done_new, j2 + done_new))
        if source < len(old):
            codes.append(("equal", source, source + 1, position, position + 1))
        done_old, done_new = source + 1, position + 1
    merged: list[Opcode] = []
    for code in codes:
        if merged and code[0] == "equal" and merged[-1][0] == "equal":
            last = merged[-1]
            merged[-1] = ("equal", last[1], code[2], last[3], code[4])
        else:
            merged.append(code)
    return merged


def _grouped(codes: list[Opcode], n: int = CONTEXT) -> Iterator[list[Opcode]]:
    """difflib's hunk grouping, over our own opcodes."""
    if not codes:
        return
    codes = list(codes)
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = (tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2)
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = (tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n))
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        start_old, start_new = i1, j1
        if tag == "equal" and i2 - i1 > 2 * n:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            yield group
            group = []
            start_old, start_new = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, start_old, i2, start_new, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _range(start: int, stop: int) -> str:
    beginning = start + 1
    length = stop - start
    if length == 1:
        return str(beginning)
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


def _emit(prefix: str, line: str) -> str:
    if line.endswith("\n"):
        return prefix + line
    return prefix + line + "\n\\ No newline at end of file\n"


def unified_diff(
    path: str, old: str | None, new: str, origin: Sequence[int | None] | None = None
) -> str:
    a = _lines(old or "")
    b = _lines(new)
    if old is None:
        origin = None
    out: list[str] = []
    for group in _grouped(opcodes(a, b, origin)):
        if not out:
            out.append(f"--- {'/dev/null' if old is None else 'a/' + path}\n")
            out.append(f"+++ b/{path}\n")
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(_emit(" ", line) for line in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                out.extend(_emit("-", line) for line in a[i1:i2])
            if tag in ("replace", "insert"):
                out.extend(_emit("+", line) for line in b[j1:j2])
    return "".join(out)
