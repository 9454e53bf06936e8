"""The Terraform state the collector matches against, reloaded when it changes.

Every ``refresh`` seconds the watcher asks the state source for a fingerprint (file mtime and
size, or the S3 ETag from a HEAD request); when it differs the states are read again, a new
engine is built and swapped in with one reference assignment, so the worker sees either the
old engine or the new one, never half of each. A state that fails to load keeps the old one
in service (and is counted and logged).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.state import StateIndex
from tfdrift_gitops.errors import StateError

log = logging.getLogger(__name__)


class StateSourceLike(Protocol):
    def index(self) -> StateIndex: ...

    def fingerprint(self) -> tuple[str, ...]: ...


class StateWatcher:
    def __init__(
        self,
        source: StateSourceLike,
        make_engine: Callable[[StateIndex], Engine],
        *,
        refresh: float = 60.0,
        on_reload: Callable[[str], None] | None = None,
        on_swap: Callable[[Engine], None] | None = None,
    ) -> None:
        self.source = source
        self.refresh = refresh
        self._make_engine = make_engine
        self._on_reload = on_reload or (lambda _outcome: None)
        self._on_swap = on_swap or (lambda _engine: None)
        self._engine: Engine | None = None
        self._fingerprint: tuple[str, ...] = ()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.generation = 0

    @property
    def engine(self) -> Engine:
        engine = self._engine
        if engine is None:
            raise StateError("Terraform state not loaded yet")
        return engine

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def load(self) -> Engine:
        """First load: errors propagate (the collector cannot start without state)."""
        fingerprint = self.source.fingerprint()
        engine = self._make_engine(self.source.index())
        self._swap(engine, fingerprint)
        self._on_reload("loaded")
        return engine

    def check(self) -> bool:
        """Reload if the fingerprint changed; True when a new engine was swapped in."""
        try:
            fingerprint = self.source.fingerprint()
            if fingerprint == self._fingerprint:
                return False
            engine = self._make_engine(self.source.index())
        except StateError as exc:
            self._on_reload("failed")
            log.error("state reload failed, keeping the previous state: %s", exc)
            return False
        self._swap(engine, fingerprint)
        self._on_reload("reloaded")
        log.info("Terraform state changed; reloaded (%d resources)", len(engine.index))
        return True

    def _swap(self, engine: Engine, fingerprint: tuple[str, ...]) -> None:
        self._engine = engine  # one reference assignment: atomic for readers
        self._fingerprint = fingerprint
        self.generation += 1
        self._on_swap(engine)

    def start(self) -> None:
        if self.refresh <= 0:
            return
        self._thread = threading.Thread(target=self._run, name="state-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.refresh):
            try:
                self.check()
            except Exception:  # the watcher must outlive any surprise; the old state serves
                log.exception("unexpected error while checking the Terraform state")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
