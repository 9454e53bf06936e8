"""A pytest plugin that records what the catalog tests feed each row, for
``scripts/regen_api_shapes.py`` (never loaded by the suite itself).

Every event the engine asks the catalog about (``Catalog.rule_for``: the catalog tests' helpers,
the real-record replays and the corpus tests all go through it) is kept per row; at the end of
the session each row's calls are replayed through the row's own extractors with the request and
response wrapped so that every key path looked up is logged (``tfdrift_gitops.core.shape``'s
probe), present or not. Written to ``$TFDRIFT_API_SHAPES_OUT``: per row, the key paths present
in the requests and responses the tests gave it, and the key paths the row read from them,
each with the first test that fed it (an index into the row's ``tests``). ``Hypothesis``
examples are left out: generated hostile requests carry no shape a service logs.
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
    rows = []
    for (source, event, discriminator), (rule, calls) in sorted(_seen.items()):
        request: dict[str, str] = {}
        response: dict[str, str] = {}
        read: dict[str, str] = {}
        for call, test in calls.values():
            for path in _present(call.request):
                request.setdefault(_dotted(path), test)
            for path in _present(call.response):
                response.setdefault(_dotted(path), test)
            for dotted in reads_of(rule, call):
                read.setdefault(dotted, test)
        tests = sorted({*request.values(), *response.values(), *read.values()})
        number = {test: position for position, test in enumerate(tests)}
        rows.append(
            {
                "source": source,
                "event": event,
                "discriminator": discriminator or None,
                "calls": len(calls),
                "tests": tests,
                "request": {p: number[t] for p, t in sorted(request.items())},
                "response": {p: number[t] for p, t in sorted(response.items())},
                "read": {p: number[t] for p, t in sorted(read.items())},
            }
        )
    Path(out).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
