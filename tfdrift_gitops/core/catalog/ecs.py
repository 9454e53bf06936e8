"""ECS: services (``aws_ecs_service``), task definitions (``aws_ecs_task_definition``),
clusters (``aws_ecs_cluster``) and their capacity providers
(``aws_ecs_cluster_capacity_providers``).

Choices worth knowing:
- ECS speaks the AWS JSON protocol: ``requestParameters`` are the request body (``cluster``,
  ``service``, ``desiredCount``, ``taskDefinition``,
  ``networkConfiguration.awsvpcConfiguration``, ``deploymentConfiguration``), the shapes of the
  published ``CreateCluster`` record and of ``CreateService`` records seen in the wild.
- A service's Terraform id is its ARN. Calls name the service and cluster by name or ARN
  (no cluster: ``default``); the ARN is rebuilt in both formats AWS has used
  (``service/CLUSTER/NAME`` and the older ``service/NAME``) and either may match state.
- ``task_definition`` is compared as ``family:revision`` whether state or the call holds an
  ARN. A call naming a family alone (latest revision) is reported with that family.
- ``RegisterTaskDefinition`` on a family in state is a resource-level change: the provider
  keeps reading the revision it created, but a new revision exists that a service may now be
  pointed at (``UpdateService`` then reports ``task_definition``). On an unknown family it is an
  unmanaged task definition, imported by the revision ARN the response gives.
- ``DeregisterTaskDefinition`` of the revision state holds reads as deleted: the provider
  drops an INACTIVE revision from state and plans a new one.
- ``PutAccountSettingDefault`` sets ``aws_ecs_account_setting_default.value`` (an unmanaged
  default, imported by setting name, when state has none).
- ``UpdateClusterSettings`` / ``UpdateCluster`` merge settings by name (containerInsights);
  ``PutClusterCapacityProviders`` replaces the whole list, so it sets both attributes of
  ``aws_ecs_cluster_capacity_providers`` (an unmanaged one on a cluster whose providers are not
  in state, imported by cluster name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.arn_tags import tag_rules
from tfdrift_gitops.core.catalog.model import (
    Action,
    Compared,
    Comparer,
    Effect,
    Extractor,
    Rule,
    SeverityCheck,
    Target,
    as_set,
    first,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.policydoc import policy_compare, policy_text
from tfdrift_gitops.core.catalog.presence import absent, present
from tfdrift_gitops.core.catalog.support import (
    arn_partition,
    boolean,
    integer,
    optional_text,
    string_list,
    tag_pairs,
    text,
    with_fallback,
)
from tfdrift_gitops.core.paths import MISSING, get_path, items, lookup, set_path
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "ecs.amazonaws.com"
SERVICE = "aws_ecs_service"
TASK_DEFINITION = "aws_ecs_task_definition"
CLUSTER = "aws_ecs_cluster"
CAPACITY = "aws_ecs_cluster_capacity_providers"
ACCOUNT_SETTING = "aws_ecs_account_setting_default"


def _last(value: Any, marker: str) -> Any:
    """The name after ``marker`` in an ARN (``cluster/NAME``), or the value when not an ARN."""
    if not isinstance(value, str) or not value.strip():
        return MISSING
    ref = value.strip()
    if ref.startswith("arn:") and marker in ref:
        ref = ref.split(marker, 1)[1]
    return ref.rsplit("/", 1)[-1] or MISSING


def _event_account(event: CloudEvent) -> str:
    return event.account_id or event.actor.account_id


CLUSTER_NAME: Extractor = first(
    mapped(req("cluster"), lambda v: _last(v, ":cluster/")),
    mapped(req("clusterName"), lambda v: _last(v, ":cluster/")),
    mapped(resp("cluster.clusterName"), lambda v: _last(v, ":cluster/")),
)


def _cluster_or_default(event: CloudEvent) -> str:
    name = CLUSTER_NAME(event)
    return name if isinstance(name, str) else "default"


def _service_arns(event: CloudEvent) -> Any:
    """Every ARN the service may have in state: the response's, the request's, or rebuilt."""
    from_response = resp("service.serviceArn")(event)
    if isinstance(from_response, str) and from_response.startswith("arn:"):
        return [from_response]
    named = first(req("service"), req("serviceName"))(event)
    if not isinstance(named, str) or not named.strip():
        return MISSING
    if named.startswith("arn:"):
        return [named.strip()]
    prefix = f"arn:{arn_partition(event.region)}:ecs:{event.region}:{_event_account(event)}"
    name = named.strip()
    return [f"{prefix}:service/{_cluster_or_default(event)}/{name}", f"{prefix}:service/{name}"]


def _new_service_arn(event: CloudEvent) -> Any:
    """One id for a created service: the response's ARN, else the current (long) format."""
    arns = _service_arns(event)
    return arns[0] if isinstance(arns, list) and arns else MISSING


