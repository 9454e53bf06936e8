"""JSON Lines are decoded by orjson where it agrees with json.loads, by json.loads elsewhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tfdrift_gitops.adapters.event_stream import loads_line
from tfdrift_gitops.adapters.events import iter_events
from tfdrift_gitops.errors import RecordError


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(b'{"a": 1, "b": [true, null, "x"]}', id="plain"),
        pytest.param(b'{"port": 123456789012345678901234567890}', id="int-past-64-bits"),
        pytest.param(b'{"port": -18446744073709551617}', id="negative-int-past-64-bits"),
        pytest.param(b'{"port": -9223372036854775809}', id="negative-19-digits-past-64-bits"),
        pytest.param(b'{"id": "db-0000000000000000000001", "n": 1}', id="digit-run-in-a-string"),
        pytest.param(b'{"port": 18446744073709551615}', id="largest-u64"),
        pytest.param(b'{"x": 1e400}', id="float-overflow"),
        pytest.param(b'{"x": NaN, "y": -Infinity}', id="nan-infinity"),
        pytest.param(b'{"s": "\\ud800"}', id="lone-surrogate"),
        pytest.param('{"s": "caf\u00e9 \U0001f600"}'.encode(), id="utf8"),
        pytest.param(b'{"a": 1, "a": 2}', id="duplicate-key"),
        pytest.param(b'  {"a": -0.0}  ', id="blanks-and-negative-zero"),
        pytest.param(b'\xef\xbb\xbf{"a": 1}', id="bom"),
        pytest.param(b'{"n": 0.1, "m": 1.7976931348623157e308, "k": 5e-324}', id="floats"),
    ],
)
def test_same_value_as_json_loads(line: bytes) -> None:
    expected = json.loads(line)
    got = loads_line(line)
    assert json.dumps(got) == json.dumps(expected)
    assert type(got) is type(expected)
    if isinstance(expected, dict):
        assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(b'{"a": 1} x', id="trailing-garbage"),
        pytest.param(b'{"a": ', id="cut-short"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param(b'{"a": 1,}', id="trailing-comma"),
    ],
)
def test_same_error_as_json_loads(line: bytes) -> None:
    with pytest.raises(ValueError) as expected:
        json.loads(line)
    with pytest.raises(ValueError) as got:
        loads_line(line)
    assert str(got.value) == str(expected.value)


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
