"""A pytest plugin that records what the catalog tests feed each row, for
``scripts/regen_api_shapes.py`` (never loaded by the suite itself).

Every event the engine asks the catalog about (``Catalog.rule_for``: the catalog tests' helpers,
the real-record replays and the corpus tests all go through it) is kept per row; at the end of
the session each row's calls are replayed through the row's own extractors with the request and
response wrapped so that every key path looked up is logged (``tfdrift_gitops.core.shape``'s
probe), present or not. Written to ``$TFDRIFT_API_SHAPES_OUT``: per row, the calls the tests
gave it (request, response and the test), those that show a key path no earlier call showed.
The check replays them through the row as it is then, so a row edited since still has its own
reads judged. ``Hypothesis`` examples are left out: generated hostile requests carry no shape
a service logs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.api_rows import reads_of
from tfdrift_gitops.core.catalog import Catalog
from tfdrift_gitops.core.catalog.model import Rule
from tfdrift_gitops.models import CloudEvent

PER_ROW = 200
"""Distinct calls kept per row (fuzz tests send thousands of near-copies)."""

_seen: dict[tuple[str, str, str], tuple[Rule, dict[str, tuple[CloudEvent, str]]]] = {}


def _fuzzing() -> bool:
    """Inside a Hypothesis example: generated hostile requests, no shape a service logs."""
    try:
        from hypothesis.control import currently_in_test_context
    except ImportError:  # pragma: no cover - hypothesis is a dev dependency
        return False
    return bool(currently_in_test_context())


def _dotted(parts: tuple[str, ...]) -> str:
    return ".".join(parts)


def _present(document: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(document, dict):
        for key, value in document.items():
            path = (*prefix, str(key))
            yield path
            yield from _present(value, path)
    elif isinstance(document, list):
        for item in document:
            yield from _present(item, (*prefix, "*"))


def _record(rule: Rule, event: CloudEvent) -> None:
    if event.error_code or event.read_only or _fuzzing():
        return
    key = (rule.source, rule.event, rule.discriminator)
    _, calls = _seen.setdefault(key, (rule, {}))
    if len(calls) < PER_ROW:
        body = json.dumps([event.name, event.request, event.response], sort_keys=True, default=str)
        test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
        calls.setdefault(body, (event, test))


def pytest_configure(config: pytest.Config) -> None:
    original = Catalog.rule_for

    def rule_for(self: Catalog, event: CloudEvent) -> Rule | None:
        rule = original(self, event)
        if rule is not None:
            _record(rule, event)
        return rule

    Catalog.rule_for = rule_for  # type: ignore[method-assign]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    out = os.environ.get("TFDRIFT_API_SHAPES_OUT")
    if not out:
        return
    rows: list[dict[str, Any]] = []
    for (source, event, discriminator), (rule, calls) in sorted(_seen.items()):
        seen: set[str] = set()
        kept: list[dict[str, Any]] = []
        # A call is kept when it shows a key path (present, or looked up by the row) no
        # earlier one did: the file stays small and the check replays what the row saw.
        for call, test in calls.values():
            shown = {f"request:{_dotted(p)}" for p in _present(call.request)}
            shown |= {f"response:{_dotted(p)}" for p in _present(call.response)}
            shown |= reads_of(rule, call)
            if shown - seen or not kept:  # the first call always: the row is fed
                seen |= shown
                kept.append(
                    {
                        "test": test,
                        "name": call.name,
                        "request": call.request,
                        "response": call.response,
                    }
                )
        rows.append(
            {
                "source": source,
                "event": event,
                "discriminator": discriminator or None,
                "calls": kept,
            }
        )
    Path(out).write_text(json.dumps(rows, indent=1, default=str) + "\n", encoding="utf-8")
