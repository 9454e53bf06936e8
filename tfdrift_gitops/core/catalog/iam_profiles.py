"""IAM instance profiles (``aws_iam_instance_profile``), named by profile name (its id and
import id). A profile holds at most one role; adding one gives every instance using the
profile that role's permissions."""

from __future__ import annotations

from tfdrift_gitops.core.catalog.model import Action, Extractor, Rule, Target, const, req, tags_map
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import optional_text, tag_pairs, text
from tfdrift_gitops.models import Severity

SOURCE = "iam.amazonaws.com"
PROFILE = "aws_iam_instance_profile"
NAME: Extractor = text("instanceProfileName")

RULES: tuple[Rule, ...] = (
    Rule(
        "CreateInstanceProfile",
        SOURCE,
        Action.CREATE,
        (
            Target(
                PROFILE,
                "name",
                NAME,
                (
                    SetAttr("name", NAME, optional_text),
                    SetAttr("path", text("path"), optional_text),
                    SetAttr("tags", tag_pairs(req("tags")), tags_map),
                ),
                import_id=NAME,
            ),
        ),
        severity=Severity.LOW,
        description="instance profile created outside Terraform",
    ),
    Rule(
        "DeleteInstanceProfile",
        SOURCE,
        Action.DELETE,
        (Target(PROFILE, "name", NAME),),
        severity=Severity.MEDIUM,
        description="instance profile deleted",
    ),
    Rule(
        "AddRoleToInstanceProfile",
        SOURCE,
        Action.MODIFY,
        (Target(PROFILE, "name", NAME, (SetAttr("role", text("roleName"), optional_text),)),),
        severity=Severity.HIGH,
        description="role added to an instance profile: its instances now act as that role",
    ),
    Rule(
        "RemoveRoleFromInstanceProfile",
        SOURCE,
        Action.MODIFY,
        (Target(PROFILE, "name", NAME, (SetAttr("role", const(""), optional_text),)),),
        severity=Severity.MEDIUM,
        description="role removed from an instance profile",
    ),
)
