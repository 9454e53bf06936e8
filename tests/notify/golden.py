"""The golden notification payloads: one function per file, shared by the tests and the
regenerate script (``python tests/collector/regen_golden.py``)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.notify.drifts import HOSTILE, make_drift
from tfdrift_gitops.notify.channel import Secret
from tfdrift_gitops.notify.discord import DiscordChannel
from tfdrift_gitops.notify.slack import SlackChannel
from tfdrift_gitops.templating import Templates

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notify"


def _dump(payload: object) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def slack_payload() -> str:
    channel = SlackChannel(Secret("https://hooks.slack.invalid/x"), Templates())
    return _dump(channel.payload(make_drift(actor_name=HOSTILE), "opened"))


def discord_payload() -> str:
    channel = DiscordChannel(Secret("https://discord.invalid/api/webhooks/1/x"), Templates())
    return _dump(channel.payload(make_drift(actor_name=HOSTILE), "escalated"))


GOLDEN = {
    "slack_opened.json": slack_payload,
    "discord_escalated.json": discord_payload,
}
