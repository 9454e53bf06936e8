"""A state is named as its owners know it (issue 15): ``s3://bucket/key`` for the S3 backend,
the path inside the git repository holding the file, else the path under the working
directory, else the file name; never the absolute path of the machine that ran ``detect``.
The name is what drift records, the ledger and every output carry."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import REPO_ROOT
from tfdrift_gitops.adapters.aws import make_s3_client
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.cli import cli
from tfdrift_gitops.core.record import drift_from_record
from tfdrift_gitops.github.remedy import Decision, Strategy
from tfdrift_gitops.github.render import Renderer
from tfdrift_gitops.github.settings import GitHubSettings
from tfdrift_gitops.models import Drift
from tfdrift_gitops.notify.channel import Secret
from tfdrift_gitops.notify.discord import DiscordChannel
from tfdrift_gitops.notify.slack import SlackChannel
from tfdrift_gitops.render.report import render_report
from tfdrift_gitops.render.text import render_drift
from tfdrift_gitops.templating import Templates

EXAMPLE_STATE = REPO_ROOT / "examples" / "state" / "terraform.tfstate"
EXAMPLE_EVENTS = REPO_ROOT / "examples" / "cloudtrail"
STATE_TEXT = EXAMPLE_STATE.read_text(encoding="utf-8")


def _repo(root: Path) -> Path:
    (root / ".git").mkdir(parents=True)
    return root


def _state(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(STATE_TEXT, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Case:
    """Lays out files under the test's directory; returns (cwd, spec, workspaces)."""

    layout: Callable[[Path], tuple[Path, str, tuple[str, ...]]]
    expected: list[tuple[str, str]]  # (name, workspace) per state loaded


def _in_repo_from_root(t: Path) -> tuple[Path, str, tuple[str, ...]]:
    repo = _repo(t / "infra")
    _state(repo / "envs" / "prod" / "terraform.tfstate")
    return repo, "envs/prod/terraform.tfstate", ()


def _in_repo_from_elsewhere(t: Path) -> tuple[Path, str, tuple[str, ...]]:
    state = _state(_repo(t / "infra") / "envs" / "prod" / "terraform.tfstate")
    (t / "elsewhere").mkdir()
    return t / "elsewhere", str(state), ()


def _in_repo_relative_from_a_subfolder(t: Path) -> tuple[Path, str, tuple[str, ...]]:
    _state(_repo(t / "infra") / "envs" / "prod" / "terraform.tfstate")
    return t / "infra" / "envs", "prod/../prod/terraform.tfstate", ()


def _in_a_worktree(t: Path) -> tuple[Path, str, tuple[str, ...]]:
    # A linked worktree or a submodule has a .git *file*.
    (t / "wt").mkdir()
    (t / "wt" / ".git").write_text("gitdir: /elsewhere/.git/worktrees/wt\n", encoding="utf-8")
    state = _state(t / "wt" / "stacks" / "net.tfstate")
    return t, str(state), ()


def _working_directory(t: Path) -> tuple[Path, str, tuple[str, ...]]:
    repo = _repo(t / "infra")
    _state(repo / "live" / "terraform.tfstate")
    _state(repo / "live" / "terraform.tfstate.d" / "blue" / "terraform.tfstate")
    (t / "elsewhere").mkdir()
    return t / "elsewhere", str(repo / "live"), ("*",)


def _outside_any_repo_under_cwd(t: Path) -> tuple[Path, str, tuple[str, ...]]:
    state = _state(t / "work" / "states" / "a.tfstate")
    return t / "work", str(state), ()


def _outside_any_repo_and_cwd(t: Path) -> tuple[Path, str, tuple[str, ...]]:
    state = _state(t / "downloads" / "prod-2026.tfstate")
    (t / "work").mkdir()
    return t / "work", str(state), ()


def _outside_any_repo_cwd_at_the_root(t: Path) -> tuple[Path, str, tuple[str, ...]]:
    state = _state(t / "etc" / "tfdrift" / "prod.tfstate")
    return Path(Path.cwd().anchor), str(state), ()


def _symlink_in_repo_to_a_mount(t: Path) -> tuple[Path, str, tuple[str, ...]]:
    shared = _state(t / "mnt" / "shared" / "prod.tfstate")
    link = _repo(t / "infra") / "states" / "prod.tfstate"
    link.parent.mkdir(parents=True)
    link.symlink_to(shared)
    (t / "elsewhere").mkdir()
    return t / "elsewhere", str(link), ()


