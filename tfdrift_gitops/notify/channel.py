"""What every notification channel is: a name, a minimum severity, and a request builder.

The URL (and any token) is a secret: it is kept in :class:`Secret`, whose ``repr`` and ``str``
hide it, and is only unwrapped when the request is sent. Logs and errors name the channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from tfdrift_gitops.errors import ConfigError
from tfdrift_gitops.models import ActorKind, Drift, Severity


class Secret:
    """A string that never prints itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    """One HTTP POST, built fresh for every attempt (signatures carry a timestamp)."""

    url: Secret
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class Channel(Protocol):
    @property
    def name(self) -> str:
        """Shown in logs and metrics; never the URL."""
        ...

    @property
    def min_severity(self) -> Severity: ...

    @property
    def actor_kinds(self) -> tuple[ActorKind, ...]:
        """Only drifts made by these kinds of actor; empty = every kind."""
        ...

    def secrets(self) -> tuple[str, ...]:
        """Every secret string this channel holds, for redaction."""
        ...

    def build(self, drift: Drift, result: str) -> OutgoingRequest: ...


_TOKEN_LIKE = 12
"""A path segment this long (or longer) is treated as a token on its own."""


def url_secrets(url: str) -> tuple[str, ...]:
    """Every form in which a webhook URL's credential may be printed: the URL as configured
    and as httpx normalises it (and logs it), its path and query (raw and decoded), its
    userinfo and password, and each long path segment (Slack's and Discord's tokens)."""
    from urllib.parse import unquote

    import httpx

    forms = {url}
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return (url,)
    forms.add(str(parsed))
    raw_path = parsed.raw_path.decode("ascii", "replace")
    forms.update((raw_path, unquote(raw_path)))
    if len(parsed.path) > 1:
        forms.update((parsed.path, parsed.path.rstrip("/")))
    query = parsed.query.decode("ascii", "replace")
    if query:
        forms.update((query, unquote(query)))
        for pair in query.split("&"):
            forms.add(pair.partition("=")[2])
    if parsed.userinfo:
        userinfo = parsed.userinfo.decode("ascii", "replace")
        forms.update((userinfo, unquote(userinfo), parsed.password or ""))
    for segment in parsed.path.split("/"):
        if len(segment) >= _TOKEN_LIKE:
            forms.update((segment, unquote(segment)))
    return tuple(sorted((f for f in forms if len(f) >= 4 and f != "/"), key=len, reverse=True))


def check_url(url: str, what: str) -> None:
    """A webhook URL httpx will accept, checked at start-up (a malformed one would fail every
    delivery later). Errors never repeat the URL: it is a secret."""
    import httpx

    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise ConfigError(f"{what}: the URL contains spaces or control characters")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise ConfigError(f"{what}: the URL is malformed (the value is not shown)") from None
    if parsed.scheme not in ("https", "http"):
        raise ConfigError(f"{what}: the URL must start with https:// or http://")
    if not parsed.host:
        raise ConfigError(f"{what}: the URL has no host")


def wants(channel: Channel, drift: Drift) -> bool:
    if channel.actor_kinds and drift.actor.kind not in channel.actor_kinds:
        return False
    return drift.severity.rank >= channel.min_severity.rank
