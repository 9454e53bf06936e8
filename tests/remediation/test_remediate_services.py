"""Remediation of Route 53, DynamoDB, SQS/SNS, observability, secrets and guard-rail drifts found
by the real detector.

Drifts come from the catalog cases of ``tests/catalog/test_real_{route53,dynamodb,messaging,
observability,secrets,baselines}.py`` (recorded and API-shaped calls replayed against their
provider-v5 state fixtures); the code they patch is a small configuration of the same estate.
Modifies patch literal values in place, unmanaged creates become ``resource`` + ``import {}``,
deletes become ``removed {}``; no computed attribute is written; a value CloudTrail hid (SSM
parameter, secret string) is never written: the import refuses and says why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.conftest import run_events
from tests.catalog.test_real_others import Estate, records
from tfdrift_gitops.models import CloudEvent, Drift, Kind
from tfdrift_gitops.remediation import remediate
from tfdrift_gitops.remediation.schema import schema_for

ZONE = "Z1PA6795UKMFR9"
CODE = """\
resource "aws_route53_record" "prod" {
  zone_id = "Z1PA6795UKMFR9"
  name    = "prod"
  type    = "A"
  ttl     = 300
  records = ["192.0.1.1", "192.0.1.2", "192.0.1.3", "192.0.1.4"]
}

resource "aws_dynamodb_table" "music" {
  name                        = "Music"
  billing_mode                = "PROVISIONED"
  read_capacity               = 10
  write_capacity              = 10
  hash_key                    = "Artist"
  range_key                   = "SongTitle"
  deletion_protection_enabled = true

  attribute {
    name = "Artist"
    type = "S"
  }

  attribute {
    name = "SongTitle"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }
}

resource "aws_sqs_queue" "orders" {
  name                       = "MyQueue"
  visibility_timeout_seconds = 30
}

resource "aws_cloudwatch_metric_alarm" "test" {
  alarm_name          = "CloudTrail Test Alarm"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 3
  metric_name         = "CloudTrail Test"
  namespace           = "AWS/CloudWatch"
  period              = 60
  statistic           = "Sum"
  threshold           = 10
}

resource "aws_ssm_parameter" "db_password" {
  name  = "/app/db/password"
  type  = "SecureString"
  value = var.db_password
}

resource "aws_db_subnet_group" "app" {
  name       = "app"
  subnet_ids = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id          = "a1b2c3d4e5"
  stage_name           = "prod"
  deployment_id        = "dep123"
  xray_tracing_enabled = true
}

resource "aws_api_gateway_method" "items_get" {
  rest_api_id      = "a1b2c3d4e5"
  resource_id      = "res123"
  http_method      = "GET"
  authorization    = "CUSTOM"
  authorizer_id    = "auth12"
  api_key_required = true
}

resource "aws_sns_topic" "hello" {
  name         = "hello-topic"
  display_name = "Hello"
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "/aws/cloudtrail/main"
  retention_in_days = 365
}

resource "aws_config_configuration_recorder_status" "main" {
  name       = "default"
  is_enabled = true
}
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    live = tmp_path / "live"
    live.mkdir()
    (live / "estate.tf").write_text(CODE)
    return live


# The REST method the UpdateMethod case opens (moto cannot make the call: no oracle case).
METHOD = (
    "aws_api_gateway_method",
    "items_get",
    {
        "id": "agm-a1b2c3d4e5-res123-GET",
        "rest_api_id": "a1b2c3d4e5",
        "resource_id": "res123",
        "http_method": "GET",
        "authorization": "CUSTOM",
        "authorizer_id": "auth12",
        "api_key_required": True,
        "authorization_scopes": [],
        "request_validator_id": "",
        "operation_name": "",
        "request_models": {},
        "request_parameters": {},
    },
)


def drift_of(estate: Estate, events: list[CloudEvent]) -> Drift:
    outcome = run_events(estate.index(), events)
    assert len(outcome.open) == 1, outcome
    return outcome.open[0]


