"""The ledger in a local directory (the embedded default, ``.tfdrift/ledger``).

Same key layout as S3, one file per key. Writes are atomic (temporary file in the same
directory, fsync, rename, fsync of the directory); conditional writes hold an exclusive lock on
a per-key lock file, so processes and threads sharing the directory never lose an update.
Readers take no lock: a rename is atomic, they see the old file or the new one. The ETag is the
SHA-256 of the content.

A lock file lives only while its key is being written: its holder removes it before letting go,
and a writer that was waiting on a removed file takes the lock again on the file now at the path
(it checks, once it holds a lock, that its file is still the one there). So ``.locks/`` holds
the keys being written now, not one empty file for every key ever written (a collector on a
local ledger would otherwise grow it for ever). Lock files older versions left behind are
removed by ``remove_idle_locks`` (``ledger compact``). An older version waiting on a lock file
this one removes would not look again: stop older writers before a newer one writes the same
directory. On Windows an open file cannot be removed, and lock files are kept as before.

Group commit (``batch()``, what ``detect --ledger`` uses): a write's data is still synced before
its rename, so a file is absent or complete after any crash; only the fsync of the directory,
which makes the rename itself durable, is put off and done once per directory for the whole
batch (``flush``). Until then, after a power cut (not a killed process: renames are in the
page cache, which a killed process does not take down), any of the batch's renames may be
missing, in any order between directories. That reordering is allowed only where every state it
can give is one a writer killed between two writes also leaves (docs/ledger.md, "Group
commit"); everywhere else a barrier makes what came before durable first: before a delete,
before a key outside ``open/``, ``index/`` and ``archive/`` (the layout marker, cursors,
quarantine), and where the service asks (``flush``: closing a drift, re-pointing a reference).
A batch is also committed every ``BATCH_WRITES`` renames or ``BATCH_SECONDS``, and when it ends.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from tfdrift_gitops.errors import CorruptRecordError, LedgerError
from tfdrift_gitops.ledger.base import MAX_OBJECT_BYTES, Blob

LOCK_DIR = ".locks"
BATCHED_PREFIXES = ("open/", "index/", "archive/")
"""Keys whose rename may wait for the batch's commit (see the module doc); every other key is
written durably at once, after a barrier."""
BATCH_WRITES = 512
BATCH_SECONDS = 1.0
"""A batch is committed after this many renames or this long after its first uncommitted one:
what a power cut can take back (and a rerun of the same events writes again) stays bounded."""

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once instead of waiting


def _read_at_most(fd: int, limit: int) -> bytes:
    parts: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


_REMOVES_LOCKS = sys.platform != "win32"
"""Whether a lock file is removed by its holder (an open file cannot be removed on Windows)."""

if sys.platform == "win32":  # pragma: no cover - exercised on Windows runners only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _etag(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LocalStorage:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser()
        if self.root.exists() and not self.root.is_dir():
            raise LedgerError(f"ledger {self.root} exists and is not a directory")
        # Group commit (module doc): directories whose renames are not yet durable, how many
        # renames wait, since when, and how many batch() blocks are open (threads share them).
        self._commit_lock = threading.Lock()
        self._unsynced: set[Path] = set()
        self._waiting = 0
        self._since = 0.0
        self._batches = 0

    @property
    def location(self) -> str:
        return str(self.root)

    def url_for(self, key: str) -> str:
        return str(self.root / key)

    def _path(self, key: str) -> Path:
        """Keys come from our layout, but check anyway: nothing may escape the root or touch
        the reserved dot-names (locks, temporary files)."""
        parts = PurePosixPath(key).parts
        if (
            not parts
            or key.startswith("/")
            or "\\" in key
            or any(p in ("", ".", "..") or p.startswith(".") for p in parts)
        ):
            raise LedgerError(f"{self.root}: refusing ledger key {key!r}")
        return self.root.joinpath(*parts)

    # ------------------------------------------------------------------ reading

    def get(self, key: str) -> Blob | None:
        """The object's bytes. Only a regular file of at most MAX_OBJECT_BYTES is read: a
        symlink (to /dev/zero, say) or a FIFO planted in the directory is refused, never
        followed, read without end or waited on."""
        path = self._path(key)
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symlink
                raise CorruptRecordError(f"{path}: a symlink, not a ledger object") from exc
            raise LedgerError(f"{path}: cannot read: {exc}") from exc
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise CorruptRecordError(f"{path}: not a regular file")
            if info.st_size > MAX_OBJECT_BYTES:
                raise CorruptRecordError(
                    f"{path}: {info.st_size:,} bytes, over the {MAX_OBJECT_BYTES:,}-byte limit"
                )
            data = _read_at_most(fd, MAX_OBJECT_BYTES + 1)
        except OSError as exc:
            raise LedgerError(f"{path}: cannot read: {exc}") from exc
        finally:
            os.close(fd)
        if len(data) > MAX_OBJECT_BYTES:  # grew while being read
            raise CorruptRecordError(f"{path}: over the {MAX_OBJECT_BYTES:,}-byte limit")
        return Blob(data, _etag(data))

    def list_keys(self, prefix: str) -> Iterator[str]:
        base = self._path(prefix.rstrip("/")) if prefix.strip("/") else self.root
        if not base.is_dir():
            return iter(())
        found: list[str] = []
        try:
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                # Dot-names are temporary files of writes in progress (or of a crash).
                root = Path(dirpath).relative_to(self.root).as_posix()
                prefix_path = "" if root == "." else f"{root}/"
                found.extend(f"{prefix_path}{n}" for n in filenames if not n.startswith("."))
        except OSError as exc:
            raise LedgerError(f"{base}: cannot list: {exc}") from exc
        return iter(sorted(found))  # lexical, like S3

    # ------------------------------------------------------------------ conditional writes

    def put_if_absent(self, key: str, data: bytes) -> str | None:
        path = self._path(key)
        with self._locked(key):
            if path.exists():
                return None
            self._write(key, path, data)
        return _etag(data)

    def put_if_match(self, key: str, data: bytes, etag: str) -> str | None:
        path = self._path(key)
        with self._locked(key):
            current = self.get(key)
            if current is None or current.etag != etag:
                return None
            self._write(key, path, data)
        return _etag(data)

    def delete_if_match(self, key: str, etag: str) -> bool:
        path = self._path(key)
        with self._locked(key):
            current = self.get(key)
            if current is None or current.etag != etag:
                return False
            # A delete is the one write that takes something away: it follows what the ledger
            # wrote before it (an archived drift's copy and index entries, a moved drift's new
            # object), so that must be durable first, and the delete itself is durable at once.
            self.flush()
            try:
                path.unlink()
                _fsync_dir(path.parent)
            except OSError as exc:
                raise LedgerError(f"{path}: cannot remove: {exc}") from exc
        return True

    # ------------------------------------------------------------------ group commit

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group commit for the writes made inside (by any thread): their directories are
        synced once per directory when it ends (or every ``BATCH_WRITES`` / ``BATCH_SECONDS``)
        instead of once per write. Everything written inside is durable once it returns, even
        when it ends with an exception."""
        with self._commit_lock:
            self._batches += 1
        try:
            yield
        finally:
            with self._commit_lock:
                self._batches -= 1
            self.flush()

    def flush(self) -> None:
        """A barrier: every write made so far is durable when this returns (one fsync per
        directory written since the last one)."""
        # Held while syncing: a second caller must not return before the first one's fsyncs
        # (its writes may be among them).
        with self._commit_lock:
            self._commit()

    def _commit(self) -> None:
        for directory in sorted(self._unsynced):
            _fsync_dir(directory)
            self._unsynced.discard(directory)  # one by one: a failure leaves the rest to retry
        self._waiting = 0

    def _renamed_in(self, directories: tuple[Path, ...], key: str) -> None:
        """After a rename into ``directories[0]`` (and, when the write created them, the entries
        of new directories in their parents): durable now, or when the batch commits."""
        with self._commit_lock:
            if self._batches and key.startswith(BATCHED_PREFIXES):
                if not self._waiting:
                    self._since = time.monotonic()
                self._unsynced.update(directories)
                self._waiting += 1
                if self._waiting >= BATCH_WRITES or time.monotonic() - self._since >= BATCH_SECONDS:
                    self._commit()
                return
            self._commit()  # a barrier: what a batch wrote before is durable first
        # Outside the lock: unbatched writers (a collector's threads) sync side by side, as
        # before, and the file system may join their syncs into one journal commit.
        for directory in directories:
            _fsync_dir(directory)

    @contextlib.contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        lock_path = self.root / LOCK_DIR / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.lock"
        fd = _acquire(lock_path)
        try:
            yield
        finally:
            try:
                if _REMOVES_LOCKS:  # while still held: a waiter then finds it gone and retries
                    with contextlib.suppress(OSError):  # left in place, it is only reused
                        os.unlink(lock_path)
            finally:
                try:
                    _unlock(fd)
                finally:
                    os.close(fd)

    def remove_idle_locks(self) -> int:
        """Remove the lock files nobody holds (left by older versions, which kept one per key
        ever written, or by a writer killed while holding one); how many were removed."""
        lock_dir = self.root / LOCK_DIR
        if not _REMOVES_LOCKS or not lock_dir.is_dir():
            return 0
        removed = 0
        try:
            names = sorted(os.listdir(lock_dir))
        except OSError as exc:
            raise LedgerError(f"{lock_dir}: cannot list: {exc}") from exc
        for name in names:
            if name.endswith(".lock") and _remove_if_idle(lock_dir / name):
                removed += 1
        return removed

    def _write(self, key: str, path: Path, data: bytes) -> None:
        """Temporary file, its data synced, rename over the target; the directory is synced
        now or by the batch's commit (``_renamed_in``). The data is synced before the rename in
        a batch too: a rename that reaches the disk before its data would leave an empty or
        partial file after a power cut, and a file must be absent or complete."""
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            made = _make_dirs(path.parent)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                _sync_data(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
            # The new directories' own entries must survive a power cut too.
            self._renamed_in((path.parent, *made), key)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise LedgerError(f"{path}: cannot write: {exc}") from exc


def _make_dirs(directory: Path) -> tuple[Path, ...]:
    """Create ``directory`` and its missing parents; the directories whose entries changed
    (each new directory's parent), to be synced."""
    missing: list[Path] = []
    there = directory
    while not there.is_dir():
        missing.append(there)
        there = there.parent
    if missing:
        directory.mkdir(parents=True, exist_ok=True)
    return tuple(new.parent for new in missing)


def _open_lock(lock_path: Path) -> int:
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(lock_path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
    except OSError as exc:
        raise LedgerError(f"{lock_path}: cannot open lock file: {exc}") from exc


def _is_at(fd: int, lock_path: Path) -> bool:
    """Whether the file ``fd`` holds is still the one at ``lock_path`` (not removed by the
    writer that held it, nor replaced by the next one's)."""
    try:
        there = os.stat(lock_path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise LedgerError(f"{lock_path}: cannot check lock file: {exc}") from exc
    held = os.fstat(fd)
    return (there.st_dev, there.st_ino) == (held.st_dev, held.st_ino)


def _acquire(lock_path: Path) -> int:
    """An open descriptor holding the exclusive lock on the file now at ``lock_path``."""
    while True:
        fd = _open_lock(lock_path)
        try:
            _lock(fd)
            if not _REMOVES_LOCKS or _is_at(fd, lock_path):
                return fd
            _unlock(fd)  # its holder removed it while this one waited: take the new one
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _remove_if_idle(lock_path: Path) -> bool:
    try:
        fd = os.open(lock_path, os.O_RDWR | _NOFOLLOW | _NONBLOCK)
    except OSError:  # gone already, or not a lock file of ours (a symlink): left alone
        return False
    try:
        if not _try_lock(fd):
            return False
        try:
            if not _is_at(fd, lock_path):
                return False
            os.unlink(lock_path)
            return True
        except (OSError, LedgerError):  # could not be checked or removed: left for next time
            return False
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _sync_data(fd: int) -> None:
    """A new file's data and size reach the disk; its times need not (fdatasync skips them;
    macOS has no fdatasync: fsync there)."""
    if hasattr(os, "fdatasync"):
        os.fdatasync(fd)
    else:  # pragma: no cover
        os.fsync(fd)


def _fsync_dir(directory: Path) -> None:
    """Make a rename or unlink durable (POSIX); Windows has no directory handles to sync."""
    if sys.platform == "win32":  # pragma: no cover
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
