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
from tfdrift_gitops.core.catalog.model import Action, Rule, Target, req
from tfdrift_gitops.core.names import strip_version_suffix
from tfdrift_gitops.falco.rules import (
    LIST_NAME,
    MAX_LIST_ITEMS,
    OUTPUT_FIELDS,
    RULE_NAME,
    VERSIONED_SOURCES,
    condition,
    render_rules,
    service_lists,
)


def _parsed(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The combined event list (its items expanded as Falco expands named lists) and the rule."""
    document = yaml.safe_load(text)
    lists = {item["list"]: item["items"] for item in document if "list" in item}
    rules = [item for item in document if "rule" in item]
    assert len(rules) == 1
    expanded: list[str] = []
    for item in lists[LIST_NAME]:
        expanded.extend(lists.get(item, [item]))
    return {"list": LIST_NAME, "items": expanded}, rules[0]


def test_lists_exactly_the_catalog_write_events() -> None:
    catalog = Catalog.default()
    listed, rule = _parsed(render_rules(catalog))
    assert listed["list"] == LIST_NAME
    # A name two services log (TagResource: KMS and Lambda) sits in both services' lists.
    assert sorted(set(listed["items"])) == catalog.event_names()
    assert f"ct.name in ({LIST_NAME})" in rule["condition"]


FALCO_KEYS = {"required_engine_version", "required_plugin_versions", "list", "macro", "rule"}
RULE_KEYS = {"rule", "desc", "condition", "output", "priority", "source", "tags"}
PRIORITIES = {
    "EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFORMATIONAL", "DEBUG"
}  # fmt: skip
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
LIST_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _falco_problems(text: str) -> list[str]:
    """What Falco's loader would reject in the file's structure (no Falco binary here): item
    kinds, names, lists defined before use, the rule's keys, balanced condition."""
    problems: list[str] = []
    document = yaml.safe_load(text)
    if not isinstance(document, list):
        return ["the file is not a YAML sequence"]
    defined: set[str] = set()
    for item in document:
        kinds = FALCO_KEYS & set(item)
        if len(kinds) != 1:
            problems.append(f"item with keys {sorted(item)}")
            continue
        if "list" in item:
            name = item["list"]
            if not LIST_ID.match(name) or name in defined:
                problems.append(f"bad or repeated list name {name!r}")
            for entry in item["items"]:
                if not (IDENTIFIER.match(entry) or entry in defined):
                    problems.append(f"list {name}: {entry!r} is no event name nor earlier list")
            if len(item["items"]) != len(set(item["items"])):
                problems.append(f"list {name} repeats an item")
            defined.add(name)
        if "rule" in item:
            if set(item) != RULE_KEYS:
                problems.append(f"rule keys {sorted(item)}")
            if item["priority"] not in PRIORITIES:
                problems.append(f"priority {item['priority']}")
            cond = item["condition"]
            if cond.count("(") != cond.count(")"):
                problems.append("unbalanced condition")
            for used in re.findall(r" in \(([a-z_0-9]+)\)", cond):
                if used not in defined:
                    problems.append(f"condition uses undefined list {used}")
    return problems


def test_rendered_rules_are_valid_falco_yaml() -> None:
    assert _falco_problems(render_rules()) == []
    assert _falco_problems(render_rules(small_catalog())) == []


def test_a_hand_broken_file_is_caught() -> None:
    """The structure check itself fails on what Falco refuses."""
    broken = render_rules(small_catalog())
    broken = broken.replace("ct.name in (tfdrift_write_events)", "ct.name in (no_such_list)")
    assert any("undefined list" in p for p in _falco_problems(broken))


# Falco documents no size limit; the only reported failures to load lists are files of
# megabytes (falcosecurity/falco#1736). Stay two orders of magnitude below.
MAX_RULES_BYTES = 64 * 1024


def test_rules_file_stays_small_and_every_list_readable() -> None:
    text = render_rules()
    assert len(text.encode()) < MAX_RULES_BYTES
    document = yaml.safe_load(text)
    for item in document:
        if "list" in item:
            assert len(item["items"]) <= MAX_LIST_ITEMS, item["list"]


def test_a_big_service_is_split_into_several_lists() -> None:
    rules = [
        Rule(f"PutThing{n:04d}", "ec2.amazonaws.com", Action.MODIFY, (Target("t", "id", req("i")),))
        for n in range(2 * MAX_LIST_ITEMS + 1)
    ]
    parts = service_lists(Catalog(rules))
    assert [name for name, _ in parts] == [f"{LIST_NAME}_ec2_{n}" for n in (1, 2, 3)]
    assert [len(events) for _, events in parts] == [MAX_LIST_ITEMS, MAX_LIST_ITEMS, 1]
    listed, _ = _parsed(render_rules(Catalog(rules)))
    assert listed["items"] == sorted(r.event for r in rules)


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


# When the cloudtrail plugin gained the fields the output names (falcosecurity/plugins,
# plugins/cloudtrail CHANGELOG). Falco refuses a rule naming a field its plugin lacks, so the
# rules file must require the newest of them, not pass the version check and then fail.
FIELD_SINCE = {"ct.request": (0, 12, 0), "ct.response": (0, 12, 0), "ct.originaluser": (0, 16, 0)}


def test_required_plugin_version_has_every_field_the_output_names() -> None:
    document = yaml.safe_load(render_rules(small_catalog()))
    (required,) = [item for item in document if "required_plugin_versions" in item]
    (plugin,) = required["required_plugin_versions"]
    assert plugin["name"] == "cloudtrail"
    version = tuple(int(part) for part in str(plugin["version"]).split("."))
    _, rule = _parsed(render_rules(small_catalog()))
    named = set(re.findall(r"%([a-z.]+)", rule["output"]))
    needed = max(since for field, since in FIELD_SINCE.items() if field in named)
    assert version >= needed, f"the output names a field of cloudtrail {needed}"


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
