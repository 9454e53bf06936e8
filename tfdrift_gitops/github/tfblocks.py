"""Which Terraform resources a change touches: top-level blocks, diff hunks, module calls.

Used by ``comment`` (resources a PR changes) and by ``reconcile`` (skip a remediation PR when an
open human PR already changes the resource). The scanner only needs block boundaries, so it is a
small state machine over HCL's lexical structure (strings with ``${}`` interpolation, heredocs,
three comment styles) rather than a full parse: it must not fail on a file in the middle of a
refactor, and line spans are all we want.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

log = logging.getLogger(__name__)

_HEADER = re.compile(
    r'^\s*([A-Za-z_][\w-]*)((?:\s+(?:"(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w-]*))*)\s*$', re.S
)
_LABEL = re.compile(r'"((?:[^"\\\n]|\\.)*)"|([A-Za-z_][\w-]*)')
_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n")
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True, slots=True)
class Block:
    """A top-level block, lines 1-based and inclusive."""

    type: str
    labels: tuple[str, ...]
    start_line: int
    end_line: int

    @property
    def address(self) -> str | None:
        """``T.N`` for resources, ``data.T.N``, ``module.M``; None for other blocks."""
        if self.type == "resource" and len(self.labels) == 2:
            return f"{self.labels[0]}.{self.labels[1]}"
        if self.type == "data" and len(self.labels) == 2:
            return f"data.{self.labels[0]}.{self.labels[1]}"
        if self.type == "module" and len(self.labels) == 1:
            return f"module.{self.labels[0]}"
        return None


def scan_blocks(text: str) -> list[Block]:
    """Top-level blocks of an HCL file, in order. Unbalanced input yields what closed cleanly."""
    return _Scanner(text).run()


class _Scanner:
    """Walks the text once. ``stack`` holds code frames (brace depth) and string frames
    (``None``); index 0 is the top-level code frame, deeper code frames are ``${ }``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.stack: list[int | None] = [0]
        self.header_start = 0
        self.open_block: tuple[str, tuple[str, ...], int] | None = None
        self.blocks: list[Block] = []

    def run(self) -> list[Block]:
        while self.i < len(self.text):
            if self.text[self.i] == "\n":
                self.line += 1
            if self.stack[-1] is None:
                self._string_char()
            else:
                self._code_char()
        return self.blocks

    def _skip_to(self, end: int) -> None:
        self.line += self.text.count("\n", self.i, end)
        self.i = end

    def _string_char(self) -> None:
        text, i = self.text, self.i
        ch = text[i]
        if ch == "\\":
            if text.startswith("\n", i + 1):
                self.line += 1
            self.i += 2
        elif ch == '"':
            self.stack.pop()
            self.i += 1
        elif ch in "$%" and text.startswith("{", i + 1):
            self.stack.append(0)
            self.i += 2
        else:
            self.i += 1

    def _code_char(self) -> None:
        text, i = self.text, self.i
        ch = text[i]
        if ch == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            self.i = len(text) if end < 0 else end  # the newline is counted next round
            return
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            self._skip_to(len(text) if end < 0 else end + 2)
            return
        heredoc = _HEREDOC.match(text, i) if text.startswith("<<", i) else None
        if heredoc:
            closing = re.compile(rf"^[ \t]*{re.escape(heredoc.group(1))}[ \t]*\r?$", re.M)
            found = closing.search(text, heredoc.end())
            self._skip_to(len(text) if found is None else found.end())
            return
        self.i += 1
        if ch == '"':
            self.stack.append(None)
        elif ch == "{":
            self._open_brace()
        elif ch == "}":
            self._close_brace()
        elif ch == "\n" and len(self.stack) == 1 and self.stack[0] == 0:
            self.header_start = self.i

    def _open_brace(self) -> None:
        depth = self.stack[-1] or 0
        if len(self.stack) == 1 and depth == 0:
            parsed = _parse_header(self.text[self.header_start : self.i - 1])
            if parsed is not None:
                self.open_block = (parsed[0], parsed[1], self.line)
        self.stack[-1] = depth + 1

    def _close_brace(self) -> None:
        depth = self.stack[-1] or 0
        if depth == 0 and len(self.stack) > 1:
            self.stack.pop()  # end of a ${ } interpolation
            return
        self.stack[-1] = max(depth - 1, 0)
        if len(self.stack) == 1 and depth == 1:
            if self.open_block is not None:
                kind, labels, start = self.open_block
                self.blocks.append(Block(kind, labels, start, self.line))
            self.open_block = None
            self.header_start = self.i


def _parse_header(text: str) -> tuple[str, tuple[str, ...]] | None:
    match = _HEADER.match(text)
    if not match:
        return None
    labels = tuple(
        m.group(1) if m.group(1) is not None else m.group(2)
        for m in _LABEL.finditer(match.group(2))
    )
    return match.group(1), labels


