"""EKS: clusters (``aws_eks_cluster``), managed node groups (``aws_eks_node_group``) and add-ons
(``aws_eks_addon``). Access entries and policy associations are in ``eks_access``.

Choices worth knowing:
- EKS speaks REST-JSON: CloudTrail records URI parameters under their URI names (the cluster
  as ``name`` in ``/clusters/{name}/...``; the published 2018 ``CreateCluster`` record says
  ``clusterName``, both are read) next to the body members (``resourcesVpcConfig``,
  ``logging``, ``scalingConfig``, ``labels``, ``taints``).
- Terraform ids (and import ids): cluster ``NAME``; node group ``CLUSTER:NODEGROUP``; add-on
  ``CLUSTER:ADDON``.
- ``UpdateClusterConfig`` ``logging.clusterLogging`` lists types switched on or off; the
  others keep their state, so ``enabled_cluster_log_types`` is edited, not replaced.
- ``UpdateNodegroupConfig`` labels and taints are add-or-update / remove lists: labels edit
  the map by key; a taint replaces the one with the same key and effect.
- An EKS endpoint opened to the internet (public access on, ``public_access_cidrs`` absent or
  holding ``0.0.0.0/0``) raises severity, named with the setting that does it.
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
    MergeMap,
    RemoveKeys,
    Rule,
    SeverityCheck,
    Target,
    as_set,
    const,
    first,
    id_list,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.support import (
    boolean,
    integer,
    optional_text,
    string_list,
    text,
    with_fallback,
)
from tfdrift_gitops.core.paths import MISSING, get_path, items, lookup, set_path
from tfdrift_gitops.models import CloudEvent, Severity

SOURCE = "eks.amazonaws.com"
CLUSTER = "aws_eks_cluster"
NODE_GROUP = "aws_eks_node_group"
ADDON = "aws_eks_addon"
WORLD = ("0.0.0.0/0", "::/0")


def _name(value: Any) -> Any:
    return value.strip() if isinstance(value, str) and value.strip() else MISSING


CLUSTER_NAME: Extractor = first(
    mapped(text("name"), _name),
    mapped(text("clusterName"), _name),
    mapped(resp("cluster.name"), _name),
    mapped(resp("cluster.clusterName"), _name),
)


def _joined(*parts: Extractor, separator: str = ":") -> Extractor:
    def extract(event: CloudEvent) -> Any:
        values = [p(event) for p in parts]
        if any(not isinstance(v, str) or not v for v in values):
            return MISSING
        return separator.join(values)

    keys.note(extract, keys.joined(separator, parts))
    return extract


NODE_GROUP_NAME: Extractor = first(
    mapped(text("nodegroupName"), _name), mapped(resp("nodegroup.nodegroupName"), _name)
)
ADDON_NAME: Extractor = first(
    mapped(text("addonName"), _name), mapped(resp("addon.addonName"), _name)
)
NODE_GROUP_ID = _joined(CLUSTER_NAME, NODE_GROUP_NAME)
ADDON_ID = _joined(CLUSTER_NAME, ADDON_NAME)


# --------------------------------------------------------------------------- effects


def _log_switches(value: Any) -> Any:
    """``[{types: [...], enabled: bool}]`` -> ``{type: enabled}``."""
    out: dict[str, bool] = {}
    for entry in items(value):
        enabled = lookup(entry, "enabled")
        if not isinstance(enabled, bool):
            continue
        for kind in items(lookup(entry, "types")):
            if isinstance(kind, str) and kind:
                out[kind] = enabled
    return out or MISSING


@dataclass(frozen=True, slots=True)
class SwitchLogTypes(Compared):
    """``enabled_cluster_log_types`` gains the types switched on and loses those switched off."""

    path: str
    value: Extractor
    comparer: Comparer = as_set

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        switches = self.value(event)
        if not isinstance(switches, Mapping):
            return False
        current = get_path(attrs, self.path)
        kept = [t for t in (current if isinstance(current, list) else []) if t not in switches]
        kept.extend(kind for kind, on in switches.items() if on)
        set_path(attrs, self.path, kept)
        return True


def _taints(value: Any) -> Any:
    out = []
    for taint in items(value):
        key, effect = lookup(taint, "key"), lookup(taint, "effect")
        if not isinstance(key, str) or not key:
            continue
        val = lookup(taint, "value")
        out.append(
            {
                "effect": effect if isinstance(effect, str) else "",
                "key": key,
                "value": "" if val in (MISSING, None) else str(val),
            }
        )
    return out


@dataclass(frozen=True, slots=True)
class EditTaints(Compared):
    """Taints added or updated (same key and effect) and taints removed."""

    path: str
    added: Extractor
    removed: Extractor
    comparer: Comparer = as_set

    def apply(self, attrs: dict[str, Any], event: CloudEvent) -> bool:
        added, removed = self.added(event), self.removed(event)
        if not added and not removed:
            return False
        gone = [t for t in (added or []) + (removed or []) if isinstance(t, Mapping)]
        current = get_path(attrs, self.path)
        kept = [
            t
            for t in (current if isinstance(current, list) else [])
            if not any(_same_taint(t, g) for g in gone)
        ]
        set_path(attrs, self.path, [*kept, *(added or [])])
        return True


def _same_taint(taint: Any, other: Mapping[str, Any]) -> bool:
    if not isinstance(taint, Mapping) or taint.get("key") != other.get("key"):
        return False
    return not other.get("effect") or taint.get("effect") == other.get("effect")


def _first_item(path: str) -> Any:
    """``path`` in the first element of a list (``encryptionConfig`` holds one)."""

    def pick(value: Any) -> Any:
        found = items(value)
        return lookup(found[0], path) if found else MISSING

    return pick


def _taint_list(path: str) -> Extractor:
    return mapped(req(path), lambda v: _taints(v) or MISSING)


VPC = "resourcesVpcConfig"

CLUSTER_EFFECTS: tuple[Effect, ...] = (
    SetAttr("vpc_config[0].endpoint_public_access", boolean(f"{VPC}.endpointPublicAccess")),
    SetAttr("vpc_config[0].endpoint_private_access", boolean(f"{VPC}.endpointPrivateAccess")),
    SetAttr(
        "vpc_config[0].public_access_cidrs",
        string_list(req(f"{VPC}.publicAccessCidrs")),
        as_set,
    ),
    SetAttr("vpc_config[0].subnet_ids", string_list(req(f"{VPC}.subnetIds")), as_set),
    SetAttr(
        "vpc_config[0].security_group_ids", string_list(req(f"{VPC}.securityGroupIds")), as_set
    ),
    SwitchLogTypes(
        "enabled_cluster_log_types", mapped(req("logging.clusterLogging"), _log_switches)
    ),
    SetAttr(
        "access_config[0].authentication_mode",
        text("accessConfig.authenticationMode"),
        optional_text,
    ),
    SetAttr("zonal_shift_config[0].enabled", boolean("zonalShiftConfig.enabled")),
    SetAttr("upgrade_policy[0].support_type", text("upgradePolicy.supportType"), optional_text),
)

CREATE_CLUSTER_EFFECTS: tuple[Effect, ...] = (
    SetAttr("name", CLUSTER_NAME),
    # DescribeCluster does not return it: the provider keeps what its state held, so an imported
    # cluster holds false whatever the call asked (hashicorp/terraform-provider-aws#39058), and
    # an import block leaving it out (default true) plans a replacement.
    SetAttr("bootstrap_self_managed_addons", const(False)),
    SetAttr("role_arn", text("roleArn")),
    SetAttr("version", first(text("version"), resp("cluster.version")), optional_text),
    SetAttr("tags", req("tags"), tags_map),
    *CLUSTER_EFFECTS,
)

SCALING = "scalingConfig"

NODE_GROUP_EFFECTS: tuple[Effect, ...] = (
    SetAttr("scaling_config[0].desired_size", integer(f"{SCALING}.desiredSize")),
    SetAttr("scaling_config[0].min_size", integer(f"{SCALING}.minSize")),
    SetAttr("scaling_config[0].max_size", integer(f"{SCALING}.maxSize")),
    MergeMap("labels", req("labels.addOrUpdateLabels"), tags_map),
    RemoveKeys("labels", string_list(req("labels.removeLabels")), tags_map),
    EditTaints(
        "taint",
        _taint_list("taints.addOrUpdateTaints"),
        _taint_list("taints.removeTaints"),
    ),
    SetAttr("update_config[0].max_unavailable", integer("updateConfig.maxUnavailable")),
    SetAttr(
        "update_config[0].max_unavailable_percentage",
        integer("updateConfig.maxUnavailablePercentage"),
    ),
    SetAttr("node_repair_config[0].enabled", boolean("nodeRepairConfig.enabled")),
)

NODE_VERSION_EFFECTS: tuple[Effect, ...] = (
    SetAttr("version", text("version"), optional_text),
    SetAttr("release_version", text("releaseVersion"), optional_text),
    SetAttr("launch_template[0].version", text("launchTemplate.version"), optional_text),
)

CREATE_NODE_GROUP_EFFECTS: tuple[Effect, ...] = (
    SetAttr("cluster_name", CLUSTER_NAME),
    SetAttr("node_group_name", NODE_GROUP_NAME),
    SetAttr("node_role_arn", text("nodeRole")),
    SetAttr("subnet_ids", string_list(req("subnets")), as_set),
    SetAttr("instance_types", string_list(req("instanceTypes"))),
    SetAttr("ami_type", text("amiType"), optional_text),
    SetAttr("capacity_type", text("capacityType"), optional_text),
    SetAttr("disk_size", integer("diskSize")),
    # Forces a new node group when the code leaves out a key the group has.
    SetAttr("remote_access[0].ec2_ssh_key", text("remoteAccess.ec2SshKey"), optional_text),
    SetAttr(
        "remote_access[0].source_security_group_ids",
        string_list(req("remoteAccess.sourceSecurityGroups")),
        as_set,
    ),
    SetAttr("labels", req("labels"), tags_map),
    SetAttr("taint", _taint_list("taints"), as_set),
    SetAttr("tags", req("tags"), tags_map),
    *NODE_VERSION_EFFECTS,
    *(e for e in NODE_GROUP_EFFECTS if e.path.startswith(("scaling_config", "update_config"))),
)

ADDON_EFFECTS: tuple[Effect, ...] = (
    SetAttr("addon_version", text("addonVersion"), optional_text),
    SetAttr("service_account_role_arn", text("serviceAccountRoleArn"), optional_text),
    SetAttr("configuration_values", text("configurationValues"), optional_text),
)

CREATE_ADDON_EFFECTS: tuple[Effect, ...] = (
    SetAttr("cluster_name", CLUSTER_NAME),
    SetAttr("addon_name", ADDON_NAME),
    SetAttr("tags", req("tags"), tags_map),
    *ADDON_EFFECTS,
)


# --------------------------------------------------------------------------- severity


def _world_open(observed: Mapping[str, Any]) -> str | None:
    """Why the observed cluster's API endpoint is open to the internet, or None."""
    vpc = get_path(observed, "vpc_config[0]")
    if not isinstance(vpc, Mapping) or vpc.get("endpoint_public_access") is False:
        return None
    cidrs = vpc.get("public_access_cidrs")
    cidrs = [c for c in cidrs if isinstance(c, str)] if isinstance(cidrs, list) else []
    if cidrs and not any(c in WORLD for c in cidrs):
        return None
    shown = ", ".join(c for c in cidrs if c in WORLD) or "0.0.0.0/0 (the default)"
    return (
        "vpc_config.endpoint_public_access is true with public_access_cidrs "
        f"{shown}: the Kubernetes API endpoint is reachable from the whole internet"
    )


