"""EC2 Auto Scaling: ``aws_autoscaling_group`` (by name, its id and import id),
``aws_autoscaling_policy`` and ``aws_autoscaling_schedule`` (found by
``<group>/<policy or action name>``, their import id).

Choices worth knowing:
- ``vPCZoneIdentifier`` is a comma-separated string in the API; state keeps
  ``vpc_zone_identifier`` as a set of subnet ids.
- A launch template named without a version means ``$Default`` (the API's default).
- ``SuspendProcesses`` / ``ResumeProcesses`` without ``scalingProcesses`` mean every process.
- ``PutScalingPolicy`` and ``PutScheduledUpdateGroupAction`` create or replace: on a policy or
  action in state they are a modification (Terraform's own call after a deletion is a create,
  as for other Put calls); otherwise an unmanaged resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.model import (
    Action,
    AddItems,
    Compared,
    Comparer,
    Effect,
    Extractor,
    RemoveItems,
    Rule,
    Target,
    as_bool,
    as_int,
    as_set,
    as_str,
    mapped,
    req,
    scalar,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.presence import absent, upsert_targets
from tfdrift_gitops.core.catalog.support import (
    integer,
    optional_text,
    ordered,
    string_list,
    text,
    with_fallback,
)
from tfdrift_gitops.core.paths import MISSING, items, lookup, set_path
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "autoscaling.amazonaws.com"
GROUP = "aws_autoscaling_group"
POLICY = "aws_autoscaling_policy"
SCHEDULE = "aws_autoscaling_schedule"
CHILD_KEY = "autoscaling_child"
"""State key ``<group>/<name>`` of policies and scheduled actions (``state_keys.DERIVED_KEYS``)."""

PROCESSES = (
    "Launch",
    "Terminate",
    "AddToLoadBalancer",
    "AlarmNotification",
    "AZRebalance",
    "HealthCheck",
    "InstanceRefresh",
    "ReplaceUnhealthy",
    "ScheduledActions",
)

GROUP_NAME: Extractor = text("autoScalingGroupName")


def _subnets(value: Any) -> Any:
    if not isinstance(value, str):
        return MISSING
    return sorted({s.strip() for s in value.split(",") if s.strip()})


def _processes(event: CloudEvent) -> Any:
    named = string_list(req("scalingProcesses"))(event)
    return named if named else list(PROCESSES)


def _child(name_field: str) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        group, name = GROUP_NAME(event), as_str(req(name_field)(event))
        if not isinstance(name, str) or not name:
            return MISSING
        if name.startswith("arn:") and ":autoScalingGroupName/" in name:
            # DeletePolicy accepts a policy ARN: ...:autoScalingGroupName/<group>:policyName/<name>
            tail = name.split(":autoScalingGroupName/", 1)[1]
            group, _, rest = tail.partition(":")
            name = rest.split("/", 1)[1] if "/" in rest else rest
        return f"{group}/{name}" if isinstance(group, str) and group and name else MISSING

    # ``group/name`` keys as the name (the plain field, or the ARN's last segment).
    keys.note(extract, (frozenset({name_field.casefold()}), frozenset()))
    return extract


def _launch_template(field_name: str) -> Extractor:
    def extract(event: CloudEvent) -> Any:
        spec = req("launchTemplate")(event)
        if not isinstance(spec, Mapping):
            return MISSING
        if field_name == "version":
            version = as_str(lookup(spec, "version"))
            return version if isinstance(version, str) and version else "$Default"
        api = {"id": "launchTemplateId", "name": "launchTemplateName"}[field_name]
        value = as_str(lookup(spec, api))
        return value if isinstance(value, str) and value else MISSING

    return extract


def _policies(value: Any) -> Any:
    """No termination policy is AWS's ``Default`` (what it reports for a group without one)."""
    return ordered(value) or ("Default",)


def _group_tags(event: CloudEvent) -> Any:
    tags = []
    for tag in items(req("tags")(event)):
        key = as_str(lookup(tag, "key"))
        if not isinstance(key, str) or not key:
            continue
        value = as_str(lookup(tag, "value"))
        propagate = as_bool(lookup(tag, "propagateAtLaunch"))
        tags.append(
            {
                "key": key,
                "value": value if isinstance(value, str) else "",
                "propagate_at_launch": propagate is True,
            }
        )
    return tags or MISSING


