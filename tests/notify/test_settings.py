"""The notify: section and environment shortcuts: clear errors, secrets never echoed."""

from __future__ import annotations

from typing import Any

import pytest

from tfdrift_gitops.config import parse_config
from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.models import Severity
from tfdrift_gitops.notify.discord import DiscordChannel
from tfdrift_gitops.notify.settings import build_channels, parse_notify_section
from tfdrift_gitops.notify.slack import SlackChannel
from tfdrift_gitops.notify.webhook import WebhookChannel

SECRET_URL = "https://hooks.slack.com/services/T0/B0/very-secret-token"


def test_section_through_the_config_file() -> None:
    config = parse_config(
        {
            "notify": {
                "timeout": 3,
                "channels": [
                    {"type": "slack", "url_env": "SLACK_URL", "min_severity": "high"},
                    {"type": "webhook", "name": "siem", "url_env": "HOOK", "secret_env": "KEY"},
                ],
            }
        }
    )
    settings = config.sections["notify"]
    env = {"SLACK_URL": SECRET_URL, "HOOK": "https://siem.example/in", "KEY": "k"}
    channels = build_channels(settings, env)
    assert [type(c) for c in channels] == [SlackChannel, WebhookChannel]
    assert channels[0].min_severity is Severity.HIGH
    assert channels[1].name == "siem"
    assert settings.timeout == 3.0


@pytest.mark.parametrize(
    ("section", "match"),
    [
        pytest.param({"channel": []}, r"notify\.channel: unknown key", id="typo"),
        pytest.param({"channels": {}}, "expected a list", id="not-a-list"),
        pytest.param({"channels": [{"type": "teams", "url_env": "X"}]}, "teams", id="bad-type"),
        pytest.param({"channels": [{"type": "slack"}]}, "exactly one of url_env", id="no-url"),
        pytest.param(
            {"channels": [{"type": "slack", "url_env": "X", "min_severity": "urgent"}]},
            r"channels\[0\]\.min_severity",
            id="bad-severity",
        ),
        pytest.param(
            {"channels": [{"type": "slack", "url_env": "X", "secret_env": "Y"}]},
            "only webhook channels are signed",
            id="secret-on-slack",
        ),
        pytest.param(
            {"channels": [{"type": "slack", "url_env": "A"}, {"type": "slack", "url_env": "B"}]},
            "duplicate channel name",
            id="duplicate-names",
        ),
        pytest.param({"timeout": 0}, "positive number", id="zero-timeout"),
    ],
)
def test_invalid_sections_name_the_key(section: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        parse_notify_section(section)


def test_missing_variable_is_named_and_no_url_is_echoed() -> None:
    settings = parse_notify_section({"channels": [{"type": "slack", "url_env": "SLACK_URL"}]})
    with pytest.raises(ConfigError, match="SLACK_URL is not set") as caught:
        build_channels(settings, {})
    settings = parse_notify_section({"channels": [{"type": "slack", "url_env": "SLACK_URL"}]})
    with pytest.raises(ConfigError) as caught:
        build_channels(settings, {"SLACK_URL": "ftp://x/very-secret-token"})
    assert "very-secret-token" not in str(caught.value)


def test_environment_shortcuts() -> None:
    env = {
        "TFDRIFT_SLACK_WEBHOOK_URL": SECRET_URL,
        "TFDRIFT_DISCORD_WEBHOOK_URL": "https://discord.com/api/webhooks/1/t",
        "TFDRIFT_WEBHOOK_URL": "https://siem.example/in",
        "TFDRIFT_WEBHOOK_SECRET": "whsec",
    }
    channels = build_channels(parse_notify_section(None), env)
    assert [type(c) for c in channels] == [SlackChannel, DiscordChannel, WebhookChannel]
    webhook = channels[2]
    assert isinstance(webhook, WebhookChannel)
    assert webhook.secret is not None
    assert webhook.secret.reveal() == "whsec"
    assert SECRET_URL not in repr(channels[0])


def test_no_channels_without_configuration() -> None:
    assert build_channels(parse_notify_section(None), {}) == []