def _fmt_clean(text: str) -> None:
    done = subprocess.run(
        ["terraform", "fmt", "-check", "-"], input=text, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def call(
    template: str,
    source: str,
    name: str,
    request: dict[str, Any],
    response: dict[str, Any] | None = None,
) -> list[CloudEvent]:
    base = records(template)[0]
    return [
        replace(
            base, name=name, source=f"{source}.amazonaws.com", request=request, response=response
        )
    ]


def unmanaged_of(
    estate: Estate, events: list[CloudEvent], rtype: str, import_id: str = ""
) -> Drift:
    """The unmanaged drift of ``rtype`` (the one whose id is ``import_id`` when several)."""
    found = [d for d in run_events(estate.index(), events).open if d.resource.type == rtype]
    exact = [d for d in found if d.resource.id == import_id]
    drift = (exact or found)[0]
    assert drift.kind is Kind.UNMANAGED, found
    return drift


R53 = "route53-change-resource-record-sets.json"
UPSERT = {
    "hostedZoneId": ZONE,
    "changeBatch": {
        "changes": [
            {
                "action": "UPSERT",
                "resourceRecordSet": {
                    "name": "prod.example.com.",
                    "type": "A",
                    "tTL": 60,
                    "resourceRecords": [{"value": "203.0.113.9"}],
                },
            }
        ]
    },
}

MODIFIES = [
    pytest.param(
        Estate("route53"),
        call(R53, "route53", "ChangeResourceRecordSets", UPSERT),
        ["  ttl = 60\n", 'records = ["203.0.113.9"]'],
        id="route53-record-upsert",
    ),
    pytest.param(
        Estate("dynamodb"),
        call(
            "dynamodb-update-table.json",
            "dynamodb",
            "UpdateTable",
            {"tableName": "Music", "deletionProtectionEnabled": False},
        ),
        ["deletion_protection_enabled = false"],
        id="dynamodb-deletion-protection",
    ),
    pytest.param(
        Estate("dynamodb"),
        records("dynamodb-update-table.json"),
        ["read_capacity = 25", "write_capacity = 25"],
        id="dynamodb-throughput-recorded",
    ),
    pytest.param(
        Estate("messaging"),
        records("sqs-set-queue-attributes.json"),
        ["visibility_timeout_seconds = 100"],
        id="sqs-visibility-timeout-recorded",
    ),
    pytest.param(
        Estate("observability", patch={"aws_cloudwatch_metric_alarm.test": {"threshold": 10}}),
        records("cloudwatch-put-metric-alarm.json"),
        ["threshold = 50"],
        id="alarm-threshold-recorded",
    ),
    pytest.param(
        Estate("rds-groups"),
        call(
            "dbsnapshot-modify-db-snapshot-attribute-share.json",
            "rds",
            "ModifyDBSubnetGroup",
            {"dBSubnetGroupName": "app", "subnetIds": ["subnet-0123456789abcdef0"]},
        ),
        ['subnet_ids = ["subnet-0123456789abcdef0"]'],
        id="rds-subnet-group",
    ),
    pytest.param(
        Estate("apigateway"),
        call(
            R53,
            "apigateway",
            "UpdateStage",
            {
                "restApiId": "a1b2c3d4e5",
                "stageName": "prod",
                "patchOperations": [{"op": "replace", "path": "/tracingEnabled", "value": "false"}],
            },
        ),
        ["xray_tracing_enabled = false"],
        id="apigateway-stage-tracing",
    ),
    pytest.param(
        Estate("apigateway", extra=(METHOD,)),
        call(
            R53,
            "apigateway",
            "UpdateMethod",
            {
                "restApiId": "a1b2c3d4e5",
                "resourceId": "res123",
                "httpMethod": "GET",
                "patchOperations": [
                    {"op": "replace", "path": "/authorizationType", "value": "NONE"},
                    {"op": "remove", "path": "/authorizerId"},
                ],
            },
        ),
        ['authorization = "NONE"'],
        id="apigateway-method-opened",
    ),
    pytest.param(
        Estate("messaging"),
        call(
            "sns-delete-topic.json",
            "sns",
            "SetTopicAttributes",
            {
                "topicArn": "arn:aws:sns:us-west-2:123456789012:hello-topic",
                "attributeName": "DisplayName",
                "attributeValue": "Hi",
            },
        ),
        ['display_name = "Hi"'],
        id="sns-display-name",
    ),
    pytest.param(
        Estate("observability"),
        call(
            "cloudwatch-put-metric-alarm.json",
            "logs",
            "PutRetentionPolicy",
            {"logGroupName": "/aws/cloudtrail/main", "retentionInDays": 7},
        ),
        ["retention_in_days = 7"],
        id="log-group-retention",
    ),
    pytest.param(
        Estate("baselines"),
        records("config-stop-configuration-recorder.json"),
        ["is_enabled = false"],
        id="config-recorder-stopped-recorded",
    ),
]


@pytest.mark.parametrize(("estate", "events", "expected"), MODIFIES)
def test_modify_patches_the_literal(
    workdir: Path, estate: Estate, events: list[CloudEvent], expected: list[str]
) -> None:
    result = remediate(drift_of(estate, events), workdir, "import")
    assert result.ok, result
    text = result.files["live/estate.tf"]
    squeezed = re.sub(r" +", " ", text)
    for line in expected:
        assert re.sub(r" +", " ", line) in squeezed, text
    _fmt_clean(text)


UNMANAGED = [
    pytest.param(
        Estate("route53", drop=("aws_route53_record.prod",)),
        records(R53),
        "aws_route53_record",
        f"{ZONE}_test.example.com_A",
        id="route53-record",
    ),
    pytest.param(
        Estate("messaging", drop=("aws_sqs_queue.orders",)),
        records("sqs-create-queue.json"),
        "aws_sqs_queue",
        "https://sqs.us-east-2.amazon.com/123456789012/MyQueue",
        id="sqs-queue",
    ),
    pytest.param(
        Estate("apigateway"),
        call(
            R53,
            "apigateway",
            "UpdateStage",
            {
                "restApiId": "a1b2c3d4e5",
                "stageName": "prod",
                "patchOperations": [
                    {"op": "replace", "path": "/~1pets/GET/caching/enabled", "value": "true"}
                ],
            },
        ),
        "aws_api_gateway_method_settings",
        "a1b2c3d4e5/prod/pets/GET",
        id="apigateway-method-settings",
    ),
    pytest.param(
        Estate("route53"),
        call(
            R53,
            "route53",
            "CreateHostedZone",
            {
                "name": "new.example.com",
                "callerReference": "2026-12-07",
                "hostedZoneConfig": {"comment": "made by hand", "privateZone": False},
            },
            {"hostedZone": {"id": "/hostedzone/Z0NEWZONE12345", "name": "new.example.com."}},
        ),
        "aws_route53_zone",
        "Z0NEWZONE12345",
        id="route53-zone",
    ),
    pytest.param(
        Estate("route53", drop=("aws_route53_health_check.prod",)),
        records("route53-create-health-check.json"),
        "aws_route53_health_check",
        "b3c9cbc6-cd18-43bc-93f8-9e557example",
        id="route53-health-check-recorded",
    ),
    pytest.param(
        Estate("dynamodb"),
        call(
            "dynamodb-update-table.json",
            "dynamodb",
            "CreateTable",
            {
                "tableName": "Sessions",
                "attributeDefinitions": [{"attributeName": "SessionId", "attributeType": "S"}],
                "keySchema": [{"attributeName": "SessionId", "keyType": "HASH"}],
                "billingMode": "PAY_PER_REQUEST",
            },
        ),
        "aws_dynamodb_table",
        "Sessions",
        id="dynamodb-table",
    ),
    pytest.param(
        Estate("messaging", drop=("aws_sns_topic.hello",)),
        records("sns-create-topic.json"),
        "aws_sns_topic",
        "arn:aws:sns:us-west-2:123456789012:hello-topic",
        id="sns-topic-recorded",
    ),
    pytest.param(
        Estate("observability", drop=("aws_cloudwatch_metric_alarm.test",)),
        records("cloudwatch-put-metric-alarm.json"),
        "aws_cloudwatch_metric_alarm",
        "CloudTrail Test Alarm",
        id="alarm-recorded",
    ),
    pytest.param(
        Estate("observability"),
        call(
            "cloudwatch-put-metric-alarm.json",
            "logs",
            "PutSubscriptionFilter",
            {
                "logGroupName": "/aws/cloudtrail/main",
                "filterName": "exfil",
                "filterPattern": "",
                "destinationArn": "arn:aws:lambda:us-east-1:123456789012:function:copy",
            },
        ),
        "aws_cloudwatch_log_subscription_filter",
        "/aws/cloudtrail/main|exfil",
        id="log-subscription-filter",
    ),
    pytest.param(
        Estate("observability"),
        call(
            "events-put-rule.json",
            "events",
            "PutTargets",
            {
                "rule": "cttest2",
                "targets": [
                    {"id": "copy", "arn": "arn:aws:sqs:us-east-1:123456789012:copy"},
                ],
            },
        ),
        "aws_cloudwatch_event_target",
        "default/cttest2/copy",
        id="event-target",
    ),
    pytest.param(
        Estate("edge"),
        call(
            "cloudwatch-put-metric-alarm.json",
            "wafv2",
            "CreateIPSet",
            {
                "name": "blocked",
                "scope": "REGIONAL",
                "iPAddressVersion": "IPV4",
                "addresses": ["192.0.2.0/24"],
            },
            {"summary": {"id": "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", "name": "blocked"}},
        ),
        "aws_wafv2_ip_set",
        "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d/blocked/REGIONAL",
        id="waf-ip-set",
    ),
    pytest.param(
        Estate("route53", patch={"aws_route53_zone.internal": {"vpc": []}}),
        call(
            R53,
            "route53",
            "AssociateVPCWithHostedZone",
            {
                "hostedZoneId": "Z0PRIVATE2EXAMPLE",
                "vPC": {"vPCRegion": "us-east-1", "vPCId": "vpc-0123456789abcdef0"},
            },
        ),
        "aws_route53_zone_association",
        "Z0PRIVATE2EXAMPLE:vpc-0123456789abcdef0",
        id="route53-zone-association",
    ),
    pytest.param(
        Estate("observability"),
        call(
            "cloudwatch-put-metric-alarm.json",
            "logs",
            "CreateLogGroup",
            {"logGroupName": "/app/new", "tags": {"team": "app"}},
        ),
        "aws_cloudwatch_log_group",
        "/app/new",
        id="log-group",
    ),
    pytest.param(
        Estate("observability"),
        call(
            "events-put-rule.json",
            "events",
            "PutPermission",
            {
                "eventBusName": "partners",
                "statementId": "Partner",
                "action": "events:PutEvents",
                "principal": "999988887777",
            },
        ),
        "aws_cloudwatch_event_permission",
        "partners/Partner",
        id="event-permission",
    ),
    pytest.param(
        Estate("baselines", drop=("aws_accessanalyzer_analyzer.account",)),
        call(
            "config-stop-configuration-recorder.json",
            "access-analyzer",
            "CreateAnalyzer",
            {"analyzerName": "org-analyzer", "type": "ACCOUNT"},
        ),
        "aws_accessanalyzer_analyzer",
        "org-analyzer",
        id="access-analyzer",
    ),
    pytest.param(
        Estate("baselines", drop=("aws_guardduty_detector.main",)),
        call(
            "config-stop-configuration-recorder.json",
            "guardduty",
            "CreateDetector",
            {"enable": True},
            {"detectorId": "0123456789abcdef0123456789abcdef"},
        ),
        "aws_guardduty_detector",
        "0123456789abcdef0123456789abcdef",
        id="guardduty-detector",
    ),
    pytest.param(
        Estate("observability", drop=("aws_cloudwatch_event_rule.ec2_state",)),
        records("events-put-rule.json"),
        "aws_cloudwatch_event_rule",
        "cttest2",
        id="event-rule",
    ),
]


@pytest.mark.parametrize(("estate", "events", "rtype", "import_id"), UNMANAGED)
def test_unmanaged_becomes_resource_and_import(
    workdir: Path, estate: Estate, events: list[CloudEvent], rtype: str, import_id: str
) -> None:
    drift = unmanaged_of(estate, events, rtype, import_id)
    result = remediate(drift, workdir, "import")
    assert result.ok, result
    written = "".join(t for t in result.files.values() if t != CODE)
    assert f'resource "{rtype}" ' in written
    assert re.search(r"import \{\s+to\s+= " + re.escape(rtype) + r"\.\w+\s+id\s+= ", written)
    assert f'"{import_id}"' in written
    schema = schema_for(rtype)
    assigned = set(re.findall(r"^  (\w+)\s+=", written, re.M)) - {"to", "id"}
    assert assigned and all(schema.classify(name) == "configurable" for name in assigned)
    for text in result.files.values():
        _fmt_clean(text)


DELETES = [
    pytest.param(
        Estate("messaging"),
        records("sqs-delete-queue.json"),
        "aws_sqs_queue.orders",
        id="sqs-queue-recorded",
    ),
    pytest.param(
        Estate("observability"),
        call(
            "cloudwatch-put-metric-alarm.json",
            "monitoring",
            "DeleteAlarms",
            {"alarmNames": ["CloudTrail Test Alarm"]},
        ),
        "aws_cloudwatch_metric_alarm.test",
        id="alarm",
    ),
    pytest.param(
        Estate("dynamodb"),
        records("dynamodb-delete-table.json"),
        "aws_dynamodb_table.music",
        id="dynamodb-table-recorded",
    ),
]


@pytest.mark.parametrize(("estate", "events", "address"), DELETES)
def test_delete_becomes_removed(
    workdir: Path, estate: Estate, events: list[CloudEvent], address: str
) -> None:
    result = remediate(drift_of(estate, events), workdir, "import")
    assert result.ok, result
    written = "".join(result.files.values())
    assert re.search(r"removed \{\s+from = " + re.escape(address), written)
    for text in result.files.values():
        _fmt_clean(text)


def test_hidden_parameter_value_is_never_written(workdir: Path) -> None:
    put = {
        "name": "/app/db/password",
        "value": "HIDDEN_DUE_TO_SECURITY_REASONS",
        "type": "SecureString",
        "overwrite": True,
    }
    drift = drift_of(
        Estate("secrets"), call("secretsmanager-delete-secret.json", "ssm", "PutParameter", put)
    )
    result = remediate(drift, workdir, "import")
    assert not result.ok
    assert result.refusals
    written = "".join(result.files.values())
    assert "sensitiveDataRemoved" not in written and "HIDDEN_DUE" not in written
    assert "var.db_password" in (result.files.get("live/estate.tf") or CODE)


def _mirror() -> Path | None:
    """The provider filesystem mirror (DESIGN.md): the folder holding registry.terraform.io."""
    for root in (Path("/opt/tf-plugins"), Path("/usr/share/terraform/plugins")):
        if (root / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return root
    return None


def test_generated_imports_validate_with_the_real_provider(tmp_path: Path) -> None:
    """Every block the unmanaged cases generate, together, passes ``terraform validate`` with
    hashicorp/aws 5.100.0 from the offline mirror (required arguments present, names and
    nesting the provider's)."""
    mirror = _mirror()
    if mirror is None or shutil.which("terraform") is None:
        pytest.skip("terraform or the provider mirror is not installed")
    blocks: list[str] = []
    for position, param in enumerate(UNMANAGED):
        estate, events, rtype, import_id = param.values
        assert isinstance(estate, Estate) and isinstance(events, list)
        assert isinstance(rtype, str) and isinstance(import_id, str)
        live = tmp_path / f"case{position}" / "live"
        live.mkdir(parents=True)
        (live.parent / ".git").mkdir()
        (live / "estate.tf").write_text(CODE)
        drift = unmanaged_of(estate, events, rtype, import_id)
        blocks += [t for t in remediate(drift, live, "import").files.values() if t != CODE]
    check = tmp_path / "validate"
    check.mkdir()
    (check / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        '      version = "5.100.0"\n    }\n  }\n}\n\nprovider "aws" {\n  region = "us-east-1"\n}\n'
    )
    for position, text in enumerate(blocks):
        (check / f"imports_{position}.tf").write_text(text)
    config = tmp_path / "cli.tfrc"
    config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(config), "TF_IN_AUTOMATION": "1"}
    for command in (["init", "-input=false", "-backend=false"], ["validate", "-no-color"]):
        done = subprocess.run(
            ["terraform", *command], cwd=check, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_patched_code_validates_with_the_real_provider(tmp_path: Path) -> None:
    """The code after each literal patch still passes ``terraform validate``: every patched
    file, its resources renamed per case, validated together (one provider start)."""
    mirror = _mirror()
    if mirror is None or shutil.which("terraform") is None:
        pytest.skip("terraform or the provider mirror is not installed")
    check = tmp_path / "validate"
    check.mkdir()
    (check / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        '      version = "5.100.0"\n    }\n  }\n}\n\n'
        'provider "aws" {\n  region = "us-east-1"\n}\n\n'
        'variable "db_password" {\n  type      = string\n  sensitive = true\n}\n'
    )
    for position, param in enumerate(MODIFIES):
        estate, events = param.values[0], param.values[1]
        assert isinstance(estate, Estate) and isinstance(events, list)
        live = tmp_path / f"case{position}" / "live"
        live.mkdir(parents=True)
        (live.parent / ".git").mkdir()
        (live / "estate.tf").write_text(CODE)
        patched = remediate(drift_of(estate, events), live, "import").files["live/estate.tf"]
        renamed = re.sub(r'^(resource "\w+" ")(\w+)"', rf'\1\2_{position}"', patched, flags=re.M)
        (check / f"estate_{position}.tf").write_text(renamed)
    config = tmp_path / "cli.tfrc"
    config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(config), "TF_IN_AUTOMATION": "1"}
    for command in (["init", "-input=false", "-backend=false"], ["validate", "-no-color"]):
        done = subprocess.run(
            ["terraform", *command], cwd=check, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
