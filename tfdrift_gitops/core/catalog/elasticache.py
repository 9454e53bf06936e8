"""ElastiCache replication groups (``aws_elasticache_replication_group``), by their id.

``authToken`` is never logged (a hidden change, like a parameter value: reported, never written
into code). Losing automatic failover, multi-AZ, snapshots or in-transit encryption is high.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.catalog.hidden import HiddenValue
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    as_set,
    mapped,
    req,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    boolean,
    integer,
    lowered,
    optional_text,
    request_is,
    string_list,
    text,
    with_fallback,
)
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "elasticache.amazonaws.com"
GROUP = "aws_elasticache_replication_group"

GROUP_ID: Extractor = mapped(text("replicationGroupId"), lambda v: v.strip().lower())

EFFECTS: tuple[Effect, ...] = (
    SetAttr("description", text("replicationGroupDescription"), optional_text),
    SetAttr("automatic_failover_enabled", boolean("automaticFailoverEnabled")),
    SetAttr("multi_az_enabled", boolean("multiAZEnabled")),
    SetAttr("snapshot_retention_limit", integer("snapshotRetentionLimit")),
    SetAttr("snapshot_window", text("snapshotWindow"), optional_text),
    SetAttr("maintenance_window", text("preferredMaintenanceWindow"), lowered),
    SetAttr("node_type", text("cacheNodeType"), optional_text),
    SetAttr("engine_version", text("engineVersion"), optional_text),
    SetAttr("parameter_group_name", text("cacheParameterGroupName"), optional_text),
    SetAttr("notification_topic_arn", text("notificationTopicArn"), optional_text),
    SetAttr("security_group_ids", string_list(req("securityGroupIds")), as_set),
    SetAttr("transit_encryption_enabled", boolean("transitEncryptionEnabled")),
    SetAttr("transit_encryption_mode", text("transitEncryptionMode"), optional_text),
    SetAttr(
        "auto_minor_version_upgrade",
        mapped(req("autoMinorVersionUpgrade"), lambda v: str(v).lower()),
    ),
    HiddenValue("auth_token", req("authToken")),
)

_WEAKER = (
    ("automaticFailoverEnabled", False, "automatic failover turned off"),
    ("multiAZEnabled", False, "multi-AZ turned off"),
    ("snapshotRetentionLimit", 0, "snapshotRetentionLimit 0: no automatic backups"),
    ("transitEncryptionEnabled", False, "in-transit encryption turned off"),
)


def _weaker(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    for field, value, why in _WEAKER:
        if request_is(field, value)(event):
            return Severity.HIGH, why
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "ModifyReplicationGroup",
        SOURCE,
        Action.MODIFY,
        with_fallback(Target(GROUP, "id", GROUP_ID, EFFECTS)),
        severity=Severity.MEDIUM,
        description="replication group changed outside Terraform",
        severity_checks=(_weaker,),
    ),
    Rule(
        "DeleteReplicationGroup",
        SOURCE,
        Action.DELETE,
        (Target(GROUP, "id", GROUP_ID),),
        severity=Severity.HIGH,
        description="replication group deleted",
    ),
)
