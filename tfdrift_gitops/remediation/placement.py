"""Where new code goes and how old code leaves: span edits that keep a file's layout.

A new argument goes after the last one-line argument of its block (joining that ``=``-aligned
run when it does not widen it); a new nested block after the last block of its kind, else
before ``lifecycle``/``provisioner``/``dynamic``/``depends_on``; one-line blocks are expanded;
removed code takes its whole lines (and the comments that describe it) with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tfdrift_gitops.remediation import hcl_escape as esc
from tfdrift_gitops.remediation.hcl_tree import Attribute, Block, Node, body_items, span
from tfdrift_gitops.remediation.locate import SourceFile
from tfdrift_gitops.remediation.schema import BlockSchema
from tfdrift_gitops.remediation.splice import (
    Edit,
    delete_lines,
    line_end_after,
    only_space_before,
    rest_of_line_is_trivia,
)
from tfdrift_gitops.remediation.values import parse_json

META_ARGUMENTS = frozenset({"count", "for_each", "provider", "depends_on"})
TRAILING_BLOCKS = frozenset({"lifecycle", "provisioner", "connection", "dynamic"})

BlockRenderer = Callable[[str, Mapping[str, Any], BlockSchema, str], str]


class CannotPlace(Exception):
    def __init__(self, message: str, where: str) -> None:
        super().__init__(message)
        self.where = where


class Placer:
    def __init__(self, file: SourceFile) -> None:
        self.file = file
        self.text = file.text
        self.lines = file.lines

    # ------------------------------------------------------------------ replace / delete

    def replace(self, node: Node, value: Any) -> Edit:
        start, end = span(node)
        indent = self.lines.indent_at(start)
        return Edit(start, end, esc.render_value(value, indent))

    def delete(self, start: int, end: int, comments: bool = False) -> Edit:
        if not only_space_before(self.text, self.lines, start) or not (
            rest_of_line_is_trivia(self.text, end) or self.trailing_comma(end)
        ):
            raise CannotPlace(
                "the code to remove shares its line with other code", self.file.where(start)
            )
        return delete_lines(self.text, self.lines, start, end, attached_comments=comments)

    def trailing_comma(self, end: int) -> bool:
        newline = self.text.find("\n", end)
        tail = self.text[end : newline if newline >= 0 else len(self.text)]
        return tail.strip().startswith(",")

    def alone_on_lines(self, node: Node) -> bool:
        start, end = span(node)
        if not only_space_before(self.text, self.lines, start):
            return False
        newline = self.text.find("\n", end)
        tail = self.text[end : newline if newline >= 0 else len(self.text)].strip()
        return tail in ("", ",") or tail.lstrip(", ").startswith(("#", "//"))

    # ------------------------------------------------------------------ geometry

    def body_indent(self, block: Block) -> str:
        for item in body_items(block.body):
            if only_space_before(self.text, self.lines, item.start):
                return self.lines.indent_at(item.start)
        return self.lines.indent_at(block.start) + esc.INDENT

    def single_line(self, block: Block) -> bool:
        return self.lines.line_of(int(block.lbrace.start_pos or 0)) == self.lines.line_of(
            int(block.rbrace.start_pos or 0)
        )

    def one_line(self, attribute: Attribute) -> bool:
        start, end = span(attribute.node)
        return self.lines.line_of(start) == self.lines.line_of(max(end - 1, start))

    def expand(self, block: Block, new_lines: list[str]) -> Edit:
        """Rewrite a one-line block ``x { a = 1 }`` as a multi-line one with extra lines."""
        indent = self.lines.indent_at(block.start)
        inner_indent = indent + esc.INDENT
        lstart = int(block.lbrace.end_pos or 0)
        rstart = int(block.rbrace.start_pos or 0)
        inner = self.text[lstart:rstart].strip()
        lines = ([inner_indent + inner] if inner else []) + new_lines
        return Edit(lstart, rstart, "\n" + "\n".join(lines) + "\n" + indent)

    def would_realign(self, anchor: Attribute, lead: str) -> bool:
        """Would a new ``lead = ...`` line after ``anchor`` move other lines' ``=``?

        terraform fmt aligns a run of one-line assignments on its longest name; a longer new
        name would re-indent every line of the run, so it starts a run of its own instead
        (after a blank line) and the diff stays one line.
        """
        if not self.one_line(anchor):
            return False
        widths = []
        number = self.lines.line_of(anchor.start)
        while number >= 1:
            line_start = self.lines.starts[number - 1]
            line_end = (
                self.lines.starts[number] if number < len(self.lines.starts) else len(self.text)
            )
            line = self.text[line_start:line_end]
            if (
                "=" not in line
                or line.strip().startswith(("#", "//"))
                or line.rstrip().endswith(("{", "[", "("))
            ):
                break
            widths.append(len(line[: line.index("=")].rstrip()))
            number -= 1
        return bool(widths) and len(lead) > max(widths)

    # ------------------------------------------------------------------ insertions

    def attribute(self, block: Block, name: str, value: Any, *, json: bool) -> Edit:
        indent = self.body_indent(block)
        document = parse_json(value) if json else value
        if json and isinstance(document, Mapping | list):
            rendered = "jsonencode(" + esc.render_value(document, indent) + ")"
        else:
            rendered = esc.render_value(value, indent)
        line = f"{indent}{name} = {rendered}"
        if self.single_line(block):
            return self.expand(block, [line])
        attributes = [a for a in block.attributes() if a.name != "depends_on"]
        # After the last one-line argument: it joins that run of assignments when it does not
        # widen it, else it starts its own after a blank line.
        one_line = [a for a in attributes if a.name not in META_ARGUMENTS and self.one_line(a)]
        anchor = one_line[-1] if one_line else (attributes[-1] if attributes else None)
        if anchor is not None:
            position = line_end_after(self.text, self.lines, anchor.end)
            separate = (
                not self.one_line(anchor)
                or anchor.name in META_ARGUMENTS
                or self.would_realign(anchor, indent + name)
            )
            return Edit(position, position, ("\n" if separate else "") + line + "\n")
        position = line_end_after(self.text, self.lines, int(block.lbrace.end_pos or 0))
        following = next(iter(body_items(block.body)), None)
        suffix = "\n" if isinstance(following, Block) else ""
        return Edit(position, position, f"{line}\n{suffix}")

    def block(
        self,
        block: Block,
        render: BlockRenderer,
        name: str,
        schema: BlockSchema,
        item: Mapping[str, Any],
    ) -> Edit:
        indent = self.body_indent(block)
        text = render(name, item, schema, indent)
        if self.single_line(block):
            return self.expand(block, text.split("\n"))
        items = list(body_items(block.body))
        same = [i for i in items if isinstance(i, Block) and i.type == name]
        anchor: Attribute | Block | None = same[-1] if same else None
        if anchor is None:
            trailing = [i for i in items if _trailing(i)]
            leading = [i for i in items if not _trailing(i)]
            anchor = leading[-1] if leading else None
            if anchor is None and trailing:
                position = self.lines.line_start(trailing[0].start)
                return Edit(position, position, f"{text}\n\n")
        if anchor is None:
            position = line_end_after(self.text, self.lines, int(block.lbrace.end_pos or 0))
            return Edit(position, position, f"{text}\n")
        position = line_end_after(self.text, self.lines, anchor.end)
        return Edit(position, position, f"\n{text}\n")


def _trailing(item: Attribute | Block) -> bool:
    """Meta blocks and ``depends_on`` that conventionally close a resource body."""
    if isinstance(item, Block):
        return item.type in TRAILING_BLOCKS
    return item.name == "depends_on"
