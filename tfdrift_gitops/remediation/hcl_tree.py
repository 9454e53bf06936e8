"""Reading python-hcl2's raw Lark parse tree: spans, blocks, attributes and literal values.

python-hcl2 builds its Lark parser with ``propagate_positions``, so every node knows its
*character* offsets in the source. We never use its dict output or its writer: the writer drops
comments, and its string decoding is inconsistent (``"$${x}"`` stays escaped while ``"\\n"`` is
decoded). Literal values are decoded here the way Terraform does (escapes, ``$${``/``%%{``,
heredoc indentation, NFC), so a value read back can be compared with what we meant to write.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from tfdrift_gitops.errors import RemediationError


class _NotLiteral:
    """Marker: the expression is not a literal (variable, call, template, ...)."""

    _instance: _NotLiteral | None = None

    def __new__(cls) -> _NotLiteral:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_LITERAL"

    def __bool__(self) -> bool:
        return False


NOT_LITERAL: Final = _NotLiteral()

Node = Tree[Token]


def parse(text: str, origin: str) -> Node:
    """Parse HCL text; errors name ``origin`` with line and column."""
    from hcl2.api import parses_to_tree

    try:
        tree: Node = parses_to_tree(text)
    except UnexpectedInput as exc:
        raise RemediationError(
            f"{origin}:{exc.line}:{exc.column}: cannot parse HCL: {_first_line(str(exc))}"
        ) from None
    except (LarkError, RecursionError, ValueError) as exc:
        raise RemediationError(f"{origin}: cannot parse HCL: {_first_line(str(exc))}") from None
    return tree


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "syntax error"


# --------------------------------------------------------------------------- spans


def span(node: Node | Token) -> tuple[int, int]:
    """Character offsets [start, end) of a node; raises for an empty node (an empty body)."""
    if isinstance(node, Token):
        return int(node.start_pos or 0), int(node.end_pos or 0)
    if node.meta.empty:
        raise ValueError("empty node has no span")
    return node.meta.start_pos, node.meta.end_pos


def trees(node: Node) -> list[Node]:
    return [c for c in node.children if isinstance(c, Tree)]


def tokens(node: Node) -> list[Token]:
    return [c for c in node.children if isinstance(c, Token)]


def token(node: Node, kind: str) -> Token | None:
    return next((c for c in node.children if isinstance(c, Token) and c.type == kind), None)


class Lines:
    """Offset <-> line lookups for one text (lines are 1-based, like editors and diffs)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def line_start(self, offset: int) -> int:
        return self.starts[self.line_of(offset) - 1]

    def line_end(self, offset: int) -> int:
        """Offset just past the newline ending the line that holds ``offset`` (or len)."""
        index = self.line_of(offset)
        return self.starts[index] if index < len(self.starts) else len(self.text)

    def indent_at(self, offset: int) -> str:
        start = self.line_start(offset)
        line = self.text[start:offset]
        return line[: len(line) - len(line.lstrip(" \t"))]


# --------------------------------------------------------------------------- structure


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    node: Node
    expr: Node

    @property
    def start(self) -> int:
        return span(self.node)[0]

    @property
    def end(self) -> int:
        return span(self.node)[1]


@dataclass(frozen=True, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    node: Node
    body: Node
    lbrace: Token
    rbrace: Token

    @property
    def start(self) -> int:
        return span(self.node)[0]

    @property
    def end(self) -> int:
        return span(self.node)[1]

    def attributes(self) -> list[Attribute]:
        return body_attributes(self.body)

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes() if a.name == name), None)

    def blocks(self, kind: str | None = None) -> list[Block]:
        return [b for b in body_blocks(self.body) if kind is None or b.type == kind]


def name_text(node: Node) -> str:
    """Text of an identifier / keyword / literal_value node (attribute and block names)."""
    return "".join(str(t) for t in node.scan_values(lambda v: isinstance(v, Token)))


def body_items(body: Node) -> Iterator[Attribute | Block]:
    for child in trees(body):
        if child.data == "attribute":
            yield _attribute(child)
        elif child.data == "block":
            yield _block(child)


def body_attributes(body: Node) -> list[Attribute]:
    return [i for i in body_items(body) if isinstance(i, Attribute)]


def body_blocks(body: Node) -> list[Block]:
    return [i for i in body_items(body) if isinstance(i, Block)]


def _attribute(node: Node) -> Attribute:
    name_node, expr = trees(node)[0], trees(node)[-1]
    return Attribute(name=name_text(name_node), node=node, expr=expr)


