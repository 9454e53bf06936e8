"""Edit HCL text by character spans, then prove the result is sound.

Edits are plain ``(start, end, text)`` replacements computed from parse-tree spans, so
comments, blank lines and the author's layout outside the edited spans survive byte for byte.
``finish`` re-parses the spliced text, re-aligns the runs the edit disturbed, formats the changed
top-level blocks with ``terraform fmt`` when it is installed, and re-parses again; callers then
read their values back from the final tree.
"""

from __future__ import annotations

import difflib
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
    for (_, first), (_, second) in zip(ordered, ordered[1:], strict=False):
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


def changed_lines(old: str, new: str) -> set[int]:
    """1-based numbers of lines in ``new`` that differ from ``old``, plus the neighbours of
    deletions (a removed line can change how its neighbours align)."""
    old_lines = old.split("\n")
    new_lines = new.split("\n")
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    dirty: set[int] = set()
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        dirty.update(range(j1 + 1, j2 + 1))
        if tag == "delete":
            dirty.update({j1, j1 + 1})
    return {n for n in dirty if 1 <= n <= len(new_lines)}


def finish(old: str, spliced: str, origin: str, *, use_terraform: bool = True) -> tuple[str, Node]:
    """Re-parse, re-align and format the changed blocks; returns the final text and tree."""
    tree = _reparse(spliced, origin)
    dirty = changed_lines(old, spliced)
    text = fmt.align(spliced, tree, dirty)
    if text != spliced:
        tree = _reparse(text, origin)
    binary = fmt.terraform_binary() if use_terraform else None
    if binary is not None:
        text = _format_blocks(text, tree, changed_lines(old, text), origin, binary)
        tree = _reparse(text, origin)
    return text, tree


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
