"""core.jsontext.loads gives json.loads's value (or its error), by orjson where they agree."""

from __future__ import annotations

import json

import pytest

from tfdrift_gitops.core.jsontext import loads


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(b'{"a": 1, "b": [true, null, "x"]}', id="plain"),
        pytest.param(b'{"port": 123456789012345678901234567890}', id="int-past-64-bits"),
        pytest.param(b'{"port": -9223372036854775809}', id="negative-19-digits-past-64-bits"),
        pytest.param(b"[1,\n   -12345678901234567890]", id="negative-after-a-newline"),
        pytest.param(b"18446744073709551616", id="bare-int-past-64-bits"),
        pytest.param(b'{"port": 18446744073709551615}', id="largest-u64"),
        pytest.param(b'{"id": "db-00000000000000000000002472"}', id="digit-run-in-a-string"),
        pytest.param(b'{"x": 1.00000000000000000000001}', id="long-fraction"),
        pytest.param(b'{"x": 1e0000000000000000000005}', id="long-exponent"),
        pytest.param(b'{"x": 1e400}', id="float-overflow"),
        pytest.param(b'{"x": NaN, "y": -Infinity}', id="nan-infinity"),
        pytest.param(b'{"s": "\\ud800"}', id="lone-surrogate"),
        pytest.param('{"s": "caf\u00e9 \U0001f600"}'.encode(), id="utf8"),
        pytest.param(b'{"a": 1, "a": 2}', id="duplicate-key"),
        pytest.param(b'  {"a": -0.0, "b": -0}  ', id="blanks-and-negative-zero"),
        pytest.param(b'\xef\xbb\xbf{"a": 1}', id="bom"),
        pytest.param(b'{"n": 0.1, "m": 1.7976931348623157e308, "k": 5e-324}', id="floats"),
    ],
)
def test_same_value_as_json_loads(text: bytes) -> None:
    expected = json.loads(text)
    got = loads(text)
    assert repr(got) == repr(expected)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(b'{"a": 1} x', id="trailing-garbage"),
        pytest.param(b'{"a": ', id="cut-short"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param(b'{"a": 1,}', id="trailing-comma"),
    ],
)
def test_same_error_as_json_loads(text: bytes) -> None:
    with pytest.raises(ValueError) as expected:
        json.loads(text)
    with pytest.raises(ValueError) as got:
        loads(text)
    assert type(got.value) is type(expected.value)
    assert str(got.value) == str(expected.value)
