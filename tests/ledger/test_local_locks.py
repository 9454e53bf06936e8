"""The local ledger's per-key lock files: mutual exclusion while they come and go, none left
behind, and the leftovers of older versions (one file per key ever written) removed by
``ledger compact`` unless someone holds them."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfdrift_gitops.cli import cli
from tfdrift_gitops.errors import LedgerError
from tfdrift_gitops.ledger import open_ledger
from tfdrift_gitops.ledger.local import LOCK_DIR, LocalStorage

# Compare-and-swap increments of one counter object until each process made its share: an
# update lost while another writer held the key shows as a total short of the increments made.
COUNTER = """
import json, sys
from tfdrift_gitops.ledger.local import LocalStorage
storage, key, wanted = LocalStorage(sys.argv[1]), sys.argv[2], int(sys.argv[3])
made = 0
while made < wanted:
    blob = storage.get(key)
    if blob is None:
        if storage.put_if_absent(key, b"1") is not None:
            made += 1
        continue
    if storage.put_if_match(key, str(int(blob.data) + 1).encode(), blob.etag) is not None:
        made += 1
print(json.dumps(made))
"""


def lock_files(root: Path) -> list[str]:
    lock_dir = root / LOCK_DIR
    return sorted(os.listdir(lock_dir)) if lock_dir.is_dir() else []


def lock_path(root: Path, key: str) -> Path:
    return root / LOCK_DIR / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.lock"


def test_no_lock_file_outlives_its_write(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    for n in range(20):
        key = f"open/aws_s3_bucket/b{n}.json"
        etag = storage.put_if_absent(key, b"{}")
        assert etag is not None
        assert storage.put_if_absent(key, b"{}") is None  # the collision, under the lock too
        etag = storage.put_if_match(key, b'{"n": 1}', etag)
        assert etag is not None
        if n % 2:
            assert storage.delete_if_match(key, etag)
    assert lock_files(tmp_path) == []


def test_a_whole_ledger_run_leaves_no_lock_files(tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    runner = CliRunner()
    done = runner.invoke(cli, ["detect", "--example", "--ledger", str(root)])
    assert done.exit_code == 0, done.output
    assert open_ledger(str(root)).list_open().drifts, "the embedded example opens drifts"
    assert lock_files(root) == []


def test_concurrent_processes_never_lose_an_increment(tmp_path: Path) -> None:
    processes, each = 4, 150
    key = "open/counter.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
    running = [
        subprocess.Popen(
            [sys.executable, "-c", COUNTER, str(tmp_path), key, str(each)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(processes)
    ]
    made = 0
    for process in running:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        made += json.loads(out)
    assert made == processes * each
    blob = LocalStorage(tmp_path).get(key)
    assert blob is not None
    assert int(blob.data) == made
    assert lock_files(tmp_path) == []


def test_concurrent_threads_never_lose_an_increment(tmp_path: Path) -> None:
    storage, key, each = LocalStorage(tmp_path), "open/counter.json", 100
    assert storage.put_if_absent(key, b"0") is not None

    def increment() -> None:
        made = 0
        while made < each:
            blob = storage.get(key)
            assert blob is not None
            if storage.put_if_match(key, str(int(blob.data) + 1).encode(), blob.etag):
                made += 1

    threads = [threading.Thread(target=increment) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    blob = storage.get(key)
    assert blob is not None
    assert int(blob.data) == 4 * each


def test_a_writer_waiting_on_a_removed_lock_file_takes_the_new_one(tmp_path: Path) -> None:
    """The waiter opened the file before the holder removed it; once it gets that (removed)
    file's lock it must notice and lock the file now at the path, which a third writer holds."""
    storage, key = LocalStorage(tmp_path), "open/k.json"
    path = lock_path(tmp_path, key)
    path.parent.mkdir(parents=True)
    first = os.open(path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(first, fcntl.LOCK_EX)
    entered = threading.Event()

    def waiter() -> None:
        storage.put_if_absent(key, b"waiter")
        entered.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    assert not entered.wait(0.3)  # waiting on the first file
    # The holder removes its file and lets go; a third writer has made a new one and holds it.
    os.unlink(path)
    third = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL)
    fcntl.flock(third, fcntl.LOCK_EX)
    fcntl.flock(first, fcntl.LOCK_UN)
    os.close(first)
    assert not entered.wait(0.3), "the waiter wrote while the third writer held the key"
    fcntl.flock(third, fcntl.LOCK_UN)
    os.unlink(path)
    os.close(third)
    thread.join(timeout=10)
    assert entered.is_set()
    assert storage.get(key) is not None
    assert lock_files(tmp_path) == []


def test_compact_removes_idle_lock_files_and_keeps_held_ones(tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    runner = CliRunner()
    assert runner.invoke(cli, ["detect", "--example", "--ledger", str(root)]).exit_code == 0
    lock_dir = root / LOCK_DIR
    for n in range(5):  # what an older version left: one empty file per key ever written
        (lock_dir / f"{n:032x}.lock").touch()
    held = lock_dir / f"{9:032x}.lock"
    fd = os.open(held, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    (lock_dir / "notes.txt").write_text("not ours")  # not a lock file: left alone
    try:
        done = runner.invoke(cli, ["ledger", "compact", "--ledger", str(root)])
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert done.exit_code == 0, done.output
    assert "5 idle lock files removed" in done.output
    assert lock_files(root) == [held.name, "notes.txt"]


def test_a_symlink_planted_as_a_lock_file_is_refused(tmp_path: Path) -> None:
    key = "open/k.json"
    path = lock_path(tmp_path, key)
    path.parent.mkdir(parents=True)
    target = tmp_path / "elsewhere"
    target.write_text("")
    path.symlink_to(target)
    with pytest.raises(LedgerError, match="cannot open lock file"):
        LocalStorage(tmp_path).put_if_absent(key, b"{}")
    assert LocalStorage(tmp_path).remove_idle_locks() == 0
    assert path.is_symlink()
