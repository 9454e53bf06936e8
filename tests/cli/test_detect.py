"""``tfdrift-gitops detect`` end to end: inputs, outputs, exit codes, bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from tests.cli.golden import CASES, EXAMPLE_ARGS, GOLDEN, REPO, stable
from tfdrift_gitops.cli import cli

SCHEMA = json.loads((REPO / "tfdrift_gitops" / "schemas" / "drift-v1.json").read_text())
EVENTS_FILE = next((REPO / "examples" / "cloudtrail").glob("*.json"))


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def invoke(*args: str, stdin: bytes | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


@pytest.mark.parametrize("name", sorted(CASES), ids=str)
def test_golden_output(name: str) -> None:
    result = invoke(*CASES[name])
    assert result.exit_code == 0, result.stderr
    assert stable(result.stdout) == (GOLDEN / name).read_text()


def test_json_lines_validate_against_the_published_schema() -> None:
    result = invoke("detect", *EXAMPLE_ARGS, "--format", "json")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 6
    for record in records:
        jsonschema.validate(record, SCHEMA)
    kinds = sorted(r["kind"] for r in records)
    assert kinds == ["modified"] * 4 + ["unmanaged"] * 2


def test_summary_line_counts_skips_by_reason() -> None:
    result = invoke("detect", *EXAMPLE_ARGS)
    assert (
        "records: 10 read; skipped: failed_call 1, read_only 2, trusted_actor 1; errors: 0; "
        "drifts: modified 4, unmanaged 2"
    ) in result.stderr


def test_bundled_example() -> None:
    result = invoke("detect", "--example", "--format", "json")
    assert result.exit_code == 0
    assert "bundled example" in result.stderr
    assert len(result.stdout.splitlines()) == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param([], "no Terraform state", id="nothing"),
        pytest.param(["--state", "x.tfstate"], "no CloudTrail input", id="no-events"),
        pytest.param(["--example", "--state", "x"], "--example replaces", id="example-and-state"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["detect", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_exit_code_flag() -> None:
    assert invoke("detect", *EXAMPLE_ARGS, "--exit-code").exit_code == 2
    quiet = invoke("detect", "--state", EXAMPLE_ARGS[1], "--events", "-", "--exit-code", stdin=b"")
    assert quiet.exit_code == 0


def test_stdin_json_lines_and_gzip_files(tmp_path: Path) -> None:
    records = json.loads(EVENTS_FILE.read_text())["Records"]
    lines = "\n".join(json.dumps(r) for r in records).encode()
    from_stdin = invoke(
        "detect", "--state", EXAMPLE_ARGS[1], "--events", "-", "--format", "json", stdin=lines
    )
    gz = tmp_path / "trail.json.gz"
    gz.write_bytes(gzip.compress(EVENTS_FILE.read_bytes()))
    from_gzip = invoke(
        "detect", "--state", EXAMPLE_ARGS[1], "--events", str(gz), "--format", "json"
    )
    assert len(from_stdin.stdout.splitlines()) == len(from_gzip.stdout.splitlines()) == 6


def test_bad_records_are_named_counted_and_the_rest_processed(tmp_path: Path) -> None:
    records = json.loads(EVENTS_FILE.read_text())["Records"]
    lines = [json.dumps(r) for r in records]
    lines.insert(3, '{"eventName": "AuthorizeSecurityGroupIngress", "truncated')
    lines.insert(5, json.dumps({"eventSource": "ec2.amazonaws.com"}))
    bad = tmp_path / "mixed.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    result = invoke("detect", "--state", EXAMPLE_ARGS[1], "--events", str(bad), "--format", "json")
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 6
    assert "errors: 2" in result.stderr
    assert "mixed.jsonl:4" in result.stderr


def test_state_errors_exit_with_the_state_code(tmp_path: Path) -> None:
    v3 = tmp_path / "old.tfstate"
    v3.write_text(json.dumps({"version": 3, "modules": []}))
    result = CliRunner().invoke(cli, ["detect", "--state", str(v3), "--events", str(EVENTS_FILE)])
    assert result.exit_code == 5
    assert "unsupported state format version 3" in result.stderr


def test_hostile_values_cannot_repaint_the_terminal(tmp_path: Path) -> None:
    records = json.loads(EVENTS_FILE.read_text())["Records"]
    rds = next(r for r in records if r["eventName"] == "ModifyDBInstance")
    rds["userIdentity"]["userName"] = "bob\x1b[2J\x1b[31mroot\r"
    rds["userIdentity"]["arn"] = "arn:aws:iam::123456789012:user/bob\x1b[2J"
    path = tmp_path / "evil.json"
    path.write_text(json.dumps({"Records": [rds]}))
    result = invoke("detect", "--state", EXAMPLE_ARGS[1], "--events", str(path))
    assert "\x1b" not in result.stdout
    assert "\\x1b[2J" in result.stdout


def test_events_from_an_s3_prefix(s3_client: Any, s3_bucket: str, moto_endpoint: str) -> None:
    key = "AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/20/trail.json.gz"
    s3_client.put_object(Bucket=s3_bucket, Key=key, Body=gzip.compress(EVENTS_FILE.read_bytes()))
    result = invoke(
        "detect",
        "--state",
        EXAMPLE_ARGS[1],
        "--events",
        f"s3://{s3_bucket}/AWSLogs/",
        "--s3-endpoint-url",
        moto_endpoint,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 6


def test_state_from_s3(s3_client: Any, s3_bucket: str, moto_endpoint: str) -> None:
    state = (REPO / EXAMPLE_ARGS[1]).read_bytes()
    s3_client.put_object(Bucket=s3_bucket, Key="prod/terraform.tfstate", Body=state)
    result = invoke(
        "detect",
        "--state",
        f"s3://{s3_bucket}/prod/terraform.tfstate",
        "--events",
        str(EVENTS_FILE),
        "--s3-endpoint-url",
        moto_endpoint,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout.splitlines()[0])
    assert record["resource"]["state"] == f"s3://{s3_bucket}/prod/terraform.tfstate"


def test_config_trusted_actor_and_unknown_key(tmp_path: Path) -> None:
    config = tmp_path / "tfdrift.yml"
    config.write_text("trusted_actors: ['arn:aws:iam::123456789012:user/bob']\n")
    trusted = invoke("--config", str(config), "detect", *EXAMPLE_ARGS, "--format", "json")
    assert len(trusted.stdout.splitlines()) == 5
    config.write_text("trusted_actor: [bob]\n")
    bad = CliRunner().invoke(cli, ["--config", str(config), "detect", *EXAMPLE_ARGS])
    assert bad.exit_code == 3
    assert "config.trusted_actor: unknown key" in bad.stderr


def test_ledger_records_then_a_newer_state_resolves_the_imported_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tfdrift_gitops.ledger import open_ledger

    ledger = str(tmp_path / "ledger")
    first = invoke("detect", *EXAMPLE_ARGS, "--ledger", ledger, "--format", "json")
    assert first.exit_code == 0, first.stderr
    assert len(open_ledger(ledger).list_open().drifts) == 6
    again = invoke("detect", *EXAMPLE_ARGS, "--ledger", ledger, "--format", "json")
    assert len(open_ledger(ledger).list_open().drifts) == 6  # redelivery changes nothing
    assert "duplicate_event" in again.stderr
    # Someone imported the RDS change into the code and applied: state now says false.
    state = json.loads((REPO / EXAMPLE_ARGS[1]).read_text())
    state["serial"] += 1
    db = next(r for r in state["resources"] if r["type"] == "aws_db_instance")
    db["instances"][0]["attributes"]["deletion_protection"] = False
    newer = tmp_path / "newer" / "examples" / "state" / "terraform.tfstate"
    newer.parent.mkdir(parents=True)
    newer.write_text(json.dumps(state))
    empty = tmp_path / "none.jsonl"
    empty.write_text("")
    monkeypatch.chdir(tmp_path / "newer")  # the same relative state path: the same resources
    third = invoke("detect", "--state", EXAMPLE_ARGS[1], "--events", str(empty), "--ledger", ledger)
    assert "1 resolved" in third.stderr, third.stderr
    open_now = open_ledger(ledger).list_open().drifts
    assert len(open_now) == 5
    assert "aws_db_instance.main" not in {d.resource.address for d in open_now}


def _sg_call(name: str, event_id: str, when: str) -> dict[str, Any]:
    records = json.loads(EVENTS_FILE.read_text())["Records"]
    base = next(r for r in records if r["eventName"] == "AuthorizeSecurityGroupIngress")
    record: dict[str, Any] = json.loads(json.dumps(base))
    record.update(eventName=name, eventID=event_id, eventTime=when, responseElements=None)
    permission = record["requestParameters"]["ipPermissions"]["items"][0]
    permission.update(fromPort=443, toPort=443)
    permission["ipRanges"]["items"] = [{"cidrIp": "0.0.0.0/0", "description": "HTTPS"}]
    return record


@pytest.mark.parametrize("with_ledger", [False, True], ids=["memory", "ledger"])
def test_late_older_revoke_after_a_newer_re_add_opens_no_drift(
    tmp_path: Path, with_ledger: bool
) -> None:
    """Delivery order: the re-add (10:00, sets what state says) first, then the older revoke
    (09:00). AWS ends with the rule in place, as state says: no drift."""
    path = tmp_path / "late.jsonl"
    path.write_text(
        json.dumps(_sg_call("AuthorizeSecurityGroupIngress", "re-add", "2026-11-20T10:00:00Z"))
        + "\n"
        + json.dumps(_sg_call("RevokeSecurityGroupIngress", "revoke", "2026-11-20T09:00:00Z"))
        + "\n"
    )
    ledger = ["--ledger", str(tmp_path / "ledger")] if with_ledger else []
    result = invoke(
        "detect", "--state", EXAMPLE_ARGS[1], "--events", str(path), *ledger, "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "skipped: no_change 2" in result.stderr


def test_a_later_run_joins_calls_to_a_group_created_by_hand_in_an_earlier_run(
    tmp_path: Path,
) -> None:
    """The prefilter skips calls on unknown groups, but not on one an open unmanaged drift
    in the ledger names: the second run must fold the Authorize into that drift."""
    from tfdrift_gitops.ledger import open_ledger

    created = _sg_call("CreateSecurityGroup", "create", "2026-11-20T08:00:00Z")
    created["requestParameters"] = {"groupName": "scratch", "groupDescription": "by hand"}
    created["responseElements"] = {"groupId": "sg-0feedfacefeedface", "_return": True}
    authorize = _sg_call("AuthorizeSecurityGroupIngress", "later", "2026-11-20T09:00:00Z")
    authorize["requestParameters"]["groupId"] = "sg-0feedfacefeedface"
    ledger = str(tmp_path / "ledger")
    for name, record in (("first.jsonl", created), ("second.jsonl", authorize)):
        path = tmp_path / name
        path.write_text(json.dumps(record) + "\n")
        result = invoke(
            "detect", "--state", EXAMPLE_ARGS[1], "--events", str(path), "--ledger", ledger
        )
        assert result.exit_code == 0, result.stderr
    [drift] = open_ledger(ledger).list_open().drifts
    assert drift.resource.id == "sg-0feedfacefeedface"
    assert [e.id for e in drift.events] == ["create", "later"]