# The ARNs end in "/" and the service named (or are the ARN named, or the response's).
_SERVICE_READS: keys.Needs = (frozenset({"service", "servicename"}), frozenset({"service"}))
keys.note(_service_arns, _SERVICE_READS)
keys.note(_new_service_arn, _SERVICE_READS)


def _service_import_id(event: CloudEvent) -> Any:
    """``CLUSTER/SERVICE``: the provider's import id."""
    arns = _service_arns(event)
    if arns is MISSING:
        return MISSING
    name = _last(arns[0], ":service/")
    return MISSING if name is MISSING else f"{_cluster_or_default(event)}/{name}"


def revision_ref(value: Any) -> Any:
    """Comparer: ``family:revision`` from a task definition ARN or reference."""
    normal = optional_text(value)
    if normal is None:
        return None
    return normal.split(":task-definition/", 1)[1] if ":task-definition/" in normal else normal


def _task_definition_arn(event: CloudEvent) -> Any:
    """The revision ARN a Deregister names (``family:revision`` is rebuilt into one)."""
    ref = text("taskDefinition")(event)
    if not isinstance(ref, str) or not ref.strip():
        return MISSING
    if ref.startswith("arn:"):
        return ref.strip()
    partition = arn_partition(event.region)
    return f"arn:{partition}:ecs:{event.region}:{_event_account(event)}:task-definition/{ref}"


# ``.../task-definition/FAMILY:REV`` keys as the plain reference does.
keys.note(_task_definition_arn, (frozenset({"taskdefinition"}), frozenset()))


FAMILY: Extractor = first(
    text("family"), mapped(resp("taskDefinition.family"), lambda v: v if v else MISSING)
)
NEW_REVISION_ARN: Extractor = resp("taskDefinition.taskDefinitionArn")


def _public_ip(value: Any) -> Any:
    if isinstance(value, str) and value.strip().upper() in ("ENABLED", "DISABLED"):
        return value.strip().upper() == "ENABLED"
    return MISSING


def _strategy(value: Any) -> Any:
    """``[{capacityProvider, weight, base}]`` as the provider's blocks (absent numbers are 0)."""
    out = []
    for item in items(value):
        provider = lookup(item, "capacityProvider")
        if not isinstance(provider, str) or not provider:
            continue
        weight, base = lookup(item, "weight"), lookup(item, "base")
        out.append(
            {
                "base": base if isinstance(base, int) else 0,
                "capacity_provider": provider,
                "weight": weight if isinstance(weight, int) else 0,
            }
        )
    return out


def _settings(value: Any) -> Any:
    out = []
    for item in items(value):
        name, val = lookup(item, "name"), lookup(item, "value")
        if isinstance(name, str) and name:
            out.append({"name": name, "value": "" if val in (MISSING, None) else str(val)})
    return out


@dataclass(frozen=True, slots=True)
class MergeSettings(Compared):
    """Cluster settings are a set keyed by name: a call replaces the named ones only."""

    path: str
    value: Extractor
    comparer: Comparer = as_set

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        new = self.value(event)
        if not isinstance(new, list) or not new:
            return False
        current = get_path(attrs, self.path)
        named = {s["name"] for s in new}
        kept = [
            s
            for s in (current if isinstance(current, list) else [])
            if not (isinstance(s, Mapping) and s.get("name") in named)
        ]
        set_path(attrs, self.path, [*kept, *new])
        return True


