"""Input that should cost little and break nothing, through ``detect`` end to end.

Each test is an attack that used to end the run or corrupt its output: a lone surrogate in a
tag value, a 900-deep requestParameters, files that inflate to more than can be held.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tfdrift_gitops.cli import cli

REPO = Path(__file__).resolve().parents[2]
STATE = REPO / "examples" / "state" / "terraform.tfstate"
EXAMPLE = next((REPO / "examples" / "cloudtrail").glob("*.json"))


def _records() -> dict[str, dict[str, Any]]:
    records = json.loads(EXAMPLE.read_text())["Records"]
    return {r["eventName"]: r for r in records}


def _by_a_person(record: dict[str, Any], event_id: str) -> dict[str, Any]:
    person = _records()["AuthorizeSecurityGroupIngress"]
    out: dict[str, Any] = json.loads(json.dumps(record))
    for key in ("userIdentity", "userAgent", "sourceIPAddress"):
        out[key] = person[key]
    out["eventID"] = event_id
    return out


def _tagging_with(value: str) -> dict[str, Any]:
    record = _by_a_person(_records()["PutBucketTagging"], "e0c1a2b3-0000-4000-8000-0000000000f1")
    record["requestParameters"]["Tagging"]["TagSet"]["Tag"][0]["Value"] = value
    return record


def _deep(levels: int) -> dict[str, Any]:
    record = _by_a_person(
        _records()["UpdateFunctionConfiguration20150331v2"], "e0c1a2b3-0000-4000-8000-0000000000f2"
    )
    nested: dict[str, Any] = {}
    current = nested
    for _ in range(levels):
        current["a"] = {}
        current = current["a"]
    record["requestParameters"]["nested"] = nested
    return record


def _good() -> dict[str, Any]:
    return _records()["AuthorizeSecurityGroupIngress"]


def _write(path: Path, *records: dict[str, Any]) -> str:
    path.write_text(json.dumps({"Records": list(records)}))
    return str(path)


def _detect(*args: str) -> Any:
    return CliRunner().invoke(cli, ["detect", "--state", str(STATE), *args])


def _ledger_is_whole(ledger: Path) -> list[str]:
    """Every index entry that names a drift has the drift stored (no half of a write)."""
    stored = {
        json.loads(p.read_text())["id"]
        for folder in ("open", "archive")
        if (ledger / folder).exists()
        for p in (ledger / folder).rglob("*.json")
    }
    for entry in (ledger / "index").glob("*.json"):
        named = json.loads(entry.read_text())["drift_id"]
        assert named in stored, f"{entry.name} names {named}, which is not stored"
    return sorted(stored)


def test_lone_surrogate_in_a_tag_value(tmp_path: Path) -> None:
    events = _write(tmp_path / "tags.json", _tagging_with("\udc80"), _good())
    ledger = tmp_path / "ledger"

    stored = _detect("--events", events, "--ledger", str(ledger))
    assert stored.exception is None, stored.exception
    assert stored.exit_code == 0, stored.stderr
    assert len(_ledger_is_whole(ledger)) == 2

    as_json = _detect("--events", events, "--format", "json")
    assert as_json.exit_code == 0
    lines = as_json.stdout_bytes.decode("utf-8").splitlines()  # strict: valid UTF-8
    tagged = [json.loads(line) for line in lines if "tags" in line]
    (change,) = tagged[0]["changes"]
    assert change["after"] == {"Team": "\udc80"}  # the same string once read back

    text = _detect("--events", events)
    assert "\\udc80" in text.stdout
    text.stdout_bytes.decode("utf-8")

    shown = CliRunner().invoke(cli, ["ledger", "list", "--ledger", str(ledger), "--format", "json"])
    assert shown.exit_code == 0, shown.stderr
    shown.stdout_bytes.decode("utf-8")


def test_900_deep_request_parameters(tmp_path: Path) -> None:
    events = _write(tmp_path / "deep.json", _deep(900), _good())
    ledger = tmp_path / "ledger"
    result = _detect("--events", events, "--ledger", str(ledger))
    assert result.exception is None, result.exception
    assert result.exit_code == 0, result.stderr
    stored = _ledger_is_whole(ledger)
    assert len(stored) == 2
    for drift_id in stored:
        shown = CliRunner().invoke(cli, ["ledger", "show", drift_id, "--ledger", str(ledger)])
        assert shown.exit_code == 0, shown.stderr
    as_json = _detect("--events", events, "--format", "json")
    assert as_json.exit_code == 0, as_json.stderr
    assert "nested too deep" in as_json.stdout


def _bomb(path: Path, head: bytes, body: bytes, repeat: int, tail: bytes) -> str:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    parts = [compressor.compress(head)]
    parts += [compressor.compress(body) for _ in range(repeat)]
    parts.append(compressor.compress(tail) + compressor.flush())
    path.write_bytes(b"".join(parts))
    return str(path)


def test_one_bad_file_never_ends_the_run(tmp_path: Path) -> None:
    # A 10 MiB string in one record (no record is that large): refused, named.
    blob = _bomb(tmp_path / "blob.json.gz", b'{"eventName": "', b"A" * (1 << 20), 10, b'"}\n')
    # Not gzip at all after its magic bytes.
    corrupt = tmp_path / "corrupt.json.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00garbage" * 10)
    good = _write(tmp_path / "good.json", _good())
    result = _detect("--events", blob, "--events", str(corrupt), "--events", good)
    assert isinstance(result.exception, SystemExit), result.exception  # exit 1, no crash
    assert "AuthorizeSecurityGroupIngress" in result.stdout  # the file after them was read
    assert f"{blob}: a line over" in result.stderr
    assert f"{corrupt}: corrupt gzip data" in result.stderr
    assert "errors: 2" in result.stderr
    assert result.exit_code == 1


def test_records_bomb_is_streamed_and_the_next_file_read(tmp_path: Path) -> None:
    record = json.dumps(_by_a_person(_records()["DescribeSecurityGroups"], "ev-x")).encode()
    count = (12 << 20) // len(record) + 1
    bomb = _bomb(tmp_path / "bomb.json.gz", b'{"Records": [' + record, b"," + record, count, b"]}")
    assert Path(bomb).stat().st_size < (12 << 20) // 50
    good = _write(tmp_path / "good.json", _good())
    result = _detect("--events", bomb, "--events", good)
    assert result.exception is None, result.exception
    assert result.exit_code == 0, result.stderr
    assert f"records: {count + 2} read" in result.stderr
    assert "AuthorizeSecurityGroupIngress" in result.stdout


@pytest.mark.parametrize(
    "name", [pytest.param("\x1b]0;pwned\x07evil\x1b[2J.json", id="escape-in-file-name")]
)
def test_file_names_in_errors_are_escaped(tmp_path: Path, name: str) -> None:
    bad = tmp_path / name
    bad.write_bytes(gzip.compress(b"{not json"))
    result = _detect("--events", str(bad))
    assert "\x1b" not in result.stderr
    assert "\\x1b]0;pwned" in result.stderr


def test_s3_keys_in_errors_are_escaped(
    s3_client: Any, s3_bucket: str, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    key = "AWSLogs/\x1b[2J\x1b]0;pwned\x07/trail.json"
    s3_client.put_object(Bucket=s3_bucket, Key=key, Body=b"{not json")
    good = "AWSLogs/good.json"
    s3_client.put_object(Bucket=s3_bucket, Key=good, Body=json.dumps({"Records": [_good()]}))
    result = _detect("--events", f"s3://{s3_bucket}/AWSLogs/", "--s3-endpoint-url", moto_endpoint)
    assert "AuthorizeSecurityGroupIngress" in result.stdout
    assert "\x1b" not in result.stderr
    assert "\x07" not in result.stderr
    assert "\\x1b]0;pwned\\x07" in result.stderr


# --------------------------------------------------------------------------- workflow commands

# The GitHub Actions runner reads every line a step prints (stdout and stderr) for workflow
# commands: "::name args::data" at the start of a line once leading spaces are trimmed, and
# the older "##[name args]data" anywhere in a line (actions/runner ActionCommand.TryParseV2 and
# TryParse). The Action runs detect, reconcile and comment: nothing a CloudTrail value or a file
# name holds may become a command there (add-mask, stop-commands, error, set-output ...).
_LEGACY_COMMAND = re.compile(r"##\[[^\]]*\]")


def _workflow_commands(text: str) -> list[str]:
    return [
        line
        for line in re.split(r"\r\n|\r|\n", text)
        if line.lstrip().startswith("::") or _LEGACY_COMMAND.search(line)
    ]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("##[add-mask]alan", id="legacy-add-mask"),
        pytest.param("x ##[error title=approved]by security", id="legacy-error"),
        pytest.param("##[stop-commands]tok", id="legacy-stop-commands"),
        pytest.param("##[set-output name=drift-count;]0", id="legacy-set-output"),
        pytest.param("\n::error::forged", id="newline-then-command"),
        pytest.param("::add-mask::alan", id="leading-command"),
    ],
)
@pytest.mark.parametrize("output", ["text", "json"])
def test_values_print_no_workflow_command(tmp_path: Path, value: str, output: str) -> None:
    events = _write(tmp_path / "tags.json", _tagging_with(value), _good())
    result = _detect("--events", events, "--format", output)
    assert result.exit_code == 0, result.stderr
    assert "PutBucketTagging" in result.stdout
    assert _workflow_commands(result.stdout) == []
    assert _workflow_commands(result.stderr) == []
    if output == "json":  # the value itself is kept
        tagged = [json.loads(line) for line in result.stdout.splitlines() if "Tagging" in line]
        assert tagged[0]["changes"][0]["after"]["Team"] == value


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("x\n::error title=ok::all clear\n.json", id="newline-then-command"),
        pytest.param("##[add-mask]ghp.json", id="legacy-add-mask"),
        pytest.param("  ::stop-commands::tok.json", id="leading-spaces-command"),
    ],
)
def test_file_names_print_no_workflow_command(tmp_path: Path, name: str) -> None:
    bad = tmp_path / name
    bad.write_bytes(gzip.compress(b"{not json"))
    result = _detect("--events", str(bad))
    assert "corrupt" in result.stderr or "JSON" in result.stderr or "json" in result.stderr
    assert _workflow_commands(result.stdout) == []
    assert _workflow_commands(result.stderr) == []


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        pytest.param("\u2060", "\\u2060", id="word-joiner"),
        pytest.param("\u200b", "\\u200b", id="zero-width-space"),
        pytest.param("\u2067", "\\u2067", id="rtl-isolate"),
        pytest.param("\ufeff", "\\ufeff", id="bom"),
        pytest.param("\U000e0041", "\\U000e0041", id="tag-character"),
        pytest.param("\u3164", "\\u3164", id="hangul-filler"),
    ],
)
def test_hidden_characters_are_shown_on_the_terminal(tmp_path: Path, char: str, shown: str) -> None:
    events = _write(tmp_path / "tags.json", _tagging_with(f"ad{char}min"), _good())
    ledger = tmp_path / "ledger"
    result = _detect("--events", events, "--ledger", str(ledger))
    assert result.exit_code == 0, result.stderr
    assert f"ad{char}min" not in result.stdout
    assert f"ad{shown}min" in result.stdout
    listed = CliRunner().invoke(cli, ["ledger", "list", "--ledger", str(ledger)])
    shown_drifts = [
        CliRunner().invoke(cli, ["ledger", "show", drift_id, "--ledger", str(ledger)]).stdout
        for drift_id in _ledger_is_whole(ledger)
    ]
    assert char not in listed.stdout
    assert any(f"ad{shown}min" in text for text in shown_drifts)
    assert all(char not in text for text in shown_drifts)


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("key %r", id="repr"),
        pytest.param("key %s", id="str"),
    ],
)
def test_log_lines_print_no_workflow_command(message: str) -> None:
    import logging

    from tfdrift_gitops.cli.output import SafeFormatter

    value = "x\n::add-mask::alan\n  ##[error]forged\r::warning::y"
    record = logging.LogRecord(
        "tfdrift_gitops.x", logging.WARNING, __file__, 1, message, (value,), None
    )
    line = SafeFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert _workflow_commands(line) == []
    assert "add-mask::alan" in line  # still readable
