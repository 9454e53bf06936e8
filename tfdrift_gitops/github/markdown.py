"""Escaping hostile text (CloudTrail values) for GitHub-flavoured Markdown.

Everything an AWS caller controls (names, ARNs, user agents, request parameters, even the event
id) ends up in issue and PR bodies. GitHub would turn ``@someone`` into a notification,
``@org/team`` into a team ping, ``#12`` into a cross-reference on issue 12, a bare URL into a
link, ``<img>`` into an image fetched from the attacker's host, and ``<!-- tfdrift-gitops:… -->``
into one of our own markers. Every sink here closes those doors:

* ``code_span`` (the default for CloudTrail values) puts the text in a code span, where GitHub
  renders no mentions, references, links or HTML; the fence is longer than any backtick run
  inside, line breaks become visible ``\\n`` (a blank line would end the span and let the rest be
  parsed as Markdown), and the two raw sequences that matter even inside code (``<!--`` and our
  marker prefix) are broken with a zero-width joiner.
* ``text`` escapes for running prose: HTML entities, backslash escapes for Markdown punctuation,
  and a zero-width joiner after ``@``, ``#``, ``GH`` (before ``-12``), ``://`` and ``www.`` so
  that no mention, reference or autolink forms.
* ``html_text`` escapes for text inside our own HTML tags (``<summary>``), where Markdown is not
  parsed.
* ``cell`` is a code span that also escapes ``|`` (GFM splits table cells on it even in code).
* ``code_block`` is a fenced block whose fence outruns every backtick run inside.

``truncate`` cuts a body to GitHub's 65,536-character limit at a line boundary, closing an open
code fence and ``<details>`` first, and says so in a note.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from tfdrift_gitops.core.invisible import INVISIBLE_CLASS, escape_code

ZWJ = "\u200d"
GITHUB_BODY_LIMIT = 65_536
MARKER_PREFIX = "tfdrift-gitops:"

# C0/C1 controls, DEL, line/paragraph separators and every character that hides or reorders
# text (format characters: zero-width, bidi marks, overrides and isolates, BOM, tag characters;
# blank letters: core.invisible): shown as \uXXXX so that a value can neither break the layout
# nor disguise what a reviewer sees (``admin\u2060`` is not ``admin``). Lone surrogates too (a
# valid JSON escape with no UTF-8 form): GitHub could not store the body, nor could the job
# summary file be written.
_INVISIBLE = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{INVISIBLE_CLASS}]"
)
_NEWLINES = re.compile("\r\n|\r|\n")
# What a one-line title turns into a space: every C0/C1 control and the line separators.
_LINE_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_BACKTICK_RUN = re.compile("`+")
# Markdown punctuation escaped in prose; every ASCII punctuation may be backslash-escaped in
# CommonMark, so over-escaping is harmless. "$" too: GitHub renders $…$ and $$…$$ as math,
# where a value could draw any text (\text{approved by security}).
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-!|~>$])")


def stringify(value: Any) -> str:
    """A value as text: strings as they are, everything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)


def _visible_controls(text: str) -> str:
    text = _NEWLINES.sub(lambda m: "\\r\\n" if m.group() == "\r\n" else repr(m.group())[1:-1], text)
    text = text.replace("\t", "\\t")
    return _INVISIBLE.sub(lambda m: escape_code(m.group()), text)


def defuse_markers(text: str) -> str:
    """Break ``<!--`` and our marker prefix so that no value can forge or hide a marker."""
    return text.replace("<!--", f"<!{ZWJ}--").replace(MARKER_PREFIX, f"tfdrift{ZWJ}-gitops:")


