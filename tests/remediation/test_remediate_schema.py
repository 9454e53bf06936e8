"""The remediation schema, derived from the AWS provider's schema dump plus the hand-kept facts.

The dump (tfdrift_gitops/data/aws_provider_schema.json.gz) says which arguments exist and how;
``schema_hand`` says what it cannot. Checked here: every hand-kept fact names something the
provider has (a renamed argument fails here, not in a user's pull request), and the derivation
answers the questions patching and generation ask the way the provider's schema does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tfdrift_gitops.core import provider_schema
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.remediation.ids import template_fields
from tfdrift_gitops.remediation.schema import BlockSchema, ResourceSchema, known_types, schema_for
from tfdrift_gitops.remediation.schema_hand import (
    FORCES_NEW,
    IMPORT_IDS,
    JSON_ARGUMENTS,
    SET_IDENTITY,
    WRITTEN_WHEN_FALSE,
)

# Template fields the import id builder fills from the catalog's extractor, not an argument.
_SYNTHESIZED = frozenset({"id", "arn_prefix"})


def _raw_block(rtype: str, path: str) -> Mapping[str, Any]:
    """The dump's block at ``path`` ("" = the resource), or the element object of an
    attributes-as-blocks argument as a block of attributes."""
    block = provider_schema.block_of(rtype)
    assert block is not None, f"{rtype} is not in the schema dump"
    for step in path.split(".") if path else ():
        nested = (block.get("block_types") or {}).get(step)
        if nested is not None:
            block = nested["block"]
            continue
        attr = (block.get("attributes") or {})[step]
        fields = attr["type"][1][1]
        block = {"attributes": {k: {"type": v, "optional": True} for k, v in fields.items()}}
    return block


def _block(rtype: str, path: str) -> BlockSchema:
    block = schema_for(rtype).as_block()
    for step in path.split(".") if path else ():
        block = block.blocks[step]
    return block


def _split(entry: str) -> tuple[str, str]:
    parent, _, name = entry.rpartition(".")
    return parent, name


def _entries(table: Mapping[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    return [(rtype, entry) for rtype, entries in table.items() for entry in entries]


@pytest.mark.parametrize(
    ("rtype", "entry"), _entries(JSON_ARGUMENTS), ids=lambda v: str(v).replace(".", "_")
)
def test_json_arguments_are_string_arguments(rtype: str, entry: str) -> None:
    parent, name = _split(entry)
    attr = (_raw_block(rtype, parent).get("attributes") or {}).get(name)
    assert attr is not None, f"{rtype} has no {entry}"
    assert attr["type"] == "string"
    assert name in _block(rtype, parent).json_fields


@pytest.mark.parametrize(
    ("rtype", "entry"), _entries(WRITTEN_WHEN_FALSE), ids=lambda v: str(v).replace(".", "_")
)
def test_true_defaults_are_optional_booleans(rtype: str, entry: str) -> None:
    """Required ones need no entry: the dump makes them written whatever their value."""
    parent, name = _split(entry)
    attr = (_raw_block(rtype, parent).get("attributes") or {}).get(name)
    assert attr is not None, f"{rtype} has no {entry}"
    assert attr["type"] == "bool" and attr.get("optional") and not attr.get("required")
    assert name in _block(rtype, parent).true_defaults


@pytest.mark.parametrize(("rtype", "name"), _entries(FORCES_NEW))
def test_arguments_forcing_replacement_are_configurable(rtype: str, name: str) -> None:
    schema = schema_for(rtype)
    assert schema.classify(name) == "configurable", f"{rtype} has no argument {name}"
    assert name in schema.forces_new
    assert schema.forces_new <= set(schema.arguments) | set(schema.blocks)


@pytest.mark.parametrize(
    ("rtype", "path", "identity"),
    [(t, p, i) for t, blocks in SET_IDENTITY.items() for p, i in blocks.items()],
    ids=lambda v: str(v).replace(".", "_"),
)
def test_identities_name_fields_of_sets_of_blocks(
    rtype: str, path: str, identity: tuple[str, ...]
) -> None:
    block = _block(rtype, path)
    assert block.is_set, f"{rtype}.{path} is not a set of blocks in the provider's schema"
    assert block.identity == identity
    assert set(identity) <= set(block.fields)


@pytest.mark.parametrize("rtype", sorted(IMPORT_IDS))
def test_import_ids_are_built_from_the_types_attributes(rtype: str) -> None:
    spec = IMPORT_IDS[rtype]
    top = provider_schema.top_level(rtype)
    assert top, f"{rtype} is not in the schema dump: run scripts/regen_provider_schema.py"
    assert set(template_fields(spec.template)) - _SYNTHESIZED <= set(top)
    if spec.name_argument is not None:
        assert schema_for(rtype).classify(spec.name_argument) == "configurable"
        assert spec.name_argument in spec.template or spec.template == "{id}"


def test_every_catalog_type_is_derived_from_the_dump() -> None:
    types = {target.type for rule in Catalog.default() for target in rule.targets}
    unknown = sorted(t for t in types if not schema_for(t).known)
    assert unknown == [], "run scripts/regen_provider_schema.py"
    assert set(known_types()) <= types | set(IMPORT_IDS)


def test_attributes_written_as_blocks_are_sets_of_blocks() -> None:
    """A security group's ``ingress`` is a set-of-objects attribute in the schema (the legacy
    SDK's attributes-as-blocks); code writes it as blocks, matched on the hand-kept key."""
    schema = schema_for("aws_security_group")
    ingress = schema.blocks["ingress"]
    assert "ingress" not in schema.arguments and schema.classify("ingress") == "configurable"
    assert ingress.is_set and ingress.identity == ("from_port", "to_port", "protocol")
    assert ingress.fields == tuple(sorted(ingress.fields))
    assert {"cidr_blocks", "from_port", "to_port", "protocol", "self"} <= set(ingress.fields)
    assert "security_groups" in ingress.set_fields and "cidr_blocks" not in ingress.set_fields


