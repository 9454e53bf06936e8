"""Rate limits, 5xx and counting, through the real PyGithub/urllib3 stack."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.github.fake_github import FakeGitHub
from tests.github.gh_support import NOW, MakeClient
from tfdrift_gitops.github.client import ApiError, GitHubClient, RateLimitError


def test_secondary_rate_limit_waits_retry_after_then_succeeds(
    fake: FakeGitHub, make_client: MakeClient, sleeps: list[float]
) -> None:
    fake.inject(
        "POST",
        r"/issues$",
        403,
        headers={"Retry-After": "7"},
        message="You have exceeded a secondary rate limit.",
    )
    client = make_client()
    data = client.create_issue("t", "b", ["tfdrift"], [])
    assert data["number"] == 1
    assert sleeps == [7.0]
    assert client.stats.retries == 1
    assert fake.counts()["POST"] == 2  # refused once, then created once
    assert len(fake.issues()) == 1


def test_429_without_headers_waits_the_secondary_default(
    fake: FakeGitHub, make_client: MakeClient, sleeps: list[float]
) -> None:
    fake.inject("GET", r"/issues$", 429, message="too many")
    client = make_client()
    assert client.list_issues(label="tfdrift") == []
    assert sleeps == [2.0]  # the configured secondary wait


def test_primary_rate_limit_waits_until_reset(
    fake: FakeGitHub, make_client: MakeClient, sleeps: list[float]
) -> None:
    reset = int(NOW) + 5
    fake.inject(
        "GET",
        r"/labels$",
        403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        message="API rate limit exceeded for installation.",
    )
    client = make_client()
    assert client.list_labels() == set()
    assert sleeps == [6.0]  # until the reset, plus a second for clock skew


def test_rate_limit_longer_than_allowed_fails_fast(
    fake: FakeGitHub, make_client: MakeClient, sleeps: list[float]
) -> None:
    fake.inject(
        "GET",
        r"/labels$",
        403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 3600)},
        message="API rate limit exceeded",
    )
    client = make_client()
    with pytest.raises(RateLimitError, match="more than max_rate_limit_wait"):
        client.list_labels()
    assert sleeps == []


def test_plain_403_is_not_retried(
    fake: FakeGitHub, make_client: MakeClient, sleeps: list[float]
) -> None:
    fake.inject("GET", r"/labels$", 403, message="Resource not accessible by integration")
    client = make_client()
    with pytest.raises(ApiError) as info:
        client.list_labels()
    assert info.value.status == 403
    assert "not accessible" in str(info.value)
    assert fake.counts()["GET"] == 1
    assert sleeps == []


@pytest.mark.parametrize(
    ("method", "pattern", "call"),
    [
        pytest.param("GET", r"/labels$", lambda c: c.list_labels(), id="get"),
        pytest.param(
            "POST",
            r"/git/trees$",
            lambda c: c.create_tree(c.get_commit_tree(c.get_branch_sha("main")), {"a": "b"}),
            id="idempotent-post",
        ),
        pytest.param("PATCH", r"/issues/\d+$", lambda c: c.edit_issue(1, title="x"), id="patch"),
    ],
)
def test_5xx_is_retried_with_backoff(
    fake: FakeGitHub,
    make_client: MakeClient,
    sleeps: list[float],
    method: str,
    pattern: str,
    call: Callable[[GitHubClient], object],
) -> None:
    fake.repo.items[1] = {
        "number": 1,
        "title": "t",
        "body": "",
        "state": "open",
        "labels": [],
        "assignees": [],
        "user": {"login": "x", "type": "User"},
    }
    fake.inject(method, pattern, 502, times=2)
    client = make_client()
    call(client)
    assert client.stats.retries == 2
    assert len(sleeps) == 2
    assert sleeps[1] >= sleeps[0] > 0  # exponential backoff


def test_5xx_on_create_is_not_repeated(
    fake: FakeGitHub, make_client: MakeClient, sleeps: list[float]
) -> None:
    fake.inject("POST", r"/issues/\d+/comments$", 503, times=5)
    fake.repo.items[1] = {
        "number": 1,
        "title": "t",
        "body": "",
        "state": "open",
        "labels": [],
        "assignees": [],
        "user": {"login": "x", "type": "User"},
    }
    client = make_client()
    with pytest.raises(ApiError) as info:
        client.create_comment(1, "hello")
    assert info.value.status == 503
    assert fake.counts()["POST"] == 1


def test_5xx_forever_gives_up(
    fake: FakeGitHub, make_client: MakeClient, sleeps: list[float]
) -> None:
    fake.inject("GET", r"/labels$", 500, times=100)
    client = make_client()
    with pytest.raises(ApiError) as info:
        client.list_labels()
    assert info.value.status == 500
    assert fake.counts()["GET"] == 5  # first try + max_retries (4)


def test_pagination_follows_link_headers(fake: FakeGitHub, make_client: MakeClient) -> None:
    for i in range(1, 251):
        fake.repo.items[i] = {
            "number": i,
            "title": f"t{i}",
            "body": "",
            "state": "open",
            "labels": ["tfdrift"],
            "assignees": [],
            "user": {"login": "x", "type": "User"},
        }
    fake.repo.next_number = 251
    client = make_client()
    items = client.list_issues(label="tfdrift")
    assert [i["number"] for i in items] == list(range(1, 251))
    assert client.stats.reads == 3
    assert fake.reads() == 3


def test_bad_token_is_an_error(fake: FakeGitHub, make_client: MakeClient) -> None:
    from tfdrift_gitops.github.client import GitHubClient

    client = GitHubClient("acme/infra", token="wrong", base_url=fake.base_url)
    with pytest.raises(ApiError) as info:
        client.list_labels()
    assert info.value.status == 401


@pytest.mark.parametrize("repo", ["acme", "acme/infra/x", "a b/c", ""])
def test_repo_must_be_owner_slash_name(repo: str) -> None:
    from tfdrift_gitops.errors import GitHubError
    from tfdrift_gitops.github.client import GitHubClient

    with pytest.raises(GitHubError, match="OWNER/NAME"):
        GitHubClient(repo, token="t")
