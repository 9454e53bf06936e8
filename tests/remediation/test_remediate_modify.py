"""import / modified on small files: one construct per case, exact output or refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.remediation.remediation_cases import make_drift
from tfdrift_gitops.remediation import remediate


def _patch(
    tmp_path: Path,
    code: str,
    address: str,
    rtype: str,
    changes: list[tuple[str, Any, Any]],
    *,
    terraform: bool = False,
) -> Any:
    root = tmp_path / "r"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "main.tf").write_text(code)
    drift = make_drift(address, rtype, changes)
    return remediate(drift, root, "import", use_terraform=terraform)


CF_CODE = """resource "aws_cloudfront_distribution" "d" {
  enabled = true

  origin {
    domain_name = "a.example.com"
    origin_id   = "o"

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }
}
"""


def _origin(domain: str) -> dict[str, Any]:
    """A CloudFront origin as provider v5 stores it."""
    return {
        "connection_attempts": 3,
        "connection_timeout": 10,
        "custom_header": [],
        "custom_origin_config": [
            {
                "http_port": 80,
                "https_port": 443,
                "origin_keepalive_timeout": 5,
                "origin_protocol_policy": "https-only",
                "origin_read_timeout": 30,
                "origin_ssl_protocols": ["TLSv1.2"],
            }
        ],
        "domain_name": domain,
        "origin_access_control_id": "",
        "origin_id": "o",
        "origin_path": "",
        "origin_shield": [],
        "s3_origin_config": [],
        "vpc_origin_config": [],
    }


CF_ORDERED = """resource "aws_cloudfront_distribution" "d" {
  enabled = true

  ordered_cache_behavior {
    path_pattern           = "/api/*"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "o"
    viewer_protocol_policy = "https-only"
    compress               = true

    forwarded_values {
      query_string = true

      cookies {
        forward = "all"
      }
    }
  }
}
"""


def _behavior(**changes: Any) -> dict[str, Any]:
    """CF_ORDERED's behaviour as provider v5 stores it (TTLs the code leaves out read 0)."""
    behavior: dict[str, Any] = {
        "allowed_methods": ["GET", "HEAD"],
        "cache_policy_id": "",
        "cached_methods": ["GET", "HEAD"],
        "compress": True,
        "default_ttl": 0,
        "field_level_encryption_id": "",
        "forwarded_values": [
            {
                "cookies": [{"forward": "all", "whitelisted_names": []}],
                "headers": [],
                "query_string": True,
                "query_string_cache_keys": [],
            }
        ],
        "function_association": [],
        "grpc_config": [],
        "lambda_function_association": [],
        "max_ttl": 0,
        "min_ttl": 0,
        "origin_request_policy_id": "",
        "path_pattern": "/api/*",
        "realtime_log_config_arn": "",
        "response_headers_policy_id": "",
        "smooth_streaming": False,
        "target_origin_id": "o",
        "trusted_key_groups": [],
        "trusted_signers": [],
        "viewer_protocol_policy": "https-only",
    }
    behavior.update(changes)
    return behavior


CF_GROUPS = """resource "aws_cloudfront_distribution" "d" {
  enabled = true

  # API first
  origin_group {
    origin_id = "api"

    failover_criteria {
      status_codes = [500]
    }

    member {
      origin_id = "a"
    }

    member {
      origin_id = "b"
    }
  }

  origin_group {
    origin_id = "web"

    failover_criteria {
      status_codes = [502]
    }

    member {
      origin_id = "c"
    }

    member {
      origin_id = "d"
    }
  }
}
"""


def _group(name: str, code: int, *members: str) -> dict[str, Any]:
    return {
        "origin_id": name,
        "failover_criteria": [{"status_codes": [code]}],
        "member": [{"origin_id": m} for m in members],
    }


