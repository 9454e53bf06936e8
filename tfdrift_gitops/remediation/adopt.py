"""import / unmanaged: adopt a resource created outside Terraform.

The code gains a ``resource`` block with the arguments CloudTrail showed and an ``import`` block
naming the resource's id, in the imports file (``remediation.imports_file``: appended to, or
started with ``IMPORTS_HEADER``). Terraform then plans an import; what CloudTrail did not show,
the plan reports for a person to add. Both blocks are read back from the final text before the
change is offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.paths import set_path, split_path
from tfdrift_gitops.errors import RemediationError, UnrepresentableValueError
from tfdrift_gitops.models import Drift
from tfdrift_gitops.remediation import hcl_escape as esc
from tfdrift_gitops.remediation import ids
from tfdrift_gitops.remediation.blocks import GENERIC_BLOCK, render_block
from tfdrift_gitops.remediation.hcl_tree import Node, literal, top_blocks, traversal
from tfdrift_gitops.remediation.locate import Workspace
from tfdrift_gitops.remediation.markers import import_header
from tfdrift_gitops.remediation.result import FileChange, Outcome, Refusal
from tfdrift_gitops.remediation.schema import BlockSchema, ResourceSchema, is_redacted, schema_for
from tfdrift_gitops.remediation.splice import (
    Edit,
    Tracked,
    check_line_endings,
    finish,
    format_new_file,
    safe_target,
)
from tfdrift_gitops.remediation.verify import find_resource, verify_change

IMPORTS_HEADER = (
    "# Resources created outside Terraform, adopted by tfdrift-gitops.\n"
    "# Review each block, run terraform plan, and move it next to related code if you like.\n"
)


def import_unmanaged(
    drift: Drift, outcome: Outcome, ws: Workspace, imports_file: str, *, use_terraform: bool
) -> None:
    """A new resource block with the arguments ``drift`` showed, and its import block."""
    rtype = drift.resource.type
    schema = schema_for(rtype)
    if not schema.importable:
        raise RemediationError(
            f"tfdrift-gitops cannot write a {rtype} resource block (it does not know the "
            "type's import id format); import it by hand"
        )
    attrs = _unmanaged_attributes(drift, schema, outcome)
    import_id = ids.import_id_for(drift, schema, attrs)
    for key, value in ids.parse_import_id(schema.import_id, import_id).items():
        if key in schema.arguments and key not in attrs:
            attrs[key] = value
    if (
        schema.name_argument
        and schema.name_argument not in attrs
        and schema.import_id == f"{{{schema.name_argument}}}"
    ):
        attrs[schema.name_argument] = import_id
    if "security_group_id" in schema.arguments and "security_group_id" not in attrs:
        group = ids._request(drift.event, "groupId")
        if group:
            attrs["security_group_id"] = group
    root = ws.root_module()
    existing = _already_imported(root.other_blocks, rtype, import_id)
    if existing:
        raise RemediationError(f"{rtype} {import_id!r} already has an import block at {existing}")
    taken = {key.split(".", 1)[1] for key in root.resources if key.startswith(rtype + ".")}
    name = ids.resource_name(ids.name_seed(schema, import_id), taken)
    address = f"{rtype}.{name}"
    header = import_header(drift)
    body = render_block(
        f"resource {esc.quote_string(rtype)} {esc.quote_string(name)}",
        attrs,
        _resource_block_schema(schema),
        "",
    )
    text = (
        f"# {header}\n{body}\n\nimport {{\n  to = {address}\n"
        f"  id = {esc.quote_string(import_id)}\n}}\n"
    )
    target = safe_target(ws.workdir / imports_file, ws.root)
    rel = ws.rel(target)
    if target.exists():
        current = ws.read(target)
        check_line_endings(current.text, current.rel)
        separator = "" if current.text.endswith("\n") or not current.text else "\n"
        if current.text.strip():
            separator += "\n"
        end = len(current.text)
        tracked = Tracked.start(current.text).apply([Edit(end, end, separator + text)], rel)
        tracked, tree = finish(current.text, tracked, rel, use_terraform=use_terraform)
        change = FileChange(rel, current.text, tracked.text, tracked.origin)
    else:
        final, tree = format_new_file(
            IMPORTS_HEADER + "\n" + text, rel, use_terraform=use_terraform
        )
        change = FileChange(rel, None, final)
    _verify_unmanaged(tree, rtype, name, address, import_id, attrs, schema)
    outcome.changes.append(change)
    outcome.expected_plan = {"address": address, "action": "import", "import_id": import_id}
    outcome.notes.append(
        f"{address} is a new block with the {len(attrs)} argument(s) CloudTrail showed; "
        "run terraform plan after merging the import and add what the plan reports"
    )


def _unmanaged_attributes(drift: Drift, schema: ResourceSchema, outcome: Outcome) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for change in drift.changes:
        parts = split_path(change.path)
        if not parts or not isinstance(parts[0], str) or change.after is None:
            continue
        if parts[0] in schema.aliases:
            continue  # its primary argument carries the value (schema_hand.ALIASES)
        kind = schema.classify(parts[0])
        if kind != "configurable":
            if kind in ("sensitive", "unknown"):
                outcome.notes.append(f"`{change.path}` was not written ({kind} argument)")
            continue
        if is_redacted(change.after):
            outcome.notes.append(f"`{change.path}` is hidden (a secret); set it by hand")
            continue
        try:
            esc.render_value(change.after)
        except UnrepresentableValueError as exc:
            outcome.refusals.append(
                Refusal(f"cannot write the observed value: {exc}", "set it by hand", change.path)
            )
            continue
        set_path(attrs, change.path, change.after)
    return attrs


def _already_imported(blocks: list[Any], rtype: str, import_id: str) -> str | None:
    for declared in blocks:
        block = declared.block
        if block.type != "import":
            continue
        to = block.attribute("to")
        id_attr = block.attribute("id")
        steps = traversal(to.expr) if to is not None else None
        if (
            steps
            and steps[0] == rtype
            and id_attr is not None
            and literal(id_attr.expr) == import_id
        ):
            return str(declared.where())
    return None


def _verify_unmanaged(
    tree: Node,
    rtype: str,
    name: str,
    address: str,
    import_id: str,
    attrs: Mapping[str, Any],
    schema: ResourceSchema,
) -> None:
    block = find_resource(tree, rtype, name)
    if block is None:
        raise RemediationError(f"internal error: {address} did not read back")
    for key, value in attrs.items():
        problem = verify_change(block, key, None, value, schema)
        if problem:
            raise RemediationError(
                f"internal error: `{key}` of {address} reads back wrong ({problem})"
            )
    for candidate in top_blocks(tree):
        if candidate.type != "import":
            continue
        to = candidate.attribute("to")
        id_attr = candidate.attribute("id")
        if (
            to is not None
            and traversal(to.expr) == [rtype, name]
            and id_attr is not None
            and literal(id_attr.expr) == import_id
        ):
            return
    raise RemediationError(f"internal error: the import block for {address} did not read back")


def _resource_block_schema(schema: ResourceSchema) -> BlockSchema:
    return schema.as_block() if schema.arguments else GENERIC_BLOCK
