"""import / modified: write the observed values into an existing resource block.

Each drift change (``deletion_protection``, ``versioning_configuration[0].status``, ``ingress``,
``tags``, ``policy``, ...) becomes the smallest set of span edits that makes the code say the
observed value: one literal replaced, one map element added, one ``ingress`` block added or
removed, one statement inside a ``jsonencode({...})`` changed. Where the code computes a value,
the change is refused with an explanation instead (see ``explain``).

This module finds where a change lands: which argument may be written (computed, secret,
aliased and derived ones are not), and the attribute or nested block that holds it. Editing an
expression to say a value is ``expr_patch``'s; matching the items of a set of blocks is
``block_sets``'.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.paths import split_path
from tfdrift_gitops.errors import UnrepresentableValueError
from tfdrift_gitops.models import Change, CloudEvent
from tfdrift_gitops.remediation import hcl_escape as esc
from tfdrift_gitops.remediation.block_sets import CodeSet, changes_text, pair_items, set_difference
from tfdrift_gitops.remediation.blocks import GENERIC_BLOCK, ordered_keys, render_block, summary
from tfdrift_gitops.remediation.explain import Explainer
from tfdrift_gitops.remediation.expr_patch import ExprPatcher, object_element
from tfdrift_gitops.remediation.hcl_tree import (
    NOT_LITERAL,
    Attribute,
    Block,
    Node,
    core,
    literal,
    tuple_items,
)
from tfdrift_gitops.remediation.locate import Located, SourceFile
from tfdrift_gitops.remediation.placement import CannotPlace, Placer
from tfdrift_gitops.remediation.result import Refusal
from tfdrift_gitops.remediation.schema import BlockSchema, ResourceSchema, is_redacted
from tfdrift_gitops.remediation.schema_hand import DERIVED, DERIVED_NAMED_BY
from tfdrift_gitops.remediation.splice import (
    Edit,
)
from tfdrift_gitops.remediation.values import equivalent, is_empty, parse_json

log = logging.getLogger(__name__)


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class Ctx:
    """A body being patched: the resource block itself or a nested block inside it."""

    block: Block
    schema: BlockSchema
    top: bool
    path: str


@dataclass(frozen=True, slots=True)
class Planned:
    change: Change
    edits: tuple[Edit, ...]


def named_arguments(rtype: str, event: CloudEvent) -> frozenset[str]:
    """The arguments of ``rtype``'s derived pairs that ``event``'s request names
    (schema_hand.DERIVED_NAMED_BY)."""
    request = event.request if isinstance(event.request, Mapping) else {}
    return frozenset(
        argument
        for argument, key in DERIVED_NAMED_BY.get(rtype, {}).items()
        if isinstance(request.get(key), str) and request[key]
    )


class ModifiedPatcher:
    def __init__(
        self,
        located: Located,
        schema: ResourceSchema,
        explainer: Explainer,
        instance_problem: Refusal | None,
        named: frozenset[str] = frozenset(),
    ) -> None:
        self.located = located
        self.named = named
        self.file: SourceFile = located.file
        self.schema = schema
        self.explainer = explainer
        self.instance_problem = instance_problem
        self.place = Placer(located.file)
        self.expr = ExprPatcher(located.file, self.place, self._explain, self._delete)
        self.refusals: list[Refusal] = []
        self.notes: list[str] = []
        self.planned: list[Planned] = []
        self._change: Change | None = None
        self._drifted: set[str] = set()

    # ------------------------------------------------------------------ entry

    def plan(self, changes: Sequence[Change]) -> list[Edit]:
        edits: list[Edit] = []
        self._drifted = {str(split_path(c.path)[0]) for c in changes if c.path}
        for change in changes:
            self._change = change
            try:
                planned = self._plan_change(change)
            except _Refused as refused:
                self.refusals.append(refused.refusal)
                continue
            except UnrepresentableValueError as exc:
                self.refusals.append(
                    Refusal(
                        f"the observed value cannot be written exactly: {exc}",
                        "set the value by hand",
                        change.path,
                    )
                )
                continue
            if planned and self.instance_problem is not None:
                problem = self.instance_problem
                self.refusals.append(
                    Refusal(problem.reason, problem.action, change.path, problem.where)
                )
                continue
            if planned:
                self.planned.append(Planned(change, tuple(planned)))
                edits.extend(planned)
        return edits

    def _derived_twin(self, name: str, present: set[str]) -> str | None:
        """The argument written instead of ``name`` when the drift moves both of a derived
        pair (schema_hand.DERIVED): the one the code sets, the source when it sets neither (the
        one the call named, ``named``)."""
        pairs = DERIVED.get(self.schema.type, {})
        for derived, source in pairs.items():
            if name not in (derived, source) or not {derived, source} <= self._drifted:
                continue
            if {derived, source} <= present:
                return None  # the code already says both: each is kept up to date
            # The call named the derived one alone: it is the source this time.
            first = derived if derived in self.named and source not in self.named else source
            other = source if first == derived else derived
            keep = other if other in present and first not in present else first
            return keep if keep != name else None
        return None

    def _refuse(self, reason: str, action: str = "", where: str = "") -> _Refused:
        path = self._change.path if self._change is not None else ""
        return _Refused(Refusal(reason, action, path, where))

    def _explain(self, expr: Node, wanted: Any) -> _Refused:
        located = self.located
        explanation = self.explainer.expression(
            expr, self.file, located.module, located.calls, wanted
        )
        return self._refuse(explanation.reason, explanation.action, explanation.where)

    def _plan_change(self, change: Change) -> list[Edit]:
        segments = split_path(change.path)
        if not segments or not isinstance(segments[0], str):
            raise self._refuse(f"unsupported attribute path {change.path!r}")
        name = segments[0]
        present = {a.name for a in self.located.block.attributes()}
        other = self.schema.alias_in_code(name, present)
        if other is not None and other in present and other not in self._drifted:
            raise self._refuse(
                f"`{name}` changed, but the code says it as `{other}` (the two conflict in "
                f"configuration), which did not change: Terraform sees no difference, and "
                f"writing `{name}` next to it would not validate",
                f"replace `{other}` with the observed `{name}` by hand",
            )
        if other is not None:
            self.notes.append(
                f"`{change.path}` is not written: it says what `{other}` says and conflicts "
                f"with it in configuration, so the code carries the value as `{other}`"
            )
            return []
        twin = self._derived_twin(name, present)
        if twin is not None:
            self.notes.append(
                f"`{change.path}` is not written: AWS derives one of `{name}` and `{twin}` "
                f"from the other, the provider cannot send both, and the code carries the "
                f"change as `{twin}`"
            )
            return []
        kind = self.schema.classify(name)
        if kind == "computed":
            self.notes.append(
                f"`{change.path}` is computed by the provider and is never written to code"
            )
            return []
        if kind == "sensitive":
            raise self._refuse(
                f"`{name}` is a secret; it is never written into code",
                "set it through your secret store or a sensitive variable",
            )
        if kind == "unknown":
            raise self._refuse(
                f"`{name}` is not a configurable argument of {self.schema.type} as far as "
                "tfdrift-gitops knows",
                f"set `{name}` by hand if the provider accepts it",
            )
        esc.check_depth(change.after)
        esc.check_depth(change.before)
        if is_redacted(change.after) or is_redacted(change.before):
            raise self._refuse(
                "the value is hidden (a secret in state, or redacted by CloudTrail), so it is "
                "never written into code",
                "look the value up in AWS and set it by hand or through a sensitive variable",
            )
        required = self.schema.as_block().blocks.get(name)
        if required is not None and len(segments) == 1 and isinstance(change.after, list | None):
            left = len(change.after or ())
            if left < required.min_items:
                # Written so, the code would not validate (an import of CancelRotateSecret:
                # rotation_rules read back empty; found by the Terraform oracle).
                raise self._refuse(
                    f"`{name}` is left with {left} block(s), but {self.schema.type} requires "
                    f"at least {required.min_items}: code written so would not validate",
                    f"keep the `{name}` block Terraform should hold by hand, or revert the drift",
                )
        ctx = Ctx(self.located.block, self.schema.as_block(), True, "")
        return self._in_body(ctx, segments, change.before, change.after)

    # ------------------------------------------------------------------ bodies

    def _in_body(self, ctx: Ctx, segments: list[str | int], before: Any, after: Any) -> list[Edit]:
        name = segments[0]
        if not isinstance(name, str):
            raise self._refuse(f"unsupported attribute path at {name!r}")
        rest = segments[1:]
        block = ctx.block
        dynamics = [b for b in block.blocks("dynamic") if b.labels[:1] == (name,)]
        if dynamics:
            for_each = dynamics[0].attribute("for_each")
            where = self.file.where(dynamics[0].start)
            if for_each is not None:
                source = self.explainer.expression(
                    for_each.expr, self.file, self.located.module, self.located.calls, None
                )
                raise self._refuse(
                    f"`{name}` blocks are generated by a dynamic block at {where}; its for_each "
                    f"collection: {source.reason}",
                    f"change that collection ({source.where or where}) so that the dynamic "
                    f"block yields the observed `{name}` blocks"
                    + changes_text(before, after, ctx.schema.blocks.get(name)),
                    where,
                )
            raise self._refuse(
                f"`{name}` blocks are generated by a dynamic block at {where}",
                "change the dynamic block by hand",
                where,
            )
        attribute = block.attribute(name)
        if attribute is not None:
            return self._attribute(ctx, attribute, rest, before, after)
        statics = block.blocks(name)
        nested = ctx.schema.blocks.get(name)
        looks_like_blocks = (
            isinstance(after, list)
            and bool(after)
            and all(isinstance(i, Mapping) for i in after)
            and name not in ctx.schema.fields
        )
        if statics or nested is not None or looks_like_blocks:
            schema = nested or GENERIC_BLOCK
            return self._blocks(ctx, name, statics, schema, rest, before, after)
        # The argument is not in the code.
        if rest:
            if all(isinstance(s, str) for s in rest) and after is not None:
                value: Any = after
                for step in reversed(rest):
                    value = {step: value}
                return [self._insert_attribute(ctx, name, value)]
            raise self._refuse(
                f"`{name}` is not set in the code, and the path into it cannot be created"
            )
        if after is None or (is_empty(after) and name not in ctx.schema.true_defaults):
            return []  # absent already means this
        return [self._insert_attribute(ctx, name, after)]

    def _attribute(
        self, ctx: Ctx, attribute: Attribute, rest: list[str | int], before: Any, after: Any
    ) -> list[Edit]:
        json_mode = attribute.name in ctx.schema.json_fields
        unordered = attribute.name in ctx.schema.set_fields
        if rest:
            node = attribute.expr
            for position, step in enumerate(rest):
                inner = core(node)
                if isinstance(step, int) and inner.data == "tuple":
                    items = tuple_items(inner)
                    if step >= len(items):
                        raise self._refuse(f"`{attribute.name}` has no element {step} in code")
                    node = items[step]
                elif isinstance(step, str) and inner.data == "object":
                    found = object_element(inner, step)
                    if found is None:
                        if position != len(rest) - 1:
                            raise self._refuse(f"`{attribute.name}` has no key {step!r} in code")
                        return self.expr.object_add(inner, {step: after})
                    node = found[2]
                else:
                    raise self._explain(node, after)
            return self.expr.patch(node, before, after, json_mode=json_mode, unordered=unordered)
        if after is None or (
            not ctx.top and is_empty(after) and attribute.name not in ctx.schema.true_defaults
        ):
            if literal(attribute.expr) is NOT_LITERAL and not is_empty(before):
                raise self._explain(attribute.expr, after)
            return [self._delete(attribute.start, attribute.end)]
        if (
            attribute.name in ctx.schema.text_json_fields
            and isinstance(after, str)
            and literal(attribute.expr) != after
            and esc.jsonencode_text(parse_json(after)) != after
        ):
            # Compared as text by the provider: jsonencode(...) would not say this text.
            return [self.place.replace(attribute.expr, after)]
        return self.expr.patch(
            attribute.expr, before, after, json_mode=json_mode, unordered=unordered
        )

    # ------------------------------------------------------------------ nested blocks

    def _blocks(
        self,
        ctx: Ctx,
        name: str,
        statics: list[Block],
        schema: BlockSchema,
        rest: list[str | int],
        before: Any,
        after: Any,
    ) -> list[Edit]:
        if rest:
            index = rest[0]
            if not isinstance(index, int):
                raise self._refuse(f"`{name}` is a block; path step {index!r} is not an index")
            if index < len(statics):
                target = statics[index]
                inner = Ctx(target, schema, False, f"{ctx.path}{name}[{index}].")
                if rest[1:]:
                    return self._in_body(inner, rest[1:], before, after)
                return self._block_item(inner, before, after)
            if schema.is_set:
                raise self._refuse(
                    f"`{name}` blocks form a set; element {index} has no place in the code"
                )
            if index != len(statics):
                raise self._refuse(
                    f"the code has {len(statics)} `{name}` block(s), not {index + 1}"
                )
            value: Any = after
            for step in reversed(rest[1:]):
                if not isinstance(step, str):
                    raise self._refuse(f"cannot create `{name}` from the path")
                value = {step: value}
            if value is None or (
                isinstance(value, Mapping) and all(is_empty(v) for v in value.values())
            ):
                return []
            if not isinstance(value, Mapping):
                raise self._refuse(f"cannot create a `{name}` block from a non-object value")
            return [self._insert_block(ctx, name, schema, value)]
        items_after = after if isinstance(after, list) else ([] if after is None else None)
        items_before = before if isinstance(before, list) else []
        if items_after is None or not all(isinstance(i, Mapping) for i in items_after):
            raise self._refuse(
                f"`{name}` is a block, but the observed value is not a list of objects"
            )
        if schema.is_set:
            return self._block_set(ctx, name, statics, schema, items_before, items_after)
        edits: list[Edit] = []
        for index in range(max(len(statics), len(items_after))):
            if index < len(statics) and index < len(items_after):
                previous = items_before[index] if index < len(items_before) else None
                inner = Ctx(statics[index], schema, False, f"{ctx.path}{name}[{index}].")
                edits.extend(self._block_item(inner, previous, items_after[index]))
            elif index < len(items_after):
                edits.append(self._insert_block(ctx, name, schema, items_after[index]))
            else:
                edits.append(self._delete(statics[index].start, statics[index].end, True))
        return edits

    def _block_item(self, ctx: Ctx, before: Any, after: Any) -> list[Edit]:
        old = before if isinstance(before, Mapping) else {}
        new = after if isinstance(after, Mapping) else {}
        edits: list[Edit] = []
        for key in ordered_keys(ctx.schema, [*new, *old]):
            if (
                equivalent(
                    old.get(key),
                    new.get(key),
                    json_mode=key in ctx.schema.json_fields,
                    unordered=key in ctx.schema.set_fields,
                )
                and key in old
            ):
                continue
            if ctx.schema.fields and not ctx.schema.knows(key):
                continue  # computed inside the block (ids, arns)
            edits.extend(self._in_body(ctx, [key], old.get(key), new.get(key)))
        return edits

    def _block_set(
        self,
        ctx: Ctx,
        name: str,
        statics: list[Block],
        schema: BlockSchema,
        before: list[Any],
        after: list[Any],
    ) -> list[Edit]:
        """A set of blocks (``block_sets``): a removed item's code block is edited into the
        added item with its identity, or deleted; other added items become new blocks."""
        removed, added = set_difference(before, after, schema)
        pairs = pair_items(removed, added, schema)
        code = CodeSet(statics, schema)
        edits: list[Edit] = []
        for item in removed:
            partner = pairs.get(id(item))
            block = code.take(item)
            if block is None:
                opaque = code.opaque()
                if opaque is not None:
                    where = self.file.where(opaque.start)
                    raise self._refuse(
                        f"a `{name}` block removed by hand cannot be matched, because the "
                        f"`{name}` block at {where} uses expressions",
                        f"remove the `{name}` block for {summary(item)} by hand",
                        where,
                    )
                if partner is not None:
                    edits.append(self._insert_block(ctx, name, schema, partner))
                    added = [a for a in added if a is not partner]
                continue
            if partner is not None:
                inner = Ctx(block, schema, False, f"{ctx.path}{name}.")
                edits.extend(self._block_item(inner, item, partner))
                added = [a for a in added if a is not partner]
            else:
                edits.append(self._delete(block.start, block.end, True))
        for item in added:
            edits.append(self._insert_block(ctx, name, schema, item))
        return edits

    # ------------------------------------------------------------------ edit primitives

    def _delete(self, start: int, end: int, comments: bool = False) -> Edit:
        try:
            return self.place.delete(start, end, comments)
        except CannotPlace as exc:
            raise self._refuse(str(exc), "remove it by hand", exc.where) from None

    def _insert_attribute(self, ctx: Ctx, name: str, value: Any) -> Edit:
        return self.place.attribute(ctx.block, name, value, json=name in ctx.schema.json_fields)

    def _insert_block(
        self, ctx: Ctx, name: str, schema: BlockSchema, item: Mapping[str, Any]
    ) -> Edit:
        return self.place.block(ctx.block, render_block, name, schema, item)
