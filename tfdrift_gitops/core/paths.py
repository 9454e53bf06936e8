"""Terraform attribute paths (``versioning_configuration[0].status``) over decoded JSON.

Also the lookups into CloudTrail request/response documents used by catalog extractors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final


class _Missing:
    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_path(path: str) -> list[str | int]:
    """``a.b[0].c`` -> ``["a", "b", 0, "c"]``."""
    parts: list[str | int] = []
    for name, index in _SEGMENT.findall(path):
        parts.append(int(index) if index else name)
    return parts


def get_path(data: Any, path: str | list[str | int]) -> Any:
    """Value at ``path`` or MISSING. Terraform stores nested blocks as lists of objects."""
    parts = split_path(path) if isinstance(path, str) else path
    current = data
    for part in parts:
        if isinstance(part, int):
            if not isinstance(current, list) or part >= len(current):
                return MISSING
            current = current[part]
        else:
            if not isinstance(current, Mapping) or part not in current:
                return MISSING
            current = current[part]
    return current


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path``, creating missing objects and single-element block lists on the way."""
    parts = split_path(path)
    current: Any = data
    for position, part in enumerate(parts[:-1]):
        nxt = parts[position + 1]
        empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(part, int):
            while len(current) <= part:
                current.append({} if not isinstance(nxt, int) else [])
            if current[part] is None:
                current[part] = empty
            current = current[part]
        else:
            if not isinstance(current.get(part), list | dict):
                current[part] = empty
            current = current[part]
    last = parts[-1]
    if isinstance(last, int):
        while len(current) <= last:
            current.append(None)
    current[last] = value


def lookup(document: Any, dotted: str) -> Any:
    """Dotted lookup into a CloudTrail document, case-insensitive as a fallback.

    Real CloudTrail keeps one casing per service, but records edited by hand (and some older
    services) differ in case; a miss on exact case retries ignoring it. ``items`` lists are
    left to the caller.
    """
    current = document
    for part in dotted.split("."):
        if isinstance(current, list) and part.isdigit():
            index = int(part)
            current = current[index] if index < len(current) else MISSING
            if current is MISSING:
                return MISSING
            continue
        if not isinstance(current, Mapping):
            return MISSING
        if part in current:
            current = current[part]
            continue
        folded = part.casefold()
        for key in current:
            if isinstance(key, str) and key.casefold() == folded:
                current = current[key]
                break
        else:
            return MISSING
    return current


def items(value: Any) -> list[Any]:
    """CloudTrail's EC2 lists arrive as ``{"items": [...]}``; accept bare lists and singles."""
    if value is MISSING or value is None:
        return []
    if isinstance(value, Mapping):
        inner = lookup(value, "items")
        if inner is MISSING:
            return [] if not value else [value]
        return list(inner) if isinstance(inner, list) else []
    if isinstance(value, list):
        return value
    return [value]
