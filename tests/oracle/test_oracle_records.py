"""The oracle's bookkeeping: the coverage record, the case tables and the provider schema dump.

No terraform needed: these read the case tables and the packaged schema dump.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from tfdrift_gitops.core import provider_schema
from tfdrift_gitops.core.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_verified_record_equals_the_case_tables() -> None:
    """tfdrift_gitops/data/terraform_verified.json is what the case tables say (regenerate
    with scripts/regen_terraform_verified.py)."""
    regen = _script("regen_terraform_verified")
    shipped = json.loads((ROOT / "tfdrift_gitops" / "data" / "terraform_verified.json").read_text())
    assert shipped == regen.verified_rows()


def test_every_row_without_a_case_has_a_line_in_the_docs() -> None:
    """docs/oracle.md lists every catalog row no oracle case verifies, with why."""
    regen = _script("regen_terraform_verified")
    doc = (ROOT / "docs" / "oracle.md").read_text(encoding="utf-8")
    assert doc == regen.render_doc(doc), "run scripts/regen_terraform_verified.py"


def test_every_unreached_target_is_of_a_verified_row() -> None:
    """``WHY_TARGET`` names a target type of a row some case verifies (a row no case verifies
    has its reason in ``WHY`` instead), and no case lands on that type."""
    regen = _script("regen_terraform_verified")
    verified = {(r["source"], r["event"]) for r in regen.verified_rows()}
    reached = {
        (case.source, case.event, case.rtype)
        for cases in regen.case_tables().values()
        for case in cases
    }
    for source, event, rtype in regen.WHY_TARGET:
        types = {
            t.type
            for r in Catalog.default()
            if (r.source, r.event) == (source, event)
            for t in r.targets
        }
        assert rtype in types, f"{event}: no target {rtype} among {types}"
        assert (source, event) in verified, f"{event}: no case verifies the row (WHY instead)"
        assert (source, event, rtype) not in reached, f"{event}: a case lands on {rtype}"


def test_every_case_names_a_catalog_row_and_its_type() -> None:
    """A case names one row: where rows share (source, event), by its discriminator too
    (``Case(discriminator=...)``, e.g. ``REST API (restApiId)`` for a REST ``UpdateStage``)."""
    regen = _script("regen_terraform_verified")
    rows = {(r.source, r.event, r.discriminator): r for r in Catalog.default()}
    for module, cases in regen.case_tables().items():
        for case in cases:
            rule = rows.get(regen.case_row(case))
            assert rule is not None, f"{module}:{case.id}: no catalog row {regen.case_row(case)}"
            types = {t.type for t in rule.targets}
            assert case.rtype in types, f"{module}:{case.id}: {case.rtype} not among {types}"


def test_a_verified_row_does_not_verify_its_namesake() -> None:
    """The coverage record keys rows by discriminator: the ELBv2 ``AddTags`` case leaves the
    ELB classic row unverified, and docs/oracle.md lists that row with its own reason."""
    regen = _script("regen_terraform_verified")
    verified = {(r["source"], r["event"], r["discriminator"]) for r in regen.verified_rows()}
    elb = "elasticloadbalancing.amazonaws.com"
    assert (elb, "AddTags", "ELBv2 (API 2015-12-01)") in verified
    assert (elb, "AddTags", "ELB classic (API 2012-06-01)") not in verified
    assert (elb, "AddTags", None) not in verified
    section = regen.uncovered_section()
    classic = [line for line in section.splitlines() if "| AddTags | ELB classic" in line]
    assert len(classic) == 1 and "panics" in classic[0], classic
    assert "| AddTags | ELBv2" not in section


@pytest.mark.parametrize(
    ("named", "lands"),
    [("ELBv2 (API 2015-12-01)", True), ("ELB classic (API 2012-06-01)", False), ("", False)],
    ids=["v2-named-v2", "classic-named-for-v2-record", "unnamed"],
)
def test_a_case_must_name_the_row_its_record_lands_on(named: str, lands: bool) -> None:
    """The harness refuses a case on a shared name whose record is another row's (or that
    names none): the coverage record would otherwise mark the wrong row verified."""
    from datetime import UTC, datetime

    from tests.oracle.harness import Call, Case, _check_row, record_for

    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef"
    case = Case(
        id="tagged",
        event="AddTags",
        source="elasticloadbalancing.amazonaws.com",
        fixture="elbv2-delete-load-balancer.json",
        hcl="",
        address="aws_lb_target_group.tg",
        act=lambda world: Call(None),
        discriminator=named,
    )
    call = Call({"resourceArns": [arn], "tags": [{"key": "owner", "value": "alan"}]})
    record = record_for(case, call, datetime.now(UTC))
    if lands:
        _check_row(Catalog.default(), case, record)
    else:
        with pytest.raises(AssertionError, match="the record lands on"):
            _check_row(Catalog.default(), case, record)


def _effect_paths() -> list[tuple[str, str, str]]:
    found = []
    for rule in Catalog.default():
        for target in rule.targets:
            for effect in target.effects:
                if not effect.path.startswith("__"):
                    found.append((target.type, effect.path, rule.event))
    return sorted(set(found))


@pytest.mark.parametrize(
    ("rtype", "path", "event"), _effect_paths(), ids=lambda v: str(v).replace(".", "_")
)
def test_catalog_paths_exist_in_the_provider_schema(rtype: str, path: str, event: str) -> None:
    """Every attribute path a catalog effect writes is an argument of its type in the AWS
    provider's schema (tfdrift_gitops/data/aws_provider_schema.json.gz)."""
    assert provider_schema.block_of(rtype) is not None, (
        f"{rtype} is not in the schema dump: run scripts/regen_provider_schema.py"
    )
    assert provider_schema.path_exists(rtype, path), f"{event}: {rtype} has no {path}"


def test_schema_dump_names_sensitive_arguments() -> None:
    assert "password" in provider_schema.sensitive_paths("aws_db_instance")
    assert provider_schema.sensitive_paths("aws_vpc") == ()
    assert "ingress" in provider_schema.configurable("aws_security_group")
    assert "arn" in provider_schema.computed_only("aws_security_group")


def test_remediation_never_writes_what_the_provider_hides_or_computes() -> None:
    """For every type remediation knows, an argument the provider marks sensitive classifies
    as sensitive (never written), and one only the provider computes is never configurable."""
    from tfdrift_gitops.remediation.schema import known_types, schema_for

    wrong = []
    for rtype in known_types():
        schema = schema_for(rtype)
        for name, stated in provider_schema.top_level(rtype).items():
            kind = schema.classify(name)
            if stated.sensitive and kind != "sensitive":
                wrong.append((rtype, name, kind))
            if not stated.configurable and kind == "configurable":
                wrong.append((rtype, name, kind))
    assert wrong == []


def test_remediation_arguments_are_provider_arguments() -> None:
    """Every argument and block a remediation table writes is configurable in the provider."""
    from tfdrift_gitops.remediation.schema import known_types, schema_for

    wrong = []
    for rtype in known_types():
        top = provider_schema.top_level(rtype)
        assert top, f"{rtype} is not in the schema dump: run scripts/regen_provider_schema.py"
        schema = schema_for(rtype)
        wrong += [(rtype, a) for a in schema.arguments if a not in top or not top[a].configurable]
        wrong += [(rtype, b) for b in schema.blocks if b not in top]
    assert wrong == []
