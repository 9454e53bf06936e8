"""Building test alerts the way Falco emits them (JSON http_output and gRPC output_fields)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

SG_ID = "sg-00b0bd48f1f5bca5b"
ACCOUNT = "230446364776"
REGION = "us-east-1"
SG_ADDRESS = "aws_security_group.webserver"


def cloudtrail_record(
    event_id: str,
    *,
    name: str = "AuthorizeSecurityGroupIngress",
    group_id: str = SG_ID,
    cidr: str = "203.0.113.0/24",
    port: int = 22,
    session: str = "alan@acme.example",
    user_agent: str = "console.ec2.amazonaws.com",
    error: str | None = None,
    when: str = "2026-11-20T09:15:00Z",
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLE:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/{session}",
            "accountId": ACCOUNT,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/admin",
                    "userName": "admin",
                }
            },
        },
        "eventTime": when,
        "eventSource": "ec2.amazonaws.com",
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": "203.0.113.42",
        "userAgent": user_agent,
        "requestParameters": {
            "groupId": group_id,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": port,
                        "toPort": port,
                        "ipRanges": {"items": [{"cidrIp": cidr}]},
                    }
                ]
            },
        },
        "responseElements": {"_return": True},
        "eventID": event_id,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT,
    }
    if error:
        record["errorCode"] = error
    return record


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    identity = record["userIdentity"]
    when = datetime.fromisoformat(record["eventTime"].replace("Z", "+00:00")).astimezone(UTC)
    return {
        "ct.id": record["eventID"],
        "ct.time": record["eventTime"],
        "ct.name": record["eventName"],
        "ct.src": record["eventSource"],
        "ct.shortsrc": record["eventSource"].removesuffix(".amazonaws.com"),
        "ct.region": record["awsRegion"],
        "ct.srcip": record["sourceIPAddress"],
        "ct.useragent": record["userAgent"],
        "ct.user": identity["sessionContext"]["sessionIssuer"]["userName"],
        "ct.originaluser": identity["arn"].rsplit("/", 1)[-1],
        "ct.user.arn": identity["arn"],
        "ct.user.identitytype": identity["type"],
        "ct.user.accountid": identity["accountId"],
        "ct.user.principalid": identity["principalId"],
        "ct.request": json.dumps(record["requestParameters"]),
        "ct.response": json.dumps(record["responseElements"]),
        "ct.error": record.get("errorCode"),
        "ct.readonly": "false",
        # json_output writes evt.time as epoch nanoseconds; gRPC as the time of day (below)
        "evt.time": int(when.timestamp()) * 1_000_000_000,
    }


def falco_alert(record: dict[str, Any], *, source: str = "aws_cloudtrail") -> dict[str, Any]:
    """The JSON Falco's http_output POSTs (typed values, missing ones null)."""
    return {
        "hostname": "falco-0",
        "output": f"Terraform drift candidate (ct.id={record['eventID']} ...)",
        "priority": "Notice",
        "rule": "Terraform drift candidate (tfdrift-gitops)",
        "source": source,
        "tags": ["aws", "cloud", "tfdrift_gitops"],
        "time": record["eventTime"].replace("Z", ".000000000Z"),
        "output_fields": _fields(record),
    }


def time_of_day(record: dict[str, Any]) -> str:
    """``evt.time`` as Falco formats it for gRPC output_fields: the time of day only, with
    nanoseconds (``09:15:00.000000000``), in the Falco host's zone (UTC here)."""
    when = datetime.fromisoformat(record["eventTime"].replace("Z", "+00:00")).astimezone(UTC)
    return when.strftime("%H:%M:%S.") + f"{when.microsecond * 1000:09d}"


def grpc_fields(record: dict[str, Any]) -> dict[str, str]:
    """gRPC output_fields: every value a string, missing ones "<NA>", ``evt.time`` the time of
    day (not the JSON output's epoch nanoseconds)."""
    out: dict[str, str] = {"evt.time": time_of_day(record)}
    for key, value in _fields(record).items():
        if key in out:
            continue
        if value is None:
            out[key] = "<NA>"
        elif isinstance(value, str):
            out[key] = value
        else:
            out[key] = json.dumps(value)
    return out


def syscall_alert() -> dict[str, Any]:
    return {
        "hostname": "node-1",
        "output": "Shell spawned in a container",
        "priority": "Warning",
        "rule": "Terminal shell in container",
        "source": "syscall",
        "tags": ["container", "shell"],
        "time": "2026-11-20T09:15:00.123456789Z",
        "output_fields": {"proc.name": "bash", "evt.time": 1_700_000_000_000_000_000},
    }