# --------------------------------------------------------------------------- effects

NETWORK = "networkConfiguration.awsvpcConfiguration"
DEPLOYMENT = "deploymentConfiguration"

SERVICE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("desired_count", integer("desiredCount")),
    SetAttr(
        "task_definition",
        first(
            mapped(resp("service.taskDefinition"), optional_text),
            text("taskDefinition"),
        ),
        revision_ref,
    ),
    SetAttr("network_configuration[0].subnets", string_list(req(f"{NETWORK}.subnets")), as_set),
    SetAttr(
        "network_configuration[0].security_groups",
        string_list(req(f"{NETWORK}.securityGroups")),
        as_set,
    ),
    SetAttr(
        "network_configuration[0].assign_public_ip",
        mapped(text(f"{NETWORK}.assignPublicIp"), _public_ip),
    ),
    SetAttr("deployment_maximum_percent", integer(f"{DEPLOYMENT}.maximumPercent")),
    SetAttr("deployment_minimum_healthy_percent", integer(f"{DEPLOYMENT}.minimumHealthyPercent")),
    SetAttr(
        "deployment_circuit_breaker[0].enable",
        boolean(f"{DEPLOYMENT}.deploymentCircuitBreaker.enable"),
    ),
    SetAttr(
        "deployment_circuit_breaker[0].rollback",
        boolean(f"{DEPLOYMENT}.deploymentCircuitBreaker.rollback"),
    ),
    SetAttr("health_check_grace_period_seconds", integer("healthCheckGracePeriodSeconds")),
    SetAttr("enable_execute_command", boolean("enableExecuteCommand")),
    SetAttr("enable_ecs_managed_tags", boolean("enableECSManagedTags")),
    SetAttr("propagate_tags", text("propagateTags"), optional_text),
    SetAttr("platform_version", text("platformVersion"), optional_text),
)

CREATE_SERVICE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("name", text("serviceName")),
    # As the call named it (name or ARN): the provider accepts either.
    SetAttr("cluster", text("cluster"), optional_text),
    SetAttr("launch_type", text("launchType"), optional_text),
    SetAttr("scheduling_strategy", text("schedulingStrategy"), optional_text),
    SetAttr("tags", tag_pairs(req("tags")), tags_map),
    *SERVICE_EFFECTS,
)


@dataclass(frozen=True, slots=True)
class SetOnNewFamily(SetAttr):
    """What a new revision holds, for a family Terraform does not manage. A managed family's
    resource keeps reading the revision Terraform registered, so nothing changes in state."""

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        if "revision" in attrs:
            return False
        return SetAttr.apply(self, attrs, event)


TASK_DEFINITION_EFFECTS: tuple[Effect, ...] = (
    SetOnNewFamily("family", FAMILY),
    SetOnNewFamily(
        "container_definitions", mapped(req("containerDefinitions"), policy_text), policy_compare
    ),
    SetOnNewFamily("cpu", text("cpu"), optional_text),
    SetOnNewFamily("memory", text("memory"), optional_text),
    SetOnNewFamily("network_mode", text("networkMode"), optional_text),
    SetOnNewFamily("requires_compatibilities", string_list(req("requiresCompatibilities")), as_set),
    SetOnNewFamily("task_role_arn", text("taskRoleArn"), optional_text),
    SetOnNewFamily("execution_role_arn", text("executionRoleArn"), optional_text),
    SetOnNewFamily("tags", tag_pairs(req("tags")), tags_map),
)

SETTINGS = MergeSettings("setting", mapped(req("settings"), _settings))
EXECUTE = "configuration.executeCommandConfiguration"
EXECUTE_PATH = "configuration[0].execute_command_configuration[0]"

CLUSTER_EFFECTS: tuple[Effect, ...] = (
    SETTINGS,
    SetAttr(f"{EXECUTE_PATH}.kms_key_id", text(f"{EXECUTE}.kmsKeyId"), optional_text),
    SetAttr(f"{EXECUTE_PATH}.logging", text(f"{EXECUTE}.logging"), optional_text),
    SetAttr(
        "service_connect_defaults[0].namespace",
        text("serviceConnectDefaults.namespace"),
        optional_text,
    ),
)

