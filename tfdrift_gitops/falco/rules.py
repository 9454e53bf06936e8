"""The Falco rules file for the CloudTrail plugin, generated from the catalog.

One rule fires on every successful write call the catalog knows. The output string names every
``ct.*`` field the collector reads, because Falco only puts into ``output_fields`` the fields
that appear in the output string. The condition uses ``not ct.error exists``: the plugin reports
``ct.error`` as absent when a record has no ``errorCode`` (the idiom of Falco's own CloudTrail
rules); the collector drops failed calls again anyway.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.names import strip_version_suffix

RULE_NAME = "Terraform drift candidate (tfdrift-gitops)"
RULE_TAG = "tfdrift_gitops"
LIST_NAME = "tfdrift_write_events"
SOURCE = "aws_cloudtrail"

# Every field the collector's normaliser reads (tfdrift_gitops.core.normalize): ct.time is the
# exact eventTime; evt.time (the plugin's event timestamp) is the fallback.
OUTPUT_FIELDS: tuple[str, ...] = (
    "ct.id",
    "ct.time",
    "ct.name",
    "ct.src",
    "ct.shortsrc",
    "ct.region",
    "ct.srcip",
    "ct.useragent",
    "ct.user",
    "ct.originaluser",
    "ct.user.arn",
    "ct.user.identitytype",
    "ct.user.accountid",
    "ct.user.principalid",
    "ct.request",
    "ct.response",
    "ct.error",
    "ct.readonly",
    "evt.time",
)

# Services whose CloudTrail event names carry an API-version suffix the catalog strips
# (UpdateFunctionConfiguration20150331v2). For these the rule matches the base name followed by
# a date, since the suffix changes with API versions the catalog does not list.
VERSIONED_SOURCES: frozenset[str] = frozenset({"lambda.amazonaws.com"})

# The newest field the output names decides: ct.request/ct.response came with cloudtrail 0.12.0,
# ct.originaluser with 0.16.0. Requiring less lets Falco with plugin 0.12-0.15 pass the version
# check and then refuse the rule over an unknown field; requiring 0.16.0 fails with the reason.
# (Plugins >= 0.15 need plugin API 3.11, i.e. Falco >= 0.41; docs/collector.md has the table.)
REQUIRED_PLUGIN_VERSION = "0.16.0"


# Falco documents no limit on a list's length or a rules file's size; the one report of lists
# failing to load (falcosecurity/falco#1736) concerns files of megabytes. The list is split per
# event source, and per MAX_LIST_ITEMS within one, so that each stays readable; the combined
# list only names the parts (Falco expands lists named inside lists).
MAX_LIST_ITEMS = 100


def _quote(value: str) -> str:
    """A Falco string literal (JSON quoting is a subset Falco's lexer accepts)."""
    return json.dumps(value)


def service_lists(catalog: Catalog) -> list[tuple[str, list[str]]]:
    """``(list name, event names)`` per event source, in chunks of at most MAX_LIST_ITEMS."""
    by_service: dict[str, set[str]] = {}
    for rule in catalog:
        service = re.sub(r"[^a-z0-9]+", "_", rule.source.split(".", 1)[0].lower()).strip("_")
        by_service.setdefault(service or "other", set()).add(rule.event)
    out: list[tuple[str, list[str]]] = []
    for service, names in sorted(by_service.items()):
        ordered = sorted(names)
        chunks = [ordered[i : i + MAX_LIST_ITEMS] for i in range(0, len(ordered), MAX_LIST_ITEMS)]
        for number, chunk in enumerate(chunks, start=1):
            suffix = f"_{number}" if len(chunks) > 1 else ""
            out.append((f"{LIST_NAME}_{service}{suffix}", chunk))
    return out


def condition_lines(catalog: Catalog) -> list[str]:
    """The condition, one clause per line (joined with spaces it is one Falco expression)."""
    if not catalog.event_names():
        raise ValueError("the catalog has no event: nothing to write a Falco rule for")
    versioned = sorted(
        {strip_version_suffix(rule.event) for rule in catalog if rule.source in VERSIONED_SOURCES}
    )
    lines = [f"(ct.name in ({LIST_NAME})"]
    lines += [f" or ct.name startswith {_quote(base + '20')}" for base in versioned]
    lines[-1] += ")"
    lines.append("and not ct.error exists")
    return lines


def condition(catalog: Catalog) -> str:
    return " ".join(line.strip() for line in condition_lines(catalog))


def output_string(fields: Iterable[str] = OUTPUT_FIELDS) -> str:
    parts = " ".join(f"{field}=%{field}" for field in fields)
    return f"Terraform drift candidate ({parts})"


def render_rules(catalog: Catalog | None = None) -> str:
    """The rules file as YAML text; ``catalog`` defaults to the built-in one.

    Block scalars keep it readable; they are safe because every value in them is ours (event
    names are identifiers, fields are fixed), which the tests check by parsing the result.
    """
    catalog = catalog if catalog is not None else Catalog.default()
    output_lines = ["Terraform drift candidate ("]
    output_lines += [f"  {field}=%{field}" for field in OUTPUT_FIELDS]
    output_lines[-1] += ")"
    lines = [
        "# Generated by `tfdrift-gitops falco-rules`; regenerate after upgrading tfdrift-gitops.",
        "# Fires on every successful AWS write call that tfdrift-gitops can turn into drift.",
        "- required_engine_version: 10",
        "",
        "- required_plugin_versions:",
        "    - name: cloudtrail",
        f"      version: {REQUIRED_PLUGIN_VERSION}",
        "",
    ]
    parts = service_lists(catalog)
    for name, events in parts:
        lines += [f"- list: {name}", "  items:", *(f"    - {event}" for event in events), ""]
    lines += [
        f"- list: {LIST_NAME}",
        "  items:",
        *(f"    - {name}" for name, _ in parts),
        "",
        f"- rule: {RULE_NAME}",
        "  desc: >-",
        "    A CloudTrail write call on a resource type tfdrift-gitops knows. The collector",
        "    matches it against Terraform state; most calls are Terraform's own and are dropped.",
        "  condition: >-",
        *(f"    {line.strip()}" for line in condition_lines(catalog)),
        "  output: >-",
        *(f"    {line.strip()}" for line in output_lines),
        "  priority: NOTICE",
        f"  source: {SOURCE}",
        f"  tags: [cloud, aws, {RULE_TAG}]",
        "",
    ]
    return "\n".join(lines)