CASES = [
    pytest.param(
        CF_GROUPS,
        "aws_cloudfront_distribution.d",
        "aws_cloudfront_distribution",
        [
            (
                "origin_group",
                [_group("api", 500, "a", "b"), _group("web", 502, "c", "d")],
                [_group("api", 503, "a", "b"), _group("web", 502, "d", "c")],
            )
        ],
        CF_GROUPS.replace("[500]", "[503]").replace(
            '"c"\n    }\n\n    member {\n      origin_id = "d"',
            '"d"\n    }\n\n    member {\n      origin_id = "c"',
        ),
        # Two origin groups edited at once: each found by its origin_id and edited in its own
        # block (comments and order kept), not both deleted and written again.
        id="origin-groups-edited-in-place",
    ),
    pytest.param(
        CF_ORDERED,
        "aws_cloudfront_distribution.d",
        "aws_cloudfront_distribution",
        [
            (
                "ordered_cache_behavior",
                [_behavior()],
                [_behavior(allowed_methods=["GET", "HEAD", "POST"], compress=False)],
            )
        ],
        CF_ORDERED.replace(
            '["GET", "HEAD"]\n    cached', '["GET", "HEAD", "POST"]\n    cached'
        ).replace('"https-only"\n    compress               = true\n', '"https-only"\n'),
        # An ordered list of blocks edited item by item: the code leaves the TTLs out (state
        # reads 0) and compress set back to false is deleted, so no code block equals its item
        # whole (found by the oracle, edge cdn_ordered: "blocks do not match").
        id="list-item-with-defaults-left-out-edited-in-order",
    ),
    pytest.param(
        'resource "aws_db_instance" "d" {\n  identifier = "x"\n}\n',
        "aws_db_instance.d",
        "aws_db_instance",
        [("deletion_protection", False, True)],
        'resource "aws_db_instance" "d" {\n  identifier = "x"\n\n  deletion_protection = true\n}\n',
        id="new-attribute-longer-name-own-run",
    ),
    pytest.param(
        'resource "aws_db_instance" "d" {\n  identifier_prefix = "x"\n}\n',
        "aws_db_instance.d",
        "aws_db_instance",
        [("multi_az", False, True)],
        'resource "aws_db_instance" "d" {\n  identifier_prefix = "x"\n'
        "  multi_az          = true\n}\n",
        id="new-attribute-joins-run",
    ),
    pytest.param(
        'resource "aws_db_instance" "d" {}\n',
        "aws_db_instance.d",
        "aws_db_instance",
        [("port", None, 5432)],
        'resource "aws_db_instance" "d" {\n  port = 5432\n}\n',
        id="empty-one-line-body",
    ),
    pytest.param(
        'resource "aws_s3_bucket_versioning" "v" {\n  bucket = "b"\n}\n',
        "aws_s3_bucket_versioning.v",
        "aws_s3_bucket_versioning",
        [("versioning_configuration[0].status", None, "Suspended")],
        'resource "aws_s3_bucket_versioning" "v" {\n  bucket = "b"\n\n'
        '  versioning_configuration {\n    status = "Suspended"\n  }\n}\n',
        id="missing-nested-block-created",
    ),
    pytest.param(
        'resource "aws_instance" "i" {\n  ami = "a" # the image\n  monitoring = true\n}\n',
        "aws_instance.i",
        "aws_instance",
        [("monitoring", True, None)],
        'resource "aws_instance" "i" {\n  ami = "a" # the image\n}\n',
        id="null-removes-attribute",
    ),
    pytest.param(
        'resource "aws_iam_role" "r" {\n  name = "r"\n  managed_policy_arns = [\n'
        '    "arn:aws:iam::aws:policy/A", # first\n    "arn:aws:iam::aws:policy/B",\n  ]\n}\n',
        "aws_iam_role.r",
        "aws_iam_role",
        [
            (
                "managed_policy_arns",
                ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"],
                ["arn:aws:iam::aws:policy/C", "arn:aws:iam::aws:policy/A"],
            )
        ],
        'resource "aws_iam_role" "r" {\n  name = "r"\n  managed_policy_arns = [\n'
        '    "arn:aws:iam::aws:policy/A", # first\n    "arn:aws:iam::aws:policy/C",\n  ]\n}\n',
        id="set-list-element-edits-keep-comments",
    ),
    pytest.param(
        'resource "aws_lambda_function" "f" {\n  layers = ["a", "b"]\n}\n',
        "aws_lambda_function.f",
        "aws_lambda_function",
        [("layers", ["a", "b"], ["b", "a"])],
        'resource "aws_lambda_function" "f" {\n  layers = ["b", "a"]\n}\n',
        id="ordered-list-reordered",
    ),
    pytest.param(
        'resource "aws_security_group" "s" {\n  tags = { Name = "a", Team = "b" }\n}\n',
        "aws_security_group.s",
        "aws_security_group",
        [("tags", {"Name": "a", "Team": "b"}, {"Name": "a"})],
        'resource "aws_security_group" "s" {\n  tags = {\n    Name = "a"\n  }\n}\n',
        id="one-line-object-rewritten",
    ),
    pytest.param(
        'resource "aws_security_group" "s" {\n  tags = {\n    "Name" = "a",\n    "Team" = "b",\n'
        "  }\n}\n",
        "aws_security_group.s",
        "aws_security_group",
        [("tags", {"Name": "a", "Team": "b"}, {"Name": "a", "Team": "b", "Env": "prod"})],
        'resource "aws_security_group" "s" {\n  tags = {\n    "Name" = "a",\n    "Team" = "b",\n'
        '    "Env"  = "prod",\n  }\n}\n',
        id="object-style-kept-quotes-and-commas",
    ),
    pytest.param(
        'resource "aws_iam_policy" "p" {\n  policy = "{\\"Version\\": \\"2012-10-17\\"}"\n}\n',
        "aws_iam_policy.p",
        "aws_iam_policy",
        [("policy", '{"Version": "2012-10-17"}', '{"Version":"2012-10-17","Statement":[]}')],
        'resource "aws_iam_policy" "p" {\n'
        '  policy = "{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[]}"\n}\n',
        id="json-in-quoted-string",
    ),
    pytest.param(
        'resource "aws_iam_policy" "p" {\n  policy = <<EOT\n{"a": "EOT"}\nEOT\n}\n',
        "aws_iam_policy.p",
        "aws_iam_policy",
        [("policy", '{"a": "EOT"}', json.dumps({"a": "x", "EOT": ["EOT"]}))],
        'resource "aws_iam_policy" "p" {\n  policy = <<EOT\n{\n  "a": "x",\n  "EOT": [\n'
        '    "EOT"\n  ]\n}\nEOT\n}\n',
        id="heredoc-json-replaced",
    ),
    pytest.param(
        'resource "aws_iam_policy" "p" {\n  description = <<EOT\nold\nEOT\n}\n',
        "aws_iam_policy.p",
        "aws_iam_policy",
        [("description", "old\n", "new\nEOT\n")],
        'resource "aws_iam_policy" "p" {\n  description = <<EOT1\nnew\nEOT\nEOT1\n}\n',
        id="heredoc-terminator-not-forgeable",
    ),
    pytest.param(
        'resource "aws_instance" "i" {\n  count = 1\n\n  ami = "a"\n}\n',
        "aws_instance.i[0]",
        "aws_instance",
        [("ami", "a", "b")],
        'resource "aws_instance" "i" {\n  count = 1\n\n  ami = "b"\n}\n',
        id="count-one-is-one-instance",
    ),
    pytest.param(
        'resource "aws_iam_user" "u" {\n  for_each = toset(["ci"])\n\n  path = "/"\n}\n',
        'aws_iam_user.u["ci"]',
        "aws_iam_user",
        [("path", "/", "/ci/")],
        'resource "aws_iam_user" "u" {\n  for_each = toset(["ci"])\n\n  path = "/ci/"\n}\n',
        id="for-each-one-key",
    ),
    pytest.param(
        'resource "aws_cloudtrail" "t" {\n  name = "t"\n}\n',
        "aws_cloudtrail.t",
        "aws_cloudtrail",
        [("enable_logging", True, False)],
        'resource "aws_cloudtrail" "t" {\n  name = "t"\n\n  enable_logging = false\n}\n',
        id="false-written-where-default-is-true",
    ),
    pytest.param(
        CF_CODE,
        "aws_cloudfront_distribution.d",
        "aws_cloudfront_distribution",
        [("origin", [_origin("a.example.com")], [_origin("b.example.com")])],
        CF_CODE.replace("a.example.com", "b.example.com"),
        # The code leaves the origin's defaults (connection_attempts, timeouts) to the provider,
        # so no code block equals the state's origin whole: found by origin_id and edited in
        # place, not a second block with the same origin_id (found by the oracle, edge
        # cdn_origin: the import plan updated the distribution).
        id="set-item-with-defaults-left-out-edited-in-place",
    ),
    # AssociateAddress naming an instance moves instance and network_interface (its primary
    # interface); AWS takes one of the two, so the code gets one: the one it sets, else instance.
    pytest.param(
        'resource "aws_eip" "e" {\n  domain = "vpc"\n}\n',
        "aws_eip.e",
        "aws_eip",
        [("instance", "", "i-0a1b2c3d4e5f60718"), ("network_interface", "", "eni-0c4d5e6f")],
        'resource "aws_eip" "e" {\n  domain = "vpc"\n\n  instance = "i-0a1b2c3d4e5f60718"\n}\n',
        id="eip-associated-instance-written-not-its-interface",
    ),
    pytest.param(
        'resource "aws_eip" "e" {\n  domain            = "vpc"\n  network_interface = "eni-1"\n}\n',
        "aws_eip.e",
        "aws_eip",
        [("instance", "i-1", "i-2"), ("network_interface", "eni-1", "eni-2")],
        'resource "aws_eip" "e" {\n  domain            = "vpc"\n  network_interface = "eni-2"\n}\n',
        id="eip-code-says-the-interface",
    ),
    pytest.param(
        'resource "aws_eip" "e" {\n  domain = "vpc"\n}\n',
        "aws_eip.e",
        "aws_eip",
        [("network_interface", "", "eni-0c4d5e6f")],
        'resource "aws_eip" "e" {\n  domain = "vpc"\n\n  network_interface = "eni-0c4d5e6f"\n}\n',
        id="eip-interface-alone-written",
    ),
]


