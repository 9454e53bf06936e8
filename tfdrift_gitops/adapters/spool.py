"""``detect --jobs N`` on stdin and S3 prefixes: their bytes copied to a private temporary
directory first, so that the sharded replay (``adapters.shards``, whose every worker reads every
input itself) can read them like local files.

Each S3 object the reader would read (listing order, same filters) and each ``-`` become one
file, in the order of the specs; local specs stay as given. The bytes are copied as they come
(gzip too: the readers recognise it by content), a chunk at a time. The reader names a local file
by its path, so everything the replay says with a spooled file's path in it (errors, log lines)
is said again with the name one process would give it (``s3://bucket/key``, ``<stdin>``):
``Spool.rewriting``.

What a one-process run would report while reading rather than from the bytes (a listing that
fails half-way, an object that cannot be fetched or read to the end, a prefix with no objects)
cannot be put in a file: then ``Spool.trouble`` is set, and ``Spool.items`` replays the inputs
in one process from the spool, in order, as ``iter_many`` would have read them.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Final

from tfdrift_gitops.adapters.aws import aws_error_text
from tfdrift_gitops.adapters.event_stream import Item, Prefilter
from tfdrift_gitops.adapters.events import (
    EVENT_FILE_SUFFIXES,
    STDIN_NAME,
    iter_events,
    iter_stream,
    open_s3_listing,
    wanted_key,
)
from tfdrift_gitops.errors import InputError, RecordError
from tfdrift_gitops.models import SkippedRecord

# Said with the reader's own logger, so that the lines read as one process's.
_reader_log = logging.getLogger("tfdrift_gitops.adapters.events")

CHUNK: Final = 1 << 20
PAGE_SIZE = 1000
"""Keys a listing request asks for (``iter_events``' default)."""
FETCHERS: Final = 8
"""S3 objects fetched at once (each GET waits a round trip; one process fetches one by one)."""
_STDIN_SUFFIX: Final = ".stdin"
# Longest first: a spooled file's name is matched whole in what the replay says.
_SUFFIXES: Final = tuple(sorted({*EVENT_FILE_SUFFIXES, _STDIN_SUFFIX}, key=len, reverse=True))


@dataclass(slots=True)
class _Piece:
    """One input in order: a local spec (``path`` None), a spooled file, or what reading the
    source said that is no file's content (``error``, ``empty``)."""

    spec: str = ""
    path: str | None = None
    name: str = ""
    failure: BaseException | None = None
    failures: tuple[type[BaseException], ...] = (OSError,)
    error: RecordError | None = None
    empty: str = ""


@dataclass(slots=True)
class Spool:
    """The spooled inputs (see the module doc), made by ``spooled``."""

    directory: str
    pieces: list[_Piece] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    """Spooled file -> the name one process gives its source."""
    stdin_files: set[str] = field(default_factory=set)
    owner: int = field(default_factory=os.getpid)

    def close(self) -> None:
        if os.getpid() == self.owner:  # never a forked worker unwinding, while this one reads
            shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def trouble(self) -> bool:
        """Reading said something no spooled file can say again (see the module doc)."""
        return any(p.failure is not None or p.error is not None or p.empty for p in self.pieces)

    @property
    def specs(self) -> list[str]:
        """What the sharded replay reads, in order."""
        return [p.path or p.spec for p in self.pieces if p.path is not None or p.spec]

    def rename(self, text: str) -> str:
        """``text`` with every spooled file's path replaced by its source's name."""
        if self.directory not in text:
            return text
        return self._pattern().sub(lambda m: self.names.get(m[0], m[0]), text)

    def _pattern(self) -> re.Pattern[str]:
        ends = "|".join(re.escape(s) for s in _SUFFIXES)
        return re.compile(re.escape(self.directory + os.sep) + rf"\d{{6,}}(?:{ends})")

    @contextmanager
    def rewriting(self) -> Iterator[None]:
        """Log records made meanwhile (here and in workers forked meanwhile) name the sources,
        not the spooled files; the reader's "reading <file>" for stdin, which one process does
        not say, is dropped."""
        made = logging.getLogRecordFactory()
        stdin_files = self.stdin_files

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = made(*args, **kwargs)
            try:
                message = record.getMessage()
            except Exception:  # a bad format string: left for the handler to report
                return record
            given = record.args
            if (
                record.msg == "reading %s"
                and isinstance(given, tuple)
                and len(given) == 1
                and isinstance(given[0], str)
                and given[0] in stdin_files
            ):
                record.__dict__["tfdrift_unsaid"] = True
            fixed = self.rename(message)
            if fixed != message:
                record.msg, record.args = fixed, None
            return record

        def unsaid(record: logging.LogRecord) -> bool:
            return not getattr(record, "tfdrift_unsaid", False)

        logging.setLogRecordFactory(factory)
        _reader_log.addFilter(unsaid)
        try:
            yield
        finally:
            _reader_log.removeFilter(unsaid)
            logging.setLogRecordFactory(made)

    def items(self, *, prefilter: Prefilter | None = None) -> Iterator[Item | SkippedRecord]:
        """Every input read in one process, in order, as ``iter_many`` reads the sources."""
        # Every local spec is opened before any is read, as iter_many does.
        sources = [
            iter_events(p.spec, prefilter=prefilter) if p.spec else _replay(p, prefilter)
            for p in self.pieces
        ]
        for source in sources:
            yield from source


def _replay(piece: _Piece, prefilter: Prefilter | None) -> Iterator[Item | SkippedRecord]:
    if piece.error is not None:
        yield piece.error
        return
    if piece.empty:
        _reader_log.warning("%s: no objects under this prefix", piece.empty)
        return
    assert piece.path is not None
    if piece.name != STDIN_NAME:
        _reader_log.debug("reading %s", piece.name)
    with open(piece.path, "rb") as handle:
        failure = piece.failure

        def read(size: int) -> bytes:
            data = handle.read(size)
            if not data and failure is not None:
                raise failure
            return data

        yield from iter_stream(read, piece.name, prefilter=prefilter, errors=piece.failures)


# ------------------------------------------------------------------------------ spooling


@contextmanager
def spooled(
    specs: Sequence[str],
    *,
    s3_client_factory: Callable[[], Any],
    stdin: BinaryIO,
) -> Iterator[Spool]:
    """The stdin and S3 inputs of ``specs`` copied to a new private directory, removed on the
    way out however the run ends (SIGTERM meanwhile unwinds too). Raises InputError, before
    copying anything, for the first spec that cannot be read at all (as ``iter_many``), and
    when the copies cannot be written."""
    with _unwinding_on_sigterm():
        try:
            out = Spool(tempfile.mkdtemp(prefix="tfdrift-spool-"))  # mode 0700
        except OSError as exc:
            raise InputError(_no_room(tempfile.gettempdir(), exc)) from None
        try:
            listings = [_open(spec, s3_client_factory) for spec in specs]
            try:
                for spec, listing in zip(specs, listings, strict=True):
                    if spec == "-":
                        _copy_stdin(out, stdin)
                    elif listing is not None:
                        _copy_s3(out, spec, *listing)
                    else:
                        out.pieces.append(_Piece(spec=spec))
            except OSError as exc:  # reading errors are the pieces': this is writing
                raise InputError(_no_room(out.directory, exc)) from None
            yield out
        finally:
            out.close()


def _no_room(where: str, exc: OSError) -> str:
    return (
        f"detect --jobs: cannot copy stdin and S3 inputs to {where}: {exc.strerror or exc} "
        "(set TMPDIR to a directory with room for them, or use --jobs 1)"
    )


def _open(spec: str, factory: Callable[[], Any]) -> tuple[Any, str, Any, Iterator[Any]] | None:
    """The checks ``iter_events`` makes before reading: for an S3 prefix, its first page."""
    if not spec.startswith("s3://"):
        if spec != "-":
            _check_local(spec)
        return None
    return open_s3_listing(spec, factory, PAGE_SIZE)


def _check_local(spec: str) -> None:
    """Raises what ``iter_events`` raises for a local spec, and logs nothing: the replay opens
    it again, and says then what opening it says."""
    held = _Held()
    logger = logging.getLogger()
    kept = logger.handlers[:]
    logger.handlers[:] = [held]
    try:
        iter_events(spec)
    except InputError:
        logger.handlers[:] = kept
        for record in held.records:  # said before the error in one process too
            logging.getLogger(record.name).handle(record)
        raise
    finally:
        logger.handlers[:] = kept


class _Held(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _new_path(out: Spool, suffix: str, name: str) -> str:
    path = os.path.join(out.directory, f"{len(out.names):06d}{suffix}")
    out.names[path] = name
    return path


def _create(path: str) -> BinaryIO:
    # O_EXCL in a directory only this user may enter: nothing else made it.
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _copy_stdin(out: Spool, stdin: BinaryIO) -> None:
    path = _new_path(out, _STDIN_SUFFIX, STDIN_NAME)
    out.stdin_files.add(path)
    failure = _copy(getattr(stdin, "read1", stdin.read), _create(path), (OSError,))
    out.pieces.append(_Piece(path=path, name=STDIN_NAME, failure=failure))


def _copy(
    read: Callable[[int], bytes], sink: BinaryIO, errors: tuple[type[BaseException], ...]
) -> BaseException | None:
    """Copies ``read`` to ``sink`` (closed after); the exception of ``errors`` that stopped it."""
    with sink:
        while True:
            try:
                chunk = read(CHUNK)
            except errors as exc:
                return exc
            if not chunk:
                return None
            sink.write(chunk)


def _copy_s3(out: Spool, spec: str, client: Any, bucket: str, first: Any, pages: Any) -> None:
    """The objects under ``spec`` the reader reads, as ``events._s3_objects`` lists them;
    each page's fetched ``FETCHERS`` at a time (the client is thread-safe), kept in order."""
    from botocore.exceptions import BotoCoreError, ClientError

    listed = 0
    page = first
    pool = ThreadPoolExecutor(FETCHERS, thread_name_prefix="tfdrift-spool")
    try:
        while page is not None:
            wanted: list[tuple[str, str]] = []
            for entry in page.get("Contents") or ():
                key = str(entry.get("Key", ""))
                listed += 1
                basename = key.rsplit("/", 1)[-1].lower()
                if basename.startswith(".") or not basename.endswith(EVENT_FILE_SUFFIXES):
                    continue
                if wanted_key(key, None):
                    suffix = next(s for s in _SUFFIXES if basename.endswith(s))
                    wanted.append((key, _new_path(out, suffix, f"s3://{bucket}/{key}")))
            out.pieces.extend(pool.map(lambda k: _fetch(client, bucket, *k), wanted))
            try:
                page = next(pages, None)
            except (BotoCoreError, ClientError) as exc:
                error = RecordError(
                    f"listing stopped after {listed} objects: {aws_error_text(exc)}", origin=spec
                )
                out.pieces.append(_Piece(error=error))
                return
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if listed == 0:
        out.pieces.append(_Piece(empty=spec))


def _fetch(client: Any, bucket: str, key: str, path: str) -> _Piece:
    """One object copied to ``path``; or why it could not be read, as one process says it."""
    from botocore.exceptions import BotoCoreError, ClientError
    from urllib3.exceptions import HTTPError

    name = f"s3://{bucket}/{key}"
    try:
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
    except (BotoCoreError, ClientError) as exc:
        return _Piece(error=RecordError(f"cannot read object: {aws_error_text(exc)}", origin=name))
    failures = (OSError, BotoCoreError, HTTPError)
    try:
        failure = _copy(body.read, _create(path), failures)
    finally:
        body.close()
    return _Piece(path=path, name=name, failure=failure, failures=failures)


@contextmanager
def _unwinding_on_sigterm() -> Iterator[None]:
    """SIGTERM unwinds (so cleanups run) instead of ending the process where it stands. Forked
    workers inherit it: a worker's failure, reported to this process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    kept = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, kept)
