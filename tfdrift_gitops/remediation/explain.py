"""Why a value cannot be patched in place, and exactly what a person should change instead.

When the code computes a value (a variable, a local, a module output, a function call, a
reference to another resource), overwriting the expression with a literal would silently cut a
dependency. Instead we follow the expression to where its value is decided: a variable's
default, a ``.tfvars`` assignment, the input of the module call, the local's definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.errors import RemediationError, UnrepresentableValueError
from tfdrift_gitops.remediation.hcl_escape import render_value
from tfdrift_gitops.remediation.hcl_tree import (
    NOT_LITERAL,
    Node,
    core,
    function_args,
    function_name,
    literal,
    references,
    span,
    traversal,
)
from tfdrift_gitops.remediation.locate import (
    CallStep,
    Module,
    SourceFile,
    Workspace,
    auto_loaded,
)

MAX_SHOWN = 160
MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Explanation:
    reason: str
    action: str
    where: str = ""


def shown(value: Any) -> str:
    """The wanted value as HCL for a sentence (short, single line)."""
    try:
        text = render_value(value)
    except UnrepresentableValueError as exc:
        return f"the observed value (it has no exact HCL literal: {exc})"
    if "\n" in text or len(text) > MAX_SHOWN:
        return "the observed value shown in the drift record"
    return code_span(text)


def code_span(text: str) -> str:
    """Backticks around ``text`` that its own backticks cannot close (Markdown's rule: a
    longer fence, padded when the text starts or ends with a backtick)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def source_text(file: SourceFile, node: Node, limit: int = 80) -> str:
    start, end = span(node)
    text = " ".join(file.text[start:end].split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _steps_text(steps: list[str | int]) -> str:
    out = ""
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


class Explainer:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def expression(
        self,
        expr: Node,
        file: SourceFile,
        module: Module,
        calls: tuple[CallStep, ...],
        wanted: Any,
        depth: int = 0,
    ) -> Explanation:
        where = file.where(span(expr)[0])
        text = source_text(file, expr)
        want = shown(wanted)
        steps = traversal(expr)
        if steps is not None and len(steps) >= 2 and isinstance(steps[1], str):
            root = steps[0]
            if root == "var":
                return self._variable(steps[1], module, calls, wanted, where, depth)
            if root == "local":
                return self._local(steps[1], module, calls, wanted, where, depth)
            if root == "module":
                return self._module_output(steps, module, where, want)
            if root == "data":
                return Explanation(
                    f"the value is read from `{_steps_text(steps)}` (a data source) at {where}",
                    f"it cannot be set in this code; change the source the data source reads, "
                    f"or replace `{text}` with {want} if the value should be fixed",
                    where,
                )
            if root in ("each", "count"):
                return Explanation(
                    f"the value differs per instance (`{text}` at {where})",
                    f"set {want} for this instance in the collection the block's "
                    "count/for_each iterates over",
                    where,
                )
            if root in ("path", "terraform", "self"):
                return Explanation(
                    f"the value is computed by `{text}` at {where}",
                    f"replace the expression with {want} by hand if that is intended",
                    where,
                )
            resource = f"{steps[0]}.{steps[1]}"
            found = module.resources.get(resource)
            at = f" ({found.where()})" if found else ""
            return Explanation(
                f"the value is taken from `{_steps_text(steps)}`, an attribute of {resource}{at}",
                f"change {resource}'s configuration so that it yields {want}, or replace "
                f"`{text}` at {where} if the link should be cut",
                where,
            )
        name = function_name(expr)
        if name is not None:
            return self._function(name, expr, file, module, where, text, want)
        node = core(expr)
        refs = references(expr)
        names = list(dict.fromkeys(_steps_text(r) for r in refs))
        listed = ", ".join(f"`{n}`" for n in names[:5])
        kind = "template" if node.data == "string" else "expression"
        detail = f" using {listed}" if listed else ""
        return Explanation(
            f"the value is computed by the {kind} `{text}` at {where}{detail}",
            f"change the inputs of that {kind} (or the {kind} itself) so that it yields {want}",
            where,
        )

    # ------------------------------------------------------------------ variables

    def _variable(
        self,
        name: str,
        module: Module,
        calls: tuple[CallStep, ...],
        wanted: Any,
        where: str,
        depth: int,
    ) -> Explanation:
        want = shown(wanted)
        declared = module.variables.get(name)
        uses = self._uses(module, f"var.{name}")
        shared = (
            f" var.{name} is used {uses} times in {module.display}: all of them change."
            if uses > 1
            else ""
        )
        if calls:
            step = calls[-1]
            argument = step.call.block.attribute(name)
            call_where = step.call.where()
            if argument is not None:
                if literal(argument.expr) is not NOT_LITERAL:
                    arg_where = step.call.file.where(argument.start)
                    return Explanation(
                        f"the value comes from variable `{name}` of module `{step.name}`, set "
                        f"by the module call at {arg_where}",
                        f"change `{name} = ...` in the module call at {arg_where} to {want}."
                        + shared,
                        arg_where,
                    )
                if depth < MAX_DEPTH:
                    outer = self.expression(
                        argument.expr, step.call.file, step.caller, calls[:-1], wanted, depth + 1
                    )
                    return Explanation(
                        f"the value comes from variable `{name}` of module `{step.name}` "
                        f"(module call at {call_where}), and there: {outer.reason}",
                        outer.action + shared,
                        outer.where,
                    )
            default_where = self._default_where(declared)
            return Explanation(
                f"the value comes from variable `{name}` of module `{step.name}`; the module "
                f"call at {call_where} does not set it, so its default applies{default_where}",
                f"add `{name} = {_plain(want)}` to the module call at {call_where}" + shared,
                call_where,
            )
        # Root module: auto-loaded .tfvars (the last one wins), else the default. Other .tfvars
        # apply only when the pipeline passes them with -var-file.
        auto: list[str] = []
        optional: list[str] = []
        for source, attribute in self.ws.tfvars_assignments(name):
            (auto if auto_loaded(source) else optional).append(source.where(attribute.start))
        default_where = self._default_where(declared)
        also = ""
        if optional:
            also = (
                f" {', '.join(optional)} also set{'s' if len(optional) == 1 else ''} it, "
                "for runs that pass that file with -var-file."
            )
        if auto:
            effective = auto[-1]
            return Explanation(
                f"the value comes from variable `{name}`, assigned in {effective}{default_where}",
                f"change `{name}` in {effective} to {want} (-var, TF_VAR_{name} or a -var-file "
                "in the pipeline would override it)." + also + shared,
                effective,
            )
        if declared is not None and declared.block.attribute("default") is not None:
            default = declared.block.attribute("default")
            assert default is not None
            at = declared.file.where(default.start)
            return Explanation(
                f"the value comes from the default of variable `{name}` at {at}",
                f"change the default at {at} to {want}, or set it in terraform.tfvars "
                "(-var, TF_VAR_ or a -var-file in the pipeline would override both)."
                + also
                + shared,
                at,
            )
        at = declared.where() if declared else where
        return Explanation(
            f"the value comes from variable `{name}` ({at}), which has no default and no "
            "auto-loaded .tfvars assignment: it is set when Terraform runs (-var, -var-file or "
            f"TF_VAR_{name})",
            f"set variable `{name}` to {want} where the pipeline passes it." + also + shared,
            at,
        )

    def _default_where(self, declared: Any) -> str:
        if declared is None:
            return ""
        default = declared.block.attribute("default")
        if default is None:
            return f" (declared at {declared.where()}, no default)"
        return f" (default at {declared.file.where(default.start)})"

    def _uses(self, module: Module, needle: str) -> int:
        pattern = re.compile(re.escape(needle) + r"(?![\w-])")
        return sum(len(pattern.findall(f.text)) for f in module.files)

    # ------------------------------------------------------------------ locals, outputs

    def _local(
        self,
        name: str,
        module: Module,
        calls: tuple[CallStep, ...],
        wanted: Any,
        where: str,
        depth: int,
    ) -> Explanation:
        want = shown(wanted)
        found = module.locals.get(name)
        if found is None:
            return Explanation(
                f"the value comes from `local.{name}`, which is not defined in {module.display}",
                f"define local `{name}` or change the reference at {where}",
                where,
            )
        at = found.where()
        is_literal = literal(found.attribute.expr) is not NOT_LITERAL
        uses = self._uses(module, f"local.{name}")
        shared = f" local.{name} is used {uses} times: all of them change." if uses > 1 else ""
        if is_literal:
            return Explanation(
                f"the value comes from local `{name}` defined at {at}",
                f"change local `{name}` at {at} to {want}." + shared,
                at,
            )
        if depth < MAX_DEPTH:
            inner = self.expression(
                found.attribute.expr, found.file, module, calls, wanted, depth + 1
            )
            return Explanation(
                f"the value comes from local `{name}` ({at}), and there: {inner.reason}",
                inner.action + shared,
                inner.where,
            )
        return Explanation(
            f"the value comes from local `{name}` at {at}", f"change it to {want}", at
        )

    def _module_output(
        self, steps: list[str | int], module: Module, where: str, want: str
    ) -> Explanation:
        name = str(steps[1])
        output = str(steps[2]) if len(steps) > 2 else "?"
        call = module.module_calls.get(name)
        if call is None:
            return Explanation(
                f"the value comes from `module.{name}`, which is not called in {module.display}",
                f"fix the reference at {where}",
                where,
            )
        detail = ""
        try:
            child = self.ws.resolve_source(module, call)
            declared = child.outputs.get(output)
            if declared is not None:
                detail = f", declared at {declared.where()}"
        except RemediationError as exc:
            detail = f" ({exc})"
        return Explanation(
            f"the value comes from output `{output}` of module `{name}`{detail}",
            f"change the module (or its inputs in the call at {call.where()}) so that the "
            f"output yields {want}",
            where,
        )

    def _function(
        self,
        name: str,
        expr: Node,
        file: SourceFile,
        module: Module,
        where: str,
        text: str,
        want: str,
    ) -> Explanation:
        if name in ("file", "templatefile"):
            args = function_args(expr)
            target = _path_argument(args[0], file) if args else None
            if target:
                return Explanation(
                    f"the value is read from the file `{target}` by {name}() at {where}",
                    f"edit `{target}` (relative to {module.display}) so that it holds the "
                    f"observed value",
                    where,
                )
        return Explanation(
            f"the value is computed by the function call `{text}` at {where}",
            f"change the call's arguments so that it yields {want}, or replace it by hand",
            where,
        )


def _plain(text: str) -> str:
    """The text inside a code span made by ``code_span``."""
    stripped = text.strip("`")
    return stripped[1:-1] if stripped.startswith(" ") and stripped.endswith(" ") else stripped


def _path_argument(arg: Node, file: SourceFile) -> str | None:
    value = literal(arg)
    if isinstance(value, str):
        return value
    start, end = span(arg)
    raw = file.text[start:end]
    match = re.fullmatch(r'"\$\{path\.module\}/([^"$%\\]+)"', raw.strip())
    return match.group(1) if match else None
