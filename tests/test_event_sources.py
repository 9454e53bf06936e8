"""iter_events: every format, bad input that must not stop the rest, directories, stdin, S3."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import tracemalloc
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tfdrift_gitops.adapters.events import iter_events, iter_many
from tfdrift_gitops.errors import InputError, NotCloudTrailError, RecordError
from tfdrift_gitops.models import CloudEvent


def rec(n: int, when: str = "2026-11-20T09:15:00Z", **extra: Any) -> dict[str, Any]:
    return {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "userName": "bob", "accountId": "123456789012"},
        "eventTime": when,
        "eventSource": "ec2.amazonaws.com",
        "eventName": "CreateTags",
        "awsRegion": "eu-west-1",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"resourcesSet": {"items": [{"resourceId": f"i-{n:017x}"}]}},
        "responseElements": None,
        "eventID": f"ev-{n}",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "recipientAccountId": "123456789012",
        **extra,
    }


def alert(n: int) -> dict[str, Any]:
    return {
        "time": "2026-11-20T09:15:00.000000001Z",
        "rule": "CloudTrail write call",
        "priority": "Notice",
        "source": "aws_cloudtrail",
        "hostname": "falco-0",
        "output": "bob CreateTags",
        "tags": ["aws"],
        "output_fields": {
            "ct.id": f"ev-{n}",
            "ct.name": "CreateTags",
            "ct.src": "ec2.amazonaws.com",
            "ct.user": "bob",
            "ct.user.identitytype": "IAMUser",
            "ct.request": json.dumps({"resourcesSet": {}}),
            "ct.error": None,
            "ct.readonly": "false",
            "evt.time": 1_795_000_000_000_000_000,
        },
    }


def via_eventbridge(record: Any, detail_type: str = "AWS API Call via CloudTrail") -> Any:
    """``record`` as an EventBridge rule delivers it (to SQS, Firehose, an archive)."""
    return {
        "version": "0",
        "id": "c0ffee00-0000-4000-8000-000000000000",
        "detail-type": detail_type,
        "source": "aws.ec2",
        "account": "123456789012",
        "time": "2026-11-20T09:15:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": record,
    }


def records_file(*records: Any, indent: int | None = None) -> bytes:
    return json.dumps({"Records": list(records)}, indent=indent).encode()


def lines(*values: Any, sep: str = "\n") -> bytes:
    return (sep.join(json.dumps(v) for v in values) + sep).encode()


def ids(items: Iterable[CloudEvent | RecordError]) -> list[str]:
    return [i.id for i in items if isinstance(i, CloudEvent)]


def errors(items: Iterable[CloudEvent | RecordError]) -> list[RecordError]:
    return [i for i in items if isinstance(i, RecordError)]


def read(path: Path, **kwargs: Any) -> list[CloudEvent | RecordError]:
    return list(iter_events(str(path), **kwargs))


# ------------------------------------------------------------------------------ formats

FORMAT_CASES = [
    pytest.param(
        "trail.json",
        records_file(rec(1), rec(2), rec(3)),
        ["ev-1", "ev-2", "ev-3"],
        ["#Records[0]", "#Records[1]", "#Records[2]"],
        id="records-one-line",
    ),
    pytest.param(
        "trail.json",
        records_file(rec(1), rec(2), indent=2),
        ["ev-1", "ev-2"],
        ["#Records[0]", "#Records[1]"],
        id="records-pretty",
    ),
    pytest.param(
        "trail.json",
        b"\xef\xbb\xbf" + records_file(rec(1)),
        ["ev-1"],
        ["#Records[0]"],
        id="records-utf8-bom",
    ),
    pytest.param(
        "stratus.json",
        json.dumps([rec(1), rec(2)], indent=2).encode(),
        ["ev-1", "ev-2"],
        ["#[0]", "#[1]"],
        id="bare-array",
    ),
    pytest.param(
        "events.jsonl",
        lines(rec(1), rec(2)) + b"\n   \n" + lines(rec(3)),
        ["ev-1", "ev-2", "ev-3"],
        [":1", ":2", ":5"],
        id="json-lines-with-blank-lines",
    ),
    pytest.param(
        "events.ndjson",
        lines(rec(1), rec(2), sep="\r\n"),
        ["ev-1", "ev-2"],
        [":1", ":2"],
        id="ndjson-crlf",
    ),
    pytest.param(
        "events.jsonl",
        lines(rec(1), {"Records": [rec(2), rec(3)]}, [rec(4)]),
        ["ev-1", "ev-2", "ev-3", "ev-4"],
        [":1", ":2#Records[0]", ":2#Records[1]", ":3[0]"],
        id="json-lines-mixing-wrappers",
    ),
    pytest.param(
        "one.json",
        json.dumps(rec(7), indent=2).encode(),
        ["ev-7"],
        [""],
        id="single-record",
    ),
    pytest.param(
        "alert.json",
        json.dumps(alert(8), indent=2).encode(),
        ["ev-8"],
        [""],
        id="single-falco-alert",
    ),
    pytest.param(
        "falco.jsonl",
        lines(alert(1), alert(2), rec(3)),
        ["ev-1", "ev-2", "ev-3"],
        [":1", ":2", ":3"],
        id="falco-json-output-lines-and-records",
    ),
    pytest.param(
        "trail.json.gz",
        gzip.compress(records_file(rec(1), rec(2))),
        ["ev-1", "ev-2"],
        ["#Records[0]", "#Records[1]"],
        id="records-gz",
    ),
    pytest.param(
        "events.jsonl.gz",
        gzip.compress(lines(rec(1), rec(2))),
        ["ev-1", "ev-2"],
        [":1", ":2"],
        id="json-lines-gz",
    ),
    pytest.param(
        "events.jsonl.gz",
        gzip.compress(lines(rec(1))) + gzip.compress(lines(rec(2))),
        ["ev-1", "ev-2"],
        [":1", ":2"],
        id="multi-member-gz",
    ),
    pytest.param(
        "misnamed.json",
        gzip.compress(records_file(rec(1))),
        ["ev-1"],
        ["#Records[0]"],
        id="gzip-detected-by-content",
    ),
    pytest.param(
        "eventbridge.jsonl",
        lines(
            via_eventbridge(rec(1)),
            rec(2),
            via_eventbridge(rec(3), "AWS Console Sign In via CloudTrail"),
        ),
        ["ev-1", "ev-2", "ev-3"],
        [":1", ":2", ":3"],
        id="eventbridge-events-json-lines",
    ),
    pytest.param(
        "eventbridge.json.gz",
        gzip.compress(json.dumps([via_eventbridge(rec(1)), via_eventbridge(rec(2))]).encode()),
        ["ev-1", "ev-2"],
        ["#[0]", "#[1]"],
        id="eventbridge-events-array-gz",
    ),
    pytest.param(
        "trail.json",
        records_file(via_eventbridge(rec(1)), rec(2)),
        ["ev-1", "ev-2"],
        ["#Records[0]", "#Records[1]"],
        id="eventbridge-event-in-records",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected", "suffixes"), FORMAT_CASES)
def test_formats(
    tmp_path: Path, name: str, content: bytes, expected: list[str], suffixes: list[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    items = read(path)
    assert errors(items) == []
    assert ids(items) == expected
    assert [i.origin for i in items] == [f"{path}{suffix}" for suffix in suffixes]


def test_big_records_file_streams_through_many_chunks(tmp_path: Path) -> None:
    """A CloudTrail file larger than one read chunk, gzipped, as one line."""
    many = [rec(n, requestParameters={"pad": "p" * 900}) for n in range(2500)]
    path = tmp_path / "big.json.gz"
    path.write_bytes(gzip.compress(records_file(*many)))
    assert ids(read(path)) == [f"ev-{n}" for n in range(2500)]


# ---------------------------------------------------------------------------- bad input

GOOD = records_file(*(rec(n) for n in range(40)))
GOOD_LINES = lines(*(rec(n) for n in range(40)))

BAD_CASES = [
    pytest.param(
        "events.jsonl",
        lines(rec(1)) + b'{"eventName": \n' + lines(rec(3)),
        ["ev-1", "ev-3"],
        [(":2", "invalid JSON: ")],
        id="invalid-json-line",
    ),
    pytest.param(
        "events.jsonl",
        b"{not json\n" + lines(rec(2), rec(3)),
        ["ev-2", "ev-3"],
        [(":1", "invalid JSON: ")],
        id="invalid-first-line",
    ),
    pytest.param(
        "events.jsonl",
        lines(rec(1), rec(2, eventName=None), "text", rec(4)),
        ["ev-1", "ev-4"],
        [(":2", "missing eventName"), (":3", "record is a string, not an object")],
        id="bad-records-between-good",
    ),
    pytest.param(
        "trail.json",
        records_file(rec(1), 5, None, [rec(9)], rec(2)),
        ["ev-1", "ev-2"],
        [
            ("#Records[1]", "record is a number"),
            ("#Records[2]", "record is null"),
            ("#Records[3]", "record is an array"),
        ],
        id="non-object-elements",
    ),
    pytest.param(
        "trail.json",
        b'{"Records": {"eventName": "x"}}',
        [],
        [("", "Records is not an array")],
        id="records-not-array",
    ),
    pytest.param("scalar.json", b"42\n", [], [("", "record is a number")], id="scalar"),
    pytest.param(
        "trail.json",
        GOOD[: GOOD.index(b'"ev-20"')],  # cut inside record 20
        [f"ev-{n}" for n in range(20)],
        [("", "invalid JSON after 20 complete records")],
        id="truncated-plain-records-salvaged",
    ),
    pytest.param(
        "trail.json",
        json.dumps([rec(1), rec(2)], indent=1).encode()[:-40],
        ["ev-1"],
        [("", "invalid JSON after 1 complete records")],
        id="truncated-pretty-array-salvaged",
    ),
    pytest.param(
        "notes.json",
        b'{"a": 1,\n  "b": [1, 2\n',
        [],
        [("", "invalid JSON: ")],
        id="broken-object-document",
    ),
    pytest.param(
        "corrupt.json.gz",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00garbage" * 10,
        [],
        [("", "corrupt gzip data")],
        id="corrupt-gzip",
    ),
    pytest.param(
        "falco.jsonl",
        lines({**alert(1), "source": "syscall", "output_fields": {"proc.name": "bash"}}, alert(2)),
        ["ev-2"],
        [(":1", "Falco alert from source 'syscall'")],
        id="other-falco-source",
    ),
    pytest.param(
        "eventbridge.jsonl",
        lines(
            via_eventbridge({"note": "x"}),
            via_eventbridge("text"),
            via_eventbridge(rec(3)),
            {**via_eventbridge(rec(4)), "detail-type": "Object Created"},
        ),
        ["ev-3"],
        [
            (":1", "an EventBridge 'AWS API Call via CloudTrail' event whose detail is not a"),
            (":2", "event whose detail is a string"),
            (":4", "neither a CloudTrail record"),
        ],
        id="eventbridge-events-without-a-record",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected", "bad"), BAD_CASES)
def test_bad_input_is_reported_and_the_rest_read(
    tmp_path: Path, name: str, content: bytes, expected: list[str], bad: list[tuple[str, str]]
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    items = read(path)
    assert ids(items) == expected
    found = errors(items)
    assert [e.origin for e in found] == [f"{path}{suffix}" for suffix, _ in bad]
    for error, (_, reason) in zip(found, bad, strict=True):
        assert reason in error.reason
        assert str(error).startswith(str(path))


def test_not_cloudtrail_alerts_are_their_own_error_type(tmp_path: Path) -> None:
    path = tmp_path / "falco.jsonl"
    path.write_bytes(lines({**alert(1), "source": "k8s_audit"}))
    (error,) = read(path)
    assert type(error) is NotCloudTrailError


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("trail.json.gz", gzip.compress(GOOD), id="records-one-line"),
        pytest.param("events.jsonl.gz", gzip.compress(GOOD_LINES), id="json-lines"),
    ],
)
def test_truncated_gzip_keeps_what_came_before(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content[: len(content) * 3 // 5])
    items = read(path)
    kept = ids(items)
    assert 0 < len(kept) < 40
    assert kept == [f"ev-{n}" for n in range(len(kept))]
    (error,) = errors(items)
    assert error.origin == str(path)
    assert "gzip data ends early (truncated file)" in error.reason
    assert items[-1] is error


def test_truncated_json_lines_gzip_names_the_dropped_line(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl.gz"
    path.write_bytes(gzip.compress(GOOD_LINES)[:-30])
    (error,) = errors(read(path))
    assert "incomplete last line was not read" in error.reason


def test_record_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(lines(rec(1), rec(2, requestParameters={"blob": "b" * 5000}), rec(3)))
    items = read(path, max_bytes=2000)
    assert ids(items) == ["ev-1", "ev-3"]
    (error,) = errors(items)
    assert error.origin == f"{path}:2"
    assert "over the 2,000-byte limit" in error.reason


def test_documents_and_lines_over_the_limit_stream_or_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tfdrift_gitops.adapters import byte_lines

    monkeypatch.setattr(byte_lines, "MAX_DOCUMENT_BYTES", 20_000)
    monkeypatch.setattr(byte_lines, "CHUNK", 4096)  # so that a long line spans several reads
    pretty = tmp_path / "pretty.json"
    pretty.write_bytes(records_file(*(rec(n) for n in range(40)), indent=2))
    items = read(pretty)
    assert errors(items) == []
    assert ids(items) == [f"ev-{n}" for n in range(40)]
    assert items[39].origin == f"{pretty}#Records[39]"

    long_line = tmp_path / "long.jsonl"
    long_line.write_bytes(lines(rec(1), {"Records": [rec(n) for n in range(100)]}, [rec(3)]))
    items = read(long_line)
    assert errors(items) == []
    assert ids(items) == ["ev-1", *(f"ev-{n}" for n in range(100)), "ev-3"]
    assert items[100].origin == f"{long_line}:2#Records[99]"
    assert items[101].origin == f"{long_line}:3[0]"

    # Neither a Records document nor an array: no record is that large, so it is refused.
    blob = tmp_path / "blob.jsonl"
    blob.write_bytes(lines(rec(1, requestParameters={"pad": "p" * 30_000}), rec(2)))
    (error,) = read(blob)
    assert isinstance(error, RecordError)
    assert error.reason == "a line over 20,000 bytes; the rest was not read"
    notes = tmp_path / "notes.json"
    notes.write_bytes(json.dumps({"a": ["x" * 100] * 400}, indent=2).encode())
    (error,) = read(notes)
    assert isinstance(error, RecordError)
    assert "JSON document over 20,000 bytes; not read" in error.reason


def test_streamed_document_cut_short_keeps_what_came_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tfdrift_gitops.adapters import byte_lines, event_stream

    monkeypatch.setattr(byte_lines, "MAX_DOCUMENT_BYTES", 20_000)
    streamed: list[str] = []
    real = event_stream._streamed_items

    def spy(*args: Any, **kwargs: Any) -> Any:
        streamed.append("streamed")
        return real(*args, **kwargs)

    # The whole-document path salvages the same records: the small limit is what makes this
    # the streamed one.
    monkeypatch.setattr(event_stream, "_streamed_items", spy)
    data = records_file(*(rec(n) for n in range(60)))
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(gzip.compress(data)[:-200])
    items = read(cut)
    kept = ids(items)
    assert len(kept) >= 10
    assert kept == [f"ev-{n}" for n in range(len(kept))]
    (error,) = errors(items)
    assert "gzip data ends early (truncated file)" in error.reason
    broken = tmp_path / "broken.json"
    broken.write_bytes(data[: data.index(b'"ev-50"')] + b"}}]}")
    items = read(broken)
    assert streamed
    assert ids(items) == [f"ev-{n}" for n in range(50)]
    (error,) = errors(items)
    assert error.reason.startswith("invalid JSON after 50 complete records")


def test_a_record_that_never_ends_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tfdrift_gitops.adapters import byte_lines, event_stream

    monkeypatch.setattr(byte_lines, "MAX_DOCUMENT_BYTES", 20_000)
    monkeypatch.setattr(event_stream, "MAX_STREAMED_RECORD_BYTES", 100_000)
    monkeypatch.setattr(byte_lines, "CHUNK", 4096)
    pieces: list[int] = []
    real = byte_lines.gunzip

    def counted(chunks: Any) -> Any:
        for piece in real(chunks):
            pieces.append(len(piece))
            yield piece

    monkeypatch.setattr(byte_lines, "gunzip", counted)
    path = tmp_path / "huge-record.json.gz"
    huge = rec(2, requestParameters={"pad": "p" * 300_000})
    path.write_bytes(gzip.compress(records_file(rec(1), huge, rec(3))))
    items = read(path)
    assert max(pieces) <= 4096 < sum(pieces)  # the long line came in many small pieces
    assert ids(items) == ["ev-1"]
    (error,) = errors(items)
    assert "no complete record within 100,000 bytes after 1 records" in error.reason


def test_gzip_bomb_of_records_is_read_in_bounded_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small .gz that inflates to a Records document far larger than what is held."""
    from tfdrift_gitops.adapters import byte_lines

    # Streaming starts sooner than by default, so that a small test shows the bound.
    monkeypatch.setattr(byte_lines, "MAX_DOCUMENT_BYTES", 1 << 20)
    record = json.dumps(rec(1, requestParameters={"pad": "p" * 400})).encode()
    count = (24 << 20) // len(record)
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    parts = [compressor.compress(b'{"Records": [' + record)]
    block = (b"," + record) * 1000
    for _ in range(count // 1000):
        parts.append(compressor.compress(block))
    parts.append(compressor.compress(b"]}") + compressor.flush())
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(b"".join(parts))
    inflated = len(record) * (1 + (count // 1000) * 1000)
    assert path.stat().st_size * 100 < inflated  # a bomb: over 100x

    tracemalloc.start()
    try:
        seen = 0
        for item in iter_events(str(path), prefilter=lambda _: "skipped"):
            assert not isinstance(item, RecordError), item
            seen += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == 1 + (count // 1000) * 1000
    # Held at once: a few read chunks and one record, not the inflated document.
    assert peak < inflated // 4, f"peak {peak:,} bytes for a {inflated:,}-byte document"


def test_empty_files_yield_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "blank.jsonl").write_bytes(b"\n  \n\n")
    (tmp_path / "empty.json.gz").write_bytes(gzip.compress(b""))
    assert read(tmp_path) == []


def test_missing_path_raises_before_iteration(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        iter_events(str(tmp_path / "nope.json"))


def test_corpus_directories_read_without_errors(corpus_dir: Path) -> None:
    stratus = list(iter_events(str(corpus_dir / "stratus-red-team")))
    assert errors(stratus) == []
    assert len(stratus) == 310
    assert len(set(ids(stratus))) == 310
    # The panther file is a test-case collection keyed by event name, not a CloudTrail shape:
    # one clear error for the whole object, never a crash.
    (panther,) = read(corpus_dir / "panther-analysis" / "write-events.json")
    assert isinstance(panther, RecordError)
    assert "neither a CloudTrail record" in panther.reason


# ---------------------------------------------------------------------------- directories


def build_tree(root: Path) -> None:
    def put(relative: str, content: bytes) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    trail = "AWSLogs/123456789012/CloudTrail/eu-west-1"
    put(f"{trail}/2026/11/19/old.json.gz", gzip.compress(records_file(rec(1, "2026-11-21T00:00Z"))))
    put(f"{trail}/2026/11/20/new.json.gz", gzip.compress(records_file(rec(2), rec(3))))
    put("AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2026/11/20/d.json.gz", b"not events")
    put("z-last.jsonl", lines(rec(9, "2026-11-21T00:00:00Z")))
    put("nested/deeper/a.ndjson", lines(rec(5, "2026-11-19T23:59:59Z"), rec(6)))
    put("nested/b.json", json.dumps([rec(7)]).encode())
    put(".hidden.json", lines(rec(90)))
    put(".git/objects/x.json", lines(rec(91)))
    put("README.txt", b"not read")
    put("state.tfstate", b"{}")
    os.symlink(root / "missing-target.json", root / "nested" / "broken-link.json")


def test_directory_recursive_sorted_and_hidden_skipped(tmp_path: Path) -> None:
    build_tree(tmp_path)
    items = read(tmp_path)
    # Sorted by path components, so nested/b.json comes before nested/deeper/a.ndjson.
    assert ids(items) == ["ev-1", "ev-2", "ev-3", "ev-7", "ev-5", "ev-6", "ev-9"]
    (error,) = errors(items)
    assert error.origin == str(tmp_path / "nested" / "broken-link.json")
    assert "cannot read file" in error.reason
    origins = [i.origin for i in items if isinstance(i, CloudEvent)]
    assert origins[4] == f"{tmp_path}/nested/deeper/a.ndjson:1"


def test_since_skips_old_log_dates_and_old_events(tmp_path: Path) -> None:
    build_tree(tmp_path)
    since = datetime(2026, 11, 20, tzinfo=UTC)
    items = read(tmp_path, since=since)
    # ev-1 is new but lives under an old date path: the file is not even opened.
    # ev-5 sits in an undated file but is older than since.
    assert ids(items) == ["ev-2", "ev-3", "ev-7", "ev-6", "ev-9"]
    naive = read(tmp_path, since=datetime(2026, 11, 20))  # naive means UTC
    assert ids(naive) == ids(items)


def test_stdin_json_lines_and_gzip() -> None:
    plain = list(iter_events("-", stdin=io.BytesIO(lines(rec(1), rec(2)))))
    assert ids(plain) == ["ev-1", "ev-2"]
    assert plain[0].origin == "<stdin>:1"
    zipped = list(iter_events("-", stdin=io.BytesIO(gzip.compress(records_file(rec(3))))))
    assert ids(zipped) == ["ev-3"]
    assert zipped[0].origin == "<stdin>#Records[0]"


def test_iter_many_chains_and_checks_every_spec_first(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(records_file(rec(1)))
    (tmp_path / "b.jsonl").write_bytes(lines(rec(2)))
    assert ids(iter_many([str(tmp_path / "a.json"), str(tmp_path / "b.jsonl")])) == [
        "ev-1",
        "ev-2",
    ]
    with pytest.raises(InputError):
        iter_many([str(tmp_path / "a.json"), str(tmp_path / "missing")])


# ------------------------------------------------------------------------------------ S3

PREFIX = "AWSLogs/123456789012/CloudTrail/eu-west-1"


def counting(client: Any, operation: str) -> list[str]:
    """Record the keys / calls of ``operation`` as the real client makes them."""
    seen: list[str] = []

    def hook(params: dict[str, Any], **_: Any) -> None:
        seen.append(str(params.get("Key") or params.get("ContinuationToken") or "first"))

    client.meta.events.register(f"before-parameter-build.s3.{operation}", hook)
    return seen


def upload_trail(s3_client: Any, bucket: str, days: int = 7) -> list[str]:
    expected: list[str] = []
    for day in range(days):
        key = f"{PREFIX}/2026/11/{10 + day:02d}/123456789012_CloudTrail_{day}.json.gz"
        body = records_file(rec(day * 2), rec(day * 2 + 1))
        s3_client.put_object(Bucket=bucket, Key=key, Body=gzip.compress(body))
        expected += [f"ev-{day * 2}", f"ev-{day * 2 + 1}"]
    return expected


def factory_for(client: Any) -> Callable[[], Any]:
    return lambda: client


def test_s3_prefix_paginates_and_decompresses(s3_client: Any, s3_bucket: str) -> None:
    expected = upload_trail(s3_client, s3_bucket)
    s3_client.put_object(Bucket=s3_bucket, Key=f"{PREFIX}/", Body=b"")
    s3_client.put_object(Bucket=s3_bucket, Key="other/trail.json", Body=records_file(rec(99)))
    s3_client.put_object(
        Bucket=s3_bucket,
        Key="AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2026/11/12/d.json.gz",
        Body=b"digest",
    )
    pages = counting(s3_client, "ListObjectsV2")
    items = list(
        iter_events(
            f"s3://{s3_bucket}/AWSLogs/", s3_client_factory=factory_for(s3_client), s3_page_size=2
        )
    )
    assert errors(items) == []
    assert ids(items) == expected
    assert len(pages) >= 4  # 9 keys, two per page
    key = f"{PREFIX}/2026/11/10/123456789012_CloudTrail_0.json.gz"
    assert [i.origin for i in items[:2]] == [
        f"s3://{s3_bucket}/{key}#Records[0]",
        f"s3://{s3_bucket}/{key}#Records[1]",
    ]


def test_s3_unreadable_objects_are_errors_and_the_rest_is_read(
    s3_client: Any, s3_bucket: str
) -> None:
    expected = upload_trail(s3_client, s3_bucket, days=3)
    archived = f"{PREFIX}/2026/11/11/archived.json"
    s3_client.put_object(
        Bucket=s3_bucket, Key=archived, Body=records_file(rec(50)), StorageClass="GLACIER"
    )
    vanishing = f"{PREFIX}/2026/11/11/vanishing.json"
    s3_client.put_object(Bucket=s3_bucket, Key=vanishing, Body=records_file(rec(51)))
    truncated = f"{PREFIX}/2026/11/12/truncated.json.gz"
    noise = random.Random(7)  # incompressible padding, so half the gzip holds half the records
    padded = (
        rec(600 + n, requestParameters={"pad": noise.randbytes(300).hex()}) for n in range(30)
    )
    whole = gzip.compress(records_file(*padded))
    s3_client.put_object(Bucket=s3_bucket, Key=truncated, Body=whole[: len(whole) // 2])

    def delete_just_before_get(params: dict[str, Any], **_: Any) -> None:
        if params.get("Key") == vanishing:  # listed, then gone: a real race with a lifecycle rule
            s3_client.delete_object(Bucket=s3_bucket, Key=vanishing)

    s3_client.meta.events.register("before-parameter-build.s3.GetObject", delete_just_before_get)
    items = list(
        iter_events(f"s3://{s3_bucket}/{PREFIX}", s3_client_factory=factory_for(s3_client))
    )
    found = {e.origin: e.reason for e in errors(items)}
    assert found[f"s3://{s3_bucket}/{archived}"].startswith(
        "cannot read object: InvalidObjectState"
    )
    assert found[f"s3://{s3_bucket}/{vanishing}"].startswith("cannot read object: NoSuchKey")
    assert "truncated file" in found[f"s3://{s3_bucket}/{truncated}"]
    got = ids(items)
    salvaged = [i for i in got if int(i.removeprefix("ev-")) >= 600]
    assert [i for i in got if i not in salvaged] == expected
    assert 0 < len(salvaged) < 30
    assert salvaged == [f"ev-{600 + n}" for n in range(len(salvaged))]


def test_s3_listing_that_fails_midway_is_reported(s3_client: Any, s3_bucket: str) -> None:
    upload_trail(s3_client, s3_bucket, days=5)
    other = make_client_like(s3_client)
    gone: list[bool] = []

    def bucket_vanishes(params: dict[str, Any], **_: Any) -> None:
        """Someone empties and deletes the bucket while we read the first page."""
        if gone:
            return
        for entry in other.list_objects_v2(Bucket=s3_bucket).get("Contents", []):
            other.delete_object(Bucket=s3_bucket, Key=entry["Key"])
        other.delete_bucket(Bucket=s3_bucket)
        gone.append(True)

    s3_client.meta.events.register("before-parameter-build.s3.GetObject", bucket_vanishes)
    items = list(
        iter_events(
            f"s3://{s3_bucket}/{PREFIX}", s3_client_factory=factory_for(s3_client), s3_page_size=2
        )
    )
    assert ids(items) == []
    reasons = [(e.origin, e.reason) for e in errors(items)]
    assert [origin.rsplit("/", 1)[-1] for origin, _ in reasons[:2]] == [
        "123456789012_CloudTrail_0.json.gz",
        "123456789012_CloudTrail_1.json.gz",
    ]
    assert all(reason.startswith("cannot read object: NoSuch") for _, reason in reasons[:2])
    assert reasons[2] == (
        f"s3://{s3_bucket}/{PREFIX}",
        "listing stopped after 2 objects: NoSuchBucket: The specified bucket does not exist",
    )


def make_client_like(client: Any) -> Any:
    from tfdrift_gitops.adapters.aws import make_s3_client

    return make_s3_client(endpoint_url=client.meta.endpoint_url)


def test_s3_since_skips_keys_by_path_date(s3_client: Any, s3_bucket: str) -> None:
    upload_trail(s3_client, s3_bucket, days=4)  # 2026/11/10 .. 2026/11/13
    fetched = counting(s3_client, "GetObject")
    since = datetime(2026, 11, 12, 6, 0, tzinfo=UTC)
    items = list(
        iter_events(
            f"s3://{s3_bucket}/{PREFIX}", s3_client_factory=factory_for(s3_client), since=since
        )
    )
    assert [key.split("/")[-2] for key in fetched] == ["12", "13"]
    # Events on 11/12 and 11/13 all carry 2026-11-20 times, so none is older than since.
    assert ids(items) == ["ev-4", "ev-5", "ev-6", "ev-7"]


def test_s3_missing_bucket_raises_before_iteration(s3_client: Any) -> None:
    with pytest.raises(InputError, match="NoSuchBucket"):
        iter_events("s3://no-such-bucket-here/prefix", s3_client_factory=factory_for(s3_client))


def test_s3_unreachable_endpoint_raises(refused_url: str) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=refused_url,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=1),
    )
    with pytest.raises(InputError, match="cannot list objects"):
        iter_events("s3://bucket/prefix", s3_client_factory=factory_for(client))


def test_s3_bad_url_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not an s3:// URL"):
        iter_events("s3:///no-bucket", s3_client_factory=lambda: None)
