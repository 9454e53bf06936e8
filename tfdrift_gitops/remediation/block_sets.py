"""Sets of nested blocks (a security group's ``ingress``, a CloudFront distribution's ``origin``):
the items a drift removed and added, and the code block that says each removed item.

A set's items have no index, so a drift on one is a set difference (items compared by
``blocks.item_key``). An item edited by hand shows as one item removed and one added with the
same identity fields; the patcher edits it in its own code block rather than deleting it and
adding another, so the block keeps its place and comments, and the code never says two items
with one identity (CloudFront rejects two origins with the same ``origin_id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.remediation.blocks import (
    GENERIC_BLOCK,
    item_key,
    normal_field,
    read_block,
    summary,
)
from tfdrift_gitops.remediation.hcl_tree import NOT_LITERAL, Block
from tfdrift_gitops.remediation.schema import BlockSchema


def identity(item: Mapping[str, Any], schema: BlockSchema) -> tuple[str, ...]:
    """The item's identity fields (``schema.identity``: a CloudFront origin's ``origin_id``),
    normalised as the state and the code may spell them differently."""
    return tuple(repr(normal_field(f, item.get(f))) for f in schema.identity)


def set_difference(
    before: list[Any], after: list[Any], schema: BlockSchema
) -> tuple[list[Any], list[Any]]:
    """The items removed by the drift (in ``before`` only) and added (in ``after`` only)."""
    before_keys = [item_key(i, schema) for i in before]
    after_keys = [item_key(i, schema) for i in after]
    removed = [i for i, k in zip(before, before_keys, strict=True) if k not in after_keys]
    added = [i for i, k in zip(after, after_keys, strict=True) if k not in before_keys]
    return removed, added


def pair_items(removed: list[Any], added: list[Any], schema: BlockSchema) -> dict[int, Any]:
    """Removed item -> added item when both are the only ones with the same identity."""
    if not schema.identity:
        if len(removed) == 1 and len(added) == 1:
            return {id(removed[0]): added[0]}
        return {}
    pairs: dict[int, Any] = {}
    for item in removed:
        mine = [a for a in added if identity(a, schema) == identity(item, schema)]
        twins = [r for r in removed if identity(r, schema) == identity(item, schema)]
        if len(mine) == 1 and len(twins) == 1:
            pairs[id(item)] = mine[0]
    return pairs


def changes_text(before: Any, after: Any, schema: BlockSchema | None) -> str:
    """ "; added by hand: ...; removed by hand: ..." for a sentence about blocks the code
    cannot be edited to say (a dynamic block's), so a person knows what to change."""
    if not isinstance(before, list) or not isinstance(after, list):
        return ""
    removed, added = set_difference(before, after, schema or GENERIC_BLOCK)
    text = ""
    if added:
        text += f"; added by hand: {', '.join(summary(i) for i in added)}"
    if removed:
        text += f"; removed by hand: {', '.join(summary(i) for i in removed)}"
    return text


class CodeSet:
    """The static code blocks of one set, read as the items the state would hold; each block
    says at most one removed item."""

    def __init__(self, statics: list[Block], schema: BlockSchema) -> None:
        self.schema = schema
        self.code: list[tuple[Block, Any]] = [(b, read_block(b, schema)) for b in statics]
        self.used: set[int] = set()

    def take(self, item: Any) -> Block | None:
        """The code block that says the removed ``item``, now used: the one equal to it, else
        the one with its identity; None when no unused block says it."""
        key = item_key(item, self.schema)
        match = next(
            (
                i
                for i, (_, value) in enumerate(self.code)
                if i not in self.used
                and value is not NOT_LITERAL
                and item_key(value, self.schema) == key
            ),
            None,
        )
        if match is None:
            match = self._by_identity(item)
        if match is None:
            return None
        self.used.add(match)
        return self.code[match][0]

    def _by_identity(self, item: Any) -> int | None:
        """The one literal code block with the removed item's identity fields, when the code
        leaves some of the item's other fields to their defaults (a CloudFront origin written
        without ``connection_attempts``: state holds 3), so no block equals it whole."""
        if not self.schema.identity or not isinstance(item, Mapping):
            return None
        found = [
            i
            for i, (_, value) in enumerate(self.code)
            if i not in self.used
            and isinstance(value, Mapping)
            and identity(value, self.schema) == identity(item, self.schema)
        ]
        return found[0] if len(found) == 1 else None

    def opaque(self) -> Block | None:
        """The first block that uses expressions: whether it says an unmatched item is unknown."""
        return next((b for b, value in self.code if value is NOT_LITERAL), None)
