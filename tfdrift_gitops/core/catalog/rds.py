"""RDS: DB instances (``aws_db_instance``), clusters (``aws_rds_cluster``) and Aurora
cluster members (``aws_rds_cluster_instance``, preferred when state manages the instance so).

Choices worth knowing:
- Identifiers are compared lower-case: RDS stores them lower-case whatever the caller typed,
  and so does Terraform state.
- ``ModifyDBInstance`` with ``applyImmediately: false`` is still drift: the change is queued
  for the maintenance window and will land unless someone undoes it. The severity reasons
  say it is pending.
- ``masterUserPassword`` is never stored or compared (CloudTrail shows ``****`` and state
  holds the real password, which must not leak into a drift record). A call that changes
  only the password gives a resource-level drift; with other fields, the password change is
  named in the severity reasons.
- ``DeleteDBInstance`` is high when a final snapshot was taken and critical when it was
  skipped (``skipFinalSnapshot: true``).
- ``engine_version`` follows the provider's read: a configured prefix (``8.0``) stays in state
  while the running version (``8.0.36``) starts with it, so a minor upgrade within it is not
  a change; ``engine_version_actual`` records the running version.
- Create calls spell some fields differently from Modify (``port`` for ``dBPortNumber``,
  ``enableCloudwatchLogsExports`` for ``cloudwatchLogsExportConfiguration``) and leave
  defaults out of the request: the response (the new instance) fills in whether storage is
  encrypted and whether the instance is public.
- ``AddTagsToResource`` / ``RemoveTagsFromResource`` name the resource by ARN; the ARN's
  resource type (``db``, ``cluster``, ``pg``, ``cluster-pg``, ``subgrp``, ``snapshot``,
  ``cluster-snapshot``) picks the Terraform type and its name the state identifier. Option
  groups and event subscriptions are not catalog types: their tag calls name no resource.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tfdrift_gitops.core.catalog import rds_groups
from tfdrift_gitops.core.catalog.keys import noop_on_missing
from tfdrift_gitops.core.catalog.model import (
    Action,
    AddItems,
    Compared,
    Comparer,
    Effect,
    Extractor,
    Guard,
    RemoveItems,
    Rule,
    SeverityCheck,
    Target,
    as_bool,
    as_set,
    const,
    first,
    item_list,
    mapped,
    req,
    resp,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    boolean,
    integer,
    lowered,
    once_per_call,
    optional_text,
    request_has,
    request_is,
    string_list,
    tag_pairs,
    text,
    with_fallback,
)
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.models import CloudEvent, Severity

if TYPE_CHECKING:
    from tfdrift_gitops.core.state import StateIndex

SOURCE = "rds.amazonaws.com"
INSTANCE = "aws_db_instance"
CLUSTER_INSTANCE = "aws_rds_cluster_instance"
CLUSTER = "aws_rds_cluster"


def _identifier(value: Any) -> Any:
    """A DB identifier (or an ARN naming one), lower-cased as RDS stores it."""
    if not isinstance(value, str) or not value.strip():
        return MISSING
    name = value.strip()
    if name.startswith("arn:"):
        name = name.rsplit(":", 1)[-1]
    return name.lower()


def _arn_of(kind: str) -> Callable[[Any], Any]:
    """The name in an RDS ARN of resource type ``kind`` (``db``, ``cluster``, ``pg``,
    ``cluster-pg``, ...: ``arn:aws:rds:<region>:<account>:<kind>:<name>``), lower-cased as RDS
    stores it; MISSING for an ARN of another kind (``pg`` is not ``cluster-pg``)."""

    def convert(value: Any) -> Any:
        if not isinstance(value, str):
            return MISSING
        parts = value.strip().split(":", 6)
        if len(parts) == 7 and parts[0] == "arn" and parts[5] == kind:
            return _identifier(parts[6])
        return MISSING

    return convert


# The Aurora guard and then the instance target read one identifier: looked up once.
INSTANCE_ID: Extractor = once_per_call(
    first(
        mapped(req("dBInstanceIdentifier"), _identifier),
        mapped(resp("dBInstanceIdentifier"), _identifier),
    )
)
CLUSTER_ID: Extractor = first(
    mapped(req("dBClusterIdentifier"), _identifier),
    mapped(resp("dBClusterIdentifier"), _identifier),
)


PASSWORD_CHANGED = request_has("masterUserPassword")
"""CloudTrail hides the value; the change alone is resource-level drift."""


def _managed_as(rtype: str, key: str, extractor: Extractor) -> Guard:
    """The id the call names is in state as ``rtype`` (to prefer it over a fallback type)."""

    # The same call is asked about twice in a row (a target and its fallback twin).
    last: list[Any] = [None, None, False]

    def guard(event: CloudEvent, index: StateIndex) -> bool:
        if last[0] is event and last[1] is index:
            return bool(last[2])
        value = extractor(event)
        found = False
        if isinstance(value, str):
            account = event.account_id or event.actor.account_id
            found = bool(index.lookup(rtype, key, value, account=account, region=event.region))
        last[:] = [event, index, found]
        return found

    return guard


AURORA_MEMBER = _managed_as(CLUSTER_INSTANCE, "identifier", INSTANCE_ID)
"""An Aurora instance: ``aws_rds_cluster_instance``, which ModifyDBInstance also addresses."""


_NAMES_CLUSTER = request_has("dBClusterIdentifier")


def _joins_cluster(event: CloudEvent, index: StateIndex) -> bool:
    return _NAMES_CLUSTER(event)


def _standalone(event: CloudEvent, index: StateIndex) -> bool:
    return not _joins_cluster(event, index)


# --------------------------------------------------------------------------- severity


# Built once: an extractor made per call cost its construction on every rating (and each one
# was noted in keys' table of needs for good).
_QUEUED = request_is("applyImmediately", False)


def _pending(event: CloudEvent) -> str:
    if _QUEUED(event):
        return " (requested with applyImmediately=false: pending until the maintenance window)"
    return ""


def _raise_when(
    predicate: Callable[[CloudEvent], bool], severity: Severity, why: str
) -> SeverityCheck:
    def check(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
        return (severity, why + _pending(event)) if predicate(event) else None

    return check


def _ids_of(path: str) -> Callable[[CloudEvent], bool]:
    extract = string_list(req(path))
    return lambda event: bool(extract(event))


MODIFY_CHECKS: tuple[SeverityCheck, ...] = (
    _raise_when(
        request_is("publiclyAccessible", True),
        Severity.CRITICAL,
        "the database was made publicly accessible",
    ),
    _raise_when(
        request_is("deletionProtection", False), Severity.HIGH, "deletion protection turned off"
    ),
    _raise_when(
        request_is("backupRetentionPeriod", 0),
        Severity.HIGH,
        "automated backups turned off (backup retention 0)",
    ),
    _raise_when(
        PASSWORD_CHANGED,
        Severity.HIGH,
        "master user password changed outside Terraform (CloudTrail hides the value and "
        "Terraform cannot see it)",
    ),
    _raise_when(
        request_is("enableIAMDatabaseAuthentication", False),
        Severity.HIGH,
        "IAM database authentication turned off",
    ),
    _raise_when(
        _ids_of("vpcSecurityGroupIds"), Severity.HIGH, "the database's security groups changed"
    ),
)


# --------------------------------------------------------------------------- effects


def _logs_exports(path: str) -> tuple[Effect, ...]:
    return (
        AddItems(path, item_list(req("cloudwatchLogsExportConfiguration.enableLogTypes"))),
        RemoveItems(path, item_list(req("cloudwatchLogsExportConfiguration.disableLogTypes"))),
    )


@noop_on_missing
@dataclass(frozen=True, slots=True)
class EngineVersion(Compared):
    """``engine_version`` as the provider reads it back (``compareActualEngineVersion``): the
    configured value stays when the running version only adds to it (``8.0`` -> ``8.0.36``);
    ``engine_version_actual`` always takes the running version."""

    path: str
    value: Extractor
    comparer: Comparer = optional_text

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        new = self.value(event)
        if not isinstance(new, str) or not new:
            return False
        configured = attrs.get(self.path)
        if not (isinstance(configured, str) and configured and new.startswith(configured + ".")):
            attrs[self.path] = new
        if "engine_version_actual" in attrs:
            attrs["engine_version_actual"] = new
        return True


# Shared by instances and clusters: request field -> Terraform attribute.
_COMMON: tuple[Effect, ...] = (
    SetAttr("deletion_protection", boolean("deletionProtection")),
    SetAttr("backup_retention_period", integer("backupRetentionPeriod")),
    EngineVersion("engine_version", text("engineVersion")),
    SetAttr("vpc_security_group_ids", string_list(req("vpcSecurityGroupIds")), as_set),
    SetAttr(
        "iam_database_authentication_enabled",
        first(
            boolean("enableIAMDatabaseAuthentication"),
            boolean("iAMDatabaseAuthenticationEnabled"),
        ),
    ),
    SetAttr("copy_tags_to_snapshot", boolean("copyTagsToSnapshot")),
    SetAttr("allocated_storage", integer("allocatedStorage")),
    SetAttr("storage_type", text("storageType"), optional_text),
    SetAttr("iops", integer("iops")),
    SetAttr("manage_master_user_password", boolean("manageMasterUserPassword")),
    SetAttr("network_type", text("networkType"), optional_text),
    SetAttr(
        "performance_insights_enabled",
        first(boolean("enablePerformanceInsights"), boolean("performanceInsightsEnabled")),
    ),
    SetAttr("performance_insights_retention_period", integer("performanceInsightsRetentionPeriod")),
    SetAttr("performance_insights_kms_key_id", text("performanceInsightsKMSKeyId"), optional_text),
    SetAttr("monitoring_interval", integer("monitoringInterval")),
    SetAttr("monitoring_role_arn", text("monitoringRoleArn"), optional_text),
)

INSTANCE_EFFECTS: tuple[Effect, ...] = (
    *_COMMON,
    SetAttr("publicly_accessible", boolean("publiclyAccessible")),
    SetAttr("instance_class", text("dBInstanceClass")),
    SetAttr("multi_az", boolean("multiAZ")),
    SetAttr("max_allocated_storage", integer("maxAllocatedStorage")),
    SetAttr("storage_throughput", integer("storageThroughput")),
    SetAttr("ca_cert_identifier", text("cACertificateIdentifier"), optional_text),
    SetAttr("auto_minor_version_upgrade", boolean("autoMinorVersionUpgrade")),
    SetAttr("backup_window", text("preferredBackupWindow"), lowered),
    SetAttr("maintenance_window", text("preferredMaintenanceWindow"), lowered),
    SetAttr("parameter_group_name", text("dBParameterGroupName"), optional_text),
    SetAttr("option_group_name", text("optionGroupName"), optional_text),
    SetAttr("db_subnet_group_name", text("dBSubnetGroupName"), optional_text),
    SetAttr("port", integer("dBPortNumber")),
    SetAttr("identifier", mapped(req("newDBInstanceIdentifier"), _identifier)),
    *_logs_exports("enabled_cloudwatch_logs_exports"),
)

CLUSTER_INSTANCE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("instance_class", text("dBInstanceClass")),
    SetAttr("publicly_accessible", boolean("publiclyAccessible")),
    SetAttr("auto_minor_version_upgrade", boolean("autoMinorVersionUpgrade")),
    SetAttr("ca_cert_identifier", text("cACertificateIdentifier"), optional_text),
    SetAttr("preferred_maintenance_window", text("preferredMaintenanceWindow"), lowered),
    SetAttr("db_parameter_group_name", text("dBParameterGroupName"), optional_text),
    SetAttr("copy_tags_to_snapshot", boolean("copyTagsToSnapshot")),
    SetAttr("promotion_tier", integer("promotionTier")),
    SetAttr("monitoring_interval", integer("monitoringInterval")),
    SetAttr("monitoring_role_arn", text("monitoringRoleArn"), optional_text),
    SetAttr(
        "performance_insights_enabled",
        first(boolean("enablePerformanceInsights"), boolean("performanceInsightsEnabled")),
    ),
    SetAttr("identifier", mapped(req("newDBInstanceIdentifier"), _identifier)),
)

CLUSTER_EFFECTS: tuple[Effect, ...] = (
    *_COMMON,
    SetAttr("preferred_backup_window", text("preferredBackupWindow"), lowered),
    SetAttr("preferred_maintenance_window", text("preferredMaintenanceWindow"), lowered),
    SetAttr("db_cluster_parameter_group_name", text("dBClusterParameterGroupName"), optional_text),
    SetAttr("db_cluster_instance_class", text("dBClusterInstanceClass"), optional_text),
    SetAttr("backtrack_window", integer("backtrackWindow")),
    SetAttr("enable_http_endpoint", boolean("enableHttpEndpoint")),
    SetAttr("port", integer("port")),
    SetAttr("cluster_identifier", mapped(req("newDBClusterIdentifier"), _identifier)),
    *_logs_exports("enabled_cloudwatch_logs_exports"),
)


def _requested_or_created(field: str) -> Extractor:
    """A boolean the create request sets, else what the response (the new resource) says."""
    return first(boolean(field), mapped(resp(field), as_bool))


STORAGE_ENCRYPTED = _requested_or_created("storageEncrypted")
PUBLICLY_ACCESSIBLE = _requested_or_created("publiclyAccessible")

# Fields a create call spells differently from (or lacks in) the Modify call.
_CREATE_SPELLED_APART = frozenset(
    {"identifier", "cluster_identifier", "port", "publicly_accessible"}
)
_CREATED_LOG_EXPORTS = SetAttr(
    "enabled_cloudwatch_logs_exports", string_list(req("enableCloudwatchLogsExports")), as_set
)

# What a create call tells us about the new resource (the attributes an import block needs).
INSTANCE_CREATE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("identifier", INSTANCE_ID),
    SetAttr("engine", text("engine")),
    SetAttr("storage_encrypted", STORAGE_ENCRYPTED),
    SetAttr("db_name", text("dBName"), optional_text),
    SetAttr("username", text("masterUsername"), optional_text),
    SetAttr("kms_key_id", text("kmsKeyId"), optional_text),
    SetAttr("port", integer("port")),
    SetAttr("publicly_accessible", PUBLICLY_ACCESSIBLE),
    SetAttr("replicate_source_db", text("sourceDBInstanceIdentifier"), optional_text),
    # Not snapshot_identifier: the provider never reads it back, so an imported instance holds
    # none and an import block naming the snapshot plans a replacement (it forces a new one).
    # skip_final_snapshot cannot be read either: the provider's import sets it true, and an
    # import block leaving it out (default false) plans an update.
    SetAttr("skip_final_snapshot", const(True)),
    *(e for e in INSTANCE_EFFECTS if e.path not in _CREATE_SPELLED_APART),
    _CREATED_LOG_EXPORTS,
    rds_groups.CREATED_TAGS,
)

CLUSTER_CREATE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("cluster_identifier", CLUSTER_ID),
    SetAttr("engine", text("engine")),
    SetAttr("storage_encrypted", STORAGE_ENCRYPTED),
    SetAttr("database_name", text("databaseName"), optional_text),
    SetAttr("master_username", text("masterUsername"), optional_text),
    SetAttr("kms_key_id", text("kmsKeyId"), optional_text),
    *(e for e in CLUSTER_EFFECTS if e.path != "cluster_identifier"),
    _CREATED_LOG_EXPORTS,
    rds_groups.CREATED_TAGS,
)

_NO_SNAPSHOT = _raise_when(
    request_is("skipFinalSnapshot", True),
    Severity.CRITICAL,
    "deleted without a final snapshot",
)
_PUBLIC_CREATE = _raise_when(
    lambda event: PUBLICLY_ACCESSIBLE(event) is True,
    Severity.CRITICAL,
    "created publicly accessible",
)
# Unencrypted is the default: the request usually omits the flag and the response says false.
_UNENCRYPTED_CREATE = _raise_when(
    lambda event: STORAGE_ENCRYPTED(event) is False,
    Severity.HIGH,
    "created with unencrypted storage",
)


# The other resources ``AddTagsToResource`` names by ARN: (ARN resource type, Terraform type).
# Their state ``id`` is the (lower-case) name the ARN ends with. Option groups and event
# subscriptions (``og``, ``es``) are not catalog types yet: the packaged provider schema has
# neither.
_TAGGED_BY_NAME: tuple[tuple[str, str], ...] = (
    ("pg", rds_groups.PARAMETER_GROUP),
    ("cluster-pg", rds_groups.CLUSTER_PARAMETER_GROUP),
    ("subgrp", rds_groups.SUBNET_GROUP),
    ("snapshot", rds_groups.SNAPSHOT),
    ("cluster-snapshot", rds_groups.CLUSTER_SNAPSHOT),
)


def _tag_targets(effect_for: Callable[[], Effect]) -> tuple[Target, ...]:
    """``resourceName`` is the tagged resource's ARN; its resource type says which Terraform
    type it is (each extractor is MISSING for the other types' ARNs)."""
    db_arn = mapped(req("resourceName"), _arn_of("db"))
    return (
        Target(
            CLUSTER_INSTANCE,
            "identifier",
            db_arn,
            (effect_for(),),
            guard=_managed_as(CLUSTER_INSTANCE, "identifier", db_arn),
        ),
        Target(INSTANCE, "identifier", db_arn, (effect_for(),)),
        Target(
            CLUSTER,
            "cluster_identifier",
            mapped(req("resourceName"), _arn_of("cluster")),
            (effect_for(),),
        ),
        *(
            Target(rtype, "id", mapped(req("resourceName"), _arn_of(kind)), (effect_for(),))
            for kind, rtype in _TAGGED_BY_NAME
        ),
    )


def _instance_create(event: str, description: str) -> Rule:
    return Rule(
        event,
        SOURCE,
        Action.CREATE,
        (
            # An instance created into an Aurora cluster is an aws_rds_cluster_instance.
            Target(
                CLUSTER_INSTANCE,
                "identifier",
                INSTANCE_ID,
                (
                    SetAttr("identifier", INSTANCE_ID),
                    SetAttr("cluster_identifier", mapped(req("dBClusterIdentifier"), _identifier)),
                    SetAttr("engine", text("engine")),
                    *(e for e in CLUSTER_INSTANCE_EFFECTS if e.path != "identifier"),
                    rds_groups.CREATED_TAGS,
                ),
                guard=_joins_cluster,
                import_id=INSTANCE_ID,
            ),
            Target(
                INSTANCE,
                "identifier",
                INSTANCE_ID,
                INSTANCE_CREATE_EFFECTS,
                guard=_standalone,
                import_id=INSTANCE_ID,
            ),
        ),
        severity=Severity.MEDIUM,
        description=description,
        severity_checks=(_PUBLIC_CREATE, _UNENCRYPTED_CREATE),
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "ModifyDBInstance",
        SOURCE,
        Action.MODIFY,
        (
            *with_fallback(
                Target(
                    CLUSTER_INSTANCE,
                    "identifier",
                    INSTANCE_ID,
                    CLUSTER_INSTANCE_EFFECTS,
                    guard=AURORA_MEMBER,
                )
            ),
            *with_fallback(
                Target(INSTANCE, "identifier", INSTANCE_ID, INSTANCE_EFFECTS), PASSWORD_CHANGED
            ),
        ),
        severity=Severity.MEDIUM,
        description="DB instance settings changed",
        severity_checks=MODIFY_CHECKS,
    ),
    Rule(
        "DeleteDBInstance",
        SOURCE,
        Action.DELETE,
        (
            Target(CLUSTER_INSTANCE, "identifier", INSTANCE_ID, guard=AURORA_MEMBER),
            Target(INSTANCE, "identifier", INSTANCE_ID),
        ),
        severity=Severity.HIGH,
        description="DB instance deleted",
        severity_checks=(_NO_SNAPSHOT,),
    ),
    _instance_create("CreateDBInstance", "DB instance created outside Terraform"),
    _instance_create("CreateDBInstanceReadReplica", "read replica created outside Terraform"),
    _instance_create(
        "RestoreDBInstanceFromDBSnapshot", "DB instance restored from a snapshot by hand"
    ),
    Rule(
        "ModifyDBCluster",
        SOURCE,
        Action.MODIFY,
        with_fallback(
            Target(CLUSTER, "cluster_identifier", CLUSTER_ID, CLUSTER_EFFECTS), PASSWORD_CHANGED
        ),
        severity=Severity.MEDIUM,
        description="DB cluster settings changed",
        severity_checks=MODIFY_CHECKS,
    ),
    Rule(
        "DeleteDBCluster",
        SOURCE,
        Action.DELETE,
        (Target(CLUSTER, "cluster_identifier", CLUSTER_ID),),
        severity=Severity.HIGH,
        description="DB cluster deleted",
        severity_checks=(_NO_SNAPSHOT,),
    ),
    Rule(
        "CreateDBCluster",
        SOURCE,
        Action.CREATE,
        (
            Target(
                CLUSTER,
                "cluster_identifier",
                CLUSTER_ID,
                CLUSTER_CREATE_EFFECTS,
                import_id=CLUSTER_ID,
            ),
        ),
        severity=Severity.MEDIUM,
        description="DB cluster created outside Terraform",
        severity_checks=(_UNENCRYPTED_CREATE,),
    ),
    Rule(
        "AddTagsToResource",
        SOURCE,
        Action.MODIFY,
        _tag_targets(lambda: MergeTags("tags", tag_pairs(req("tags")))),
        severity=Severity.LOW,
        description="tags added",
    ),
    Rule(
        "RemoveTagsFromResource",
        SOURCE,
        Action.MODIFY,
        _tag_targets(lambda: DropTags("tags", string_list(req("tagKeys")))),
        severity=Severity.LOW,
        description="tags removed",
    ),
)
