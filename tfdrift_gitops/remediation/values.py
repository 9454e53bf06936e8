"""Comparing values the way Terraform and AWS do, and reading them back from code.

``equivalent`` decides whether code already says what the drift observed (no edit needed) and
whether a patched file reads back as intended. JSON documents (policies) compare as parsed,
order-insensitive documents; everything else compares exactly, except that numbers compare by
value (``300 == 300.0``) and never equal booleans.

``read_holes`` reads a literal that may contain expressions: each expression becomes ``HOLE``,
which ``conforms`` accepts only where the drift did not change the value (an untouched
``Name = var.name`` inside a patched ``tags`` map is fine).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from tfdrift_gitops.remediation.hcl_tree import (
    NOT_LITERAL,
    Node,
    core,
    function_args,
    function_name,
    literal,
    object_elements,
    object_key,
    tuple_items,
)


class _Hole:
    def __repr__(self) -> str:
        return "HOLE"


HOLE: Final = _Hole()


@dataclass(frozen=True, slots=True)
class JsonText:
    """``jsonencode(<value with holes>)``."""

    value: Any


def parse_json(value: Any) -> Any:
    """A JSON document string -> its value; anything else unchanged."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("{", "[")):
            try:
                return json.loads(text)
            except ValueError:
                return value
    return value


def _number(value: int | float) -> Any:
    try:
        return ("n", Decimal(repr(value)) if isinstance(value, float) else Decimal(value))
    except InvalidOperation:
        return ("f", repr(value))


def canonical(value: Any, *, json_mode: bool = False, unordered: bool = False) -> Any:
    """A hashable canonical form. ``json_mode``: parse JSON strings, sort lists, and treat a
    one-element list like its element (IAM's "Action": "x" == ["x"]). ``unordered``: compare
    the top-level list as a set (set-typed arguments)."""
    if json_mode:
        value = parse_json(value)
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, Mapping):
        return (
            "m",
            tuple(sorted((str(k), canonical(v, json_mode=json_mode)) for k, v in value.items())),
        )
    if isinstance(value, list | tuple):
        items = [canonical(v, json_mode=json_mode) for v in value]
        if json_mode and len(items) == 1:
            return items[0]
        if json_mode or unordered:
            return ("l", tuple(sorted(items, key=repr)))
        return ("l", tuple(items))
    return ("?", repr(value))


def is_empty(value: Any) -> bool:
    """``None``, ``False``, ``""``, ``[]`` or ``{}``: what an absent optional argument means."""
    if value is None or value is False:
        return True
    return isinstance(value, str | list | dict) and not value


def equivalent(a: Any, b: Any, *, json_mode: bool = False, unordered: bool = False) -> bool:
    left = canonical(a, json_mode=json_mode, unordered=unordered)
    right = canonical(b, json_mode=json_mode, unordered=unordered)
    return bool(left == right)


# --------------------------------------------------------------------------- reading back


def read_holes(expr: Node) -> Any:
    """Like ``literal`` but expressions inside objects/tuples/jsonencode become HOLE."""
    value = literal(expr)
    if value is not NOT_LITERAL:
        return value
    node = core(expr)
    if node.data == "object":
        out: dict[str, Any] = {}
        for _, key_node, value_node in object_elements(node):
            key = object_key(key_node)
            if key is NOT_LITERAL:
                return HOLE
            out[str(key)] = read_holes(value_node)
        return out
    if node.data == "tuple":
        return [read_holes(item) for item in tuple_items(node)]
    if node.data == "function_call" and function_name(node) == "jsonencode":
        args = function_args(node)
        if len(args) == 1:
            return JsonText(read_holes(args[0]))
    return HOLE


def conforms(
    code: Any, before: Any, after: Any, *, json_mode: bool = False, unordered: bool = False
) -> bool:
    """Does code (with holes) say ``after``, given that holes keep the ``before`` value?"""
    if code is HOLE:
        return before is not None and equivalent(before, after, json_mode=json_mode)
    if isinstance(code, JsonText):
        return conforms(code.value, parse_json(before), parse_json(after), json_mode=True)
    if not _has_holes(code):
        return equivalent(code, after, json_mode=json_mode, unordered=unordered)
    if json_mode:
        before, after = parse_json(before), parse_json(after)
    if isinstance(code, dict) and isinstance(after, Mapping):
        old = before if isinstance(before, Mapping) else {}
        if set(code) != set(after):
            return False
        return all(conforms(code[k], old.get(k), after[k], json_mode=json_mode) for k in code)
    if isinstance(code, list) and isinstance(after, list):
        if len(code) != len(after):
            return False
        old_list = before if isinstance(before, list) and len(before) == len(after) else []
        return all(
            conforms(c, old_list[i] if old_list else None, a, json_mode=json_mode)
            for i, (c, a) in enumerate(zip(code, after, strict=True))
        )
    return False


def _has_holes(value: Any) -> bool:
    if value is HOLE or isinstance(value, JsonText):
        return True
    if isinstance(value, dict):
        return any(_has_holes(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_holes(v) for v in value)
    return False


def has_holes(value: Any) -> bool:
    return _has_holes(value)
