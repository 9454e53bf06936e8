"""Start-up cost: commands load lazily, so `detect` does not import the collector's stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tfdrift_gitops.cli import COMMANDS, cli

# Imported by other commands (collect, reconcile, remediate, notifications, config files), never
# needed to replay CloudTrail against a local state without a config file.
HEAVY = (
    "grpc",
    "google.protobuf",
    "uvicorn",
    "httpx",
    "jinja2",
    "github",
    "prometheus_client",
    "boto3",
    "botocore",
    "yaml",
    "hcl2",
    "lark",
)

PROBE = """
import sys
from tfdrift_gitops.cli import cli
cli.main(["detect", "--state", sys.argv[1], "--events", sys.argv[2]], standalone_mode=False)
print("loaded:", *sorted(m for m in sys.argv[3:] if m in sys.modules))
"""


def test_detect_imports_only_what_it_uses(tmp_path: Path) -> None:
    state = tmp_path / "terraform.tfstate"
    state.write_text(json.dumps({"version": 4, "serial": 1, "lineage": "x", "resources": []}))
    events = tmp_path / "events.jsonl"
    events.write_text("")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(state), str(events), *HEAVY],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,  # no .tfdrift.yml here
    )
    assert "records: 0 read" in done.stderr
    assert done.stdout.splitlines()[-1] == "loaded:"


@pytest.mark.parametrize("name", sorted(COMMANDS), ids=str)
def test_every_command_resolves_to_itself(name: str) -> None:
    with click.Context(cli) as ctx:
        command = cli.get_command(ctx, name)
    assert isinstance(command, click.Command)
    assert command.name == name


def test_help_lists_every_command_and_unknown_ones_fail() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in result.stdout
    unknown = CliRunner().invoke(cli, ["nope"])
    assert unknown.exit_code == 2
    assert "No such command 'nope'" in unknown.stderr
