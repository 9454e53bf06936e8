"""Python values (decoded JSON, hostile) -> HCL literal text that reads back as the same value.

Every string here may come from CloudTrail, so nothing is trusted: quotes, backslashes and line
breaks are escaped, template sequences are made inert, and values Terraform cannot represent
exactly are refused rather than silently altered. Two reader quirks shape the encoding:

* Terraform normalises every string literal to Unicode NFC, escaped or not (``"e\\u0301"`` reads
  back as ``"é"``), so a non-NFC string has no exact literal and is refused.
* python-hcl2 8.1.4 lexes ``$${`` only when a ``}`` follows later in the same string (its token
  is ``$${[^}]*}``); an unclosed ``$${`` makes the whole file unparsable for it. Such a ``${`` is
  written ``\\u0024{`` instead, which Terraform reads as the same two characters (escapes are
  decoded after template scanning) and python-hcl2 lexes as plain text.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from tfdrift_gitops.core.invisible import INVISIBLE, escape_code
from tfdrift_gitops.errors import UnrepresentableValueError

INDENT = "  "
SINGLE_LINE_LIMIT = 80
"""Lists of scalars are written on one line while they fit in this many characters."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Words the HCL grammar treats as keywords or literals: never bare object keys.
_RESERVED = frozenset({"true", "false", "null", "for", "in", "if", "else", "endif", "endfor"})
# Categories escaped as \uXXXX: controls, format characters (bidi overrides, zero-width
# joiners), line/paragraph separators and private use. They are legal but invisible or
# confusing in a code review, and an escape makes them visible.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co"})
_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Controls, line separators and bidi marks/overrides: a comment must stay one visible line.
_COMMENT_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def check_text(value: str, what: str = "string") -> None:
    """Refuse strings Terraform cannot hold exactly (see the module docstring)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UnrepresentableValueError(
            f"{what} contains an unpaired surrogate code point, which a UTF-8 Terraform file "
            "cannot hold"
        ) from None
    for char in value:
        if unicodedata.category(char) == "Cn":
            raise UnrepresentableValueError(
                f"{what} contains the unassigned code point U+{ord(char):04X}; Terraform may "
                "normalise it differently, so it cannot be written exactly"
            )
    if unicodedata.normalize("NFC", value) != value:
        raise UnrepresentableValueError(
            f"{what} is not in Unicode normal form C; Terraform normalises every string literal "
            "to NFC, so it would read back as a different value"
        )


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def quote_string(value: str) -> str:
    """A quoted HCL string literal whose value is exactly ``value``."""
    check_text(value)
    out: list[str] = ['"']
    length = len(value)
    for position, char in enumerate(value):
        simple = _SIMPLE_ESCAPES.get(char)
        if simple is not None:
            out.append(simple)
        elif char in "$%" and position + 1 < length and value[position + 1] == "{":
            # "${" / "%{" would start a template: double the sigil ("$${"), or escape it when
            # no "}" follows (python-hcl2 cannot lex an unclosed "$${", see module docstring).
            out.append(char + char if "}" in value[position + 2 :] else _escape_char(char))
        elif unicodedata.category(char) in _ESCAPED_CATEGORIES:
            out.append(_escape_char(char))
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def render_key(key: str, *, prefer_quoted: bool = False) -> str:
    """An object key: a bare identifier when that reads the same, else a quoted string."""
    if not isinstance(key, str):
        raise UnrepresentableValueError(f"object key {key!r} is not a string")
    if not prefer_quoted and _IDENTIFIER.match(key) and key not in _RESERVED:
        return key
    return quote_string(key)


def render_number(value: int | float) -> str:
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise UnrepresentableValueError(f"number {value!r} has no HCL literal")
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


MAX_DEPTH = 64
"""Deeper values are refused: nothing Terraform manages nests this far, and recursion on a
hostile document must not crash the run."""


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            raise UnrepresentableValueError(f"value is nested deeper than {limit} levels")
        if isinstance(current, Mapping):
            stack.extend((v, depth + 1) for v in current.values())
        elif isinstance(current, list | tuple):
            stack.extend((v, depth + 1) for v in current)


def render_value(value: Any, indent: str = "") -> str:
    """HCL expression text for ``value``. ``indent`` is the indentation of the line the value
    starts on; continuation lines of lists and objects are indented one level deeper."""
    check_depth(value)
    return _render(value, indent)


def _render(value: Any, indent: str) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return render_number(value)
    if isinstance(value, str):
        return quote_string(value)
    if isinstance(value, Mapping):
        return render_object(value, indent)
    if isinstance(value, list | tuple):
        return render_list(value, indent)
    raise UnrepresentableValueError(f"value of type {type(value).__name__} has no HCL literal")


def render_list(values: Sequence[Any], indent: str = "") -> str:
    if not values:
        return "[]"
    if all(is_scalar(v) for v in values):
        inline = "[" + ", ".join(_render(v, "") for v in values) + "]"
        if len(indent) + len(inline) <= SINGLE_LINE_LIMIT:
            return inline
    inner = indent + INDENT
    lines = ["["]
    lines.extend(f"{inner}{_render(v, inner)}," for v in values)
    lines.append(f"{indent}]")
    return "\n".join(lines)


def render_object(values: Mapping[str, Any], indent: str = "", *, quote_keys: bool = False) -> str:
    """A multi-line object constructor; ``=`` alignment is left to the formatter."""
    if not values:
        return "{}"
    inner = indent + INDENT
    lines = ["{"]
    for key, item in values.items():
        rendered_key = render_key(key, prefer_quoted=quote_keys)
        lines.append(f"{inner}{rendered_key} = {_render(item, inner)}")
    lines.append(f"{indent}}}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- heredocs


def heredoc_marker(body_lines: Sequence[str], preferred: str = "EOT") -> str:
    """A closing marker no body line can be mistaken for.

    Terraform and python-hcl2 both end a heredoc at the first line that is, apart from
    surrounding whitespace, the marker; so the marker must differ from every stripped line.
    """
    taken = {line.strip() for line in body_lines}
    marker = preferred
    counter = 0
    while marker in taken:
        counter += 1
        marker = f"{preferred}{counter}"
    return marker


def heredoc_safe(body: str) -> bool:
    """True when ``body`` can be a heredoc: ends with a newline, no characters that need an
    escape (heredocs have no backslash escapes), representable at all."""
    if not body.endswith("\n"):
        return False
    try:
        check_text(body, "heredoc body")
    except UnrepresentableValueError:
        return False
    return not any(unicodedata.category(c) in _ESCAPED_CATEGORIES and c not in "\n\t" for c in body)


def render_heredoc(body: str, indent: str = "", *, trim: bool = False) -> str:
    """``<<EOT`` (or ``<<-EOT`` indented one level past ``indent``) holding exactly ``body``.

    Template sequences are escaped as in quoted strings (a heredoc is a template too).
    The text ends with the marker line, without a trailing newline.
    """
    if not heredoc_safe(body):
        raise UnrepresentableValueError("value cannot be written as a heredoc")
    escaped = body.replace("${", "$${").replace("%{", "%%{")
    lines = escaped[:-1].split("\n")
    marker = heredoc_marker(lines)
    if trim and not _trim_exact(lines):
        trim = False  # <<- would strip more (or less) than the indentation we add
    if trim:
        inner = indent + INDENT
        body_text = "\n".join(inner + line if line else line for line in lines)
        return f"<<-{marker}\n{body_text}\n{indent}{marker}"
    return f"<<{marker}\n" + "\n".join(lines) + f"\n{marker}"


def _trim_exact(lines: Sequence[str]) -> bool:
    """``<<-`` removes the smallest indentation of the non-blank lines and leaves blank but
    non-empty lines alone; it gives back exactly our body only when some line starts with a
    non-space and no line is whitespace only."""
    if any(line and not line.strip(" \t") for line in lines):
        return False
    # Terraform measures the indentation in grapheme clusters: a line whose first character
    # joins the space before it (an emoji modifier, a combining mark) loses that character.
    # Only ASCII-led lines are safe to indent; the rest keep the plain heredoc.
    if any(line and not line[0].isascii() for line in lines):
        return False
    return any(line and line[0] not in " \t" for line in lines)


def pretty_json(value: Any) -> str:
    """JSON for heredoc bodies: two-space indent, ASCII only (no NFC question), newline-ended."""
    return json.dumps(value, indent=2, ensure_ascii=True) + "\n"


_GO_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def jsonencode_text(value: Any) -> str | None:
    """The text Terraform's ``jsonencode`` gives ``value`` (object keys sorted, no spaces,
    ``<``, ``>`` and ``&`` escaped as Go's encoder does), or None when that is not certain
    (floats: Terraform prints numbers its own way)."""

    def plain(item: Any) -> bool:
        if isinstance(item, float):
            return False
        if isinstance(item, Mapping):
            return all(plain(v) for v in item.values())
        if isinstance(item, list):
            return all(plain(v) for v in item)
        return True

    if not plain(value):
        return None
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return "".join(_GO_HTML_ESCAPES.get(char, char) for char in text)


# --------------------------------------------------------------------------- comments


def comment_text(value: str, limit: int = 200) -> str:
    """Text safe inside a ``#`` comment: one line, no controls or bidi overrides, every other
    character that hides text (``core.invisible``: ``ad\\u2060min`` is not ``admin``) written as
    its ``\\uXXXX`` escape, bounded."""
    cleaned = _COMMENT_UNSAFE.sub(" ", value)
    cleaned = INVISIBLE.sub(lambda m: escape_code(m.group()), cleaned)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 3] + "..."
    return cleaned
