"""The ``github:`` section of ``.tfdrift.yml``.

```yaml
github:
  url: https://github.example.com/api/v3     # GitHub Enterprise (the --github-url flag wins)
  users:                                      # IAM identity glob -> GitHub login (first match)
    "arn:aws:sts::*:assumed-role/AWSReservedSSO_*/alan@acme.example": alan-acme
    "alan@acme.example": alan-acme
  templates: .github/tfdrift-templates        # overrides shipped templates file by file
  seconds_between_writes: 1.0                 # GitHub asks for >= 1 s between mutating calls
  seconds_between_requests: 0.0
  max_retries: 5
  max_rate_limit_wait: 900                    # give up (error) rather than sleep longer
  bot_login: drift-app[bot]                   # who the token acts as, when the API cannot say
```

Only issues, pull requests and comments whose author is the token's identity are ever edited
or trusted (see ``GitHubClient.identity``); ``bot_login`` names it outright.

Kept free of PyGithub so that reading the config never imports the HTTP stack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from tfdrift_gitops.config import check_keys
from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.models import Actor

DEFAULT_API_URL = "https://api.github.com"
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_KEYS = {
    "url",
    "users",
    "templates",
    "seconds_between_writes",
    "seconds_between_requests",
    "max_retries",
    "max_rate_limit_wait",
    "bot_login",
}
_BOT_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:\[bot\])?")


@dataclass(frozen=True, slots=True)
class GitHubSettings:
    url: str = ""
    users: tuple[tuple[str, str], ...] = ()
    templates: str = ""
    seconds_between_writes: float = 1.0
    seconds_between_requests: float = 0.0
    max_retries: int = 5
    max_rate_limit_wait: float = 900.0
    bot_login: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def login_for(self, actor: Actor) -> str | None:
        """The GitHub login mapped to an IAM identity: first pattern that matches the ARN, the
        name, the session name or the principal id; for an assumed role also the role name."""
        candidates = [actor.arn, actor.name, actor.session_name, actor.principal_id]
        if ":assumed-role/" in actor.arn:
            candidates.append(actor.arn.partition(":assumed-role/")[2].split("/", 1)[0])
        for pattern, login in self.users:
            if any(c and fnmatchcase(c, pattern) for c in candidates):
                return login
        return None


def _number(value: Any, key: str, *, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError(f"github.{key}: expected a number >= {minimum:g}, got {value!r}")
    return float(value)


def parse_github_section(data: Any) -> GitHubSettings:
    """Validate the raw section; errors name the offending key."""
    if data is None:
        return GitHubSettings()
    if not isinstance(data, Mapping):
        raise ConfigError(f"github: expected a mapping, got {type(data).__name__}")
    check_keys(data, _KEYS, "github")
    url = data.get("url") or ""
    if not isinstance(url, str) or (url and not re.match(r"^https?://", url)):
        raise ConfigError(f"github.url: expected an http(s) URL, got {url!r}")
    users_raw = data.get("users") or {}
    if not isinstance(users_raw, Mapping):
        raise ConfigError("github.users: expected a mapping of IAM identity glob -> login")
    users: list[tuple[str, str]] = []
    for pattern, login in users_raw.items():
        if not isinstance(pattern, str) or not pattern:
            raise ConfigError(f"github.users: key {pattern!r} must be a non-empty string")
        if not isinstance(login, str) or not _LOGIN.fullmatch(login.removeprefix("@")):
            raise ConfigError(f"github.users.{pattern}: {login!r} is not a GitHub login")
        users.append((pattern, login.removeprefix("@")))
    templates = data.get("templates") or ""
    if not isinstance(templates, str):
        raise ConfigError("github.templates: expected a directory path")
    max_retries = data.get("max_retries", 5)
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigError(f"github.max_retries: expected an integer >= 0, got {max_retries!r}")
    bot_login = data.get("bot_login") or ""
    if not isinstance(bot_login, str) or (bot_login and not _BOT_LOGIN.fullmatch(bot_login)):
        raise ConfigError(
            f"github.bot_login: {bot_login!r} is not a GitHub login (an App: '<slug>[bot]')"
        )
    return GitHubSettings(
        url=url.rstrip("/"),
        bot_login=bot_login,
        users=tuple(users),
        templates=templates,
        seconds_between_writes=_number(
            data.get("seconds_between_writes", 1.0), "seconds_between_writes"
        ),
        seconds_between_requests=_number(
            data.get("seconds_between_requests", 0.0), "seconds_between_requests"
        ),
        max_retries=max_retries,
        max_rate_limit_wait=_number(data.get("max_rate_limit_wait", 900.0), "max_rate_limit_wait"),
    )
