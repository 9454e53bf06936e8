"""What every notification channel is: a name, a minimum severity, and a request builder.

The URL (and any token) is a secret: it is kept in :class:`Secret`, whose ``repr`` and ``str``
hide it, and is only unwrapped when the request is sent. Logs and errors name the channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from tfdrift_gitops.models import Drift, Severity


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

    def secrets(self) -> tuple[str, ...]:
        """Every secret string this channel holds, for redaction."""
        ...

    def build(self, drift: Drift, result: str) -> OutgoingRequest: ...


def wants(channel: Channel, drift: Drift) -> bool:
    return drift.severity.rank >= channel.min_severity.rank
