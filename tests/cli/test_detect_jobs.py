"""``detect --jobs N`` gives what one process gives: the same drifts (ids, order, content),
the same counts by reason, the same errors in the same order, on a mixed input."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.golden import REPO

STATE = REPO / "examples/state/terraform.tfstate"
EXAMPLE = next((REPO / "examples" / "cloudtrail").glob("*.json"))
TERRAFORM_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.11.4 terraform-provider-aws/5.80.0"


def _templates() -> dict[str, dict[str, Any]]:
    records = json.loads(EXAMPLE.read_text())["Records"]
    out: dict[str, dict[str, Any]] = {}
    for record in records:
        key = record["eventName"] + ("-failed" if record.get("errorCode") else "")
        out.setdefault(key, record)
    return out


def _mixed_records(count: int, seed: int) -> list[str]:
    """JSON lines: reads, failed and unknown calls, hand-made drift and Terraform's calls on
    the example's resources, groups created by hand then changed (their ids become known
    mid-run), calls on ids nobody knows, redeliveries, out-of-order times, bad lines, other
    Falco sources and Records documents."""
    rng = random.Random(seed)
    templates = _templates()
    lines: list[str] = []
    created: list[str] = []

    def record(name: str, n: int, **changes: Any) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(json.dumps(templates[name]))
        minute = n % 60 if rng.random() > 0.1 else (n + 37) % 60  # some arrive late
        out["eventID"] = f"{name}-{n}"
        out["eventTime"] = f"2026-11-20T{10 + n // 3600 % 10:02d}:{minute:02d}:{n % 60:02d}Z"
        out.update(changes)
        return out

    for n in range(count):
        roll = rng.random()
        if roll < 0.45:
            item: Any = record("DescribeSecurityGroups", n)
        elif roll < 0.5:
            item = record("AttachRolePolicy-failed", n)
        elif roll < 0.55:
            item = record("GetCallerIdentity", n, readOnly=False, eventName="CreateLogStream")
        elif roll < 0.63:
            name = rng.choice(
                ["ModifyDBInstance", "UpdateFunctionConfiguration20150331v2", "PutBucketTagging"]
            )
            item = record(name, n, userAgent=TERRAFORM_UA)
        elif roll < 0.7:
            name = rng.choice(
                [
                    "AuthorizeSecurityGroupIngress",
                    "ModifyDBInstance",
                    "PutBucketVersioning",
                    "UpdateFunctionConfiguration20150331v2",
                ]
            )
            item = record(name, n)
            if name == "UpdateFunctionConfiguration20150331v2":
                item["requestParameters"]["timeout"] = rng.choice([30, 300, 900])
        elif roll < 0.74:
            group = f"sg-0{n:016x}"
            created.append(group)
            item = record("AuthorizeSecurityGroupIngress", n, eventName="CreateSecurityGroup")
            item["requestParameters"] = {"groupName": f"g{n}", "groupDescription": "by hand"}
            item["responseElements"] = {"groupId": group, "_return": True}
        elif roll < 0.86:
            # On a group created by hand earlier (known by then), or on one nobody knows.
            group = rng.choice(created) if created and rng.random() < 0.5 else f"sg-f{n:016x}"
            item = record("AuthorizeSecurityGroupIngress", n)
            item["requestParameters"]["groupId"] = group
        elif roll < 0.9 and lines:
            lines.append(rng.choice(lines))  # a redelivery
            continue
        elif roll < 0.92:
            lines.append('{"eventName": "ModifyDBInstance", "eventTime": ')  # cut short
            continue
        elif roll < 0.94:
            item = {
                "output_fields": {"proc.name": "sh"},
                "rule": "Terminal shell",
                "source": "syscall",
            }
        elif roll < 0.97:
            group = f"sg-e{n:016x}" if rng.random() < 0.5 else (created or ["sg-x"])[-1]
            inner = record("AuthorizeSecurityGroupIngress", n)
            inner["requestParameters"]["groupId"] = group
            item = {"Records": [record("ModifyDBInstance", n + 1_000_000), inner]}
        else:
            lines.append("")
            continue
        lines.append(json.dumps(item))
    return lines


def _detect(events: Path, jobs: int, cwd: Path) -> tuple[list[dict[str, Any]], list[str]]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tfdrift_gitops",
            "detect",
            "--state",
            str(STATE),
            "--events",
            str(events),
            "--format",
            "json",
            "--jobs",
            str(jobs),
        ],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    drifts = [json.loads(line) for line in done.stdout.splitlines()]
    for drift in drifts:  # when the run happened, not what it found
        drift.pop("detected_at", None)
        for step in drift.get("history", []):
            step.pop("time", None)
    return drifts, done.stderr.splitlines()


@pytest.mark.parametrize(
    ("count", "jobs"),
    [
        pytest.param(4_500, 2, id="two-workers-several-batches"),
        pytest.param(1_200, 3, id="three-workers"),
    ],
)
def test_jobs_give_what_one_process_gives(tmp_path: Path, count: int, jobs: int) -> None:
    events = tmp_path / "mixed.jsonl"
    events.write_text("\n".join(_mixed_records(count, seed=count)) + "\n")
    one = _detect(events, 1, tmp_path)
    many = _detect(events, jobs, tmp_path)
    assert many == one
    drifts, stderr = one
    summary = stderr[-1]
    # Not vacuous: drifts of two kinds, errors, and every reason the mix can give.
    assert {d["kind"] for d in drifts} >= {"modified", "unmanaged"}, summary
    for reason in (
        "read_only",
        "failed_call",
        "not_in_catalog",
        "trusted_actor",
        "not_in_state",
        "duplicate_event",
        "not_cloudtrail",
    ):
        assert reason in summary, (reason, summary)
    assert any(line.startswith("error: ") for line in stderr)
    # Calls on groups made by hand earlier in the run joined those groups' drifts (the ids a
    # worker found unknown were known here by then).
    assert any(d["kind"] == "unmanaged" and len(d["events"]) > 1 for d in drifts)
