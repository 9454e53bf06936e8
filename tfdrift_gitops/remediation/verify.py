"""Reading a patched block back: does the code now say what the drift observed?

Values are read with our own decoder (``hcl_tree.literal``), never python-hcl2's dict output,
and compared the way Terraform would see them (``values.conforms``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.paths import split_path
from tfdrift_gitops.errors import RemediationError
from tfdrift_gitops.remediation.block_sets import identity
from tfdrift_gitops.remediation.blocks import GENERIC_BLOCK, item_key, read_block
from tfdrift_gitops.remediation.hcl_tree import NOT_LITERAL, Block, Lines, Node, parse, top_blocks
from tfdrift_gitops.remediation.locate import Declared, Located, SourceFile
from tfdrift_gitops.remediation.schema import BlockSchema, ResourceSchema
from tfdrift_gitops.remediation.values import canonical, conforms, is_empty, read_holes


def reparsed(located: Located, text: str) -> Located:
    """``located`` as it stands in ``text`` (the same file after some edits)."""
    old = located.file
    tree = parse(text, old.rel)
    source = SourceFile(old.path, old.rel, text, tree, Lines(text), old.writable)
    block = find_resource(tree, located.address.type, located.address.name)
    if block is None:
        raise RemediationError(f"internal error: {located.address} vanished while patching")
    return Located(
        located.address,
        located.module,
        Declared(source, block),
        located.calls,
        located.callers_of_module,
    )


def find_resource(tree: Node, rtype: str, name: str) -> Block | None:
    for block in top_blocks(tree):
        if block.type == "resource" and block.labels == (rtype, name):
            return block
    return None


def verify_change(
    block: Block, path: str, before: Any, after: Any, schema: ResourceSchema
) -> str | None:
    """None when the patched block says ``after`` at ``path``; else what differs."""
    return _verify(block, split_path(path), before, after, schema.as_block())


def _verify(
    block: Block, segments: list[str | int], before: Any, after: Any, schema: BlockSchema
) -> str | None:
    step, rest = segments[0], segments[1:]
    if not isinstance(step, str):
        return f"unexpected index {step!r}"
    attribute = block.attribute(step)
    if attribute is not None:
        value = read_holes(attribute.expr)
        for inner in rest:
            if isinstance(value, dict) and isinstance(inner, str):
                value = value.get(inner)
            elif isinstance(value, list) and isinstance(inner, int) and inner < len(value):
                value = value[inner]
            else:
                return f"cannot follow {inner!r} into `{step}`"
        if value is None and (
            after is None or (is_empty(after) and step not in schema.true_defaults)
        ):
            return None
        ok = conforms(
            value,
            before,
            after,
            json_mode=step in schema.json_fields,
            unordered=step in schema.set_fields,
        )
        return None if ok else f"the code says {value!r}"
    nested = schema.blocks.get(step, GENERIC_BLOCK)
    statics = block.blocks(step)
    if not statics and not rest:
        return None if after is None or is_empty(after) else f"no `{step}` in the code"
    if not rest:
        items = [read_block(b, nested) for b in statics]
        wanted = after if isinstance(after, list) else []
        known = [item_key(i, nested) for i in items if i is not NOT_LITERAL]
        if nested.is_set:
            old = before if isinstance(before, list) else []
            old_keys = [item_key(i, nested) for i in old]
            new_keys = [item_key(i, nested) for i in wanted]
            missing = [
                k
                for k, item in zip(new_keys, wanted, strict=True)
                if k not in old_keys
                and k not in known
                and not _edited_in_place(item, old, items, nested)
            ]
            stale = [k for k in old_keys if k not in new_keys and k in known]
            return None if not missing and not stale else f"`{step}` blocks do not match"
        expected = [item_key(i, nested) for i in wanted]
        if known == expected or _edited_in_order(items, before, wanted, nested):
            return None
        return f"`{step}` blocks do not match"
    index = rest[0]
    if not isinstance(index, int):
        return f"unexpected key {index!r} after block `{step}`"
    if index >= len(statics):
        return None if after is None or is_empty(after) else f"no `{step}` block {index}"
    target = statics[index]
    if len(rest) == 1:
        item = read_block(target, nested)
        if item is NOT_LITERAL:
            return f"`{step}` block uses expressions"
        same = item_key(item, nested) == item_key(after or {}, nested)
        return None if same else f"`{step}` block does not match"
    return _verify(target, rest[1:], before, after, nested)


def _edited_in_order(code: list[Any], before: Any, after: list[Any], schema: BlockSchema) -> bool:
    """A list of blocks patched item by item (a CloudFront ``ordered_cache_behavior``, whose
    order is its meaning): each code block says its item as ``_edited_in_place`` says a set
    item, against the item the drift found at the same index (the code left ``min_ttl = 0``
    out before the drift too); a block added at the end says its item whole."""
    old = before if isinstance(before, list) else []
    if len(code) != len(after):
        return False
    for index, (block, item) in enumerate(zip(code, after, strict=True)):
        if block is NOT_LITERAL or not isinstance(item, Mapping):
            return False
        if item_key(block, schema) == item_key(item, schema):
            continue
        fields = {k: v for k, v in item.items() if not schema.fields or schema.knows(k)}
        if index >= len(old) or not _says(block, fields, old[index], schema.true_defaults):
            return False
    return True


def _edited_in_place(item: Any, old: list[Any], code: list[Any], schema: BlockSchema) -> bool:
    """A set item edited in its own code block (found by the type's identity fields, e.g. a
    CloudFront origin's ``origin_id``): the block says every field of ``item`` it sets, and
    each field it leaves out kept its old value (the code left it to its default before the
    drift too: state holds ``connection_attempts = 3`` where the code writes nothing)."""
    if not schema.identity or not isinstance(item, Mapping):
        return False
    mine = identity(item, schema)
    olds = [o for o in old if isinstance(o, Mapping) and identity(o, schema) == mine]
    blocks = [c for c in code if isinstance(c, Mapping) and identity(c, schema) == mine]
    if len(olds) != 1 or len(blocks) != 1:
        return False
    fields = {k: v for k, v in item.items() if not schema.fields or schema.knows(k)}
    return _says(blocks[0], fields, olds[0], schema.true_defaults)


def _says(code: Any, item: Any, before: Any, defaults: frozenset[str] = frozenset()) -> bool:
    """``code`` says ``item``: what it leaves out is the empty value (as the patcher, which
    deletes an argument set back to empty unless it is one of the block's ``defaults``, its
    true defaults) or kept the value it had ``before``."""
    if isinstance(code, Mapping) and isinstance(item, Mapping):
        prior = before if isinstance(before, Mapping) else {}
        for key, value in item.items():
            if key in code and not is_empty(code[key]):
                if not _says(code[key], value, prior.get(key)):
                    return False
            elif is_empty(value) and key not in defaults:
                continue
            elif not (is_empty(value) and is_empty(prior.get(key))) and canonical(
                value, unordered=True
            ) != canonical(prior.get(key), unordered=True):
                return False
        return True
    if (
        isinstance(code, list)
        and isinstance(item, list)
        and len(code) == len(item)
        and all(isinstance(v, Mapping) for v in [*code, *item])
    ):
        olds: list[Any] = (
            before if isinstance(before, list) and len(before) == len(item) else [None] * len(item)
        )
        return all(_says(c, i, o) for c, i, o in zip(code, item, olds, strict=True))
    return bool(canonical(code, unordered=True) == canonical(item, unordered=True))
