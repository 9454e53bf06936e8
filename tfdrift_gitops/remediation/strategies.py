"""The four remediations: import/modified, import/unmanaged, import/deleted and revert.

Each returns new file contents (never writes), after proving them: the spliced text re-parses,
its changed blocks are aligned (and ``terraform fmt``-ed when installed), and every value we
meant to write reads back from the final text. A failed proof is a refusal, never a patch.

``Strategies`` dispatches and holds the three that work on an existing block: import/modified
(through ``modify``), import/deleted and revert (with ``revert_pins``). import/unmanaged writes a
new block and is ``adopt``'s; the comments the strategies write are ``markers``'.
"""

from __future__ import annotations

import logging
import re
import shlex
from dataclasses import replace
from typing import Any

from tfdrift_gitops.core.paths import set_path, split_path
from tfdrift_gitops.errors import RemediationError
from tfdrift_gitops.models import Drift, Kind
from tfdrift_gitops.remediation import ids
from tfdrift_gitops.remediation.address import parse_address
from tfdrift_gitops.remediation.adopt import import_unmanaged
from tfdrift_gitops.remediation.explain import Explainer
from tfdrift_gitops.remediation.hcl_tree import Block, Lines, top_blocks, traversal
from tfdrift_gitops.remediation.instances import instance_problem, instanced, module_sharing_problem
from tfdrift_gitops.remediation.locate import Declared, Located, Workspace
from tfdrift_gitops.remediation.markers import MARKER, marker_text
from tfdrift_gitops.remediation.modify import ModifiedPatcher, named_arguments
from tfdrift_gitops.remediation.policy import RemediationSettings
from tfdrift_gitops.remediation.recovery import recovery_commands
from tfdrift_gitops.remediation.result import FileChange, Outcome, Refusal
from tfdrift_gitops.remediation.revert_pins import revert_pins
from tfdrift_gitops.remediation.schema import schema_for, written_anyway
from tfdrift_gitops.remediation.splice import (
    Edit,
    Tracked,
    check_line_endings,
    comment_lines_above,
    finish,
    line_end_after,
)
from tfdrift_gitops.remediation.verify import find_resource, reparsed, verify_change

log = logging.getLogger(__name__)


