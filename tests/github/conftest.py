"""The fake GitHub server (one per session, state reset per test) and a client factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.github.fake_github import TOKEN, FakeGitHub, FakeGitHubServer
from tests.github.gh_support import NOW, SETTINGS
from tfdrift_gitops.github.client import GitHubClient


@pytest.fixture(scope="session")
def github_server() -> Iterator[FakeGitHubServer]:
    server = FakeGitHubServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake(github_server: FakeGitHubServer) -> FakeGitHub:
    github_server.fake.reset()
    return github_server.fake


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(
    github_server: FakeGitHubServer, sleeps: list[float]
) -> Callable[..., GitHubClient]:
    def make(**kw: Any) -> GitHubClient:
        kw.setdefault("settings", SETTINGS)
        return GitHubClient(
            "acme/infra",
            token=TOKEN,
            base_url=github_server.url,
            sleep=sleeps.append,
            clock=lambda: NOW,
            backoff_factor=0.01,
            secondary_wait=2.0,
            **kw,
        )

    return make
