"""Catalog rows for security groups: rules inline or as separate resources, create, delete.

Targets of one rule are tried in order and the first that lands wins (``Engine.evaluate``), so
where one event can mean different resources (inline rules vs separate rule resources) the
guards make the choice explicit. ``Engine.observe`` replays an event with the *first* target of
the resource's type, so a type's effectful target always comes before its resource-level twin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_gitops.core.catalog import keys
from tfdrift_gitops.core.catalog.ec2_effects import managed_ids, spec_tags
from tfdrift_gitops.core.catalog.ec2_sg import (
    LEGACY_RULE,
    VPC_EGRESS_RULE,
    VPC_INGRESS_RULE,
    SecurityGroupRules,
    created_rule_ids,
    group_id_of,
    has_rule_content,
    modify_rule_updates,
    request_permissions,
    requested_rule_ids,
    revoked_rule_ids,
)
from tfdrift_gitops.core.catalog.ec2_sg_resources import (
    DirectionMarker,
    legacy_rule_effects,
    uses_rule_resources,
    vpc_rule_effects,
    world_open_ingress,
    world_open_modified_rule,
)
from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Guard,
    Rule,
    Set,
    Target,
    exact,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.paths import MISSING, items, lookup
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.models import CloudEvent, Severity

EC2 = "ec2.amazonaws.com"
SG = "aws_security_group"
DEFAULT_SG = "aws_default_security_group"


def _ids(fn: Any, request: tuple[str, ...] = (), response: tuple[str, ...] = ()) -> Extractor:
    """A list-returning function as an extractor (an empty list means "no id here").
    ``request``/``response``: the top-level keys ``fn`` reads (said, so that routing in
    ``detect --jobs`` runs it only for calls where one of them holds more than a string)."""

    def extract(event: CloudEvent) -> Any:
        found = fn(event)
        return found if found else MISSING

    if request or response:
        keys.note(
            extract,
            (
                frozenset(k.casefold() for k in request),
                frozenset(k.casefold() for k in response),
            ),
        )
    return extract


# The top-level keys the id readers of ec2_sg read (group_id_of, requested_rule_ids,
# created_rule_ids, revoked_rule_ids, modify_rule_updates, _description_rule_ids).
_GROUP_KEYS = ("groupId", "ModifySecurityGroupRulesRequest")
_RULE_ID_KEYS = ("securityGroupRuleIds", "securityGroupRuleId")
_CREATED_KEYS = ("securityGroupRuleSet",)
_REVOKED_KEYS = ("revokedSecurityGroupRuleSet",)


def _separate(rule_ids: Any) -> Guard:
    """The group's rules are separate resources and the call names rule ids."""

    def guard(event: CloudEvent, index: StateIndex) -> bool:
        return bool(rule_ids(event)) and uses_rule_resources(index, group_id_of(event))

    return guard


def _not(guard: Guard) -> Guard:
    def negated(event: CloudEvent, index: StateIndex) -> bool:
        return not guard(event, index)

    return negated


def _has_content(egress: bool, wanted: bool) -> Guard:
    def guard(event: CloudEvent, index: StateIndex) -> bool:
        return has_rule_content(event, egress) is wanted

    return guard


def _always(event: CloudEvent, index: StateIndex) -> bool:
    return True


def _by_name_only(event: CloudEvent, index: StateIndex) -> bool:
    """Default-VPC calls may name the group instead of giving its id."""
    return not group_id_of(event)


_GROUP_ID = req("groupId")
_GROUP_ID_ANY_FORM = _ids(lambda e: [group_id_of(e)] if group_id_of(e) else [], _GROUP_KEYS)


def _group_targets(
    effects: tuple[Effect, ...], guard: Guard, group_id: Extractor = _GROUP_ID
) -> tuple[Target, ...]:
    """The group as ``aws_default_security_group`` (only when that is what state has: a miss
    there must not stop the search), as ``aws_security_group`` by id, and by name."""
    default_guard = _and(guard, managed_ids(DEFAULT_SG, "id", group_id))
    name_guard = _and(guard, _by_name_only)
    return (
        Target(type=DEFAULT_SG, lookup="id", id=group_id, effects=effects, guard=default_guard),
        Target(type=SG, lookup="id", id=group_id, effects=effects, guard=guard),
        Target(type=SG, lookup="name", id=req("groupName"), effects=effects, guard=name_guard),
    )