def code_span(value: Any, *, table: bool = False) -> str:
    """An inline code span holding ``value`` literally (``—`` for an empty value)."""
    text = defuse_markers(_visible_controls(stringify(value)))
    if table:
        text = text.replace("|", "\\|")
    if text == "":
        return "—"
    longest = max((len(run) for run in _BACKTICK_RUN.findall(text)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each side when both are present; pad when the content
    # starts or ends with a backtick or a space so that it survives exactly.
    if text.strip(" ") and (text[0] in "` " or text[-1] in "` "):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def cell(value: Any, *, limit: int = 120) -> str:
    """A table cell: a code span with ``|`` escaped, long values cut with an ellipsis."""
    text = stringify(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return code_span(text, table=True)


_LINK_STARTS = re.compile(r"(?i)(://|www\.)")
# Mentions (@x, @org/team) and references (#12, owner/repo#12, GH-12 in any case; in prose
# the "-" is already "\-"): a joiner after "@", "#" or "GH" stops GitHub linking them.
_REFERENCE = re.compile(r"[@#]|\b(?i:gh)(?=\\?-\d)")


def text(value: Any) -> str:
    """Inline prose: no HTML, no Markdown structure, no mentions, references or autolinks."""
    raw = _visible_controls(stringify(value))
    raw = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    raw = _MD_PUNCT.sub(r"\\\1", raw)
    raw = _LINK_STARTS.sub(lambda m: m.group()[:-1] + ZWJ + m.group()[-1], raw)
    raw = _REFERENCE.sub(lambda m: m.group() + ZWJ, raw)
    return defuse_markers(raw)


def title(value: str, limit: int = 200) -> str:
    """Issue and PR titles (plain text, no Markdown): one line (line breaks and controls become
    spaces), hidden characters shown as ``\\uXXXX``, no mention or reference forming (GitHub
    links ``#12`` and ``@x`` in titles too), markers defused, at most ``limit`` characters."""
    text = re.sub(f"[{_LINE_CONTROLS}]", " ", value)
    text = " ".join(_INVISIBLE.sub(lambda m: escape_code(m.group()), text).split())
    text = defuse_markers(_REFERENCE.sub(lambda m: m.group() + ZWJ, text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def html_text(value: Any) -> str:
    """Text inside our own HTML (``<summary>``), where Markdown is not parsed: entities for
    ``& < > " '``, and the joiner against mentions and references, which GitHub applies to
    HTML text too."""
    raw = html.escape(_visible_controls(stringify(value)), quote=True)
    raw = _LINK_STARTS.sub(lambda m: m.group()[:-1] + ZWJ + m.group()[-1], raw)
    raw = _REFERENCE.sub(lambda m: m.group() + ZWJ, raw)
    return defuse_markers(raw)


def code_block(value: Any, language: str = "") -> str:
    """A fenced code block; multi-line values keep their lines."""
    body = (
        value
        if isinstance(value, str)
        else json.dumps(value, indent=2, ensure_ascii=False, default=str)
    )
    body = _INVISIBLE.sub(lambda m: escape_code(m.group()), _NEWLINES.sub("\n", body))
    body = defuse_markers(body)
    longest = max((len(run) for run in _BACKTICK_RUN.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    lang = re.sub(r"[^A-Za-z0-9_+-]", "", language)
    return f"{fence}{lang}\n{body}\n{fence}"


def utf16_len(value: str) -> int:
    """Length as GitHub's limit counts it at worst (UTF-16 code units >= code points)."""
    return len(value.encode("utf-16-le")) // 2


_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def truncate(body: str, limit: int = GITHUB_BODY_LIMIT) -> str:
    """Cut ``body`` to at most ``limit`` characters at a line boundary, with a note."""
    if utf16_len(body) <= limit:
        return body
    note = (
        "\n\n> [!NOTE]\n> This text was cut to fit GitHub's 65,536-character limit. "
        "The full drift record is in the ledger (`tfdrift-gitops ledger show`).\n"
    )
    budget = limit - utf16_len(note) - 64  # room for closing a fence and </details>
    kept: list[str] = []
    used = 0
    fence: str | None = None
    details = 0
    for line in body.splitlines(keepends=True):
        size = utf16_len(line)
        if used + size > budget:
            break
        kept.append(line)
        used += size
        match = _FENCE_LINE.match(line)
        if match:
            run = match.group(1)
            if fence is None:
                fence = run
            elif run[0] == fence[0] and len(run) >= len(fence) and not line.strip()[len(run) :]:
                fence = None
        elif fence is None:
            # Only our own template lines: values never start a line (they sit in code spans).
            if line.lstrip().startswith("<details>"):
                details += 1
            elif line.strip() == "</details>":
                details -= 1
    tail = ""
    if kept and not kept[-1].endswith("\n"):
        tail += "\n"
    if fence is not None:
        tail += fence + "\n"
    tail += "</details>\n" * max(details, 0)
    return "".join(kept) + tail + note
