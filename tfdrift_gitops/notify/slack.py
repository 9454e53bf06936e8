"""Slack incoming webhook: a Block Kit message rendered from ``slack.json.j2``.

Slack mrkdwn has no escape for ``*``, ``_``, ``~`` or backticks, so the template puts every
value that came from CloudTrail into ``plain_text`` objects, which Slack does not parse, and
keeps mrkdwn for our own labels; the top-level ``text`` (what a notification shows) is mrkdwn
and gets look-alikes instead (``escape.slack_mrkdwn``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.models import ActorKind, Drift, Severity
from tfdrift_gitops.notify.channel import OutgoingRequest, Secret, url_secrets
from tfdrift_gitops.notify.escape import (
    one_line,
    slack_code,
    slack_mrkdwn,
    slack_plain,
    truncate,
)
from tfdrift_gitops.notify.view import template_context
from tfdrift_gitops.templating import Templates

TEMPLATE = "slack.json.j2"


def slack_filters() -> dict[str, Any]:
    return {
        "mrkdwn": lambda v: slack_mrkdwn(str(v)),
        "slack_code": lambda v: slack_code(str(v)),
        "one_line": lambda v: one_line(str(v)),
        "cut": lambda v, n: truncate(str(v), int(n)),
        "slack_change": slack_change,
        "slack_plain": lambda v: slack_plain(str(v)),
        "slack_plain_change": slack_plain_change,
    }


def slack_change(change: dict[str, Any]) -> str:
    """One line per change: ``• `ingress`: `+ 22/tcp from 0.0.0.0/0 "temp debug"` ``."""
    return f"• `{slack_code(change['path'])}`: `{slack_code(change['summary'])}`"


def slack_plain_change(change: dict[str, Any]) -> str:
    """The same line for a ``plain_text`` object: ``• ingress: + 22/tcp from 0.0.0.0/0``."""
    return f"• {slack_plain(change['path'])}: {slack_plain(change['summary'])}"


@dataclass(slots=True)
class SlackChannel:
    url: Secret
    templates: Templates
    name: str = "slack"
    min_severity: Severity = Severity.LOW
    actor_kinds: tuple[ActorKind, ...] = ()
    template: str = TEMPLATE

    def __post_init__(self) -> None:
        self.templates.add_filters(slack_filters())

    def secrets(self) -> tuple[str, ...]:
        return url_secrets(self.url.reveal())

    def payload(self, drift: Drift, result: str) -> Any:
        return self.templates.render_json(self.template, template_context(drift, result))

    def build(self, drift: Drift, result: str) -> OutgoingRequest:
        # backslashreplace: a lone surrogate (valid JSON input) becomes its JSON escape.
        body = json.dumps(self.payload(drift, result), ensure_ascii=False).encode(
            "utf-8", "backslashreplace"
        )
        return OutgoingRequest(self.url, body, {"Content-Type": "application/json"})