class Strategies:
    def __init__(
        self, workspace: Workspace, settings: RemediationSettings, use_terraform: bool = True
    ) -> None:
        self.ws = workspace
        self.settings = settings
        self.use_terraform = use_terraform and settings.terraform_fmt
        self.explainer = Explainer(workspace)

    # ------------------------------------------------------------------ dispatch

    def run(self, drift: Drift, strategy: str) -> Outcome:
        outcome = Outcome()
        try:
            if strategy == "import":
                if drift.kind is Kind.MODIFIED:
                    self.import_modified(drift, outcome)
                elif drift.kind is Kind.UNMANAGED:
                    import_unmanaged(
                        drift,
                        outcome,
                        self.ws,
                        self.settings.imports_file,
                        use_terraform=self.use_terraform,
                    )
                else:
                    self.import_deleted(drift, outcome)
            elif strategy == "revert":
                if drift.kind is Kind.UNMANAGED:
                    self.revert_unmanaged(drift, outcome)
                else:
                    self.revert(drift, outcome)
            else:
                raise RemediationError(f"unknown strategy {strategy!r} (import or revert)")
        except RemediationError as exc:
            outcome.changes.clear()
            outcome.refusals.append(Refusal(str(exc), _generic_action(strategy, drift.kind)))
        return outcome

    def _locate(self, drift: Drift) -> Located:
        located = self.ws.locate(drift.resource.address)
        if not located.file.writable:
            raise RemediationError(
                f"{drift.resource.address} is declared in {located.file.path}, which resolves "
                "outside the repository root; it is never written"
            )
        check_line_endings(located.file.text, located.file.rel)
        return located

    # ------------------------------------------------------------------ import / modified

    def import_modified(
        self, drift: Drift, outcome: Outcome, pin: frozenset[str] = frozenset()
    ) -> None:
        """``pin``: arguments (dotted block paths) written even when the value is the empty one
        an absent argument would mean (the provider keeps them when unset; see
        ``revert_pins``)."""
        located = self._locate(drift)
        if not drift.changes:
            outcome.refusals.append(
                Refusal(
                    f"the drift on {drift.resource.address} has no attribute changes: "
                    f"{drift.event.name} is not modelled attribute by attribute, so the new values "
                    "are unknown",
                    "run terraform plan to see what differs and import it by hand, or revert",
                    where=located.declared.where(),
                )
            )
            return
        schema = schema_for(located.address.type)
        if pin:
            schema = written_anyway(schema, pin)
        problem = instance_problem(located)
        # First pass on the file as it is: refusals and notes name its real line numbers.
        named = named_arguments(located.address.type, drift.event)
        survey = ModifiedPatcher(located, schema, self.explainer, problem, named)
        survey.plan(drift.changes)
        outcome.refusals.extend(survey.refusals)
        outcome.notes.extend(survey.notes)
        if not survey.planned:
            if not survey.refusals:
                outcome.notes.append(
                    f"the code of {drift.resource.address} already says the "
                    "observed values; nothing to change"
                )
            return
        # Second pass: one change at a time on a fresh parse, so edits never collide (two
        # changes inside one single-line block, say).
        source = located.file
        tracked = Tracked.start(source.text)
        current = located
        for planned in survey.planned:
            patcher = ModifiedPatcher(current, schema, self.explainer, problem, named)
            edits = patcher.plan([planned.change])
            if patcher.refusals:
                raise RemediationError(
                    f"internal error: `{planned.change.path}` could not be patched after the "
                    f"changes before it: {patcher.refusals[0]}"
                )
            tracked = tracked.apply(edits, source.rel)
            current = reparsed(current, tracked.text)
        tracked, tree = finish(source.text, tracked, source.rel, use_terraform=self.use_terraform)
        block = find_resource(tree, located.address.type, located.address.name)
        if block is None:
            raise RemediationError(
                f"internal error: {located.address} vanished from {source.rel} while patching"
            )
        for planned in survey.planned:
            problem_text = verify_change(
                block, planned.change.path, planned.change.before, planned.change.after, schema
            )
            if problem_text:
                raise RemediationError(
                    f"internal error: after patching, `{planned.change.path}` in {source.rel} "
                    f"does not read back as the observed value ({problem_text}); no patch is "
                    "offered"
                )
        outcome.changes.append(FileChange(source.rel, source.text, tracked.text, tracked.origin))
        outcome.expected_plan = {"address": drift.resource.address, "action": "no-op"}

    # ------------------------------------------------------------------ import / deleted

    def import_deleted(self, drift: Drift, outcome: Outcome) -> None:
        located = self._locate(drift)
        address = located.address
        where = located.declared.where()
        if address.key is not None or instanced(located.block):
            raise RemediationError(
                f"{address} is one instance of {address.config_address} ({where}), which uses "
                "count/for_each; a removed block cannot name a single instance. Remove this "
                "instance's key from the for_each collection (or lower count) and run "
                f"`terraform state rm {shlex.quote(str(address))}` once the code no longer "
                "declares it"
            )
        shared = module_sharing_problem(located)
        if shared is not None:
            raise RemediationError(f"{shared.reason} {shared.action}")
        source = located.file
        text, lines = source.text, source.lines
        block = located.block
        start = lines.line_start(block.start)
        end = line_end_after(text, lines, block.end)
        edits = [Edit(start, end, removed_block(address.local_address) + "\n")]
        edits.extend(
            Edit(s, e, "")
            for s, e, content in comment_lines_above(text, lines, block.start)
            if content.lstrip("#/ ").startswith(MARKER)
        )
        tracked = Tracked.start(text).apply(edits, source.rel)
        tracked, tree = finish(text, tracked, source.rel, use_terraform=self.use_terraform)
        if find_resource(tree, address.type, address.name) is not None:
            raise RemediationError(f"internal error: {address} still declared after removal")
        if not any(_removed_from(b) == address.local_address for b in top_blocks(tree)):
            raise RemediationError("internal error: the removed block did not read back")
        outcome.changes.append(FileChange(source.rel, text, tracked.text, tracked.origin))
        outcome.expected_plan = {"address": drift.resource.address, "action": "forget"}
        if recovery_commands(drift):
            outcome.notes.append(
                f"{address} is scheduled for deletion, not yet deleted: merging this accepts "
                "the deletion; to keep the resource, recover it in AWS instead (revert strategy "
                "lists the commands)"
            )
        refs = self._references(located)
        if refs:
            outcome.refusals.append(
                Refusal(
                    f"{address.local_address} is still referenced at {', '.join(refs)}; Terraform "
                    "will reject the code until those references are removed",
                    "remove or replace those references in the same pull request",
                    where=refs[0],
                )
            )

    def _references(self, located: Located) -> list[str]:
        needle = re.compile(
            r"(?<![\w.-])" + re.escape(located.address.local_address) + r"(?![\w-])"
        )
        found = []
        for source in located.module.files:
            for match in needle.finditer(source.text):
                if (
                    source is located.file
                    and located.block.start <= match.start() < located.block.end
                ):
                    continue
                found.append(source.where(match.start()))
        return found

    # ------------------------------------------------------------------ revert

    def revert(self, drift: Drift, outcome: Outcome) -> None:
        recovery = recovery_commands(drift)
        if recovery:
            outcome.cleanup.extend(recovery)
            outcome.refusals.append(
                Refusal(
                    f"{drift.resource.address} is scheduled for deletion, not yet deleted; "
                    "Terraform already treats it as gone, so applying the code would create a "
                    "new resource instead of bringing this one back",
                    "recover it in AWS with the commands below (no apply needed)",
                )
            )
            return
        try:
            located = self._locate(drift)
            declared, subject = located.declared, "the block"
        except RemediationError as exc:
            # A resource inside a remote module: the module call is the code that applies it.
            call = self._reachable_call(drift.resource.address)
            if call is None:
                raise
            declared, subject = call, f"module call `{call.block.labels[0]}`"
            outcome.notes.append(
                f"{drift.resource.address} cannot be marked where it is declared ({exc}); "
                f"marking the {subject} at {call.where()} instead"
            )
            located = None
        original = declared.file.text
        if located is not None and drift.kind is Kind.MODIFIED:
            pinned = self._pin_unset(drift, located, outcome)
            if pinned is None and outcome.refusals:
                return
            if pinned is not None:
                located = reparsed(located, pinned)
                declared = located.declared
        source = declared.file
        text, lines = source.text, source.lines
        block = declared.block
        marker = "# " + marker_text(drift)
        indent = lines.indent_at(block.start)
        existing = [
            (s, e, content)
            for s, e, content in comment_lines_above(text, lines, block.start)
            if content.lstrip("#/ ").startswith(MARKER)
        ]
        line_start = lines.line_start(block.start)
        if len(existing) == 1 and existing[0][1] == line_start and existing[0][2] == marker.strip():
            outcome.notes.append(f"{drift.resource.address} is already marked for this revert")
            return
        edits = [Edit(s, e, "") for s, e, _ in existing]
        edits.append(Edit(line_start, line_start, f"{indent}{marker}\n"))
        tracked = Tracked.start(text).apply(edits, source.rel)
        tracked, tree = finish(text, tracked, source.rel, use_terraform=self.use_terraform)
        final = tracked.text
        again = next(
            (b for b in top_blocks(tree) if b.type == block.type and b.labels == block.labels),
            None,
        )
        if again is None:
            raise RemediationError("internal error: the block vanished while marking it")
        above = comment_lines_above(final, Lines(final), again.start)
        if not above or above[-1][2] != marker.strip():
            raise RemediationError("internal error: the revert marker did not read back")
        origin = tracked.origin if text == original else None
        outcome.changes.append(FileChange(source.rel, original, final, origin))
        what = (
            "recreates the resource"
            if drift.kind is Kind.DELETED
            else "sets the values back to what the code says"
        )
        kept = "is unchanged but for the values pinned" if text != original else "is unchanged"
        outcome.notes.append(f"the code of {drift.resource.address} {kept}; applying it {what}")
        outcome.expected_plan = self._revert_plan(drift, outcome)
        if located is not None and (located.address.key is not None or instanced(block)):
            outcome.notes.append(
                f"{located.address.config_address} has several instances; the apply targets "
                f"{located.address}"
            )

    def _pin_unset(self, drift: Drift, located: Located, outcome: Outcome) -> str | None:
        """The file with the revert pins (``revert_pins``) written in through import/modified;
        None when nothing is pinned. Refusals (what no code can set back) go to ``outcome``."""
        pins = revert_pins(drift, located)
        outcome.refusals.extend(pins.refusals)
        if not pins.changes:
            return None
        pinned = Outcome()
        self.import_modified(replace(drift, changes=pins.changes), pinned, pins.written)
        if pinned.refusals or not pinned.changes:
            outcome.refusals.extend(pinned.refusals)
            return None
        outcome.notes.append(pins.note(drift.resource.address))
        return pinned.changes[0].new

    def _revert_plan(self, drift: Drift, outcome: Outcome) -> dict[str, Any]:
        """The plan a revert should give: ``create`` for a deleted resource, else the drifted
        arguments set back, by an update, or by a replacement when one of them cannot change
        in place (said in a note too: a replacement deletes the resource first)."""
        address = drift.resource.address
        if drift.kind is Kind.DELETED:
            return {"address": address, "action": "create"}
        schema = schema_for(drift.resource.type)
        refused = {str(split_path(r.path)[0]) for r in outcome.refusals if r.path}
        names = sorted(
            {
                name
                for change in drift.changes
                if isinstance(name := split_path(change.path)[0], str)
                and schema.classify(name) == "configurable"
                and name not in refused
            }
        )
        forced = [n for n in names if n in schema.forces_new]
        if not forced:
            return {"address": address, "action": "update", "arguments": names}
        listed = ", ".join(f"`{n}`" for n in forced)
        outcome.notes.append(
            f"the provider cannot change {listed} of {address} in place: applying the revert "
            "replaces the resource (Terraform destroys it, then creates it as the code says)"
        )
        return {
            "address": address,
            "action": "replace",
            "arguments": names,
            "replaced_because": forced,
        }

    def _reachable_call(self, address: str) -> Declared | None:
        """The module call whose source cannot be followed (remote, outside the repository)
        on the way to ``address``, when its own file may be edited; else None."""
        try:
            parsed = parse_address(address)
            module = self.ws.root_module()
        except RemediationError:
            return None
        for step in parsed.modules:
            call = module.module_calls.get(step.name)
            if call is None:
                return None
            try:
                module = self.ws.resolve_source(module, call)
            except RemediationError:
                editable = call.file.writable and "\r" not in call.file.text
                return call if editable else None
        return None

    def revert_unmanaged(self, drift: Drift, outcome: Outcome) -> None:
        schema = schema_for(drift.resource.type)
        attrs: dict[str, Any] = {}
        for change in drift.changes:
            if change.after is not None and isinstance(split_path(change.path)[0], str):
                set_path(attrs, change.path, change.after)
        import_id = ids.import_id_for(drift, schema, attrs)
        commands, notes = ids.cleanup_commands(drift, schema, import_id, attrs)
        outcome.cleanup.extend(commands)
        outcome.notes.append(
            f"{drift.resource.type} {import_id!r} was created outside Terraform; tfdrift-gitops "
            "never deletes resources itself. Review and run the command below to remove it"
        )
        outcome.notes.extend(notes)


# --------------------------------------------------------------------------- helpers


def _generic_action(strategy: str, kind: Kind) -> str:
    if kind is Kind.UNMANAGED:
        return "import or remove the resource by hand"
    if strategy == "import":
        return "import the change by hand, or choose --strategy revert"
    return "mark the block for a revert by hand, or apply the code as it is"


def removed_block(local_address: str) -> str:
    return f"removed {{\n  from = {local_address}\n\n  lifecycle {{\n    destroy = false\n  }}\n}}"


def _removed_from(block: Block) -> str | None:
    if block.type != "removed":
        return None
    attr = block.attribute("from")
    steps = traversal(attr.expr) if attr is not None else None
    return ".".join(str(s) for s in steps) if steps else None
