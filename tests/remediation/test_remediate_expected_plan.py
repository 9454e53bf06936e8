"""``expected_plan``: what ``terraform plan`` should show once a remediation is merged.

The Terraform oracle (tests/oracle/checks.py) holds a revert plan to it: a replacement is
accepted only where the result says one is coming (a type the provider cannot update in place:
the ``nacl_rule_replaced`` and ``repo_lifecycle_put`` cases), and an unmanaged import is found
by the import id the result names (an attachment's ``DEVICE:VOLUME:INSTANCE``). Import writes
exact text for JSON arguments the provider compares as text, and JSON documents for a log
resource policy's ``policy_document``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.remediation.remediation_cases import make_drift
from tfdrift_gitops.models import Kind
from tfdrift_gitops.remediation import RemediationResult, remediate
from tfdrift_gitops.remediation.blocks import normal_field
from tfdrift_gitops.remediation.hcl_escape import jsonencode_text

CODE = """\
resource "aws_network_acl_rule" "https" {
  network_acl_id = "acl-0a1b2c3d"
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.0.0/16"
  from_port      = 443
  to_port        = 443
}

resource "aws_dynamodb_table" "t" {
  name     = "t"
  hash_key = "pk"

  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_cloudwatch_event_target" "t" {
  rule      = "rule"
  target_id = "t"
  arn       = "arn:aws:sns:us-east-1:123456789012:sink"
  input     = jsonencode({ "from" = "code" })
}

resource "aws_cloudwatch_log_resource_policy" "p" {
  policy_name     = "p"
  policy_document = jsonencode({
    "Version"   = "2012-10-17",
    "Statement" = [{ "Effect" = "Allow", "Action" = "logs:PutLogEvents", "Resource" = "*" }]
  })
}

resource "aws_wafv2_web_acl_logging_configuration" "waf" {
  resource_arn            = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/edge/abc"
  log_destination_configs = ["arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-edge"]
}
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text(CODE)
    return tmp_path


def _run(
    workdir: Path, address: str, changes: list[tuple[str, Any, Any]], strategy: str, **kw: Any
) -> RemediationResult:
    rtype = kw.pop("rtype", address.split(".", 1)[0])
    drift = make_drift(address, rtype, changes, **kw)
    return remediate(drift, workdir, strategy, use_terraform=False)


def test_revert_of_a_type_the_provider_only_replaces_says_replace(workdir: Path) -> None:
    result = _run(
        workdir,
        "aws_network_acl_rule.https",
        [("cidr_block", "10.0.0.0/16", "0.0.0.0/0")],
        "revert",
    )
    assert result.ok and result.changes
    assert result.expected_plan == {
        "address": "aws_network_acl_rule.https",
        "action": "replace",
        "arguments": ["cidr_block"],
        "replaced_because": ["cidr_block"],
    }
    assert any("replaces the resource" in note for note in result.notes)
    assert result.to_dict()["expected_plan"]["action"] == "replace"


def test_revert_of_an_argument_the_provider_only_replaces_says_replace(workdir: Path) -> None:
    """The type updates in place, but not its destinations (the waf_logs_moved case)."""
    moved = "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-elsewhere"
    kept = "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-edge"
    result = _run(
        workdir,
        "aws_wafv2_web_acl_logging_configuration.waf",
        [("log_destination_configs", [kept], [moved])],
        "revert",
    )
    assert result.ok and result.changes
    assert result.expected_plan == {
        "address": "aws_wafv2_web_acl_logging_configuration.waf",
        "action": "replace",
        "arguments": ["log_destination_configs"],
        "replaced_because": ["log_destination_configs"],
    }


def test_revert_in_place_says_update_with_the_arguments(workdir: Path) -> None:
    result = _run(
        workdir,
        "aws_dynamodb_table.t",
        [("ttl[0].enabled", False, True), ("ttl[0].attribute_name", "", "expires")],
        "revert",
    )
    assert result.expected_plan == {
        "address": "aws_dynamodb_table.t",
        "action": "update",
        "arguments": ["ttl"],
    }


def test_unmanaged_import_names_the_providers_import_id(workdir: Path) -> None:
    request = {"volumeId": "vol-0a1b2c3d4e5f", "instanceId": "i-0a1b2c3d4e5f", "device": "/dev/sdf"}
    result = _run(
        workdir,
        "",
        [
            ("device_name", None, "/dev/sdf"),
            ("volume_id", None, "vol-0a1b2c3d4e5f"),
            ("instance_id", None, "i-0a1b2c3d4e5f"),
        ],
        "import",
        kind=Kind.UNMANAGED,
        rtype="aws_volume_attachment",
        resource_id="vol-0a1b2c3d4e5f",
        event_name="AttachVolume",
        request=request,
    )
    assert result.ok, result.refusals
    plan = result.expected_plan
    assert plan is not None and plan["action"] == "import"
    assert plan["import_id"] == "/dev/sdf:vol-0a1b2c3d4e5f:i-0a1b2c3d4e5f"
    assert f'id = "{plan["import_id"]}"' in result.changes[0].new


