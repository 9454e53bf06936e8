"""ElastiCache replication groups and clusters (``aws_elasticache_replication_group``,
``aws_elasticache_cluster``), by their id (lower-case, as ElastiCache stores it).

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
CLUSTER = "aws_elasticache_cluster"

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


CLUSTER_ID: Extractor = mapped(text("cacheClusterId"), lambda v: v.strip().lower())
CLUSTER_EFFECTS: tuple[Effect, ...] = (
    SetAttr("num_cache_nodes", integer("numCacheNodes")),
    SetAttr("node_type", text("cacheNodeType"), optional_text),
    SetAttr("engine_version", text("engineVersion"), optional_text),
    SetAttr("snapshot_retention_limit", integer("snapshotRetentionLimit")),
    SetAttr("snapshot_window", text("snapshotWindow"), optional_text),
    SetAttr("maintenance_window", text("preferredMaintenanceWindow"), lowered),
    SetAttr("parameter_group_name", text("cacheParameterGroupName"), optional_text),
    SetAttr("notification_topic_arn", text("notificationTopicArn"), optional_text),
    SetAttr("security_group_ids", string_list(req("securityGroupIds")), as_set),
    SetAttr("az_mode", text("aZMode"), optional_text),
)


RULES: tuple[Rule, ...] = (
    Rule(
        "ModifyCacheCluster",
        SOURCE,
        Action.MODIFY,
        with_fallback(Target(CLUSTER, "id", CLUSTER_ID, CLUSTER_EFFECTS)),
        severity=Severity.MEDIUM,
        description="cache cluster changed outside Terraform",
        severity_checks=(_weaker,),
    ),
    Rule(
        "DeleteCacheCluster",
        SOURCE,
        Action.DELETE,
        (Target(CLUSTER, "id", CLUSTER_ID),),
        severity=Severity.HIGH,
        description="cache cluster deleted",
    ),
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
