"""The normaliser: field mapping, bad input, Falco forms, fuzzing and the shared corpus."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfdrift_gitops.core.normalize import (
    MAX_RECORD_BYTES,
    infer_read_only,
    normalize_any,
    normalize_falco_alert,
    normalize_falco_output_fields,
    normalize_record,
    parse_event_time,
)
from tfdrift_gitops.errors import NotCloudTrailError, RecordError
from tfdrift_gitops.models import CloudEvent, Via

ACCOUNT = "123456789012"


def record(**overrides: Any) -> dict[str, Any]:
    """A well-formed AuthorizeSecurityGroupIngress record; ``None`` values delete keys."""
    base: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:alan@acme.example",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alan@acme.example",
            "accountId": ACCOUNT,
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin"}},
        },
        "eventTime": "2026-11-20T09:15:00Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "AuthorizeSecurityGroupIngress",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "203.0.113.42",
        "userAgent": "console.ec2.amazonaws.com",
        "requestParameters": {"groupId": "sg-0123456789abcdef0"},
        "responseElements": {"_return": True},
        "requestID": "req-1",
        "eventID": "ev-1",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT,
    }
    for key, value in overrides.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def test_record_fields() -> None:
    event = normalize_record(record(), "trail.json#Records[0]")
    assert event.id == "ev-1"
    assert event.name == "AuthorizeSecurityGroupIngress"
    assert event.source == "ec2.amazonaws.com"
    assert event.time == datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    assert event.region == "eu-west-1"
    assert event.account_id == ACCOUNT
    assert event.request == {"groupId": "sg-0123456789abcdef0"}
    assert event.response == {"_return": True}
    assert (event.error_code, event.error_message, event.read_only) == ("", "", False)
    assert event.event_type == "AwsApiCall"
    assert event.origin == "trail.json#Records[0]"
    assert event.actor.name == "alan@acme.example"
    assert event.actor.via is Via.CONSOLE
    assert event.actor.source_ip == "203.0.113.42"


def test_record_documents_are_not_copied() -> None:
    raw = record()
    event = normalize_record(raw)
    assert event.request is raw["requestParameters"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2026-11-20T09:15:00Z", datetime(2026, 11, 20, 9, 15, tzinfo=UTC), id="z"),
        pytest.param(
            "2026-11-20T10:15:00+01:00", datetime(2026, 11, 20, 9, 15, tzinfo=UTC), id="offset"
        ),
        pytest.param(
            "2026-11-20T04:15:00-0500", datetime(2026, 11, 20, 9, 15, tzinfo=UTC), id="offset-4"
        ),
        pytest.param(
            "2026-11-20T09:15:00.123Z",
            datetime(2026, 11, 20, 9, 15, 0, 123000, tzinfo=UTC),
            id="millis",
        ),
        pytest.param(
            "2026-11-20T09:15:00.123456789Z",
            datetime(2026, 11, 20, 9, 15, 0, 123456, tzinfo=UTC),
            id="nanos",
        ),
        pytest.param(
            "2021-01-24 04:55:45.000", datetime(2021, 1, 24, 4, 55, 45, tzinfo=UTC), id="panther"
        ),
        pytest.param(
            "2022-09-30 15:11:25.000000000",
            datetime(2022, 9, 30, 15, 11, 25, tzinfo=UTC),
            id="panther-nanos",
        ),
        pytest.param(
            "2022-09-24 00:38:26", datetime(2022, 9, 24, 0, 38, 26, tzinfo=UTC), id="no-fraction"
        ),
        pytest.param(
            "2026-11-20t09:15:00z", datetime(2026, 11, 20, 9, 15, tzinfo=UTC), id="lower-case"
        ),
        pytest.param(
            " 2026-11-20T09:15:00Z\n", datetime(2026, 11, 20, 9, 15, tzinfo=UTC), id="blanks"
        ),
        pytest.param(
            1_795_000_000_123_456_789,
            datetime(2026, 11, 18, 11, 6, 40, 123456, tzinfo=UTC),
            id="epoch-nanos",
        ),
        pytest.param(
            "1795000000123456789",
            datetime(2026, 11, 18, 11, 6, 40, 123456, tzinfo=UTC),
            id="epoch-nanos-string",
        ),
        pytest.param(
            1_795_000_000_123,
            datetime(2026, 11, 18, 11, 6, 40, 123000, tzinfo=UTC),
            id="epoch-millis",
        ),
        pytest.param(1_795_000_000, datetime(2026, 11, 18, 11, 6, 40, tzinfo=UTC), id="epoch-s"),
    ],
)
def test_parse_event_time(text: Any, expected: datetime) -> None:
    parsed = parse_event_time(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("yesterday", id="words"),
        pytest.param("2026-13-01T00:00:00Z", id="month-13"),
        pytest.param("", id="empty"),
        pytest.param(True, id="bool"),
        pytest.param([2026], id="list"),
        pytest.param("0001-01-01T00:00:00+01:00", id="before-year-1-in-utc"),
        pytest.param(10**30, id="epoch-overflow"),
    ],
)
def test_parse_event_time_rejects(value: Any) -> None:
    with pytest.raises(ValueError):
        parse_event_time(value)


@pytest.mark.parametrize(
    ("value", "name", "expected"),
    [
        pytest.param(True, "AuthorizeSecurityGroupIngress", True, id="bool-true"),
        pytest.param("true", "AuthorizeSecurityGroupIngress", True, id="string-true"),
        pytest.param("FALSE", "DescribeInstances", False, id="string-false-wins"),
        pytest.param(None, "DescribeInstances", True, id="absent-describe"),
        pytest.param(None, "GetBucketPolicy", True, id="absent-get"),
        pytest.param(None, "ListBuckets", True, id="absent-list"),
        pytest.param(None, "HeadObject", True, id="absent-head"),
        pytest.param(None, "LookupEvents", True, id="absent-lookup"),
        pytest.param(None, "BatchGetSecretValue", True, id="absent-batchget"),
        pytest.param(None, "GetFunction20150331v2", True, id="absent-versioned-get"),
        pytest.param(None, "PutBucketPolicy", False, id="absent-put"),
        pytest.param(None, "Getaway", False, id="prefix-not-a-word"),
        pytest.param("maybe", "ModifyDBInstance", False, id="garbage-infers"),
    ],
)
def test_read_only(value: Any, name: str, expected: bool) -> None:
    event = normalize_record(record(readOnly=value, eventName=name))
    assert event.read_only is expected
    if value is None:
        assert infer_read_only(name) is expected


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        pytest.param(
            {"errorCode": "AccessDenied", "errorMessage": "no"},
            lambda e: (e.error_code, e.error_message) == ("AccessDenied", "no"),
            id="error-code",
        ),
        pytest.param(
            {"responseElements": None},
            lambda e: e.response is None,
            id="response-absent",
        ),
        pytest.param(
            {"requestParameters": '{"bucketName": "logs"}'},
            lambda e: e.request == {"bucketName": "logs"},
            id="request-json-text",
        ),
        pytest.param({"requestParameters": "null"}, lambda e: e.request is None, id="request-null"),
        pytest.param({"eventType": None}, lambda e: e.event_type == "AwsApiCall", id="type-dflt"),
        pytest.param(
            {"eventType": "AwsServiceEvent"},
            lambda e: e.event_type == "AwsServiceEvent",
            id="type-kept",
        ),
        pytest.param(
            {"recipientAccountId": None},
            lambda e: e.account_id == ACCOUNT,
            id="account-from-identity",
        ),
        pytest.param(
            {"recipientAccountId": "999999999999"},
            lambda e: e.account_id == "999999999999",
            id="recipient-account-wins",
        ),
        pytest.param(
            {"sessionCredentialFromConsole": "true", "userAgent": "AWS Internal"},
            lambda e: e.actor.via is Via.CONSOLE,
            id="console-session-flag",
        ),
        pytest.param(
            {"userIdentity": None},
            lambda e: e.actor.name == "unknown",
            id="no-identity",
        ),
        pytest.param({"awsRegion": None}, lambda e: e.region == "", id="no-region"),
        pytest.param(
            {"eventName": "  PutBucketPolicy "},
            lambda e: e.name == "PutBucketPolicy",
            id="name-stripped",
        ),
    ],
)
def test_record_optional_fields(overrides: dict[str, Any], check: Any) -> None:
    assert check(normalize_record(record(**overrides)))


def test_missing_event_id_gets_a_stable_synthetic_id() -> None:
    first = normalize_record(record(eventID=None))
    again = normalize_record(record(eventID=None))
    other = normalize_record(record(eventID=None, eventTime="2026-11-20T09:16:00Z"))
    assert first.id.startswith("synthetic-")
    assert first.id == again.id
    assert first.id != other.id


def test_odd_casing_top_level() -> None:
    raw = {k.lower(): v for k, v in record().items()}
    event = normalize_record(raw)
    assert (event.name, event.id, event.region, event.actor.name) == (
        "AuthorizeSecurityGroupIngress",
        "ev-1",
        "eu-west-1",
        "alan@acme.example",
    )


DEEP: dict[str, Any] = {}
_cursor = DEEP
for _ in range(5000):
    _cursor["x"] = {}
    _cursor = _cursor["x"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(record(eventName=None), "missing eventName", id="no-name"),
        pytest.param(record(eventName=42), "eventName is a number, not a string", id="name-num"),
        pytest.param(record(eventName="  "), "eventName is empty", id="name-blank"),
        pytest.param(record(eventSource=None), "missing eventSource", id="no-source"),
        pytest.param(record(eventTime=None), "missing eventTime", id="no-time"),
        pytest.param(
            record(eventTime="last tuesday"),
            "eventTime 'last tuesday' is not a valid time",
            id="bad-time",
        ),
        pytest.param(
            record(userIdentity=["x"]), "userIdentity is an array, not an object", id="identity"
        ),
        pytest.param(
            record(requestParameters=[1]),
            "requestParameters is an array, not an object",
            id="request-array",
        ),
        pytest.param(
            record(requestParameters="{not json"),
            "requestParameters is a string that is not JSON",
            id="request-bad-text",
        ),
        pytest.param(
            record(responseElements="[1, 2]"),
            "responseElements is JSON text holding an array, not an object",
            id="response-text-array",
        ),
        pytest.param(
            record(requestParameters={"blob": "x" * (MAX_RECORD_BYTES + 1)}),
            "over the 1,048,576-byte limit",
            id="huge-request-measured",
        ),
        pytest.param(
            record(requestParameters=DEEP), "requestParameters is nested too deeply", id="deep"
        ),
    ],
)
def test_bad_records(raw: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        normalize_record(raw, "f.json#Records[3]")
    assert reason in caught.value.reason
    assert caught.value.origin == "f.json#Records[3]"
    assert str(caught.value).startswith("f.json#Records[3]: ")


def test_size_from_the_reader_is_trusted() -> None:
    with pytest.raises(RecordError, match="record is 2,000,000 bytes of JSON"):
        normalize_record(record(), "big.jsonl:7", size=2_000_000)
    # A size within the limit skips measuring, so a big request passes when the reader vouches.
    assert normalize_record(record(), size=900).id == "ev-1"
    with pytest.raises(RecordError, match="over the 100-byte limit"):
        normalize_record(record(requestParameters={"p": "y" * 200}), max_bytes=100)


# ----------------------------------------------------------------------------- Falco


def falco_alert(**field_overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ct.id": "ev-9",
        "ct.name": "PutBucketPolicy",
        "ct.src": "s3.amazonaws.com",
        "ct.shortsrc": "s3",
        "ct.region": "eu-west-1",
        "ct.srcip": "203.0.113.42",
        "ct.useragent": "[S3Console/0.4]",
        "ct.user": "Admin",
        "ct.originaluser": "alan@acme.example",
        "ct.user.arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alan@acme.example",
        "ct.user.identitytype": "AssumedRole",
        "ct.user.accountid": ACCOUNT,
        "ct.user.principalid": "AROAEXAMPLE:alan@acme.example",
        "ct.request": json.dumps({"bucketName": "logs", "bucketPolicy": {"Statement": []}}),
        "ct.response": None,
        "ct.error": None,
        "ct.readonly": "false",
        "evt.time": 1_795_000_000_123_456_789,
    }
    fields.update(field_overrides)
    return {
        "time": "2026-11-18T11:06:40.123456789Z",
        "rule": "CloudTrail write call",
        "priority": "Notice",
        "source": "aws_cloudtrail",
        "hostname": "falco-0",
        "output": "11:06:40 Notice alan PutBucketPolicy",
        "tags": ["cloud", "aws"],
        "output_fields": fields,
    }


def as_grpc_fields(fields: dict[str, Any]) -> dict[str, str]:
    """What the gRPC output API sends: every value a string, null as "<NA>"."""
    out = {}
    for key, value in fields.items():
        if value is None:
            out[key] = "<NA>"
        elif isinstance(value, str):
            out[key] = value
        else:
            out[key] = json.dumps(value)
    return out


def test_falco_json_alert() -> None:
    event = normalize_falco_alert(falco_alert(), "falco-http#1")
    assert (event.id, event.name, event.source, event.region) == (
        "ev-9",
        "PutBucketPolicy",
        "s3.amazonaws.com",
        "eu-west-1",
    )
    assert event.time == datetime(2026, 11, 18, 11, 6, 40, 123456, tzinfo=UTC)
    assert event.request == {"bucketName": "logs", "bucketPolicy": {"Statement": []}}
    assert event.response is None
    assert (event.error_code, event.read_only) == ("", False)
    assert event.actor.name == "alan@acme.example"
    assert event.actor.via is Via.CONSOLE
    assert event.account_id == ACCOUNT
    assert event.origin == "falco-http#1"


def test_falco_grpc_string_fields_equal_the_json_alert() -> None:
    alert = falco_alert()
    from_json = normalize_falco_alert(alert, "o")
    fields = as_grpc_fields(alert["output_fields"])
    assert fields["evt.time"] == "1795000000123456789"
    assert fields["ct.error"] == "<NA>"
    from_grpc = normalize_falco_output_fields(fields, time=None, origin="o")
    assert from_grpc == from_json


@pytest.mark.parametrize(
    ("overrides", "alert_time", "check"),
    [
        pytest.param(
            {"ct.error": "AccessDenied"}, None, lambda e: e.error_code == "AccessDenied", id="err"
        ),
        pytest.param({"ct.error": "null"}, None, lambda e: e.error_code == "", id="err-null"),
        pytest.param({"ct.error": ""}, None, lambda e: e.error_code == "", id="err-empty"),
        pytest.param({"ct.readonly": True}, None, lambda e: e.read_only, id="ro-bool"),
        pytest.param({"ct.readonly": "true"}, None, lambda e: e.read_only, id="ro-string"),
        pytest.param(
            {"ct.readonly": "<NA>", "ct.name": "DescribeVpcs"},
            None,
            lambda e: e.read_only,
            id="ro-inferred",
        ),
        pytest.param(
            {"evt.time": "2026-11-18T10:13:20.5Z"},
            None,
            lambda e: e.time == datetime(2026, 11, 18, 10, 13, 20, 500000, tzinfo=UTC),
            id="evt-time-rfc3339",
        ),
        pytest.param(
            {"ct.time": "2026-11-18T10:00:00Z"},
            None,
            lambda e: e.time == datetime(2026, 11, 18, 10, 0, tzinfo=UTC),
            id="ct-time-wins",
        ),
        pytest.param(
            {"evt.time": None},
            datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            lambda e: e.time == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            id="alert-time-fallback",
        ),
        pytest.param(
            {"evt.time": "09:15:00.123456789"},
            datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            lambda e: e.time == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            id="unparsable-evt-time-falls-back",
        ),
        pytest.param(
            {"ct.src": "<NA>"}, None, lambda e: e.source == "s3.amazonaws.com", id="shortsrc"
        ),
        pytest.param({"ct.request": "<NA>"}, None, lambda e: e.request is None, id="req-na"),
        pytest.param(
            {"ct.request": {"bucketName": "typed"}},
            None,
            lambda e: e.request == {"bucketName": "typed"},
            id="req-object",
        ),
        pytest.param(
            {"ct.response": '{"x": 1}'}, None, lambda e: e.response == {"x": 1}, id="response"
        ),
        pytest.param(
            {"ct.id": "<NA>"}, None, lambda e: e.id.startswith("synthetic-"), id="synthetic-id"
        ),
    ],
)
def test_falco_fields(overrides: dict[str, Any], alert_time: datetime | None, check: Any) -> None:
    fields = falco_alert(**overrides)["output_fields"]
    assert check(normalize_falco_output_fields(fields, time=alert_time, origin="o"))
    assert check(normalize_falco_output_fields(as_grpc_fields(fields), time=alert_time, origin="o"))


@pytest.mark.parametrize(
    ("alert", "error", "reason"),
    [
        pytest.param(
            {**falco_alert(), "source": "syscall", "output_fields": {"proc.name": "sh"}},
            NotCloudTrailError,
            "source 'syscall'",
            id="syscall-source",
        ),
        pytest.param(
            {"rule": "Terminal shell", "output": "x", "output_fields": {"proc.name": "sh"}},
            NotCloudTrailError,
            "without CloudTrail fields",
            id="no-source-no-ct-fields",
        ),
        pytest.param(
            {**falco_alert(), "output_fields": ["x"]},
            RecordError,
            "output_fields is an array",
            id="fields-array",
        ),
        pytest.param(
            falco_alert(**{"ct.name": "<NA>"}), RecordError, "missing ct.name", id="no-name"
        ),
        pytest.param(
            falco_alert(**{"ct.src": None, "ct.shortsrc": None}),
            RecordError,
            "missing ct.src",
            id="no-source",
        ),
        pytest.param(
            {**falco_alert(**{"evt.time": None}), "time": None},
            RecordError,
            "alert has no time",
            id="no-time",
        ),
        pytest.param(
            {**falco_alert(**{"evt.time": "soon"}), "time": "later"},
            RecordError,
            "evt.time 'soon': not a valid time",
            id="bad-times",
        ),
        pytest.param(
            falco_alert(**{"ct.request": "{truncated"}),
            RecordError,
            "ct.request is a string that is not JSON",
            id="bad-request",
        ),
        pytest.param(
            falco_alert(**{"ct.request": "x" * (MAX_RECORD_BYTES + 1)}),
            RecordError,
            "ct.request: record is",
            id="huge-request",
        ),
    ],
)
def test_bad_falco_alerts(alert: dict[str, Any], error: type[RecordError], reason: str) -> None:
    with pytest.raises(error) as caught:
        normalize_any(alert, "alerts.jsonl:3")
    assert type(caught.value) is error
    assert reason in caught.value.reason
    assert caught.value.origin == "alerts.jsonl:3"


# -------------------------------------------------------------------------- dispatch


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(record(), "AuthorizeSecurityGroupIngress", id="cloudtrail"),
        pytest.param(falco_alert(), "PutBucketPolicy", id="falco"),
        pytest.param(
            {k.lower(): v for k, v in record(eventName="DeleteTrail").items()},
            "DeleteTrail",
            id="cloudtrail-lower-case",
        ),
        pytest.param({**falco_alert(), "uuid": "abc"}, "PutBucketPolicy", id="falcosidekick"),
    ],
)
def test_normalize_any_dispatch(raw: dict[str, Any], expected: str) -> None:
    assert normalize_any(raw, "o").name == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param([record()], "record is an array, not an object", id="array"),
        pytest.param("text", "record is a string", id="string"),
        pytest.param(None, "record is null", id="null"),
        pytest.param({"Records": []}, "CloudTrail log file", id="records-wrapper"),
        pytest.param({"foo": 1}, "neither a CloudTrail record", id="unknown-shape"),
        pytest.param({"eventID": "x"}, "missing eventName", id="partial-record"),
    ],
)
def test_normalize_any_rejects(raw: Any, reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        normalize_any(raw, "o")
    assert reason in caught.value.reason


# -------------------------------------------------------------------------- hypothesis

JSON_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
RECORD_KEYS = [
    "eventName",
    "eventSource",
    "eventTime",
    "eventID",
    "userIdentity",
    "requestParameters",
    "responseElements",
    "readOnly",
    "errorCode",
    "userAgent",
    "sessionCredentialFromConsole",
    "recipientAccountId",
    "eventType",
    "Records",
    "output_fields",
]
IDENTITY_KEYS = ["type", "arn", "principalId", "accountId", "userName", "invokedBy"]
FALCO_FIELD_KEYS = [
    "ct.id",
    "ct.name",
    "ct.src",
    "ct.shortsrc",
    "ct.user",
    "ct.user.identitytype",
    "ct.user.arn",
    "ct.request",
    "ct.response",
    "ct.readonly",
    "ct.error",
    "evt.time",
    "ct.time",
]
FIELD_VALUES = JSON_VALUES | st.sampled_from(
    ["<NA>", "null", "{}", "123", "AssumedRole", "true", "2026-11-20T09:15:00Z", "1e400"]
)


def _mutate(draw: Any, target: dict[str, Any], keys: list[str]) -> None:
    """Delete or replace a few keys with arbitrary JSON: mostly-valid input reaches deep code."""
    for key in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
        if draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = draw(FIELD_VALUES)


@st.composite
def mutated_records(draw: Any) -> dict[str, Any]:
    raw = record()
    _mutate(draw, raw, RECORD_KEYS)
    if isinstance(raw.get("userIdentity"), dict):
        _mutate(draw, raw["userIdentity"], IDENTITY_KEYS)
    return raw


@st.composite
def mutated_alerts(draw: Any) -> dict[str, Any]:
    alert = falco_alert()
    _mutate(draw, alert["output_fields"], FALCO_FIELD_KEYS)
    _mutate(draw, alert, ["source", "time", "rule", "output_fields"])
    return alert


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_VALUES | mutated_records() | mutated_alerts())
def test_normalize_any_never_crashes(raw: Any) -> None:
    try:
        outcome: CloudEvent | RecordError = normalize_any(raw, "fuzz")
    except RecordError as exc:  # the only exception allowed out
        outcome = exc
    if isinstance(outcome, RecordError):
        assert outcome.reason
        assert outcome.origin == "fuzz"
        return
    event = outcome
    assert isinstance(event, CloudEvent)
    assert event.name
    assert event.id
    assert event.time.tzinfo is not None
    assert event.request is None or hasattr(event.request, "keys")
    assert event.response is None or hasattr(event.response, "keys")
    assert_stored_intact(event)


def assert_stored_intact(event: CloudEvent) -> None:
    """The event as a drift record stores it (strict JSON) reads back as the same event."""
    stored = json.loads(json.dumps(event.to_dict(), allow_nan=False))
    assert CloudEvent.from_dict(stored) == replace(event, origin="")


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["userName", "arn", "type"]),
        JSON_SCALARS,
    ),
    # Any time CloudTrail can log (year 1 at +05:00 would be year 0 in UTC, which no
    # datetime can hold; such a record is rejected, as another test shows).
    st.datetimes(
        min_value=datetime(1970, 1, 1),
        max_value=datetime(9999, 12, 30),
        timezones=st.just(timezone(timedelta(hours=5))),
    ),
)
def test_valid_records_with_arbitrary_identity_values_normalise(
    identity: dict[str, Any], when: datetime
) -> None:
    event = normalize_record(record(userIdentity=identity, eventTime=when.isoformat()))
    assert event.time == when
    assert event.actor.name


# ----------------------------------------------------------------------------- corpus


def corpus_records(corpus_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted((corpus_dir / "stratus-red-team").glob("*.json")):
        for index, raw in enumerate(json.loads(path.read_text())):
            found.append((f"{path.name}#[{index}]", raw))
    panther = json.loads((corpus_dir / "panther-analysis" / "write-events.json").read_text())
    for name, cases in panther.items():
        for case in cases:
            found.append((f"panther:{name}:{case['case']}", case["record"]))
    return found


def test_whole_corpus_normalises(corpus_dir: Path) -> None:
    records = corpus_records(corpus_dir)
    assert len(records) == 310 + 57
    events = {}
    for origin, raw in records:
        pristine = copy.deepcopy(raw)
        event = normalize_any(raw, origin)
        assert raw == pristine, "the normaliser must not modify its input"
        assert event.name and event.source and event.id
        assert event.time.tzinfo is UTC
        assert event.actor.name
        assert event.origin == origin
        # What the record says survives as it was said, and as the ledger stores it.
        assert event.error_code == (raw.get("errorCode") or "")
        expected_id = raw.get("eventID")
        assert event.id == expected_id if expected_id else event.id.startswith("synthetic-")
        if isinstance(raw.get("readOnly"), bool):
            assert event.read_only is raw["readOnly"], origin
        assert_stored_intact(event)
        events[origin] = event
    by_case = {k.split(":", 2)[2]: v for k, v in events.items() if k.startswith("panther:")}

    console_sg = by_case["AWS Console - Ingress SG Authorization"]
    assert (console_sg.actor.name, console_sg.actor.via) == ("alan", Via.CONSOLE)
    assert console_sg.actor.account_id == "112233445566"
    assert console_sg.time == datetime(2021, 1, 24, 4, 55, 45, tzinfo=UTC)

    rds = by_case["RDS Instance Deletion Protection Disabled"]
    assert (rds.actor.name, rds.actor.via) == ("user", Via.CLI)
    assert rds.request is not None
    assert rds.request["deletionProtection"] is False

    terraform = by_case["Terraform Security Group Authorize Egress"]
    assert (terraform.actor.name, terraform.actor.via) == ("ryan@example.com", Via.TERRAFORM)
    assert by_case["IAM Change"].actor.via is Via.CLOUDFORMATION
    assert by_case["Root Activity"].actor.name == "root"
    assert by_case["SSO AssumedRole Updates Lambda Configuration with Layers"].actor.name == (
        "bob.ross"
    )
    assert by_case["Error Making IAM Change"].error_code == "NoSuchEntity"
    assert by_case["ModifyInstanceAttributeUserdata"].id.startswith("synthetic-")

    stratus = [e for k, e in events.items() if not k.startswith("panther:")]
    assert sum(e.read_only for e in stratus) > sum(not e.read_only for e in stratus)
    federated = [e for e in stratus if e.actor.type == "FederatedUser"]
    assert [e.actor.name for e in federated] == ["stratus_red_team"]
