"""Benchmark SQS mode: records per second that N collector replicas sustain on one queue.

    python bench/bench_sqs.py [--replicas 1 2] [--files 40] [--per-file 1000] [--drifts 40]

A moto server (S3 + SQS) runs in this process; each replica is a real
``python -m tfdrift_gitops collect --sqs-queue-url …`` process with the ledger on that S3. The
trail is gzipped ``{"Records": [...]}`` files of the tests' mix (read-only calls, failed calls,
Terraform's own bucket creations, a few hand-made drifts), announced one notification per file.
The clock starts when every replica says it is running (state loaded) and the notifications are
sent, and stops when the queue is empty (nothing visible, nothing in flight). moto shares the
machine's cores with the replicas, so on few cores the figure is a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.collector.sqs_support import (  # noqa: E402  # the tests' trail
    FORMATS,
    make_queue,
    make_trail,
    notification,
    queue_depth,
)
from tfdrift_gitops.adapters.aws import make_s3_client, make_sqs_client  # noqa: E402

STATE = ROOT / "tests" / "fixtures" / "corpus" / "states" / "aws-lab.tfstate"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TFDRIFT_"))}
    env.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    return env


def run(endpoint: str, replicas: int, files: int, per_file: int, drifts: int) -> float:
    s3 = make_s3_client(endpoint_url=endpoint)
    sqs = make_sqs_client("http://queue", endpoint_url=endpoint)
    bucket, ledger_bucket = f"trail-{uuid.uuid4().hex[:10]}", f"ledger-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=ledger_bucket)
    trail = make_trail(files=files, per_file=per_file, drifts=drifts)
    for key, data in trail.files.items():
        s3.put_object(Bucket=bucket, Key=key, Body=data)
    queue, _ = make_queue(sqs, f"bench-{uuid.uuid4().hex[:8]}", visibility=60, max_receives=5)
    logs = Path(tempfile.mkdtemp(prefix="bench-sqs-"))
    command = [
        sys.executable, "-m", "tfdrift_gitops", "collect", "--state", str(STATE),
        "--ledger", f"s3://{ledger_bucket}/ledger", "--state-refresh", "0",
        "--sqs-queue-url", queue, "--s3-endpoint-url", endpoint, "--sqs-wait", "1",
    ]  # fmt: skip
    processes = []
    for n in range(replicas):
        log = (logs / f"r{n}.log").open("wb")
        processes.append(
            (subprocess.Popen(command, cwd=ROOT, env=_env(), stderr=log), logs / f"r{n}.log")
        )
    while not all("collector running" in path.read_text() for _, path in processes):
        time.sleep(0.1)
    started = time.perf_counter()
    for n, key in enumerate(trail.files):
        body = notification(bucket, [key], FORMATS[n % len(FORMATS)])
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    while queue_depth(sqs, queue) != (0, 0):
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    for process, _ in processes:
        process.terminate()
    for process, path in processes:
        process.wait(timeout=120)
        summary = re.search(r"SQS: .*", path.read_text())
        print(f"    replica: {summary.group(0) if summary else path.read_text()[-300:]}")
    return trail.records / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--per-file", type=int, default=1000)
    parser.add_argument("--drifts", type=int, default=40)
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    os.environ.update({k: v for k, v in _env().items() if k.startswith("AWS_")})
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request lines

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        for replicas in args.replicas:
            rate = run(f"http://{host}:{port}", replicas, args.files, args.per_file, args.drifts)
            total = args.files * args.per_file
            print(
                f"{replicas} replica(s): {total:,} records in {args.files} files: "
                f"{rate:,.0f} records/s ({rate / replicas:,.0f} per replica); "
                f"load average {os.getloadavg()[0]:.1f}"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
