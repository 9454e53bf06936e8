"""detect settles the cyclic GC for a long replay: the index frozen, young collections rare."""

from __future__ import annotations

import gc

import pytest

from tfdrift_gitops.gcpolicy import GC_YOUNG_OBJECTS, settle_for_replay


@pytest.mark.parametrize(
    "before",
    [pytest.param((700, 10, 10), id="cpython-default"), pytest.param((2000, 5, 7), id="tuned")],
)
def test_settle_for_replay(before: tuple[int, int, int]) -> None:
    saved = gc.get_threshold()
    gc.set_threshold(*before)
    marker = [object()]  # lives before the call: frozen with everything else
    try:
        frozen = gc.get_freeze_count()
        settle_for_replay()
        assert gc.get_threshold() == (GC_YOUNG_OBJECTS, before[1], before[2])
        assert gc.get_freeze_count() > frozen
        assert marker
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)
