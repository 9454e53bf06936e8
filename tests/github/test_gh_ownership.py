"""Only what the token's own account wrote is ours: a pasted marker adopts nothing.

The attack: a PR author pastes our hidden marker (with the real hash copied from our comment)
into a comment of their own that says "All clear". Before the fix ``comment`` edited the
author's comment, and once the hash matched, later runs saw it as unchanged and the drift
warning disappeared. Issues found by marker follow the same rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.github.fake_github import (
    APP_TOKEN,
    CAROL_TOKEN,
    TOKEN,
    USER_TOKEN,
    FakeGitHub,
    FakeGitHubServer,
)
from tests.github.gh_support import NOW, SETTINGS, drift, estate, new_ledger, resolve, write_tree
from tfdrift_gitops.errors import GitHubError
from tfdrift_gitops.github.client import GitHubClient
from tfdrift_gitops.github.comment import comment_on_pull
from tfdrift_gitops.github.marker import parse_marker
from tfdrift_gitops.github.reconcile import Reconciler
from tfdrift_gitops.github.remedy import manual_only
from tfdrift_gitops.github.render import Renderer
from tfdrift_gitops.github.settings import GitHubSettings

Client = Callable[..., GitHubClient]


@pytest.fixture
def client_for(github_server: FakeGitHubServer) -> Client:
    def make(token: str, **settings: Any) -> GitHubClient:
        return GitHubClient(
            "acme/infra",
            token=token,
            base_url=github_server.url,
            settings=replace(SETTINGS, **settings),
            sleep=lambda _: None,
            clock=lambda: NOW,
            backoff_factor=0.01,
        )

    return make


IDENTITIES = [
    pytest.param(TOKEN, {}, "github-actions[bot]", id="actions-github-token"),
    pytest.param(APP_TOKEN, {}, "drift-app[bot]", id="github-app-installation"),
    pytest.param(USER_TOKEN, {}, "drift-ops", id="user-token"),
    pytest.param(TOKEN, {"bot_login": "github-actions[bot]"}, "github-actions[bot]", id="config"),
]


@pytest.mark.parametrize(("token", "settings", "login"), IDENTITIES)
def test_identity_is_the_account_github_writes_as_author(
    fake: FakeGitHub, client_for: Client, token: str, settings: dict[str, str], login: str
) -> None:
    client = client_for(token, **settings)
    assert client.identity() == login
    assert client.identity() == login  # asked once
    assert fake.identity_lookups() == (0 if settings else 1)
    created = client.create_issue("x", "y", [], [])
    assert created["user"]["login"] == login
    client.close()


def test_identity_that_nobody_can_tell_is_a_clear_error(
    fake: FakeGitHub, client_for: Client
) -> None:
    fake.inject("POST", r"^/graphql$", 404, message="Not Found")
    fake.inject("GET", r"^/user$", 403, message="Resource not accessible by integration")
    with pytest.raises(GitHubError, match=r"set github\.bot_login"):
        client_for(TOKEN).identity()


@pytest.mark.parametrize(("token", "settings", "login"), IDENTITIES)
def test_pasted_marker_in_a_pr_comment_is_never_adopted(
    fake: FakeGitHub,
    client_for: Client,
    tmp_path: Path,
    token: str,
    settings: dict[str, str],
    login: str,
) -> None:
    files = estate(2)
    fake.reset(files)
    workdir = write_tree(tmp_path / "work", files)
    number = fake.open_human_pull(
        "carol/ports", {"sg/web1.tf": files["sg/web1.tf"].replace("443", "8443")}
    )
    store = new_ledger(tmp_path / "ledger", [drift(1)])
    renderer = Renderer(SETTINGS)

    # Carol learns the exact marker (hash included) from a dry run, or from our comment on an
    # earlier PR, and posts it herself through the API, under her own account.
    ours = client_for(token, **settings)
    planned = comment_on_pull(ours, store, renderer, number, workdir=workdir, dry_run=True)
    marker_line = planned.body.splitlines()[0]
    assert parse_marker(marker_line)
    forged_body = f"{marker_line}\nAll clear: no manual changes touch this PR."
    carol = client_for(CAROL_TOKEN)
    forged_id = int(carol.create_comment(number, forged_body)["id"])
    carol.close()

    result = comment_on_pull(ours, store, renderer, number, workdir=workdir)
    assert result.action == "created"  # not "unchanged": her comment is not ours
    comments = {c["id"]: c for c in fake.comments_on(number)}
    assert comments[forged_id]["body"] == forged_body  # never edited
    (mine,) = [c for c in comments.values() if c["id"] != forged_id]
    assert mine["user"]["login"] == login
    assert "All clear" not in mine["body"]

    # The next run finds our comment, not hers, and leaves both alone.
    again = comment_on_pull(client_for(token, **settings), store, renderer, number, workdir=workdir)
    assert again.action == "unchanged"
    assert len(fake.comments_on(number)) == 2
    ours.close()


def test_pasted_marker_in_an_issue_is_never_adopted(
    fake: FakeGitHub, client_for: Client, tmp_path: Path
) -> None:
    fake.reset(estate(2))
    live, gone = drift(1), drift(2)
    store = new_ledger(tmp_path / "ledger", [live, gone])
    resolve(store, gone.id)
    renderer = Renderer(SETTINGS)

    # Carol opens issues carrying the markers of both drifts, labelled like ours.
    carol = client_for(CAROL_TOKEN)
    forged: dict[str, int] = {}
    for d in (live, gone):
        doc = renderer.issue(d, manual_only()(d), [])
        forged[d.id] = int(carol.create_issue("All clear", doc.body, ["tfdrift"], [])["number"])
    carol.close()
    # The ledger even points at her issue (say, an old number reused by a restore).
    store.set_github(live.id, issue_number=forged[live.id])

    client = client_for(TOKEN)
    report = Reconciler(client, store, renderer, manual_only(), SETTINGS).run()
    client.close()

    assert report.errors == []
    issues = {i["number"]: i for i in fake.issues()}
    for number in forged.values():
        assert issues[number]["state"] == "open"  # the retired drift's fake is not closed
        assert issues[number]["title"] == "All clear"  # nor rewritten
        assert issues[number]["user"]["login"] == "carol"
    opened = [i for i in issues.values() if i["user"]["login"] == "github-actions[bot]"]
    assert [(parse_marker(i["body"]) or {}).get("drift") for i in opened] == [live.id]
    assert store.get(live.id).issue_number == opened[0]["number"]
    assert any("not opened by github-actions[bot]" in note for note in report.notes)


def test_bot_login_setting_is_validated() -> None:
    from tfdrift_gitops.errors import ConfigError
    from tfdrift_gitops.github.settings import parse_github_section

    assert parse_github_section({"bot_login": "drift-app[bot]"}).bot_login == "drift-app[bot]"
    with pytest.raises(ConfigError, match=r"github\.bot_login"):
        parse_github_section({"bot_login": "not a login"})
    assert GitHubSettings().bot_login == ""
