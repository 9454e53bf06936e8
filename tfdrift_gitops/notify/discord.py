"""Discord webhook: one embed coloured by severity, rendered from ``discord.json.j2``.

``allowed_mentions: {"parse": []}`` is forced on whatever the template says: Discord then
resolves no mention at all, even if escaping were ever bypassed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.models import ActorKind, Drift, Severity
from tfdrift_gitops.notify.channel import OutgoingRequest, Secret, url_secrets
from tfdrift_gitops.notify.escape import discord_code, discord_text, one_line, truncate
from tfdrift_gitops.notify.view import template_context
from tfdrift_gitops.templating import Templates

TEMPLATE = "discord.json.j2"


def discord_filters() -> dict[str, Any]:
    return {
        "discord": lambda v: discord_text(str(v)),
        "discord_code": lambda v: discord_code(str(v)),
        "one_line": lambda v: one_line(str(v)),
        "cut": lambda v, n: truncate(str(v), int(n)),
        "discord_change": discord_change,
    }


def discord_change(change: dict[str, Any]) -> str:
    """One line per change: ``• `ingress`: `+ 22/tcp from 0.0.0.0/0 "temp debug"` ``."""
    return f"• `{discord_code(change['path'])}`: `{discord_code(change['summary'])}`"


@dataclass(slots=True)
class DiscordChannel:
    url: Secret
    templates: Templates
    name: str = "discord"
    min_severity: Severity = Severity.LOW
    actor_kinds: tuple[ActorKind, ...] = ()
    template: str = TEMPLATE

    def __post_init__(self) -> None:
        self.templates.add_filters(discord_filters())

    def secrets(self) -> tuple[str, ...]:
        return url_secrets(self.url.reveal())

    def payload(self, drift: Drift, result: str) -> Any:
        payload = self.templates.render_json(self.template, template_context(drift, result))
        if isinstance(payload, dict):
            payload["allowed_mentions"] = {"parse": []}
        return payload

    def build(self, drift: Drift, result: str) -> OutgoingRequest:
        # backslashreplace: a lone surrogate (valid JSON input) becomes its JSON escape.
        body = json.dumps(self.payload(drift, result), ensure_ascii=False).encode(
            "utf-8", "backslashreplace"
        )
        return OutgoingRequest(self.url, body, {"Content-Type": "application/json"})