@pytest.mark.parametrize(
    ("observed", "written"),
    [
        pytest.param(
            '{"from": "hand"}', 'input     = "{\\"from\\": \\"hand\\"}"', id="spaced-text"
        ),
        pytest.param(
            '{"from":"hand"}', 'input     = jsonencode({ "from" = "hand" })', id="compact"
        ),
    ],
)
def test_text_compared_json_is_written_as_the_observed_text(
    workdir: Path, observed: str, written: str
) -> None:
    result = _run(
        workdir, "aws_cloudwatch_event_target.t", [("input", '{"from":"code"}', observed)], "import"
    )
    assert result.ok, result.refusals
    assert written in result.changes[0].new


def test_log_resource_policy_document_is_patched_as_a_document(workdir: Path) -> None:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "x", "Resource": "*"}
    before = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    statement = {**statement, "Action": ["logs:PutLogEvents", "logs:CreateLogStream"]}
    after = {"Version": "2012-10-17", "Statement": [statement]}
    result = _run(
        workdir,
        "aws_cloudwatch_log_resource_policy.p",
        [("policy_document", before, json.dumps(after))],
        "import",
    )
    assert result.ok, result.refusals
    assert '"Action" = ["logs:PutLogEvents", "logs:CreateLogStream"]' in result.changes[0].new


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"b": 1, "a": "x"}, '{"a":"x","b":1}'),
        ({"html": "<a & b>"}, '{"html":"\\u003ca \\u0026 b\\u003e"}'),
        ([True, None, "é"], '[true,null,"é"]'),
        ({"n": 1.5}, None),
    ],
)
def test_jsonencode_text_is_terraforms(value: Any, text: str | None) -> None:
    assert jsonencode_text(value) == text


@pytest.mark.parametrize(
    ("rtype", "resource_id", "changes", "event", "request_", "block"),
    [
        pytest.param(
            "aws_lambda_function_url",
            "fn_url_hand",
            [("function_name", None, "fn_url_hand"), ("authorization_type", None, "AWS_IAM")],
            "CreateFunctionUrlConfig20211031",
            {"functionName": "fn_url_hand", "authType": "AWS_IAM"},
            'resource "aws_lambda_function_url" "fn_url_hand" {\n'
            '  authorization_type = "AWS_IAM"\n'
            '  function_name      = "fn_url_hand"\n}',
            id="function-url",
        ),
        pytest.param(
            "aws_kms_alias",
            "alias/hand-made",
            [("name", None, "alias/hand-made"), ("target_key_id", None, "1234abcd")],
            "CreateAlias",
            {"aliasName": "alias/hand-made", "targetKeyId": "1234abcd"},
            'resource "aws_kms_alias" "alias_hand_made" {\n'
            '  name          = "alias/hand-made"\n'
            '  target_key_id = "1234abcd"\n}',
            id="kms-alias",
        ),
    ],
)
def test_hand_made_url_and_alias_are_imported(
    workdir: Path,
    rtype: str,
    resource_id: str,
    changes: list[tuple[str, Any, Any]],
    event: str,
    request_: dict[str, Any],
    block: str,
) -> None:
    """The import id of a function URL is its function's name (NAME/QUALIFIER for an alias's
    URL), of a KMS alias its name: the oracle's ``fn_url_hand`` and ``alias_created``."""
    result = _run(
        workdir,
        "",
        changes,
        "import",
        kind=Kind.UNMANAGED,
        rtype=rtype,
        resource_id=resource_id,
        event_name=event,
        source="lambda.amazonaws.com" if "lambda" in rtype else "kms.amazonaws.com",
        request=request_,
    )
    assert result.ok, result.refusals
    assert result.expected_plan is not None
    assert result.expected_plan["import_id"] == resource_id
    assert block in result.changes[0].new


@pytest.mark.parametrize(
    ("code", "stored"),
    [("tcp", "6"), ("udp", "17"), ("icmp", "1"), ("icmpv6", "58"), ("-1", "all"), ("TCP", 6)],
)
def test_protocol_is_compared_in_the_form_the_provider_stores(code: str, stored: Any) -> None:
    """A network ACL entry written ``protocol = "tcp"`` is stored as "6": remediation matches
    block items, and the oracle compares a revert plan with the old state, in this form
    (``vpc nacl_inline``, ``nacl_rule_replaced``)."""
    assert normal_field("protocol", code) == normal_field("protocol", stored)
    assert normal_field("protocol", "tcp") != normal_field("protocol", "udp")
