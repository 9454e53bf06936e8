"""The part-2 catalog rows and their state fixtures against the AWS provider 5.100.0 schema.

``tests/fixtures/schemas/aws-provider-5.100.0-services.json`` is the schema of every type these
rows name, as ``terraform providers schema -json`` prints it (trimmed to attribute flags and
nested blocks; ``scripts/regenerate_schema_services.py`` writes it). Checked here: every type has
a schema; every attribute path an effect writes exists in it; the hand-built state fixtures hold
the schema's top-level attributes and blocks and nothing else, with the provider's schema
versions; and remediation knows every type.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tfdrift_gitops.core.catalog.model import Rule
from tfdrift_gitops.remediation.schema import known_types

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROVIDER: dict[str, Any] = json.loads(
    (FIXTURES / "schemas" / "aws-provider-5.100.0-services.json").read_text()
)
MODULES = (
    "route53",
    "route53_health",
    "dynamodb",
    "sqs",
    "sns",
    "logs",
    "alarms",
    "events",
    "ssm",
    "secretsmanager",
    "baselines",
    "rds_groups",
    "acm",
    "apigateway",
    "apigateway_rest",
    "apigateway_v2",
    "cloudfront",
    "wafv2",
    "elasticache",
    "sfn",
    "kinesis",
)
STATES = (
    "route53",
    "dynamodb",
    "messaging",
    "observability",
    "secrets",
    "baselines",
    "rds-groups",
    "apigateway",
    "edge",
    "pipelines",
)


def rules() -> list[Rule]:
    found: list[Rule] = []
    for name in MODULES:
        module = importlib.import_module(f"tfdrift_gitops.core.catalog.{name}")
        found.extend(module.RULES)
    return found


def _resolves(block: dict[str, Any], path: str) -> bool:
    """``a[0].b`` names attribute ``b`` of block ``a`` (or attribute ``a`` when it is last)."""
    parts = [p for p in re.sub(r"\[\d+\]", "", path).split(".") if p]
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if last and part in block.get("attributes", {}):
            return True
        nested = block.get("block_types", {}).get(part)
        if nested is None:
            return False
        if last:
            return True
        block = nested["block"]
    return False


def test_every_type_has_a_schema_and_a_remediation_table() -> None:
    types = {t.type for rule in rules() for t in rule.targets}
    assert types - set(PROVIDER) == set()
    assert types - set(known_types()) == set()


def test_every_effect_path_is_in_the_schema() -> None:
    problems = []
    for rule in rules():
        for target in rule.targets:
            block = PROVIDER[target.type]["block"]
            for effect in target.effects:
                path = effect.path
                if path != "tags" and not _resolves(block, path):
                    problems.append(f"{rule.event} -> {target.type}.{path}")
                if path == "tags" and "tags" not in block["attributes"]:
                    problems.append(f"{rule.event} -> {target.type}.tags")
    assert problems == []


@pytest.mark.parametrize("service", STATES)
def test_state_fixture_holds_the_schema_attributes(service: str) -> None:
    doc = json.loads((FIXTURES / "states" / f"real-{service}.tfstate").read_text())
    for resource in doc["resources"]:
        schema = PROVIDER[resource["type"]]
        instance = resource["instances"][0]
        assert instance["schema_version"] == schema["version"], resource["type"]
        block = schema["block"]
        known = {*block["attributes"], *block.get("block_types", {})}
        held = set(instance["attributes"]) - {"timeouts"}
        where = f"{resource['type']}.{resource['name']}"
        assert (sorted(held - known), sorted(known - held)) == ([], []), where
