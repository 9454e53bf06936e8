"""Event-name helpers shared by the catalog and the normaliser."""

from __future__ import annotations

import re

# Lambda (and a few other services) append the API version: UpdateFunctionConfiguration20150331v2.
_VERSION_SUFFIX = re.compile(r"^(?P<base>[A-Za-z]+?)(?:\d{8}(?:v\d+)?)$")


_STRIPPED: dict[str, str] = {}
"""Names seen so far (a trail uses a few hundred): no regex per record."""


def strip_version_suffix(name: str) -> str:
    stripped = _STRIPPED.get(name)
    if stripped is None:
        match = _VERSION_SUFFIX.match(name)
        stripped = match.group("base") if match else name
        if len(_STRIPPED) >= 4096:  # hostile input naming endless calls: stay bounded
            _STRIPPED.clear()
        _STRIPPED[name] = stripped
    return stripped
