"""How long-lived runs set CPython's cyclic GC once a Terraform state index is built.

A state index (tens of thousands of resources) lives as long as the run, and a replay
allocates a few short-lived objects per record and almost never a cycle (reference counting
frees them). With CPython's defaults every full collection walks the whole index again:
collecting every 700 allocations cost a sixth of a Terraform-heavy replay, every 50,000 about
nothing. So the index is frozen (``gc.freeze``: moved out of every generation the collector
scans) and young collections are made rare.

``detect`` settles once. The collector reloads its state: after the new index is swapped in
and the old one dropped, :func:`resettle` thaws everything, collects (so cyclic garbage frozen
with the old index, if any, is freed instead of kept for ever) and freezes again, the new
index with it.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)

GC_YOUNG_OBJECTS = 50_000
"""Allocations between two collections of the youngest generation (CPython's default: 700)."""


def settle_for_replay() -> None:
    """Once the index is built: freeze what lives now, make young collections rare."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_OBJECTS, middle, old)


def resettle() -> int:
    """After a new index was swapped in and the old one dropped: thaw, collect, freeze again.
    Returns the number of unreachable objects found (what the old freeze would have kept)."""
    began = time.perf_counter()
    gc.unfreeze()
    found = gc.collect()
    settle_for_replay()
    log.debug(
        "cyclic GC settled again in %.3fs (%d unreachable objects freed, %d frozen)",
        time.perf_counter() - began,
        found,
        gc.get_freeze_count(),
    )
    return found
