"""State attributes are decoded once per run and shared: replays give what fresh decodes give,
and no replay changes the shared copy."""

from __future__ import annotations

import gc
import json
import weakref
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.cli.golden import REPO
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.core import engine as engine_module
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.normalize import normalize_record
from tfdrift_gitops.core.state import StateResource
from tfdrift_gitops.models import CloudEvent, ResourceRef

STATE = REPO / "examples/state/terraform.tfstate"


class FreshEngine(Engine):
    """The engine as it was: every replay decodes the state's text anew."""

    def _decoded(self, found: StateResource) -> Mapping[str, Any]:
        return found.attributes


def _records(corpus: Path) -> list[dict[str, Any]]:
    """The example's records and, per record, later and earlier copies (some Terraform's, a
    Revoke undoing an Authorize): timelines of several calls on each example resource."""
    example = next((REPO / "examples" / "cloudtrail").glob("*.json"))
    records: list[dict[str, Any]] = json.loads(example.read_text())["Records"]
    copies: list[dict[str, Any]] = []
    for record in records:
        for n, (minute, name) in enumerate([(59, ""), (3, "Revoke"), (1, "")]):
            copy = json.loads(json.dumps(record))
            copy["eventID"] = f"{record['eventID']}-{n}"
            copy["eventTime"] = record["eventTime"][:14] + f"{minute:02d}:00Z"
            if name and record["eventName"].startswith("Authorize"):
                copy["eventName"] = record["eventName"].replace("Authorize", name)
            if n == 2:
                copy["userAgent"] = "APN/1.0 HashiCorp/1.0 Terraform/1.11.4"
            copies.append(copy)
    for path in sorted((corpus / "stratus-red-team").glob("*.json")):
        copies += json.loads(path.read_text())
    return records + copies


def _by_resource(engine: Engine, corpus: Path) -> dict[ResourceRef, list[CloudEvent]]:
    out: dict[ResourceRef, list[CloudEvent]] = defaultdict(list)
    for number, record in enumerate(_records(corpus)):
        try:
            event = normalize_record(record, f"r{number}")
        except ValueError:
            continue
        for finding in engine.evaluate(event).findings:
            if finding.resource.address:
                out[finding.resource].append(finding.event)
    return out


def _view(observation: Any) -> str:
    return json.dumps(
        {
            "changes": [[c.path, c.before, c.after] for c in observation.changes],
            "observed": observation.observed,
            "modelled": observation.modelled,
            "inert": sorted(observation.inert),
            "changed_by": sorted(observation.changed_by),
        },
        sort_keys=True,
        default=str,
    )


@pytest.mark.parametrize(
    "cache_size", [pytest.param(8192, id="cached"), pytest.param(1, id="evicted")]
)
def test_replays_match_fresh_decodes_and_leave_state_alone(
    corpus_dir: Path, cache_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "DECODED_RESOURCES", cache_size)
    index = StateSource([str(STATE)]).index()
    cached, fresh = Engine(index), FreshEngine(index)
    timelines = _by_resource(cached, corpus_dir)
    assert len(timelines) >= 5  # several managed resources, of several types
    compared = 0
    for _ in range(2):  # the second round replays over whatever the first left cached
        for resource, events in timelines.items():
            runs = [events[i:] for i in range(len(events))] + [[e] for e in events]
            for run in runs:
                watch = {e.id for e in run[::2]}
                got = cached.observe(resource, run, watch=watch)
                want = fresh.observe(resource, run, watch=watch)
                assert _view(got) == _view(want), (resource.address, [e.id for e in run])
                compared += 1
    for res in index:
        ref = ResourceRef(address=res.address, type=res.type, id=res.resource_id, state=res.source)
        assert cached.state_attributes(ref) == res.attributes, res.address
    assert compared >= 80


def test_changes_do_not_share_the_cached_values(corpus_dir: Path) -> None:
    """A drift's ``before`` is a copy: changing it (a sink, a test) cannot reach the state."""
    index = StateSource([str(STATE)]).index()
    engine = Engine(index)
    befores = 0
    for resource, events in _by_resource(engine, corpus_dir).items():
        for change in engine.observe(resource, events).changes:
            if isinstance(change.before, list | dict):
                befores += 1
                state = engine.state_attributes(resource)
                assert state is not None
                snapshot = json.dumps(state, sort_keys=True)
                if isinstance(change.before, list):
                    change.before.append("x")
                else:
                    change.before["x"] = 1
                assert json.dumps(state, sort_keys=True) == snapshot
    assert befores >= 1


def test_replay_plans_keep_no_call_alive(corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A collector with a ledger decodes a drift's calls again for every fold: the plans the
    engine keeps for them must not keep them alive. A full cache forgets the dead calls'
    plans first and keeps the live ones'; replays give what a fresh engine gives."""
    monkeypatch.setattr(engine_module, "REPLAY_PLANS", 16)
    index = StateSource([str(STATE)]).index()
    engine, fresh = Engine(index), FreshEngine(index)
    timelines = _by_resource(engine, corpus_dir)
    live_resource, live = next((r, e) for r, e in timelines.items() if 3 <= len(e) <= 6)
    engine.observe(live_resource, live)
    plans = [engine._replay(e, live_resource.type) for e in live]
    gc.disable()  # refcounting alone must free them
    try:
        dead: list[weakref.ReferenceType[CloudEvent]] = []
        for _ in range(3):
            for resource, events in timelines.items():
                decoded = [CloudEvent.from_dict(e.to_dict()) for e in events]  # as from a ledger
                dead += [weakref.ref(e) for e in decoded]
                got = engine.observe(resource, decoded)
                assert _view(got) == _view(fresh.observe(resource, decoded)), resource.address
                del decoded
        assert len(dead) > 3 * 16  # the cache filled up several times
        # (catalog.keys.event_keys remembers the one call it read last)
        assert sum(ref() is not None for ref in dead) <= 1
    finally:
        gc.enable()
    again = [engine._replay(e, live_resource.type) for e in live]
    assert all(a is b for a, b in zip(plans, again, strict=True))  # the live calls' plans