def _endpoint_opened(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    if req(VPC)(event) in (MISSING, None):
        return None
    why = _world_open(observed)
    return (Severity.HIGH, why) if why else None


def _audit_off(event: CloudEvent, observed: Mapping[str, Any]) -> tuple[Severity, str] | None:
    switches = mapped(req("logging.clusterLogging"), _log_switches)(event)
    if isinstance(switches, Mapping):
        off = sorted(k for k, on in switches.items() if not on and k in ("audit", "authenticator"))
        if off:
            return Severity.HIGH, f"control plane {', '.join(off)} logs turned off"
    return None


# --------------------------------------------------------------------------- rows


def _rule(
    event: str,
    action: Action,
    targets: tuple[Target, ...],
    severity: Severity,
    description: str,
    *checks: SeverityCheck,
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
        known_ids=known,
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "CreateCluster",
        Action.CREATE,
        (Target(CLUSTER, "name", CLUSTER_NAME, CREATE_CLUSTER_EFFECTS, import_id=CLUSTER_NAME),),
        Severity.MEDIUM,
        "cluster created outside Terraform",
        _endpoint_opened,
    ),
    _rule(
        "UpdateClusterConfig",
        Action.MODIFY,
        with_fallback(Target(CLUSTER, "name", CLUSTER_NAME, CLUSTER_EFFECTS)),
        Severity.MEDIUM,
        "cluster configuration changed",
        _endpoint_opened,
        _audit_off,
        known=id_list(CLUSTER_NAME),
    ),
    _rule(
        "UpdateClusterVersion",
        Action.MODIFY,
        with_fallback(
            Target(
                CLUSTER, "name", CLUSTER_NAME, (SetAttr("version", text("version"), optional_text),)
            )
        ),
        Severity.MEDIUM,
        "cluster Kubernetes version upgraded",
        known=id_list(CLUSTER_NAME),
    ),
    _rule(
        "AssociateEncryptionConfig",
        Action.MODIFY,
        with_fallback(
            Target(
                CLUSTER,
                "name",
                CLUSTER_NAME,
                (
                    SetAttr(
                        "encryption_config[0].resources",
                        string_list(mapped(req("encryptionConfig"), _first_item("resources"))),
                        as_set,
                    ),
                    SetAttr(
                        "encryption_config[0].provider[0].key_arn",
                        mapped(req("encryptionConfig"), _first_item("provider.keyArn")),
                        optional_text,
                    ),
                ),
            )
        ),
        Severity.LOW,
        "envelope encryption of secrets enabled",
        known=id_list(CLUSTER_NAME),
    ),
    _rule(
        "DeleteCluster",
        Action.DELETE,
        (Target(CLUSTER, "name", CLUSTER_NAME),),
        Severity.HIGH,
        "cluster deleted",
        known=id_list(CLUSTER_NAME),
    ),
    _rule(
        "CreateNodegroup",
        Action.CREATE,
        (
            Target(
                NODE_GROUP, "id", NODE_GROUP_ID, CREATE_NODE_GROUP_EFFECTS, import_id=NODE_GROUP_ID
            ),
        ),
        Severity.MEDIUM,
        "node group created outside Terraform",
    ),
    _rule(
        "UpdateNodegroupConfig",
        Action.MODIFY,
        with_fallback(Target(NODE_GROUP, "id", NODE_GROUP_ID, NODE_GROUP_EFFECTS)),
        Severity.MEDIUM,
        "node group configuration changed",
        known=id_list(NODE_GROUP_ID),
    ),
    _rule(
        "UpdateNodegroupVersion",
        Action.MODIFY,
        with_fallback(Target(NODE_GROUP, "id", NODE_GROUP_ID, NODE_VERSION_EFFECTS)),
        Severity.MEDIUM,
        "node group version or launch template changed",
        known=id_list(NODE_GROUP_ID),
    ),
    _rule(
        "DeleteNodegroup",
        Action.DELETE,
        (Target(NODE_GROUP, "id", NODE_GROUP_ID),),
        Severity.HIGH,
        "node group deleted",
        known=id_list(NODE_GROUP_ID),
    ),
    _rule(
        "CreateAddon",
        Action.CREATE,
        (Target(ADDON, "id", ADDON_ID, CREATE_ADDON_EFFECTS, import_id=ADDON_ID),),
        Severity.MEDIUM,
        "add-on installed outside Terraform",
    ),
    _rule(
        "UpdateAddon",
        Action.MODIFY,
        with_fallback(Target(ADDON, "id", ADDON_ID, ADDON_EFFECTS)),
        Severity.MEDIUM,
        "add-on changed",
        known=id_list(ADDON_ID),
    ),
    _rule(
        "DeleteAddon",
        Action.DELETE,
        (Target(ADDON, "id", ADDON_ID),),
        Severity.MEDIUM,
        "add-on deleted",
        known=id_list(ADDON_ID),
    ),
    *tag_rules(SOURCE, ((CLUSTER, "arn"), (NODE_GROUP, "arn"), (ADDON, "arn")), req("tags")),
)
