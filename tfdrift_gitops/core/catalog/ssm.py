"""SSM Parameter Store: parameters (``aws_ssm_parameter``).

Choices worth knowing:
- ``PutParameter`` never shows the value (CloudTrail writes a placeholder): the value change
  is a hidden change, as with Lambda environment values (``hidden.HiddenValue``). It is always
  reported, and no later call can prove it undone. Remediation never writes the placeholder:
  an import refuses with the reason.
- ``PutParameter`` creates or overwrites: a parameter state does not have is unmanaged, one it
  has is modified (the other arguments the call names are compared as usual).
- ``DeleteParameters`` names several parameters: each one lands.
- Tags arrive through ``AddTagsToResource``/``RemoveTagsFromResource`` with
  ``resourceType: Parameter``; other resource types are not parameters.
"""

from __future__ import annotations

from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.hidden import HiddenValue
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    id_list,
    req,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.presence import absent, upsert_targets
from tfdrift_gitops.core.catalog.support import (
    optional_text,
    request_is,
    string_list,
    tag_pairs,
    text,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "ssm.amazonaws.com"
PARAMETER = "aws_ssm_parameter"

NAME: Extractor = text("name")
VALUE: Extractor = req("value")


def _tagged(event: CloudEvent) -> Any:
    if not request_is("resourceType", "Parameter")(event):
        return MISSING
    return text("resourceId")(event)


keys.note(_tagged, (frozenset({"resourceid"}), frozenset()))


PUT_EFFECTS: tuple[Effect, ...] = (
    SetAttr("name", NAME),
    SetAttr("type", text("type")),
    SetAttr("description", text("description"), optional_text),
    SetAttr("tier", text("tier"), optional_text),
    SetAttr("key_id", text("keyId"), optional_text),
    SetAttr("allowed_pattern", text("allowedPattern"), optional_text),
    SetAttr("data_type", text("dataType"), optional_text),
    HiddenValue("value", VALUE),
)


def _put_targets() -> tuple[Target, ...]:
    return (
        *upsert_targets(PARAMETER, "name", NAME, PUT_EFFECTS, import_id=NAME),
        Target(
            PARAMETER,
            "name",
            NAME,
            PUT_EFFECTS,
            action=Action.CREATE,
            guard=absent(PARAMETER, "name", NAME),
            import_id=NAME,
        ),
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "PutParameter",
        SOURCE,
        Action.MODIFY,
        _put_targets(),
        severity=Severity.MEDIUM,
        description="parameter value set outside Terraform (the value is not logged)",
    ),
    Rule(
        "DeleteParameter",
        SOURCE,
        Action.DELETE,
        (Target(PARAMETER, "name", NAME),),
        severity=Severity.HIGH,
        description="parameter deleted",
    ),
    Rule(
        "DeleteParameters",
        SOURCE,
        Action.DELETE,
        (Target(PARAMETER, "name", id_list(req("names"))),),
        severity=Severity.HIGH,
        description="parameters deleted",
    ),
    Rule(
        "AddTagsToResource",
        SOURCE,
        Action.MODIFY,
        (Target(PARAMETER, "name", _tagged, (MergeTags("tags", tag_pairs(req("tags"))),)),),
        severity=Severity.LOW,
        description="parameter tags added",
    ),
    Rule(
        "RemoveTagsFromResource",
        SOURCE,
        Action.MODIFY,
        (Target(PARAMETER, "name", _tagged, (DropTags("tags", string_list(req("tagKeys"))),)),),
        severity=Severity.LOW,
        description="parameter tags removed",
    ),
)