def _symlink_from_outside_into_repo(t: Path) -> tuple[Path, str, tuple[str, ...]]:
    state = _state(_repo(t / "infra") / "envs" / "prod" / "terraform.tfstate")
    (t / "links").mkdir()
    (t / "links" / "current.tfstate").symlink_to(state)
    (t / "elsewhere").mkdir()
    return t / "elsewhere", str(t / "links" / "current.tfstate"), ()


def _symlinked_folder_in_repo(t: Path) -> tuple[Path, str, tuple[str, ...]]:
    _state(t / "mnt" / "live" / "terraform.tfstate")
    repo = _repo(t / "infra")
    (repo / "live").symlink_to(t / "mnt" / "live", target_is_directory=True)
    return repo, "live", ()


LOCAL = {
    "in-repo-from-its-root": Case(_in_repo_from_root, [("envs/prod/terraform.tfstate", "default")]),
    "in-repo-from-elsewhere": Case(
        _in_repo_from_elsewhere, [("envs/prod/terraform.tfstate", "default")]
    ),
    "in-repo-relative-from-a-subfolder": Case(
        _in_repo_relative_from_a_subfolder, [("envs/prod/terraform.tfstate", "default")]
    ),
    "in-a-worktree": Case(_in_a_worktree, [("stacks/net.tfstate", "default")]),
    "working-directory-with-workspaces": Case(
        _working_directory,
        [
            ("live/terraform.tfstate", "default"),
            ("live/terraform.tfstate.d/blue/terraform.tfstate", "blue"),
        ],
    ),
    "outside-any-repo-under-cwd": Case(
        _outside_any_repo_under_cwd, [("states/a.tfstate", "default")]
    ),
    "outside-any-repo-and-cwd": Case(_outside_any_repo_and_cwd, [("prod-2026.tfstate", "default")]),
    "outside-any-repo-cwd-at-the-root": Case(
        _outside_any_repo_cwd_at_the_root, [("prod.tfstate", "default")]
    ),
    "symlink-in-repo-to-a-mount": Case(
        _symlink_in_repo_to_a_mount, [("states/prod.tfstate", "default")]
    ),
    "symlink-from-outside-into-repo": Case(
        _symlink_from_outside_into_repo, [("envs/prod/terraform.tfstate", "default")]
    ),
    "symlinked-folder-in-repo": Case(
        _symlinked_folder_in_repo, [("live/terraform.tfstate", "default")]
    ),
}


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """The test's directory, checked to lie outside any git repository."""
    assert not any((p / ".git").exists() for p in tmp_path.parents), tmp_path
    return tmp_path


def _names(source: StateSource) -> list[tuple[str, str]]:
    return [(state.source, state.workspace) for state in source.load()]


