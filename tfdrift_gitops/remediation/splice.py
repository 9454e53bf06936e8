"""Edit HCL text by character spans, then prove the result is sound.

Edits are plain ``(start, end, text)`` replacements computed from parse-tree spans, so
comments, blank lines and the author's layout outside the edited spans survive byte for byte.
``finish`` re-parses the spliced text, re-aligns the runs the edit disturbed, formats the changed
top-level blocks with ``terraform fmt`` when it is installed, and re-parses again; callers then
read their values back from the final tree.
"""

from __future__ import annotations

import difflib
import itertools
import logging
from dataclasses import dataclass
from pathlib import Path

from tfdrift_gitops.errors import RemediationError
from tfdrift_gitops.remediation import fmt
from tfdrift_gitops.remediation.hcl_tree import Lines, Node, parse, top_blocks

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Edit:
    start: int
    end: int
    text: str

    def overlaps(self, other: Edit) -> bool:
        if self.start == self.end or other.start == other.end:
            # Pure insertions only clash when strictly inside the other edit's span.
            point, span = (self, other) if self.start == self.end else (other, self)
            return span.start < point.start < span.end
        return self.start < other.end and other.start < self.end


def apply_edits(text: str, edits: list[Edit], origin: str) -> str:
    """Apply non-overlapping edits; insertions at one point keep the order they were made."""
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]))
    for (_, first), (_, second) in itertools.pairwise(ordered):
        if first.overlaps(second):
            raise RemediationError(
                f"{origin}: internal error: overlapping edits at offsets {first.start}-{first.end}"
                f" and {second.start}-{second.end}"
            )
    out: list[str] = []
    cursor = 0
    for _, edit in ordered:
        out.append(text[cursor : edit.start])
        out.append(edit.text)
        cursor = max(cursor, edit.end)
    out.append(text[cursor:])
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Tracked:
    """Text plus, for each of its lines, the index of the original line it still is.

    ``None`` marks a line an edit produced. The diff shown to people is anchored on these
    origins, so it shows the edit that was made rather than whatever a generic line matcher
    pairs up (it would happily match the ``}`` of a neighbouring block).
    """

    text: str
    origin: tuple[int | None, ...]

    @classmethod
    def start(cls, text: str) -> Tracked:
        return cls(text, tuple(range(text.count("\n") + 1)))

    def apply(self, edits: list[Edit], where: str) -> Tracked:
        new_text = apply_edits(self.text, edits, where)
        if not edits:
            return self
        lines = Lines(self.text)
        starts = lines.starts
        regions: list[tuple[int, int, list[Edit]]] = []
        for edit in sorted(edits, key=lambda e: (e.start, e.end)):
            first = lines.line_of(edit.start) - 1
            pure = (
                edit.start == edit.end and edit.start == starts[first] and edit.text.endswith("\n")
            )
            # An edit ending at a line start consumed that newline: the next line joins it.
            last = first if pure else lines.line_of(edit.end)
            if regions and (first < regions[-1][1] or first == regions[-1][0]):
                a, b, grouped = regions[-1]
                regions[-1] = (a, max(b, last), [*grouped, edit])
            else:
                regions.append((first, last, [edit]))
        old_lines = self.text.split("\n")
        out_lines: list[str] = []
        origin: list[int | None] = []
        cursor = 0
        for first, last, grouped in regions:
            out_lines.extend(old_lines[cursor:first])
            origin.extend(self.origin[cursor:first])
            if first == last:
                produced = "".join(e.text for e in grouped)[:-1].split("\n")
            else:
                begin = starts[first]
                end = starts[last] - 1 if last < len(starts) else len(self.text)
                local = [Edit(e.start - begin, e.end - begin, e.text) for e in grouped]
                produced = apply_edits(self.text[begin:end], local, where).split("\n")
            out_lines.extend(produced)
            origin.extend([None] * len(produced))
            cursor = last
        out_lines.extend(old_lines[cursor:])
        origin.extend(self.origin[cursor:])
        if "\n".join(out_lines) != new_text:
            log.debug("%s: line tracking disagrees with the splice; matching lines instead", where)
            return Tracked(new_text, _origin_by_matching(self, new_text))
        return Tracked(new_text, tuple(origin))

    def reformatted(self, new_text: str) -> Tracked:
        """Same lines, new spacing (align, fmt); falls back to matching if the count moved."""
        if new_text.count("\n") == self.text.count("\n"):
            return Tracked(new_text, self.origin)
        return Tracked(new_text, _origin_by_matching(self, new_text))

    def changed_lines(self, old: str) -> set[int]:
        """1-based lines that are new or differ from their original line, plus the lines next
        to removed ones (their alignment may change)."""
        old_lines = old.split("\n")
        dirty: set[int] = set()
        previous: int | None = -1
        for number, (line, source) in enumerate(
            zip(self.text.split("\n"), self.origin, strict=True), start=1
        ):
            if source is None or old_lines[source] != line:
                dirty.add(number)
            elif previous is not None and source != previous + 1:
                dirty.update({number - 1, number})
            previous = source
        return {n for n in dirty if n >= 1}


def _origin_by_matching(before: Tracked, new_text: str) -> tuple[int | None, ...]:
    old_lines = before.text.split("\n")
    new_lines = new_text.split("\n")
    origin: list[int | None] = [None] * len(new_lines)
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            origin[block.b + offset] = before.origin[block.a + offset]
    return tuple(origin)


# --------------------------------------------------------------------------- line geometry