# AssociateAddress naming only an interface moves network_interface and, read from state, the
# instance it is attached to: the call named the interface, so the code keeps the interface
# (instance, optional+computed, is read back) unless it already says instance.
ENI_ASSOCIATED = [
    ("instance", "", "i-0a1b2c3d4e5f60718"),
    ("network_interface", "", "eni-0c4d5e6f"),
]
EIP_BARE = 'resource "aws_eip" "e" {\n  domain = "vpc"\n}\n'
EIP_ON_INSTANCE = 'resource "aws_eip" "e" {\n  domain   = "vpc"\n  instance = "i-1"\n}\n'


@pytest.mark.parametrize(
    ("code", "request_", "expected"),
    [
        pytest.param(
            EIP_BARE,
            {"allocationId": "eipalloc-1", "networkInterfaceId": "eni-0c4d5e6f"},
            EIP_BARE.replace("}", '\n  network_interface = "eni-0c4d5e6f"\n}'),
            id="interface-named-interface-written",
        ),
        pytest.param(
            EIP_BARE,
            {"allocationId": "eipalloc-1", "instanceId": "i-0a1b2c3d4e5f60718"},
            EIP_BARE.replace("}", '\n  instance = "i-0a1b2c3d4e5f60718"\n}'),
            id="instance-named-instance-written",
        ),
        pytest.param(
            EIP_BARE,
            {
                "allocationId": "eipalloc-1",
                "instanceId": "i-0a1b2c3d4e5f60718",
                "networkInterfaceId": "eni-0c4d5e6f",
            },
            EIP_BARE.replace("}", '\n  instance = "i-0a1b2c3d4e5f60718"\n}'),
            id="both-named-instance-written",
        ),
        pytest.param(
            EIP_ON_INSTANCE,
            {"allocationId": "eipalloc-1", "networkInterfaceId": "eni-0c4d5e6f"},
            EIP_ON_INSTANCE.replace('"i-1"', '"i-0a1b2c3d4e5f60718"'),
            id="interface-named-code-says-instance",
        ),
    ],
)
def test_eip_keeps_what_the_call_named(
    tmp_path: Path, code: str, request_: dict[str, str], expected: str
) -> None:
    root = tmp_path / "r"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "main.tf").write_text(code)
    drift = make_drift(
        "aws_eip.e", "aws_eip", ENI_ASSOCIATED, event_name="AssociateAddress", request=request_
    )
    result = remediate(drift, root, "import")
    assert result.ok, result.explanation()
    assert result.files["main.tf"] == expected


