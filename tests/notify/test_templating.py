"""Templates: user directory first, shipped ones after; JSON cannot be broken by values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.notify.drifts import make_drift
from tests.notify.golden import FIXTURES, GOLDEN
from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.notify.channel import Secret
from tfdrift_gitops.notify.discord import DiscordChannel
from tfdrift_gitops.notify.slack import SlackChannel
from tfdrift_gitops.templating import REPO_TEMPLATES, Templates, search_path

URL = Secret("https://hooks.example.invalid/T000/B000/XXXX")


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden(name: str) -> None:
    assert GOLDEN[name]() == (FIXTURES / name).read_text(encoding="utf-8"), (
        "regenerate with: python tests/collector/regen_golden.py"
    )


def test_user_directory_overrides_file_by_file(tmp_path: Path) -> None:
    (tmp_path / "slack.json.j2").write_text(
        '{"text": {{ "custom: " ~ (view.address | mrkdwn) }}}', encoding="utf-8"
    )
    templates = Templates(tmp_path)
    drift = make_drift()
    slack = SlackChannel(URL, templates).payload(drift, "opened")
    assert slack == {"text": "custom: aws_security_group.webserver"}
    discord = DiscordChannel(URL, templates).payload(drift, "opened")
    assert discord["embeds"][0]["title"].startswith("Drift detected")  # still the shipped one


def test_search_path_order(tmp_path: Path) -> None:
    dirs = search_path(tmp_path)
    assert dirs[0] == tmp_path
    assert REPO_TEMPLATES in dirs or any((d / "slack.json.j2").is_file() for d in dirs[1:])


def test_missing_user_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="templates directory not found"):
        Templates(tmp_path / "nope")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        pytest.param('{"text": {{ view.nope }}}', "nope", id="undefined-variable"),
        pytest.param('{"text": {{ view.address }}', "valid JSON", id="not-json"),
        pytest.param('{"text": {{ view.address ', "slack.json.j2", id="syntax-error"),
    ],
)
def test_broken_user_template_names_itself(tmp_path: Path, text: str, match: str) -> None:
    (tmp_path / "slack.json.j2").write_text(text, encoding="utf-8")
    channel = SlackChannel(URL, Templates(tmp_path))
    with pytest.raises(ConfigError, match=match):
        channel.payload(make_drift(), "opened")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_hostile_text_cannot_break_the_json(text: str) -> None:
    drift = make_drift(actor_name=text)
    templates = Templates()
    slack = SlackChannel(URL, templates).payload(drift, "opened")
    texts = [slack["text"]] + [
        obj["text"]
        for block in slack["blocks"]
        for obj in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]
        if isinstance(obj, dict)
    ]
    assert "*User*" in texts  # the value sits in the plain_text field after it
    for text in texts:
        assert "<" not in text
        assert ">" not in text
    discord = DiscordChannel(URL, templates).payload(drift, "opened")
    assert discord["allowed_mentions"] == {"parse": []}
    json.dumps(discord)


def test_discord_colour_follows_severity() -> None:
    from tfdrift_gitops.models import Severity
    from tfdrift_gitops.notify.view import SEVERITY_COLOUR

    channel = DiscordChannel(URL, Templates())
    for severity in Severity:
        payload = channel.payload(make_drift(severity=severity), "opened")
        assert payload["embeds"][0]["color"] == SEVERITY_COLOUR[severity]
    assert len(set(SEVERITY_COLOUR.values())) == len(Severity)


def test_discord_forces_allowed_mentions_whatever_the_template(tmp_path: Path) -> None:
    (tmp_path / "discord.json.j2").write_text(
        '{"content": "x", "allowed_mentions": {"parse": ["everyone"]}}', encoding="utf-8"
    )
    payload = DiscordChannel(URL, Templates(tmp_path)).payload(make_drift(), "opened")
    assert payload["allowed_mentions"] == {"parse": []}