def _block(node: Node) -> Block:
    parts = trees(node)
    kind = name_text(parts[0])
    labels: list[str] = []
    body: Node | None = None
    for part in parts[1:]:
        if part.data == "body":
            body = part
        elif part.data == "string":
            decoded = string_literal(part)
            labels.append(decoded if isinstance(decoded, str) else _raw(part))
        elif part.data != "new_line_or_comment":
            labels.append(name_text(part))
    lbrace = token(node, "LBRACE")
    rbrace = token(node, "RBRACE")
    if body is None or lbrace is None or rbrace is None:  # the grammar guarantees these
        raise RemediationError(f"malformed block {kind!r} in parse tree")
    return Block(
        type=kind, labels=tuple(labels), node=node, body=body, lbrace=lbrace, rbrace=rbrace
    )


def _raw(node: Node) -> str:
    return "".join(str(t) for t in node.scan_values(lambda v: isinstance(v, Token)))


def top_blocks(tree: Node) -> list[Block]:
    body = next((c for c in trees(tree) if c.data == "body"), None)
    return body_blocks(body) if body is not None else []


def top_attributes(tree: Node) -> list[Attribute]:
    """Top-level attributes (``.tfvars`` files)."""
    body = next((c for c in trees(tree) if c.data == "body"), None)
    return body_attributes(body) if body is not None else []


# --------------------------------------------------------------------------- expressions


def core(expr: Node) -> Node:
    """The meaningful node under ``expr_term`` wrappers and parentheses."""
    node = expr
    while node.data == "expr_term":
        inner = [c for c in trees(node) if c.data != "new_line_or_comment"]
        if len(inner) != 1:
            break
        node = inner[0]
    return node


def traversal(expr: Node) -> list[str | int] | None:
    """``var.x`` -> ["var", "x"]; ``module.m.out[0]`` -> ["module", "m", "out", 0];
    ``each.value["k"]`` -> ["each", "value", "k"]. None when ``expr`` is not a traversal."""
    node = core(expr)
    steps: list[str | int] = []
    while True:
        if node.data == "identifier":
            steps.append(name_text(node))
            steps.reverse()
            return steps
        if node.data == "get_attr_expr_term":
            inner, attr = trees(node)[0], trees(node)[-1]
            steps.append(name_text(trees(attr)[-1]))
            node = core(inner)
            continue
        if node.data == "index_expr_term":
            inner, index = trees(node)[0], trees(node)[-1]
            key = _index_key(index)
            if key is None:
                return None
            steps.append(key)
            node = core(inner)
            continue
        return None


def _index_key(index: Node) -> str | int | None:
    if index.data == "short_index":
        tok = token(index, "INT_LITERAL")
        return int(str(tok)) if tok is not None else None
    inner = [c for c in trees(index) if c.data != "new_line_or_comment"]
    if len(inner) != 1:
        return None
    value = literal(inner[0])
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return value


def references(expr: Node) -> list[list[str | int]]:
    """Every traversal inside ``expr`` (outermost first), e.g. for templates and calls."""
    found: list[list[str | int]] = []

    def visit(node: Node) -> None:
        if node.data in ("get_attr_expr_term", "index_expr_term", "identifier"):
            steps = traversal(node)
            if steps is not None and (len(steps) > 1 or node.data != "identifier"):
                found.append(steps)
                return
        if node.data == "function_call":
            for child in trees(node)[1:]:
                visit(child)
            return
        for child in trees(node):
            visit(child)

    visit(expr)
    return found


def function_name(expr: Node) -> str | None:
    node = core(expr)
    if node.data != "function_call":
        return None
    return name_text(trees(node)[0])


def function_args(expr: Node) -> list[Node]:
    node = core(expr)
    args = next((c for c in trees(node) if c.data == "arguments"), None)
    if args is None:
        return []
    return [c for c in trees(args) if c.data != "new_line_or_comment"]


def is_heredoc(expr: Node) -> bool:
    return core(expr).data in ("heredoc_template", "heredoc_template_trim")


# --------------------------------------------------------------------------- literals

_HEREDOC_HEAD = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def decode_template(raw: str, *, backslash_escapes: bool) -> str | _NotLiteral:
    """Decode the characters of a quoted string (``backslash_escapes``) or heredoc body the way
    Terraform does; NOT_LITERAL when it holds an interpolation or directive."""
    out: list[str] = []
    position = 0
    length = len(raw)
    while position < length:
        char = raw[position]
        if backslash_escapes and char == "\\":
            decoded, position = _escape(raw, position)
            if decoded is None:
                return NOT_LITERAL
            out.append(decoded)
            continue
        if char in "$%":
            if raw.startswith(char + char + "{", position):
                out.append(char + "{")
                position += 3
                continue
            if raw.startswith(char + "{", position):
                return NOT_LITERAL
        out.append(char)
        position += 1
    return unicodedata.normalize("NFC", "".join(out))


