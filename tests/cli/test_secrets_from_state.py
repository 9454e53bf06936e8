"""Secrets the state marks sensitive never leave the engine, whichever way a drift travels.

The attack: an instance's ``user_data`` (provider v6 keeps it as text) holds a password and the
state lists it in ``sensitive_attributes``; someone rewrites the user data by hand. Before the
fix the old value reached ``detect`` (text and JSON), the ledger, ``ledger show`` and the GitHub
issue body as the drift's ``before``.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tfdrift_gitops.cli import cli

SECRET = "DB_PASSWORD=hunter2"
NEW_SECRET = "DB_PASSWORD=swordfish"
INSTANCE = "i-0a1b2c3d4e5f60718"
ACCOUNT = "123456789012"

V1_PATHS = [[{"type": "get_attr", "value": "user_data"}]]
MARKERS = {"user_data": True}


def _state(sensitive: Any) -> dict[str, Any]:
    return {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 3,
        "lineage": "5e3c0c4e-0000-4000-8000-000000000001",
        "outputs": {},
        "resources": [
            {
                "mode": "managed",
                "type": "aws_instance",
                "name": "api",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [
                    {
                        "schema_version": 1,
                        "attributes": {
                            "id": INSTANCE,
                            "arn": f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/{INSTANCE}",
                            "instance_type": "t3.micro",
                            "user_data": SECRET,
                            "user_data_base64": None,
                            "tags": {"Name": "api"},
                        },
                        "sensitive_attributes": sensitive,
                    }
                ],
            }
        ],
        "check_results": None,
    }


def _event() -> dict[str, Any]:
    return {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/mallory",
            "accountId": ACCOUNT,
            "userName": "mallory",
        },
        "eventTime": "2026-11-20T09:15:00Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "ModifyInstanceAttribute",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "203.0.113.42",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {
            "instanceId": INSTANCE,
            "userData": {"value": base64.b64encode(NEW_SECRET.encode()).decode()},
        },
        "responseElements": {"_return": True},
        "requestID": "req-1",
        "eventID": "e0c1a2b3-0000-4000-8000-00000000abcd",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
    }


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _no_secret(text: str, where: str) -> None:
    assert "hunter2" not in text, where
    # The new value is masked in the changes (CloudTrail's request, stored base64 as it came,
    # is CloudTrail's business: it normally redacts userData itself).
    assert "swordfish" not in text, where


@pytest.mark.parametrize(
    "sensitive",
    [pytest.param(V1_PATHS, id="terraform-1x-paths"), pytest.param(MARKERS, id="marker-tree")],
)
def test_state_secret_is_masked_everywhere(
    sensitive: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    state = tmp_path / "terraform.tfstate"
    state.write_text(json.dumps(_state(sensitive)))
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"Records": [_event()]}))
    ledger = tmp_path / "ledger"
    base = ("detect", "--state", str(state), "--events", str(events))

    text = _invoke(*base)
    _no_secret(text.stdout + text.stderr, "detect text")
    assert "(hidden, changed)" in text.stdout

    as_json = _invoke(*base, "--format", "json")
    _no_secret(as_json.stdout, "detect json")
    (record,) = [json.loads(line) for line in as_json.stdout.splitlines()]
    (change,) = record["changes"]
    assert (change["path"], change["before"], change["after"]) == (
        "user_data",
        "(hidden)",
        "(hidden, changed)",
    )

    stored = _invoke(*base, "--ledger", str(ledger))
    assert stored.exit_code == 0, stored.stderr
    for path in ledger.rglob("*"):
        if path.is_file():
            _no_secret(path.read_text(errors="replace"), f"ledger file {path.name}")
    shown = _invoke("ledger", "show", record["id"], "--ledger", str(ledger))
    _no_secret(shown.stdout, "ledger show")
    assert "(hidden, changed)" in shown.stdout

    planned = _invoke("reconcile", "--ledger", str(ledger), "--repo", "acme/infra", "--dry-run")
    assert planned.exit_code == 0, planned.stderr
    _no_secret(planned.stdout, "GitHub issue body")
    assert "(hidden, changed)" in planned.stdout

    workdir = tmp_path / "infra"
    workdir.mkdir()
    (workdir / "main.tf").write_text(
        'resource "aws_instance" "api" {\n'
        '  instance_type = "t3.micro"\n'
        "  user_data     = var.user_data\n"
        "}\n"
    )
    patched = _invoke(
        "remediate",
        record["id"],
        "--ledger",
        str(ledger),
        "--workdir",
        str(workdir),
        "--repo-root",
        str(tmp_path),
        "--strategy",
        "import",
        "--dry-run",
        "--format",
        "json",
    )
    _no_secret(patched.stdout + patched.stderr, "remediation patch")
    assert "(hidden" not in json.loads(patched.stdout).get("diff", "")
