"""Terraform attribute paths (``versioning_configuration[0].status``) over decoded JSON.

Also the lookups into CloudTrail request/response documents used by catalog extractors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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


_SPLIT: dict[str, tuple[str | int, ...]] = {}
"""Paths split so far (catalog paths, a fixed few hundred): no regex per record."""


def split_path(path: str) -> list[str | int]:
    """``a.b[0].c`` -> ``["a", "b", 0, "c"]``."""
    return list(_split(path))


def _split(path: str) -> tuple[str | int, ...]:
    parts = _SPLIT.get(path)
    if parts is None:
        parts = tuple(int(index) if index else name for name, index in _SEGMENT.findall(path))
        if len(_SPLIT) >= 4096:  # paths built from input: stay bounded
            _SPLIT.clear()
        _SPLIT[path] = parts
    return parts


def get_path(data: Any, path: str | list[str | int]) -> Any:
    """Value at ``path`` or MISSING. Terraform stores nested blocks as lists of objects."""
    parts = _split(path) if isinstance(path, str) else path
    current = data
    for part in parts:
        if isinstance(part, int):
            if not isinstance(current, list) or part >= len(current):
                return MISSING
            current = current[part]
        else:
            # Decoded JSON is plain dicts: an ABC check costs a Python call each time.
            if not (type(current) is dict or isinstance(current, Mapping)) or part not in current:
                return MISSING
            current = current[part]
    return current


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path``, creating missing objects and single-element block lists on the way."""
    parts = _split(path)
    if len(parts) == 1 and type(parts[0]) is str:  # a top-level attribute, as most are
        data[parts[0]] = value
        return
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


_FOLDED_CACHE_SIZE = 512
# id(mapping) -> (mapping, {casefolded key: key}). The mapping itself is held so its id cannot
# be reused while cached. Catalog rows probe dozens of absent keys per event (most calls set a
# few of the parameters a row models); each miss then costs one dict lookup, not a key scan.
_folded_keys: dict[int, tuple[Mapping[Any, Any], int, dict[str, Any]]] = {}


def _casefolded(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    cached = _folded_keys.get(id(mapping))
    if cached is not None and cached[0] is mapping and cached[1] == len(mapping):
        return cached[2]
    folded: dict[str, Any] = {}
    for key in mapping:
        if isinstance(key, str):
            folded.setdefault(key.casefold(), key)
    if len(_folded_keys) >= _FOLDED_CACHE_SIZE:
        _folded_keys.clear()
    _folded_keys[id(mapping)] = (mapping, len(mapping), folded)
    return folded


def lookup(document: Any, dotted: str) -> Any:
    """Dotted lookup into a CloudTrail document, case-insensitive as a fallback.

    Real CloudTrail keeps one casing per service, but records edited by hand (and some older
    services) differ in case; a miss on exact case retries ignoring it. ``items`` lists are
    left to the caller.
    """
    return lookup_parts(document, dotted.split("."))


def lookup_parts(document: Any, parts: Sequence[str]) -> Any:
    """``lookup`` with the path already split (extractors split theirs once, when built)."""
    current = document
    for part in parts:
        if type(current) is dict:  # the decoded-JSON fast path; Mapping checks are slow
            found = current.get(part, MISSING)
            if found is not MISSING:
                current = found
                continue
        elif isinstance(current, list):
            if not part.isdigit():
                return MISSING
            index = int(part)
            if index >= len(current):
                return MISSING
            current = current[index]
            continue
        elif not isinstance(current, Mapping):
            return MISSING
        elif part in current:
            current = current[part]
            continue
        key = _casefolded(current).get(part.casefold(), MISSING)
        if key is MISSING or key not in current:
            return MISSING
        current = current[key]
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