@dataclass(frozen=True, slots=True)
class DesiredWithinSizes(Compared):
    """A call that moves the sizes without naming a desired capacity moves the desired
    capacity into the new bounds (AWS raises it to the minimum or lowers it to the maximum)."""

    path: str = "desired_capacity"
    comparer: Comparer = scalar

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        named = integer("desiredCapacity")(event)
        if named is not MISSING:
            set_path(attrs, self.path, named)
            return True
        low, high = integer("minSize")(event), integer("maxSize")(event)
        current = as_int(attrs.get(self.path))
        if current is MISSING or (low is MISSING and high is MISSING):
            return False
        bounded = current
        if low is not MISSING and bounded < low:
            bounded = low
        if high is not MISSING and bounded > high:
            bounded = high
        set_path(attrs, self.path, bounded)
        return True


SIZES: tuple[Effect, ...] = (
    SetAttr("min_size", integer("minSize")),
    SetAttr("max_size", integer("maxSize")),
    DesiredWithinSizes(),
)

GROUP_EFFECTS: tuple[Effect, ...] = (
    *SIZES,
    SetAttr("launch_template[0].id", _launch_template("id"), optional_text),
    SetAttr("launch_template[0].name", _launch_template("name"), optional_text),
    SetAttr("launch_template[0].version", _launch_template("version"), optional_text),
    SetAttr("launch_configuration", text("launchConfigurationName"), optional_text),
    SetAttr("vpc_zone_identifier", mapped(req("vPCZoneIdentifier"), _subnets), as_set),
    SetAttr("availability_zones", string_list(req("availabilityZones")), as_set),
    SetAttr("health_check_type", text("healthCheckType"), optional_text),
    SetAttr("health_check_grace_period", integer("healthCheckGracePeriod")),
    SetAttr("default_cooldown", integer("defaultCooldown")),
    SetAttr("default_instance_warmup", integer("defaultInstanceWarmup")),
    SetAttr("max_instance_lifetime", integer("maxInstanceLifetime")),
    SetAttr("capacity_rebalance", mapped(req("capacityRebalance"), as_bool)),
    SetAttr("protect_from_scale_in", mapped(req("newInstancesProtectedFromScaleIn"), as_bool)),
    SetAttr("termination_policies", string_list(req("terminationPolicies")), _policies),
    SetAttr("service_linked_role_arn", text("serviceLinkedRoleARN"), optional_text),
)

POLICY_EFFECTS: tuple[Effect, ...] = (
    SetAttr("name", text("policyName"), optional_text),
    SetAttr("autoscaling_group_name", GROUP_NAME, optional_text),
    SetAttr("policy_type", text("policyType"), optional_text),
    SetAttr("adjustment_type", text("adjustmentType"), optional_text),
    SetAttr("scaling_adjustment", integer("scalingAdjustment")),
    SetAttr("cooldown", integer("cooldown")),
    SetAttr("estimated_instance_warmup", integer("estimatedInstanceWarmup")),
    SetAttr("min_adjustment_magnitude", integer("minAdjustmentMagnitude")),
    SetAttr("enabled", mapped(req("enabled"), as_bool)),
)

SCHEDULE_EFFECTS: tuple[Effect, ...] = (
    SetAttr("scheduled_action_name", text("scheduledActionName"), optional_text),
    SetAttr("autoscaling_group_name", GROUP_NAME, optional_text),
    SetAttr("min_size", integer("minSize")),
    SetAttr("max_size", integer("maxSize")),
    SetAttr("desired_capacity", integer("desiredCapacity")),
    SetAttr("recurrence", text("recurrence"), optional_text),
    SetAttr("time_zone", text("timeZone"), optional_text),
)


def _modify(event: str, effects: tuple[Effect, ...], severity: Severity, about: str) -> Rule:
    return Rule(
        event,
        SOURCE,
        Action.MODIFY,
        with_fallback(Target(GROUP, "name", GROUP_NAME, effects)),
        severity=severity,
        description=about,
    )


