"""The Falco rules file: in sync with the catalog, parseable, naming every field we read."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from tests.collector.rules_golden import FIXTURES, GOLDEN, small_catalog
from tfdrift_gitops.cli import cli
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.names import strip_version_suffix
from tfdrift_gitops.falco.rules import (
    LIST_NAME,
    OUTPUT_FIELDS,
    RULE_NAME,
    VERSIONED_SOURCES,
    condition,
    render_rules,
)


def _parsed(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    document = yaml.safe_load(text)
    lists = [item for item in document if "list" in item]
    rules = [item for item in document if "rule" in item]
    assert len(lists) == 1
    assert len(rules) == 1
    return lists[0], rules[0]


def test_lists_exactly_the_catalog_write_events() -> None:
    catalog = Catalog.default()
    listed, rule = _parsed(render_rules(catalog))
    assert listed["list"] == LIST_NAME
    assert listed["items"] == catalog.event_names()
    assert f"ct.name in ({LIST_NAME})" in rule["condition"]


def test_versioned_event_names_are_matched_by_prefix() -> None:
    catalog = Catalog.default()
    _, rule = _parsed(render_rules(catalog))
    prefixes = set(re.findall(r'ct\.name startswith "([A-Za-z]+)20"', rule["condition"]))
    expected = {strip_version_suffix(r.event) for r in catalog if r.source in VERSIONED_SOURCES}
    assert prefixes == expected
    assert prefixes, "the catalog has Lambda rows; their CloudTrail names carry 20150331v2"


def test_failed_calls_never_fire() -> None:
    assert condition(small_catalog()).endswith("and not ct.error exists")


def test_output_names_every_field_the_collector_reads() -> None:
    _, rule = _parsed(render_rules(small_catalog()))
    named = re.findall(r"%([a-z.]+)", rule["output"])
    assert named == list(OUTPUT_FIELDS)
    for field in ("ct.id", "ct.request", "ct.response", "ct.error", "ct.originaluser", "evt.time"):
        assert field in named
    assert rule["source"] == "aws_cloudtrail"
    assert rule["rule"] == RULE_NAME


def test_empty_catalog_is_refused() -> None:
    with pytest.raises(ValueError, match="no event"):
        render_rules(Catalog([]))


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden(name: str) -> None:
    assert GOLDEN[name]() == (FIXTURES / name).read_text(encoding="utf-8"), (
        "regenerate with: python tests/collector/regen_golden.py"
    )


def test_cli_prints_the_rules() -> None:
    result = CliRunner().invoke(cli, ["falco-rules"])
    assert result.exit_code == 0, result.output
    assert result.output == render_rules()
