"""Tags of load balancers and their parts: ``AddTags`` / ``RemoveTags``, logged under one name
by ELB classic (``loadBalancerNames``) and ELBv2 (``resourceArns``, any ELBv2 resource).

An ELBv2 call may tag a load balancer, listeners, rules and target groups at once: every
resource that lands counts, each found by the kind its ARN names. Tags go through ``tagging``
so that a tag the provider's ``default_tags`` already set is not reported as a resource tag.
"""

from __future__ import annotations

from typing import Any

from tfdrift_gitops.core.catalog.elb_shapes import CLASSIC, V2, classic_call, v2_call
from tfdrift_gitops.core.catalog.elbv2 import SOURCE
from tfdrift_gitops.core.catalog.model import Action, Extractor, Rule, Target, mapped, req
from tfdrift_gitops.core.catalog.support import string_list, tag_pairs
from tfdrift_gitops.core.catalog.tagging import DropTags, MergeTags
from tfdrift_gitops.core.paths import MISSING, items, lookup
from tfdrift_gitops.models import Severity

# ELBv2 resource types by the resource part of their ARN (``...:listener-rule/app/...``).
V2_KINDS = (
    ("aws_lb", ":loadbalancer/"),
    ("aws_lb_listener", ":listener/"),
    ("aws_lb_listener_rule", ":listener-rule/"),
    ("aws_lb_target_group", ":targetgroup/"),
)

TAGS = tag_pairs(req("tags"))


def _arns_of(marker: str) -> Extractor:
    def pick(value: Any) -> Any:
        found = [a for a in items(value) if isinstance(a, str) and marker in a]
        return found or MISSING

    return mapped(req("resourceArns"), pick)


def _removed_keys(value: Any) -> Any:
    """Classic ``RemoveTags`` names keys as ``tags: [{"key": ...}]``."""
    keys = [lookup(t, "key") for t in items(value)]
    return [k for k in keys if isinstance(k, str) and k] or MISSING


NAMES = string_list(req("loadBalancerNames"))


def _v2_targets(effect: Any) -> tuple[Target, ...]:
    return tuple(Target(rtype, "arn", _arns_of(marker), (effect,)) for rtype, marker in V2_KINDS)


RULES: tuple[Rule, ...] = (
    Rule(
        "AddTags",
        SOURCE,
        Action.MODIFY,
        _v2_targets(MergeTags("tags", TAGS)),
        severity=Severity.LOW,
        description="load balancing tags added",
        fan_out=True,
        matches=v2_call,
        discriminator=V2,
    ),
    Rule(
        "RemoveTags",
        SOURCE,
        Action.MODIFY,
        _v2_targets(DropTags("tags", string_list(req("tagKeys")))),
        severity=Severity.LOW,
        description="load balancing tags removed",
        fan_out=True,
        matches=v2_call,
        discriminator=V2,
    ),
    Rule(
        "AddTags",
        SOURCE,
        Action.MODIFY,
        (Target("aws_elb", "name", NAMES, (MergeTags("tags", TAGS),)),),
        severity=Severity.LOW,
        description="classic load balancer tags added",
        fan_out=True,
        matches=classic_call,
        discriminator=CLASSIC,
    ),
    Rule(
        "RemoveTags",
        SOURCE,
        Action.MODIFY,
        (
            Target(
                "aws_elb", "name", NAMES, (DropTags("tags", mapped(req("tags"), _removed_keys)),)
            ),
        ),
        severity=Severity.LOW,
        description="classic load balancer tags removed",
        fan_out=True,
        matches=classic_call,
        discriminator=CLASSIC,
    ),
)
