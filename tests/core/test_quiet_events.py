"""The detector's memory of quiet calls (``core.detector.QuietEvents``): bounded per resource,
in resources and in calls, the least recently touched resources forgotten first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tfdrift_gitops.adapters.shard_worker import ShardResult
from tfdrift_gitops.adapters.shards import _overlap
from tfdrift_gitops.core.detector import QuietEvents
from tfdrift_gitops.models import Actor, CloudEvent


def _call(n: int) -> CloudEvent:
    return CloudEvent(
        f"e-{n}", "ModifyThing", "things.amazonaws.com", datetime(2026, 1, 1, tzinfo=UTC), "",
        Actor(name="terraform"), "", {"n": n}, None,
    )  # fmt: skip


def test_calls_past_the_per_resource_bound_push_the_oldest_out() -> None:
    quiet = QuietEvents(per_resource=3, resources=10, events=100)
    for n in range(5):
        quiet.remember("r", _call(n))
    assert [e.id for e in quiet.get("r")] == ["e-2", "e-3", "e-4"]
    assert (len(quiet), quiet.count, quiet.forgotten) == (1, 3, 0)


@pytest.mark.parametrize(
    ("resources", "events", "kept", "forgotten"),
    [
        # a is forgotten when b comes, then c when a comes back
        pytest.param(2, 100, ["b", "a"], 2, id="resource-bound"),
        pytest.param(10, 4, ["b", "a"], 1, id="event-bound"),
        pytest.param(10, 100, ["c", "b", "a"], 0, id="within-bounds"),
    ],
)
def test_the_least_recently_touched_resource_is_forgotten_first(
    resources: int, events: int, kept: list[str], forgotten: int
) -> None:
    quiet = QuietEvents(per_resource=2, resources=resources, events=events)
    quiet.remember("a", _call(1))
    quiet.remember("c", _call(2))
    quiet.remember("b", _call(3))
    quiet.remember("a", _call(4))  # touched again: now the newest
    quiet.remember("b", _call(5))
    remembered = [key for key in ("c", "b", "a") if quiet.get(key)]
    assert remembered == kept
    assert quiet.count == sum(len(quiet.get(k)) for k in ("a", "b", "c"))
    assert quiet.forgotten == forgotten


def _share(quiet: int = 1, events: int = 1, forgotten: int = 0) -> ShardResult:
    return ShardResult(
        quiet=quiet,
        quiet_bound=100,
        quiet_events=events,
        quiet_events_bound=50,
        quiet_forgotten=forgotten,
    )


@pytest.mark.parametrize(
    ("shares", "fell_back"),
    [
        pytest.param([_share(), _share()], False, id="well-within"),
        pytest.param([_share(events=30), _share(events=20)], True, id="events-together"),
        pytest.param([_share(quiet=60), _share(quiet=40)], True, id="resources-together"),
        pytest.param([_share(forgotten=1), _share()], True, id="one-worker-forgot"),
    ],
)
def test_sharded_runs_fall_back_when_one_process_would_have_forgotten(
    shares: list[ShardResult], fell_back: bool
) -> None:
    why = _overlap(shares)
    assert (why == "the quiet-event memory would have forgotten some") is fell_back
