"""RDS beyond instances and clusters: snapshot sharing, parameter groups and subnet groups.

Choices worth knowing:
- ``ModifyDBSnapshotAttribute`` / ``ModifyDBClusterSnapshotAttribute`` with ``attributeName:
  restore`` add or remove the accounts a snapshot is shared with (``shared_accounts``). Sharing
  with ``all`` makes the snapshot public: critical, like EBS snapshot and AMI sharing; sharing
  with another account is high.
- Parameter groups: the provider reads every parameter whose source is ``user``, so a
  parameter set by hand appears in ``parameter`` (a set of blocks keyed by name). ``Modify``
  sets the named parameters; ``Reset`` removes the named ones, or all of them.
- ``Create`` reports a parameter group Terraform does not manage (its name, family and
  description: what an import block needs); the parameters set on it later come as
  ``Modify`` calls.
- Turning TLS enforcement off (``rds.force_ssl`` 0, ``require_secure_transport`` OFF) is high.
- Identifiers are compared lower-case, as RDS stores them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog.model import (
    Action,
    AddItems,
    Compared,
    Comparer,
    Effect,
    Extractor,
    RemoveItems,
    Rule,
    SeverityCheck,
    Target,
    as_set,
    mapped,
    req,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.presence import event_account
from tfdrift_gitops.core.catalog.support import (
    optional_text,
    request_is,
    string_list,
    tag_pairs,
    text,
    with_fallback,
)
from tfdrift_gitops.core.paths import MISSING, get_path, items, lookup, set_path
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "rds.amazonaws.com"
SNAPSHOT = "aws_db_snapshot"
CLUSTER_SNAPSHOT = "aws_db_cluster_snapshot"
PARAMETER_GROUP = "aws_db_parameter_group"
CLUSTER_PARAMETER_GROUP = "aws_rds_cluster_parameter_group"
SUBNET_GROUP = "aws_db_subnet_group"
CREATED_TAGS = SetAttr("tags", tag_pairs(req("tags")), tags_map)
"""The tags a create call sends (an import block without them would plan their change)."""


def _lower(path: str) -> Extractor:
    return mapped(text(path), lambda v: v.strip().lower() or MISSING)


def _restore(field: str) -> Extractor:
    """Accounts added or removed, for the ``restore`` attribute only."""

    def extract(event: CloudEvent) -> Any:
        if not request_is("attributeName", "restore")(event):
            return MISSING
        return string_list(req(field))(event)

    return extract


# --------------------------------------------------------------------------- severity


def _sharing(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    added = _restore("valuesToAdd")(event)
    if not isinstance(added, list):
        return None
    if "all" in (a.lower() for a in added):
        return Severity.CRITICAL, "snapshot shared with 'all': anyone can restore it"
    own = event_account(event)
    foreign = [a for a in added if a != own]
    if foreign:
        return Severity.HIGH, f"snapshot shared with another account ({', '.join(foreign)})"
    return None


_TLS_OFF = {"rds.force_ssl": "0", "require_secure_transport": "off"}


def _tls_off(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    for item in items(req("parameters")(event)):
        name = lookup(item, "parameterName")
        value = lookup(item, "parameterValue")
        if isinstance(name, str) and _TLS_OFF.get(name.lower()) == str(value).strip().lower():
            return Severity.HIGH, f"{name} set to {value}: TLS no longer required"
    return None


# --------------------------------------------------------------------------- parameters


def _parameters(event: CloudEvent) -> list[dict[str, str]]:
    out = []
    for item in items(req("parameters")(event)):
        name = lookup(item, "parameterName")
        if not isinstance(name, str) or not name:
            continue
        value = lookup(item, "parameterValue")
        method = lookup(item, "applyMethod")
        out.append(
            {
                "name": name,
                "value": "" if value is MISSING or value is None else str(value),
                "apply_method": str(method) if isinstance(method, str) else "immediate",
            }
        )
    return out


def _parameters_compare(value: Any) -> Any:
    """Parameters by name and value (the apply method is how, not what)."""
    if not isinstance(value, list):
        return frozenset()
    return frozenset(
        (str(p.get("name", "")).lower(), str(p.get("value", "")))
        for p in value
        if isinstance(p, Mapping)
    )


@dataclass(frozen=True, slots=True)
class Parameters(Compared):
    """``Modify``: set the named parameters; ``Reset``: drop them (or all of them)."""

    path: str
    reset: bool = False
    comparer: Comparer = _parameters_compare

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        current = get_path(attrs, self.path)
        present = [dict(p) for p in current if isinstance(p, Mapping)] if current else []
        named = _parameters(event)
        if self.reset and request_is("resetAllParameters", True)(event):
            set_path(attrs, self.path, [])
            return True
        if not named:
            return False
        names = {p["name"].lower() for p in named}
        kept = [p for p in present if str(p.get("name", "")).lower() not in names]
        set_path(attrs, self.path, kept if self.reset else [*kept, *named])
        return True


def _group_rules(kind: str, rtype: str, field: str) -> tuple[Rule, Rule, Rule, Rule]:
    """Modify, Reset, Delete and Create for a DB (``kind`` ``DB``) or cluster (``DBCluster``)
    parameter group: the calls differ only in the group's name field and type."""
    name = _lower(field)
    checks: tuple[SeverityCheck, ...] = (_tls_off,)
    return (
        Rule(
            f"Modify{kind}ParameterGroup",
            SOURCE,
            Action.MODIFY,
            with_fallback(Target(rtype, "id", name, (Parameters("parameter"),))),
            severity=Severity.MEDIUM,
            description="parameter group changed outside Terraform",
            severity_checks=checks,
        ),
        Rule(
            f"Reset{kind}ParameterGroup",
            SOURCE,
            Action.MODIFY,
            (Target(rtype, "id", name, (Parameters("parameter", reset=True),)),),
            severity=Severity.MEDIUM,
            description="parameter group reset to defaults",
        ),
        Rule(
            f"Delete{kind}ParameterGroup",
            SOURCE,
            Action.DELETE,
            (Target(rtype, "id", name),),
            severity=Severity.MEDIUM,
            description="parameter group deleted",
        ),
        Rule(
            f"Create{kind}ParameterGroup",
            SOURCE,
            Action.CREATE,
            (
                Target(
                    rtype,
                    "id",
                    name,
                    (
                        SetAttr("name", name),
                        SetAttr("family", text("dBParameterGroupFamily")),
                        SetAttr("description", text("description"), optional_text),
                        CREATED_TAGS,
                    ),
                    import_id=name,
                ),
            ),
            severity=Severity.MEDIUM,
            description="parameter group created outside Terraform",
        ),
    )


