"""Keep patched code ``terraform fmt`` clean, with or without terraform installed.

``align`` re-implements the part of ``terraform fmt`` (hclwrite) a splice can disturb: the
alignment of ``=`` in runs of single-line assignments and of trailing comments. It only
rewrites runs that contain a changed line, so code that was not fmt-clean before stays
untouched elsewhere. Where ``terraform`` is installed, ``terraform_fmt`` then formats each
changed top-level block with the real thing.

hclwrite's rules, as mirrored here: a line is an *assignment* when its first ``=`` (not the
line's first token) is followed, to the end of the line, by balanced brackets (a heredoc
opener counts as balanced); consecutive assignment lines form a run whose ``=`` line up one
space after the longest left-hand side. Trailing comments of consecutive lines line up the
same way. Anything else (blank line, comment line, block header, multi-line value) ends a run.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from lark import Token

from tfdrift_gitops.errors import RemediationError
from tfdrift_gitops.remediation.hcl_tree import Lines, Node

log = logging.getLogger(__name__)

_OPEN = frozenset({"LBRACE", "LSQB", "LPAR", "INTERP_START", "DIRECTIVE_START"})
_CLOSE = frozenset({"RBRACE", "RSQB", "RPAR"})
_HEREDOCS = frozenset({"HEREDOC_TEMPLATE", "HEREDOC_TEMPLATE_TRIM"})
FMT_TIMEOUT = 30.0


@dataclass(slots=True)
class _Line:
    number: int
    eq: int | None = None
    """Offset of the aligned ``=`` character."""
    comment: int | None = None
    """Offset of a trailing comment."""
    inner: bool = False
    """Inside a heredoc or block comment: hclwrite sees the whole token as part of the line it
    starts on, so such lines neither join nor break a run."""


def _comment(tok: Token) -> bool:
    return tok.type == "NL_OR_COMMENT" and str(tok).lstrip(" \t")[:1] in ("#", "/")


def _analyse(text: str, tree: Node, lines: Lines) -> dict[int, _Line]:
    by_line: dict[int, list[Token]] = {}
    info: dict[int, _Line] = {}
    for tok in tree.scan_values(lambda v: isinstance(v, Token)):
        if tok.start_pos is None:
            continue
        start = int(tok.start_pos)
        if tok.type == "NL_OR_COMMENT" and not _comment(tok):
            continue  # a bare newline (with the next line's indentation)
        value = str(tok)
        if _comment(tok) and value.startswith(("\n", " ", "\t")):
            start += len(value) - len(value.lstrip("\n \t"))
        line = lines.line_of(start)
        by_line.setdefault(line, []).append(tok)
        if "\n" in value.rstrip("\n"):
            # Multi-line token (heredoc, block comment): its inner lines never align.
            last = lines.line_of(int(tok.end_pos or start) - 1)
            for inner in range(line + 1, last + 1):
                info[inner] = _Line(inner, inner=True)
    for number, toks in by_line.items():
        entry = info.setdefault(number, _Line(number))
        if entry.inner:
            continue
        toks.sort(key=lambda t: int(t.start_pos or 0))
        body = toks
        if len(toks) > 1 and _comment(toks[-1]):
            value = str(toks[-1])
            entry.comment = int(toks[-1].start_pos or 0) + len(value) - len(value.lstrip("\n \t"))
            body = toks[:-1]
        for index, tok in enumerate(body):
            if tok.type != "EQ" or index == 0:
                continue
            depth = 0
            for later in body[index + 1 :]:
                if later.type in _HEREDOCS:
                    break
                if later.type in _OPEN:
                    depth += 1
                elif later.type in _CLOSE:
                    depth -= 1
            if depth == 0:
                entry.eq = int(tok.end_pos or 0) - 1
            break
    return info


def _runs(numbers: Iterable[int], has: dict[int, bool], inner: set[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    current: list[int] = []
    for number in numbers:
        if number in inner:
            continue
        if has.get(number, False):
            current.append(number)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def align(text: str, tree: Node, dirty: set[int]) -> str:
    """Re-align ``=`` and trailing comments in the runs that contain a ``dirty`` line."""
    if not dirty:
        return text
    lines = Lines(text)
    info = _analyse(text, tree, lines)
    raw = text.split("\n")
    total = len(raw)
    new_lines = list(raw)
    assign_has = {n: (i.eq is not None) for n, i in info.items()}
    inner = {n for n, i in info.items() if i.inner}
    touched: set[int] = set()
    for run in _runs(range(1, total + 1), assign_has, inner):
        if not dirty.intersection(run):
            continue
        leads = {}
        for number in run:
            start = lines.starts[number - 1]
            eq = info[number].eq
            assert eq is not None
            leads[number] = text[start:eq].rstrip(" \t")
        width = max(len(lead) for lead in leads.values())
        for number in run:
            start = lines.starts[number - 1]
            eq = info[number].eq
            assert eq is not None
            line = raw[number - 1]
            rest = line[eq - start + 1 :]
            rebuilt = leads[number] + " " * (width - len(leads[number]) + 1) + "=" + rest
            if rebuilt != line:
                new_lines[number - 1] = rebuilt
                touched.add(number)
    # Comments: positions are re-measured on the re-aligned lines.
    comment_has = {n: (i.comment is not None) for n, i in info.items()}
    for run in _runs(range(1, total + 1), comment_has, inner):
        if not (dirty | touched).intersection(run):
            continue
        parts = {}
        for number in run:
            start = lines.starts[number - 1]
            comment = info[number].comment
            assert comment is not None
            original = raw[number - 1]
            cut = comment - start
            shift = len(new_lines[number - 1]) - len(original)
            code = new_lines[number - 1][: cut + shift].rstrip(" \t")
            parts[number] = (code, new_lines[number - 1][cut + shift :])
        width = max(len(code) for code, _ in parts.values())
        for number, (code, comment_text) in parts.items():
            new_lines[number - 1] = code + " " * (width - len(code) + 1) + comment_text
    return "\n".join(new_lines)


# --------------------------------------------------------------------------- terraform fmt


def terraform_binary() -> str | None:
    """``$TFDRIFT_TERRAFORM`` or ``terraform`` on PATH; None when absent."""
    configured = os.environ.get("TFDRIFT_TERRAFORM")
    if configured:
        return configured if os.path.exists(configured) else None
    return shutil.which("terraform")


def terraform_fmt(text: str, *, origin: str, binary: str | None = None) -> str:
    """``terraform fmt -`` over ``text``; raises when Terraform rejects the code."""
    exe = binary or terraform_binary()
    if exe is None:
        raise RemediationError("terraform is not installed")
    # A clean environment: no CLI config, credentials or plugin settings reach fmt.
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TF_CLI_CONFIG_FILE": os.devnull,
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
    }
    if "HOME" in os.environ:
        env["HOME"] = os.environ["HOME"]
    try:
        done = subprocess.run(
            [exe, "fmt", "-no-color", "-"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=FMT_TIMEOUT,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RemediationError(f"{origin}: terraform fmt could not run: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = next((m for m in message if "Error" in m or m.strip()), "unknown error")
        raise RemediationError(f"{origin}: terraform fmt rejects the patched code: {detail}")
    return done.stdout.decode("utf-8")
