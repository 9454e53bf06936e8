"""Terraform as the authoritative reader of HCL literals (``terraform console``, no init).

A directory holding only ``locals { v0 = ... v1 = ... }`` is evaluated with
``base64encode(jsonencode([local.v0, local.v1, ...]))``: console prints strings with its own
escaping, base64 keeps the JSON bytes intact. Batching many values into one call keeps the
~50 ms start-up cost per call, not per value.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any


def evaluate(binary: str, expressions: Sequence[str], scratch: Path) -> list[Any]:
    """The JSON value of each HCL expression, as Terraform reads it."""
    scratch.mkdir(parents=True, exist_ok=True)
    body = "".join(f"  v{i} = {expr}\n" for i, expr in enumerate(expressions))
    (scratch / "main.tf").write_text(f"locals {{\n{body}}}\n", encoding="utf-8")
    listing = ", ".join(f"local.v{i}" for i in range(len(expressions)))
    done = subprocess.run(
        [binary, "console"],
        input=f"base64encode(jsonencode([{listing}]))",
        capture_output=True,
        text=True,
        cwd=scratch,
        env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"},
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"terraform console failed:\n{done.stderr}\n{body[:2000]}")
    encoded = json.loads(done.stdout.strip())
    values: list[Any] = json.loads(base64.b64decode(encoded))
    return values


def same(a: Any, b: Any) -> bool:
    """Exactly the same JSON value: types matter (True is not 1), numbers compare by value
    (Terraform prints 1.0 as 1 and keeps big numbers exact)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return _decimal(a) == _decimal(b)
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return False


def _decimal(value: int | float) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
