"""Faults: S3 answering 500/503 (before or after applying a write), SSE on every put, the
endpoint settings, and local-directory failures. S3 is the session's moto server over HTTP; the
faults are injected with botocore's ``before-send`` hook on the very client the ledger uses."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import urllib3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config

from tests.ledger.ledger_support import T0, add, make_engine, record_one
from tfdrift_gitops.adapters.aws import make_s3_client
from tfdrift_gitops.core.engine import Skip
from tfdrift_gitops.core.fold import FoldResult
from tfdrift_gitops.errors import ConfigError, LedgerError
from tfdrift_gitops.ledger import StoredLedger, layout, open_ledger
from tfdrift_gitops.ledger.base import MAX_OBJECT_BYTES
from tfdrift_gitops.ledger.local import LocalStorage
from tfdrift_gitops.ledger.s3 import S3Storage


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def error_response(request: AWSPreparedRequest, status: int, code: str) -> AWSResponse:
    body = (
        f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>"
        f"<Message>injected {status}</Message></Error>"
    ).encode()
    headers: Any = {"Content-Type": "application/xml"}
    return AWSResponse(request.url, status, headers, _Raw(body))


class FaultInjector:
    """Answers the first ``count`` matching requests with ``status``; with ``apply_first`` the
    request is first really sent to the server (the write happens, the answer is lost)."""

    def __init__(
        self,
        status: int,
        code: str,
        count: int,
        match: Callable[[AWSPreparedRequest], bool],
        *,
        apply_first: bool = False,
    ) -> None:
        self.status, self.code, self.left = status, code, count
        self.match, self.apply_first = match, apply_first
        self.seen: Counter[str] = Counter()
        self.http = urllib3.PoolManager()

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        self.seen[request.method or ""] += 1
        if self.left <= 0 or not self.match(request):
            return None
        self.left -= 1
        if self.apply_first:
            body: Any = request.body
            if hasattr(body, "read"):
                position = body.tell()
                data = body.read()
                body.seek(position)
            else:
                data = body
            self.http.request(
                request.method or "PUT", request.url, body=data, headers=dict(request.headers)
            )
        return error_response(request, self.status, self.code)


def s3_ledger(moto_endpoint: str, bucket: str, **config: Any) -> StoredLedger:
    client = make_s3_client(endpoint_url=moto_endpoint)
    if config:
        import boto3

        client = boto3.session.Session().client(
            "s3",
            endpoint_url=moto_endpoint,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, **config),
        )
    return StoredLedger(S3Storage(client, bucket, "ledger"))


def hook(ledger: StoredLedger, handler: Any) -> None:
    storage = ledger.storage
    assert isinstance(storage, S3Storage)
    storage.client.meta.events.register_first("before-send.s3", handler)


def is_put_to(part: str) -> Callable[[AWSPreparedRequest], bool]:
    return lambda r: r.method == "PUT" and part in (r.url or "")


@pytest.mark.parametrize(
    ("status", "code", "match"),
    [
        pytest.param(503, "SlowDown", is_put_to("/open/"), id="503-slowdown-on-put"),
        pytest.param(500, "InternalError", is_put_to("/open/"), id="500-on-put"),
        pytest.param(503, "ServiceUnavailable", lambda r: r.method == "GET", id="503-on-get"),
    ],
)
def test_s3_errors_are_retried_and_the_write_succeeds(
    moto_endpoint: str,
    s3_bucket: str,
    status: int,
    code: str,
    match: Callable[[AWSPreparedRequest], bool],
) -> None:
    ledger = s3_ledger(moto_endpoint, s3_bucket)
    injector = FaultInjector(status, code, 2, match)
    hook(ledger, injector)
    folded = record_one(ledger, make_engine(), add(1, "1.2.3.4/32"))
    assert folded.result is FoldResult.OPENED
    assert injector.left == 0, "the faults were injected"
    [drift] = s3_ledger(moto_endpoint, s3_bucket).list_open().drifts
    assert [e.id for e in drift.events] == ["AddCidr-0"]


def test_a_write_applied_but_answered_500_is_not_applied_twice(
    moto_endpoint: str, s3_bucket: str
) -> None:
    ledger = s3_ledger(moto_endpoint, s3_bucket)
    engine = make_engine()
    record_one(ledger, engine, add(1, "1.1.1.1/32", seconds=1))
    injector = FaultInjector(500, "InternalError", 1, is_put_to("/open/"), apply_first=True)
    hook(ledger, injector)
    # The update lands, its answer is lost; botocore retries the conditional PUT, which now
    # fails its If-Match; the ledger re-reads and finds its own event already folded in.
    folded = record_one(ledger, engine, add(1, "2.2.2.2/32", seconds=2))
    assert injector.left == 0
    assert (folded.result, folded.skip) == (FoldResult.UNCHANGED, Skip.DUPLICATE)
    [drift] = ledger.list_open().drifts
    assert [e.id for e in drift.events] == ["AddCidr-1", "AddCidr-2"]
    assert drift.changes[0].after == ["10.0.0.0/8", "1.1.1.1/32", "2.2.2.2/32"]


def test_errors_beyond_the_retry_budget_are_reported_with_the_key(
    moto_endpoint: str, s3_bucket: str
) -> None:
    ledger = s3_ledger(moto_endpoint, s3_bucket, retries={"max_attempts": 2, "mode": "standard"})
    injector = FaultInjector(503, "SlowDown", 1000, lambda r: r.method == "GET")
    hook(ledger, injector)
    with pytest.raises(LedgerError, match=rf"s3://{s3_bucket}/ledger/ledger.json: S3 GetObject"):
        record_one(ledger, make_engine(), add(1, "1.2.3.4/32"))
    # botocore's retries["max_attempts"] counts retries: one call and two retries, then the
    # error surfaced once; the ledger does not loop on it.
    assert injector.seen["GET"] == 3


def test_a_missing_bucket_is_a_clear_error(moto_endpoint: str) -> None:
    ledger = open_ledger("s3://no-such-bucket-here/ledger", s3_endpoint_url=moto_endpoint)
    with pytest.raises(LedgerError, match=r"no-such-bucket-here.*NoSuchBucket"):
        ledger.list_open()


@pytest.mark.parametrize(
    ("kms_key_id", "expected"),
    [
        pytest.param(None, {"x-amz-server-side-encryption": "AES256"}, id="sse-s3"),
        pytest.param(
            "alias/tfdrift-ledger",
            {
                "x-amz-server-side-encryption": "aws:kms",
                "x-amz-server-side-encryption-aws-kms-key-id": "alias/tfdrift-ledger",
            },
            id="sse-kms",
        ),
    ],
)
def test_every_s3_put_requests_server_side_encryption(
    moto_endpoint: str, s3_bucket: str, kms_key_id: str | None, expected: dict[str, str]
) -> None:
    ledger = open_ledger(
        f"s3://{s3_bucket}/l", s3_endpoint_url=moto_endpoint, kms_key_id=kms_key_id
    )
    puts: list[dict[str, str]] = []

    def capture(request: AWSPreparedRequest, **_: Any) -> None:
        if request.method == "PUT":
            puts.append(
                {
                    k.lower(): v.decode() if isinstance(v, bytes) else str(v)
                    for k, v in request.headers.items()
                }
            )

    hook(ledger, capture)
    engine = make_engine()
    record_one(ledger, engine, add(1, "1.2.3.4/32", seconds=1))
    record_one(ledger, engine, add(1, "5.6.7.8/32", seconds=2))
    ledger.put_cursor("falco", T0)
    assert len(puts) >= 5  # marker, reference, create, update, cursor
    for headers in puts:
        assert {k: headers.get(k) for k in expected} == expected
    storage = ledger.storage
    assert isinstance(storage, S3Storage)
    head = storage.client.head_object(Bucket=s3_bucket, Key="l/ledger.json")
    assert head["ServerSideEncryption"] == expected["x-amz-server-side-encryption"]


def test_aws_endpoint_url_from_the_environment_is_honoured(
    moto_endpoint: str, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    ledger = open_ledger(f"s3://{s3_bucket}/env")
    folded = record_one(ledger, make_engine(), add(1, "1.2.3.4/32"))
    assert folded.result is FoldResult.OPENED
    assert len(open_ledger(f"s3://{s3_bucket}/env").list_open().drifts) == 1


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://example.com/ledger", id="http"),
        pytest.param("s3://", id="no-bucket"),
        pytest.param("", id="empty"),
    ],
)
def test_bad_ledger_locations_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        open_ledger(url)


# --------------------------------------------------------------------------- local directory


def test_local_writes_are_atomic_and_leave_no_temporary_files(tmp_path: Path) -> None:
    ledger = open_ledger(str(tmp_path / "l"))
    engine = make_engine()
    for second in range(5):
        record_one(ledger, engine, add(1, f"1.1.1.{second}/32", seconds=second))
    names = [p.name for p in (tmp_path / "l").rglob("*") if p.is_file()]
    assert not [n for n in names if ".tmp-" in n]
    # A temporary file left by a crashed writer is not a ledger object.
    (tmp_path / "l" / "open" / ".x.json.tmp-1-ab").write_bytes(b"half")
    assert ledger.list().corrupt == ()


def test_a_write_the_file_system_refuses_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "l"
    root.mkdir()
    (root / "ledger.json").write_bytes(layout.encode_meta(T0))  # a ledger, then damaged
    (root / "open").write_text("a file where the open/ directory belongs")
    with pytest.raises(LedgerError, match=re.escape(str(root / "open"))):
        record_one(open_ledger(str(root)), make_engine(), add(1, "1.1.1.1/32"))
    assert not list(root.glob("**/.*.tmp-*"))  # no temporary file left behind


def test_a_file_where_the_ledger_directory_should_be_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "ledger"
    target.write_text("not a directory")
    with pytest.raises(LedgerError, match="not a directory"):
        open_ledger(str(target))


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("../outside.json", id="parent"),
        pytest.param("/etc/passwd", id="absolute"),
        pytest.param("open/.locks", id="reserved"),
        pytest.param("open\\x.json", id="backslash"),
    ],
)
def test_local_keys_cannot_escape_the_root(tmp_path: Path, key: str) -> None:
    with pytest.raises(LedgerError, match="refusing ledger key"):
        LocalStorage(tmp_path).get(key)


def test_a_corrupt_unreadable_open_object_on_local_disk_is_reported(tmp_path: Path) -> None:
    ledger = open_ledger(str(tmp_path / "l"))
    record_one(ledger, make_engine(), add(1, "1.1.1.1/32"))
    [path] = (tmp_path / "l" / "open").iterdir()
    path.write_bytes(b"\xff\xfe not utf-8")
    [problem] = ledger.list_open().corrupt
    assert problem.key == str(path)
    assert "not valid JSON" in problem.reason


# --------------------------------------------------------------------- what a read may meet


def _planted(root: Path, how: str) -> Path:
    """A ledger with one drift, whose open object is then replaced by something else."""
    ledger = open_ledger(str(root))
    record_one(ledger, make_engine(), add(1, "1.1.1.1/32"))
    (victim,) = (root / "open").glob("*.json")
    victim.unlink()
    if how == "symlink-to-dev-zero":
        victim.symlink_to("/dev/zero")
    elif how == "fifo":
        os.mkfifo(victim)
    elif how == "oversize":
        with victim.open("wb") as handle:
            handle.truncate(MAX_OBJECT_BYTES + 1)  # sparse: costs no disk
    return victim


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only: FIFOs and /dev/zero")
@pytest.mark.parametrize(
    ("how", "reason"),
    [
        pytest.param("symlink-to-dev-zero", "a symlink, not a ledger object", id="symlink"),
        pytest.param("fifo", "not a regular file", id="fifo"),
        pytest.param("oversize", "over the 67,108,864-byte limit", id="oversize"),
    ],
)
def test_reads_take_regular_files_of_bounded_size_only(
    tmp_path: Path, how: str, reason: str
) -> None:
    root = tmp_path / "l"
    victim = _planted(root, how)
    listing = open_ledger(str(root)).list_open()  # would hang (FIFO) or exhaust memory
    assert listing.drifts == ()
    (problem,) = listing.corrupt
    assert str(victim) in str(problem)
    assert reason in str(problem)


def test_reading_a_missing_ledger_is_a_clear_error(tmp_path: Path) -> None:
    store = open_ledger(str(tmp_path / "nowhere"))
    with pytest.raises(LedgerError, match=r"no ledger at .*nowhere"):
        store.require()
    assert not (tmp_path / "nowhere").exists()


def test_a_directory_that_is_not_a_ledger_is_never_turned_into_one(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text("# not a ledger\n")
    with pytest.raises(LedgerError, match="is not a tfdrift-gitops ledger"):
        open_ledger(str(root)).require()
    with pytest.raises(LedgerError, match="refusing to turn it into a tfdrift-gitops ledger"):
        record_one(open_ledger(str(root)), make_engine(), add(1, "1.1.1.1/32"))
    assert sorted(p.name for p in root.iterdir()) == ["main.tf"]


def test_an_oversized_s3_object_is_reported_not_read(
    moto_endpoint: str, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tfdrift_gitops.ledger import s3

    store = s3_ledger(moto_endpoint, s3_bucket)
    record_one(store, make_engine(), add(1, "1.1.1.1/32"))
    monkeypatch.setattr(s3, "MAX_OBJECT_BYTES", 500)  # a drift record is larger than this
    listing = s3_ledger(moto_endpoint, s3_bucket).list_open()
    assert listing.drifts == ()
    (problem,) = listing.corrupt
    assert "over the 500-byte limit" in str(problem)


# --------------------------------------------------------------------- hostile drift ids


@pytest.mark.parametrize(
    "bad_id",
    [
        pytest.param("d-../../../../refs/heads/main", id="dot-dot"),
        pytest.param("-d-0123456789abcdef", id="leading-dash"),
        pytest.param("d-0123456789abcdef~1^:?*[", id="ref-punctuation"),
        pytest.param("d-0123456789abcdef\n::error::x", id="newline"),
        pytest.param("d-0123456789ABCDEF", id="upper-case"),
        pytest.param("d-0123456789abcdef/x", id="slash"),
    ],
)
def test_a_stored_drift_with_a_hostile_id_is_corrupt_not_listed(
    tmp_path: Path, bad_id: str
) -> None:
    """The id names the archive object, the remediation branch (tfdrift/<id>) and the GitHub
    markers: a record whose id is not ``d-`` and 16 hex digits is reported, never used."""
    import json

    ledger = open_ledger(str(tmp_path / "l"))
    record_one(ledger, make_engine(), add(1, "1.1.1.1/32"))
    [path] = (tmp_path / "l" / "open").iterdir()
    document = json.loads(path.read_text())
    document["id"] = bad_id
    path.write_text(json.dumps(document))
    listing = ledger.list_open()
    assert listing.drifts == ()
    [problem] = listing.corrupt
    assert "bad id" in problem.reason


def test_reading_many_drifts_at_once_keeps_its_s3_connections(
    moto_endpoint: str, s3_bucket: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The ledger reads open drifts on up to 16 threads through one S3 client: its connection
    pool holds that many, so none is thrown away (urllib3 warned 'Connection pool is full'
    on every such run, on stderr, where detect --ledger printed it to users)."""
    url = f"s3://{s3_bucket}/pool"
    engine = make_engine(resources=30)
    writer = open_ledger(url, s3_endpoint_url=moto_endpoint)
    for index in range(30):
        record_one(writer, engine, add(index, f"198.51.100.{index}/32", seconds=index))
    caplog.set_level("WARNING", logger="urllib3.connectionpool")
    reader = open_ledger(url, s3_endpoint_url=moto_endpoint)
    for _ in range(3):
        assert len(reader.list_open().drifts) == 30
    assert [r.getMessage() for r in caplog.records if r.name.startswith("urllib3")] == []