CAPACITY_EFFECTS: tuple[Effect, ...] = (
    SetAttr("cluster_name", CLUSTER_NAME),
    SetAttr("capacity_providers", string_list(req("capacityProviders")), as_set),
    SetAttr(
        "default_capacity_provider_strategy",
        mapped(req("defaultCapacityProviderStrategy"), _strategy),
        as_set,
    ),
)


# The published record answers with another setting's name than it asked for: the request
# says which setting changed.
SETTING_NAME: Extractor = mapped(text("name"), lambda v: v.strip() or MISSING)
SETTING_EFFECTS: tuple[Effect, ...] = (
    SetAttr("name", SETTING_NAME),
    SetAttr("value", text("value"), optional_text),
)


# --------------------------------------------------------------------------- severity


def _public_tasks(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    if mapped(text(f"{NETWORK}.assignPublicIp"), _public_ip)(event) is True:
        return (
            Severity.HIGH,
            "network_configuration.assign_public_ip enabled: tasks get public IP addresses",
        )
    return None


def _scaled_to_zero(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    if integer("desiredCount")(event) == 0:
        return Severity.HIGH, "desired_count set to 0: the service runs no tasks"
    return None


# --------------------------------------------------------------------------- rows


def _rule(
    event: str,
    action: Action,
    targets: tuple[Target, ...],
    severity: Severity,
    description: str,
    *checks: SeverityCheck,
    fan_out: bool = False,
    known: Extractor | None = None,
) -> Rule:
    return Rule(
        event,
        SOURCE,
        action,
        targets,
        severity=severity,
        description=description,
        severity_checks=checks,
        fan_out=fan_out,
        known_ids=known,
    )


SERVICE_ARNS: Extractor = _service_arns


def _named(*extractors: Extractor) -> Extractor:
    """Ids as the call spells them, for the prefilter (which has no region or account to
    rebuild an ARN with): every name and ARN here is also an identifying value in state."""

    def extract(event: CloudEvent) -> Any:
        found = [e(event) for e in extractors]
        return [v.strip() for v in found if isinstance(v, str) and v.strip()]

    return extract


SERVICE_KNOWN = _named(req("service"), resp("service.serviceArn"))
CLUSTER_KNOWN = _named(req("cluster"))
# Their fields' values as they are (FAMILY_KNOWN's family is cut from its reference: it says
# nothing, so routing runs it).
keys.note(SERVICE_KNOWN, (frozenset({"service"}), frozenset({"service"})))
keys.note(CLUSTER_KNOWN, (frozenset({"cluster"}), frozenset()))


def _family(value: Any) -> Any:
    """``api`` from ``api:7`` or a revision ARN (state's ``id`` is the family)."""
    ref = _last(value, ":task-definition/")
    return ref.split(":", 1)[0] if isinstance(ref, str) else MISSING


FAMILY_KNOWN = _named(req("taskDefinition"), mapped(text("taskDefinition"), _family))

RULES: tuple[Rule, ...] = (
    _rule(
        "UpdateService",
        Action.MODIFY,
        with_fallback(Target(SERVICE, "id", SERVICE_ARNS, SERVICE_EFFECTS)),
        Severity.MEDIUM,
        "service changed outside Terraform",
        _public_tasks,
        _scaled_to_zero,
        known=SERVICE_KNOWN,
    ),
    _rule(
        "CreateService",
        Action.CREATE,
        (
            Target(
                SERVICE,
                "id",
                _new_service_arn,
                CREATE_SERVICE_EFFECTS,
                import_id=_service_import_id,
            ),
        ),
        Severity.MEDIUM,
        "service created outside Terraform",
        _public_tasks,
    ),
    _rule(
        "DeleteService",
        Action.DELETE,
        (Target(SERVICE, "id", SERVICE_ARNS),),
        Severity.HIGH,
        "service deleted",
        known=SERVICE_KNOWN,
    ),
    _rule(
        "RegisterTaskDefinition",
        Action.MODIFY,
        (
            Target(
                TASK_DEFINITION,
                "id",
                # The revision's ARN when the response gives it: what imports it.
                first(NEW_REVISION_ARN, FAMILY),
                TASK_DEFINITION_EFFECTS,
                action=Action.CREATE,
                guard=absent(TASK_DEFINITION, "id", FAMILY),
                import_id=NEW_REVISION_ARN,
            ),
            # Resource-level: the effects above (which replay uses) leave a managed family be.
            Target(TASK_DEFINITION, "id", FAMILY, guard=present(TASK_DEFINITION, "id", FAMILY)),
        ),
        Severity.LOW,
        "task definition revision registered outside Terraform",
    ),
    _rule(
        "DeregisterTaskDefinition",
        Action.DELETE,
        (Target(TASK_DEFINITION, "arn", _task_definition_arn),),
        Severity.MEDIUM,
        "the task definition revision in state was deregistered",
        known=FAMILY_KNOWN,
    ),
    _rule(
        "CreateCluster",
        Action.CREATE,
        (
            Target(
                CLUSTER,
                "name",
                CLUSTER_NAME,
                (
                    SetAttr("name", CLUSTER_NAME),
                    SETTINGS,
                    SetAttr("tags", tag_pairs(req("tags")), tags_map),
                ),
                import_id=CLUSTER_NAME,
            ),
        ),
        Severity.MEDIUM,
        "cluster created outside Terraform",
    ),
    _rule(
        "UpdateCluster",
        Action.MODIFY,
        with_fallback(Target(CLUSTER, "name", CLUSTER_NAME, CLUSTER_EFFECTS)),
        Severity.MEDIUM,
        "cluster configuration changed",
        known=CLUSTER_KNOWN,
    ),
    _rule(
        "UpdateClusterSettings",
        Action.MODIFY,
        with_fallback(Target(CLUSTER, "name", CLUSTER_NAME, (SETTINGS,))),
        Severity.LOW,
        "cluster settings changed",
        known=CLUSTER_KNOWN,
    ),
    _rule(
        "PutClusterCapacityProviders",
        Action.MODIFY,
        (
            Target(
                CAPACITY,
                "id",
                CLUSTER_NAME,
                CAPACITY_EFFECTS,
                guard=present(CAPACITY, "id", CLUSTER_NAME),
            ),
            Target(
                CAPACITY,
                "id",
                CLUSTER_NAME,
                CAPACITY_EFFECTS,
                action=Action.CREATE,
                guard=absent(CAPACITY, "id", CLUSTER_NAME),
                import_id=CLUSTER_NAME,
            ),
        ),
        Severity.MEDIUM,
        "cluster capacity providers replaced",
    ),
    _rule(
        "DeleteCluster",
        Action.DELETE,
        (Target(CLUSTER, "name", CLUSTER_NAME), Target(CAPACITY, "id", CLUSTER_NAME)),
        Severity.HIGH,
        "cluster deleted",
        fan_out=True,
        known=CLUSTER_KNOWN,
    ),
    _rule(
        "PutAccountSettingDefault",
        Action.MODIFY,
        (
            Target(
                ACCOUNT_SETTING,
                "name",
                SETTING_NAME,
                SETTING_EFFECTS,
                guard=present(ACCOUNT_SETTING, "name", SETTING_NAME),
            ),
            Target(
                ACCOUNT_SETTING,
                "name",
                SETTING_NAME,
                SETTING_EFFECTS,
                action=Action.CREATE,
                guard=absent(ACCOUNT_SETTING, "name", SETTING_NAME),
                import_id=SETTING_NAME,
            ),
        ),
        Severity.LOW,
        "account default setting changed (every new ECS resource of the account follows it)",
    ),
    *tag_rules(
        SOURCE,
        ((SERVICE, "id"), (CLUSTER, "arn"), (TASK_DEFINITION, "arn")),
        tag_pairs(req("tags")),
    ),
)
