"""Shared setup of the GitHub commands (``reconcile``, ``comment``): config, ledger, client."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from tfdrift_gitops.cli.output import register_secret
from tfdrift_gitops.config import Config, load_config
from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.github.settings import GitHubSettings


def github_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--ledger --repo --github-url --templates --dry-run``, in that order on ``--help``."""
    decorators = [
        click.option(
            "--ledger",
            default=None,
            metavar="DIR|s3://BUCKET/PREFIX",
            help="The drift ledger (default: config 'ledger', then .tfdrift/ledger).",
        ),
        click.option(
            "--repo",
            envvar="GITHUB_REPOSITORY",
            required=True,
            metavar="OWNER/NAME",
            help="Repository (default: $GITHUB_REPOSITORY).",
        ),
        click.option(
            "--github-url",
            envvar="GITHUB_API_URL",
            default=None,
            metavar="URL",
            help="API base URL for GitHub Enterprise or a compatible server "
            "(default: config github.url, $GITHUB_API_URL, https://api.github.com).",
        ),
        click.option(
            "--templates",
            "template_dir",
            default=None,
            metavar="DIR",
            help="Directory whose templates override the shipped ones, file by file.",
        ),
        click.option(
            "--dry-run", is_flag=True, help="Print the planned GitHub actions as JSON Lines."
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def load(ctx: click.Context) -> tuple[Config, GitHubSettings]:
    config = load_config((ctx.obj or {}).get("config_path"))
    settings = config.sections.get("github") or GitHubSettings()
    if not isinstance(settings, GitHubSettings):
        raise ConfigError("github: section was not parsed")
    return config, settings


def open_the_ledger(config: Config, ledger: str | None) -> Any:
    from tfdrift_gitops.ledger import open_ledger

    return open_ledger(
        ledger or config.ledger,
        s3_endpoint_url=config.s3_endpoint_url or None,
        kms_key_id=config.s3_kms_key_id or None,
    )


def token_from_env() -> str:
    token = os.environ.get("GITHUB_TOKEN", "")
    if not token:
        raise ConfigError("GITHUB_TOKEN is not set (needed to call the GitHub API)")
    register_secret(token)
    return token