def _upsert(rtype: str, key: Extractor, effects: tuple[Effect, ...]) -> tuple[Target, ...]:
    """Create-or-replace: the pair for a resource in state, then an unmanaged create."""
    managed = upsert_targets(rtype, CHILD_KEY, key, effects, import_id=key)
    fresh = Target(
        rtype,
        CHILD_KEY,
        key,
        effects,
        action=Action.CREATE,
        guard=absent(rtype, CHILD_KEY, key),
        import_id=key,
    )
    return (*managed, fresh)


POLICY_KEY = _child("policyName")
SCHEDULE_KEY = _child("scheduledActionName")

RULES: tuple[Rule, ...] = (
    Rule(
        "CreateAutoScalingGroup",
        SOURCE,
        Action.CREATE,
        (
            Target(
                GROUP,
                "name",
                GROUP_NAME,
                (
                    SetAttr("name", GROUP_NAME, optional_text),
                    *GROUP_EFFECTS,
                    SetAttr("target_group_arns", string_list(req("targetGroupARNs")), as_set),
                    SetAttr("load_balancers", string_list(req("loadBalancerNames")), as_set),
                    SetAttr("tag", _group_tags, as_set),
                ),
                import_id=GROUP_NAME,
            ),
        ),
        severity=Severity.MEDIUM,
        description="Auto Scaling group created outside Terraform",
    ),
    _modify("UpdateAutoScalingGroup", GROUP_EFFECTS, Severity.MEDIUM, "Auto Scaling group changed"),
    _modify(
        "SetDesiredCapacity",
        (SetAttr("desired_capacity", integer("desiredCapacity")),),
        Severity.LOW,
        "Auto Scaling group desired capacity changed",
    ),
    Rule(
        "DeleteAutoScalingGroup",
        SOURCE,
        Action.DELETE,
        (Target(GROUP, "name", GROUP_NAME),),
        severity=Severity.HIGH,
        description="Auto Scaling group deleted",
    ),
    _modify(
        "AttachLoadBalancerTargetGroups",
        (AddItems("target_group_arns", string_list(req("targetGroupARNs"))),),
        Severity.MEDIUM,
        "target groups attached to an Auto Scaling group",
    ),
    _modify(
        "DetachLoadBalancerTargetGroups",
        (RemoveItems("target_group_arns", string_list(req("targetGroupARNs"))),),
        Severity.MEDIUM,
        "target groups detached from an Auto Scaling group",
    ),
    _modify(
        "AttachLoadBalancers",
        (AddItems("load_balancers", string_list(req("loadBalancerNames"))),),
        Severity.MEDIUM,
        "classic load balancers attached to an Auto Scaling group",
    ),
    _modify(
        "DetachLoadBalancers",
        (RemoveItems("load_balancers", string_list(req("loadBalancerNames"))),),
        Severity.MEDIUM,
        "classic load balancers detached from an Auto Scaling group",
    ),
    _modify(
        "SuspendProcesses",
        (AddItems("suspended_processes", _processes),),
        Severity.HIGH,
        "Auto Scaling processes suspended (the group stops replacing or scaling instances)",
    ),
    _modify(
        "ResumeProcesses",
        (RemoveItems("suspended_processes", _processes),),
        Severity.LOW,
        "Auto Scaling processes resumed",
    ),
    Rule(
        "PutScalingPolicy",
        SOURCE,
        Action.MODIFY,
        _upsert(POLICY, POLICY_KEY, POLICY_EFFECTS),
        severity=Severity.MEDIUM,
        description="scaling policy created or replaced",
    ),
    Rule(
        "DeletePolicy",
        SOURCE,
        Action.DELETE,
        (Target(POLICY, CHILD_KEY, POLICY_KEY),),
        severity=Severity.MEDIUM,
        description="scaling policy deleted",
    ),
    Rule(
        "PutScheduledUpdateGroupAction",
        SOURCE,
        Action.MODIFY,
        _upsert(SCHEDULE, SCHEDULE_KEY, SCHEDULE_EFFECTS),
        severity=Severity.MEDIUM,
        description="scheduled scaling action created or replaced",
    ),
    Rule(
        "DeleteScheduledAction",
        SOURCE,
        Action.DELETE,
        (Target(SCHEDULE, CHILD_KEY, SCHEDULE_KEY),),
        severity=Severity.MEDIUM,
        description="scheduled scaling action deleted",
    ),
)