def _and(first: Guard, second: Guard) -> Guard:
    def both(event: CloudEvent, index: StateIndex) -> bool:
        return first(event, index) and second(event, index)

    return both


def _mentioned_ids(egress: bool) -> Extractor:
    """Every id a rule call names: its group and the rule ids of request and response. A call
    lands (or joins an unmanaged drift) only through one of them."""

    def mentioned(event: CloudEvent) -> list[str]:
        gid = group_id_of(event)
        if not gid:
            return []  # by group name (default VPC): the prefilter cannot tell
        return [
            gid,
            *created_rule_ids(event, egress),
            *revoked_rule_ids(event, egress),
        ]

    return _ids(mentioned, _GROUP_KEYS + _RULE_ID_KEYS, _CREATED_KEYS + _REVOKED_KEYS)


def _authorize(direction: str) -> Rule:
    """A new rule: on a group with separate rule resources it is an unmanaged rule resource
    keyed by the ``sgr-`` id from the response; otherwise a change of the inline blocks."""
    egress = direction == "egress"
    created = _ids(lambda e: created_rule_ids(e, egress), response=_CREATED_KEYS)
    separate = _separate(created)
    return Rule(
        event=f"AuthorizeSecurityGroup{direction.capitalize()}",
        source=EC2,
        action=Action.MODIFY,
        targets=(
            Target(
                type=VPC_EGRESS_RULE if egress else VPC_INGRESS_RULE,
                lookup="id",
                id=created,
                action=Action.CREATE,
                guard=separate,
                effects=vpc_rule_effects("created", egress),
            ),
            *_group_targets((SecurityGroupRules(direction, "add"),), _not(separate)),
        ),
        severity=Severity.MEDIUM,
        description=f"{direction} rule added to a security group",
        severity_checks=() if egress else (world_open_ingress,),
        known_ids=_mentioned_ids(egress),
    )


def _revoke(direction: str) -> Rule:
    """A removed rule: a managed rule resource is deleted (matched by rule id, from the request
    or the response's ``revokedSecurityGroupRuleSet``); otherwise the inline blocks change.

    Limits: ``aws_security_group_rule`` is matched by rule id only (its content lives in
    attributes the index does not key); a revoke by content of a group with separate rule
    resources, on a record that lists no rule ids, is reported on the group's ``ingress``/
    ``egress`` (which the provider also fills from separate rules). A revoke by id only, of a
    rule neither the response nor an earlier event in the replay describes, is a
    resource-level change of the group: CloudTrail does not say which rule went.
    """
    egress = direction == "egress"
    revoked = _ids(lambda e: revoked_rule_ids(e, egress), _RULE_ID_KEYS, _REVOKED_KEYS)
    separate = _separate(revoked)
    effect = SecurityGroupRules(direction, "remove")
    opaque = _and(_not(separate), _has_content(egress, wanted=False))
    return Rule(
        event=f"RevokeSecurityGroup{direction.capitalize()}",
        source=EC2,
        action=Action.MODIFY,
        targets=(
            Target(
                type=LEGACY_RULE,
                lookup="security_group_rule_id",
                id=revoked,
                action=Action.DELETE,
                guard=managed_ids(LEGACY_RULE, "security_group_rule_id", revoked),
            ),
            Target(
                type=VPC_EGRESS_RULE if egress else VPC_INGRESS_RULE,
                lookup="id",
                id=revoked,
                action=Action.DELETE,
                guard=separate,
            ),
            *_group_targets((effect,), _and(_not(separate), _has_content(egress, wanted=True))),
            *_group_targets((), opaque)[:2],
        ),
        severity=Severity.MEDIUM,
        description=f"{direction} rule removed from a security group",
        known_ids=_mentioned_ids(egress),
    )


def _has_permissions(wanted: bool) -> Guard:
    def guard(event: CloudEvent, index: StateIndex) -> bool:
        return bool(request_permissions(event, group_id_of(event))) is wanted

    return guard


