"""``detect --jobs N`` on stdin and S3 prefixes (a moto server over HTTP): the inputs are
copied to a private temporary directory and replayed sharded (tfdrift_gitops/adapters/spool.py),
and the run prints what one process prints, byte for byte: the same drift records (all but the
wall-clock fields), the same errors naming ``<stdin>:N`` and ``s3://bucket/key`` (never a
temporary file) in input order, the same counts, the same exit code. The temporary directory is
gone afterwards, after an error and after SIGTERM too. With ``--ledger`` the run stays on the
one-process fold, and the ledger it leaves is the one ``--jobs 1`` leaves."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.cli.golden import stable
from tests.cli.test_detect_jobs import EXAMPLE, STATE, _mixed_records
from tfdrift_gitops.adapters import spool as spool_module
from tfdrift_gitops.adapters.aws import make_s3_client
from tfdrift_gitops.adapters.events import iter_many
from tfdrift_gitops.adapters.shards import run_sharded
from tfdrift_gitops.adapters.spool import spooled
from tfdrift_gitops.adapters.state_source import StateSource
from tfdrift_gitops.core.engine import Engine
from tfdrift_gitops.core.record import drift_to_record
from tfdrift_gitops.errors import InputError
from tfdrift_gitops.render.text import json_text

Run = tuple[int, str, str]


def _detect(
    tmp: Path,
    specs: list[str],
    jobs: int,
    *,
    stdin: bytes = b"",
    endpoint: str = "",
    extra: tuple[str, ...] = (),
    codes: tuple[int, ...] = (0, 1),
    verbose: tuple[str, ...] = (),
) -> Run:
    """One CLI run in a process of its own, with its own empty TMPDIR (left empty, checked)."""
    spool_root = tmp / f"tmp-{jobs}"
    spool_root.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(spool_root)}
    if endpoint:
        env["TFDRIFT_S3_ENDPOINT_URL"] = endpoint
    args = [sys.executable, "-m", "tfdrift_gitops", *verbose, "detect", "--state", str(STATE)]
    for spec in specs:
        args += ["--events", spec]
    done = subprocess.run(
        [*args, "--format", "json", "--jobs", str(jobs), *extra],
        input=stdin,
        capture_output=True,
        cwd=tmp,
        env=env,
        timeout=300,
        check=False,
    )
    assert list(spool_root.iterdir()) == [], "the spool was left behind"
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode in codes, err
    return done.returncode, stable(out) if out else "", err


def _same_for_every_jobs(tmp: Path, specs: list[str], **kwargs: Any) -> Run:
    one = _detect(tmp, specs, 1, **kwargs)
    for jobs in (2, 3):
        assert _detect(tmp, specs, jobs, **kwargs) == one, jobs
    assert "tfdrift-spool" not in one[2]
    return one


def _lines(count: int, seed: int) -> bytes:
    return ("\n".join(_mixed_records(count, seed)) + "\n").encode()


def _engine() -> Engine:
    return Engine(StateSource([str(STATE)]).index())


def _render(drift: Any) -> str:
    return json_text(drift_to_record(drift))


def test_stdin(tmp_path: Path) -> None:
    """Mixed JSON lines (bad lines, redeliveries, ids known mid-run) on stdin."""
    code, out, err = _same_for_every_jobs(tmp_path, ["-"], stdin=_lines(800, 7))
    assert code == 1 and out.count("\n") > 10, err
    assert "error: <stdin>:" in err, err
    assert "duplicate_event" in err.splitlines()[-1], err


def test_stdin_debug_log(tmp_path: Path) -> None:
    """Down to the debug lines (a record without eventID says what it is called instead),
    named as one process names them; one process never says it is "reading" stdin."""
    anonymous = json.loads(EXAMPLE.read_text())["Records"][1]
    del anonymous["eventID"]
    stdin = _lines(400, 17) + json.dumps(anonymous).encode() + b"\n"
    one = _detect(tmp_path, ["-"], 1, stdin=stdin, verbose=("-vv",))
    assert _detect(tmp_path, ["-"], 2, stdin=stdin, verbose=("-vv",)) == one
    assert "DEBUG tfdrift_gitops.core.normalize: <stdin>:" in one[2], one[2]
    assert "no eventID" in one[2] and "reading" not in one[2], one[2]


def test_stdin_between_local_files(tmp_path: Path) -> None:
    """stdin read where it stands among the specs (its errors between the files' errors); a
    second ``-`` reads nothing."""
    lines = _mixed_records(900, seed=8)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("\n".join(lines[:300]) + "\n")
    second.write_text("\n".join(lines[600:]) + "\n")
    stdin = ("\n".join(lines[300:600]) + "\n").encode()
    code, out, err = _same_for_every_jobs(
        tmp_path, [str(first), "-", str(second), "-"], stdin=stdin
    )
    assert (
        err.index(f"detector: {first}:")
        < err.index("detector: <stdin>:")
        < err.index(f"detector: {second}:")
    ), err
    assert code == 1 and out, err


def _gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _fill(s3: Any, bucket: str, count: int = 600) -> None:
    """A trail's worth of objects: gzipped Records files, plain JSON lines, a corrupt and a
    truncated gzip, a digest, a hidden file and one the reader does not read by its name."""
    example = EXAMPLE.read_bytes()
    lines = _mixed_records(count, seed=9)
    half, quarter = count // 2, count // 4
    prefix = "AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/20/"
    objects = {
        prefix + "a_example.json.gz": _gzipped(example),
        prefix + "b_lines.jsonl": ("\n".join(lines[:half]) + "\n").encode(),
        prefix + "c_bad.json.gz": b"\x1f\x8b\x08\x00" + b"not gzip at all" * 10,
        prefix + "d_cut.json.gz": _gzipped(("\n".join(lines[half:]) + "\n").encode())[:-400],
        prefix + "e_again.json": example,  # redeliveries of a's records
        prefix + "f_more.ndjson.gz": _gzipped(
            ("\n".join(lines[quarter : half + quarter]) + "\n").encode()
        ),
        "AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2026/11/20/x.json.gz": b"{}",
        prefix + ".hidden.json": example,
        prefix + "notes.txt": b"not events",
    }
    for key, body in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)


def test_s3_prefix_with_local_file_and_stdin(
    tmp_path: Path, moto_endpoint: str, s3_client: Any, s3_bucket: str
) -> None:
    _fill(s3_client, s3_bucket)
    local = tmp_path / "local.jsonl"
    local.write_text("\n".join(_mixed_records(300, seed=10)) + "\n")
    specs = [str(local), f"s3://{s3_bucket}/AWSLogs/", "-"]
    code, out, err = _same_for_every_jobs(
        tmp_path, specs, stdin=_lines(300, 11), endpoint=moto_endpoint
    )
    assert code == 1 and out.count("\n") > 10, err
    where = f"s3://{s3_bucket}/AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/20/"
    said = "WARNING tfdrift_gitops.core.detector: "  # every bad record, in input order
    assert f"{said}{where}c_bad.json.gz: corrupt gzip data" in err, err
    assert f"{said}{where}d_cut.json.gz: gzip data ends early" in err, err
    assert f"{said}{where}b_lines.jsonl:" in err, err
    firsts = [err.index(f"{said}{name}") for name in (local, where, "<stdin>:")]
    assert firsts == sorted(firsts), err
    assert "Digest" not in err and "hidden" not in err and "notes.txt" not in err


def test_s3_run_is_sharded(moto_endpoint: str, s3_client: Any, s3_bucket: str) -> None:
    """The copies are replayed sharded (not done again in one process), and what that run
    says names the objects."""
    _fill(s3_client, s3_bucket)
    engine = _engine()
    specs = [f"s3://{s3_bucket}/AWSLogs/", "-"]
    factory = lambda: make_s3_client(endpoint_url=moto_endpoint)  # noqa: E731
    with spooled(specs, s3_client_factory=factory, stdin=io.BytesIO(_lines(600, 12))) as spool:
        assert not spool.trouble
        assert len(spool.specs) == 7  # the six objects the reader reads, and stdin
        with spool.rewriting():
            run = run_sharded(engine, spool.specs, 2, render=_render)
        directory = Path(spool.directory)
        assert directory.is_dir()
        assert oct(directory.stat().st_mode & 0o777) == "0o700"
    assert not directory.exists()
    assert run.sharded, run.why
    errors = [spool.rename(e) for e in run.tally.errors]
    assert errors and not any(spool.directory in e for e in errors)
    assert any(e.startswith(f"s3://{s3_bucket}/") for e in errors)
    assert any(e.startswith("<stdin>:") for e in errors)


def test_many_objects_over_several_pages_keep_their_order(
    monkeypatch: pytest.MonkeyPatch, moto_endpoint: str, s3_client: Any, s3_bucket: str
) -> None:
    """Objects fetched several at a time, listed a few a page: the copies are read in listing
    order, each under its object's name, record for record what one process reads."""
    records = json.loads(EXAMPLE.read_text())["Records"]
    for n in range(30):
        body = json.dumps({"Records": [records[n % len(records)]]}).encode()
        key = f"trail/{n:02d}.json" + (".gz" if n % 3 else "")
        s3_client.put_object(Bucket=s3_bucket, Key=key, Body=_gzipped(body) if n % 3 else body)
    spec = f"s3://{s3_bucket}/trail/"
    factory = lambda: make_s3_client(endpoint_url=moto_endpoint)  # noqa: E731
    one = [repr(i) for i in iter_many([spec], s3_client_factory=factory, s3_page_size=4)]
    monkeypatch.setattr(spool_module, "PAGE_SIZE", 4)
    with spooled([spec], s3_client_factory=factory, stdin=io.BytesIO()) as spool:
        assert not spool.trouble and len(spool.specs) == 30
        copied = [repr(i) for i in spool.items()]
        sharded = [spool.rename(repr(i)) for i in iter_many(spool.specs)]
    assert copied == one and sharded == one
    assert f"origin='s3://{s3_bucket}/trail/29.json.gz#Records[0]'" in one[-1]


def test_no_room_for_the_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A temporary directory that cannot be made is a clear error, not a traceback."""
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_directory))
    with (
        pytest.raises(InputError, match=r"cannot copy stdin and S3 inputs to .*--jobs 1"),
        spooled(["-"], s3_client_factory=make_s3_client, stdin=io.BytesIO(b"{}")),
    ):
        pass


class _Failing(io.RawIOBase):
    """A stream that fails after ``data``."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.data:
            raise OSError(5, "Input/output error")
        size = min(len(buffer), len(self.data), 4096)
        buffer[:size] = self.data[:size]
        self.data = self.data[size:]
        return size


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="at-once"),
        pytest.param(b'{"Records": [', id="in-a-document"),
        pytest.param(_lines(200, 13)[:-300], id="mid-line"),
    ],
)
def test_stdin_that_fails_is_read_as_one_process_reads_it(data: bytes) -> None:
    """A read error is no file content: the spool says so (trouble) and replays its copy in
    one process, with the error where one process puts it."""
    one = [str(i) for i in iter_many(["-"], stdin=io.BufferedReader(_Failing(data)))]
    with spooled(
        ["-"], s3_client_factory=make_s3_client, stdin=io.BufferedReader(_Failing(data))
    ) as spool:
        assert spool.trouble
        again = [str(i) for i in spool.items()]
    assert again == one
    assert "read failed" in one[-1]