def line_end_after(text: str, lines: Lines, end: int) -> int:
    """Offset just past the newline of the line where a node ending at ``end`` ends
    (heredoc tokens already include that newline)."""
    if end > 0 and text[end - 1] == "\n":
        return end
    return lines.line_end(end)


def only_space_before(text: str, lines: Lines, offset: int) -> bool:
    return text[lines.line_start(offset) : offset].strip(" \t") == ""


def rest_of_line_is_trivia(text: str, end: int) -> bool:
    """Only whitespace or a ``#``/``//`` comment follows ``end`` on its line."""
    if end > 0 and text[end - 1] == "\n":
        return True
    newline = text.find("\n", end)
    tail = text[end : newline if newline >= 0 else len(text)].strip(" \t\r")
    return tail == "" or tail.startswith(("#", "//"))


def delete_lines(text: str, lines: Lines, start: int, end: int, *, attached_comments: bool) -> Edit:
    """Remove whole lines holding [start, end) plus, optionally, the comment lines directly
    above (no blank line between), which describe what is being removed."""
    first = lines.line_start(start)
    last = line_end_after(text, lines, end)
    if attached_comments:
        first = _attached_comment_start(text, lines, first)
    # Do not leave two blank lines (or a blank line before a closing brace) behind.
    before_blank = first > 0 and text[lines.line_start(first - 1) : first - 1].strip() == ""
    after_line = text[last : lines.line_end(last)] if last < len(text) else ""
    if before_blank and (after_line.strip() in ("", "}") or last >= len(text)):
        first = lines.line_start(first - 1)
    return Edit(first, last, "")


def _attached_comment_start(text: str, lines: Lines, first: int) -> int:
    current = first
    while current > 0:
        previous = lines.line_start(current - 1)
        content = text[previous : current - 1].strip()
        if not content.startswith(("#", "//")):
            break
        current = previous
    return current


def comment_lines_above(text: str, lines: Lines, offset: int) -> list[tuple[int, int, str]]:
    """(start, end, stripped text) of the comment lines directly above the line of ``offset``."""
    found = []
    current = lines.line_start(offset)
    while current > 0:
        previous = lines.line_start(current - 1)
        content = text[previous : current - 1].strip()
        if not content.startswith(("#", "//")):
            break
        found.append((previous, current, content))
        current = previous
    found.reverse()
    return found


# --------------------------------------------------------------------------- finishing


def finish(
    old: str, tracked: Tracked, origin: str, *, use_terraform: bool = True
) -> tuple[Tracked, Node]:
    """Re-parse, re-align and format the changed blocks; returns the final text and tree."""
    tree = _reparse(tracked.text, origin)
    aligned = fmt.align(tracked.text, tree, tracked.changed_lines(old))
    if aligned != tracked.text:
        tracked = tracked.reformatted(aligned)
        tree = _reparse(tracked.text, origin)
    binary = fmt.terraform_binary() if use_terraform else None
    if binary is not None:
        formatted = _format_blocks(tracked.text, tree, tracked.changed_lines(old), origin, binary)
        if formatted != tracked.text:
            tracked = tracked.reformatted(formatted)
            tree = _reparse(tracked.text, origin)
    return tracked, tree


def _reparse(text: str, origin: str) -> Node:
    try:
        return parse(text, origin)
    except RemediationError as exc:
        raise RemediationError(f"internal error: the patched code does not parse: {exc}") from None


def _format_blocks(text: str, tree: Node, dirty: set[int], origin: str, binary: str) -> str:
    """``terraform fmt`` each top-level block holding a changed line, in place."""
    if not dirty:
        return text
    lines = Lines(text)
    edits: list[Edit] = []
    for block in top_blocks(tree):
        first = lines.line_of(block.start)
        last = lines.line_of(max(block.end - 1, block.start))
        if not any(first <= n <= last for n in dirty):
            continue
        start = lines.line_start(block.start)
        end = line_end_after(text, lines, block.end)
        chunk = text[start:end]
        chunk_nl = chunk if chunk.endswith("\n") else chunk + "\n"
        formatted = fmt.terraform_fmt(chunk_nl, origin=origin, binary=binary)
        if not chunk.endswith("\n"):
            formatted = formatted.rstrip("\n")
        if formatted != chunk:
            edits.append(Edit(start, end, formatted))
    if not edits:
        return text
    return apply_edits(text, edits, origin)


def format_new_file(text: str, origin: str, *, use_terraform: bool = True) -> tuple[str, Node]:
    """Align and format a file the remediation creates from scratch."""
    tree = _reparse(text, origin)
    everything = set(range(1, text.count("\n") + 2))
    text = fmt.align(text, tree, everything)
    tree = _reparse(text, origin)
    binary = fmt.terraform_binary() if use_terraform else None
    if binary is not None:
        text = fmt.terraform_fmt(text, origin=origin, binary=binary)
        tree = _reparse(text, origin)
    return text, tree


def safe_target(path: Path, root: Path) -> Path:
    """``path`` resolved, refusing anything outside ``root`` (symlinks included)."""
    resolved = path.resolve()
    try:
        resolved.relative_to(root.resolve())
    except ValueError:
        raise RemediationError(
            f"refusing to write {path}: it resolves to {resolved}, outside the repository root "
            f"{root}"
        ) from None
    return resolved


def check_line_endings(text: str, rel: str) -> None:
    """Spliced lines end with LF; a CRLF file would come out mixed (and terraform fmt would
    rewrite every line), so it is refused instead."""
    if "\r" in text:
        raise RemediationError(
            f"{rel} has CR/CRLF line endings; convert it to LF (as terraform fmt writes) "
            "before remediating"
        )
