"""Event-name helpers shared by the catalog and the normaliser."""

from __future__ import annotations

import re

# Lambda (and a few other services) append the API version: UpdateFunctionConfiguration20150331v2.
_VERSION_SUFFIX = re.compile(r"^(?P<base>[A-Za-z]+?)(?:\d{8}(?:v\d+)?)$")


def strip_version_suffix(name: str) -> str:
    match = _VERSION_SUFFIX.match(name)
    return match.group("base") if match else name
