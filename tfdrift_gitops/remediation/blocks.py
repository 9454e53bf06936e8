"""Nested blocks as data: reading a static block, matching block items, rendering new ones.

Terraform state holds nested blocks (``ingress``, ``versioning_configuration``) as lists of
objects with every field present; code writes only some fields. Items are compared on their
configurable fields with empty values dropped, so a code block and a state item match when
Terraform would see no difference.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.remediation import hcl_escape as esc
from tfdrift_gitops.remediation.hcl_tree import NOT_LITERAL, Block, literal
from tfdrift_gitops.remediation.schema import BlockSchema
from tfdrift_gitops.remediation.values import canonical, is_empty, parse_json

GENERIC_BLOCK = BlockSchema(fields=())
"""A block type we know nothing about: every field counts."""
_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}


def ordered_keys(schema: BlockSchema, keys: list[str]) -> list[str]:
    seen: list[str] = []
    for key in [*schema.fields, *schema.blocks, *sorted(set(keys))]:
        if key in keys and key not in seen:
            seen.append(key)
    return seen


def normal_field(name: str, value: Any) -> Any:
    if name in ("from_port", "to_port") and isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if name == "protocol" and isinstance(value, str | int):
        text = str(value).strip().lower()
        return _PROTOCOLS.get(text, text)
    return value


def item_key(item: Any, schema: BlockSchema) -> Any:
    """Canonical identity of one block item: configurable fields, empties dropped."""
    if not isinstance(item, Mapping):
        return canonical(item)
    kept = {}
    for key, value in item.items():
        if schema.fields and not schema.knows(key):
            continue
        if is_empty(value) and key not in schema.true_defaults:
            continue
        kept[key] = normal_field(key, value)
    return _canonical_item(kept, schema)


def _canonical_item(item: Mapping[str, Any], schema: BlockSchema) -> Any:
    out = []
    for key, value in sorted(item.items()):
        nested = schema.blocks.get(key)
        if nested is not None and isinstance(value, list):
            keys = [repr(item_key(v, nested)) for v in value]
            # A list of blocks keeps its order: a CloudFront origin group's first member is
            # its primary, so members swapped by hand are another group.
            out.append((key, ("blocks", tuple(keys if nested.ordered else sorted(keys)))))
        else:
            # Lists inside rule blocks (cidr_blocks, security_groups) are sets to AWS.
            out.append((key, canonical(value, json_mode=key in schema.json_fields, unordered=True)))
    return tuple(out)


def read_block(block: Block, schema: BlockSchema) -> Any:
    """A static nested block as the dict the state would hold, or NOT_LITERAL."""
    out: dict[str, Any] = {}
    for attribute in block.attributes():
        value = literal(attribute.expr)
        if value is NOT_LITERAL:
            return NOT_LITERAL
        out[attribute.name] = value
    for inner in block.blocks():
        if inner.type == "dynamic":
            return NOT_LITERAL
        nested = schema.blocks.get(inner.type, GENERIC_BLOCK)
        value = read_block(inner, nested)
        if value is NOT_LITERAL:
            return NOT_LITERAL
        out.setdefault(inner.type, []).append(value)
    return out


def summary(item: Any, limit: int = 160) -> str:
    """A block item for a sentence: its non-empty fields as ASCII JSON, in a code span."""
    from tfdrift_gitops.remediation.explain import code_span

    shown = (
        {k: v for k, v in item.items() if not is_empty(v)} if isinstance(item, Mapping) else item
    )
    try:
        text = json.dumps(shown, sort_keys=True, ensure_ascii=True)
    except (TypeError, ValueError):
        text = ascii(shown)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return code_span(text)


def render_block(name: str, item: Mapping[str, Any], schema: BlockSchema, indent: str) -> str:
    """``name { ... }`` holding only configurable, non-default fields of ``item``."""
    inner = indent + esc.INDENT
    lines = [f"{indent}{name} {{"]
    nested_parts: list[str] = []
    for key in ordered_keys(schema, list(item)):
        value = item[key]
        if schema.fields and not schema.knows(key):
            continue
        nested = schema.blocks.get(key)
        if nested is not None or (
            isinstance(value, list)
            and value
            and all(isinstance(v, Mapping) for v in value)
            and key not in schema.fields
        ):
            for entry in value if isinstance(value, list) else [value]:
                if isinstance(entry, Mapping):
                    nested_parts.append(render_block(key, entry, nested or GENERIC_BLOCK, inner))
            continue
        if is_empty(value) and key not in schema.true_defaults:
            continue
        as_text = key in schema.text_json_fields and esc.jsonencode_text(parse_json(value)) != value
        if (
            key in schema.json_fields
            and isinstance(parse_json(value), Mapping | list)
            and not as_text
        ):
            rendered = "jsonencode(" + esc.render_value(parse_json(value), inner) + ")"
        else:
            rendered = esc.render_value(value, inner)
        lines.append(f"{inner}{key} = {rendered}")
    for part in nested_parts:
        if len(lines) > 1:
            lines.append("")
        lines.append(part)
    lines.append(f"{indent}}}")
    return "\n".join(lines)
