"""A generated estate for the report tests and bench: N security groups in three accounts, one
CloudTrail call per drift from people, CI, AI agents, Lambda functions and hostile callers over
the last 120 days, replayed by ``detect`` into a real local ledger; about 40 % of the drifts are
then resolved and some get issue and PR numbers, all through the ledger's own API."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tfdrift_gitops.cli import cli
from tfdrift_gitops.core.fold import transition
from tfdrift_gitops.core.record import drift_from_record
from tfdrift_gitops.ledger import StoredLedger, open_ledger
from tfdrift_gitops.models import Drift, Status

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ACCOUNTS = ("111111111111", "222222222222", "333333333333")
REGION = "eu-west-1"
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;</td>'
BOTO = "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1 lang/python#3.12.1"

# (role, session, user agent): people, CI, AI agents, automation and one hostile caller.
ACTORS = (
    ("AWSReservedSSO_Admin_0123", "alan@acme.example", "console.ec2.amazonaws.com"),
    ("AWSReservedSSO_Admin_0123", "carol@acme.example", "aws-cli/2.15.0 Python/3.11.6"),
    ("gha-deploy", "GitHubActions", "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0-1025-azure"),
    ("AWSReservedSSO_Dev_1", "dave@acme.example", f"{BOTO} awslabs/mcp/AWS-API-MCP-server/1.0.2"),
    ("cleanup", "cleanup-fn", f"{BOTO} exec-env/AWS_Lambda_python3.12"),
    ("AWSReservedSSO_Admin_0123", HOSTILE, "console.ec2.amazonaws.com"),
)


def _sg(n: int) -> dict[str, Any]:
    account = ACCOUNTS[n % len(ACCOUNTS)]
    sg_id = f"sg-{n:017x}"
    rule = {
        "cidr_blocks": ["0.0.0.0/0"],
        "description": "HTTPS",
        "from_port": 443,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": "tcp",
        "security_groups": [],
        "self": False,
        "to_port": 443,
    }
    attributes = {
        "arn": f"arn:aws:ec2:{REGION}:{account}:security-group/{sg_id}",
        "description": "web",
        "egress": [],
        "id": sg_id,
        "ingress": [rule],
        "name": f"sg{n}",
        "name_prefix": "",
        "owner_id": account,
        "revoke_rules_on_delete": False,
        "tags": {},
        "tags_all": {},
        "timeouts": None,
        "vpc_id": "vpc-0a1b2c3d4e5f60718",
    }
    return {
        "mode": "managed",
        "type": "aws_security_group",
        "name": f"sg{n}",
        "provider": PROVIDER,
        "instances": [{"schema_version": 1, "attributes": attributes, "sensitive_attributes": []}],
    }


def _record(n: int, when: datetime, rng: random.Random) -> dict[str, Any]:
    role, session, agent = ACTORS[n % len(ACTORS)]
    account = ACCOUNTS[n % len(ACCOUNTS)]
    record: dict[str, Any] = {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLE:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            "accountId": account,
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": role}},
        },
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "awsRegion": REGION,
        "sourceIPAddress": "203.0.113.42",
        "userAgent": agent,
        "requestID": f"r-{n}",
        "eventID": f"00000000-0000-4000-8000-{n:012d}",
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "readOnly": False,
        "responseElements": None,
    }
    if n % 10 == 9:  # a bucket nobody manages
        record.update(
            eventSource="s3.amazonaws.com",
            eventName="CreateBucket",
            requestParameters={"bucketName": f"scratch-{n}", "Host": "s3.amazonaws.com"},
        )
        return record
    port = rng.choice((22, 3306, 8080, 5432))
    description = HOSTILE if n % len(ACTORS) == 5 else f"debug {n}"
    record.update(
        eventSource="ec2.amazonaws.com",
        eventName="AuthorizeSecurityGroupIngress",
        requestParameters={
            "groupId": f"sg-{n:017x}",
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": port,
                        "toPort": port,
                        "ipRanges": {
                            "items": [{"cidrIp": "0.0.0.0/0", "description": description}]
                        },
                    }
                ]
            },
        },
    )
    return record


def _write_estate(directory: Path, drifts: int, rng: random.Random) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    state = {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 1,
        "lineage": "report-test",
        "outputs": {},
        "resources": [_sg(n) for n in range(drifts)],
        "check_results": None,
    }
    (directory / "terraform.tfstate").write_text(json.dumps(state), encoding="utf-8")
    times = [NOW - timedelta(days=rng.uniform(0, 120)) for _ in range(drifts)]
    records = [_record(n, when, rng) for n, when in enumerate(times)]
    (directory / "trail.json").write_text(json.dumps({"Records": records}), encoding="utf-8")


def build_ledger(directory: Path, drifts: int, *, seed: int = 15) -> StoredLedger:
    """A local ledger of ``drifts`` drifts made by the real pipeline (``detect``)."""
    rng = random.Random(seed)
    _write_estate(directory, drifts, rng)
    ledger_dir = directory / "ledger"
    result = CliRunner().invoke(
        cli,
        [
            "detect",
            "--state",
            str(directory / "terraform.tfstate"),
            "--events",
            str(directory / "trail.json"),
            "--ledger",
            str(ledger_dir),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output[-2000:]
    store = open_ledger(str(ledger_dir))
    for drift in sorted(store.list_open().drifts, key=lambda d: d.id):
        roll = rng.random()
        if roll < 0.4:
            done = drift.event.time + timedelta(hours=rng.expovariate(1 / 30))
            store.transition(
                drift.id, Status.RESOLVED, by="test", reason="reverted", now=min(done, NOW)
            )
        elif roll < 0.7:
            store.set_github(drift.id, issue_number=int(rng.randrange(1, 9999)), now=NOW)
    return store


def all_drifts(store: StoredLedger) -> tuple[Drift, ...]:
    listing = store.list(None)
    assert not listing.corrupt
    return listing.drifts


def build_drifts(directory: Path, drifts: int, *, seed: int = 15) -> list[Drift]:
    """The same estate's drifts from ``detect --format json`` (no ledger: fast enough for
    5,000), about 40 % resolved in memory the way the ledger records it."""
    rng = random.Random(seed)
    _write_estate(directory, drifts, rng)
    result = CliRunner().invoke(
        cli,
        [
            "detect",
            "--state",
            str(directory / "terraform.tfstate"),
            "--events",
            str(directory / "trail.json"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output[-2000:]
    out = []
    for line in result.stdout.splitlines():
        if not line.startswith("{"):
            continue
        drift = drift_from_record(json.loads(line))
        roll = rng.random()
        if roll < 0.4:
            done = drift.event.time + timedelta(hours=rng.expovariate(1 / 30))
            drift = transition(drift, Status.RESOLVED, by="test", now=min(done, NOW))
        elif roll < 0.7:
            drift = replace(drift, issue_number=rng.randrange(1, 9999))
        out.append(drift)
    return out
