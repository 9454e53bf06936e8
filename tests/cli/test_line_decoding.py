"""JSON Lines are decoded by orjson where it agrees with json.loads, by json.loads elsewhere
(tests/core/test_jsontext.py); here, what the reader makes of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tfdrift_gitops.adapters.event_stream import loads_line
from tfdrift_gitops.adapters.events import iter_events
from tfdrift_gitops.core import jsontext
from tfdrift_gitops.errors import RecordError


def test_lines_are_decoded_as_json_loads_decodes_them() -> None:
    """The reader's decoder is core.jsontext's (its value and error tables are there)."""
    assert loads_line is jsontext.loads


def test_reader_reports_bad_lines_and_keeps_big_integers(tmp_path: Path) -> None:
    record: dict[str, Any] = {
        "eventVersion": "1.10",
        "eventTime": "2026-11-20T09:00:00Z",
        "eventID": "e1",
        "eventName": "ModifyDBInstance",
        "eventSource": "rds.amazonaws.com",
        "awsRegion": "eu-west-1",
        "userIdentity": {"type": "IAMUser", "userName": "alan"},
        "requestParameters": {"dBInstanceIdentifier": "db", "allocatedStorage": 10**25},
    }
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(record) + "\n{broken\n")
    items = list(iter_events(str(path)))
    assert len(items) == 2
    event, error = items
    assert not isinstance(event, RecordError)
    assert event.request is not None
    assert event.request["allocatedStorage"] == 10**25
    assert isinstance(error, RecordError)
    assert error.origin == f"{path}:2"
