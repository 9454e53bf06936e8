"""Hidden markers that let reconcile find its own issues, PRs and comments again.

A marker is the first line of a body we write: ``<!-- tfdrift-gitops:drift=d-… kind=issue
hash=… -->``. Values are restricted to ``[A-Za-z0-9._-]`` and every hostile value rendered into
a body has its ``tfdrift-gitops:`` prefix broken (``markdown.defuse_markers``), so a marker can
only come from us. Only a marker on the first line counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tfdrift_gitops.errors import GitHubError

_VALUE = re.compile(r"[A-Za-z0-9._-]{1,128}")
_KEY = re.compile(r"[a-z]{1,16}")
_MARKER = re.compile(r"\A[ \t]*<!-- tfdrift-gitops:((?:[a-z]{1,16}=[A-Za-z0-9._-]{0,128} ?)+) -->")


def format_marker(fields: Mapping[str, str]) -> str:
    parts = []
    for key, value in fields.items():
        if not _KEY.fullmatch(key) or not _VALUE.fullmatch(value):
            raise GitHubError(f"cannot write marker field {key}={value!r}: unexpected characters")
        parts.append(f"{key}={value}")
    return f"<!-- tfdrift-gitops:{' '.join(parts)} -->"


def parse_marker(body: str | None) -> dict[str, str] | None:
    """The fields of the marker on the body's first line, or None."""
    if not body:
        return None
    match = _MARKER.match(body)
    if not match:
        return None
    fields: dict[str, str] = {}
    for item in match.group(1).split():
        key, _, value = item.partition("=")
        fields[key] = value
    return fields


def with_marker(fields: Mapping[str, str], body: str) -> str:
    return f"{format_marker(fields)}\n{body}"
