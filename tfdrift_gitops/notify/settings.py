"""The ``notify:`` section of ``.tfdrift.yml`` and the channels it describes.

```yaml
notify:
  templates_dir: ./tfdrift-templates   # optional: overrides shipped templates file by file
  timeout: 5                           # seconds per HTTP attempt
  channels:
    - type: slack                      # slack | discord | webhook
      name: platform-alerts            # shown in logs and metrics (default: the type)
      url_env: SLACK_WEBHOOK_URL       # the URL is a secret: name the variable holding it
      min_severity: high
      actor_kinds: [person, ai-agent]  # optional: only drift made by these kinds of actor
    - type: webhook
      url_env: DRIFT_WEBHOOK_URL
      secret_env: DRIFT_WEBHOOK_SECRET # HMAC key for X-Tfdrift-Signature
```

Without a section, ``TFDRIFT_SLACK_WEBHOOK_URL``, ``TFDRIFT_DISCORD_WEBHOOK_URL`` and
``TFDRIFT_WEBHOOK_URL`` (+ ``TFDRIFT_WEBHOOK_SECRET``) each add a channel. Errors name the key
or the variable, never a URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfdrift_gitops.config import actor_kinds, check_keys
from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.models import ActorKind, Severity
from tfdrift_gitops.notify.channel import Channel, Secret, check_url
from tfdrift_gitops.notify.discord import DiscordChannel
from tfdrift_gitops.notify.slack import SlackChannel
from tfdrift_gitops.notify.webhook import WebhookChannel
from tfdrift_gitops.templating import Templates

CHANNEL_TYPES = ("slack", "discord", "webhook")
ENV_SHORTCUTS = {
    "slack": "TFDRIFT_SLACK_WEBHOOK_URL",
    "discord": "TFDRIFT_DISCORD_WEBHOOK_URL",
    "webhook": "TFDRIFT_WEBHOOK_URL",
}
ENV_WEBHOOK_SECRET = "TFDRIFT_WEBHOOK_SECRET"  # noqa: S105 - a variable name, not a secret


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    type: str
    name: str
    url_env: str = ""
    url: str = ""
    secret_env: str = ""
    min_severity: Severity = Severity.LOW
    actor_kinds: tuple[ActorKind, ...] = ()


@dataclass(frozen=True, slots=True)
class NotifySettings:
    channels: tuple[ChannelSettings, ...] = ()
    templates_dir: str = ""
    timeout: float = 5.0


def _text(value: Any, key: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected a string")
    return value


def _channel(raw: Any, where: str) -> ChannelSettings:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a mapping")
    allowed = {"type", "name", "url_env", "url", "secret_env", "min_severity", "actor_kinds"}
    check_keys(raw, allowed, where)
    kind = _text(raw.get("type"), f"{where}.type")
    if kind not in CHANNEL_TYPES:
        raise ConfigError(f"{where}.type: {kind!r} is not one of {', '.join(CHANNEL_TYPES)}")
    url_env = _text(raw.get("url_env"), f"{where}.url_env")
    url = _text(raw.get("url"), f"{where}.url")
    if bool(url_env) == bool(url):
        raise ConfigError(f"{where}: give exactly one of url_env (recommended) or url")
    severity_raw = raw.get("min_severity", "low")
    try:
        severity = Severity(str(severity_raw).lower())
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise ConfigError(
            f"{where}.min_severity: {severity_raw!r} is not one of {choices}"
        ) from None
    secret_env = _text(raw.get("secret_env"), f"{where}.secret_env")
    if secret_env and kind != "webhook":
        raise ConfigError(f"{where}.secret_env: only webhook channels are signed")
    return ChannelSettings(
        type=kind,
        name=_text(raw.get("name"), f"{where}.name") or kind,
        url_env=url_env,
        url=url,
        secret_env=secret_env,
        min_severity=severity,
        actor_kinds=actor_kinds(raw.get("actor_kinds"), f"{where}.actor_kinds"),
    )


def parse_notify_section(value: Any) -> NotifySettings:
    if value is None:
        return NotifySettings()
    if not isinstance(value, Mapping):
        raise ConfigError("notify: expected a mapping")
    allowed = {"channels", "templates_dir", "timeout"}
    check_keys(value, allowed, "notify")
    raw_channels = value.get("channels")
    if raw_channels is None:
        raw_channels = []
    if not isinstance(raw_channels, list):
        raise ConfigError("notify.channels: expected a list")
    channels = tuple(_channel(c, f"notify.channels[{i}]") for i, c in enumerate(raw_channels))
    names = [c.name for c in channels]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"notify.channels: duplicate channel name(s) {', '.join(duplicates)}")
    timeout = value.get("timeout", 5.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError("notify.timeout: expected a positive number of seconds")
    return NotifySettings(
        channels=channels,
        templates_dir=_text(value.get("templates_dir"), "notify.templates_dir"),
        timeout=float(timeout),
    )


def _resolve(env: Mapping[str, str], name: str, what: str) -> Secret:
    value = env.get(name, "")
    if not value:
        raise ConfigError(f"{what}: environment variable {name} is not set or empty")
    return Secret(value)


def build_channels(
    settings: NotifySettings, env: Mapping[str, str], templates: Templates | None = None
) -> list[Channel]:
    """Channels from the section, or from the ``TFDRIFT_*`` shortcuts when it lists none."""
    entries = list(settings.channels)
    if not entries:
        entries = [
            ChannelSettings(type=kind, name=kind, url_env=var)
            for kind, var in ENV_SHORTCUTS.items()
            if env.get(var)
        ]
        if any(e.type == "webhook" for e in entries) and env.get(ENV_WEBHOOK_SECRET):
            entries = [
                ChannelSettings(e.type, e.name, e.url_env, secret_env=ENV_WEBHOOK_SECRET)
                if e.type == "webhook"
                else e
                for e in entries
            ]
    if not entries:
        return []
    templates = templates or Templates(settings.templates_dir or None)
    channels: list[Channel] = []
    for entry in entries:
        what = f"notify channel {entry.name}"
        url = _resolve(env, entry.url_env, what) if entry.url_env else Secret(entry.url)
        check_url(url.reveal(), what)
        if entry.type == "slack":
            channels.append(
                SlackChannel(url, templates, entry.name, entry.min_severity, entry.actor_kinds)
            )
        elif entry.type == "discord":
            channels.append(
                DiscordChannel(url, templates, entry.name, entry.min_severity, entry.actor_kinds)
            )
        else:
            secret = _resolve(env, entry.secret_env, what) if entry.secret_env else None
            channels.append(
                WebhookChannel(url, secret, entry.name, entry.min_severity, entry.actor_kinds)
            )
    return channels
