"""When one block stands for many instances, a value written into it reaches them all.

``count``/``for_each`` resources, module calls with ``count``/``for_each``, and a module directory
used by several calls all share code between instances; a drift on one instance cannot be
imported by writing a literal there. A single instance (``count = 1``, a one-element
``for_each``) is safe.
"""

from __future__ import annotations

from tfdrift_gitops.remediation.hcl_tree import (
    NOT_LITERAL,
    Block,
    core,
    function_args,
    function_name,
    literal,
)
from tfdrift_gitops.remediation.locate import Located
from tfdrift_gitops.remediation.result import Refusal


def instanced(block: Block) -> bool:
    return block.attribute("count") is not None or block.attribute("for_each") is not None


def single_instance(block: Block) -> bool:
    count = block.attribute("count")
    if count is not None:
        return bool(literal(count.expr) == 1)
    for_each = block.attribute("for_each")
    if for_each is None:
        return True
    node = core(for_each.expr)
    value = literal(node)
    if value is NOT_LITERAL and function_name(node) == "toset":
        args = function_args(node)
        value = literal(args[0]) if len(args) == 1 else NOT_LITERAL
    return isinstance(value, dict | list) and len(value) == 1


def module_sharing_problem(located: Located) -> Refusal | None:
    for step in located.calls:
        if instanced(step.call.block) and not single_instance(step.call.block):
            where = step.call.where()
            return Refusal(
                f"module `{step.name}` ({where}) uses count/for_each, so its code is shared by "
                "every instance of the module",
                f"add an input variable to the module for this value and set it per instance "
                f"in the module call at {where}",
                where=where,
            )
    callers = located.callers_of_module
    if len(callers) > 1:
        return Refusal(
            f"{located.module.display} is used by {', '.join(callers)}; editing it changes all "
            "of them",
            f"add an input variable to {located.module.display} for this value and set it only "
            f"in the call for {located.address.module_path or 'the root module'}",
            where=located.declared.where(),
        )
    return None


def instance_problem(located: Located) -> Refusal | None:
    """Why code in this block cannot take a value for one instance only, if it cannot."""
    block = located.block
    if instanced(block) and not single_instance(block):
        meta = "count" if block.attribute("count") is not None else "for_each"
        where = located.declared.where()
        return Refusal(
            f"{located.address.config_address} uses {meta} ({where}) and the drift changed only "
            f"{located.address}; writing the value into the shared block would change every "
            "instance",
            "make the attribute vary per instance (for example a map keyed by each.key, or a "
            "list indexed by count.index) and set this instance's value there, or revert the "
            "drift",
            where=where,
        )
    return module_sharing_problem(located)