def _sharing_rule(event: str, rtype: str, field: str) -> Rule:
    return Rule(
        event,
        SOURCE,
        Action.MODIFY,
        (
            Target(
                rtype,
                "id",
                _lower(field),
                (
                    AddItems("shared_accounts", _restore("valuesToAdd"), as_set),
                    RemoveItems("shared_accounts", _restore("valuesToRemove"), as_set),
                ),
            ),
        ),
        severity=Severity.MEDIUM,
        description="snapshot sharing changed",
        severity_checks=(_sharing,),
    )


SUBNET_EFFECTS: tuple[Effect, ...] = (
    SetAttr("subnet_ids", string_list(req("subnetIds")), as_set),
    SetAttr("description", text("dBSubnetGroupDescription"), optional_text),
)

RULES: tuple[Rule, ...] = (
    _sharing_rule("ModifyDBSnapshotAttribute", SNAPSHOT, "dBSnapshotIdentifier"),
    _sharing_rule(
        "ModifyDBClusterSnapshotAttribute", CLUSTER_SNAPSHOT, "dBClusterSnapshotIdentifier"
    ),
    Rule(
        "DeleteDBSnapshot",
        SOURCE,
        Action.DELETE,
        (Target(SNAPSHOT, "id", _lower("dBSnapshotIdentifier")),),
        severity=Severity.MEDIUM,
        description="snapshot deleted",
    ),
    Rule(
        "DeleteDBClusterSnapshot",
        SOURCE,
        Action.DELETE,
        (Target(CLUSTER_SNAPSHOT, "id", _lower("dBClusterSnapshotIdentifier")),),
        severity=Severity.MEDIUM,
        description="cluster snapshot deleted",
    ),
    *_group_rules("DB", PARAMETER_GROUP, "dBParameterGroupName"),
    *_group_rules("DBCluster", CLUSTER_PARAMETER_GROUP, "dBClusterParameterGroupName"),
    Rule(
        "ModifyDBSubnetGroup",
        SOURCE,
        Action.MODIFY,
        with_fallback(Target(SUBNET_GROUP, "id", _lower("dBSubnetGroupName"), SUBNET_EFFECTS)),
        severity=Severity.MEDIUM,
        description="subnet group changed: instances may move to other subnets",
    ),
    Rule(
        "DeleteDBSubnetGroup",
        SOURCE,
        Action.DELETE,
        (Target(SUBNET_GROUP, "id", _lower("dBSubnetGroupName")),),
        severity=Severity.MEDIUM,
        description="subnet group deleted",
    ),
)
