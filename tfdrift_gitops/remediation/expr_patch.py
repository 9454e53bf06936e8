"""Expression edits: make one HCL expression evaluate to an observed value with the smallest
edit, so that a review shows only what the drift changed.

A literal is replaced; an object gains or loses elements, the others kept as written; a list of
the same length is edited element by element (a statement inside a policy), and a multi-line
list keeps the lines of the elements that stay; ``jsonencode(...)`` is edited inside its
argument, a heredoc rewritten as a heredoc. Where the code computes the value, the change is
refused with an explanation of where the value comes from (the patcher's ``explain``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lark import Tree

from tfdrift_gitops.remediation import hcl_escape as esc
from tfdrift_gitops.remediation.hcl_tree import (
    NOT_LITERAL,
    Node,
    core,
    function_args,
    function_name,
    heredoc_parts,
    literal,
    object_elements,
    object_key,
    span,
    tuple_items,
)
from tfdrift_gitops.remediation.locate import SourceFile
from tfdrift_gitops.remediation.placement import Placer
from tfdrift_gitops.remediation.splice import Edit, line_end_after
from tfdrift_gitops.remediation.values import canonical, equivalent, parse_json

_SCALAR_KINDS = frozenset({"string", "int_lit", "float_lit", "literal_value"})


class ExprPatcher:
    """The expression edits of one file. ``explain(node, wanted)`` is the refusal for a node
    the code computes and ``delete(start, end)`` the edit that removes a span (or refuses, when
    it cannot be removed cleanly): both are the patcher's own, so that a refusal names its
    drift change."""

    def __init__(
        self,
        file: SourceFile,
        place: Placer,
        explain: Callable[[Node, Any], Exception],
        delete: Callable[[int, int], Edit],
    ) -> None:
        self.text = file.text
        self.lines = file.lines
        self.place = place
        self.explain = explain
        self.delete = delete

    def patch(
        self, expr: Node, before: Any, after: Any, *, json_mode: bool, unordered: bool = False
    ) -> list[Edit]:
        """Make ``expr`` evaluate to ``after`` with the smallest edit, or refuse."""
        node = core(expr)
        current = literal(node)
        if current is not NOT_LITERAL and equivalent(
            current, after, json_mode=json_mode, unordered=unordered
        ):
            return []
        kind = node.data
        if json_mode:
            # IAM treats "Action": "x" and ["x"] alike: keep the form the code already uses.
            if kind == "tuple" and not isinstance(after, list | Mapping):
                after = [after]
            elif isinstance(after, list) and len(after) == 1 and kind in _SCALAR_KINDS:
                after = after[0]
        if kind == "function_call" and function_name(node) == "jsonencode":
            return self._jsonencode(node, before, after)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            if current is NOT_LITERAL:
                raise self.explain(node, after)
            if not isinstance(after, str):
                return [self._replace(node, after)]
            return [self._heredoc(node, after, json_mode)]
        if kind == "object" and isinstance(parse_json(after) if json_mode else after, Mapping):
            return self._object(node, before, after, json_mode=json_mode)
        if kind == "tuple" and isinstance(after, list):
            return self._tuple(node, before, after, json_mode=json_mode, unordered=unordered)
        if current is NOT_LITERAL:
            raise self.explain(node, after)
        return [self._replace(node, after)]

    def _jsonencode(self, node: Node, before: Any, after: Any) -> list[Edit]:
        args = function_args(node)
        if len(args) != 1:
            raise self.explain(node, after)
        wanted = parse_json(after)
        if isinstance(after, str) and wanted is after:
            # Not a JSON document any more: a plain string literal says it exactly.
            return [self._replace(node, after)]
        if after is None:
            return [self._replace(node, None)]
        return self.patch(args[0], parse_json(before), wanted, json_mode=True)

    def _heredoc(self, node: Node, after: str, json_mode: bool) -> Edit:
        trim, _, _ = heredoc_parts(node)
        start, end = span(node)
        indent = self.lines.indent_at(start)
        document = parse_json(after) if json_mode else after
        body = esc.pretty_json(document) if json_mode and document is not after else after
        if esc.heredoc_safe(body):
            text = esc.render_heredoc(body, indent, trim=trim)
        else:
            text = esc.quote_string(after)
        # The heredoc token ends with its newline; keep exactly one.
        return Edit(start, end, text + ("\n" if self.text[end - 1] == "\n" else ""))

    def _object(self, node: Node, before: Any, after: Any, *, json_mode: bool) -> list[Edit]:
        if json_mode:
            before, after = parse_json(before), parse_json(after)
        old = before if isinstance(before, Mapping) else None
        elements: dict[str, tuple[Node, Node, Node]] = {}
        for element, key_node, value_node in object_elements(node):
            key = object_key(key_node)
            if key is NOT_LITERAL:
                raise self.explain(node, after)
            elements[str(key)] = (element, key_node, value_node)
        edits: list[Edit] = []
        additions: dict[str, Any] = {}
        for key, value in after.items():
            if key in elements:
                previous = old.get(key) if old is not None else None
                if (
                    old is not None
                    and key in old
                    and equivalent(previous, value, json_mode=json_mode)
                ):
                    continue  # unchanged by the drift: leave whatever the code says
                edits.extend(self.patch(elements[key][2], previous, value, json_mode=json_mode))
            elif (
                old is not None and key in old and equivalent(old[key], value, json_mode=json_mode)
            ):
                continue
            else:
                additions[key] = value
        removals = [k for k in elements if k not in after and (old is None or k in old)]
        if not additions and not removals:
            return edits
        start, end = span(node)
        single_line = self.lines.line_of(start) == self.lines.line_of(end - 1)
        if single_line or not elements:
            if literal(node) is NOT_LITERAL:
                raise self.explain(node, after)
            return [self._replace(node, after)]
        for key in removals:
            element = elements[key][0]
            edits.append(self.delete(*span(element)))
        if additions:
            edits.extend(self.object_add(node, additions))
        return edits

    def object_add(self, node: Node, additions: Mapping[str, Any]) -> list[Edit]:
        elements = object_elements(node)
        start, end = span(node)
        if not elements or self.lines.line_of(start) == self.lines.line_of(end - 1):
            current = literal(node)
            if current is NOT_LITERAL or not isinstance(current, dict):
                raise self.explain(node, additions)
            return [self._replace(node, {**current, **additions})]
        last = elements[-1][0]
        last_start, last_end = span(last)
        indent = self.lines.indent_at(last_start)
        quoted = all(core(trees_first(k)).data == "string" for _, k, _ in elements)
        comma = self.place.trailing_comma(last_end)
        lines = []
        for key, value in additions.items():
            rendered = esc.render_value(value, indent)
            lines.append(
                f"{indent}{esc.render_key(key, prefer_quoted=quoted)} = {rendered}"
                + ("," if comma else "")
            )
        position = line_end_after(self.text, self.lines, last_end)
        return [Edit(position, position, "\n".join(lines) + "\n")]

    def _tuple(
        self, node: Node, before: Any, after: list[Any], *, json_mode: bool, unordered: bool
    ) -> list[Edit]:
        items = tuple_items(node)
        old = before if isinstance(before, list) else None
        current = literal(node)
        start, end = span(node)
        single_line = self.lines.line_of(start) == self.lines.line_of(end - 1)
        scalars = current is not NOT_LITERAL and all(esc.is_scalar(v) for v in [*current, *after])
        if scalars and (json_mode or unordered):
            # A set of scalars (CIDRs, ARNs, IAM actions): keep what stays, drop and add.
            if equivalent(current, after, json_mode=json_mode, unordered=True):
                return []
            if single_line or not items:
                return [self._replace(node, after)]
            return self._tuple_elements(node, items, current, after, json_mode, True)
        if items and len(items) == len(after):
            # Same length: element by element, so a statement inside a policy is edited in
            # place and comments next to untouched elements stay.
            paired_before = old if old is not None and len(old) == len(after) else None
            edits: list[Edit] = []
            for index, item in enumerate(items):
                previous = paired_before[index] if paired_before is not None else None
                if paired_before is not None and equivalent(
                    previous, after[index], json_mode=json_mode
                ):
                    continue
                edits.extend(self.patch(item, previous, after[index], json_mode=json_mode))
            return edits
        if current is NOT_LITERAL:
            raise self.explain(node, after)
        if single_line or not items:
            return [self._replace(node, after)]
        return self._tuple_elements(node, items, current, after, json_mode, unordered)

    def _tuple_elements(
        self,
        node: Node,
        items: list[Node],
        current: list[Any],
        after: list[Any],
        json_mode: bool,
        unordered: bool,
    ) -> list[Edit]:
        """Multi-line list: delete the lines of removed elements, append new ones, when the
        result has the wanted order (or order does not matter); else rewrite the list."""
        wanted = [canonical(v, json_mode=json_mode) for v in after]
        pool = list(wanted)
        kept: list[int] = []
        for index, value in enumerate(current):
            key = canonical(value, json_mode=json_mode)
            if key in pool:
                pool.remove(key)
                kept.append(index)
        kept_keys = [canonical(current[i], json_mode=json_mode) for i in kept]
        added = [v for v in after if canonical(v, json_mode=json_mode) in pool]
        order_ok = (
            json_mode
            or unordered
            or kept_keys + [canonical(v, json_mode=json_mode) for v in added] == wanted
        )
        lone = all(self.place.alone_on_lines(item) for item in items)
        if not order_ok or not lone:
            return [self._replace(node, after)]
        edits = [self.delete(*span(items[i])) for i in range(len(items)) if i not in kept]
        if added:
            anchor = items[kept[-1]] if kept else None
            if anchor is None:
                return [self._replace(node, after)]
            anchor_start, anchor_end = span(anchor)
            indent = self.lines.indent_at(anchor_start)
            comma = self.place.trailing_comma(anchor_end)
            rendered = [f"{indent}{esc.render_value(v, indent)}," for v in added]
            if comma:
                position = line_end_after(self.text, self.lines, anchor_end)
                edits.append(Edit(position, position, "\n".join(rendered) + "\n"))
            else:
                body = ",\n".join(r[:-1] for r in rendered)
                edits.append(Edit(anchor_end, anchor_end, ",\n" + body))
        return edits

    def _replace(self, node: Node, value: Any) -> Edit:
        return self.place.replace(node, value)


def object_element(node: Node, key: str) -> tuple[Node, Node, Node] | None:
    """The element of object ``node`` with the literal key ``key``: (element, key, value)."""
    for element, key_node, value_node in object_elements(node):
        if object_key(key_node) == key:
            return element, key_node, value_node
    return None


def trees_first(key: Node) -> Node:
    """An object key's expression (its first subtree): new keys are quoted when every key the
    code writes is a string, bare otherwise."""
    children = [c for c in key.children if isinstance(c, Tree)]
    return children[0] if children else key
