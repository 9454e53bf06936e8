"""The catalog: one declarative table per AWS service, merged into one lookup.

Adding an event is adding a row to the service's table (and a row to its test table).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tfdrift_gitops.core.catalog import (
    cloudtrail,
    dynamodb,
    ec2,
    ecr,
    ecs,
    eks,
    eks_access,
    iam,
    kms,
    lambda_,
    rds,
    route53,
    s3,
    sns,
    sqs,
)
from tfdrift_gitops.core.catalog.model import Rule
from tfdrift_gitops.core.names import strip_version_suffix

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
)


class Catalog:
    """Rules by (base event name, event source)."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules: dict[tuple[str, str], Rule] = {}
        for rule in rules:
            key = (rule.event, rule.source)
            if key in self._rules:
                raise ValueError(f"duplicate catalog rule for {rule.event} ({rule.source})")
            self._rules[key] = rule

    @classmethod
    def default(cls) -> Catalog:
        return cls(rule for table in SERVICE_TABLES for rule in table)

    def get(self, event_name: str, source: str) -> Rule | None:
        return self._rules.get((strip_version_suffix(event_name), source))

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def event_names(self) -> list[str]:
        """Every event name as CloudTrail spells it (the Falco rules file lists these)."""
        return sorted({rule.event for rule in self._rules.values()})
