"""``detect --ledger`` on a ledger written before states were named as people know them.

That version named the state by the path ``--state`` was given (here the absolute path of the
example state); its drift ids and ledger keys derive from that name. The ledger is made by
this version's ``detect`` and then stored again the way the older one stored it: its marker,
each open drift under its older name, key and id, with its reference (``tests/ledger`` checks
the same against that version's own golden objects, locally and on S3).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.cli.golden import EXAMPLE_ARGS, REPO
from tests.ledger.ledger_support import stored_objects
from tfdrift_gitops.cli import cli
from tfdrift_gitops.core.fold import drift_id
from tfdrift_gitops.ledger import StoredLedger, layout, open_ledger

STATE = EXAMPLE_ARGS[1]
EVENTS_FILE = next((REPO / "examples" / "cloudtrail").glob("*.json"))


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def store_as_older(ledger: StoredLedger, older_name: str) -> dict[str, str]:
    """Store every open drift on a state again as the older version stored it: its state
    named ``older_name``, under the marker that version wrote (no ``state_names``: this
    version's marker says no drift is stored under an older name). Returns the older ids by
    address."""
    marker = ledger.storage.get(layout.META_KEY)
    assert marker is not None
    older_marker = {k: v for k, v in json.loads(marker.data).items() if k != "state_names"}
    assert ledger.storage.put_if_match(
        layout.META_KEY, json.dumps(older_marker).encode(), marker.etag
    )
    ids = {}
    for drift in ledger.list_open().drifts:
        if not drift.resource.address:
            continue  # unmanaged resources: no state in their key
        reference_key = layout.index_key(drift.id)
        reference = ledger.storage.get(reference_key)
        assert reference is not None
        first = json.loads(reference.data)["event_id"]
        older = replace(drift, resource=replace(drift.resource, state=older_name))
        older = replace(older, id=drift_id(older.resource.key, first))
        rk = layout.resource_hash(older.resource.key)
        assert ledger.storage.put_if_absent(layout.open_key(rk), layout.encode_drift(older))
        entry = layout.encode_index(older.id, older, first, older.history[0].time)
        assert ledger.storage.put_if_absent(layout.index_key(older.id), entry)
        for key in (layout.open_key(layout.resource_hash(drift.resource.key)), reference_key):
            blob = ledger.storage.get(key)
            assert blob is not None and ledger.storage.delete_if_match(key, blob.etag)
        ids[drift.resource.address] = older.id
    return ids


def sg_call(event_id: str, when: str, cidr: str) -> dict[str, Any]:
    records = json.loads(EVENTS_FILE.read_text())["Records"]
    base = next(r for r in records if r["eventName"] == "AuthorizeSecurityGroupIngress")
    record: dict[str, Any] = json.loads(json.dumps(base))
    record.update(eventID=event_id, eventTime=when, responseElements=None)
    permission = record["requestParameters"]["ipPermissions"]["items"][0]
    permission["ipRanges"]["items"] = [{"cidrIp": cidr, "description": "by hand"}]
    return record


def test_detect_joins_and_renames_drifts_stored_under_the_absolute_path(tmp_path: Path) -> None:
    location = str(tmp_path / "ledger")
    assert invoke("detect", *EXAMPLE_ARGS, "--ledger", location).exit_code == 0
    older_name = str(REPO / STATE)
    ids = store_as_older(open_ledger(location), older_name)
    assert len(ids) == 4
    before = stored_objects(open_ledger(location).storage)

    # The same CloudTrail again (a re-run over the same window): nothing written at all.
    again = invoke("detect", *EXAMPLE_ARGS, "--ledger", location, "--format", "json")
    assert again.exit_code == 0, again.stderr
    assert "duplicate_event" in again.stderr
    assert stored_objects(open_ledger(location).storage) == before

    # A new hand-made rule on the same security group: it joins the drift of the older name.
    events = tmp_path / "later.json"
    later = sg_call("e0c1a2b3-0000-4000-8000-000000000099", "2026-11-21T08:00:00Z", "10.9.9.9/32")
    events.write_text(json.dumps({"Records": [later]}))
    joined = invoke("detect", "--state", older_name, "--events", str(events), "--ledger", location)
    assert joined.exit_code == 0, joined.stderr
    drifts = open_ledger(location).list_open().drifts
    assert len(drifts) == 6  # no second drift
    [sg] = [d for d in drifts if d.resource.type == "aws_security_group"]
    assert sg.id == ids[sg.resource.address]
    assert sg.resource.state == STATE
    assert sg.events[-1].id == later["eventID"]
    # The others are rewritten the next time they are written, not before.
    others = {d.resource.state for d in drifts if d is not sg and d.resource.address}
    assert others == {older_name}
