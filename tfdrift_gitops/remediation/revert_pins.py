"""Revert pins: the pre-drift values a revert writes for drifted arguments the code leaves unset.

A revert marks the block so that the pipeline applies the code back. For an argument the code
leaves unset, the provider keeps the remote value: optional+computed arguments such as
``enable_dns_hostnames``, blocks such as ``ttl`` or ``metadata_options``, arguments whose
difference it suppresses when unset such as an EventBridge rule's ``state``. Applying the code
alone would then keep the manual value, so the value from before the drift is pinned: written
into the block (by import/modified, ``Strategies._pin_unset``). A block is rebuilt from the
drift's old values. Inside blocks the code does write, an optional+computed argument it leaves
unset is pinned the same way (``restrictions[0].geo_restriction[0].locations``), along chains
of one-item blocks. What no code can say is refused instead of pinned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core import provider_schema
from tfdrift_gitops.core.paths import set_path, split_path
from tfdrift_gitops.models import Change, Drift
from tfdrift_gitops.remediation.locate import Located
from tfdrift_gitops.remediation.result import Refusal
from tfdrift_gitops.remediation.schema import BlockSchema, schema_for


@dataclass(frozen=True, slots=True)
class Pins:
    changes: tuple[Change, ...]
    """One change per pinned argument, from the observed value back to the old one."""
    written: frozenset[str]
    """Dotted block paths written even when empty (``schema.written_anyway``): an empty old
    value is still the value to set back, where leaving it out would keep the remote one."""
    refusals: tuple[Refusal, ...]
    """The drifted arguments no code can set back."""

    def note(self, address: str) -> str:
        listed = ", ".join(f"`{c.path}`" for c in self.changes)
        return (
            f"{listed} of {address} is not in the code and the provider keeps "
            "the remote value when it is unset, so applying the code alone would keep the "
            "manual value: the value from before the drift is written into the block"
        )


def revert_pins(drift: Drift, located: Located) -> Pins:
    """The pins for the drifted arguments ``located.block`` leaves unset. An argument whose
    old value is "" cannot be pinned (the provider reads an empty optional+computed string as
    unset): that part of the revert is refused."""
    rtype = located.address.type
    schema = schema_for(rtype)
    block = located.block
    present = {a.name for a in block.attributes()} | {b.type for b in block.blocks()}
    present |= {str(b.labels[0]) for b in block.blocks("dynamic") if b.labels}
    drifted = {str(split_path(c.path)[0]) for c in drift.changes}
    grouped: dict[str, list[Change]] = {}
    lost: list[str] = []
    for change in drift.changes:
        name = split_path(change.path)[0]
        if not isinstance(name, str) or name in present or schema.classify(name) != "configurable":
            continue
        other = schema.alias_in_code(name, present)
        if other is None:
            grouped.setdefault(name, []).append(change)
        elif other in present and other not in drifted and name not in lost:
            # The code says it through the other argument, which did not move: Terraform
            # sees no difference there, and writing this one would conflict with it.
            lost.append(name)
    pins: list[Change] = []
    written: set[str] = set()
    refusals: list[Refusal] = []
    for name, changes in grouped.items():
        if (nested := schema.blocks.get(name)) is not None:
            if not nested.at_most_one:
                # A set of blocks (a security group's ingress) may be managed by separate
                # resources too (aws_vpc_security_group_ingress_rule): writing the old
                # items inline would fight them, so only the marker is written.
                continue
            found = _block_before(nested, name, changes)
            if isinstance(found, str):
                refusals.append(
                    Refusal(
                        found,
                        f"write the `{name}` block by hand, or undo the change in AWS",
                        name,
                        located.declared.where(),
                    )
                )
            elif found is not None:
                value, leaves = found
                pins.append(Change(name, before=[], after=value))
                written |= {f"{name}.{leaf}" for leaf in leaves}
            continue
        whole = next((c for c in changes if c.path == name), None)
        if whole is None or whole.before is None:
            continue
        if whole.before == "":
            # The legacy SDK reads "" as unset: for an optional+computed string that keeps
            # the remote value (IGW vpc_id = "" planned no change). An empty list or map
            # is a value it sets (managed_policy_arns = [] detaches every policy).
            argument = provider_schema.top_level(rtype).get(name)
            if argument is not None and argument.computed:
                lost.append(name)
            continue  # absent already means the empty value
        pins.append(Change(name, before=whole.after, after=whole.before))
        written.add(name)
    for pin in _nested_pins(drift, located):
        pins.append(pin)
        written.add(".".join(str(p) for p in split_path(pin.path) if isinstance(p, str)))
    for name in lost:
        other = schema.alias_in_code(name, present)
        why = (
            f"the code says it as `{other}` (the two conflict in configuration), which "
            "Terraform reads as unchanged, so applying the code changes nothing"
            if other is not None
            else 'it was "" before the drift, and the provider reads an empty string '
            "in an optional, computed argument as unset (it keeps what AWS has)"
        )
        refusals.append(
            Refusal(
                f"`{name}` of {drift.resource.address} cannot be set back by the code: {why}",
                f"undo the {drift.event.name} call in AWS by hand",
                name,
                located.declared.where(),
            )
        )
    return Pins(tuple(pins), frozenset(written), tuple(refusals))


def _block_before(
    nested: BlockSchema, name: str, changes: list[Change]
) -> tuple[list[Any], set[str]] | str | None:
    """The ``name`` block as it was before the drift, from the drift's old values (the whole
    block, or the fields the drift changed), with the dotted paths of the fields to write; a
    reason when the old block cannot be written (a required field the drift does not know);
    None when there was no block before."""
    whole = next((c for c in changes if c.path == name), None)
    if whole is not None:
        if not isinstance(whole.before, list) or not whole.before:
            return None
        items = [i for i in whole.before if isinstance(i, dict)]
        leaves = {k for item in items for k, v in item.items() if not _unset(v)}
        return items, leaves
    holder: dict[str, Any] = {}
    leaves = set()
    for change in changes:
        parts = split_path(change.path)
        if len(parts) < 3 or parts[1] != 0 or _unset(change.before):
            continue
        set_path(holder, change.path, change.before)
        leaves.add(".".join(str(p) for p in parts[2:] if isinstance(p, str)))
    value = holder.get(name)
    if not isinstance(value, list) or not value or not isinstance(value[0], dict):
        return None
    missing = sorted(nested.required - set(value[0]))
    if missing:
        return (
            f"the `{name}` block is not in the code, and the drift does not say its required "
            f"{', '.join(f'`{m}`' for m in missing)} from before the change, so it cannot be "
            "written back"
        )
    return value[:1], leaves


def _nested_pins(drift: Drift, located: Located) -> list[Change]:
    """Pins inside blocks the code writes: a drifted argument of a one-item block chain
    (``restrictions[0].geo_restriction[0].locations``) that the code's innermost block leaves
    unset, where the provider keeps the remote value (optional and computed)."""
    raw = provider_schema.block_of(located.address.type)
    if raw is None:
        return []
    pins: list[Change] = []
    for change in drift.changes:
        parts = split_path(change.path)
        names, indexes = parts[0::2], parts[1::2]
        if len(parts) < 3 or len(parts) % 2 == 0 or any(i != 0 for i in indexes):
            continue
        if _unset(change.before):  # nothing to write back ("" reads as unset)
            continue
        block, spec = located.block, raw
        for name in names[:-1]:
            nested = (spec.get("block_types") or {}).get(str(name))
            found = block.blocks(str(name))
            if not isinstance(nested, dict) or nested.get("max_items") != 1 or len(found) != 1:
                break
            block, spec = found[0], nested.get("block") or {}
        else:
            leaf = str(names[-1])
            argument = (spec.get("attributes") or {}).get(leaf)
            if (
                isinstance(argument, dict)
                and argument.get("optional")
                and argument.get("computed")
                and block.attribute(leaf) is None
            ):
                pins.append(Change(change.path, before=change.after, after=change.before))
    return pins


def _unset(value: Any) -> bool:
    """None or "": what an absent optional field means (false and 0 are values to write)."""
    return value is None or value == ""