def changed_lines(patch: str) -> tuple[set[int], set[int]]:
    """Old-side line numbers removed and new-side line numbers added, from a unified diff."""
    old: set[int] = set()
    new: set[int] = set()
    old_no = new_no = 0
    in_hunk = False
    for raw in patch.splitlines():
        hunk = _HUNK.match(raw)
        if hunk:
            old_no, new_no, in_hunk = int(hunk.group(1)), int(hunk.group(3)), True
            continue
        if not in_hunk or raw.startswith("\\"):
            continue
        if raw.startswith("-"):
            old.add(old_no)
            old_no += 1
        elif raw.startswith("+"):
            new.add(new_no)
            new_no += 1
        else:
            old_no += 1
            new_no += 1
    return old, new


def touched_addresses(text: str, lines: Iterable[int]) -> set[str]:
    """Addresses of the top-level blocks containing any of ``lines``."""
    wanted = sorted(set(lines))
    out: set[str] = set()
    for block in scan_blocks(text):
        address = block.address
        if address and any(block.start_line <= ln <= block.end_line for ln in wanted):
            out.add(address)
    return out


def strip_index(address: str) -> str:
    """``module.a["x"].aws_b.c[0]`` -> ``module.a.aws_b.c`` (index keys may hold ``]``)."""
    out: list[str] = []
    i = 0
    while i < len(address):
        ch = address[i]
        if ch != "[":
            out.append(ch)
            i += 1
            continue
        i += 1
        while i < len(address) and address[i] != "]":
            if address[i] == '"':
                i += 1
                while i < len(address) and address[i] != '"':
                    i += 2 if address[i] == "\\" else 1
            i += 1
        i += 1
    return "".join(out)


def address_touched(address: str, touched: Iterable[str]) -> bool:
    """A drift on ``address`` is touched by a change to the block itself, or to a module call
    (``module.x``) that contains it, at any nesting level."""
    plain = strip_index(address)
    for item in touched:
        if plain == item or (plain.startswith(item + ".") and item.startswith("module.")):
            return True
    return False


@dataclass(frozen=True, slots=True)
class ModuleMap:
    """Module calls in a working tree: which address prefixes reach each module directory."""

    prefixes: Mapping[str, frozenset[str]]
    """Repo-relative POSIX directory -> address prefixes ("" for a root, "module.a.")."""

    def prefixes_for(self, file_path: str) -> frozenset[str]:
        directory = str(PurePosixPath(file_path).parent)
        directory = "" if directory == "." else directory
        # A directory we never saw (a new root in the PR) is treated as a root.
        return self.prefixes.get(directory, frozenset({""}))


_SOURCE = re.compile(r'^\s*source\s*=\s*"([^"]*)"', re.M)


def build_module_map(workdir: str | Path, *, max_depth: int = 12) -> ModuleMap:
    """Scan ``workdir`` for ``module`` blocks with local sources and resolve call paths."""
    root = Path(workdir)
    calls: dict[str, list[tuple[str, str]]] = {}
    dirs: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
        tf_files = sorted(f for f in filenames if f.endswith(".tf"))
        if not tf_files:
            continue
        rel = Path(dirpath).relative_to(root).as_posix()
        rel = "" if rel == "." else rel
        dirs.add(rel)
        for name in tf_files:
            path = Path(dirpath) / name
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                log.warning("%s: cannot read (%s); module calls in it are not resolved", path, exc)
                continue
            for block in scan_blocks(text):
                if block.type != "module" or len(block.labels) != 1:
                    continue
                body = "\n".join(text.splitlines()[block.start_line - 1 : block.end_line])
                source = _SOURCE.search(body)
                if source and source.group(1).startswith(("./", "../")):
                    target = os.path.normpath(os.path.join(rel or ".", source.group(1)))
                    target = "" if target == "." else PurePosixPath(target).as_posix()
                    calls.setdefault(rel, []).append((block.labels[0], target))
    called = {target for items in calls.values() for _, target in items}
    roots = sorted(d for d in dirs if d not in called)
    prefixes: dict[str, set[str]] = {}
    frontier = [(d, "", 0) for d in roots]
    while frontier:
        directory, prefix, depth = frontier.pop()
        if prefix in prefixes.get(directory, set()) or depth > max_depth:
            continue
        prefixes.setdefault(directory, set()).add(prefix)
        for name, target in calls.get(directory, []):
            frontier.append((target, f"{prefix}module.{name}.", depth + 1))
    return ModuleMap({k: frozenset(v) for k, v in prefixes.items()})


def resources_touched(
    path: str, old_text: str | None, new_text: str | None, patch: str, modules: ModuleMap
) -> set[str]:
    """Full addresses (with module prefixes) of blocks a file change touches."""
    old_lines, new_lines = changed_lines(patch)
    local: set[str] = set()
    if old_text is not None:
        local |= touched_addresses(old_text, old_lines)
    if new_text is not None:
        local |= touched_addresses(new_text, new_lines)
    return {prefix + address for prefix in modules.prefixes_for(path) for address in local}