@pytest.mark.parametrize("case", list(LOCAL.values()), ids=list(LOCAL))
def test_local_state_names(case: Case, scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd, spec, workspaces = case.layout(scratch)
    monkeypatch.chdir(cwd)
    states = StateSource([spec], workspaces=workspaces).load()
    assert [(s.source, s.workspace) for s in states] == case.expected
    for state in states:
        assert not state.source.startswith("/")
        assert str(scratch).lstrip("/") not in state.source  # nor the machine's path unrooted
        # Every resource carries it: the engine copies it into each drift record.
        assert {r.source for r in state.resources} == {state.source}


@pytest.mark.parametrize(
    ("key", "workspaces", "expected"),
    [
        ("prod/terraform.tfstate", (), [("prod/terraform.tfstate", "default")]),
        ("app.tfstate", ("blue",), [("env:/blue/app.tfstate", "blue")]),
        ("", (), [("prod/terraform.tfstate", "default")]),
    ],
    ids=["s3-key", "s3-workspace", "s3-prefix"],
)
def test_s3_state_names_carry_bucket_and_key_only(
    moto_endpoint: str,
    s3_client: Any,
    s3_bucket: str,
    key: str,
    workspaces: tuple[str, ...],
    expected: list[tuple[str, str]],
) -> None:
    for object_key in ("prod/terraform.tfstate", "app.tfstate", "env:/blue/app.tfstate"):
        s3_client.put_object(Bucket=s3_bucket, Key=object_key, Body=STATE_TEXT.encode())
    spec = f"s3://{s3_bucket}/{key}" if key else f"s3://{s3_bucket}/prod/"
    source = StateSource(
        [spec],
        workspaces=workspaces,
        s3_client_factory=lambda: make_s3_client(endpoint_url=moto_endpoint),
    )
    assert _names(source) == [(f"s3://{s3_bucket}/{name}", ws) for name, ws in expected]
    assert all("127.0.0.1" not in name for name, _ in _names(source))


def test_two_files_with_one_name_take_their_folders(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = _state(_repo(scratch / "network") / "terraform.tfstate")
    b = _state(_repo(scratch / "apps") / "terraform.tfstate")
    monkeypatch.chdir(scratch)
    assert _names(StateSource([str(a), str(b)])) == [
        ("network/terraform.tfstate", "default"),
        ("apps/terraform.tfstate", "default"),
    ]


def test_one_file_given_twice_is_loaded_once(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = _state(_repo(scratch / "infra") / "prod.tfstate")
    (scratch / "link.tfstate").symlink_to(state)
    monkeypatch.chdir(scratch / "infra")
    given = ["prod.tfstate", str(state), str(scratch / "link.tfstate")]
    assert _names(StateSource(given)) == [("prod.tfstate", "default")]


def test_a_name_change_is_not_served_from_the_reload_cache(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = _state(scratch / "work" / "infra" / "prod.tfstate")
    monkeypatch.chdir(scratch / "work")
    source = StateSource([str(state)])
    assert _names(source) == [("infra/prod.tfstate", "default")]
    (scratch / "work" / "infra" / ".git").mkdir()  # the folder became a checkout
    assert _names(source) == [("prod.tfstate", "default")]
    assert source.reads == 2


# The media that show the state (a PR, its sticky comment and chat messages name the resource).
SHOWN = ("terminal", "ledger list", "ledger show", "GitHub issue", "report page")


def _outputs(drift: Drift, ledger: Path) -> dict[str, str]:
    """The drift as each medium shows it."""
    runner = CliRunner()
    listed = runner.invoke(cli, ["ledger", "list", "--ledger", str(ledger), "--format", "json"])
    shown = runner.invoke(cli, ["ledger", "show", drift.id, "--ledger", str(ledger)])
    renderer = Renderer(GitHubSettings())
    slack = SlackChannel(Secret("https://hooks.slack.invalid/x"), Templates())
    discord = DiscordChannel(Secret("https://discord.invalid/api/webhooks/1/x"), Templates())
    return {
        "terminal": render_drift(drift),
        "ledger list": listed.stdout,
        "ledger show": shown.stdout,
        "GitHub issue": renderer.issue(drift, Decision(Strategy.MANUAL, "by hand")).body,
        "PR comment": renderer.pr_comment([drift], 7, [drift.resource.address]).body,
        "resolved comment": renderer.resolved(drift, "issue"),
        "slack": json.dumps(slack.payload(drift, "opened")),
        "discord": json.dumps(discord.payload(drift, "opened")),
        "report page": render_report([drift]),
    }


def test_every_output_names_the_state_by_its_repository_path(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = _state(_repo(scratch / "infra") / "envs" / "prod" / "terraform.tfstate")
    events = scratch / "events"
    shutil.copytree(EXAMPLE_EVENTS, events)
    (scratch / "elsewhere").mkdir()
    monkeypatch.chdir(scratch / "elsewhere")
    ledger = scratch / "ledger"
    args = ["detect", "--state", str(state), "--events", str(events), "--format", "json"]
    result = CliRunner().invoke(cli, [*args, "--ledger", str(ledger)], catch_exceptions=False)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    managed = [r for r in records if r["resource"]["address"]]
    assert managed and {r["resource"]["state"] for r in managed} == {"envs/prod/terraform.tfstate"}
    drift = drift_from_record(managed[0])
    # Another machine, another directory: the name was fixed where the file was.
    monkeypatch.chdir(Path(os.sep))
    outputs = _outputs(drift, ledger)
    for medium, text in outputs.items():
        assert str(scratch) not in text, medium
    assert [m for m in SHOWN if "envs/prod/terraform.tfstate" in outputs[m]] == list(SHOWN)
