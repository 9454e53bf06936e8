"""Revert of drifted arguments the code leaves unset: the pre-drift value is written in.

The provider keeps the remote value for such arguments (optional+computed ones, blocks such as
``ttl`` or ``metadata_options``, an EventBridge rule's ``state`` whose difference it suppresses
when unset), so the revert marker alone plans no change; the oracle found each of these
(tests/oracle: ``table_ttl``, ``table_pitr``, ``instance_imds``, ``rule_disabled``,
``gateway_attached``). Arguments that mirror one another (``is_enabled`` and ``state``) are
written once, as the code already says it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.remediation.remediation_cases import make_drift
from tfdrift_gitops.remediation import RemediationResult, remediate
from tfdrift_gitops.remediation.hcl_tree import parse
from tfdrift_gitops.remediation.schema import schema_for
from tfdrift_gitops.remediation.schema_hand import ALIASES
from tfdrift_gitops.remediation.verify import find_resource

CODE = """\
resource "aws_dynamodb_table" "t" {
  name           = "t"
  hash_key       = "pk"
  billing_mode   = "PROVISIONED"
  read_capacity  = 1
  write_capacity = 1

  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_cloudwatch_event_rule" "r" {
  name                = "r"
  schedule_expression = "rate(5 minutes)"
}

resource "aws_cloudwatch_event_rule" "legacy" {
  name                = "legacy"
  schedule_expression = "rate(5 minutes)"
  is_enabled          = true
}

resource "aws_instance" "i" {
  ami           = "ami-12c6146b"
  instance_type = "t3.micro"
}

resource "aws_internet_gateway" "g" {
}

resource "aws_iam_role" "role" {
  name               = "role"
  assume_role_policy = "{}"
}

resource "aws_security_group" "sg" {
  name   = "sg"
  vpc_id = "vpc-0a1b2c3d"
}

resource "aws_s3_bucket_acl" "acl" {
  bucket = "data"
  acl    = "private"
}

resource "aws_cloudfront_distribution" "cdn" {
  enabled = true

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }
}
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    live = tmp_path / "live"
    live.mkdir()
    (live / "main.tf").write_text(CODE)
    return live


def _run(
    workdir: Path, address: str, changes: list[tuple[str, Any, Any]], strategy: str = "revert"
) -> RemediationResult:
    rtype = address.split(".", 1)[0]
    return remediate(make_drift(address, rtype, changes), workdir, strategy, use_terraform=False)


def _resource_text(result: RemediationResult, address: str) -> str:
    assert not result.refusals, result.refusals
    assert len(result.changes) == 1, result.changes
    text = result.changes[0].new
    rtype, name = address.split(".", 1)
    block = find_resource(parse(text, "main.tf"), rtype, name)
    assert block is not None
    return text[block.start : block.end]


@pytest.mark.parametrize(
    ("address", "changes", "written"),
    [
        pytest.param(
            "aws_dynamodb_table.t",
            [("ttl[0].enabled", False, True), ("ttl[0].attribute_name", "", "expires")],
            "  ttl {\n    enabled = false\n  }\n",
            id="ttl-block",
        ),
        pytest.param(
            "aws_dynamodb_table.t",
            [("point_in_time_recovery[0].enabled", False, True)],
            "  point_in_time_recovery {\n    enabled = false\n  }\n",
            id="pitr-block",
        ),
        pytest.param(
            "aws_instance.i",
            [("metadata_options[0].http_tokens", "optional", "required")],
            '  metadata_options {\n    http_tokens = "optional"\n  }\n',
            id="metadata-options-block",
        ),
        pytest.param(
            "aws_cloudwatch_event_rule.r",
            [("state", "ENABLED", "DISABLED"), ("is_enabled", True, False)],
            '  state               = "ENABLED"\n',
            id="rule-state-not-is-enabled",
        ),
    ],
)
def test_revert_writes_the_old_value_of_an_unset_argument(
    workdir: Path, address: str, changes: list[tuple[str, Any, Any]], written: str
) -> None:
    result = _run(workdir, address, changes)
    block = _resource_text(result, address)
    assert written in block, block
    assert "is_enabled" not in block
    assert any("value from before the drift is written" in n for n in result.notes)
    assert "tfdrift-gitops: revert" in result.changes[0].new


def test_revert_of_arguments_the_code_sets_only_marks_the_block(workdir: Path) -> None:
    """The code says ``is_enabled`` (the deprecated alias): neither it nor ``state`` is
    written; applying the code sets the value back."""
    result = _run(
        workdir,
        "aws_cloudwatch_event_rule.legacy",
        [("state", "ENABLED", "DISABLED"), ("is_enabled", True, False)],
    )
    change = result.changes[0]
    assert change.old is not None
    marker = next(line for line in change.new.splitlines() if "tfdrift-gitops: revert" in line)
    assert change.new.replace(marker + "\n", "") == change.old


