"""The catalog: one declarative table per AWS service, merged into one lookup.

Adding an event is adding a row to the service's table (and a row to its test table).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tfdrift_gitops.core.catalog import (
    acm,
    alarms,
    apigateway,
    apigateway_rest,
    apigateway_v2,
    autoscaling,
    autoscaling_tags,
    baselines,
    cloudfront,
    cloudtrail,
    dynamodb,
    ec2,
    ec2_compute,
    ec2_vpc,
    ecr,
    ecs,
    eks,
    eks_access,
    elasticache,
    elb_classic,
    elb_policies,
    elb_tags,
    elbv2,
    elbv2_targets,
    events,
    iam,
    iam_profiles,
    kinesis,
    kms,
    lambda_,
    logs,
    rds,
    rds_groups,
    route53,
    route53_health,
    s3,
    secretsmanager,
    sfn,
    sns,
    sqs,
    ssm,
    wafv2,
)
from tfdrift_gitops.core.catalog.model import Rule
from tfdrift_gitops.core.names import strip_version_suffix
from tfdrift_gitops.models import CloudEvent

SERVICE_TABLES: tuple[tuple[Rule, ...], ...] = (
    ec2.RULES,
    s3.RULES,
    iam.RULES,
    rds.RULES,
    lambda_.RULES,
    kms.RULES,
    cloudtrail.RULES,
    ecs.RULES,
    eks.RULES,
    eks_access.RULES,
    ecr.RULES,
    route53.RULES,
    dynamodb.RULES,
    sqs.RULES,
    sns.RULES,
    baselines.RULES,
    logs.RULES,
    alarms.RULES,
    events.RULES,
    ssm.RULES,
    secretsmanager.RULES,
    rds_groups.RULES,
    acm.RULES,
    apigateway.RULES,
    apigateway_rest.RULES,
    apigateway_v2.RULES,
    cloudfront.RULES,
    wafv2.RULES,
    elasticache.RULES,
    route53_health.RULES,
    elbv2.RULES,
    elbv2_targets.RULES,
    elb_classic.RULES,
    elb_policies.RULES,
    elb_tags.RULES,
    autoscaling.RULES,
    autoscaling_tags.RULES,
    ec2_compute.RULES,
    iam_profiles.RULES,
    ec2_vpc.RULES,
    sfn.RULES,
    kinesis.RULES,
)


class Catalog:
    """Rules by (base event name, event source).

    Two rows may share a key only when both say which calls are theirs (``Rule.matches``):
    ELB classic and ELBv2 log the same event names.
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules: dict[tuple[str, str], tuple[Rule, ...]] = {}
        for rule in rules:
            key = (rule.event, rule.source)
            present = self._rules.get(key, ())
            if present and (rule.matches is None or any(r.matches is None for r in present)):
                raise ValueError(f"duplicate catalog rule for {rule.event} ({rule.source})")
            self._rules[key] = (*present, rule)

    @classmethod
    def default(cls) -> Catalog:
        return cls(rule for table in SERVICE_TABLES for rule in table)

    def get(self, event_name: str, source: str, event: CloudEvent | None = None) -> Rule | None:
        """The row for a call; rows sharing a name are chosen by ``event`` (without it, the
        first of them, whose targets and ids the others do not share)."""
        found = self._rules.get((strip_version_suffix(event_name), source))
        if not found:
            return None
        if event is None or found[0].matches is None:
            return found[0]
        return next((r for r in found if r.matches is None or r.matches(event)), None)

    def rule_for(self, event: CloudEvent) -> Rule | None:
        return self.get(event.name, event.source, event)

    def shared(self, event_name: str, source: str) -> bool:
        """More than one row answers to this name (a prefilter cannot pick one from it)."""
        return len(self._rules.get((strip_version_suffix(event_name), source), ())) > 1

    def __iter__(self) -> Iterator[Rule]:
        return (rule for rules in self._rules.values() for rule in rules)

    def __len__(self) -> int:
        return sum(len(rules) for rules in self._rules.values())

    def event_names(self) -> list[str]:
        """Every event name as CloudTrail spells it (the Falco rules file lists these)."""
        return sorted({event for event, _ in self._rules})
