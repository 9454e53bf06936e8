"""Compare our drift ``changes`` with Terraform's, through the provider's schema.

Only arguments the schema marks required or optional count (computed ones move on every
refresh and never show in a plan). Values are compared canonically: sets (set attributes,
set-nested blocks) as sets, JSON documents parsed, a missing nested block as an empty list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core import provider_schema
from tfdrift_gitops.core.paths import MISSING, get_path, split_path

# Marked optional by the provider's legacy schema but never a user's change: the resource id,
# the provider-merged tag map (``tags`` carries the change) and operation timeouts.
NOT_COMPARED = frozenset({"id", "tags_all", "timeouts"})

Node = Mapping[str, Any] | list[Any] | str | None
"""A schema position: a block (``{"attributes":…}``), an attribute type, or None (unknown)."""


def _parse_json(value: str) -> Any:
    text = value.strip()
    if text.startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError:
            return value
    return value


def _json_canon(value: Any) -> Any:
    """Policy documents: keys sorted, one-element lists equal to their element, lists unordered
    (IAM evaluates ``Action``/``Resource`` lists as sets)."""
    if isinstance(value, Mapping):
        return {str(k): _json_canon(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_json_canon(v) for v in value]
        if len(items) == 1:
            return items[0]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def canon(value: Any, node: Node) -> Any:
    """A hashable-free canonical form of ``value`` at schema position ``node``."""
    if value is MISSING:
        value = None
    if isinstance(node, Mapping) and ("attributes" in node or "block_types" in node):
        if isinstance(value, list):
            return [canon(v, node) for v in value]
        if not isinstance(value, Mapping):
            return value
        out: dict[str, Any] = {}
        for name, attr in (node.get("attributes") or {}).items():
            if name in NOT_COMPARED or not (attr.get("required") or attr.get("optional")):
                continue
            out[name] = canon(value.get(name), attr.get("type"))
        for name, nested in (node.get("block_types") or {}).items():
            if name == "timeouts":
                continue
            out[name] = canon_block(value.get(name), nested)
        return out
    if isinstance(node, list) and node:
        kind = node[0]
        inner: Node = node[1] if len(node) > 1 else None
        if kind in ("set", "list") and (value is None or isinstance(value, list)):
            items = [canon(v, inner) for v in value or []]
            if kind == "set":
                items = sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
            return items
        if kind == "map" and (value is None or isinstance(value, Mapping)):
            return {str(k): canon(v, inner) for k, v in sorted((value or {}).items())}
        if kind == "object" and isinstance(value, Mapping) and isinstance(inner, Mapping):
            return {k: canon(value.get(k), t) for k, t in sorted(inner.items())}
    if isinstance(value, str):
        parsed = _parse_json(value)
        return _json_canon(parsed) if parsed is not value else value
    return value


def canon_block(value: Any, nested: Mapping[str, Any]) -> Any:
    block = nested.get("block") or {}
    mode = nested.get("nesting_mode")
    if mode == "single":
        return None if value in (None, []) else canon(value, block)
    items = [canon(v, block) for v in (value or [])]
    if mode == "set":
        items = sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return items


def touched(rtype: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    """Top-level configurable arguments whose canonical value differs."""
    block = provider_schema.block_of(rtype)
    assert block is not None, f"no provider schema for {rtype}: run scripts/regen_provider_schema"
    names: set[str] = set()
    for name in provider_schema.configurable(rtype) - NOT_COMPARED:
        if canon_at(rtype, name, get_path(dict(before), name)) != canon_at(
            rtype, name, get_path(dict(after), name)
        ):
            names.add(name)
    return names


def node_at(rtype: str, path: str) -> Node:
    """The schema position of ``path`` (None beyond what the schema describes)."""
    block = provider_schema.block_of(rtype)
    current: Node = block
    parts = split_path(path)
    index = 0
    while index < len(parts):
        part = parts[index]
        if not isinstance(current, Mapping):
            return None
        if "attributes" in current or "block_types" in current:
            if isinstance(part, int):
                index += 1
                continue
            attrs = current.get("attributes") or {}
            blocks = current.get("block_types") or {}
            if part in attrs:
                current = attrs[part].get("type")
            elif part in blocks:
                nested = blocks[part]
                if index + 1 < len(parts) and isinstance(parts[index + 1], int):
                    current = nested.get("block") or {}
                    index += 2
                    continue
                return {"__block__": nested}
            else:
                return None
            index += 1
            continue
        return None
    return current


def canon_at(rtype: str, path: str, value: Any) -> Any:
    node = node_at(rtype, path)
    if isinstance(node, Mapping) and "__block__" in node:
        return canon_block(value, node["__block__"])
    return canon(value, node)


def top(path: str) -> str:
    first = split_path(path)[0]
    return str(first)