def test_an_empty_old_value_of_a_computed_argument_is_refused(workdir: Path) -> None:
    """``vpc_id = ""`` plans no change (the provider reads it as unset): no marker promising a
    revert, a refusal saying to undo the call in AWS."""
    result = _run(workdir, "aws_internet_gateway.g", [("vpc_id", "", "vpc-0a1b2c3d")])
    assert result.changes == ()
    assert len(result.refusals) == 1
    refusal = result.refusals[0]
    assert refusal.reason.startswith("`vpc_id` of aws_internet_gateway.g cannot be set back")
    assert "reads an empty string in an optional, computed argument as unset" in refusal.reason
    assert "in AWS by hand" in refusal.action


def test_a_block_whose_required_field_is_unknown_is_refused(workdir: Path) -> None:
    result = _run(
        workdir,
        "aws_dynamodb_table.t",
        [("point_in_time_recovery[0].recovery_period_in_days", 35, 7)],
    )
    assert result.changes == ()
    assert "required `enabled`" in result.refusals[0].reason


def test_import_writes_the_alias_the_code_already_uses(workdir: Path) -> None:
    legacy = _run(
        workdir,
        "aws_cloudwatch_event_rule.legacy",
        [("state", "ENABLED", "DISABLED"), ("is_enabled", True, False)],
        "import",
    )
    block = _resource_text(legacy, "aws_cloudwatch_event_rule.legacy")
    assert "is_enabled          = false" in block and "state" not in block
    fresh = _run(
        workdir,
        "aws_cloudwatch_event_rule.r",
        [("state", "ENABLED", "DISABLED"), ("is_enabled", True, False)],
        "import",
    )
    block = _resource_text(fresh, "aws_cloudwatch_event_rule.r")
    assert 'state               = "DISABLED"' in block and "is_enabled" not in block
    assert any("`is_enabled` is not written" in n for n in fresh.notes)


@pytest.mark.parametrize(("rtype", "secondary"), [(t, s) for t, m in ALIASES.items() for s in m])
def test_aliases_name_configurable_arguments(rtype: str, secondary: str) -> None:
    schema = schema_for(rtype)
    assert schema.classify(secondary) == "configurable"
    assert schema.classify(schema.aliases[secondary]) == "configurable"


GRANTS_BEFORE = [{"grant": [{"grantee": [{"type": "CanonicalUser", "id": "o"}]}], "owner": []}]
GRANTS_AFTER = [
    {
        "grant": [
            {"grantee": [{"type": "CanonicalUser", "id": "o"}], "permission": "FULL_CONTROL"},
            {"grantee": [{"type": "Group", "uri": "x/AllUsers"}], "permission": "READ"},
        ],
        "owner": [],
    }
]


@pytest.mark.parametrize("strategy", ["import", "revert"])
def test_a_change_the_code_says_through_an_unchanged_alias_is_refused(
    workdir: Path, strategy: str
) -> None:
    """A canned ACL put by hand: Terraform sees the grants change and ``acl`` unchanged (the
    provider cannot read a canned ACL back). The code's ``acl`` hides the difference from any
    plan, and ``access_control_policy`` cannot be written next to it."""
    result = _run(
        workdir,
        "aws_s3_bucket_acl.acl",
        [("access_control_policy", GRANTS_BEFORE, GRANTS_AFTER)],
        strategy,
    )
    assert result.changes == ()
    assert len(result.refusals) == 1
    reason = result.refusals[0].reason
    assert "`access_control_policy`" in reason and "`acl`" in reason, reason


def test_a_set_of_blocks_other_resources_may_manage_is_not_written_inline(workdir: Path) -> None:
    """The group's rules may be aws_vpc_security_group_ingress_rule resources: writing the old
    rules as inline ingress blocks would fight them, so only the marker is written."""
    rule = {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}
    extra = {**rule, "from_port": 22, "to_port": 22}
    result = _run(workdir, "aws_security_group.sg", [("ingress", [rule], [rule, extra])])
    change = result.changes[0]
    assert change.old is not None and "ingress" not in change.new
    assert result.expected_plan == {
        "address": "aws_security_group.sg",
        "action": "update",
        "arguments": ["ingress"],
    }


def test_an_empty_old_list_is_written(workdir: Path) -> None:
    """``managed_policy_arns = []`` detaches what was attached by hand (the oracle's
    ``iam role_attached``): unlike "", an empty list is a value the provider sets."""
    arn = "arn:aws:iam::123456789012:policy/hand"
    result = _run(workdir, "aws_iam_role.role", [("managed_policy_arns", [], [arn])])
    assert "managed_policy_arns = []" in _resource_text(result, "aws_iam_role.role")


def test_an_unset_computed_argument_inside_a_written_block_is_pinned(workdir: Path) -> None:
    """The code writes ``restrictions { geo_restriction { restriction_type } }`` but not
    ``locations`` (optional, computed): set back to "none" alone, the provider would keep the
    two countries added by hand (the oracle's ``edge cdn_behavior``)."""
    address = "aws_cloudfront_distribution.cdn"
    changes: list[tuple[str, Any, Any]] = [
        ("restrictions[0].geo_restriction[0].restriction_type", "none", "whitelist"),
        ("restrictions[0].geo_restriction[0].locations", [], ["CA", "US"]),
    ]
    block = _resource_text(_run(workdir, address, changes), address)
    assert "locations        = []" in block, block
    assert 'restriction_type = "none"' in block, block
    assert block.count("geo_restriction {") == 1, block