def test_empty_prefix_is_read_in_one_process(
    tmp_path: Path, moto_endpoint: str, s3_bucket: str
) -> None:
    """A prefix with no objects: one process warns when it reaches it, after the lines before."""
    specs = ["-", f"s3://{s3_bucket}/nothing/"]
    code, _, err = _same_for_every_jobs(
        tmp_path, specs, stdin=_lines(300, 14), endpoint=moto_endpoint
    )
    assert "no objects under this prefix" in err, err
    assert code == 1


def test_a_spec_that_cannot_be_read(tmp_path: Path, moto_endpoint: str, s3_bucket: str) -> None:
    """The first unreadable spec is the error, before anything is copied; the spool is gone."""
    for specs in (
        ["-", str(tmp_path / "missing.jsonl"), "s3://no-such-bucket-here/x/"],
        ["-", "s3://no-such-bucket-here/x/", str(tmp_path / "missing.jsonl")],
    ):
        kwargs: Any = {"stdin": b"{}\n", "endpoint": moto_endpoint, "codes": (4,)}
        one = _detect(tmp_path, specs, 1, **kwargs)
        assert _detect(tmp_path, specs, 2, **kwargs) == one
        assert one[1] == "" and "error: " in one[2], one


def test_sigterm_while_copying_removes_the_spool(tmp_path: Path) -> None:
    spool_root = tmp_path / "tmp"
    spool_root.mkdir()
    args = [sys.executable, "-m", "tfdrift_gitops", "detect", "--state", str(STATE)]
    with subprocess.Popen(
        [*args, "--events", "-", "--jobs", "2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(spool_root)},
    ) as process:
        assert process.stdin is not None
        process.stdin.write(_lines(100, 15))
        process.stdin.flush()
        deadline = time.monotonic() + 60
        while not any(spool_root.iterdir()):  # copying: stdin stays open
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM
    assert list(spool_root.iterdir()) == []


def _ledger_objects(s3: Any, bucket: str, prefix: str, since: datetime) -> dict[str, Any]:
    """Every object under ``prefix``, its wall-clock times (``since`` or later) blanked."""
    out: dict[str, Any] = {}
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    for page in pages:
        for entry in page.get("Contents") or ():
            body = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
            try:
                value: Any = json.loads(body)
            except ValueError:
                value = body.decode("latin-1")
            out[entry["Key"][len(prefix) :]] = _blank_times(value, since)
    return out


def _blank_times(value: Any, since: datetime) -> Any:
    if isinstance(value, dict):
        return {k: _blank_times(v, since) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank_times(v, since) for v in value]
    if isinstance(value, str) and value[:2] == "20":
        try:
            if datetime.fromisoformat(value.replace("Z", "+00:00")) >= since:
                return "<now>"
        except ValueError:
            pass
    return value


def test_ledger_stays_on_one_process_fold(
    tmp_path: Path, moto_endpoint: str, s3_client: Any, s3_bucket: str
) -> None:
    """--ledger with --jobs 2 (stdin and an S3 prefix): the same output and the same ledger
    objects as --jobs 1, a second run over the same input included (redeliveries against the
    ledger, unmanaged ids from the first run)."""
    # Ledger writes on moto, four runs over: smaller than the others. 150 records (and 150
    # on stdin) still hold every kind of line _mixed_records makes (drifts on known and
    # unknown groups, groups created by hand then changed, redeliveries, bad lines, Records
    # documents, Falco's other sources), split over the objects as the larger input was.
    _fill(s3_client, s3_bucket, count=150)
    specs = [f"s3://{s3_bucket}/AWSLogs/", "-"]
    stdin = _lines(150, 16)
    ledgers = {}
    since = datetime.now(UTC) - timedelta(seconds=1)
    for jobs in (1, 2):
        ledger = f"s3://{s3_bucket}/ledger-{jobs}/"
        runs = [
            _detect(
                tmp_path,
                specs,
                jobs,
                stdin=stdin,
                endpoint=moto_endpoint,
                extra=("--ledger", ledger),
            )
            for _ in range(2)
        ]
        ledgers[jobs] = (runs, _ledger_objects(s3_client, s3_bucket, f"ledger-{jobs}/", since))
    assert ledgers[2] == ledgers[1]
    runs, objects = ledgers[1]
    assert len(objects) > 10 and runs[0][1], runs[0][2]
    assert "duplicate_event" in runs[1][2].splitlines()[-1], runs[1][2]
