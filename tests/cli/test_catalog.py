"""``tfdrift-gitops catalog``, the row summaries behind it and the documents generated from it."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tfdrift_gitops.cli import cli
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.catalog.model import Action, Rule, Set, Target, req
from tfdrift_gitops.core.catalog.summary import (
    Evidence,
    Kind,
    parse_api_checked,
    parse_evidence,
    parse_verified,
    summarize,
    totals,
)
from tfdrift_gitops.remediation.coverage import row_importable
from tfdrift_gitops.render.catalog import (
    EVIDENCE_FILE,
    README_END,
    README_START,
    VERIFIED_FILE,
    bundled_api_checked,
    bundled_evidence,
    bundled_verified,
    catalog_rows,
    readme_sentence,
    render_markdown,
    replace_region,
)

REPO = Path(__file__).resolve().parents[2]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, ["catalog", *args], catch_exceptions=False)


def _json() -> dict[str, Any]:
    result = invoke("--format", "json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.output)
    return document


def test_json_has_one_row_per_rule_and_consistent_totals() -> None:
    document = _json()
    catalog = Catalog.default()
    rows = document["rows"]
    assert document["schema"] == "tfdrift-gitops/catalog/v1"
    assert {(r["source"], r["event"]) for r in rows} == {(r.source, r.event) for r in catalog}
    assert len(rows) == len(catalog)
    t = document["totals"]
    assert t["rows"] == len(rows)
    assert t["event_names"] == len({r.event for r in catalog})
    assert t["types"] == len({target.type for rule in catalog for target in rule.targets})
    assert sum(t["by_kind"].values()) == len(rows)
    plain_deletes = sum(
        1 for r in rows if r["kind"] == "delete" and not isinstance(r["attributes"], list)
    )
    assert t["attribute_level"] + t["resource_level"] + plain_deletes == len(rows)
    assert 0 <= t["attribute_level_share"] <= 1


def _row(event: str, source: str = "ec2.amazonaws.com") -> dict[str, Any]:
    [row] = [r for r in _json()["rows"] if r["event"] == event and r["source"] == source]
    found: dict[str, Any] = row
    return found


@pytest.mark.parametrize(
    ("event", "source", "kind", "attributes", "importable"),
    [
        ("DeleteVpc", "ec2.amazonaws.com", "delete", "resource-level", True),
        ("CreateTags", "ec2.amazonaws.com", "tag", ["tags"], True),
        ("ModifySnapshotAttribute", "ec2.amazonaws.com", "modify", "resource-level", False),
        ("ModifyInstanceMetadataOptions", "ec2.amazonaws.com", "modify", None, True),
        ("CreateKey", "kms.amazonaws.com", "create", None, True),
        # advanced_event_selector: a block of aws_cloudtrail in the provider's schema.
        ("PutEventSelectors", "cloudtrail.amazonaws.com", "modify", None, True),
        # value (aws_ssm_parameter) is sensitive in the provider's schema: its patch would be
        # refused.
        ("PutParameter", "ssm.amazonaws.com", "modify", None, False),
    ],
    ids=[
        "delete",
        "tag",
        "resource-level",
        "modify",
        "create-importable",
        "modify-nested-block",
        "modify-sensitive-attr",
    ],
)
def test_row_facts(event: str, source: str, kind: str, attributes: Any, importable: bool) -> None:
    row = _row(event, source)
    assert row["kind"] == kind
    if attributes is not None:
        assert row["attributes"] == attributes
    else:
        assert isinstance(row["attributes"], list) and row["attributes"]
    assert row["importable"] is importable


def test_create_of_a_type_remediate_cannot_write_is_not_importable() -> None:
    rule = Rule(
        "CreateWidget",
        "example.amazonaws.com",
        Action.CREATE,
        (Target("aws_widget", "id", req("id"), (Set("name", req("name")),), import_id=req("id")),),
    )
    assert row_importable(rule) is False


def test_verified_rows_are_marked_and_counted() -> None:
    catalog = Catalog.default()
    verified = parse_verified(
        json.dumps([{"source": "ec2.amazonaws.com", "event": "ModifyVpcAttribute"}])
    )
    rows = summarize(catalog, row_importable, verified)
    marked = [r for r in rows if r.verified_by_terraform]
    assert [(r.source, r.event) for r in marked] == [("ec2.amazonaws.com", "ModifyVpcAttribute")]
    assert totals(rows)["verified_by_terraform"] == 1


@pytest.mark.parametrize(
    ("named", "marked"),
    [
        ("ELBv2 (API 2015-12-01)", ["ELBv2 (API 2015-12-01)"]),
        ("ELB classic (API 2012-06-01)", ["ELB classic (API 2012-06-01)"]),
        (None, []),
    ],
    ids=["v2-only", "classic-only", "no-discriminator-names-neither"],
)
def test_a_verified_row_is_told_from_its_namesake(named: str | None, marked: list[str]) -> None:
    """ELB classic and ELBv2 share ``CreateLoadBalancer``: verifying one leaves the other
    unverified (the file is keyed by source, event and discriminator)."""
    source, event = "elasticloadbalancing.amazonaws.com", "CreateLoadBalancer"
    verified = parse_verified(
        json.dumps([{"source": source, "event": event, "discriminator": named}])
    )
    rows = summarize(Catalog.default(), row_importable, verified)
    pair = {
        r.discriminator: r.as_json()["verified_by_terraform"]
        for r in rows
        if (r.source, r.event) == (source, event)
    }
    assert len(pair) == 2, pair
    assert [d for d, verified_row in sorted(pair.items()) if verified_row] == marked
    assert totals(rows)["verified_by_terraform"] == len(marked)


@pytest.mark.parametrize(
    "text",
    [
        "{",
        "{}",
        "[1]",
        '[{"source": "ec2.amazonaws.com"}]',
        '[{"source": "", "event": "X"}]',
        '[{"source": "ec2.amazonaws.com", "event": "X", "discriminator": 1}]',
    ],
    ids=[
        "not-json",
        "not-a-list",
        "not-an-object",
        "no-event",
        "empty-source",
        "bad-discriminator",
    ],
)
def test_bad_verification_file_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"terraform_verified\.json"):
        parse_verified(text)


def test_the_shipped_verification_list_names_catalog_rows() -> None:
    """Missing is an empty list; present, every entry names a row of the catalog."""
    path = REPO / "tfdrift_gitops" / VERIFIED_FILE
    verified = bundled_verified()
    if not path.exists():
        assert verified == frozenset()
        return
    rows = {(r.source, r.event, r.discriminator) for r in Catalog.default()}
    assert verified <= rows, sorted(verified - rows)


def test_package_data_ships_the_data_directory() -> None:
    globs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["tfdrift_gitops"]
    assert "data/*.json" in globs


def test_text_lists_every_row_and_the_totals() -> None:
    result = invoke()
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["SERVICE", "EVENT", "KIND"]
    assert len(lines) == 1 + len(Catalog.default()) + 2
    assert lines[-1].startswith(f"{len(Catalog.default())} rows, ")
    assert "(+" in result.output  # CreateTags names dozens of types: shortened


def test_markdown_is_one_table_row_per_rule() -> None:
    result = invoke("--format", "markdown")
    assert result.exit_code == 0
    table = [line for line in result.output.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + len(Catalog.default())
    assert all(line.count(" | ") == 7 for line in table)


def test_markdown_escapes_table_syntax_in_descriptions() -> None:
    rule = Rule(
        "Put|Thing",
        "example.amazonaws.com",
        Action.MODIFY,
        (Target("aws_thing", "id", req("id")),),
    )
    text = render_markdown(summarize([rule], row_importable))
    assert "Put\\|Thing" in text


def test_unknown_format_is_refused() -> None:
    result = CliRunner().invoke(cli, ["catalog", "--format", "yaml"])
    assert result.exit_code == 2


def test_generated_documents_are_current() -> None:
    """docs/coverage.md and the README's sentence come from the catalog; regenerate with
    `.venv/bin/python scripts/regen_coverage.py`."""
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "regen_coverage.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_readme_region_is_the_generated_sentence() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index(README_START) + len(README_START)
    body = readme[start : readme.index(README_END)].strip()
    assert body == readme_sentence(catalog_rows())
    t = totals(catalog_rows())
    assert f"covers {t['event_names']} write events ({t['types']} Terraform" in body


def test_replace_region_needs_the_markers() -> None:
    with pytest.raises(ValueError, match="markers"):
        replace_region("no markers here", "x")
    text = f"a\n{README_START}\nold\n{README_END}\nb\n"
    assert replace_region(text, "new") == f"a\n{README_START}\nnew\n{README_END}\nb\n"


def test_kinds_cover_every_action() -> None:
    kinds = {r.kind for r in catalog_rows()}
    assert kinds == set(Kind)


def test_rows_sharing_an_event_name_are_told_apart() -> None:
    """ELB classic and v2 log the same names: each row carries its discriminator."""
    rows = catalog_rows()
    seen: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        seen.setdefault((row.source, row.event), []).append(row.discriminator)
    shared = {key: found for key, found in seen.items() if len(found) > 1}
    assert shared, "the catalog has rows sharing an event name (ELB classic and v2)"
    for key, found in shared.items():
        assert all(found) and len(set(found)) == len(found), key
    text = invoke().output
    key, found = next(iter(shared.items()))
    assert f"{key[1]} [{found[0]}]" in text


# --------------------------------------------------------------------------- evidence


def test_evidence_file_is_current() -> None:
    """tfdrift_gitops/data/evidence.json is what the replayed real-record fixtures say;
    regenerate with `.venv/bin/python scripts/regen_evidence.py`."""
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "regen_evidence.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_row_says_recorded_api_checked_or_modelled() -> None:
    document = _json()
    recorded, checked = bundled_evidence(), bundled_api_checked()
    assert recorded, "no row is recorded: evidence.json missing from the package?"
    assert not recorded & checked
    for row in document["rows"]:
        key = (row["source"], row["event"], row["discriminator"] or "")
        want = (
            Evidence.RECORDED
            if key in recorded
            else Evidence.API_CHECKED
            if key in checked
            else Evidence.MODELLED
        )
        assert row["evidence"] == want.value, key
    t = document["totals"]
    assert (t["recorded"], t["api_checked"]) == (len(recorded), len(checked))
    assert t["recorded"] + t["api_checked"] + t["modelled"] == t["rows"]
    assert " modelled " in invoke().output and " recorded " in invoke().output


def test_the_shipped_evidence_names_catalog_rows_and_existing_fixtures() -> None:
    data = json.loads((REPO / "tfdrift_gitops" / EVIDENCE_FILE).read_text(encoding="utf-8"))
    rows = {(r.source, r.event, r.discriminator) for r in Catalog.default()}
    assert parse_evidence(json.dumps(data)) | parse_api_checked(json.dumps(data)) <= rows
    for entry in data:
        if entry.get("evidence", "recorded") != "recorded":
            assert entry["evidence"] == "api-model" and entry["operation"], entry
            continue
        assert entry["records"], entry
        for path in entry["records"]:
            assert (REPO / path).is_file(), path


def test_elb_rows_sharing_a_name_have_their_own_evidence() -> None:
    """The classic and the v2 CreateLoadBalancer are both recorded, each by its own record."""
    data = json.loads((REPO / "tfdrift_gitops" / EVIDENCE_FILE).read_text(encoding="utf-8"))
    found = {
        entry["discriminator"]: entry["records"]
        for entry in data
        if entry["event"] == "CreateLoadBalancer"
        and entry.get("evidence", "recorded") == "recorded"
    }
    assert len(found) == 2 and all(found), found
    assert found["ELBv2 (API 2015-12-01)"] != found["ELB classic (API 2012-06-01)"]


def test_a_fixture_no_test_replays_is_not_evidence(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("regen", REPO / "scripts" / "regen_evidence.py")
    assert spec is not None and spec.loader is not None
    regen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regen)
    fixture = tmp_path / "lonely-record.json"
    many = tmp_path / "many.json"
    assert not regen.replays(fixture, True, "DeleteVpc", {"t.py": "nothing here"})
    assert regen.replays(fixture, True, "DeleteVpc", {"t.py": 'records("lonely-record.json")'})
    # A many-record file counts for the calls its test names, not for every call in it.
    text = 'records("many.json")  # DeleteVpc'
    assert regen.replays(many, False, "DeleteVpc", {"t.py": text})
    assert not regen.replays(many, False, "CreateVpc", {"t.py": text})


def test_summary_marks_recorded_rows() -> None:
    catalog = Catalog.default()
    rows = summarize(
        catalog, row_importable, recorded=frozenset({("ec2.amazonaws.com", "DeleteVpc", "")})
    )
    assert [r.event for r in rows if r.evidence is Evidence.RECORDED] == ["DeleteVpc"]
    assert totals(rows)["recorded"] == 1


def test_summary_marks_api_checked_rows_and_recorded_wins() -> None:
    vpc, sg = ("ec2.amazonaws.com", "DeleteVpc", ""), ("ec2.amazonaws.com", "CreateVpc", "")
    text = json.dumps(
        [
            {"source": vpc[0], "event": vpc[1], "records": ["x.json"]},
            {"source": sg[0], "event": sg[1], "evidence": "api-model", "operation": "ec2:X"},
            {"source": vpc[0], "event": vpc[1], "evidence": "api-model", "operation": "ec2:Y"},
        ]
    )
    recorded, checked = parse_evidence(text), parse_api_checked(text)
    rows = summarize(Catalog.default(), row_importable, recorded=recorded, api_checked=checked)
    evidence = {r.event: r.evidence for r in rows if r.event in ("DeleteVpc", "CreateVpc")}
    assert evidence == {"DeleteVpc": Evidence.RECORDED, "CreateVpc": Evidence.API_CHECKED}
    t = totals(rows)
    assert (t["recorded"], t["api_checked"], t["modelled"]) == (1, 1, t["rows"] - 2)


@pytest.mark.parametrize(
    "text",
    [
        "{",
        "{}",
        "[1]",
        '[{"source": "ec2.amazonaws.com"}]',
        '[{"source": "s", "event": "E", "discriminator": 3}]',
        '[{"source": "s", "event": "E", "evidence": "hearsay"}]',
    ],
    ids=["not-json", "not-a-list", "not-an-object", "no-event", "bad-discriminator", "bad-state"],
)
def test_bad_evidence_file_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"evidence\.json"):
        parse_evidence(text)