@pytest.mark.parametrize(
    ("rtype", "name", "kind"),
    [
        ("aws_db_instance", "password", "sensitive"),
        ("aws_db_instance", "arn", "computed"),
        ("aws_db_instance", "id", "computed"),
        ("aws_db_instance", "tags_all", "computed"),
        ("aws_db_instance", "storage_throughput", "configurable"),
        ("aws_db_instance", "timeouts", "unknown"),
        ("aws_db_instance", "no_such_argument", "unknown"),
        ("aws_iam_access_key", "status", "configurable"),
        ("aws_iam_access_key", "secret", "sensitive"),
        ("aws_widget", "no_such_argument", "configurable"),
        ("aws_widget", "arn", "computed"),
    ],
    ids=[
        "sensitive",
        "computed-only",
        "id",
        "tags_all",
        "optional",
        "timeouts-block",
        "not-in-schema",
        "configurable-status",
        "sensitive-secret",
        "uncovered-type-permissive",
        "uncovered-type-universal-computed",
    ],
)
def test_classify_follows_the_provider(rtype: str, name: str, kind: str) -> None:
    assert schema_for(rtype).classify(name) == kind


@pytest.mark.parametrize(
    ("rtype", "path", "name", "present"),
    [
        ("aws_instance", "root_block_device", "tags_all", False),
        ("aws_instance", "root_block_device", "volume_size", True),
        ("aws_lb_listener", "default_action.authenticate_oidc", "client_secret", False),
        ("aws_lb_listener", "default_action.authenticate_oidc", "client_id", True),
        ("aws_autoscaling_group", "launch_template", "id", True),
    ],
    ids=["nested-tags_all", "nested-optional", "nested-sensitive", "nested-required", "nested-id"],
)
def test_nested_fields(rtype: str, path: str, name: str, present: bool) -> None:
    assert (name in _block(rtype, path).fields) is present


def test_required_fields_are_written_even_when_empty() -> None:
    scanning = _block("aws_ecr_repository", "image_scanning_configuration")
    assert "scan_on_push" in scanning.true_defaults
    rule = schema_for("aws_vpc_security_group_ingress_rule")
    assert {"ip_protocol", "security_group_id"} <= rule.true_defaults


def test_fields_are_alphabetical_like_terraform_generated_config() -> None:
    for rtype in ("aws_instance", "aws_security_group", "aws_vpc_security_group_ingress_rule"):
        schema = schema_for(rtype)
        assert schema.arguments == tuple(sorted(schema.arguments))
        assert list(schema.blocks) == sorted(schema.blocks)


def test_uncovered_type_is_a_permissive_fallback() -> None:
    schema = schema_for("aws_widget")
    assert isinstance(schema, ResourceSchema)
    assert (schema.known, schema.importable, schema.arguments) == (False, False, ())
    assert not schema.valid_import_id("anything")


def test_covered_type_without_an_import_id_is_patched_never_generated() -> None:
    schema = schema_for("aws_key_pair")
    assert schema.known and not schema.importable
    assert schema.classify("public_key") == "configurable"


def test_derived_once_per_type() -> None:
    assert schema_for("aws_s3_bucket") is schema_for("aws_s3_bucket")
