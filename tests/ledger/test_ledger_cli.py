"""``tfdrift-gitops ledger``: golden output, decisions, exit codes, and where the ledger is.

Golden files live in ``tests/fixtures/ledger/``; ``python tests/ledger/regenerate_golden.py``
rewrites them.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from tests.ledger.ledger_support import (
    add,
    build_demo_ledger,
    golden_commands,
    make_engine,
    record_one,
)
from tfdrift_gitops.cli import cli
from tfdrift_gitops.ledger import StoredLedger, layout, open_ledger
from tfdrift_gitops.models import Status

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "ledger"
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "tfdrift_gitops/schemas/drift-v1.json").read_text()
)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["ledger", *args], env=env, catch_exceptions=False)


@pytest.fixture
def ledger(tmp_path: Path) -> StoredLedger:
    """The CLI runs on the local backend here (the contract suite covers both backends;
    ``test_the_s3_backend_prints_the_same`` checks the CLI output over S3)."""
    return open_ledger(str(tmp_path / "ledger"))


@pytest.fixture
def demo(ledger: StoredLedger) -> tuple[list[str], dict[str, str]]:
    """The demo ledger, and the CLI options that reach it."""
    ids = build_demo_ledger(ledger)
    return ["--ledger", ledger.location], ids


@pytest.mark.parametrize(
    "name", [pytest.param(n, id=n) for n in golden_commands({"escalated": "", "hostile": ""})]
)
def test_output_matches_the_golden_files(demo: tuple[list[str], dict[str, str]], name: str) -> None:
    options, ids = demo
    result = run(*golden_commands(ids)[name], *options)
    assert result.exit_code == 0, result.output
    assert result.stdout == (GOLDEN / name).read_text(encoding="utf-8")


def test_the_s3_backend_prints_the_same(moto_endpoint: str, s3_bucket: str) -> None:
    url = f"s3://{s3_bucket}/ledger"
    ids = build_demo_ledger(open_ledger(url, s3_endpoint_url=moto_endpoint))
    for name, args in golden_commands(ids).items():
        result = run(*args, "--ledger", url, "--s3-endpoint-url", moto_endpoint)
        assert result.exit_code == 0, result.output
        assert result.stdout == (GOLDEN / name).read_text(encoding="utf-8"), name


def test_json_lines_are_drift_records_with_their_history(
    demo: tuple[list[str], dict[str, str]],
) -> None:
    options, ids = demo
    result = run("list", "--status", "all", "--format", "json", *options)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 7
    for record in records:
        jsonschema.validate(record, SCHEMA)
        assert record["history"], record["id"]
    by_id = {r["id"]: r for r in records}
    assert by_id[ids["ignored"]]["status"] == "ignored"
    assert [h["status"] for h in by_id[ids["issue"]]["history"]] == ["open", "issue_opened"]
    shown = run("show", ids["issue"], "--format", "json", *options)
    assert json.loads(shown.stdout) == by_id[ids["issue"]]


@pytest.mark.parametrize(
    ("command", "status", "verb"),
    [
        pytest.param("ack", Status.OPEN, "acknowledged", id="ack"),
        pytest.param("ignore", Status.IGNORED, "ignored", id="ignore"),
        pytest.param("resolve", Status.RESOLVED, "resolved", id="resolve"),
    ],
)
def test_decisions_are_stored_with_who_and_why(
    demo: tuple[list[str], dict[str, str]],
    ledger: StoredLedger,
    command: str,
    status: Status,
    verb: str,
) -> None:
    options, ids = demo
    drift_id = ids["deleted"]
    result = run(command, drift_id, "--reason", "ticket OPS-7", "--by", "dana", *options)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{drift_id} {verb} by dana (status {status.value})\n"
    stored = ledger.get(drift_id)
    assert stored.status is status
    last = stored.history[-1]
    assert (last.status, last.by, last.reason) == (status, "dana", "ticket OPS-7")
    in_open = run("list", "--format", "json", *options).stdout
    assert (drift_id in in_open) is status.is_open


def test_a_closed_drift_cannot_be_decided_again(demo: tuple[list[str], dict[str, str]]) -> None:
    options, ids = demo
    result = run("resolve", ids["ignored"], "--reason", "x", *options)
    assert result.exit_code == 6
    assert "already ignored" in result.stderr


def test_the_decider_defaults_to_the_github_actor(
    demo: tuple[list[str], dict[str, str]], ledger: StoredLedger
) -> None:
    options, ids = demo
    result = run(
        "ack", ids["unmanaged"], "--reason", "seen", *options, env={"GITHUB_ACTOR": "octo"}
    )
    assert result.exit_code == 0, result.output
    assert ledger.get(ids["unmanaged"]).history[-1].by == "octo"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        pytest.param(
            ["show", "d-0000000000000000"], 7, "no drift d-0000000000000000", id="show-unknown"
        ),
        pytest.param(["show", "nonsense"], 7, "is not a drift id", id="show-malformed"),
        pytest.param(["ignore", "d-0000000000000000"], 2, "--reason", id="reason-required"),
        pytest.param(["list", "--status", "closed"], 2, "closed", id="bad-status"),
    ],
)
def test_errors_have_exit_codes_and_say_why(
    demo: tuple[list[str], dict[str, str]], args: list[str], code: int, message: str
) -> None:
    options, _ = demo
    result = run(*args, *options)
    assert result.exit_code == code
    assert message in result.stderr


def test_corrupt_objects_are_printed_by_key_and_fail_the_command(
    demo: tuple[list[str], dict[str, str]], ledger: StoredLedger
) -> None:
    options, _ = demo
    key = layout.open_key("0" * 32)
    ledger.storage.put_if_absent(key, b"{ nope")
    result = run("list", *options)
    assert result.exit_code == 6
    assert result.stdout == (GOLDEN / "list.txt").read_text(encoding="utf-8")  # the rest listed
    assert f"error: corrupt ledger object {ledger.storage.url_for(key)}: " in result.stderr
    assert "1 corrupt object(s)" in result.stderr
    compacted = run("compact", "--quarantine-corrupt", *options)
    assert compacted.exit_code == 0, compacted.output
    assert compacted.stdout == f"quarantined {ledger.storage.url_for(key)}\n"
    assert run("list", *options).exit_code == 0


def test_compact_finishes_interrupted_archive_steps(tmp_path: Path) -> None:
    location = str(tmp_path / "ledger")
    ledger = open_ledger(location)
    folded = record_one(ledger, make_engine(), add(1, "1.1.1.1/32"))
    assert folded.drift is not None
    key = layout.open_key(layout.resource_hash(folded.drift.resource.key))
    blob = ledger.storage.get(key)
    assert blob is not None
    closed = replace(folded.drift, status=Status.IGNORED)
    ledger.storage.put_if_match(key, layout.encode_drift(closed), blob.etag)
    listed = run("list", "--ledger", location)
    assert listed.exit_code == 0
    assert "1 closed drift(s) still wait for their archive step" in listed.stderr
    result = run("compact", "--ledger", location)
    assert (result.exit_code, result.stdout) == (0, f"archived {folded.drift.id}\n")
    assert "wait for their archive" not in run("list", "--ledger", location).stderr


def test_the_ledger_location_comes_from_flag_env_or_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locations = {name: tmp_path / name for name in ("flag", "env", "config")}
    for number, location in enumerate(locations.values()):
        record_one(open_ledger(str(location)), make_engine(), add(number, "1.1.1.1/32"))
    config = tmp_path / "tfdrift.yml"
    config.write_text(f"ledger: {locations['config']}\n")
    monkeypatch.chdir(tmp_path)

    def listed(*args: str, env: dict[str, str] | None = None) -> str:
        result = CliRunner().invoke(
            cli, ["--config", str(config), "ledger", "list", "--format", "json", *args], env=env
        )
        assert result.exit_code == 0, result.output
        [record] = [json.loads(line) for line in result.stdout.splitlines()]
        return str(record["resource"]["id"])

    assert listed() == "t-0002"  # config
    assert listed(env={"TFDRIFT_LEDGER": str(locations["env"])}) == "t-0001"
    assert listed("--ledger", str(locations["flag"]), env={"TFDRIFT_LEDGER": "x"}) == "t-0000"


def test_a_missing_ledger_is_a_clear_error(tmp_path: Path) -> None:
    result = run("list", "--ledger", str(tmp_path / "none"))
    assert result.exit_code != 0
    assert result.stdout == ""
    assert f"error: no ledger at {tmp_path / 'none'}" in result.stderr
    assert not (tmp_path / "none").exists()  # reading never creates anything


def test_a_directory_that_is_not_a_ledger_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    result = run("list", "--ledger", str(tmp_path))
    assert result.exit_code != 0
    assert "is not a tfdrift-gitops ledger" in result.stderr
