"""Generate a large state and a large CloudTrail stream for the detect benchmark.

    python bench/gen_data.py --resources 50000 --records 200000 --out bench/out

Writes ``state.tfstate`` (v4, mixed resource types, modules and count/for_each instances) and
``events.jsonl`` (``--mix realistic``, see MIXES) or ``events-<mix>.jsonl`` (one CloudTrail
record per line; about 90 % read-only, unknown or on resources not in
state, as in real accounts, 10 % writes on managed resources).
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"
REGION = "eu-west-1"
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'


def _sg(n: int) -> dict[str, Any]:
    gid = f"sg-{n:017x}"
    rule = {
        "cidr_blocks": ["10.0.0.0/8"],
        "description": "",
        "from_port": 443,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": "tcp",
        "security_groups": [],
        "self": False,
        "to_port": 443,
    }
    return {
        "id": gid,
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{gid}",
        "name": f"sg-{n}",
        "description": "generated",
        "ingress": [rule],
        "egress": [],
        "tags": {"Team": "bench"},
        "tags_all": {"Team": "bench"},
        "vpc_id": "vpc-0123",
        "owner_id": ACCOUNT,
    }


def _bucket(n: int) -> dict[str, Any]:
    name = f"bench-bucket-{n}"
    return {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}", "tags": {}, "tags_all": {}}


def _versioning(n: int) -> dict[str, Any]:
    name = f"bench-bucket-{n}"
    return {
        "id": name,
        "bucket": name,
        "versioning_configuration": [{"status": "Enabled", "mfa_delete": ""}],
    }


def _db(n: int) -> dict[str, Any]:
    ident = f"bench-db-{n}"
    return {
        "id": f"db-{n:026d}",
        "identifier": ident,
        "arn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{ident}",
        "deletion_protection": True,
        "instance_class": "db.t4g.medium",
        "backup_retention_period": 7,
        "multi_az": False,
        "publicly_accessible": False,
    }


def _fn(n: int) -> dict[str, Any]:
    name = f"bench-fn-{n}"
    return {
        "id": name,
        "function_name": name,
        "arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
        "timeout": 30,
        "memory_size": 256,
        "environment": [{"variables": {"LOG_LEVEL": "info"}}],
        "layers": [],
        "role": f"arn:aws:iam::{ACCOUNT}:role/bench",
        "runtime": "python3.12",
        "handler": "app.handler",
    }


# Attributes the AWS provider writes besides the ones the benchmark events touch, so that the
# generated state is as large per resource as a real one (aws_s3_bucket has ~35 attributes).
FILLER: dict[str, Any] = {
    "timeouts": None,
    "region": REGION,
    "force_destroy": False,
    "object_lock_enabled": False,
    "request_payer": "BucketOwner",
    "hosted_zone_id": "Z1BKCTXD74EZPE",
    "acceleration_status": "",
    "lifecycle_rule": [],
    "logging": [],
    "replication_configuration": [],
    "website": [],
    "cors_rule": [],
    "grant": [
        {
            "id": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "permissions": ["FULL_CONTROL"],
            "type": "CanonicalUser",
            "uri": "",
        }
    ],
    "server_side_encryption_configuration": [
        {
            "rule": [
                {
                    "apply_server_side_encryption_by_default": [
                        {"kms_master_key_id": "", "sse_algorithm": "AES256"}
                    ],
                    "bucket_key_enabled": False,
                }
            ]
        }
    ],
    "revoke_rules_on_delete": False,
    "name_prefix": "",
    "create_date": "2026-10-01T08:00:00Z",
    "permissions_boundary": "",
    "max_session_duration": 3600,
    "path": "/",
}


def _realistic(builder: Any) -> Any:
    def build(n: int) -> dict[str, Any]:
        attrs = dict(FILLER)
        attrs.update(builder(n))
        return attrs

    return build


KINDS = [
    ("aws_security_group", _sg),
    ("aws_s3_bucket", _bucket),
    ("aws_s3_bucket_versioning", _versioning),
    ("aws_db_instance", _db),
    ("aws_lambda_function", _fn),
]


def make_state(resources: int) -> dict[str, Any]:
    out = []
    per_kind = resources // len(KINDS)
    for rtype, lean in KINDS:
        builder = _realistic(lean)
        # Groups of 10 instances per resource block: some count, some for_each, some modules.
        for block in range(per_kind // 10):
            instances = []
            for i in range(10):
                n = block * 10 + i
                key: Any = i if block % 2 == 0 else f"k{i}"
                instances.append({"schema_version": 0, "index_key": key, "attributes": builder(n)})
            res: dict[str, Any] = {
                "mode": "managed",
                "type": rtype,
                "name": f"r{block}",
                "provider": PROVIDER,
                "instances": instances,
            }
            if block % 3 == 0:
                res["module"] = f"module.m{block % 17}"
            out.append(res)
    return {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 1,
        "lineage": "bench",
        "outputs": {},
        "resources": out,
    }


def _identity(n: int) -> dict[str, Any]:
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE:user{n % 50}@acme.example",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/user{n % 50}@acme.example",
        "accountId": ACCOUNT,
        "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin"}},
    }


TERRAFORM_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io) "
    "terraform-provider-aws/5.80.0 aws-sdk-go-v2/1.32.6"
)

# Shares of records by kind: reads, writes on unmanaged things, calls the catalog does not
# know, Terraform's own writes on managed resources, hand-made drift on managed resources.
MIXES: dict[str, tuple[float, float, float, float, float]] = {
    # A real account: mostly reads; Terraform's applies outnumber hand-made changes.
    "realistic": (0.70, 0.15, 0.05, 0.07, 0.03),
    # A stress mix: one record in ten is hand-made drift on a managed resource.
    "drift-heavy": (0.70, 0.15, 0.05, 0.00, 0.10),
    # Issue 14's Terraform-heavy stream: apply bursts by Terraform's role on managed resources,
    # hand-made writes on ids not in state, hand-made drift on managed resources. (Its drift
    # uses this generator's two kinds, RDS and Lambda, not the six.)
    "terraform-heavy": (0.70, 0.10, 0.00, 0.15, 0.05),
}


def make_record(
    n: int, resources: int, rng: random.Random, t0: datetime, mix: str = "realistic"
) -> dict[str, Any]:
    per_kind = resources // len(KINDS)
    reads, unmanaged, unknown, terraform, _ = MIXES[mix]
    roll = rng.random()
    managed = rng.randrange(per_kind)
    base = {
        "eventVersion": "1.10",
        "userIdentity": _identity(n),
        "eventTime": (t0 + timedelta(milliseconds=n * 50)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "awsRegion": REGION,
        "sourceIPAddress": "203.0.113.42",
        "userAgent": "console.amazonaws.com",
        "requestID": f"r-{n}",
        "eventID": f"00000000-0000-4000-8000-{n:012d}",
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "readOnly": False,
        "responseElements": None,
    }
    if roll < reads:  # the bulk of real trails: reads
        base.update(
            eventSource="ec2.amazonaws.com",
            eventName="DescribeInstances",
            readOnly=True,
            requestParameters={"instancesSet": {}, "filterSet": {}},
        )
    elif roll < reads + unmanaged:  # writes on things Terraform does not manage
        base.update(
            eventSource="ec2.amazonaws.com",
            eventName="AuthorizeSecurityGroupIngress",
            requestParameters={
                "groupId": f"sg-ffff{n:013x}",
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 80,
                            "toPort": 80,
                            "ipRanges": {"items": [{"cidrIp": "10.1.0.0/16"}]},
                        }
                    ]
                },
            },
        )
    elif roll < reads + unmanaged + unknown:  # calls the catalog does not know
        # (PutParameter was the example until the catalog learned SSM parameters.)
        base.update(
            eventSource="logs.amazonaws.com",
            eventName="CreateLogStream",
            requestParameters={"logGroupName": "/bench", "logStreamName": f"s-{n}"},
        )
    elif roll < reads + unmanaged + unknown + terraform:  # Terraform applying the code
        base.update(
            eventSource="rds.amazonaws.com",
            eventName="ModifyDBInstance",
            userAgent=TERRAFORM_UA,
            requestParameters={
                "dBInstanceIdentifier": f"bench-db-{managed}",
                "backupRetentionPeriod": 7,
                "applyImmediately": True,
            },
        )
    elif roll < 1 - (1 - reads - unmanaged - unknown - terraform) / 2:  # drift on databases
        base.update(
            eventSource="rds.amazonaws.com",
            eventName="ModifyDBInstance",
            requestParameters={
                "dBInstanceIdentifier": f"bench-db-{managed}",
                "deletionProtection": bool(n % 2),
                "applyImmediately": True,
            },
        )
    else:  # drift on managed functions
        base.update(
            eventSource="lambda.amazonaws.com",
            eventName="UpdateFunctionConfiguration20150331v2",
            requestParameters={"functionName": f"bench-fn-{managed}", "timeout": 30 + n % 5},
        )
    return base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=50_000)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mix", choices=sorted(MIXES), default="realistic")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    state_path = args.out / "state.tfstate"
    # Terraform writes state indented by two spaces; so do we, for a realistic file size.
    state_path.write_text(json.dumps(make_state(args.resources), indent=2))
    rng = random.Random(args.seed)
    t0 = datetime(2026, 11, 20, tzinfo=UTC)
    events_path = args.out / (
        "events.jsonl" if args.mix == "realistic" else f"events-{args.mix}.jsonl"
    )
    with events_path.open("w") as handle:
        for n in range(args.records):
            handle.write(json.dumps(make_record(n, args.resources, rng, t0, args.mix)))
            handle.write("\n")
    size = state_path.stat().st_size
    print(f"state: {state_path} ({size / 1e6:.1f} MB), events: {events_path} ({args.mix} mix)")


if __name__ == "__main__":
    main()
