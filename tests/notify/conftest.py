"""Fixtures for the notification tests: real local HTTP receivers."""

from __future__ import annotations

from tests.collector.receivers import receivers  # noqa: F401 - fixture