def _escape(raw: str, position: int) -> tuple[str | None, int]:
    selector = raw[position + 1 : position + 2]
    if selector in _ESCAPES:
        return _ESCAPES[selector], position + 2
    width = {"u": 4, "U": 8}.get(selector)
    if width is None:
        return None, position
    digits = raw[position + 2 : position + 2 + width]
    if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
        return None, position
    code = int(digits, 16)
    if code > 0x10FFFF:
        return None, position
    return chr(code), position + 2 + width


def string_literal(node: Node) -> str | _NotLiteral:
    """The value of a ``string`` node (quotes excluded)."""
    parts: list[str] = []
    for child in trees(node):
        if child.data != "string_part":
            continue
        for piece in child.children:
            if isinstance(piece, Tree):  # interpolation or template directive
                return NOT_LITERAL
            parts.append(str(piece))
    return decode_template("".join(parts), backslash_escapes=True)


def heredoc_parts(node: Node) -> tuple[bool, str, str]:
    """(trim, marker, raw body) of a heredoc node; the body keeps its final newline."""
    text = str(node.children[0])
    head = _HEREDOC_HEAD.match(text)
    if head is None:
        raise ValueError("not a heredoc")
    trim = head.group(1) == "-"
    marker = head.group(2)
    rest = text[head.end() :]
    lines = rest.split("\n")
    # The token ends with "<ws>MARKER\n": drop that line and the empty string after it.
    body_lines = lines[:-2]
    body = "\n".join(body_lines) + ("\n" if body_lines else "")
    return trim, marker, body


def heredoc_value(node: Node) -> str | _NotLiteral:
    trim, _, body = heredoc_parts(node)
    if trim:
        lines = body.split("\n")
        # Terraform: the smallest indentation of lines with content; whitespace-only lines are
        # neither counted nor trimmed.
        widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip(" \t")]
        cut = min(widths) if widths else 0
        body = "\n".join(line[cut:] if line.strip(" \t") else line for line in lines)
    body = body.replace("\r\n", "\n")
    return decode_template(body, backslash_escapes=False)


def literal(expr: Node) -> Any:
    """The Python value of a literal expression, or NOT_LITERAL.

    ``jsonencode(<literal>)`` counts as a literal and reads as its JSON text: policies written
    that way are values we can compare and rewrite.
    """
    node = core(expr)
    kind = node.data
    if kind == "string":
        return string_literal(node)
    if kind == "int_lit":
        return int(str(node.children[0]))
    if kind == "float_lit":
        return float(str(node.children[0]))
    if kind == "literal_value":
        return {"true": True, "false": False, "null": None}[name_text(node)]
    if kind in ("heredoc_template", "heredoc_template_trim"):
        return heredoc_value(node)
    if kind == "unary_op":
        return _unary(node)
    if kind == "tuple":
        values = []
        for item in trees(node):
            if item.data == "new_line_or_comment":
                continue
            value = literal(item)
            if value is NOT_LITERAL:
                return NOT_LITERAL
            values.append(value)
        return values
    if kind == "object":
        return _object(node)
    if kind == "function_call" and function_name(node) == "jsonencode":
        args = function_args(node)
        if len(args) == 1:
            value = literal(args[0])
            if value is not NOT_LITERAL:
                return json.dumps(value, sort_keys=False)
    return NOT_LITERAL


def _unary(node: Node) -> Any:
    operator = str(node.children[0])
    value = literal(trees(node)[0])
    if operator == "-" and isinstance(value, int | float) and not isinstance(value, bool):
        return -value
    if operator == "!" and isinstance(value, bool):
        return not value
    return NOT_LITERAL


def object_elements(node: Node) -> list[tuple[Node, Node, Node]]:
    """(element, key node, value node) for each element of an ``object`` node."""
    out = []
    for elem in trees(node):
        if elem.data != "object_elem":
            continue
        parts = trees(elem)
        out.append((elem, parts[0], parts[-1]))
    return out


def object_key(key: Node) -> str | _NotLiteral:
    """The string an object key stands for: bare identifiers are literal keys in HCL."""
    inner = trees(key)[0] if trees(key) else key
    if inner.data == "keyword":
        return name_text(inner)
    node = core(inner)
    if node.data == "identifier":
        return name_text(node)
    if node.data == "literal_value":
        return name_text(node)
    value = literal(node)
    if isinstance(value, bool) or value is None:
        return NOT_LITERAL
    if isinstance(value, int | float):
        return str(value)
    return value if isinstance(value, str) else NOT_LITERAL


def _object(node: Node) -> Any:
    out: dict[str, Any] = {}
    for _, key_node, value_node in object_elements(node):
        key = object_key(key_node)
        value = literal(value_node)
        if key is NOT_LITERAL or value is NOT_LITERAL:
            return NOT_LITERAL
        out[str(key)] = value
    return out


def tuple_items(node: Node) -> list[Node]:
    return [c for c in trees(node) if c.data != "new_line_or_comment"]
