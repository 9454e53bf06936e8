"""The GitHub token never appears in an error message, whoever quotes it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.github.fake_github import TOKEN, FakeGitHub, FakeGitHubServer
from tests.github.gh_support import SETTINGS
from tfdrift_gitops.cli import cli
from tfdrift_gitops.github.client import ApiError, GitHubClient


def test_a_server_that_echoes_the_token_does_not_get_it_printed(
    fake: FakeGitHub, github_server: FakeGitHubServer
) -> None:
    # A proxy or a GitHub Enterprise error page that repeats the Authorization header.
    fake.inject("GET", r"/labels$", 422, message=f"bad header: token {TOKEN}", times=10)
    client = GitHubClient("acme/infra", token=TOKEN, base_url=github_server.url, settings=SETTINGS)
    with pytest.raises(ApiError) as caught:
        client.list_labels()
    assert TOKEN not in str(caught.value)
    assert "bad header: token ***" in str(caught.value)


def test_the_cli_never_prints_the_token(
    fake: FakeGitHub,
    github_server: FakeGitHubServer,
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake.inject("GET", r"/pulls/7$", 422, message=f"upstream said token {TOKEN}", times=20)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    ledger = f"{tmp_path}/ledger"
    result = CliRunner().invoke(
        cli,
        [
            "comment",
            "--ledger",
            ledger,
            "--repo",
            "acme/infra",
            "--pr",
            "7",
            "--github-url",
            github_server.url,
        ],
    )
    assert result.exit_code != 0
    assert TOKEN not in result.output
    assert TOKEN not in result.stderr