def test_eip_instance_not_in_state_refused_where_the_code_says_instance(tmp_path: Path) -> None:
    # Interface named, its instance not in state (a value CloudTrail did not carry): code that
    # says instance cannot be given it; code saying neither gets the interface (above).
    root = tmp_path / "r"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "main.tf").write_text(EIP_ON_INSTANCE)
    changes = [("instance", "i-1", "(hidden by CloudTrail)"), ("network_interface", "", "eni-2")]
    request = {"allocationId": "eipalloc-1", "networkInterfaceId": "eni-2"}
    drift = make_drift(
        "aws_eip.e", "aws_eip", changes, event_name="AssociateAddress", request=request
    )
    result = remediate(drift, root, "import")
    assert not result.ok
    assert "`instance`: the value is hidden" in result.explanation()


@pytest.mark.parametrize(("code", "address", "rtype", "changes", "expected"), CASES)
def test_patch(
    tmp_path: Path,
    code: str,
    address: str,
    rtype: str,
    changes: list[tuple[str, Any, Any]],
    expected: str,
) -> None:
    result = _patch(tmp_path, code, address, rtype, changes)
    assert result.ok, result.explanation()
    assert result.files["main.tf"] == expected


@pytest.mark.parametrize(("code", "address", "rtype", "changes", "expected"), CASES)
def test_patch_is_fmt_clean(
    tmp_path: Path,
    terraform: str,
    code: str,
    address: str,
    rtype: str,
    changes: list[tuple[str, Any, Any]],
    expected: str,
) -> None:
    """With terraform the result is the same (our alignment is what fmt does)."""
    del terraform
    result = _patch(tmp_path, code, address, rtype, changes, terraform=True)
    assert result.files["main.tf"] == expected