def _describe(direction: str) -> Rule:
    """New descriptions, given with the rules' content (``ipPermissions``) or by rule id
    (``securityGroupRuleDescriptions``). The id form says nothing about which inline rule it
    is: a resource-level change of the group, never "no change"."""
    egress = direction == "egress"
    described = _ids(
        lambda e: requested_rule_ids(e) or _description_rule_ids(e),
        (*_RULE_ID_KEYS, "securityGroupRuleDescriptions"),
    )
    separate = _separate(described)
    inline = _not(separate)
    return Rule(
        event=f"UpdateSecurityGroupRuleDescriptions{direction.capitalize()}",
        source=EC2,
        action=Action.MODIFY,
        targets=(
            # Separate rule resources: resource-level (the request's id form has no content).
            Target(
                type=VPC_EGRESS_RULE if egress else VPC_INGRESS_RULE,
                lookup="id",
                id=described,
                guard=separate,
            ),
            *_group_targets(
                (SecurityGroupRules(direction, "describe"),), _and(inline, _has_permissions(True))
            ),
            *_group_targets((), _and(inline, _has_permissions(False)))[:2],
        ),
        severity=Severity.LOW,
        description=f"{direction} rule description changed",
    )


def _description_rule_ids(event: CloudEvent) -> list[str]:
    out: list[str] = []
    for item in items(lookup(event.request or {}, "securityGroupRuleDescriptions")):
        rule_id = lookup(item, "securityGroupRuleId") if isinstance(item, Mapping) else MISSING
        if isinstance(rule_id, str) and rule_id:
            out.append(rule_id)
    return out


_MODIFIED_IDS = _ids(
    lambda e: [rule_id for rule_id, _ in modify_rule_updates(e)],
    ("ModifySecurityGroupRulesRequest", "securityGroupRules"),
)


def _modified_rule_target(rtype: str, egress: bool) -> Target:
    key = "security_group_rule_id" if rtype == LEGACY_RULE else "id"
    effects: tuple[Effect, ...] = (
        legacy_rule_effects("modified")
        if rtype == LEGACY_RULE
        else (*vpc_rule_effects("modified", egress), DirectionMarker(egress))
    )
    return Target(
        type=rtype,
        lookup=key,
        id=_MODIFIED_IDS,
        effects=effects,
        guard=managed_ids(rtype, key, _MODIFIED_IDS),
    )


MODIFY_SECURITY_GROUP_RULES = Rule(
    event="ModifySecurityGroupRules",
    source=EC2,
    action=Action.MODIFY,
    targets=(
        _modified_rule_target(VPC_INGRESS_RULE, egress=False),
        _modified_rule_target(VPC_EGRESS_RULE, egress=True),
        _modified_rule_target(LEGACY_RULE, egress=False),
        # Inline rules have no ids in state: the group changed, which rule CloudTrail's id
        # alone cannot tell (resource-level).
        *_group_targets((), _always, _GROUP_ID_ANY_FORM)[:2],
    ),
    severity=Severity.MEDIUM,
    description="security group rule replaced in place",
    severity_checks=(world_open_modified_rule,),
)

CREATE_SECURITY_GROUP = Rule(
    event="CreateSecurityGroup",
    source=EC2,
    action=Action.CREATE,
    targets=(
        Target(
            type=SG,
            lookup="id",
            id=resp("groupId"),
            import_id=resp("groupId"),
            effects=(
                Set("name", req("groupName"), exact),
                Set("description", req("groupDescription"), exact),
                Set("vpc_id", req("vpcId"), exact),
                Set("tags", spec_tags("security-group"), tags_map),
            ),
        ),
    ),
    severity=Severity.MEDIUM,
    description="security group created outside Terraform",
)

DELETE_SECURITY_GROUP = Rule(
    event="DeleteSecurityGroup",
    source=EC2,
    action=Action.DELETE,
    targets=(
        Target(type=SG, lookup="id", id=_GROUP_ID),
        Target(type=SG, lookup="name", id=req("groupName")),
    ),
    severity=Severity.HIGH,
    description="security group deleted",
)


SECURITY_GROUP_RULES: tuple[Rule, ...] = (
    _authorize("ingress"),
    _authorize("egress"),
    _revoke("ingress"),
    _revoke("egress"),
    _describe("ingress"),
    _describe("egress"),
    MODIFY_SECURITY_GROUP_RULES,
    CREATE_SECURITY_GROUP,
    DELETE_SECURITY_GROUP,
)