@pytest.mark.parametrize(
    ("code", "address", "rtype", "changes", "message"),
    [
        pytest.param(
            'resource "aws_instance" "i" {\n  count = 2\n  ami = "a"\n}\n',
            "aws_instance.i[1]",
            "aws_instance",
            [("ami", "a", "b")],
            "uses count",
            id="count-two",
        ),
        pytest.param(
            'resource "aws_instance" "i" {\n  ami = "a"\n}\n',
            "aws_instance.i",
            "aws_instance",
            [("launch_magic", None, "x")],
            "not a configurable argument",
            id="unknown-argument",
        ),
        pytest.param(
            'resource "aws_security_group" "s" {\n  ingress {\n    from_port = var.p\n'
            '    to_port = 22\n    protocol = "tcp"\n  }\n}\n',
            "aws_security_group.s",
            "aws_security_group",
            [("ingress", [{"from_port": 22, "to_port": 22, "protocol": "tcp"}], [])],
            "uses expressions",
            id="set-block-with-expressions",
        ),
        pytest.param(
            'resource "aws_iam_policy" "p" {\n  policy = templatefile("p.json", {})\n}\n',
            "aws_iam_policy.p",
            "aws_iam_policy",
            [("policy", "{}", '{"a": 1}')],
            "read from the file `p.json`",
            id="templatefile",
        ),
        pytest.param(
            'resource "aws_iam_policy" "p" {\n  description = "a ${var.b}"\n}\n',
            "aws_iam_policy.p",
            "aws_iam_policy",
            [("description", "a b", "c")],
            "template",
            id="interpolation",
        ),
        pytest.param(
            'resource "aws_iam_policy" "p" {\n  path = var.enabled ? "/a/" : "/b/"\n}\n',
            "aws_iam_policy.p",
            "aws_iam_policy",
            [("path", "/a/", "/c/")],
            "expression",
            id="conditional",
        ),
        pytest.param(
            'resource "aws_iam_policy" "p" {\n  path = "/"\n}\n',
            "aws_iam_policy.p",
            "aws_iam_policy",
            [("path", "/", "e\u0301")],
            "normal form C",
            id="unrepresentable-value",
        ),
        pytest.param(
            'resource "aws_secretsmanager_secret_rotation" "r" {\n  secret_id = "s"\n\n'
            "  rotation_rules {\n    automatically_after_days = 30\n  }\n}\n",
            "aws_secretsmanager_secret_rotation.r",
            "aws_secretsmanager_secret_rotation",
            # CancelRotateSecret: the provider reads the rules back empty, but the block is
            # required (min_items 1): an import must not write the code without it.
            [("rotation_rules", [{"automatically_after_days": 30}], [])],
            "requires at least 1",
            id="required-block-emptied",
        ),
    ],
)
def test_refusals(
    tmp_path: Path,
    code: str,
    address: str,
    rtype: str,
    changes: list[tuple[str, Any, Any]],
    message: str,
) -> None:
    result = _patch(tmp_path, code, address, rtype, changes)
    assert not result.ok
    assert not result.changes
    assert message in str(result.refusals[0])


def test_computed_only_changes_need_nothing(tmp_path: Path) -> None:
    result = _patch(
        tmp_path,
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
        "aws_s3_bucket.b",
        "aws_s3_bucket",
        [("tags_all", {}, {"a": "b"}), ("arn", "x", "y")],
    )
    assert result.ok and not result.changes
    assert any("tags_all" in note for note in result.notes)


def test_code_that_already_matches_needs_nothing(tmp_path: Path) -> None:
    result = _patch(
        tmp_path,
        'resource "aws_instance" "i" {\n  ami = "b"\n}\n',
        "aws_instance.i",
        "aws_instance",
        [("ami", "a", "b")],
    )
    assert result.ok and not result.changes
    assert "already says the observed values" in result.notes[0]


def test_crlf_files_are_refused(tmp_path: Path) -> None:
    result = _patch(
        tmp_path,
        'resource "aws_instance" "i" {\r\n  ami = "a"\r\n}\r\n',
        "aws_instance.i",
        "aws_instance",
        [("ami", "a", "b")],
    )
    assert not result.ok
    assert "CR/CRLF line endings" in str(result.refusals[0])


def test_deeply_nested_values_are_refused(tmp_path: Path) -> None:
    deep: Any = "x"
    for _ in range(200):
        deep = [deep]
    result = _patch(
        tmp_path,
        'resource "aws_iam_role" "r" {\n  managed_policy_arns = []\n}\n',
        "aws_iam_role.r",
        "aws_iam_role",
        [("managed_policy_arns", [], deep)],
    )
    assert not result.ok
    assert "nested deeper than 64 levels" in str(result.refusals[0])
